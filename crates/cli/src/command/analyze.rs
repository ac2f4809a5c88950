//! `echotrace analyze`: the whole analysis of pages, written as report.json and report.html.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use echotrace_report::{HtmlReport, JsonReport, ReportWriter};

use crate::bars::{self, Bars};
use crate::command::Global;
use crate::input::InputArgs;
use crate::outcome::{finish, print_diagnostics};

/// Flags of `analyze`.
#[derive(clap::Args)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    input: InputArgs,
    /// Directory for report.json and report.html.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Print the JSON report on stdout.
    #[arg(long)]
    json: bool,
}

/// Runs the pipeline and writes the report where asked.
pub fn run(args: AnalyzeArgs, global: Global) -> anyhow::Result<ExitCode> {
    let opts = args.input.options()?;
    let bars = Bars::new(global.quiet);
    let timer = echotrace_pipeline::StageTimer::new(&bars);
    let report = echotrace_pipeline::analyze(&args.input.paths, &opts, &timer);
    let mut stages = timer.stages();
    let writing = std::time::Instant::now();
    print_diagnostics(&report.diagnostics);
    if let Some(dir) = &args.out {
        write_reports(dir, &report)?;
        eprintln!(
            "echotrace: {} articles, {} diagnostics -> {}",
            report.articles.len(),
            report.diagnostics.len(),
            dir.join("report.json").display()
        );
    }
    if args.json {
        JsonReport(std::io::stdout().lock())
            .write(&report)
            .context("writing stdout")?;
    }
    if args.out.is_none() && !args.json {
        eprintln!("echotrace: nothing written; pass --out DIR and/or --json");
    }
    if args.input.timings {
        stages.push(("writing", writing.elapsed()));
        bars::print_timings(&stages);
    }
    Ok(finish(&report.diagnostics))
}

/// Writes report.json and report.html into `dir`, creating it.
fn write_reports(dir: &std::path::Path, report: &echotrace_model::Report) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let create = |name: &str| {
        let p = dir.join(name);
        std::fs::File::create(&p)
            .map(std::io::BufWriter::new)
            .with_context(|| format!("cannot write {}", p.display()))
    };
    JsonReport(create("report.json")?)
        .write(report)
        .context("writing report.json")?;
    HtmlReport(create("report.html")?)
        .write(report)
        .context("writing report.html")?;
    Ok(())
}
