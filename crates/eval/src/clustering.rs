//! Story clustering against `clustering/mds_ac_dev.json`: articles grouped
//! by event (English, Indonesian/Malay and Chinese mixed).
//!
//! Scores are pairwise precision, recall and F1 (a pair of articles is
//! positive when both sit in one cluster) and the adjusted Rand index. The
//! baseline is TF-IDF cosine over lower-cased words with single linkage,
//! at the threshold that is best on this very set (an optimistic baseline).

use std::collections::HashMap;
use std::path::Path;

use crate::{EvalError, Result};

use echotrace_model::Article;
use echotrace_reuse::{find_passages, Aliases, ReuseParams};
use echotrace_stories::StoryParams;
use unicode_segmentation::UnicodeSegmentation;

/// Pairwise and ARI scores of one clustering against gold.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClusterScore {
    /// Pairwise precision.
    pub precision: f64,
    /// Pairwise recall.
    pub recall: f64,
    /// Pairwise F1.
    pub f1: f64,
    /// Adjusted Rand index.
    pub ari: f64,
    /// Number of predicted clusters.
    pub clusters: usize,
}

/// The dev set as articles, and the gold cluster of each.
pub fn load(dir: &Path) -> Result<(Vec<Article>, Vec<i64>)> {
    let path = dir.join("clustering/mds_ac_dev.json");
    let text = std::fs::read_to_string(&path).map_err(EvalError::io(&path))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(EvalError::json(&path))?;
    let items = v["articles"].as_array().ok_or(EvalError::Gold {
        file: "mds_ac_dev.json",
        problem: "no articles array",
    })?;
    let gold: Vec<i64> = v["clusters"]
        .as_array()
        .ok_or(EvalError::Gold {
            file: "mds_ac_dev.json",
            problem: "no clusters array",
        })?
        .iter()
        .map(|c| c.as_i64().unwrap_or(-1))
        .collect();
    if gold.len() != items.len() {
        return Err(EvalError::ClusterCount {
            path,
            articles: items.len(),
            clusters: gold.len(),
        });
    }
    let articles = items
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let body = a["sentences"]
                .as_array()
                .map(|ss| {
                    ss.iter()
                        .filter_map(|s| s["content"].as_str())
                        .collect::<Vec<_>>()
                        .join("\n\n")
                })
                .unwrap_or_default();
            let language =
                echotrace_extract::detect_language(&body).unwrap_or_else(|| "und".into());
            Article {
                id: format!("a{i}"),
                title: a["title"].as_str().map(str::to_string),
                body,
                language,
                ..Default::default()
            }
        })
        .collect();
    Ok((articles, gold))
}

/// Pairwise P/R/F1 and ARI of `pred` against `gold` (one label per item).
pub fn score<A: Eq + std::hash::Hash + Copy, B: Eq + std::hash::Hash + Copy>(
    pred: &[A],
    gold: &[B],
) -> ClusterScore {
    let n = pred.len().min(gold.len());
    let mut table: HashMap<(A, B), u64> = HashMap::new();
    let mut rows: HashMap<A, u64> = HashMap::new();
    let mut cols: HashMap<B, u64> = HashMap::new();
    for i in 0..n {
        *table.entry((pred[i], gold[i])).or_insert(0) += 1;
        *rows.entry(pred[i]).or_insert(0) += 1;
        *cols.entry(gold[i]).or_insert(0) += 1;
    }
    let c2 = |x: u64| (x * x.saturating_sub(1) / 2) as f64;
    let both: f64 = table.values().map(|&x| c2(x)).sum();
    let pred_pairs: f64 = rows.values().map(|&x| c2(x)).sum();
    let gold_pairs: f64 = cols.values().map(|&x| c2(x)).sum();
    let total = c2(n as u64);
    let precision = if pred_pairs > 0.0 {
        both / pred_pairs
    } else {
        1.0
    };
    let recall = if gold_pairs > 0.0 {
        both / gold_pairs
    } else {
        1.0
    };
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    let expected = if total > 0.0 {
        pred_pairs * gold_pairs / total
    } else {
        0.0
    };
    let max = (pred_pairs + gold_pairs) / 2.0;
    let ari = if (max - expected).abs() < f64::EPSILON {
        1.0
    } else {
        (both - expected) / (max - expected)
    };
    ClusterScore {
        precision,
        recall,
        f1,
        ari,
        clusters: rows.len(),
    }
}

