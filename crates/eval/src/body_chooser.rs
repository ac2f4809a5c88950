//! The body chooser (`extract::chooser`) fitted and scored leaving one body set out.
//!
//! Every page of the three body sets (`extraction-body`, `extraction-snippets`,
//! `extraction-readability`) gives its three candidate bodies (the two extractors' texts
//! merged, the precise one's, the page's own blocks' as kept by the block model fitted on the
//! other two sets), each scored against the page's own
//! gold: word 4-gram F1 on the body and Readability sets, snippet F1 (the page's snippets that
//! must be kept, and those that must not) on the snippet set. The chooser is fitted on two
//! sets and scored on the third, for each set in turn; the model written out is fitted on all.

use std::collections::HashMap;
use std::path::Path;

use echotrace_extract::chooser::{features, BodyChooser, OPTIONS, PENALTIES};
use echotrace_extract::html::{candidate_bodies, precise_text, precise_text_in_region};
use rayon::prelude::*;

use crate::{
    read_gz, read_json, readability_pages, shingle_pr, snippet_lists, ws, EvalError, Prf, Result,
    System,
};

/// The body sets, in the order of the table.
pub const SETS: [&str; 3] = [
    "extraction-body",
    "extraction-snippets",
    "extraction-readability",
];

/// One page: its set, its file, the chooser's features and the F1 of each option.
#[derive(Debug, Clone)]
pub struct Page {
    /// Which of [`SETS`].
    pub set: &'static str,
    /// Its file, relative to the datasets directory.
    pub key: String,
    /// The features of its candidates.
    pub features: Vec<f64>,
    /// The F1 of each option of [`OPTIONS`] against its gold.
    pub f1: [f64; 3],
    /// Its candidate bodies, in the order of [`OPTIONS`].
    pub candidates: [String; 3],
    /// How sure the block model (fitted on the other sets) is of the page's blocks.
    pub certainty: f64,
}

/// How a page's gold scores a text.
pub(crate) enum Gold {
    Body(String),
    Snippets {
        with: Vec<String>,
        without: Vec<String>,
    },
}

impl Gold {
    pub(crate) fn f1(&self, text: &str) -> f64 {
        match self {
            Gold::Body(g) => {
                let (p, r) = shingle_pr(text, g);
                Prf::new(p, r).f1
            }
            Gold::Snippets { with, without } => {
                let t = ws(text);
                let tp = with.iter().filter(|w| t.contains(w.as_str())).count() as f64;
                let fp = without.iter().filter(|w| t.contains(w.as_str())).count() as f64;
                Prf::new(tp / (tp + fp).max(1.0), tp / (with.len() as f64).max(1.0)).f1
            }
        }
    }
}

/// One page of a body set: its set, its file, its HTML, its URL where given, its gold.
pub(crate) type GoldPage = (&'static str, String, String, Option<String>, Gold);

/// Every page of the three body sets with its gold.
pub(crate) fn gold_pages(dir: &Path) -> Result<Vec<GoldPage>> {
    let bad = |file: &'static str| EvalError::Gold {
        file,
        problem: "not an object",
    };
    let mut todo: Vec<GoldPage> = Vec::new();
    let gold = read_json(&dir.join("extraction-body/ground-truth.json"))?;
    for (k, v) in gold.as_object().ok_or(bad("ground-truth.json"))? {
        let key = format!("extraction-body/html/{k}.html.gz");
        let html = read_gz(&dir.join(&key))?;
        let body = v["articleBody"].as_str().unwrap_or("").to_string();
        let url = v["url"].as_str().map(str::to_string);
        todo.push((SETS[0], key, html, url, Gold::Body(body)));
    }
    let gold = read_json(&dir.join("extraction-snippets/gold.json"))?;
    for v in gold.as_object().ok_or(bad("gold.json"))?.values() {
        let file = v["file"].as_str().unwrap_or_default();
        let key = format!("extraction-snippets/html/{file}.gz");
        let html = read_gz(&dir.join(&key))?;
        let (with, without) = snippet_lists(v);
        let gold = Gold::Snippets { with, without };
        todo.push((SETS[1], key, html, None, gold));
    }
    for (name, html, body, _) in readability_pages(dir)? {
        let key = format!("extraction-readability/{name}/source.html.gz");
        todo.push((SETS[2], key, html, None, Gold::Body(body)));
    }
    Ok(todo)
}

