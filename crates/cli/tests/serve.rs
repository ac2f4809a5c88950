//! `echotrace serve`: the HTTP API over a store of the seeds, spoken to over
//! a real socket: JSON shapes, status codes and JSON errors for bad
//! parameters, bounded bodies, security headers, exports, and a store that
//! grows while the server runs.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

fn seeds() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/seeds").to_string()
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_echotrace"))
}

/// A running server; killed when dropped.
struct Server {
    child: Child,
    addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &std::path::Path) -> Server {
    let child = bin()
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(db)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Owned by the guard at once, so a failed assertion below still kills it.
    let mut server = Server {
        child,
        addr: String::new(),
    };
    let mut err = BufReader::new(server.child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            err.read_line(&mut line).unwrap() > 0,
            "server exited before listening"
        );
        if let Some(rest) = line.split("listening on http://").nth(1) {
            server.addr = rest.trim().trim_end_matches('/').to_string();
            // Keep draining stderr so the server never blocks on a full pipe.
            std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
            return server;
        }
    }
}

/// One HTTP/1.1 exchange: (status, lower-cased head, body).
fn request(
    addr: &str,
    method: &str,
    path: &str,
    body: &[u8],
    ctype: &str,
) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    // A server may answer (413) before reading a large body; a failed write is fine then.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("an HTTP response head");
    let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
    let status = head[9..12].parse().unwrap();
    (status, head, raw[split + 4..].to_vec())
}

fn get(addr: &str, path: &str) -> (u16, Value) {
    let (status, head, body) = request(addr, "GET", path, b"", "text/plain");
    assert!(
        head.contains("content-type: application/json"),
        "{path}: {head}"
    );
    (status, serde_json::from_slice(&body).unwrap())
}

fn error_message(v: &Value) -> &str {
    v["error"]["message"].as_str().unwrap_or("")
}

fn ingest(db: &std::path::Path, path: &str) {
    let out = bin()
        .arg("ingest")
        .arg(path)
        .arg("--db")
        .arg(db)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_api_answers_over_a_store_of_the_seeds() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    ingest(&db, &seeds());
    let server = serve(&db);
    let addr = server.addr.as_str();
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");

    let (st, status) = get(addr, "/api/status");
    assert_eq!(st, 200);
    assert_eq!(status["articles"], 5);
    assert_eq!(status["search"], true);

    // Stories, and one story with everything an analyst reads.
    let (st, stories) = get(addr, "/api/stories");
    assert_eq!(st, 200);
    let list = stories["stories"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{stories}");
    let big = list
        .iter()
        .find(|s| s["articles"] == 3)
        .expect("a three-article story");
    let id = big["id"].as_str().unwrap();
    let (st, story) = get(addr, &format!("/api/stories/{id}"));
    assert_eq!(st, 200);
    for key in [
        "sources",
        "timeline",
        "divergences",
        "quotes",
        "claims",
        "edges",
        "passages",
    ] {
        assert!(story[key].is_array(), "story lacks {key}: {story}");
    }
    assert!(!story["sources"].as_array().unwrap().is_empty());
    assert!(!story["timeline"].as_array().unwrap().is_empty());
    assert!(!story["edges"].as_array().unwrap().is_empty());
    assert!(!story["divergences"].as_array().unwrap().is_empty());
    assert_eq!(story["articles"].as_array().unwrap().len(), 3);

    // Articles, filtered by story; one article with its passages.
    let (st, arts) = get(addr, &format!("/api/articles?story={id}"));
    assert_eq!(st, 200);
    assert_eq!(arts["total"], 3);
    let first = arts["articles"][0]["id"].as_str().unwrap().to_string();
    let (st, art) = get(addr, &format!("/api/articles/{first}"));
    assert_eq!(st, 200);
    assert!(art["article"]["body"].as_str().unwrap().len() > 100);
    assert_eq!(art["story"], id);
    let (st, ps) = get(addr, &format!("/api/passages?article={first}&limit=5"));
    assert_eq!(st, 200);
    assert!(ps["total"].as_u64().unwrap() > 0);
    assert!(ps["passages"].as_array().unwrap().len() <= 5);

    // Search with filters.
    let (st, hits) = get(addr, "/api/search?q=mercenaries&limit=5");
    assert_eq!(st, 200);
    assert!(!hits["hits"].as_array().unwrap().is_empty(), "{hits}");
    let (st, hits) = get(addr, "/api/search?q=mercenaries&from=2023-01-01");
    assert_eq!(st, 200);
    assert!(hits["hits"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["published"]["value"].as_str().unwrap_or("9") >= "2023"));

    // Trace: a sentence of one article is found in it and in its echoes, earliest first.
    let body = art["article"]["body"].as_str().unwrap();
    let sentence: String = body
        .split_whitespace()
        .take(25)
        .collect::<Vec<_>>()
        .join(" ");
    let payload = serde_json::json!({ "text": sentence }).to_string();
    let (st, _, raw) = request(
        addr,
        "POST",
        "/api/trace",
        payload.as_bytes(),
        "application/json",
    );
    assert_eq!(st, 200, "{}", String::from_utf8_lossy(&raw));
    let trace: Value = serde_json::from_slice(&raw).unwrap();
    let hits = trace["hits"].as_array().unwrap();
    assert!(
        hits.iter().any(|h| h["article"] == first.as_str()),
        "{trace}"
    );
    let dates: Vec<&str> = hits
        .iter()
        .filter_map(|h| h["published"]["value"].as_str())
        .filter(|d| !d.starts_with('X'))
        .collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "{dates:?}");

    // Exports.
    let (st, head, xml) = request(addr, "GET", "/api/export/gexf", b"", "text/plain");
    assert_eq!(st, 200);
    assert!(head.contains("content-disposition: attachment"));
    assert!(String::from_utf8_lossy(&xml).contains("<gexf"));
    let (st, _, csv) = request(addr, "GET", "/api/export/csv-claims", b"", "text/plain");
    assert_eq!(st, 200);
    assert!(String::from_utf8_lossy(&csv).lines().count() > 1);

    // The UI shell, with a policy that forbids inline script.
    let (st, head, html) = request(addr, "GET", "/", b"", "text/plain");
    assert_eq!(st, 200);
    assert!(head.contains("content-security-policy: default-src 'none'; script-src 'self'"));
    assert!(head.contains("x-content-type-options: nosniff"));
    assert!(String::from_utf8_lossy(&html).contains("/static/app.js"));
}

