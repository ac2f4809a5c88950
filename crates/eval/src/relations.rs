//! How a watch match relates to the watched text (echoes, attributes, disputes), scored on a
//! labelled set of development texts by cross-validation, beside the keyword rule it replaced.
//!
//! `crates/eval/data/relations.jsonl` labels stretches of development texts (claim-matching
//! tweets against their gold claim, PolNeAR news, clustering news) with the relation a reader
//! gives them. The file holds references, not texts (the corpora are not ours to commit): each
//! line names a file of the datasets directory and the bytes of the body in it (a CSV-quoted
//! tweet with its quotes doubled), or a clustering article and a run of its sentences joined by
//! spaces; the match's byte span in the body; and an FNV-1a hash of the body, so that a changed
//! corpus fails loudly instead of scoring other texts.
//!
//! Folds: a source document's FNV-1a hash modulo [`FOLDS`] (a PolNeAR text, a clustering
//! article, a tweet), so that no fold is scored on a document its model saw. The shipped model
//! (`crates/watch/data/relation.json`) is fitted on every example; its score on them is never
//! quoted.

use std::collections::HashMap;
use std::path::Path;

use echotrace_model::Article;
use echotrace_watch::relation::{features, rule_kind, RelationModel, KINDS};

use crate::{EvalError, Result};

/// Cross-validation folds.
pub const FOLDS: u64 = 5;

/// One line of the labelled set: where its body lies in the corpora, and its label.
#[derive(Debug, serde::Deserialize)]
struct Reference {
    id: String,
    relation: String,
    /// A file under the datasets directory.
    doc: String,
    /// The body's first byte in `doc`, and its length (text files).
    at: Option<usize>,
    len: Option<usize>,
    /// The body is a CSV field: `""` stands for `"`.
    #[serde(default)]
    doubled_quotes: bool,
    /// A clustering article's id and the run of its sentences (start, end) that make the body.
    article: Option<String>,
    sentences: Option<[usize; 2]>,
    /// The body's bytes that carry the watched text.
    #[serde(rename = "match")]
    span: [usize; 2],
    /// FNV-1a 64 of the body, in hex.
    fnv: String,
}

/// A labelled example with its body read from the corpora.
#[derive(Debug, Clone)]
pub struct Example {
    /// The example's id in the set.
    pub id: String,
    /// The source document, for folds.
    pub document: String,
    /// The label: an index in [`KINDS`].
    pub relation: usize,
    /// The text.
    pub body: String,
    /// The bytes of `body` that carry the watched text.
    pub span: (usize, usize),
}

/// The labelled set shipped beside this crate.
pub fn set_path() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/data/relations.jsonl"))
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn bad(id: &str, problem: String) -> EvalError {
    EvalError::Relations(format!("{}: {id}: {problem}", set_path().display()))
}

/// The body a reference points at.
fn body(r: &Reference, dir: &Path, files: &mut HashMap<String, Vec<u8>>) -> Result<String> {
    if !files.contains_key(&r.doc) {
        let path = dir.join(&r.doc);
        let bytes = std::fs::read(&path).map_err(EvalError::io(&path))?;
        files.insert(r.doc.clone(), bytes);
    }
    let bytes = &files[&r.doc];
    if let (Some(article), Some([lo, hi])) = (&r.article, r.sentences) {
        let json: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|e| bad(&r.id, format!("{}: {e}", r.doc)))?;
        let a = json["articles"]
            .as_array()
            .and_then(|a| {
                a.iter()
                    .find(|a| a["ID"].as_u64().map(|i| i.to_string()).as_ref() == Some(article))
            })
            .ok_or_else(|| bad(&r.id, format!("no article {article} in {}", r.doc)))?;
        let sentences: Vec<&str> = a["sentences"]
            .as_array()
            .map(|s| s.iter().filter_map(|s| s["content"].as_str()).collect())
            .unwrap_or_default();
        let run = sentences
            .get(lo..hi)
            .ok_or_else(|| bad(&r.id, format!("sentences {lo}..{hi} out of range")))?;
        return Ok(run.join(" "));
    }
    let (at, len) = (r.at.unwrap_or(0), r.len.unwrap_or(0));
    let raw = bytes
        .get(at..at + len)
        .ok_or_else(|| bad(&r.id, format!("bytes {at}..{} beyond {}", at + len, r.doc)))?;
    let text = std::str::from_utf8(raw)
        .map_err(|_| bad(&r.id, format!("bytes {at}.. of {} are not UTF-8", r.doc)))?;
    Ok(if r.doubled_quotes {
        text.replace("\"\"", "\"")
    } else {
        text.to_string()
    })
}

