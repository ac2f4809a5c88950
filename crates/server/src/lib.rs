//! `echotrace serve`: the HTTP API and the web UI over a store.
//!
//! The server opens a store written by `echotrace ingest`, computes the
//! analysis once and keeps it in memory ([`library`]), and answers JSON
//! requests ([`api`]) and the browser UI ([`ui`]) from it. It binds
//! 127.0.0.1 unless told otherwise, and another address only with access
//! tokens ([`access`]); request bodies are bounded; every response carries a
//! strict Content-Security-Policy.

pub mod access;
pub mod alerts;
pub mod api;
mod error;
pub mod library;
pub mod limits;
pub mod lookup;
pub mod ui;
pub mod watches;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use axum::Router;
use tower_http::limit::RequestBodyLimitLayer;

pub use access::Access;
pub use error::{Result, ServerError};
pub use library::{Analysis, Library};

/// The default listening address: loopback only.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// Largest request body on any route, in bytes: an upload to `POST /api/ingest`; every other
/// route that reads a body allows less (see [`api`]).
pub const BODY_LIMIT: usize = api::INGEST_BODY_LIMIT;

/// How the server guards itself: who may call, and how much.
#[derive(Debug, Clone)]
pub struct Guard {
    /// Who may call the API.
    pub access: Access,
    /// Requests a second per client on search, trace and exports (0: no limit).
    pub per_second: u32,
}

/// The whole application: API (behind `guard`), UI and security headers, over `library`.
pub fn app(library: Arc<Library>, guard: Guard) -> Router {
    let api = api::routes(guard.per_second).route_layer(axum::middleware::from_fn_with_state(
        guard.access,
        access::guard,
    ));
    let router = Router::new()
        .merge(api)
        .merge(ui::routes())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            limits::REQUEST_TIMEOUT,
        ))
        // One span per request (method, path) with its status and latency, at debug level.
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(library);
    ui::secure(router)
}

/// Opens the store at `db` and serves it on `addr` under `guard` until interrupted (Ctrl-C);
/// uploads are ingested with `embedder` (a collection made with a sentence model needs it).
///
/// Prints `listening on http://ADDR/` on stderr once the socket is bound
/// (with the real port when `addr` asks for port 0).
pub fn run(
    db: &Path,
    addr: SocketAddr,
    guard: Guard,
    embedder: Option<Arc<dyn echotrace_reuse::SentenceEmbedder>>,
) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServerError::Runtime)?;
    let library = Arc::new(Library::open(db)?.with_embedder(embedder));
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| ServerError::Listen { addr, source })?;
        let bound = listener.local_addr().map_err(ServerError::Serve)?;
        let (articles, stories) = library
            .current()
            .map(|a| (a.report.articles.len(), a.report.stories.len()))?;
        let tokens = if guard.access.needs_token() {
            "; API requests need a token"
        } else {
            ""
        };
        eprintln!(
            "echotrace: serving {} ({articles} articles, {stories} stories{tokens}); listening on http://{bound}/",
            db.display()
        );
        tokio::spawn(alerts::deliver_forever(db.to_path_buf()));
        let service = app(library, guard).into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, service)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(ServerError::Serve)
    })
}
