//! The analysis the server shows, and how it is kept current.
//!
//! A [`Library`] holds the store, its search index and the finished
//! [`Analysis`] of what the store holds: articles, passages and stories read
//! from SQLite with each article's quotes, claims and entities, and each
//! story's provenance (sources, divergences, edges, timeline, shares) as
//! ingest stored them: ingest places new articles in stories and analyses
//! only the stories it touched (`echotrace_pipeline::reading`). The
//! analysis is cached in memory and refreshed (what was stored since, patched
//! onto a copy of it: `Reading::refreshed`) only when the store's
//! revision (its newest article and passage ids, its story revision) has
//! moved, so an `ingest`
//! running beside the server shows up once it is recomputed, in the
//! background: requests meanwhile get the previous analysis. The alias table
//! is the one the store was created with.
//!
//! What memory holds is what lists, rankings and story pages need; article
//! bodies are not kept (a body is most of an article: at 100k articles they
//! are hundreds of megabytes, and every refresh copied them). A request for
//! one article, an export of articles and a trace lookup read the bodies
//! they need from the store, through a few reader connections of the
//! library's own ([`Library::read`]); a trace lookup goes through the
//! store's echo index (`echotrace_pipeline::lookup`) instead of an
//! in-memory index of every article's tokens.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use echotrace_model::{Article, Story};
use echotrace_pipeline::collection::{Collection, IngestOutcome};
use echotrace_pipeline::lookup::{trace_stored, Traced};
use echotrace_pipeline::reading::Reading;
use echotrace_report::membership::Membership;
use echotrace_reuse::{Aliases, ReuseParams};
use echotrace_search::SearchIndex;
use echotrace_store::Store;

use crate::{Result, ServerError};

/// A finished analysis of the store at one revision, with lookups by id.
///
/// Derefs to the [`Reading`] it indexes: `analysis.report`, `analysis.revision`.
pub struct Analysis {
    reading: Reading,
    /// Positions of the report's items by article, source and story.
    pub lookup: crate::lookup::Lookup,
    /// What belongs to each story, as the HTML report decides it.
    pub members: Membership,
    articles: HashMap<String, usize>,
    stories: HashMap<String, usize>,
    story_of: HashMap<String, String>,
    /// Length in characters of each article's body (the bodies themselves stay in the store).
    chars: Vec<usize>,
}

impl std::ops::Deref for Analysis {
    type Target = Reading;

    fn deref(&self) -> &Reading {
        &self.reading
    }
}

impl Analysis {
    /// Indexes a reading of the store by id, dropping the bodies of its articles (see [`Analysis::chars`]) and its entity mentions.
    ///
    /// `chars` holds the body lengths of the articles the reading had before (whose bodies
    /// are gone already); an article with its body gets its length counted here.
    pub fn build(mut reading: Reading, mut chars: Vec<usize>) -> Analysis {
        // Entity mentions are most of what the claims stage finds (1.8 million at 100k
        // articles) and nothing the server shows uses them.
        reading.report.entities = Vec::new();
        chars.truncate(reading.report.articles.len());
        for (i, a) in reading.report.articles.iter_mut().enumerate() {
            if i >= chars.len() {
                chars.push(0);
            }
            if !a.body.is_empty() {
                chars[i] = a.body.chars().count();
                a.body = String::new();
            }
        }
        let report = &reading.report;
        let articles = report.article_positions();
        let stories = report
            .stories
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.clone(), i))
            .collect();
        let story_of = report
            .stories
            .iter()
            .flat_map(|s| s.articles.iter().map(|a| (a.clone(), s.id.clone())))
            .collect();
        Analysis {
            lookup: crate::lookup::Lookup::of(&reading.report),
            members: Membership::of(&reading.report),
            reading,
            articles,
            stories,
            story_of,
            chars,
        }
    }

    /// The article with this id, without its body (read it with [`Library::with_bodies`]).
    pub fn article(&self, id: &str) -> Option<&Article> {
        self.articles.get(id).map(|&i| &self.report.articles[i])
    }

    /// The story with this id.
    pub fn story(&self, id: &str) -> Option<&Story> {
        self.stories.get(id).map(|&i| &self.report.stories[i])
    }

    /// Length in characters of the body of the article with this id.
    pub fn chars(&self, id: &str) -> usize {
        self.articles
            .get(id)
            .and_then(|&i| self.chars.get(i))
            .copied()
            .unwrap_or(0)
    }

    /// The id of the story an article belongs to.
    pub fn story_of(&self, article: &str) -> Option<&str> {
        self.story_of.get(article).map(String::as_str)
    }
}