/// Every page of the three body sets with its features and its options' F1.
pub fn pages(dir: &Path) -> Result<Vec<Page>> {
    // Each page's own-parse candidate comes from the block model fitted on the other two sets.
    // So does the region the precise extractor reads (the whole page where none is found).
    let blocks = crate::blocks::pages(dir)?;
    let mut own: HashMap<String, (String, f32)> = HashMap::new();
    let mut models = HashMap::new();
    for held in SETS {
        let train: Vec<&crate::blocks::Page> = blocks.iter().filter(|p| p.set != held).collect();
        let model = crate::blocks::fit(&train, true);
        for p in blocks.iter().filter(|p| p.set == held) {
            own.insert(p.key.clone(), p.body_and_certainty(&model));
        }
        models.insert(held, model);
    }
    let whole_page = std::env::var_os("ECHOTRACE_EVAL_WHOLE_PAGE").is_some();
    Ok(gold_pages(dir)?
        .into_par_iter()
        .map(|(set, key, html, url, gold)| {
            let precise = if whole_page {
                precise_text(&html, url.as_deref())
            } else {
                precise_text_in_region(&html, url.as_deref(), &models[set])
            };
            let (recall, certainty) = own.get(&key).cloned().unwrap_or_default();
            let certainty = certainty as f64;
            let candidates = candidate_bodies(&precise, &recall);
            Page {
                set,
                key,
                features: features(&candidates[0], &candidates[1], &candidates[2], certainty),
                certainty,
                f1: [0, 1, 2].map(|k| gold.f1(&candidates[k])),
                candidates,
            }
        })
        .collect())
}

/// Each body page's set and the F1 of each of `others`' bodies against its gold.
fn others_f1(dir: &Path, others: &[System]) -> Result<Vec<(&'static str, Vec<f64>)>> {
    if others.is_empty() {
        return Ok(Vec::new());
    }
    Ok(gold_pages(dir)?
        .into_par_iter()
        .map(|(set, key, html, url, gold)| {
            let page = crate::Page {
                key: &key,
                html: &html,
                url: url.as_deref(),
            };
            (
                set,
                others.iter().map(|s| gold.f1(&(s.run)(&page).0)).collect(),
            )
        })
        .collect())
}

/// The chooser fitted on `pages`, its L2 penalty (of [`PENALTIES`]) chosen by leaving one of
/// their sets out in turn (the held-out F1 summed over the sets), so that a set scored later
/// takes no part in the choice.
pub fn fit<'a>(pages: impl Iterator<Item = &'a Page>, trained_on: &str) -> BodyChooser {
    let pages: Vec<&Page> = pages.collect();
    let rows = |keep: &dyn Fn(&Page) -> bool| -> Vec<(Vec<f64>, [f64; 3])> {
        pages
            .iter()
            .filter(|p| keep(p))
            .map(|p| (p.features.clone(), p.f1))
            .collect()
    };
    let sets: Vec<&str> = SETS
        .into_iter()
        .filter(|s| pages.iter().any(|p| p.set == *s))
        .collect();
    let held_out = |l2: f64| -> f64 {
        sets.iter()
            .map(|&s| {
                let model = BodyChooser::fit_with(&rows(&|p| p.set != s), l2, "");
                pages
                    .iter()
                    .filter(|p| p.set == s)
                    .map(|p| p.f1[model.pick(&p.candidates, p.certainty)])
                    .sum::<f64>()
            })
            .sum()
    };
    let l2 = if sets.len() < 2 {
        PENALTIES[1]
    } else {
        let scores: Vec<f64> = PENALTIES.iter().map(|&l2| held_out(l2)).collect();
        (0..PENALTIES.len())
            .max_by(|&a, &b| scores[a].total_cmp(&scores[b]).then(b.cmp(&a)))
            .map_or(PENALTIES[1], |i| PENALTIES[i])
    };
    BodyChooser::fit_with(&rows(&|_| true), l2, &format!("{trained_on} (L2 {l2})"))
}

