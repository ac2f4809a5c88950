//! What the store keeps for watches: the watched texts, the alerts they raised, and the outbox of deliveries.
//!
//! A watch is a text a user wants to hear about again (a statement they
//! debunked, a passage of a campaign). Ingest checks each new article
//! against every watch and stores what matched as an alert, with its
//! evidence as JSON (the aligned spans on both sides), at most once per
//! (watch, article, kind): a re-run of an ingest raises nothing twice.
//!
//! Delivery is at least once: the alert and one outbox row per webhook are
//! written in the ingest batch's transaction, and a row leaves the "due"
//! set only when a delivery succeeded. A process killed between the two
//! delivers at its next drain; the receiver deduplicates by alert id.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension};

use crate::{err, Batch, Result, Store};

/// One stored watch.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WatchRow {
    /// The watch's id (given by the user on import, `w<n>` otherwise).
    pub id: String,
    /// A name for people.
    pub name: Option<String>,
    /// What is watched: `text` (a passage or pasted text), `claim`, `story` or `velocity` (every story).
    pub kind: String,
    /// The watched text (a story watch: the story's id; a velocity watch: empty).
    pub text: String,
    /// When it was added (seconds since 1970).
    pub created_at: i64,
    /// Its rule, a JSON object (velocity, dormancy, the claim or story it follows), or null.
    pub rule: serde_json::Value,
}

/// An alert to store: which watch matched which article, how, with its evidence as JSON.
#[derive(Debug, Clone)]
pub struct NewAlert {
    /// The watch's id.
    pub watch: String,
    /// The article's row id.
    pub article: u32,
    /// What kind of match (`verbatim`, `near`, `translation`...).
    pub kind: String,
    /// `confirmed` or `suggested`.
    pub tier: String,
    /// The match's score.
    pub score: f64,
    /// The evidence, a JSON object.
    pub evidence: String,
    /// When the article was seen (seconds since 1970: crawl time, or publication time where the watch counts by it).
    pub seen_at: Option<i64>,
}

/// One stored alert.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AlertRow {
    /// The alert's id, stable: what a webhook receiver deduplicates by.
    pub id: i64,
    /// The watch's id.
    pub watch: String,
    /// The article's id (`a<rowid>`).
    pub article: String,
    /// What kind of match.
    pub kind: String,
    /// `confirmed` or `suggested`.
    pub tier: String,
    /// The match's score.
    pub score: f64,
    /// The evidence, a JSON object.
    pub evidence: serde_json::Value,
    /// When it was raised (seconds since 1970).
    pub created_at: i64,
    /// When its article was seen (seconds since 1970), where known.
    pub seen_at: Option<i64>,
}

/// A webhook alerts are posted to.
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    /// Its row id.
    pub id: i64,
    /// Where to POST.
    pub url: String,
    /// The HMAC-SHA256 key the body is signed with.
    pub secret: String,
}

/// One due delivery: an alert for a webhook, and how many attempts failed so far.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The alert.
    pub alert: AlertRow,
    /// The webhook.
    pub webhook: Webhook,
    /// Failed attempts so far.
    pub attempts: i64,
}

/// A delivery's outcome as recorded: `(alert, webhook, Ok | Err((error, time of the next attempt)))`.
pub type DeliveryOutcome = (i64, i64, std::result::Result<(), (String, i64)>);

/// Seconds since 1970, now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

const ALERT_COLUMNS: &str = "id, watch, article, kind, tier, score, evidence, created_at, seen_at";

fn alert_row(r: &rusqlite::Row) -> rusqlite::Result<AlertRow> {
    let evidence: String = r.get(6)?;
    Ok(AlertRow {
        id: r.get(0)?,
        watch: r.get(1)?,
        article: format!("a{}", r.get::<_, i64>(2)?),
        kind: r.get(3)?,
        tier: r.get(4)?,
        score: r.get(5)?,
        evidence: serde_json::from_str(&evidence).unwrap_or(serde_json::Value::Null),
        created_at: r.get(7)?,
        seen_at: r.get(8)?,
    })
}

fn watch_row(r: &rusqlite::Row) -> rusqlite::Result<WatchRow> {
    Ok(WatchRow {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        text: r.get(3)?,
        created_at: r.get(4)?,
        rule: r
            .get::<_, Option<String>>(5)?
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or(serde_json::Value::Null),
    })
}

