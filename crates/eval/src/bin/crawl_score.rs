//! Scores a report of a generated crawl (see `gen_crawl`): are the planted echoes found?
//!
//! Usage: crawl_score REPORT_JSON GOLD_JSON
//! An echo counts as found when it shares a passage of its wire story's echo
//! group: the group that most of the story's members' passages belong to.
//! Prints one JSON object: echoes, found, recall, groups, passages.

use std::collections::HashMap;

#[derive(serde::Deserialize)]
struct Origin {
    url: Option<String>,
}
#[derive(serde::Deserialize)]
struct Article {
    id: String,
    origin: Origin,
}
#[derive(serde::Deserialize)]
struct Span {
    article: String,
}
#[derive(serde::Deserialize)]
struct Passage {
    a: Span,
    b: Span,
    group: Option<String>,
}
#[derive(serde::Deserialize)]
struct Report {
    articles: Vec<Article>,
    passages: Vec<Passage>,
}
#[derive(serde::Deserialize)]
struct Wire {
    original: String,
    echoes: Vec<String>,
}
#[derive(serde::Deserialize)]
struct Gold {
    wire: Vec<Wire>,
}

fn read<T: serde::de::DeserializeOwned>(path: &str) -> anyhow::Result<T> {
    let f = std::fs::File::open(path).map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
    serde_json::from_reader(std::io::BufReader::new(f)).map_err(|e| anyhow::anyhow!("{path}: {e}"))
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: crawl_score REPORT_JSON GOLD_JSON";
    let report: Report = read(args.get(1).ok_or_else(|| anyhow::anyhow!(usage))?)?;
    let gold: Gold = read(args.get(2).ok_or_else(|| anyhow::anyhow!(usage))?)?;
    let id_of: HashMap<&str, &str> = report
        .articles
        .iter()
        .filter_map(|a| Some((a.origin.url.as_deref()?, a.id.as_str())))
        .collect();
    // Groups each article's passages belong to.
    let mut groups_of: HashMap<&str, Vec<&str>> = HashMap::new();
    for p in &report.passages {
        if let Some(g) = p.group.as_deref() {
            groups_of.entry(p.a.article.as_str()).or_default().push(g);
            groups_of.entry(p.b.article.as_str()).or_default().push(g);
        }
    }
    let (mut echoes, mut found) = (0usize, 0usize);
    for w in &gold.wire {
        let members: Vec<&str> = std::iter::once(&w.original)
            .chain(&w.echoes)
            .filter_map(|u| id_of.get(u.as_str()).copied())
            .collect();
        let mut votes: HashMap<&str, usize> = HashMap::new();
        for m in &members {
            let mut gs = groups_of.get(m).cloned().unwrap_or_default();
            gs.sort_unstable();
            gs.dedup();
            for g in gs {
                *votes.entry(g).or_default() += 1;
            }
        }
        let best = votes
            .iter()
            .max_by_key(|(g, v)| (**v, std::cmp::Reverse(**g)));
        echoes += w.echoes.len();
        let Some((best, _)) = best else { continue };
        found += w
            .echoes
            .iter()
            .filter_map(|u| id_of.get(u.as_str()))
            .filter(|id| groups_of.get(*id).is_some_and(|gs| gs.contains(best)))
            .count();
    }
    let mut groups: Vec<&str> = report
        .passages
        .iter()
        .filter_map(|p| p.group.as_deref())
        .collect();
    groups.sort_unstable();
    groups.dedup();
    println!(
        "{}",
        serde_json::json!({
            "echoes": echoes, "found": found,
            "recall": if echoes == 0 { 1.0 } else { found as f64 / echoes as f64 },
            "groups": groups.len(), "passages": report.passages.len(),
        })
    );
    Ok(())
}
