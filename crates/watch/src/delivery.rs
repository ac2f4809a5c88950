//! Delivering alerts to webhooks: signed JSON POSTs from the store's outbox, at least once.
//!
//! Each due outbox row (see `echotrace_store` watches) is posted as the
//! alert's JSON. The receiver checks two headers: `X-Echotrace-Timestamp`
//! (seconds since 1970) and `X-Echotrace-Signature: sha256=HEX`, the
//! HMAC-SHA256 under the webhook's secret of `TIMESTAMP.BODY` (the
//! timestamp signed with the body, so an old delivery replayed later is
//! recognisable). `X-Echotrace-Alert` carries the alert id, the same on
//! every retry: receivers deduplicate by it.
//!
//! A 2xx answer marks the row delivered; anything else (an error status, a
//! refused connection, a timeout) records the error and schedules the next
//! attempt after a backoff that doubles from [`FIRST_RETRY_S`] up to
//! [`MAX_RETRY_S`]. Rows are never dropped: a receiver down for a day gets
//! its alerts when it is back.

use std::time::Duration;

use echotrace_store::{AlertRow, Delivery, Store};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Whether this build can post to `https://` webhooks (feature `tls`).
pub const HTTPS: bool = cfg!(feature = "tls");

/// Seconds before the first retry of a failed delivery.
pub const FIRST_RETRY_S: i64 = 30;
/// Longest wait between two attempts.
pub const MAX_RETRY_S: i64 = 3_600;
/// Longest a receiver may take to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// Deliveries posted at once (each on its own connection, kept alive between posts).
pub const CONCURRENT_POSTS: usize = 8;

/// What one drain of the outbox did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Drained {
    /// Deliveries a receiver accepted.
    pub delivered: usize,
    /// Deliveries that failed this time (retried later).
    pub failed: usize,
}

/// The body posted for an alert: the alert as JSON.
pub fn alert_body(alert: &AlertRow) -> String {
    serde_json::to_string(alert).unwrap_or_else(|_| "{}".into())
}

/// `sha256=HEX`: the HMAC-SHA256 under `secret` of `TIMESTAMP.BODY`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    // `new_from_slice` accepts keys of any length for HMAC.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    let tag = mac.finalize().into_bytes();
    let mut hex = String::with_capacity(7 + tag.len() * 2);
    hex.push_str("sha256=");
    for b in tag {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}

/// The wait before attempt `attempts + 1`, after `attempts` failures.
pub fn backoff(attempts: i64) -> i64 {
    let shift = attempts.clamp(0, 20) as u32;
    (FIRST_RETRY_S << shift).min(MAX_RETRY_S)
}

/// Deliveries read from the outbox and recorded back per round of [`drain`].
const ROUND: usize = 512;

/// Posts every delivery due now, at most `limit`, recording each outcome in the store.
///
/// Posts go out [`CONCURRENT_POSTS`] at a time, in rounds of at most
/// [`ROUND`] whose outcomes are recorded in one transaction: a process
/// killed mid-round posts that round again at its next drain (at least
/// once; receivers deduplicate by alert id). Fails only when the store
/// does; a receiver's failure is recorded and retried later.
pub fn drain(store: &mut Store, limit: usize) -> echotrace_store::Result<Drained> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(TIMEOUT))
        .http_status_as_error(false)
        .build()
        .into();
    let mut drained = Drained::default();
    let mut left = limit;
    while left > 0 {
        let due = store.due_deliveries(echotrace_store::now(), left.min(ROUND))?;
        if due.is_empty() {
            break;
        }
        left -= due.len();
        let outcomes = post_all(&agent, &due);
        let mut record = Vec::with_capacity(due.len());
        for (d, outcome) in due.iter().zip(outcomes) {
            match &outcome {
                Ok(()) => drained.delivered += 1,
                Err(e) => {
                    drained.failed += 1;
                    tracing::warn!(alert = d.alert.id, url = %d.webhook.url, error = %e, "webhook delivery failed; retried later");
                }
            }
            let next = echotrace_store::now() + backoff(d.attempts);
            record.push((d.alert.id, d.webhook.id, outcome.map_err(|e| (e, next))));
        }
        store.record_deliveries(&record)?;
        if due.len() < ROUND {
            break;
        }
    }
    Ok(drained)
}

/// Posts `due`, [`CONCURRENT_POSTS`] at a time; the outcomes in the same order.
fn post_all(agent: &ureq::Agent, due: &[Delivery]) -> Vec<Result<(), String>> {
    let per = due.len().div_ceil(CONCURRENT_POSTS).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = due
            .chunks(per)
            .map(|chunk| {
                let posts = move || chunk.iter().map(|d| post(agent, d)).collect::<Vec<_>>();
                (chunk.len(), scope.spawn(posts))
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|(n, w)| {
                w.join()
                    .unwrap_or_else(|_| vec![Err("the posting thread failed".to_string()); n])
            })
            .collect()
    })
}

fn post(agent: &ureq::Agent, d: &Delivery) -> Result<(), String> {
    let body = alert_body(&d.alert);
    let ts = echotrace_store::now();
    let answer = agent
        .post(&d.webhook.url)
        .header("Content-Type", "application/json")
        .header("User-Agent", "echotrace-webhook")
        .header("X-Echotrace-Alert", d.alert.id.to_string())
        .header("X-Echotrace-Timestamp", ts.to_string())
        .header(
            "X-Echotrace-Signature",
            signature(&d.webhook.secret, ts, &body),
        )
        .send(body.as_str())
        .map_err(|e| e.to_string())?;
    let status = answer.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("the receiver answered {status}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_hmac_sha256_of_timestamp_dot_body() {
        // Computed independently: Python's hmac.new(b"s3cret", b'1700000000.{"id":1}', sha256).
        assert_eq!(
            signature("s3cret", 1_700_000_000, r#"{"id":1}"#),
            "sha256=ee0658aa4e37018df69c24227df01e0f680eb3b87c7f1f9bd936e283cfe01d9b"
        );
        let a = signature("s3cret", 1, "{}");
        assert_ne!(a, signature("s3cret", 2, "{}"));
        assert_ne!(a, signature("other", 1, "{}"));
    }

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(0), 30);
        assert_eq!(backoff(1), 60);
        assert_eq!(backoff(3), 240);
        assert_eq!(backoff(50), MAX_RETRY_S);
    }
}
