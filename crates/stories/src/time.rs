//! When an article happened, as far as its date tells, and whether two
//! articles can be about one event.
//!
//! Dates come in three strengths: a full calendar day, a month and day with
//! the year unknown (`XXXX-05-17`, from "on May 17"), or nothing. Two
//! articles are *compatible* when their dates could fall within one story's
//! window: full days are compared directly, a month-day is compared with the
//! nearest matching day of any year, and an unknown date is compatible with
//! everything.

use chrono::{Datelike, NaiveDate};
use echotrace_model::{DateValue, Precision, Published};

/// What an article's date says about when it happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateKey {
    /// A calendar day (days since 0001-01-01, chrono's day count).
    Day(i32),
    /// Month and day with the year unknown.
    MonthDay(u32, u32),
    /// No usable date.
    Unknown,
}

impl DateKey {
    /// The key of an article's publication date (month and coarser precisions are unknown).
    pub fn of(published: Option<&Published>) -> DateKey {
        let Some(p) = published else {
            return DateKey::Unknown;
        };
        if matches!(p.precision, Precision::Month | Precision::Year) {
            return DateKey::Unknown;
        }
        DateKey::of_value(&p.value)
    }

    /// The key of a date: a day when the year is known, a month-day when only it is.
    pub fn of_value(value: &DateValue) -> DateKey {
        if let Some(d) = value.date() {
            return DateKey::Day(d.num_days_from_ce());
        }
        match (value.year(), value.month_and_day()) {
            (None, Some((m, d))) => DateKey::MonthDay(m, d),
            _ => DateKey::Unknown,
        }
    }

    /// The calendar day, when the year is known.
    pub fn day(self) -> Option<NaiveDate> {
        match self {
            DateKey::Day(n) => NaiveDate::from_num_days_from_ce_opt(n),
            _ => None,
        }
    }

    /// Days between two dates at best (month-days matched across years); `None` when either is unknown.
    pub fn distance(self, other: DateKey) -> Option<i64> {
        use DateKey::*;
        match (self, other) {
            (Unknown, _) | (_, Unknown) => None,
            (Day(a), Day(b)) => Some(i64::from((a - b).abs())),
            (Day(a), MonthDay(m, d)) | (MonthDay(m, d), Day(a)) => {
                let day = NaiveDate::from_num_days_from_ce_opt(a)?;
                Some(month_day_distance(day.month(), day.day(), m, d))
            }
            (MonthDay(m1, d1), MonthDay(m2, d2)) => Some(month_day_distance(m1, d1, m2, d2)),
        }
    }
}

/// Circular distance in days between two month-days (a leap year as reference).
fn month_day_distance(m1: u32, d1: u32, m2: u32, d2: u32) -> i64 {
    let ord = |m: u32, d: u32| {
        NaiveDate::from_ymd_opt(2000, m, d)
            .or_else(|| NaiveDate::from_ymd_opt(2000, m, 28))
            .map(|x| i64::from(x.ordinal()))
            .unwrap_or(1)
    };
    let diff = (ord(m1, d1) - ord(m2, d2)).abs();
    diff.min(366 - diff)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> DateKey {
        DateKey::of_value(&s.parse().unwrap())
    }

    #[test]
    fn full_days_and_month_days_compare() {
        let a = key("2023-02-13T13:25");
        let b = key("2022-05-17");
        let md = key("XXXX-05-17");
        assert_eq!(a.distance(b), Some(272));
        assert_eq!(b.distance(md), Some(0));
        assert!(a.distance(md).unwrap() > 60);
        assert_eq!(key("XXXX-12-31").distance(key("XXXX-01-01")), Some(1));
        assert_eq!(key("XXXX"), DateKey::Unknown);
        assert_eq!(key("2023-02"), DateKey::Unknown);
        assert_eq!(a.distance(DateKey::Unknown), None);
    }
}
