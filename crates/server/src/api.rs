//! The JSON API: articles, stories, passages, search, trace and exports.
//!
//! Every handler reads the library's current analysis (recomputed first when
//! the store changed). Bad parameters answer 400, unknown ids 404, a method an
//! endpoint does not take 405, oversized bodies 413, each as
//! `{"error": {"status", "message"}}`; the analysis and
//! the search run on the blocking pool, never on the async workers.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use echotrace_model::{Article, Passage};
use echotrace_report::export::{Export, Format};
use echotrace_report::lookup::StoryItems;
use echotrace_report::ReportWriter;

use crate::ServerError;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::library::{Analysis, Library};

/// Largest request body accepted by `POST /api/trace`, in bytes.
pub const TRACE_BODY_LIMIT: usize = 64 * 1024;

/// Largest upload to `POST /api/ingest`, in bytes (one WARC, JSONL file or page).
pub const INGEST_BODY_LIMIT: usize = 32 * 1024 * 1024;
/// Most items one list request returns.
pub const MAX_LIMIT: usize = 1000;

/// An API failure: a status code and a message for the client.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub(crate) fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"status": self.status.as_u16(), "message": self.message}});
        (self.status, Json(body)).into_response()
    }
}

impl From<ServerError> for ApiError {
    fn from(e: ServerError) -> ApiError {
        let status = if e.is_bad_request() {
            StatusCode::BAD_REQUEST
        } else if e.is_conflict() {
            StatusCode::CONFLICT
        } else {
            StatusCode::INTERNAL_SERVER_ERROR
        };
        ApiError::new(status, e.to_string())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> ApiError {
        ApiError::new(
            r.status(),
            format!("bad query parameters: {}", r.body_text()),
        )
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> ApiError {
        ApiError::new(r.status(), r.body_text())
    }
}

type ApiResult = Result<Json<Value>, ApiError>;

/// How many requests do their blocking work at once: twice the cores. More would only
/// share the same cores, and each holds its answer (a large story's JSON, a trace's
/// alignments) in memory: under 64 clients, unbounded, the server's peak memory tripled.
fn workers() -> &'static tokio::sync::Semaphore {
    static WORKERS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    WORKERS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new((2 * cores).max(4))
    })
}

/// Runs blocking work (store, analysis, search) off the async workers, a bounded number at a
/// time (see [`workers`]); the others wait their turn.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let _turn = workers()
        .acquire()
        .await
        .map_err(|e| ApiError::internal(format!("server shutting down: {e}")))?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(format!("server task failed: {e}")))?
}

async fn analysis(lib: &Arc<Library>) -> Result<Arc<Analysis>, ApiError> {
    let lib = lib.clone();
    blocking(move || lib.current().map_err(ApiError::from)).await
}

/// A known endpoint asked with a method it does not answer: 405 as the API's JSON error (axum
/// adds the `Allow` header).
async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "this endpoint does not answer that method (see the Allow header)",
    )
}

/// The API routes, under `/api`; search, trace and exports limited to `per_second` requests a
/// second per client (0: no limit, see [`crate::limits`]).
pub fn routes(per_second: u32) -> Router<Arc<Library>> {
    let expensive = Router::new()
        .route("/api/search", get(search))
        .route(
            "/api/trace",
            post(trace).layer(DefaultBodyLimit::max(TRACE_BODY_LIMIT)),
        )
        .route("/api/export/{format}", get(export))
        .method_not_allowed_fallback(method_not_allowed);
    Router::new()
        .route("/api/status", get(status))
        .route("/api/reload", post(reload))
        .route(
            "/api/ingest",
            post(ingest).layer(DefaultBodyLimit::max(INGEST_BODY_LIMIT)),
        )
        .route("/api/articles", get(articles))
        .route("/api/articles/{id}", get(article))
        .route("/api/stories", get(stories))
        .route("/api/stories/{id}", get(story))
        .route("/api/passages", get(passages))
        .merge(crate::alerts::routes())
        .merge(crate::watches::routes())
        .method_not_allowed_fallback(method_not_allowed)
        .merge(crate::limits::limited(expensive, per_second))
        .fallback(|| async { ApiError::not_found("no such API endpoint") })
}