/// echotrace's stories (reuse passages, then stories) as one label per article.
pub fn echotrace_labels(
    articles: &[Article],
    passages: &[echotrace_model::Passage],
    params: &StoryParams,
) -> Vec<usize> {
    labels_with(articles, passages, params, None)
}

/// [`echotrace_labels`], with multilingual document vectors when given.
fn labels_with(
    articles: &[Article],
    passages: &[echotrace_model::Passage],
    params: &StoryParams,
    documents: Option<&[Vec<f32>]>,
) -> Vec<usize> {
    let aliases = Aliases::builtin();
    let stories = echotrace_stories::build_with(articles, passages, &aliases, params, documents);
    let mut label = vec![usize::MAX; articles.len()];
    let index: HashMap<&str, usize> = articles
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    for (s, story) in stories.iter().enumerate() {
        for id in &story.articles {
            if let Some(&i) = index.get(id.as_str()) {
                label[i] = s;
            }
        }
    }
    label
}

/// TF-IDF vectors over lower-cased words, L2-normalised (the baseline's representation).
fn word_vectors(articles: &[Article]) -> Vec<HashMap<String, f64>> {
    let docs: Vec<HashMap<String, f64>> = articles
        .iter()
        .map(|a| {
            let mut m = HashMap::new();
            let text = format!("{} {}", a.title.as_deref().unwrap_or(""), a.body);
            for w in text.unicode_words() {
                *m.entry(w.to_lowercase()).or_insert(0.0) += 1.0;
            }
            m
        })
        .collect();
    let mut df: HashMap<&str, f64> = HashMap::new();
    for d in &docs {
        for k in d.keys() {
            *df.entry(k.as_str()).or_insert(0.0) += 1.0;
        }
    }
    let n = docs.len() as f64;
    docs.iter()
        .map(|d| {
            let mut v: HashMap<String, f64> = d
                .iter()
                .map(|(k, tf)| (k.clone(), tf * ((n + 1.0) / (df[k.as_str()] + 1.0)).ln()))
                .collect();
            let norm = v.values().map(|x| x * x).sum::<f64>().sqrt().max(1e-12);
            v.values_mut().for_each(|x| *x /= norm);
            v
        })
        .collect()
}

fn dot(a: &HashMap<String, f64>, b: &HashMap<String, f64>) -> f64 {
    a.iter()
        .filter_map(|(k, w)| b.get(k).map(|w2| w * w2))
        .sum()
}

/// Gold clusters whose members share almost no words (mean pairwise cosine
/// below 0.05, over 20 members) are catch-alls of unclustered articles;
/// this view scores their members as singletons.
pub fn without_catch_all(articles: &[Article], gold: &[i64]) -> (Vec<i64>, usize) {
    let vecs = word_vectors(articles);
    let mut by: HashMap<i64, Vec<usize>> = HashMap::new();
    for (i, g) in gold.iter().enumerate() {
        by.entry(*g).or_default().push(i);
    }
    let mut out = gold.to_vec();
    let mut moved = 0;
    for m in by.values().filter(|m| m.len() > 20) {
        let mut sum = 0.0;
        let mut count = 0.0;
        for (x, &i) in m.iter().enumerate() {
            for &j in &m[x + 1..] {
                sum += dot(&vecs[i], &vecs[j]);
                count += 1.0;
            }
        }
        if sum / count < 0.05 {
            for &i in m {
                out[i] = -1 - i as i64;
                moved += 1;
            }
        }
    }
    (out, moved)
}

