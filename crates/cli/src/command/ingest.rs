//! `echotrace ingest`: adds pages to a store, skipping pages it already has, and places the new
//! articles in the collection's passages and stories.

use std::path::PathBuf;
use std::process::ExitCode;

use echotrace_pipeline::collection::Collection;

use crate::bars::{self, Bars};
use crate::command::Global;
use crate::input::InputArgs;
use crate::outcome::{finish, print_diagnostics};

/// Flags of `ingest`.
#[derive(clap::Args)]
pub struct IngestArgs {
    #[command(flatten)]
    input: InputArgs,
    /// The store file (created when missing).
    #[arg(long)]
    db: PathBuf,
    /// Pages per store transaction (a killed ingest loses at most one batch).
    #[arg(long, default_value_t = echotrace_pipeline::collection::INGEST_BATCH)]
    batch_pages: usize,
}

/// Grows the store and says what it now holds.
pub fn run(args: IngestArgs, global: Global) -> anyhow::Result<ExitCode> {
    let mut opts = args.input.options()?;
    opts.batch_pages = args.batch_pages;
    let mut collection = Collection::open(&args.db, opts)?;
    let bars = Bars::new(global.quiet);
    let timer = echotrace_pipeline::StageTimer::new(&bars);
    let outcome = collection.ingest(&args.input.paths, &timer)?;
    if args.input.timings {
        bars::print_timings(&timer.stages());
    }
    print_diagnostics(&outcome.diagnostics);
    let (p, a, ps) = collection.store().counts()?;
    let st = outcome.stats;
    eprintln!(
        "echotrace: {} pages added, {} already stored, {} new passages; {} now holds {p} pages, {a} articles, {ps} passages",
        st.added,
        st.duplicates,
        st.passages,
        args.db.display()
    );
    Ok(finish(&outcome.diagnostics))
}
