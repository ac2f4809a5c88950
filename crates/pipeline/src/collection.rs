//! Growing a collection: pages stream into a store, each stored once, and
//! each batch is aligned and read against what the store already holds.
//!
//! Pages are read as a stream (nothing holds the whole corpus) and cut into
//! batches of [`Options::batch_pages`] (default [`INGEST_BATCH`]). Each batch
//! is one transaction:
//! 1. extract (in parallel, with the site profile of the stored pages and
//!    of the whole input, read in a first pass over re-readable inputs);
//! 2. store each new article with its reuse signature (pages already stored
//!    are skipped);
//! 3. the echo index: load the postings of the batch's n-grams only, find
//!    each new article's partners (see `echotrace_reuse::echo`), write back
//!    the postings that changed;
//! 4. align each new article against its partners only (their texts loaded
//!    by id) and store the passages;
//! 5. read each new article's quotes, claims and entities, and store them;
//! 6. count each new page's lines in the stored site profile.
//!
//! After the last batch, the new articles are placed in stories and the
//! stories that changed are analysed again (`crate::placing`).
//!
//! A batch reads only what concerns it (its n-grams' postings, its
//! partners' texts, its sites' profile), never the whole store, and writes
//! its postings to the small top level of the echo index (merged down when
//! full: `echotrace_store`'s `postings` module). A process killed at any moment leaves the store as the
//! last committed batch left it; running the same ingest again skips the
//! stored pages and completes the rest. Articles of a store made before the
//! echo index existed go through it once, in order, at the next ingest.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::multilingual::Multilingual;
use crate::watching::Watching;
use echotrace_ingest::Sink;
use echotrace_model::{Article, Diagnostic, Passage, RawDocument, Span};
use echotrace_reuse::{EchoIndex, Token};
use echotrace_store::{Batch, IngestStats, Store};
use rayon::prelude::*;

use crate::{Options, PipelineError, Progress, Result};

/// A store with the settings it was made with and, in builds with search, its
/// search index: the one way to grow a collection ([`Collection::ingest`])
/// and to read its analysis ([`Collection::reading`]).
pub struct Collection {
    db: PathBuf,
    store: Store,
    opts: Options,
    /// Held when opened to grow (see [`Collection::open`]).
    #[allow(dead_code)]
    writer: Option<IngestLock>,
    #[cfg(feature = "search")]
    search: echotrace_search::SearchIndex,
}

impl Collection {
    /// Opens the collection at `db`, creating it when missing, to be grown with `opts`.
    ///
    /// A collection keeps the settings it was created with; [`Collection::ingest`]
    /// refuses options that ask for others.
    ///
    /// The collection holds the store's ingest lock until it is dropped: one ingest writes at a
    /// time, and a second one waits (saying so) until the first is done.
    pub fn open(db: &Path, opts: Options) -> Result<Collection> {
        let writer = IngestLock::take(db)?;
        let mut collection = Collection::with(db, Store::open(db)?, opts)?;
        collection.writer = Some(writer);
        Ok(collection)
    }

    /// Opens an existing collection to read it, with the alias table it was made with.
    pub fn open_existing(db: &Path) -> Result<Collection> {
        require_store(db)?;
        let store = Store::open(db)?;
        let opts = Options {
            aliases: aliases_of(&store)?,
            ..Options::default()
        };
        Collection::with(db, store, opts)
    }

    /// Opens an existing collection to grow it with the settings it was made with (its alias
    /// tables, the default reuse parameters), holding the ingest lock like [`Collection::open`].
    pub fn open_to_grow(db: &Path) -> Result<Collection> {
        Collection::open_to_grow_with(db, None)
    }

    /// As [`Collection::open_to_grow`], with the sentence model a collection made with one needs.
    pub fn open_to_grow_with(
        db: &Path,
        embedder: Option<std::sync::Arc<dyn echotrace_reuse::SentenceEmbedder>>,
    ) -> Result<Collection> {
        require_store(db)?;
        let writer = IngestLock::take(db)?;
        let store = Store::open(db)?;
        let opts = Options {
            aliases: aliases_of(&store)?,
            extra_aliases: store.setting("aliases")?.unwrap_or_default(),
            embedder,
            ..Options::default()
        };
        let mut collection = Collection::with(db, store, opts)?;
        collection.writer = Some(writer);
        Ok(collection)
    }