/// The baseline: TF-IDF cosine over lower-cased words, single linkage at `threshold`.
pub fn baseline_labels(articles: &[Article], threshold: f64) -> Vec<usize> {
    let vecs = word_vectors(articles);
    let mut parent: Vec<usize> = (0..vecs.len()).collect();
    fn find(p: &mut [usize], x: usize) -> usize {
        let mut r = x;
        while p[r] != r {
            r = p[r];
        }
        let mut y = x;
        while p[y] != r {
            let next = p[y];
            p[y] = r;
            y = next;
        }
        r
    }
    for i in 0..vecs.len() {
        for j in i + 1..vecs.len() {
            if dot(&vecs[i], &vecs[j]) >= threshold {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                parent[a] = b;
            }
        }
    }
    (0..vecs.len()).map(|i| find(&mut parent, i)).collect()
}

/// Scores echotrace at `params` and the baseline at its best threshold on this set.
pub fn evaluate(dir: &Path, params: &StoryParams) -> Result<String> {
    let (articles, gold) = load(dir)?;
    let (open_gold, moved) = without_catch_all(&articles, &gold);
    let mut out = format!(
        "gold as given:\n{}\n",
        evaluate_against(&articles, &gold, params)?
    );
    out += &format!(
        "gold with its catch-all cluster ({moved} articles that share no event) scored as singletons:\n{}",
        evaluate_against(&articles, &open_gold, params)?
    );
    if std::env::var_os("ECHOTRACE_EVAL_VERBOSE").is_some() {
        let passages = find_passages(&articles, &Aliases::builtin(), &ReuseParams::default());
        let labels = echotrace_labels(&articles, &passages, params);
        out += &disagreements(&articles, &labels, &open_gold);
    }
    Ok(out)
}

/// The gold events split across stories and the stories that mix events, article by article.
fn disagreements(articles: &[Article], labels: &[usize], gold: &[i64]) -> String {
    let mut out = String::from("\ndisagreements (gold event: story, language, title):\n");
    let mut events: Vec<i64> = gold.to_vec();
    events.sort_unstable();
    events.dedup();
    for e in events {
        let members: Vec<usize> = (0..articles.len()).filter(|&i| gold[i] == e).collect();
        let stories: Vec<usize> = members.iter().map(|&i| labels[i]).collect();
        let mixed = members
            .iter()
            .any(|&i| (0..articles.len()).any(|j| labels[j] == labels[i] && gold[j] != e));
        if !mixed && stories.iter().all(|&s| s == stories[0]) {
            continue;
        }
        for &i in &members {
            let title: String = articles[i]
                .title
                .as_deref()
                .unwrap_or("")
                .chars()
                .take(90)
                .collect();
            out += &format!("{e}: s{} {} {title}\n", labels[i], articles[i].language);
        }
    }
    out
}

