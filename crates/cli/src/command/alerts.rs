//! `echotrace alerts`: what the watches found in newly ingested articles, with their evidence,
//! and their delivery to webhooks (signed JSON POSTs from the store's outbox, at least once).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use echotrace_store::{AlertRow, Store};

use crate::command::watch::{open, preview};

/// Flags of `alerts`.
#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AlertsArgs {
    /// The store file.
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    /// Only alerts raised since then: a date (2026-12-01), a time (2026-12-01T08:00:00Z) or a
    /// span back from now (30m, 24h, 7d).
    #[arg(long)]
    since: Option<String>,
    /// At most this many alerts, oldest first.
    #[arg(long, default_value_t = 1000)]
    limit: usize,
    /// One JSON object a line (the alert, its evidence, and its id a webhook receiver deduplicates by).
    #[arg(long)]
    json: bool,
    #[command(subcommand)]
    action: Option<Action>,
}

#[derive(clap::Subcommand)]
enum Action {
    /// Post the alerts not yet delivered to every webhook (failures wait and are retried).
    Deliver {
        /// Retry failed deliveries now instead of after their backoff.
        #[arg(long)]
        now: bool,
    },
    /// The webhooks alerts are posted to.
    Webhook {
        #[command(subcommand)]
        action: WebhookAction,
    },
}

#[derive(clap::Subcommand)]
enum WebhookAction {
    /// Post every new alert to URL, signed with the secret in FILE (HMAC-SHA256).
    Add {
        /// Where to POST (http://, or https:// in a build with the `tls` feature).
        #[arg(long)]
        url: String,
        /// A file holding the shared secret (its first line); kept in the store.
        #[arg(long)]
        secret_file: PathBuf,
    },
    /// List the webhooks and what is waiting for them.
    List,
    /// Stop posting to URL (what was not delivered to it is dropped).
    Rm {
        /// The webhook's URL.
        url: String,
    },
}

/// Lists alerts, delivers them, or manages webhooks.
pub fn run(args: AlertsArgs) -> anyhow::Result<ExitCode> {
    let db = args
        .db
        .clone()
        .context("which store? pass --db FILE (the file `echotrace ingest --db` writes)")?;
    let mut store = match &args.action {
        // A webhook can be set up before the first page arrives.
        Some(Action::Webhook {
            action: WebhookAction::Add { .. },
        }) => Store::open(&db)?,
        _ => open(&db)?,
    };
    match args.action {
        None => list(&store, &args),
        Some(Action::Deliver { now }) => {
            if now {
                store.retry_now()?;
            }
            let d = echotrace_watch::delivery::drain(&mut store, usize::MAX)?;
            let (pending, _) = store.undelivered()?;
            eprintln!(
                "echotrace: {} deliveries made, {} failed (retried later); {pending} waiting",
                d.delivered, d.failed
            );
            Ok(if d.failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(crate::outcome::DIAGNOSTICS)
            })
        }
        Some(Action::Webhook { action }) => webhook(&mut store, action),
    }
}

fn list(store: &Store, args: &AlertsArgs) -> anyhow::Result<ExitCode> {
    let since = match &args.since {
        Some(s) => since(s, echotrace_store::now())?,
        None => 0,
    };
    let alerts = store.alerts_since(since, args.limit)?;
    let mut out = std::io::stdout().lock();
    if alerts.is_empty() && !args.json {
        writeln!(out, "no alerts").context("writing stdout")?;
    }
    for a in &alerts {
        if args.json {
            writeln!(out, "{}", serde_json::to_string(a)?)
        } else {
            writeln!(out, "{}", alert_text(a))
        }
        .context("writing stdout")?;
    }
    Ok(ExitCode::SUCCESS)
}

