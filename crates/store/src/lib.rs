//! The embedded store: one SQLite file that a collection grows in.
//!
//! Pages are stored once, keyed by the hash of their decoded content (the
//! same page read twice, from two crawls or under two names, is one row).
//! Each page's article is stored as its JSON object, beside the article's
//! reuse signature (its sorted n-gram hashes), so that adding pages later
//! aligns only the new articles against the collection and never recomputes
//! the old ones' signatures. Passages live in their own table.
//!
//! Every batch of pages is one transaction: a process killed at any moment
//! (`kill -9`) leaves the database as it was after the last committed batch,
//! and a re-run skips what is stored and completes the rest. The schema is
//! versioned with `PRAGMA user_version` and migrated forward on open.
//!
//! The claims stage's output per article (quotes, numeric claims, entities)
//! depends on that article alone, so it is stored too, once per article:
//! the analysis of a grown collection recomputes only what spans articles
//! (stories, provenance), never the per-article reading.

use std::path::Path;

use std::collections::HashMap;

use echotrace_claims::ArticleClaims;
use echotrace_model::{Article, Passage, PassageKind, Span};
use rusqlite::{params, Connection, OptionalExtension};

mod error;
mod postings;
mod sentences;
mod stories;
mod watches;

pub use error::{Result, StoreError};
pub use sentences::{ArticleSentence, ArticleVector, SentenceVector};
pub use stories::StoryRow;
pub use watches::{now, AlertRow, Delivery, DeliveryOutcome, NewAlert, WatchRow, Webhook};