#[test]
fn bad_requests_get_json_errors_with_their_status() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db");
    ingest(&db, &seeds());
    let server = serve(&db);
    let addr = server.addr.as_str();

    let cases = [
        ("/api/articles/a999", 404, "no article"),
        ("/api/stories/nope", 404, "no story"),
        ("/api/articles?limit=0", 400, "limit"),
        ("/api/articles?limit=many", 400, "bad query parameters"),
        ("/api/articles?story=nope", 404, "no story"),
        ("/api/passages?other=a0", 400, "`other` needs `article`"),
        ("/api/search", 400, "missing query"),
        ("/api/search?q=x&from=yesterday", 400, "YYYY-MM-DD"),
        ("/api/search?q=%22unclosed", 400, "bad query"),
        ("/api/export/pdf", 400, "pdf"),
        ("/api/nothing-here", 404, "no such API endpoint"),
    ];
    for (path, want, message) in cases {
        let (st, v) = get(addr, path);
        assert_eq!(st, want, "{path}: {v}");
        assert_eq!(v["error"]["status"], want, "{path}: {v}");
        assert!(error_message(&v).contains(message), "{path}: {v}");
    }
    // Trace bodies: empty, not JSON, too large.
    let (st, _, raw) = request(addr, "POST", "/api/trace", b"", "text/plain");
    assert_eq!(st, 400, "{}", String::from_utf8_lossy(&raw));
    let (st, _, raw) = request(addr, "POST", "/api/trace", b"{not json", "application/json");
    assert_eq!(st, 400, "{}", String::from_utf8_lossy(&raw));
    let big = vec![b'a'; 200 * 1024];
    let (st, _, _) = request(addr, "POST", "/api/trace", &big, "text/plain");
    assert_eq!(st, 413);
    // The server is still up.
    assert_eq!(get(addr, "/api/status").0, 200);
}

#[test]
fn pages_ingested_while_the_server_runs_show_up() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let first = dir.path().join("first");
    std::fs::create_dir(&first).unwrap();
    let seeds = std::path::PathBuf::from(seeds());
    let mut names: Vec<_> = std::fs::read_dir(&seeds)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for p in &names[..2] {
        std::fs::copy(p, first.join(p.file_name().unwrap())).unwrap();
    }
    ingest(&db, first.to_str().unwrap());
    let server = serve(&db);
    let addr = server.addr.as_str();
    assert_eq!(get(addr, "/api/status").1["articles"], 2);
    let members = |addr: &str| -> Vec<(String, Vec<String>)> {
        let (_, stories) = get(addr, "/api/stories");
        let mut out = Vec::new();
        for s in stories["stories"].as_array().unwrap() {
            let id = s["id"].as_str().unwrap().to_string();
            let (_, arts) = get(addr, &format!("/api/articles?story={id}"));
            let ids = arts["articles"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_str().unwrap().to_string())
                .collect();
            out.push((id, ids));
        }
        out
    };
    let before = members(addr);
    assert_eq!(before.len(), 2, "{before:?}");
    ingest(&db, seeds.to_str().unwrap());
    // The server recomputes in the background and answers from the previous
    // analysis meanwhile: the new pages show up once that is done.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let (_, status) = get(addr, "/api/status");
        if status["articles"] == 5 {
            break;
        }
        assert_eq!(status["articles"], 2, "{status}");
        assert!(
            std::time::Instant::now() < deadline,
            "the new pages never showed up"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let after = members(addr);
    assert_eq!(after.len(), 2, "{after:?}");
    // The new pages joined the existing stories, which kept their ids.
    for (id, old) in &before {
        let (_, new) = after
            .iter()
            .find(|(i, _)| i == id)
            .unwrap_or_else(|| panic!("story {id} lost its id: {after:?}"));
        assert!(
            old.iter().all(|a| new.contains(a)) && new.len() > old.len(),
            "{before:?} -> {after:?}"
        );
    }
    let (_, hits) = get(addr, "/api/search?q=Tanf");
    assert!(!hits["hits"].as_array().unwrap().is_empty(), "{hits}");
}

#[test]
fn serve_listens_on_loopback_unless_told_otherwise() {
    let out = bin().args(["serve", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("[default: 127.0.0.1:8080]"), "{help}");
    let out = bin()
        .args(["serve", "--db", "/nonexistent/x.db"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("echotrace ingest"));
}
