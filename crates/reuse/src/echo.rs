//! Echo-aware candidates: which earlier articles a new article must be
//! aligned with, so that a text carried by k outlets costs O(k), not O(k²).
//!
//! The [`EchoIndex`] maps each word n-gram hash to the articles that
//! *represent* it. Articles are added one at a time, in collection order. A
//! new article looks its n-grams up, counts the n-grams it shares with each
//! posted article, and keeps as partners those sharing at least
//! `min_shared` (after the document-frequency cut-off, as in
//! [`crate::index`]). It then posts only the n-grams that none of its
//! partners already represents: an n-gram it shares with a partner is
//! reached through that partner by every later article.
//!
//! So when a wire story is republished by 300 outlets, its n-grams stay
//! posted under the first article that carried it (the echo group's
//! representative), each republication finds that one article (plus any
//! earlier copy whose own edits it shares), and the story costs 300
//! alignments instead of 45,000. Text an outlet adds (its intro, an edited
//! sentence) is new and is posted under that outlet's article, so a later
//! copy of the edited version also finds the copy it follows.
//!
//! The document-frequency cut-off still hides formulae that unrelated
//! articles share ("said in a statement on"); it no longer hides echoes,
//! because echoed n-grams are not posted again.
//!
//! Memory: one map entry per posted n-gram (12 bytes of key and value plus
//! the table's overhead); a posting of one article, the common case, is
//! stored inline, longer ones in a side table.

use rustc_hash::{FxHashMap, FxHashSet};

/// A posting: one article inline, or (top bit set) an index into the side table.
type Posting = u32;
const SPILLED: u32 = 1 << 31;

/// Partners one article may have; beyond this, only those sharing the most are kept.
///
/// A bound on work per article, not on group size: an echo needs one partner
/// (its representative) to join its group.
pub const MAX_PARTNERS: usize = 256;

/// The incremental echo-aware candidate index (see the module docs).
#[derive(Debug, Default, Clone)]
pub struct EchoIndex {
    heads: FxHashMap<u64, Posting>,
    spilled: Vec<Vec<u32>>,
    docs: u32,
    min_shared: u32,
    max_df: usize,
    /// N-grams whose postings changed since the index was made (see [`EchoIndex::changed`]).
    dirty: FxHashSet<u64>,
}

/// An earlier article a new one must be aligned with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partner {
    /// The earlier article's index (its order of addition).
    pub doc: u32,
    /// Posted n-grams the two share.
    pub shared: u32,
}

impl EchoIndex {
    /// An empty index: partners share at least `min_shared` n-grams of document frequency <= `max_df`.
    pub fn new(min_shared: u32, max_df: usize) -> Self {
        EchoIndex {
            min_shared: min_shared.max(1),
            max_df: max_df.max(1),
            ..Default::default()
        }
    }

    /// An index holding the given postings (n-gram, articles), as a store keeps them.
    ///
    /// A store loads only the postings of the n-grams a batch of new articles
    /// carries: lookups and updates touch nothing else, so the batch costs the
    /// same in a store of ten thousand articles as in one of ten million.
    pub fn from_postings(
        min_shared: u32,
        max_df: usize,
        postings: impl IntoIterator<Item = (u64, Vec<u32>)>,
    ) -> Self {
        let mut idx = EchoIndex::new(min_shared, max_df);
        for (g, docs) in postings {
            match docs.as_slice() {
                [] => {}
                [one] if one & SPILLED == 0 => {
                    idx.heads.insert(g, *one);
                }
                _ => {
                    idx.spilled.push(docs);
                    let at = (idx.spilled.len() - 1) as u32 | SPILLED;
                    idx.heads.insert(g, at);
                }
            }
        }
        idx
    }

    /// The postings changed by [`EchoIndex::add`] since the index was made or last asked, sorted by n-gram.
    pub fn changed(&mut self) -> Vec<(u64, Vec<u32>)> {
        let mut grams: Vec<u64> = self.dirty.drain().collect();
        grams.sort_unstable();
        let mut docs = Vec::new();
        grams
            .into_iter()
            .filter_map(|g| {
                let p = *self.heads.get(&g)?;
                self.docs_of(p, &mut docs);
                Some((g, docs.clone()))
            })
            .collect()
    }

    /// Articles added so far.
    pub fn len(&self) -> usize {
        self.docs as usize
    }

    /// Whether no article was added.
    pub fn is_empty(&self) -> bool {
        self.docs == 0
    }

    /// Distinct n-grams posted (the index's size).
    pub fn posted(&self) -> usize {
        self.heads.len()
    }

    /// The articles posted under one n-gram.
    fn docs_of(&self, p: Posting, out: &mut Vec<u32>) {
        out.clear();
        if p & SPILLED != 0 {
            out.extend_from_slice(&self.spilled[(p & !SPILLED) as usize]);
        } else {
            out.push(p);
        }
    }

