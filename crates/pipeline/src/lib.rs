//! The pipeline: paths in, a [`Report`] out.
//!
//! `ingest` reads every page (problems become diagnostics), a site profile
//! is built over the text dumps so that repeated chrome can be recognised,
//! and `extract` runs on all cores (rayon). Each page is extracted on its own
//! thread under a time limit: a page that takes longer is reported and left
//! behind, so one pathological page cannot stall a crawl; a page whose
//! extractor panics is reported the same way. The reuse stage then aligns
//! passages between articles and forms echo groups; [`finish_stages`] runs claims,
//! stories and provenance over the result. Each stage reports to a
//! [`Progress`].

pub mod collection;
mod error;
pub mod lookup;
pub mod multilingual;
pub mod placing;
pub mod progress;
pub mod reading;
pub mod source;
pub mod watching;

pub use error::{PipelineError, Result};
pub use progress::{Progress, Silent, StageTimer};

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use echotrace_ingest::{Collect, Limits};
use echotrace_model::{Article, Diagnostic, RawDocument, Report};
use echotrace_reuse::{Aliases, ReuseParams, SentenceEmbedder};
use rayon::prelude::*;
use std::sync::Arc;

/// Settings for one run.
#[derive(Clone)]
pub struct Options {
    /// Input size bounds.
    pub limits: Limits,
    /// Longest time one page's extraction may take.
    pub page_timeout: Duration,
    /// Entity spellings folded before matching (built-in table plus user files).
    pub aliases: Aliases,
    /// Reuse-stage settings.
    pub reuse: ReuseParams,
    /// Sentence embedder for translation variants; lexical matching only when absent.
    pub embedder: Option<Arc<dyn SentenceEmbedder>>,
    /// Pages per store transaction when ingesting.
    pub batch_pages: usize,
    /// The alias tables added to the built-in one, as given (a store keeps them).
    pub extra_aliases: String,
    /// Keeps pages without main text as articles with an empty body when they carry metadata (`extract`).
    pub metadata_only_pages: bool,
}

impl std::fmt::Debug for Options {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Options")
            .field("limits", &self.limits)
            .field("page_timeout", &self.page_timeout)
            .field("aliases", &self.aliases.len())
            .field("reuse", &self.reuse)
            .field(
                "embedder",
                &self.embedder.as_ref().map(|e| e.name().to_string()),
            )
            .finish()
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            limits: Limits::default(),
            page_timeout: Duration::from_secs(20),
            aliases: Aliases::builtin(),
            reuse: ReuseParams::default(),
            embedder: None,
            batch_pages: collection::INGEST_BATCH,
            metadata_only_pages: false,
            extra_aliases: String::new(),
        }
    }
}

/// Reads every page under `paths`.
pub fn ingest<S: AsRef<str>>(paths: &[S], opts: &Options) -> Collect {
    let mut c = Collect::default();
    echotrace_ingest::read_paths(paths, &opts.limits, &mut c);
    c
}

/// Extracts articles from pages in parallel, reporting the count done to `progress`.
///
/// Articles come back in input order with ids `a0`, `a1`, ...; pages that
/// time out or crash the extractor yield a diagnostic instead.
pub fn extract_all(
    docs: Vec<RawDocument>,
    opts: &Options,
    progress: &dyn Progress,
) -> (Vec<Article>, Vec<Diagnostic>) {
    let profile = std::sync::Arc::new(echotrace_extract::site_profile(&docs));
    extract_with(docs, &profile, opts, progress)
}

/// [`extract_all`] with a site profile built beforehand (from the whole input).
///
/// Articles come back in input order with ids `a0`, `a1`, ... within this call.
pub fn extract_with(
    docs: Vec<RawDocument>,
    profile: &Arc<echotrace_extract::SiteProfile>,
    opts: &Options,
    progress: &dyn Progress,
) -> (Vec<Article>, Vec<Diagnostic>) {
    let done = AtomicUsize::new(0);
    let results: Vec<Result<Article, Diagnostic>> = docs
        .into_par_iter()
        .map(|doc| {
            let r = extract_guarded(doc, profile, opts.page_timeout);
            progress.set(done.fetch_add(1, Ordering::Relaxed) as u64 + 1);
            r
        })
        .collect();
    let mut articles = Vec::new();
    let mut diags = Vec::new();
    for r in results {
        match r {
            Ok(mut a) => {
                if a.body.trim().is_empty() {
                    let label = a.origin.label();
                    if !(opts.metadata_only_pages && has_metadata(&a)) {
                        diags.push(Diagnostic::warning(
                            label,
                            "no article text found on this page; skipped",
                        ));
                        continue;
                    }
                    a.body.clear();
                    diags.push(Diagnostic::warning(
                        label,
                        "no article text found on this page; its metadata is kept with an empty body",
                    ));
                }
                a.id = format!("a{}", articles.len());
                articles.push(a);
            }
            Err(d) => diags.push(d),
        }
    }
    (articles, diags)
}

