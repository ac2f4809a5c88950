//! Speed of the stages after reuse (stories, then provenance) at one corpus
//! size, on the planted-reuse corpus `reuse_bench` uses. Run by
//! `bench/stories_scale.sh`, one process per size so peak memory is per size.
//!
//! Usage: stories_bench N DATASETS_DIR
//! Prints one JSON object: articles, passages, stories, seconds per step, peak memory.

use std::time::Instant;

use echotrace_eval::planted;
use echotrace_model::Report;
use echotrace_reuse::{find_passages, Aliases, ReuseParams};

fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: stories_bench N DATASETS_DIR";
    let n: usize = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .ok_or_else(|| anyhow::anyhow!(usage))?;
    let dir = std::path::PathBuf::from(args.get(2).ok_or_else(|| anyhow::anyhow!(usage))?);
    let pool = echotrace_eval::body_texts(&dir)?;
    let texts = planted::synthetic_texts(&pool, n, 7);
    let corpus = planted::generate(&texts, n / 10, 11);
    let aliases = Aliases::builtin();
    let t0 = Instant::now();
    let passages = find_passages(&corpus.articles, &aliases, &ReuseParams::default());
    let t_reuse = t0.elapsed().as_secs_f64();
    let mut report = Report::new();
    report.articles = corpus.articles;
    report.passages = passages;
    let t1 = Instant::now();
    report.stories = echotrace_stories::build(
        &report.articles,
        &report.passages,
        &aliases,
        &echotrace_stories::StoryParams::default(),
    );
    let t_stories = t1.elapsed().as_secs_f64();
    let t2 = Instant::now();
    echotrace_provenance::run(&mut report, &aliases);
    let t_prov = t2.elapsed().as_secs_f64();
    println!(
        "{}",
        serde_json::json!({
            "articles": n, "passages": report.passages.len(), "stories": report.stories.len(),
            "seconds_reuse": t_reuse, "seconds_stories": t_stories, "seconds_provenance": t_prov,
            "edges": report.edges.len(), "peak_rss_mib": peak_rss_mib(),
        })
    );
    Ok(())
}
