//! A pages table damaged in any way: reading it ends in rows or an error naming the file,
//! never an abort, a hang or memory out of proportion to the file.
//!
//! Structure-aware: the target writes one small valid `pages.parquet` and the fuzz input
//! damages it (two bytes: how much to keep; then (position, xor) pairs), so the reader gets
//! past the magic and footer checks. The reader catches the `parquet` crate's panics
//! (`echotrace_columnar::read_batches`), so this target silences the panic hook that
//! libFuzzer installs (it would abort on a panic that is caught) and looks for what
//! `catch_unwind` cannot catch: aborts, stack overflows, timeouts and memory blow-ups
//! (`-rss_limit_mb`).
#![no_main]
use std::sync::OnceLock;

use echotrace_model::{ContentKind, Origin, RawDocument};
use libfuzzer_sys::fuzz_target;

fn valid() -> &'static Vec<u8> {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        std::panic::set_hook(Box::new(|_| {}));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pages.parquet");
        let pages: Vec<RawDocument> = (0..3)
            .map(|i| RawDocument {
                origin: Origin {
                    path: format!("crawl/{i}.html"),
                    url: Some(format!("https://example.org/{i}")),
                    ..Default::default()
                },
                kind: ContentKind::Html,
                content: format!("<p>page {i}: the statement said 60 militants</p>"),
            })
            .collect();
        echotrace_columnar::write(&pages, &path).unwrap();
        std::fs::read(&path).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let good = valid();
    let Some((keep, patches)) = data.split_first_chunk::<2>() else {
        return;
    };
    let keep = u16::from_le_bytes(*keep) as usize % (good.len() + 1);
    let mut bytes = good[..keep].to_vec();
    for p in patches.chunks_exact(3) {
        if bytes.is_empty() {
            break;
        }
        let at = u16::from_le_bytes([p[0], p[1]]) as usize % bytes.len();
        bytes[at] ^= p[2];
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pages.parquet");
    std::fs::write(&path, &bytes).unwrap();
    match echotrace_columnar::read::<RawDocument>(&path) {
        Ok(rows) => assert!(rows.len() <= 3),
        Err(e) => assert!(e.to_string().contains("pages.parquet")),
    }
});
