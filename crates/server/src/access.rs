//! Who may call the API: bearer tokens with a role each, read from a token file or an
//! environment variable. Serving on a non-loopback address without tokens is refused (see
//! [`Access::for_address`]); with tokens, every `/api` request needs one, and changing the
//! collection (reload) needs an admin token.
//!
//! Tokens are compared in constant time (`subtle`), against every configured token, so the time
//! an answer takes says nothing about how much of a guess was right.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use subtle::ConstantTimeEq;

use crate::{Result, ServerError};

/// The environment variable that may hold the tokens, in the token file's format.
pub const TOKENS_ENV: &str = "ECHOTRACE_TOKENS";

/// Shortest token accepted: shorter ones are guessable.
pub const MIN_TOKEN_LEN: usize = 16;

/// What a token allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Every read: articles, stories, passages, search, trace, exports.
    Read,
    /// Reads, and changing the collection (reload, ingest).
    Admin,
}

/// The configured tokens, each with its role.
#[derive(Clone, Default)]
pub struct Tokens {
    entries: Vec<(Role, Vec<u8>)>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print a token.
        write!(f, "Tokens({} configured)", self.entries.len())
    }
}

impl Tokens {
    /// Parses `ROLE TOKEN` lines (`read` or `admin`; blank lines and `#` comments skipped);
    /// `origin` names the file or variable in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Tokens> {
        let mut entries = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |problem: &'static str| ServerError::BadToken {
                origin: origin.to_string(),
                line: i + 1,
                problem,
            };
            let mut words = line.split_whitespace();
            let (Some(role), Some(token), None) = (words.next(), words.next(), words.next()) else {
                return Err(bad("expected ROLE TOKEN (read or admin, then the token)"));
            };
            let role = match role {
                "read" => Role::Read,
                "admin" => Role::Admin,
                _ => return Err(bad("the role must be read or admin")),
            };
            if token.len() < MIN_TOKEN_LEN {
                return Err(bad("tokens must be at least 16 characters"));
            }
            entries.push((role, token.as_bytes().to_vec()));
        }
        if entries.is_empty() {
            return Err(ServerError::NoTokens {
                origin: origin.to_string(),
            });
        }
        Ok(Tokens { entries })
    }

    /// Reads a token file.
    pub fn load(path: &Path) -> Result<Tokens> {
        let text = std::fs::read_to_string(path).map_err(|source| ServerError::TokenFile {
            path: path.to_path_buf(),
            source,
        })?;
        Tokens::parse(&text, &path.display().to_string())
    }

    /// The role of `presented`, if it is a configured token; every entry is compared, in
    /// constant time, whatever matches.
    pub fn role_of(&self, presented: &[u8]) -> Option<Role> {
        let mut found = None;
        for (role, token) in &self.entries {
            if bool::from(token.as_slice().ct_eq(presented)) {
                found = found.max(Some(*role));
            }
        }
        found
    }
}

/// The access rule the server runs with: open (loopback without tokens) or by token.
#[derive(Debug, Clone, Default)]
pub struct Access {
    tokens: Option<Arc<Tokens>>,
}

impl Access {
    /// Anyone who can reach the server may read and reload: for loopback addresses only.
    pub fn open() -> Access {
        Access { tokens: None }
    }

    /// Requests need one of `tokens`.
    pub fn by_token(tokens: Tokens) -> Access {
        Access {
            tokens: Some(Arc::new(tokens)),
        }
    }

    /// The rule for serving on `addr`: tokens from `file`, else from [`TOKENS_ENV`]; without
    /// either, open on a loopback address and refused on any other.
    pub fn for_address(addr: SocketAddr, file: Option<&PathBuf>) -> Result<Access> {
        if let Some(f) = file {
            return Ok(Access::by_token(Tokens::load(f)?));
        }
        if let Ok(text) = std::env::var(TOKENS_ENV) {
            return Ok(Access::by_token(Tokens::parse(&text, TOKENS_ENV)?));
        }
        if addr.ip().is_loopback() {
            return Ok(Access::open());
        }
        Err(ServerError::TokensRequired { addr })
    }

