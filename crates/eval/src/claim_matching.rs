//! Claim matching: has a query's claim already been fact-checked? Scored on the claim-matching
//! set (tweets against verified claims) by MAP@5, the watch ranker's learned model beside plain
//! BM25, by cross-validation.
//!
//! Every query of `train/` and `dev/` is put in one of [`FOLDS`] folds (its position in the
//! list, sorted by set and id, modulo the fold count). For each fold the model is trained on the
//! other folds' queries and scored on this one's; the table prints each fold's MAP@5 for both
//! rankings, and which queries each fold held. The official split (train on `train/`, score on
//! `dev/`) is printed too. The model shipped in `crates/watch/data/rank.json` is trained on
//! every query: its score on them is never quoted.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::Path;

use echotrace_reuse::{Aliases, ReuseParams};
use echotrace_watch::rank::{Candidate, Model, Ranker, FEATURES};
use echotrace_watch::{Watch, WatchIndex};

use crate::{EvalError, Result};

/// Cross-validation folds.
pub const FOLDS: usize = 5;

/// A query with its candidates and which of them are right.
pub struct Query {
    /// `train` or `dev`.
    pub set: &'static str,
    /// The query's id in its set.
    pub id: String,
    /// Candidates from the ranker, with their features.
    pub candidates: Vec<Candidate>,
    /// Watch positions that are right answers.
    pub gold: HashSet<usize>,
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|e| EvalError::Io {
        path: path.to_path_buf(),
        source: e,
    })
}

/// Rows of a TSV with a header line: its fields, a field written in CSV quotes (`"a ""b"""`) unquoted.
fn tsv(text: &str) -> impl Iterator<Item = Vec<Cow<'_, str>>> {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').map(unquote).collect())
}

/// A field without its CSV quotes, doubled quotes inside made single; any other field as it is.
fn unquote(field: &str) -> Cow<'_, str> {
    match field
        .strip_prefix('"')
        .and_then(|f| f.strip_suffix('"'))
        .filter(|inner| !inner.replace("\"\"", "").contains('"'))
    {
        Some(inner) => Cow::Owned(inner.replace("\"\"", "\"")),
        None => Cow::Borrowed(field),
    }
}

/// The verified claims as a ranker (claim text watched, fact-check title as the name), and every query with its candidates.
pub fn load(dir: &Path) -> Result<(Ranker, Vec<Query>)> {
    let dir = dir.join("claim-matching");
    let docs = read(&dir.join("verified_claims.docs.tsv"))?;
    let (mut watches, mut names) = (Vec::new(), Vec::new());
    for f in tsv(&docs) {
        if f.len() >= 2 {
            watches.push(Watch {
                id: f[0].trim().to_string(),
                text: f[1].to_string(),
            });
            names.push(f.get(2).map_or(String::new(), |n| n.to_string()));
        }
    }
    let position: HashMap<String, usize> = watches
        .iter()
        .enumerate()
        .map(|(i, w)| (w.id.clone(), i))
        .collect();
    let index = WatchIndex::new(watches, &Aliases::builtin(), ReuseParams::default().align);
    let ranker = Ranker::with_names(index, names, Model::shipped())?;
    let mut queries = Vec::new();
    for set in ["train", "dev"] {
        let qtext = read(&dir.join(set).join("tweets.queries.tsv"))?;
        let qrels = read(&dir.join(set).join("tweet-vclaim-pairs.qrels"))?;
        let mut gold: HashMap<&str, HashSet<usize>> = HashMap::new();
        for l in qrels.lines() {
            let f: Vec<&str> = l.split_whitespace().collect();
            if f.len() == 4 && f[3] != "0" {
                if let Some(&p) = position.get(f[2]) {
                    gold.entry(f[0]).or_default().insert(p);
                }
            }
        }
        let mut rows: Vec<(String, String)> = tsv(&qtext)
            .filter(|f| f.len() >= 2)
            .map(|f| (f[0].trim().to_string(), f[1..].join(" ")))
            .collect();
        rows.sort_by_key(|(id, _)| id.parse::<u64>().unwrap_or(u64::MAX));
        let found: Vec<Query> = rows
            .iter()
            .filter_map(|(id, text)| {
                Some(Query {
                    set,
                    id: id.clone(),
                    candidates: ranker.candidates(text),
                    gold: gold.get(id.as_str())?.clone(),
                })
            })
            .collect();
        queries.extend(found);
    }
    Ok((ranker, queries))
}

