//! Translation variants found by meaning: each distinct sentence embedded
//! once, a nearest-neighbour index per language, sentence pairs scored by
//! their margin over each side's neighbourhood, and runs of matched
//! sentences merged into passages with byte offsets on both sides.
//!
//! Why a margin: a multilingual encoder places some sentences (short,
//! generic ones) close to many others, so a raw cosine cut lets those
//! through. The ratio of a pair's cosine to the mean cosine of each side's
//! nearest neighbours in the other language (the margin criterion of
//! Artetxe and Schwenk, used for LASER's bitext mining) asks instead whether
//! the two sentences are closer to each other than to everything else.
//!
//! Why runs: one sentence pair can be a coincidence; two or more
//! consecutive sentences matched in order on both sides rarely are, so a run
//! is accepted at a lower margin than a lone sentence.
//!
//! Cost: sentences are de-duplicated before embedding (a wire text echoed by
//! many outlets is embedded once), each distinct sentence is looked up in
//! the index of every other language present (`neighbours` each), and a
//! matched pair of distinct sentences is expanded to article pairs against
//! the first carrier of each side only, so a text echoed by k outlets on
//! each side gives 2k article pairs, not k².

use std::collections::{HashMap, HashSet};

use crate::semantic::{PairMatch, SemanticMatch};

/// Settings of the translation search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TranslationParams {
    /// Shortest sentence worth embedding, in words (characters of scripts written without spaces count half a word).
    pub min_words: usize,
    /// Neighbours looked up per sentence in each other language; the margin averages their cosines.
    pub neighbours: usize,
    /// Cosine assumed for neighbours a small index cannot supply (a model's typical unrelated pair).
    pub background: f32,
    /// Lowest cosine a sentence pair may have at all.
    pub min_cosine: f32,
    /// Mean margin at or above which a run of two or more sentences is a translation.
    pub run_margin: f32,
    /// Margin at or above which a lone sentence is a translation.
    pub single_margin: f32,
}

impl Default for TranslationParams {
    /// Calibrated for multilingual-e5-small by `eval --set translation`
    /// (cross-validated by folds of the sentence pairs; docs/MEASUREMENTS.md).
    fn default() -> Self {
        TranslationParams {
            min_words: 4,
            neighbours: 8,
            background: 0.78,
            min_cosine: 0.74,
            run_margin: 1.01,
            single_margin: 1.04,
        }
    }
}

/// Size of a sentence in words; characters of scripts written without spaces count half a word.
pub fn sentence_words(s: &str) -> usize {
    let spaced = s.split_whitespace().count();
    let unspaced = s.chars().filter(|&c| written_without_spaces(c)).count();
    // A run of such characters is one whitespace "word" already; count it by its characters instead.
    spaced + unspaced / 2
}

fn written_without_spaces(c: char) -> bool {
    matches!(c,
        '\u{0E00}'..='\u{0EFF}' // Thai, Lao
        | '\u{3040}'..='\u{30FF}' // kana
        | '\u{3400}'..='\u{9FFF}' // CJK ideographs
        | '\u{AC00}'..='\u{D7AF}' // Hangul
        | '\u{F900}'..='\u{FAFF}')
}

/// A sentence of one article matched to a sentence of another, before runs are merged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SentenceMatch {
    /// The earlier article (index into the corpus).
    pub a: usize,
    /// Index of the sentence in `a`'s embedded sentences.
    pub sa: usize,
    /// The later article.
    pub b: usize,
    /// Index of the sentence in `b`'s embedded sentences.
    pub sb: usize,
    /// Cosine of the two sentence vectors.
    pub cosine: f32,
    /// Cosine over the mean cosine of both sides' nearest neighbours in the other's language.
    pub margin: f32,
}

/// What the neighbour search found: each article's embedded sentences and the matched pairs.
#[derive(Debug, Default, Clone)]
pub struct Candidates {
    /// Per article, the byte ranges of the sentences that were embedded, in order.
    pub sentences: Vec<Vec<(usize, usize)>>,
    /// Sentence pairs across languages at or above `min_cosine`, with their margins.
    pub matches: Vec<SentenceMatch>,
    /// Distinct sentences embedded.
    pub embedded: usize,
    /// Neighbour look-ups made.
    pub lookups: usize,
}

#[cfg(feature = "embed")]
/// Distinct sentences of a corpus, by language, with where each occurs.
struct Units<'t> {
    texts: Vec<&'t str>,
    language: Vec<u16>,
    /// (article, sentence index) of every carrier, in article order.
    carriers: Vec<Vec<(usize, usize)>>,
    languages: usize,
}

