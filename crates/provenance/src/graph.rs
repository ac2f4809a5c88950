//! The provenance graph, independence and the timeline.
//!
//! Edges, with the passages that show them:
//! - source → article, `echoes` (or `translates` when the article credits a
//!   translator or is in another language than the source's text);
//! - article → article when one copied the other: they share text that is
//!   not a quotation of the source (at least [`COPY_MIN_BYTES`]). The
//!   earlier article is upstream; on the same or unknown day, the one whose
//!   side of the shared text is more complete; when neither decides, the
//!   edge is marked undirected and says so;
//! - story source → article, `cites`, when an article of another story
//!   shares text with this story.
//!
//! Independence: outlets joined by copy edges or sharing a name count as one confirmation.

use std::collections::{BTreeMap, HashMap};

use echotrace_model::{DateBasis, Edge, EdgeKind, Report, TimelineEvent};

use crate::context::{overlap, Context};
use crate::source::Inferred;

/// Bytes of non-quoted shared text that show one article copied another.
pub const COPY_MIN_BYTES: usize = 80;

/// Draws edges, counts independent outlets, builds the timeline and links quotes and claims.
pub fn draw(report: &mut Report, ctx: &Context, inferred: &[Inferred]) {
    let mut edges = Vec::new();
    let mut copies: Vec<(usize, usize)> = Vec::new();
    for inf in inferred {
        let members: Vec<usize> = report.stories[inf.story]
            .articles
            .iter()
            .filter_map(|id| ctx.index.get(id).copied())
            .collect();
        if let Some(src) = &inf.source {
            let source_lang = inf
                .seen
                .map(|i| report.articles[i].language.clone())
                .or_else(|| majority_language(report, &members));
            for &i in &members {
                if Some(i) == inf.seen {
                    continue;
                }
                // From a seen source, only text shared with it; copies among echoes are copy edges.
                let evidence = match inf.seen {
                    Some(s) => passage_ids(report, ctx, i, |o| o == s),
                    None => passage_ids(report, ctx, i, |o| members.contains(&o)),
                };
                let a = &report.articles[i];
                let quoted_speaker = src.speaker.as_ref().is_some_and(|sp| {
                    ctx.quotes[i].iter().any(|&q| {
                        report.quotes[q]
                            .speaker
                            .as_deref()
                            .is_some_and(|x| crate::speaker::same(x, sp))
                    })
                });
                if evidence.is_empty() && (inf.seen.is_some() || !quoted_speaker) {
                    continue;
                }
                let other_language = source_lang
                    .as_deref()
                    .is_some_and(|l| l != "und" && a.language != "und" && a.language != l);
                let kind = if a.translated_by.is_some() || other_language {
                    EdgeKind::Translates
                } else {
                    EdgeKind::Echoes
                };
                let from = match inf.seen {
                    Some(s) => report.articles[s].id.clone(),
                    None => src.id.clone(),
                };
                edges.push(Edge {
                    from,
                    to: a.id.clone(),
                    kind,
                    evidence,
                    directed: true,
                    note: None,
                    copy: false,
                });
            }
        }
        for (x, &i) in members.iter().enumerate() {
            for &j in &members[x + 1..] {
                if let Some((e, up, down)) = copy_edge(report, ctx, i, j, inf.seen) {
                    copies.push((up, down));
                    edges.push(e);
                }
            }
        }
    }
    edges.extend(cite_edges(report, ctx, inferred));
    report.edges = edges;
    independence(report, ctx, &copies);
    report.timeline = timeline(report, ctx, inferred);
    link(report, ctx, inferred);
}

fn majority_language(report: &Report, members: &[usize]) -> Option<String> {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for &i in members {
        *count
            .entry(report.articles[i].language.as_str())
            .or_insert(0) += 1;
    }
    count
        .into_iter()
        .max_by_key(|(_, c)| *c)
        .map(|(l, _)| l.to_string())
}