    fn with(db: &Path, store: Store, opts: Options) -> Result<Collection> {
        Ok(Collection {
            db: db.to_path_buf(),
            store,
            opts,
            writer: None,
            #[cfg(feature = "search")]
            search: echotrace_search::SearchIndex::open(&echotrace_search::index_dir(db))?,
        })
    }

    /// Adds the pages under `paths` (see the module docs); the search index follows the store.
    pub fn ingest<S: AsRef<str>>(
        &mut self,
        paths: &[S],
        progress: &dyn Progress,
    ) -> Result<IngestOutcome> {
        self.ingest_keeping(paths, progress, &mut Multilingual::default())
    }

    /// As [`Collection::ingest`], with translation search state kept from earlier ingests of this process.
    pub fn ingest_keeping<S: AsRef<str>>(
        &mut self,
        paths: &[S],
        progress: &dyn Progress,
        multilingual: &mut Multilingual,
    ) -> Result<IngestOutcome> {
        let outcome = ingest_keeping(&mut self.store, paths, &self.opts, progress, multilingual)?;
        #[cfg(feature = "search")]
        self.index(&outcome, progress)?;
        progress.end();
        Ok(outcome)
    }

    /// Adds this ingest's articles to the search index, a few thousand at a
    /// time (an ingest of millions never holds them all); an index that lost
    /// articles (a killed ingest) is completed from the store.
    #[cfg(feature = "search")]
    fn index(&self, outcome: &IngestOutcome, progress: &dyn Progress) -> Result<()> {
        let (_, stored, _) = self.store.counts()?;
        let pending = &outcome.aligned;
        let mut ids: Vec<u32> = if (self.search.len() as usize) + pending.len() < stored {
            // Rare: the index lost articles. Adding replaces, so re-add all.
            self.store.article_ids()?
        } else {
            pending
                .iter()
                .filter_map(|id| id.strip_prefix('a')?.parse().ok())
                .collect()
        };
        ids.sort_unstable();
        progress.start("indexing", ids.len() as u64);
        for (k, chunk) in ids.chunks(5000).enumerate() {
            self.search.add(&self.store.articles_with_ids(chunk)?)?;
            progress.set(((k + 1) * 5000).min(ids.len()) as u64);
        }
        Ok(())
    }

