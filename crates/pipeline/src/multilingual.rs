//! What a multilingual sentence model adds to a growing collection:
//! translation variants found by meaning, and stories that join articles
//! of different languages.
//!
//! Active only in builds with the `embed` feature and for collections made
//! with a multilingual sentence model; otherwise every method here finds
//! nothing and stores nothing.
//!
//! Translations, per batch (inside its transaction, [`Multilingual::passages`]):
//! 1. the new articles' sentences (those `analyze`'s search would embed:
//!    at least `min_words` words, in an article with a known language);
//! 2. the distinct ones the store lacks are embedded, quantised and stored
//!    (`echotrace_store`'s `sentences` module), with each article's list;
//! 3. once the store holds two languages, an index of every stored sentence
//!    (`echotrace_reuse::sentence_index`) is loaded, once for as long as
//!    this value lives, and takes the rows stored since at each batch after;
//! 4. every sentence a new article carries is looked up in the other
//!    languages and scored by margin, as in `analyze`; a matched sentence
//!    pair becomes article pairs against the earliest carrier of each side
//!    (2k pairs, not k², for a text echoed k times on each side), keeping
//!    those with a new article;
//! 5. runs of matched sentences are merged into `translation` passages,
//!    leaving out what the batch's lexical passages already cover.
//!
//! Stories: each new article's document vector (its title and opening, as
//! `analyze`'s stories stage embeds them) is stored with the article
//! ([`Multilingual::store_documents`]); placing a chunk of new articles
//! adds to their candidates the stored articles of other languages whose
//! document vectors lie closest ([`Multilingual::document_neighbours`], an
//! index of the stored vectors grown like the sentences'), and clusters the
//! neighbourhood with its articles' vectors ([`Multilingual::documents`]).

use std::collections::HashMap;

use echotrace_model::{Article, Diagnostic, Passage};
use echotrace_reuse::semantic::Coverage;
use echotrace_store::Batch;

use crate::{Options, Result};

/// What the multilingual model's searches keep across batches: the indexes of stored sentences
/// and document vectors, kept between ingests by a process that runs several (a server).
#[derive(Default)]
pub struct Multilingual {
    #[cfg(feature = "embed")]
    index: Option<echotrace_reuse::sentence_index::SentenceIndex>,
    /// The highest sentence vector row the index holds.
    #[cfg(feature = "embed")]
    loaded: u32,
    /// The stored document vectors, by article, per language.
    #[cfg(feature = "embed")]
    documents: Option<echotrace_reuse::sentence_index::SentenceIndex>,
    /// The highest article whose document vector that index holds.
    #[cfg(feature = "embed")]
    documents_loaded: u32,
    /// Sentences embedded so far.
    pub embedded: usize,
    /// Neighbour look-ups made so far.
    pub lookups: usize,
}

