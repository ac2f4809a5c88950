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
pub mod echo;
#[cfg(feature = "embed")]
pub mod embed;
#[cfg(feature = "embed")]
pub mod encoder;
mod error;
pub mod index;
pub mod normalize;
pub mod semantic;
pub mod sentence_index;
pub mod trace;
pub mod translation;

use echotrace_model::{Article, EchoGroup, Passage, PassageKind, Span};
use rayon::prelude::*;

pub use align::{AlignParams, Alignment, Kind};
pub use echo::{EchoIndex, Partner};
pub use error::{AliasError, EmbedError};
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

/// The report's name for an alignment's kind.
pub fn model_kind(k: Kind) -> PassageKind {
    match k {
        Kind::Verbatim => PassageKind::Verbatim,
        Kind::Near => PassageKind::Near,
        Kind::Translation => PassageKind::Translation,
    }
}

/// A passage before it gets an id: (article a, article b, a's byte range, b's, kind, score).
pub type Found = (
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
        .map(|r| r.passages)
        .unwrap_or_default()
}

/// What the reuse stage found in a corpus.
#[derive(Debug, Default)]
pub struct Reused {
    /// Aligned passages, ids `p0`, `p1`, ..., each with its echo group when it has one.
    pub passages: Vec<Passage>,
    /// Texts carried by three or more articles.
    pub groups: Vec<EchoGroup>,
    /// How much embedding work was done.
    pub stats: SemanticStats,
}

