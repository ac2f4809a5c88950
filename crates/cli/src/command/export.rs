//! `echotrace export`: the analysis as JSONL, CSV, GEXF/GraphML, ClaimReview JSON-LD or Parquet tables.

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
    /// jsonl-articles, jsonl-passages, csv-claims, csv-quotes, gexf, graphml, claimreview, or
    /// parquet (a folder, `--out DIR`, with one Parquet file per table; needs the `parquet` feature).
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
    if args.format == "parquet" {
        return parquet(args);
    }
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

/// Writes the analysis as a folder of Parquet tables (`--out DIR`).
#[cfg(feature = "parquet")]
fn parquet(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let Some(dir) = &args.out else {
        anyhow::bail!("--format parquet writes a folder of tables: name it with --out DIR");
    };
    let report = args.from.source()?.report(
        &echotrace_pipeline::Options::default(),
        &echotrace_pipeline::Silent,
    )?;
    print_diagnostics(&report.diagnostics);
    let tables = echotrace_columnar::write_report(&report, dir)
        .with_context(|| format!("cannot write the tables to {}", dir.display()))?;
    let counts: Vec<String> = tables.iter().map(|(t, n)| format!("{n} {t}")).collect();
    eprintln!("echotrace: {} -> {}", counts.join(", "), dir.display());
    Ok(ExitCode::SUCCESS)
}

/// Without the `parquet` feature: says how to get it.
#[cfg(not(feature = "parquet"))]
fn parquet(_: ExportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("this build writes no Parquet: build echotrace with `--features parquet`")
}