/// Whether an extracted page names a headline, a date or an author.
fn has_metadata(a: &Article) -> bool {
    a.title.is_some() || a.published.is_some() || a.byline.is_some()
}

/// Extracts one page on a worker thread, bounded by `timeout`.
fn extract_guarded(
    doc: RawDocument,
    profile: &std::sync::Arc<echotrace_extract::SiteProfile>,
    timeout: Duration,
) -> Result<Article, Diagnostic> {
    let label = doc.origin.label();
    let (tx, rx) = mpsc::channel();
    let profile = profile.clone();
    let spawned = std::thread::Builder::new()
        .name("extract".into())
        .stack_size(64 * 1024 * 1024)
        .spawn(move || {
            let _ = tx.send(echotrace_extract::extract(&doc, &profile));
        });
    if let Err(e) = spawned {
        return Err(Diagnostic::error(
            label,
            format!("cannot start an extraction thread: {e}"),
        ));
    }
    match rx.recv_timeout(timeout) {
        Ok(a) => Ok(a),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(Diagnostic::error(
            label,
            format!(
                "extraction took longer than {} ms; page skipped (raise --page-timeout-ms)",
                timeout.as_millis()
            ),
        )),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(Diagnostic::error(
            label,
            "the extractor failed on this page (internal panic); page skipped",
        )),
    }
}

/// Pages extracted per parallel round when streaming: bounds the raw pages held at once.
const EXTRACT_ROUND: usize = 2048;

/// Reads and extracts every page under `paths`: the articles and all diagnostics.
///
/// Pages stream through: a first pass over the inputs builds the site
/// profile (line hashes only), the second extracts rounds of
/// [`EXTRACT_ROUND`] pages, so raw pages are never all in memory. Article
/// ids are `a0`, `a1`, ... in input order.
pub fn articles<S: AsRef<str>>(
    paths: &[S],
    opts: &Options,
    progress: &dyn Progress,
) -> (Vec<Article>, Vec<Diagnostic>) {
    progress.start("profiling", 0);
    let mut profile = collection::site_profile_of(paths, opts, &|_| false);
    struct Rounds<'a> {
        opts: &'a Options,
        profile: Arc<echotrace_extract::SiteProfile>,
        stdin: bool,
        pending: Vec<RawDocument>,
        articles: Vec<Article>,
        diagnostics: Vec<Diagnostic>,
        progress: &'a dyn Progress,
        read: u64,
    }
    impl Rounds<'_> {
        fn flush(&mut self) {
            if self.pending.is_empty() {
                return;
            }
            let docs = std::mem::take(&mut self.pending);
            if self.stdin {
                // Standard input is read once: its pages are profiled as they come.
                let p = Arc::make_mut(&mut self.profile);
                for d in &docs {
                    p.add_document(d);
                }
            }
            let (arts, diags) = extract_with(docs, &self.profile, self.opts, &Silent);
            for mut a in arts {
                a.id = format!("a{}", self.articles.len());
                self.articles.push(a);
            }
            self.diagnostics.extend(diags);
            self.progress.set(self.read);
        }
    }
    impl echotrace_ingest::Sink for Rounds<'_> {
        fn document(&mut self, doc: RawDocument) {
            self.read += 1;
            self.pending.push(doc);
            if self.pending.len() >= EXTRACT_ROUND {
                self.flush();
            }
        }
        fn diagnostic(&mut self, d: Diagnostic) {
            self.diagnostics.push(d);
        }
    }
    let stdin = paths.iter().any(|p| p.as_ref() == "-");
    if stdin {
        profile = Default::default();
    }
    progress.start("extracting", 0);
    let mut rounds = Rounds {
        opts,
        profile: Arc::new(profile),
        stdin,
        pending: Vec::new(),
        articles: Vec::new(),
        diagnostics: Vec::new(),
        progress,
        read: 0,
    };
    echotrace_ingest::read_paths(paths, &opts.limits, &mut rounds);
    rounds.flush();
    (rounds.articles, rounds.diagnostics)
}

