//! Any text through the date finders and parsers: never a panic, spans always in bounds.
#![no_main]
use echotrace_extract::date;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    for f in date::find_dates(&s, true)
        .into_iter()
        .chain(date::find_month_days(&s))
    {
        let _ = f.to_published(&s);
    }
    for (a, b) in date::find_weekday_mentions(&s) {
        assert!(a <= b && b <= s.len());
    }
    let _ = date::parse_machine_date(&s);
});