impl Multilingual {
    /// Translation passages between the batch's new articles and the collection.
    ///
    /// `new` lists the new articles with text (row id, article); `found` the
    /// batch's other passages and `covered` the byte ranges its lexical
    /// passages cover per (earlier, later) article row ids. An embedder
    /// failure is a diagnostic, not an error: the batch keeps its lexical
    /// passages.
    pub fn passages(
        &mut self,
        batch: &Batch,
        new: &[(u32, &Article)],
        found: &[Passage],
        covered: &HashMap<(u32, u32), Coverage>,
        opts: &Options,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<Vec<Passage>> {
        #[cfg(feature = "embed")]
        if let Some(e) = opts.embedder.as_deref().filter(|e| e.multilingual()) {
            return self.search(batch, new, found, covered, e, diagnostics);
        }
        let _ = (batch, new, found, covered, opts, diagnostics);
        Ok(Vec::new())
    }

    /// Stores the document vectors of the batch's new articles (row id, article).
    ///
    /// An embedder failure is a diagnostic: those articles join stories lexically.
    pub fn store_documents(
        &mut self,
        batch: &Batch,
        new: &[(u32, &Article)],
        opts: &Options,
        diagnostics: &mut Vec<Diagnostic>,
    ) -> Result<()> {
        #[cfg(feature = "embed")]
        if let Some(e) = opts.embedder.as_deref().filter(|e| e.multilingual()) {
            let known: Vec<(u32, &Article)> = new
                .iter()
                .filter(|(_, a)| !a.language.is_empty() && a.language != "und")
                .copied()
                .collect();
            let articles: Vec<&Article> = known.iter().map(|x| x.1).collect();
            match echotrace_stories::document_vectors(&articles, e) {
                Ok(vectors) => {
                    for ((id, a), v) in known.iter().zip(&vectors) {
                        batch.add_article_vector(*id, &a.language, v)?;
                    }
                    self.embedded += vectors.len();
                }
                Err(e) => diagnostics.push(Diagnostic::warning(
                    "stories",
                    format!("document embeddings failed ({e}); stories joined lexically only"),
                )),
            }
            return Ok(());
        }
        let _ = (batch, new, opts, diagnostics);
        Ok(())
    }

    /// Stored articles of other languages whose document vectors lie close to those of `new`
    /// (row ids; the new articles themselves left out).
    pub fn document_neighbours(
        &mut self,
        batch: &Batch,
        new: &[u32],
        opts: &Options,
    ) -> Result<Vec<u32>> {
        #[cfg(feature = "embed")]
        if opts.embedder.as_deref().is_some_and(|e| e.multilingual()) {
            use echotrace_reuse::sentence_index::{quantise, SentenceIndex};
            let index = self.documents.get_or_insert_with(SentenceIndex::new);
            let rows = batch.article_vectors_after(self.documents_loaded)?;
            self.documents_loaded = rows.last().map_or(self.documents_loaded, |r| r.0);
            index.insert(
                rows.into_iter()
                    .map(|(id, lang, v)| (id, lang, quantise(&v)))
                    .collect(),
            );
            let is_new: std::collections::HashSet<u32> = new.iter().copied().collect();
            // Quantised vectors stand in for the stored ones here, so the floor is a little lower.
            let floor = echotrace_stories::DOCUMENT_LOW - 0.02;
            let mut out: Vec<u32> = new
                .iter()
                .flat_map(|&id| index.near_in_other_languages(id, DOCUMENT_NEIGHBOURS, floor))
                .map(|(id, _)| id)
                .filter(|id| !is_new.contains(id))
                .collect();
            out.sort_unstable();
            out.dedup();
            return Ok(out);
        }
        let _ = (batch, new, opts);
        Ok(Vec::new())
    }

    /// The document vectors of `articles`, in order (zeros where an article has none);
    /// `None` for a collection without a multilingual model.
    pub fn documents(
        &self,
        batch: &Batch,
        articles: &[u32],
        opts: &Options,
    ) -> Result<Option<Vec<Vec<f32>>>> {
        if !opts.embedder.as_deref().is_some_and(|e| e.multilingual()) {
            return Ok(None);
        }
        let mut stored = batch.article_vectors(articles)?;
        let width = stored.values().next().map_or(0, Vec::len);
        Ok(Some(
            articles
                .iter()
                .map(|a| stored.remove(a).unwrap_or_else(|| vec![0.0; width]))
                .collect(),
        ))
    }
}

/// Stored articles of each other language kept per new article by document vector.
#[cfg(feature = "embed")]
const DOCUMENT_NEIGHBOURS: usize = 8;

#[cfg(feature = "embed")]
mod search {
    use std::collections::{HashMap, HashSet};

    use echotrace_model::{Article, Diagnostic, Passage, PassageKind, Span};
    use echotrace_reuse::semantic::{Coverage, PairMatch, SemanticMatch};
    use echotrace_reuse::sentence_index::{quantise, sentence_key, Quantised, SentenceIndex};
    use echotrace_reuse::translation::{
        add_uncovered, embed_by_length, merge_runs, sentence_words, SentenceMatch,
        TranslationParams,
    };
    use echotrace_reuse::SentenceEmbedder;
    use echotrace_store::{ArticleSentence, Batch};

    use super::Multilingual;
    use crate::Result;

    /// A new article's sentence before it has a vector row: byte range, key, language.
    struct Pending<'t> {
        start: usize,
        end: usize,
        key: u64,
        text: &'t str,
        language: &'t str,
    }

