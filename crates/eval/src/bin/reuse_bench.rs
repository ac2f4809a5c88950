//! Reuse-stage speed at one corpus size: candidate generation and alignment
//! on a synthetic corpus with planted reuse. Run once per size (peak memory
//! is per process) by `bench/reuse_scale.sh`, which also runs datasketch's
//! MinHashLSH on the same shingles and prints the table.
//!
//! Usage: reuse_bench N DATASETS_DIR [SHINGLES_OUT]
//! Prints one JSON object: size, pairs, seconds per step, peak memory,
//! planted pairs found.

use std::collections::HashSet;
use std::io::Write;
use std::time::Instant;

use echotrace_eval::planted;
use echotrace_reuse::{align, tokenize, Aliases, NgramIndex, ReuseParams};
use rayon::prelude::*;

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
    let n: usize = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("usage: reuse_bench N DATASETS_DIR [SHINGLES_OUT]"))?;
    let dir = std::path::PathBuf::from(
        args.get(2)
            .ok_or_else(|| anyhow::anyhow!("usage: reuse_bench N DATASETS_DIR [SHINGLES_OUT]"))?,
    );
    let mut pool = echotrace_eval::body_texts(&dir)?;
    let attr = dir.join("attribution/train/text");
    if let Ok(rd) = std::fs::read_dir(&attr) {
        let mut files: Vec<_> = rd.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        files.sort();
        for f in files {
            if let Ok(t) = std::fs::read_to_string(&f) {
                pool.push(t);
            }
        }
    }
    let texts = planted::synthetic_texts(&pool, n, 7);
    let corpus = planted::generate(&texts, n / 10, 11);
    let aliases = Aliases::builtin();
    let params = ReuseParams::default();

    let t0 = Instant::now();
    let tokens: Vec<Vec<echotrace_reuse::Token>> = corpus
        .articles
        .par_iter()
        .map(|a| tokenize(&a.body, &aliases))
        .collect();
    let t_tok = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let mut index = NgramIndex::new(params.index_n);
    let signatures: Vec<Vec<u64>> = tokens.par_iter().map(|t| index.signature(t)).collect();
    for s in &signatures {
        index.add_signature(s);
    }
    let pairs = index.candidates(params.min_shared, params.max_df);
    let t_cand = t1.elapsed().as_secs_f64();
    let t2 = Instant::now();
    let passages: usize = pairs
        .par_iter()
        .map(|c| align::align(&tokens[c.a as usize], &tokens[c.b as usize], &params.align).len())
        .sum();
    let t_align = t2.elapsed().as_secs_f64();

    // Sentence embeddings (feature `embed`, ECHOTRACE_BENCH_EMBED=1): how many sentences, how fast.
    #[allow(unused_mut)]
    let mut embed_stats = serde_json::Value::Null;
    #[cfg(feature = "embed")]
    if std::env::var_os("ECHOTRACE_BENCH_EMBED").is_some() {
        let e =
            echotrace_reuse::embed::Embedder::load(&echotrace_reuse::embed::default_model_dir())?;
        let t3 = Instant::now();
        let st =
            echotrace_reuse::find_passages_with(&corpus.articles, &aliases, &params, Some(&e))?
                .stats;
        let secs = t3.elapsed().as_secs_f64();
        embed_stats = serde_json::json!({"sentences_embedded": st.embedded, "sentence_pairs_compared": st.compared, "seconds_with_embeddings": secs});
    }
    let found: HashSet<(u32, u32)> = pairs.iter().map(|c| (c.a, c.b)).collect();
    let gold: HashSet<(u32, u32)> = corpus
        .gold
        .iter()
        .map(|g| (g.source.min(g.target) as u32, g.source.max(g.target) as u32))
        .collect();
    let gold_found = gold.iter().filter(|p| found.contains(p)).count();

    if let Some(out) = args.get(3) {
        // The same shingles for the peer: one line per document, hex n-gram hashes.
        let f = std::fs::File::create(out).map_err(|e| anyhow::anyhow!("{out}: {e}"))?;
        let mut w = std::io::BufWriter::new(f);
        for t in &tokens {
            let mut g = echotrace_reuse::index::ngram_hashes(t, params.index_n);
            g.sort_unstable();
            g.dedup();
            let line: Vec<String> = g.iter().map(|h| format!("{h:x}")).collect();
            writeln!(w, "{}", line.join(" "))?;
        }
        let gf = format!("{out}.gold");
        let mut gw = std::fs::File::create(&gf).map_err(|e| anyhow::anyhow!("{gf}: {e}"))?;
        for (a, b) in &gold {
            writeln!(gw, "{a} {b}")?;
        }
    }
    println!(
        "{}",
        serde_json::json!({
            "articles": n, "tokens": tokens.iter().map(Vec::len).sum::<usize>(),
            "pairs": pairs.len(), "passages": passages,
            "tokenize_s": t_tok, "candidates_s": t_cand, "align_s": t_align,
            "peak_mib": peak_rss_mib(), "gold_pairs": gold.len(), "gold_pairs_found": gold_found,
            "embeddings": embed_stats,
        })
    );
    Ok(())
}
