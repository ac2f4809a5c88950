//! A watch's rule: what besides its text decides when it fires.
//!
//! Kept in the store as a JSON object beside the watch. A velocity rule
//! fires when a story gains [`Velocity::outlets`] new independent outlets
//! within [`Velocity::within_secs`]; every watch has a dormancy period
//! after which its next alert also raises a revival; times are crawl times
//! by default (when the page was fetched, or stored when the crawl does not
//! say), publication times on request (for backfills, where everything is
//! crawled at once).

use serde::{Deserialize, Serialize};

/// How long a watch stays quiet before its next alert is a revival, unless its rule says otherwise: 30 days.
pub const DORMANT_SECS: i64 = 30 * 86_400;

/// What a watch's times are counted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TimeBasis {
    /// When the page was crawled (its fetch time, or when it was stored).
    #[default]
    Crawl,
    /// When the article says it was published.
    Published,
}

/// N new independent outlets within T seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Velocity {
    /// Independent outlets (wire copies and one outlet's articles count once) that must newly join.
    pub outlets: usize,
    /// Within this many seconds.
    pub within_secs: i64,
}

/// A watch's rule, as stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rule {
    /// The velocity rule (story and velocity watches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub velocity: Option<Velocity>,
    /// Seconds without an alert after which the next one is a revival ([`DORMANT_SECS`] when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dormant_secs: Option<i64>,
    /// What times are counted by.
    #[serde(default)]
    pub by: TimeBasis,
    /// The claim a claim watch was made from (`c<n>.<k>`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
}

impl Rule {
    /// The rule stored as `json` (a watch without one has the default rule).
    pub fn of(json: &serde_json::Value) -> Rule {
        serde_json::from_value(json.clone()).unwrap_or_default()
    }

    /// How long this watch stays quiet before a revival.
    pub fn dormant(&self) -> i64 {
        self.dormant_secs.unwrap_or(DORMANT_SECS)
    }
}

/// Seconds in a duration written as people write them (`90m`, `6h`, `2d`, `1week`); a bare number is hours.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if let Ok(hours) = text.parse::<u32>() {
        return Ok(i64::from(hours) * 3600);
    }
    humantime::parse_duration(text)
        .map(|d| d.as_secs().min(i64::MAX as u64) as i64)
        .map_err(|e| format!("`{text}` is not a duration ({e}); write e.g. 90m, 6h or 2d"))
}

/// A duration for people: `6h`, `2d`, `90m`, `45s`.
pub fn human_duration(secs: i64) -> String {
    match secs {
        s if s > 0 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s > 0 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s > 0 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// Seconds since 1970 of a time as crawlers and feeds write it (RFC 3339, `YYYY-MM-DD HH:MM:SS`, RFC 2822, a bare date), UTC when no offset is given.
pub fn parse_time(text: &str) -> Option<i64> {
    use chrono::{DateTime, NaiveDate, NaiveDateTime};
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.timestamp());
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(t) {
        return Some(d.timestamp());
    }
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y%m%d%H%M%S"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(t, f) {
            return Some(d.and_utc().timestamp());
        }
    }
    let day = t.get(..10).unwrap_or(t);
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc().timestamp())
}

/// Which of a watch's new alerts are revivals, by index into `new` (seen times, any order).
///
/// A new alert revives the watch when the one before it (stored, `last`,
/// or new) is at least `dormant` seconds older. A watch's very first alert
/// is no revival: there was nothing to come back from.
pub fn revivals(last: Option<i64>, new: &[i64], dormant: i64) -> Vec<usize> {
    let mut order: Vec<usize> = (0..new.len()).collect();
    order.sort_by_key(|&i| (new[i], i));
    let mut before = last;
    let mut out = Vec::new();
    for i in order {
        if before.is_some_and(|b| new[i] - b >= dormant) {
            out.push(i);
        }
        before = Some(before.map_or(new[i], |b| b.max(new[i])));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_times_read_as_people_write_them() {
        assert_eq!(parse_duration("6h"), Ok(6 * 3600));
        assert_eq!(parse_duration("90m"), Ok(5400));
        assert_eq!(parse_duration("2d"), Ok(2 * 86_400));
        assert_eq!(
            parse_duration("12"),
            Ok(12 * 3600),
            "a bare number is hours"
        );
        assert!(parse_duration("soon").unwrap_err().contains("6h"));
        assert_eq!(human_duration(6 * 3600), "6h");
        assert_eq!(human_duration(2 * 86_400), "2d");
        assert_eq!(human_duration(90), "90s");
        assert_eq!(parse_time("1970-01-02T00:00:00Z"), Some(86_400));
        assert_eq!(parse_time("1970-01-02T01:00:00+01:00"), Some(86_400));
        assert_eq!(parse_time("1970-01-02 00:00:10"), Some(86_410));
        assert_eq!(parse_time("1970-01-03"), Some(2 * 86_400));
        assert_eq!(parse_time("Fri, 02 Jan 1970 00:00:00 +0000"), Some(86_400));
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn a_watch_quiet_for_its_dormancy_revives_once_and_its_first_alert_does_not() {
        let day = 86_400;
        assert!(revivals(None, &[0, 40 * day], 30 * day) == [1]);
        assert!(revivals(Some(0), &[10 * day, 12 * day], 30 * day).is_empty());
        assert_eq!(revivals(Some(0), &[45 * day, 31 * day], 30 * day), [1]);
        assert_eq!(revivals(Some(0), &[5 * day], day), [0]);
    }

    #[test]
    fn a_rule_round_trips_through_its_stored_json() {
        let r = Rule {
            velocity: Some(Velocity {
                outlets: 5,
                within_secs: 3600,
            }),
            dormant_secs: Some(60),
            by: TimeBasis::Published,
            claim: None,
        };
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["by"], "published");
        assert_eq!(Rule::of(&json), r);
        assert_eq!(Rule::of(&serde_json::Value::Null), Rule::default());
        assert_eq!(Rule::default().dormant(), DORMANT_SECS);
    }
}
