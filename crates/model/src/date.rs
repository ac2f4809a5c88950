//! Typed calendar dates as the report writes them: ISO 8601, with an unknown year as `XXXX` (EDTF).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A date known to a year, month, day or minute, possibly without its year.
///
/// Written and read as `2023-02-13T13:25`, `2023-02-13`, `2023-02`, `2023`,
/// `XXXX-05-17` or `XXXX`. Orders as those strings do: by year, month, day
/// and time, coarser first, dates with an unknown year after all others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateValue {
    year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
    time: Option<(u32, u32)>,
}

/// Why a string is not a [`DateValue`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateValueError {
    /// Not of the form `YYYY[-MM[-DD[THH:MM]]]` or `XXXX[-MM[-DD]]`.
    #[error("not an ISO 8601 date: {0:?}")]
    Format(String),
    /// The parts name no calendar day or time ("2023-02-30", "25:00").
    #[error("no such date or time: {0:?}")]
    Range(String),
}

impl DateValue {
    /// A calendar day.
    pub fn from_date(d: NaiveDate) -> DateValue {
        DateValue {
            year: Some(d.year()),
            month: Some(d.month()),
            day: Some(d.day()),
            time: None,
        }
    }

    /// A calendar day and time, to the minute.
    pub fn from_datetime(t: NaiveDateTime) -> DateValue {
        DateValue {
            time: Some((t.hour(), t.minute())),
            ..DateValue::from_date(t.date())
        }
    }

    /// A month and day of a year not stated (`XXXX-05-17`); `None` when no year has that day.
    pub fn month_day(month: u32, day: u32) -> Option<DateValue> {
        NaiveDate::from_ymd_opt(2000, month, day)?;
        Some(DateValue {
            year: None,
            month: Some(month),
            day: Some(day),
            time: None,
        })
    }

    /// A date of which nothing is known (`XXXX`).
    pub fn unknown() -> DateValue {
        DateValue {
            year: None,
            month: None,
            day: None,
            time: None,
        }
    }

    /// The year, when stated.
    pub fn year(&self) -> Option<i32> {
        self.year
    }

    /// The calendar day, when year, month and day are known.
    pub fn date(&self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year?, self.month?, self.day?)
    }

    /// Month and day, when both are known (with or without the year).
    pub fn month_and_day(&self) -> Option<(u32, u32)> {
        Some((self.month?, self.day?))
    }

    /// The time of day, when stated.
    pub fn time(&self) -> Option<NaiveTime> {
        let (h, m) = self.time?;
        NaiveTime::from_hms_opt(h, m, 0)
    }

    fn key(&self) -> impl Ord {
        (
            self.year.is_none(),
            self.year,
            self.month,
            self.day,
            self.time,
        )
    }
}

impl Ord for DateValue {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(&other.key())
    }
}

impl PartialOrd for DateValue {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for DateValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.year {
            Some(y) => write!(f, "{y:04}")?,
            None => f.write_str("XXXX")?,
        }
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
                if let Some((h, mi)) = self.time {
                    write!(f, "T{h:02}:{mi:02}")?;
                }
            }
        }
        Ok(())
    }
}

impl FromStr for DateValue {
    type Err = DateValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let format = || DateValueError::Format(s.to_string());
        let range = || DateValueError::Range(s.to_string());
        let number = |part: &str, len: usize| -> Result<u32, DateValueError> {
            if part.len() != len || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format());
            }
            part.parse().map_err(|_| format())
        };
        let (day_part, time_part) = match s.split_once('T') {
            Some((d, t)) => (d, Some(t)),
            None => (s, None),
        };
        let mut parts = day_part.split('-');
        let year = match parts.next().ok_or_else(format)? {
            "XXXX" => None,
            y => Some(number(y, 4)? as i32),
        };
        let month = parts.next().map(|m| number(m, 2)).transpose()?;
        let day = parts.next().map(|d| number(d, 2)).transpose()?;
        if parts.next().is_some() {
            return Err(format());
        }
        let time = match time_part {
            Some(t) => {
                let (h, m) = t.split_once(':').ok_or_else(format)?;
                Some((number(h, 2)?, number(m, 2)?))
            }
            None => None,
        };
        if time.is_some() && (day.is_none() || year.is_none()) {
            return Err(format());
        }
        let v = DateValue {
            year,
            month,
            day,
            time,
        };
        let ok = match (month, day) {
            (Some(m), Some(d)) => NaiveDate::from_ymd_opt(year.unwrap_or(2000), m, d).is_some(),
            (Some(m), None) => (1..=12).contains(&m),
            _ => true,
        };
        if !ok || (time.is_some() && v.time().is_none()) {
            return Err(range());
        }
        Ok(v)
    }
}

impl Serialize for DateValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DateValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_written_form_reads_back_unchanged() {
        for s in [
            "2023-02-13T13:25",
            "2023-02-13",
            "2023-02",
            "2023",
            "XXXX-05-17",
            "XXXX-02-29",
            "XXXX",
        ] {
            let v: DateValue = s.parse().unwrap();
            assert_eq!(v.to_string(), s);
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(json, format!("\"{s}\""));
            assert_eq!(serde_json::from_str::<DateValue>(&json).unwrap(), v);
        }
    }

    #[test]
    fn malformed_or_impossible_dates_are_refused() {
        for s in [
            "",
            "23-02-13",
            "2023-2-13",
            "2023-02-13T1:25",
            "2023-02-13 13:25",
            "XXXX-05-17T10:00",
        ] {
            assert!(
                matches!(s.parse::<DateValue>(), Err(DateValueError::Format(_))),
                "{s}"
            );
        }
        for s in ["2023-02-30", "2023-13", "2023-02-13T25:00", "XXXX-02-30"] {
            assert!(
                matches!(s.parse::<DateValue>(), Err(DateValueError::Range(_))),
                "{s}"
            );
        }
        assert!(serde_json::from_str::<DateValue>("\"2023-02-30\"").is_err());
    }

    #[test]
    fn orders_as_the_strings_do() {
        let mut v: Vec<&str> = vec![
            "XXXX-05-17",
            "2023-02-13T13:25",
            "XXXX",
            "2023-02-13",
            "2022-12-31",
            "2023-02",
            "2023-02-13T09:05",
        ];
        let mut typed: Vec<DateValue> = v.iter().map(|s| s.parse().unwrap()).collect();
        v.sort();
        typed.sort();
        let back: Vec<String> = typed.iter().map(ToString::to_string).collect();
        assert_eq!(back, v);
    }

    #[test]
    fn typed_access() {
        let v: DateValue = "2023-02-13T13:25".parse().unwrap();
        assert_eq!(v.date(), NaiveDate::from_ymd_opt(2023, 2, 13));
        assert_eq!(v.time(), NaiveTime::from_hms_opt(13, 25, 0));
        assert_eq!(
            v,
            DateValue::from_datetime(v.date().unwrap().and_time(v.time().unwrap()))
        );
        let p = DateValue::month_day(5, 17).unwrap();
        assert_eq!(
            (p.year(), p.date(), p.month_and_day()),
            (None, None, Some((5, 17)))
        );
        assert!(DateValue::month_day(2, 30).is_none());
        assert_eq!(DateValue::unknown().to_string(), "XXXX");
    }
}
