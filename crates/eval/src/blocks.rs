//! The block model (`extract::blocks`) fitted and scored leaving one body set out.
//!
//! Every page of the three body sets is cut into blocks; each block is labelled from the
//! page's gold (body and Readability pages: the share of its word 4-grams found in the gold
//! text, or, for a block under four words, whether the gold holds it; snippet pages: kept
//! when it holds or lies inside a snippet that must be kept, dropped when one that must not,
//! unlabelled otherwise). The model is fitted on two sets and scored on the third, its output
//! scored by the same measure as every body (word 4-gram F1, snippet F1), beside the merge
//! rules and the body chooser held out on the same pages.

use std::collections::HashSet;
use std::path::Path;

use echotrace_extract::blocks::{BlockModel, Logistic, Segmented};
use rayon::prelude::*;
use scraper::Html;

use crate::body_chooser::{gold_pages, Gold, SETS};
use crate::Result;

/// One page cut into blocks, with a label per block where its gold gives one.
pub struct Page {
    /// Which of [`SETS`].
    pub set: &'static str,
    /// Its file, relative to the datasets directory.
    pub key: String,
    seg: Segmented,
    labels: Vec<Option<f32>>,
    gold: Gold,
}

/// Passes over the training rows.
const PASSES: usize = 8;
/// The L2 penalty of both passes.
const L2: f32 = 1e-4;
/// Probability from which a block is kept.
const THRESHOLD: f32 = 0.5;

fn label(gold: &Gold, text: &str, grams: &HashSet<String>, padded: &str) -> Option<f32> {
    match gold {
        Gold::Body(_) => {
            let w: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
            if w.len() >= 4 {
                let n = w.len() - 3;
                let hit = w
                    .windows(4)
                    .filter(|g| grams.contains(&g.join(" ")))
                    .count();
                Some(hit as f32 / n as f32)
            } else {
                Some(padded.contains(&format!(" {} ", w.join(" "))) as u8 as f32)
            }
        }
        Gold::Snippets { with, without } => {
            let words = text.split_whitespace().count();
            let hit = |list: &[String]| {
                list.iter()
                    .any(|s| text.contains(s.as_str()) || (words >= 3 && s.contains(text)))
            };
            match (hit(with), hit(without)) {
                (true, false) => Some(1.0),
                (false, true) => Some(0.0),
                _ => None,
            }
        }
    }
}

impl Page {
    /// The page's body as `model` keeps it.
    pub fn body(&self, model: &BlockModel) -> String {
        model.body(&self.seg)
    }

    /// The body `model` keeps, and how sure it is of the page's blocks.
    pub fn body_and_certainty(&self, model: &BlockModel) -> (String, f32) {
        model.body_and_certainty(&self.seg)
    }

    /// The F1 against the page's gold of the body `model` keeps.
    pub fn f1(&self, model: &BlockModel) -> f64 {
        self.gold.f1(&self.body(model))
    }
}

/// Every body-set page cut into blocks and labelled.
pub fn pages(dir: &Path) -> Result<Vec<Page>> {
    Ok(gold_pages(dir)?
        .into_par_iter()
        .map(|(set, key, html, url, gold)| {
            let doc = Html::parse_document(&html);
            let title = echotrace_extract::html::page_title(&doc, &html, url.as_deref());
            let seg = Segmented::new(&doc, title.as_deref());
            let (grams, padded) = match &gold {
                Gold::Body(g) => {
                    let w: Vec<String> = g.split_whitespace().map(str::to_lowercase).collect();
                    (
                        w.windows(4).map(|x| x.join(" ")).collect(),
                        format!(" {} ", w.join(" ")),
                    )
                }
                Gold::Snippets { .. } => (HashSet::new(), String::new()),
            };
            let labels = seg
                .blocks
                .iter()
                .map(|b| label(&gold, &b.text, &grams, &padded))
                .collect();
            Page {
                set,
                key,
                seg,
                labels,
                gold,
            }
        })
        .collect())
}

fn weight(words: u32) -> f32 {
    1.0 + (1.0 + words as f32).ln()
}

fn first_rows<'a>(pages: &[&'a Page]) -> Vec<(&'a [u32], f32, f32)> {
    pages
        .iter()
        .flat_map(|p| {
            p.seg
                .blocks
                .iter()
                .zip(&p.labels)
                .filter_map(|(b, l)| l.map(|y| (b.features.as_slice(), y, weight(b.words))))
        })
        .collect()
}