/// An article's summary: everything but the body.
fn summary(a: &Article, an: &Analysis) -> Value {
    json!({
        "id": a.id,
        "title": a.title,
        "outlet": a.outlet,
        "byline": a.byline,
        "language": a.language,
        "published": a.published,
        "url": a.origin.url,
        "path": a.origin.label(),
        "story": an.story_of(&a.id),
        "shares": a.shares,
        "chars": an.chars(&a.id),
    })
}

/// The offset and limit of a listing (limit 100 unless given, between 1 and [`MAX_LIMIT`]).
pub(crate) fn page(
    offset: Option<usize>,
    limit: Option<usize>,
) -> Result<(usize, usize), ApiError> {
    let limit = limit.unwrap_or(100);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(ApiError::bad_request(format!(
            "limit must be between 1 and {MAX_LIMIT}"
        )));
    }
    Ok((offset.unwrap_or(0), limit))
}

async fn status(State(lib): State<Arc<Library>>) -> ApiResult {
    let an = analysis(&lib).await?;
    let r = &an.report;
    Ok(Json(json!({
        "db": lib.db().display().to_string(),
        "articles": r.articles.len(),
        "passages": r.passages.len(),
        "stories": r.stories.len(),
        "search": lib.search().is_some(),
    })))
}

async fn reload(State(lib): State<Arc<Library>>) -> ApiResult {
    let l = lib.clone();
    let an = blocking(move || l.reload().map_err(ApiError::from)).await?;
    Ok(Json(json!({
        "articles": an.report.articles.len(),
        "passages": an.report.passages.len(),
        "stories": an.report.stories.len(),
    })))
}

#[derive(Deserialize)]
struct IngestQuery {
    /// html, text, jsonl, warc, warc.gz or jsonl.gz; otherwise taken from the content type.
    format: Option<String>,
    /// What the upload is called in diagnostics (default `upload.<format>`).
    name: Option<String>,
}

/// The file name ending the ingest reader reads an upload by: from `?format=`, else from the
/// content type.
fn upload_suffix(format: Option<&str>, ctype: Option<&str>) -> Result<&'static str, ApiError> {
    let by_type = || {
        let t = ctype?.split(';').next()?.trim().to_ascii_lowercase();
        Some(match t.as_str() {
            "text/html" | "application/xhtml+xml" => "html",
            "text/plain" => "txt",
            "application/jsonl" | "application/x-ndjson" | "application/jsonlines" => "jsonl",
            "application/warc" => "warc",
            _ => return None,
        })
    };
    let suffix = match format {
        Some("html") => "html",
        Some("text") | Some("txt") => "txt",
        Some("jsonl") => "jsonl",
        Some("jsonl.gz") => "jsonl.gz",
        Some("warc") => "warc",
        Some("warc.gz") => "warc.gz",
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "unknown format {other:?}: use html, text, jsonl, jsonl.gz, warc or warc.gz"
            )))
        }
        None => by_type().ok_or_else(|| {
            ApiError::bad_request(
                "say what the upload is: ?format=html|text|jsonl|jsonl.gz|warc|warc.gz, or a content type (text/html, text/plain, application/x-ndjson, application/warc)",
            )
        })?,
    };
    Ok(suffix)
}

