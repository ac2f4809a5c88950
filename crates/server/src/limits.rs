//! How much one client may ask: a per-client rate limit on the expensive endpoints (search,
//! trace, exports), and a time limit on every request.
//!
//! A client is its bearer token when it sends one, else its address, so the clients behind one
//! proxy with their own tokens do not share a budget. The rate limit is a token bucket
//! (`tower_governor`, backed by `governor`): `per_second` requests a second on average, bursts
//! of five times that; a request over it gets 429 with `Retry-After` and a JSON error.

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router};
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::KeyExtractor;
use tower_governor::{GovernorError, GovernorLayer};

/// Longest time one request may take before the server answers 408.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

/// Requests a second each client may make to the expensive endpoints, by default.
pub const DEFAULT_PER_SECOND: u32 = 10;

/// Who a request counts against: its bearer token, else its peer address.
#[derive(Debug, Clone, Copy)]
pub struct ClientKey;

impl KeyExtractor for ClientKey {
    type Key = String;

    fn extract<T>(&self, req: &Request<T>) -> Result<String, GovernorError> {
        if let Some(token) = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        {
            // Hashed, so the limiter's map never holds a token.
            return Ok(format!(
                "token:{:016x}",
                xxhash_rust::xxh3::xxh3_64(token.trim().as_bytes())
            ));
        }
        Ok(req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(|| "local".to_string(), |c| format!("ip:{}", c.0.ip())))
    }
}

/// The answer to a request over its client's rate: 429, `Retry-After` in seconds, JSON error.
fn too_many(e: GovernorError) -> Response {
    let (status, wait) = match e {
        GovernorError::TooManyRequests { wait_time, .. } => {
            (StatusCode::TOO_MANY_REQUESTS, wait_time.max(1))
        }
        _ => (StatusCode::INTERNAL_SERVER_ERROR, 0),
    };
    let body = Json(serde_json::json!({"error": {
        "status": status.as_u16(),
        "message": format!("too many requests from this client: retry in {wait} s"),
    }}));
    let mut resp = (status, body).into_response();
    if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

/// `router` with a rate limit of `per_second` requests a second per client on each of its
/// routes (bursts of five times that); unchanged when `per_second` is 0 (no limit).
pub fn limited<S: Clone + Send + Sync + 'static>(router: Router<S>, per_second: u32) -> Router<S> {
    if per_second == 0 {
        return router;
    }
    let period = Duration::from_nanos(1_000_000_000 / u64::from(per_second));
    let config = GovernorConfigBuilder::default()
        .period(period)
        .burst_size(per_second.saturating_mul(5))
        .key_extractor(ClientKey)
        .finish();
    match config {
        Some(config) => router.route_layer(GovernorLayer::new(config).error_handler(too_many)),
        None => router,
    }
}
