//! Faults an ingest or a reader meets, run through the real binary: the disk filling up (a file
//! size limit), a store file that is garbage or cut short, and two ingests into one store at
//! once. Each gives a clear error or completes, never a panic, and nothing committed is lost.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use echotrace_store::Store;

fn seed(i: usize) -> PathBuf {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/seeds"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files[i].clone()
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_echotrace")
}

fn ingest(db: &Path, pages: &[PathBuf]) -> Output {
    Command::new(bin())
        .arg("ingest")
        .args(pages)
        .arg("--db")
        .arg(db)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Articles in the store, after an integrity check.
fn stored_articles(db: &Path) -> usize {
    let store = Store::open(db).unwrap();
    store.check().unwrap();
    store.counts().unwrap().1
}

#[cfg(unix)]
#[test]
fn a_full_disk_stops_the_ingest_clearly_and_a_rerun_completes() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let first = [seed(0), seed(1)];
    let rest = [seed(2), seed(3), seed(4)];
    assert!(ingest(&db, &first).status.success());
    assert_eq!(stored_articles(&db), 2);
    // The same ingest under a file size limit no bigger than the store already is: its first
    // write past the limit fails (SIGXFSZ ignored, so the write returns EFBIG as on a full disk).
    let size_kb = std::fs::metadata(&db).unwrap().len() / 1024;
    let script = format!(
        "trap '' XFSZ; ulimit -f {size_kb}; exec \"$0\" ingest \"$@\" --db '{}'",
        db.display()
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(bin())
        .args(&rest)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot write to the disk")
            || stderr(&out).contains("File too large"),
        "{}",
        stderr(&out)
    );
    // What was committed before is intact; the same command without the limit completes.
    assert_eq!(stored_articles(&db), 2);
    let out = ingest(&db, &rest);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stored_articles(&db), 5);
}

#[test]
fn a_damaged_store_gives_a_clear_error_and_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    // Garbage where a store should be.
    let junk = dir.path().join("junk.db");
    let bytes: Vec<u8> = (0..64 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&junk, &bytes).unwrap();
    // A real store cut in half.
    let cut = dir.path().join("cut.db");
    assert!(ingest(&cut, &[seed(0), seed(1), seed(2)]).status.success());
    let len = std::fs::metadata(&cut).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&cut)
        .unwrap()
        .set_len(len / 2)
        .unwrap();
    for db in [&junk, &cut] {
        for args in [
            vec!["export", "--format", "jsonl-articles", "--db"],
            vec!["search", "ISIS", "--db"],
        ] {
            let out = Command::new(bin()).args(&args).arg(db).output().unwrap();
            let err = stderr(&out);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{args:?} {}: {err}",
                db.display()
            );
            assert!(!err.contains("panicked"), "{err}");
            assert!(
                err.contains("damaged or not an echotrace store"),
                "{args:?} {}: {err}",
                db.display()
            );
        }
    }
}

#[test]
fn two_ingests_into_one_store_take_turns() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let spawn = |pages: &[PathBuf]| {
        Command::new(bin())
            .arg("ingest")
            .args(pages)
            .arg("--db")
            .arg(&db)
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let a = spawn(&[seed(0), seed(1), seed(2)]);
    let b = spawn(&[seed(3), seed(4)]);
    for child in [a, b] {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    // Every page once, the store whole, every article placed in a story.
    assert_eq!(stored_articles(&db), 5);
    let store = Store::open(&db).unwrap();
    assert_eq!(store.unstoried_count().unwrap(), 0);
}
