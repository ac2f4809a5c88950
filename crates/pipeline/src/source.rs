//! Where a finished analysis is read from: a report written by `analyze`, a store grown by
//! `ingest`, or pages analysed on the spot. The commands that read an analysis (export, trace,
//! search's story filter) all go through here, so each source is read one way.

use std::path::Path;

use echotrace_model::{Article, Diagnostic, Report};

use crate::collection::Collection;
use crate::{Options, PipelineError, Progress, Result};

/// One place an analysis can come from.
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// A `report.json` written by `analyze`.
    Report(&'a Path),
    /// A store written by `ingest`.
    Store(&'a Path),
    /// Pages to analyse now (files, directories, `-`).
    Pages(&'a [String]),
}

impl Source<'_> {
    /// The finished analysis, with the diagnostics of pages read now (none for a report or store).
    pub fn report(&self, opts: &Options, progress: &dyn Progress) -> Result<Report> {
        match *self {
            Source::Report(path) => read_report(path),
            Source::Store(path) => Ok(Collection::open_existing(path)?.reading()?.report),
            Source::Pages(paths) => Ok(crate::analyze(paths, opts, progress)),
        }
    }

    /// The articles alone, and the diagnostics of pages read now: a store gives its articles
    /// without reading its stories, pages are extracted but not analysed.
    pub fn articles(
        &self,
        opts: &Options,
        progress: &dyn Progress,
    ) -> Result<(Vec<Article>, Vec<Diagnostic>)> {
        match *self {
            Source::Report(path) => Ok((read_report(path)?.articles, Vec::new())),
            Source::Store(path) => {
                let collection = Collection::open_existing(path)?;
                Ok((collection.store().articles()?, Vec::new()))
            }
            Source::Pages(paths) => Ok(crate::articles(paths, opts, progress)),
        }
    }
}

/// Reads a `report.json` written by `analyze`.
pub fn read_report(path: &Path) -> Result<Report> {
    let raw = std::fs::read(path).map_err(|source| PipelineError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_slice(&raw).map_err(|source| PipelineError::NotAReport {
        path: path.to_path_buf(),
        source,
    })
}