/// The average F1 over `pages` of the option `pick` chooses for each.
fn average(pages: &[&Page], pick: impl Fn(&Page) -> usize) -> f64 {
    pages.iter().map(|p| p.f1[pick(p)]).sum::<f64>() / pages.len().max(1) as f64
}

/// The leave-one-set-out table and the chooser fitted on every page.
pub fn evaluate(dir: &Path, others: &[System]) -> Result<(String, BodyChooser)> {
    let pages = pages(dir)?;
    let other_f1 = others_f1(dir, others)?;
    let verbose = std::env::var_os("ECHOTRACE_EVAL_VERBOSE").is_some();
    let mut out = String::from(
        "body chooser: per-page F1 averaged over each set's pages (word 4-grams; snippets: the page's snippet F1), \
         the chooser fitted on the other two sets\n\n\
         | held-out set | pages | merge rules | precise alone | recall alone | best of three (oracle) | chooser, held out | its fit |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    let mut pooled = (0.0, 0.0, 0usize);
    for held in SETS {
        let model = fit(
            pages.iter().filter(|p| p.set != held),
            &format!("every body set but {held}"),
        );
        let test: Vec<&Page> = pages.iter().filter(|p| p.set == held).collect();
        if verbose {
            for p in &test {
                let k = model.pick(&p.candidates, p.certainty);
                eprintln!(
                    "{held}: {}: chose {} (model: {}; F1 of merged, precise, recall: {:.3} {:.3} {:.3})",
                    p.key, OPTIONS[k], OPTIONS[model.choose(&p.features)], p.f1[0], p.f1[1], p.f1[2]
                );
            }
        }
        let chosen = average(&test, |p| model.pick(&p.candidates, p.certainty));
        let merge = average(&test, |_| 0);
        pooled = (
            pooled.0 + chosen * test.len() as f64,
            pooled.1 + merge * test.len() as f64,
            pooled.2 + test.len(),
        );
        out.push_str(&format!(
            "| {held} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {} |\n",
            test.len(),
            merge,
            average(&test, |_| 1),
            average(&test, |_| 2),
            test.iter()
                .map(|p| p.f1.iter().copied().fold(0.0, f64::max))
                .sum::<f64>()
                / test.len().max(1) as f64,
            chosen,
            model.trained_on,
        ));
    }
    let n = pooled.2.max(1) as f64;
    if !others.is_empty() {
        out.push_str("\nthe same pages and measure, other extractors (per-page F1 averaged)\n\n| set | pages |");
        for sys in others {
            out.push_str(&format!(" {} |", sys.name));
        }
        out.push_str(&format!(
            "\n| --- | --- |{}\n",
            " --- |".repeat(others.len())
        ));
        for held in SETS {
            let of_set: Vec<&Vec<f64>> = other_f1
                .iter()
                .filter(|(s, _)| *s == held)
                .map(|(_, f)| f)
                .collect();
            out.push_str(&format!("| {held} | {} |", of_set.len()));
            for k in 0..others.len() {
                let avg = of_set.iter().map(|f| f[k]).sum::<f64>() / of_set.len().max(1) as f64;
                out.push_str(&format!(" {avg:.3} |"));
            }
            out.push('\n');
        }
    }
    out.push_str(&format!(
        "\nall {} pages: merge rules {:.3}, chooser held out {:.3}\n",
        pooled.2,
        pooled.1 / n,
        pooled.0 / n
    ));
    let model = fit(
        pages.iter(),
        "extraction-body, extraction-snippets and extraction-readability pages, \
         `echotrace eval --set body-chooser --chooser-model-out FILE`",
    );
    Ok((out, model))
}