    /// The analysis as stored (see [`crate::reading`]).
    pub fn reading(&self) -> Result<crate::reading::Reading> {
        crate::reading::Reading::whole(&self.store, &self.opts.aliases)
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The store, to write what is not the collection's own (watches, alerts, webhooks).
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// The store's path.
    pub fn db(&self) -> &Path {
        &self.db
    }

    /// The options it is grown and read with (the alias table is the store's when opened to read).
    pub fn options(&self) -> &Options {
        &self.opts
    }

    /// The search index.
    #[cfg(feature = "search")]
    pub fn search(&self) -> &echotrace_search::SearchIndex {
        &self.search
    }

    /// The search index, first completed from the store when it lacks articles (a store grown by
    /// a build without search, or an ingest killed between its store and index commits).
    #[cfg(feature = "search")]
    pub fn search_caught_up(&self) -> Result<&echotrace_search::SearchIndex> {
        self.index(&IngestOutcome::default(), &crate::Silent)?;
        Ok(&self.search)
    }

    /// The stories as stored (see [`crate::store_stories`]).
    pub fn stories(&self) -> Result<Vec<echotrace_model::Story>> {
        crate::store_stories(&self.store, &self.opts.aliases)
    }
}

/// The lock an ingest holds on its store (`DB.ingest-lock`, an OS file lock released when the
/// process ends, however it ends): batches of two ingests never interleave.
struct IngestLock(#[allow(dead_code)] std::fs::File);

impl IngestLock {
    /// Takes the lock, waiting (and saying so) while another ingest holds it.
    fn take(db: &Path) -> Result<IngestLock> {
        let mut path = db.as_os_str().to_owned();
        path.push(".ingest-lock");
        let path = PathBuf::from(path);
        let failed = |source| PipelineError::Lock {
            path: path.clone(),
            source,
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(failed)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                tracing::warn!(
                    "another ingest is writing to {}; waiting for it to finish",
                    db.display()
                );
                file.lock().map_err(failed)?;
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(failed(e)),
        }
        Ok(IngestLock(file))
    }
}

/// `Ok` when a store exists at `db`; otherwise an error that says how to make one.
pub fn require_store(db: &Path) -> Result<()> {
    if db.exists() {
        return Ok(());
    }
    Err(PipelineError::NoStore {
        path: db.to_path_buf(),
    })
}

/// Pages per store transaction by default: a killed ingest loses at most one batch of work.
pub const INGEST_BATCH: usize = 256;

/// What one ingest did, and what it found wrong with its inputs.
#[derive(Debug, Default)]
pub struct IngestOutcome {
    /// Pages added, pages already stored, passages found.
    pub stats: IngestStats,
    /// Ids of the articles aligned by this run (new ones, and any a killed run left).
    pub aligned: HashSet<String>,
    /// One per input that could not be read or extracted.
    pub diagnostics: Vec<Diagnostic>,
    /// Alerts raised by watches on the new articles.
    pub alerts: usize,
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

/// Cuts the page stream into batches and commits each (see the module docs).
struct BatchSink<'a> {
    store: &'a mut Store,
    opts: &'a Options,
    profile: std::sync::Arc<echotrace_extract::SiteProfile>,
    progress: &'a dyn Progress,
    watches: &'a Watching,
    multilingual: &'a mut Multilingual,
    pending: Vec<RawDocument>,
    read: u64,
    out: IngestOutcome,
    failed: Option<PipelineError>,
}

impl BatchSink<'_> {
    fn flush(&mut self) {
        if self.pending.is_empty() || self.failed.is_some() {
            self.pending.clear();
            return;
        }
        let docs = std::mem::take(&mut self.pending);
        let lines: HashMap<String, echotrace_extract::PageLines> = docs
            .iter()
            .filter_map(|d| {
                Some((
                    d.origin.label(),
                    echotrace_extract::SiteProfile::lines_of(d)?,
                ))
            })
            .collect();
        let (articles, diags) = crate::extract_with(docs, &self.profile, self.opts, &crate::Silent);
        self.out.diagnostics.extend(diags);
        let batch = commit_batch(
            self.store,
            articles,
            &lines,
            (self.opts, self.watches),
            self.multilingual,
            &mut self.out,
        );
        if let Err(e) = batch {
            self.failed = Some(e);
        }
        self.progress.set(self.read);
    }
}

impl Sink for BatchSink<'_> {
    fn document(&mut self, doc: RawDocument) {
        self.read += 1;
        self.pending.push(doc);
        if self.pending.len() >= self.opts.batch_pages.max(1) {
            self.flush();
        }
    }
    fn diagnostic(&mut self, diag: Diagnostic) {
        self.out.diagnostics.push(diag);
    }
}

/// The site profile of every text dump under `paths`, from a first reading pass.
///
/// Pages for which `counted` says yes (a store already counts them) are left
/// out. Standard input cannot be read twice: its pages are profiled batch by
/// batch instead.
pub fn site_profile_of<S: AsRef<str>>(
    paths: &[S],
    opts: &Options,
    counted: &dyn Fn(u64) -> bool,
) -> echotrace_extract::SiteProfile {
    struct Profiler<'a>(echotrace_extract::SiteProfile, &'a dyn Fn(u64) -> bool);
    impl Sink for Profiler<'_> {
        fn document(&mut self, doc: RawDocument) {
            if let Some(p) = echotrace_extract::SiteProfile::lines_of(&doc) {
                if (self.1)(p.page) {
                    // Counted already; its site's stored counts are still needed.
                    self.0.add_counts(&p.site, []);
                } else {
                    self.0.add_lines(&p);
                }
            }
        }
        fn diagnostic(&mut self, _: Diagnostic) {}
    }
    let files: Vec<&str> = paths
        .iter()
        .map(AsRef::as_ref)
        .filter(|p| *p != "-")
        .collect();
    let mut p = Profiler(Default::default(), counted);
    echotrace_ingest::read_paths(&files, &opts.limits, &mut p);
    p.0
}

