//! Ranking watches for a query text: "has this already been fact-checked?".
//!
//! Candidates come from two indexes: BM25 (tantivy, English stemming) over
//! each watch's text and over its name (a fact-check's title, say), and the
//! alignment index of [`WatchIndex`] (a query that carries a watched text
//! verbatim or reworded). Each candidate gets a few features (BM25 of the
//! text, of the name and of both, each relative to the query's best; its
//! BM25 rank; the share of the query's stemmed terms the watch holds and of
//! the watch's terms the query holds; figures shared; the aligned coverage; a
//! character 4-gram cosine, for spellings words do not share)
//! and a linear model, learned offline by logistic regression on the
//! claim-matching development queries and shipped as `data/rank.json`,
//! orders them (`echotrace eval --set claim-matching` scores it by
//! cross-validation beside plain BM25, and writes the weights).
//!
//! A query costs one BM25 search of [`CANDIDATES`] hits and one anchor
//! lookup, never a pass over every watch.

use std::collections::{HashMap, HashSet};

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, Value, STORED, TEXT};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{doc, Index, IndexReader, TantivyDocument, Term};

use crate::{Tier, WatchIndex};

/// BM25 hits considered per query.
pub const CANDIDATES: usize = 100;

/// Names of the features, in the order of [`Features::values`] and of the model's weights.
pub const FEATURES: [&str; 13] = [
    "bm25",
    "bm25_text",
    "bm25_name",
    "reciprocal_rank",
    "query_terms_held",
    "watch_terms_held",
    "figures_shared",
    "aligned_coverage",
    "query_idf_held",
    "watch_idf_held",
    "query_pairs_held",
    "char_cosine",
    "char_cosine_relative",
];

/// Why a ranker could not be built.
#[derive(Debug, thiserror::Error)]
pub enum RankError {
    /// The in-memory index failed.
    #[error("cannot index the watches for ranking: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// A model file that is not a model.
    #[error("not a ranking model (JSON with `weights` and `bias` expected): {0}")]
    Model(#[from] serde_json::Error),
}

/// The weights of the linear model over [`FEATURES`].
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Model {
    /// One weight per feature, in the order of [`FEATURES`].
    pub weights: Vec<f64>,
    /// The intercept.
    pub bias: f64,
    /// What it was trained on, for people.
    #[serde(default)]
    pub trained_on: String,
}

impl Model {
    /// The model shipped with the crate.
    pub fn shipped() -> Model {
        serde_json::from_str(include_str!("../data/rank.json")).expect("data/rank.json is a model")
    }

    /// The model's score (a log-odds) of one candidate's features.
    pub fn score(&self, f: &[f64]) -> f64 {
        self.bias + self.weights.iter().zip(f).map(|(w, x)| w * x).sum::<f64>()
    }
}

/// One candidate watch for a query, with its features.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Index of the watch in the ranker.
    pub watch: usize,
    /// Feature values, in the order of [`FEATURES`].
    pub features: Vec<f64>,
    /// The plain BM25 score over text and name (0 when found by alignment alone).
    pub bm25: f64,
    /// The alignment's tier and kind, when the query carries the watched text.
    pub aligned: Option<(Tier, &'static str)>,
}

/// A ranked watch for a query.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Ranked {
    /// The watch's id.
    pub watch: String,
    /// The model's probability that the watch matches.
    pub score: f64,
    /// `confirmed` when the query carries most of a long enough watched text, otherwise `suggested`.
    pub tier: Tier,
    /// `verbatim`, `near` or `translation` when aligned; `lexical` when only the words match.
    pub kind: &'static str,
}

/// Watches indexed for ranking.
pub struct Ranker {
    index: WatchIndex,
    names: Vec<String>,
    reader: IndexReader,
    analyzer: TextAnalyzer,
    fields: [Field; 4],
    terms: Vec<HashSet<String>>,
    pairs: Vec<HashSet<(String, String)>>,
    df: HashMap<String, u32>,
    positions: HashMap<String, usize>,
    grams: CharGrams,
    model: Model,
}

impl Ranker {
    /// Indexes the watches of `index` (their names as well, when given) with the shipped model.
    pub fn new(index: WatchIndex) -> Result<Ranker, RankError> {
        let names = vec![String::new(); index.len()];
        Ranker::with_names(index, names, Model::shipped())
    }