/// Average precision at 5 of a ranking (watch positions, best first) against the right answers.
pub fn ap_at_5(ranking: &[usize], gold: &HashSet<usize>) -> f64 {
    if gold.is_empty() {
        return 0.0;
    }
    let (mut hits, mut sum) = (0.0, 0.0);
    for (k, w) in ranking.iter().take(5).enumerate() {
        if gold.contains(w) {
            hits += 1.0;
            sum += hits / (k + 1) as f64;
        }
    }
    sum / gold.len().min(5) as f64
}

/// The BM25 ranking of a query's candidates (aligned-only ones last).
fn bm25_ranking(q: &Query) -> Vec<usize> {
    let mut c: Vec<&Candidate> = q.candidates.iter().collect();
    c.sort_by(|a, b| b.bm25.total_cmp(&a.bm25).then(a.watch.cmp(&b.watch)));
    c.into_iter().map(|c| c.watch).collect()
}

/// The model's ranking of a query's candidates.
fn model_ranking(q: &Query, model: &Model) -> Vec<usize> {
    let mut c: Vec<(f64, usize)> = q
        .candidates
        .iter()
        .map(|c| (model.score(&c.features), c.watch))
        .collect();
    c.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    c.into_iter().map(|c| c.1).collect()
}

/// Fits the linear model on the candidates of `queries` by pairwise logistic regression (RankNet):
/// for each query, every pair of a right and a wrong candidate, the right one's score should be
/// the higher; L2-regularised, by gradient descent.
///
/// Written here rather than taken from a crate: a dozen weights fitted on a few tens of
/// thousands of pairs; linfa's logistic regression would bring ndarray and argmin into the
/// eval build for that, and it fits single rows, not pairs.
pub fn train(queries: &[&Query], trained_on: &str) -> Model {
    let d = queries
        .iter()
        .flat_map(|q| q.candidates.first())
        .map(|c| c.features.len())
        .max()
        .unwrap_or(FEATURES.len());
    // Each pair as the difference of its two feature vectors (right minus wrong).
    let diffs: Vec<Vec<f64>> = queries
        .iter()
        .flat_map(|q| {
            let (right, wrong): (Vec<&Candidate>, Vec<&Candidate>) =
                q.candidates.iter().partition(|c| q.gold.contains(&c.watch));
            right
                .into_iter()
                .flat_map(move |r| {
                    wrong.clone().into_iter().map(move |w| {
                        r.features
                            .iter()
                            .zip(&w.features)
                            .map(|(a, b)| a - b)
                            .collect()
                    })
                })
                .collect::<Vec<Vec<f64>>>()
        })
        .collect();
    let mut w = vec![0.0; d];
    let (lr, l2) = (1.0, 1e-4);
    if !diffs.is_empty() {
        let n = diffs.len() as f64;
        for _ in 0..1500 {
            let mut g = vec![0.0; d];
            for x in &diffs {
                let z: f64 = w.iter().zip(x).map(|(w, x)| w * x).sum();
                // d/dz of ln(1 + e^-z) is -1 / (1 + e^z).
                let s = -1.0 / (1.0 + z.exp());
                for (gi, xi) in g.iter_mut().zip(x) {
                    *gi += s * xi;
                }
            }
            for (wi, gi) in w.iter_mut().zip(&g) {
                *wi -= lr * (gi / n + l2 * *wi);
            }
        }
    }
    // A pairwise model has no intercept of its own; the bias puts a typical match near 0.5.
    let bias = -w.iter().sum::<f64>() / 2.0;
    Model {
        weights: w.iter().map(|x| (x * 1e4).round() / 1e4).collect(),
        bias: (bias * 1e4).round() / 1e4,
        trained_on: trained_on.into(),
    }
}

/// MAP@5 of BM25 and of a model over `queries`.
fn maps(queries: &[&Query], model: &Model) -> (f64, f64) {
    let n = queries.len().max(1) as f64;
    let bm25 = queries
        .iter()
        .map(|q| ap_at_5(&bm25_ranking(q), &q.gold))
        .sum::<f64>();
    let learned = queries
        .iter()
        .map(|q| ap_at_5(&model_ranking(q, model), &q.gold))
        .sum::<f64>();
    (bm25 / n, learned / n)
}

/// One cross-validation fold's queries (`set:id`) and its held-out MAP@5 for both rankings.
pub struct Fold {
    /// The fold's number.
    pub fold: usize,
    /// The held-out queries, as `set:id`.
    pub queries: Vec<String>,
    /// MAP@5 of plain BM25 on them.
    pub bm25: f64,
    /// MAP@5 of the model trained on the other folds.
    pub learned: f64,
}

