//! Which of a page's dates is its publication date: a learned choice.
//!
//! A page offers many dates: meta tags, JSON-LD, `<time>` elements, the URL,
//! date-like elements, inline script data and the visible text. The HTML
//! front end collects every one as a [`Candidate`] tagged with its
//! [`Source`]; a [`DateModel`] (a conditional logit over the page's
//! candidates plus "no date", trained offline by `echotrace eval --set dates`
//! and shipped as `data/dates.json`) scores each from features that hold on
//! any site: where the date was written, how many independent places agree
//! on the day, how often the visible text names it, whether it is the
//! page's earliest or latest date, whether a modification date says the same.
//! Nothing in it names a site.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use echotrace_model::Published;
use serde::{Deserialize, Serialize};

/// Where on the page a date candidate was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// A meta tag naming the publication time (`article:published_time`, ...).
    MetaPublished,
    /// JSON-LD `datePublished`.
    LdPublished,
    /// An `itemprop="datePublished"` or `dateCreated` element.
    ItempropPublished,
    /// JSON-LD `dateCreated`.
    LdCreated,
    /// A `<time>` marked `pubdate` or with a publish/created class.
    TimePubdate,
    /// The URL path.
    Url,
    /// The first `<time datetime>` of the page.
    FirstTime,
    /// JSON-LD `dateModified`.
    LdModified,
    /// A meta tag naming the modification time.
    MetaModified,
    /// A machine date in an attribute of a date-like element.
    VisibleAttr,
    /// A date written in the text of a date-like element.
    VisibleText,
    /// A `"publishedAt": "..."` style value in inline script data.
    Script,
    /// A full date in the page's visible text.
    PageText,
}

impl Source {
    /// Every source, in the order the rules trusted them.
    pub const ALL: [Source; 13] = [
        Source::MetaPublished,
        Source::LdPublished,
        Source::ItempropPublished,
        Source::LdCreated,
        Source::TimePubdate,
        Source::Url,
        Source::FirstTime,
        Source::LdModified,
        Source::MetaModified,
        Source::VisibleAttr,
        Source::VisibleText,
        Source::Script,
        Source::PageText,
    ];

    /// A short stable name (the feature names in the model file use it).
    pub fn name(self) -> &'static str {
        match self {
            Source::MetaPublished => "meta_published",
            Source::LdPublished => "ld_published",
            Source::ItempropPublished => "itemprop_published",
            Source::LdCreated => "ld_created",
            Source::TimePubdate => "time_pubdate",
            Source::Url => "url",
            Source::FirstTime => "first_time",
            Source::LdModified => "ld_modified",
            Source::MetaModified => "meta_modified",
            Source::VisibleAttr => "visible_attr",
            Source::VisibleText => "visible_text",
            Source::Script => "script",
            Source::PageText => "page_text",
        }
    }

    fn is_modified(self) -> bool {
        matches!(self, Source::LdModified | Source::MetaModified)
    }
}

/// One date the page offers, with where it was found.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Where it was written.
    pub source: Source,
    /// The day (on the page's local day for UTC timestamps).
    pub day: NaiveDate,
    /// The date as the report gives it, with its evidence.
    pub published: Published,
    /// How many times the page's visible text writes this day.
    pub text_mentions: usize,
    /// Whether the value carries a time of day.
    pub has_time: bool,
    /// Whether this is a UTC timestamp's neighbouring day, which the page's text shows.
    pub across_midnight: bool,
}

/// One candidate's feature values, by name.
pub type Features = BTreeMap<&'static str, f64>;

