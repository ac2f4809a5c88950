//! Planted translations: four consecutive English sentences of a Tatoeba
//! pair set planted into a real English article, and their translations into
//! an article made of other sentences of that language; scored by characters
//! on the foreign side (recall and precision of the planted span, a match
//! counting only when its partner is the English article of the plant).
//!
//! Cross-validation: the cases are split into five folds by the pair lines
//! they plant; the translation search's margins and cosine floor are chosen
//! on four folds (every language pooled) and scored on the fifth, so no
//! figure comes from pairs the settings were chosen on.

use std::path::Path;

use echotrace_model::Article;

use crate::{EvalError, Result};

/// The development languages: Tatoeba's code, and the code whatlang would give.
pub const LANGUAGES: [(&str, &str); 10] = [
    ("ita", "it"),
    ("por", "pt"),
    ("nld", "nl"),
    ("pol", "pl"),
    ("tur", "tr"),
    ("jpn", "ja"),
    ("ukr", "uk"),
    ("hin", "hi"),
    ("ind", "id"),
    ("vie", "vi"),
];

/// How many folds the cases are split into.
pub const FOLDS: usize = 5;

/// Sentences around each plant: English sentences kept of each real article, foreign filler sentences on each side.
const ENGLISH_SENTENCES: usize = 12;
const FILLER_EACH_SIDE: usize = 3;

/// One planted translation.
#[derive(Debug, Clone)]
pub struct Case {
    /// Index of the English article in the corpus.
    pub english: usize,
    /// Index of the foreign article.
    pub foreign: usize,
    /// Byte range of the planted translation in the foreign article.
    pub gold: (usize, usize),
    /// The fold the case belongs to.
    pub fold: usize,
}

/// A corpus for one language: English articles and foreign articles, each pair of them one case.
#[derive(Debug, Clone)]
pub struct TranslationCorpus {
    /// Tatoeba's code of the foreign language.
    pub language: &'static str,
    /// The articles (English ones first).
    pub articles: Vec<Article>,
    /// The planted translations.
    pub cases: Vec<Case>,
}

fn read_lines(p: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(p).map_err(|source| EvalError::Io {
        path: p.to_path_buf(),
        source,
    })?;
    Ok(text.lines().map(|l| l.trim().to_string()).collect())
}

/// A fixed permutation of `0..n` (xorshift, seeded).
fn permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut state = seed | 1;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let mut v: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
    v
}

/// Builds one language's corpus: `cases` plants into the first `cases` of `english` texts.
///
/// Fails when the pair files cannot be read or do not line up.
pub fn generate(
    dir: &Path,
    language: (&'static str, &'static str),
    english: &[String],
    cases: usize,
    seed: u64,
) -> Result<TranslationCorpus> {
    let (code, iso) = language;
    let base = dir.join("translation");
    let en = read_lines(&base.join(format!("tatoeba.{code}-eng.eng")))?;
    let fo = read_lines(&base.join(format!("tatoeba.{code}-eng.{code}")))?;
    if en.len() != fo.len() {
        return Err(EvalError::Gold {
            file: "translation/tatoeba.*",
            problem: "the two sides have different line counts",
        });
    }
    let order = permutation(en.len(), seed);
    let cases = cases.min(english.len()).min(en.len() / 6);
    let planted = 4 * cases;
    let filler: Vec<usize> = order[planted..].to_vec();
    let mut articles = Vec::new();
    let mut out = Vec::new();
    for c in 0..cases {
        let lines = &order[4 * c..4 * c + 4];
        // English: the real article's first sentences with the four planted after a few of them.
        let real: Vec<&str> = echotrace_language::sentences(&english[c])
            .into_iter()
            .take(ENGLISH_SENTENCES)
            .map(|(x, y)| &english[c][x..y])
            .collect();
        let at = (2 + c % 5).min(real.len());
        let mut body: Vec<&str> = real[..at].to_vec();
        body.extend(lines.iter().map(|&l| en[l].as_str()));
        body.extend(&real[at..]);
        articles.push(Article {
            id: format!("en{c}"),
            language: "en".into(),
            body: body.join(" "),
            ..Default::default()
        });
        // Foreign: filler, the four translations, filler.
        let take = |k: usize| fo[filler[(c * 2 * FILLER_EACH_SIDE + k) % filler.len()]].as_str();
        let mut text = String::new();
        for k in 0..FILLER_EACH_SIDE {
            text.push_str(take(k));
            text.push(' ');
        }
        let start = text.len();
        let translated: Vec<&str> = lines.iter().map(|&l| fo[l].as_str()).collect();
        text.push_str(&translated.join(" "));
        let end = text.len();
        for k in FILLER_EACH_SIDE..2 * FILLER_EACH_SIDE {
            text.push(' ');
            text.push_str(take(k));
        }
        let lang = echotrace_extract::detect_language(&text).unwrap_or_else(|| iso.to_string());
        articles.push(Article {
            id: format!("{code}{c}"),
            language: lang,
            body: text,
            ..Default::default()
        });
        out.push(Case {
            english: 2 * c,
            foreign: 2 * c + 1,
            gold: (start, end),
            fold: c % FOLDS,
        });
    }
    Ok(TranslationCorpus {
        language: code,
        articles,
        cases: out,
    })
}