/// Schema migrations, in order; `user_version` counts how many were applied.
const MIGRATIONS: &[&str] = &[
    // 1: pages, articles with signatures, passages.
    "CREATE TABLE pages (
        id INTEGER PRIMARY KEY,
        content_hash TEXT NOT NULL UNIQUE,
        url TEXT,
        path TEXT NOT NULL,
        added_at TEXT NOT NULL DEFAULT (datetime('now'))
    );
    CREATE INDEX pages_url ON pages(url);
    CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        page_id INTEGER NOT NULL UNIQUE REFERENCES pages(id),
        json TEXT NOT NULL,
        signature BLOB NOT NULL,
        aligned INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE passages (
        id INTEGER PRIMARY KEY,
        a_article INTEGER NOT NULL REFERENCES articles(id),
        a_start INTEGER NOT NULL,
        a_end INTEGER NOT NULL,
        b_article INTEGER NOT NULL REFERENCES articles(id),
        b_start INTEGER NOT NULL,
        b_end INTEGER NOT NULL,
        kind TEXT NOT NULL,
        score REAL NOT NULL
    );
    CREATE INDEX passages_a ON passages(a_article);
    CREATE INDEX passages_b ON passages(b_article);",
    // 2: each article's quotes, numeric claims and entities, computed once at ingest.
    "CREATE TABLE article_claims (
        article_id INTEGER PRIMARY KEY REFERENCES articles(id),
        json TEXT NOT NULL
    );",
    // 3: the echo index (n-gram hash -> the article row ids that represent it, u32
    // little-endian), and whether each article went through it. Stores made
    // before it are indexed again from their signatures at the next ingest.
    "CREATE TABLE postings (
        gram INTEGER PRIMARY KEY,
        docs BLOB NOT NULL
    );
    ALTER TABLE articles ADD COLUMN indexed INTEGER NOT NULL DEFAULT 0;",
    // 4: the site profile of the stored text dumps: per site, how many stored
    // pages carry each line (by hash), so that repeated chrome is recognised
    // across ingests as it is within one.
    "CREATE TABLE site_lines (
        site TEXT NOT NULL,
        line INTEGER NOT NULL,
        pages INTEGER NOT NULL,
        PRIMARY KEY (site, line)
    ) WITHOUT ROWID;
    CREATE TABLE profiled_pages (page INTEGER PRIMARY KEY);",
    // 5: the settings the collection was made with (reuse parameters, extra
    // alias tables, model), kept so every later ingest and reader uses them.
    "CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );",
    // 6: stories kept as the collection grows: each article's story (the row
    // id of the story's earliest-added article; NULL until placed), each
    // story's analysis (NULL once the story was merged away) with the story
    // revision that last wrote it, and the term statistics that placing new
    // articles reads (document frequency per term hash, and the articles
    // carrying a term while it is rare enough to find neighbours by).
    "ALTER TABLE articles ADD COLUMN story INTEGER;
    CREATE INDEX articles_story ON articles(story);
    CREATE TABLE stories (
        id INTEGER PRIMARY KEY,
        revision INTEGER NOT NULL,
        json TEXT
    );
    CREATE INDEX stories_revision ON stories(revision);
    CREATE TABLE story_terms (
        term INTEGER PRIMARY KEY,
        df INTEGER NOT NULL,
        docs BLOB
    );",
    // 7: echo-index postings are written to small levels above the
    // `postings` table and merged down when a level fills (see postings.rs),
    // so that a batch rewrites a bounded part of the index, not pages all
    // over a B-tree that grows with the collection.
    "CREATE TABLE posting_levels (
        level INTEGER NOT NULL,
        gram INTEGER NOT NULL,
        docs BLOB NOT NULL,
        PRIMARY KEY (level, gram)
    ) WITHOUT ROWID;
    CREATE TABLE posting_level_rows (
        level INTEGER PRIMARY KEY,
        rows INTEGER NOT NULL
    );",
    // 8: watches (texts a user wants to hear about again), the alerts they
    // raised with their evidence, the webhooks alerts go to, and the outbox:
    // one row per (alert, webhook) until delivered, written in the same
    // transaction as the alert, so a crash between storing and delivering
    // loses nothing (see watches.rs).
    "CREATE TABLE watches (
        id TEXT PRIMARY KEY,
        name TEXT,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE alerts (
        id INTEGER PRIMARY KEY,
        watch TEXT NOT NULL,
        article INTEGER NOT NULL,
        kind TEXT NOT NULL,
        tier TEXT NOT NULL,
        score REAL NOT NULL,
        evidence TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        UNIQUE (watch, article, kind)
    );
    CREATE INDEX alerts_created ON alerts(created_at);
    CREATE TABLE webhooks (
        id INTEGER PRIMARY KEY,
        url TEXT NOT NULL UNIQUE,
        secret TEXT NOT NULL
    );
    CREATE TABLE outbox (
        alert INTEGER NOT NULL REFERENCES alerts(id),
        webhook INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at INTEGER NOT NULL,
        delivered_at INTEGER,
        last_error TEXT,
        PRIMARY KEY (alert, webhook)
    ) WITHOUT ROWID;
    CREATE INDEX outbox_due ON outbox(delivered_at, next_at);",
    // 9: a watch's rule (JSON: the velocity rule, how long a watch must be
    // quiet to count as dormant, the story or claim it follows), and when
    // each alert's article was seen (crawl time, or publication time for a
    // rule counted by it), for velocity and revival.
    "ALTER TABLE watches ADD COLUMN rule TEXT;
    ALTER TABLE alerts ADD COLUMN seen_at INTEGER;
    CREATE INDEX alerts_watch_seen ON alerts(watch, seen_at);",
    // 10: sentence vectors of collections made with a multilingual model
    // (see sentences.rs): one quantised vector per distinct sentence, each
    // article's embedded sentences in text order, and each article's
    // document vector (its title and opening, for stories across languages).
    "CREATE TABLE sentence_vectors (
        id INTEGER PRIMARY KEY,
        key INTEGER NOT NULL UNIQUE,
        language TEXT NOT NULL,
        scale REAL NOT NULL,
        vector BLOB NOT NULL
    );
    CREATE INDEX sentence_vectors_language ON sentence_vectors(language);
    CREATE TABLE article_sentences (
        article INTEGER NOT NULL,
        position INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        sentence INTEGER NOT NULL REFERENCES sentence_vectors(id),
        PRIMARY KEY (article, position)
    ) WITHOUT ROWID;
    CREATE INDEX article_sentences_sentence ON article_sentences(sentence, article);
    CREATE TABLE article_vectors (
        article INTEGER PRIMARY KEY,
        language TEXT NOT NULL,
        vector BLOB NOT NULL
    );",
];