/// Stories with a multilingual model's document vectors beside the lexical
/// stories, and where the cross-language pairs' cosines fall (same event or not).
pub fn evaluate_with_documents(
    dir: &Path,
    params: &StoryParams,
    embedder: &dyn echotrace_reuse::SentenceEmbedder,
) -> Result<String> {
    let (articles, gold) = load(dir)?;
    let (open_gold, _) = without_catch_all(&articles, &gold);
    let t = std::time::Instant::now();
    let vectors = echotrace_stories::document_vectors(&articles, embedder)?;
    let secs = t.elapsed().as_secs_f64();
    let passages = find_passages(&articles, &Aliases::builtin(), &ReuseParams::default());
    let mut out = format!(
        "clustering with document vectors from {} ({} articles embedded in {secs:.1} s)\n| gold | system | clusters | pairwise P | R | F1 | ARI |\n| --- | --- | --- | --- | --- | --- | --- |\n",
        embedder.name(),
        articles.len()
    );
    // What `analyze --embed` clusters: the passages include the translations the embedder finds.
    let with_translations = echotrace_reuse::find_passages_with(
        &articles,
        &Aliases::builtin(),
        &ReuseParams::default(),
        Some(embedder),
    )?
    .passages;
    for (view, g) in [("as given", &gold), ("catch-all as singletons", &open_gold)] {
        for (name, docs, found) in [
            ("lexical", None, &passages),
            ("+ document vectors", Some(&vectors[..]), &passages),
            (
                "+ document vectors + translation passages (as analyze --embed)",
                Some(&vectors[..]),
                &with_translations,
            ),
        ] {
            let s = score(&labels_with(&articles, found, params, docs), g);
            out += &format!(
                "| {view} | {name} | {} | {:.3} | {:.3} | {:.3} | {:.3} |\n",
                s.clusters, s.precision, s.recall, s.f1, s.ari
            );
        }
    }
    out += &documents_cross_validated(&articles, &with_translations, &open_gold, &vectors, params);
    // Cosines of cross-language pairs, same event (catch-all as singletons) or not.
    let mut same = Vec::new();
    let mut other = Vec::new();
    for i in 0..articles.len() {
        for j in i + 1..articles.len() {
            let (li, lj) = (&articles[i].language, &articles[j].language);
            if li == lj || li == "und" || lj == "und" {
                continue;
            }
            let cos: f32 = vectors[i].iter().zip(&vectors[j]).map(|(x, y)| x * y).sum();
            if open_gold[i] == open_gold[j] {
                same.push(cos);
            } else {
                other.push(cos);
            }
        }
    }
    out += &format!(
        "\ncross-language pairs: {} of one event, {} not\n| cosine >= | share of same-event pairs | pairs not of one event |\n| --- | --- | --- |\n",
        same.len(),
        other.len()
    );
    for c in [0.76f32, 0.78, 0.80, 0.82, 0.84, 0.86] {
        let r = same.iter().filter(|&&x| x >= c).count() as f64 / same.len().max(1) as f64;
        let n = other.iter().filter(|&&x| x >= c).count();
        out += &format!("| {c:.2} | {r:.3} | {n} |\n");
    }
    Ok(out)
}

/// The document band and merge threshold chosen on the training folds (by gold cluster), scored on each held-out fold.
fn documents_cross_validated(
    articles: &[Article],
    passages: &[echotrace_model::Passage],
    open: &[i64],
    vectors: &[Vec<f32>],
    params: &StoryParams,
) -> String {
    let fold = cluster_folds(open);
    let mut grid: Vec<StoryParams> = Vec::new();
    for threshold in [0.22f32, 0.25, 0.28] {
        for low in [0.82f32, 0.84, 0.86, 0.88] {
            for width in [0.04f32, 0.06, 0.08] {
                for translation_weight in [0.0f32, 0.5, 1.0] {
                    grid.push(StoryParams {
                        threshold,
                        document_band: (low, low + width),
                        translation_weight,
                        ..*params
                    });
                }
            }
        }
    }
    let mut out = format!(
        "\nwith document vectors and translation passages (as analyze --embed), threshold, band and translation weight chosen on the training folds ({CLUSTER_FOLDS} folds by gold cluster, catch-all as singletons):\n| fold | threshold | band | translation weight | held-out pairs F1 | at the defaults ({}, {:.2}-{:.2}, {}) | no document vectors, defaults |\n| --- | --- | --- | --- | --- | --- | --- |\n",
        params.threshold, params.document_band.0, params.document_band.1, params.translation_weight
    );
    let mut pooled = [[0u64; 3]; 3];
    for k in 0..CLUSTER_FOLDS {
        let inside_train: Vec<bool> = fold.iter().map(|&f| f != k).collect();
        let inside_test: Vec<bool> = fold.iter().map(|&f| f == k).collect();
        let best = grid
            .iter()
            .map(|p| {
                let labels = labels_with(articles, passages, p, Some(vectors));
                (*p, prf(pair_counts(&labels, open, &inside_train)).2)
            })
            .fold((*params, -1.0), |b, x| if x.1 > b.1 { x } else { b })
            .0;
        let counts = [
            pair_counts(
                &labels_with(articles, passages, &best, Some(vectors)),
                open,
                &inside_test,
            ),
            pair_counts(
                &labels_with(articles, passages, params, Some(vectors)),
                open,
                &inside_test,
            ),
            pair_counts(
                &labels_with(articles, passages, params, None),
                open,
                &inside_test,
            ),
        ];
        for (p, c) in pooled.iter_mut().zip(counts) {
            for (x, y) in p.iter_mut().zip(c) {
                *x += y;
            }
        }
        out += &format!(
            "| {k} | {:.2} | {:.2}-{:.2} | {:.1} | {:.3} | {:.3} | {:.3} |\n",
            best.threshold,
            best.document_band.0,
            best.document_band.1,
            best.translation_weight,
            prf(counts[0]).2,
            prf(counts[1]).2,
            prf(counts[2]).2
        );
    }
    out += "\npooled over the held-out folds:\n| system | pairwise P | R | F1 |\n| --- | --- | --- | --- |\n";
    for (name, c) in [
        ("document vectors, chosen on the training folds", pooled[0]),
        ("document vectors, defaults", pooled[1]),
        ("no document vectors, defaults", pooled[2]),
    ] {
        let (p, r, f) = prf(c);
        out += &format!("| {name} | {p:.3} | {r:.3} | {f:.3} |\n");
    }
    out
}

