//! Parquet tables: `export --format parquet` writes the analysis as one file per table, and
//! `ingest` / `analyze` read a `pages.parquet` as they read any crawl.

#[cfg(feature = "parquet")]
use std::path::Path;
use std::process::Command;

#[cfg(feature = "parquet")]
use echotrace_model::{Article, CandidatePair, Passage, PassageKind, RawDocument, ReuseSignature};

fn seeds() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/seeds").to_string()
}

fn echotrace(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_echotrace"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[cfg(feature = "parquet")]
#[test]
fn the_parquet_tables_hold_what_the_report_holds() {
    let dir = tempfile::tempdir().unwrap();
    let tables = dir.path().join("tables");
    let (code, _, err) = echotrace(&[
        "export",
        "--format",
        "parquet",
        "--out",
        tables.to_str().unwrap(),
        &seeds(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    let (code, json, _) = echotrace(&["export", "--format", "jsonl-articles", &seeds()]);
    assert_eq!(code, Some(0));
    let articles: Vec<Article> =
        echotrace_columnar::read(&tables.join("articles.parquet")).unwrap();
    // The JSONL export adds each article's story; the articles table leaves it to the stories table.
    let expected: Vec<serde_json::Value> = json
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            v.as_object_mut().unwrap().remove("story");
            v
        })
        .collect();
    assert_eq!(articles.len(), 5);
    assert_eq!(
        serde_json::to_value(&articles).unwrap(),
        serde_json::Value::Array(expected)
    );
    let passages: Vec<Passage> =
        echotrace_columnar::read(&tables.join("passages.parquet")).unwrap();
    let (_, lines, _) = echotrace(&["export", "--format", "jsonl-passages", &seeds()]);
    assert_eq!(passages.len(), lines.lines().count());
    assert!(!passages.is_empty());
    for t in [
        "groups",
        "stories",
        "sources",
        "quotes",
        "claims",
        "divergences",
    ] {
        assert!(tables.join(format!("{t}.parquet")).is_file(), "{t}");
    }
    // The reuse stage's inputs: every article's signature, and candidate pairs that cover
    // every pair of articles the analysis aligned word for word.
    let signatures: Vec<ReuseSignature> =
        echotrace_columnar::read(&tables.join("signatures.parquet")).unwrap();
    let ids: Vec<&str> = signatures.iter().map(|s| s.article.as_str()).collect();
    assert_eq!(ids, ["a0", "a1", "a2", "a3", "a4"]);
    assert!(signatures
        .iter()
        .all(|s| !s.ngrams.is_empty() && s.ngrams.windows(2).all(|w| w[0] < w[1])));
    let pairs: Vec<CandidatePair> =
        echotrace_columnar::read(&tables.join("candidate_pairs.parquet")).unwrap();
    assert!(!pairs.is_empty());
    for p in passages
        .iter()
        .filter(|p| p.kind != PassageKind::Translation)
    {
        let (a, b) = (p.a.article.as_str(), p.b.article.as_str());
        assert!(
            pairs
                .iter()
                .any(|c| (c.a == a && c.b == b) || (c.a == b && c.b == a)),
            "{a}-{b} aligned but not a candidate: {pairs:?}"
        );
    }
    let pages: Vec<RawDocument> = echotrace_columnar::read(&tables.join("pages.parquet")).unwrap();
    assert_eq!(pages.len(), 5);
    assert!(pages.iter().all(|p| !p.content.is_empty()));
}

/// The seeds' pages as a Parquet table.
#[cfg(feature = "parquet")]
fn seed_pages(path: &Path) -> usize {
    let mut pages = echotrace_ingest::Collect::default();
    echotrace_ingest::read_paths(&[seeds()], &Default::default(), &mut pages);
    echotrace_columnar::write::<RawDocument>(&pages.documents, path).unwrap()
}

#[cfg(feature = "parquet")]
#[test]
fn a_pages_table_is_read_like_any_crawl() {
    let dir = tempfile::tempdir().unwrap();
    let table = dir.path().join("pages.parquet");
    assert_eq!(seed_pages(&table), 5);
    let db = dir.path().join("store.db");
    let (code, _, err) = echotrace(&[
        "ingest",
        "--db",
        db.to_str().unwrap(),
        table.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("5 pages added"), "{err}");
    // The same analysis as from the files themselves.
    let (_, from_table, _) = echotrace(&[
        "export",
        "--format",
        "jsonl-passages",
        table.to_str().unwrap(),
    ]);
    let (_, from_files, _) = echotrace(&["export", "--format", "jsonl-passages", &seeds()]);
    assert_eq!(from_table.lines().count(), from_files.lines().count());
    // A broken table is named, and the rest of the input is still read.
    let broken = dir.path().join("broken.parquet");
    std::fs::write(&broken, b"PAR1 but not really").unwrap();
    let (code, lines, err) = echotrace(&[
        "export",
        "--format",
        "jsonl-articles",
        broken.to_str().unwrap(),
        &seeds(),
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("broken.parquet"), "{err}");
    assert_eq!(lines.lines().count(), 5, "the seeds are still read");
}

#[cfg(not(feature = "parquet"))]
#[test]
fn without_the_feature_parquet_is_refused_with_how_to_get_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t");
    let (code, _, err) = echotrace(&[
        "export",
        "--format",
        "parquet",
        "--out",
        out.to_str().unwrap(),
        &seeds(),
    ]);
    assert_ne!(code, Some(0));
    assert!(err.contains("--features parquet"), "{err}");
    let table = dir.path().join("pages.parquet");
    std::fs::write(&table, b"PAR1").unwrap();
    let (_, _, err) = echotrace(&[
        "export",
        "--format",
        "jsonl-articles",
        table.to_str().unwrap(),
        &seeds(),
    ]);
    assert!(
        err.contains("pages.parquet") && err.contains("--features parquet"),
        "{err}"
    );
}