    fn pending<'t>(article: &'t Article, params: &TranslationParams) -> Vec<Pending<'t>> {
        let lang = article.language.as_str();
        if lang.is_empty() || lang == "und" {
            return Vec::new();
        }
        echotrace_language::sentences(&article.body)
            .into_iter()
            .filter_map(|(x, y)| {
                let text = article.body.get(x..y)?;
                (sentence_words(text) >= params.min_words).then(|| Pending {
                    start: x,
                    end: y,
                    key: sentence_key(lang, text),
                    text,
                    language: lang,
                })
            })
            .collect()
    }

    impl Multilingual {
        pub(super) fn search(
            &mut self,
            batch: &Batch,
            new: &[(u32, &Article)],
            found: &[Passage],
            covered: &HashMap<(u32, u32), Coverage>,
            embedder: &dyn SentenceEmbedder,
            diagnostics: &mut Vec<Diagnostic>,
        ) -> Result<Vec<Passage>> {
            let params = TranslationParams::default();
            let per_article: Vec<(u32, Vec<Pending>)> = new
                .iter()
                .map(|(id, a)| (*id, pending(a, &params)))
                .filter(|(_, s)| !s.is_empty())
                .collect();
            if per_article.is_empty() {
                return Ok(Vec::new());
            }
            // Vectors for the distinct sentences the store lacks.
            let mut keys: Vec<u64> = per_article
                .iter()
                .flat_map(|(_, s)| s.iter().map(|p| p.key))
                .collect();
            keys.sort_unstable();
            keys.dedup();
            let mut ids = batch.sentence_ids(&keys)?;
            let mut missing: Vec<&Pending> = Vec::new();
            let mut seen: HashSet<u64> = HashSet::new();
            for p in per_article.iter().flat_map(|(_, s)| s) {
                if !ids.contains_key(&p.key) && seen.insert(p.key) {
                    missing.push(p);
                }
            }
            let texts: Vec<&str> = missing.iter().map(|p| p.text).collect();
            let vectors = match embed_by_length(&texts, embedder) {
                Ok(v) => v,
                Err(e) => {
                    diagnostics.push(Diagnostic::warning(
                        "reuse",
                        format!(
                            "sentence embeddings failed ({e}); no translation search in this batch"
                        ),
                    ));
                    return Ok(Vec::new());
                }
            };
            self.embedded += texts.len();
            for (p, v) in missing.iter().zip(&vectors) {
                let q = quantise(v);
                let id = batch.add_sentence_vector(p.key, p.language, q.scale, &q.values)?;
                ids.insert(p.key, id);
            }
            for (article, sentences) in &per_article {
                let rows: Vec<ArticleSentence> = sentences
                    .iter()
                    .map(|p| ArticleSentence {
                        start: p.start,
                        end: p.end,
                        sentence: ids[&p.key],
                    })
                    .collect();
                batch.add_article_sentences(*article, &rows)?;
            }
            // The index: loaded at the first batch that finds two languages stored, then
            // grown by the rows stored since (this batch's, or another process's ingest).
            if self.index.is_none() && batch.sentence_languages()? < 2 {
                return Ok(Vec::new());
            }
            let index = self.index.get_or_insert_with(SentenceIndex::new);
            let rows = batch.sentence_vectors_after(self.loaded)?;
            self.loaded = rows.last().map_or(self.loaded, |r| r.0);
            index.insert(
                rows.into_iter()
                    .map(|(id, lang, scale, values)| (id, lang, Quantised { scale, values }))
                    .collect(),
            );
            if index.languages() < 2 {
                return Ok(Vec::new());
            }
            let mut queries: Vec<u32> = ids.values().copied().collect();
            queries.sort_unstable();
            queries.dedup();
            let (units, lookups) = index.matches(&queries, &params);
            self.lookups += lookups;
            let is_new: HashSet<u32> = new.iter().map(|x| x.0).collect();
            self.passages_of(batch, &units, &is_new, found, covered, &params)
        }

        /// Expands sentence matches to article pairs with a new article, merges runs, drops covered ones.
        fn passages_of(
            &self,
            batch: &Batch,
            units: &[echotrace_reuse::sentence_index::UnitMatch],
            is_new: &HashSet<u32>,
            found: &[Passage],
            covered: &HashMap<(u32, u32), Coverage>,
            params: &TranslationParams,
        ) -> Result<Vec<Passage>> {
            let floor = params.run_margin.min(params.single_margin);
            let mut carriers: HashMap<u32, Vec<(u32, usize)>> = HashMap::new();
            let mut unit_pairs: HashSet<(u32, u32)> = HashSet::new();
            // (earlier article, its sentence position, later article, position) -> (cosine, margin)
            let mut pairs: HashMap<(u32, usize, u32, usize), (f32, f32)> = HashMap::new();
            for m in units {
                if m.margin < floor
                    || !unit_pairs.insert((m.query.min(m.other), m.query.max(m.other)))
                {
                    continue;
                }
                for u in [m.query, m.other] {
                    if let std::collections::hash_map::Entry::Vacant(e) = carriers.entry(u) {
                        e.insert(batch.sentence_carriers(u)?);
                    }
                }
                let (cu, cv) = (&carriers[&m.query], &carriers[&m.other]);
                let (Some(&first_u), Some(&first_v)) = (cu.first(), cv.first()) else {
                    continue;
                };
                let expanded = cv
                    .iter()
                    .map(|&y| (first_u, y))
                    .chain(cu.iter().skip(1).map(|&x| (x, first_v)));
                for ((da, sa), (db, sb)) in expanded {
                    if da == db || !(is_new.contains(&da) || is_new.contains(&db)) {
                        continue;
                    }
                    let key = if da < db {
                        (da, sa, db, sb)
                    } else {
                        (db, sb, da, sa)
                    };
                    pairs.entry(key).or_insert((m.cosine, m.margin));
                }
            }
            if pairs.is_empty() {
                return Ok(Vec::new());
            }
            // Local numbering, in article order, for the run merger.
            let mut articles: Vec<u32> = pairs.keys().flat_map(|k| [k.0, k.2]).collect();
            articles.sort_unstable();
            articles.dedup();
            let local: HashMap<u32, usize> =
                articles.iter().enumerate().map(|(i, &a)| (a, i)).collect();
            let mut sentences = Vec::with_capacity(articles.len());
            for &a in &articles {
                sentences.push(
                    batch
                        .article_sentences(a)?
                        .into_iter()
                        .map(|s| (s.start, s.end))
                        .collect::<Vec<_>>(),
                );
            }
            let mut matches: Vec<SentenceMatch> = pairs
                .into_iter()
                .map(|((a, sa, b, sb), (cosine, margin))| SentenceMatch {
                    a: local[&a],
                    sa,
                    b: local[&b],
                    sb,
                    cosine,
                    margin,
                })
                .collect();
            matches.sort_by_key(|m| (m.a, m.b, m.sa, m.sb));
            let runs = merge_runs(&sentences, &matches, params);
            let number = |id: &str| id.strip_prefix('a').and_then(|n| n.parse::<u32>().ok());
            let taken: Vec<PairMatch> = found
                .iter()
                .filter_map(|p| {
                    let (a, b) = (
                        local.get(&number(&p.a.article)?)?,
                        local.get(&number(&p.b.article)?)?,
                    );
                    Some((
                        *a,
                        *b,
                        SemanticMatch {
                            a: (p.a.start, p.a.end),
                            b: (p.b.start, p.b.end),
                            cosine: p.score as f32,
                        },
                    ))
                })
                .collect();
            let lexical: HashMap<(usize, usize), Coverage> = covered
                .iter()
                .filter_map(|((a, b), c)| Some(((*local.get(a)?, *local.get(b)?), c.clone())))
                .collect();
            let before = taken.len();
            let kept = add_uncovered(taken, runs, &lexical);
            Ok(kept[before..]
                .iter()
                .map(|(a, b, m)| Passage {
                    id: String::new(),
                    kind: PassageKind::Translation,
                    a: Span {
                        article: format!("a{}", articles[*a]),
                        start: m.a.0,
                        end: m.a.1,
                    },
                    b: Span {
                        article: format!("a{}", articles[*b]),
                        start: m.b.0,
                        end: m.b.1,
                    },
                    score: (f64::from(m.cosine) * 1000.0).round() / 1000.0,
                    group: None,
                })
                .collect())
        }
    }
}