/// Characters found and right on the foreign side, pooled over cases.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Chars {
    /// Planted characters.
    pub gold: usize,
    /// Characters of the foreign articles inside a found passage.
    pub found: usize,
    /// Found characters inside the plant, with the plant's English article as partner.
    pub right: usize,
}

impl Chars {
    /// Adds another count.
    pub fn add(&mut self, o: Chars) {
        self.gold += o.gold;
        self.found += o.found;
        self.right += o.right;
    }
    /// Share of the planted characters found.
    pub fn recall(&self) -> f64 {
        self.right as f64 / self.gold.max(1) as f64
    }
    /// Harmonic mean of precision and recall.
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    /// Share of the found characters that are right (1 when nothing was found).
    pub fn precision(&self) -> f64 {
        if self.found == 0 {
            1.0
        } else {
            self.right as f64 / self.found as f64
        }
    }
}

/// Scores found matches `(article, article, ranges)` on the foreign side of each case in `folds`.
pub fn score(
    corpus: &TranslationCorpus,
    found: &[echotrace_reuse::semantic::PairMatch],
    folds: &[usize],
) -> Chars {
    let mut total = Chars::default();
    for case in corpus.cases.iter().filter(|c| folds.contains(&c.fold)) {
        let body = &corpus.articles[case.foreign].body;
        let mut found_mask = vec![false; body.len()];
        let mut right_mask = vec![false; body.len()];
        for (a, b, m) in found {
            let (range, partner) = if *a == case.foreign {
                (m.a, *b)
            } else if *b == case.foreign {
                (m.b, *a)
            } else {
                continue;
            };
            for i in range.0..range.1.min(body.len()) {
                found_mask[i] = true;
                if partner == case.english && i >= case.gold.0 && i < case.gold.1 {
                    right_mask[i] = true;
                }
            }
        }
        let chars = |mask: &[bool]| body.char_indices().filter(|&(i, _)| mask[i]).count();
        total.add(Chars {
            gold: body[case.gold.0..case.gold.1].chars().count(),
            found: chars(&found_mask),
            right: chars(&right_mask),
        });
    }
    total
}

