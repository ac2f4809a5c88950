//! Candidate pairs: which documents may share a passage, without comparing all pairs.
//!
//! An inverted index from word n-gram hashes (over normalised token keys) to
//! the documents containing them. Two documents are candidates when they
//! share at least `min_shared` n-grams. N-grams found in more than `max_df`
//! documents are boilerplate or formulae ("the end of the"), carry no
//! evidence of reuse and would make the pair count quadratic, so they are
//! skipped; with that cut-off the cost is near-linear in corpus size. Each
//! document's n-gram set (its signature) is computed once when it is added:
//! adding documents later never recomputes the old ones.

use std::collections::HashMap;

use crate::normalize::Token;

/// Hashes of the word n-grams of a token sequence, in order (with repeats).
pub fn ngram_hashes(tokens: &[Token], n: usize) -> Vec<u64> {
    if tokens.len() < n || n == 0 {
        return Vec::new();
    }
    tokens
        .windows(n)
        .map(|w| {
            // Order-sensitive combination of the token keys (FNV-style mixing over u64 keys).
            w.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, t| {
                (h ^ t.key)
                    .wrapping_mul(0x0000_0100_0000_01b3)
                    .rotate_left(17)
            })
        })
        .collect()
}

/// The n-gram index over a growing set of documents.
#[derive(Debug, Clone, Default)]
pub struct NgramIndex {
    n: usize,
    postings: HashMap<u64, Vec<u32>>,
    docs: usize,
}

/// A candidate pair of documents and how many n-grams they share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// The earlier-added document.
    pub a: u32,
    /// The later-added document.
    pub b: u32,
    /// Distinct n-grams both contain (after the document-frequency cut-off).
    pub shared: u32,
}

impl NgramIndex {
    /// An empty index over word `n`-grams.
    pub fn new(n: usize) -> Self {
        NgramIndex {
            n: n.max(1),
            ..Default::default()
        }
    }

    /// The n-gram length.
    pub fn n(&self) -> usize {
        self.n
    }

    /// Number of documents added.
    pub fn len(&self) -> usize {
        self.docs
    }

    /// Whether no document was added.
    pub fn is_empty(&self) -> bool {
        self.docs == 0
    }

    /// Adds a document's tokens; returns its id (0, 1, ...).
    pub fn add(&mut self, tokens: &[Token]) -> u32 {
        let id = self.docs as u32;
        let mut grams = ngram_hashes(tokens, self.n);
        grams.sort_unstable();
        grams.dedup();
        for g in grams {
            self.postings.entry(g).or_default().push(id);
        }
        self.docs += 1;
        id
    }

    /// Document pairs sharing at least `min_shared` n-grams of document frequency <= `max_df`.
    pub fn candidates(&self, min_shared: u32, max_df: usize) -> Vec<Candidate> {
        let mut counts: HashMap<(u32, u32), u32> = HashMap::new();
        for docs in self.postings.values() {
            if docs.len() < 2 || docs.len() > max_df {
                continue;
            }
            for (i, &a) in docs.iter().enumerate() {
                for &b in &docs[i + 1..] {
                    *counts.entry((a, b)).or_default() += 1;
                }
            }
        }
        let mut out: Vec<Candidate> = counts
            .into_iter()
            .filter(|&(_, c)| c >= min_shared)
            .map(|((a, b), shared)| Candidate { a, b, shared })
            .collect();
        out.sort_unstable_by_key(|c| (c.a, c.b));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{tokenize, Aliases};

    #[test]
    fn shared_passage_makes_a_candidate_and_common_phrases_do_not() {
        let al = Aliases::builtin();
        let quote = "the committee said the new rules would take effect in the spring of next year after a vote";
        let docs = [
            format!("Officials met on Monday. {quote}. Nothing else."),
            format!("Unrelated opening words here. {quote}, it added."),
            "A completely different text about football and weather in the mountains today."
                .to_string(),
        ];
        let mut idx = NgramIndex::new(5);
        for d in &docs {
            idx.add(&tokenize(d, &al));
        }
        let c = idx.candidates(2, 50);
        assert_eq!(c.len(), 1);
        assert_eq!((c[0].a, c[0].b), (0, 1));
        // With a document-frequency cut-off of 1 every shared n-gram is dropped.
        assert!(idx.candidates(2, 1).is_empty());
    }
}