fn passage_ids(
    report: &Report,
    ctx: &Context,
    i: usize,
    keep: impl Fn(usize) -> bool,
) -> Vec<String> {
    let mut v: Vec<String> = ctx.sides[i]
        .iter()
        .filter(|sd| keep(sd.other))
        .map(|sd| report.passages[sd.passage].id.clone())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// A copy edge between two members, when they share enough text outside quotations.
fn copy_edge(
    report: &Report,
    ctx: &Context,
    i: usize,
    j: usize,
    seen: Option<usize>,
) -> Option<(Edge, usize, usize)> {
    let quoted = |k: usize| -> Vec<(usize, usize)> {
        ctx.quotes[k]
            .iter()
            .map(|&q| (report.quotes[q].start, report.quotes[q].end))
            .collect()
    };
    let (qi, qj) = (quoted(i), quoted(j));
    let mut evidence = Vec::new();
    let (mut own_i, mut len_i, mut len_j) = (0usize, 0usize, 0usize);
    for sd in ctx.sides[i].iter().filter(|sd| sd.other == j) {
        let len = sd.end - sd.start;
        let outside_i = len - overlap(sd.start, sd.end, &qi);
        let (os, oe) = sd.other_range;
        let outside_j = (oe - os) - overlap(os, oe, &qj);
        len_i += len;
        len_j += oe - os;
        // Text quoted on either side is the source's, not a copy between the two.
        own_i += outside_i.min(outside_j);
        evidence.push(report.passages[sd.passage].id.clone());
    }
    // With a seen source, its echoes are edges from it already; copying among echoes still counts.
    let from_seen = seen == Some(i) || seen == Some(j);
    if own_i < COPY_MIN_BYTES || from_seen {
        return None;
    }
    evidence.sort();
    evidence.dedup();
    let (di, dj) = (ctx.dates[i].day(), ctx.dates[j].day());
    let ids = (&report.articles[i].id, &report.articles[j].id);
    let (up, down, directed, note) = match (di, dj) {
        (Some(a), Some(b)) if a < b => (i, j, true, format!("{} was published first", ids.0)),
        (Some(a), Some(b)) if b < a => (j, i, true, format!("{} was published first", ids.1)),
        _ => {
            if len_i * 10 > len_j * 11 {
                (
                    i,
                    j,
                    true,
                    format!("same or unknown day; {} has the fuller text", ids.0),
                )
            } else if len_j * 10 > len_i * 11 {
                (
                    j,
                    i,
                    true,
                    format!("same or unknown day; {} has the fuller text", ids.1),
                )
            } else {
                (
                    i,
                    j,
                    false,
                    "same or unknown day and equally complete text: direction cannot be decided"
                        .to_string(),
                )
            }
        }
    };
    let translated = ctx.sides[i]
        .iter()
        .filter(|sd| sd.other == j)
        .all(|sd| report.passages[sd.passage].kind == echotrace_model::PassageKind::Translation);
    let kind = if translated || report.articles[down].language != report.articles[up].language {
        EdgeKind::Translates
    } else {
        EdgeKind::Echoes
    };
    Some((
        Edge {
            from: report.articles[up].id.clone(),
            to: report.articles[down].id.clone(),
            kind,
            evidence,
            directed,
            note: Some(note),
            copy: true,
        },
        up,
        down,
    ))
}

/// `cites` edges: from a cited story's source (or first article) to each citing article that shares text with it.
fn cite_edges(report: &Report, ctx: &Context, inferred: &[Inferred]) -> Vec<Edge> {
    let mut out = Vec::new();
    for (s, story) in report.stories.iter().enumerate() {
        for cited in &story.cites {
            let Some(t) = report.stories.iter().position(|x| &x.id == cited) else {
                continue;
            };
            let from = inferred
                .iter()
                .find(|inf| inf.story == t)
                .and_then(|inf| inf.source.as_ref().map(|src| src.id.clone()))
                .unwrap_or_else(|| report.stories[t].id.clone());
            for id in &story.articles {
                let Some(&i) = ctx.index.get(id) else {
                    continue;
                };
                let evidence = passage_ids(report, ctx, i, |o| ctx.story_of[o] == Some(t));
                if evidence.is_empty() {
                    continue;
                }
                out.push(Edge {
                    from: from.clone(),
                    to: id.clone(),
                    kind: EdgeKind::Cites,
                    evidence,
                    directed: true,
                    note: Some(format!(
                        "story {} recalls story {}",
                        report.stories[s].id, cited
                    )),
                    copy: false,
                });
            }
        }
    }
    out
}

/// Counts each story's independent outlets: copies and one outlet's articles are one confirmation.
fn independence(report: &mut Report, ctx: &Context, copies: &[(usize, usize)]) {
    let outlets: Vec<Option<&str>> = report
        .articles
        .iter()
        .map(|a| a.outlet.as_deref())
        .collect();
    let group = confirmations(&outlets, copies);
    for s in 0..report.stories.len() {
        let mut roots: Vec<usize> = report.stories[s]
            .articles
            .iter()
            .filter_map(|id| ctx.index.get(id).copied())
            .map(|i| group[i])
            .collect();
        roots.sort_unstable();
        roots.dedup();
        report.stories[s].independent_outlets = roots.len();
    }
}

/// Which independent confirmation each article is: articles of one outlet
/// (compared trimmed and case-folded) and articles linked by a copy
/// (`(i, j)` pairs) get the same number, the least index among them.
pub fn confirmations(outlets: &[Option<&str>], copies: &[(usize, usize)]) -> Vec<usize> {
    let n = outlets.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], x: usize) -> usize {
        let mut r = x;
        while p[r] != r {
            r = p[r];
        }
        let mut y = x;
        while p[y] != r {
            let next = p[y];
            p[y] = r;
            y = next;
        }
        r
    }
    let union = |p: &mut [usize], a: usize, b: usize| {
        let (ra, rb) = (find(p, a), find(p, b));
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        p[hi] = lo;
    };
    for &(a, b) in copies.iter().filter(|(a, b)| *a < n && *b < n) {
        union(&mut parent, a, b);
    }
    let mut by_outlet: HashMap<String, usize> = HashMap::new();
    for (i, o) in outlets.iter().enumerate() {
        if let Some(o) = o {
            let key = o.trim().to_lowercase();
            match by_outlet.get(&key) {
                Some(&j) => union(&mut parent, i, j),
                None => {
                    by_outlet.insert(key, i);
                }
            }
        }
    }
    (0..n).map(|i| find(&mut parent, i)).collect()
}