/// An open store.
pub struct Store {
    conn: Connection,
}

/// What one ingest call did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestStats {
    /// Pages stored now.
    pub added: usize,
    /// Pages skipped because the store already had them.
    pub duplicates: usize,
    /// Passages found between the new articles and the collection.
    pub passages: usize,
}

/// The content hash that identifies a page.
pub fn page_hash(content: &str) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(content.as_bytes()))
}

/// The row id of an article id `a<rowid>`.
fn article_number(id: &str) -> Result<i64> {
    id.strip_prefix('a')
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| StoreError::BadArticleId(id.to_string()))
}

/// The claims record stored for article `a<id>`.
fn decode_claims(id: i64, json: &str) -> Result<ArticleClaims> {
    serde_json::from_str(json).map_err(|source| StoreError::BadRow {
        what: "claims",
        id: format!("a{id}"),
        source,
    })
}

fn err(e: rusqlite::Error) -> StoreError {
    StoreError::from_sqlite(e)
}

fn kind_of(s: &str) -> PassageKind {
    match s {
        "verbatim" => PassageKind::Verbatim,
        "near" => PassageKind::Near,
        _ => PassageKind::Translation,
    }
}

impl Store {
    /// Opens (creating if needed) the store at `path` and migrates it to the current schema.
    pub fn open(path: &Path) -> Result<Store> {
        let conn = Connection::open(path).map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        conn.execute_batch(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;
             PRAGMA cache_size=-65536;",
        )
        .map_err(err)?;
        // A reader beside an ingest, or two processes opening one store, wait for each other's
        // short write transactions instead of failing at once.
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(err)?;
        let mut store = Store { conn };
        store.migrate()?;
        Ok(store)
    }

