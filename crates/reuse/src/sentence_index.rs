//! Sentence vectors of a growing collection: quantised to be kept in the
//! store, and an index per language that takes new sentences as batches
//! arrive and says which sentences of other languages translate a new one.
//!
//! The collection keeps one vector per distinct (language, sentence text),
//! named by [`sentence_key`]: a wire text echoed by hundreds of outlets is
//! embedded and stored once. Vectors are kept as 8-bit integers with one
//! scale per vector (384 bytes for multilingual-e5-small instead of 1,536);
//! `eval --set translation` scores the search on vectors that went through
//! [`quantise`] and [`dequantise`] beside the full-precision ones.
//!
//! [`SentenceIndex::matches`] scores pairs exactly as `analyze`'s search
//! does (`crate::translation`): the cosine over the mean cosine of both
//! sides' nearest neighbours in the other's language, neighbours a small
//! index lacks counted at the background cosine.

/// A sentence vector quantised to 8 bits: component `i` is `values[i] * scale`.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantised {
    /// The factor that turns a stored integer back into a component.
    pub scale: f32,
    /// One signed byte per component.
    pub values: Vec<i8>,
}

/// Quantises a vector to 8 bits per component, the largest magnitude mapped to 127.
pub fn quantise(v: &[f32]) -> Quantised {
    let top = v.iter().fold(0f32, |m, x| m.max(x.abs()));
    if top == 0.0 || !top.is_finite() {
        return Quantised {
            scale: 0.0,
            values: vec![0; v.len()],
        };
    }
    let scale = top / 127.0;
    Quantised {
        scale,
        values: v
            .iter()
            .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8)
            .collect(),
    }
}

/// The vector a quantised one stands for, L2-normalised again so that a dot product is a cosine.
pub fn dequantise(q: &Quantised) -> Vec<f32> {
    let mut v: Vec<f32> = q.values.iter().map(|&x| f32::from(x) * q.scale).collect();
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

/// The key of a distinct sentence: its language and its exact text (64-bit xxh3).
pub fn sentence_key(language: &str, text: &str) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(language.as_bytes());
    h.update(&[0x1f]);
    h.update(text.as_bytes());
    h.digest()
}

/// A sentence of another language found close to a query sentence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnitMatch {
    /// The query sentence (a distinct sentence's id in the collection).
    pub query: u32,
    /// The sentence found.
    pub other: u32,
    /// Cosine of the two vectors.
    pub cosine: f32,
    /// Cosine over the mean cosine of both sides' neighbourhoods in the other's language.
    pub margin: f32,
}

#[cfg(feature = "embed")]
pub use index::SentenceIndex;

/// Cosine distance between unit vectors, `1 - dot`, never below zero.
///
/// Written here because `anndists`' `DistDot` asserts `dot <= 1` and
/// panics when two identical unit vectors sum to 1.0000001 in f32 (two
/// articles with the same title and opening do). Eight running sums let
/// the compiler vectorise the loop.
#[cfg(feature = "embed")]
#[derive(Debug, Clone, Copy, Default)]
pub struct UnitCosine;

#[cfg(feature = "embed")]
impl hnsw_rs::prelude::Distance<f32> for UnitCosine {
    fn eval(&self, a: &[f32], b: &[f32]) -> f32 {
        let mut acc = [0f32; 8];
        let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
        let tail: f32 = ca
            .remainder()
            .iter()
            .zip(cb.remainder())
            .map(|(x, y)| x * y)
            .sum();
        for (x, y) in ca.zip(cb) {
            for i in 0..8 {
                acc[i] += x[i] * y[i];
            }
        }
        (1.0 - (acc.iter().sum::<f32>() + tail)).max(0.0)
    }
}

#[cfg(feature = "embed")]
mod index {
    use std::collections::HashMap;

    use hnsw_rs::prelude::Hnsw;
    use rayon::prelude::*;

    use super::{dequantise, Quantised, UnitCosine, UnitMatch};
    use crate::translation::TranslationParams;

    /// An HNSW index per language over a collection's distinct sentences, grown in place.
    ///
    /// `hnsw_rs` takes inserts after searches, so a collection's index grows
    /// with each batch instead of being rebuilt.
    pub struct SentenceIndex {
        languages: HashMap<String, u16>,
        indices: Vec<Hnsw<'static, f32, UnitCosine>>,
        /// Each sentence's language and vector (kept quantised: the index holds its own copy).
        units: HashMap<u32, (u16, Quantised)>,
    }

    impl Default for SentenceIndex {
        fn default() -> Self {
            SentenceIndex::new()
        }
    }

    impl SentenceIndex {
        /// An empty index.
        pub fn new() -> SentenceIndex {
            SentenceIndex {
                languages: HashMap::new(),
                indices: Vec::new(),
                units: HashMap::new(),
            }
        }

        /// Sentences held.
        pub fn len(&self) -> usize {
            self.units.len()
        }

        /// Whether no sentence is held.
        pub fn is_empty(&self) -> bool {
            self.units.is_empty()
        }

