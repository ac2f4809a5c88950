//! Dates in page text and markup: finding them, parsing them, keeping the evidence.
//!
//! Hand-written because no crate both locates dates inside free text in many
//! languages and reports the span, the precision and whether the year was
//! stated; those three are what the report's `published` needs. Month names
//! are data (`echotrace_language::calendar`); patterns are general
//! (day-month-year, month-day-year, ISO, CJK), never tied to a site.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use echotrace_language::month_number;
use echotrace_model::{DateBasis, DateValue, Precision, Published};
use regex::Regex;
use std::sync::OnceLock;

fn month_alternation() -> String {
    let mut names: Vec<&str> = echotrace_language::calendar::month_names()
        .iter()
        .map(|(n, _)| n.as_str())
        .collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    names.join("|")
}

/// A date found in text, with where it was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundDate {
    /// The calendar day (year 0 stands for "not stated").
    pub date: Option<NaiveDate>,
    /// Month and day when the year was not stated.
    pub month_day: Option<(u32, u32)>,
    /// Time of day, when stated with the date.
    pub time: Option<NaiveTime>,
    /// Byte range of the evidence in the searched text.
    pub start: usize,
    /// End of the evidence (exclusive).
    pub end: usize,
}

impl FoundDate {
    /// The [`Published`] this finding supports, with `evidence` from `text`.
    pub fn to_published(&self, text: &str) -> Published {
        let evidence = text[self.start..self.end].trim().to_string();
        match (self.date, self.month_day) {
            (Some(d), _) => match self.time {
                Some(t) => Published {
                    value: DateValue::from_datetime(NaiveDateTime::new(d, t)),
                    precision: Precision::Minute,
                    basis: DateBasis::Explicit,
                    evidence,
                },
                None => Published {
                    value: DateValue::from_date(d),
                    precision: Precision::Day,
                    basis: DateBasis::Explicit,
                    evidence,
                },
            },
            (None, Some((m, d))) => Published {
                value: DateValue::month_day(m, d).unwrap_or_else(DateValue::unknown),
                precision: Precision::Day,
                basis: DateBasis::Relative,
                evidence,
            },
            (None, None) => Published {
                value: DateValue::unknown(),
                precision: Precision::Year,
                basis: DateBasis::Relative,
                evidence,
            },
        }
    }
}

struct Patterns {
    iso: Regex,
    dmy_name: Regex,
    mdy_name: Regex,
    md_name: Regex,
    numeric: Regex,
    cjk: Regex,
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let m = month_alternation();
        let time = r"(?:,?\s*(?:at\s+|à\s+|um\s+|a las\s+|-\s*|\|\s*)?(?P<h>[01]?\d|2[0-3])[:h.](?P<mi>[0-5]\d)(?::[0-5]\d)?(?:\s*(?P<ampm>[ap]\.?m\.?))?)?";
        Patterns {
            iso: crate::regex(
                r"(?i)\b(?P<y>(?:19|20)\d\d)[-/.](?P<mo>0?[1-9]|1[0-2])[-/.](?P<d>0?[1-9]|[12]\d|3[01])(?:[T\s](?P<h>[01]\d|2[0-3]):(?P<mi>[0-5]\d))?\b",
            )
            .unwrap(),
            dmy_name: crate::regex(&format!(
                r"(?i)\b(?P<d>0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th|er|º|\.)?\s*(?:de\s+|of\s+)?(?P<mon>{m})(?:\s*/\s*(?:{m}))?\.?,?\s*(?:de\s+|del\s+)?(?P<y>(?:19|20)\d\d)\b{time}"
            ))
            .unwrap(),
            mdy_name: crate::regex(&format!(
                r"(?i)\b(?P<mon>{m})\.?\s+(?P<d>0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b{time}"
            ))
            .unwrap(),
            md_name: crate::regex(&format!(
                r"(?i)\b(?:on|since|from|until|by|el|le|am)\s+(?:(?P<mon>{m})\.?\s+(?P<d>0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?|(?P<d2>0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th|\.)?\s+(?:de\s+)?(?P<mon2>{m}))\b"
            ))
            .unwrap(),
            numeric: crate::regex(
                r"\b(?P<a>0?[1-9]|[12]\d|3[01])[./](?P<b>0?[1-9]|[12]\d|3[01])[./](?P<y>(?:19|20)\d\d)\b(?:,?\s*(?P<h>[01]?\d|2[0-3])[:h](?P<mi>[0-5]\d))?",
            )
            .unwrap(),
            cjk: crate::regex(r"(?P<y>(?:19|20)\d\d)\s*年\s*(?P<mo>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日").unwrap(),
        }
    })
}

