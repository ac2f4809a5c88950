//! Any bytes, read as each container format: ingest must never panic.
#![no_main]
use echotrace_ingest::{read_stream, Collect, Format, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let fmt = match sel % 7 {
        0 => Format::Warc { gzip: false },
        1 => Format::Warc { gzip: true },
        2 => Format::Jsonl,
        3 => Format::Gzip,
        4 => Format::Html,
        5 => Format::Text,
        _ => Format::Sniff,
    };
    let mut c = Collect::default();
    let limits = Limits {
        max_record_bytes: 1 << 16,
    };
    read_stream(
        std::io::Cursor::new(rest.to_vec()),
        "fuzz",
        fmt,
        &limits,
        &mut c,
    );
});