    /// The schema version (number of migrations applied).
    pub fn schema_version(&self) -> Result<usize> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
            .map(|v| v as usize)
            .map_err(err)
    }

    fn migrate(&mut self) -> Result<()> {
        let have = self.schema_version()?;
        if have > MIGRATIONS.len() {
            return Err(StoreError::NewerSchema {
                found: have,
                supported: MIGRATIONS.len(),
            });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(have) {
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(err)?;
            tx.execute_batch(sql).map_err(err)?;
            tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))
                .map_err(err)?;
            tx.commit().map_err(err)?;
        }
        Ok(())
    }

    /// Every stored article, in insertion order.
    pub fn articles(&self) -> Result<Vec<Article>> {
        self.articles_from("SELECT json FROM articles ORDER BY id")
    }

    /// The articles stored after row id `rowid`, in insertion order.
    pub fn articles_after(&self, rowid: i64) -> Result<Vec<Article>> {
        self.articles_from(&format!(
            "SELECT json FROM articles WHERE id > {rowid} ORDER BY id"
        ))
    }

    /// The passages stored after row id `rowid`, with ids `p<rowid>`, in insertion order.
    pub fn passages_after(&self, rowid: i64) -> Result<Vec<Passage>> {
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT {PASSAGE_COLUMNS} FROM passages WHERE id > ?1 ORDER BY id"
            ))
            .map_err(err)?;
        let rows = st.query_map([rowid], passage_row).map_err(err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(err)
    }

    /// The claims of the articles stored after row id `rowid`, by article id (`a<rowid>`).
    pub fn claims_after(&self, rowid: i64) -> Result<HashMap<String, ArticleClaims>> {
        self.claims_where(rowid)
    }

    /// Every stored article's row id, in insertion order.
    pub fn article_ids(&self) -> Result<Vec<u32>> {
        let mut st = self
            .conn
            .prepare("SELECT id FROM articles ORDER BY id")
            .map_err(err)?;
        let rows = st
            .query_map([], |r| r.get::<_, i64>(0).map(|v| v as u32))
            .map_err(err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(err)
    }

    /// The stored articles with these row ids, in the order given (unknown ids skipped).
    pub fn articles_with_ids(&self, ids: &[u32]) -> Result<Vec<Article>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT json FROM articles WHERE id = ?1")
            .map_err(err)?;
        let mut out = Vec::with_capacity(ids.len());
        for &id in ids {
            let json: Option<String> = st
                .query_row([id as i64], |r| r.get(0))
                .optional()
                .map_err(err)?;
            if let Some(json) = json {
                out.push(
                    serde_json::from_str(&json).map_err(|source| StoreError::BadRow {
                        what: "article",
                        id: format!("a{id}"),
                        source,
                    })?,
                );
            }
        }
        Ok(out)
    }

    /// The stored article with this id (`a<rowid>`), if there is one.
    pub fn article(&self, id: &str) -> Result<Option<Article>> {
        let row = article_number(id)?;
        match u32::try_from(row) {
            Ok(row) => Ok(self.articles_with_ids(&[row])?.pop()),
            Err(_) => Ok(None),
        }
    }

    /// Articles whose claims are not stored yet, in insertion order.
    pub fn articles_without_claims(&self) -> Result<Vec<Article>> {
        self.articles_from(
            "SELECT a.json FROM articles a LEFT JOIN article_claims c ON c.article_id = a.id
             WHERE c.article_id IS NULL ORDER BY a.id",
        )
    }

    /// The articles whose JSON a query selects (one column).
    fn articles_from(&self, sql: &str) -> Result<Vec<Article>> {
        let mut st = self.conn.prepare(sql).map_err(err)?;
        let rows = st.query_map([], |r| r.get::<_, String>(0)).map_err(err)?;
        let mut out = Vec::new();
        for r in rows {
            let json = r.map_err(err)?;
            out.push(
                serde_json::from_str(&json).map_err(|source| StoreError::BadRow {
                    what: "article",
                    id: String::new(),
                    source,
                })?,
            );
        }
        Ok(out)
    }

    /// One article's claims (`None` when the article has none stored).
    pub fn claims_of(&self, article: u32) -> Result<Option<ArticleClaims>> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT json FROM article_claims WHERE article_id = ?1",
                [article as i64],
                |r| r.get(0),
            )
            .optional()
            .map_err(err)?;
        json.map(|j| decode_claims(article as i64, &j)).transpose()
    }

    /// Every stored article's claims, by article id (`a<rowid>`).
    pub fn claims(&self) -> Result<HashMap<String, ArticleClaims>> {
        self.claims_where(0)
    }

    /// The claims of the articles with row ids above `rowid`.
    fn claims_where(&self, rowid: i64) -> Result<HashMap<String, ArticleClaims>> {
        let mut st = self
            .conn
            .prepare("SELECT article_id, json FROM article_claims WHERE article_id > ?1")
            .map_err(err)?;
        let rows = st
            .query_map([rowid], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(err)?;
        let mut out = HashMap::new();
        for r in rows {
            let (id, json) = r.map_err(err)?;
            out.insert(format!("a{id}"), decode_claims(id, &json)?);
        }
        Ok(out)
    }

    /// Ids (`a<rowid>`) of articles whose passages are not computed yet.
    pub fn unaligned(&self) -> Result<std::collections::HashSet<String>> {
        let mut st = self
            .conn
            .prepare("SELECT id FROM articles WHERE aligned = 0")
            .map_err(err)?;
        let rows = st.query_map([], |r| r.get::<_, i64>(0)).map_err(err)?;
        rows.map(|r| r.map(|id| format!("a{id}")).map_err(err))
            .collect()
    }

    /// Every stored passage, with ids `p<rowid>`.
    pub fn passages(&self) -> Result<Vec<Passage>> {
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT {PASSAGE_COLUMNS} FROM passages ORDER BY id"
            ))
            .map_err(err)?;
        let rows = st.query_map([], passage_row).map_err(err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(err)
    }

    /// Counts of (pages, articles, passages).
    pub fn counts(&self) -> Result<(usize, usize, usize)> {
        let c = |t: &str| {
            self.conn
                .query_row(&format!("SELECT count(*) FROM {t}"), [], |r| {
                    r.get::<_, i64>(0)
                })
                .map(|v| v as usize)
                .map_err(err)
        };
        Ok((c("pages")?, c("articles")?, c("passages")?))
    }

    /// A fingerprint of what the store holds: the newest article and passage ids, and the story revision.
    ///
    /// Articles and passages are only ever appended and every story update
    /// writes a new revision, so the triple changes exactly when the stored
    /// analysis does; readers compare it to decide whether what they computed
    /// from the store is stale.
    pub fn revision(&self) -> Result<(i64, i64, i64)> {
        self.conn
            .query_row(
                "SELECT (SELECT ifnull(max(id), 0) FROM articles), (SELECT ifnull(max(id), 0) FROM passages),
                        (SELECT ifnull(max(revision), 0) FROM stories)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map_err(err)
    }

    /// SQLite's own consistency check plus the store's invariants; `Ok` when sound.
    pub fn check(&self) -> Result<()> {
        let ic: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(err)?;
        if ic != "ok" {
            return Err(StoreError::Integrity(ic));
        }
        let orphans: i64 = self
            .conn
            .query_row(
                "SELECT (SELECT count(*) FROM pages WHERE id NOT IN (SELECT page_id FROM articles))
                      + (SELECT count(*) FROM articles WHERE json = '')",
                [],
                |r| r.get(0),
            )
            .map_err(err)?;
        if orphans != 0 {
            return Err(StoreError::Orphans(orphans));
        }
        Ok(())
    }
}

