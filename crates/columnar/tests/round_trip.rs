//! Tables written to Parquet read back as the same rows.

use echotrace_columnar::{fields, read, read_batches, table_path, write, write_report, Table};
use echotrace_model::{
    Article, ContentKind, Origin, Passage, PassageKind, RawDocument, Report, Span,
};

fn page(i: usize) -> RawDocument {
    RawDocument {
        origin: Origin {
            path: format!("crawl/{i}.html"),
            url: i
                .is_multiple_of(2)
                .then(|| format!("https://example.org/{i}")),
            line: i.is_multiple_of(3).then_some(i as u64),
            ..Default::default()
        },
        kind: if i.is_multiple_of(2) {
            ContentKind::Html
        } else {
            ContentKind::Text
        },
        content: format!("<p>page {i} – ünïcode, \"quotes\"</p>"),
    }
}

#[test]
fn pages_round_trip_across_batches() {
    let dir = tempfile::tempdir().unwrap();
    let path = table_path::<RawDocument>(dir.path());
    // More than one batch and a partial last one.
    let pages: Vec<RawDocument> = (0..echotrace_columnar::BATCH_ROWS + 17).map(page).collect();
    assert_eq!(write(&pages, &path).unwrap(), pages.len());
    let mut batches = 0;
    let mut back = Vec::new();
    let n = read_batches(&path, |rows: Vec<RawDocument>| {
        batches += 1;
        back.extend(rows);
    })
    .unwrap();
    assert_eq!(n, pages.len());
    assert_eq!(batches, 2);
    for (a, b) in pages.iter().zip(&back) {
        assert_eq!(a.origin.path, b.origin.path);
        assert_eq!(a.origin.url, b.origin.url);
        assert_eq!(a.origin.line, b.origin.line);
        assert_eq!(a.kind, b.kind);
        assert_eq!(a.content, b.content);
    }
    assert!(!path.with_extension("parquet.partial").exists());
}

#[test]
fn a_report_writes_one_file_per_table_and_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let report = Report {
        articles: vec![
            serde_json::from_value::<Article>(serde_json::json!({
                "id": "a1", "origin": {"path": "x.txt", "url": "https://example.org/x"},
                "outlet": "Example", "language": "en", "body": "Body one.",
                "published": {"value": "2022-05-17T19:29", "precision": "minute",
                              "basis": "explicit", "evidence": "17 May 2022 19:29"},
                "tags": ["a", "b"], "credited_sources": ["TASS"], "removed_chars": 3
            }))
            .unwrap(),
            serde_json::from_value::<Article>(serde_json::json!({
                "id": "a2", "origin": {"path": "y.txt"}, "language": "ru", "body": "Тело.",
                "credited_sources": [], "tags": [],
                "removed_chars": 0
            }))
            .unwrap(),
        ],
        passages: vec![Passage {
            id: "p1".into(),
            kind: PassageKind::Verbatim,
            a: Span {
                article: "a1".into(),
                start: 0,
                end: 4,
            },
            b: Span {
                article: "a2".into(),
                start: 10,
                end: 14,
            },
            score: 1.0,
            group: Some("g1".into()),
        }],
        quotes: vec![serde_json::from_value(serde_json::json!({
            "id": "q1", "article": "a1", "kind": "direct", "start": 0, "end": 4,
            "text": "Body", "speaker": "Naryshkin", "speaker_span": [5, 14]
        }))
        .unwrap()],
        claims: vec![serde_json::from_value(serde_json::json!({
            "id": "c1", "article": "a1", "kind": "count", "value": 3.0,
            "text": "three", "context": "three ships", "start": 0, "end": 5
        }))
        .unwrap()],
        ..Default::default()
    };
    let counts = write_report(&report, dir.path()).unwrap();
    let count = |name: &str| counts.iter().find(|(n, _)| *n == name).unwrap().1;
    assert_eq!(count(Article::NAME), report.articles.len());
    assert_eq!(count(Passage::NAME), report.passages.len());
    let articles: Vec<Article> = read(&table_path::<Article>(dir.path())).unwrap();
    let passages: Vec<Passage> = read(&table_path::<Passage>(dir.path())).unwrap();
    assert_eq!(
        serde_json::to_value(&articles).unwrap(),
        serde_json::to_value(&report.articles).unwrap()
    );
    assert_eq!(
        serde_json::to_value(&passages).unwrap(),
        serde_json::to_value(&report.passages).unwrap()
    );
    let quotes: Vec<echotrace_model::Quote> = read(&dir.path().join("quotes.parquet")).unwrap();
    assert_eq!(quotes, report.quotes);
    let claims: Vec<echotrace_model::Claim> = read(&dir.path().join("claims.parquet")).unwrap();
    assert_eq!(claims, report.claims);
    // Empty tables are written too, with their schema.
    let stories: Vec<echotrace_model::Story> = read(&dir.path().join("stories.parquet")).unwrap();
    assert!(stories.is_empty());
}