impl Store {
    /// Adds a watch under `id`, or under the next free `w<n>` when `id` is `None`; returns its id.
    ///
    /// An existing watch with that id is replaced (a re-import updates its text).
    /// `rule` is a JSON object (see [`WatchRow::rule`]).
    pub fn add_watch(
        &mut self,
        id: Option<&str>,
        name: Option<&str>,
        kind: &str,
        text: &str,
        rule: Option<&str>,
    ) -> Result<String> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        let id = match id {
            Some(id) => id.to_string(),
            None => {
                let n: i64 = tx
                    .query_row(
                        "SELECT COALESCE(MAX(CAST(substr(id, 2) AS INTEGER)), 0) FROM watches
                         WHERE id GLOB 'w[0-9]*'",
                        [],
                        |r| r.get(0),
                    )
                    .map_err(err)?;
                format!("w{}", n + 1)
            }
        };
        tx.execute(
            "INSERT OR REPLACE INTO watches (id, name, kind, text, created_at, rule)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![id, name, kind, text, now(), rule],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(id)
    }

    /// Adds many watches in one transaction (`(id, name, text)`, kind `text`); returns how many.
    pub fn import_watches(
        &mut self,
        watches: &[(String, Option<String>, String)],
    ) -> Result<usize> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        {
            let mut put = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO watches (id, name, kind, text, created_at)
                     VALUES (?1, ?2, 'text', ?3, ?4)",
                )
                .map_err(err)?;
            let t = now();
            for (id, name, text) in watches {
                put.execute(params![id, name, text, t]).map_err(err)?;
            }
        }
        tx.commit().map_err(err)?;
        Ok(watches.len())
    }

    /// Removes a watch; its alerts stay. Returns whether it existed.
    pub fn remove_watch(&mut self, id: &str) -> Result<bool> {
        self.conn
            .execute("DELETE FROM watches WHERE id = ?1", [id])
            .map(|n| n > 0)
            .map_err(err)
    }

    /// Every watch, oldest first.
    pub fn watches(&self) -> Result<Vec<WatchRow>> {
        let mut q = self
            .conn
            .prepare_cached(
                "SELECT id, name, kind, text, created_at, rule FROM watches ORDER BY created_at, id",
            )
            .map_err(err)?;
        let rows = q.query_map([], watch_row).map_err(err)?;
        rows.collect::<rusqlite::Result<_>>().map_err(err)
    }

    /// Alerts raised at or after `since` (seconds since 1970), oldest first, at most `limit`.
    pub fn alerts_since(&self, since: i64, limit: usize) -> Result<Vec<AlertRow>> {
        self.alerts_where("created_at >= ?1", since, limit)
    }

    /// The newest alert's id (0 when none): where a live stream starts.
    pub fn last_alert_id(&self) -> Result<i64> {
        self.conn
            .query_row("SELECT COALESCE(MAX(id), 0) FROM alerts", [], |r| r.get(0))
            .map_err(err)
    }

    /// Alerts with an id above `after`, oldest first, at most `limit` (what a live stream polls).
    pub fn alerts_after(&self, after: i64, limit: usize) -> Result<Vec<AlertRow>> {
        self.alerts_where("id > ?1", after, limit)
    }

    fn alerts_where(&self, condition: &str, value: i64, limit: usize) -> Result<Vec<AlertRow>> {
        let mut q = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ALERT_COLUMNS} FROM alerts WHERE {condition} ORDER BY id LIMIT ?2"
            ))
            .map_err(err)?;
        let rows = q
            .query_map(params![value, limit as i64], alert_row)
            .map_err(err)?;
        rows.collect::<rusqlite::Result<_>>().map_err(err)
    }

    /// Alerts raised from now on are queued for it; earlier ones are not.
    pub fn add_webhook(&mut self, url: &str, secret: &str) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO webhooks (url, secret) VALUES (?1, ?2)
                 ON CONFLICT(url) DO UPDATE SET secret = excluded.secret",
                params![url, secret],
            )
            .map_err(err)?;
        self.conn
            .query_row("SELECT id FROM webhooks WHERE url = ?1", [url], |r| {
                r.get(0)
            })
            .map_err(err)
    }

    /// Removes a webhook and its pending deliveries. Returns whether it existed.
    pub fn remove_webhook(&mut self, url: &str) -> Result<bool> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        let id: Option<i64> = tx
            .query_row("SELECT id FROM webhooks WHERE url = ?1", [url], |r| {
                r.get(0)
            })
            .optional()
            .map_err(err)?;
        if let Some(id) = id {
            tx.execute("DELETE FROM outbox WHERE webhook = ?1", [id])
                .map_err(err)?;
            tx.execute("DELETE FROM webhooks WHERE id = ?1", [id])
                .map_err(err)?;
        }
        tx.commit().map_err(err)?;
        Ok(id.is_some())
    }

    /// Every webhook.
    pub fn webhooks(&self) -> Result<Vec<Webhook>> {
        let mut q = self
            .conn
            .prepare_cached("SELECT id, url, secret FROM webhooks ORDER BY id")
            .map_err(err)?;
        let rows = q
            .query_map([], |r| {
                Ok(Webhook {
                    id: r.get(0)?,
                    url: r.get(1)?,
                    secret: r.get(2)?,
                })
            })
            .map_err(err)?;
        rows.collect::<rusqlite::Result<_>>().map_err(err)
    }

    /// Deliveries due at `now` (not delivered, next attempt not later), oldest alert first, at most `limit`.
    pub fn due_deliveries(&self, now: i64, limit: usize) -> Result<Vec<Delivery>> {
        let mut q = self
            .conn
            .prepare_cached(
                "SELECT a.id, a.watch, a.article, a.kind, a.tier, a.score, a.evidence, a.created_at,
                        w.id, w.url, w.secret, o.attempts
                 FROM outbox o JOIN alerts a ON a.id = o.alert JOIN webhooks w ON w.id = o.webhook
                 WHERE o.delivered_at IS NULL AND o.next_at <= ?1
                 ORDER BY o.alert, o.webhook LIMIT ?2",
            )
            .map_err(err)?;
        let rows = q
            .query_map(params![now, limit as i64], |r| {
                Ok(Delivery {
                    alert: alert_row(r)?,
                    webhook: Webhook {
                        id: r.get(8)?,
                        url: r.get(9)?,
                        secret: r.get(10)?,
                    },
                    attempts: r.get(11)?,
                })
            })
            .map_err(err)?;
        rows.collect::<rusqlite::Result<_>>().map_err(err)
    }

    /// Records a delivery's outcome: delivered, or failed with its error and the time of the next attempt.
    pub fn record_delivery(
        &mut self,
        alert: i64,
        webhook: i64,
        outcome: std::result::Result<(), (&str, i64)>,
    ) -> Result<()> {
        let outcome = outcome.map_err(|(e, next)| (e.to_string(), next));
        self.record_deliveries(&[(alert, webhook, outcome)])
    }

    /// Records many delivery outcomes in one transaction.
    pub fn record_deliveries(&mut self, outcomes: &[DeliveryOutcome]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        {
            let mut ok = tx
                .prepare_cached(
                    "UPDATE outbox SET delivered_at = ?3, attempts = attempts + 1, last_error = NULL
                     WHERE alert = ?1 AND webhook = ?2",
                )
                .map_err(err)?;
            let mut failed = tx
                .prepare_cached(
                    "UPDATE outbox SET attempts = attempts + 1, last_error = ?3, next_at = ?4
                     WHERE alert = ?1 AND webhook = ?2",
                )
                .map_err(err)?;
            let t = now();
            for (alert, webhook, outcome) in outcomes {
                match outcome {
                    Ok(()) => ok.execute(params![alert, webhook, t]),
                    Err((error, next_at)) => {
                        failed.execute(params![alert, webhook, error, next_at])
                    }
                }
                .map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }

    /// Makes every waiting delivery due now (a retry without waiting out the backoff); returns how many.
    pub fn retry_now(&mut self) -> Result<usize> {
        self.conn
            .execute(
                "UPDATE outbox SET next_at = ?1 WHERE delivered_at IS NULL AND next_at > ?1",
                [now()],
            )
            .map_err(err)
    }

    /// Deliveries not yet made: (pending, of which failed at least once).
    pub fn undelivered(&self) -> Result<(usize, usize)> {
        self.conn
            .query_row(
                "SELECT COUNT(*), COALESCE(SUM(attempts > 0), 0) FROM outbox WHERE delivered_at IS NULL",
                [],
                |r| Ok((r.get::<_, i64>(0)? as usize, r.get::<_, i64>(1)? as usize)),
            )
            .map_err(err)
    }
}

impl Batch<'_> {
    /// Stores alerts (each once per watch, article and kind) and queues each new one for every webhook; returns how many were new.
    pub fn add_alerts(&self, alerts: &[NewAlert]) -> Result<usize> {
        let mut put = self
            .tx
            .prepare_cached(
                "INSERT OR IGNORE INTO alerts (watch, article, kind, tier, score, evidence, created_at, seen_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .map_err(err)?;
        let mut queue = self
            .tx
            .prepare_cached(
                "INSERT OR IGNORE INTO outbox (alert, webhook, next_at) SELECT ?1, id, ?2 FROM webhooks",
            )
            .map_err(err)?;
        let t = now();
        let mut added = 0;
        for a in alerts {
            let n = put
                .execute(params![
                    a.watch, a.article, a.kind, a.tier, a.score, a.evidence, t, a.seen_at
                ])
                .map_err(err)?;
            if n > 0 {
                queue
                    .execute(params![self.tx.last_insert_rowid(), t])
                    .map_err(err)?;
                added += 1;
            }
        }
        Ok(added)
    }

    /// The latest time an alert of each of these watches was seen at (watches with none are absent).
    pub fn last_seen(&self, watches: &[&str]) -> Result<HashMap<String, i64>> {
        let mut q = self
            .tx
            .prepare_cached("SELECT MAX(seen_at) FROM alerts WHERE watch = ?1")
            .map_err(err)?;
        let mut out = HashMap::new();
        for &w in watches {
            let t: Option<i64> = q.query_row([w], |r| r.get(0)).map_err(err)?;
            if let Some(t) = t {
                out.insert(w.to_string(), t);
            }
        }
        Ok(out)
    }

    /// When `watch` last raised an alert of `kind` whose evidence names `story` (seen time), if ever.
    pub fn last_story_alert(&self, watch: &str, kind: &str, story: &str) -> Result<Option<i64>> {
        self.tx
            .prepare_cached(
                "SELECT MAX(seen_at) FROM alerts
                 WHERE watch = ?1 AND kind = ?2 AND json_extract(evidence, '$.story') = ?3",
            )
            .map_err(err)?
            .query_row(params![watch, kind, story], |r| r.get(0))
            .map_err(err)
    }

    /// When each of these articles' pages was stored (seconds since 1970).
    pub fn stored_at(&self, ids: &[u32]) -> Result<HashMap<u32, i64>> {
        let mut q = self
            .tx
            .prepare_cached(
                "SELECT CAST(strftime('%s', p.added_at) AS INTEGER)
                 FROM articles a JOIN pages p ON p.id = a.page_id WHERE a.id = ?1",
            )
            .map_err(err)?;
        let mut out = HashMap::with_capacity(ids.len());
        for &id in ids {
            let t: Option<i64> = q
                .query_row([id as i64], |r| r.get(0))
                .optional()
                .map_err(err)?;
            if let Some(t) = t {
                out.insert(id, t);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page_hash;
    use echotrace_model::Article;

    fn alert(watch: &str, article: u32) -> NewAlert {
        NewAlert {
            watch: watch.into(),
            article,
            kind: "verbatim".into(),
            tier: "confirmed".into(),
            score: 1.0,
            evidence: r#"{"coverage":1.0}"#.into(),
            seen_at: Some(100),
        }
    }

    #[test]
    fn alerts_are_stored_once_and_queued_for_every_webhook_until_delivered() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(&dir.path().join("s.db")).unwrap();
        assert_eq!(
            s.add_watch(None, Some("n"), "text", "some text", None)
                .unwrap(),
            "w1"
        );
        assert_eq!(
            s.add_watch(None, None, "text", "other", Some(r#"{"dormant_days":3}"#))
                .unwrap(),
            "w2"
        );
        s.add_webhook("http://127.0.0.1:9/a", "k1").unwrap();
        s.add_webhook("http://127.0.0.1:9/b", "k2").unwrap();
        let mut b = s.batch().unwrap();
        let mut art = Article {
            body: "body".into(),
            ..Default::default()
        };
        let id = b
            .add_article(&page_hash("p"), &mut art, &[1])
            .unwrap()
            .unwrap();
        assert_eq!(
            b.add_alerts(&[alert("w1", id), alert("w2", id)]).unwrap(),
            2
        );
        assert_eq!(b.add_alerts(&[alert("w1", id)]).unwrap(), 0, "stored once");
        let seen = b.last_seen(&["w1", "w3"]).unwrap();
        assert_eq!(seen.get("w1"), Some(&100));
        assert!(
            !seen.contains_key("w3"),
            "a watch with no alert has no last time"
        );
        b.commit().unwrap();
        assert_eq!(s.watches().unwrap()[1].rule["dormant_days"], 3);
        assert_eq!(s.undelivered().unwrap(), (4, 0));
        let due = s.due_deliveries(now(), 10).unwrap();
        assert_eq!(due.len(), 4);
        assert_eq!(due[0].alert.article, format!("a{id}"));
        assert_eq!(due[0].alert.evidence["coverage"], 1.0);
        // One fails and waits; the rest are delivered.
        let (first, rest) = due.split_first().unwrap();
        let later = now() + 60;
        s.record_delivery(first.alert.id, first.webhook.id, Err(("refused", later)))
            .unwrap();
        for d in rest {
            s.record_delivery(d.alert.id, d.webhook.id, Ok(())).unwrap();
        }
        assert_eq!(s.undelivered().unwrap(), (1, 1));
        assert!(s.due_deliveries(now(), 10).unwrap().is_empty());
        let retry = s.due_deliveries(later, 10).unwrap();
        assert_eq!(retry.len(), 1);
        assert_eq!(retry[0].attempts, 1);
        assert!(s.remove_watch("w2").unwrap());
        assert_eq!(s.watches().unwrap().len(), 1);
        assert_eq!(
            s.alerts_since(0, 10).unwrap().len(),
            2,
            "alerts outlive their watch"
        );
    }
}