/// The store, its search index and the cached analysis.
pub struct Library {
    db: PathBuf,
    store: Mutex<Store>,
    search: Option<SearchIndex>,
    current: RwLock<Arc<Analysis>>,
    reloading: Mutex<()>,
    /// Connections that read articles, passages and the echo index for requests, kept for reuse.
    readers: Mutex<Vec<Store>>,
    /// Whether a background recomputation is running.
    refreshing: AtomicBool,
    aliases: Aliases,
    /// The sentence model uploads are ingested with (a collection made with one needs it).
    embedder: Option<Arc<dyn echotrace_reuse::SentenceEmbedder>>,
    /// The translation search's index of stored sentences, kept between uploads.
    multilingual: Mutex<echotrace_pipeline::multilingual::Multilingual>,
}

/// Reader connections kept open between requests (more are opened under load, then closed).
const MAX_READERS: usize = 8;

/// The store row of an article id `a<rowid>`.
fn row_of(id: &str) -> Option<u32> {
    id.strip_prefix('a')?.parse().ok()
}

fn poisoned<T>(_: T) -> ServerError {
    ServerError::Poisoned
}

impl Library {
    /// Opens the store at `db` (which must exist) and computes its analysis.
    pub fn open(db: &Path) -> Result<Library> {
        echotrace_pipeline::collection::require_store(db)?;
        let store = Store::open(db)?;
        let aliases = echotrace_pipeline::collection::aliases_of(&store)?;
        let search = match SearchIndex::open(&echotrace_search::index_dir(db)) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!("search disabled: {e}");
                None
            }
        };
        let empty = Analysis::build(Reading::empty(), Vec::new());
        let lib = Library {
            db: db.to_path_buf(),
            store: Mutex::new(store),
            search,
            current: RwLock::new(Arc::new(empty)),
            reloading: Mutex::new(()),
            readers: Mutex::new(Vec::new()),
            refreshing: AtomicBool::new(false),
            aliases,
            embedder: None,
            multilingual: Mutex::default(),
        };
        lib.reload()?;
        Ok(lib)
    }

    /// Ingests uploads with this sentence model (what a collection made with one needs).
    pub fn with_embedder(
        mut self,
        embedder: Option<Arc<dyn echotrace_reuse::SentenceEmbedder>>,
    ) -> Library {
        self.embedder = embedder;
        self
    }

    /// The store's path.
    pub fn db(&self) -> &Path {
        &self.db
    }

    /// The search index, when it could be opened.
    pub fn search(&self) -> Option<&SearchIndex> {
        self.search.as_ref()
    }

    /// The latest finished analysis; when the store has changed since, a recomputation starts in the background.
    ///
    /// Readers never wait on a recomputation (it takes seconds on a large
    /// store, and an ingest beside the server changes the store every
    /// batch): they get the previous analysis until the new one is ready.
    pub fn current(self: &Arc<Self>) -> Result<Arc<Analysis>> {
        let revision = self.store.lock().map_err(poisoned)?.revision()?;
        let cached = self.current.read().map_err(poisoned)?.clone();
        if cached.revision != revision && !self.refreshing.swap(true, Ordering::AcqRel) {
            let lib = Arc::clone(self);
            std::thread::spawn(move || {
                if let Err(e) = lib.reload() {
                    tracing::error!("the analysis could not be recomputed: {e}");
                }
                lib.refreshing.store(false, Ordering::Release);
            });
        }
        Ok(cached)
    }

    /// Adds the pages in `file` to the store, as `echotrace ingest` would with the store's
    /// settings; the next request sees them once the analysis is refreshed. Blocking.
    pub fn ingest(&self, file: &Path) -> Result<IngestOutcome> {
        // No refresh writes the search index meanwhile: the ingest writes it.
        let _one = self.reloading.lock().map_err(poisoned)?;
        let mut collection = Collection::open_to_grow_with(&self.db, self.embedder.clone())?;
        let label = file.to_string_lossy().into_owned();
        let mut multilingual = self.multilingual.lock().map_err(poisoned)?;
        Ok(collection.ingest_keeping(&[label], &echotrace_pipeline::Silent, &mut multilingual)?)
    }

    /// Recomputes the analysis from the store, whatever its revision. Blocking.
    pub fn reload(&self) -> Result<Arc<Analysis>> {
        // One reload at a time; a request that waited here finds it done.
        let _one = self.reloading.lock().map_err(poisoned)?;
        // Read through a connection of its own, in one read transaction (a
        // consistent snapshot while an ingest commits beside it), so that
        // requests checking the revision on the shared one never wait for it.
        let reading = {
            let reader = Store::open(&self.db)?;
            let snapshot = reader.snapshot()?;
            let revision = snapshot.revision()?;
            let cached = self.current.read().map_err(poisoned)?.clone();
            if cached.revision == revision {
                return Ok(cached);
            }
            // What was stored since the cached reading, patched onto a copy of it.
            cached.refreshed(&snapshot, &self.aliases)?
        };
        if let Some(index) = &self.search {
            if let Err(e) = index.refresh() {
                tracing::error!("{e}");
            }
            // An index that lags the store (built without search, a killed
            // ingest, or one still running) gets the newest articles it lacks
            // (articles are appended in order; adding one again replaces it);
            // another writer holding the index is not an error, the next
            // reload retries.
            if let Err(e) = self.catch_up_search(index, &reading.report.articles) {
                tracing::error!("search index not updated: {e}");
            }
        }
        let chars = self.current.read().map_err(poisoned)?.chars.clone();
        let analysis = Arc::new(Analysis::build(reading, chars));
        *self.current.write().map_err(poisoned)? = analysis.clone();
        Ok(analysis)
    }

    /// Adds to the search index the articles past those it holds, bodies read from the store.
    fn catch_up_search(&self, index: &SearchIndex, articles: &[Article]) -> Result<()> {
        let indexed = (index.len() as usize).min(articles.len());
        for chunk in articles[indexed..].chunks(1000) {
            let full = self.with_bodies(chunk)?;
            index.add(&full)?;
        }
        Ok(())
    }

    /// These articles (from an analysis, where bodies are dropped) with their bodies read from the store.
    pub fn with_bodies(&self, articles: &[Article]) -> Result<Vec<Article>> {
        if articles.iter().all(|a| !a.body.is_empty()) {
            return Ok(articles.to_vec());
        }
        let rows: Vec<u32> = articles.iter().filter_map(|a| row_of(&a.id)).collect();
        let stored = self.read(|store| Ok(store.articles_with_ids(&rows)?))?;
        let mut body: HashMap<String, String> =
            stored.into_iter().map(|a| (a.id, a.body)).collect();
        Ok(articles
            .iter()
            .map(|a| {
                let mut a = a.clone();
                if let Some(b) = body.remove(&a.id) {
                    a.body = b;
                }
                a
            })
            .collect())
    }

    /// Runs `f` on one of the library's reader connections (opened when none is free).
    pub fn read<T>(&self, f: impl FnOnce(&Store) -> Result<T>) -> Result<T> {
        let free = self.readers.lock().map_err(poisoned)?.pop();
        let store = match free {
            Some(s) => s,
            None => Store::open(&self.db)?,
        };
        let out = f(&store);
        let mut readers = self.readers.lock().map_err(poisoned)?;
        if readers.len() < MAX_READERS {
            readers.push(store);
        }
        out
    }

    /// Where a pasted passage appears in the stored articles (see `echotrace_pipeline::lookup`).
    pub fn trace(&self, passage: &str) -> Result<Vec<Traced>> {
        let params = ReuseParams::default();
        self.read(|store| Ok(trace_stored(store, passage, &self.aliases, &params)?))
    }

    /// The alias table used for tracing.
    pub fn aliases(&self) -> &Aliases {
        &self.aliases
    }
}
