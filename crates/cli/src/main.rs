//! `echotrace`: the command line, a thin layer over the pipeline crates. Flags are parsed into
//! one struct per subcommand (`command::*`), and `main` only dispatches and reports errors.
//!
//! Exit codes: 0 success; 3 completed, but some inputs produced diagnostics
//! (they are printed on stderr and kept in the report); 1 a fatal error (an
//! output could not be written, say); 2 bad usage.

mod bars;
mod command;
mod input;
mod logging;
mod outcome;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use command::Global;

/// The allocator: mimalloc hands freed memory back to the system within milliseconds, where the
/// system allocator keeps it: `serve` reads a large store at start (and again as it grows), and
/// with the system allocator the memory of that reading stayed resident (docs/MEASUREMENTS.md,
/// "Faults, access and load").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "echotrace",
    version,
    about = "Trace how a statement echoes across outlets"
)]
struct Cli {
    /// More log output on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides.
    #[arg(long, short, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// No progress bars, and only errors in the log.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole analysis and write report.json and report.html.
    Analyze(command::analyze::AnalyzeArgs),
    /// Extract articles and print them (the extraction contract).
    Extract(command::extract::ExtractArgs),
    /// Add pages to a store (SQLite), skipping pages it already has, and align the new articles.
    Ingest(command::ingest::IngestArgs),
    /// Find where a passage appears in a corpus or a stored report, earliest first.
    Trace(command::trace::TraceArgs),
    /// Full-text search over a store (phrase queries in double quotes; filters by outlet, dates, story).
    #[cfg(feature = "search")]
    Search(command::search::SearchArgs),
    /// Serve the HTTP API and the web UI over a store (127.0.0.1 unless --addr says otherwise).
    #[cfg(feature = "serve")]
    Serve(command::serve::ServeArgs),
    /// Watch texts: new articles that carry them raise alerts (add, list, rm, import, match).
    Watch(command::watch::WatchArgs),
    /// The alerts watches raised, and their delivery to webhooks (deliver, webhook add/list/rm).
    Alerts(command::alerts::AlertsArgs),
    /// Export the analysis: JSONL, CSV, GEXF/GraphML (Gephi), ClaimReview JSON-LD.
    Export(command::export::ExportArgs),
    /// Score extraction, dates and reuse on the development sets, beside the peer crates.
    #[cfg(feature = "eval")]
    Eval(command::eval::EvalArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    logging::init(cli.verbose, cli.quiet);
    let global = Global { quiet: cli.quiet };
    let result = match cli.command {
        Command::Analyze(args) => command::analyze::run(args, global),
        Command::Extract(args) => command::extract::run(args, global),
        Command::Ingest(args) => command::ingest::run(args, global),
        Command::Trace(args) => command::trace::run(args),
        #[cfg(feature = "search")]
        Command::Search(args) => command::search::run(args),
        #[cfg(feature = "serve")]
        Command::Serve(args) => command::serve::run(args),
        Command::Watch(args) => command::watch::run(args),
        Command::Alerts(args) => command::alerts::run(args),
        Command::Export(args) => command::export::run(args),
        #[cfg(feature = "eval")]
        Command::Eval(args) => command::eval::run(args),
    };
    result.unwrap_or_else(|e| {
        eprintln!("echotrace: error: {}", with_causes(&e));
        ExitCode::from(1)
    })
}

/// The error and its causes, outermost first, each cause left out when the message already
/// says it (many errors print their source in their own message).
fn with_causes(e: &anyhow::Error) -> String {
    let mut msg = e.to_string();
    for cause in e.chain().skip(1) {
        let c = cause.to_string();
        if !msg.contains(&c) {
            msg.push_str(": ");
            msg.push_str(&c);
        }
    }
    msg
}
