//! Scorers for the development sets in `../shared/datasets/`.
//!
//! Each scorer reads a set's gold, runs one or more [`System`]s over the same
//! pages in the same run, and returns figures that `echotrace eval` prints as
//! a table. Metrics follow the sets' README: word 4-gram precision/recall per
//! page (extraction-body), snippet containment (extraction-snippets), same-day
//! accuracy and F1 (dates).

pub mod attribution;
pub mod blocks;
pub mod body_chooser;
pub mod claim_matching;
pub mod clustering;
pub mod crawl;
pub mod dates;
mod error;
pub mod planted;
pub mod relations;
pub mod translation;

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use echotrace_model::{ContentKind, Origin, RawDocument};

pub use error::{EvalError, Result};

/// A development page handed to an extractor.
pub struct Page<'a> {
    /// Its file, relative to the datasets directory (`dates/html/x.html.gz`).
    pub key: &'a str,
    /// Its HTML, decoded.
    pub html: &'a str,
    /// Its URL, where the set gives one.
    pub url: Option<&'a str>,
}

/// What an extractor gives for a page: its body text and its date (`YYYY-MM-DD`).
pub type Extraction = (String, Option<String>);

/// An extractor under evaluation: a page in, body text and ISO date out.
pub struct System {
    /// Name shown in the table.
    pub name: String,
    /// Extracts (body, date `YYYY-MM-DD`) from a page.
    pub run: Box<dyn Fn(&Page) -> Extraction + Send + Sync>,
    /// Whether its time is measured here (not for outputs read from files).
    pub timed: bool,
}

/// echotrace's own extractor.
pub fn echotrace_system() -> System {
    System {
        name: "echotrace".into(),
        timed: true,
        run: Box::new(|page: &Page| {
            let doc = RawDocument {
                origin: Origin {
                    path: String::new(),
                    url: page.url.map(str::to_string),
                    ..Default::default()
                },
                kind: ContentKind::Html,
                content: page.html.to_string(),
            };
            let a = echotrace_extract::extract(&doc, &Default::default());
            let date = a
                .published
                .and_then(|p| p.value.date())
                .map(|d| d.to_string());
            (a.body, date)
        }),
    }
}

/// The peers evaluated beside echotrace: the crates.io extractors it builds on.
pub fn peer_systems() -> Vec<System> {
    vec![
        System {
            name: "trafilatura 0.6 (crate)".into(),
            timed: true,
            run: Box::new(|page: &Page| {
                let mut o = trafilatura::Options::default();
                o.original_url = page.url.and_then(|u| url::Url::parse(u).ok());
                match trafilatura::extract(page.html, &o) {
                    Ok(r) => (
                        r.content_text,
                        r.metadata.date.map(|d| d.format("%Y-%m-%d").to_string()),
                    ),
                    Err(_) => (String::new(), None),
                }
            }),
        },
        System {
            name: "rs-trafilatura 0.2 (crate)".into(),
            timed: true,
            run: Box::new(|page: &Page| {
                let o = rs_trafilatura::Options {
                    url: page.url.map(str::to_string),
                    ..Default::default()
                };
                match rs_trafilatura::extract_with_options(page.html, &o) {
                    Ok(r) => (
                        r.content_text,
                        r.metadata.date.map(|d| d.format("%Y-%m-%d").to_string()),
                    ),
                    Err(_) => (String::new(), None),
                }
            }),
        },
    ]
}

/// Extractors run outside echotrace (`bench/python_extractors.py`), read from `dir`: one
/// folder per system with its name in `system.json` (`{"name": ...}`) and, per page, a file
/// named by the page's key with `/` as `__` plus `.json`: `{"body": ..., "date": ...}`. A page
/// without a file counts as extracted to nothing.
pub fn external_systems(dir: &Path) -> Result<Vec<System>> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(EvalError::io(dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("system.json").is_file())
        .collect();
    folders.sort();
    folders
        .into_iter()
        .map(|folder| {
            let about = read_json(&folder.join("system.json"))?;
            let name = about["name"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| folder.display().to_string());
            Ok(System {
                name,
                timed: false,
                run: Box::new(move |page: &Page| {
                    let file = folder.join(format!("{}.json", page.key.replace('/', "__")));
                    let Ok(out) = read_json(&file) else {
                        return (String::new(), None);
                    };
                    let date = out["date"].as_str().map(|d| d.chars().take(10).collect());
                    (out["body"].as_str().unwrap_or("").to_string(), date)
                }),
            })
        })
        .collect()
}

