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
    serve_with(db, &["--addr", "127.0.0.1:0"])
}

/// A server over `db` started with `args` (an address, a token file).
fn serve_with(db: &std::path::Path, args: &[&str]) -> Server {
    let child = bin()
        .arg("serve")
        .args(args)
        .env_remove("ECHOTRACE_TOKENS")
        .arg("--db")
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

const READ_TOKEN: &str = "read-0123456789abcdef";
const ADMIN_TOKEN: &str = "admin-0123456789abcdef";

/// A server on `addr` over `db` with [`READ_TOKEN`] and [`ADMIN_TOKEN`] (the token file beside `db`).
fn serve_with_tokens(db: &std::path::Path, addr: &str) -> Server {
    let tokens = db.with_extension("tokens");
    std::fs::write(&tokens, format!("read {READ_TOKEN}\nadmin {ADMIN_TOKEN}\n")).unwrap();
    serve_with(
        db,
        &["--addr", addr, "--token-file", tokens.to_str().unwrap()],
    )
}

/// One HTTP/1.1 exchange: (status, lower-cased head, body).
fn request(
    addr: &str,
    method: &str,
    path: &str,
    body: &[u8],
    ctype: &str,
) -> (u16, String, Vec<u8>) {
    request_as(addr, method, path, body, ctype, None)
}

/// [`request`], sending `token` as a bearer token when given.
fn request_as(
    addr: &str,
    method: &str,
    path: &str,
    body: &[u8],
    ctype: &str,
    token: Option<&str>,
) -> (u16, String, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n{auth}Content-Type: {ctype}\r\nContent-Length: {}\r\n\r\n",
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
    let body = &raw[split + 4..];
    let body = if head.contains("transfer-encoding: chunked") {
        dechunk(body)
    } else {
        body.to_vec()
    };
    (status, head, body)
}

/// The body of a chunked HTTP/1.1 response (a streamed export).
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line = raw
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("a chunk size");
        let size = usize::from_str_radix(std::str::from_utf8(&raw[..line]).unwrap().trim(), 16)
            .expect("a hexadecimal chunk size");
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&raw[line + 2..line + 2 + size]);
        raw = &raw[line + 2 + size + 2..];
    }
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
    assert_eq!(
        arts["articles"][0]["chars"].as_u64().unwrap() as usize,
        art["article"]["body"].as_str().unwrap().chars().count(),
        "the listed length is the body's"
    );
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
    let own = hits
        .iter()
        .find(|h| h["article"] == first.as_str())
        .unwrap_or_else(|| panic!("{trace}"));
    let (start, end) = (
        own["start"].as_u64().unwrap() as usize,
        own["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(own["text"].as_str().unwrap(), &body[start..end]);
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
    // Articles with their bodies (read from the store), one a line, each with its story.
    let (st, head, jsonl) = request(addr, "GET", "/api/export/jsonl-articles", b"", "text/plain");
    assert_eq!(st, 200);
    assert!(head.contains("application/x-ndjson"));
    let lines: Vec<Value> = String::from_utf8(jsonl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let (_, all) = get(addr, "/api/articles?limit=1000");
    assert_eq!(lines.len() as u64, all["total"].as_u64().unwrap());
    let exported = lines.iter().find(|l| l["id"] == first.as_str()).unwrap();
    assert_eq!(exported["body"], art["article"]["body"]);
    assert_eq!(exported["story"], id);

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

#[test]
fn another_address_needs_tokens_and_tokens_have_roles() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    ingest(&db, &seeds());
    // A LAN address without tokens: refused before binding, saying how to give tokens.
    let out = bin()
        .args(["serve", "--addr", "0.0.0.0:0", "--db"])
        .arg(&db)
        .env_remove("ECHOTRACE_TOKENS")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--token-file") && err.contains("ECHOTRACE_TOKENS"),
        "{err}"
    );
    // A token file that is not ROLE TOKEN lines: refused, naming the line.
    let bad = dir.path().join("bad-tokens");
    std::fs::write(
        &bad,
        "read abcdefghijklmnopqrstuvwxyz\nowner abcdefghijklmnopqrstuvwxyz\n",
    )
    .unwrap();
    let out = bin()
        .args(["serve", "--addr", "0.0.0.0:0", "--token-file"])
        .arg(&bad)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 2"));

    let (read, admin) = (READ_TOKEN, ADMIN_TOKEN);
    let server = serve_with_tokens(&db, "0.0.0.0:0");
    let addr = server.addr.replace("0.0.0.0", "127.0.0.1");
    let call = |method: &str, path: &str, token: Option<&str>| {
        request_as(&addr, method, path, b"", "text/plain", token)
    };
    // No token, a wrong one: 401 with a JSON error and the scheme to use.
    let (st, head, body) = call("GET", "/api/stories", None);
    assert_eq!(st, 401);
    assert!(head.contains("www-authenticate: bearer"), "{head}");
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert!(error_message(&v).contains("Bearer"), "{v}");
    assert_eq!(
        call("GET", "/api/stories", Some("read-0123456789abcdeX")).0,
        401
    );
    // The UI shell itself needs none (it holds no data), and keeps its headers.
    let (st, head, _) = call("GET", "/", None);
    assert_eq!(st, 200);
    assert!(head.contains("content-security-policy"), "{head}");
    // A read token reads but may not reload; an admin token may.
    assert_eq!(call("GET", "/api/stories", Some(read)).0, 200);
    assert_eq!(call("GET", "/api/export/gexf", Some(read)).0, 200);
    assert_eq!(call("POST", "/api/reload", Some(read)).0, 403);
    assert_eq!(call("POST", "/api/reload", Some(admin)).0, 200);
    assert_eq!(call("GET", "/api/stories", Some(admin)).0, 200);
    // Watches: anyone may list them, only an admin adds or removes one.
    let watch = br#"{"velocity": 3, "within": "6h", "name": "breaking"}"#;
    let post = |token| {
        request_as(
            &addr,
            "POST",
            "/api/watches",
            watch,
            "application/json",
            token,
        )
    };
    assert_eq!(post(Some(read)).0, 403);
    let (st, _, body) = post(Some(admin));
    assert_eq!(st, 201, "{}", String::from_utf8_lossy(&body));
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["watch"]["kind"], "velocity");
    assert_eq!(v["watch"]["rule"]["velocity"]["within_secs"], 6 * 3600);
    let id = v["watch"]["id"].as_str().unwrap().to_string();
    let (st, _, body) = call("GET", "/api/watches", Some(read));
    assert_eq!(st, 200);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["watches"][0]["name"], "breaking");
    let gone = format!("/api/watches/{id}");
    assert_eq!(call("DELETE", &gone, Some(read)).0, 403);
    assert_eq!(call("DELETE", &gone, Some(admin)).0, 200);
    assert_eq!(call("DELETE", &gone, Some(admin)).0, 404);
    // A watch that cannot be made says why.
    let (st, _, body) = request_as(
        &addr,
        "POST",
        "/api/watches",
        br#"{"story": "s999999"}"#,
        "application/json",
        Some(admin),
    );
    assert_eq!(st, 400);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert!(error_message(&v).contains("no story s999999"), "{v}");
}