#[cfg(feature = "embed")]
fn units<'t>(
    bodies: &[&'t str],
    languages: &[&str],
    params: &TranslationParams,
) -> (Units<'t>, Vec<Vec<(usize, usize)>>) {
    let mut lang_id: HashMap<&str, u16> = HashMap::new();
    let mut key: HashMap<(u16, &'t str), usize> = HashMap::new();
    let mut u = Units {
        texts: Vec::new(),
        language: Vec::new(),
        carriers: Vec::new(),
        languages: 0,
    };
    let mut sentences = vec![Vec::new(); bodies.len()];
    for (d, body) in bodies.iter().enumerate() {
        let lang = languages.get(d).copied().unwrap_or("");
        if lang.is_empty() {
            continue;
        }
        let next = lang_id.len() as u16;
        let l = *lang_id.entry(lang).or_insert(next);
        for (x, y) in echotrace_language::sentences(body) {
            let text = &body[x..y];
            if sentence_words(text) < params.min_words {
                continue;
            }
            let s = sentences[d].len();
            sentences[d].push((x, y));
            let id = *key.entry((l, text)).or_insert_with(|| {
                u.texts.push(text);
                u.language.push(l);
                u.carriers.push(Vec::new());
                u.texts.len() - 1
            });
            u.carriers[id].push((d, s));
        }
    }
    u.languages = lang_id.len();
    (u, sentences)
}

/// Finds sentence pairs across languages by nearest-neighbour search over sentence vectors.
///
/// `languages[d]` is article `d`'s language code; articles without one are
/// skipped. Fails only when the embedder fails.
#[cfg(feature = "embed")]
pub fn candidates(
    bodies: &[&str],
    languages: &[&str],
    embedder: &dyn crate::SentenceEmbedder,
    params: &TranslationParams,
) -> Result<Candidates, crate::EmbedError> {
    let (units, sentences) = units(bodies, languages, params);
    if units.languages < 2 {
        return Ok(Candidates {
            sentences,
            ..Default::default()
        });
    }
    let vectors = embed_by_length(&units.texts, embedder)?;
    let (hits, lookups) = neighbours(&units, &vectors, params.neighbours);
    let matches = score_and_expand(&units, &hits, params);
    Ok(Candidates {
        sentences,
        matches,
        embedded: units.texts.len(),
        lookups,
    })
}

/// Embeds texts in batches of similar length (little padding), returning vectors in input order.
pub fn embed_by_length(
    texts: &[&str],
    embedder: &dyn crate::SentenceEmbedder,
) -> Result<Vec<Vec<f32>>, crate::EmbedError> {
    let mut order: Vec<usize> = (0..texts.len()).collect();
    order.sort_by_key(|&i| texts[i].len());
    let mut out: Vec<Vec<f32>> = vec![Vec::new(); texts.len()];
    for chunk in order.chunks(64) {
        let batch: Vec<&str> = chunk.iter().map(|&i| texts[i]).collect();
        let vs = embedder.embed(&batch)?;
        if vs.len() != chunk.len() {
            return Err(crate::EmbedError::Count {
                model: embedder.name().to_string(),
                got: vs.len(),
                sentences: chunk.len(),
            });
        }
        for (&i, v) in chunk.iter().zip(vs) {
            out[i] = v;
        }
    }
    Ok(out)
}

#[cfg(feature = "embed")]
/// Per unit: its nearest units in every other language, and the mean cosine of those per language.
struct Hits {
    near: Vec<Vec<(u32, f32)>>,
    /// Sum of the cosines of a unit's neighbours in one language, and how many were found.
    sums: HashMap<(u32, u16), (f32, u32)>,
}

/// An HNSW index per language (`hnsw_rs`: pure Rust, takes inserts after
/// it is built, which a growing collection needs; `usearch` would add a C++
/// build, `arroy` an LMDB store beside ours).
#[cfg(feature = "embed")]
fn neighbours(units: &Units, vectors: &[Vec<f32>], k: usize) -> (Hits, usize) {
    use crate::sentence_index::UnitCosine;
    use hnsw_rs::prelude::Hnsw;
    use rayon::prelude::*;
    let mut by_lang: Vec<Vec<usize>> = vec![Vec::new(); units.languages];
    for (i, &l) in units.language.iter().enumerate() {
        by_lang[l as usize].push(i);
    }
    let indices: Vec<Hnsw<f32, UnitCosine>> = by_lang
        .iter()
        .map(|members| {
            let layers = 16
                .min((members.len().max(2) as f64).ln().ceil() as usize)
                .max(1);
            let h = Hnsw::<f32, UnitCosine>::new(16, members.len().max(1), layers, 128, UnitCosine);
            let data: Vec<(&[f32], usize)> = members
                .iter()
                .map(|&i| (vectors[i].as_slice(), i))
                .collect();
            h.parallel_insert_slice(&data);
            h
        })
        .collect();
    type Found = (Vec<(u32, f32)>, Vec<(u16, (f32, u32))>, usize);
    let per_unit: Vec<Found> = (0..units.texts.len())
        .into_par_iter()
        .map(|i| {
            let mut near = Vec::new();
            let mut sums = Vec::new();
            let mut lookups = 0;
            for (l, members) in by_lang.iter().enumerate() {
                if l == units.language[i] as usize || members.is_empty() {
                    continue;
                }
                lookups += 1;
                let found = indices[l].search(&vectors[i], k, (2 * k).max(48));
                let mut sum = 0.0;
                let mut n = 0;
                for nb in found.iter().take(k) {
                    let cos = 1.0 - nb.distance;
                    sum += cos;
                    n += 1;
                    near.push((nb.d_id as u32, cos));
                }
                sums.push((l as u16, (sum, n)));
            }
            (near, sums, lookups)
        })
        .collect();
    let mut hits = Hits {
        near: Vec::with_capacity(per_unit.len()),
        sums: HashMap::new(),
    };
    let mut lookups = 0;
    for (i, (near, sums, l)) in per_unit.into_iter().enumerate() {
        lookups += l;
        for (lang, s) in sums {
            hits.sums.insert((i as u32, lang), s);
        }
        hits.near.push(near);
    }
    (hits, lookups)
}

#[cfg(feature = "embed")]
/// The mean cosine of a unit's `k` nearest neighbours in `lang`, neighbours a small index lacks counted at the background.
fn neighbourhood(hits: &Hits, unit: u32, lang: u16, params: &TranslationParams) -> f32 {
    let (sum, found) = hits.sums.get(&(unit, lang)).copied().unwrap_or((0.0, 0));
    let k = params.neighbours.max(1) as f32;
    let found = found as f32;
    (sum + (k - found).max(0.0) * params.background) / k.max(found)
}

#[cfg(feature = "embed")]
/// Scores each neighbour pair by its margin and expands it to article pairs (first carrier of each side against every carrier of the other).
fn score_and_expand(units: &Units, hits: &Hits, params: &TranslationParams) -> Vec<SentenceMatch> {
    let mut seen: HashSet<(u32, u32)> = HashSet::new();
    let mut out: HashSet<(usize, usize, usize, usize)> = HashSet::new();
    let mut matches = Vec::new();
    for (u, near) in hits.near.iter().enumerate() {
        let u = u as u32;
        for &(v, cos) in near {
            if cos < params.min_cosine || !seen.insert((u.min(v), u.max(v))) {
                continue;
            }
            let (lu, lv) = (units.language[u as usize], units.language[v as usize]);
            let denom =
                (neighbourhood(hits, u, lv, params) + neighbourhood(hits, v, lu, params)) / 2.0;
            let margin = cos / denom.max(1e-6);
            let (cu, cv) = (&units.carriers[u as usize], &units.carriers[v as usize]);
            let pairs = cv
                .iter()
                .map(|&y| (cu[0], y))
                .chain(cu.iter().skip(1).map(|&x| (x, cv[0])));
            for ((da, sa), (db, sb)) in pairs {
                if da == db {
                    continue;
                }
                let m = if da < db {
                    (da, sa, db, sb)
                } else {
                    (db, sb, da, sa)
                };
                if out.insert(m) {
                    matches.push(SentenceMatch {
                        a: m.0,
                        sa: m.1,
                        b: m.2,
                        sb: m.3,
                        cosine: cos,
                        margin,
                    });
                }
            }
        }
    }
    matches.sort_by_key(|m| (m.a, m.b, m.sa, m.sb));
    matches
}

/// Merges matched sentences into passages: per article pair, each sentence
/// used once (best margin first), runs of sentences in order on both sides
/// (gaps of at most one sentence) kept at `run_margin`, lone sentences at
/// `single_margin`.
pub fn merge_runs(
    sentences: &[Vec<(usize, usize)>],
    matches: &[SentenceMatch],
    params: &TranslationParams,
) -> Vec<PairMatch> {
    let floor = params.run_margin.min(params.single_margin);
    let mut by_pair: HashMap<(usize, usize), Vec<SentenceMatch>> = HashMap::new();
    for m in matches {
        if m.cosine >= params.min_cosine && m.margin >= floor {
            by_pair.entry((m.a, m.b)).or_default().push(*m);
        }
    }
    let mut keys: Vec<(usize, usize)> = by_pair.keys().copied().collect();
    keys.sort_unstable();
    let mut out = Vec::new();
    for key in keys {
        let mut ms = by_pair.remove(&key).unwrap_or_default();
        ms.sort_by(|x, y| y.margin.total_cmp(&x.margin));
        let (mut used_a, mut used_b) = (HashSet::new(), HashSet::new());
        ms.retain(|m| used_a.insert(m.sa) && used_b.insert(m.sb));
        ms.sort_by_key(|m| m.sa);
        let mut run: Vec<SentenceMatch> = Vec::new();
        let flush = |run: &mut Vec<SentenceMatch>, out: &mut Vec<PairMatch>| {
            if run.is_empty() {
                return;
            }
            let n = run.len() as f32;
            let mean_margin = run.iter().map(|m| m.margin).sum::<f32>() / n;
            if run.len() >= 2 && mean_margin >= params.run_margin {
                let (first, last) = (run[0], run[run.len() - 1]);
                out.push((
                    key.0,
                    key.1,
                    SemanticMatch {
                        a: (sentences[key.0][first.sa].0, sentences[key.0][last.sa].1),
                        b: (sentences[key.1][first.sb].0, sentences[key.1][last.sb].1),
                        cosine: run.iter().map(|m| m.cosine).sum::<f32>() / n,
                    },
                ));
            } else {
                for m in run.iter().filter(|m| m.margin >= params.single_margin) {
                    out.push((
                        key.0,
                        key.1,
                        SemanticMatch {
                            a: sentences[key.0][m.sa],
                            b: sentences[key.1][m.sb],
                            cosine: m.cosine,
                        },
                    ));
                }
            }
            run.clear();
        };
        for m in ms {
            let follows = run.last().is_some_and(|p| {
                m.sa > p.sa && m.sa <= p.sa + 2 && m.sb > p.sb && m.sb <= p.sb + 2
            });
            if !follows {
                flush(&mut run, &mut out);
            }
            run.push(m);
        }
        flush(&mut run, &mut out);
    }
    out
}

/// Adds `runs` to `found`, leaving out those that overlap a match already
/// found for the same article pair or that lie mostly inside the pair's
/// lexical passages (`lexical`: byte ranges covered on each side).
pub fn add_uncovered(
    mut found: Vec<PairMatch>,
    runs: Vec<PairMatch>,
    lexical: &HashMap<(usize, usize), crate::semantic::Coverage>,
) -> Vec<PairMatch> {
    let overlap = |x: (usize, usize), y: (usize, usize)| x.1.min(y.1).saturating_sub(x.0.max(y.0));
    let mostly_inside = |r: (usize, usize), ranges: &[(usize, usize)]| {
        let c: usize = ranges.iter().map(|&x| overlap(x, r)).sum();
        c * 2 >= r.1 - r.0
    };
    // Per article pair, the (a, b) byte ranges already taken.
    type Taken = Vec<(crate::semantic::Range, crate::semantic::Range)>;
    let mut taken: HashMap<(usize, usize), Taken> = HashMap::new();
    for (a, b, m) in &found {
        taken.entry((*a, *b)).or_default().push((m.a, m.b));
    }
    for (a, b, m) in runs {
        if let Some((la, lb)) = lexical.get(&(a, b)) {
            if mostly_inside(m.a, la) || mostly_inside(m.b, lb) {
                continue;
            }
        }
        let t = taken.entry((a, b)).or_default();
        if t.iter()
            .any(|&(x, y)| overlap(x, m.a) > 0 || overlap(y, m.b) > 0)
        {
            continue;
        }
        t.push((m.a, m.b));
        found.push((a, b, m));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(sa: usize, sb: usize, margin: f32) -> SentenceMatch {
        SentenceMatch {
            a: 0,
            sa,
            b: 1,
            sb,
            cosine: 0.9,
            margin,
        }
    }

    fn sentences() -> Vec<Vec<(usize, usize)>> {
        let s: Vec<(usize, usize)> = (0..10).map(|i| (i * 10, i * 10 + 9)).collect();
        vec![s.clone(), s]
    }

    #[test]
    fn consecutive_matches_merge_into_one_passage_at_the_run_margin() {
        let p = TranslationParams::default();
        let run = [
            m(2, 5, p.run_margin),
            m(3, 6, p.run_margin),
            m(5, 7, p.run_margin),
        ];
        let out = merge_runs(&sentences(), &run, &p);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].2.a, (20, 59));
        assert_eq!(out[0].2.b, (50, 79));
    }

    #[test]
    fn a_lone_sentence_needs_the_higher_margin() {
        let p = TranslationParams::default();
        let lone = [m(2, 5, p.run_margin), m(8, 1, p.single_margin)];
        let out = merge_runs(&sentences(), &lone, &p);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].2.a, (80, 89));
    }

    #[test]
    fn each_sentence_is_used_once_best_margin_first() {
        let p = TranslationParams::default();
        let out = merge_runs(
            &sentences(),
            &[m(2, 5, p.single_margin), m(2, 6, p.single_margin + 0.1)],
            &p,
        );
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].2.b, (60, 69));
    }

    #[test]
    fn words_of_unspaced_scripts_count_by_characters() {
        assert_eq!(sentence_words("The cat sat on the mat."), 6);
        assert!(sentence_words("私は毎朝六時に起きます。") >= 5);
    }
}
