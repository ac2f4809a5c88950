//! What the store keeps of sentence vectors, for collections made with a
//! multilingual sentence model.
//!
//! `sentence_vectors` holds one row per distinct (language, sentence text),
//! found by its 64-bit key (see `echotrace_reuse::sentence_index`), with
//! the sentence's vector quantised to one signed byte per component and one
//! scale. `article_sentences` lists, per article, the sentences that were
//! embedded, in text order, with their byte ranges and the vector row they
//! use. A sentence carried by many articles is embedded and kept once; the
//! index on `(sentence, article)` finds its carriers, earliest first.
//!
//! `article_vectors` holds one full-precision vector per article (its title
//! and opening as the stories stage embeds them), so that stories of a
//! growing collection join articles of different languages as `analyze`
//! joins them.
//!
//! Every row is written inside the ingest batch that added the article, so
//! a killed ingest leaves no vector without its article nor the reverse.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension};

use crate::{err, Batch, Result};

/// A stored sentence vector: row id, language, scale, one byte per component.
pub type SentenceVector = (u32, String, f32, Vec<i8>);

/// A stored document vector: article row id, language, components.
pub type ArticleVector = (u32, String, Vec<f32>);

/// One embedded sentence of an article: byte range in its body and the vector row it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArticleSentence {
    /// Start byte in the article's body.
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
    /// Row id of the sentence's vector.
    pub sentence: u32,
}

fn to_bytes(values: &[i8]) -> Vec<u8> {
    values.iter().map(|&v| v as u8).collect()
}

fn from_bytes(bytes: &[u8]) -> Vec<i8> {
    bytes.iter().map(|&b| b as i8).collect()
}

fn floats_to_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn floats_from_bytes(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect()
}

