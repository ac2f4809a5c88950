//! How far two analyses of the same pages agree on stories.
//!
//! Usage: story_agreement A.jsonl B.jsonl
//! Each file is `echotrace export --format jsonl-articles` output (articles
//! with their story id), of `analyze` and of a grown store, say. Articles
//! are matched by URL; prints one JSON object: the articles in both, the
//! stories of each, and the pairwise F1 of B's partition against A's.

use std::collections::HashMap;

/// Story id of each article, by URL.
fn partition(path: &str) -> anyhow::Result<HashMap<String, String>> {
    let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
    let mut out = HashMap::new();
    for (n, line) in text.lines().enumerate() {
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| anyhow::anyhow!("{path}:{}: {e}", n + 1))?;
        let url = v["origin"]["url"].as_str().unwrap_or_default().to_string();
        let story = v["story"].as_str().unwrap_or_default().to_string();
        if !url.is_empty() && !story.is_empty() {
            out.insert(url, story);
        }
    }
    Ok(out)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 2 {
        eprintln!("usage: story_agreement A.jsonl B.jsonl");
        std::process::exit(2);
    }
    let (a, b) = match (partition(&args[0]), partition(&args[1])) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("story_agreement: {e}");
            std::process::exit(1);
        }
    };
    let urls: Vec<&String> = a.keys().filter(|u| b.contains_key(*u)).collect();
    let pa: Vec<&str> = urls.iter().map(|u| a[*u].as_str()).collect();
    let pb: Vec<&str> = urls.iter().map(|u| b[*u].as_str()).collect();
    let score = echotrace_eval::clustering::score(&pa, &pb);
    let count = |p: &[&str]| p.iter().collect::<std::collections::HashSet<_>>().len();
    println!(
        "{}",
        serde_json::json!({
            "articles": urls.len(),
            "stories_a": count(&pa),
            "stories_b": count(&pb),
            "pairwise_f1": (score.f1 * 1000.0).round() / 1000.0,
            "precision": (score.precision * 1000.0).round() / 1000.0,
            "recall": (score.recall * 1000.0).round() / 1000.0,
        })
    );
}
