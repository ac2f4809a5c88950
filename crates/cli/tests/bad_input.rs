//! A corpus of broken inputs runs through: every bad file becomes a diagnostic
//! naming it, good pages are still extracted, the exit code is 3
//! ("completed with diagnostics"), and nothing panics.

use std::io::Write;
use std::process::Command;

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn warc_record(uri: &str, html: &str) -> Vec<u8> {
    let http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}");
    let mut r = format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nWARC-Record-ID: <urn:uuid:{uri}>\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        http.len()
    )
    .into_bytes();
    r.extend_from_slice(http.as_bytes());
    r.extend_from_slice(b"\r\n\r\n");
    r
}

const GOOD: &str = "<html><head><title>Good page</title></head><body><article><p>The council approved the budget on Tuesday after a long debate about the schools and roads of the city.</p><p>Members said the plan would be reviewed again next spring, when the new figures are known.</p></article></body></html>";

#[test]
fn broken_corpus_completes_with_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    std::fs::write(p("good.html"), GOOD).unwrap();
    std::fs::write(p("empty.html"), "   \n").unwrap();
    let junk: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(p("junk.html"), &junk).unwrap();
    let mut broken_gz = gz(GOOD.as_bytes());
    let n = broken_gz.len();
    broken_gz.truncate(n / 2);
    std::fs::write(p("broken.html.gz"), &broken_gz).unwrap();
    // A WARC.gz whose second member is corrupt, then a good third record.
    let mut w = gz(&warc_record("http://example.org/1", GOOD));
    let mut bad = gz(&warc_record("http://example.org/2", GOOD));
    let bn = bad.len();
    for b in &mut bad[12..bn - 10] {
        *b ^= 0x33;
    }
    w.extend(bad);
    w.extend(gz(&warc_record("http://example.org/3", GOOD)));
    std::fs::write(p("crawl.warc.gz"), &w).unwrap();
    // A truncated plain WARC.
    let mut t = warc_record("http://example.org/4", GOOD);
    let full = warc_record("http://example.org/5", GOOD);
    t.extend_from_slice(&full[..full.len() - 40]);
    std::fs::write(p("cut.warc"), &t).unwrap();
    // JSONL with a bad line and a line without content.
    std::fs::write(
        p("feed.jsonl"),
        format!(
            "{}\n{{not json\n{{\"url\":\"http://x\"}}\n",
            serde_json::json!({"url": "http://example.org/6", "html": GOOD})
        ),
    )
    .unwrap();
    // Deeply nested markup must not overflow a stack.
    let deep = format!(
        "<html><body>{}<p>deep</p>{}</body></html>",
        "<div>".repeat(100_000),
        "</div>".repeat(100_000)
    );
    std::fs::write(p("deep.html"), deep).unwrap();

    let out = Command::new(env!("CARGO_BIN_EXE_echotrace"))
        .args(["extract", "--format", "jsonl", "--page-timeout-ms", "3000"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(3), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for name in [
        "empty.html",
        "junk.html",
        "broken.html.gz",
        "crawl.warc.gz @byte",
        "cut.warc @byte",
        "feed.jsonl:2",
        "feed.jsonl:3",
    ] {
        assert!(
            stderr.contains(name),
            "no diagnostic naming {name}: {stderr}"
        );
    }
    let urls: Vec<String> = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter_map(|v| v["origin"]["url"].as_str().map(str::to_string))
        .collect();
    for u in [
        "http://example.org/1",
        "http://example.org/3",
        "http://example.org/4",
        "http://example.org/6",
    ] {
        assert!(urls.iter().any(|x| x == u), "{u} missing from {urls:?}");
    }
    assert!(stdout.contains("good.html"));
    // The pathological page is either extracted or reported, never a crash.
    assert!(stdout.contains("deep.html") || stderr.contains("deep.html"));
}

#[test]
fn clean_corpus_exits_zero_and_writes_reports() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.html"), GOOD).unwrap();
    let out_dir = dir.path().join("out");
    let out = Command::new(env!("CARGO_BIN_EXE_echotrace"))
        .args(["analyze"])
        .arg(dir.path().join("good.html"))
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(report["schema"], "echotrace/2");
    assert_eq!(report["articles"].as_array().unwrap().len(), 1);
    assert!(report["passages"].as_array().unwrap().is_empty());
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(html.contains("Good page"));
}

#[test]
fn stdin_is_read_with_a_dash() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_echotrace"))
        .args(["extract", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(GOOD.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["origin"]["path"], "-");
    assert!(v["body"].as_str().unwrap().contains("council approved"));
}

/// Runs `echotrace extract` over one directory: (exit code, stdout articles, stderr).
fn extract_dir(dir: &std::path::Path) -> (Option<i32>, Vec<serde_json::Value>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_echotrace"))
        .args(["extract", "--format", "jsonl"])
        .arg(dir)
        .output()
        .unwrap();
    let articles = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (
        out.status.code(),
        articles,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn random_bytes_named_html_give_a_diagnostic_and_no_article() {
    let dir = tempfile::tempdir().unwrap();
    // 200 KB of xorshift bytes: every byte value, no markup.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let junk: Vec<u8> = (0..200_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    std::fs::write(dir.path().join("noise.html"), &junk).unwrap();
    std::fs::write(dir.path().join("good.html"), GOOD).unwrap();
    let (code, articles, stderr) = extract_dir(dir.path());
    assert_eq!(code, Some(3), "{stderr}");
    assert!(stderr.contains("noise.html"), "{stderr}");
    let paths: Vec<&str> = articles
        .iter()
        .filter_map(|a| a["origin"]["path"].as_str())
        .collect();
    assert!(
        !paths.iter().any(|p| p.ends_with("noise.html")),
        "{paths:?}"
    );
    assert!(paths.iter().any(|p| p.ends_with("good.html")), "{paths:?}");
}

#[test]
fn a_page_without_main_text_keeps_its_metadata_with_an_empty_body() {
    let dir = tempfile::tempdir().unwrap();
    let page = r#"<html lang="en"><head><title>Minister resigns over budget row</title>
        <meta property="article:published_time" content="2021-06-02T09:30:00+02:00">
        <meta name="author" content="Jane Example"></head>
        <body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
        <div class="video-player" data-src="/v/1.mp4"></div></body></html>"#;
    std::fs::write(dir.path().join("video.html"), page).unwrap();
    let (code, articles, stderr) = extract_dir(dir.path());
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains("video.html") && stderr.contains("metadata"),
        "{stderr}"
    );
    assert_eq!(articles.len(), 1, "{articles:?}");
    let a = &articles[0];
    assert_eq!(a["body"], "");
    assert_eq!(a["title"], "Minister resigns over budget row");
    assert!(
        a["published"]["value"]
            .as_str()
            .is_some_and(|d| d.starts_with("2021-06-02")),
        "{a}"
    );
    assert_eq!(a["byline"], "Jane Example");
}