/// Runs every implemented stage over `paths` and returns the report.
pub fn analyze<S: AsRef<str>>(paths: &[S], opts: &Options, progress: &dyn Progress) -> Report {
    let (articles, mut diags) = articles(paths, opts, progress);
    progress.start("aligning", articles.len() as u64);
    let mut report = Report::new();
    let embedder = opts.embedder.as_deref();
    match echotrace_reuse::find_passages_with(&articles, &opts.aliases, &opts.reuse, embedder) {
        Ok(found) => {
            report.passages = found.passages;
            report.groups = found.groups;
        }
        Err(e) => {
            diags.push(Diagnostic::warning(
                "reuse",
                format!("sentence embeddings failed ({e}); passages found lexically only"),
            ));
            let found =
                echotrace_reuse::find_passages_with(&articles, &opts.aliases, &opts.reuse, None)
                    .unwrap_or_default();
            report.passages = found.passages;
            report.groups = found.groups;
        }
    }
    // A multilingual model also joins stories across languages.
    let documents = match embedder.filter(|e| e.multilingual()) {
        Some(e) => match echotrace_stories::document_vectors(&articles, e) {
            Ok(v) => Some(v),
            Err(e) => {
                diags.push(Diagnostic::warning(
                    "stories",
                    format!("document embeddings failed ({e}); stories joined lexically only"),
                ));
                None
            }
        },
        None => None,
    };
    report.articles = articles;
    report.diagnostics = diags;
    finish_stages(
        &mut report,
        &opts.aliases,
        &HashMap::new(),
        documents.as_deref(),
        progress,
    );
    progress.end();
    report
}

/// Runs the stages after reuse over a report's articles and passages, taking each article's
/// claims from `known` (by article id) where present.
///
/// Fills stories, quotes, claims, entities, divergences, sources, edges,
/// timeline and each article's shares. Idempotent: it recomputes those
/// sections from `articles` and `passages` alone, so the store and the server
/// can call it on what they hold. The claims stage reads one article at a
/// time, so a store keeps its output; only articles missing from `known` are
/// read again.
pub fn finish_with(
    report: &mut Report,
    aliases: &echotrace_reuse::Aliases,
    known: &HashMap<String, echotrace_claims::ArticleClaims>,
) {
    finish_stages(report, aliases, known, None, &Silent);
}

/// [`finish_with`], with multilingual document vectors (one per article, see
/// `echotrace_stories::document_vectors`) for the stories stage, reporting each stage to `progress`.
pub fn finish_stages(
    report: &mut Report,
    aliases: &echotrace_reuse::Aliases,
    known: &HashMap<String, echotrace_claims::ArticleClaims>,
    documents: Option<&[Vec<f32>]>,
    progress: &dyn Progress,
) {
    group_stored(report);
    claims_stage(report, aliases, known, progress);
    progress.start("stories", report.articles.len() as u64);
    report.stories = echotrace_stories::build_with(
        &report.articles,
        &report.passages,
        aliases,
        &echotrace_stories::StoryParams::default(),
        documents,
    );
    progress.start("provenance", report.stories.len() as u64);
    echotrace_provenance::run(report, aliases);
}

/// The analysis of a store: its articles, passages and claims, and the
/// stories with their provenance that ingest placed and kept (see [`reading`]).
pub fn stored_report(
    store: &echotrace_store::Store,
    aliases: &echotrace_reuse::Aliases,
) -> Result<Report> {
    Ok(reading::Reading::whole(store, aliases)?.report)
}

/// The stories of a store: those placed at ingest, or clustered here when the store keeps none (made before stories were kept).
pub fn store_stories(
    store: &echotrace_store::Store,
    aliases: &echotrace_reuse::Aliases,
) -> Result<Vec<echotrace_model::Story>> {
    if store.storied_count()? > 0 || store.unstoried(1)?.is_empty() {
        return Ok(placing::stored_stories(store)?
            .into_iter()
            .map(|s| s.story)
            .collect());
    }
    let articles = store.articles()?;
    let passages = store.passages()?;
    Ok(echotrace_stories::build(
        &articles,
        &passages,
        aliases,
        &echotrace_stories::StoryParams::default(),
    ))
}

