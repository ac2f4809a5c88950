//! Divergences: where outlets disagree, each with one sentence a reader understands.
//!
//! - `different_figures`: the two sides of one aligned passage carry different numbers;
//! - `same_figure_different_things`: one value counts different things in
//!   two articles of one story or of stories that cite each other (what a
//!   figure counts is folded through `data/counts.tsv`, so "fighters" and
//!   "militants" are one thing). Claims of different stories are never
//!   merged: an agreement across stories proves nothing and is not shown;
//! - `different_dates`: members of a story date its statement differently;
//! - `different_speakers`: one shared passage is attributed to different speakers;
//! - `attribution_drift`: one side attributes a passage, the other presents it as fact.

use std::collections::{BTreeMap, HashMap, HashSet};

use echotrace_model::{Divergence, Report};

use crate::context::Context;
use crate::source::Inferred;

/// Nouns that count the same kind of thing, one group per line (tab- or comma-separated).
pub const COUNT_GROUPS: &str = include_str!("../data/counts.tsv");

/// Folds what a claim counts to a group key.
pub struct CountFold(HashMap<String, String>);

impl CountFold {
    /// The built-in groups.
    pub fn builtin() -> Self {
        let mut m = HashMap::new();
        for line in COUNT_GROUPS.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let words: Vec<&str> = line
                .split(['\t', ','])
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .collect();
            if let Some(head) = words.first() {
                for w in &words {
                    m.insert(w.to_lowercase(), head.to_lowercase());
                }
            }
        }
        CountFold(m)
    }

    /// The group key of a counted noun phrase (its last word, singular, folded).
    pub fn key(&self, counts: &str) -> String {
        let lower = counts.to_lowercase();
        let head = lower
            .split(|c: char| !c.is_alphanumeric())
            .rfind(|w| !w.is_empty())
            .unwrap_or("");
        let singular = singular(head);
        self.0
            .get(&lower)
            .or_else(|| self.0.get(head))
            .or_else(|| self.0.get(&singular))
            .cloned()
            .unwrap_or(singular)
    }
}

fn singular(w: &str) -> String {
    if let Some(s) = w.strip_suffix("ies") {
        format!("{s}y")
    } else if w.ends_with("ss") {
        w.to_string()
    } else if let Some(s) = w.strip_suffix('s') {
        s.to_string()
    } else {
        w.to_string()
    }
}

/// Finds every divergence of the report.
pub fn find(report: &Report, ctx: &Context, inferred: &[Inferred]) -> Vec<Divergence> {
    let mut out = Vec::new();
    passage_figures(report, ctx, &mut out);
    figures_across(report, ctx, &mut out);
    dates(report, inferred, &mut out);
    speakers(report, ctx, &mut out);
    for (n, d) in out.iter_mut().enumerate() {
        d.id = format!("d{n}");
    }
    out
}

fn numbers_in(text: &str) -> Vec<String> {
    let mut v = Vec::new();
    let mut cur = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || (!cur.is_empty() && (c == ',' || c == '.')) {
            cur.push(c);
        } else if !cur.is_empty() {
            let n: String = cur.trim_end_matches([',', '.']).replace(',', "");
            v.push(n);
            cur.clear();
        }
    }
    v
}

fn story_id(report: &Report, ctx: &Context, i: usize) -> Option<String> {
    ctx.story_of[i].map(|s| report.stories[s].id.clone())
}

