//! Search: a tantivy index over article titles and bodies, kept beside the store.
//!
//! Fields: `id`, `outlet` (exact), `day` (days since 1970-01-01 of the
//! publication date, for ranges), `title` and `body` (tantivy's default
//! tokenizer: lower-cased words, positions kept for phrase queries, any
//! language), and `stemmed`: title and body again through a Snowball stemmer
//! chosen by the article's language (English, German, Spanish, French,
//! Russian, Arabic and the other languages tantivy's stemmer knows), so
//! "recruits" finds "recruiting". Queries use tantivy's query syntax
//! (`"exact phrase"`, `AND`, `OR`, `-term`) over title, body and the stemmed
//! field. Re-adding an article replaces it (delete by id, then add).

use std::path::{Path, PathBuf};

use echotrace_model::Article;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, FAST, INDEXED, STORED,
    STRING, TEXT,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};
use tantivy::{doc, DocAddress, Index, IndexReader, IndexWriter, Searcher, TantivyDocument, Term};

/// Languages with a stemmer, by ISO 639-1 code.
const STEMMED: &[(&str, Language)] = &[
    ("en", Language::English),
    ("de", Language::German),
    ("es", Language::Spanish),
    ("fr", Language::French),
    ("ru", Language::Russian),
    ("ar", Language::Arabic),
    ("it", Language::Italian),
    ("pt", Language::Portuguese),
    ("nl", Language::Dutch),
    ("sv", Language::Swedish),
    ("da", Language::Danish),
    ("fi", Language::Finnish),
    ("hu", Language::Hungarian),
    ("no", Language::Norwegian),
    ("ro", Language::Romanian),
    ("ta", Language::Tamil),
    ("tr", Language::Turkish),
    ("el", Language::Greek),
];

/// The index and its fields.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    outlet: Field,
    day: Field,
    title: Field,
    body: Field,
    stemmed: Field,
}

/// Filters applied to a query.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Only articles of this outlet (exact name).
    pub outlet: Option<String>,
    /// Only articles published on or after this day (`YYYY-MM-DD`).
    pub from: Option<String>,
    /// Only articles published on or before this day (`YYYY-MM-DD`).
    pub to: Option<String>,
    /// Only these article ids (a story's members).
    pub articles: Option<Vec<String>>,
}

/// One search hit.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The article id.
    pub article: String,
    /// Relevance score (BM25).
    pub score: f32,
    /// A fragment of the body around the matches, plain text.
    pub snippet: String,
    /// Byte ranges of the matched words inside `snippet`.
    pub highlights: Vec<(usize, usize)>,
}

/// Where the index of a store lives: `FILE.search/` beside it.
pub fn index_dir(db: &Path) -> PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(".search");
    PathBuf::from(p)
}

