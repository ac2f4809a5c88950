//! The options every command that reads pages shares: limits, threads, alias tables, the
//! sentence model, and how they become the pipeline's [`Options`].

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use echotrace_pipeline::Options;

/// Pages to read and how to read them.
#[derive(clap::Args, Clone)]
pub struct InputArgs {
    /// Files or directories to read (.html, .htm, .txt, .warc, .warc.gz, .jsonl, .gz), or - for stdin.
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Largest page or record accepted, in bytes.
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    pub max_page_bytes: usize,
    /// Longest time one page's extraction may take, in milliseconds.
    #[arg(long, default_value_t = 20_000)]
    pub page_timeout_ms: u64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Extra alias tables (KEY<TAB>alias|alias per line) added to the built-in one.
    #[arg(long)]
    pub aliases: Vec<PathBuf>,
    /// Shortest reused passage reported, in words on each side.
    #[arg(long, default_value_t = 8)]
    pub min_passage_words: usize,
    /// Find translation variants with sentence embeddings (needs a build with `--features embed`
    /// and the model from scripts/fetch-model.sh).
    #[arg(long)]
    pub embed: bool,
    /// Directory of the embedding model (default: $ECHOTRACE_MODEL_DIR or ~/.cache/echotrace/models/all-MiniLM-L6-v2).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Print how long each stage took, on stderr.
    #[arg(long)]
    pub timings: bool,
}

impl InputArgs {
    /// The pipeline's options for these flags; sets the worker threads as a side effect.
    pub fn options(&self) -> anyhow::Result<Options> {
        set_threads(self.threads);
        let mut o = Options::default();
        o.limits.max_record_bytes = self.max_page_bytes;
        o.page_timeout = Duration::from_millis(self.page_timeout_ms);
        o.reuse.align.min_tokens = self.min_passage_words.max(2);
        if self.embed {
            o.embedder = Some(load_embedder(self.model.as_deref())?);
        }
        for f in &self.aliases {
            let text = std::fs::read_to_string(f)
                .with_context(|| format!("cannot read alias table {}", f.display()))?;
            o.aliases
                .load(&text)
                .with_context(|| format!("alias table {}", f.display()))?;
            o.extra_aliases.push_str(&text);
            o.extra_aliases.push('\n');
        }
        Ok(o)
    }
}

/// Sizes rayon's global pool once, before any parallel work.
fn set_threads(n: Option<usize>) {
    if let Some(n) = n {
        // Only fails if a pool already exists, which cannot happen this early.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
}

/// The sentence model in `dir` (or the default place).
#[cfg(feature = "embed")]
pub fn load_embedder(
    dir: Option<&std::path::Path>,
) -> Result<std::sync::Arc<dyn echotrace_reuse::SentenceEmbedder>, echotrace_reuse::EmbedError> {
    let dir = dir
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(echotrace_reuse::embed::default_model_dir);
    let e = echotrace_reuse::embed::Embedder::load(&dir)?;
    Ok(std::sync::Arc::new(e))
}

/// The sentence model: in a build without `embed`, an error that says how to get one.
#[cfg(not(feature = "embed"))]
pub fn load_embedder(
    _dir: Option<&std::path::Path>,
) -> Result<std::sync::Arc<dyn echotrace_reuse::SentenceEmbedder>, echotrace_reuse::EmbedError> {
    Err(echotrace_reuse::EmbedError::NotBuilt)
}

/// Where a finished analysis is read from: a report, a store, or pages analysed now.
#[derive(clap::Args, Clone)]
pub struct SourceArgs {
    /// A report.json written by `analyze`, instead of reading pages.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// A store written by `ingest`, instead of reading pages.
    #[arg(long, conflicts_with = "report")]
    pub db: Option<PathBuf>,
    /// Pages to analyse (as for `analyze`), when neither --report nor --db is given.
    pub paths: Vec<String>,
}

impl SourceArgs {
    /// The source these flags name; an error that says what to pass when they name none.
    pub fn source(&self) -> anyhow::Result<echotrace_pipeline::source::Source<'_>> {
        use echotrace_pipeline::source::Source;
        match (&self.report, &self.db) {
            (Some(r), _) => Ok(Source::Report(r)),
            (None, Some(db)) => Ok(Source::Store(db)),
            (None, None) if self.paths.is_empty() => {
                anyhow::bail!("nothing to read: give PATH..., --report report.json or --db FILE")
            }
            (None, None) => Ok(Source::Pages(&self.paths)),
        }
    }
}
