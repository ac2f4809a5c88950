//! Writes a generated news crawl (see `echotrace_eval::crawl`) as JSONL pages and its gold.
//!
//! Usage: gen_crawl N DATASETS_DIR OUT_DIR [--dense] [--seed S]
//! Writes OUT_DIR/pages.jsonl (`{"url", "text", "fetched_at"}` a line, the
//! format `echotrace analyze` and `ingest` read) and OUT_DIR/gold.json.

use std::io::Write;

use echotrace_eval::crawl::{generate_crawl, CrawlShape};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: gen_crawl N DATASETS_DIR OUT_DIR [--dense] [--seed S]";
    let n: usize = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .ok_or_else(|| anyhow::anyhow!(usage))?;
    let dir = std::path::PathBuf::from(args.get(2).ok_or_else(|| anyhow::anyhow!(usage))?);
    let out = std::path::PathBuf::from(args.get(3).ok_or_else(|| anyhow::anyhow!(usage))?);
    let shape = if args.iter().any(|a| a == "--dense") {
        CrawlShape::Dense
    } else {
        CrawlShape::News
    };
    let seed = args
        .iter()
        .position(|a| a == "--seed")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(42);
    let pool = echotrace_eval::crawl::news_pool(&dir)?;
    let (pages, gold) = generate_crawl(&pool, n, shape, seed);
    std::fs::create_dir_all(&out).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
    let path = out.join("pages.jsonl");
    let f = std::fs::File::create(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let mut w = std::io::BufWriter::new(f);
    for p in &pages {
        let line = serde_json::json!({"url": p.url, "text": p.text, "fetched_at": p.fetched_at});
        writeln!(w, "{line}").map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    }
    w.flush()
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let gpath = out.join("gold.json");
    let g = serde_json::to_string(&gold)?;
    std::fs::write(&gpath, g).map_err(|e| anyhow::anyhow!("{}: {e}", gpath.display()))?;
    let echoes: usize = gold.wire.iter().map(|w| w.echoes.len()).sum();
    eprintln!(
        "{} pages, {} wire stories with {} echoes (largest {}), {} quotations, {} re-crawls -> {}",
        pages.len(),
        gold.wire.len(),
        echoes,
        gold.wire.iter().map(|w| w.echoes.len()).max().unwrap_or(0),
        gold.quotations.len(),
        gold.recrawls.len(),
        out.display()
    );
    Ok(())
}
