//! Reuse: which passages of one article also appear, re-typed, trimmed or
//! re-worded, in another.
//!
//! The stage runs in three steps over a corpus of articles:
//! 1. [`normalize`]: every body becomes tokens with folded keys and byte
//!    offsets, entity spellings folded by the [`Aliases`] table;
//! 2. [`index`]: an n-gram inverted index proposes candidate document pairs
//!    without comparing all pairs;
//! 3. [`align`]: each candidate pair is aligned locally into passages with
//!    token ranges on both sides, mapped back to byte offsets.
//!
//! Passages that are one text echoed by three or more articles are grouped,
//! so one quotation repeated by ten outlets reads as one thing with ten
//! occurrences. With a [`SentenceEmbedder`] (feature `embed`), [`semantic`]
//! adds sentence-level translation variants inside the candidate pairs where
//! the lexical pass found nothing.

pub mod align;
pub mod anchors;
#[cfg(feature = "embed")]
pub mod embed;
pub mod index;
pub mod normalize;
pub mod semantic;
pub mod trace;

use echotrace_model::{Article, Passage, PassageKind, Span};
use rayon::prelude::*;

pub use align::{AlignParams, Alignment, Kind};
pub use index::NgramIndex;
pub use normalize::{tokenize, Aliases, Token};
pub use semantic::{SemanticStats, SentenceEmbedder};
pub use trace::{trace, TraceHit, Tracer};

/// Settings of the reuse stage.
#[derive(Debug, Clone, Copy)]
pub struct ReuseParams {
    /// Alignment settings (anchor length, gaps, minimum passage length).
    pub align: AlignParams,
    /// N-gram length of the candidate index.
    pub index_n: usize,
    /// Shared n-grams a pair needs to be aligned.
    pub min_shared: u32,
    /// N-grams in more documents than this are ignored as boilerplate.
    pub max_df: usize,
    /// Content words (see [`content_words`]) a passage needs; fewer is a shared name or formula.
    pub min_content_words: usize,
}

impl Default for ReuseParams {
    fn default() -> Self {
        ReuseParams {
            align: AlignParams::default(),
            index_n: 5,
            min_shared: 3,
            max_df: 200,
            min_content_words: 3,
        }
    }
}

fn model_kind(k: Kind) -> PassageKind {
    match k {
        Kind::Verbatim => PassageKind::Verbatim,
        Kind::Near => PassageKind::Near,
        Kind::Translation => PassageKind::Translation,
    }
}

/// A passage before it gets an id: (article a, article b, a's byte range, b's, kind, score).
type Found = (
    usize,
    usize,
    (usize, usize),
    (usize, usize),
    PassageKind,
    f64,
);

/// Finds the reused passages between articles, with ids `p0`, `p1`, ... and groups `g0`, ...
pub fn find_passages(
    articles: &[Article],
    aliases: &Aliases,
    params: &ReuseParams,
) -> Vec<Passage> {
    // Without an embedder nothing can fail.
    find_passages_with(articles, aliases, params, None)
        .map(|(p, _)| p)
        .unwrap_or_default()
}

/// Like [`find_passages`], adding sentence-embedding variants when an embedder is given.
///
/// Returns the passages and how much embedding work was done. Fails only
/// when the embedder fails.
pub fn find_passages_with(
    articles: &[Article],
    aliases: &Aliases,
    params: &ReuseParams,
    embedder: Option<&dyn SentenceEmbedder>,
) -> Result<(Vec<Passage>, SemanticStats), String> {
    let tokens: Vec<Vec<Token>> = articles
        .par_iter()
        .map(|a| tokenize(&a.body, aliases))
        .collect();
    let mut index = NgramIndex::new(params.index_n);
    let signatures: Vec<Vec<u64>> = tokens.par_iter().map(|t| index.signature(t)).collect();
    for s in &signatures {
        index.add_signature(s);
    }
    let pairs = index.candidates(params.min_shared, params.max_df);
    let aligned: Vec<(usize, usize, Vec<Alignment>)> = pairs
        .par_iter()
        .map(|c| {
            let (ia, ib) = (c.a as usize, c.b as usize);
            (
                ia,
                ib,
                align::align(&tokens[ia], &tokens[ib], &params.align),
            )
        })
        .collect();
    let mut found: Vec<Found> = Vec::new();
    for (ia, ib, als) in &aligned {
        for al in als {
            let sa = span(&articles[*ia], &tokens[*ia], al.a);
            let sb = span(&articles[*ib], &tokens[*ib], al.b);
            if content_words(&articles[*ia].body[sa.start..sa.end]) < params.min_content_words {
                continue;
            }
            found.push((
                *ia,
                *ib,
                (sa.start, sa.end),
                (sb.start, sb.end),
                model_kind(al.kind),
                al.identity,
            ));
        }
    }
    let mut stats = SemanticStats::default();
    if let Some(e) = embedder {
        let bodies: Vec<&str> = articles.iter().map(|a| a.body.as_str()).collect();
        let lexical = aligned
            .iter()
            .map(|(ia, ib, als)| {
                (
                    (*ia, *ib),
                    semantic::covered_ranges(&tokens[*ia], &tokens[*ib], als),
                )
            })
            .collect();
        let pair_list: Vec<(usize, usize)> = aligned.iter().map(|(a, b, _)| (*a, *b)).collect();
        let (mut matches, st) = semantic::semantic_matches(&bodies, &pair_list, &lexical, e)?;
        stats = st;
        if e.multilingual() {
            let skip: std::collections::HashSet<(usize, usize)> =
                pair_list.iter().copied().collect();
            let anchors: Vec<Vec<Token>> = articles
                .par_iter()
                .zip(tokens.par_iter())
                .map(|(a, t)| anchors::anchors_of(&a.body, t))
                .collect();
            let cross = anchors::cross_language_pairs(articles, &anchors, &skip);
            let (more, st) = semantic::anchored_matches(&bodies, &cross, &anchors, e)?;
            stats.embedded += st.embedded;
            stats.compared += st.compared;
            stats.cross_language_pairs = cross.len();
            matches.extend(more);
        }
        for (ia, ib, m) in matches {
            found.push((
                ia,
                ib,
                m.a,
                m.b,
                PassageKind::Translation,
                f64::from(m.cosine),
            ));
        }
    }
    found.sort_by_key(|x| (x.0, x.1, x.2 .0));
    let mut passages: Vec<Passage> = found
        .iter()
        .enumerate()
        .map(|(n, (ia, ib, ra, rb, kind, score))| Passage {
            id: format!("p{n}"),
            kind: *kind,
            a: Span {
                article: articles[*ia].id.clone(),
                start: ra.0,
                end: ra.1,
            },
            b: Span {
                article: articles[*ib].id.clone(),
                start: rb.0,
                end: rb.1,
            },
            score: (score * 1000.0).round() / 1000.0,
            group: None,
        })
        .collect();
    group_passages(&mut passages);
    Ok((passages, stats))
}

