//! What the store keeps of stories as the collection grows.
//!
//! Each article row names its story (the row id of the story's
//! earliest-added article, NULL until the article is placed). Each story
//! has one row holding its analysis as JSON (what the pipeline computed for
//! it: the story, its source, edges, divergences...), written with the
//! story revision of the update that last touched it, so a reader asks only
//! for the rows past the revision it holds. A story merged into another
//! keeps its row with no JSON: readers drop it.
//!
//! Placing new articles needs term statistics of everything stored: the
//! `story_terms` table holds, per term hash, its document frequency and,
//! while the term is rare, the articles carrying it (how a new article finds
//! the stored articles it may share a story with, without reading them all).

use std::collections::{BTreeMap, HashMap};

use echotrace_claims::ArticleClaims;
use echotrace_model::Passage;
use rusqlite::{params, OptionalExtension};

use crate::{
    decode_claims, decode_ids, encode_ids, err, passage_row, Batch, Result, Store, PASSAGE_COLUMNS,
};

/// One stored story: its id (`s<id>`), the revision that wrote it, its analysis (`None`: merged away).
#[derive(Debug, Clone, PartialEq)]
pub struct StoryRow {
    /// Row id of the story's earliest-added article.
    pub id: u32,
    /// The story revision of the update that last wrote it.
    pub revision: i64,
    /// The story's analysis as JSON; `None` once merged into another story.
    pub json: Option<String>,
}

/// Per term hash: its document frequency and, while rare, the articles carrying it.
pub type TermRow = (u64, u32, Option<Vec<u32>>);

