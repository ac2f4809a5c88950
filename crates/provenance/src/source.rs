//! Each story's source: who said it, when, and what the text was.
//!
//! - **Speaker**: the speaker most quotations over the story's shared
//!   passages name (quotes anywhere in the story when none overlap). When it
//!   names none of the story's outlets, the source is *latent*: the
//!   statement itself is not in the corpus.
//! - **Date**: the earliest day that refers to it: relative mentions ("on
//!   Monday", "on 13 February") resolved against their article's date, and
//!   the articles' own explicit dates.
//! - **Text**: the consensus of the aligned passages: the shared spans of
//!   the member that shares most, in its order.
//!
//! Dates also flow back: a member known only by month and day takes the
//! story's year, and an undated member whose weekday mention matches the
//! source day is placed in the week after it; both are marked `inferred`.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};
use echotrace_model::{DateBasis, DateValue, Precision, Published, Report, Source};
use echotrace_stories::DateKey;

use crate::context::Context;
use crate::relative::{nearest_year, parse_hint, resolve, Hint};

/// Days before its article a resolved mention may lie and still refer to the story's statement.
const MENTION_WINDOW_DAYS: i64 = 7;

/// A statement date one article gives.
#[derive(Debug, Clone)]
pub struct Mention {
    /// The article.
    pub article: usize,
    /// The day named.
    pub day: NaiveDate,
    /// The phrase, as written.
    pub phrase: String,
}

/// What the provenance stage inferred for one story.
#[derive(Debug, Clone)]
pub struct Inferred {
    /// The story's index.
    pub story: usize,
    /// Its source, if it has one (a story of one article without shared text has none).
    pub source: Option<Source>,
    /// For a seen source, the article that carries it.
    pub seen: Option<usize>,
    /// The source's day.
    pub day: Option<NaiveDate>,
    /// Statement dates the members give.
    pub mentions: Vec<Mention>,
    /// Publication dates inferred for members, by article index.
    pub dates: Vec<(usize, Published)>,
}

/// Infers the source of every story.
pub fn infer(report: &Report, ctx: &Context) -> Vec<Inferred> {
    (0..report.stories.len())
        .map(|s| infer_one(report, ctx, s))
        .collect()
}

fn members(report: &Report, ctx: &Context, s: usize) -> Vec<usize> {
    report.stories[s]
        .articles
        .iter()
        .filter_map(|id| ctx.index.get(id).copied())
        .collect()
}

fn infer_one(report: &Report, ctx: &Context, s: usize) -> Inferred {
    let m = members(report, ctx, s);
    let mentions = mentions(report, ctx, &m);
    let day = earliest_day(report, ctx, &m, &mentions);
    let shared: Vec<usize> = m
        .iter()
        .copied()
        .filter(|&i| ctx.sides[i].iter().any(|sd| m.contains(&sd.other)))
        .collect();
    let mut dates = Vec::new();
    if let Some((d, _, _)) = &day {
        for &i in &m {
            if let Some(p) = infer_date(report, ctx, i, *d, s) {
                dates.push((i, p));
            }
        }
    }
    if shared.is_empty() {
        return Inferred {
            story: s,
            source: None,
            seen: None,
            day: day.map(|d| d.0),
            mentions,
            dates,
        };
    }
    let speaker = speaker(report, ctx, &m);
    let latent = is_latent(report, &m, speaker.as_deref());
    let reference = fullest_sharer(ctx, &shared, &m);
    let seen = if latent {
        None
    } else {
        // The earliest member that shares text; undated members come last.
        shared
            .iter()
            .copied()
            .min_by_key(|&i| (ctx.dates[i].day().is_none(), ctx.dates[i].day(), i))
    };
    let (text, evidence) = consensus(report, ctx, reference, &m);
    let source = Source {
        // Named after its story (`s7` -> `src7`), so it is as stable as the story.
        id: format!(
            "src{}",
            report.stories[s]
                .id
                .strip_prefix('s')
                .unwrap_or(&report.stories[s].id)
        ),
        latent,
        speaker,
        date: day.map(|(d, ev, basis)| Published {
            value: DateValue::from_date(d),
            precision: Precision::Day,
            basis,
            evidence: ev,
        }),
        text,
        story: report.stories[s].id.clone(),
        article: seen.map(|i| report.articles[i].id.clone()),
        evidence,
    };
    Inferred {
        story: s,
        day: source.date.as_ref().and_then(|p| p.value.date()),
        source: Some(source),
        seen,
        mentions,
        dates,
    }
}

/// The earliest day that refers to the statement, with its evidence and basis: a mention, or a member's explicit date.
fn earliest_day(
    report: &Report,
    ctx: &Context,
    m: &[usize],
    mentions: &[Mention],
) -> Option<(NaiveDate, String, DateBasis)> {
    let mut day: Option<(NaiveDate, String, DateBasis)> = None;
    for x in mentions {
        let ev = format!("\"{}\" in {}", x.phrase, report.articles[x.article].id);
        if day.as_ref().is_none_or(|(d, _, _)| x.day < *d) {
            day = Some((x.day, ev, DateBasis::Relative));
        }
    }
    for &i in m {
        let Some(p) = &report.articles[i].published else {
            continue;
        };
        if p.basis != DateBasis::Explicit {
            continue;
        }
        if let Some(d) = ctx.dates[i].day() {
            if day.as_ref().is_none_or(|(e, _, _)| d < *e) {
                let ev = format!("{} published \"{}\"", report.articles[i].id, p.evidence);
                day = Some((d, ev, DateBasis::Explicit));
            }
        }
    }
    day
}

