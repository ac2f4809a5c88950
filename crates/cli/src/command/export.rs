//! `echotrace export`: the analysis as JSONL, CSV, GEXF/GraphML or ClaimReview JSON-LD.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use echotrace_report::export::{Export, Format};
use echotrace_report::ReportWriter;

use crate::input::SourceArgs;
use crate::outcome::print_diagnostics;

/// Flags of `export`.
#[derive(clap::Args)]
pub struct ExportArgs {
    /// jsonl-articles, jsonl-passages, csv-claims, csv-quotes, gexf, graphml or claimreview.
    #[arg(long)]
    format: String,
    #[command(flatten)]
    from: SourceArgs,
    /// Write here instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Reads the analysis and writes it in the asked format.
pub fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let format = Format::parse(&args.format)?;
    let report = args.from.source()?.report(
        &echotrace_pipeline::Options::default(),
        &echotrace_pipeline::Silent,
    )?;
    print_diagnostics(&report.diagnostics);
    match &args.out {
        Some(path) => {
            let f = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            Export {
                format,
                out: std::io::BufWriter::new(f),
            }
            .write(&report)
        }
        None => Export {
            format,
            out: std::io::stdout().lock(),
        }
        .write(&report),
    }
    .context("export failed")?;
    Ok(ExitCode::SUCCESS)
}