/// The feature values of each candidate of one page.
pub fn features(cands: &[Candidate]) -> Vec<Features> {
    let earliest = cands.iter().map(|c| c.day).min();
    let latest = cands.iter().map(|c| c.day).max();
    let url_day = cands
        .iter()
        .find(|c| c.source == Source::Url)
        .map(|c| c.day);
    cands
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut f = BTreeMap::new();
            f.insert(c.source.name(), 1.0);
            let first_of_source = !cands[..i].iter().any(|o| o.source == c.source);
            if first_of_source {
                f.insert("first_of_its_source", 1.0);
            }
            let mut agreeing: Vec<Source> = cands
                .iter()
                .filter(|o| o.day == c.day && o.source != c.source)
                .map(|o| o.source)
                .collect();
            agreeing.sort();
            agreeing.dedup();
            let independent = agreeing.iter().filter(|s| !s.is_modified()).count();
            f.insert("agreeing_sources", (independent as f64).ln_1p());
            if agreeing.iter().any(|s| s.is_modified()) {
                f.insert("same_day_as_modified", 1.0);
            }
            if url_day == Some(c.day) && c.source != Source::Url {
                f.insert("same_day_as_url", 1.0);
            }
            f.insert("text_mentions", (c.text_mentions as f64).ln_1p());
            if c.has_time {
                f.insert("has_time", 1.0);
            }
            if c.across_midnight {
                f.insert("across_midnight", 1.0);
            }
            if earliest == Some(c.day) {
                f.insert("earliest", 1.0);
            }
            if latest == Some(c.day) {
                f.insert("latest", 1.0);
            }
            if let Some(l) = latest {
                let gap = (l - c.day).num_days().max(0) as f64;
                f.insert("days_before_latest", gap.ln_1p() / 5.0);
            }
            f.insert("order", (i as f64).ln_1p() / 3.0);
            f
        })
        .collect()
}

/// A linear scorer over candidate features, with the score of "no date".
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DateModel {
    /// Weight of each feature by name.
    pub weights: BTreeMap<String, f64>,
    /// The score of giving no date: a page whose best candidate scores below it gets none.
    pub no_date: f64,
}

impl DateModel {
    /// The model shipped in `data/dates.json`.
    pub fn shipped() -> &'static DateModel {
        static M: OnceLock<DateModel> = OnceLock::new();
        M.get_or_init(|| {
            serde_json::from_str(include_str!("../data/dates.json"))
                .expect("crates/extract/data/dates.json is a date model")
        })
    }

    fn score(&self, f: &Features) -> f64 {
        f.iter()
            .map(|(k, v)| self.weights.get(*k).copied().unwrap_or(0.0) * v)
            .sum()
    }

    /// The index of the publication date among `cands`, or `None` for "no date".
    pub fn pick(&self, cands: &[Candidate]) -> Option<usize> {
        let feats = features(cands);
        let mut best = (None, self.no_date);
        for (i, f) in feats.iter().enumerate() {
            let s = self.score(f);
            if s > best.1 {
                best = (Some(i), s);
            }
        }
        best.0
    }

    /// Fits the model to pages' candidates and their gold day (`None`: the page has no date).
    ///
    /// Maximises the likelihood of a right choice (any candidate on the gold
    /// day, or "no date" when the gold has none) under a softmax over the
    /// page's candidates and "no date", with an L2 penalty. Pages whose gold
    /// day no candidate offers teach nothing and are left out.
    pub fn fit(pages: &[(Vec<Candidate>, Option<NaiveDate>)]) -> DateModel {
        let data: Vec<(Vec<Features>, Vec<bool>)> = pages
            .iter()
            .filter(|(c, g)| g.is_none_or(|g| c.iter().any(|c| c.day == g)))
            .map(|(c, g)| {
                let right = c.iter().map(|c| Some(c.day) == *g).collect();
                (features(c), right)
            })
            .collect();
        let mut names: Vec<&'static str> = data
            .iter()
            .flat_map(|(f, _)| f.iter().flat_map(|m| m.keys().copied()))
            .collect();
        names.sort();
        names.dedup();
        let index: BTreeMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let mut w = vec![0.0f64; names.len() + 1]; // last: "no date"
        let nd = names.len();
        let l2 = 0.01;
        let rate = 0.5;
        for _ in 0..1500 {
            let mut grad = vec![0.0f64; w.len()];
            for (feats, right) in &data {
                let scores: Vec<f64> = feats
                    .iter()
                    .map(|f| f.iter().map(|(k, v)| w[index[k]] * v).sum())
                    .chain(std::iter::once(w[nd]))
                    .collect();
                let max = scores.iter().cloned().fold(f64::MIN, f64::max);
                let exp: Vec<f64> = scores.iter().map(|s| (s - max).exp()).collect();
                let z: f64 = exp.iter().sum();
                let p: Vec<f64> = exp.iter().map(|e| e / z).collect();
                // Target: the right options, in proportion to their probability.
                let none_right = !right.iter().any(|r| *r);
                let mass: f64 = if none_right {
                    p[feats.len()]
                } else {
                    right
                        .iter()
                        .zip(&p)
                        .filter(|(r, _)| **r)
                        .map(|(_, p)| p)
                        .sum()
                };
                for (i, f) in feats.iter().enumerate() {
                    let q = if right[i] { p[i] / mass } else { 0.0 };
                    for (k, v) in f {
                        grad[index[k]] += (q - p[i]) * v;
                    }
                }
                let q_none = if none_right { 1.0 } else { 0.0 };
                grad[nd] += q_none - p[feats.len()];
            }
            let n = data.len().max(1) as f64;
            for (wi, g) in w.iter_mut().zip(&grad) {
                *wi += rate * (g / n - l2 * *wi);
            }
        }
        DateModel {
            weights: names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.to_string(), (w[i] * 1e4).round() / 1e4))
                .collect(),
            no_date: (w[nd] * 1e4).round() / 1e4,
        }
    }
}