/// Whether the speaker names none of the members' outlets: the statement itself is not in the corpus.
fn is_latent(report: &Report, m: &[usize], speaker: Option<&str>) -> bool {
    let outlets: Vec<String> = m
        .iter()
        .filter_map(|&i| report.articles[i].outlet.as_ref().map(|o| o.to_lowercase()))
        .collect();
    speaker.is_some_and(|sp| {
        let sp = sp.to_lowercase();
        !outlets
            .iter()
            .any(|o| sp.contains(o.as_str()) || o.contains(sp.as_str()))
    })
}

/// The member of `shared` whose text the other members `m` cover most (the first on a tie).
fn fullest_sharer(ctx: &Context, shared: &[usize], m: &[usize]) -> usize {
    *shared
        .iter()
        .max_by_key(|&&i| {
            let ranges: Vec<(usize, usize)> = ctx.sides[i]
                .iter()
                .filter(|sd| m.contains(&sd.other))
                .map(|sd| (sd.start, sd.end))
                .collect();
            (echotrace_stories::covered(ranges), std::cmp::Reverse(i))
        })
        .unwrap_or(&shared[0])
}

/// Statement dates the members' relative mentions give, resolved against their own dates.
fn mentions(report: &Report, ctx: &Context, members: &[usize]) -> Vec<Mention> {
    let mut out = Vec::new();
    for &i in members {
        let Some(anchor) = ctx.dates[i].day() else {
            continue;
        };
        for phrase in &report.articles[i].date_hints {
            let Some(day) = parse_hint(phrase).and_then(|h| resolve(h, anchor)) else {
                continue;
            };
            let back = (anchor - day).num_days();
            if (0..=MENTION_WINDOW_DAYS).contains(&back) {
                out.push(Mention {
                    article: i,
                    day,
                    phrase: phrase.clone(),
                });
            }
        }
    }
    out
}

/// A publication date for a member the page did not date fully, inferred through the story.
fn infer_date(
    report: &Report,
    ctx: &Context,
    i: usize,
    source_day: NaiveDate,
    story: usize,
) -> Option<Published> {
    let a = &report.articles[i];
    let story_id = &report.stories[story].id;
    match ctx.dates[i] {
        DateKey::Day(_) => None,
        DateKey::MonthDay(m, d) => {
            let day = nearest_year(m, d, source_day)?;
            let ev = a
                .published
                .as_ref()
                .map(|p| p.evidence.clone())
                .unwrap_or_default();
            Some(Published {
                value: DateValue::from_date(day),
                precision: Precision::Day,
                basis: DateBasis::Inferred,
                evidence: format!("\"{ev}\"; year from story {story_id} ({source_day})"),
            })
        }
        DateKey::Unknown => {
            let phrase = a.date_hints.iter().find(
                |h| matches!(parse_hint(h), Some(Hint::Weekday(w)) if w == source_day.weekday()),
            )?;
            Some(Published {
                value: DateValue::from_date(source_day),
                precision: Precision::Week,
                basis: DateBasis::Inferred,
                evidence: format!(
                    "\"{phrase}\" names the story {story_id} statement of {source_day}; published within the week after ({} at the latest)",
                    source_day + Duration::days(6)
                ),
            })
        }
    }
}

/// The speaker most quotations name: those over shared passages first, then any in the story.
fn speaker(report: &Report, ctx: &Context, members: &[usize]) -> Option<String> {
    let mut over: HashMap<String, (usize, String)> = HashMap::new();
    let mut any: HashMap<String, (usize, String)> = HashMap::new();
    for &i in members {
        for &q in &ctx.quotes[i] {
            let quote = &report.quotes[q];
            let Some(sp) = quote.speaker.as_ref().filter(|s| !s.trim().is_empty()) else {
                continue;
            };
            if !crate::speaker::is_named(sp) {
                continue;
            }
            let key = crate::speaker::key(sp);
            let weight = quote.end.saturating_sub(quote.start);
            let shared = ctx.sides[i].iter().any(|sd| {
                members.contains(&sd.other) && sd.start < quote.end && quote.start < sd.end
            });
            for map in [&mut any].into_iter().chain(shared.then_some(&mut over)) {
                let e = map.entry(key.clone()).or_insert((0, sp.clone()));
                e.0 += weight;
                // Keep the fullest spelling.
                if sp.len() > e.1.len() {
                    e.1 = sp.clone();
                }
            }
        }
    }
    let pick = |m: &HashMap<String, (usize, String)>| {
        m.values()
            .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
            .map(|(_, s)| s.clone())
    };
    pick(&over).or_else(|| pick(&any))
}

/// The shared spans of `reference` with other members, merged, in order; and their passage ids.
fn consensus(
    report: &Report,
    ctx: &Context,
    reference: usize,
    members: &[usize],
) -> (String, Vec<String>) {
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    let mut evidence = Vec::new();
    for sd in &ctx.sides[reference] {
        if members.contains(&sd.other) {
            ranges.push((sd.start, sd.end));
            evidence.push(report.passages[sd.passage].id.clone());
        }
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    let body = &report.articles[reference].body;
    let text = merged
        .iter()
        .filter_map(|&(s, e)| body.get(s..e))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" … ");
    evidence.sort();
    evidence.dedup();
    (text, evidence)
}

/// Writes the inferred dates into the articles and the sources' days into the stories.
pub fn apply(report: &mut Report, inferred: &[Inferred]) {
    for inf in inferred {
        for (i, p) in &inf.dates {
            report.articles[*i].published = Some(p.clone());
        }
        if let Some(day) = inf.day {
            let story = &mut report.stories[inf.story];
            let earlier = story
                .first_seen
                .is_none_or(|f| f.date().is_none_or(|f| day < f));
            if earlier {
                story.first_seen = Some(DateValue::from_date(day));
            }
        }
    }
    report.sources = inferred.iter().filter_map(|i| i.source.clone()).collect();
}
