//! A first-order sequence tagger: an averaged structured perceptron over
//! hashed sparse features, decoded by Viterbi.
//!
//! The attribution tagger ([`crate::attribution`]) is trained with it offline
//! (`echotrace eval --set attribution`) and ships its weights as a small
//! data file. Written here rather than taken from a crate: the maintained
//! CRF binding (`crfsuite`) builds its C sources with cmake, panics on a NUL
//! byte in a feature name and allocates a C string per feature per token;
//! a perceptron over pre-hashed features is a page of code, allocation-free
//! when tagging, and its model format is ours to bound and validate.
//!
//! Contract: a token is a list of feature hashes (see [`feature`]); labels
//! are indices into the model's label names; [`Model::tag`] returns one
//! label per token, never one that [`Model::allowed`] forbids after its
//! predecessor (an `I-` label only continues its own span).

use rustc_hash::FxHashMap;

/// Hashes a feature from a template number and its parts (64-bit FNV-1a).
///
/// FNV-1a by hand because the hash is part of the shipped model's format:
/// it must never change with a crate's or the standard library's version.
pub fn feature(template: u8, parts: &[&str]) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(PRIME);
    };
    eat(template);
    for p in parts {
        eat(0x1f);
        for &b in p.as_bytes() {
            eat(b);
        }
    }
    h
}

/// Why a model file was refused.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The bytes end before the model does, or a count is out of bounds.
    #[error("tagger model truncated or corrupt at byte {0}")]
    Corrupt(usize),
    /// Not a model of this format.
    #[error("not an echotrace tagger model (magic bytes differ)")]
    Magic,
}

const MAGIC: &[u8; 6] = b"ETAG2\n";

/// A trained tagger: label names, per-feature weights and transition weights.
#[derive(Debug, Clone)]
pub struct Model {
    labels: Vec<String>,
    index: FxHashMap<u64, u32>,
    /// `index[f] * L + label`.
    weights: Vec<f32>,
    /// `(prev + 1) * L + label`; row 0 is the sequence start.
    transitions: Vec<f32>,
}

impl Model {
    /// Label names, in label-index order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Number of features with weights.
    pub fn features(&self) -> usize {
        self.index.len()
    }

    /// Whether `label` may follow `prev` (`None`: the sequence start): `I-X` only after `B-X` or `I-X`.
    pub fn allowed(&self, prev: Option<usize>, label: usize) -> bool {
        let Some(role) = self.labels[label].strip_prefix("I-") else {
            return true;
        };
        prev.is_some_and(|p| self.labels[p].get(2..) == Some(role))
    }

    /// The best label sequence for `tokens` (feature hashes per token).
    pub fn tag(&self, tokens: &[Vec<u64>]) -> Vec<usize> {
        // Feature ids of all tokens in one buffer, token t's at `ids[ends[t - 1]..ends[t]]`.
        let mut ids: Vec<u32> = Vec::with_capacity(tokens.iter().map(Vec::len).sum());
        let mut ends: Vec<usize> = Vec::with_capacity(tokens.len());
        for fs in tokens {
            ids.extend(fs.iter().filter_map(|f| self.index.get(f).copied()));
            ends.push(ids.len());
        }
        let l = self.labels.len();
        // Which label may follow which (row 0: the sequence start), worked out once per call rather than per token.
        let allow: Vec<bool> = (0..=l)
            .flat_map(|p| (0..l).map(move |y| (p, y)))
            .map(|(p, y)| self.allowed(p.checked_sub(1), y))
            .collect();
        viterbi(
            |t| &ids[if t == 0 { 0 } else { ends[t - 1] }..ends[t]],
            tokens.len(),
            l,
            &self.weights,
            &self.transitions,
            |p, y| allow[p.map_or(0, |p| p + 1) * l + y],
        )
    }

