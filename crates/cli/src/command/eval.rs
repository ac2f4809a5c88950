//! `echotrace eval` (builds with `--features eval`): scores extraction, dates, reuse, stories and
//! attribution on the development sets, beside the peer crates.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::ValueEnum;
use echotrace_eval::{EvalError, Row, System};

use crate::input::load_embedder;

/// Which development set `eval` scores.
#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub enum EvalSet {
    /// Article body F1 (extraction-body).
    Body,
    /// Main-text snippets vs boilerplate (extraction-snippets).
    Snippets,
    /// Article body, title and byline on Mozilla Readability's test pages (extraction-readability).
    Readability,
    /// Publication dates (dates, and the dated pages of the snippets and readability sets).
    Dates,
    /// Which candidate body to keep (merged, precise, recall), fitted and scored leaving one body set out.
    BodyChooser,
    /// Which blocks of a page's own parse are its article text, fitted and scored leaving one body set out.
    Blocks,
    /// Text-dump front end on extraction-body pages rendered to text.
    Dumps,
    /// Reuse detection on passages planted into extraction-body texts.
    Reuse,
    /// Calibration of the sentence-embedding threshold (builds with `--features embed`).
    Embed,
    /// Translations planted from the Tatoeba pairs (translation), cross-validated by folds of the pairs (builds with `--features embed`; needs a multilingual model).
    Translation,
    /// Story clustering (clustering), beside a TF-IDF single-linkage baseline.
    Clustering,
    /// Quote attribution spans (attribution): source, cue, content.
    Attribution,
    /// Watches ranked for fact-checked claims (claim-matching): MAP@5, cross-validated, beside BM25.
    ClaimMatching,
    /// How watch matches relate to the watched text (echo, attribution, dispute), on a labelled set, cross-validated.
    Relations,
    /// All of the above.
    All,
}

/// Flags of `eval`.
#[derive(clap::Args)]
pub struct EvalArgs {
    /// Directory holding the development sets (default: ../shared/datasets).
    #[arg(long)]
    datasets: Option<PathBuf>,
    /// Which set to score.
    #[arg(long, value_enum, default_value_t = EvalSet::All)]
    set: EvalSet,
    /// Score echotrace alone, without the peers.
    #[arg(long)]
    no_peers: bool,
    /// Also score extractors run outside echotrace on the same pages, read from this
    /// directory (written by `bench/python_extractors.py`: the Python trafilatura, resiliparse).
    #[arg(long, value_name = "DIR")]
    external: Option<PathBuf>,
    /// With claim-matching: write the ranking model trained on every query to this file
    /// (the shipped one is crates/watch/data/rank.json).
    #[arg(long)]
    rank_model_out: Option<PathBuf>,
    /// With attribution: write the tagger trained on every text to this file
    /// (the shipped one is crates/claims/data/attribution.bin).
    #[arg(long)]
    attribution_model_out: Option<PathBuf>,
    /// With dates: write the date model fitted on every page to this file
    /// (the shipped one is crates/extract/data/dates.json).
    #[arg(long)]
    date_model_out: Option<PathBuf>,
    /// With body-chooser: write the chooser fitted on every body page to this file
    /// (the shipped one is crates/extract/data/chooser.json).
    #[arg(long)]
    chooser_model_out: Option<PathBuf>,
    /// With blocks: write the block model fitted on every body page to this file
    /// (the shipped one is crates/extract/data/blocks.bin).
    #[arg(long)]
    blocks_model_out: Option<PathBuf>,
    /// With relations: write the relation model fitted on every example to this file
    /// (the shipped one is crates/watch/data/relation.json).
    #[arg(long)]
    relation_model_out: Option<PathBuf>,
    /// With translation: planted translations per language.
    #[arg(long, default_value_t = 50)]
    cases: usize,
}

impl EvalArgs {
    /// Whether `which` is asked for.
    fn wants(&self, which: EvalSet) -> bool {
        self.set == which || self.set == EvalSet::All
    }
}

/// A scorer of extraction or dates: one row per system.
type Scorer = fn(&Path, &[System]) -> Result<Vec<Row>, EvalError>;

