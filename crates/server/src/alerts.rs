//! Alerts over HTTP: the list (`GET /api/alerts`), a live stream of new ones
//! (`GET /api/alerts/stream`, server-sent events), and the outbox drained to the webhooks
//! while the server runs.
//!
//! The stream polls the store for alerts above the last id it sent every
//! [`POLL`]: an ingest running beside the server (or through `POST /api/ingest`)
//! commits alerts with its batches, and they reach open streams within that
//! time. Each event's `id` is the alert's id, so a client that reconnects with
//! `Last-Event-ID` gets what it missed, and nothing twice.

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use axum::{Json, Router};
use futures_util::stream::Stream;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::api::{blocking, ApiError};
use crate::library::Library;

/// How often a live stream looks for new alerts, and the outbox is drained.
pub const POLL: Duration = Duration::from_secs(2);
/// Most deliveries one drain of the outbox makes before the next tick may start.
const DRAIN_BATCH: usize = 4096;

/// The alert routes.
pub fn routes() -> Router<Arc<Library>> {
    Router::new()
        .route("/api/alerts", get(list))
        .route("/api/alerts/stream", get(stream))
}

/// Query of `GET /api/alerts`.
#[derive(Deserialize)]
struct AlertQuery {
    /// Alerts with an id above this.
    after: Option<i64>,
    /// Alerts raised at or after this time (seconds since 1970).
    since: Option<i64>,
    limit: Option<usize>,
}

async fn list(
    State(lib): State<Arc<Library>>,
    q: Result<Query<AlertQuery>, QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let Query(q) = q?;
    let (_, limit) = crate::api::page(None, q.limit)?;
    let alerts = blocking(move || {
        lib.read(|s| match q.after {
            Some(after) => Ok(s.alerts_after(after, limit)?),
            None => Ok(s.alerts_since(q.since.unwrap_or(0), limit)?),
        })
        .map_err(ApiError::from)
    })
    .await?;
    Ok(Json(json!({"alerts": alerts})))
}

async fn stream(
    State(lib): State<Arc<Library>>,
    headers: HeaderMap,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    // From the client's last event, or from now on.
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok()?.parse::<i64>().ok());
    let start = match resume {
        Some(id) => id,
        None => {
            let lib = lib.clone();
            blocking(move || lib.read(|s| Ok(s.last_alert_id()?)).map_err(ApiError::from))
                .await
                .unwrap_or(0)
        }
    };
    let events = futures_util::stream::unfold((lib, start), |(lib, last)| async move {
        loop {
            let reader = lib.clone();
            let found = blocking(move || {
                reader
                    .read(|s| Ok(s.alerts_after(last, 100)?))
                    .map_err(ApiError::from)
            })
            .await
            .unwrap_or_default();
            if !found.is_empty() {
                let next = found.last().map_or(last, |a| a.id);
                let events: Vec<Result<Event, Infallible>> = found
                    .iter()
                    .map(|a| {
                        Ok(Event::default()
                            .id(a.id.to_string())
                            .event("alert")
                            .json_data(a)
                            .unwrap_or_default())
                    })
                    .collect();
                return Some((futures_util::stream::iter(events), (lib, next)));
            }
            tokio::time::sleep(POLL).await;
        }
    });
    Sse::new(futures_util::StreamExt::flatten(events)).keep_alive(KeepAlive::default())
}

/// Drains the store's outbox to its webhooks every [`POLL`], for as long as the server runs.
pub async fn deliver_forever(db: PathBuf) {
    let mut tick = tokio::time::interval(POLL);
    loop {
        tick.tick().await;
        let db = db.clone();
        let drained = tokio::task::spawn_blocking(move || -> echotrace_store::Result<_> {
            let mut store = echotrace_store::Store::open(&db)?;
            if store.webhooks()?.is_empty() {
                return Ok(echotrace_watch::delivery::Drained::default());
            }
            // A backlog is drained without waiting for the next tick.
            let mut all = echotrace_watch::delivery::Drained::default();
            loop {
                let d = echotrace_watch::delivery::drain(&mut store, DRAIN_BATCH)?;
                all.delivered += d.delivered;
                all.failed += d.failed;
                if d.delivered + d.failed < DRAIN_BATCH || d.failed > 0 {
                    return Ok(all);
                }
            }
        })
        .await;
        match drained {
            Ok(Ok(d)) if d.delivered + d.failed > 0 => tracing::info!(
                delivered = d.delivered,
                failed = d.failed,
                "alerts posted to webhooks"
            ),
            Ok(Err(e)) => tracing::warn!("cannot deliver alerts: {e}"),
            _ => {}
        }
    }
}
