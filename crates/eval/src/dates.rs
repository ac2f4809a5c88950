//! Publication dates cross-validated by site: the learned date model against the rules it replaced.
//!
//! Pages come from three development sets: `dates` (URL given), the
//! `extraction-snippets` pages whose gold names a date (no URL given, as in
//! the other date check) and the `extraction-readability` pages whose
//! expected metadata names a published time. Folds are split by site (the
//! URL's host; a Readability test page is its own site), so no fold is scored
//! by a model fitted on a page of the same site. A second table leaves one
//! set out at a time. The rules were written looking at these pages: their
//! figures are in-sample; the model's are not.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use echotrace_extract::published::{rule_pick, Candidate, DateModel};

use rayon::prelude::*;

use crate::{read_gz, read_json, EvalError, Page, Result, System};

/// One page with a gold publication day (or none).
pub struct DatePage {
    /// The development set it comes from.
    pub set: &'static str,
    /// Its site, the unit of the folds.
    pub site: String,
    /// Its date candidates.
    pub candidates: Vec<Candidate>,
    /// The gold day; `None`: the page has no publication date.
    pub gold: Option<NaiveDate>,
    /// Its file, relative to the datasets directory.
    pub key: String,
    /// Its HTML, for the other extractors.
    html: String,
    /// Its URL, where the set gives one.
    url: Option<String>,
}

fn day(s: &str) -> Option<NaiveDate> {
    s.get(..10)?.parse().ok()
}

fn host(url: &str) -> String {
    echotrace_extract::html::host_of(url).unwrap_or_else(|| url.to_string())
}

/// Reads the pages of the three sets and their date candidates.
pub fn pages(dir: &Path) -> Result<Vec<DatePage>> {
    let bad = |file: &'static str| EvalError::Gold {
        file,
        problem: "entry without file",
    };
    let mut out = Vec::new();
    let gold = read_json(&dir.join("dates/gold.json"))?;
    for (url, v) in gold.as_object().into_iter().flatten() {
        let file = v["file"].as_str().ok_or(bad("gold.json"))?;
        let key = format!("dates/html/{file}.gz");
        let html = read_gz(&dir.join(&key))?;
        out.push(DatePage {
            set: "dates",
            site: host(url),
            candidates: echotrace_extract::html::date_candidates(&html, Some(url)),
            gold: v["date"].as_str().and_then(day),
            key,
            html,
            url: Some(url.clone()),
        });
    }
    let gold = read_json(&dir.join("extraction-snippets/gold.json"))?;
    for (url, v) in gold.as_object().into_iter().flatten() {
        let Some(date) = v["date"].as_str().and_then(day) else {
            continue;
        };
        let file = v["file"].as_str().ok_or(bad("gold.json"))?;
        let key = format!("extraction-snippets/html/{file}.gz");
        let html = read_gz(&dir.join(&key))?;
        out.push(DatePage {
            set: "snippets",
            site: host(url),
            candidates: echotrace_extract::html::date_candidates(&html, None),
            gold: Some(date),
            key,
            html,
            url: None,
        });
    }
    let root = dir.join("extraction-readability");
    let mut names: Vec<_> = std::fs::read_dir(&root)
        .map_err(EvalError::io(&root))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let meta = root.join(&name).join("expected-metadata.json");
        let Ok(meta) = read_json(&meta) else { continue };
        let Some(date) = meta["publishedTime"].as_str().and_then(day) else {
            continue;
        };
        let html = read_gz(&root.join(&name).join("source.html.gz"))?;
        out.push(DatePage {
            set: "readability",
            site: format!("readability/{name}"),
            candidates: echotrace_extract::html::date_candidates(&html, None),
            gold: Some(date),
            key: format!("extraction-readability/{name}/source.html.gz"),
            html,
            url: None,
        });
    }
    Ok(out)
}