/// The rules the model replaced: the first candidate in the order of trust
/// ([`Source::ALL`], collection order within a source), a page-text date only
/// when written twice or with a time.
pub fn rule_pick(cands: &[Candidate]) -> Option<usize> {
    cands
        .iter()
        .enumerate()
        .filter(|(_, c)| c.source != Source::PageText || c.text_mentions >= 2 || c.has_time)
        .min_by_key(|(i, c)| (Source::ALL.iter().position(|s| *s == c.source), *i))
        .map(|(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use echotrace_model::{DateBasis, DateValue, Precision};

    fn cand(source: Source, day: &str, mentions: usize) -> Candidate {
        let day: NaiveDate = day.parse().unwrap();
        Candidate {
            source,
            day,
            published: Published {
                value: DateValue::from_date(day),
                precision: Precision::Day,
                basis: DateBasis::Explicit,
                evidence: day.to_string(),
            },
            text_mentions: mentions,
            has_time: false,
            across_midnight: false,
        }
    }

    #[test]
    fn a_fitted_model_learns_which_source_to_trust() {
        // Modification dates are never right here; URL dates always are.
        let pages: Vec<(Vec<Candidate>, Option<NaiveDate>)> = (1..=28)
            .map(|d| {
                let pub_day = format!("2020-03-{d:02}");
                let mod_day = format!("2020-04-{d:02}");
                (
                    vec![
                        cand(Source::MetaModified, &mod_day, 0),
                        cand(Source::Url, &pub_day, 0),
                    ],
                    Some(pub_day.parse().unwrap()),
                )
            })
            .collect();
        let m = DateModel::fit(&pages);
        for (c, _) in &pages {
            assert_eq!(m.pick(c), Some(1));
        }
        assert!(m.weights["url"] > m.weights["meta_modified"]);
    }

    #[test]
    fn no_candidates_no_date() {
        assert_eq!(DateModel::shipped().pick(&[]), None);
    }

    #[test]
    fn the_rules_trust_meta_before_the_url() {
        let c = vec![
            cand(Source::Url, "2020-01-02", 0),
            cand(Source::MetaPublished, "2020-01-03", 0),
            cand(Source::PageText, "2020-01-04", 1),
        ];
        assert_eq!(rule_pick(&c), Some(1));
        assert_eq!(rule_pick(&c[2..]), None);
    }
}