fn time_of(c: &regex::Captures) -> Option<NaiveTime> {
    let mut h: u32 = c.name("h")?.as_str().parse().ok()?;
    let mi: u32 = c.name("mi")?.as_str().parse().ok()?;
    if let Some(ap) = c.name("ampm") {
        let pm = ap.as_str().to_ascii_lowercase().starts_with('p');
        if h == 12 {
            h = 0;
        }
        if pm {
            h += 12;
        }
    }
    NaiveTime::from_hms_opt(h, mi, 0)
}

fn num(c: &regex::Captures, k: &str) -> Option<u32> {
    c.name(k)?.as_str().parse().ok()
}

/// The date of a match with numeric `y`, `mo` and `d` groups.
fn ymd(c: &regex::Captures) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(num(c, "y")? as i32, num(c, "mo")?, num(c, "d")?)
}

/// Every full date (day, month, year) in `text`, in order of position.
///
/// `month_first` says how to read ambiguous numeric dates like 03/04/2020
/// (true for US English pages).
pub fn find_dates(text: &str, month_first: bool) -> Vec<FoundDate> {
    if text.len() <= 2048 {
        return find_dates_in(text, month_first);
    }
    // Every full date writes a year, so only the stretches around a year are searched: the
    // patterns' Unicode word boundaries send the regex engine to its slowest mode on
    // non-ASCII text, which on a whole page is most of an extraction's time.
    let mut out = Vec::new();
    for (start, end) in year_windows(text) {
        out.extend(
            find_dates_in(&text[start..end], month_first)
                .into_iter()
                .map(|f| FoundDate {
                    start: f.start + start,
                    end: f.end + start,
                    ..f
                }),
        );
    }
    out
}

/// Disjoint byte ranges of `text` around each year (19xx, 20xx), cut at whitespace, in order.
fn year_windows(text: &str) -> Vec<(usize, usize)> {
    static YEAR: OnceLock<Regex> = OnceLock::new();
    let year = YEAR.get_or_init(|| Regex::new(r"(?:19|20)[0-9][0-9]").expect("static regex"));
    let bytes = text.as_bytes();
    let mut windows: Vec<(usize, usize)> = Vec::new();
    for m in year.find_iter(text) {
        let mut start = m.start().saturating_sub(72);
        while start > 0 && !bytes[start - 1].is_ascii_whitespace() {
            start -= 1;
            if m.start() - start > 160 {
                break;
            }
        }
        while !text.is_char_boundary(start) {
            start += 1;
        }
        let mut end = (m.end() + 48).min(text.len());
        while end < text.len() && !bytes[end].is_ascii_whitespace() {
            end += 1;
            if end - m.end() > 160 {
                break;
            }
        }
        while !text.is_char_boundary(end) {
            end += 1;
        }
        match windows.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => windows.push((start, end)),
        }
    }
    windows
}