/// The columns every passage query selects, in [`passage_row`]'s order.
const PASSAGE_COLUMNS: &str =
    "id, a_article, a_start, a_end, b_article, b_start, b_end, kind, score";

/// A passage from a row of [`PASSAGE_COLUMNS`].
fn passage_row(r: &rusqlite::Row) -> rusqlite::Result<Passage> {
    Ok(Passage {
        id: format!("p{}", r.get::<_, i64>(0)?),
        a: Span {
            article: format!("a{}", r.get::<_, i64>(1)?),
            start: r.get::<_, i64>(2)? as usize,
            end: r.get::<_, i64>(3)? as usize,
        },
        b: Span {
            article: format!("a{}", r.get::<_, i64>(4)?),
            start: r.get::<_, i64>(5)? as usize,
            end: r.get::<_, i64>(6)? as usize,
        },
        kind: kind_of(&r.get::<_, String>(7)?),
        score: r.get(8)?,
        group: None,
    })
}

fn decode_signature(blob: &[u8]) -> Vec<u64> {
    blob.chunks_exact(8)
        .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
        .collect()
}

fn encode_ids(ids: &[u32]) -> Vec<u8> {
    ids.iter().flat_map(|d| d.to_le_bytes()).collect()
}

fn decode_ids(blob: &[u8]) -> Vec<u32> {
    blob.chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap_or([0; 4])))
        .collect()
}

/// An article stored before the echo index existed, or left by a killed ingest: its id, whether its passages are stored, its signature.
pub type Unindexed = (u32, bool, Vec<u64>);

/// A read transaction over a store: every read through it sees the store as
/// it was at the first one, whatever writers commit meanwhile. Ends when dropped.
pub struct Snapshot<'s> {
    store: &'s Store,
}

impl std::ops::Deref for Snapshot<'_> {
    type Target = Store;

    fn deref(&self) -> &Store {
        self.store
    }
}

impl Drop for Snapshot<'_> {
    fn drop(&mut self) {
        // A read transaction has nothing to lose: ending it cannot fail in a way that matters.
        let _ = self.store.conn.execute_batch("COMMIT");
    }
}