/// Words that carry content: not capitalised, and of four letters or more
/// (any length in scripts without case).
///
/// A passage made of a name and function words ("the National Weather
/// Service (NWS) said that the UK") is a shared formula, not
/// reuse; counting these words tells the two apart in any language.
pub fn content_words(text: &str) -> usize {
    use unicode_segmentation::UnicodeSegmentation;
    text.unicode_words()
        .filter(|w| {
            let Some(c) = w.chars().next() else {
                return false;
            };
            let caseless = !c.is_lowercase() && !c.is_uppercase();
            c.is_alphabetic() && !c.is_uppercase() && (caseless || w.chars().count() >= 4)
        })
        .count()
}

fn span(article: &Article, tokens: &[Token], (s, e): (usize, usize)) -> Span {
    Span {
        article: article.id.clone(),
        start: tokens[s].start as usize,
        end: tokens[e - 1].end as usize,
    }
}

/// Whether two spans of the same article are one text: they overlap by half of the longer.
///
/// Half of the longer, not the shorter, so that a short formula inside a long
/// quotation ("according to information received by ...") does not pull the
/// quotation into the group of every text that shares the formula.
fn same_text(x: &Span, y: &Span) -> bool {
    if x.article != y.article {
        return false;
    }
    let overlap = x.end.min(y.end).saturating_sub(x.start.max(y.start));
    let longer = (x.end - x.start).max(y.end - y.start);
    longer > 0 && overlap * 2 >= longer
}

/// Groups passages whose spans overlap into one echoed text; groups of 3+ articles get ids.
fn group_passages(passages: &mut [Passage]) {
    let n = passages.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    for i in 0..n {
        for j in i + 1..n {
            let (pi, pj) = (&passages[i], &passages[j]);
            let linked = same_text(&pi.a, &pj.a)
                || same_text(&pi.a, &pj.b)
                || same_text(&pi.b, &pj.a)
                || same_text(&pi.b, &pj.b);
            if linked {
                let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                parent[ri] = rj;
            }
        }
    }
    let mut roots: Vec<usize> = (0..n).map(|i| find(&mut parent, i)).collect();
    let mut group_of: std::collections::HashMap<usize, String> = Default::default();
    for i in 0..n {
        let r = roots[i];
        if group_of.contains_key(&r) {
            continue;
        }
        let mut arts: Vec<&str> = (0..n)
            .filter(|&k| roots[k] == r)
            .flat_map(|k| {
                [
                    passages[k].a.article.as_str(),
                    passages[k].b.article.as_str(),
                ]
            })
            .collect();
        arts.sort_unstable();
        arts.dedup();
        if arts.len() >= 3 {
            let id = format!("g{}", group_of.len());
            group_of.insert(r, id);
        }
    }
    for (i, p) in passages.iter_mut().enumerate() {
        p.group = group_of.get(&roots[i]).cloned();
    }
    roots.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn art(id: &str, body: &str) -> Article {
        Article {
            id: id.into(),
            body: body.into(),
            ..Default::default()
        }
    }

    #[test]
    fn names_and_function_words_are_not_content() {
        assert_eq!(
            content_words("the National Weather Service (NWS) warned that the UK"),
            2
        );
        assert!(
            content_words("put Washington on a par with major international terrorist groups") >= 4
        );
        assert_eq!(content_words("美国军方正在招募"), 8);
    }

    #[test]
    fn one_quote_in_three_articles_is_one_group() {
        let q = "We will not accept any agreement that leaves the border open to smugglers and armed groups, the minister said";
        let arts = vec![
            art("a0", &format!("Talks resumed on Friday. {q}. The next round is in June.")),
            art("a1", &format!("{q}, according to the ministry's website, which gave no further details.")),
            art("a2", &format!("Opposition leaders were not impressed. “{q}”, he told reporters in the capital.")),
            art("a3", "An article about something else entirely, with no shared words of any length at all."),
        ];
        let ps = find_passages(&arts, &Aliases::builtin(), &ReuseParams::default());
        assert_eq!(ps.len(), 3, "{ps:?}");
        assert!(ps.iter().all(|p| p.group.as_deref() == Some("g0")));
        for p in &ps {
            let a = arts.iter().find(|x| x.id == p.a.article).unwrap();
            assert!(a.body[p.a.start..p.a.end].starts_with("We will not accept"));
        }
    }
}