/// Each article's fold: its gold cluster's rank (by id) modulo [`CLUSTER_FOLDS`].
fn cluster_folds(open: &[i64]) -> Vec<usize> {
    let mut ids: Vec<i64> = open.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let fold_of_cluster: HashMap<i64, usize> = ids
        .iter()
        .enumerate()
        .map(|(r, &g)| (g, r % CLUSTER_FOLDS))
        .collect();
    open.iter().map(|g| fold_of_cluster[g]).collect()
}

/// Scores echotrace and the best-threshold baseline against one gold labelling.
fn evaluate_against(articles: &[Article], gold: &[i64], params: &StoryParams) -> Result<String> {
    let articles = articles.to_vec();
    let gold = gold.to_vec();
    let passages = find_passages(&articles, &Aliases::builtin(), &ReuseParams::default());
    let ours = score(&echotrace_labels(&articles, &passages, params), &gold);
    let mut best = (0.0, ClusterScore::default());
    for t in (5..=90).step_by(5) {
        let th = f64::from(t) / 100.0;
        let s = score(&baseline_labels(&articles, th), &gold);
        if s.f1 > best.1.f1 {
            best = (th, s);
        }
    }
    let mut out = format!(
        "clustering: {} articles, {} gold clusters\n| system | clusters | pairwise P | R | F1 | ARI |\n| --- | --- | --- | --- | --- | --- |\n",
        articles.len(),
        gold.iter().collect::<std::collections::HashSet<_>>().len()
    );
    let row = |name: &str, s: &ClusterScore| {
        format!(
            "| {name} | {} | {:.3} | {:.3} | {:.3} | {:.3} |\n",
            s.clusters, s.precision, s.recall, s.f1, s.ari
        )
    };
    out += &row(
        &format!("echotrace stories (threshold {})", params.threshold),
        &ours,
    );
    out += &row(
        &format!(
            "baseline: TF-IDF cosine, single linkage (best threshold here, {:.2})",
            best.0
        ),
        &best.1,
    );
    out += "\nsensitivity of echotrace to the merge threshold (the default is fixed in StoryParams):\n| threshold | clusters | P | R | F1 | ARI |\n| --- | --- | --- | --- | --- | --- |\n";
    for t in (10..=40).step_by(3) {
        let p = StoryParams {
            threshold: t as f32 / 100.0,
            ..*params
        };
        let s = score(&echotrace_labels(&articles, &passages, &p), &gold);
        out += &format!(
            "| {:.2} | {} | {:.3} | {:.3} | {:.3} | {:.3} |\n",
            p.threshold, s.clusters, s.precision, s.recall, s.f1, s.ari
        );
    }
    Ok(out)
}

