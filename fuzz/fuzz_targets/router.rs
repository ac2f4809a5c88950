//! Any request at the real application router (`echotrace_server::app`, open access, no rate
//! limit) over a store of the five seed pages: never a panic, never a 5xx, and every `/api`
//! answer of 400 or more is the API's JSON error, `{"error": {"status": S, ...}}` with S the
//! response's status.
//!
//! Input: one selector byte (method in the low 3 bits, content type in the next 3), then the
//! path and query up to the first `\n`, then the body. Bytes a URI cannot hold are
//! percent-encoded, so every input becomes a request.
//!
//! The store is built once, on the first input. Reads go to one router built over it; an
//! upload (`POST /api/ingest`), the one request that changes the store, goes to a router over
//! a fresh copy of it, so that every input is answered from the same store and a crash found
//! replays from its input alone.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Method, Request, Uri};
use axum::Router;
use echotrace_pipeline::collection::Collection;
use echotrace_server::{app, Access, Guard, Library};
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

const METHODS: [Method; 8] = [
    Method::GET,
    Method::POST,
    Method::GET,
    Method::HEAD,
    Method::PUT,
    Method::DELETE,
    Method::PATCH,
    Method::OPTIONS,
];
const CONTENT_TYPES: [&str; 8] = [
    "",
    "application/json",
    "text/plain",
    "application/x-ndjson",
    "text/html",
    "application/warc",
    "application/gzip",
    "application/json; charset=utf-8",
];

/// The runtime, the seed store as built once (`template`), and the router over a copy of it.
struct Fixture {
    runtime: tokio::runtime::Runtime,
    template: PathBuf,
    router: Router,
    _dir: tempfile::TempDir,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let template = dir.path().join("template");
        std::fs::create_dir(&template).unwrap();
        let seeds = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/seeds");
        let mut collection = Collection::open(
            &template.join("s.db"),
            echotrace_pipeline::Options::default(),
        )
        .expect("a new store");
        collection
            .ingest(&[seeds], &echotrace_pipeline::Silent)
            .expect("the seeds ingested");
        drop(collection);
        let shared = dir.path().join("shared");
        copy_dir(&template, &shared);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let router = router_over(&shared);
        Fixture {
            runtime,
            template,
            router,
            _dir: dir,
        }
    })
}

fn router_over(store: &Path) -> Router {
    let library = Library::open(&store.join("s.db")).expect("the seed store opens");
    app(
        Arc::new(library),
        Guard {
            access: Access::open(),
            per_second: 0,
        },
    )
}

/// Copies the store's files (the database, its search index) from `from` into a new `to`.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The request target: `raw` as given when it is a valid URI path, else with the bytes a URI
/// cannot hold percent-encoded.
fn uri(raw: &[u8]) -> Option<Uri> {
    let mut target = Vec::with_capacity(raw.len() + 1);
    if raw.first() != Some(&b'/') {
        target.push(b'/');
    }
    target.extend_from_slice(raw);
    if let Ok(u) = Uri::try_from(target.as_slice()) {
        return Some(u);
    }
    let mut encoded = String::with_capacity(target.len() * 3);
    for &b in &target {
        if b.is_ascii_graphic() && !b"\"<>\\^`{|}#".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::try_from(encoded).ok()
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (target, body) = match rest.iter().position(|&b| b == b'\n') {
        Some(n) => (&rest[..n], &rest[n + 1..]),
        None => (rest, &[][..]),
    };
    let Some(uri) = uri(target) else {
        return;
    };
    let method = METHODS[usize::from(selector & 7)].clone();
    let content_type = CONTENT_TYPES[usize::from((selector >> 3) & 7)];
    let what = format!(
        "{method} {uri} ({content_type:?}, {} body bytes)",
        body.len()
    );
    let is_api = uri.path().starts_with("/api") && method != Method::HEAD;
    let changes_store = method == Method::POST && uri.path() == "/api/ingest";
    let mut request = Request::builder().method(method).uri(uri);
    if !content_type.is_empty() {
        request = request.header("content-type", content_type);
    }
    let request = request.body(Body::from(body.to_vec())).unwrap();

    let f = fixture();
    // An upload changes the store: it gets a copy of its own, dropped after.
    let scratch = changes_store.then(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        copy_dir(&f.template, dir.path());
        let router = router_over(dir.path());
        (router, dir)
    });
    let router = scratch.as_ref().map_or(&f.router, |(r, _)| r).clone();
    let (status, json, body) = f.runtime.block_on(async move {
        let response = router.oneshot(request).await.expect("the router answers");
        let status = response.status();
        let json = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("application/json"));
        // A live stream of alerts never ends: its status and head are what can be checked.
        let endless = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("text/event-stream"));
        if endless {
            return (status, json, Default::default());
        }
        let body = response
            .into_body()
            .collect()
            .await
            .expect("the body is read")
            .to_bytes();
        (status, json, body)
    });
    drop(scratch);

    assert!(
        !status.is_server_error(),
        "{what}: {status} {}",
        String::from_utf8_lossy(&body)
    );
    if is_api && status.as_u16() >= 400 {
        assert!(json, "{what}: {status} without a JSON content type");
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_else(|e| {
            panic!(
                "{what}: {status} body is not JSON ({e}): {}",
                String::from_utf8_lossy(&body)
            )
        });
        assert!(
            v["error"].is_object(),
            "{what}: {status} no error object: {v}"
        );
        assert_eq!(v["error"]["status"], status.as_u16(), "{what}: {v}");
    }
});