/// The held-out model beside other extractors on the same pages, per set (right: the same
/// day as the gold, or no date where the gold has none).
fn other_systems(
    pages: &[DatePage],
    others: &[System],
    cv_pick: impl Fn(&DatePage) -> Option<usize> + Sync,
) -> String {
    let answers: Vec<Vec<Option<NaiveDate>>> = others
        .iter()
        .map(|sys| {
            pages
                .par_iter()
                .map(|p| {
                    let page = Page {
                        key: &p.key,
                        html: &p.html,
                        url: p.url.as_deref(),
                    };
                    (sys.run)(&page).1.as_deref().and_then(day)
                })
                .collect()
        })
        .collect();
    let mut s = String::from("\nsame pages, the held-out model beside the other extractors (their whole output's date)\n| set | pages | model, held out |");
    for sys in others {
        s.push_str(&format!(" {} |", sys.name));
    }
    s.push_str(&format!(
        "\n| --- | --- | --- |{}\n",
        " --- |".repeat(others.len())
    ));
    for set in ["dates", "snippets", "readability", "all"] {
        let of_set: Vec<usize> = (0..pages.len())
            .filter(|&i| set == "all" || pages[i].set == set)
            .collect();
        let model = accuracy(of_set.iter().map(|&i| &pages[i]), &cv_pick);
        s.push_str(&format!("| {set} | {} | {} |", of_set.len(), cell(model)));
        for a in &answers {
            let right = of_set.iter().filter(|&&i| a[i] == pages[i].gold).count();
            s.push_str(&format!(" {} |", cell((right, of_set.len()))));
        }
        s.push('\n');
    }
    s
}

/// The fold of a site: a stable hash of its name modulo `k`.
pub fn fold_of(site: &str, k: usize) -> usize {
    (xxhash_rust::xxh3::xxh3_64(site.as_bytes()) % k as u64) as usize
}

fn right(page: &DatePage, pick: Option<usize>) -> bool {
    pick.map(|i| page.candidates[i].day) == page.gold
}

/// Accuracy of picks over pages: (right, pages).
fn accuracy<'a>(
    pages: impl Iterator<Item = &'a DatePage>,
    pick: impl Fn(&DatePage) -> Option<usize>,
) -> (usize, usize) {
    pages.fold((0, 0), |(r, n), p| (r + right(p, pick(p)) as usize, n + 1))
}

fn fit(pages: &[&DatePage]) -> DateModel {
    let data: Vec<(Vec<Candidate>, Option<NaiveDate>)> = pages
        .iter()
        .map(|p| (p.candidates.clone(), p.gold))
        .collect();
    DateModel::fit(&data)
}

fn cell((r, n): (usize, usize)) -> String {
    format!("{:.3} ({r}/{n})", r as f64 / n.max(1) as f64)
}

/// Folds of the cross-validation by site.
const K: usize = 5;

/// One model per fold, each fitted on the pages of the other folds.
fn fold_models(pages: &[DatePage]) -> Vec<DateModel> {
    (0..K)
        .map(|k| {
            let train: Vec<&DatePage> = pages.iter().filter(|p| fold_of(&p.site, K) != k).collect();
            fit(&train)
        })
        .collect()
}

/// Held-out accuracy by site folds, pooled: (pages right, pages), and the rules' (in-sample).
pub fn held_out_accuracy(pages: &[DatePage]) -> ((usize, usize), (usize, usize)) {
    let models = fold_models(pages);
    (
        accuracy(pages.iter(), |p| {
            models[fold_of(&p.site, K)].pick(&p.candidates)
        }),
        accuracy(pages.iter(), |p| rule_pick(&p.candidates)),
    )
}