/// Dated events per story, earliest first: the source, then each article.
fn timeline(report: &Report, ctx: &Context, inferred: &[Inferred]) -> Vec<TimelineEvent> {
    let mut out = Vec::new();
    for inf in inferred {
        let story = &report.stories[inf.story];
        if let Some(src) = &inf.source {
            if let Some(d) = &src.date {
                let who = src.speaker.clone().unwrap_or_else(|| "the source".into());
                out.push(TimelineEvent {
                    story: story.id.clone(),
                    date: d.value,
                    basis: d.basis,
                    node: src.id.clone(),
                    what: if src.latent {
                        format!("statement by {who} (not in the corpus)")
                    } else {
                        format!("first seen: {}", src.article.as_deref().unwrap_or(""))
                    },
                });
            }
        }
        for id in &story.articles {
            let Some(&i) = ctx.index.get(id) else {
                continue;
            };
            let a = &report.articles[i];
            let Some(p) = &a.published else {
                continue;
            };
            let outlet = a.outlet.clone().unwrap_or_else(|| a.id.clone());
            out.push(TimelineEvent {
                story: story.id.clone(),
                date: p.value,
                basis: p.basis,
                node: a.id.clone(),
                what: format!(
                    "{outlet} publishes \"{}\"",
                    a.title.as_deref().unwrap_or("(untitled)")
                ),
            });
        }
    }
    out.sort_by(|a, b| {
        a.story
            .cmp(&b.story)
            .then(a.date.cmp(&b.date))
            .then((a.basis != DateBasis::Explicit).cmp(&(b.basis != DateBasis::Explicit)))
    });
    out
}

/// Sets each claim's story, and each quote's source when it quotes the story's speaker or shared text.
fn link(report: &mut Report, ctx: &Context, inferred: &[Inferred]) {
    for c in report.claims.iter_mut() {
        if let Some(&i) = ctx.index.get(&c.article) {
            c.story = ctx.story_of[i].map(|s| report.stories[s].id.clone());
        }
    }
    for q in report.quotes.iter_mut() {
        let Some(&i) = ctx.index.get(&q.article) else {
            continue;
        };
        let Some(s) = ctx.story_of[i] else {
            continue;
        };
        let Some(src) = inferred
            .iter()
            .find(|x| x.story == s)
            .and_then(|x| x.source.as_ref())
        else {
            continue;
        };
        let same_speaker = match (&q.speaker, &src.speaker) {
            (Some(a), Some(b)) => crate::speaker::same(a, b),
            _ => false,
        };
        let over_shared = ctx.sides[i]
            .iter()
            .any(|sd| ctx.story_of[sd.other] == Some(s) && sd.start < q.end && q.start < sd.end);
        if same_speaker || (over_shared && src.latent && q.speaker.is_none()) {
            q.source = Some(src.id.clone());
        }
    }
}