/// Trains on all folds but one and scores that one, for each of the [`FOLDS`] folds.
pub fn cross_validate(all: &[&Query]) -> Vec<Fold> {
    (0..FOLDS)
        .map(|fold| {
            let fold_of = |held: bool| -> Vec<&Query> {
                all.iter()
                    .enumerate()
                    .filter(|(i, _)| (i % FOLDS == fold) == held)
                    .map(|(_, q)| *q)
                    .collect()
            };
            let (test, train_on) = (fold_of(true), fold_of(false));
            let (bm25, learned) = maps(&test, &train(&train_on, "cross-validation fold"));
            Fold {
                fold,
                queries: test.iter().map(|q| format!("{}:{}", q.set, q.id)).collect(),
                bm25,
                learned,
            }
        })
        .collect()
}

/// MAP@5 over every held-out query of `folds` (BM25, learned).
pub fn pooled(folds: &[Fold]) -> (f64, f64) {
    let n = folds.iter().map(|f| f.queries.len()).sum::<usize>().max(1) as f64;
    let sum = |g: fn(&Fold) -> f64| {
        folds
            .iter()
            .map(|f| g(f) * f.queries.len() as f64)
            .sum::<f64>()
    };
    (sum(|f| f.bm25) / n, sum(|f| f.learned) / n)
}

/// Scores by cross-validation and the official split; returns the table and the model trained on every query.
pub fn evaluate(dir: &Path) -> Result<(String, Model)> {
    let (ranker, queries) = load(dir)?;
    let all: Vec<&Query> = queries.iter().collect();
    let mut out = format!(
        "claim-matching: MAP@5 over {} queries ({} verified claims), {FOLDS}-fold cross-validation (fold = position % {FOLDS}, train then dev, by id)\n\n| fold | queries | held-out query ids | plain BM25 | learned rerank |\n| --- | --- | --- | --- | --- |\n",
        queries.len(),
        ranker.len()
    );
    let folds = cross_validate(&all);
    for f in &folds {
        out.push_str(&format!(
            "| {} | {} | {} | {:.4} | {:.4} |\n",
            f.fold,
            f.queries.len(),
            abbreviate(&f.queries),
            f.bm25,
            f.learned
        ));
    }
    let (b, l) = pooled(&folds);
    out.push_str(&format!("| all | {} | | {b:.4} | {l:.4} |\n", all.len()));
    let train_set: Vec<&Query> = all.iter().copied().filter(|q| q.set == "train").collect();
    let dev_set: Vec<&Query> = all.iter().copied().filter(|q| q.set == "dev").collect();
    let (b, l) = maps(&dev_set, &train(&train_set, "train"));
    out.push_str(&format!(
        "\nofficial split, trained on train/ ({} queries), scored on dev/ ({}): plain BM25 {b:.4}, learned rerank {l:.4}\n",
        train_set.len(),
        dev_set.len()
    ));
    let found = all
        .iter()
        .filter(|q| q.candidates.iter().any(|c| q.gold.contains(&c.watch)))
        .count();
    out.push_str(&format!(
        "queries whose right claim is among the candidates (recall of the candidate stage): {found} of {}\n",
        all.len()
    ));
    let model = train(
        &all,
        &format!(
            "claim-matching train/ and dev/ ({} queries with gold), `echotrace eval --set claim-matching --rank-model-out FILE`",
            all.len()
        ),
    );
    out.push_str(&format!(
        "model trained on every query (features {}): {}\n",
        FEATURES.join(", "),
        serde_json::to_string(&model).unwrap_or_default()
    ));
    Ok((out, model))
}

