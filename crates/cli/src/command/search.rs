//! `echotrace search`: full-text search over a store, with filters by outlet, dates and story.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use echotrace_model::Article;
use echotrace_pipeline::collection::Collection;
use echotrace_search::{Filters, Hit};

/// Flags of `search`.
#[derive(clap::Args)]
pub struct SearchArgs {
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
}

/// Searches the store's index and prints the hits, best first.
pub fn run(args: SearchArgs) -> anyhow::Result<ExitCode> {
    let collection = Collection::open_existing(&args.db)?;
    let index = collection.search_caught_up()?;
    let articles = match &args.story {
        Some(id) => {
            let stories = collection.stories()?;
            let story = stories
                .iter()
                .find(|s| &s.id == id)
                .ok_or_else(|| anyhow::anyhow!("no story {id} in {}", args.db.display()))?;
            Some(story.articles.clone())
        }
        None => None,
    };
    let filters = Filters {
        outlet: args.outlet.clone(),
        from: args.from.clone(),
        to: args.to.clone(),
        articles,
    };
    let hits = index.search(&args.query, &filters, args.limit)?;
    // Only the hits' articles are read, not the store.
    let ids: Vec<u32> = hits
        .iter()
        .filter_map(|h| h.article.strip_prefix('a')?.parse().ok())
        .collect();
    let found = collection.store().articles_with_ids(&ids)?;
    let by_id: HashMap<&str, &Article> = found.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut out = std::io::stdout().lock();
    if hits.is_empty() && !args.json {
        let _ = writeln!(out, "no article matches");
    }
    for h in &hits {
        let line = hit_line(h, by_id.get(h.article.as_str()).copied(), args.json);
        if writeln!(out, "{line}").is_err() {
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// One hit, as a JSON line or for a reader.
fn hit_line(h: &Hit, a: Option<&Article>, json: bool) -> String {
    let title = a.and_then(|a| a.title.as_deref()).unwrap_or("(untitled)");
    let outlet = a.and_then(|a| a.outlet.as_deref()).unwrap_or("");
    let date = a
        .and_then(|a| a.published.as_ref().map(|p| p.value.to_string()))
        .unwrap_or_default();
    if json {
        serde_json::json!({"article": h.article, "score": h.score, "title": title, "outlet": outlet, "published": date, "snippet": h.snippet}).to_string()
    } else {
        format!(
            "{}  {:.2}  {date}  {outlet}  {title}\n    {}",
            h.article,
            h.score,
            h.snippet.replace('\n', " ")
        )
    }
}
