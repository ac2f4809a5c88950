//! `echotrace`: the command line, a thin layer over the pipeline crates.
//!
//! Exit codes: 0 success; 3 completed, but some inputs produced diagnostics
//! (they are printed on stderr and kept in the report); 1 a fatal error (an
//! output could not be written, say); 2 bad usage.

mod bars;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use echotrace_model::{Diagnostic, Report};
use echotrace_pipeline::{Options, Progress as _};
use echotrace_report::{ArticlesJsonl, HtmlReport, JsonReport, ReportWriter};

#[derive(Parser)]
#[command(
    name = "echotrace",
    version,
    about = "Trace how a statement echoes across outlets"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct InputArgs {
    /// Files or directories to read (.html, .htm, .txt, .warc, .warc.gz, .jsonl, .gz), or - for stdin.
    #[arg(required = true)]
    paths: Vec<String>,
    /// Largest page or record accepted, in bytes.
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    max_page_bytes: usize,
    /// Longest time one page's extraction may take, in milliseconds.
    #[arg(long, default_value_t = 20_000)]
    page_timeout_ms: u64,
    /// Worker threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// Extra alias tables (KEY<TAB>alias|alias per line) added to the built-in one.
    #[arg(long)]
    aliases: Vec<PathBuf>,
    /// Shortest reused passage reported, in words on each side.
    #[arg(long, default_value_t = 8)]
    min_passage_words: usize,
    /// Find translation variants with sentence embeddings (needs a build with `--features embed`
    /// and the model from scripts/fetch-model.sh).
    #[arg(long)]
    embed: bool,
    /// Directory of the embedding model (default: $ECHOTRACE_MODEL_DIR or ~/.cache/echotrace/models/all-MiniLM-L6-v2).
    #[arg(long)]
    model: Option<PathBuf>,
    /// No progress bars.
    #[arg(long, short)]
    quiet: bool,
    /// Print how long each stage took, on stderr.
    #[arg(long)]
    timings: bool,
}