/// Where the development sets are, or why they cannot be used.
pub fn datasets_dir(explicit: Option<&Path>) -> Result<PathBuf> {
    let candidates: Vec<PathBuf> = match explicit {
        Some(p) => vec![p.to_path_buf()],
        None => vec![
            PathBuf::from("../shared/datasets"),
            PathBuf::from("../../shared/datasets"),
            PathBuf::from("../../../shared/datasets"),
        ],
    };
    candidates
        .into_iter()
        .find(|p| p.join("extraction-body").is_dir())
        .ok_or(EvalError::NoDatasets)
}

pub(crate) fn read_gz(p: &Path) -> Result<String> {
    let f = std::fs::File::open(p).map_err(EvalError::io(p))?;
    let mut b = Vec::new();
    flate2::read::MultiGzDecoder::new(f)
        .read_to_end(&mut b)
        .map_err(EvalError::io(p))?;
    Ok(echotrace_ingest::decode_page(&b, None).text)
}

pub(crate) fn read_json(p: &Path) -> Result<serde_json::Value> {
    let raw = std::fs::read_to_string(p).map_err(EvalError::io(p))?;
    // The dates gold writes a missing date as bare NaN, which JSON does not allow.
    let raw = raw.replace(": NaN", ": null");
    serde_json::from_str(&raw).map_err(EvalError::json(p))
}

/// Precision, recall and F1.
#[derive(Debug, Clone, Copy, Default)]
pub struct Prf {
    /// Precision.
    pub p: f64,
    /// Recall.
    pub r: f64,
    /// F1.
    pub f1: f64,
}

impl Prf {
    /// From precision and recall.
    pub fn new(p: f64, r: f64) -> Self {
        let f1 = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        Prf { p, r, f1 }
    }
}

/// One system's result on one set.
#[derive(Debug, Clone)]
pub struct Row {
    /// The system.
    pub system: String,
    /// Its scores.
    pub prf: Prf,
    /// Extra figure (accuracy, for dates).
    pub accuracy: Option<f64>,
    /// Pages scored.
    pub pages: usize,
    /// Wall-clock seconds for extraction.
    pub seconds: f64,
}

/// Runs `f` over every page and returns the outputs with the wall-clock seconds taken
/// (not a number unless `clocked`: outputs read from files say nothing of speed).
fn timed<P, T>(clocked: bool, pages: &[P], f: impl Fn(&P) -> T) -> (Vec<T>, f64) {
    let t = Instant::now();
    let outs = pages.iter().map(f).collect();
    let secs = t.elapsed().as_secs_f64();
    (outs, if clocked { secs } else { f64::NAN })
}

fn shingles(s: &str) -> HashSet<String> {
    let w: Vec<String> = s.split_whitespace().map(str::to_lowercase).collect();
    let mut h = HashSet::new();
    if w.len() < 4 {
        if !w.is_empty() {
            h.insert(w.join(" "));
        }
        return h;
    }
    for win in w.windows(4) {
        h.insert(win.join(" "));
    }
    h
}

/// Word 4-gram precision and recall of `out` against `gold`.
pub fn shingle_pr(out: &str, gold: &str) -> (f64, f64) {
    let o = shingles(out);
    let g = shingles(gold);
    if o.is_empty() && g.is_empty() {
        return (1.0, 1.0);
    }
    let i = o.intersection(&g).count() as f64;
    let p = if o.is_empty() {
        0.0
    } else {
        i / o.len() as f64
    };
    let r = if g.is_empty() {
        0.0
    } else {
        i / g.len() as f64
    };
    (p, r)
}