impl Store {
    /// Starts a read transaction (see [`Snapshot`]).
    pub fn snapshot(&self) -> Result<Snapshot<'_>> {
        self.conn.execute_batch("BEGIN").map_err(err)?;
        Ok(Snapshot { store: self })
    }

    /// Starts one ingest batch: everything written through it is stored together or not at all.
    ///
    /// The batch takes the store's write lock when it starts (`BEGIN IMMEDIATE`, waiting up to
    /// the busy timeout): a transaction that read first and wrote later would fail at once
    /// ("database is locked") when another connection, the server's outbox drain say, wrote
    /// in between.
    pub fn batch(&mut self) -> Result<Batch<'_>> {
        Ok(Batch {
            tx: self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                .map_err(err)?,
        })
    }

    /// The stored site profile of these sites: (site, line hash, pages carrying it).
    pub fn site_lines(&self, sites: &[&str]) -> Result<Vec<(String, u64, u32)>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT line, pages FROM site_lines WHERE site = ?1")
            .map_err(err)?;
        let mut out = Vec::new();
        for site in sites {
            let rows = st
                .query_map([site], |r| {
                    Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u32))
                })
                .map_err(err)?;
            for r in rows {
                let (line, pages) = r.map_err(err)?;
                out.push((site.to_string(), line, pages));
            }
        }
        Ok(out)
    }

    /// A stored setting.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(err)
    }

    /// Stores a setting (replacing it).
    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)",
                params![key, value],
            )
            .map(|_| ())
            .map_err(err)
    }

    /// Whether a page (by its `PageLines::page` hash) is counted in the stored site profile.
    pub fn is_profiled(&self, page: u64) -> Result<bool> {
        self.conn
            .prepare_cached("SELECT 1 FROM profiled_pages WHERE page = ?1")
            .and_then(|mut st| st.query_row([page as i64], |_| Ok(())).optional())
            .map(|o| o.is_some())
            .map_err(err)
    }

    /// Articles not yet through the echo index, in insertion order, at most `limit`.
    pub fn unindexed(&self, limit: usize) -> Result<Vec<Unindexed>> {
        let mut st = self
            .conn
            .prepare("SELECT id, aligned, signature FROM articles WHERE indexed = 0 ORDER BY id LIMIT ?1")
            .map_err(err)?;
        let rows = st
            .query_map([limit as i64], |r| {
                Ok((
                    r.get::<_, i64>(0)? as u32,
                    r.get::<_, i64>(1)? != 0,
                    decode_signature(&r.get::<_, Vec<u8>>(2)?),
                ))
            })
            .map_err(err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(err)
    }
}

/// One ingest batch's writes, in one transaction (see [`Store::batch`]).
///
/// Dropping it without [`Batch::commit`] stores nothing: a process killed
/// mid-batch leaves the store as the previous batch left it.
pub struct Batch<'s> {
    tx: rusqlite::Transaction<'s>,
}