/// Numbers that differ between the two sides of one passage.
fn passage_figures(report: &Report, ctx: &Context, out: &mut Vec<Divergence>) {
    for p in &report.passages {
        let (Some(&a), Some(&b)) = (ctx.index.get(&p.a.article), ctx.index.get(&p.b.article))
        else {
            continue;
        };
        let (Some(ta), Some(tb)) = (
            report.articles[a].body.get(p.a.start..p.a.end),
            report.articles[b].body.get(p.b.start..p.b.end),
        ) else {
            continue;
        };
        let (na, nb) = (numbers_in(ta), numbers_in(tb));
        if na.len() != nb.len() || na == nb {
            continue;
        }
        let diffs: Vec<String> = na
            .iter()
            .zip(&nb)
            .filter(|(x, y)| x != y)
            .map(|(x, y)| format!("{x} where {} says {y}", p.b.article))
            .collect();
        let claims = claims_in(report, ctx, a, p.a.start, p.a.end)
            .into_iter()
            .chain(claims_in(report, ctx, b, p.b.start, p.b.end))
            .collect::<Vec<_>>();
        out.push(Divergence {
            id: String::new(),
            story: story_id(report, ctx, a),
            kind: "different_figures".into(),
            claims: if claims.is_empty() {
                vec![p.id.clone()]
            } else {
                claims
            },
            explanation: format!(
                "In the same passage ({}), {} gives {}.",
                p.id,
                p.a.article,
                diffs.join(", and ")
            ),
        });
    }
}

fn claims_in(report: &Report, ctx: &Context, i: usize, start: usize, end: usize) -> Vec<String> {
    ctx.claims[i]
        .iter()
        .filter(|&&c| report.claims[c].start < end && start < report.claims[c].end)
        .map(|&c| report.claims[c].id.clone())
        .collect()
}

/// One value counting different things in articles of one story or of linked stories.
fn figures_across(report: &Report, ctx: &Context, out: &mut Vec<Divergence>) {
    let fold = CountFold::builtin();
    // Story pairs that may be compared: a story with itself and with the stories it cites.
    let mut linked: HashSet<(usize, usize)> = HashSet::new();
    for (s, story) in report.stories.iter().enumerate() {
        linked.insert((s, s));
        for c in &story.cites {
            if let Some(t) = report.stories.iter().position(|x| &x.id == c) {
                linked.insert((s.min(t), s.max(t)));
            }
        }
    }
    // value -> claims with a story, a counted thing, and no range.
    let mut by_value: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (k, c) in report.claims.iter().enumerate() {
        if c.value_max.is_some() || c.value < 10.0 || c.counts.is_none() {
            continue;
        }
        let Some(&i) = ctx.index.get(&c.article) else {
            continue;
        };
        if ctx.story_of[i].is_none() {
            continue;
        }
        by_value.entry(format!("{}", c.value)).or_default().push(k);
    }
    let mut seen: HashSet<(String, String, String)> = HashSet::new();
    for (value, ks) in by_value {
        for (x, &k1) in ks.iter().enumerate() {
            for &k2 in &ks[x + 1..] {
                let (c1, c2) = (&report.claims[k1], &report.claims[k2]);
                if c1.article == c2.article || c1.unit != c2.unit {
                    continue;
                }
                let (i1, i2) = (ctx.index[&c1.article], ctx.index[&c2.article]);
                let (Some(s1), Some(s2)) = (ctx.story_of[i1], ctx.story_of[i2]) else {
                    continue;
                };
                if !linked.contains(&(s1.min(s2), s1.max(s2))) {
                    continue;
                }
                let (t1, t2) = (
                    c1.counts.clone().unwrap_or_default(),
                    c2.counts.clone().unwrap_or_default(),
                );
                let (f1, f2) = (fold.key(&t1), fold.key(&t2));
                if f1 == f2 || f1.is_empty() || f2.is_empty() {
                    continue;
                }
                let key = if f1 < f2 {
                    (value.clone(), f1, f2)
                } else {
                    (value.clone(), f2, f1)
                };
                if !seen.insert(key) {
                    continue;
                }
                let same_story = s1 == s2;
                out.push(Divergence {
                    id: String::new(),
                    story: same_story.then(|| report.stories[s1].id.clone()),
                    kind: "same_figure_different_things".into(),
                    claims: vec![c1.id.clone(), c2.id.clone()],
                    explanation: format!(
                        "The figure {} counts \"{}\" in {} but \"{}\" in {}{}.",
                        c1.text.trim(),
                        t1,
                        c1.article,
                        t2,
                        c2.article,
                        if same_story {
                            String::new()
                        } else {
                            format!(
                                " (stories {} and {}, which are linked)",
                                report.stories[s1].id, report.stories[s2].id
                            )
                        }
                    ),
                });
            }
        }
    }
}