/// Scores the extraction-body set: averaged per-page 4-gram precision and recall.
pub fn score_body(dir: &Path, systems: &[System]) -> Result<Vec<Row>> {
    let gold = read_json(&dir.join("extraction-body/ground-truth.json"))?;
    let gold = gold.as_object().ok_or(EvalError::Gold {
        file: "ground-truth.json",
        problem: "not an object",
    })?;
    let mut pages = Vec::new();
    for (k, v) in gold {
        let key = format!("extraction-body/html/{k}.html.gz");
        let html = read_gz(&dir.join(&key))?;
        let url = v["url"].as_str().map(str::to_string);
        let body = v["articleBody"].as_str().unwrap_or("").to_string();
        pages.push((key, html, url, body));
    }
    Ok(systems
        .iter()
        .map(|s| {
            let (outs, secs) = timed(s.timed, &pages, |(key, html, url, _)| {
                (s.run)(&Page {
                    key,
                    html,
                    url: url.as_deref(),
                })
                .0
            });
            let scored = outs
                .iter()
                .zip(&pages)
                .map(|(o, (_, _, u, g))| (u.as_deref().unwrap_or(""), o.as_str(), g.as_str()));
            shingle_row(&s.name, scored, secs)
        })
        .collect())
}

/// Per-page word 4-gram precision and recall of (page, output, gold), averaged over pages
/// (each page's figures on stderr when `ECHOTRACE_EVAL_VERBOSE` is set).
fn shingle_row<'a>(
    system: &str,
    scored: impl Iterator<Item = (&'a str, &'a str, &'a str)>,
    seconds: f64,
) -> Row {
    let verbose = std::env::var_os("ECHOTRACE_EVAL_VERBOSE").is_some();
    let (mut sp, mut sr, mut n) = (0.0, 0.0, 0usize);
    for (page, out, gold) in scored {
        let (p, r) = shingle_pr(out, gold);
        if verbose {
            eprintln!("{system}: {page}: P {p:.3} R {r:.3}");
        }
        sp += p;
        sr += r;
        n += 1;
    }
    let d = n.max(1) as f64;
    Row {
        system: system.to_string(),
        prf: Prf::new(sp / d, sr / d),
        accuracy: None,
        pages: n,
        seconds,
    }
}

/// The pages of the extraction-readability set: (name, source HTML, expected body text, expected metadata).
pub(crate) fn readability_pages(
    dir: &Path,
) -> Result<Vec<(String, String, String, serde_json::Value)>> {
    let root = dir.join("extraction-readability");
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .map_err(EvalError::io(&root))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("source.html.gz").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let page = root.join(&name);
            let html = read_gz(&page.join("source.html.gz"))?;
            let expected = read_gz(&page.join("expected.html.gz"))?;
            let meta = read_json(&page.join("expected-metadata.json"))?;
            let body = echotrace_extract::html::block_text(&expected);
            Ok((name, html, body, meta))
        })
        .collect()
}

/// Scores the extraction-readability set: averaged per-page 4-gram precision and recall of the body.
pub fn score_readability(dir: &Path, systems: &[System]) -> Result<Vec<Row>> {
    let pages = readability_pages(dir)?;
    Ok(systems
        .iter()
        .map(|s| {
            let (outs, secs) = timed(s.timed, &pages, |(name, html, _, _)| {
                let key = format!("extraction-readability/{name}/source.html.gz");
                (s.run)(&Page {
                    key: &key,
                    html,
                    url: None,
                })
                .0
            });
            let scored = outs
                .iter()
                .zip(&pages)
                .map(|(o, (name, _, g, _))| (name.as_str(), o.as_str(), g.as_str()));
            shingle_row(&s.name, scored, secs)
        })
        .collect())
}

/// Whether echotrace's value of a metadata field is the expected one, after case and space
/// folding; a miss is printed with `ECHOTRACE_EVAL_VERBOSE`, named by `page` and `field`.
fn metadata_right(page: &str, field: &str, got: Option<&str>, expected: &str) -> bool {
    let fold = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let right = got.map(fold) == Some(fold(expected));
    if !right && std::env::var_os("ECHOTRACE_EVAL_VERBOSE").is_some() {
        eprintln!("{page}: {field} {got:?}, expected {expected:?}");
    }
    right
}