    /// Indexes the watches of `index` with a name each (empty for none) and a model.
    pub fn with_names(
        index: WatchIndex,
        names: Vec<String>,
        model: Model,
    ) -> Result<Ranker, RankError> {
        let mut sb = Schema::builder();
        let fields = [
            sb.add_text_field("text", TEXT),
            sb.add_text_field("name", TEXT),
            sb.add_text_field("both", TEXT),
            sb.add_u64_field("ord", STORED),
        ];
        let schema = sb.build();
        let tindex = Index::create_in_ram(schema);
        tindex.tokenizers().register("default", english());
        let mut writer = tindex.writer_with_num_threads(1, 50_000_000)?;
        for (i, w) in index.watches.iter().enumerate() {
            let name = names.get(i).map(String::as_str).unwrap_or("");
            writer.add_document(doc!(
                fields[0] => w.text.as_str(),
                fields[1] => name,
                fields[2] => format!("{} {}", w.text, name),
                fields[3] => i as u64,
            ))?;
        }
        writer.commit()?;
        let reader = tindex.reader()?;
        let mut analyzer = english();
        let terms: Vec<HashSet<String>> = index
            .watches
            .iter()
            .zip(&names)
            .map(|(w, n)| stems(&mut analyzer, &format!("{} {}", w.text, n)))
            .collect();
        let pairs = index
            .watches
            .iter()
            .zip(&names)
            .map(|(w, n)| {
                let mut p = term_pairs(&mut analyzer, &w.text);
                p.extend(term_pairs(&mut analyzer, n));
                p
            })
            .collect();
        let mut df: HashMap<String, u32> = HashMap::new();
        for t in terms.iter().flatten() {
            *df.entry(t.clone()).or_default() += 1;
        }
        let positions = index
            .watches
            .iter()
            .enumerate()
            .map(|(i, w)| (w.id.clone(), i))
            .collect();
        let grams = CharGrams::new(
            index
                .watches
                .iter()
                .zip(&names)
                .map(|(w, n)| format!("{} {}", w.text, n)),
        );
        Ok(Ranker {
            grams,
            pairs,
            df,
            positions,
            index,
            names,
            reader,
            analyzer,
            fields,
            terms,
            model,
        })
    }

    /// Number of watches.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether there is no watch.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// The id of watch `i`.
    pub fn id(&self, i: usize) -> &str {
        &self.index.watches[i].id
    }