impl Batch<'_> {
    /// Row ids of the stored sentences among these keys.
    pub fn sentence_ids(&self, keys: &[u64]) -> Result<HashMap<u64, u32>> {
        let mut st = self
            .tx
            .prepare_cached("SELECT id FROM sentence_vectors WHERE key = ?1")
            .map_err(err)?;
        let mut out = HashMap::new();
        for &k in keys {
            if let Some(id) = st
                .query_row([k as i64], |r| r.get::<_, i64>(0))
                .optional()
                .map_err(err)?
            {
                out.insert(k, id as u32);
            }
        }
        Ok(out)
    }

    /// Stores a new distinct sentence's vector; returns its row id.
    pub fn add_sentence_vector(
        &self,
        key: u64,
        language: &str,
        scale: f32,
        values: &[i8],
    ) -> Result<u32> {
        self.tx
            .prepare_cached(
                "INSERT INTO sentence_vectors (key, language, scale, vector) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut st| st.execute(params![key as i64, language, scale, to_bytes(values)]))
            .map_err(err)?;
        Ok(self.tx.last_insert_rowid() as u32)
    }

    /// Stores an article's embedded sentences, in text order.
    pub fn add_article_sentences(&self, article: u32, sentences: &[ArticleSentence]) -> Result<()> {
        let mut st = self
            .tx
            .prepare_cached(
                "INSERT OR REPLACE INTO article_sentences (article, position, start, end, sentence)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .map_err(err)?;
        for (i, s) in sentences.iter().enumerate() {
            st.execute(params![
                article as i64,
                i as i64,
                s.start as i64,
                s.end as i64,
                s.sentence as i64
            ])
            .map_err(err)?;
        }
        Ok(())
    }

    /// An article's embedded sentences, in text order.
    pub fn article_sentences(&self, article: u32) -> Result<Vec<ArticleSentence>> {
        let mut st = self
            .tx
            .prepare_cached(
                "SELECT start, end, sentence FROM article_sentences WHERE article = ?1 ORDER BY position",
            )
            .map_err(err)?;
        let rows = st
            .query_map([article as i64], |r| {
                Ok(ArticleSentence {
                    start: r.get::<_, i64>(0)? as usize,
                    end: r.get::<_, i64>(1)? as usize,
                    sentence: r.get::<_, i64>(2)? as u32,
                })
            })
            .map_err(err)?;
        rows.collect::<std::result::Result<Vec<_>, _>>()
            .map_err(err)
    }

    /// The articles carrying a sentence, with its position in each, earliest article first.
    pub fn sentence_carriers(&self, sentence: u32) -> Result<Vec<(u32, usize)>> {
        let mut st = self
            .tx
            .prepare_cached(
                "SELECT article, position FROM article_sentences WHERE sentence = ?1 ORDER BY article, position",
            )
            .map_err(err)?;
        let rows = st
            .query_map([sentence as i64], |r| {
                Ok((r.get::<_, i64>(0)? as u32, r.get::<_, i64>(1)? as usize))
            })
            .map_err(err)?;
        rows.collect::<std::result::Result<Vec<_>, _>>()
            .map_err(err)
    }

    /// The stored sentence vectors with row ids above `after` (0: all), in row order.
    pub fn sentence_vectors_after(&self, after: u32) -> Result<Vec<SentenceVector>> {
        let mut st = self
            .tx
            .prepare_cached(
                "SELECT id, language, scale, vector FROM sentence_vectors WHERE id > ?1 ORDER BY id",
            )
            .map_err(err)?;
        let rows = st
            .query_map([after as i64], |r| {
                Ok((
                    r.get::<_, i64>(0)? as u32,
                    r.get::<_, String>(1)?,
                    r.get::<_, f64>(2)? as f32,
                    from_bytes(&r.get::<_, Vec<u8>>(3)?),
                ))
            })
            .map_err(err)?;
        rows.collect::<std::result::Result<Vec<_>, _>>()
            .map_err(err)
    }

    /// Stores an article's document vector.
    pub fn add_article_vector(&self, article: u32, language: &str, vector: &[f32]) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO article_vectors (article, language, vector) VALUES (?1, ?2, ?3)",
            )
            .and_then(|mut st| st.execute(params![article as i64, language, floats_to_bytes(vector)]))
            .map_err(err)?;
        Ok(())
    }

    /// The document vectors of these articles (those that have one).
    pub fn article_vectors(&self, articles: &[u32]) -> Result<HashMap<u32, Vec<f32>>> {
        let mut st = self
            .tx
            .prepare_cached("SELECT vector FROM article_vectors WHERE article = ?1")
            .map_err(err)?;
        let mut out = HashMap::new();
        for &a in articles {
            if let Some(v) = st
                .query_row([a as i64], |r| r.get::<_, Vec<u8>>(0))
                .optional()
                .map_err(err)?
            {
                out.insert(a, floats_from_bytes(&v));
            }
        }
        Ok(out)
    }

    /// The document vectors of articles with row ids above `after` (0: all), in row order.
    pub fn article_vectors_after(&self, after: u32) -> Result<Vec<ArticleVector>> {
        let mut st = self
            .tx
            .prepare_cached(
                "SELECT article, language, vector FROM article_vectors WHERE article > ?1 ORDER BY article",
            )
            .map_err(err)?;
        let rows = st
            .query_map([after as i64], |r| {
                Ok((
                    r.get::<_, i64>(0)? as u32,
                    r.get::<_, String>(1)?,
                    floats_from_bytes(&r.get::<_, Vec<u8>>(2)?),
                ))
            })
            .map_err(err)?;
        rows.collect::<std::result::Result<Vec<_>, _>>()
            .map_err(err)
    }

    /// How many languages the stored sentence vectors are in.
    pub fn sentence_languages(&self) -> Result<usize> {
        self.tx
            .query_row(
                "SELECT count(*) FROM (SELECT DISTINCT language FROM sentence_vectors)",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as usize)
            .map_err(err)
    }

    /// Distinct sentence vectors stored.
    pub fn sentence_vector_count(&self) -> Result<usize> {
        self.tx
            .query_row("SELECT count(*) FROM sentence_vectors", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as usize)
            .map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    #[test]
    fn sentence_vectors_round_trip_and_carriers_come_earliest_first() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("s.db")).unwrap();
        let b = store.batch().unwrap();
        let id = b
            .add_sentence_vector(42, "en", 0.5, &[-127, 0, 127])
            .unwrap();
        let other = b.add_sentence_vector(43, "de", 0.25, &[1, 2, 3]).unwrap();
        let s = |start, sentence| ArticleSentence {
            start,
            end: start + 5,
            sentence,
        };
        b.add_article_sentences(9, &[s(0, id), s(10, other)])
            .unwrap();
        b.add_article_sentences(3, &[s(4, id)]).unwrap();
        b.commit().unwrap();
        let b = store.batch().unwrap();
        assert_eq!(
            b.sentence_ids(&[42, 44]).unwrap(),
            HashMap::from([(42, id)])
        );
        assert_eq!(b.sentence_vector_count().unwrap(), 2);
        assert_eq!(b.sentence_languages().unwrap(), 2);
        assert_eq!(
            b.sentence_vectors_after(0).unwrap()[0],
            (id, "en".to_string(), 0.5, vec![-127, 0, 127])
        );
        assert_eq!(b.sentence_vectors_after(id).unwrap().len(), 1);
        assert_eq!(b.sentence_carriers(id).unwrap(), vec![(3, 0), (9, 0)]);
        assert_eq!(
            b.article_sentences(9).unwrap(),
            vec![s(0, id), s(10, other)]
        );
        b.add_article_vector(9, "en", &[0.6, -0.8]).unwrap();
        assert_eq!(
            b.article_vectors(&[9, 3]).unwrap(),
            HashMap::from([(9, vec![0.6, -0.8])])
        );
        assert_eq!(
            b.article_vectors_after(8).unwrap(),
            vec![(9, "en".to_string(), vec![0.6, -0.8])]
        );
        assert!(b.article_vectors_after(9).unwrap().is_empty());
        // A second vector for a stored key is refused, not silently duplicated.
        assert!(b.add_sentence_vector(42, "en", 1.0, &[0]).is_err());
    }
}