/// echotrace's article from one HTML page, as `extract` gives it.
fn extract_page(html: String) -> echotrace_model::Article {
    let doc = RawDocument {
        origin: Origin::default(),
        kind: ContentKind::Html,
        content: html,
    };
    echotrace_extract::extract(&doc, &Default::default())
}

/// echotrace's titles on the extraction-snippets pages whose gold names one (the article's
/// headline, without the site's name): right / expected, compared after case and space folding.
pub fn snippet_titles(dir: &Path) -> Result<String> {
    let gold = read_json(&dir.join("extraction-snippets/gold.json"))?;
    let (mut titles, mut right) = (0, 0);
    for v in gold.as_object().into_iter().flat_map(|o| o.values()) {
        let (Some(file), Some(t)) = (
            v["file"].as_str(),
            v["title"].as_str().filter(|t| !t.trim().is_empty()),
        ) else {
            continue;
        };
        let a = extract_page(read_gz(
            &dir.join(format!("extraction-snippets/html/{file}.gz")),
        )?);
        titles += 1;
        right += metadata_right(file, "title", a.title.as_deref(), t) as usize;
    }
    Ok(format!(
        "extraction-snippets metadata (echotrace): title right {right}/{titles}\n"
    ))
}

/// echotrace's titles and bylines on the extraction-readability pages: right / expected, each
/// compared after case and space folding.
pub fn readability_metadata(dir: &Path) -> Result<String> {
    let (mut titles, mut title_right, mut bylines, mut byline_right) = (0, 0, 0, 0);
    for (name, html, _, meta) in readability_pages(dir)? {
        let a = extract_page(html);
        if let Some(t) = meta["title"].as_str().filter(|t| !t.trim().is_empty()) {
            titles += 1;
            title_right += metadata_right(&name, "title", a.title.as_deref(), t) as usize;
        }
        if let Some(b) = meta["byline"].as_str().filter(|b| !b.trim().is_empty()) {
            bylines += 1;
            byline_right += metadata_right(&name, "byline", a.byline.as_deref(), b) as usize;
        }
    }
    Ok(format!(
        "extraction-readability metadata (echotrace): title right {title_right}/{titles}, byline right {byline_right}/{bylines}\n"
    ))
}

/// A browser-like plain-text rendering of a page (html2text, no wrapping, lists bulleted).
///
/// html2text marks link text with brackets, which a browser's text dump does
/// not have; they are removed.
pub fn render_dump(html: &str) -> String {
    static LINK: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let link = LINK.get_or_init(|| regex::Regex::new(r"\[([^\[\]\n]*)\]").expect("static regex"));
    let text = html2text::config::plain_no_decorate()
        .string_from_read(html.as_bytes(), 100_000)
        .unwrap_or_default();
    // Twice: links nested in brackets ("[[Site]]").
    let once = link.replace_all(&text, "$1");
    link.replace_all(&once, "$1").into_owned()
}