impl Store {
    /// Row ids of articles not yet placed in a story, oldest first, at most `limit`.
    pub fn unstoried(&self, limit: usize) -> Result<Vec<u32>> {
        let mut st = self
            .conn
            .prepare("SELECT id FROM articles WHERE story IS NULL ORDER BY id LIMIT ?1")
            .map_err(err)?;
        let rows = st
            .query_map([limit as i64], |r| r.get::<_, i64>(0).map(|v| v as u32))
            .map_err(err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(err)
    }

    /// How many articles are not yet placed in a story.
    pub fn unstoried_count(&self) -> Result<usize> {
        self.conn
            .query_row(
                "SELECT count(*) FROM articles WHERE story IS NULL",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|v| v as usize)
            .map_err(err)
    }

    /// Stories written after `revision` (every story for `-1`), by id; merged-away ones come with no JSON.
    pub fn stories_since(&self, revision: i64) -> Result<Vec<StoryRow>> {
        let mut st = self
            .conn
            .prepare("SELECT id, revision, json FROM stories WHERE revision > ?1 ORDER BY id")
            .map_err(err)?;
        let rows = st
            .query_map([revision], |r| {
                Ok(StoryRow {
                    id: r.get::<_, i64>(0)? as u32,
                    revision: r.get(1)?,
                    json: r.get(2)?,
                })
            })
            .map_err(err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(err)
    }

    /// The newest story revision (0 for a store whose stories were never built).
    pub fn story_revision(&self) -> Result<i64> {
        self.conn
            .query_row("SELECT ifnull(max(revision), 0) FROM stories", [], |r| {
                r.get(0)
            })
            .map_err(err)
    }

    /// How many articles are placed in stories.
    pub fn storied_count(&self) -> Result<usize> {
        self.conn
            .query_row(
                "SELECT count(*) FROM articles WHERE story IS NOT NULL",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|v| v as usize)
            .map_err(err)
    }
}

impl Store {
    /// The story an article is in: `None` when there is no such article, `Some(None)` while it is not placed yet.
    pub fn story_of(&self, article: u32) -> Result<Option<Option<u32>>> {
        self.conn
            .query_row(
                "SELECT story FROM articles WHERE id = ?1",
                [article as i64],
                |r| r.get::<_, Option<i64>>(0),
            )
            .optional()
            .map(|s| s.map(|s| s.map(|s| s as u32)))
            .map_err(err)
    }
}

impl Batch<'_> {
    /// The stored statistics of these terms (those that have any).
    pub fn story_terms(&self, terms: &[u64]) -> Result<Vec<TermRow>> {
        let mut st = self
            .tx
            .prepare_cached("SELECT df, docs FROM story_terms WHERE term = ?1")
            .map_err(err)?;
        let mut out = Vec::new();
        for &t in terms {
            let found = st
                .query_row([t as i64], |r| {
                    Ok((r.get::<_, i64>(0)? as u32, r.get::<_, Option<Vec<u8>>>(1)?))
                })
                .optional()
                .map_err(err)?;
            if let Some((df, docs)) = found {
                out.push((t, df, docs.map(|b| decode_ids(&b))));
            }
        }
        Ok(out)
    }

    /// Replaces the statistics of these terms.
    pub fn put_story_terms(&self, rows: &[TermRow]) -> Result<()> {
        let mut st = self
            .tx
            .prepare_cached(
                "INSERT OR REPLACE INTO story_terms (term, df, docs) VALUES (?1, ?2, ?3)",
            )
            .map_err(err)?;
        for (t, df, docs) in rows {
            st.execute(params![
                *t as i64,
                *df as i64,
                docs.as_deref().map(encode_ids)
            ])
            .map_err(err)?;
        }
        Ok(())
    }

    /// The story of each of these articles (`None`: not placed yet).
    pub fn stories_of(&self, ids: &[u32]) -> Result<HashMap<u32, Option<u32>>> {
        let mut st = self
            .tx
            .prepare_cached("SELECT story FROM articles WHERE id = ?1")
            .map_err(err)?;
        let mut out = HashMap::with_capacity(ids.len());
        for &id in ids {
            let story: Option<Option<i64>> = st
                .query_row([id as i64], |r| r.get(0))
                .optional()
                .map_err(err)?;
            if let Some(story) = story {
                out.insert(id, story.map(|s| s as u32));
            }
        }
        Ok(out)
    }

    /// The articles of these stories, as `(article, story)`.
    pub fn members(&self, stories: &[u32]) -> Result<Vec<(u32, u32)>> {
        let mut st = self
            .tx
            .prepare_cached("SELECT id FROM articles WHERE story = ?1 ORDER BY id")
            .map_err(err)?;
        let mut out = Vec::new();
        for &s in stories {
            let rows = st
                .query_map([s as i64], |r| r.get::<_, i64>(0))
                .map_err(err)?;
            for r in rows {
                out.push((r.map_err(err)? as u32, s));
            }
        }
        Ok(out)
    }

    /// Every stored passage with one side in these articles, once each, by id.
    pub fn passages_touching(&self, ids: &[u32]) -> Result<Vec<Passage>> {
        passages_touching_in(&self.tx, ids)
    }

    /// Places articles in stories: `(article, story)`.
    pub fn place(&self, placed: &[(u32, u32)]) -> Result<()> {
        let mut st = self
            .tx
            .prepare_cached("UPDATE articles SET story = ?2 WHERE id = ?1")
            .map_err(err)?;
        for &(a, s) in placed {
            st.execute(params![a as i64, s as i64]).map_err(err)?;
        }
        Ok(())
    }

    /// Writes a story's analysis at `revision` (`None`: the story was merged away).
    pub fn put_story(&self, id: u32, revision: i64, json: Option<&str>) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO stories (id, revision, json) VALUES (?1, ?2, ?3)",
            )
            .and_then(|mut st| st.execute(params![id as i64, revision, json]))
            .map(|_| ())
            .map_err(err)
    }

    /// The stored analysis of these stories (those that have one).
    pub fn story_json(&self, ids: &[u32]) -> Result<Vec<(u32, String)>> {
        self.text_by_id(
            "SELECT json FROM stories WHERE id = ?1 AND json IS NOT NULL",
            ids,
        )
    }

    /// The one text column a point query by row id selects, for each id that has a row.
    fn text_by_id(&self, sql: &str, ids: &[u32]) -> Result<Vec<(u32, String)>> {
        let mut st = self.tx.prepare_cached(sql).map_err(err)?;
        let mut out = Vec::with_capacity(ids.len());
        for &id in ids {
            if let Some(text) = st
                .query_row([id as i64], |r| r.get::<_, String>(0))
                .optional()
                .map_err(err)?
            {
                out.push((id, text));
            }
        }
        Ok(out)
    }

    /// The stored claims of these articles (those that have them), by article id `a<rowid>`.
    pub fn claims(&self, ids: &[u32]) -> Result<HashMap<String, ArticleClaims>> {
        let mut out = HashMap::new();
        for (id, json) in
            self.text_by_id("SELECT json FROM article_claims WHERE article_id = ?1", ids)?
        {
            out.insert(format!("a{id}"), decode_claims(id.into(), &json)?);
        }
        Ok(out)
    }

    /// The newest story revision written so far.
    pub fn story_revision(&self) -> Result<i64> {
        self.tx
            .query_row("SELECT ifnull(max(revision), 0) FROM stories", [], |r| {
                r.get(0)
            })
            .map_err(err)
    }

    /// How many articles are placed in stories.
    pub fn storied_count(&self) -> Result<usize> {
        self.tx
            .query_row(
                "SELECT count(*) FROM articles WHERE story IS NOT NULL",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|v| v as usize)
            .map_err(err)
    }
}

impl crate::Store {
    /// Every stored passage with one side in these articles, once each, by id.
    pub fn passages_touching(&self, ids: &[u32]) -> Result<Vec<Passage>> {
        passages_touching_in(&self.conn, ids)
    }
}

/// [`Batch::passages_touching`], read through `conn`.
fn passages_touching_in(conn: &rusqlite::Connection, ids: &[u32]) -> Result<Vec<Passage>> {
    let mut found: BTreeMap<u64, Passage> = BTreeMap::new();
    for side in ["a_article", "b_article"] {
        let mut st = conn
            .prepare_cached(&format!(
                "SELECT {PASSAGE_COLUMNS} FROM passages WHERE {side} = ?1"
            ))
            .map_err(err)?;
        for &id in ids {
            let rows = st.query_map([id as i64], passage_row).map_err(err)?;
            for r in rows {
                let p = r.map_err(err)?;
                let key = p.id[1..].parse::<u64>().unwrap_or(0);
                found.insert(key, p);
            }
        }
    }
    Ok(found.into_values().collect())
}