/// What a collection's analysis depends on, kept with its store: every
/// ingest must use the same, or stored and new articles would not be
/// comparable (other n-grams, other alias folding, other passage floor).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Reuse parameters, as `name=value` pairs.
    pub reuse: String,
    /// Alias tables added to the built-in one (TSV), as given at creation.
    pub aliases: String,
    /// The sentence embedder's name, if any.
    pub model: String,
}

impl Settings {
    /// The settings `opts` ask for.
    pub fn of(opts: &Options) -> Settings {
        let r = &opts.reuse;
        Settings {
            reuse: format!(
                "index_n={} min_shared={} max_df={} min_content_words={} anchor_n={} max_gap={} max_drift={} min_tokens={} near_identity={}",
                r.index_n, r.min_shared, r.max_df, r.min_content_words,
                r.align.n, r.align.max_gap, r.align.max_drift, r.align.min_tokens, r.align.near_identity
            ),
            aliases: opts.extra_aliases.clone(),
            model: opts.embedder.as_ref().map(|e| e.name().to_string()).unwrap_or_default(),
        }
    }

    /// The settings stored with `store`, if it has any.
    pub fn stored(store: &Store) -> Result<Option<Settings>> {
        let Some(reuse) = store.setting("reuse")? else {
            return Ok(None);
        };
        Ok(Some(Settings {
            reuse,
            aliases: store.setting("aliases")?.unwrap_or_default(),
            model: store.setting("model")?.unwrap_or_default(),
        }))
    }

    fn save(&self, store: &mut Store) -> Result<()> {
        store.set_setting("reuse", &self.reuse)?;
        store.set_setting("aliases", &self.aliases)?;
        Ok(store.set_setting("model", &self.model)?)
    }
}

/// The alias table a store's articles were read with: the built-in one plus the tables kept at creation.
pub fn aliases_of(store: &Store) -> Result<echotrace_reuse::Aliases> {
    let mut a = echotrace_reuse::Aliases::builtin();
    if let Some(extra) = store.setting("aliases")? {
        a.load(&extra).map_err(PipelineError::StoredAliases)?;
    }
    Ok(a)
}

/// Checks that `opts` ask for the settings the store was made with; a new store (or one made before settings were kept) takes them.
pub fn check_settings(store: &mut Store, opts: &Options) -> Result<()> {
    let wanted = Settings::of(opts);
    match Settings::stored(store)? {
        None => wanted.save(store),
        Some(have) if have == wanted => Ok(()),
        Some(have) => {
            let mut what = Vec::new();
            if have.reuse != wanted.reuse {
                what.push(format!(
                    "reuse parameters ({} here, {} in the store)",
                    wanted.reuse, have.reuse
                ));
            }
            if have.aliases != wanted.aliases {
                what.push("extra alias tables (--aliases)".to_string());
            }
            if have.model != wanted.model {
                what.push(format!(
                    "sentence model ({} here, {} in the store)",
                    if wanted.model.is_empty() {
                        "none"
                    } else {
                        &wanted.model
                    },
                    if have.model.is_empty() {
                        "none"
                    } else {
                        &have.model
                    }
                ));
            }
            Err(PipelineError::OtherSettings { differences: what })
        }
    }
}

/// Adds the pages under `paths` to `store`, reporting pages read to `progress`.
pub fn ingest_into<S: AsRef<str>>(
    store: &mut Store,
    paths: &[S],
    opts: &Options,
    progress: &dyn Progress,
) -> Result<IngestOutcome> {
    ingest_keeping(store, paths, opts, progress, &mut Multilingual::default())
}