    /// The best `top` watches for `text` under the model, best first.
    pub fn rank(&self, text: &str, top: usize) -> Vec<Ranked> {
        let mut scored: Vec<(f64, Candidate)> = self
            .candidates(text)
            .into_iter()
            .map(|c| (self.model.score(&c.features), c))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.watch.cmp(&b.1.watch)));
        scored
            .into_iter()
            .take(top)
            .map(|(s, c)| Ranked {
                watch: self.id(c.watch).to_string(),
                score: (1000.0 / (1.0 + (-s).exp())).round() / 1000.0,
                tier: c.aligned.map(|a| a.0).unwrap_or(Tier::Suggested),
                kind: c.aligned.map(|a| a.1).unwrap_or("lexical"),
            })
            .collect()
    }

    /// Every candidate for `text` with its features, in BM25 order then aligned-only ones.
    pub fn candidates(&self, text: &str) -> Vec<Candidate> {
        let mut analyzer = self.analyzer.clone();
        let q_terms = stems(&mut analyzer, text);
        if q_terms.is_empty() {
            return Vec::new();
        }
        let q_pairs = term_pairs(&mut analyzer, text);
        let idf = |t: &String| {
            let n = self.len() as f64;
            let df = f64::from(self.df.get(t).copied().unwrap_or(0));
            ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
        };
        let q_idf: f64 = q_terms.iter().map(idf).sum::<f64>().max(1e-9);
        let both = self.search(self.fields[2], &q_terms, CANDIDATES);
        let text_scores: HashMap<usize, f64> = self
            .search(self.fields[0], &q_terms, CANDIDATES)
            .into_iter()
            .collect();
        let name_scores: HashMap<usize, f64> = self
            .search(self.fields[1], &q_terms, CANDIDATES)
            .into_iter()
            .collect();
        let aligned: HashMap<usize, crate::WatchMatch> = self
            .index
            .match_text(text)
            .into_iter()
            .filter_map(|m| Some((*self.positions.get(&m.watch)?, m)))
            .collect();
        let best = |xs: &mut dyn Iterator<Item = f64>| xs.fold(f64::MIN_POSITIVE, f64::max);
        let top_both = best(&mut both.iter().map(|x| x.1));
        let top_text = best(&mut text_scores.values().copied());
        let top_name = best(&mut name_scores.values().copied());
        let q_figures = figures(text);
        let q_grams = self.grams.vector(text);
        let mut order: Vec<(usize, f64, usize)> = both
            .iter()
            .enumerate()
            .map(|(r, &(w, s))| (w, s, r + 1))
            .collect();
        let seen: HashSet<usize> = order.iter().map(|x| x.0).collect();
        let mut extra: Vec<usize> = aligned
            .keys()
            .copied()
            .filter(|w| !seen.contains(w))
            .collect();
        extra.sort_unstable();
        order.extend(extra.into_iter().map(|w| (w, 0.0, 0)));
        let cosines: Vec<f64> = order
            .iter()
            .map(|&(w, _, _)| CharGrams::cosine(&q_grams, &self.grams.vectors[w]))
            .collect();
        let top_cosine = best(&mut cosines.iter().copied());
        order
            .into_iter()
            .zip(cosines)
            .map(|((w, bm25, rank), cosine)| {
                let shared: Vec<&String> = self.terms[w].intersection(&q_terms).collect();
                let held = shared.len() as f64;
                let held_idf: f64 = shared.iter().map(|t| idf(t)).sum();
                let w_idf: f64 = self.terms[w].iter().map(idf).sum::<f64>().max(1e-9);
                let pairs_held = q_pairs.intersection(&self.pairs[w]).count() as f64;
                let watch_figures = figures(&self.index.watches[w].text);
                let m = aligned.get(&w);
                Candidate {
                    watch: w,
                    features: vec![
                        bm25 / top_both,
                        text_scores.get(&w).copied().unwrap_or(0.0) / top_text,
                        name_scores.get(&w).copied().unwrap_or(0.0) / top_name,
                        if rank == 0 { 0.0 } else { 1.0 / rank as f64 },
                        held / q_terms.len() as f64,
                        held / self.terms[w].len().max(1) as f64,
                        q_figures.intersection(&watch_figures).count().min(3) as f64 / 3.0,
                        m.map(|m| m.coverage).unwrap_or(0.0),
                        held_idf / q_idf,
                        held_idf / w_idf,
                        pairs_held / q_pairs.len().max(1) as f64,
                        cosine,
                        cosine / top_cosine,
                    ],
                    bm25,
                    aligned: m.map(|m| (m.tier, m.kind.as_str())),
                }
            })
            .collect()
    }

    /// The watched text of watch `i`.
    pub fn watch_text(&self, i: usize) -> &str {
        &self.index.watches[i].text
    }

    /// The name of watch `i` (empty when none).
    pub fn name(&self, i: usize) -> &str {
        &self.names[i]
    }

    /// BM25 hits of the query's terms (any of them) on `field`: (watch, score), best first.
    fn search(&self, field: Field, terms: &HashSet<String>, k: usize) -> Vec<(usize, f64)> {
        let mut sorted: Vec<&String> = terms.iter().collect();
        sorted.sort();
        let clauses: Vec<(Occur, Box<dyn Query>)> = sorted
            .into_iter()
            .map(|t| {
                let q: Box<dyn Query> = Box::new(TermQuery::new(
                    Term::from_field_text(field, t),
                    IndexRecordOption::WithFreqs,
                ));
                (Occur::Should, q)
            })
            .collect();
        let searcher = self.reader.searcher();
        let Ok(top) = searcher.search(
            &BooleanQuery::new(clauses),
            &TopDocs::with_limit(k.max(1)).order_by_score(),
        ) else {
            return Vec::new();
        };
        top.into_iter()
            .filter_map(|(score, addr)| {
                let d: TantivyDocument = searcher.doc(addr).ok()?;
                let ord = d.get_first(self.fields[3])?.as_u64()?;
                Some((ord as usize, score as f64))
            })
            .collect()
    }
}

/// Character 4-gram TF-IDF vectors of the watches, for the spellings words do not share:
/// `#COVID19` and "COVID-19", `@realDonaldTrump` and "Donald Trump", "vaccines" and
/// "vaccinated".
///
/// Grams are taken inside each word padded with a space at both ends (lower-cased,
/// alphanumeric runs), hashed to 32 bits; each vector is sorted by gram and unit length.
/// By hand: a sparse cosine over sorted pairs is a dozen lines, and no crate offers
/// character n-gram TF-IDF without a dense matrix library.
struct CharGrams {
    docs: usize,
    df: HashMap<u32, u32>,
    vectors: Vec<Vec<(u32, f32)>>,
}

impl CharGrams {
    /// Gram length in characters.
    const N: usize = 4;

    fn new(texts: impl Iterator<Item = String>) -> CharGrams {
        let counts: Vec<HashMap<u32, u32>> = texts.map(|t| Self::counts(&t)).collect();
        let mut df: HashMap<u32, u32> = HashMap::new();
        for g in counts.iter().flat_map(|c| c.keys()) {
            *df.entry(*g).or_default() += 1;
        }
        let mut grams = CharGrams {
            docs: counts.len(),
            df,
            vectors: Vec::new(),
        };
        grams.vectors = counts.iter().map(|c| grams.weigh(c)).collect();
        grams
    }