/// Folds of the story-similarity cross-validation: a gold cluster's rank (by id) modulo this.
pub const CLUSTER_FOLDS: usize = 5;

/// Pairs among the articles `inside` that `pred` and `gold` put together: (both, predicted, gold).
fn pair_counts<A: Eq + Copy, B: Eq + Copy>(pred: &[A], gold: &[B], inside: &[bool]) -> [u64; 3] {
    let members: Vec<usize> = (0..pred.len()).filter(|&i| inside[i]).collect();
    let mut c = [0u64; 3];
    for (x, &i) in members.iter().enumerate() {
        for &j in &members[x + 1..] {
            let (p, g) = (pred[i] == pred[j], gold[i] == gold[j]);
            c[0] += u64::from(p && g);
            c[1] += u64::from(p);
            c[2] += u64::from(g);
        }
    }
    c
}

/// Precision, recall and F1 of pair counts.
fn prf(c: [u64; 3]) -> (f64, f64, f64) {
    let p = c[0] as f64 / c[1].max(1) as f64;
    let r = c[0] as f64 / c[2].max(1) as f64;
    let f = if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    };
    (p, r, f)
}

/// Fits a logistic pair model by gradient descent (L2-regularised, full batch).
pub fn fit_pair_model(
    pairs: &[(echotrace_stories::PairChannels, bool)],
) -> echotrace_stories::PairModel {
    use echotrace_stories::{PairModel, PAIR_INPUTS};
    let xs: Vec<[f32; PAIR_INPUTS]> = pairs.iter().map(|(c, _)| PairModel::inputs(c)).collect();
    let mut m = PairModel {
        bias: 0.0,
        weights: [0.0; PAIR_INPUTS],
    };
    let n = pairs.len().max(1) as f32;
    for _ in 0..3000 {
        let mut gb = 0.0f32;
        let mut gw = [0.0f32; PAIR_INPUTS];
        for (x, (c, y)) in xs.iter().zip(pairs) {
            let err = m.affinity(c) - f32::from(u8::from(*y));
            gb += err;
            for (g, xi) in gw.iter_mut().zip(x) {
                *g += err * xi;
            }
        }
        m.bias -= 1.0 * gb / n;
        for (w, g) in m.weights.iter_mut().zip(gw) {
            *w -= 1.0 * (g / n + 1e-3 * *w);
        }
    }
    m
}

/// Pair counts (both, predicted, gold) over held-out articles, pooled over folds.
pub type PairCounts = [u64; 3];

/// One fold of the story-similarity cross-validation.
#[derive(Debug, Clone, Copy)]
pub struct FoldResult {
    /// Merge threshold chosen for the learned pair model on the training folds.
    pub learned_threshold: f32,
    /// Held-out pair counts of the learned pair model.
    pub learned: PairCounts,
    /// Threshold and bridge weight chosen for the strongest-channel rule on the training folds.
    pub rule_setting: (f32, f32),
    /// Held-out pair counts of the rule at that setting.
    pub rule: PairCounts,
    /// Held-out pair counts of the rule at the shipped defaults.
    pub defaults: PairCounts,
}

/// What the story-similarity cross-validation measured.
#[derive(Debug, Clone)]
pub struct StoryCrossValidation {
    /// Articles in the set.
    pub articles: usize,
    /// Candidate pairs the channels find.
    pub candidates: usize,
    /// One result per fold.
    pub folds: Vec<FoldResult>,
    /// The pair model fitted on every candidate pair (for the record, not scored).
    pub model: echotrace_stories::PairModel,
}