/// The two passes fitted on `pages`: the second on the first pass's probabilities of each
/// page as fitted on the other half of the pages (so that it learns from probabilities as
/// unsure as those of pages never seen).
pub fn fit(pages: &[&Page], two_passes: bool) -> BlockModel {
    let first = Logistic::fit(&first_rows(pages), L2, PASSES);
    if !two_passes {
        return BlockModel {
            first,
            second: Logistic::default(),
            threshold: THRESHOLD,
        };
    }
    let halves: [Vec<&Page>; 2] = [0, 1].map(|k| {
        pages
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 2 == k)
            .map(|(_, p)| *p)
            .collect()
    });
    let half_models = [1, 0].map(|k| Logistic::fit(&first_rows(&halves[k]), L2, PASSES));
    let mut context: Vec<(Vec<u32>, f32, f32)> = Vec::new();
    for (k, half) in halves.iter().enumerate() {
        for p in half {
            let probs: Vec<f32> = p
                .seg
                .blocks
                .iter()
                .map(|b| half_models[k].prob(&b.features))
                .collect();
            for ((f, l), b) in p
                .seg
                .context_features(&probs)
                .into_iter()
                .zip(&p.labels)
                .zip(&p.seg.blocks)
            {
                if let Some(y) = l {
                    context.push((f, *y, weight(b.words)));
                }
            }
        }
    }
    let rows: Vec<(&[u32], f32, f32)> = context
        .iter()
        .map(|(f, y, w)| (f.as_slice(), *y, *w))
        .collect();
    BlockModel {
        first,
        second: Logistic::fit(&rows, L2, PASSES),
        threshold: THRESHOLD,
    }
}

/// The leave-one-set-out table and the model fitted on every page.
pub fn evaluate(dir: &Path) -> Result<(String, BlockModel)> {
    let pages = pages(dir)?;
    let verbose = std::env::var_os("ECHOTRACE_EVAL_VERBOSE").is_some();
    let mut out = String::from(
        "block model: per-page F1 averaged over each set's pages (word 4-grams; snippets: the page's snippet F1), \
         fitted on the other two sets\n\n\
         | held-out set | pages | blocks | every block | labels (oracle) | one pass, held out | two passes, held out |\n\
         | --- | --- | --- | --- | --- | --- | --- |\n",
    );
    let mut pooled = (0.0, 0.0, 0usize);
    for held in SETS {
        let train: Vec<&Page> = pages.iter().filter(|p| p.set != held).collect();
        let test: Vec<&Page> = pages.iter().filter(|p| p.set == held).collect();
        let one = fit(&train, false);
        let two = fit(&train, true);
        let (mut s1, mut s2, mut all, mut oracle) = (0.0, 0.0, 0.0, 0.0);
        for p in &test {
            let keep = |k: &dyn Fn(usize) -> bool| -> String {
                let kept: Vec<&str> = (0..p.seg.blocks.len())
                    .filter(|&i| k(i))
                    .map(|i| p.seg.blocks[i].text.as_str())
                    .collect();
                kept.join("\n")
            };
            all += p.gold.f1(&keep(&|_| true));
            oracle += p.gold.f1(&keep(&|i| p.labels[i].is_some_and(|y| y >= 0.5)));
            let (f1, f2) = (p.gold.f1(&one.body(&p.seg)), p.gold.f1(&two.body(&p.seg)));
            if verbose {
                eprintln!("{held}: {}: one pass {f1:.3}, two passes {f2:.3}", p.key);
            }
            s1 += f1;
            s2 += f2;
        }
        let n = test.len().max(1) as f64;
        pooled = (pooled.0 + s1, pooled.1 + s2, pooled.2 + test.len());
        out.push_str(&format!(
            "| {held} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} |\n",
            test.len(),
            test.iter().map(|p| p.seg.blocks.len()).sum::<usize>(),
            all / n,
            oracle / n,
            s1 / n,
            s2 / n,
        ));
    }
    let n = pooled.2.max(1) as f64;
    out.push_str(&format!(
        "\nall {} pages held out: one pass {:.3}, two passes {:.3}\n",
        pooled.2,
        pooled.0 / n,
        pooled.1 / n
    ));
    let all: Vec<&Page> = pages.iter().collect();
    Ok((out, fit(&all, true)))
}