    /// The partners `signature` (distinct n-gram hashes) would get, without adding it.
    pub fn partners(&self, signature: &[u64]) -> Vec<Partner> {
        let mut counts: FxHashMap<u32, u32> = FxHashMap::default();
        let mut docs = Vec::new();
        for g in signature {
            let Some(&p) = self.heads.get(g) else {
                continue;
            };
            self.docs_of(p, &mut docs);
            if docs.len() > self.max_df {
                continue;
            }
            for &d in &docs {
                *counts.entry(d).or_default() += 1;
            }
        }
        let mut out: Vec<Partner> = counts
            .into_iter()
            .filter(|&(_, c)| c >= self.min_shared)
            .map(|(doc, shared)| Partner { doc, shared })
            .collect();
        out.sort_unstable_by_key(|p| (std::cmp::Reverse(p.shared), p.doc));
        out.truncate(MAX_PARTNERS);
        out
    }

    /// Adds an article by its signature; returns its index and its partners, most shared first.
    pub fn add(&mut self, signature: &[u64]) -> (u32, Vec<Partner>) {
        let id = self.docs;
        (id, self.add_as(id, signature))
    }

    /// Adds an article under the caller's id (a store's row id; ids must grow); returns its partners.
    pub fn add_as(&mut self, id: u32, signature: &[u64]) -> Vec<Partner> {
        let partners = self.partners(signature);
        let mut is_partner: Vec<u32> = partners.iter().map(|p| p.doc).collect();
        is_partner.sort_unstable();
        let mut docs = Vec::new();
        for &g in signature {
            match self.heads.get(&g).copied() {
                None => {
                    self.heads.insert(g, id);
                    self.dirty.insert(g);
                }
                Some(p) => {
                    self.docs_of(p, &mut docs);
                    if docs.len() > self.max_df
                        || docs.iter().any(|d| is_partner.binary_search(d).is_ok())
                    {
                        // Saturated (a formula), or reached through a partner.
                        continue;
                    }
                    self.dirty.insert(g);
                    if p & SPILLED != 0 {
                        self.spilled[(p & !SPILLED) as usize].push(id);
                    } else {
                        self.spilled.push(vec![p, id]);
                        let at = (self.spilled.len() - 1) as u32 | SPILLED;
                        self.heads.insert(g, at);
                    }
                }
            }
        }
        self.docs = self.docs.max(id + 1);
        partners
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(range: std::ops::Range<u64>) -> Vec<u64> {
        range.collect()
    }

    #[test]
    fn a_text_echoed_many_times_costs_one_partner_each() {
        let mut idx = EchoIndex::new(3, 200);
        // The original, then 500 copies each with 5 n-grams of their own.
        let (_, first) = idx.add(&sig(0..100));
        assert!(first.is_empty());
        for k in 0..500u64 {
            let mut s = sig(0..90);
            s.extend(1000 + k * 10..1000 + k * 10 + 5);
            let (_, partners) = idx.add(&s);
            assert_eq!(partners.len(), 1, "copy {k}: {partners:?}");
            assert_eq!(partners[0].doc, 0);
            assert_eq!(partners[0].shared, 90);
        }
        // Echoed n-grams are posted once; each copy posted only its own five.
        assert_eq!(idx.posted(), 100 + 500 * 5);
    }

    #[test]
    fn a_copy_of_an_edited_copy_finds_both() {
        let mut idx = EchoIndex::new(3, 200);
        idx.add(&sig(0..50));
        // Copy 1 edits the text: n-grams 20..30 replaced by its own.
        let mut edited = sig(0..20);
        edited.extend(500..510);
        edited.extend(30..50);
        idx.add(&edited);
        let (_, partners) = idx.add(&edited);
        let docs: Vec<u32> = partners.iter().map(|p| p.doc).collect();
        assert_eq!(docs, vec![0, 1]);
    }

    #[test]
    fn postings_saved_and_loaded_give_the_same_partners() {
        let mut whole = EchoIndex::new(3, 200);
        let mut saved: std::collections::HashMap<u64, Vec<u32>> = Default::default();
        let docs: Vec<Vec<u64>> = (0..40u64)
            .map(|k| {
                (k % 7 * 10..k % 7 * 10 + 30)
                    .chain(1000 + k..1003 + k)
                    .collect()
            })
            .collect();
        for (i, d) in docs.iter().enumerate() {
            let expect = whole.add_as(i as u32, d);
            // A store: load the postings of this article's n-grams, add, save what changed.
            let mut part = EchoIndex::from_postings(
                3,
                200,
                d.iter().filter_map(|g| Some((*g, saved.get(g)?.clone()))),
            );
            assert_eq!(part.add_as(i as u32, d), expect, "article {i}");
            saved.extend(part.changed());
        }
    }

    #[test]
    fn formulae_past_the_cut_off_make_no_partners() {
        let mut idx = EchoIndex::new(3, 5);
        // Unrelated articles sharing two n-grams each: below min_shared, so all post them.
        for k in 0..10u64 {
            let mut s = vec![7, 8];
            s.extend(100 * (k + 1)..100 * (k + 1) + 20);
            let (_, p) = idx.add(&s);
            assert!(p.is_empty());
        }
        // A third shared n-gram does not help once the two are past the cut-off.
        let (_, p) = idx.add(&[7, 8, 100]);
        assert!(p.is_empty());
    }
}
