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

use std::collections::{BTreeMap, HashMap};

use echotrace_model::{Divergence, Report};
use echotrace_reuse::Aliases;

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
pub fn find(
    report: &Report,
    ctx: &Context,
    inferred: &[Inferred],
    aliases: &Aliases,
) -> Vec<Divergence> {
    let mut out = Vec::new();
    passage_figures(report, ctx, &mut out);
    figures_across(report, ctx, aliases, &mut out);
    dates(report, inferred, &mut out);
    speakers(report, ctx, &mut out);
    // Named after their story and rank in it (`s17` -> `d17.0`; across linked
    // stories after the first claim's article): stable while other stories change.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for d in out.iter_mut() {
        let owner = match &d.story {
            Some(s) => s.trim_start_matches('s').to_string(),
            None => format!(
                "x{}",
                d.claims
                    .first()
                    .map(|c| c.trim_start_matches('c').split('.').next().unwrap_or(""))
                    .unwrap_or("")
            ),
        };
        let k = seen.entry(owner.clone()).or_insert(0);
        d.id = format!("d{owner}.{k}");
        *k += 1;
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

/// Whether two articles tell one story, or two stories one of which cites the other.
fn linked(report: &Report, ctx: &Context, a: usize, b: usize) -> bool {
    match (ctx.story_of[a], ctx.story_of[b]) {
        (Some(x), Some(y)) if x == y => true,
        (Some(x), Some(y)) => {
            let (sx, sy) = (&report.stories[x], &report.stories[y]);
            sx.cites.contains(&sy.id) || sy.cites.contains(&sx.id)
        }
        _ => false,
    }
}

/// Numbers that differ between the two sides of one passage, in articles of one story or linked stories
/// (a templated table shared by unrelated pages is no divergence).
fn passage_figures(report: &Report, ctx: &Context, out: &mut Vec<Divergence>) {
    for p in &report.passages {
        let (Some(&a), Some(&b)) = (ctx.index.get(&p.a.article), ctx.index.get(&p.b.article))
        else {
            continue;
        };
        if !linked(report, ctx, a, b) {
            continue;
        }
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

/// Entity keys (alias table) a counted phrase mentions: "IS members" and "ISIS and other jihadists" share `islamic_state`.
fn entity_keys(phrase: &str, aliases: &Aliases) -> Vec<String> {
    let words: Vec<&str> = phrase.split_whitespace().collect();
    let mut out = Vec::new();
    for n in 1..=3.min(words.len()) {
        for w in words.windows(n) {
            if let Some(k) = aliases.key_of(&w.join(" ")) {
                out.push(k.to_string());
            }
        }
    }
    out
}

/// One value counting different things in articles of one story or of linked stories.
///
/// For each value and each pair of linked stories (a story with itself
/// included), the claims that give the value are compared across articles.
/// If any two count compatible things (same folded head noun, or the same
/// entity), the figure is shared and nothing is flagged; only a figure the
/// articles never agree on is a divergence.
fn figures_across(report: &Report, ctx: &Context, aliases: &Aliases, out: &mut Vec<Divergence>) {
    let partners = linked_pairs(report);
    let check = FigureCheck {
        report,
        aliases,
        fold: CountFold::builtin(),
        story_of_claim: report
            .claims
            .iter()
            .map(|c| ctx.index.get(&c.article).and_then(|&i| ctx.story_of[i]))
            .collect(),
    };
    for (value, ks) in claims_by_value(report) {
        // The claims of this value per story; only linked pairs where both
        // stories give the value can disagree.
        let mut by_story: HashMap<usize, Vec<usize>> = HashMap::new();
        for &k in &ks {
            if let Some(s) = check.story_of_claim[k] {
                by_story.entry(s).or_default().push(k);
            }
        }
        let mut pairs: Vec<(usize, usize)> = by_story
            .keys()
            .flat_map(|&a| {
                partners
                    .get(&a)
                    .into_iter()
                    .flatten()
                    .filter(|b| by_story.contains_key(b))
                    .map(move |&b| (a, b))
            })
            .collect();
        pairs.sort_unstable();
        for (s1, s2) in pairs {
            let mut in_pair: Vec<usize> = by_story[&s1].clone();
            if s2 != s1 {
                in_pair.extend(&by_story[&s2]);
                in_pair.sort_unstable();
            }
            if let Some((k1, k2)) = check.clash(&in_pair, s1 != s2) {
                out.push(check.divergence(&value, s1, s2, k1, k2));
            }
        }
    }
}

/// Linked story pairs (a story with itself, and with each story it cites or that cites it), kept under the smaller index.
fn linked_pairs(report: &Report) -> HashMap<usize, Vec<usize>> {
    let index_of: HashMap<&str, usize> = report
        .stories
        .iter()
        .enumerate()
        .map(|(s, x)| (x.id.as_str(), s))
        .collect();
    let mut partners: HashMap<usize, Vec<usize>> = HashMap::new();
    for (s, story) in report.stories.iter().enumerate() {
        partners.entry(s).or_default().push(s);
        for c in &story.cites {
            if let Some(&t) = index_of.get(c.as_str()) {
                partners.entry(s.min(t)).or_default().push(s.max(t));
            }
        }
    }
    for p in partners.values_mut() {
        p.sort_unstable();
        p.dedup();
    }
    partners
}

/// The claims of a single figure (10 or more) that say what they count, by value.
fn claims_by_value(report: &Report) -> BTreeMap<String, Vec<usize>> {
    let mut by_value: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (k, c) in report.claims.iter().enumerate() {
        if c.value_max.is_some() || c.value < 10.0 || c.counts.is_none() {
            continue;
        }
        by_value.entry(format!("{}", c.value)).or_default().push(k);
    }
    by_value
}

/// What comparing the claims of one figure needs: the claims' stories and how counted things are folded.
struct FigureCheck<'a> {
    report: &'a Report,
    aliases: &'a Aliases,
    fold: CountFold,
    /// Each claim's story, by claim position.
    story_of_claim: Vec<Option<usize>>,
}

impl FigureCheck<'_> {
    /// Whether two claims count compatible things: same unit, and the same folded phrase or a shared entity.
    fn compatible(&self, k1: usize, k2: usize) -> bool {
        let (c1, c2) = (&self.report.claims[k1], &self.report.claims[k2]);
        let t1 = c1.counts.as_deref().unwrap_or("");
        let t2 = c2.counts.as_deref().unwrap_or("");
        if c1.unit != c2.unit {
            return false;
        }
        if self.fold.key(t1) == self.fold.key(t2) {
            return true;
        }
        let (e1, e2) = (entity_keys(t1, self.aliases), entity_keys(t2, self.aliases));
        e1.iter().any(|k| e2.contains(k))
    }

    /// The first pair of claims (in different articles; straddling the two stories when
    /// `across`) that count incompatible things, unless some such pair agrees.
    fn clash(&self, in_pair: &[usize], across: bool) -> Option<(usize, usize)> {
        let mut agree = false;
        let mut clash: Option<(usize, usize)> = None;
        for (x, &k1) in in_pair.iter().enumerate() {
            for &k2 in &in_pair[x + 1..] {
                let (c1, c2) = (&self.report.claims[k1], &self.report.claims[k2]);
                if c1.article == c2.article {
                    continue;
                }
                // Across two stories, only pairs that straddle them.
                if across && self.story_of_claim[k1] == self.story_of_claim[k2] {
                    continue;
                }
                if self.compatible(k1, k2) {
                    agree = true;
                } else if clash.is_none() {
                    clash = Some((k1, k2));
                }
            }
        }
        clash.filter(|_| !agree)
    }

    /// The divergence of claims `k1` and `k2` giving `value`, in stories `s1` and `s2`.
    fn divergence(&self, value: &str, s1: usize, s2: usize, k1: usize, k2: usize) -> Divergence {
        let report = self.report;
        let (c1, c2) = (&report.claims[k1], &report.claims[k2]);
        let same_story = s1 == s2;
        let linked_note = if same_story {
            String::new()
        } else {
            format!(
                " (stories {} and {}, which are linked)",
                report.stories[s1].id, report.stories[s2].id
            )
        };
        Divergence {
            id: String::new(),
            story: same_story.then(|| report.stories[s1].id.clone()),
            kind: "same_figure_different_things".into(),
            claims: vec![c1.id.clone(), c2.id.clone()],
            explanation: format!(
                "The figure {value} counts \"{}\" in {} but \"{}\" in {}{linked_note}.",
                c1.counts.as_deref().unwrap_or(""),
                c1.article,
                c2.counts.as_deref().unwrap_or(""),
                c2.article,
            ),
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
        if !linked(report, ctx, a, b) {
            continue;
        }
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
        let named = |s: &Option<String>| s.clone().filter(|x| crate::speaker::is_named(x));
        let (sa, sb) = (named(&sa), named(&sb));
        match (&sa, &sb) {
            (Some(x), Some(y)) => {
                if crate::speaker::same(x, y) {
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
            (Some(x), None) if qb.is_empty() && !cued(report, b, p.b.start, p.b.end) => {
                out.push(drift(report, ctx, p, a, x, &p.b.article))
            }
            (None, Some(y)) if qa.is_empty() && !cued(report, a, p.a.start, p.a.end) => {
                out.push(drift(report, ctx, p, a, y, &p.a.article))
            }
            _ => {}
        }
    }
}

/// Whether the sentences around `[start, end)` carry an attribution cue.
fn cued(report: &Report, i: usize, start: usize, end: usize) -> bool {
    let body = &report.articles[i].body;
    echotrace_language::sentences(body)
        .into_iter()
        .filter(|&(s, e)| s < end && start < e)
        .any(|(s, e)| {
            let lower = body[s..e].to_lowercase();
            crate::shares::CUES
                .iter()
                .any(|c| crate::shares::contains_word(&lower, c))
        })
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
    fn a_shared_passage_diverges_only_inside_linked_stories() {
        use echotrace_model::{Article, Passage, PassageKind, Span, Story};
        let art = |id: &str, n: &str| Article {
            id: id.into(),
            body: format!("The index closed at {n} points on Friday after a quiet session."),
            ..Default::default()
        };
        let story = |id: &str, a: &str| Story {
            id: id.into(),
            articles: vec![a.into()],
            ..Default::default()
        };
        let end = |r: &Report, i: usize| r.articles[i].body.len();
        let mut report = Report::new();
        report.articles = vec![art("a0", "93"), art("a1", "95")];
        report.passages = vec![Passage {
            id: "p0".into(),
            kind: PassageKind::Near,
            a: Span {
                article: "a0".into(),
                start: 0,
                end: end(&report, 0),
            },
            b: Span {
                article: "a1".into(),
                start: 0,
                end: end(&report, 1),
            },
            score: 0.9,
            group: None,
        }];
        report.stories = vec![story("s0", "a0"), story("s1", "a1")];
        let found = |r: &Report| {
            let mut out = Vec::new();
            passage_figures(r, &Context::new(r), &mut out);
            out.len()
        };
        assert_eq!(found(&report), 0, "unrelated stories");
        report.stories[1].cites.push("s0".into());
        assert_eq!(found(&report), 1, "linked stories");
    }

    #[test]
    fn numbers_are_read_with_separators() {
        assert_eq!(
            numbers_in("up to 17,000 fighters, 3.5 km."),
            vec!["17000", "3.5"]
        );
    }
}