/// Cross-validated scores of the translation search on planted translations, per language, as a table.
#[cfg(feature = "embed")]
pub fn evaluate(
    dir: &Path,
    embedder: &dyn echotrace_reuse::SentenceEmbedder,
    cases: usize,
) -> Result<String> {
    use echotrace_reuse::translation::{candidates, merge_runs, TranslationParams};
    let english = crate::clean_texts(crate::body_texts(dir)?);
    let cached = Cached::new(embedder);
    let loose = TranslationParams {
        min_cosine: 0.72,
        ..Default::default()
    };
    let mut corpora = Vec::new();
    let started = std::time::Instant::now();
    for (k, lang) in LANGUAGES.iter().enumerate() {
        let corpus = generate(dir, *lang, &english, cases, 7 + k as u64)?;
        let bodies: Vec<&str> = corpus.articles.iter().map(|a| a.body.as_str()).collect();
        let languages: Vec<&str> = corpus
            .articles
            .iter()
            .map(|a| a.language.as_str())
            .collect();
        let c = candidates(&bodies, &languages, &cached, &loose).map_err(EvalError::Embed)?;
        corpora.push((corpus, c));
    }
    let secs = started.elapsed().as_secs_f64();
    let embedded = cached.computed();
    // The same search on vectors quantised to 8 bits, as a collection stores them.
    let quantised = Quantising(&cached);
    let mut corpora_q = Vec::new();
    for (corpus, _) in &corpora {
        let bodies: Vec<&str> = corpus.articles.iter().map(|a| a.body.as_str()).collect();
        let languages: Vec<&str> = corpus
            .articles
            .iter()
            .map(|a| a.language.as_str())
            .collect();
        corpora_q
            .push(candidates(&bodies, &languages, &quantised, &loose).map_err(EvalError::Embed)?);
    }
    let (held_out, chosen) =
        cross_validate(&corpora.iter().map(|(c, m)| (c, m)).collect::<Vec<_>>());
    let (held_out_q, _) = cross_validate(
        &corpora
            .iter()
            .zip(&corpora_q)
            .map(|((c, _), m)| (c, m))
            .collect::<Vec<_>>(),
    );
    let all: Vec<usize> = (0..FOLDS).collect();
    let shipped = TranslationParams::default();
    let on_all = choose(
        &corpora.iter().map(|(c, m)| (c, m)).collect::<Vec<_>>(),
        &all,
    );
    let mut out = format!(
        "planted translations ({} per language; {} distinct sentences embedded by {} in {secs:.1} s, {:.1} sentences/s), scored on held-out folds of the pairs; int8: the same with vectors quantised to 8 bits as a collection stores them\n| language | cases | recall | precision | F1 | shipped settings: recall | precision | int8: recall | precision |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
        corpora.first().map_or(0, |(c, _)| c.cases.len()),
        embedded,
        embedder.name(),
        embedded as f64 / secs.max(1e-9),
    );
    let mut pooled = Chars::default();
    let mut pooled_q = Chars::default();
    let mut pooled_shipped = Chars::default();
    for (k, (corpus, c)) in corpora.iter().enumerate() {
        let h = held_out[k];
        pooled.add(h);
        let q = held_out_q[k];
        pooled_q.add(q);
        let s = score(
            corpus,
            &merge_runs(&c.sentences, &c.matches, &shipped),
            &all,
        );
        pooled_shipped.add(s);
        out.push_str(&format!(
            "| {} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |\n",
            corpus.language,
            corpus.cases.len(),
            h.recall(),
            h.precision(),
            h.f1(),
            s.recall(),
            s.precision(),
            q.recall(),
            q.precision()
        ));
    }
    out.push_str(&format!(
        "| all | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |\n",
        corpora.iter().map(|(c, _)| c.cases.len()).sum::<usize>(),
        pooled.recall(),
        pooled.precision(),
        pooled.f1(),
        pooled_shipped.recall(),
        pooled_shipped.precision(),
        pooled_q.recall(),
        pooled_q.precision()
    ));
    out.push_str(&format!(
        "settings chosen on the other folds (recall at training precision >= 0.95):\n{chosen}  on every fold (what to ship): min cosine {:.2}, run margin {:.2}, single margin {:.2}; shipped: {:.2}, {:.2}, {:.2}\n",
        on_all.min_cosine, on_all.run_margin, on_all.single_margin,
        shipped.min_cosine, shipped.run_margin, shipped.single_margin
    ));
    Ok(out)
}

