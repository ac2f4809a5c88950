//! The relation classifier (`relation::relation`) measured on a labelled set.
//!
//! `tests/data/relations.jsonl` labels real texts of the development corpora
//! (claim-matching tweets with their gold verified claim, PolNeAR attribution
//! news, clustering news) with the relation a reader gives the stretch that
//! carries the watched text: `echoes` (the text states it as its own),
//! `attributes` (it puts it in someone's mouth without calling it false) or
//! `disputes` (the matched sentence or the one after calls it false, denies
//! or contradicts it). Labels were not taken from the classifier.
//!
//! The file holds references, not texts (the corpora are not ours to
//! commit): each line names a file of `../shared/datasets` and the bytes of
//! the body in it (a CSV-quoted tweet with its quotes doubled), or a
//! clustering article and a run of its sentences joined by spaces; the
//! match's byte span in the body; an FNV-1a hash of the body, so that a
//! changed corpus fails loudly instead of scoring other texts. Without the
//! corpora beside the checkout the tests say so on stderr and score nothing;
//! CI has them.
//!
//! Each body goes through the claims stage as the pipeline does
//! (`echotrace_claims::analyze_article` with the built-in alias table) and
//! the quotes it finds are handed to the classifier with the match's byte span.
//! `cargo test -p echotrace-watch --test relation_set -- --nocapture` prints
//! the confusion matrix, per-class precision, recall and F1, and the errors.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use echotrace_model::Article;
use echotrace_watch::relation::relation;

const CLASSES: [&str; 3] = ["echoes", "attributes", "disputes"];

/// Accuracy measured on the set when this test was written: 0.649 (168 of 259;
/// macro F1 0.641, disputes recall 0.415). The floor sits a few points below, so a
/// change that loses ground fails here; raise it when the classifier improves.
const ACCURACY_FLOOR: f64 = 0.62;

/// One line of the labelled set: where its body lies in the corpora, and its label.
#[derive(Debug, serde::Deserialize)]
struct Reference {
    id: String,
    relation: String,
    /// A file under `../shared/datasets`.
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
struct Example {
    id: String,
    relation: String,
    body: String,
    span: (usize, usize),
}

fn datasets() -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/datasets");
    if d.join("claim-matching").is_dir() && d.join("attribution").is_dir() {
        return Some(d);
    }
    eprintln!(
        "NOT SCORED: the development corpora are not at {} (the relation set only points into them)",
        d.display()
    );
    None
}

fn fnv(bytes: &[u8]) -> String {
    let h = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{h:016x}")
}

/// The body a reference points at.
fn body(r: &Reference, dir: &Path, files: &mut HashMap<String, Vec<u8>>) -> String {
    let bytes = files.entry(r.doc.clone()).or_insert_with(|| {
        std::fs::read(dir.join(&r.doc))
            .unwrap_or_else(|e| panic!("{}: cannot read {}: {e}", r.id, r.doc))
    });
    if let (Some(article), Some([lo, hi])) = (&r.article, r.sentences) {
        let json: serde_json::Value = serde_json::from_slice(bytes)
            .unwrap_or_else(|e| panic!("{}: {} is not JSON: {e}", r.id, r.doc));
        let a = json["articles"]
            .as_array()
            .and_then(|a| {
                a.iter().find(|a| {
                    a["ID"].as_u64().map(|id| id.to_string()).as_deref() == Some(article.as_str())
                })
            })
            .unwrap_or_else(|| panic!("{}: no article {article} in {}", r.id, r.doc));
        let sentences: Vec<&str> = a["sentences"]
            .as_array()
            .map(|s| s.iter().filter_map(|s| s["content"].as_str()).collect())
            .unwrap_or_default();
        return sentences
            .get(lo..hi)
            .unwrap_or_else(|| panic!("{}: sentences {lo}..{hi} out of range", r.id))
            .join(" ");
    }
    let (at, len) = (r.at.unwrap_or(0), r.len.unwrap_or(0));
    let raw = bytes
        .get(at..at + len)
        .unwrap_or_else(|| panic!("{}: bytes {at}..{} beyond {}", r.id, at + len, r.doc));
    let text = String::from_utf8(raw.to_vec())
        .unwrap_or_else(|_| panic!("{}: bytes {at}.. of {} are not UTF-8", r.id, r.doc));
    if r.doubled_quotes {
        text.replace("\"\"", "\"")
    } else {
        text
    }
}

/// The labelled set with its bodies, or `None` without the corpora.
fn examples() -> Option<Vec<Example>> {
    let dir = datasets()?;
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/relations.jsonl");
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("the labelled relation set {path} is missing: {e}"));
    let mut files = HashMap::new();
    let set = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            let r: Reference = serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{path} line {}: not an example: {e}", i + 1));
            let body = body(&r, &dir, &mut files);
            assert_eq!(
                fnv(body.as_bytes()),
                r.fnv,
                "{}: the text at {} changed since it was labelled",
                r.id,
                r.doc
            );
            Example {
                id: r.id,
                relation: r.relation,
                body,
                span: (r.span[0], r.span[1]),
            }
        })
        .collect();
    Some(set)
}

