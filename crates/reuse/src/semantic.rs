//! Translation variants and paraphrases: sentence embeddings where lexical
//! alignment found nothing.
//!
//! Embeddings are costly (tens of sentences per second per core), so they
//! are applied only where it pays: inside document pairs where the lexical
//! pass already aligned a passage, to sentences of at least [`MIN_WORDS`]
//! words that no lexical passage covers and that lie within [`NEAR`]
//! sentences of one that does (the untranslated-looking neighbours of a
//! quotation). Each such sentence of one article is compared with the other
//! article's candidates by cosine similarity; a pair at or above the model's
//! calibrated threshold becomes a `translation` passage. A sentence is
//! embedded once, however many pairs it is in.
//!
//! The [`SentenceEmbedder`] trait keeps this pass independent of the model
//! runtime; the candle implementation is in [`crate::embed`] (feature `embed`).

use std::collections::{HashMap, HashSet};

use crate::align::Alignment;
use crate::EmbedError;

/// A half-open byte range in a body.
pub type Range = (usize, usize);

/// The byte ranges a pair's lexical passages cover: (first article, second article).
pub type Coverage = (Vec<Range>, Vec<Range>);

/// A semantic match between articles `.0` and `.1`.
pub type PairMatch = (usize, usize, SemanticMatch);

/// Shortest sentence, in words, worth embedding.
pub const MIN_WORDS: usize = 6;

/// How many sentences away from a lexical passage a sentence may be and still be embedded.
pub const NEAR: usize = 2;

