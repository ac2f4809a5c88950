//! The echo index's postings (n-gram hash -> the articles representing it), written in levels.
//!
//! A batch of new articles posts a few hundred thousand n-grams, each a
//! random key. Written straight into one B-tree, each commit dirties pages
//! all over it, and the tree grows with the collection: the cost of a batch
//! grew with the store (docs/MEASUREMENTS.md, "Incremental ingest"). So
//! postings are written to level 0, a small key range of `posting_levels`;
//! when a level holds more than its capacity ([`LEVEL0_ROWS`] times
//! [`LEVEL_RATIO`] per level) it is merged into the next in key order, and
//! the last level into the `postings` table. A batch then rewrites a bounded
//! part of the index, and each row moves down a fixed number of times
//! (a log-structured merge, the idea of LSM trees, kept inside the one
//! SQLite file so that a batch stays one transaction).
//!
//! A lookup reads the levels newest first and stops at the first that has
//! the n-gram: a level holds a gram's whole list as of when it was written.

use rusqlite::{params, OptionalExtension};

use crate::{decode_ids, encode_ids, err, Batch, Result};

/// Rows level 0 may hold before it is merged down (a handful under test, so that merges happen).
pub const LEVEL0_ROWS: i64 = if cfg!(test) { 4 } else { 1 << 18 };
/// How much larger each level may grow than the one above it.
pub const LEVEL_RATIO: i64 = 4;
/// Levels above the `postings` table.
pub const LEVELS: i64 = 3;

impl Batch<'_> {
    /// The echo-index postings of these n-grams (those that have any).
    pub fn postings(&self, grams: &[u64]) -> Result<Vec<(u64, Vec<u32>)>> {
        postings_in(&self.tx, grams)
    }

    /// Replaces the postings of these n-grams (written to level 0; full levels are merged down).
    pub fn put_postings(&self, postings: &[(u64, Vec<u32>)]) -> Result<()> {
        {
            let mut st = self
                .tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO posting_levels (level, gram, docs) VALUES (0, ?1, ?2)",
                )
                .map_err(err)?;
            for (g, docs) in postings {
                st.execute(params![*g as i64, encode_ids(docs)])
                    .map_err(err)?;
            }
        }
        // Counted as written (a replaced row counts again): merges come a little early, never late.
        self.add_level_rows(0, postings.len() as i64)?;
        let mut capacity = LEVEL0_ROWS;
        for l in 0..LEVELS {
            if self.level_rows(l)? > capacity {
                self.merge_down(l)?;
            }
            capacity *= LEVEL_RATIO;
        }
        Ok(())
    }

    fn level_rows(&self, level: i64) -> Result<i64> {
        self.tx
            .query_row(
                "SELECT rows FROM posting_level_rows WHERE level = ?1",
                [level],
                |r| r.get(0),
            )
            .optional()
            .map(|v| v.unwrap_or(0))
            .map_err(err)
    }

    fn add_level_rows(&self, level: i64, rows: i64) -> Result<()> {
        self.tx
            .execute(
                "INSERT INTO posting_level_rows (level, rows) VALUES (?1, ?2)
                 ON CONFLICT (level) DO UPDATE SET rows = rows + excluded.rows",
                params![level, rows],
            )
            .map(|_| ())
            .map_err(err)
    }

    /// Moves every row of `level` into the next level (the `postings` table below the last), newer over older.
    fn merge_down(&self, level: i64) -> Result<()> {
        if level + 1 < LEVELS {
            self.tx
                .execute(
                    "INSERT OR REPLACE INTO posting_levels (level, gram, docs)
                     SELECT ?2, gram, docs FROM posting_levels WHERE level = ?1 ORDER BY gram",
                    params![level, level + 1],
                )
                .map_err(err)?;
            let rows: i64 = self
                .tx
                .query_row(
                    "SELECT count(*) FROM posting_levels WHERE level = ?1",
                    [level + 1],
                    |r| r.get(0),
                )
                .map_err(err)?;
            self.tx
                .execute(
                    "INSERT OR REPLACE INTO posting_level_rows (level, rows) VALUES (?1, ?2)",
                    params![level + 1, rows],
                )
                .map_err(err)?;
        } else {
            self.tx
                .execute(
                    "INSERT OR REPLACE INTO postings (gram, docs)
                     SELECT gram, docs FROM posting_levels WHERE level = ?1 ORDER BY gram",
                    [level],
                )
                .map_err(err)?;
        }
        self.tx
            .execute("DELETE FROM posting_levels WHERE level = ?1", [level])
            .map_err(err)?;
        self.tx
            .execute(
                "INSERT OR REPLACE INTO posting_level_rows (level, rows) VALUES (?1, 0)",
                [level],
            )
            .map(|_| ())
            .map_err(err)
    }
}

