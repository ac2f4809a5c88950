//! The store: duplicate pages are stored once, incremental ingest finds the
//! same passages as one run, and `kill -9` at any moment leaves a consistent
//! database that a re-run completes.

use std::process::{Command, Stdio};
use std::time::Duration;

use echotrace_store::Store;

fn seeds() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/seeds").to_string()
}

fn ingest(db: &std::path::Path, paths: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_echotrace"))
        .arg("ingest")
        .args(paths)
        .arg("--db")
        .arg(db)
        .output()
        .unwrap()
}

#[test]
fn the_same_pages_twice_are_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    for _ in 0..2 {
        let out = ingest(&db, &[&seeds()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let s = Store::open(&db).unwrap();
    let (pages, articles, passages) = s.counts().unwrap();
    assert_eq!((pages, articles), (5, 5));
    assert!(passages > 0);
    s.check().unwrap();
    // Each article's claims were read once and kept, and they are what a fresh read gives.
    let stored = s.claims().unwrap();
    assert_eq!(stored.len(), 5);
    let aliases = echotrace_reuse::Aliases::builtin();
    for a in s.articles().unwrap() {
        assert_eq!(
            stored[&a.id],
            echotrace_claims::analyze_article(&a, &aliases)
        );
    }
    assert!(stored
        .values()
        .any(|c| !c.quotes.is_empty() && !c.claims.is_empty()));
}

#[test]
fn a_copy_under_another_name_is_the_same_page_but_another_headline_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    let body = "The ministry said on Tuesday that 4,200 people were evacuated from the flooded district.\n\n\
                Officials told reporters that the water level reached 7 metres and would fall by Friday.";
    std::fs::write(
        pages.join("a.txt"),
        format!("Floods force evacuations\n\n{body}"),
    )
    .unwrap();
    std::fs::write(
        pages.join("copy-of-a.txt"),
        format!("Floods force evacuations\n\n{body}"),
    )
    .unwrap();
    std::fs::write(
        pages.join("b.txt"),
        format!("Thousands flee rising water\n\n{body}"),
    )
    .unwrap();
    let db = dir.path().join("h.db");
    let out = ingest(&db, &[pages.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = Store::open(&db).unwrap();
    let (pages, articles, _) = s.counts().unwrap();
    assert_eq!((pages, articles), (2, 2));
}

#[test]
fn trace_reads_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    ingest(&db, &[&seeds()]);
    let out = Command::new(env!("CARGO_BIN_EXE_echotrace"))
        .args([
            "trace",
            "--json",
            "--text",
            "about 60 IS fighters aged 20 to 25 were released from prisons",
            "--db",
        ])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hits: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0]["published"]["value"], "2022-05-17T19:29");
}

#[test]
fn incremental_ingest_finds_what_one_run_finds() {
    let dir = tempfile::tempdir().unwrap();
    let (one, two) = (dir.path().join("one.db"), dir.path().join("two.db"));
    ingest(&one, &[&seeds()]);
    let s = seeds();
    ingest(
        &two,
        &[
            &format!("{s}/000_050d906589b81fac.txt"),
            &format!("{s}/004_a715beb495fa2462.txt"),
        ],
    );
    ingest(&two, &[&s]);
    let a = Store::open(&one).unwrap().counts().unwrap();
    let b = Store::open(&two).unwrap().counts().unwrap();
    assert_eq!(a, b);
}

/// Pages of pseudo-random words (a fixed generator), so they share no passage.
fn write_corpus(dir: &std::path::Path, n: usize) {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut word = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let syll = [
            "ka", "lo", "mi", "ne", "ru", "sa", "te", "vo", "zi", "pa", "do", "fe",
        ];
        (0..2 + x % 3)
            .map(|k| syll[((x >> (k * 4)) % 12) as usize])
            .collect::<String>()
    };
    for i in 0..n {
        let paras: String = (0..5)
            .map(|_| {
                format!(
                    "<p>{}.</p>",
                    (0..40).map(|_| word()).collect::<Vec<_>>().join(" ")
                )
            })
            .collect();
        let html = format!("<html><head><title>Report {i}</title></head><body><article><h1>Report {i}</h1>{paras}</article></body></html>");
        std::fs::write(dir.join(format!("p{i:04}.html")), html).unwrap();
    }
}

#[test]
fn kill_9_during_ingest_leaves_a_consistent_store() {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("pages");
    std::fs::create_dir(&pages).unwrap();
    let n = 400;
    write_corpus(&pages, n);
    let mut partial_seen = false;
    for (trial, delay_ms) in [60u64, 150, 400, 900, 2000, 3500].into_iter().enumerate() {
        let db = dir.path().join(format!("k{trial}.db"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_echotrace"))
            .arg("ingest")
            .arg(&pages)
            .arg("--db")
            .arg(&db)
            .args(["--batch-pages", "16"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL on Unix
        let _ = child.wait();
        if db.exists() {
            let s = Store::open(&db).unwrap();
            s.check().unwrap();
            let (p, a, _) = s.counts().unwrap();
            assert_eq!(p, a, "every stored page has its article");
            if p > 0 && p < n {
                partial_seen = true;
            }
        }
        // A re-run completes the store.
        let out = ingest(&db, &[pages.to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let s = Store::open(&db).unwrap();
        s.check().unwrap();
        assert_eq!(s.counts().unwrap().0, n);
        assert!(s.unaligned().unwrap().is_empty());
        assert!(s.articles_without_claims().unwrap().is_empty());
    }
    assert!(
        partial_seen,
        "no kill landed in the middle of an ingest; adjust the delays"
    );
}
