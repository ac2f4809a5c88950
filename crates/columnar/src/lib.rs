//! Arrow schemas of echotrace's tables and their Parquet files.
//!
//! A table is a model type ([`Table`]): one row per value, one column per
//! field. The Arrow schema is traced from the type itself (by `serde_arrow`),
//! so the model types in `echotrace-model` stay the one definition of every
//! column: a field added there is a column here. Nested values (an article's
//! origin, a passage's spans) are Arrow structs, lists are Arrow lists, and
//! the model's unit enums (a passage's kind, a date's precision) are strings.
//!
//! A corpus or an analysis on disk is a folder with one Parquet file per
//! table, named by [`Table::NAME`] (`pages.parquet`, `articles.parquet`, ...).
//! `echotrace export --format parquet` writes it, `echotrace ingest` reads
//! `pages.parquet` through the collection's one write path, and a cluster
//! run reads and writes the same layout. Files are written and read in
//! batches of [`BATCH_ROWS`] rows (one Parquet row group each), so memory is
//! bounded by a batch, not by the table.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_schema::{DataType, Field, FieldRef, Schema};
use echotrace_model::{
    Article, CandidatePair, Claim, DateBasis, DateValue, Divergence, EchoGroup, Origin, Passage,
    Precision, Published, Quote, RawDocument, Report, ReuseSignature, Shares, Source, Story,
};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_arrow::schema::{SchemaLike, TracingOptions};

/// Rows per record batch and per Parquet row group.
pub const BATCH_ROWS: usize = 4096;

/// A model type stored as a table: one row per value.
pub trait Table: Serialize + DeserializeOwned {
    /// The table's name: its file in a Parquet folder is `NAME.parquet`.
    const NAME: &'static str;

    /// A row with every optional field set, for a type whose schema cannot be traced from the
    /// type alone (a date checks its text as it is read); `None`: traced from the type.
    fn sample() -> Option<Self> {
        None
    }
}

/// A published date with every part set, for the samples.
fn sample_published() -> Published {
    Published {
        value: DateValue::from_date(chrono::NaiveDate::MIN),
        precision: Precision::Day,
        basis: DateBasis::Explicit,
        evidence: String::new(),
    }
}

/// Raw pages as read from the crawl (the input of extraction).
impl Table for RawDocument {
    const NAME: &'static str = "pages";
}
/// Clean articles with their metadata.
impl Table for Article {
    const NAME: &'static str = "articles";

    fn sample() -> Option<Self> {
        let some = || Some(String::new());
        Some(Article {
            origin: Origin {
                url: some(),
                warc_record: some(),
                line: Some(0),
                offset: Some(0),
                fetched_at: some(),
                encoding: some(),
                encoding_basis: some(),
                ..Origin::default()
            },
            outlet: some(),
            title: some(),
            byline: some(),
            published: Some(sample_published()),
            translated_by: some(),
            shares: Some(Shares::default()),
            date_hints: vec![String::new()],
            credited_sources: vec![String::new()],
            tags: vec![String::new()],
            ..Article::default()
        })
    }
}
/// Articles' reuse signatures (their n-gram hashes): the key of the candidate join.
impl Table for ReuseSignature {
    const NAME: &'static str = "signatures";
}
/// Article pairs that share enough n-grams to be aligned.
impl Table for CandidatePair {
    const NAME: &'static str = "candidate_pairs";
}
/// Reused passages between two articles, with offsets.
impl Table for Passage {
    const NAME: &'static str = "passages";
}
/// Echo groups: the passages that carry one text.
impl Table for EchoGroup {
    const NAME: &'static str = "groups";
}
/// Stories.
impl Table for Story {
    const NAME: &'static str = "stories";

    fn sample() -> Option<Self> {
        Some(Story {
            first_seen: Some(sample_published().value),
            articles: vec![String::new()],
            cites: vec![String::new()],
            terms: vec![String::new()],
            ..Story::default()
        })
    }
}
/// Provenance sources, seen or latent.
impl Table for Source {
    const NAME: &'static str = "sources";

    fn sample() -> Option<Self> {
        Some(Source {
            speaker: Some(String::new()),
            date: Some(sample_published()),
            article: Some(String::new()),
            evidence: vec![String::new()],
            ..Source::default()
        })
    }
}
/// Quotes with speaker and cue.
impl Table for Quote {
    const NAME: &'static str = "quotes";
}
/// Numeric claims.
impl Table for Claim {
    const NAME: &'static str = "claims";
}
/// Divergences between claims.
impl Table for Divergence {
    const NAME: &'static str = "divergences";
}