/// Scores the text-dump front end: extraction-body pages rendered to text dumps
/// (as a browser's "save as text" would), extracted without their markup.
///
/// Rows: echotrace's dump classifier, and the whole dump as a floor.
pub fn score_dumps(dir: &Path) -> Result<Vec<Row>> {
    let gold = read_json(&dir.join("extraction-body/ground-truth.json"))?;
    let gold = gold.as_object().ok_or(EvalError::Gold {
        file: "ground-truth.json",
        problem: "not an object",
    })?;
    let mut pages = Vec::new();
    for (k, v) in gold {
        let html = read_gz(&dir.join(format!("extraction-body/html/{k}.html.gz")))?;
        let body = v["articleBody"].as_str().unwrap_or("").to_string();
        pages.push((render_dump(&html), body));
    }
    if let Some(out) = std::env::var_os("ECHOTRACE_EVAL_DUMP_DIR") {
        // For error analysis: keep the rendered dumps, numbered as in verbose output.
        let out = PathBuf::from(out);
        std::fs::create_dir_all(&out).map_err(EvalError::io(&out))?;
        for (i, (dump, _)) in pages.iter().enumerate() {
            std::fs::write(out.join(format!("{i}.txt")), dump).map_err(EvalError::io(&out))?;
        }
    }
    let docs: Vec<RawDocument> = pages
        .iter()
        .map(|(dump, _)| RawDocument {
            origin: Origin::default(),
            kind: ContentKind::Text,
            content: dump.clone(),
        })
        .collect();
    let profile = echotrace_extract::site_profile(&docs);
    let verbose = std::env::var_os("ECHOTRACE_EVAL_VERBOSE").is_some();
    let score = |name: &str, outs: Vec<String>, secs: f64| {
        let (mut sp, mut sr) = (0.0, 0.0);
        for (i, (o, (_, g))) in outs.iter().zip(&pages).enumerate() {
            let (p, r) = shingle_pr(o, g);
            if verbose && (p < 0.8 || r < 0.8) {
                eprintln!("{name}: page {i}: P {p:.2} R {r:.2}");
            }
            sp += p;
            sr += r;
        }
        let n = pages.len().max(1) as f64;
        Row {
            system: name.to_string(),
            prf: Prf::new(sp / n, sr / n),
            accuracy: None,
            pages: pages.len(),
            seconds: secs,
        }
    };
    let (ours, secs) = timed(true, &docs, |d| {
        echotrace_extract::extract(d, &profile).body
    });
    let (whole, wsecs) = timed(true, &pages, |(dump, _)| dump.clone());
    Ok(vec![
        score("echotrace (text-dump path)", ours, secs),
        score("whole dump, nothing removed", whole, wsecs),
    ])
}

pub(crate) fn ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A snippet-set gold entry's snippets that must be in the output and those that must not, spaces folded.
pub(crate) fn snippet_lists(entry: &serde_json::Value) -> (Vec<String>, Vec<String>) {
    let list = |k: &str| -> Vec<String> {
        entry[k]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str())
                    .map(ws)
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    (list("with"), list("without"))
}

/// Scores the extraction-snippets set: snippets that must (not) be in the output.
pub fn score_snippets(dir: &Path, systems: &[System]) -> Result<Vec<Row>> {
    let gold = read_json(&dir.join("extraction-snippets/gold.json"))?;
    let gold = gold.as_object().ok_or(EvalError::Gold {
        file: "gold.json",
        problem: "not an object",
    })?;
    let mut pages = Vec::new();
    for v in gold.values() {
        let file = v["file"].as_str().ok_or(EvalError::Gold {
            file: "gold.json",
            problem: "entry without file",
        })?;
        let key = format!("extraction-snippets/html/{file}.gz");
        let html = read_gz(&dir.join(&key))?;
        let (with, without) = snippet_lists(v);
        pages.push((key, html, with, without));
    }
    Ok(systems
        .iter()
        .map(|s| {
            let (outs, secs) = timed(s.timed, &pages, |(key, html, _, _)| {
                ws(&(s.run)(&Page {
                    key,
                    html,
                    url: None,
                })
                .0)
            });
            let (mut tp, mut fn_, mut fp) = (0usize, 0usize, 0usize);
            for (o, (_, _, with, without)) in outs.iter().zip(&pages) {
                for w in with {
                    if o.contains(w.as_str()) {
                        tp += 1
                    } else {
                        fn_ += 1
                    }
                }
                fp += without.iter().filter(|w| o.contains(w.as_str())).count();
            }
            let p = tp as f64 / (tp + fp).max(1) as f64;
            let r = tp as f64 / (tp + fn_).max(1) as f64;
            Row {
                system: s.name.clone(),
                prf: Prf::new(p, r),
                accuracy: None,
                pages: pages.len(),
                seconds: secs,
            }
        })
        .collect())
}