/// Finishes a report whose stories were placed already: groups, claims, then provenance.
pub fn finish_placed(
    report: &mut Report,
    aliases: &echotrace_reuse::Aliases,
    known: &HashMap<String, echotrace_claims::ArticleClaims>,
    stories: Vec<echotrace_model::Story>,
) {
    group_stored(report);
    claims_stage(report, aliases, known, &Silent);
    report.stories = stories;
    echotrace_provenance::run(report, aliases);
}

/// Groups passages read back from a store (which carry no groups); linear.
pub(crate) fn group_stored(report: &mut Report) {
    if report.groups.is_empty() && !report.passages.is_empty() {
        // Passages read back from a store carry no groups: group them (linear).
        let rank: HashMap<&str, usize> = report
            .articles
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.as_str(), i))
            .collect();
        let groups = echotrace_reuse::echo_groups(&mut report.passages, &|id| {
            rank.get(id).copied().unwrap_or(usize::MAX)
        });
        report.groups = groups;
    }
}

/// Each article's quotes, claims and entities (from `known` where present), numbered into the report.
fn claims_stage(
    report: &mut Report,
    aliases: &echotrace_reuse::Aliases,
    known: &HashMap<String, echotrace_claims::ArticleClaims>,
    progress: &dyn Progress,
) {
    report.quotes.clear();
    report.claims.clear();
    report.entities.clear();
    append_claims(report, 0, aliases, known, progress);
}

/// [`claims_stage`] for the articles from position `from` on, appended to what the report holds.
pub(crate) fn append_claims(
    report: &mut Report,
    from: usize,
    aliases: &echotrace_reuse::Aliases,
    known: &HashMap<String, echotrace_claims::ArticleClaims>,
    progress: &dyn Progress,
) {
    let from = from.min(report.articles.len());
    let stored = report.articles[from..]
        .iter()
        .map(|a| known.get(&a.id).cloned())
        .collect();
    append_found(report, from, aliases, stored, progress);
}

/// [`append_claims`], moving the stored claims out of `known` instead of copying them (a
/// store's claims are hundreds of megabytes at 100k articles).
pub(crate) fn append_claims_taking(
    report: &mut Report,
    from: usize,
    aliases: &echotrace_reuse::Aliases,
    mut known: HashMap<String, echotrace_claims::ArticleClaims>,
    progress: &dyn Progress,
) {
    let from = from.min(report.articles.len());
    let stored = report.articles[from..]
        .iter()
        .map(|a| known.remove(&a.id))
        .collect();
    drop(known);
    append_found(report, from, aliases, stored, progress);
}

/// Numbers into the report the claims of the articles from position `from` on: `stored[i]`
/// where the store has them, found in the article otherwise.
fn append_found(
    report: &mut Report,
    from: usize,
    aliases: &echotrace_reuse::Aliases,
    stored: Vec<Option<echotrace_claims::ArticleClaims>>,
    progress: &dyn Progress,
) {
    let articles = &report.articles[from..];
    progress.start("claims", articles.len() as u64);
    let done = AtomicUsize::new(0);
    let per_article: Vec<echotrace_claims::ArticleClaims> = articles
        .par_iter()
        .zip(stored)
        .map(|(a, known)| {
            let c = match known {
                Some(c) => c,
                None => echotrace_claims::analyze_article(a, aliases),
            };
            progress.set(done.fetch_add(1, Ordering::Relaxed) as u64 + 1);
            c
        })
        .collect();
    for (article, found) in articles.iter().zip(per_article) {
        // Named after their article (`a17` -> `q17.0`, `c17.0`): stable while the collection grows.
        let n = article.id.strip_prefix('a').unwrap_or(&article.id);
        for (k, mut q) in found.quotes.into_iter().enumerate() {
            q.id = format!("q{n}.{k}");
            report.quotes.push(q);
        }
        for (k, mut c) in found.claims.into_iter().enumerate() {
            c.id = format!("c{n}.{k}");
            report.claims.push(c);
        }
        report.entities.extend(found.entities);
    }
}