        /// Languages held.
        pub fn languages(&self) -> usize {
            self.indices.len()
        }

        /// Whether sentence `unit` is held.
        pub fn contains(&self, unit: u32) -> bool {
            self.units.contains_key(&unit)
        }

        fn language(&mut self, name: &str) -> u16 {
            if let Some(&l) = self.languages.get(name) {
                return l;
            }
            let l = self.indices.len() as u16;
            self.languages.insert(name.to_string(), l);
            // Capacity is only a hint to hnsw_rs; 16 layers let it grow to any size.
            self.indices
                .push(Hnsw::new(16, 10_000, 16, 128, UnitCosine));
            l
        }

        /// Adds sentences (id, language, vector); ids already held are skipped.
        pub fn insert(&mut self, sentences: Vec<(u32, String, Quantised)>) {
            let mut by_lang: HashMap<u16, Vec<(Vec<f32>, usize)>> = HashMap::new();
            for (id, lang, q) in sentences {
                if self.units.contains_key(&id) {
                    continue;
                }
                let l = self.language(&lang);
                by_lang
                    .entry(l)
                    .or_default()
                    .push((dequantise(&q), id as usize));
                self.units.insert(id, (l, q));
            }
            for (l, data) in by_lang {
                let refs: Vec<(&[f32], usize)> =
                    data.iter().map(|(v, id)| (v.as_slice(), *id)).collect();
                self.indices[l as usize].parallel_insert_slice(&refs);
            }
        }

        /// The `k` nearest sentences of language `l` to `v`, with their cosines.
        fn near(&self, v: &[f32], l: u16, k: usize) -> Vec<(u32, f32)> {
            self.indices[l as usize]
                .search(v, k, (2 * k).max(48))
                .into_iter()
                .take(k)
                .map(|n| (n.d_id as u32, 1.0 - n.distance))
                .collect()
        }

        /// The `k` nearest held items of each other language to item `id`, at or above `min_cosine`.
        pub fn near_in_other_languages(
            &self,
            id: u32,
            k: usize,
            min_cosine: f32,
        ) -> Vec<(u32, f32)> {
            let Some((l, q)) = self.units.get(&id) else {
                return Vec::new();
            };
            let v = dequantise(q);
            (0..self.indices.len() as u16)
                .filter(|o| o != l)
                .flat_map(|o| self.near(&v, o, k))
                .filter(|x| x.1 >= min_cosine)
                .collect()
        }

        /// Mean cosine of the `k` nearest neighbours, those the index lacks counted at the background.
        fn neighbourhood(found: &[(u32, f32)], params: &TranslationParams) -> f32 {
            let k = params.neighbours.max(1) as f32;
            let n = found.len() as f32;
            let sum: f32 = found.iter().map(|x| x.1).sum();
            (sum + (k - n).max(0.0) * params.background) / k.max(n)
        }