/// [`find_dates`] over the whole of `text`.
fn find_dates_in(text: &str, month_first: bool) -> Vec<FoundDate> {
    let p = patterns();
    let mut out: Vec<FoundDate> = Vec::new();
    let mut push = |d: Option<NaiveDate>, t: Option<NaiveTime>, s: usize, e: usize| {
        if let Some(d) = d {
            if !out.iter().any(|f| s < f.end && f.start < e) {
                out.push(FoundDate {
                    date: Some(d),
                    month_day: None,
                    time: t,
                    start: s,
                    end: e,
                });
            }
        }
    };
    for c in p.iso.captures_iter(text) {
        let m = c.get(0).unwrap();
        push(ymd(&c), time_of(&c), m.start(), m.end());
    }
    for re in [&p.dmy_name, &p.mdy_name] {
        for c in re.captures_iter(text) {
            let m = c.get(0).unwrap();
            let mo = c.name("mon").and_then(|x| month_number(x.as_str()));
            let d =
                mo.and_then(|mo| NaiveDate::from_ymd_opt(num(&c, "y")? as i32, mo, num(&c, "d")?));
            push(d, time_of(&c), m.start(), m.end());
        }
    }
    for c in p.cjk.captures_iter(text) {
        let m = c.get(0).unwrap();
        push(ymd(&c), None, m.start(), m.end());
    }
    for c in p.numeric.captures_iter(text) {
        let m = c.get(0).unwrap();
        let (a, b, y) = (
            num(&c, "a").unwrap_or(0),
            num(&c, "b").unwrap_or(0),
            num(&c, "y").unwrap_or(0) as i32,
        );
        let (mo, d) = if a > 12 {
            (b, a)
        } else if b > 12 || month_first {
            (a, b)
        } else {
            (b, a)
        };
        push(
            NaiveDate::from_ymd_opt(y, mo, d),
            time_of(&c),
            m.start(),
            m.end(),
        );
    }
    out.sort_by_key(|f| f.start);
    out
}

/// Month-day mentions without a year ("on May 17", "le 17 mai"), in order.
pub fn find_month_days(text: &str) -> Vec<FoundDate> {
    let p = patterns();
    let full = find_dates(text, false);
    p.md_name
        .captures_iter(text)
        .filter_map(|c| {
            let m = c.get(0)?;
            let (mon, d) = match (c.name("mon"), c.name("d"), c.name("mon2"), c.name("d2")) {
                (Some(mo), Some(d), _, _) => (mo, d),
                (_, _, Some(mo), Some(d)) => (mo, d),
                _ => return None,
            };
            let month = month_number(mon.as_str())?;
            let day: u32 = d.as_str().parse().ok()?;
            // Skip it when a year follows and it is part of a full date.
            if full.iter().any(|f| f.start < m.end() && m.start() < f.end) {
                return None;
            }
            NaiveDate::from_ymd_opt(2000, month, day)?;
            Some(FoundDate {
                date: None,
                month_day: Some((month, day)),
                time: None,
                start: m.start(),
                end: m.end(),
            })
        })
        .collect()
}

/// Weekday mentions ("on Monday", "last Tuesday") that anchor to a publication date.
pub fn find_weekday_mentions(text: &str) -> Vec<(usize, usize)> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        crate::regex(r"(?i)\b(?:on|last|this|next|since|el|le|am|il|lunes|martes)\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|lunes|martes|miércoles|jueves|viernes|sábado|domingo|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)\b")
            .unwrap()
    });
    re.find_iter(text).map(|m| (m.start(), m.end())).collect()
}

/// Parses a machine date (ISO 8601, RFC 2822/3339, or a written date) from an attribute value.
pub fn parse_machine_date(s: &str) -> Option<(NaiveDate, Option<NaiveTime>)> {
    let s = s.trim();
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some((dt.naive_local().date(), Some(dt.naive_local().time())));
    }
    if let Ok(dt) = chrono::DateTime::parse_from_rfc2822(s) {
        return Some((dt.naive_local().date(), Some(dt.naive_local().time())));
    }
    if s.len() >= 8 && s.len() <= 14 && s.bytes().all(|b| b.is_ascii_digit()) {
        // 20200409 or 202004091230
        let d = NaiveDate::parse_from_str(&s[..8], "%Y%m%d").ok()?;
        return plausible(d).then_some((d, None));
    }
    let f = find_dates(s, true).into_iter().next()?;
    let d = f.date?;
    plausible(d).then_some((d, f.time))
}