/// Like [`find_passages`], with the echo groups, adding sentence-embedding variants when an embedder is given.
///
/// Fails only when the embedder fails.
pub fn find_passages_with(
    articles: &[Article],
    aliases: &Aliases,
    params: &ReuseParams,
    embedder: Option<&dyn SentenceEmbedder>,
) -> Result<Reused, EmbedError> {
    let tokens: Vec<Vec<Token>> = articles
        .par_iter()
        .map(|a| tokenize(&a.body, aliases))
        .collect();
    let signatures: Vec<Vec<u64>> = tokens
        .par_iter()
        .map(|t| index::signature(t, params.index_n))
        .collect();
    let pairs = echo_pairs(&signatures, params);
    drop(signatures);
    let aligned = align_pairs(&tokens, &pairs, params);
    let bodies: Vec<&str> = articles.iter().map(|a| a.body.as_str()).collect();
    let mut found = lexical_passages(&bodies, &tokens, &aligned, params);
    let mut stats = SemanticStats::default();
    if let Some(e) = embedder {
        let (variants, st) = pair_variants(&bodies, &tokens, &aligned, e)?;
        found.extend(variants);
        stats = st;
        if e.multilingual() {
            let skip: std::collections::HashSet<(usize, usize)> =
                aligned.iter().map(|(a, b, _)| (*a, *b)).collect();
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
            #[cfg(feature = "embed")]
            let more = {
                let languages: Vec<&str> = articles.iter().map(|a| a.language.as_str()).collect();
                let lexical: std::collections::HashMap<(usize, usize), semantic::Coverage> =
                    aligned
                        .iter()
                        .map(|(ia, ib, als)| {
                            let c = semantic::covered_ranges(&tokens[*ia], &tokens[*ib], als);
                            ((*ia, *ib), c)
                        })
                        .collect();
                let params = translation::TranslationParams::default();
                let c = translation::candidates(&bodies, &languages, e, &params)?;
                stats.embedded += c.embedded;
                stats.compared += c.lookups;
                let runs = translation::merge_runs(&c.sentences, &c.matches, &params);
                translation::add_uncovered(more, runs, &lexical)
            };
            found.extend(variants_found(more));
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
    let rank: std::collections::HashMap<&str, usize> = articles
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let groups = echo_groups(&mut passages, &|id| {
        rank.get(id).copied().unwrap_or(usize::MAX)
    });
    Ok(Reused {
        passages,
        groups,
        stats,
    })
}

/// Translation variants inside aligned pairs: sentences outside the lexical
/// passages that a sentence embedder finds close (as `Translation` passages).
///
/// Fails only when the embedder fails.
pub fn pair_variants<T: AsRef<[Token]>>(
    bodies: &[&str],
    tokens: &[T],
    aligned: &[(usize, usize, Vec<Alignment>)],
    embedder: &dyn SentenceEmbedder,
) -> Result<(Vec<Found>, SemanticStats), EmbedError> {
    let lexical = aligned
        .iter()
        .map(|(ia, ib, als)| {
            (
                (*ia, *ib),
                semantic::covered_ranges(tokens[*ia].as_ref(), tokens[*ib].as_ref(), als),
            )
        })
        .collect();
    let pair_list: Vec<(usize, usize)> = aligned.iter().map(|(a, b, _)| (*a, *b)).collect();
    let (matches, stats) = semantic::semantic_matches(bodies, &pair_list, &lexical, embedder)?;
    Ok((variants_found(matches), stats))
}

/// Sentence matches as found passages of kind `Translation`, scored by their cosine.
fn variants_found(matches: Vec<semantic::PairMatch>) -> Vec<Found> {
    matches
        .into_iter()
        .map(|(ia, ib, m)| {
            (
                ia,
                ib,
                m.a,
                m.b,
                PassageKind::Translation,
                f64::from(m.cosine),
            )
        })
        .collect()
}

/// Aligns each (earlier, later) pair of token sequences, in parallel.
pub fn align_pairs<T: AsRef<[Token]> + Sync>(
    tokens: &[T],
    pairs: &[(usize, usize)],
    params: &ReuseParams,
) -> Vec<(usize, usize, Vec<Alignment>)> {
    pairs
        .par_iter()
        .map(|&(ia, ib)| {
            let (a, b) = (tokens[ia].as_ref(), tokens[ib].as_ref());
            (ia, ib, align::align(a, b, &params.align))
        })
        .collect()
}

/// The passages of aligned pairs, as byte ranges into `bodies`; shared names and formulae (too few content words) left out.
pub fn lexical_passages<T: AsRef<[Token]>>(
    bodies: &[&str],
    tokens: &[T],
    aligned: &[(usize, usize, Vec<Alignment>)],
    params: &ReuseParams,
) -> Vec<Found> {
    let mut found: Vec<Found> = Vec::new();
    for (ia, ib, als) in aligned {
        for al in als {
            let ra = byte_range(tokens[*ia].as_ref(), al.a);
            let rb = byte_range(tokens[*ib].as_ref(), al.b);
            if content_words(&bodies[*ia][ra.0..ra.1]) < params.min_content_words {
                continue;
            }
            found.push((*ia, *ib, ra, rb, model_kind(al.kind), al.identity));
        }
    }
    found
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

/// The byte range of a token range.
fn byte_range(tokens: &[Token], (s, e): (usize, usize)) -> (usize, usize) {
    (tokens[s].start as usize, tokens[e - 1].end as usize)
}

/// The reuse signature of each article, in order (its body's normalised word n-grams, as the reuse stage keys them).
pub fn reuse_signatures(
    articles: &[Article],
    aliases: &Aliases,
    params: &ReuseParams,
) -> Vec<echotrace_model::ReuseSignature> {
    articles
        .par_iter()
        .map(|a| echotrace_model::ReuseSignature {
            article: a.id.clone(),
            ngrams: index::signature(&tokenize(&a.body, aliases), params.index_n),
        })
        .collect()
}

/// The candidate pairs the reuse stage aligns, from signatures in collection order, with the n-grams each shares.
pub fn candidate_pairs(
    signatures: &[echotrace_model::ReuseSignature],
    params: &ReuseParams,
) -> Vec<echotrace_model::CandidatePair> {
    partners_in_order(signatures.iter().map(|s| s.ngrams.as_slice()), params)
        .into_iter()
        .map(|(a, b, shared)| echotrace_model::CandidatePair {
            a: signatures[a].article.clone(),
            b: signatures[b].article.clone(),
            shared,
        })
        .collect()
}

/// (earlier, later, shared n-grams) for each article's partners in an [`EchoIndex`] built in order.
fn partners_in_order<'s>(
    signatures: impl Iterator<Item = &'s [u64]>,
    params: &ReuseParams,
) -> Vec<(usize, usize, u32)> {
    let mut index = EchoIndex::new(params.min_shared, params.max_df);
    let mut pairs = Vec::new();
    for (b, sig) in signatures.enumerate() {
        let (_, partners) = index.add(sig);
        pairs.extend(partners.iter().map(|p| (p.doc as usize, b, p.shared)));
    }
    pairs
}

/// The (earlier, later) article pairs to align: each article's partners in an [`EchoIndex`] built in order.
///
/// Sequential by design: whether an article posts an n-gram depends on the
/// articles before it. Lookups are hash probes, a small share of the stage's time.
pub fn echo_pairs(signatures: &[Vec<u64>], params: &ReuseParams) -> Vec<(usize, usize)> {
    partners_in_order(signatures.iter().map(Vec::as_slice), params)
        .into_iter()
        .map(|(a, b, _)| (a, b))
        .collect()
}

/// Shortest span that joins a longer one it lies inside (see [`same_text`]), in bytes.
const MIN_CONTAINED: usize = 200;

/// Whether two spans of the same article are one text: they overlap by half
/// of the longer, or the shorter is a trimmed copy lying inside the longer.
///
/// Half of the longer, not the shorter, so that a short formula inside a long
/// quotation ("according to information received by ...") does not pull the
/// quotation into the group of every text that shares the formula. A span of
/// a few sentences ([`MIN_CONTAINED`] bytes or more) lying at least 80%
/// inside a longer one is the same text trimmed, as wire copy is trimmed
/// from the end: its carriers belong to the longer text's group.
fn same_text(x: (usize, usize), y: (usize, usize)) -> bool {
    let overlap = x.1.min(y.1).saturating_sub(x.0.max(y.0));
    let longer = (x.1 - x.0).max(y.1 - y.0);
    let shorter = (x.1 - x.0).min(y.1 - y.0);
    longer > 0
        && (overlap * 2 >= longer || (shorter >= MIN_CONTAINED && overlap * 5 >= shorter * 4))
}

/// Spans of one article compared with each new span in the sweep of [`echo_groups`].
///
/// Spans of one echoed text in its representative lie on top of each other
/// and chain through their neighbours, so the most recent few suffice; the
/// bound keeps a text echoed by thousands linear.
const SWEEP_WINDOW: usize = 64;

/// Groups passages whose spans are one text in some article (see [`same_text`]) into echo groups.
///
/// Sets each passage's `group` and returns the groups of three or more
/// articles, with ids `g0`, `g1`, ... in order of their first passage. The
/// representative is the member of least `rank` (collection order). Linear
/// after one sort: spans are swept per article by start offset, each
/// compared with the last [`SWEEP_WINDOW`] spans still open.
pub fn echo_groups(passages: &mut [Passage], rank: &dyn Fn(&str) -> usize) -> Vec<EchoGroup> {
    let n = passages.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut x: usize) -> usize {
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }
    // (article, start, end, passage) for both sides of every passage.
    let mut sides: Vec<(&str, usize, usize, usize)> = Vec::with_capacity(2 * n);
    for (i, p) in passages.iter().enumerate() {
        sides.push((p.a.article.as_str(), p.a.start, p.a.end, i));
        sides.push((p.b.article.as_str(), p.b.start, p.b.end, i));
    }
    sides.sort_unstable();
    let mut open: Vec<usize> = Vec::new(); // indices into `sides`
    for k in 0..sides.len() {
        let (art, start, end, i) = sides[k];
        open.retain(|&o| sides[o].0 == art && sides[o].2 > start);
        for &o in open.iter().rev().take(SWEEP_WINDOW) {
            if same_text((sides[o].1, sides[o].2), (start, end)) {
                let (ri, ro) = (find(&mut parent, i), find(&mut parent, sides[o].3));
                parent[ri] = ro;
            }
        }
        open.push(k);
        if open.len() > 4 * SWEEP_WINDOW {
            open.drain(..open.len() - SWEEP_WINDOW);
        }
    }
    // Members: per root, per article, the union of that article's spans.
    let roots: Vec<usize> = (0..n).map(|i| find(&mut parent, i)).collect();
    let mut members: Vec<(usize, usize, &str, usize, usize)> = sides
        .iter()
        .map(|&(art, s, e, i)| (roots[i], rank(art), art, s, e))
        .collect();
    members.sort_unstable();
    let mut by_root: std::collections::HashMap<usize, Vec<Span>> = Default::default();
    for m in members.chunk_by(|x, y| x.0 == y.0) {
        let mut spans: Vec<Span> = Vec::new();
        for &(_, _, art, s, e) in m {
            match spans.last_mut() {
                Some(last) if last.article == art => {
                    last.start = last.start.min(s);
                    last.end = last.end.max(e);
                }
                _ => spans.push(Span {
                    article: art.to_string(),
                    start: s,
                    end: e,
                }),
            }
        }
        if spans.len() >= 3 {
            by_root.insert(m[0].0, spans);
        }
    }
    let mut groups: Vec<EchoGroup> = Vec::new();
    let mut id_of: std::collections::HashMap<usize, usize> = Default::default();
    for (i, p) in passages.iter_mut().enumerate() {
        let r = roots[i];
        let g = match id_of.get(&r) {
            Some(&g) => g,
            None => match by_root.remove(&r) {
                Some(spans) => {
                    groups.push(EchoGroup {
                        id: format!("g{}", groups.len()),
                        representative: spans[0].clone(),
                        members: spans,
                        passages: Vec::new(),
                    });
                    id_of.insert(r, groups.len() - 1);
                    groups.len() - 1
                }
                None => {
                    p.group = None;
                    continue;
                }
            },
        };
        groups[g].passages.push(p.id.clone());
        p.group = Some(groups[g].id.clone());
    }
    groups
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
        let found =
            find_passages_with(&arts, &Aliases::builtin(), &ReuseParams::default(), None).unwrap();
        let ps = &found.passages;
        // Each later carrier is aligned against the first, not against every other.
        assert_eq!(ps.len(), 2, "{ps:?}");
        assert!(ps.iter().all(|p| p.a.article == "a0"));
        assert!(ps.iter().all(|p| p.group.as_deref() == Some("g0")));
        assert_eq!(found.groups.len(), 1);
        let g = &found.groups[0];
        assert_eq!(g.representative.article, "a0");
        let members: Vec<&str> = g.members.iter().map(|m| m.article.as_str()).collect();
        assert_eq!(members, ["a0", "a1", "a2"]);
        assert_eq!(g.passages.len(), 2);
        for p in ps {
            let a = arts.iter().find(|x| x.id == p.a.article).unwrap();
            assert!(a.body[p.a.start..p.a.end].starts_with("We will not accept"));
        }
        // The exported reuse tables name the same pairs the stage aligned.
        let params = ReuseParams::default();
        let sigs = reuse_signatures(&arts, &Aliases::builtin(), &params);
        assert_eq!(sigs.len(), 4);
        let pairs = candidate_pairs(&sigs, &params);
        let named: Vec<(&str, &str)> = pairs.iter().map(|c| (c.a.as_str(), c.b.as_str())).collect();
        assert_eq!(named, [("a0", "a1"), ("a0", "a2")]);
        assert!(pairs.iter().all(|c| c.shared >= params.min_shared));
        let raw: Vec<Vec<u64>> = sigs.iter().map(|s| s.ngrams.clone()).collect();
        assert_eq!(echo_pairs(&raw, &params), [(0, 1), (0, 2)]);
    }
}