/// A corpus of planted translations with the candidates the search found in it.
#[cfg(feature = "embed")]
type Searched<'c> = (
    &'c TranslationCorpus,
    &'c echotrace_reuse::translation::Candidates,
);

/// The settings the search could take (a grid over the cosine floor and both margins).
#[cfg(feature = "embed")]
fn grid() -> Vec<echotrace_reuse::translation::TranslationParams> {
    let mut grid = Vec::new();
    for c in 0..8 {
        for r in 0..20 {
            for s in 0..12 {
                grid.push(echotrace_reuse::translation::TranslationParams {
                    min_cosine: 0.74 + 0.02 * c as f32,
                    run_margin: 0.96 + 0.01 * r as f32,
                    single_margin: 0.98 + 0.02 * s as f32,
                    ..Default::default()
                });
            }
        }
    }
    grid
}

/// Per corpus, what settings `p` find on the cases of `folds`.
#[cfg(feature = "embed")]
fn run(
    corpora: &[Searched],
    p: &echotrace_reuse::translation::TranslationParams,
    folds: &[usize],
) -> Vec<Chars> {
    use echotrace_reuse::translation::merge_runs;
    corpora
        .iter()
        .map(|(corpus, c)| score(corpus, &merge_runs(&c.sentences, &c.matches, p), folds))
        .collect()
}

/// The settings of the grid with the most recall at precision 0.95 on the cases of `folds`.
#[cfg(feature = "embed")]
fn choose(
    corpora: &[Searched],
    folds: &[usize],
) -> echotrace_reuse::translation::TranslationParams {
    let mut best: Option<(f64, echotrace_reuse::translation::TranslationParams)> = None;
    for p in &grid() {
        let mut t = Chars::default();
        for x in run(corpora, p, folds) {
            t.add(x);
        }
        let value = if t.precision() >= 0.95 {
            t.recall()
        } else {
            t.recall() - 1.0
        };
        if best.as_ref().is_none_or(|(v, _)| value > *v) {
            best = Some((value, *p));
        }
    }
    best.map(|(_, p)| p).unwrap_or_default()
}

/// Per corpus, the scores on each fold with settings chosen on the others; and the settings chosen.
#[cfg(feature = "embed")]
fn cross_validate(corpora: &[Searched]) -> (Vec<Chars>, String) {
    let mut held_out = vec![Chars::default(); corpora.len()];
    let mut chosen = String::new();
    for f in 0..FOLDS {
        let train: Vec<usize> = (0..FOLDS).filter(|&g| g != f).collect();
        let p = choose(corpora, &train);
        chosen.push_str(&format!(
            "  fold {f}: min cosine {:.2}, run margin {:.2}, single margin {:.2}\n",
            p.min_cosine, p.run_margin, p.single_margin
        ));
        for (k, x) in run(corpora, &p, &[f]).into_iter().enumerate() {
            held_out[k].add(x);
        }
    }
    (held_out, chosen)
}

/// An embedder whose vectors go through 8-bit quantisation, as a collection stores them.
#[cfg(feature = "embed")]
struct Quantising<'e>(&'e dyn echotrace_reuse::SentenceEmbedder);

#[cfg(feature = "embed")]
impl echotrace_reuse::SentenceEmbedder for Quantising<'_> {
    fn embed(
        &self,
        sentences: &[&str],
    ) -> std::result::Result<Vec<Vec<f32>>, echotrace_reuse::EmbedError> {
        use echotrace_reuse::sentence_index::{dequantise, quantise};
        Ok(self
            .0
            .embed(sentences)?
            .iter()
            .map(|v| dequantise(&quantise(v)))
            .collect())
    }
    fn name(&self) -> &str {
        self.0.name()
    }
    fn threshold(&self) -> f32 {
        self.0.threshold()
    }
    fn multilingual(&self) -> bool {
        self.0.multilingual()
    }
}

/// An embedder that remembers every sentence it embedded, so corpora sharing English articles embed them once.
#[cfg(feature = "embed")]
struct Cached<'e> {
    inner: &'e dyn echotrace_reuse::SentenceEmbedder,
    memo: std::sync::Mutex<std::collections::HashMap<String, Vec<f32>>>,
}