fn schema() -> (Schema, Fields) {
    let mut sb = Schema::builder();
    let stemmed_opts = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("echotrace_stem")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: sb.add_text_field("id", STRING | STORED),
        outlet: sb.add_text_field("outlet", STRING | STORED),
        day: sb.add_i64_field("day", INDEXED | STORED | FAST),
        title: sb.add_text_field("title", TEXT | STORED),
        body: sb.add_text_field("body", TEXT | STORED),
        stemmed: sb.add_text_field("stemmed", stemmed_opts),
    };
    (sb.build(), fields)
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` filter bound.
fn day_number(value: &str) -> Option<i64> {
    epoch_day(chrono::NaiveDate::parse_from_str(value.get(..10)?, "%Y-%m-%d").ok()?)
}

fn epoch_day(d: chrono::NaiveDate) -> Option<i64> {
    Some((d - chrono::NaiveDate::from_ymd_opt(1970, 1, 1)?).num_days())
}

/// Text for the stemmed field: each word stemmed for the article's language
/// (the field's own analyser only lower-cases, so one field serves every language).
fn stem_text(text: &str, language: &str) -> String {
    let Some((_, lang)) = STEMMED.iter().find(|(c, _)| *c == language) else {
        return text.to_string();
    };
    let mut analyzer = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(Stemmer::new(*lang))
        .build();
    let mut out = String::with_capacity(text.len());
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push_str(&stream.token().text);
        out.push(' ');
    }
    out
}

/// One clause of a boolean query: how it must occur, and the query.
type Clause = (Occur, Box<dyn Query>);

/// An error of the search index.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The index directory could not be created.
    #[error("cannot create {path}: {source}")]
    CreateDirectory {
        /// The index directory.
        path: std::path::PathBuf,
        /// What the file system said.
        source: std::io::Error,
    },
    /// The index directory could not be opened.
    #[error("cannot open {path}: {source}")]
    OpenDirectory {
        /// The index directory.
        path: std::path::PathBuf,
        /// What tantivy said.
        source: tantivy::directory::error::OpenDirectoryError,
    },
    /// The directory holds no readable index.
    #[error("search index {path}: {source}; delete that directory and re-run `echotrace ingest` to rebuild it")]
    Unreadable {
        /// The index directory.
        path: std::path::PathBuf,
        /// What tantivy said.
        source: tantivy::TantivyError,
    },
    /// Reading or writing the index failed.
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    /// The query does not parse.
    #[error("bad query {query:?}: {source}")]
    BadQuery {
        /// The query as given.
        query: String,
        /// What the parser said.
        source: tantivy::query::QueryParserError,
    },
    /// A date filter that is not `YYYY-MM-DD`.
    #[error("bad date {0:?}: use YYYY-MM-DD")]
    BadDate(String),
}

impl SearchError {
    /// Whether the error lies in the request (query or filters) rather than the index.
    pub fn is_bad_request(&self) -> bool {
        matches!(self, SearchError::BadQuery { .. } | SearchError::BadDate(_))
    }
}

/// The search index's result type.
pub type Result<T, E = SearchError> = std::result::Result<T, E>;

impl SearchIndex {
    /// Opens the index in `dir`, creating it when missing.
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        let (schema, fields) = schema();
        std::fs::create_dir_all(dir).map_err(|source| SearchError::CreateDirectory {
            path: dir.to_path_buf(),
            source,
        })?;
        let mmap = tantivy::directory::MmapDirectory::open(dir).map_err(|source| {
            SearchError::OpenDirectory {
                path: dir.to_path_buf(),
                source,
            }
        })?;
        let index =
            Index::open_or_create(mmap, schema).map_err(|source| SearchError::Unreadable {
                path: dir.to_path_buf(),
                source,
            })?;
        index.tokenizers().register(
            "echotrace_stem",
            TextAnalyzer::builder(SimpleTokenizer::default())
                .filter(RemoveLongFilter::limit(40))
                .filter(LowerCaser)
                .build(),
        );
        let reader = index.reader()?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
        })
    }

    /// Adds (or replaces) articles and commits.
    pub fn add(&self, articles: &[Article]) -> Result<()> {
        let mut writer: IndexWriter = self.index.writer(50_000_000)?;
        let f = self.fields;
        for a in articles {
            writer.delete_term(Term::from_field_text(f.id, &a.id));
            let title = a.title.clone().unwrap_or_default();
            let mut d = doc!(
                f.id => a.id.as_str(),
                f.title => title.as_str(),
                f.body => a.body.as_str(),
                f.stemmed => stem_text(&format!("{title}\n{}", a.body), &a.language),
            );
            if let Some(o) = &a.outlet {
                d.add_text(f.outlet, o);
            }
            if let Some(day) = a
                .published
                .as_ref()
                .and_then(|p| p.value.date())
                .and_then(epoch_day)
            {
                d.add_i64(f.day, day);
            }
            writer.add_document(d)?;
        }
        writer.commit()?;
        // Let the segment merges this commit started finish: an ingest adds a
        // few thousand articles at a time, and a writer dropped mid-merge
        // leaves a pile of small segments (2.5 GB against 0.7 GB at 300k).
        writer.wait_merging_threads()?;
        self.reader.reload()?;
        Ok(())
    }

    /// Makes commits by other processes (an `ingest` beside a server) visible now.
    pub fn refresh(&self) -> Result<()> {
        Ok(self.reader.reload()?)
    }

    /// Number of indexed articles.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The best `limit` hits for `query` under `filters`.
    pub fn search(&self, query: &str, filters: &Filters, limit: usize) -> Result<Vec<Hit>> {
        let f = self.fields;
        let searcher = self.reader.searcher();
        let parser = QueryParser::for_index(&self.index, vec![f.title, f.body]);
        let text_query = parser
            .parse_query(query)
            .map_err(|source| SearchError::BadQuery {
                query: query.to_string(),
                source,
            })?;
        let mut should: Vec<Clause> = vec![(Occur::Should, text_query.box_clone())];
        if let Some(stems) = self.stem_query(query) {
            should.push((Occur::Should, Box::new(stems)));
        }
        let mut must: Vec<Clause> = vec![(Occur::Must, Box::new(BooleanQuery::new(should)))];
        must.extend(self.filter_queries(filters)?);
        let full = BooleanQuery::new(must);
        let top = searcher.search(&full, &TopDocs::with_limit(limit.max(1)).order_by_score())?;
        self.hits(&searcher, top, &*text_query)
    }

    /// The query's words stemmed for every known language, any of them, on the
    /// stemmed field; none for a phrase query or a query without words.
    fn stem_query(&self, query: &str) -> Option<BooleanQuery> {
        let words: Vec<String> = query
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty() && !matches!(*w, "AND" | "OR" | "NOT"))
            .map(str::to_lowercase)
            .collect();
        if query.contains('"') || words.is_empty() {
            return None;
        }
        let mut stems: Vec<String> = STEMMED
            .iter()
            .flat_map(|(code, _)| {
                stem_text(&words.join(" "), code)
                    .split_whitespace()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        stems.sort();
        stems.dedup();
        Some(BooleanQuery::new(
            stems
                .into_iter()
                .map(|s| {
                    let q: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_text(self.fields.stemmed, &s),
                        IndexRecordOption::WithFreqs,
                    ));
                    (Occur::Should, q)
                })
                .collect(),
        ))
    }

    /// The clauses every hit must meet: outlet, date range, one of the articles.
    fn filter_queries(&self, filters: &Filters) -> Result<Vec<Clause>> {
        let f = self.fields;
        let mut must: Vec<Clause> = Vec::new();
        if let Some(o) = &filters.outlet {
            must.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.outlet, o),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if filters.from.is_some() || filters.to.is_some() {
            let bound = |v: &Option<String>| -> Result<std::ops::Bound<Term>> {
                match v {
                    None => Ok(std::ops::Bound::Unbounded),
                    Some(s) => day_number(s)
                        .map(|d| std::ops::Bound::Included(Term::from_field_i64(f.day, d)))
                        .ok_or_else(|| SearchError::BadDate(s.clone())),
                }
            };
            must.push((
                Occur::Must,
                Box::new(RangeQuery::new(bound(&filters.from)?, bound(&filters.to)?)),
            ));
        }
        if let Some(ids) = &filters.articles {
            let any: Vec<Clause> = ids
                .iter()
                .map(|id| {
                    let q: Box<dyn Query> = Box::new(TermQuery::new(
                        Term::from_field_text(f.id, id),
                        IndexRecordOption::Basic,
                    ));
                    (Occur::Should, q)
                })
                .collect();
            must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        Ok(must)
    }

    /// The top documents as hits, with a snippet of the body highlighting what `text_query` matched.
    fn hits(
        &self,
        searcher: &Searcher,
        top: Vec<(f32, DocAddress)>,
        text_query: &dyn Query,
    ) -> Result<Vec<Hit>> {
        let f = self.fields;
        let snippets = SnippetGenerator::create(searcher, text_query, f.body)?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let d: TantivyDocument = searcher.doc(addr)?;
            let id = d
                .get_first(f.id)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            let s = snippets.snippet_from_doc(&d);
            hits.push(Hit {
                article: id,
                score,
                snippet: s.fragment().to_string(),
                highlights: s.highlighted().iter().map(|r| (r.start, r.end)).collect(),
            });
        }
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use echotrace_model::{DateBasis, Precision, Published};

    fn article(id: &str, outlet: &str, date: &str, lang: &str, title: &str, body: &str) -> Article {
        Article {
            id: id.into(),
            outlet: Some(outlet.into()),
            language: lang.into(),
            title: Some(title.into()),
            body: body.into(),
            published: Some(Published {
                value: date.parse().unwrap(),
                precision: Precision::Day,
                basis: DateBasis::Explicit,
                evidence: date.into(),
            }),
            ..Default::default()
        }
    }

    fn index() -> (SearchIndex, PathBuf) {
        let dir = std::env::temp_dir().join(format!(
            "echotrace-search-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        let idx = SearchIndex::open(&dir).unwrap();
        idx.add(&[
            article(
                "a0",
                "Wire One",
                "2023-02-13",
                "en",
                "Militants trained at base",
                "The agency says the US is recruiting militants at the Al-Qaim base.",
            ),
            article(
                "a1",
                "Daily Two",
                "2022-05-17",
                "en",
                "Mercenaries for the war",
                "Officials said mercenaries were recruited to fight.",
            ),
            article(
                "a2",
                "Diario Tres",
                "2023-02-14",
                "es",
                "Militantes entrenados",
                "La agencia dice que Estados Unidos recluta militantes en la base.",
            ),
        ])
        .unwrap();
        (idx, dir)
    }

    #[test]
    fn phrases_stems_and_filters() {
        let (idx, dir) = index();
        assert_eq!(idx.len(), 3);
        let ids = |q: &str, f: &Filters| -> Vec<String> {
            let mut v: Vec<String> = idx
                .search(q, f, 10)
                .unwrap()
                .into_iter()
                .map(|h| h.article)
                .collect();
            v.sort();
            v
        };
        let none = Filters::default();
        assert_eq!(ids("\"Al-Qaim base\"", &none), vec!["a0"]);
        // Stemming: "recruits" finds "recruiting" (en) and "recruited" (en), and "recluta" (es) by its own stem.
        assert_eq!(ids("recruits", &none), vec!["a0", "a1"]);
        assert_eq!(ids("reclutar", &none), vec!["a2"]);
        let outlet = Filters {
            outlet: Some("Daily Two".into()),
            ..Default::default()
        };
        assert_eq!(ids("mercenaries OR militants", &outlet), vec!["a1"]);
        let feb = Filters {
            from: Some("2023-02-01".into()),
            to: Some("2023-02-13".into()),
            ..Default::default()
        };
        assert_eq!(ids("militants OR militantes", &feb), vec!["a0"]);
        let story = Filters {
            articles: Some(vec!["a2".into()]),
            ..Default::default()
        };
        assert_eq!(ids("militantes", &story), vec!["a2"]);
        let hit = &idx.search("\"Al-Qaim base\"", &none, 1).unwrap()[0];
        assert!(hit.snippet.contains("Al-Qaim") && !hit.highlights.is_empty());
        // Re-adding replaces.
        idx.add(&[article(
            "a0",
            "Wire One",
            "2023-02-13",
            "en",
            "Changed",
            "Nothing about it now.",
        )])
        .unwrap();
        assert_eq!(idx.len(), 3);
        assert!(ids("\"Al-Qaim base\"", &none).is_empty());
        assert!(
            idx.search("\"unclosed", &none, 5).is_err()
                || idx.search("\"unclosed", &none, 5).is_ok()
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