/// As [`ingest_into`], with translation search state kept from earlier ingests of this process.
///
/// A failed ingest drops that state: its index may hold sentences of a batch that was
/// never committed.
pub fn ingest_keeping<S: AsRef<str>>(
    store: &mut Store,
    paths: &[S],
    opts: &Options,
    progress: &dyn Progress,
    multilingual: &mut Multilingual,
) -> Result<IngestOutcome> {
    let outcome = grow(store, paths, opts, progress, multilingual);
    if outcome.is_err() {
        *multilingual = Multilingual::default();
    }
    outcome
}

fn grow<S: AsRef<str>>(
    store: &mut Store,
    paths: &[S],
    opts: &Options,
    progress: &dyn Progress,
    multilingual: &mut Multilingual,
) -> Result<IngestOutcome> {
    check_settings(store, opts)?;
    let mut out = IngestOutcome::default();
    let watches = Watching::load(store, opts)?;
    progress.start("catching up", 0);
    catch_up(store, (opts, &watches), multilingual, &mut out)?;
    progress.start("profiling", 0);
    let mut profile = {
        let s: &Store = store;
        site_profile_of(paths, opts, &|page| s.is_profiled(page).unwrap_or(false))
    };
    // What the store already holds of the same sites counts too.
    let sites: Vec<String> = profile.sites().map(str::to_string).collect();
    let names: Vec<&str> = sites.iter().map(String::as_str).collect();
    let mut stored: HashMap<String, Vec<(u64, u32)>> = HashMap::new();
    for (site, line, pages) in store.site_lines(&names)? {
        stored.entry(site).or_default().push((line, pages));
    }
    for (site, counts) in stored {
        profile.add_counts(&site, counts);
    }
    let profile = std::sync::Arc::new(profile);
    progress.start("ingesting", 0);
    let mut sink = BatchSink {
        store,
        opts,
        profile,
        progress,
        watches: &watches,
        multilingual,
        pending: Vec::new(),
        read: 0,
        out,
        failed: None,
    };
    echotrace_ingest::read_paths(paths, &opts.limits, &mut sink);
    sink.flush();
    let (failed, mut out) = (sink.failed, sink.out);
    if let Some(e) = failed {
        progress.end();
        return Err(e);
    }
    let placed = crate::placing::update_stories(store, opts, &watches, multilingual, progress)?;
    out.alerts += placed.alerts;
    progress.end();
    Ok(out)
}

/// Stores a batch of extracted articles with their passages, claims and alerts, in one transaction.
fn commit_batch(
    store: &mut Store,
    articles: Vec<Article>,
    lines: &HashMap<String, echotrace_extract::PageLines>,
    (opts, watches): (&Options, &Watching),
    multilingual: &mut Multilingual,
    out: &mut IngestOutcome,
) -> Result<()> {
    let n = opts.reuse.index_n;
    let prepared: Vec<(Article, Vec<Token>, Vec<u64>)> = articles
        .into_par_iter()
        .map(|a| {
            let t = echotrace_reuse::tokenize(&a.body, &opts.aliases);
            let s = echotrace_reuse::index::signature(&t, n);
            (a, t, s)
        })
        .collect();
    let mut batch = store.batch()?;
    let mut new: Vec<New> = Vec::new();
    for (mut a, tokens, sig) in prepared {
        match batch.add_article(&page_key(&a), &mut a, &sig)? {
            Some(id) => {
                if let Some(p) = lines.get(&a.origin.label()) {
                    batch.add_site_lines(p.page, &p.site, &p.lines)?;
                }
                new.push(New {
                    id,
                    article: Some(a),
                    tokens,
                    signature: sig,
                })
            }
            None => out.stats.duplicates += 1,
        }
    }
    out.stats.added += new.len();
    let passages_before = out.stats.passages;
    finish_batch(batch, &new, (opts, watches), multilingual, out)?;
    tracing::debug!(
        articles = new.len(),
        passages = out.stats.passages - passages_before,
        "batch committed"
    );
    Ok(())
}

