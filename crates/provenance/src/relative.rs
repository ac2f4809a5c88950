//! Relative date mentions resolved against a known day.
//!
//! The extract stage keeps phrases such as "on Monday", "on 13 February" or
//! "on May 17" as an article's date hints. Against the article's own date
//! they name a day: "on Monday" in an article of Tuesday 14 Feb 2023 is
//! 13 Feb 2023 (the most recent Monday on or before the article), and a
//! month and day take the year that puts them on or shortly before it.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use echotrace_language::month_number;

const WEEKDAYS: [(&str, Weekday); 7] = [
    ("monday", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sunday", Weekday::Sun),
];

/// What a hint names, before it is anchored to a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    /// A weekday ("on Monday").
    Weekday(Weekday),
    /// A month and day without a year ("on May 17", "on 13 February").
    MonthDay(u32, u32),
}

/// Reads a hint phrase; `None` when it names neither a weekday nor a month and day.
pub fn parse_hint(phrase: &str) -> Option<Hint> {
    let lower = phrase.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    for w in &words {
        if let Some((_, d)) = WEEKDAYS.iter().find(|(name, _)| name == w) {
            return Some(Hint::Weekday(*d));
        }
    }
    let month = words.iter().position(|w| month_number(w).is_some())?;
    let m = month_number(words[month])?;
    let day = |w: &str| {
        w.trim_end_matches(|c: char| c.is_alphabetic())
            .parse::<u32>()
            .ok()
            .filter(|d| (1..=31).contains(d))
    };
    let d = words
        .get(month + 1)
        .and_then(|w| day(w))
        .or_else(|| month.checked_sub(1).and_then(|i| day(words[i])))?;
    Some(Hint::MonthDay(m, d))
}

/// The day a hint names, seen from `anchor`: the latest such day on or before it.
pub fn resolve(hint: Hint, anchor: NaiveDate) -> Option<NaiveDate> {
    match hint {
        Hint::Weekday(w) => {
            let back = (anchor.weekday().num_days_from_monday() + 7 - w.num_days_from_monday()) % 7;
            Some(anchor - Duration::days(i64::from(back)))
        }
        Hint::MonthDay(m, d) => {
            let this = NaiveDate::from_ymd_opt(anchor.year(), m, d)?;
            if this <= anchor + Duration::days(1) {
                Some(this)
            } else {
                NaiveDate::from_ymd_opt(anchor.year() - 1, m, d)
            }
        }
    }
}

/// The year that puts a month and day nearest to `near`.
pub fn nearest_year(month: u32, day: u32, near: NaiveDate) -> Option<NaiveDate> {
    [near.year() - 1, near.year(), near.year() + 1]
        .iter()
        .filter_map(|&y| NaiveDate::from_ymd_opt(y, month, day))
        .min_by_key(|d| (*d - near).num_days().abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn weekdays_resolve_to_the_latest_on_or_before() {
        let h = parse_hint("on Monday").unwrap();
        assert_eq!(resolve(h, day("2023-02-14")), Some(day("2023-02-13")));
        assert_eq!(resolve(h, day("2023-02-13")), Some(day("2023-02-13")));
        let t = parse_hint("last Tuesday").unwrap();
        assert_eq!(resolve(t, day("2022-05-17")), Some(day("2022-05-17")));
    }

    #[test]
    fn month_days_take_the_anchor_year() {
        assert_eq!(parse_hint("on 13 February"), Some(Hint::MonthDay(2, 13)));
        assert_eq!(parse_hint("on May 17"), Some(Hint::MonthDay(5, 17)));
        assert_eq!(parse_hint("on Sept. 3rd"), Some(Hint::MonthDay(9, 3)));
        assert_eq!(parse_hint("17 мая"), Some(Hint::MonthDay(5, 17)));
        assert_eq!(parse_hint("le 3 mars"), Some(Hint::MonthDay(3, 3)));
        let h = parse_hint("on 13 February").unwrap();
        assert_eq!(resolve(h, day("2023-02-14")), Some(day("2023-02-13")));
        let late = parse_hint("on December 30").unwrap();
        assert_eq!(resolve(late, day("2023-01-02")), Some(day("2022-12-30")));
        assert_eq!(
            nearest_year(5, 17, day("2022-05-20")),
            Some(day("2022-05-17"))
        );
    }

    #[test]
    fn other_phrases_are_not_hints() {
        assert_eq!(parse_hint("recently"), None);
        assert_eq!(parse_hint("in May"), None);
        assert_eq!(parse_hint("on 45 May"), None);
        assert_eq!(parse_hint(""), None);
    }
}