impl StoryCrossValidation {
    /// Pooled precision, recall and F1 of the learned pair model, the tuned rule and the defaults.
    pub fn pooled(&self) -> [(f64, f64, f64); 3] {
        let sum = |f: fn(&FoldResult) -> PairCounts| {
            let mut c = [0u64; 3];
            for r in &self.folds {
                for (x, y) in c.iter_mut().zip(f(r)) {
                    *x += y;
                }
            }
            prf(c)
        };
        [sum(|r| r.learned), sum(|r| r.rule), sum(|r| r.defaults)]
    }
}

/// Story similarity chosen on the clusters of the other folds, scored on each held-out fold.
///
/// Folds split by gold cluster (the catch-all's articles as singletons).
/// Two ways to combine the channels are fitted on the training folds: a
/// logistic pair model (fitted on candidate pairs whose articles both lie
/// in training clusters, with the merge threshold that clusters the
/// training articles best), and the strongest-channel rule the default
/// build runs (its threshold and bridge weight chosen from a grid the same
/// way). Then all articles are clustered and only pairs of held-out
/// articles are scored. The rule at the shipped defaults is scored on the
/// same pairs.
pub fn cross_validated(
    dir: &Path,
    params: &StoryParams,
    learned: bool,
) -> Result<StoryCrossValidation> {
    let (articles, gold) = load(dir)?;
    let (open, _) = without_catch_all(&articles, &gold);
    let aliases = Aliases::builtin();
    let passages = find_passages(&articles, &aliases, &ReuseParams::default());
    let space = echotrace_stories::TermSpace::build(&articles, &aliases);
    let channels = echotrace_stories::pair_channels(&articles, &passages, &space, params, None);
    let fold = cluster_folds(&open);
    let grid: Vec<f32> = (2..=18).map(|t| t as f32 / 20.0).collect();
    let rule_grid: Vec<(f32, f32)> = [0.19f32, 0.22, 0.25, 0.28, 0.31]
        .iter()
        .flat_map(|&t| [0.0f32, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0].map(|w| (t, w)))
        .collect();
    let mut folds = Vec::with_capacity(CLUSTER_FOLDS);
    for k in 0..CLUSTER_FOLDS {
        let inside_train: Vec<bool> = fold.iter().map(|&f| f != k).collect();
        let inside_test: Vec<bool> = fold.iter().map(|&f| f == k).collect();
        let held_out = |p: &StoryParams| {
            pair_counts(
                &echotrace_labels(&articles, &passages, p),
                &open,
                &inside_test,
            )
        };
        let best_on_training = |settings: &mut dyn Iterator<Item = StoryParams>| {
            settings
                .map(|p| {
                    let labels = echotrace_labels(&articles, &passages, &p);
                    (p, prf(pair_counts(&labels, &open, &inside_train)).2)
                })
                .fold((*params, -1.0), |b, x| if x.1 > b.1 { x } else { b })
                .0
        };
        let (learned_threshold, learned_counts) = if learned {
            let train: Vec<(echotrace_stories::PairChannels, bool)> = channels
                .iter()
                .filter(|(a, b, _)| fold[*a] != k && fold[*b] != k)
                .map(|&(a, b, c)| (c, open[a] == open[b]))
                .collect();
            let model = fit_pair_model(&train);
            let best = best_on_training(&mut grid.iter().map(|&t| StoryParams {
                threshold: t,
                pair_model: Some(model),
                ..*params
            }));
            (best.threshold, held_out(&best))
        } else {
            (f32::NAN, [0; 3])
        };
        let rule = best_on_training(&mut rule_grid.iter().map(|&(t, w)| StoryParams {
            threshold: t,
            bridge_weight: w,
            ..*params
        }));
        folds.push(FoldResult {
            learned_threshold,
            learned: learned_counts,
            rule_setting: (rule.threshold, rule.bridge_weight),
            rule: held_out(&rule),
            defaults: held_out(params),
        });
    }
    let all: Vec<(echotrace_stories::PairChannels, bool)> = channels
        .iter()
        .map(|&(a, b, c)| (c, open[a] == open[b]))
        .collect();
    Ok(StoryCrossValidation {
        articles: articles.len(),
        candidates: channels.len(),
        folds,
        model: fit_pair_model(&all),
    })
}