/// Scores the dates set: same day = TP, another day = FP, none = FN.
///
/// Accuracy counts a page right when the day matches, or when the gold has
/// no date and the system gives none.
pub fn score_dates(dir: &Path, systems: &[System]) -> Result<Vec<Row>> {
    let gold = read_json(&dir.join("dates/gold.json"))?;
    let gold = gold.as_object().ok_or(EvalError::Gold {
        file: "gold.json",
        problem: "not an object",
    })?;
    let mut pages = Vec::new();
    for (url, v) in gold {
        let file = v["file"].as_str().ok_or(EvalError::Gold {
            file: "gold.json",
            problem: "entry without file",
        })?;
        let key = format!("dates/html/{file}.gz");
        let html = read_gz(&dir.join(&key))?;
        pages.push((
            key,
            html,
            url.clone(),
            v["date"].as_str().map(str::to_string),
        ));
    }
    Ok(systems
        .iter()
        .map(|s| {
            let (outs, secs) = timed(s.timed, &pages, |(key, html, url, _)| {
                (s.run)(&Page {
                    key,
                    html,
                    url: Some(url),
                })
                .1
            });
            let verbose = std::env::var_os("ECHOTRACE_EVAL_VERBOSE").is_some();
            if verbose {
                for (o, (_, _, url, g)) in outs.iter().zip(&pages) {
                    if o != g {
                        eprintln!("{}: gold {:?} got {:?} at {url}", s.name, g, o);
                    }
                }
            }
            let golds: Vec<Option<String>> = pages.iter().map(|p| p.3.clone()).collect();
            date_row(&s.name, &outs, &golds, secs)
        })
        .collect())
}

/// The gold article bodies of the extraction-body set, in key order.
pub fn body_texts(dir: &Path) -> Result<Vec<String>> {
    let gold = read_json(&dir.join("extraction-body/ground-truth.json"))?;
    let gold = gold.as_object().ok_or(EvalError::Gold {
        file: "ground-truth.json",
        problem: "not an object",
    })?;
    let mut keys: Vec<&String> = gold.keys().collect();
    keys.sort();
    Ok(keys
        .into_iter()
        .filter_map(|k| gold[k]["articleBody"].as_str())
        .map(str::to_string)
        .collect())
}

/// Plants reuse into the extraction-body texts (fixed seed) and scores echotrace's reuse stage.
///
/// Some of those texts report the same events and quote each other before
/// anything is planted; that reuse is real but not in the gold. Texts that
/// take part in it (as found on the unplanted texts) are left out, so
/// precision measures false detections, not unlabelled true ones.
pub fn score_planted(dir: &Path, plants: usize, seed: u64) -> Result<Vec<planted::PlantScore>> {
    let texts = clean_texts(body_texts(dir)?);
    let corpus = planted::generate(&texts, plants, seed);
    let found = echotrace_reuse::find_passages(
        &corpus.articles,
        &echotrace_reuse::Aliases::builtin(),
        &Default::default(),
    );
    Ok(planted::score(&corpus, &found))
}

/// The texts that share no passage with another text of the set.
pub fn clean_texts(texts: Vec<String>) -> Vec<String> {
    let articles: Vec<echotrace_model::Article> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| echotrace_model::Article {
            id: format!("a{i}"),
            body: t.clone(),
            ..Default::default()
        })
        .collect();
    let natural = echotrace_reuse::find_passages(
        &articles,
        &echotrace_reuse::Aliases::builtin(),
        &Default::default(),
    );
    let mut tainted = HashSet::new();
    for p in &natural {
        tainted.insert(p.a.article.clone());
        tainted.insert(p.b.article.clone());
    }
    texts
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !tainted.contains(&format!("a{i}")))
        .map(|(_, t)| t)
        .collect()
}