/// Adds an uploaded WARC, JSONL file or page to the collection; answers what was added and
/// every diagnostic (what was rejected, and why) under the upload's name.
async fn ingest(
    State(lib): State<Arc<Library>>,
    q: Result<Query<IngestQuery>, QueryRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let Query(q) = q?;
    let body = body.map_err(|r| ApiError::new(r.status(), r.body_text()))?;
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let suffix = upload_suffix(q.format.as_deref(), ctype)?;
    if body.is_empty() {
        return Err(ApiError::bad_request("empty upload"));
    }
    // The name is only a label in diagnostics, never a path.
    let name: String = q
        .name
        .unwrap_or_else(|| format!("upload.{suffix}"))
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let l = lib.clone();
    let (outcome, path) = blocking(move || {
        let file = tempfile::Builder::new()
            .prefix("echotrace-upload-")
            .suffix(&format!(".{suffix}"))
            .tempfile()
            .map_err(|e| ApiError::internal(format!("cannot stage the upload: {e}")))?;
        std::fs::write(file.path(), &body)
            .map_err(|e| ApiError::internal(format!("cannot stage the upload: {e}")))?;
        let path = file.path().to_string_lossy().into_owned();
        let outcome = l.ingest(file.path()).map_err(ApiError::from)?;
        Ok((outcome, path))
    })
    .await?;
    let diagnostics: Vec<Value> = outcome
        .diagnostics
        .iter()
        .map(|d| {
            json!({
                "origin": d.origin.replace(&path, &name),
                "severity": d.severity,
                "message": d.message,
            })
        })
        .collect();
    Ok(Json(json!({
        "added": outcome.stats.added,
        "already_stored": outcome.stats.duplicates,
        "passages": outcome.stats.passages,
        "diagnostics": diagnostics,
    })))
}

#[derive(Deserialize)]
struct ArticleQuery {
    story: Option<String>,
    outlet: Option<String>,
    offset: Option<usize>,
    limit: Option<usize>,
}

async fn articles(
    State(lib): State<Arc<Library>>,
    q: Result<Query<ArticleQuery>, QueryRejection>,
) -> ApiResult {
    let Query(q) = q?;
    let (offset, limit) = page(q.offset, q.limit)?;
    let an = analysis(&lib).await?;
    if let Some(s) = &q.story {
        if an.story(s).is_none() {
            return Err(ApiError::not_found(format!("no story {s:?}")));
        }
    }
    let selected: Vec<&Article> = an
        .report
        .articles
        .iter()
        .filter(|a| {
            q.story
                .as_deref()
                .is_none_or(|s| an.story_of(&a.id) == Some(s))
        })
        .filter(|a| q.outlet.is_none() || a.outlet == q.outlet)
        .collect();
    let items: Vec<Value> = selected
        .iter()
        .skip(offset)
        .take(limit)
        .map(|a| summary(a, &an))
        .collect();
    Ok(Json(
        json!({"total": selected.len(), "offset": offset, "articles": items}),
    ))
}