/// Cross-validated MAP@5 with a sentence model's cosine between query and claim added to the
/// features of each candidate (and the same cosine relative to the query's best candidate).
///
/// Each claim is embedded with its fact-check title, each tweet as it is. Candidates are still
/// the ranker's (BM25); the vectors only reorder them, so the candidate stage's recall is the
/// ceiling.
pub fn evaluate_with_vectors(
    dir: &Path,
    embedder: &dyn echotrace_reuse::SentenceEmbedder,
) -> Result<String> {
    let (ranker, mut queries) = load(dir)?;
    let started = std::time::Instant::now();
    let claims: Vec<String> = (0..ranker.len())
        .map(|i| format!("{} {}", ranker.watch_text(i), ranker.name(i)))
        .collect();
    let texts: Vec<String> = query_texts(dir, &queries)?;
    let embed = |xs: &[String]| -> Result<Vec<Vec<f32>>> {
        let mut out = Vec::with_capacity(xs.len());
        for chunk in xs.chunks(64) {
            let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
            out.extend(embedder.embed(&refs)?);
        }
        Ok(out)
    };
    let (claim_vectors, query_vectors) = (embed(&claims)?, embed(&texts)?);
    let secs = started.elapsed().as_secs_f64();
    let dot =
        |a: &[f32], b: &[f32]| -> f64 { a.iter().zip(b).map(|(x, y)| f64::from(x * y)).sum() };
    for (q, v) in queries.iter_mut().zip(&query_vectors) {
        let cosines: Vec<f64> = q
            .candidates
            .iter()
            .map(|c| dot(v, &claim_vectors[c.watch]))
            .collect();
        let best = cosines.iter().copied().fold(f64::MIN_POSITIVE, f64::max);
        for (c, cos) in q.candidates.iter_mut().zip(cosines) {
            c.features.push(cos);
            c.features.push(cos / best);
        }
    }
    let all: Vec<&Query> = queries.iter().collect();
    let folds = cross_validate(&all);
    let (b, l) = pooled(&folds);
    let train_set: Vec<&Query> = all.iter().copied().filter(|q| q.set == "train").collect();
    let dev_set: Vec<&Query> = all.iter().copied().filter(|q| q.set == "dev").collect();
    let (ob, ol) = maps(&dev_set, &train(&train_set, "train"));
    let mut out = format!(
        "claim-matching with sentence vectors from {} ({} claims and {} queries embedded in {secs:.0} s): MAP@5, {FOLDS}-fold cross-validation as above\n\n| fold | queries | plain BM25 | rerank with vectors |\n| --- | --- | --- | --- |\n",
        embedder.name(),
        claims.len(),
        texts.len()
    );
    for f in &folds {
        out.push_str(&format!(
            "| {} | {} | {:.4} | {:.4} |\n",
            f.fold,
            f.queries.len(),
            f.bm25,
            f.learned
        ));
    }
    out.push_str(&format!(
        "| all | {} | {b:.4} | {l:.4} |\n\nofficial split, trained on train/, scored on dev/: plain BM25 {ob:.4}, rerank with vectors {ol:.4}\n",
        all.len()
    ));
    Ok(out)
}

/// The text of each query, in the order of `queries`.
fn query_texts(dir: &Path, queries: &[Query]) -> Result<Vec<String>> {
    let mut texts: HashMap<(&str, String), String> = HashMap::new();
    for set in ["train", "dev"] {
        let q = read(
            &dir.join("claim-matching")
                .join(set)
                .join("tweets.queries.tsv"),
        )?;
        for f in tsv(&q).filter(|f| f.len() >= 2) {
            texts.insert((set, f[0].trim().to_string()), f[1..].join(" "));
        }
    }
    Ok(queries
        .iter()
        .map(|q| texts.remove(&(q.set, q.id.clone())).unwrap_or_default())
        .collect())
}

/// The first and last few of a list, for a table cell.
fn abbreviate(ids: &[String]) -> String {
    if ids.len() <= 6 {
        return ids.join(" ");
    }
    format!(
        "{} … {}",
        ids[..3].join(" "),
        ids[ids.len() - 3..].join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_precision_at_five() {
        let gold: HashSet<usize> = [7].into();
        assert_eq!(ap_at_5(&[7, 1, 2], &gold), 1.0);
        assert_eq!(ap_at_5(&[1, 7, 2], &gold), 0.5);
        assert_eq!(ap_at_5(&[1, 2, 3, 4, 5, 7], &gold), 0.0);
        let two: HashSet<usize> = [1, 3].into();
        assert!((ap_at_5(&[1, 2, 3], &two) - (1.0 + 2.0 / 3.0) / 2.0).abs() < 1e-9);
    }

    #[test]
    fn csv_quoted_fields_are_unquoted_and_others_kept() {
        assert_eq!(
            unquote(r#""He said ""no"" twice""#),
            r#"He said "no" twice"#
        );
        assert_eq!(unquote(r#"a "quoted" word"#), r#"a "quoted" word"#);
        assert_eq!(unquote(r#""left" and "right""#), r#""left" and "right""#);
        assert_eq!(unquote("\""), "\"");
        let rows: Vec<Vec<Cow<str>>> = tsv("id\ttext\n7\t\"a \"\"b\"\"\"\n").collect();
        assert_eq!(rows, vec![vec![Cow::from("7"), Cow::from(r#"a "b""#)]]);
    }
}
