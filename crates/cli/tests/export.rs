//! `echotrace export`: every format from pages, and the graph from a store.

use std::process::Command;

fn seeds() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/seeds").to_string()
}

fn export(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_echotrace"))
        .arg("export")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn claims_csv_and_claim_review_from_pages() {
    let (code, csv, _) = export(&["--format", "csv-claims", &seeds()]);
    assert_eq!(code, Some(0));
    assert!(csv.starts_with("id,article,story,value"));
    assert!(csv.lines().any(|l| l.contains(",350,")), "{csv}");
    let (code, json, _) = export(&["--format", "claimreview", &seeds()]);
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        v.as_array().unwrap().len(),
        2,
        "one review per story with a source"
    );
    let (code, lines, _) = export(&["--format", "jsonl-passages", &seeds()]);
    assert_eq!(code, Some(0));
    assert!(lines
        .lines()
        .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
}

#[test]
fn graph_from_a_store_and_a_clear_error_for_bad_formats() {
    let dir = std::env::temp_dir().join(format!("echotrace-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("x.db");
    let ok = Command::new(env!("CARGO_BIN_EXE_echotrace"))
        .args(["ingest", &seeds(), "--db"])
        .arg(&db)
        .status()
        .unwrap();
    assert!(ok.success());
    let out = dir.join("g.graphml");
    let (code, _, _) = export(&[
        "--format",
        "graphml",
        "--db",
        db.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(0));
    let xml = std::fs::read_to_string(&out).unwrap();
    assert!(xml.contains("<graphml") && xml.contains(r#"<data key="kind">cites</data>"#));
    let (code, _, err) = export(&["--format", "xlsx", &seeds()]);
    assert_eq!(code, Some(1));
    assert!(err.contains("gexf"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
