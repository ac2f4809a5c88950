//! What can stop an evaluation: a development set that is missing, unreadable or not in the expected shape.

use std::path::PathBuf;

/// An error of the evaluation.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    /// No development sets where they were looked for.
    #[error("development datasets not found: expected ../shared/datasets beside the checkout (pass --datasets DIR)")]
    NoDatasets,
    /// A file or directory of a set could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// A JSON file of a set does not parse.
    #[error("{path}: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// What the parser said.
        source: serde_json::Error,
    },
    /// A gold file that parses but is not in the expected shape.
    #[error("{file}: {problem}")]
    Gold {
        /// The gold file's name.
        file: &'static str,
        /// What is wrong with it.
        problem: &'static str,
    },
    /// The clustering set's articles and cluster ids differ in number.
    #[error("{path}: {articles} articles but {clusters} cluster ids")]
    ClusterCount {
        /// The set's file.
        path: PathBuf,
        /// Articles in it.
        articles: usize,
        /// Cluster ids in it.
        clusters: usize,
    },
    /// The watch ranker could not index the claims.
    #[error(transparent)]
    Rank(#[from] echotrace_watch::rank::RankError),
    /// The labelled relation set is malformed or points at text that is not there.
    #[error("{0}")]
    Relations(String),
    /// The sentence model failed.
    #[error(transparent)]
    Embed(#[from] echotrace_reuse::EmbedError),
}

impl EvalError {
    /// An I/O error on `path`.
    pub fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> EvalError + '_ {
        move |source| EvalError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// A JSON error in `path`.
    pub fn json(path: &std::path::Path) -> impl FnOnce(serde_json::Error) -> EvalError + '_ {
        move |source| EvalError::Json {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// The evaluation's result type.
pub type Result<T, E = EvalError> = std::result::Result<T, E>;
