//! Growing a collection: pages into a store, each stored once, then aligned
//! and read against what the store already holds.
//!
//! Pages are extracted and written in batches of [`INGEST_BATCH`], one
//! transaction each; then the articles not yet aligned are aligned against
//! the stored signatures, and the articles whose claims are not stored are
//! read. Each step picks up what a killed run left undone, so running the
//! same ingest again completes the store.

use std::collections::HashSet;

use echotrace_model::{Article, Diagnostic};
use echotrace_store::{IngestStats, Store};

use crate::Options;

/// Pages per store transaction: a killed ingest loses at most one batch of work.
pub const INGEST_BATCH: usize = 64;

/// What one ingest did, and what it found wrong with its inputs.
#[derive(Debug, Default)]
pub struct IngestOutcome {
    /// Pages added, pages already stored, passages found.
    pub stats: IngestStats,
    /// Ids of the articles aligned by this run (new ones, and any a killed run left).
    pub aligned: HashSet<String>,
    /// One per input that could not be read or extracted.
    pub diagnostics: Vec<Diagnostic>,
}

/// The identity of a page in a store: its URL, headline and text (the same
/// wire copy under another headline is another page).
pub fn page_key(article: &Article) -> String {
    echotrace_store::page_hash(&format!(
        "{}\n{}\n{}",
        article.origin.url.as_deref().unwrap_or(""),
        article.title.as_deref().unwrap_or(""),
        article.body
    ))
}

/// Adds the pages under `paths` to `store`; `progress(done, total)` after each batch.
pub fn ingest_into<S: AsRef<str>>(
    store: &mut Store,
    paths: &[S],
    opts: &Options,
    progress: &dyn Fn(usize, usize),
) -> Result<IngestOutcome, String> {
    let read = crate::ingest(paths, opts);
    let mut out = IngestOutcome {
        diagnostics: read.diagnostics,
        ..Default::default()
    };
    let total = read.documents.len();
    let mut docs = read.documents;
    let mut done = 0;
    while !docs.is_empty() {
        let rest = docs.split_off(docs.len().min(INGEST_BATCH));
        let batch = std::mem::replace(&mut docs, rest);
        done += batch.len();
        let (articles, diags) = crate::extract_all(batch, opts, &crate::Silent);
        out.diagnostics.extend(diags);
        let keyed: Vec<(String, Article)> =
            articles.into_iter().map(|a| (page_key(&a), a)).collect();
        let (new, skipped) = store.add_batch(keyed, opts.reuse.index_n)?;
        out.stats.added += new.len();
        out.stats.duplicates += skipped;
        progress(done, total);
    }
    out.aligned = store.unaligned()?;
    if !out.aligned.is_empty() {
        let all = store.articles()?;
        let sigs = store.signatures()?;
        let found = echotrace_store::passages_for_new(&all, &sigs, &out.aligned, &opts.reuse);
        out.stats.passages = found.len();
        store.add_passages(&found, &out.aligned)?;
    }
    // Each new article's quotes, claims and entities, read once and kept.
    let unread = store.articles_without_claims()?;
    for chunk in unread.chunks(INGEST_BATCH * 8) {
        let found = crate::claims_of(chunk, &opts.aliases);
        let keyed: Vec<(String, _)> = chunk.iter().map(|a| a.id.clone()).zip(found).collect();
        store.add_claims(&keyed)?;
    }
    Ok(out)
}
