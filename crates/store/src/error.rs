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
    /// A query failed (locked, corrupt pages, ...).
    #[error("store: {0}")]
    Sqlite(#[source] rusqlite::Error),
    /// Writing to the disk failed: full, over a size limit, or an I/O error.
    #[error("store: cannot write to the disk ({0}); free space (or raise the file size limit) and re-run the same command: what was committed before is kept, and the batch that failed is added then")]
    Disk(#[source] rusqlite::Error),
    /// The file is not an SQLite database, or its pages are damaged.
    #[error("store: the file is damaged or not an echotrace store ({0}); restore it from a backup, or ingest the pages again into a new store")]
    Corrupt(#[source] rusqlite::Error),
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
    /// Sorts an SQLite error: disk and damage errors get their own variants, with what to do.
    pub fn from_sqlite(e: rusqlite::Error) -> StoreError {
        use rusqlite::ErrorCode as C;
        match e.sqlite_error_code() {
            Some(C::DiskFull | C::SystemIoFailure) => StoreError::Disk(e),
            Some(C::DatabaseCorrupt | C::NotADatabase) => StoreError::Corrupt(e),
            _ => StoreError::Sqlite(e),
        }
    }

    /// Whether writing to the disk failed (full, over a size limit, I/O error).
    pub fn is_disk(&self) -> bool {
        matches!(self, StoreError::Disk(_))
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::from_sqlite(e)
    }
}

/// The store's result type.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
