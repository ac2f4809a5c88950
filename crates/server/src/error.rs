//! What can stop the server or fail a request, and the HTTP status each failure maps to.

use std::net::SocketAddr;

/// An error of the server.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The collection (store, settings, stored stories) failed.
    #[error(transparent)]
    Pipeline(#[from] echotrace_pipeline::PipelineError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] echotrace_store::StoreError),
    /// The search index failed, or a query or filter is malformed.
    #[error(transparent)]
    Search(#[from] echotrace_search::SearchError),
    /// A request panicked while holding a lock; the server should be restarted.
    #[error("server: an earlier request panicked while holding the store")]
    Poisoned,
    /// The async runtime could not start.
    #[error("cannot start the server runtime: {0}")]
    Runtime(#[source] std::io::Error),
    /// The address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// What the system said.
        source: std::io::Error,
    },
    /// A non-loopback address without tokens.
    #[error("serving on {addr} needs access tokens: pass --token-file FILE (one `read TOKEN` or `admin TOKEN` a line) or set ECHOTRACE_TOKENS, or bind 127.0.0.1")]
    TokensRequired {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// The token file could not be read.
    #[error("cannot read token file {path}: {source}")]
    TokenFile {
        /// The file.
        path: std::path::PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// A line of the token file or variable that is not `ROLE TOKEN`.
    #[error("{origin} line {line}: {problem}")]
    BadToken {
        /// The file or variable.
        origin: String,
        /// The 1-based line.
        line: usize,
        /// What is wrong.
        problem: &'static str,
    },
    /// A token file or variable with no token in it.
    #[error("{origin} holds no token")]
    NoTokens {
        /// The file or variable.
        origin: String,
    },
    /// Serving stopped on an I/O error.
    #[error("server: {0}")]
    Serve(#[source] std::io::Error),
}

impl ServerError {
    /// Whether the failure lies in the request rather than the server.
    pub fn is_bad_request(&self) -> bool {
        matches!(self, ServerError::Search(e) if e.is_bad_request())
            || matches!(
                self,
                ServerError::Pipeline(echotrace_pipeline::PipelineError::BadWatch(_))
            )
    }

    /// Whether the request asks for what the collection's settings refuse (an upload to a
    /// store made with other reuse parameters or a sentence model).
    pub fn is_conflict(&self) -> bool {
        matches!(
            self,
            ServerError::Pipeline(echotrace_pipeline::PipelineError::OtherSettings { .. })
        )
    }
}

/// The server's result type.
pub type Result<T, E = ServerError> = std::result::Result<T, E>;