/// The cross-validation tables, and the model fitted on every page.
pub fn evaluate(dir: &Path, others: &[System]) -> Result<(String, DateModel)> {
    let pages = pages(dir)?;
    let fold_models = fold_models(&pages);
    let cv_pick = |p: &DatePage| fold_models[fold_of(&p.site, K)].pick(&p.candidates);
    let shipped = DateModel::shipped();
    let mut s = String::from(
        "dates, cross-validated by site (5 folds: a site's xxh3 modulo 5; each fold's model fitted on the other four)\n",
    );
    s.push_str("| fold | pages | sites | rules (in-sample) | shipped model (in-sample) | model, held out |\n| --- | --- | --- | --- | --- | --- |\n");
    let mut sites_in: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for p in &pages {
        sites_in
            .entry(fold_of(&p.site, K))
            .or_default()
            .push(&p.site);
    }
    for k in 0..K {
        let fold: Vec<&DatePage> = pages.iter().filter(|p| fold_of(&p.site, K) == k).collect();
        let mut sites = sites_in.get(&k).cloned().unwrap_or_default();
        sites.sort();
        sites.dedup();
        s.push_str(&format!(
            "| {k} | {} | {} | {} | {} | {} |\n",
            fold.len(),
            sites.len(),
            cell(accuracy(fold.iter().copied(), |p| rule_pick(&p.candidates))),
            cell(accuracy(fold.iter().copied(), |p| shipped.pick(&p.candidates))),
            cell(accuracy(fold.iter().copied(), cv_pick)),
        ));
    }
    for set in ["dates", "snippets", "readability", "all"] {
        let of_set = || pages.iter().filter(|p| set == "all" || p.set == set);
        s.push_str(&format!(
            "| {set} | {} | | {} | {} | {} |\n",
            of_set().count(),
            cell(accuracy(of_set(), |p| rule_pick(&p.candidates))),
            cell(accuracy(of_set(), |p| shipped.pick(&p.candidates))),
            cell(accuracy(of_set(), cv_pick)),
        ));
    }
    let reachable = pages
        .iter()
        .filter(|p| {
            p.gold
                .is_none_or(|g| p.candidates.iter().any(|c| c.day == g))
        })
        .count();
    s.push_str(&format!(
        "\npages whose gold day is among the candidates (or that have no date): {reachable} of {}\n",
        pages.len()
    ));
    s.push_str("\nleave one set out (fitted on the other two sets, scored on this one)\n| set | pages | rules (in-sample) | model, held out |\n| --- | --- | --- | --- |\n");
    for set in ["dates", "snippets", "readability"] {
        let train: Vec<&DatePage> = pages.iter().filter(|p| p.set != set).collect();
        let m = fit(&train);
        let test = || pages.iter().filter(|p| p.set == set);
        s.push_str(&format!(
            "| {set} | {} | {} | {} |\n",
            test().count(),
            cell(accuracy(test(), |p| rule_pick(&p.candidates))),
            cell(accuracy(test(), |p| m.pick(&p.candidates))),
        ));
    }
    if !others.is_empty() {
        s.push_str(&other_systems(&pages, others, cv_pick));
    }
    if std::env::var_os("ECHOTRACE_EVAL_VERBOSE").is_some() {
        s.push_str("\npages the held-out model gets wrong\n");
        for p in pages.iter().filter(|p| !right(p, cv_pick(p))) {
            let picked = cv_pick(p).map(|i| &p.candidates[i]);
            s.push_str(&format!(
                "{} {}: gold {:?}, picked {:?}; candidates: {}\n",
                p.set,
                p.site,
                p.gold,
                picked.map(|c| (c.source.name(), c.day)),
                p.candidates
                    .iter()
                    .map(|c| format!("{}={}({})", c.source.name(), c.day, c.text_mentions))
                    .collect::<Vec<_>>()
                    .join(" ")
            ));
        }
        s.push_str("\nsites by fold\n");
        for (k, sites) in &mut sites_in {
            sites.sort();
            sites.dedup();
            s.push_str(&format!("{k}: {}\n", sites.join(" ")));
        }
    }
    let all: Vec<&DatePage> = pages.iter().collect();
    Ok((s, fit(&all)))
}