#[test]
fn schemas_name_the_model_fields_as_columns() {
    let names =
        |f: Vec<arrow_schema::FieldRef>| f.iter().map(|f| f.name().clone()).collect::<Vec<_>>();
    let pages = names(fields::<RawDocument>().unwrap());
    assert_eq!(pages, ["origin", "kind", "content"]);
    let passages = names(fields::<Passage>().unwrap());
    for col in ["id", "kind", "a", "b", "score", "group"] {
        assert!(passages.iter().any(|c| c == col), "{col} in {passages:?}");
    }
}

#[test]
fn a_file_that_is_not_parquet_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pages.parquet");
    std::fs::write(&path, b"not parquet at all").unwrap();
    let err = read::<RawDocument>(&path).unwrap_err().to_string();
    assert!(err.contains("pages.parquet"), "{err}");
}

#[test]
fn every_table_has_only_parquet_types() {
    use arrow_schema::DataType;
    use echotrace_model::*;
    fn check(path: &str, t: &DataType) {
        match t {
            DataType::Union(..) | DataType::Null => panic!("{path}: {t:?} has no Parquet type"),
            DataType::Struct(children) => {
                for c in children {
                    check(&format!("{path}.{}", c.name()), c.data_type());
                }
            }
            DataType::LargeList(c) | DataType::List(c) => check(path, c.data_type()),
            _ => {}
        }
    }
    for (table, f) in [
        ("pages", fields::<RawDocument>().unwrap()),
        ("articles", fields::<Article>().unwrap()),
        ("passages", fields::<Passage>().unwrap()),
        ("groups", fields::<EchoGroup>().unwrap()),
        ("stories", fields::<Story>().unwrap()),
        ("sources", fields::<Source>().unwrap()),
        ("quotes", fields::<Quote>().unwrap()),
        ("claims", fields::<Claim>().unwrap()),
        ("divergences", fields::<Divergence>().unwrap()),
    ] {
        for x in f {
            check(&format!("{table}.{}", x.name()), x.data_type());
        }
    }
}

#[test]
fn damaged_files_are_errors_not_panics() {
    // Every truncation of a small valid table, and a byte flipped at every position of it:
    // each read ends in rows or in an error naming the file, never in a panic.
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.parquet");
    let pages: Vec<RawDocument> = (0..3).map(page).collect();
    write(&pages, &good).unwrap();
    let bytes = std::fs::read(&good).unwrap();
    let bad = dir.path().join("pages.parquet");
    let mut variants: Vec<Vec<u8>> = (0..bytes.len()).map(|n| bytes[..n].to_vec()).collect();
    for i in 0..bytes.len() {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut b = bytes.clone();
            b[i] ^= flip;
            variants.push(b);
        }
    }
    let mut errors = 0;
    for v in &variants {
        std::fs::write(&bad, v).unwrap();
        match read::<RawDocument>(&bad) {
            Ok(rows) => assert!(rows.len() <= 3),
            Err(e) => {
                errors += 1;
                assert!(e.to_string().contains("pages.parquet"), "{e}");
            }
        }
    }
    assert!(
        errors > bytes.len() / 2,
        "{errors} errors of {}",
        variants.len()
    );
}