/// Turns sentences into unit-length vectors.
///
/// Contract: returns one vector per input sentence, in order, all of the same
/// dimension and L2-normalised, so that a dot product is the cosine.
pub trait SentenceEmbedder: Send + Sync {
    /// Embeds a batch of sentences.
    fn embed(&self, sentences: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError>;
    /// The model's name, for reports.
    fn name(&self) -> &str;
    /// The cosine at or above which two sentences are taken as variants of one text.
    fn threshold(&self) -> f32;
    /// Whether sentences of different languages land near each other (a multilingual model).
    fn multilingual(&self) -> bool {
        false
    }
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// A sentence-level variant found by embeddings, in byte ranges.
#[derive(Debug, Clone, PartialEq)]
pub struct SemanticMatch {
    /// Byte range in the first article.
    pub a: (usize, usize),
    /// Byte range in the second article.
    pub b: (usize, usize),
    /// Cosine similarity.
    pub cosine: f32,
}

/// Counts of work done, for reports and benchmarks.
#[derive(Debug, Clone, Copy, Default)]
pub struct SemanticStats {
    /// Sentences embedded.
    pub embedded: usize,
    /// Sentence pairs compared.
    pub compared: usize,
    /// Cross-language candidate pairs proposed by shared anchors (multilingual models only).
    pub cross_language_pairs: usize,
}

/// Finds embedding matches inside candidate pairs, outside what lexical passages cover.
///
/// `lexical` maps a pair (a, b) to the byte ranges its lexical passages
/// cover on each side.
pub fn semantic_matches(
    bodies: &[&str],
    pairs: &[(usize, usize)],
    lexical: &HashMap<(usize, usize), Coverage>,
    embedder: &dyn SentenceEmbedder,
) -> Result<(Vec<PairMatch>, SemanticStats), EmbedError> {
    let covered = |ranges: &[(usize, usize)], s: (usize, usize)| {
        let len = s.1 - s.0;
        let c: usize = ranges
            .iter()
            .map(|r| r.1.min(s.1).saturating_sub(r.0.max(s.0)))
            .sum();
        c * 2 >= len
    };
    // Sentences per article (long enough to embed).
    let sents: HashMap<usize, Vec<(usize, usize)>> = pairs
        .iter()
        .flat_map(|&(a, b)| [a, b])
        .collect::<HashSet<_>>()
        .into_iter()
        .map(|d| {
            let s: Vec<(usize, usize)> = echotrace_language::sentences(bodies[d])
                .into_iter()
                .filter(|&(x, y)| words(&bodies[d][x..y]) >= MIN_WORDS)
                .collect();
            (d, s)
        })
        .collect();
    // Per pair, the uncovered sentences near covered ones, on each side.
    let near = |doc: usize, ranges: &[(usize, usize)]| -> Vec<(usize, usize)> {
        let ss = &sents[&doc];
        let cov: Vec<bool> = ss.iter().map(|&s| covered(ranges, s)).collect();
        (0..ss.len())
            .filter(|&i| !cov[i])
            .filter(|&i| (i.saturating_sub(NEAR)..(i + NEAR + 1).min(ss.len())).any(|k| cov[k]))
            .map(|i| ss[i])
            .collect()
    };
    let mut work: Vec<(usize, usize, Coverage)> = Vec::new();
    let mut need: HashSet<(usize, (usize, usize))> = HashSet::new();
    for &(a, b) in pairs {
        let Some((la, lb)) = lexical.get(&(a, b)) else {
            continue;
        };
        if la.is_empty() {
            continue;
        }
        let (sa, sb) = (near(a, la), near(b, lb));
        if sa.is_empty() || sb.is_empty() {
            continue;
        }
        need.extend(sa.iter().map(|&s| (a, s)));
        need.extend(sb.iter().map(|&s| (b, s)));
        work.push((a, b, (sa, sb)));
    }
    embed_and_match(bodies, need, &work, embedder)
}

/// Per pair `(a, b, (sentences of a, sentences of b))`: embeds every needed
/// sentence once and keeps, for each sentence of `a`, its best match in `b`
/// at or above the model's threshold (each sentence of `b` used once).
fn embed_and_match(
    bodies: &[&str],
    need: HashSet<(usize, (usize, usize))>,
    work: &[(usize, usize, Coverage)],
    embedder: &dyn SentenceEmbedder,
) -> Result<(Vec<PairMatch>, SemanticStats), EmbedError> {
    // Embed each needed sentence once.
    let mut keys: Vec<(usize, (usize, usize))> = need.into_iter().collect();
    keys.sort_unstable();
    let texts: Vec<&str> = keys.iter().map(|&(d, (x, y))| &bodies[d][x..y]).collect();
    let vs = crate::translation::embed_by_length(&texts, embedder)?;
    let vectors: HashMap<(usize, (usize, usize)), Vec<f32>> = keys.into_iter().zip(vs).collect();
    let mut stats = SemanticStats {
        embedded: vectors.len(),
        ..Default::default()
    };
    let threshold = embedder.threshold();
    let mut out = Vec::new();
    for (a, b, (sa, sb)) in work {
        let (a, b) = (*a, *b);
        let mut used_b: HashSet<(usize, usize)> = HashSet::new();
        for s in sa.iter() {
            let va = &vectors[&(a, *s)];
            let mut best: Option<((usize, usize), f32)> = None;
            for t in sb.iter() {
                stats.compared += 1;
                let vb = &vectors[&(b, *t)];
                let cos: f32 = va.iter().zip(vb).map(|(x, y)| x * y).sum();
                if best.is_none_or(|(_, c)| cos > c) {
                    best = Some((*t, cos));
                }
            }
            if let Some((t, cos)) = best {
                if cos >= threshold && used_b.insert(t) {
                    out.push((
                        a,
                        b,
                        SemanticMatch {
                            a: *s,
                            b: t,
                            cosine: cos,
                        },
                    ));
                }
            }
        }
    }
    Ok((out, stats))
}

/// Translation candidates between articles in different languages that share
/// no wording: sentences that carry one of the pair's shared anchors (figures,
/// names, alias keys), embedded with a multilingual model.
///
/// `pairs` gives, per pair, the shared anchor keys; `anchors` holds each
/// article's anchor tokens (key and byte range).
pub fn anchored_matches(
    bodies: &[&str],
    pairs: &[(usize, usize, Vec<u64>)],
    anchors: &[Vec<crate::Token>],
    embedder: &dyn SentenceEmbedder,
) -> Result<(Vec<PairMatch>, SemanticStats), EmbedError> {
    let sentences_with = |doc: usize, keys: &HashSet<u64>| -> Vec<(usize, usize)> {
        echotrace_language::sentences(bodies[doc])
            .into_iter()
            .filter(|&(x, y)| words(&bodies[doc][x..y]) >= MIN_WORDS)
            .filter(|&(x, y)| {
                anchors[doc].iter().any(|t| {
                    keys.contains(&t.key) && (t.start as usize) >= x && (t.end as usize) <= y
                })
            })
            .collect()
    };
    let mut need: HashSet<(usize, (usize, usize))> = HashSet::new();
    let mut work: Vec<(usize, usize, Coverage)> = Vec::new();
    for (a, b, shared) in pairs {
        let keys: HashSet<u64> = shared.iter().copied().collect();
        let (sa, sb) = (sentences_with(*a, &keys), sentences_with(*b, &keys));
        if sa.is_empty() || sb.is_empty() {
            continue;
        }
        need.extend(sa.iter().map(|&s| (*a, s)));
        need.extend(sb.iter().map(|&s| (*b, s)));
        work.push((*a, *b, (sa, sb)));
    }
    embed_and_match(bodies, need, &work, embedder)
}

/// Byte ranges a pair's lexical alignments cover, from token alignments.
pub fn covered_ranges(
    tokens_a: &[crate::Token],
    tokens_b: &[crate::Token],
    alignments: &[Alignment],
) -> Coverage {
    alignments
        .iter()
        .map(|al| {
            (
                (
                    tokens_a[al.a.0].start as usize,
                    tokens_a[al.a.1 - 1].end as usize,
                ),
                (
                    tokens_b[al.b.0].start as usize,
                    tokens_b[al.b.1 - 1].end as usize,
                ),
            )
        })
        .unzip()
}
