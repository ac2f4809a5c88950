//! What a distributed candidate join over a signatures table would move: `join_stats
//! signatures.parquet [MAX_DF] [MIN_SHARED] [candidate_pairs.parquet]` prints, as one JSON
//! object, the rows of the exploded (n-gram, article) table (the join's shuffle input), the
//! n-grams kept by the document-frequency cut-off, the article pairs their posting lists make
//! before aggregation (a self-join: every two carriers of an n-gram), the distinct pairs
//! sharing at least MIN_SHARED n-grams, and the same for a star join (each carrier paired
//! with the n-gram's earliest carrier only, as the single-node echo index mostly does). Given
//! the single node's candidate pairs, it also counts how many of them each join finds.
//!
//! It also times the single node's echo-index walk over the same signatures
//! (`echotrace_reuse::candidate_pairs`: the sequential step a cluster would run on its driver,
//! batch by batch, to find exactly the single node's pairs).
//!
//! It reads the table batch by batch but holds the exploded table in memory (12 bytes a row).

use std::path::Path;

use echotrace_model::{CandidatePair, ReuseSignature};
use rayon::prelude::*;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!(
            "usage: join_stats signatures.parquet [MAX_DF] [MIN_SHARED] [candidate_pairs.parquet]"
        );
        std::process::exit(2);
    };
    let max_df: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(200);
    let min_shared: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(3);
    let mut entries: Vec<(u64, u32)> = Vec::new();
    let mut articles = 0u32;
    let mut sizes: Vec<usize> = Vec::new();
    let mut ids: std::collections::HashMap<String, u32> = Default::default();
    let mut signatures: Vec<ReuseSignature> = Vec::new();
    let read = echotrace_columnar::read_batches(Path::new(path), |rows: Vec<ReuseSignature>| {
        for r in rows {
            sizes.push(r.ngrams.len());
            ids.insert(r.article.clone(), articles);
            entries.extend(r.ngrams.iter().map(|&g| (g, articles)));
            signatures.push(r);
            articles += 1;
        }
    });
    if let Err(e) = read {
        eprintln!("join_stats: {e}");
        std::process::exit(1);
    }
    entries.par_sort_unstable();
    let mut star: Vec<u64> = Vec::new();
    let (mut distinct, mut kept_grams, mut kept_rows, mut over_df) = (0u64, 0u64, 0u64, 0u64);
    let mut pairs: Vec<u64> = Vec::new();
    let mut i = 0;
    while i < entries.len() {
        let mut j = i + 1;
        while j < entries.len() && entries[j].0 == entries[i].0 {
            j += 1;
        }
        distinct += 1;
        let df = j - i;
        if df > max_df {
            over_df += 1;
        } else if df >= 2 {
            kept_grams += 1;
            kept_rows += df as u64;
            let list = &entries[i..j];
            // Sorted by (n-gram, article): the first is the earliest carrier.
            let first = list[0].1 as u64;
            star.extend(list[1..].iter().map(|&(_, b)| (first << 32) | b as u64));
            for (k, &(_, a)) in list.iter().enumerate() {
                for &(_, b) in &list[k + 1..] {
                    pairs.push(((a.min(b) as u64) << 32) | a.max(b) as u64);
                }
            }
        }
        i = j;
    }
    let raw_pairs = pairs.len();
    let raw_star = star.len();
    let walk = std::time::Instant::now();
    let params = echotrace_reuse::ReuseParams {
        max_df,
        min_shared: min_shared as u32,
        ..Default::default()
    };
    let walked = echotrace_reuse::candidate_pairs(&signatures, &params).len();
    let walk_seconds = walk.elapsed().as_secs_f64();
    let (distinct_pairs, clique_kept) = aggregate(pairs, min_shared);
    let (distinct_star, star_kept) = aggregate(star, min_shared);
    let candidates = clique_kept.len();
    let single_node = args.get(4).map(|p| single_node_pairs(p, &ids));
    let found = |kept: &[u64]| {
        single_node.as_ref().map_or(String::from("null"), |s| {
            let kept: std::collections::HashSet<u64> = kept.iter().copied().collect();
            s.iter().filter(|p| kept.contains(p)).count().to_string()
        })
    };
    sizes.sort_unstable();
    let median = sizes.get(sizes.len() / 2).copied().unwrap_or(0);
    println!(
        "{{\"articles\": {articles}, \"ngrams_per_article_median\": {median}, \"exploded_rows\": {}, \"distinct_ngrams\": {distinct}, \"ngrams_over_max_df\": {over_df}, \"ngrams_kept\": {kept_grams}, \"rows_kept\": {kept_rows}, \"pairs_before_aggregation\": {raw_pairs}, \"distinct_pairs\": {distinct_pairs}, \"pairs_sharing_min\": {candidates}, \"star_pairs_before_aggregation\": {raw_star}, \"star_distinct_pairs\": {distinct_star}, \"star_pairs_sharing_min\": {}, \"single_node_pairs\": {}, \"single_node_found_by_self_join\": {}, \"single_node_found_by_star\": {}, \"echo_walk_pairs\": {walked}, \"echo_walk_seconds\": {walk_seconds:.2}, \"max_df\": {max_df}, \"min_shared\": {min_shared}}}",
        entries.len(),
        star_kept.len(),
        single_node.as_ref().map_or(String::from("null"), |s| s.len().to_string()),
        found(&clique_kept),
        found(&star_kept),
    );
}

/// Sorts pair keys and counts them: (distinct pairs, the pairs seen at least `min` times).
fn aggregate(mut pairs: Vec<u64>, min: usize) -> (u64, Vec<u64>) {
    pairs.par_sort_unstable();
    let (mut distinct, mut kept) = (0u64, Vec::new());
    let mut i = 0;
    while i < pairs.len() {
        let mut j = i + 1;
        while j < pairs.len() && pairs[j] == pairs[i] {
            j += 1;
        }
        distinct += 1;
        if j - i >= min {
            kept.push(pairs[i]);
        }
        i = j;
    }
    (distinct, kept)
}

/// The single node's candidate pairs as keys over signature row numbers (earlier << 32 | later).
fn single_node_pairs(path: &str, ids: &std::collections::HashMap<String, u32>) -> Vec<u64> {
    let pairs: Vec<CandidatePair> = echotrace_columnar::read(Path::new(path)).unwrap_or_else(|e| {
        eprintln!("join_stats: {e}");
        std::process::exit(1);
    });
    pairs
        .iter()
        .filter_map(|p| {
            let (a, b) = (*ids.get(&p.a)?, *ids.get(&p.b)?);
            Some(((a.min(b) as u64) << 32) | a.max(b) as u64)
        })
        .collect()
}
