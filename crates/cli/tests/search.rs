//! `echotrace search`: the index follows `ingest`; phrases, filters and a story.

use std::process::Command;

fn seeds() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/seeds").to_string()
}

fn search(db: &std::path::Path, args: &[&str]) -> (Option<i32>, Vec<serde_json::Value>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_echotrace"))
        .args(["search", "--json", "--db"])
        .arg(db)
        .args(args)
        .output()
        .unwrap();
    let hits = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (
        out.status.code(),
        hits,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn phrase_filters_and_story() {
    let dir = std::env::temp_dir().join(format!("echotrace-search-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("s.db");
    assert!(Command::new(env!("CARGO_BIN_EXE_echotrace"))
        .args(["ingest", &seeds(), "--db"])
        .arg(&db)
        .status()
        .unwrap()
        .success());
    let (code, hits, _) = search(
        &db,
        &["\"on a par with major international terrorist groups\""],
    );
    assert_eq!(code, Some(0));
    assert!(hits.len() >= 2, "{hits:?}");
    assert!(hits
        .iter()
        .all(|h| h["snippet"].as_str().unwrap().contains("par")));
    // Dates: only the May 2022 article is dated in May 2022.
    let (_, may, _) = search(
        &db,
        &["mercenaries", "--from", "2022-05-01", "--to", "2022-05-31"],
    );
    assert_eq!(may.len(), 1, "{may:?}");
    assert!(may[0]["published"]
        .as_str()
        .unwrap()
        .starts_with("2022-05-17"));
    // Outlet filter.
    let (_, al, _) = search(&db, &["SVR", "--outlet", "Al Mayadeen English"]);
    assert!(!al.is_empty() && al.iter().all(|h| h["outlet"] == "Al Mayadeen English"));
    // A story's members only: the first stored article (a1) names its story s1.
    let (_, in_story, _) = search(&db, &["Ukraine", "--story", "s1"]);
    let (_, all, _) = search(&db, &["Ukraine"]);
    assert!(
        !in_story.is_empty() && in_story.len() < all.len(),
        "{in_story:?} / {all:?}"
    );
    // A bad date is a clear error.
    let (code, _, err) = search(&db, &["SVR", "--from", "13/02/2023"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("YYYY-MM-DD"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}