/// [`cross_validated`] as tables, one row per fold, then pooled.
pub fn cross_validate(dir: &Path, params: &StoryParams) -> Result<String> {
    let cv = cross_validated(dir, params, true)?;
    let mut out = format!(
        "story similarity: {} articles, {} candidate pairs, {CLUSTER_FOLDS} folds by gold cluster (cluster rank % {CLUSTER_FOLDS}; catch-all as singletons)\n| fold | threshold (chosen on the training folds) | held-out pairs F1, learned | strongest channel: threshold, bridge weight (chosen on the training folds) | held-out F1 | strongest channel at the defaults ({}, {}) |\n| --- | --- | --- | --- | --- | --- |\n",
        cv.articles, cv.candidates, params.threshold, params.bridge_weight
    );
    for (k, r) in cv.folds.iter().enumerate() {
        out += &format!(
            "| {k} | {:.2} | {:.3} | {:.2}, {:.1} | {:.3} | {:.3} |\n",
            r.learned_threshold,
            prf(r.learned).2,
            r.rule_setting.0,
            r.rule_setting.1,
            prf(r.rule).2,
            prf(r.defaults).2
        );
    }
    let [(lp, lr, lf), (tp, tr, tf), (rp, rr, rf)] = cv.pooled();
    out += &format!(
        "\npooled over the held-out folds:\n| system | pairwise P | R | F1 |\n| --- | --- | --- | --- |\n| learned pair model | {lp:.3} | {lr:.3} | {lf:.3} |\n| strongest channel, threshold and bridge weight chosen on the training folds | {tp:.3} | {tr:.3} | {tf:.3} |\n| strongest channel at the defaults (threshold {}, bridge weight {}) | {rp:.3} | {rr:.3} | {rf:.3} |\n",
        params.threshold, params.bridge_weight
    );
    out += &format!(
        "\nmodel fitted on every pair: bias {:.3}, weights {:?}\n",
        cv.model.bias, cv.model.weights
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fitted_pair_model_ranks_shared_anchors_above_shared_nothing() {
        use echotrace_stories::PairChannels;
        let pair = |term: f32, anchor: f32, same: bool| {
            (
                PairChannels {
                    term,
                    anchor,
                    ..Default::default()
                },
                same,
            )
        };
        let mut pairs = Vec::new();
        for i in 0..40 {
            let x = i as f32 / 100.0;
            pairs.push(pair(0.1 + x, 0.5 + x, true));
            pairs.push(pair(0.1 + x, 0.05, false));
        }
        let m = fit_pair_model(&pairs);
        let (hi, lo) = (m.affinity(&pairs[0].0), m.affinity(&pairs[1].0));
        assert!(hi > 0.5 && lo < 0.5, "{hi} {lo}");
        assert_eq!(
            pair_counts(&[1, 1, 2], &[5, 5, 5], &[true, true, false]),
            [1, 1, 1]
        );
    }

    #[test]
    fn perfect_and_opposite_clusterings_score_as_expected() {
        let gold = [1, 1, 2, 2, 3];
        let s = score(&[7, 7, 8, 8, 9], &gold);
        assert!((s.f1 - 1.0).abs() < 1e-9 && (s.ari - 1.0).abs() < 1e-9);
        let s = score(&[0, 1, 2, 3, 4], &gold);
        assert_eq!(s.recall, 0.0);
        assert!(s.ari.abs() < 1e-9);
        let s = score(&[0, 0, 0, 0, 0], &gold);
        assert!((s.recall - 1.0).abs() < 1e-9 && s.precision < 0.3);
    }
}
