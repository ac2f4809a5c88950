//! Which body to keep for an HTML page: the two texts merged, the precise extractor's
//! alone, or the page's own blocks' alone (the recall-oriented text, [`crate::blocks`]).
//!
//! The merge rules (`html::merge_bodies`) were written on two development sets and lose to
//! the precise extractor alone on pages unlike them (on Readability's test pages: a
//! navigation-heavy recall text taken whole because it is three times longer). The choice is
//! made instead by a small learned model ([`BodyChooser`], shipped as `data/chooser.json`): a
//! score per option, linear in [`FEATURES`] of the three texts (how long each is against the
//! others, how much of each the other one shares, how many paragraphs each has), fitted to
//! maximise the expected F1 of the chosen text on the development pages, and scored leaving
//! one set out (`echotrace eval --set body-chooser`, docs/MEASUREMENTS.md).

use std::collections::HashSet;

/// Names of the features, in the order of a row of weights.
pub const FEATURES: [&str; 7] = [
    "log_precise_over_recall_words",
    "precise_grams_in_recall",
    "recall_grams_in_precise",
    "log_merged_over_recall_words",
    "log_precise_words",
    "recall_over_precise_paragraphs",
    "own_blocks_certainty",
];

/// Fewer characters than this (spaces aside) in every candidate: the page holds no article
/// text to choose among (a headline, a menu) and is left to the merge rules, which know a
/// headline-only page.
pub const MIN_CHARS: usize = 200;

/// Whether a candidate body is long enough for the chooser to weigh (see [`MIN_CHARS`]).
pub fn long_enough(text: &str) -> bool {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .take(MIN_CHARS)
        .count()
        >= MIN_CHARS
}

/// The L2 penalties cross-validation chooses among (the second when there is nothing to cross-validate).
pub const PENALTIES: [f64; 4] = [1e-4, 1e-3, 1e-2, 3e-2];

/// The options, in the order of the model's rows.
pub const OPTIONS: [&str; 3] = ["merged", "precise", "recall"];

/// A linear score per option of [`OPTIONS`] over [`FEATURES`]; the highest is kept.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct BodyChooser {
    /// `weights[k]`: the weights of option `OPTIONS[k]` over the features, then its bias.
    pub weights: Vec<Vec<f64>>,
    /// What it was fitted on, for people.
    #[serde(default)]
    pub trained_on: String,
}

/// Word 4-grams of a text, lowercased, hashed (the whole text when it has fewer than four words).
pub fn four_grams(s: &str) -> HashSet<u64> {
    let w: Vec<String> = s.split_whitespace().map(str::to_lowercase).collect();
    let hash = |words: &[String]| {
        words.iter().fold(0u64, |seed, word| {
            xxhash_rust::xxh3::xxh3_64_with_seed(word.as_bytes(), seed)
        })
    };
    if w.len() < 4 {
        return std::iter::once(&w)
            .filter(|x| !x.is_empty())
            .map(|x| hash(x))
            .collect();
    }
    w.windows(4).map(hash).collect()
}

/// The features of a page's three candidate bodies, in the order of [`FEATURES`].
pub fn features(merged: &str, precise: &str, recall: &str, certainty: f64) -> Vec<f64> {
    let words = |s: &str| s.split_whitespace().count() as f64;
    let paragraphs = |s: &str| crate::html::paragraphs(s).len() as f64;
    let (gp, gr) = (four_grams(precise), four_grams(recall));
    let shared = gp.intersection(&gr).count() as f64;
    vec![
        ((words(precise) + 1.0) / (words(recall) + 1.0)).ln(),
        shared / gp.len().max(1) as f64,
        shared / gr.len().max(1) as f64,
        ((words(merged) + 1.0) / (words(recall) + 1.0)).ln(),
        (words(precise) + 1.0).ln() / 8.0,
        paragraphs(recall) / (paragraphs(precise) + 1.0),
        certainty,
    ]
}