/// Cosine distributions of an embedder on calibration pairs, as a table with precision and
/// recall at several thresholds (the threshold choice is documented beside the model).
pub fn calibrate_embedder(
    dir: &Path,
    embedder: &dyn echotrace_reuse::SentenceEmbedder,
) -> Result<String> {
    let texts = clean_texts(body_texts(dir)?);
    let (pos, neg) = planted::calibration_pairs(&texts, 400, 5);
    let cosines = |pairs: &[(String, String)]| -> Result<Vec<f32>> {
        let mut out = Vec::new();
        for chunk in pairs.chunks(32) {
            let xs: Vec<&str> = chunk.iter().map(|p| p.0.as_str()).collect();
            let ys: Vec<&str> = chunk.iter().map(|p| p.1.as_str()).collect();
            let vx = embedder.embed(&xs)?;
            let vy = embedder.embed(&ys)?;
            out.extend(
                vx.iter()
                    .zip(&vy)
                    .map(|(a, b)| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>()),
            );
        }
        Ok(out)
    };
    let t = Instant::now();
    let cp = cosines(&pos)?;
    let cn = cosines(&neg)?;
    let secs = t.elapsed().as_secs_f64();
    let sentences = 2 * (pos.len() + neg.len());
    let mut s = format!(
        "embedding calibration: {} ({} re-worded pairs, {} same-text pairs; {:.1} sentences/s)\n  {:>9} {:>9} {:>9} {:>12}\n",
        embedder.name(),
        cp.len(),
        cn.len(),
        sentences as f64 / secs,
        "threshold",
        "recall",
        "false+",
        "precision*"
    );
    for th in [0.5f32, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9] {
        let tp = cp.iter().filter(|&&c| c >= th).count();
        let fp = cn.iter().filter(|&&c| c >= th).count();
        let recall = tp as f64 / cp.len().max(1) as f64;
        let fpr = fp as f64 / cn.len().max(1) as f64;
        let prec = if tp + fp == 0 {
            1.0
        } else {
            tp as f64 / (tp + fp) as f64
        };
        s.push_str(&format!(
            "  {th:>9.2} {recall:>9.3} {fpr:>9.4} {prec:>12.3}\n"
        ));
    }
    s.push_str(&format!(
        "  current threshold: {:.2}; * precision with as many same-text pairs as re-worded ones\n",
        embedder.threshold()
    ));
    s.push_str(&embedding_speed(&pos, embedder)?);
    Ok(s)
}

/// Sentences per second on the first 1,000 calibration sentences, batched
/// in text order (64 a batch) against batched by length (as the reuse stage does).
fn embedding_speed(
    pairs: &[(String, String)],
    embedder: &dyn echotrace_reuse::SentenceEmbedder,
) -> Result<String> {
    let texts: Vec<&str> = pairs
        .iter()
        .flat_map(|p| [p.0.as_str(), p.1.as_str()])
        .take(1000)
        .collect();
    let t = Instant::now();
    for chunk in texts.chunks(64) {
        embedder.embed(chunk)?;
    }
    let in_order = texts.len() as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    echotrace_reuse::translation::embed_by_length(&texts, embedder)?;
    let by_length = texts.len() as f64 / t.elapsed().as_secs_f64();
    Ok(format!(
        "  speed on {} news sentences ({} threads): {in_order:.1} sentences/s in text order, {by_length:.1} batched by length\n",
        texts.len(),
        rayon::current_num_threads()
    ))
}

/// Formats planted-reuse scores as a text table.
pub fn planted_table(rows: &[planted::PlantScore]) -> String {
    let mut s =
        String::from("planted reuse in extraction-body texts: character P/R/F1 (PAN style)\n");
    s.push_str(&format!(
        "  {:<16} {:>6} {:>7} {:>7} {:>7}\n",
        "form", "cases", "P", "R", "F1"
    ));
    for r in rows {
        s.push_str(&format!(
            "  {:<16} {:>6} {:>7.3} {:>7.3} {:>7.3}\n",
            r.plant.name(),
            r.cases,
            r.precision,
            r.recall,
            r.f1
        ));
    }
    s
}

/// Scores dates on the extraction-snippets pages that carry a gold `date` (no URL is given there).
///
/// A second, independent check of the date rules: other sites, many languages.
pub fn score_snippet_dates(dir: &Path, systems: &[System]) -> Result<Vec<Row>> {
    let gold = read_json(&dir.join("extraction-snippets/gold.json"))?;
    let gold = gold.as_object().ok_or(EvalError::Gold {
        file: "gold.json",
        problem: "not an object",
    })?;
    let mut pages = Vec::new();
    for v in gold.values() {
        let Some(date) = v["date"].as_str() else {
            continue;
        };
        let file = v["file"].as_str().ok_or(EvalError::Gold {
            file: "gold.json",
            problem: "entry without file",
        })?;
        let key = format!("extraction-snippets/html/{file}.gz");
        let html = read_gz(&dir.join(&key))?;
        pages.push((key, html, date.chars().take(10).collect::<String>()));
    }
    Ok(systems
        .iter()
        .map(|s| {
            let (outs, secs) = timed(s.timed, &pages, |(key, html, _)| {
                (s.run)(&Page {
                    key,
                    html,
                    url: None,
                })
                .1
            });
            let golds: Vec<Option<String>> = pages.iter().map(|p| Some(p.2.clone())).collect();
            date_row(&s.name, &outs, &golds, secs)
        })
        .collect())
}