/// Members that date the story's statement on different days.
fn dates(report: &Report, inferred: &[Inferred], out: &mut Vec<Divergence>) {
    for inf in inferred {
        let mut days: BTreeMap<chrono::NaiveDate, Vec<String>> = BTreeMap::new();
        for m in &inf.mentions {
            days.entry(m.day).or_default().push(format!(
                "{} (\"{}\")",
                report.articles[m.article].id, m.phrase
            ));
        }
        if days.len() < 2 {
            continue;
        }
        let parts: Vec<String> = days
            .iter()
            .map(|(d, who)| format!("{} on {d}", who.join(", ")))
            .collect();
        out.push(Divergence {
            id: String::new(),
            story: Some(report.stories[inf.story].id.clone()),
            kind: "different_dates".into(),
            claims: Vec::new(),
            explanation: format!("The statement is dated differently: {}.", parts.join("; ")),
        });
    }
}

/// Shared passages attributed to different speakers, or attributed on one side only.
fn speakers(report: &Report, ctx: &Context, out: &mut Vec<Divergence>) {
    for p in &report.passages {
        let (Some(&a), Some(&b)) = (ctx.index.get(&p.a.article), ctx.index.get(&p.b.article))
        else {
            continue;
        };
        let qa = ctx.quotes_over(report, a, p.a.start, p.a.end);
        let qb = ctx.quotes_over(report, b, p.b.start, p.b.end);
        let speaker = |qs: &[usize]| {
            qs.iter()
                .filter_map(|&q| report.quotes[q].speaker.clone())
                .next()
        };
        let (sa, sb) = (speaker(&qa), speaker(&qb));
        let ids: Vec<String> = qa
            .iter()
            .chain(&qb)
            .map(|&q| report.quotes[q].id.clone())
            .collect();
        match (&sa, &sb) {
            (Some(x), Some(y)) => {
                let (lx, ly) = (x.to_lowercase(), y.to_lowercase());
                if lx.contains(&ly) || ly.contains(&lx) {
                    continue;
                }
                out.push(Divergence {
                    id: String::new(),
                    story: story_id(report, ctx, a),
                    kind: "different_speakers".into(),
                    claims: ids,
                    explanation: format!(
                        "The same words ({}) are attributed to {x} in {} but to {y} in {}.",
                        p.id, p.a.article, p.b.article
                    ),
                });
            }
            (Some(x), None) if qb.is_empty() => out.push(drift(report, ctx, p, a, x, &p.b.article)),
            (None, Some(y)) if qa.is_empty() => out.push(drift(report, ctx, p, a, y, &p.a.article)),
            _ => {}
        }
    }
}

fn drift(
    report: &Report,
    ctx: &Context,
    p: &echotrace_model::Passage,
    a: usize,
    speaker: &str,
    unattributed: &str,
) -> Divergence {
    let attributed = if unattributed == p.a.article {
        &p.b.article
    } else {
        &p.a.article
    };
    Divergence {
        id: String::new(),
        story: story_id(report, ctx, a),
        kind: "attribution_drift".into(),
        claims: vec![p.id.clone()],
        explanation: format!(
            "{attributed} attributes these words to {speaker}; {unattributed} presents them without attribution ({}).",
            p.id
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_things_fold_through_the_table() {
        let f = CountFold::builtin();
        assert_eq!(f.key("IS fighters"), f.key("militants"));
        assert_eq!(f.key("countries"), "country");
        assert_ne!(
            f.key("military members and civilians"),
            f.key("terrorist militants")
        );
    }

    #[test]
    fn numbers_are_read_with_separators() {
        assert_eq!(
            numbers_in("up to 17,000 fighters, 3.5 km."),
            vec!["17000", "3.5"]
        );
    }
}
