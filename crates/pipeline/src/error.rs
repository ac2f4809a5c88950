//! What can stop a collection: the store, the search index, settings that differ, a record that does not decode.

use std::path::PathBuf;

/// An error of the pipeline's collection (store-backed) side.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] echotrace_store::StoreError),
    /// The search index failed.
    #[cfg(feature = "search")]
    #[error(transparent)]
    Search(#[from] echotrace_search::SearchError),
    /// No store at the given path.
    #[error("no store at {path}; create it with `echotrace ingest PATH... --db {path}`")]
    NoStore {
        /// Where the store was looked for.
        path: PathBuf,
    },
    /// The store's ingest lock could not be taken.
    #[error("cannot lock {path} for this ingest: {source}")]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// A file that should be a report written by `analyze` is not one.
    #[error("{path} is not an echotrace report: {source}")]
    NotAReport {
        /// The file.
        path: PathBuf,
        /// What the decoder said.
        source: serde_json::Error,
    },
    /// The alias table kept in the store does not load.
    #[error("the store's alias table: {0}")]
    StoredAliases(#[source] echotrace_reuse::AliasError),
    /// The options ask for other settings than the store was made with.
    #[error("this store was made with other settings: {}. Ingest with the options the store was created with (--aliases, --min-passage-words, --embed/--model), or into a new store", differences.join("; "))]
    OtherSettings {
        /// Each setting that differs, with both values.
        differences: Vec<String>,
    },
    /// A stored story record does not decode.
    #[error("store: bad story row {id}: {source}")]
    BadStory {
        /// The story's id.
        id: String,
        /// What the decoder said.
        source: serde_json::Error,
    },
    /// A story could not be encoded for the store.
    #[error("cannot encode story {id}: {source}")]
    EncodeStory {
        /// The story's id.
        id: String,
        /// What the encoder said.
        source: serde_json::Error,
    },
    /// A watch that cannot be made as asked (what to pass instead is in the message).
    #[error("{0}")]
    BadWatch(String),
}

/// The pipeline's result type.
pub type Result<T, E = PipelineError> = std::result::Result<T, E>;
