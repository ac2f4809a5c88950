//! Candidate pairs: which documents may share a passage, without comparing all pairs.
//!
//! An inverted index from word n-gram hashes (over normalised token keys) to
//! the documents containing them. Two documents are candidates when they
//! share at least `min_shared` n-grams. N-grams found in more than `max_df`
//! documents are boilerplate or formulae ("the end of the"), carry no
//! evidence of reuse and would make the pair count quadratic, so they are
//! skipped; with that cut-off the cost is near-linear in corpus size. Each
//! document's n-gram set (its signature) is computed once when it is added:
//! adding documents later never recomputes the old ones, and a stored
//! signature can be added back without the text.

use rayon::prelude::*;

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

/// The distinct n-gram hashes of a token sequence, sorted: a document's signature.
pub fn signature(tokens: &[Token], n: usize) -> Vec<u64> {
    let mut grams = ngram_hashes(tokens, n.max(1));
    grams.sort_unstable();
    grams.dedup();
    grams
}

/// Posting lists from n-gram hashes to texts: which indexed texts share n-grams with a query.
///
/// The lookup side of trace and watches: one text is checked against many
/// indexed ones, and only those sharing an n-gram (where an alignment can
/// start) are returned, so a lookup costs its n-grams' postings, not a pass
/// over every indexed text.
#[derive(Debug, Clone, Default)]
pub struct Postings {
    n: usize,
    lists: std::collections::HashMap<u64, Vec<u32>>,
}

impl Postings {
    /// Empty postings over word `n`-grams.
    pub fn new(n: usize) -> Postings {
        Postings {
            n: n.max(1),
            lists: Default::default(),
        }
    }

    /// Indexes text `doc` by its distinct n-grams.
    pub fn add(&mut self, doc: u32, tokens: &[Token]) {
        for g in signature(tokens, self.n) {
            self.lists.entry(g).or_default().push(doc);
        }
    }

    /// The indexed texts sharing n-grams with `tokens`, with how many shared (counting repeats in `tokens`), in text order.
    pub fn shared(&self, tokens: &[Token]) -> Vec<(u32, u32)> {
        let mut hits: Vec<u32> = ngram_hashes(tokens, self.n)
            .iter()
            .filter_map(|g| self.lists.get(g))
            .flatten()
            .copied()
            .collect();
        hits.sort_unstable();
        let mut out: Vec<(u32, u32)> = Vec::new();
        for d in hits {
            match out.last_mut() {
                Some((last, k)) if *last == d => *k += 1,
                _ => out.push((d, 1)),
            }
        }
        out
    }
}

/// The n-gram index over a growing set of documents.
///
/// Stored as one flat list of (n-gram hash, document) entries rather than a
/// hash map of posting lists: appending is cheap, and a parallel sort turns
/// the list into posting lists in one pass when candidates are asked for.
#[derive(Debug, Clone, Default)]
pub struct NgramIndex {
    n: usize,
    entries: Vec<(u64, u32)>,
    sorted: usize,
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

    /// The distinct n-gram hashes of a token sequence, sorted: a document's signature.
    pub fn signature(&self, tokens: &[Token]) -> Vec<u64> {
        signature(tokens, self.n)
    }

    /// Adds a document's tokens; returns its id (0, 1, ...).
    pub fn add(&mut self, tokens: &[Token]) -> u32 {
        let sig = self.signature(tokens);
        self.add_signature(&sig)
    }

    /// Adds a document by its signature (see [`NgramIndex::signature`]); returns its id.
    pub fn add_signature(&mut self, signature: &[u64]) -> u32 {
        let id = self.docs as u32;
        self.entries.extend(signature.iter().map(|&g| (g, id)));
        self.docs += 1;
        id
    }

    /// Sorts entries added since the last call (merging with the sorted prefix).
    fn sort(&mut self) {
        if self.sorted == self.entries.len() {
            return;
        }
        self.entries.par_sort_unstable();
        self.sorted = self.entries.len();
    }

    /// Document pairs sharing at least `min_shared` n-grams of document frequency <= `max_df`.
    pub fn candidates(&mut self, min_shared: u32, max_df: usize) -> Vec<Candidate> {
        self.sort();
        let e = &self.entries;
        // Posting-list boundaries.
        let mut starts: Vec<usize> = Vec::new();
        let mut i = 0;
        while i < e.len() {
            let mut j = i + 1;
            while j < e.len() && e[j].0 == e[i].0 {
                j += 1;
            }
            if j - i >= 2 && j - i <= max_df {
                starts.push(i);
                starts.push(j);
            }
            i = j;
        }
        let mut pairs: Vec<u64> = starts
            .par_chunks(2)
            .flat_map_iter(|r| {
                let list = &e[r[0]..r[1]];
                list.iter().enumerate().flat_map(move |(k, &(_, a))| {
                    list[k + 1..]
                        .iter()
                        .map(move |&(_, b)| ((a.min(b) as u64) << 32) | a.max(b) as u64)
                })
            })
            .collect();
        pairs.par_sort_unstable();
        let mut out = Vec::new();
        let mut i = 0;
        while i < pairs.len() {
            let mut j = i + 1;
            while j < pairs.len() && pairs[j] == pairs[i] {
                j += 1;
            }
            if (j - i) as u32 >= min_shared {
                out.push(Candidate {
                    a: (pairs[i] >> 32) as u32,
                    b: pairs[i] as u32,
                    shared: (j - i) as u32,
                });
            }
            i = j;
        }
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
