//! `echotrace serve`: the HTTP API and the web UI over a store.
//!
//! The server opens a store written by `echotrace ingest`, computes the
//! analysis once and keeps it in memory ([`library`]), and answers JSON
//! requests ([`api`]) and the browser UI ([`ui`]) from it. It binds
//! 127.0.0.1 unless told otherwise; request bodies are bounded; every
//! response carries a strict Content-Security-Policy.

pub mod api;
mod error;
pub mod library;
pub mod lookup;
pub mod ui;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use axum::Router;
use tower_http::limit::RequestBodyLimitLayer;

pub use error::{Result, ServerError};
pub use library::{Analysis, Library};

/// The default listening address: loopback only.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// Largest request body on any route, in bytes (the trace route allows less).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// The whole application: API, UI and security headers, over `library`.
pub fn app(library: Arc<Library>) -> Router {
    let router = Router::new()
        .merge(api::routes())
        .merge(ui::routes())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        // One span per request (method, path) with its status and latency, at debug level.
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(library);
    ui::secure(router)
}

/// Opens the store at `db` and serves it on `addr` until interrupted (Ctrl-C).
///
/// Prints `listening on http://ADDR/` on stderr once the socket is bound
/// (with the real port when `addr` asks for port 0).
pub fn run(db: &Path, addr: SocketAddr) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(ServerError::Runtime)?;
    let library = Arc::new(Library::open(db)?);
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| ServerError::Listen { addr, source })?;
        let bound = listener.local_addr().map_err(ServerError::Serve)?;
        let (articles, stories) = library
            .current()
            .map(|a| (a.report.articles.len(), a.report.stories.len()))?;
        eprintln!(
            "echotrace: serving {} ({articles} articles, {stories} stories); listening on http://{bound}/",
            db.display()
        );
        axum::serve(listener, app(library))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(ServerError::Serve)
    })
}