    /// The model as bytes (little-endian, feature weights quantised to 16 bits; see [`Model::from_bytes`]).
    pub fn to_bytes(&self) -> Vec<u8> {
        let l = self.labels.len();
        let mut out = Vec::with_capacity(16 + self.index.len() * (12 + 4 * l));
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(l as u32).to_le_bytes());
        for name in &self.labels {
            out.push(name.len().min(255) as u8);
            out.extend_from_slice(&name.as_bytes()[..name.len().min(255)]);
        }
        for w in &self.transitions {
            out.extend_from_slice(&w.to_le_bytes());
        }
        // Feature weights as 16-bit integers times one scale: a third of the size, the same tags.
        let top = self.weights.iter().fold(0.0f32, |m, w| m.max(w.abs()));
        let scale = if top > 0.0 {
            top / f32::from(i16::MAX)
        } else {
            1.0
        };
        out.extend_from_slice(&scale.to_le_bytes());
        let mut features: Vec<(u64, u32)> = self.index.iter().map(|(h, i)| (*h, *i)).collect();
        features.sort_unstable();
        out.extend_from_slice(&(features.len() as u32).to_le_bytes());
        for (h, i) in features {
            out.extend_from_slice(&h.to_le_bytes());
            let row = i as usize * l;
            for w in &self.weights[row..row + l] {
                out.extend_from_slice(&((w / scale).round() as i16).to_le_bytes());
            }
        }
        out
    }

    /// Reads a model written by [`Model::to_bytes`]; every count is checked against the input's length.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model, ModelError> {
        let mut r = Reader { bytes, at: 0 };
        if r.take(MAGIC.len())? != MAGIC {
            return Err(ModelError::Magic);
        }
        let l = r.u32()? as usize;
        if l == 0 || l > 64 {
            return Err(ModelError::Corrupt(r.at));
        }
        let mut labels = Vec::with_capacity(l);
        for _ in 0..l {
            let n = r.take(1)?[0] as usize;
            let name = std::str::from_utf8(r.take(n)?).map_err(|_| ModelError::Corrupt(r.at))?;
            labels.push(name.to_string());
        }
        let transitions = (0..(l + 1) * l)
            .map(|_| r.f32())
            .collect::<Result<Vec<f32>, _>>()?;
        let scale = r.f32()?;
        if !scale.is_finite() {
            return Err(ModelError::Corrupt(r.at));
        }
        let n = r.u32()? as usize;
        if n.saturating_mul(8 + 2 * l) > bytes.len() - r.at {
            return Err(ModelError::Corrupt(r.at));
        }
        let mut index = FxHashMap::default();
        index.reserve(n);
        let mut weights = Vec::with_capacity(n * l);
        for i in 0..n {
            index.insert(r.u64()?, i as u32);
            for _ in 0..l {
                weights.push(f32::from(r.i16()?) * scale);
            }
        }
        Ok(Model {
            labels,
            index,
            weights,
            transitions,
        })
    }
}

/// A bounds-checked little-endian reader over a model's bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ModelError> {
        let end = self.at.checked_add(n).ok_or(ModelError::Corrupt(self.at))?;
        let out = self
            .bytes
            .get(self.at..end)
            .ok_or(ModelError::Corrupt(self.at))?;
        self.at = end;
        Ok(out)
    }
    fn u32(&mut self) -> Result<u32, ModelError> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
    fn u64(&mut self) -> Result<u64, ModelError> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
    fn i16(&mut self) -> Result<i16, ModelError> {
        Ok(i16::from_le_bytes(
            self.take(2)?.try_into().expect("2 bytes"),
        ))
    }
    fn f32(&mut self) -> Result<f32, ModelError> {
        Ok(f32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }
}