        /// For each query sentence, the held sentences of other languages at
        /// or above `min_cosine` among its `neighbours` nearest, with their
        /// margins; also how many neighbour look-ups were made.
        pub fn matches(
            &self,
            queries: &[u32],
            params: &TranslationParams,
        ) -> (Vec<UnitMatch>, usize) {
            let k = params.neighbours.max(1);
            let langs = self.indices.len() as u16;
            // Each query's near sentences in every other language, and its neighbourhood there.
            type Near = Vec<(u32, f32, f32)>;
            let found: Vec<(u32, Near, usize)> = queries
                .par_iter()
                .filter_map(|&q| {
                    let (lq, vq) = self.units.get(&q)?;
                    let v = dequantise(vq);
                    let mut near = Vec::new();
                    let mut lookups = 0;
                    for l in (0..langs).filter(|l| l != lq) {
                        lookups += 1;
                        let hits = self.near(&v, l, k);
                        let hood = Self::neighbourhood(&hits, params);
                        near.extend(
                            hits.into_iter()
                                .filter(|h| h.1 >= params.min_cosine)
                                .map(|(o, c)| (o, c, hood)),
                        );
                    }
                    Some((q, near, lookups))
                })
                .collect();
            // The other side's neighbourhood in the query's language, once per (sentence, language).
            let mut wanted: Vec<(u32, u16)> = found
                .iter()
                .flat_map(|(q, near, _)| {
                    let lq = self.units[q].0;
                    near.iter().map(move |n| (n.0, lq))
                })
                .collect();
            wanted.sort_unstable();
            wanted.dedup();
            let hoods: HashMap<(u32, u16), f32> = wanted
                .par_iter()
                .filter_map(|&(o, l)| {
                    let (_, vo) = self.units.get(&o)?;
                    let hits = self.near(&dequantise(vo), l, k);
                    Some(((o, l), Self::neighbourhood(&hits, params)))
                })
                .collect();
            let mut lookups = wanted.len();
            let mut out = Vec::new();
            for (q, near, l) in found {
                lookups += l;
                let lq = self.units[&q].0;
                for (o, cosine, hood) in near {
                    let other = hoods.get(&(o, lq)).copied().unwrap_or(params.background);
                    let margin = cosine / ((hood + other) / 2.0).max(1e-6);
                    out.push(UnitMatch {
                        query: q,
                        other: o,
                        cosine,
                        margin,
                    });
                }
            }
            (out, lookups)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantised_vectors_keep_their_cosines_within_a_hundredth() {
        let mut rng = 7u64;
        let mut next = || {
            rng = rng
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((rng >> 33) as f32 / (1u64 << 31) as f32) - 0.5
        };
        let unit = |v: Vec<f32>| {
            let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
            v.into_iter().map(|x| x / n).collect::<Vec<f32>>()
        };
        for _ in 0..50 {
            let a = unit((0..384).map(|_| next()).collect());
            let b = unit(a.iter().map(|x| x + 0.05 * next()).collect());
            let exact: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            let (qa, qb) = (dequantise(&quantise(&a)), dequantise(&quantise(&b)));
            let approx: f32 = qa.iter().zip(&qb).map(|(x, y)| x * y).sum();
            assert!((exact - approx).abs() < 0.01, "{exact} vs {approx}");
        }
    }

    #[test]
    fn zero_and_odd_vectors_quantise_without_panicking() {
        assert_eq!(quantise(&[0.0; 4]).values, vec![0; 4]);
        assert_eq!(dequantise(&quantise(&[0.0; 4])), vec![0.0; 4]);
        assert_eq!(quantise(&[f32::INFINITY, 1.0]).scale, 0.0);
        assert_eq!(quantise(&[f32::NAN, 1.0]).values.len(), 2);
        assert!(quantise(&[]).values.is_empty());
    }

    #[cfg(feature = "embed")]
    #[test]
    fn the_index_finds_a_close_sentence_of_another_language_and_scores_its_margin() {
        // Four directions; "translations" are small perturbations of one of them.
        let axis = |i: usize, noise: f32| {
            let mut v = vec![0.0f32; 8];
            v[i] = 1.0;
            v[(i + 1) % 8] = noise;
            quantise(&v)
        };
        let mut index = SentenceIndex::new();
        index.insert(vec![
            (1, "en".into(), axis(0, 0.0)),
            (2, "en".into(), axis(2, 0.0)),
            (3, "de".into(), axis(0, 0.1)),
            (4, "de".into(), axis(4, 0.0)),
        ]);
        assert_eq!((index.len(), index.languages()), (4, 2));
        let params = crate::translation::TranslationParams::default();
        let (found, lookups) = index.matches(&[1, 2], &params);
        assert!(lookups >= 2);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!((found[0].query, found[0].other), (1, 3));
        assert!(found[0].cosine > 0.99 && found[0].margin > params.single_margin);
        // Inserting again is a no-op; a new sentence is found at once.
        index.insert(vec![
            (3, "de".into(), axis(0, 0.1)),
            (5, "de".into(), axis(2, 0.05)),
        ]);
        assert_eq!(index.len(), 5);
        let (found, _) = index.matches(&[2], &params);
        assert_eq!(found.iter().map(|m| m.other).collect::<Vec<_>>(), vec![5]);
        let near: Vec<u32> = index
            .near_in_other_languages(1, 4, 0.9)
            .iter()
            .map(|x| x.0)
            .collect();
        assert_eq!(near, vec![3]);
        assert!(index.near_in_other_languages(99, 4, 0.0).is_empty());
    }

    #[cfg(feature = "embed")]
    #[test]
    fn identical_vectors_are_at_distance_zero_and_never_below() {
        use hnsw_rs::prelude::Distance;
        let v: Vec<f32> = (0..384).map(|i| ((i * 7919) % 97) as f32 - 48.0).collect();
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        let v: Vec<f32> = v.iter().map(|x| x / n).collect();
        let d = UnitCosine.eval(&v, &v);
        assert!((0.0..1e-5).contains(&d), "{d}");
        let w: Vec<f32> = v.iter().map(|x| -x).collect();
        assert!((UnitCosine.eval(&v, &w) - 2.0).abs() < 1e-4);
        // Many identical vectors go into one index without a panic.
        let mut index = SentenceIndex::new();
        index.insert(
            (0..50)
                .map(|i| (i, "en".to_string(), quantise(&v)))
                .collect(),
        );
        index.insert(
            (50..60)
                .map(|i| (i, "de".to_string(), quantise(&v)))
                .collect(),
        );
        assert_eq!(index.near_in_other_languages(0, 4, 0.99).len(), 4);
    }

    #[test]
    fn a_sentence_key_depends_on_language_and_text() {
        assert_ne!(
            sentence_key("en", "Hello there."),
            sentence_key("de", "Hello there.")
        );
        assert_ne!(
            sentence_key("en", "Hello there."),
            sentence_key("en", "Hello there!")
        );
        assert_eq!(sentence_key("en", "x"), sentence_key("en", "x"));
    }
}