#[test]
fn expensive_requests_are_limited_per_client() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    ingest(&db, &seeds());
    // One request a second on average, bursts of five.
    let server = serve_with(&db, &["--addr", "127.0.0.1:0", "--rate-limit", "1"]);
    let addr = server.addr.as_str();
    let search = |token: Option<&str>| {
        request_as(addr, "GET", "/api/search?q=ISIS", b"", "text/plain", token)
    };
    let answers: Vec<(u16, String, Vec<u8>)> = (0..12).map(|_| search(Some("client-a"))).collect();
    assert!(answers[..5].iter().all(|a| a.0 == 200));
    let refused: Vec<&(u16, String, Vec<u8>)> = answers.iter().filter(|a| a.0 == 429).collect();
    assert!(
        refused.len() >= 5,
        "{:?}",
        answers.iter().map(|a| a.0).collect::<Vec<_>>()
    );
    let (_, head, body) = refused[0];
    assert!(head.contains("retry-after: "), "{head}");
    let v: Value = serde_json::from_slice(body).unwrap();
    assert!(error_message(&v).contains("too many requests"), "{v}");
    // Another client has its own budget; cheap endpoints are not limited.
    assert_eq!(search(Some("client-b")).0, 200);
    assert_eq!(
        request_as(
            addr,
            "GET",
            "/api/stories",
            b"",
            "text/plain",
            Some("client-a")
        )
        .0,
        200
    );
}

