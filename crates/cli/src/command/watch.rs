//! `echotrace watch`: texts a user wants to hear about again, kept in the store; each ingest
//! checks its new articles against them and stores what matched as alerts (`echotrace alerts`).

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use echotrace_pipeline::collection::require_store;
use echotrace_pipeline::watching::WatchRequest;
use echotrace_store::Store;
use echotrace_watch::rule::{human_duration, Rule, TimeBasis};

/// Flags of `watch`.
#[derive(clap::Args)]
pub struct WatchArgs {
    /// The store file (`add` and `import` create it when missing, so watches can come before pages).
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Watch a text, a claim or a story: new articles that carry it (verbatim, reworded or
    /// translated), restate the claim's figure (or drift from it), or join the story raise alerts.
    /// `--velocity N --within T` alerts when a story (the watched one, or any without `--story`)
    /// gains N new independent outlets within T; a watch quiet for `--dormant` (30d) that comes
    /// back raises a revival alert.
    Add {
        /// The watched text.
        #[arg(long, conflicts_with_all = ["file", "story", "claim"])]
        text: Option<String>,
        /// A file holding the watched text.
        #[arg(long, conflicts_with_all = ["story", "claim"])]
        file: Option<PathBuf>,
        /// A story to follow (`s<n>`, as `export` and the API name it).
        #[arg(long, conflicts_with = "claim")]
        story: Option<String>,
        /// A claim to watch (`c<n>.<k>`): its sentence, with its figures.
        #[arg(long)]
        claim: Option<String>,
        /// Alert when a story gains this many new independent outlets (copies and one outlet's articles count once)...
        #[arg(long)]
        velocity: Option<usize>,
        /// ...within this long (`90m`, `6h`, `2d`; a bare number is hours).
        #[arg(long, requires = "velocity")]
        within: Option<String>,
        /// Count times by crawl time (fetch time, else when stored) or by publication date (for backfills).
        #[arg(long, value_enum, default_value_t = By::Crawl)]
        by: By,
        /// A watch quiet this long is dormant; its next alert also raises a revival alert.
        #[arg(long, default_value = "30d")]
        dormant: String,
        /// A name for people.
        #[arg(long)]
        name: Option<String>,
        /// The watch's id (the next free `w<n>` otherwise); an existing watch with that id is replaced.
        #[arg(long)]
        id: Option<String>,
    },
    /// List the watches.
    List {
        /// One JSON object a line.
        #[arg(long)]
        json: bool,
    },
    /// Stop watching (the alerts a watch raised stay).
    Rm {
        /// The watch's id.
        id: String,
    },
    /// Add watches from a JSON lines file: `{"id": ..., "text": ..., "name": ...}` a line (name optional).
    Import {
        /// The file.
        file: PathBuf,
    },
    /// Which watches a text matches, best first (has this already been fact-checked?).
    #[cfg(feature = "search")]
    Match {
        /// The text to match.
        #[arg(long, conflicts_with = "queries")]
        text: Option<String>,
        /// A JSON lines file of queries: `{"id": ..., "text": ...}` a line.
        #[arg(long)]
        queries: Option<PathBuf>,
        /// Matches per query.
        #[arg(long, default_value_t = 5)]
        top: usize,
        /// One JSON line per query: `{"id", "matches": [{"watch", "score", "tier", "kind"}]}`.
        #[arg(long)]
        json: bool,
    },
}

/// What a watch's times are counted by.
#[derive(Clone, Copy, clap::ValueEnum)]
enum By {
    /// Crawl time: the page's fetch time, else when it was stored.
    Crawl,
    /// The article's publication date.
    Published,
}

/// Carries out a `watch` subcommand.
pub fn run(args: WatchArgs) -> anyhow::Result<ExitCode> {
    let db = args
        .db
        .context("which store? pass --db FILE (the file `echotrace ingest --db` writes)")?;
    match args.action {
        Action::Add {
            text,
            file,
            story,
            claim,
            velocity,
            within,
            by,
            dormant,
            name,
            id,
        } => {
            let text = match (text, file) {
                (Some(t), _) => Some(t),
                (None, Some(f)) => Some(
                    std::fs::read_to_string(&f)
                        .with_context(|| format!("cannot read {}", f.display()))?,
                ),
                (None, None) => None,
            };
            let request = WatchRequest {
                text,
                story,
                claim,
                velocity,
                within,
                by: Some(match by {
                    By::Crawl => TimeBasis::Crawl,
                    By::Published => TimeBasis::Published,
                }),
                dormant: Some(dormant),
                name,
                id,
            };
            let mut store = if request.story.is_some() || request.claim.is_some() {
                open(&db)?
            } else {
                Store::open(&db)?
            };
            let (id, w) = request.add(&mut store)?;
            let alerts = format!("`echotrace alerts --db {}`", db.display());
            let velocity = w.rule.velocity.map(|v| {
                format!(
                    "; {} new independent outlets within {} raise a velocity alert",
                    v.outlets,
                    human_duration(v.within_secs)
                )
            });
            let velocity = velocity.unwrap_or_default();
            match w.kind.as_str() {
                "story" => eprintln!(
                    "echotrace: {id} follows story {}: new members raise alerts{velocity} ({alerts})",
                    w.text
                ),
                "velocity" => eprintln!(
                    "echotrace: {id} watches every story{velocity} ({alerts})"
                ),
                kind => {
                    let words = echotrace_reuse::content_words(&w.text);
                    eprintln!(
                        "echotrace: watching {id} ({}{words} content words{}); new articles that carry it raise alerts ({alerts})",
                        if kind == "claim" { "the claim's sentence, " } else { "" },
                        if words < echotrace_watch::CONFIRM_CONTENT_WORDS {
                            ", too short to confirm a match on its own: its matches are suggested"
                        } else {
                            ""
                        },
                    );
                }
            }
            println!("{id}");
            Ok(ExitCode::SUCCESS)
        }
        Action::List { json } => {
            let store = open(&db)?;
            let mut out = std::io::stdout().lock();
            for w in store.watches()? {
                if json {
                    writeln!(out, "{}", serde_json::to_string(&w)?)
                } else {
                    let rule = Rule::of(&w.rule);
                    let mut what = match w.kind.as_str() {
                        "story" => format!("story {}", w.text),
                        "velocity" => "every story".to_string(),
                        "claim" => format!(
                            "claim {}: {}",
                            rule.claim.as_deref().unwrap_or("?"),
                            preview(&w.text, 80)
                        ),
                        _ => preview(&w.text, 100),
                    };
                    if let Some(v) = rule.velocity {
                        what.push_str(&format!(
                            " [velocity {} outlets / {}]",
                            v.outlets,
                            human_duration(v.within_secs)
                        ));
                    }
                    writeln!(
                        out,
                        "{}\t{}\t{}",
                        w.id,
                        w.name.as_deref().unwrap_or("-"),
                        what
                    )
                }
                .context("writing stdout")?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Action::Rm { id } => {
            if !open(&db)?.remove_watch(&id)? {
                anyhow::bail!("no watch {id} in {} (`echotrace watch list`)", db.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Action::Import { file } => {
            let (rows, bad) = read_jsonl(&file, true)?;
            let watches: Vec<(String, Option<String>, String)> =
                rows.into_iter().map(|r| (r.id, r.name, r.text)).collect();
            let n = Store::open(&db)?.import_watches(&watches)?;
            eprintln!("echotrace: {n} watches imported into {}", db.display());
            Ok(if bad == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(crate::outcome::DIAGNOSTICS)
            })
        }
        #[cfg(feature = "search")]
        Action::Match {
            text,
            queries,
            top,
            json,
        } => {
            let (queries, bad) = match (text, queries) {
                (Some(t), _) => (
                    vec![LineOf {
                        id: "text".into(),
                        text: t,
                        name: None,
                    }],
                    0,
                ),
                (None, Some(f)) => read_jsonl(&f, false)?,
                (None, None) => anyhow::bail!("nothing to match: pass --text or --queries"),
            };
            let store = open(&db)?;
            let ranker = ranker_of(&store)?;
            let mut out = std::io::stdout().lock();
            for q in &queries {
                let found = ranker.rank(&q.text, top);
                if json {
                    let matches: Vec<_> = found
                        .iter()
                        .map(|m| {
                            serde_json::json!({
                                "watch": m.watch, "score": m.score, "tier": m.tier, "kind": m.kind,
                            })
                        })
                        .collect();
                    writeln!(
                        out,
                        "{}",
                        serde_json::json!({"id": q.id, "matches": matches})
                    )
                } else {
                    let mut s = format!("{}:", q.id);
                    if found.is_empty() {
                        s.push_str(" no watch matches");
                    }
                    for m in &found {
                        s.push_str(&format!(
                            "\n  {} {:.3} {} {}",
                            m.watch,
                            m.score,
                            m.tier.as_str(),
                            m.kind
                        ));
                    }
                    writeln!(out, "{s}")
                }
                .context("writing stdout")?;
            }
            Ok(if bad == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(crate::outcome::DIAGNOSTICS)
            })
        }
    }
}

/// The store at `db`, which must exist.
pub(crate) fn open(db: &Path) -> anyhow::Result<Store> {
    require_store(db)?;
    Ok(Store::open(db)?)
}

#[cfg(feature = "search")]
/// The ranker over the store's watches, with the aliases the store was made with.
fn ranker_of(store: &Store) -> anyhow::Result<echotrace_watch::rank::Ranker> {
    let rows: Vec<_> = store
        .watches()?
        .into_iter()
        .filter(|w| matches!(w.kind.as_str(), "text" | "claim"))
        .collect();
    let names = rows
        .iter()
        .map(|w| w.name.clone().unwrap_or_default())
        .collect();
    let watches: Vec<echotrace_watch::Watch> = rows
        .into_iter()
        .map(|w| echotrace_watch::Watch {
            id: w.id,
            text: w.text,
        })
        .collect();
    let index = echotrace_watch::WatchIndex::new(
        watches,
        &echotrace_pipeline::collection::aliases_of(store)?,
        echotrace_reuse::ReuseParams::default().align,
    );
    let model = echotrace_watch::rank::Model::shipped();
    Ok(echotrace_watch::rank::Ranker::with_names(
        index, names, model,
    )?)
}

/// One line of an import or queries file.
#[derive(serde::Deserialize)]
struct Line {
    id: serde_json::Value,
    text: String,
    #[serde(default)]
    name: Option<String>,
}

/// Lines of an import or queries file, with ids as strings; bad lines are named on stderr and
/// counted. `watches` says what the lines are, for the messages.
fn read_jsonl(path: &Path, watches: bool) -> anyhow::Result<(Vec<LineOf>, usize)> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let what = if watches { "watch" } else { "query" };
    let (mut rows, mut bad) = (Vec::new(), 0);
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("cannot read {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Line>(&line) {
            Ok(l) if !l.text.trim().is_empty() => rows.push(LineOf {
                id: match l.id {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                },
                text: l.text,
                name: l.name,
            }),
            Ok(_) => {
                bad += 1;
                eprintln!("{}:{}: empty text, {what} skipped", path.display(), i + 1);
            }
            Err(e) => {
                bad += 1;
                eprintln!(
                    "{}:{}: not a {what} ({{\"id\": ..., \"text\": ...}} expected): {e}; skipped",
                    path.display(),
                    i + 1
                );
            }
        }
    }
    Ok((rows, bad))
}

/// A line read: its id as a string.
struct LineOf {
    id: String,
    text: String,
    name: Option<String>,
}

/// The first `n` characters of `text` on one line.
pub(crate) fn preview(text: &str, n: usize) -> String {
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match one.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &one[..i]),
        None => one,
    }
}