/// Viterbi over feature ids: the best sequence under emission and transition weights.
fn viterbi<'a>(
    ids: impl Fn(usize) -> &'a [u32],
    n: usize,
    l: usize,
    weights: &[f32],
    transitions: &[f32],
    allowed: impl Fn(Option<usize>, usize) -> bool,
) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let emit = |t: usize, out: &mut [f32]| {
        out.fill(0.0);
        for &f in ids(t) {
            let row = f as usize * l;
            for (o, w) in out.iter_mut().zip(&weights[row..row + l]) {
                *o += w;
            }
        }
    };
    let mut e = vec![0.0f32; l];
    let mut score = vec![f32::NEG_INFINITY; n * l];
    let mut back = vec![0usize; n * l];
    emit(0, &mut e);
    for y in 0..l {
        if allowed(None, y) {
            score[y] = transitions[y] + e[y];
        }
    }
    for t in 1..n {
        emit(t, &mut e);
        for y in 0..l {
            let mut best = (f32::NEG_INFINITY, 0);
            for p in 0..l {
                let s = score[(t - 1) * l + p];
                if s == f32::NEG_INFINITY || !allowed(Some(p), y) {
                    continue;
                }
                let s = s + transitions[(p + 1) * l + y];
                if s > best.0 {
                    best = (s, p);
                }
            }
            score[t * l + y] = best.0 + e[y];
            back[t * l + y] = best.1;
        }
    }
    let mut y = (0..l)
        .max_by(|a, b| score[(n - 1) * l + a].total_cmp(&score[(n - 1) * l + b]))
        .unwrap_or(0);
    let mut out = vec![0; n];
    for t in (0..n).rev() {
        out[t] = y;
        y = back[t * l + y];
    }
    out
}

/// One training sequence: feature hashes and the gold label per token.
#[derive(Debug, Clone, Default)]
pub struct Example {
    /// Feature hashes per token.
    pub tokens: Vec<Vec<u64>>,
    /// Gold label index per token.
    pub labels: Vec<usize>,
}