/// An alert for people: a header line, then the watched and the article's aligned text.
fn alert_text(a: &AlertRow) -> String {
    let e = &a.evidence;
    let field = |k: &str| e[k].as_str().unwrap_or("").to_string();
    let when = chrono::DateTime::from_timestamp(a.created_at, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default();
    let about: Vec<String> = [
        a.article.clone(),
        field("outlet"),
        field("title"),
        field("url"),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect();
    let drift: Vec<String> = e["figure_drift"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|x| {
                    format!(
                        "\n    figure drifted: {} -> {}",
                        x["watched"].as_str().unwrap_or(""),
                        x["found"].as_str().unwrap_or("")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let r = &e["relation"];
    let relation = match r["kind"].as_str() {
        Some("attributes") => format!(
            "\n    relation: attributes it ({} {})",
            r["speaker"].as_str().unwrap_or("someone"),
            r["cue"].as_str().unwrap_or("says")
        ),
        Some("disputes") => format!(
            "\n    relation: disputes it (\"{}\")",
            r["disputed_by"].as_str().unwrap_or("")
        ),
        Some(kind) => format!("\n    relation: {kind} it"),
        None => String::new(),
    };
    let head = format!("#{} {when}  {} {} {}", a.id, a.watch, a.tier, a.kind);
    let story = || {
        format!(
            "story {} \"{}\"",
            field("story"),
            preview(&field("label"), 80)
        )
    };
    match a.kind.as_str() {
        "story" => {
            return format!(
                "{head}  {} joined {} ({} members, {} independent outlets)",
                about.join("  "),
                story(),
                e["members"].as_u64().unwrap_or(0),
                e["independent_outlets"].as_u64().unwrap_or(0),
            )
        }
        "velocity" => {
            let joined: Vec<String> = e["joined"]
                .as_array()
                .map(|j| {
                    j.iter()
                        .filter_map(|x| x["article"].as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            return format!(
                "{head}  {} gained {} new independent outlets within {} (rule: {}): {}",
                story(),
                e["outlets"].as_u64().unwrap_or(0),
                echotrace_watch::rule::human_duration(e["within_secs"].as_i64().unwrap_or(0)),
                e["needed"].as_u64().unwrap_or(0),
                joined.join(", "),
            );
        }
        "revival" => {
            return format!(
            "{head}  {}  the watch was quiet for at least {} days; it came back with a {} alert",
            about.join("  "),
            e["dormant_secs"].as_i64().unwrap_or(0) / 86_400,
            field("after"),
        )
        }
        _ => {}
    }
    format!(
        "#{} {when}  {} {} {} {:.3} (covers {:.0}% of the watch)  {}\n    watched: {}\n    article: {}{}",
        a.id,
        a.watch,
        a.tier,
        a.kind,
        a.score,
        e["coverage"].as_f64().unwrap_or(0.0) * 100.0,
        about.join("  "),
        preview(&field("watch_text"), 160),
        preview(&field("article_text"), 160),
        drift.concat() + &relation,
    )
}

/// Seconds since 1970 of a `--since` value, relative to `now`.
fn since(value: &str, now: i64) -> anyhow::Result<i64> {
    let v = value.trim();
    let unit = v.chars().last().unwrap_or(' ');
    if let (Some(mult), Ok(n)) = (
        match unit {
            'm' => Some(60),
            'h' => Some(3_600),
            'd' => Some(86_400),
            _ => None,
        },
        v[..v.len() - unit.len_utf8().min(v.len())].parse::<i64>(),
    ) {
        return Ok(now - n.max(0).saturating_mul(mult));
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(v) {
        return Ok(t.timestamp());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Ok(d
            .and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp())
            .unwrap_or(0));
    }
    anyhow::bail!(
        "--since {value}: expected a date (2026-12-01), a time (2026-12-01T08:00:00Z) or a span (30m, 24h, 7d)"
    )
}

fn webhook(store: &mut Store, action: WebhookAction) -> anyhow::Result<ExitCode> {
    match action {
        WebhookAction::Add { url, secret_file } => {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                anyhow::bail!("--url {url}: an http:// or https:// URL expected");
            }
            if url.starts_with("https://") && !echotrace_watch::delivery::HTTPS {
                anyhow::bail!(
                    "--url {url}: this build posts over plain HTTP only; build with `--features tls` for https"
                );
            }
            let secret = std::fs::read_to_string(&secret_file)
                .with_context(|| format!("cannot read {}", secret_file.display()))?;
            let secret = secret.lines().next().unwrap_or("").trim();
            if secret.len() < 16 {
                anyhow::bail!(
                    "{}: the secret must be at least 16 characters (its first line is used)",
                    secret_file.display()
                );
            }
            store.add_webhook(&url, secret)?;
            eprintln!("echotrace: alerts raised from now on are posted to {url}");
        }
        WebhookAction::List => {
            let (pending, failing) = store.undelivered()?;
            for w in store.webhooks()? {
                println!("{}", w.url);
            }
            eprintln!(
                "echotrace: {pending} deliveries waiting, {failing} of them failed at least once"
            );
        }
        WebhookAction::Rm { url } => {
            if !store.remove_webhook(&url)? {
                anyhow::bail!("no webhook {url} (`echotrace alerts webhook list`)");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_reads_dates_times_and_spans() {
        let now = 1_800_000_000;
        assert_eq!(since("24h", now).unwrap(), now - 86_400);
        assert_eq!(since("7d", now).unwrap(), now - 7 * 86_400);
        assert_eq!(since("30m", now).unwrap(), now - 1_800);
        assert_eq!(since("1970-01-02", now).unwrap(), 86_400);
        assert_eq!(since("1970-01-01T00:01:00Z", now).unwrap(), 60);
        assert!(since("yesterday", now).is_err());
        assert!(since("h", now).is_err());
    }
}