/// What went wrong with a table file, naming it.
#[derive(Debug, thiserror::Error)]
pub enum ColumnarError {
    /// The model type cannot be described as Arrow columns (a bug in this crate).
    #[error("table {table}: no Arrow schema for its type: {source}")]
    Schema {
        /// The table.
        table: &'static str,
        /// Why.
        source: serde_arrow::Error,
    },
    /// Rows could not be converted to or from Arrow.
    #[error("{path}: rows of table {table} do not match its schema: {source}")]
    Rows {
        /// The file.
        path: PathBuf,
        /// The table.
        table: &'static str,
        /// Why.
        source: serde_arrow::Error,
    },
    /// The Parquet file could not be written or read.
    #[error("{path}: {source}; check that it is a Parquet file written by `echotrace export --format parquet`")]
    Parquet {
        /// The file.
        path: PathBuf,
        /// Why.
        source: parquet::errors::ParquetError,
    },
    /// The Parquet reader gave up on the file's bytes.
    #[error("{path}: damaged Parquet file (the reader stopped on its bytes); rewrite it with `echotrace export --format parquet`")]
    Damaged {
        /// The file.
        path: PathBuf,
    },
    /// The file could not be opened or created.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// This crate's result.
pub type Result<T, E = ColumnarError> = std::result::Result<T, E>;

/// The Arrow fields of table `T`, traced from its type.
pub fn fields<T: Table>() -> Result<Vec<FieldRef>> {
    let options = TracingOptions::default()
        .allow_null_fields(true)
        .enums_without_data_as_strings(true);
    let fields = match T::sample() {
        Some(row) => Vec::<FieldRef>::from_samples(&[row], options),
        None => Vec::<FieldRef>::from_type::<T>(options),
    }
    .map_err(|source| ColumnarError::Schema {
        table: T::NAME,
        source,
    })?;
    Ok(fields.iter().map(portable).collect())
}

/// The field made nullable (the model leaves empty lists and absent values out when it
/// serializes), with every union of data-less variants (a unit enum traced from a sample) made a
/// dictionary of strings, as tracing from the type makes it: Parquet has no unions.
fn portable(field: &FieldRef) -> FieldRef {
    let data_type = match field.data_type() {
        DataType::Union(variants, _)
            if variants
                .iter()
                .all(|(_, f)| f.data_type() == &DataType::Null) =>
        {
            DataType::Dictionary(Box::new(DataType::UInt32), Box::new(DataType::LargeUtf8))
        }
        DataType::Struct(children) => DataType::Struct(children.iter().map(portable).collect()),
        DataType::LargeList(child) => DataType::LargeList(portable(child)),
        DataType::List(child) => DataType::List(portable(child)),
        other => other.clone(),
    };
    let mut metadata = field.metadata().clone();
    if matches!(data_type, DataType::Dictionary(..)) {
        metadata.remove("SERDE_ARROW:strategy");
    }
    Arc::new(Field::new(field.name(), data_type, true).with_metadata(metadata))
}

/// The Arrow schema of table `T`.
pub fn schema<T: Table>() -> Result<Schema> {
    Ok(Schema::new(fields::<T>()?))
}

/// The file of table `T` in the Parquet folder `dir`.
pub fn table_path<T: Table>(dir: &Path) -> PathBuf {
    dir.join(format!("{}.parquet", T::NAME))
}

/// Writes rows of table `T` to a Parquet file as they come, [`BATCH_ROWS`] at a time
/// (Snappy-compressed, one row group per batch).
///
/// The file is written beside its path under a temporary name and renamed by
/// [`TableWriter::finish`], so a reader never sees half a table; a writer dropped without
/// finishing leaves only the temporary file.
pub struct TableWriter<T: Table> {
    fields: Vec<FieldRef>,
    writer: ArrowWriter<File>,
    batch: Vec<T>,
    path: PathBuf,
    partial: PathBuf,
    written: usize,
}

impl<T: Table> TableWriter<T> {
    /// Starts the table file `path`.
    pub fn create(path: &Path) -> Result<Self> {
        let fields = fields::<T>()?;
        let schema = Arc::new(Schema::new(fields.clone()));
        let partial = path.with_extension("parquet.partial");
        let file = File::create(&partial).map_err(|source| ColumnarError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_max_row_group_row_count(Some(BATCH_ROWS))
            .build();
        let writer = ArrowWriter::try_new(file, schema, Some(props)).map_err(|source| {
            ColumnarError::Parquet {
                path: path.to_path_buf(),
                source,
            }
        })?;
        Ok(TableWriter {
            fields,
            writer,
            batch: Vec::with_capacity(BATCH_ROWS),
            path: path.to_path_buf(),
            partial,
            written: 0,
        })
    }

    /// Adds one row (written when its batch is full).
    pub fn push(&mut self, row: T) -> Result<()> {
        self.batch.push(row);
        if self.batch.len() == BATCH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let rb = serde_arrow::to_record_batch(&self.fields, &self.batch).map_err(|source| {
            ColumnarError::Rows {
                path: self.path.clone(),
                table: T::NAME,
                source,
            }
        })?;
        self.writer
            .write(&rb)
            .map_err(|source| ColumnarError::Parquet {
                path: self.path.clone(),
                source,
            })?;
        self.written += self.batch.len();
        self.batch.clear();
        Ok(())
    }

    /// Writes what is left, closes the file and gives it its name; returns the rows written.
    pub fn finish(mut self) -> Result<usize> {
        self.flush()?;
        self.writer
            .close()
            .map_err(|source| ColumnarError::Parquet {
                path: self.path.clone(),
                source,
            })?;
        std::fs::rename(&self.partial, &self.path).map_err(|source| ColumnarError::Io {
            path: self.path.clone(),
            source,
        })?;
        Ok(self.written)
    }
}

/// Writes `rows` as the table file `path` (see [`TableWriter`]); returns the number of rows.
pub fn write<'a, T: Table + Clone + 'a>(
    rows: impl IntoIterator<Item = &'a T>,
    path: &Path,
) -> Result<usize> {
    let mut w = TableWriter::create(path)?;
    for row in rows {
        w.push(row.clone())?;
    }
    w.finish()
}

/// Reads the Parquet file `path` as rows of table `T`, one batch of at most [`BATCH_ROWS`]
/// rows at a time, handing each batch to `each`.
///
/// A damaged file is an error naming it. The `parquet` crate panics on some damaged files
/// (found by `damaged_files_are_errors_not_panics`: a flipped byte in a page header), so
/// the read runs under `catch_unwind` and such a panic becomes [`ColumnarError::Damaged`];
/// the batches handed over before it stay handed over.
pub fn read_batches<T: Table>(path: &Path, mut each: impl FnMut(Vec<T>)) -> Result<usize> {
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_batches_unguarded(path, &mut each)
    }));
    read.unwrap_or_else(|_| {
        Err(ColumnarError::Damaged {
            path: path.to_path_buf(),
        })
    })
}