/// Trains an averaged perceptron over `examples` for `epochs` passes (order shuffled by `seed`).
///
/// Features seen fewer than `min_count` times in the examples are left out of the model.
pub fn train(
    labels: &[&str],
    examples: &[Example],
    epochs: usize,
    min_count: u32,
    seed: u64,
) -> Model {
    let l = labels.len();
    let mut count: FxHashMap<u64, u32> = FxHashMap::default();
    for ex in examples {
        for fs in &ex.tokens {
            for f in fs {
                *count.entry(*f).or_default() += 1;
            }
        }
    }
    let mut index: FxHashMap<u64, u32> = FxHashMap::default();
    let mut kept: Vec<(u64, u32)> = count.into_iter().filter(|c| c.1 >= min_count).collect();
    kept.sort_unstable();
    for (h, _) in kept {
        let next = index.len() as u32;
        index.insert(h, next);
    }
    let data: Vec<(Vec<Vec<u32>>, &[usize])> = examples
        .iter()
        .map(|ex| {
            let ids = ex
                .tokens
                .iter()
                .map(|fs| fs.iter().filter_map(|f| index.get(f).copied()).collect())
                .collect();
            (ids, ex.labels.as_slice())
        })
        .collect();
    let nf = index.len();
    let mut w = vec![0.0f32; nf * l];
    let mut u = vec![0.0f32; nf * l];
    let mut tw = vec![0.0f32; (l + 1) * l];
    let mut tu = vec![0.0f32; (l + 1) * l];
    let names: Vec<String> = labels.iter().map(|s| s.to_string()).collect();
    let follows = |p: Option<usize>, y: usize| -> bool {
        let Some(role) = names[y].strip_prefix("I-") else {
            return true;
        };
        p.is_some_and(|p| names[p].get(2..) == Some(role))
    };
    let allow: Vec<bool> = (0..=l)
        .flat_map(|p| (0..l).map(move |y| (p, y)))
        .map(|(p, y)| follows(p.checked_sub(1), y))
        .collect();
    let allowed = |p: Option<usize>, y: usize| allow[p.map_or(0, |p| p + 1) * l + y];
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut c = 1.0f32;
    for _ in 0..epochs {
        rng.shuffle(&mut order);
        for &i in &order {
            let (ids, gold) = &data[i];
            let pred = viterbi(|t| ids[t].as_slice(), ids.len(), l, &w, &tw, allowed);
            if pred != *gold {
                for t in 0..ids.len() {
                    let (g, p) = (gold[t], pred[t]);
                    if g != p {
                        for &f in &ids[t] {
                            let f = f as usize * l;
                            w[f + g] += 1.0;
                            u[f + g] += c;
                            w[f + p] -= 1.0;
                            u[f + p] -= c;
                        }
                    }
                    let gp = if t == 0 { 0 } else { gold[t - 1] + 1 };
                    let pp = if t == 0 { 0 } else { pred[t - 1] + 1 };
                    if (gp, g) != (pp, p) {
                        tw[gp * l + g] += 1.0;
                        tu[gp * l + g] += c;
                        tw[pp * l + p] -= 1.0;
                        tu[pp * l + p] -= c;
                    }
                }
            }
            c += 1.0;
        }
    }
    let average = |w: &mut [f32], u: &[f32]| {
        for (w, u) in w.iter_mut().zip(u) {
            *w -= u / c;
        }
    };
    average(&mut w, &u);
    average(&mut tw, &tu);
    Model {
        labels: names,
        index,
        weights: w,
        transitions: tw,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tokens "a b c" where `b` starts a span that `c` continues.
    fn examples() -> Vec<Example> {
        let tok = |w: &str| vec![feature(1, &[w]), feature(0, &[])];
        (0..20)
            .map(|i| {
                let words = if i % 2 == 0 {
                    ["x", "said", "hello"]
                } else {
                    ["said", "hello", "x"]
                };
                Example {
                    tokens: words.iter().map(|w| tok(w)).collect(),
                    labels: words
                        .iter()
                        .map(|w| match *w {
                            "said" => 1,
                            "hello" => 2,
                            _ => 0,
                        })
                        .collect(),
                }
            })
            .collect()
    }

    #[test]
    fn learns_separable_labels_and_round_trips_through_bytes() {
        let m = train(&["O", "B-C", "I-C"], &examples(), 5, 1, 7);
        let seq: Vec<Vec<u64>> = ["x", "said", "hello"]
            .iter()
            .map(|w| vec![feature(1, &[w]), feature(0, &[])])
            .collect();
        assert_eq!(m.tag(&seq), vec![0, 1, 2]);
        let back = Model::from_bytes(&m.to_bytes()).unwrap();
        assert_eq!(back.tag(&seq), vec![0, 1, 2]);
        assert_eq!(back.labels(), m.labels());
        assert!(m.tag(&[]).is_empty());
    }

    #[test]
    fn an_inside_label_never_starts_a_span() {
        let m = train(&["O", "B-C", "I-C"], &examples(), 5, 1, 7);
        // "hello" alone scores best as I-C, which may not start a sequence.
        let seq = vec![vec![feature(1, &["hello"]), feature(0, &[])]];
        assert_ne!(m.tag(&seq), vec![2]);
    }

    #[test]
    fn corrupt_models_are_refused_not_panicked_on() {
        let m = train(&["O", "B-C", "I-C"], &examples(), 2, 1, 7);
        let bytes = m.to_bytes();
        for cut in [0, 3, 7, 12, bytes.len() - 1] {
            assert!(Model::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut huge = bytes.clone();
        // magic, label count, the names "O", "B-C", "I-C" with their lengths, 4 x 3 transitions, scale.
        let at = MAGIC.len() + 4 + 10 + 4 * 3 * 4 + 4;
        huge[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(Model::from_bytes(&huge).is_err());
        assert!(matches!(
            Model::from_bytes(b"nope"),
            Err(ModelError::Magic) | Err(ModelError::Corrupt(_))
        ));
    }

    #[test]
    fn feature_hashes_are_stable() {
        // The shipped model depends on these values.
        assert_eq!(feature(0, &[]), 0xaf63_bd4c_8601_b7df);
        assert_ne!(feature(1, &["ab", "c"]), feature(1, &["a", "bc"]));
    }
}