fn class(kind: &str) -> usize {
    CLASSES
        .iter()
        .position(|c| *c == kind)
        .unwrap_or_else(|| panic!("not a relation: {kind}"))
}

/// The relation the classifier gives an example, with the quotes the claims stage finds in its body.
fn predict(x: &Example, aliases: &echotrace_reuse::Aliases) -> echotrace_watch::relation::Relation {
    let article = Article {
        id: x.id.clone(),
        language: "en".into(),
        body: x.body.clone(),
        ..Default::default()
    };
    let quotes = echotrace_claims::analyze_article(&article, aliases).quotes;
    relation(&x.body, x.span, &quotes)
}

#[test]
fn labels_are_the_three_relations() {
    let Some(set) = examples() else { return };
    for x in set {
        assert!(
            CLASSES.contains(&x.relation.as_str()),
            "{}: relation {:?} is not one of {CLASSES:?}",
            x.id,
            x.relation
        );
    }
}

#[test]
fn the_set_is_large_balanced_and_each_match_is_in_its_body() {
    let Some(set) = examples() else { return };
    assert!(set.len() >= 150, "only {} examples", set.len());
    let mut ids = std::collections::HashSet::new();
    let mut per_class = [0usize; 3];
    for x in &set {
        assert!(ids.insert(x.id.as_str()), "{}: id repeated", x.id);
        let (a, b) = x.span;
        let matched = x
            .body
            .get(a..b)
            .unwrap_or_else(|| panic!("{}: match {a}..{b} is not a stretch of the body", x.id));
        assert!(
            matched.split_whitespace().count() >= 3,
            "{}: match {matched:?} under three words",
            x.id
        );
        assert!(x.body.len() <= 2000, "{}: body over 2000 bytes", x.id);
        per_class[class(&x.relation)] += 1;
    }
    for (c, n) in CLASSES.iter().zip(per_class) {
        assert!(n >= 40, "only {n} examples of {c}");
    }
}

#[test]
fn relation_accuracy_on_the_labelled_set() {
    let Some(set) = examples() else { return };
    let aliases = echotrace_reuse::Aliases::builtin();
    // confusion[gold][predicted]
    let mut confusion = [[0usize; 3]; 3];
    let mut errors = Vec::new();
    for x in &set {
        let r = predict(x, &aliases);
        let (gold, got) = (class(&x.relation), class(r.kind));
        confusion[gold][got] += 1;
        if gold != got {
            errors.push(format!(
                "| {} | {} | {} | {} | {} | {} |",
                x.id,
                x.relation,
                r.kind,
                r.speaker.as_deref().unwrap_or(""),
                r.cue.as_deref().unwrap_or(""),
                r.disputed_by.as_deref().unwrap_or("")
            ));
        }
    }
    let total = set.len();
    let correct: usize = (0..3).map(|i| confusion[i][i]).sum();
    let accuracy = correct as f64 / total as f64;

    println!(
        "\nRelation classifier on {total} labelled examples (rows: label, columns: predicted)\n"
    );
    println!("| label \\ predicted | echoes | attributes | disputes | total |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (i, c) in CLASSES.iter().enumerate() {
        let row = confusion[i];
        println!(
            "| {c} | {} | {} | {} | {} |",
            row[0],
            row[1],
            row[2],
            row.iter().sum::<usize>()
        );
    }
    println!("\n| class | precision | recall | F1 | support |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    let mut macro_f1 = 0.0;
    for (i, c) in CLASSES.iter().enumerate() {
        let tp = confusion[i][i] as f64;
        let predicted: usize = (0..3).map(|g| confusion[g][i]).sum();
        let support: usize = confusion[i].iter().sum();
        let p = if predicted == 0 {
            0.0
        } else {
            tp / predicted as f64
        };
        let r = if support == 0 {
            0.0
        } else {
            tp / support as f64
        };
        let f = if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        };
        macro_f1 += f / 3.0;
        println!("| {c} | {p:.3} | {r:.3} | {f:.3} | {support} |");
    }
    println!("\naccuracy {accuracy:.3} ({correct} of {total}), macro F1 {macro_f1:.3}\n");
    println!("Misclassified ({}):\n", errors.len());
    println!("| id | label | predicted | speaker | cue | disputed by |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for e in &errors {
        println!("{e}");
    }

    assert!(
        accuracy >= ACCURACY_FLOOR,
        "relation accuracy {accuracy:.3} fell below the floor {ACCURACY_FLOOR}"
    );
}