async fn article(
    State(lib): State<Arc<Library>>,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult {
    let Path(id) = id?;
    let an = analysis(&lib).await?;
    let lean = an
        .article(&id)
        .ok_or_else(|| ApiError::not_found(format!("no article {id:?}")))?
        .clone();
    // The analysis keeps no bodies: this one comes from the store.
    let l = lib.clone();
    let a = blocking(move || {
        l.with_bodies(std::slice::from_ref(&lean))
            .map_err(ApiError::from)
    })
    .await?
    .pop()
    .ok_or_else(|| ApiError::internal("the article could not be read"))?;
    let a = &a;
    let r = &an.report;
    let passages: Vec<&Passage> = r
        .passages
        .iter()
        .filter(|p| p.a.article == id || p.b.article == id)
        .collect();
    let mut related: Vec<&str> = passages
        .iter()
        .map(|p| {
            if p.a.article == id {
                p.b.article.as_str()
            } else {
                p.a.article.as_str()
            }
        })
        .collect();
    related.sort_unstable();
    related.dedup();
    let related: Vec<Value> = related
        .iter()
        .filter_map(|o| an.article(o))
        .map(|o| summary(o, &an))
        .collect();
    Ok(Json(json!({
        "article": a,
        "story": an.story_of(&id),
        "passages": passages,
        "related": related,
        "quotes": r.quotes.iter().filter(|q| q.article == id).collect::<Vec<_>>(),
        "claims": r.claims.iter().filter(|c| c.article == id).collect::<Vec<_>>(),
    })))
}

#[derive(Deserialize)]
struct StoryQuery {
    offset: Option<usize>,
    limit: Option<usize>,
    /// First seen on or after this day (YYYY-MM-DD).
    from: Option<String>,
    /// First seen on or before this day (YYYY-MM-DD).
    to: Option<String>,
    /// Only stories with an article of this outlet.
    outlet: Option<String>,
    /// Only stories with an article in this language.
    language: Option<String>,
}

/// Stories, most independent outlets first (then most articles, then the most recent), a page at a time.
async fn stories(
    State(lib): State<Arc<Library>>,
    q: Result<Query<StoryQuery>, QueryRejection>,
) -> ApiResult {
    let Query(q) = q?;
    let (offset, limit) = page(q.offset, q.limit.or(Some(50)))?;
    for d in [&q.from, &q.to].into_iter().flatten() {
        let b = d.as_bytes();
        let shaped = b.len() == 10
            && b.iter().enumerate().all(|(i, c)| {
                if i == 4 || i == 7 {
                    *c == b'-'
                } else {
                    c.is_ascii_digit()
                }
            });
        if !shaped {
            return Err(ApiError::bad_request(format!(
                "bad date {d:?}: use YYYY-MM-DD"
            )));
        }
    }
    let an = analysis(&lib).await?;
    let r = &an.report;
    fn day(s: &echotrace_model::Story) -> Option<String> {
        s.first_seen.and_then(|d| d.date()).map(|d| d.to_string())
    }
    // In the order ranked once per analysis, not sorted per request.
    let selected: Vec<&echotrace_model::Story> = an
        .lookup
        .ranked()
        .iter()
        .map(|&i| &r.stories[i])
        .filter(|s| {
            q.from
                .as_deref()
                .is_none_or(|f| day(s).is_some_and(|d| d.as_str() >= f))
        })
        .filter(|s| {
            q.to.as_deref()
                .is_none_or(|t| day(s).is_some_and(|d| d.as_str() <= t))
        })
        .filter(|s| {
            (q.outlet.is_none() && q.language.is_none())
                || s.articles.iter().any(|id| {
                    an.article(id).is_some_and(|a| {
                        q.outlet
                            .as_ref()
                            .is_none_or(|o| a.outlet.as_ref() == Some(o))
                            && q.language.as_ref().is_none_or(|l| &a.language == l)
                    })
                })
        })
        .collect();
    let items: Vec<Value> = selected
        .iter()
        .skip(offset)
        .take(limit)
        .map(|s| {
            let title = s
                .articles
                .first()
                .and_then(|id| an.article(id))
                .and_then(|a| a.title.clone());
            let source = an
                .members
                .story(&s.id)
                .sources
                .first()
                .map(|&i| &r.sources[i]);
            json!({
                "id": s.id,
                "label": s.label,
                "title": title,
                "articles": s.articles.len(),
                "independent_outlets": s.independent_outlets,
                "first_seen": s.first_seen,
                "cites": s.cites,
                "terms": s.terms,
                "source": source.map(|x| json!({"speaker": x.speaker, "latent": x.latent})),
            })
        })
        .collect();
    Ok(Json(
        json!({"total": selected.len(), "offset": offset, "limit": limit, "stories": items}),
    ))
}

async fn story(
    State(lib): State<Arc<Library>>,
    id: Result<Path<String>, PathRejection>,
) -> ApiResult {
    let Path(id) = id?;
    let an = analysis(&lib).await?;
    story_view(&an, &id)
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no story {id:?}")))
}

/// One story with everything that belongs to it (`echotrace_report::membership`),
/// the labels of the stories it links to, and the sources of other stories its edges reach.
fn story_view(an: &Analysis, id: &str) -> Option<Value> {
    let s = an.story(id)?;
    let r = &an.report;
    let l = &an.lookup;
    let items = StoryItems::of(r, an.members.story(id));
    let articles: Vec<Value> = s
        .articles
        .iter()
        .filter_map(|a| an.article(a))
        .map(|a| summary(a, an))
        .collect();
    let labels: BTreeMap<&str, &str> = s
        .cites
        .iter()
        .filter_map(|c| an.story(c))
        .chain(l.cited_by(&s.id).iter().map(|&i| &r.stories[i]))
        .map(|o| (o.id.as_str(), o.label.as_str()))
        .collect();
    // Sources of other stories that this story's edges reach (a recalled statement).
    let elsewhere: BTreeMap<&str, Value> = items
        .edges
        .iter()
        .flat_map(|e| [e.from.as_str(), e.to.as_str()])
        .filter_map(|n| l.source(n))
        .map(|i| &r.sources[i])
        .filter(|x| x.story != id)
        .map(|x| {
            (
                x.id.as_str(),
                json!({"speaker": x.speaker, "story": x.story, "latent": x.latent}),
            )
        })
        .collect();
    Some(json!({
        "story": s,
        "articles": articles,
        "sources": items.sources,
        "timeline": items.timeline,
        "divergences": items.divergences,
        "quotes": items.quotes,
        "claims": items.claims,
        "edges": items.edges,
        "passages": items.passages,
        "linked_stories": labels,
        "sources_elsewhere": elsewhere,
    }))
}

#[derive(Deserialize)]
struct PassageQuery {
    article: Option<String>,
    other: Option<String>,
    offset: Option<usize>,
    limit: Option<usize>,
}

async fn passages(
    State(lib): State<Arc<Library>>,
    q: Result<Query<PassageQuery>, QueryRejection>,
) -> ApiResult {
    let Query(q) = q?;
    let (offset, limit) = page(q.offset, q.limit)?;
    let an = analysis(&lib).await?;
    if q.other.is_some() && q.article.is_none() {
        return Err(ApiError::bad_request("`other` needs `article`"));
    }
    for id in [&q.article, &q.other].into_iter().flatten() {
        if an.article(id).is_none() {
            return Err(ApiError::not_found(format!("no article {id:?}")));
        }
    }
    let touches = |p: &Passage, id: &str| p.a.article == id || p.b.article == id;
    let candidates: Box<dyn Iterator<Item = &Passage>> = match q.article.as_deref() {
        Some(id) => Box::new(
            an.lookup
                .passages(id)
                .iter()
                .map(|&i| &an.report.passages[i]),
        ),
        None => Box::new(an.report.passages.iter()),
    };
    let selected: Vec<&Passage> = candidates
        .filter(|p| q.other.as_deref().is_none_or(|id| touches(p, id)))
        .collect();
    let items: Vec<&&Passage> = selected.iter().skip(offset).take(limit).collect();
    Ok(Json(
        json!({"total": selected.len(), "offset": offset, "passages": items}),
    ))
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
    outlet: Option<String>,
    from: Option<String>,
    to: Option<String>,
    story: Option<String>,
    limit: Option<usize>,
}

fn check_day(name: &str, v: &Option<String>) -> Result<(), ApiError> {
    match v {
        Some(d) if chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() => Err(
            ApiError::bad_request(format!("{name} must be a date YYYY-MM-DD, not {d:?}")),
        ),
        _ => Ok(()),
    }
}

async fn search(
    State(lib): State<Arc<Library>>,
    q: Result<Query<SearchQuery>, QueryRejection>,
) -> ApiResult {
    let Query(q) = q?;
    let text = q.q.unwrap_or_default();
    if text.trim().is_empty() {
        return Err(ApiError::bad_request("missing query: /api/search?q=words"));
    }
    let (_, limit) = page(None, q.limit.or(Some(20)))?;
    check_day("from", &q.from)?;
    check_day("to", &q.to)?;
    let an = analysis(&lib).await?;
    let members = match &q.story {
        Some(s) => Some(
            an.story(s)
                .ok_or_else(|| ApiError::not_found(format!("no story {s:?}")))?
                .articles
                .clone(),
        ),
        None => None,
    };
    let filters = echotrace_search::Filters {
        outlet: q.outlet,
        from: q.from,
        to: q.to,
        articles: members,
    };
    let l = lib.clone();
    let query = text.clone();
    let hits = blocking(move || {
        let index = l
            .search()
            .ok_or_else(|| ApiError::internal("this store has no search index"))?;
        index
            .search(&query, &filters, limit)
            .map_err(|e| ApiError::from(ServerError::from(e)))
    })
    .await?;
    let items: Vec<Value> = hits
        .iter()
        .map(|h| {
            let a = an.article(&h.article);
            json!({
                "article": h.article,
                "score": h.score,
                "title": a.and_then(|a| a.title.as_deref()),
                "outlet": a.and_then(|a| a.outlet.as_deref()),
                "published": a.and_then(|a| a.published.as_ref()),
                "story": an.story_of(&h.article),
                "snippet": h.snippet,
                "highlights": h.highlights,
            })
        })
        .collect();
    Ok(Json(json!({"query": text, "hits": items})))
}

#[derive(Deserialize)]
struct TraceBody {
    text: String,
}

async fn trace(
    State(lib): State<Arc<Library>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult {
    let body = body.map_err(|r| ApiError::new(r.status(), r.body_text()))?;
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let text = if is_json {
        serde_json::from_slice::<TraceBody>(&body)
            .map_err(|e| ApiError::bad_request(format!("expected {{\"text\": \"...\"}}: {e}")))?
            .text
    } else {
        String::from_utf8(body.to_vec())
            .map_err(|_| ApiError::bad_request("the passage must be UTF-8 text"))?
    };
    if text.trim().is_empty() {
        return Err(ApiError::bad_request("no passage given"));
    }
    let an = analysis(&lib).await?;
    let l2 = lib.clone();
    let mut hits = blocking(move || l2.trace(&text).map_err(ApiError::from)).await?;
    hits.sort_by_key(|t| {
        (
            an.article(&t.hit.article).map(Article::chronology),
            t.hit.article.clone(),
        )
    });
    let items: Vec<Value> = hits
        .iter()
        .filter_map(|t| {
            let h = &t.hit;
            let a = an.article(&h.article)?;
            Some(json!({
                "article": h.article,
                "title": a.title,
                "outlet": a.outlet,
                "published": a.published,
                "story": an.story_of(&h.article),
                "kind": h.kind,
                "score": h.score,
                "coverage": h.coverage,
                "start": h.start,
                "end": h.end,
                "text": t.text,
            }))
        })
        .collect();
    Ok(Json(json!({"hits": items})))
}

/// Content type and file extension of an export format.
fn media(format: Format) -> (&'static str, &'static str) {
    match format {
        Format::JsonlArticles | Format::JsonlPassages => ("application/x-ndjson", "jsonl"),
        Format::CsvClaims | Format::CsvQuotes => ("text/csv; charset=utf-8", "csv"),
        Format::Gexf => ("application/gexf+xml", "gexf"),
        Format::Graphml => ("application/graphml+xml", "graphml"),
        Format::ClaimReview => ("application/ld+json", "jsonld"),
    }
}

/// Sends what an export writes to the response body, a chunk at a time: an export of a large
/// collection is never held whole in memory, and a slow client slows the writer down.
struct ChunkSender(tokio::sync::mpsc::Sender<Bytes>);

impl std::io::Write for ChunkSender {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .blocking_send(Bytes::copy_from_slice(buf))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client left"))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Writes one export of the analysis to `out`; articles with their bodies, read from the store
/// a thousand at a time.
fn write_export(
    lib: &Library,
    an: &Analysis,
    format: Format,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    if format != Format::JsonlArticles {
        let mut w = Export { format, out };
        return w.write(&an.report);
    }
    for chunk in an.report.articles.chunks(1000) {
        let full = lib.with_bodies(chunk).map_err(std::io::Error::other)?;
        for a in &full {
            echotrace_report::export::article_line(&mut *out, a, an.story_of(&a.id))?;
        }
    }
    out.flush()
}

async fn export(
    State(lib): State<Arc<Library>>,
    name: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let Path(name) = name?;
    let format = Format::parse(&name).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let an = analysis(&lib).await?;
    let turn = workers()
        .acquire()
        .await
        .map_err(|e| ApiError::internal(format!("server shutting down: {e}")))?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(8);
    let what = name.clone();
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, ChunkSender(tx));
        let written = write_export(&lib, &an, format, &mut out);
        if let Err(e) = written.and_then(|()| std::io::Write::flush(&mut out)) {
            // The status line is sent already: the client sees the body end early.
            tracing::warn!("export {what} stopped: {e}");
        }
    });
    let chunks = futures_util::stream::unfold(rx, |mut rx| async move {
        let chunk = rx.recv().await?;
        Some((Ok::<_, std::io::Error>(chunk), rx))
    });
    let (mime, ext) = media(format);
    let disposition = format!("attachment; filename=\"echotrace-{name}.{ext}\"");
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        axum::body::Body::from_stream(chunks),
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use echotrace_pipeline::reading::Reading;
    use echotrace_report::HtmlReport;

    /// The items between `open` and the next `close` in `html` that start with `item`.
    fn rows(html: &str, open: &str, close: &str, item: &str) -> usize {
        html.split_once(open)
            .and_then(|(_, rest)| rest.split_once(close))
            .map_or(0, |(list, _)| list.matches(item).count())
    }

    /// For every story of the seeds, the server's story page and the HTML report's
    /// story card show the same sources, timeline, edges, quotes, claims and divergences.
    #[test]
    fn story_pages_show_what_report_cards_show() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/seeds");
        let mut reading = Reading::empty();
        reading.report =
            echotrace_pipeline::analyze(&[dir], &Default::default(), &echotrace_pipeline::Silent);
        let mut html = HtmlReport(Vec::new());
        html.write(&reading.report).unwrap();
        let an = Analysis::build(reading, Vec::new());
        let html = String::from_utf8(html.0).unwrap();
        let mut divergences = 0;
        for s in &an.report.stories {
            let page = story_view(&an, &s.id).expect("a story page");
            let len = |key: &str| page[key].as_array().map_or(0, Vec::len);
            let open = format!("<section class=\"card story\" id=\"{}\">", s.id);
            let card = html
                .split_once(open.as_str())
                .and_then(|(_, rest)| rest.split_once("</section>"))
                .map(|(card, _)| card)
                .expect("a story card");
            let ids: Vec<&str> = page["articles"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|a| a["id"].as_str())
                .collect();
            assert_eq!(ids, s.articles, "story {}: articles", s.id);
            assert_eq!(
                card.matches("<h3>Source").count(),
                len("sources"),
                "story {}: sources",
                s.id
            );
            let listed = [
                ("timeline", "<ol class=\"timeline\">", "</ol>", "<li>"),
                ("edges", "<ul class=\"edges\">", "</ul>", "<li>"),
                ("divergences", "<ul class=\"divergences\">", "</ul>", "<li>"),
                ("quotes", "<summary>Quotes", "</table>", "<tr><td>"),
                ("claims", "<summary>Numeric claims", "</table>", "<tr><td>"),
            ];
            for (key, open, close, item) in listed {
                assert_eq!(
                    rows(card, open, close, item),
                    len(key),
                    "story {}: {key}",
                    s.id
                );
            }
            for p in page["passages"].as_array().unwrap() {
                for side in ["a", "b"] {
                    let a = p[side]["article"].as_str().unwrap();
                    assert!(
                        s.articles.iter().any(|m| m == a),
                        "story {}: passage {p}",
                        s.id
                    );
                }
            }
            divergences += len("divergences");
        }
        assert!(divergences > 0, "the seeds have divergences");
    }
}