impl InputArgs {
    fn options(&self) -> Result<Options, String> {
        let mut o = Options::default();
        o.limits.max_record_bytes = self.max_page_bytes;
        o.page_timeout = Duration::from_millis(self.page_timeout_ms);
        o.reuse.align.min_tokens = self.min_passage_words.max(2);
        if self.embed {
            o.embedder = Some(load_embedder(self.model.as_deref())?);
        }
        for f in &self.aliases {
            let text = std::fs::read_to_string(f)
                .map_err(|e| format!("cannot read alias table {}: {e}", f.display()))?;
            o.aliases
                .load(&text)
                .map_err(|e| format!("alias table {}: {e}", f.display()))?;
            o.extra_aliases.push_str(&text);
            o.extra_aliases.push('\n');
        }
        Ok(o)
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum ExtractFormat {
    /// One JSON article object per line.
    Jsonl,
    /// One JSON array of articles.
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
enum EvalSet {
    /// Article body F1 (extraction-body).
    Body,
    /// Main-text snippets vs boilerplate (extraction-snippets).
    Snippets,
    /// Publication dates (dates).
    Dates,
    /// Text-dump front end on extraction-body pages rendered to text.
    Dumps,
    /// Reuse detection on passages planted into extraction-body texts.
    Reuse,
    /// Calibration of the sentence-embedding threshold (builds with `--features embed`).
    Embed,
    /// Story clustering (clustering), beside a TF-IDF single-linkage baseline.
    Clustering,
    /// Quote attribution spans (attribution): source, cue, content.
    Attribution,
    /// All of the above.
    All,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole analysis and write report.json and report.html.
    Analyze {
        #[command(flatten)]
        input: InputArgs,
        /// Directory for report.json and report.html.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print the JSON report on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Extract articles and print them (the extraction contract).
    Extract {
        #[command(flatten)]
        input: InputArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ExtractFormat::Jsonl)]
        format: ExtractFormat,
    },
    /// Add pages to a store (SQLite), skipping pages it already has, and align the new articles.
    Ingest {
        #[command(flatten)]
        input: InputArgs,
        /// The store file (created when missing).
        #[arg(long)]
        db: PathBuf,
        /// Pages per store transaction (a killed ingest loses at most one batch).
        #[arg(long, default_value_t = echotrace_pipeline::collection::INGEST_BATCH)]
        batch_pages: usize,
    },
    /// Find where a passage appears in a corpus or a stored report, earliest first.
    Trace {
        /// The passage (otherwise read from --file or stdin).
        #[arg(long)]
        text: Option<String>,
        /// A file holding the passage.
        #[arg(long)]
        file: Option<PathBuf>,
        /// A report.json written by `analyze`, instead of reading pages.
        #[arg(long)]
        report: Option<PathBuf>,
        /// A store written by `ingest`, instead of reading pages.
        #[arg(long, conflicts_with = "report")]
        db: Option<PathBuf>,
        /// Pages to search (as for `analyze`), when no --report is given.
        paths: Vec<String>,
        /// Print the hits as JSON lines.
        #[arg(long)]
        json: bool,
    },
    /// Full-text search over a store (phrase queries in double quotes; filters by outlet, dates, story).
    #[cfg(feature = "search")]
    Search {
        /// The query: words, "a phrase", AND / OR / -word.
        query: String,
        /// The store written by `ingest`.
        #[arg(long)]
        db: PathBuf,
        /// Only this outlet (exact name).
        #[arg(long)]
        outlet: Option<String>,
        /// Only articles published on or after this day (YYYY-MM-DD).
        #[arg(long)]
        from: Option<String>,
        /// Only articles published on or before this day (YYYY-MM-DD).
        #[arg(long)]
        to: Option<String>,
        /// Only articles of this story (an id from the report, e.g. s0).
        #[arg(long)]
        story: Option<String>,
        /// How many hits.
        #[arg(long, default_value_t = 10)]
        limit: usize,
        /// Print the hits as JSON lines.
        #[arg(long)]
        json: bool,
    },
    /// Serve the HTTP API and the web UI over a store (127.0.0.1 unless --addr says otherwise).
    #[cfg(feature = "serve")]
    Serve {
        /// The store written by `ingest`.
        #[arg(long)]
        db: PathBuf,
        /// Address to listen on; port 0 picks a free port.
        #[arg(long, default_value = echotrace_server::DEFAULT_ADDR)]
        addr: std::net::SocketAddr,
    },
    /// Export the analysis: JSONL, CSV, GEXF/GraphML (Gephi), ClaimReview JSON-LD.
    Export {
        /// jsonl-articles, jsonl-passages, csv-claims, csv-quotes, gexf, graphml or claimreview.
        #[arg(long)]
        format: String,
        /// A report.json written by `analyze`.
        #[arg(long)]
        report: Option<PathBuf>,
        /// A store written by `ingest`.
        #[arg(long, conflicts_with = "report")]
        db: Option<PathBuf>,
        /// Pages to analyse, when neither --report nor --db is given.
        paths: Vec<String>,
        /// Write here instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Score extraction, dates and reuse on the development sets, beside the peer crates.
    Eval {
        /// Directory holding the development sets (default: ../shared/datasets).
        #[arg(long)]
        datasets: Option<PathBuf>,
        /// Which set to score.
        #[arg(long, value_enum, default_value_t = EvalSet::All)]
        set: EvalSet,
        /// Score echotrace alone, without the peers.
        #[arg(long)]
        no_peers: bool,
    },
}

#[cfg(feature = "embed")]
fn load_embedder(
    dir: Option<&std::path::Path>,
) -> Result<std::sync::Arc<dyn echotrace_reuse::SentenceEmbedder>, String> {
    let dir = dir
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(echotrace_reuse::embed::default_model_dir);
    let e = echotrace_reuse::embed::Embedder::load(&dir)?;
    Ok(std::sync::Arc::new(e))
}

#[cfg(not(feature = "embed"))]
fn load_embedder(
    _dir: Option<&std::path::Path>,
) -> Result<std::sync::Arc<dyn echotrace_reuse::SentenceEmbedder>, String> {
    Err("this build has no sentence embeddings: rebuild with `cargo build --release --features embed` and run scripts/fetch-model.sh".into())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("echotrace: error: {e}");
            ExitCode::from(1)
        }
    }
}

fn set_threads(n: Option<usize>) {
    if let Some(n) = n {
        // Only fails if a pool already exists, which cannot happen this early.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global();
    }
}

/// The finished analysis from a report file, a store, or pages.
fn load_analysis(
    report: Option<PathBuf>,
    db: Option<PathBuf>,
    paths: &[String],
) -> Result<Report, String> {
    let opts = Options::default();
    if let Some(r) = report {
        let raw = std::fs::read(&r).map_err(|e| format!("cannot read {}: {e}", r.display()))?;
        return serde_json::from_slice(&raw)
            .map_err(|e| format!("{} is not an echotrace report: {e}", r.display()));
    }
    if let Some(path) = db {
        let collection = echotrace_pipeline::collection::Collection::open_existing(&path)?;
        return Ok(collection.reading()?.report);
    }
    if paths.is_empty() {
        return Err("nothing to export: give PATH..., --report report.json or --db FILE".into());
    }
    let rep = echotrace_pipeline::analyze(paths, &opts, &echotrace_pipeline::Silent);
    print_diagnostics(&rep.diagnostics);
    Ok(rep)
}

#[cfg(feature = "search")]
#[allow(clippy::too_many_arguments)]
fn run_search(
    query: &str,
    db: &std::path::Path,
    outlet: Option<String>,
    from: Option<String>,
    to: Option<String>,
    story: Option<String>,
    limit: usize,
    json: bool,
) -> Result<ExitCode, String> {
    let collection = echotrace_pipeline::collection::Collection::open_existing(db)?;
    let (store, index) = (collection.store(), collection.search());
    // An index that lost articles (built without search, or a killed ingest) is completed first.
    if (index.len() as usize) < store.counts()?.1 {
        index.add(&store.articles()?)?;
    }
    let members = match &story {
        Some(id) => {
            let stories = echotrace_pipeline::store_stories(store, &collection.options().aliases)?;
            let s = stories
                .iter()
                .find(|s| &s.id == id)
                .ok_or_else(|| format!("no story {id} in {}", db.display()))?;
            Some(s.articles.clone())
        }
        None => None,
    };
    let filters = echotrace_search::Filters {
        outlet,
        from,
        to,
        articles: members,
    };
    let hits = index.search(query, &filters, limit)?;
    // Only the hits' articles are read, not the store.
    let ids: Vec<u32> = hits
        .iter()
        .filter_map(|h| h.article.strip_prefix('a')?.parse().ok())
        .collect();
    let articles = store.articles_with_ids(&ids)?;
    let by_id: std::collections::HashMap<&str, &echotrace_model::Article> =
        articles.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut out = std::io::stdout().lock();
    if hits.is_empty() && !json {
        let _ = writeln!(out, "no article matches");
    }
    for h in &hits {
        let a = by_id.get(h.article.as_str());
        let title = a.and_then(|a| a.title.as_deref()).unwrap_or("(untitled)");
        let outlet = a.and_then(|a| a.outlet.as_deref()).unwrap_or("");
        let date = a
            .and_then(|a| a.published.as_ref().map(|p| p.value.to_string()))
            .unwrap_or_default();
        let res = if json {
            writeln!(
                out,
                "{}",
                serde_json::json!({"article": h.article, "score": h.score, "title": title, "outlet": outlet, "published": date, "snippet": h.snippet})
            )
        } else {
            writeln!(
                out,
                "{}  {:.2}  {date}  {outlet}  {title}\n    {}",
                h.article,
                h.score,
                h.snippet.replace('\n', " ")
            )
        };
        if res.is_err() {
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_export(
    format: &str,
    report: Option<PathBuf>,
    db: Option<PathBuf>,
    paths: &[String],
    out: Option<PathBuf>,
) -> Result<ExitCode, String> {
    let format = echotrace_report::export::Format::parse(format)?;
    let rep = load_analysis(report, db, paths)?;
    let result = match &out {
        Some(path) => {
            let f = std::fs::File::create(path)
                .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
            echotrace_report::export::Export {
                format,
                out: std::io::BufWriter::new(f),
            }
            .write(&rep)
        }
        None => echotrace_report::export::Export {
            format,
            out: std::io::stdout().lock(),
        }
        .write(&rep),
    };
    result.map_err(|e| format!("export failed: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

fn print_diagnostics(diags: &[Diagnostic]) {
    let mut err = std::io::stderr().lock();
    for d in diags {
        let _ = writeln!(err, "{d}");
    }
}

fn finish(diags: &[Diagnostic]) -> ExitCode {
    if diags.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    }
}

/// Runs the pipeline; returns the report and each stage's duration.
fn run_pipeline(input: &InputArgs) -> Result<(Report, Vec<bars::Stage>), String> {
    set_threads(input.threads);
    let opts = input.options()?;
    let bars = bars::Bars::new(input.quiet);
    let timer = echotrace_pipeline::StageTimer::new(&bars);
    let report = echotrace_pipeline::analyze(&input.paths, &opts, &timer);
    Ok((report, timer.stages()))
}

fn run_ingest(
    input: &InputArgs,
    db: &std::path::Path,
    batch_pages: usize,
) -> Result<ExitCode, String> {
    set_threads(input.threads);
    let mut opts = input.options()?;
    opts.batch_pages = batch_pages;
    let mut collection = echotrace_pipeline::collection::Collection::open(db, opts)?;
    let bars = bars::Bars::new(input.quiet);
    let timer = echotrace_pipeline::StageTimer::new(&bars);
    let outcome = collection.ingest(&input.paths, &timer)?;
    if input.timings {
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
        db.display()
    );
    Ok(finish(&outcome.diagnostics))
}

fn run_trace(
    text: Option<String>,
    file: Option<PathBuf>,
    report: Option<PathBuf>,
    db: Option<PathBuf>,
    paths: Vec<String>,
    json: bool,
) -> Result<ExitCode, String> {
    let passage = match (text, file) {
        (Some(t), _) => t,
        (None, Some(f)) => {
            std::fs::read_to_string(&f).map_err(|e| format!("cannot read {}: {e}", f.display()))?
        }
        (None, None) => {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut s)
                .map_err(|e| format!("reading stdin: {e}"))?;
            s
        }
    };
    if passage.trim().is_empty() {
        return Err("no passage given: pass --text, --file, or pipe it on stdin".into());
    }
    let opts = Options::default();
    let (articles, diags) = match report {
        None if db.is_some() => {
            let path = db.as_deref().unwrap_or(std::path::Path::new(""));
            echotrace_pipeline::collection::require_store(path)?;
            (echotrace_store::Store::open(path)?.articles()?, Vec::new())
        }
        Some(r) => {
            let raw = std::fs::read(&r).map_err(|e| format!("cannot read {}: {e}", r.display()))?;
            let rep: Report = serde_json::from_slice(&raw)
                .map_err(|e| format!("{} is not an echotrace report: {e}", r.display()))?;
            (rep.articles, Vec::new())
        }
        None if paths.is_empty() => {
            return Err("nothing to search: give PATH... or --report report.json".into())
        }
        None => echotrace_pipeline::articles(&paths, &opts, &echotrace_pipeline::Silent),
    };
    print_diagnostics(&diags);
    let mut hits = echotrace_reuse::trace(&passage, &articles, &opts.aliases, &opts.reuse);
    let by_id: std::collections::HashMap<&str, &echotrace_model::Article> =
        articles.iter().map(|a| (a.id.as_str(), a)).collect();
    hits.sort_by_key(|h| (by_id[h.article.as_str()].chronology(), h.article.clone()));
    let mut out = std::io::stdout().lock();
    if hits.is_empty() && !json {
        let _ = writeln!(out, "no article contains that passage");
    }
    for h in &hits {
        let a = by_id[h.article.as_str()];
        let matched = a.body.get(h.start..h.end).unwrap_or("");
        let res = if json {
            let v = serde_json::json!({
                "article": h.article, "origin": a.origin, "outlet": a.outlet, "title": a.title,
                "published": a.published, "kind": h.kind, "score": h.score, "coverage": h.coverage,
                "start": h.start, "end": h.end, "text": matched,
            });
            writeln!(out, "{v}")
        } else {
            let date = a
                .published
                .as_ref()
                .map(|p| p.value.to_string())
                .unwrap_or_else(|| "date unknown".into());
            writeln!(
                out,
                "{}  {}  {}  [{:?} {:.2}, covers {:.0}%]\n    {}\n    “{}”\n",
                date,
                h.article,
                a.outlet.as_deref().unwrap_or("outlet unknown"),
                h.kind,
                h.score,
                h.coverage * 100.0,
                a.title.as_deref().unwrap_or(&a.origin.path),
                matched.split_whitespace().collect::<Vec<_>>().join(" ")
            )
        };
        res.map_err(|e| format!("writing stdout: {e}"))?;
    }
    Ok(finish(&diags))
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match cli.command {
        Command::Analyze { input, out, json } => {
            let (report, mut stages) = run_pipeline(&input)?;
            let writing = std::time::Instant::now();
            print_diagnostics(&report.diagnostics);
            if let Some(dir) = &out {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                let create = |name: &str| {
                    let p = dir.join(name);
                    std::fs::File::create(&p)
                        .map(std::io::BufWriter::new)
                        .map_err(|e| format!("cannot write {}: {e}", p.display()))
                };
                JsonReport(create("report.json")?)
                    .write(&report)
                    .map_err(|e| format!("writing report.json: {e}"))?;
                HtmlReport(create("report.html")?)
                    .write(&report)
                    .map_err(|e| format!("writing report.html: {e}"))?;
                eprintln!(
                    "echotrace: {} articles, {} diagnostics -> {}",
                    report.articles.len(),
                    report.diagnostics.len(),
                    dir.join("report.json").display()
                );
            }
            if json {
                JsonReport(std::io::stdout().lock())
                    .write(&report)
                    .map_err(|e| format!("writing stdout: {e}"))?;
            }
            if out.is_none() && !json {
                eprintln!("echotrace: nothing written; pass --out DIR and/or --json");
            }
            if input.timings {
                stages.push(("writing", writing.elapsed()));
                bars::print_timings(&stages);
            }
            Ok(finish(&report.diagnostics))
        }
        Command::Extract { input, format } => {
            set_threads(input.threads);
            let opts = input.options()?;
            let bars = bars::Bars::new(input.quiet);
            let (articles, diagnostics) = echotrace_pipeline::articles(&input.paths, &opts, &bars);
            bars.end();
            let report = Report {
                articles,
                diagnostics,
                ..Report::new()
            };
            print_diagnostics(&report.diagnostics);
            let stdout = std::io::stdout().lock();
            let res = match format {
                ExtractFormat::Jsonl => {
                    ArticlesJsonl(std::io::BufWriter::new(stdout)).write(&report)
                }
                ExtractFormat::Json => {
                    let mut w = std::io::BufWriter::new(stdout);
                    serde_json::to_writer_pretty(&mut w, &report.articles)
                        .map_err(std::io::Error::other)
                        .and_then(|_| w.write_all(b"\n"))
                }
            };
            res.map_err(|e| format!("writing stdout: {e}"))?;
            Ok(finish(&report.diagnostics))
        }
        Command::Ingest {
            input,
            db,
            batch_pages,
        } => run_ingest(&input, &db, batch_pages),
        #[cfg(feature = "search")]
        Command::Search {
            query,
            db,
            outlet,
            from,
            to,
            story,
            limit,
            json,
        } => run_search(&query, &db, outlet, from, to, story, limit, json),
        #[cfg(feature = "serve")]
        Command::Serve { db, addr } => {
            echotrace_server::run(&db, addr)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Export {
            format,
            report,
            db,
            paths,
            out,
        } => run_export(&format, report, db, &paths, out),
        Command::Trace {
            text,
            file,
            report,
            db,
            paths,
            json,
        } => run_trace(text, file, report, db, paths, json),
        Command::Eval {
            datasets,
            set,
            no_peers,
        } => {
            let dir = echotrace_eval::datasets_dir(datasets.as_deref())?;
            let mut systems = vec![echotrace_eval::echotrace_system()];
            if !no_peers {
                systems.extend(echotrace_eval::peer_systems());
            }
            type Scorer = fn(
                &std::path::Path,
                &[echotrace_eval::System],
            ) -> Result<Vec<echotrace_eval::Row>, String>;
            let sets: [(EvalSet, Scorer, &str); 4] = [
                (
                    EvalSet::Body,
                    echotrace_eval::score_body,
                    "extraction-body: word 4-gram P/R averaged over pages",
                ),
                (
                    EvalSet::Snippets,
                    echotrace_eval::score_snippets,
                    "extraction-snippets: snippet P/R/F1 summed over pages",
                ),
                (
                    EvalSet::Dates,
                    echotrace_eval::score_dates,
                    "dates: same-day P/R/F1 and accuracy",
                ),
                (
                    EvalSet::Dates,
                    echotrace_eval::score_snippet_dates,
                    "dates on the extraction-snippets pages with a gold date (no URL given)",
                ),
            ];
            for (which, score, title) in sets {
                if set == which || set == EvalSet::All {
                    println!("{}", echotrace_eval::table(title, &score(&dir, &systems)?));
                }
            }
            if set == EvalSet::Embed {
                let e = load_embedder(None)?;
                println!("{}", echotrace_eval::calibrate_embedder(&dir, e.as_ref())?);
            }
            if matches!(set, EvalSet::Attribution | EvalSet::All) {
                println!("{}", echotrace_eval::attribution::table(&dir)?);
            }
            if matches!(set, EvalSet::Clustering | EvalSet::All) {
                let params = echotrace_stories::StoryParams::default();
                println!("{}", echotrace_eval::clustering::evaluate(&dir, &params)?);
                // With a multilingual model installed (feature `embed`), also with document vectors.
                if cfg!(feature = "embed") {
                    match load_embedder(None) {
                        Ok(e) if e.multilingual() => println!(
                            "{}",
                            echotrace_eval::clustering::evaluate_with_documents(
                                &dir,
                                &params,
                                e.as_ref()
                            )?
                        ),
                        Ok(e) => println!(
                            "(document vectors need a multilingual model; {} is not: set ECHOTRACE_MODEL_DIR to multilingual-e5-small)",
                            e.name()
                        ),
                        Err(e) => println!("(no document vectors: {e})"),
                    }
                }
            }
            if matches!(set, EvalSet::Reuse | EvalSet::All) {
                let rows = echotrace_eval::score_planted(&dir, 150, 42)?;
                println!("{}", echotrace_eval::planted_table(&rows));
            }
            if matches!(set, EvalSet::Dumps | EvalSet::All) {
                let rows = echotrace_eval::score_dumps(&dir)?;
                println!(
                    "{}",
                    echotrace_eval::table(
                        "text dumps of extraction-body pages: word 4-gram P/R",
                        &rows
                    )
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
