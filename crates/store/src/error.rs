//! What can go wrong with a store: the file, SQLite, a row that does not decode, a schema from a newer build.

use std::path::PathBuf;

/// An error of the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file could not be opened as an SQLite database.
    #[error("cannot open {path}: {source}")]
    Open {
        /// The store file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// A query failed (disk full, locked, corrupt pages, ...).
    #[error("store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A stored JSON record does not decode.
    #[error("store: bad {what} row {id}: {source}")]
    BadRow {
        /// Which table's record.
        what: &'static str,
        /// The row's id.
        id: String,
        /// What the decoder said.
        source: serde_json::Error,
    },
    /// A record could not be encoded as JSON.
    #[error("store: cannot encode {what}: {source}")]
    Encode {
        /// What was being written.
        what: &'static str,
        /// What the encoder said.
        source: serde_json::Error,
    },
    /// An article id that is not `a<number>`.
    #[error("store: bad article id {0}")]
    BadArticleId(String),
    /// An article row id too large for the echo index's 32-bit postings.
    #[error("store: article id {0} is past the echo index's range")]
    ArticleIdRange(i64),
    /// The store was written by a newer echotrace.
    #[error("store: schema version {found} is newer than this echotrace ({supported}); upgrade echotrace")]
    NewerSchema {
        /// The store's schema version.
        found: usize,
        /// The newest this build reads.
        supported: usize,
    },
    /// SQLite's integrity check found damage.
    #[error("store: integrity check: {0}")]
    Integrity(String),
    /// Pages whose article was never completed (a torn write).
    #[error("store: {0} pages without a complete article")]
    Orphans(i64),
}

impl StoreError {
    /// Whether the error comes from the disk being full (SQLITE_FULL).
    pub fn is_disk_full(&self) -> bool {
        let e = match self {
            StoreError::Open { source, .. } | StoreError::Sqlite(source) => source,
            _ => return false,
        };
        e.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull)
    }
}

/// The store's result type.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