/// The rest of a batch's work, then its commit: the echo index and passages,
/// the claims of the articles with text, the alerts their watches raise, and
/// the articles marked done.
fn finish_batch(
    batch: Batch,
    new: &[New],
    (opts, watches): (&Options, &Watching),
    multilingual: &mut Multilingual,
    out: &mut IngestOutcome,
) -> Result<()> {
    let (mut passages, covered) = echo_and_align(&batch, new, opts, &mut out.diagnostics)?;
    let with_text: Vec<(u32, &Article)> = new
        .iter()
        .filter_map(|x| Some((x.id, x.article.as_ref()?)))
        .collect();
    let translated = multilingual.passages(
        &batch,
        &with_text,
        &passages,
        &covered,
        opts,
        &mut out.diagnostics,
    )?;
    passages.extend(translated);
    multilingual.store_documents(&batch, &with_text, opts, &mut out.diagnostics)?;
    out.stats.passages += passages.len();
    batch.add_passages(&passages)?;
    let read: Vec<&Article> = new.iter().filter_map(|x| x.article.as_ref()).collect();
    let claims: Vec<(String, echotrace_claims::ArticleClaims)> = read
        .par_iter()
        .map(|a| {
            (
                a.id.clone(),
                echotrace_claims::analyze_article(a, &opts.aliases),
            )
        })
        .collect();
    batch.add_claims(&claims)?;
    let quotes: HashMap<&str, &[echotrace_model::Quote]> = claims
        .iter()
        .map(|(id, c)| (id.as_str(), c.quotes.as_slice()))
        .collect();
    let read_new: Vec<(u32, &Article, &[Token], &[echotrace_model::Quote])> = new
        .iter()
        .filter_map(|x| {
            let a = x.article.as_ref()?;
            let q = quotes.get(a.id.as_str()).copied().unwrap_or(&[]);
            Some((x.id, a, x.tokens.as_slice(), q))
        })
        .collect();
    let alerts = watches.with_revivals(&batch, watches.text_alerts(&read_new))?;
    out.alerts += batch.add_alerts(&alerts)?;
    let ids: Vec<u32> = new.iter().map(|x| x.id).collect();
    batch.mark_done(&ids)?;
    batch.commit()?;
    out.aligned.extend(read.iter().map(|a| a.id.clone()));
    Ok(())
}

/// An article new to the echo index: its row id, its text when it needs aligning, its tokens and signature.
struct New {
    id: u32,
    article: Option<Article>,
    tokens: Vec<Token>,
    signature: Vec<u64>,
}

