//! The real application router under thousands of generated requests (methods, paths, query
//! strings, bodies: malformed ids, escapes, out-of-range numbers, broken JSON, stray bytes),
//! driven through tower's `oneshot` without a socket. Every answer must be a client error or a
//! success, never a 5xx or a panic, and every `/api` error must be the API's JSON error.
//!
//! A bounded, seeded run that goes with the tests; longer runs: `ECHOTRACE_ROUTER_FUZZ=200000`.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request};
use echotrace_pipeline::collection::Collection;
use echotrace_server::{app, Access, Guard, Library};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// A seeded generator, so a failure replays.
struct Rng(fastrand::Rng);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0.usize(..n)
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const PATHS: &[&str] = &[
    "/api/status",
    "/api/stories",
    "/api/stories/",
    "/api/stories/{id}",
    "/api/articles",
    "/api/articles/{id}",
    "/api/passages",
    "/api/alerts",
    "/api/alerts/stream",
    "/api/search",
    "/api/trace",
    "/api/export/{fmt}",
    "/api/reload",
    "/api/ingest",
    "/api/nothing",
    "/api",
    "/",
    "/static/app.js",
    "/static/{id}",
];
const IDS: &[&str] = &[
    "s1",
    "a1",
    "a0",
    "s0",
    "a-1",
    "a99999999999999999999",
    "%00",
    "%ff%fe",
    "..%2f..%2fetc",
    "é",
    "a1%20",
    "",
    "s1.2",
    "q1.1",
    "d1.1",
    "%E2%80%AE",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
];
const FORMATS: &[&str] = &[
    "gexf",
    "graphml",
    "csv-claims",
    "csv-quotes",
    "jsonl-articles",
    "jsonl-passages",
    "claimreview",
    "pdf",
    "",
    "%2e%2e",
];
const KEYS: &[&str] = &[
    "q", "limit", "offset", "story", "outlet", "from", "to", "language", "article", "other",
    "format", "name", "text", "x",
];
const VALUES: &[&str] = &[
    "ISIS",
    "\"unclosed",
    "a1",
    "s1",
    "-1",
    "0",
    "1",
    "1000000000000",
    "18446744073709551616",
    "2023-02-13",
    "2023-13-45",
    "yesterday",
    "%00",
    "%ZZ",
    "AND OR",
    "*",
    "(",
    "NOT -x",
    "é%20ü",
    "jsonl",
    "warc.gz",
    "html",
];
const BODIES: &[&[u8]] = &[
    b"",
    b"{\"text\": \"ISIS fighters were trained\"}",
    b"{\"text\": 5}",
    b"{not json",
    b"\xff\xfe\x00garbage",
    b"{\"url\": \"https://x.example/\", \"html\": \"<p>Hello there world</p>\"}\n{bad\n",
    b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\nshort",
];

/// One generated request.
fn request(rng: &mut Rng) -> Request<Body> {
    let method = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::HEAD,
    ][rng.below(5)]
    .clone();
    let mut path = rng
        .pick(PATHS)
        .replace("{id}", rng.pick(IDS))
        .replace("{fmt}", rng.pick(FORMATS));
    let params = rng.below(4);
    for i in 0..params {
        path.push(if i == 0 { '?' } else { '&' });
        path.push_str(rng.pick(KEYS));
        if rng.below(5) > 0 {
            path.push('=');
            path.push_str(&rng.pick(VALUES).replace(' ', "%20").replace('"', "%22"));
        }
    }
    let body = BODIES[rng.below(BODIES.len())];
    let ctype = rng.pick(&[
        "application/json",
        "text/plain",
        "application/x-ndjson",
        "text/html",
        "",
    ]);
    let mut req = Request::builder().method(method).uri(path);
    if !ctype.is_empty() {
        req = req.header("content-type", ctype);
    }
    req.body(Body::from(body.to_vec())).unwrap()
}

/// The application over a store of the seed pages in `dir`, with no rate limit or at `per_second`.
async fn seed_app(dir: &std::path::Path, per_second: u32) -> axum::Router {
    let db = dir.join("s.db");
    let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/seeds");
    let mut collection = Collection::open(&db, echotrace_pipeline::Options::default()).unwrap();
    collection
        .ingest(&[seeds], &echotrace_pipeline::Silent)
        .unwrap();
    drop(collection);
    let library = Arc::new(
        tokio::task::spawn_blocking(move || Library::open(&db).unwrap())
            .await
            .unwrap(),
    );
    app(
        library,
        Guard {
            access: Access::open(),
            per_second,
        },
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_router_answers_every_generated_request_without_a_server_error() {
    let dir = tempfile::tempdir().unwrap();
    let router = seed_app(dir.path(), 0).await;
    let runs: usize = std::env::var("ECHOTRACE_ROUTER_FUZZ")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1500);
    let mut rng = Rng(fastrand::Rng::with_seed(0x5eed_1234_abcd_ef01));
    for i in 0..runs {
        let req = request(&mut rng);
        let what = format!("#{i} {} {}", req.method(), req.uri());
        // HEAD answers carry no body to check.
        let is_api = req.uri().path().starts_with("/api") && req.method() != Method::HEAD;
        let resp = router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let json = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("application/json"));
        // A live stream of alerts never ends: its head is what can be checked.
        if status.is_success() && event_stream(resp.headers()) {
            continue;
        }
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        assert!(
            !status.is_server_error(),
            "{what}: {status} {}",
            String::from_utf8_lossy(&body)
        );
        if is_api && status.is_client_error() {
            assert!(json, "{what}: {status} without a JSON error");
            let v: serde_json::Value = serde_json::from_slice(&body)
                .unwrap_or_else(|e| panic!("{what}: {status} body is not JSON: {e}"));
            assert_eq!(v["error"]["status"], status.as_u16(), "{what}");
        }
    }
}

/// Whether an answer is a server-sent event stream (it never ends).
fn event_stream(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("text/event-stream"))
}

/// Found by `cargo fuzz run router`: a method an API endpoint does not take was answered with
/// axum's bare 405 (no body), not the API's JSON error. Rate-limited endpoints too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_method_an_endpoint_does_not_take_is_a_json_405_with_allow() {
    let dir = tempfile::tempdir().unwrap();
    for per_second in [0, 10] {
        let router = {
            let d = dir.path().join(per_second.to_string());
            std::fs::create_dir(&d).unwrap();
            seed_app(&d, per_second).await
        };
        for (method, path, allow) in [
            (Method::OPTIONS, "/api/status", "GET,HEAD"),
            (Method::PUT, "/api/stories/s1", "GET,HEAD"),
            (Method::GET, "/api/ingest", "POST"),
            (Method::DELETE, "/api/search?q=ISIS", "GET,HEAD"),
            (Method::GET, "/api/trace", "POST"),
            (Method::POST, "/api/export/gexf", "GET,HEAD"),
        ] {
            let req = Request::builder()
                .method(method.clone())
                .uri(path)
                .body(Body::empty())
                .unwrap();
            let resp = router.clone().oneshot(req).await.unwrap();
            let what = format!("{method} {path} (per second {per_second})");
            assert_eq!(resp.status(), 405, "{what}");
            assert_eq!(resp.headers()["allow"], allow, "{what}");
            assert_eq!(resp.headers()["content-type"], "application/json", "{what}");
            let body = resp.into_body().collect().await.unwrap().to_bytes();
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(v["error"]["status"], 405, "{what}: {v}");
        }
    }
}