    /// Whether requests need a token.
    pub fn needs_token(&self) -> bool {
        self.tokens.is_some()
    }
}

/// The role a request needs: admin to change the collection, read for everything else.
fn needed(method: &Method, path: &str) -> Role {
    let changes = (*method == Method::POST && matches!(path, "/api/reload" | "/api/ingest"))
        || ((*method == Method::POST || *method == Method::DELETE)
            && (path == "/api/watches" || path.starts_with("/api/watches/")));
    if changes {
        Role::Admin
    } else {
        Role::Read
    }
}

/// A JSON error like the API's others, with `WWW-Authenticate` on 401.
fn refuse(status: StatusCode, message: &str) -> Response {
    let body = Json(serde_json::json!({
        "error": {"status": status.as_u16(), "message": message}
    }));
    let mut resp = (status, body).into_response();
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer realm=\"echotrace\""),
        );
    }
    resp
}

/// The middleware in front of the API: passes a request whose token allows it, answers 401
/// (no or unknown token) or 403 (a read token asking to change the collection) otherwise.
pub async fn guard(State(access): State<Access>, req: Request, next: Next) -> Response {
    let Some(tokens) = &access.tokens else {
        return next.run(req).await;
    };
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(role) = presented.and_then(|t| tokens.role_of(t.as_bytes())) else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "this server needs a token: send Authorization: Bearer TOKEN",
        );
    };
    if role < needed(req.method(), req.uri().path()) {
        return refuse(StatusCode::FORBIDDEN, "this needs an admin token");
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    const READ: &str = "read-token-0123456789";
    const ADMIN: &str = "admin-token-0123456789";

    fn tokens() -> Tokens {
        Tokens::parse(&format!("# team\nread {READ}\n\nadmin {ADMIN}\n"), "test").unwrap()
    }

    #[test]
    fn tokens_have_their_roles_and_others_none() {
        let t = tokens();
        assert_eq!(t.role_of(READ.as_bytes()), Some(Role::Read));
        assert_eq!(t.role_of(ADMIN.as_bytes()), Some(Role::Admin));
        assert_eq!(t.role_of(b"read-token-012345678"), None);
        assert_eq!(t.role_of(b""), None);
        assert!(!format!("{t:?}").contains(READ));
    }

    #[test]
    fn bad_token_files_name_the_line() {
        let e = Tokens::parse("read short\n", "f").unwrap_err().to_string();
        assert!(e.contains("f line 1") && e.contains("16"), "{e}");
        let e = Tokens::parse("\nwrite abcdefghijklmnopqrstu\n", "f")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2") && e.contains("read or admin"), "{e}");
        assert!(Tokens::parse("# nothing\n", "f").is_err());
    }

    #[test]
    fn other_addresses_need_tokens() {
        let lan: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        let local: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        // The environment variable is not set by the test runner.
        if std::env::var(TOKENS_ENV).is_err() {
            let e = Access::for_address(lan, None).unwrap_err().to_string();
            assert!(e.contains("--token-file") && e.contains(TOKENS_ENV), "{e}");
            assert!(!Access::for_address(local, None).unwrap().needs_token());
        }
    }

    #[test]
    fn changing_the_collection_needs_admin() {
        assert_eq!(needed(&Method::POST, "/api/reload"), Role::Admin);
        assert_eq!(needed(&Method::GET, "/api/stories"), Role::Read);
        assert_eq!(needed(&Method::POST, "/api/trace"), Role::Read);
        assert_eq!(needed(&Method::POST, "/api/watches"), Role::Admin);
        assert_eq!(needed(&Method::DELETE, "/api/watches/w1"), Role::Admin);
        assert_eq!(needed(&Method::GET, "/api/watches"), Role::Read);
    }
}