impl crate::Store {
    /// The echo-index postings of these n-grams (those that have any): which articles hold each.
    pub fn postings(&self, grams: &[u64]) -> Result<Vec<(u64, Vec<u32>)>> {
        postings_in(&self.conn, grams)
    }
}

/// The echo-index postings of these n-grams (those that have any), read through `conn`.
fn postings_in(conn: &rusqlite::Connection, grams: &[u64]) -> Result<Vec<(u64, Vec<u32>)>> {
    let filled: Vec<i64> = {
        let mut st = conn
            .prepare_cached("SELECT level FROM posting_level_rows WHERE rows > 0 ORDER BY level")
            .map_err(err)?;
        let rows = st.query_map([], |r| r.get(0)).map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)?
    };
    let mut level = conn
        .prepare_cached("SELECT docs FROM posting_levels WHERE level = ?1 AND gram = ?2")
        .map_err(err)?;
    let mut base = conn
        .prepare_cached("SELECT docs FROM postings WHERE gram = ?1")
        .map_err(err)?;
    let mut out = Vec::new();
    for &g in grams {
        let mut found = None;
        for &l in &filled {
            found = level
                .query_row(params![l, g as i64], |r| r.get::<_, Vec<u8>>(0))
                .optional()
                .map_err(err)?;
            if found.is_some() {
                break;
            }
        }
        if found.is_none() {
            found = base
                .query_row([g as i64], |r| r.get::<_, Vec<u8>>(0))
                .optional()
                .map_err(err)?;
        }
        if let Some(blob) = found {
            out.push((g, decode_ids(&blob)));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::Store;

    #[test]
    fn postings_read_back_newest_first_through_every_merge() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("p.db")).unwrap();
        // 200 rounds: gram g gets document r each round it is written; full
        // levels merge down (level 0 holds 4 rows, level 1 16, level 2 64) to the table.
        let mut want: std::collections::HashMap<u64, Vec<u32>> = Default::default();
        for r in 0..200u32 {
            let b = s.batch().unwrap();
            let grams = [
                u64::from(r % 37),
                u64::from(r % 41) + 100,
                u64::MAX - u64::from(r % 43),
            ];
            let mut writes = Vec::new();
            for g in grams {
                let mut docs = b
                    .postings(&[g])
                    .unwrap()
                    .pop()
                    .map(|x| x.1)
                    .unwrap_or_default();
                docs.push(r);
                writes.push((g, docs.clone()));
                want.insert(g, docs);
            }
            b.put_postings(&writes).unwrap();
            b.commit().unwrap();
        }
        let b = s.batch().unwrap();
        let mut keys: Vec<u64> = want.keys().copied().collect();
        keys.sort_unstable();
        for (g, docs) in b.postings(&keys).unwrap() {
            assert_eq!(docs, want[&g], "gram {g}");
        }
        assert_eq!(b.postings(&keys).unwrap().len(), keys.len());
        let base: i64 =
            b.tx.query_row("SELECT count(*) FROM postings", [], |r| r.get(0))
                .unwrap();
        assert!(base > 0, "the last level was merged into the table");
    }
}