/// Same day = TP, another day = FP, none = FN; right = same day, or none where the gold has none.
fn date_row(system: &str, outs: &[Option<String>], golds: &[Option<String>], seconds: f64) -> Row {
    let (mut tp, mut fp, mut fn_, mut right) = (0usize, 0usize, 0usize, 0usize);
    for (o, g) in outs.iter().zip(golds) {
        match (o, g) {
            (Some(o), Some(g)) if o == g => {
                tp += 1;
                right += 1
            }
            (Some(_), _) => fp += 1,
            (None, Some(_)) => fn_ += 1,
            (None, None) => right += 1,
        }
    }
    let p = tp as f64 / (tp + fp).max(1) as f64;
    let r = tp as f64 / (tp + fn_).max(1) as f64;
    Row {
        system: system.to_string(),
        prf: Prf::new(p, r),
        accuracy: Some(right as f64 / golds.len().max(1) as f64),
        pages: golds.len(),
        seconds,
    }
}

/// Formats rows as an aligned text table under a heading.
pub fn table(title: &str, rows: &[Row]) -> String {
    let mut s = format!("{title}\n");
    s.push_str(&format!(
        "  {:<28} {:>7} {:>7} {:>7} {:>9} {:>6} {:>9}\n",
        "system", "P", "R", "F1", "accuracy", "pages", "pages/s"
    ));
    for r in rows {
        let acc = r
            .accuracy
            .map(|a| format!("{a:.3}"))
            .unwrap_or_else(|| "-".into());
        let rate = if r.seconds.is_finite() {
            format!("{:.1}", r.pages as f64 / r.seconds.max(1e-9))
        } else {
            "-".into()
        };
        s.push_str(&format!(
            "  {:<28} {:>7.3} {:>7.3} {:>7.3} {:>9} {:>6} {:>9}\n",
            r.system, r.prf.p, r.prf.r, r.prf.f1, acc, r.pages, rate
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shingle_metric_counts_four_grams() {
        let (p, r) = shingle_pr("a b c d e", "a b c d x");
        assert!((p - 0.5).abs() < 1e-9 && (r - 0.5).abs() < 1e-9);
        assert_eq!(shingle_pr("", ""), (1.0, 1.0));
        assert_eq!(shingle_pr("", "a b c d").0, 0.0);
    }

    #[test]
    fn prf_f1_is_harmonic_mean() {
        assert!((Prf::new(0.5, 1.0).f1 - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(Prf::new(0.0, 0.0).f1, 0.0);
    }

    #[test]
    fn external_outputs_are_read_by_page_key_and_a_missing_page_is_extracted_to_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let sys = dir.path().join("py");
        std::fs::create_dir(&sys).unwrap();
        std::fs::write(sys.join("system.json"), r#"{"name": "peer (Python)"}"#).unwrap();
        std::fs::write(
            sys.join("dates__html__a.html.gz.json"),
            r#"{"body": "Text.", "date": "2020-01-02T10:00:00"}"#,
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("not-a-system")).unwrap();
        let systems = external_systems(dir.path()).unwrap();
        assert_eq!(systems.len(), 1);
        assert_eq!(systems[0].name, "peer (Python)");
        assert!(!systems[0].timed);
        let page = |key| Page {
            key,
            html: "<p>ignored</p>",
            url: None,
        };
        assert_eq!(
            (systems[0].run)(&page("dates/html/a.html.gz")),
            ("Text.".to_string(), Some("2020-01-02".to_string()))
        );
        assert_eq!(
            (systems[0].run)(&page("dates/html/b.html.gz")),
            (String::new(), None)
        );
    }
}
