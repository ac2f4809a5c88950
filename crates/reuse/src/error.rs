//! What can go wrong when loading an alias table or a sentence-embedding model, or running it.

use std::path::PathBuf;

/// A line of an alias table that is not `KEY<TAB>alias|alias|...`.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: expected KEY<TAB>alias|alias|...")]
pub struct AliasError {
    /// The 1-based line number.
    pub line: usize,
}

/// An error of the sentence-embedding model.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// This build was made without the `embed` feature.
    #[error("this build has no sentence embeddings: rebuild with `cargo build --release --features embed` and run scripts/fetch-model.sh")]
    NotBuilt,
    /// A file of the model is missing.
    #[error("{0} is missing; run scripts/fetch-model.sh to install the model")]
    Missing(PathBuf),
    /// A file of the model could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// A JSON file of the model does not decode.
    #[error("{file}: {source}")]
    Card {
        /// The file name.
        file: &'static str,
        /// What the decoder said.
        source: serde_json::Error,
    },
    /// The tokenizer could not be loaded or configured.
    #[cfg(feature = "embed")]
    #[error("tokenizer: {0}")]
    Tokenizer(tokenizers::Error),
    /// The weights could not be loaded.
    #[cfg(feature = "embed")]
    #[error("{file}: {source}")]
    Weights {
        /// Which part.
        file: &'static str,
        /// What candle said.
        source: candle_core::Error,
    },
    /// Running the model failed.
    #[cfg(feature = "embed")]
    #[error("{model}: {source}")]
    Inference {
        /// The model's name.
        model: String,
        /// What candle said.
        source: candle_core::Error,
    },
    /// The model gave a different number of vectors than sentences.
    #[error("{model}: {got} vectors for {sentences} sentences")]
    Count {
        /// The model's name.
        model: String,
        /// Vectors returned.
        got: usize,
        /// Sentences given.
        sentences: usize,
    },
}