/// The extraction and date scorers, the set each belongs to, and their table titles.
const EXTRACTION: [(EvalSet, Scorer, &str); 5] = [
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
        EvalSet::Readability,
        echotrace_eval::score_readability,
        "extraction-readability: word 4-gram P/R averaged over pages",
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

/// Scores the asked sets and prints one table each.
pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let dir = echotrace_eval::datasets_dir(args.datasets.as_deref())?;
    let mut systems = vec![echotrace_eval::echotrace_system()];
    if !args.no_peers {
        systems.extend(echotrace_eval::peer_systems());
    }
    if let Some(external) = &args.external {
        systems.extend(echotrace_eval::external_systems(external)?);
    }
    for (which, score, title) in EXTRACTION {
        if args.wants(which) {
            println!("{}", echotrace_eval::table(title, &score(&dir, &systems)?));
        }
    }
    if args.wants(EvalSet::Snippets) {
        println!("{}", echotrace_eval::snippet_titles(&dir)?);
    }
    if args.wants(EvalSet::Readability) {
        println!("{}", echotrace_eval::readability_metadata(&dir)?);
    }
    if args.wants(EvalSet::Dates) {
        let (table, model) = echotrace_eval::dates::evaluate(&dir, &systems)?;
        println!("{table}");
        if let Some(out) = &args.date_model_out {
            write_model(out, &model)?;
        }
    }
    if args.set == EvalSet::Embed {
        let e = load_embedder(None)?;
        println!("{}", echotrace_eval::calibrate_embedder(&dir, e.as_ref())?);
    }
    if args.set == EvalSet::Translation {
        translation(&dir, args.cases)?;
    }
    if args.wants(EvalSet::Attribution) {
        println!(
            "{}",
            echotrace_eval::attribution::table(&dir, args.attribution_model_out.as_deref())?
        );
    }
    if args.wants(EvalSet::Clustering) {
        clustering(&dir)?;
    }
    if args.wants(EvalSet::ClaimMatching) {
        let (table, model) = echotrace_eval::claim_matching::evaluate(&dir)?;
        println!("{table}");
        if let Some(out) = &args.rank_model_out {
            write_model(out, &model)?;
        }
        claim_matching_with_vectors(&dir)?;
    }
    if args.wants(EvalSet::BodyChooser) {
        let (table, model) = echotrace_eval::body_chooser::evaluate(&dir, &systems[1..])?;
        println!("{table}");
        if let Some(out) = &args.chooser_model_out {
            write_model(out, &model)?;
        }
    }
    if args.wants(EvalSet::Blocks) {
        let (table, model) = echotrace_eval::blocks::evaluate(&dir)?;
        println!("{table}");
        if let Some(out) = &args.blocks_model_out {
            std::fs::write(out, model.to_bytes())
                .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
        }
    }
    if args.wants(EvalSet::Relations) {
        let (table, model) = echotrace_eval::relations::evaluate(&dir)?;
        println!("{table}");
        if let Some(out) = &args.relation_model_out {
            write_model(out, &model)?;
        }
    }
    if args.wants(EvalSet::Reuse) {
        let rows = echotrace_eval::score_planted(&dir, 150, 42)?;
        println!("{}", echotrace_eval::planted_table(&rows));
    }
    if args.wants(EvalSet::Dumps) {
        let rows = echotrace_eval::score_dumps(&dir)?;
        let title = "text dumps of extraction-body pages: word 4-gram P/R";
        println!("{}", echotrace_eval::table(title, &rows));
    }
    Ok(ExitCode::SUCCESS)
}

/// Planted translations, scored with the installed multilingual model.
#[cfg(feature = "embed")]
fn translation(dir: &Path, cases: usize) -> anyhow::Result<()> {
    let e = load_embedder(None)?;
    if !e.multilingual() {
        anyhow::bail!(
            "{} is not multilingual: install multilingual-e5-small (scripts/fetch-model.sh e5) and set ECHOTRACE_MODEL_DIR to it",
            e.name()
        );
    }
    println!(
        "{}",
        echotrace_eval::translation::evaluate(dir, e.as_ref(), cases)?
    );
    Ok(())
}

/// Planted translations need the sentence model: in a build without `embed`, say how to get one.
#[cfg(not(feature = "embed"))]
fn translation(_dir: &Path, _cases: usize) -> anyhow::Result<()> {
    Err(echotrace_reuse::EmbedError::NotBuilt.into())
}

/// Writes a fitted model as pretty JSON, for shipping as a crate's data file.
fn write_model(out: &Path, model: &impl serde::Serialize) -> anyhow::Result<()> {
    std::fs::write(out, serde_json::to_string_pretty(model)? + "\n")
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))
}

/// Claim matching with a sentence model's cosine among the features, when one is built in and installed.
fn claim_matching_with_vectors(dir: &Path) -> anyhow::Result<()> {
    if !cfg!(feature = "embed") {
        return Ok(());
    }
    match load_embedder(None) {
        Ok(e) => println!(
            "{}",
            echotrace_eval::claim_matching::evaluate_with_vectors(dir, e.as_ref())?
        ),
        Err(e) => println!("claim matching with sentence vectors: not run ({e})"),
    }
    Ok(())
}

/// Story clustering, and with a multilingual model installed (feature `embed`) also with document vectors.
fn clustering(dir: &Path) -> anyhow::Result<()> {
    let params = echotrace_stories::StoryParams::default();
    println!("{}", echotrace_eval::clustering::evaluate(dir, &params)?);
    println!(
        "{}",
        echotrace_eval::clustering::cross_validate(dir, &params)?
    );
    if !cfg!(feature = "embed") {
        return Ok(());
    }
    match load_embedder(None) {
        Ok(e) if e.multilingual() => println!(
            "{}",
            echotrace_eval::clustering::evaluate_with_documents(dir, &params, e.as_ref())?
        ),
        Ok(e) => println!(
            "(document vectors need a multilingual model; {} is not: set ECHOTRACE_MODEL_DIR to multilingual-e5-small)",
            e.name()
        ),
        Err(e) => println!("(no document vectors: {e})"),
    }
    Ok(())
}