#[cfg(feature = "embed")]
impl<'e> Cached<'e> {
    fn new(inner: &'e dyn echotrace_reuse::SentenceEmbedder) -> Self {
        Cached {
            inner,
            memo: Default::default(),
        }
    }
    fn computed(&self) -> usize {
        self.memo.lock().map(|m| m.len()).unwrap_or(0)
    }
}

#[cfg(feature = "embed")]
impl echotrace_reuse::SentenceEmbedder for Cached<'_> {
    fn embed(
        &self,
        sentences: &[&str],
    ) -> std::result::Result<Vec<Vec<f32>>, echotrace_reuse::EmbedError> {
        let missing: Vec<&str> = {
            let memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
            let mut seen = std::collections::HashSet::new();
            sentences
                .iter()
                .copied()
                .filter(|s| !memo.contains_key(*s) && seen.insert(*s))
                .collect()
        };
        if !missing.is_empty() {
            let vs = self.inner.embed(&missing)?;
            let mut memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
            for (s, v) in missing.iter().zip(vs) {
                memo.insert((*s).to_string(), v);
            }
        }
        let memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
        Ok(sentences
            .iter()
            .map(|s| memo.get(*s).cloned().unwrap_or_default())
            .collect())
    }
    fn name(&self) -> &str {
        self.inner.name()
    }
    fn threshold(&self) -> f32 {
        self.inner.threshold()
    }
    fn multilingual(&self) -> bool {
        self.inner.multilingual()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> Option<std::path::PathBuf> {
        let d = crate::datasets_dir(None).ok()?;
        if d.join("translation").is_dir() {
            Some(d)
        } else {
            eprintln!("SKIPPED: no ../shared/datasets/translation");
            None
        }
    }

    #[test]
    fn plants_hold_the_translations_and_the_english_side_holds_their_source() {
        let Some(d) = dir() else { return };
        let english: Vec<String> = (0..8)
            .map(|i| format!("Real sentence number {i} of the article. Another real sentence follows here. A third one closes it."))
            .collect();
        let c = generate(&d, LANGUAGES[0], &english, 8, 1).unwrap();
        assert_eq!(c.cases.len(), 8);
        let fo = read_lines(&d.join("translation/tatoeba.ita-eng.ita")).unwrap();
        let en = read_lines(&d.join("translation/tatoeba.ita-eng.eng")).unwrap();
        for case in &c.cases {
            let planted = &c.articles[case.foreign].body[case.gold.0..case.gold.1];
            let first = fo
                .iter()
                .position(|l| planted.starts_with(l.as_str()))
                .unwrap();
            assert!(c.articles[case.english].body.contains(en[first].as_str()));
            assert!(c.articles[case.foreign].body.len() > planted.len());
        }
        // Folds split the cases.
        assert!((0..FOLDS).all(|f| c.cases.iter().any(|x| x.fold == f)));
    }

    #[test]
    fn only_the_planted_partner_counts_as_right() {
        let Some(d) = dir() else { return };
        let english: Vec<String> = (0..5)
            .map(|i| format!("Sentence {i} here. Next one."))
            .collect();
        let c = generate(&d, LANGUAGES[1], &english, 5, 2).unwrap();
        let case = &c.cases[0];
        let m = |partner: usize| {
            (
                partner,
                case.foreign,
                echotrace_reuse::semantic::SemanticMatch {
                    a: (0, 1),
                    b: case.gold,
                    cosine: 0.9,
                },
            )
        };
        let right = score(&c, &[m(case.english)], &[case.fold]);
        assert_eq!(right.recall(), right.gold as f64 / right.gold.max(1) as f64);
        assert!(right.recall() > 0.2 && right.precision() == 1.0);
        let wrong = score(&c, &[m(c.cases[1].english)], &[case.fold]);
        assert_eq!(wrong.right, 0);
        assert!(wrong.found > 0);
    }
}