fn read_batches_unguarded<T: Table>(path: &Path, each: &mut impl FnMut(Vec<T>)) -> Result<usize> {
    let pq = |source| ColumnarError::Parquet {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(|source| ColumnarError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(pq)?
        .with_batch_size(BATCH_ROWS)
        .build()
        .map_err(pq)?;
    let mut n = 0;
    for batch in reader {
        let batch = batch.map_err(|e| pq(e.into()))?;
        let rows: Vec<T> =
            serde_arrow::from_record_batch(&batch).map_err(|source| ColumnarError::Rows {
                path: path.to_path_buf(),
                table: T::NAME,
                source,
            })?;
        n += rows.len();
        each(rows);
    }
    Ok(n)
}

/// Reads the whole Parquet file `path` as rows of table `T`.
pub fn read<T: Table>(path: &Path) -> Result<Vec<T>> {
    let mut out = Vec::new();
    read_batches(path, |rows: Vec<T>| out.extend(rows))?;
    Ok(out)
}

/// Writes an analysis as a Parquet folder `dir` (created if missing): one file per table of
/// the report; returns each table's name and row count.
pub fn write_report(report: &Report, dir: &Path) -> Result<Vec<(&'static str, usize)>> {
    std::fs::create_dir_all(dir).map_err(|source| ColumnarError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    fn table<T: Table + Clone>(rows: &[T], dir: &Path) -> Result<(&'static str, usize)> {
        Ok((T::NAME, write(rows, &table_path::<T>(dir))?))
    }
    Ok(vec![
        table(&report.articles, dir)?,
        table(&report.passages, dir)?,
        table(&report.groups, dir)?,
        table(&report.stories, dir)?,
        table(&report.sources, dir)?,
        table(&report.quotes, dir)?,
        table(&report.claims, dir)?,
        table(&report.divergences, dir)?,
    ])
}
