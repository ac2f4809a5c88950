//! `echotrace trace`: where a passage appears in pages, a report or a store, earliest first.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use echotrace_model::Article;
use echotrace_pipeline::Options;
use echotrace_reuse::TraceHit;

use crate::input::SourceArgs;
use crate::outcome::{finish, print_diagnostics};

/// Flags of `trace`.
#[derive(clap::Args)]
pub struct TraceArgs {
    /// The passage (otherwise read from --file or stdin).
    #[arg(long)]
    text: Option<String>,
    /// A file holding the passage.
    #[arg(long)]
    file: Option<PathBuf>,
    #[command(flatten)]
    from: SourceArgs,
    /// Print the hits as JSON lines.
    #[arg(long)]
    json: bool,
}

impl TraceArgs {
    /// The passage to look for, from --text, --file or stdin.
    fn passage(&self) -> anyhow::Result<String> {
        let passage = match (&self.text, &self.file) {
            (Some(t), _) => t.clone(),
            (None, Some(f)) => std::fs::read_to_string(f)
                .with_context(|| format!("cannot read {}", f.display()))?,
            (None, None) => {
                let mut s = String::new();
                std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut s)
                    .context("reading stdin")?;
                s
            }
        };
        if passage.trim().is_empty() {
            anyhow::bail!("no passage given: pass --text, --file, or pipe it on stdin");
        }
        Ok(passage)
    }
}

/// Finds the passage and prints the hits, earliest article first.
pub fn run(args: TraceArgs) -> anyhow::Result<ExitCode> {
    let passage = args.passage()?;
    let opts = Options::default();
    let (articles, diags) = args
        .from
        .source()?
        .articles(&opts, &echotrace_pipeline::Silent)?;
    print_diagnostics(&diags);
    let mut hits = echotrace_reuse::trace(&passage, &articles, &opts.aliases, &opts.reuse);
    let by_id: HashMap<&str, &Article> = articles.iter().map(|a| (a.id.as_str(), a)).collect();
    hits.sort_by_key(|h| (by_id[h.article.as_str()].chronology(), h.article.clone()));
    let mut out = std::io::stdout().lock();
    if hits.is_empty() && !args.json {
        let _ = writeln!(out, "no article contains that passage");
    }
    for h in &hits {
        let a = by_id[h.article.as_str()];
        if args.json {
            writeln!(out, "{}", hit_json(h, a))
        } else {
            writeln!(out, "{}", hit_text(h, a))
        }
        .context("writing stdout")?;
    }
    Ok(finish(&diags))
}

/// One hit as a JSON line.
fn hit_json(h: &TraceHit, a: &Article) -> serde_json::Value {
    serde_json::json!({
        "article": h.article, "origin": a.origin, "outlet": a.outlet, "title": a.title,
        "published": a.published, "kind": h.kind, "score": h.score, "coverage": h.coverage,
        "start": h.start, "end": h.end, "text": a.body.get(h.start..h.end).unwrap_or(""),
    })
}

/// One hit for a reader: date, article, outlet, how it matched, title, the matched text.
fn hit_text(h: &TraceHit, a: &Article) -> String {
    let date = a
        .published
        .as_ref()
        .map(|p| p.value.to_string())
        .unwrap_or_else(|| "date unknown".into());
    let matched = a.body.get(h.start..h.end).unwrap_or("");
    format!(
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
}