/// Whether a date is a plausible publication date for a web page.
pub fn plausible(d: NaiveDate) -> bool {
    let today = chrono::Utc::now().date_naive();
    d.year() >= 1995 && d <= today + chrono::Duration::days(2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_finds_the_same_dates_as_its_parts() {
        let para = "Le conseil s’est réuni – «enfin» – le 12 mars 2021 à 10h30, puis le 3/4/2019; \
                    published 2020-08-17T09:15 and on March 5, 2018 at 4:30 p.m. Year 2019 alone. ";
        let long = para.repeat(40);
        let whole = find_dates(&long, true);
        let one = find_dates(para, true);
        assert_eq!(one.len(), 4, "{one:?}");
        assert_eq!(whole.len(), 40 * one.len());
        for (i, f) in whole.iter().enumerate() {
            let o = &one[i % one.len()];
            assert_eq!((f.date, f.time), (o.date, o.time));
            assert_eq!(&long[f.start..f.end], &para[o.start..o.end]);
        }
    }

    fn first(text: &str) -> Published {
        let f = find_dates(text, false).into_iter().next().expect("a date");
        f.to_published(text)
    }

    #[test]
    fn day_month_year_with_time() {
        let p = first("  • 13 Feb 2023 13:25\n");
        assert_eq!(p.value.to_string(), "2023-02-13T13:25");
        assert_eq!(p.precision, Precision::Minute);
        assert_eq!(p.evidence, "13 Feb 2023 13:25");
    }

    #[test]
    fn iso_and_written_forms() {
        assert_eq!(
            first("date 2023-02-14 US forces").value.to_string(),
            "2023-02-14"
        );
        assert_eq!(
            first("Published February 13, 2023").value.to_string(),
            "2023-02-13"
        );
        assert_eq!(
            first("le 3 mars 2021 à 10h05").value.to_string(),
            "2021-03-03T10:05"
        );
        assert_eq!(
            first("13 de febrero de 2023").value.to_string(),
            "2023-02-13"
        );
        assert_eq!(
            first("Stand: 13.02.2023, 08:15 Uhr").value.to_string(),
            "2023-02-13T08:15"
        );
        assert_eq!(first("2023年2月13日").value.to_string(), "2023-02-13");
        assert_eq!(first("13 февраля 2023").value.to_string(), "2023-02-13");
        assert_eq!(
            first("الأربعاء، 07 أكتوبر 2020 12:19").value.to_string(),
            "2020-10-07T12:19"
        );
        assert_eq!(
            first("تم نشره الجمعة 24 نيسان / أبريل 2020")
                .value
                .to_string(),
            "2020-04-24"
        );
        assert_eq!(first("17 באוגוסט 2020").value.to_string(), "2020-08-17");
    }

    #[test]
    fn month_day_without_year_is_relative() {
        let t = "a statement issued on May 17 claimed";
        let f = find_month_days(t);
        assert_eq!(f.len(), 1);
        let p = f[0].to_published(t);
        assert_eq!(p.value.to_string(), "XXXX-05-17");
        assert_eq!(p.basis, DateBasis::Relative);
        assert!(find_month_days("on May 17, 2022 it said").is_empty());
    }

    #[test]
    fn weekdays_are_found() {
        assert_eq!(
            find_weekday_mentions("issued a statement on Monday, alleging").len(),
            1
        );
    }

    #[test]
    fn machine_dates() {
        assert_eq!(
            parse_machine_date("2020-04-09T12:30:00+02:00")
                .unwrap()
                .0
                .to_string(),
            "2020-04-09"
        );
        assert_eq!(
            parse_machine_date("Thu, 09 Apr 2020 10:00:00 GMT")
                .unwrap()
                .0
                .to_string(),
            "2020-04-09"
        );
        assert_eq!(
            parse_machine_date("20200409").unwrap().0.to_string(),
            "2020-04-09"
        );
        assert!(parse_machine_date("1970-01-01").is_none());
    }

    #[test]
    fn ambiguous_numeric_dates_follow_the_locale() {
        assert_eq!(
            find_dates("03/04/2020", true)[0].date.unwrap().to_string(),
            "2020-03-04"
        );
        assert_eq!(
            find_dates("03/04/2020", false)[0].date.unwrap().to_string(),
            "2020-04-03"
        );
        assert_eq!(
            find_dates("25/04/2020", true)[0].date.unwrap().to_string(),
            "2020-04-25"
        );
    }
}