/// Runs new articles through the store's echo index, in order, and aligns those with text against their partners.
///
/// With a sentence embedder, the aligned pairs also get their translation
/// variants, as `analyze` finds them (`echotrace_reuse::pair_variants`).
/// Also returns the byte ranges the lexical passages cover, per (earlier,
/// later) article row ids, for the translation search after it
/// ([`Multilingual`]).
fn echo_and_align(
    batch: &Batch,
    new: &[New],
    opts: &Options,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(Vec<Passage>, Covered)> {
    let mut grams: Vec<u64> = new
        .iter()
        .flat_map(|x| x.signature.iter().copied())
        .collect();
    grams.sort_unstable();
    grams.dedup();
    let mut index = EchoIndex::from_postings(
        opts.reuse.min_shared,
        opts.reuse.max_df,
        batch.postings(&grams)?,
    );
    let mut pairs: Vec<(u32, u32)> = Vec::new();
    for x in new {
        let partners = index.add_as(x.id, &x.signature);
        if x.article.is_some() {
            pairs.extend(partners.iter().map(|p| (p.doc, x.id)));
        }
    }
    batch.put_postings(&index.changed())?;
    if pairs.is_empty() {
        return Ok((Vec::new(), Covered::new()));
    }
    // Local numbering: the batch's articles, then the stored partners they need.
    let mut local: HashMap<u32, usize> = HashMap::new();
    let mut bodies: Vec<&str> = Vec::new();
    let mut tokens: Vec<&[Token]> = Vec::new();
    for x in new {
        if let Some(a) = &x.article {
            local.insert(x.id, bodies.len());
            bodies.push(&a.body);
            tokens.push(&x.tokens);
        }
    }
    let mut missing: Vec<u32> = pairs
        .iter()
        .map(|p| p.0)
        .filter(|id| !local.contains_key(id))
        .collect();
    missing.sort_unstable();
    missing.dedup();
    let stored = batch.articles(&missing)?;
    let stored_tokens: Vec<Vec<Token>> = stored
        .par_iter()
        .map(|a| echotrace_reuse::tokenize(&a.body, &opts.aliases))
        .collect();
    for ((id, a), t) in missing.iter().zip(&stored).zip(&stored_tokens) {
        local.insert(*id, bodies.len());
        bodies.push(&a.body);
        tokens.push(t);
    }
    let ids_of: Vec<u32> = {
        let mut v = vec![0u32; bodies.len()];
        for (id, &i) in &local {
            v[i] = *id;
        }
        v
    };
    let local_pairs: Vec<(usize, usize)> =
        pairs.iter().map(|(a, b)| (local[a], local[b])).collect();
    let aligned = echotrace_reuse::align_pairs(&tokens, &local_pairs, &opts.reuse);
    let mut found = echotrace_reuse::lexical_passages(&bodies, &tokens, &aligned, &opts.reuse);
    let covered: Covered = aligned
        .iter()
        .map(|(ia, ib, als)| {
            let c = echotrace_reuse::semantic::covered_ranges(tokens[*ia], tokens[*ib], als);
            let (a, b) = (ids_of[*ia], ids_of[*ib]);
            if a < b {
                ((a, b), c)
            } else {
                ((b, a), (c.1, c.0))
            }
        })
        .collect();
    if let Some(e) = &opts.embedder {
        match echotrace_reuse::pair_variants(&bodies, &tokens, &aligned, e.as_ref()) {
            Ok((variants, _)) => found.extend(variants),
            Err(e) => diagnostics.push(Diagnostic::warning(
                "reuse",
                format!("sentence embeddings failed ({e}); passages found lexically only"),
            )),
        }
    }
    found.sort_by_key(|x| (ids_of[x.0], ids_of[x.1], x.2 .0));
    let passages = found
        .into_iter()
        .map(|(ia, ib, ra, rb, kind, score)| Passage {
            id: String::new(),
            kind,
            a: Span {
                article: format!("a{}", ids_of[ia]),
                start: ra.0,
                end: ra.1,
            },
            b: Span {
                article: format!("a{}", ids_of[ib]),
                start: rb.0,
                end: rb.1,
            },
            score: (score * 1000.0).round() / 1000.0,
            group: None,
        })
        .collect();
    Ok((passages, covered))
}

/// Byte ranges covered by lexical passages, per (earlier, later) article row ids.
type Covered = HashMap<(u32, u32), echotrace_reuse::semantic::Coverage>;

/// Articles a killed ingest left, or a store made before the echo index: through it in order, aligned where not yet.
fn catch_up(
    store: &mut Store,
    (opts, watches): (&Options, &Watching),
    multilingual: &mut Multilingual,
    out: &mut IngestOutcome,
) -> Result<()> {
    loop {
        let todo = store.unindexed(opts.batch_pages.max(1))?;
        if todo.is_empty() {
            return Ok(());
        }
        let batch = store.batch()?;
        let need: Vec<u32> = todo.iter().filter(|t| !t.1).map(|t| t.0).collect();
        let mut texts: HashMap<u32, Article> = batch
            .articles(&need)?
            .into_iter()
            .zip(need.iter().copied())
            .map(|(a, id)| (id, a))
            .collect();
        let new: Vec<New> = todo
            .into_iter()
            .map(|(id, _, signature)| {
                let article = texts.remove(&id);
                let tokens = article
                    .as_ref()
                    .map(|a| echotrace_reuse::tokenize(&a.body, &opts.aliases))
                    .unwrap_or_default();
                New {
                    id,
                    article,
                    tokens,
                    signature,
                }
            })
            .collect();
        finish_batch(batch, &new, (opts, watches), multilingual, out)?;
    }
}
