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
    if outcome.alerts > 0 {
        eprintln!(
            "echotrace: {} new alerts (`echotrace alerts --db {} --since 1h`)",
            outcome.alerts,
            args.db.display()
        );
    }
    deliver(&mut collection);
    Ok(finish(&outcome.diagnostics))
}

/// Posts what the outbox holds to the webhooks, when there are any; a failure is retried later
/// (by the next ingest, `serve` or `echotrace alerts deliver`), never fatal to the ingest.
fn deliver(collection: &mut Collection) {
    let store = collection.store_mut();
    match store.webhooks() {
        Ok(w) if w.is_empty() => return,
        Err(e) => return tracing::warn!("cannot read the webhooks: {e}"),
        Ok(_) => {}
    }
    match echotrace_watch::delivery::drain(store, usize::MAX) {
        Ok(d) if d.delivered + d.failed > 0 => eprintln!(
            "echotrace: {} alert deliveries made, {} failed (retried later: `echotrace alerts deliver`)",
            d.delivered, d.failed
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!("cannot deliver alerts: {e}"),
    }
}