    /// The unit TF-IDF vector of `text` under the watches' document frequencies.
    fn vector(&self, text: &str) -> Vec<(u32, f32)> {
        self.weigh(&Self::counts(text))
    }

    fn counts(text: &str) -> HashMap<u32, u32> {
        let mut out: HashMap<u32, u32> = HashMap::new();
        let mut word: Vec<char> = Vec::new();
        for c in text.chars().chain(std::iter::once(' ')) {
            if c.is_alphanumeric() {
                word.extend(c.to_lowercase());
                continue;
            }
            if !word.is_empty() {
                word.insert(0, ' ');
                word.push(' ');
                for g in word.windows(Self::N) {
                    let h = g.iter().fold(0x811c_9dc5u32, |h, &c| {
                        (h ^ c as u32).wrapping_mul(0x0100_0193)
                    });
                    *out.entry(h).or_default() += 1;
                }
                word.clear();
            }
        }
        out
    }

    fn weigh(&self, counts: &HashMap<u32, u32>) -> Vec<(u32, f32)> {
        let n = self.docs as f64;
        let mut v: Vec<(u32, f32)> = counts
            .iter()
            .map(|(&g, &c)| {
                let df = f64::from(self.df.get(&g).copied().unwrap_or(0));
                let idf = ((1.0 + n) / (1.0 + df)).ln() + 1.0;
                (g, ((1.0 + f64::from(c).ln()) * idf) as f32)
            })
            .collect();
        let norm = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt().max(1e-9);
        v.iter_mut().for_each(|x| x.1 /= norm);
        v.sort_unstable_by_key(|x| x.0);
        v
    }

    /// The cosine of two unit vectors sorted by gram.
    fn cosine(a: &[(u32, f32)], b: &[(u32, f32)]) -> f64 {
        let (mut i, mut j, mut dot) = (0, 0, 0.0f64);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    dot += f64::from(a[i].1 * b[j].1);
                    i += 1;
                    j += 1;
                }
            }
        }
        dot
    }
}

/// The analyser of every field and query: words, lower-cased, English stop words out, stemmed.
fn english() -> TextAnalyzer {
    use tantivy::tokenizer::{
        Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter,
    };
    let mut builder = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .dynamic();
    if let Some(stop) = StopWordFilter::new(Language::English) {
        builder = builder.filter_dynamic(stop);
    }
    builder
        .filter_dynamic(Stemmer::new(Language::English))
        .build()
}

/// The distinct analysed terms of `text`.
fn stems(analyzer: &mut TextAnalyzer, text: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.insert(stream.token().text.clone());
    }
    out
}

/// Adjacent pairs of analysed terms of `text` (stop words skipped): phrases the two texts share.
fn term_pairs(analyzer: &mut TextAnalyzer, text: &str) -> HashSet<(String, String)> {
    let mut out = HashSet::new();
    let mut prev: Option<String> = None;
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let t = stream.token().text.clone();
        if let Some(p) = prev.replace(t.clone()) {
            out.insert((p, t));
        }
    }
    out
}

/// The figures in `text` (runs of digits, separators dropped), for "figures shared".
fn figures(text: &str) -> HashSet<String> {
    text.split(|c: char| !(c.is_ascii_digit() || c == ',' || c == '.'))
        .map(|w| w.chars().filter(char::is_ascii_digit).collect::<String>())
        .filter(|d| !d.is_empty() && d.len() <= 12)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranker(texts: &[(&str, &str)]) -> Ranker {
        Ranker::new(crate::tests::index(texts)).unwrap()
    }

    #[test]
    fn the_claim_a_query_restates_ranks_first() {
        let r = ranker(&[
            ("c1", "Seventy per cent of those arrested during the protests in Charlotte carried out-of-state IDs."),
            ("c2", "The city of Charlotte will host a jazz festival in June."),
            ("c3", "A vaccine trial in Brazil was halted after a volunteer died."),
        ]);
        let found = r.rank(
            "So 70 per cent of the protesters arrested in Charlotte were from out of state? Wow",
            3,
        );
        assert_eq!(found[0].watch, "c1", "{found:?}");
        assert!(found[0].score > found.get(1).map(|f| f.score).unwrap_or(0.0));
        assert!(r.rank("", 3).is_empty());
        assert!(
            r.rank("the of and", 3).is_empty(),
            "stop words alone match nothing"
        );
    }

    #[test]
    fn figures_are_read_without_separators() {
        let f = figures("17,000 troops and 3.5 million, 2022");
        assert!(f.contains("17000") && f.contains("35") && f.contains("2022"));
    }
}