/// The labelled set with its bodies read from the datasets directory `dir`.
pub fn load(dir: &Path) -> Result<Vec<Example>> {
    let path = set_path();
    let text = std::fs::read_to_string(path).map_err(EvalError::io(path))?;
    let mut files = HashMap::new();
    let mut out = Vec::new();
    for (i, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let r: Reference = serde_json::from_str(line)
            .map_err(|e| bad(&format!("line {}", i + 1), e.to_string()))?;
        let body = body(&r, dir, &mut files)?;
        if format!("{:016x}", fnv(body.as_bytes())) != r.fnv {
            return Err(bad(
                &r.id,
                format!("the text at {} changed since it was labelled", r.doc),
            ));
        }
        let relation = KINDS
            .iter()
            .position(|k| *k == r.relation)
            .ok_or_else(|| bad(&r.id, format!("not a relation: {}", r.relation)))?;
        let (a, b) = (r.span[0], r.span[1]);
        if body.get(a..b).is_none() {
            return Err(bad(
                &r.id,
                format!("match {a}..{b} is not a stretch of the body"),
            ));
        }
        let document = match (&r.article, r.at) {
            (Some(article), _) => format!("{} {article}", r.doc),
            (None, Some(at)) if r.doc.starts_with("claim-matching") => format!("{} {at}", r.doc),
            _ => r.doc.clone(),
        };
        out.push(Example {
            id: r.id,
            document,
            relation,
            body,
            span: (a, b),
        });
    }
    Ok(out)
}

/// Each example's features, read with the quotes the claims stage finds in its body (as English).
pub fn featurise(set: &[Example]) -> Vec<Vec<f64>> {
    let aliases = echotrace_reuse::Aliases::builtin();
    set.iter()
        .map(|x| {
            let article = Article {
                id: x.id.clone(),
                language: "en".into(),
                body: x.body.clone(),
                ..Default::default()
            };
            let quotes = echotrace_claims::analyze_article(&article, &aliases).quotes;
            features(&x.body, x.span, &quotes)
        })
        .collect()
}

/// A confusion matrix, `[label][predicted]`, over [`KINDS`].
pub type Confusion = [[usize; 3]; 3];

/// Held-out predictions of the model fitted on the other folds, and the rule's, as confusion matrices.
pub fn cross_validate(set: &[Example], features: &[Vec<f64>]) -> (Confusion, Confusion) {
    let fold = |x: &Example| fnv(x.document.as_bytes()) % FOLDS;
    let (mut model, mut rule) = ([[0; 3]; 3], [[0; 3]; 3]);
    for k in 0..FOLDS {
        let train: Vec<(Vec<f64>, usize)> = set
            .iter()
            .zip(features)
            .filter(|(x, _)| fold(x) != k)
            .map(|(x, f)| (f.clone(), x.relation))
            .collect();
        let fitted = RelationModel::fit(&train, "cross-validation fold");
        for (x, f) in set.iter().zip(features).filter(|(x, _)| fold(x) == k) {
            model[x.relation][fitted.classify(f)] += 1;
            rule[x.relation][rule_kind(f)] += 1;
        }
    }
    (model, rule)
}

/// Accuracy of a confusion matrix.
pub fn accuracy(c: &Confusion) -> f64 {
    let total: usize = c.iter().flatten().sum();
    (0..3).map(|i| c[i][i]).sum::<usize>() as f64 / total.max(1) as f64
}

fn table(name: &str, c: &Confusion) -> String {
    let mut out = format!(
        "\n{name}: accuracy {:.3}\n\n| label \\ predicted | echoes | attributes | disputes | precision | recall | F1 |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n",
        accuracy(c)
    );
    for (i, kind) in KINDS.iter().enumerate() {
        let tp = c[i][i] as f64;
        let predicted: usize = (0..3).map(|g| c[g][i]).sum();
        let support: usize = c[i].iter().sum();
        let p = tp / predicted.max(1) as f64;
        let r = tp / support.max(1) as f64;
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        out.push_str(&format!(
            "| {kind} | {} | {} | {} | {p:.3} | {r:.3} | {f:.3} |\n",
            c[i][0], c[i][1], c[i][2]
        ));
    }
    out
}

/// Scores the learned model by cross-validation beside the rule; returns the tables and the model fitted on every example.
pub fn evaluate(dir: &Path) -> Result<(String, RelationModel)> {
    let set = load(dir)?;
    let features = featurise(&set);
    let (model, rule) = cross_validate(&set, &features);
    let mut per_class = [0usize; 3];
    for x in &set {
        per_class[x.relation] += 1;
    }
    let mut out = format!(
        "relations: {} labelled examples ({} echoes, {} attributes, {} disputes), {FOLDS}-fold cross-validation by source document\n",
        set.len(),
        per_class[0],
        per_class[1],
        per_class[2]
    );
    out.push_str(&table("learned model, held out", &model));
    out.push_str(&table("keyword rule (not fitted)", &rule));
    let rows: Vec<(Vec<f64>, usize)> = features
        .into_iter()
        .zip(&set)
        .map(|(f, x)| (f, x.relation))
        .collect();
    let fitted = RelationModel::fit(
        &rows,
        &format!(
            "{} labelled examples of crates/eval/data/relations.jsonl, `echotrace eval --set relations --relation-model-out FILE`",
            set.len()
        ),
    );
    Ok((out, fitted))
}
