//! `echotrace extract`: the articles of pages, as JSON lines or one JSON array (the extraction contract).

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::ValueEnum;
use echotrace_model::Report;
use echotrace_report::{ArticlesJsonl, ReportWriter};

use crate::bars::Bars;
use crate::command::Global;
use crate::input::InputArgs;
use crate::outcome::{finish, print_diagnostics};
use echotrace_pipeline::Progress as _;

/// How `extract` prints articles.
#[derive(Clone, Copy, ValueEnum)]
pub enum ExtractFormat {
    /// One JSON article object per line.
    Jsonl,
    /// One JSON array of articles.
    Json,
}

/// Flags of `extract`.
#[derive(clap::Args)]
pub struct ExtractArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExtractFormat::Jsonl)]
    format: ExtractFormat,
}

/// Extracts the pages' articles and prints them on stdout.
pub fn run(args: ExtractArgs, global: Global) -> anyhow::Result<ExitCode> {
    let mut opts = args.input.options()?;
    // A page without main text still yields its headline, date and byline here.
    opts.metadata_only_pages = true;
    let bars = Bars::new(global.quiet);
    let (articles, diagnostics) = echotrace_pipeline::articles(&args.input.paths, &opts, &bars);
    bars.end();
    let report = Report {
        articles,
        diagnostics,
        ..Report::new()
    };
    print_diagnostics(&report.diagnostics);
    let stdout = std::io::stdout().lock();
    match args.format {
        ExtractFormat::Jsonl => ArticlesJsonl(std::io::BufWriter::new(stdout)).write(&report),
        ExtractFormat::Json => {
            let mut w = std::io::BufWriter::new(stdout);
            serde_json::to_writer_pretty(&mut w, &report.articles)
                .map_err(std::io::Error::other)
                .and_then(|_| w.write_all(b"\n"))
        }
    }
    .context("writing stdout")?;
    Ok(finish(&report.diagnostics))
}
