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

/// Writes the analysis as a folder of Parquet tables (`--out DIR`): the report's tables, the
/// articles' reuse signatures and candidate pairs, and, when pages were read, the pages.
#[cfg(feature = "parquet")]
fn parquet(args: ExportArgs) -> anyhow::Result<ExitCode> {
    use echotrace_columnar::{table_path, write, write_report, Table, TableWriter};
    use echotrace_model::{CandidatePair, RawDocument, ReuseSignature};
    let Some(dir) = &args.out else {
        anyhow::bail!("--format parquet writes a folder of tables: name it with --out DIR");
    };
    let opts = echotrace_pipeline::Options::default();
    let source = args.from.source()?;
    let report = source.report(&opts, &echotrace_pipeline::Silent)?;
    print_diagnostics(&report.diagnostics);
    let cannot = || format!("cannot write the tables to {}", dir.display());
    let mut tables = write_report(&report, dir).with_context(cannot)?;
    let signatures =
        echotrace_reuse::reuse_signatures(&report.articles, &opts.aliases, &opts.reuse);
    let pairs = echotrace_reuse::candidate_pairs(&signatures, &opts.reuse);
    tables.push((
        ReuseSignature::NAME,
        write(&signatures, &table_path::<ReuseSignature>(dir)).with_context(cannot)?,
    ));
    tables.push((
        CandidatePair::NAME,
        write(&pairs, &table_path::<CandidatePair>(dir)).with_context(cannot)?,
    ));
    if let echotrace_pipeline::source::Source::Pages(paths) = source {
        // The pages as read, streamed to their table (a second read of the input).
        let mut sink = PageTable {
            writer: TableWriter::<RawDocument>::create(&table_path::<RawDocument>(dir))
                .with_context(cannot)?,
            failed: None,
        };
        echotrace_ingest::read_paths(paths, &opts.limits, &mut sink);
        if let Some(e) = sink.failed {
            return Err(e).with_context(cannot);
        }
        tables.push((
            RawDocument::NAME,
            sink.writer.finish().with_context(cannot)?,
        ));
    }
    let counts: Vec<String> = tables.iter().map(|(t, n)| format!("{n} {t}")).collect();
    eprintln!("echotrace: {} -> {}", counts.join(", "), dir.display());
    Ok(ExitCode::SUCCESS)
}

/// An ingest sink that writes each page read to the pages table (diagnostics were printed by the analysis).
#[cfg(feature = "parquet")]
struct PageTable {
    writer: echotrace_columnar::TableWriter<echotrace_model::RawDocument>,
    failed: Option<echotrace_columnar::ColumnarError>,
}

#[cfg(feature = "parquet")]
impl echotrace_ingest::Sink for PageTable {
    fn document(&mut self, doc: echotrace_model::RawDocument) {
        if self.failed.is_none() {
            if let Err(e) = self.writer.push(doc) {
                self.failed = Some(e);
            }
        }
    }
    fn diagnostic(&mut self, _: echotrace_model::Diagnostic) {}
}

/// Without the `parquet` feature: says how to get it.
#[cfg(not(feature = "parquet"))]
fn parquet(_: ExportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("this build writes no Parquet: build echotrace with `--features parquet`")
}