impl BodyChooser {
    /// The model shipped with the crate.
    pub fn shipped() -> &'static BodyChooser {
        static MODEL: std::sync::OnceLock<BodyChooser> = std::sync::OnceLock::new();
        MODEL.get_or_init(|| {
            serde_json::from_str(include_str!("../data/chooser.json"))
                .expect("data/chooser.json is a body chooser")
        })
    }

    /// The index in [`OPTIONS`] of the body to keep among a page's candidates (merged,
    /// precise, recall): the model's choice, except that a page whose longest candidate has
    /// fewer than [`MIN_CHARS`] characters keeps the merge, and so does a choice with the merge's words cut into other paragraphs
    /// (the precise extractor glues some paragraphs together).
    pub fn pick(&self, candidates: &[String; 3], certainty: f64) -> usize {
        if candidates.iter().all(|c| !long_enough(c)) {
            return 0;
        }
        let k = self.choose(&features(
            &candidates[0],
            &candidates[1],
            &candidates[2],
            certainty,
        ));
        let squeeze = |s: &str| s.split_whitespace().collect::<String>();
        if k != 0 && squeeze(&candidates[k]) == squeeze(&candidates[0]) {
            return 0;
        }
        k
    }

    /// The index in [`OPTIONS`] of the option the model scores highest (the merge on a tie).
    pub fn choose(&self, features: &[f64]) -> usize {
        let scores = self.scores(features);
        (0..OPTIONS.len())
            .max_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(b.cmp(&a)))
            .unwrap_or(0)
    }

    fn scores(&self, features: &[f64]) -> Vec<f64> {
        (0..OPTIONS.len())
            .map(|k| {
                self.weights.get(k).map_or(0.0, |row| {
                    let bias = row.get(features.len()).copied().unwrap_or(0.0);
                    bias + row.iter().zip(features).map(|(w, x)| w * x).sum::<f64>()
                })
            })
            .collect()
    }

    /// Fits the model on pages given as (features, F1 of each option against the page's gold):
    /// the options' softmax, by gradient ascent on the expected F1 with an L2 penalty.
    ///
    /// By hand: a 3 by 7 weight matrix fitted on a few hundred pages; a crate would bring a
    /// linear-algebra stack for it.
    pub fn fit(pages: &[(Vec<f64>, [f64; 3])], trained_on: &str) -> BodyChooser {
        BodyChooser::fit_with(pages, PENALTIES[1], trained_on)
    }

    /// [`BodyChooser::fit`] with the L2 penalty `l2` (one of [`PENALTIES`], picked by cross-validation).
    pub fn fit_with(pages: &[(Vec<f64>, [f64; 3])], l2: f64, trained_on: &str) -> BodyChooser {
        let d = FEATURES.len();
        let k = OPTIONS.len();
        let mut model = BodyChooser {
            weights: vec![vec![0.0; d + 1]; k],
            trained_on: trained_on.into(),
        };
        let n = pages.len().max(1) as f64;
        let rate = 0.5;
        for _ in 0..3000 {
            let mut g = vec![vec![0.0; d + 1]; k];
            for (x, f1) in pages {
                let z = model.scores(x);
                let top = z.iter().copied().fold(f64::MIN, f64::max);
                let e: Vec<f64> = z.iter().map(|v| (v - top).exp()).collect();
                let sum: f64 = e.iter().sum();
                let p: Vec<f64> = e.iter().map(|v| v / sum).collect();
                let expected: f64 = p.iter().zip(f1).map(|(p, f)| p * f).sum();
                for c in 0..k {
                    let dz = p[c] * (f1[c] - expected);
                    for (gj, xj) in g[c].iter_mut().zip(x) {
                        *gj += dz * xj;
                    }
                    g[c][d] += dz;
                }
            }
            for (row, grow) in model.weights.iter_mut().zip(&g) {
                for (w, gj) in row.iter_mut().zip(grow) {
                    *w += rate * (gj / n) - l2 * *w;
                }
            }
        }
        for row in &mut model.weights {
            for w in row.iter_mut() {
                *w = (*w * 1e4).round() / 1e4;
            }
        }
        model
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_option_that_scores_best_on_its_kind_of_page_is_learned() {
        // Pages where the precise text is far shorter than the recall one: recall wins;
        // pages where both agree in length: the merge wins.
        let mut pages = Vec::new();
        for i in 0..40 {
            let short = i % 2 == 0;
            let x = features(
                "a b c d e",
                if short { "a b c d e" } else { "a b c d e f g" },
                &"w ".repeat(if short { 60 } else { 6 }),
                if short { 0.9 } else { 0.5 },
            );
            let f1 = if short {
                [0.2, 0.2, 0.9]
            } else {
                [0.9, 0.5, 0.4]
            };
            pages.push((x, f1));
        }
        let m = BodyChooser::fit(&pages, "test");
        assert_eq!(m.choose(&pages[0].0), 2);
        assert_eq!(m.choose(&pages[1].0), 0);
        let zero = BodyChooser {
            weights: vec![],
            trained_on: String::new(),
        };
        assert_eq!(zero.choose(&pages[0].0), 0, "a tie keeps the merge");
    }

    #[test]
    fn the_shipped_model_reads_and_has_a_row_per_option() {
        let m = BodyChooser::shipped();
        assert_eq!(m.weights.len(), OPTIONS.len());
        assert!(m.weights.iter().all(|r| r.len() == FEATURES.len() + 1));
    }
}
