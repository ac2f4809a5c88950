//! Watches over HTTP: `GET /api/watches` lists them, `POST /api/watches` adds one
//! (a JSON body with the fields of `echotrace watch add`: `text`, `story`, `claim`,
//! `velocity`, `within`, `by`, `dormant`, `name`, `id`), `DELETE /api/watches/{id}`
//! removes one. Adding and removing need the admin role once tokens are set
//! (see [`crate::access`]); the next ingest checks its articles against them.

use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use echotrace_pipeline::watching::WatchRequest;
use echotrace_store::Store;
use serde_json::{json, Value};

use crate::api::{blocking, ApiError};
use crate::library::Library;

/// The watch routes.
pub fn routes() -> Router<Arc<Library>> {
    Router::new()
        .route("/api/watches", get(list).post(add))
        .route("/api/watches/{id}", delete(remove))
}

async fn list(State(lib): State<Arc<Library>>) -> Result<Json<Value>, ApiError> {
    let watches = blocking(move || lib.read(|s| Ok(s.watches()?)).map_err(ApiError::from)).await?;
    Ok(Json(json!({ "watches": watches })))
}

async fn add(
    State(lib): State<Arc<Library>>,
    body: Result<Json<WatchRequest>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let Json(request) =
        body.map_err(|r| ApiError::bad_request(format!("bad watch: {}", r.body_text())))?;
    let watch = blocking(move || {
        let mut store = Store::open(lib.db()).map_err(crate::ServerError::from)?;
        let (id, _) = request.add(&mut store).map_err(crate::ServerError::from)?;
        let row = store
            .watches()
            .map_err(crate::ServerError::from)?
            .into_iter()
            .find(|w| w.id == id);
        Ok::<_, ApiError>(row)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(json!({ "watch": watch }))))
}

async fn remove(
    State(lib): State<Arc<Library>>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, ApiError> {
    let Path(id) = id?;
    let shown = id.clone();
    let removed = blocking(move || {
        let mut store = Store::open(lib.db()).map_err(crate::ServerError::from)?;
        Ok::<_, ApiError>(store.remove_watch(&id).map_err(crate::ServerError::from)?)
    })
    .await?;
    if !removed {
        return Err(ApiError::not_found(format!("no watch {shown}")));
    }
    Ok(Json(json!({ "removed": shown })))
}