#[test]
fn pages_uploaded_by_an_admin_are_ingested_with_their_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    ingest(&db, &seeds());
    let (read, admin) = (READ_TOKEN, ADMIN_TOKEN);
    let server = serve_with_tokens(&db, "127.0.0.1:0");
    let addr = server.addr.as_str();
    let page = "<html><head><title>Harbour reopens</title></head><body><article><p>The harbour of Port Example reopened on Monday after three weeks of repairs, the port authority said in a statement.</p><p>Ferries to the islands resume on Tuesday with the summer timetable, and freight traffic follows next week.</p></article></body></html>";
    let jsonl = format!(
        "{}\n{{not json\n",
        serde_json::json!({"url": "https://port.example/harbour", "html": page})
    );
    let upload = |path: &str, body: &[u8], token: &str| {
        request_as(
            addr,
            "POST",
            path,
            body,
            "application/x-ndjson",
            Some(token),
        )
    };
    // A read token may not change the collection.
    assert_eq!(upload("/api/ingest", jsonl.as_bytes(), read).0, 403);
    let (st, _, body) = upload("/api/ingest?name=crawl.jsonl", jsonl.as_bytes(), admin);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["added"], 1, "{v}");
    // The bad line is reported under the upload's name, with its line, never the staging path.
    let diags = v["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1, "{v}");
    let origin = diags[0]["origin"].as_str().unwrap();
    assert!(
        origin.starts_with("crawl.jsonl") && origin.contains('2'),
        "{v}"
    );
    // The same upload again adds nothing; an unknown format and an empty body are refused.
    let (_, _, body) = upload("/api/ingest?name=crawl.jsonl", jsonl.as_bytes(), admin);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (v["added"].as_u64(), v["already_stored"].as_u64()),
        (Some(0), Some(1)),
        "{v}"
    );
    assert_eq!(upload("/api/ingest?format=pdf", b"x", admin).0, 400);
    assert_eq!(upload("/api/ingest", b"", admin).0, 400);
    // Over the size bound: 413, and the server is still up.
    let big = vec![b'a'; echotrace_server_limit() + 1];
    assert_eq!(upload("/api/ingest?format=text", &big, admin).0, 413);
    // The new article shows up once the analysis is refreshed.
    let mut articles = 0;
    for _ in 0..100 {
        let (_, _, body) = request_as(addr, "GET", "/api/status", b"", "text/plain", Some(read));
        articles = serde_json::from_slice::<Value>(&body).unwrap()["articles"]
            .as_u64()
            .unwrap();
        if articles == 6 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(articles, 6);
}

/// The upload bound of `POST /api/ingest` (32 MiB), as the server documents it.
fn echotrace_server_limit() -> usize {
    32 * 1024 * 1024
}

#[test]
fn an_upload_answered_survives_a_killed_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    ingest(&db, &seeds());
    let mut server = serve_with_tokens(&db, "127.0.0.1:0");
    let pages: String = (0..3)
        .map(|i| {
            let html = format!("<html><head><title>Bridge {i} reopens</title></head><body><article><p>The bridge number {i} of Example City reopened on Monday after four weeks of repairs, the city council said on its website.</p><p>Traffic on the northern bank returns to normal by Wednesday, and buses resume their summer routes.</p></article></body></html>");
            format!("{}\n", serde_json::json!({"url": format!("https://city.example/bridge-{i}"), "html": html}))
        })
        .collect();
    let (st, _, body) = request_as(
        &server.addr,
        "POST",
        "/api/ingest?format=jsonl",
        pages.as_bytes(),
        "application/x-ndjson",
        Some(ADMIN_TOKEN),
    );
    assert_eq!(st, 200, "{}", String::from_utf8_lossy(&body));
    // Killed right after answering: what it answered for is committed.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let server = serve_with_tokens(&db, "127.0.0.1:0");
    let (_, _, body) = request_as(
        &server.addr,
        "GET",
        "/api/status",
        b"",
        "text/plain",
        Some(READ_TOKEN),
    );
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["articles"], 8, "{v}");
}

#[test]
fn alerts_are_listed_and_streamed_as_an_ingest_raises_them() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("alerts.db");
    let page = std::fs::read_dir(seeds())
        .unwrap()
        .map(|e| e.unwrap().path())
        .min()
        .unwrap();
    // The watch: a stretch of the page's own text, so that ingesting the page raises an alert.
    let out = bin().arg("extract").arg(&page).output().unwrap();
    let article: Value = serde_json::from_slice(&out.stdout).unwrap();
    let body = article["body"].as_str().unwrap();
    let end = body.char_indices().nth(400).map_or(body.len(), |(i, _)| i);
    let watch = bin()
        .args([
            "watch",
            "add",
            "--db",
            db.to_str().unwrap(),
            "--text",
            &body[..end],
        ])
        .output()
        .unwrap();
    assert!(
        watch.status.success(),
        "{}",
        String::from_utf8_lossy(&watch.stderr)
    );
    let server = serve(&db);
    let (status, v) = get(&server.addr, "/api/alerts");
    assert_eq!(status, 200);
    assert_eq!(v["alerts"].as_array().unwrap().len(), 0);
    // A live stream opened before the ingest receives the alert.
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    write!(
        stream,
        "GET /api/alerts/stream HTTP/1.1\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n",
        server.addr
    )
    .unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(60)))
        .unwrap();
    ingest(&db, page.to_str().unwrap());
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    while !seen.contains("event: alert") {
        let n = stream
            .read(&mut buf)
            .expect("an alert event within a minute");
        assert!(n > 0, "stream closed: {seen}");
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(seen
        .to_lowercase()
        .contains("content-type: text/event-stream"));
    let (_, v) = get(&server.addr, "/api/alerts");
    let alerts = v["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0]["watch"], "w1");
    assert!(seen.contains(&format!("id: {}", alerts[0]["id"])));
    assert!(seen.contains("\"kind\":\"verbatim\""), "{seen}");
    let (status, _) = get(&server.addr, "/api/alerts?limit=0");
    assert_eq!(status, 400);
}
