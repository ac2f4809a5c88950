//! Search and trace latency on a store-sized corpus: N generated articles
//! (the planted-reuse generator), indexed by `echotrace-search`; then Q
//! search queries (single words, two-word phrases, word pairs with a date
//! filter) and T trace lookups (a 20-word passage cut from an article),
//! each timed one by one.
//!
//! Usage: search_bench N DATASETS_DIR [QUERIES] [TRACES]
//! Prints a table: median and p99 latency per kind, and the indexing time.

use std::time::Instant;

use echotrace_eval::planted;
use echotrace_model::{DateBasis, Precision, Published};
use echotrace_reuse::{Aliases, ReuseParams};

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v.get(i).copied().unwrap_or(f64::NAN)
}

/// Writes each article as a JSONL page: a text dump with headline, dateline and body.
fn write_jsonl(
    articles: &[echotrace_model::Article],
    path: &std::path::Path,
) -> anyhow::Result<()> {
    use std::io::Write;
    let file =
        std::fs::File::create(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    for (i, a) in articles.iter().enumerate() {
        let day = a
            .published
            .as_ref()
            .and_then(|p| p.value.month_and_day())
            .map_or(1, |(_, d)| d);
        let headline: String = a
            .body
            .split_whitespace()
            .take(8)
            .collect::<Vec<_>>()
            .join(" ");
        let text = format!("{headline}\n\n{day:02} February 2023\n\n{}", a.body);
        let line = serde_json::json!({
            "url": format!("https://outlet-{}.example/news/{i}", i % 50),
            "text": text,
        });
        writeln!(out, "{line}").map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    }
    out.flush()
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: search_bench N DATASETS_DIR [QUERIES] [TRACES]";
    let n: usize = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .ok_or_else(|| anyhow::anyhow!(usage))?;
    let dir = std::path::PathBuf::from(args.get(2).ok_or_else(|| anyhow::anyhow!(usage))?);
    let queries: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(200);
    let traces: usize = args.get(4).and_then(|a| a.parse().ok()).unwrap_or(50);
    let articles = corpus(&dir, n)?;
    // With ECHOTRACE_BENCH_JSONL=PATH, write the corpus as JSONL pages (for a
    // store and server benchmark, bench/serve_latency.sh) and stop.
    if let Ok(path) = std::env::var("ECHOTRACE_BENCH_JSONL") {
        return write_jsonl(&articles, std::path::Path::new(&path));
    }
    let index_dir =
        std::env::temp_dir().join(format!("echotrace-search-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&index_dir);
    let t0 = Instant::now();
    let index = echotrace_search::SearchIndex::open(&index_dir)?;
    index.add(&articles)?;
    let t_index = t0.elapsed().as_secs_f64();
    let mut lat = time_searches(&index, &articles, queries)?;
    let (t_tracer, mut trace_lat) = time_traces(&articles, traces);
    let _ = std::fs::remove_dir_all(&index_dir);
    println!("{n} articles indexed in {t_index:.1} s (search), {t_tracer:.1} s (trace)");
    println!("| lookup | runs | median ms | p99 ms |");
    println!("| --- | --- | --- | --- |");
    let names = [
        "search: one word",
        "search: two-word phrase",
        "search: two words, date range",
    ];
    for (k, name) in names.iter().enumerate() {
        let runs = lat[k].len();
        println!(
            "| {name} | {runs} | {:.2} | {:.2} |",
            percentile(&mut lat[k], 0.5),
            percentile(&mut lat[k], 0.99)
        );
    }
    let runs = trace_lat.len();
    println!(
        "| trace: 20-word passage | {runs} | {:.1} | {:.1} |",
        percentile(&mut trace_lat, 0.5),
        percentile(&mut trace_lat, 0.99)
    );
    Ok(())
}

/// `n` planted-reuse articles in English, spread over 50 outlets and the days of February 2023.
fn corpus(dir: &std::path::Path, n: usize) -> anyhow::Result<Vec<echotrace_model::Article>> {
    let pool = echotrace_eval::body_texts(dir)?;
    let texts = planted::synthetic_texts(&pool, n, 7);
    let mut articles = planted::generate(&texts, n / 10, 11).articles;
    for (i, a) in articles.iter_mut().enumerate() {
        a.language = "en".into();
        a.outlet = Some(format!("Outlet {}", i % 50));
        let day = 1 + (i % 28);
        a.published = Some(Published {
            value: format!("2023-02-{day:02}").parse().expect("a calendar day"),
            precision: Precision::Day,
            basis: DateBasis::Explicit,
            evidence: String::new(),
        });
    }
    Ok(articles)
}

/// Milliseconds per search, by kind (one word, two-word phrase, two words with a date
/// range), over `queries` queries drawn deterministically from the corpus's own words.
fn time_searches(
    index: &echotrace_search::SearchIndex,
    articles: &[echotrace_model::Article],
    queries: usize,
) -> anyhow::Result<[Vec<f64>; 3]> {
    let words: Vec<Vec<&str>> = articles
        .iter()
        .map(|a| {
            a.body
                .split_whitespace()
                .filter(|w| w.chars().all(char::is_alphabetic) && w.len() > 4)
                .collect()
        })
        .collect();
    let mut lat: [Vec<f64>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    let none = echotrace_search::Filters::default();
    let dated = echotrace_search::Filters {
        from: Some("2023-02-05".into()),
        to: Some("2023-02-12".into()),
        ..Default::default()
    };
    for q in 0..queries {
        let w = &words[(q * 7919) % words.len()];
        if w.len() < 3 {
            continue;
        }
        let k = (q * 31) % (w.len() - 2);
        let cases = [
            (w[k].to_string(), &none),
            (format!("\"{} {}\"", w[k], w[k + 1]), &none),
            (format!("{} {}", w[k], w[k + 2]), &dated),
        ];
        for (kind, (text, filters)) in cases.iter().enumerate() {
            let t = Instant::now();
            let hits = index.search(text, filters, 10)?;
            lat[kind].push(t.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(hits);
        }
    }
    Ok(lat)
}

/// Seconds to build the tracer, and milliseconds per lookup of `traces` 20-word passages cut from the articles.
fn time_traces(articles: &[echotrace_model::Article], traces: usize) -> (f64, Vec<f64>) {
    let aliases = Aliases::builtin();
    let params = ReuseParams::default();
    let t0 = Instant::now();
    let tracer = echotrace_reuse::Tracer::new(articles, &aliases, &params);
    let t_tracer = t0.elapsed().as_secs_f64();
    let mut trace_lat = Vec::new();
    for q in 0..traces {
        let a = &articles[(q * 104729) % articles.len()];
        let passage: String = a
            .body
            .split_whitespace()
            .skip(10)
            .take(20)
            .collect::<Vec<_>>()
            .join(" ");
        let t = Instant::now();
        let hits = tracer.find(&passage);
        trace_lat.push(t.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(hits);
    }
    (t_tracer, trace_lat)
}