impl Batch<'_> {
    /// Stores an article under its page key with its reuse signature; sets its id (`a<rowid>`).
    ///
    /// Returns the row id, or `None` when the page is already stored.
    pub fn add_article(
        &mut self,
        key: &str,
        article: &mut Article,
        signature: &[u64],
    ) -> Result<Option<u32>> {
        let tx = &self.tx;
        let exists = tx
            .query_row("SELECT 1 FROM pages WHERE content_hash = ?1", [key], |_| {
                Ok(())
            })
            .optional()
            .map_err(err)?
            .is_some();
        if exists {
            return Ok(None);
        }
        tx.execute(
            "INSERT INTO pages (content_hash, url, path) VALUES (?1, ?2, ?3)",
            params![key, article.origin.url, article.origin.label()],
        )
        .map_err(err)?;
        let page_id = tx.last_insert_rowid();
        let blob: Vec<u8> = signature.iter().flat_map(|h| h.to_le_bytes()).collect();
        tx.execute(
            "INSERT INTO articles (page_id, json, signature) VALUES (?1, '', ?2)",
            params![page_id, blob],
        )
        .map_err(err)?;
        let id = tx.last_insert_rowid();
        article.id = format!("a{id}");
        let json = serde_json::to_string(&article).map_err(|source| StoreError::Encode {
            what: "article",
            source,
        })?;
        tx.execute(
            "UPDATE articles SET json = ?1 WHERE id = ?2",
            params![json, id],
        )
        .map_err(err)?;
        u32::try_from(id)
            .map(Some)
            .map_err(|_| StoreError::ArticleIdRange(id))
    }

    /// The stored articles with these row ids (in no particular order).
    pub fn articles(&self, ids: &[u32]) -> Result<Vec<Article>> {
        let mut st = self
            .tx
            .prepare_cached("SELECT json FROM articles WHERE id = ?1")
            .map_err(err)?;
        let mut out = Vec::with_capacity(ids.len());
        for &id in ids {
            let json: String = st.query_row([id as i64], |r| r.get(0)).map_err(err)?;
            out.push(
                serde_json::from_str(&json).map_err(|source| StoreError::BadRow {
                    what: "article",
                    id: format!("a{id}"),
                    source,
                })?,
            );
        }
        Ok(out)
    }

    /// Stores passages (their ids are assigned by the store: `p<rowid>`).
    pub fn add_passages(&self, passages: &[Passage]) -> Result<()> {
        let mut st = self
            .tx
            .prepare_cached(
                "INSERT INTO passages (a_article, a_start, a_end, b_article, b_start, b_end, kind, score)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .map_err(err)?;
        for p in passages {
            st.execute(params![
                article_number(&p.a.article)?,
                p.a.start as i64,
                p.a.end as i64,
                article_number(&p.b.article)?,
                p.b.start as i64,
                p.b.end as i64,
                PassageKind::as_str(p.kind),
                p.score
            ])
            .map_err(err)?;
        }
        Ok(())
    }

    /// Marks articles as through the echo index, with their passages stored.
    pub fn mark_done(&self, ids: &[u32]) -> Result<()> {
        let mut st = self
            .tx
            .prepare_cached("UPDATE articles SET indexed = 1, aligned = 1 WHERE id = ?1")
            .map_err(err)?;
        for &id in ids {
            st.execute([id as i64]).map_err(err)?;
        }
        Ok(())
    }

    /// Stores the claims of articles (by id `a<rowid>`).
    pub fn add_claims(&self, found: &[(String, ArticleClaims)]) -> Result<()> {
        let mut st = self
            .tx
            .prepare_cached(
                "INSERT OR REPLACE INTO article_claims (article_id, json) VALUES (?1, ?2)",
            )
            .map_err(err)?;
        for (id, claims) in found {
            let json = serde_json::to_string(claims).map_err(|source| StoreError::Encode {
                what: "claims",
                source,
            })?;
            st.execute(params![article_number(id)?, json])
                .map_err(err)?;
        }
        Ok(())
    }

    /// Counts one stored page's lines in its site's profile (once per page).
    pub fn add_site_lines(&self, page: u64, site: &str, lines: &[u64]) -> Result<()> {
        let fresh = self
            .tx
            .prepare_cached("INSERT OR IGNORE INTO profiled_pages (page) VALUES (?1)")
            .and_then(|mut st| st.execute([page as i64]))
            .map_err(err)?;
        if fresh == 0 {
            return Ok(());
        }
        let mut st = self
            .tx
            .prepare_cached(
                "INSERT INTO site_lines (site, line, pages) VALUES (?1, ?2, 1)
                 ON CONFLICT (site, line) DO UPDATE SET pages = pages + 1",
            )
            .map_err(err)?;
        for &l in lines {
            st.execute(params![site, l as i64]).map_err(err)?;
        }
        Ok(())
    }

    /// Stores everything written through this batch.
    pub fn commit(self) -> Result<()> {
        self.tx.commit().map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn art(body: &str) -> Article {
        Article {
            body: body.into(),
            language: "en".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_batch_that_reads_before_it_writes_is_not_refused_when_another_connection_writes_meanwhile()
    {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut s = Store::open(&path).unwrap();
        let b = s.batch().unwrap();
        assert_eq!(b.storied_count().unwrap(), 0, "the batch reads first");
        // Another connection (the server's outbox drain, say) writes while the batch is open.
        let other = std::thread::spawn(move || {
            let mut o = Store::open(&path).unwrap();
            o.add_webhook("http://127.0.0.1:9/h", "k").unwrap()
        });
        std::thread::sleep(std::time::Duration::from_millis(300));
        let mut b = b;
        b.add_article(&page_hash("p"), &mut art("body"), &[1])
            .expect("the batch writes after the other connection tried to")
            .unwrap();
        b.commit().unwrap();
        assert!(
            other.join().unwrap() > 0,
            "and the other write waited its turn"
        );
        assert_eq!(s.webhooks().unwrap().len(), 1);
    }

    /// Stores articles in one batch; returns their ids (None for pages already stored).
    fn add(s: &mut Store, pages: &[(&str, &str)]) -> Vec<Option<u32>> {
        let mut b = s.batch().unwrap();
        let ids = pages
            .iter()
            .map(|(key, body)| {
                b.add_article(&page_hash(key), &mut art(body), &[1, 2, 3])
                    .unwrap()
            })
            .collect();
        b.commit().unwrap();
        ids
    }

    #[test]
    fn migrates_and_skips_duplicate_pages() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.db");
        let mut s = Store::open(&p).unwrap();
        assert_eq!(s.schema_version().unwrap(), MIGRATIONS.len());
        let ids = add(&mut s, &[("x", "one"), ("y", "two")]);
        assert!(ids.iter().all(Option::is_some));
        assert_eq!(add(&mut s, &[("x", "one")]), vec![None]);
        drop(s);
        let s = Store::open(&p).unwrap();
        assert_eq!(s.counts().unwrap(), (2, 2, 0));
        assert_eq!(s.articles().unwrap()[1].body, "two");
        s.check().unwrap();
    }

    #[test]
    fn a_snapshot_does_not_see_what_commits_after_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let mut writer = Store::open(&path).unwrap();
        add(&mut writer, &[("x", "one")]);
        let reader = Store::open(&path).unwrap();
        let snapshot = reader.snapshot().unwrap();
        assert_eq!(snapshot.counts().unwrap().1, 1);
        add(&mut writer, &[("y", "two")]);
        assert_eq!(snapshot.counts().unwrap().1, 1, "the snapshot holds");
        drop(snapshot);
        assert_eq!(reader.counts().unwrap().1, 2);
    }

    #[test]
    fn revision_moves_when_articles_passages_or_stories_are_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("r.db")).unwrap();
        assert_eq!(s.revision().unwrap(), (0, 0, 0));
        let ids = add(&mut s, &[("x", "one"), ("y", "two")]);
        let after_articles = s.revision().unwrap();
        assert_eq!(after_articles.1, 0);
        assert!(after_articles.0 > 0);
        // A duplicate page changes nothing.
        add(&mut s, &[("x", "one")]);
        assert_eq!(s.revision().unwrap(), after_articles);
        let p = Passage {
            id: String::new(),
            kind: PassageKind::Verbatim,
            a: Span {
                article: format!("a{}", ids[0].unwrap()),
                start: 0,
                end: 3,
            },
            b: Span {
                article: format!("a{}", ids[1].unwrap()),
                start: 0,
                end: 3,
            },
            score: 1.0,
            group: None,
        };
        let b = s.batch().unwrap();
        b.add_passages(&[p]).unwrap();
        b.commit().unwrap();
        let after_passages = s.revision().unwrap();
        assert_eq!(after_passages.0, after_articles.0);
        assert!(after_passages.1 > 0);
        let b = s.batch().unwrap();
        b.put_story(ids[0].unwrap(), 1, Some("{}")).unwrap();
        b.commit().unwrap();
        let after_stories = s.revision().unwrap();
        assert_eq!(after_stories.1, after_passages.1);
        assert_eq!(after_stories.2, 1);
        assert_eq!(s.stories_since(0).unwrap().len(), 1);
        assert!(s.stories_since(1).unwrap().is_empty());
    }

    #[test]
    fn postings_round_trip_and_an_uncommitted_batch_stores_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("p.db")).unwrap();
        let b = s.batch().unwrap();
        b.put_postings(&[(u64::MAX, vec![1, 2]), (7, vec![3])])
            .unwrap();
        b.commit().unwrap();
        let b = s.batch().unwrap();
        let mut got = b.postings(&[7, 8, u64::MAX]).unwrap();
        got.sort();
        assert_eq!(got, vec![(7, vec![3]), (u64::MAX, vec![1, 2])]);
        b.put_postings(&[(8, vec![9])]).unwrap();
        drop(b);
        let b = s.batch().unwrap();
        assert!(b.postings(&[8]).unwrap().is_empty());
    }
}
