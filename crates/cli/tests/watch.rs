//! Watches and alerts through the binary: a passage watched before the other outlets' pages
//! arrive raises alerts on them with the aligned text, a webhook on a local server receives
//! them signed, and an alert stored but not delivered (the process gone) is delivered once later.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::mpsc;

use echotrace_model::PassageKind;
use echotrace_store::Store;

fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/seeds")
}

fn echotrace(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_echotrace"))
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "status {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A passage of the seeds that another outlet carries in other words, found by analysing them
/// all once: (the file of the article holding it, its text there).
fn reworded_passage(dir: &Path) -> (String, String) {
    let db = dir.join("all.db");
    ok(&echotrace(&[
        "ingest",
        seeds().to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]));
    let s = Store::open(&db).unwrap();
    let articles = s.articles().unwrap();
    let p = s
        .passages()
        .unwrap()
        .into_iter()
        .filter(|p| p.kind != PassageKind::Verbatim)
        .max_by_key(|p| p.a.end - p.a.start)
        .expect("the seeds hold a reworded or translated passage");
    let a = articles.iter().find(|x| x.id == p.a.article).unwrap();
    (
        a.origin.path.clone(),
        a.body[p.a.start..p.a.end].to_string(),
    )
}

#[test]
fn a_watched_passage_raises_alerts_on_the_outlets_that_echo_it_later() {
    let dir = tempfile::tempdir().unwrap();
    let (file, text) = reworded_passage(dir.path());
    let db = dir.path().join("w.db");
    let db_s = db.to_str().unwrap();
    // The store starts with the page the passage was read from, then the watch, then the rest.
    ok(&echotrace(&["ingest", &file, "--db", db_s]));
    let id = ok(&echotrace(&[
        "watch",
        "add",
        "--db",
        db_s,
        "--text",
        &text,
        "--name",
        "seed passage",
    ]));
    assert_eq!(id.trim(), "w1");
    let listed = ok(&echotrace(&["watch", "list", "--db", db_s]));
    assert!(listed.starts_with("w1\tseed passage\t"), "{listed}");
    let out = echotrace(&["ingest", seeds().to_str().unwrap(), "--db", db_s]);
    ok(&out);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("new alerts"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = ok(&echotrace(&["alerts", "--db", db_s, "--json"]));
    let alerts: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(!alerts.is_empty());
    let s = Store::open(&db).unwrap();
    let articles = s.articles().unwrap();
    let first = articles.iter().find(|a| a.origin.path == file).unwrap();
    // No alert on the page that was stored before the watch; one on each other outlet that carries it.
    assert!(alerts.iter().all(|a| a["article"] != first.id.as_str()));
    assert!(alerts.iter().all(|a| a["watch"] == "w1"));
    assert!(
        alerts.iter().any(|a| a["kind"] != "verbatim"),
        "the reworded copy is found: {alerts:?}"
    );
    for a in &alerts {
        let art = articles
            .iter()
            .find(|x| x.id == a["article"].as_str().unwrap())
            .unwrap();
        let span = &a["evidence"]["article_span"];
        let (s0, s1) = (
            span[0].as_u64().unwrap() as usize,
            span[1].as_u64().unwrap() as usize,
        );
        assert_eq!(
            art.body[s0..s1],
            *a["evidence"]["article_text"].as_str().unwrap(),
            "the evidence is the article's own text over its span"
        );
        let watched = a["evidence"]["watch_text"].as_str().unwrap();
        assert!(text.contains(watched));
        assert!(["confirmed", "suggested"].contains(&a["tier"].as_str().unwrap()));
    }
    // Ingesting the same pages again raises nothing new.
    ok(&echotrace(&[
        "ingest",
        seeds().to_str().unwrap(),
        "--db",
        db_s,
    ]));
    let again = ok(&echotrace(&["alerts", "--db", db_s, "--json"]));
    assert_eq!(again.lines().count(), alerts.len());
    let text_view = ok(&echotrace(&["alerts", "--db", db_s, "--since", "1h"]));
    assert!(text_view.contains("watched: ") && text_view.contains("article: "));
}

/// A store at `db` watching `text`, posting its alerts to `url` signed with `secret` (kept in a
/// file beside the store, as `alerts webhook add` takes it).
fn watch_with_webhook(db: &Path, text: &str, url: &str, secret: &str) {
    let db_s = db.to_str().unwrap();
    let file = db.with_extension("secret");
    std::fs::write(&file, format!("{secret}\n")).unwrap();
    ok(&echotrace(&["watch", "add", "--db", db_s, "--text", text]));
    ok(&echotrace(&[
        "alerts",
        "webhook",
        "add",
        "--db",
        db_s,
        "--url",
        url,
        "--secret-file",
        file.to_str().unwrap(),
    ]));
}

/// A request received: its headers (names lower-cased) and body.
type Request = (Vec<(String, String)>, String);

/// A local HTTP server that answers each request with the next status of `statuses` (0: never
/// answers) and sends each request's headers and body back.
fn receiver(statuses: Vec<u16>) -> (String, mpsc::Receiver<Request>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for (stream, status) in listener.incoming().zip(statuses) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut headers = Vec::new();
            let mut len = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                let line = line.trim_end();
                if line.is_empty() {
                    break;
                }
                if let Some((k, v)) = line.split_once(':') {
                    let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_string());
                    if k == "content-length" {
                        len = v.parse().unwrap();
                    }
                    headers.push((k, v));
                }
            }
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            tx.send((headers, String::from_utf8(body).unwrap()))
                .unwrap();
            if status == 0 {
                // Never answered: the connection stays open until the sender dies.
                held.push(stream);
                continue;
            }
            let _ = write!(
                stream,
                "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    (url, rx)
}

#[test]
fn alerts_reach_a_webhook_signed_and_a_failed_delivery_is_retried_once_later() {
    let dir = tempfile::tempdir().unwrap();
    let (file, text) = reworded_passage(dir.path());
    let db = dir.path().join("h.db");
    let db_s = db.to_str().unwrap();
    // The receiver refuses the first delivery, then accepts.
    let (url, got) = receiver(vec![503, 200, 200, 200, 200, 200, 200, 200]);
    watch_with_webhook(&db, &text, &url, "a-shared-secret-of-some-length");
    ok(&echotrace(&["ingest", &file, "--db", db_s]));
    let s = Store::open(&db).unwrap();
    let stored = s.alerts_since(0, 100).unwrap();
    assert_eq!(stored.len(), 1);
    // The ingest tried once (503): the alert is kept, due again after the backoff.
    let (headers, body) = got
        .recv_timeout(std::time::Duration::from_secs(30))
        .unwrap();
    let header = |k: &str| {
        headers
            .iter()
            .find(|h| h.0 == k)
            .map(|h| h.1.clone())
            .unwrap()
    };
    let ts: i64 = header("x-echotrace-timestamp").parse().unwrap();
    assert_eq!(
        header("x-echotrace-signature"),
        echotrace_watch::delivery::signature("a-shared-secret-of-some-length", ts, &body)
    );
    assert_eq!(header("x-echotrace-alert"), stored[0].id.to_string());
    let posted: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(posted["id"], stored[0].id);
    assert_eq!(posted["watch"], "w1");
    assert_eq!(s.undelivered().unwrap(), (1, 1));
    // Nothing is due before the backoff: a drain now posts nothing.
    ok(&echotrace(&["alerts", "deliver", "--db", db_s]));
    assert!(got.try_recv().is_err());
    // Once due, it goes out once, and is never posted again.
    drop(s);
    ok(&echotrace(&["alerts", "deliver", "--now", "--db", db_s]));
    let (_, again) = got
        .recv_timeout(std::time::Duration::from_secs(30))
        .unwrap();
    assert_eq!(
        again, body,
        "the same alert, the same body: receivers deduplicate by id"
    );
    ok(&echotrace(&["alerts", "deliver", "--db", db_s]));
    assert!(got.try_recv().is_err());
    assert_eq!(Store::open(&db).unwrap().undelivered().unwrap(), (0, 0));
}

#[test]
fn a_watched_statement_repeated_with_another_figure_says_which_figure_drifted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("f.db");
    let db_s = db.to_str().unwrap();
    let statement = "The interior ministry said that 4,200 people were evacuated from the flooded district \
                     on Tuesday and that rescue teams would stay in the area until the end of the week.";
    ok(&echotrace(&[
        "watch", "add", "--db", db_s, "--text", statement,
    ]));
    let page = dir.path().join("echo.txt");
    std::fs::write(
        &page,
        format!(
            "Floods in the north\n\nLocal officials were cautious. {}\n\nMore rain is expected.",
            statement.replace("4,200 people", "42,000 people")
        ),
    )
    .unwrap();
    ok(&echotrace(&[
        "ingest",
        page.to_str().unwrap(),
        "--db",
        db_s,
    ]));
    let lines = ok(&echotrace(&["alerts", "--db", db_s, "--json"]));
    let alert: serde_json::Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    let drift = &alert["evidence"]["figure_drift"][0];
    assert_eq!(drift["watched"], "4,200 people", "{alert}");
    assert_eq!(drift["found"], "42,000 people");
    let text = ok(&echotrace(&["alerts", "--db", db_s]));
    assert!(
        text.contains("figure drifted: 4,200 people -> 42,000 people"),
        "{text}"
    );
}

#[test]
fn an_ingest_killed_while_posting_an_alert_leaves_it_to_be_delivered_once_later() {
    let dir = tempfile::tempdir().unwrap();
    let (file, text) = reworded_passage(dir.path());
    let db = dir.path().join("k.db");
    let db_s = db.to_str().unwrap();
    // The first post is never answered: the ingest hangs in it and is killed there.
    let (url, got) = receiver(vec![0, 200, 200, 200]);
    watch_with_webhook(&db, &text, &url, "another-shared-secret-0123");
    let mut ingest = Command::new(env!("CARGO_BIN_EXE_echotrace"))
        .args(["ingest", &file, "--db", db_s, "--quiet"])
        .spawn()
        .unwrap();
    let (_, first) = got
        .recv_timeout(std::time::Duration::from_secs(60))
        .unwrap();
    ingest.kill().unwrap();
    ingest.wait().unwrap();
    let s = Store::open(&db).unwrap();
    assert_eq!(
        s.alerts_since(0, 10).unwrap().len(),
        1,
        "the alert was stored before the post"
    );
    assert_eq!(s.undelivered().unwrap(), (1, 0), "and is still waiting");
    drop(s);
    // Restarted, the delivery goes out once, with the same alert.
    ok(&echotrace(&["alerts", "deliver", "--db", db_s]));
    let (_, second) = got
        .recv_timeout(std::time::Duration::from_secs(30))
        .unwrap();
    assert_eq!(second, first);
    ok(&echotrace(&["alerts", "deliver", "--db", db_s]));
    assert!(got.try_recv().is_err(), "delivered once");
    assert_eq!(Store::open(&db).unwrap().undelivered().unwrap(), (0, 0));
}

/// A JSON lines crawl at `path`: one page per `(host, seed file, fetched_at)`, the seed's text under `https://host/page`.
fn crawl(path: &Path, pages: &[(&str, &str, &str)]) -> String {
    let mut out = String::new();
    for (host, seed, fetched) in pages {
        let text = std::fs::read_to_string(seeds().join(seed)).unwrap();
        out.push_str(
            &serde_json::json!({"url": format!("https://{host}/page"), "text": text, "fetched_at": fetched})
                .to_string(),
        );
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
    path.to_str().unwrap().to_string()
}

fn alerts_of(db: &str) -> Vec<serde_json::Value> {
    ok(&echotrace(&["alerts", "--db", db, "--json"]))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Two seed statements: the wire one (republished verbatim by other sites) and one told independently.
const WIRE: &str = "003_c950ecb227e752bd.txt";
const OWN: &str = "000_050d906589b81fac.txt";

#[test]
fn a_velocity_rule_fires_on_independent_outlets_and_wire_copies_count_once() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v.db");
    let db = db.to_str().unwrap();
    ok(&echotrace(&[
        "watch",
        "add",
        "--db",
        db,
        "--velocity",
        "2",
        "--within",
        "1d",
    ]));
    // More outlets than the story ever gets: never fires.
    ok(&echotrace(&["watch", "add", "--db", db, "--velocity", "3"]));
    let listed = ok(&echotrace(&["watch", "list", "--db", db]));
    assert!(
        listed.contains("every story [velocity 2 outlets / 1d]"),
        "{listed}"
    );
    // Three sites carry the same wire text within hours: one confirmation, no alert.
    let wire = crawl(
        &dir.path().join("wire.jsonl"),
        &[
            ("wire.example", WIRE, "2026-01-01T00:00:00Z"),
            ("copy-one.example", WIRE, "2026-01-01T01:00:00Z"),
            ("copy-two.example", WIRE, "2026-01-01T02:00:00Z"),
        ],
    );
    ok(&echotrace(&["ingest", &wire, "--db", db]));
    assert!(alerts_of(db).is_empty(), "{:?}", alerts_of(db));
    // An outlet that tells the story in its own words joins within the day: the rule fires.
    let own = crawl(
        &dir.path().join("own.jsonl"),
        &[("other.example", OWN, "2026-01-01T04:00:00Z")],
    );
    ok(&echotrace(&["ingest", &own, "--db", db]));
    let alerts = alerts_of(db);
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let a = &alerts[0];
    assert_eq!(
        (a["watch"].as_str(), a["kind"].as_str()),
        (Some("w1"), Some("velocity"))
    );
    assert_eq!(a["article"], "a4");
    assert_eq!(a["evidence"]["outlets"], 2);
    assert_eq!(
        a["evidence"]["joined"][0]["article"], "a1",
        "the wire stands for its copies"
    );
    assert_eq!(a["seen_at"], 1_767_240_000, "counted by crawl time");
    // Another copy within the window: the burst was told already.
    let more = crawl(
        &dir.path().join("more.jsonl"),
        &[("copy-three.example", WIRE, "2026-01-01T05:00:00Z")],
    );
    ok(&echotrace(&["ingest", &more, "--db", db]));
    assert_eq!(alerts_of(db).len(), 1);
    let text = ok(&echotrace(&["alerts", "--db", db]));
    assert!(
        text.contains("gained 2 new independent outlets within 1d"),
        "{text}"
    );
}

#[test]
fn a_story_watch_follows_new_members_and_a_dormant_watch_revives() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let db = db.to_str().unwrap();
    let first = crawl(
        &dir.path().join("first.jsonl"),
        &[("wire.example", WIRE, "2026-01-01T00:00:00Z")],
    );
    ok(&echotrace(&["ingest", &first, "--db", db]));
    let missing = echotrace(&["watch", "add", "--db", db, "--story", "s99"]);
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no story s99"));
    let id = ok(&echotrace(&[
        "watch",
        "add",
        "--db",
        db,
        "--story",
        "s1",
        "--dormant",
        "30d",
    ]));
    assert_eq!(id.trim(), "w1");
    let joins = crawl(
        &dir.path().join("joins.jsonl"),
        &[("other.example", OWN, "2026-01-02T00:00:00Z")],
    );
    ok(&echotrace(&["ingest", &joins, "--db", db]));
    let alerts = alerts_of(db);
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["kind"], "story");
    assert_eq!(alerts[0]["article"], "a2");
    assert_eq!(alerts[0]["evidence"]["story"], "s1");
    // Two months later the story is back: a story alert, and a revival beside it.
    let late = crawl(
        &dir.path().join("late.jsonl"),
        &[(
            "late.example",
            "002_74abe71491a36eb2.txt",
            "2026-03-05T00:00:00Z",
        )],
    );
    ok(&echotrace(&["ingest", &late, "--db", db]));
    let alerts = alerts_of(db);
    let kinds: Vec<(&str, &str)> = alerts
        .iter()
        .map(|a| (a["kind"].as_str().unwrap(), a["article"].as_str().unwrap()))
        .collect();
    assert!(kinds.contains(&("story", "a3")), "{kinds:?}");
    assert!(kinds.contains(&("revival", "a3")), "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| k.0 == "revival").count(), 1);
}

#[test]
fn a_claim_watch_fires_on_a_divergent_figure() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let db = db.to_str().unwrap();
    let statement = "002_74abe71491a36eb2.txt";
    let first = crawl(
        &dir.path().join("first.jsonl"),
        &[("agency.example", statement, "2026-01-01T00:00:00Z")],
    );
    ok(&echotrace(&["ingest", &first, "--db", db]));
    let claims = ok(&echotrace(&[
        "export",
        "--db",
        db,
        "--format",
        "csv-claims",
    ]));
    let claim = claims
        .lines()
        .find(|l| l.contains("60 militants"))
        .and_then(|l| l.split(',').next())
        .expect("the statement's first figure is a claim")
        .to_string();
    ok(&echotrace(&["watch", "add", "--db", db, "--claim", &claim]));
    let listed = ok(&echotrace(&["watch", "list", "--db", db]));
    assert!(listed.contains(&format!("claim {claim}: ")), "{listed}");
    // Another outlet repeats the sentence with another figure.
    let text = std::fs::read_to_string(seeds().join(statement))
        .unwrap()
        .replace("at least 60 militants", "at least 600 militants");
    let page = dir.path().join("echo.jsonl");
    std::fs::write(
        &page,
        serde_json::json!({"url": "https://echo.example/x", "text": text}).to_string(),
    )
    .unwrap();
    ok(&echotrace(&["ingest", page.to_str().unwrap(), "--db", db]));
    let alerts = alerts_of(db);
    assert!(!alerts.is_empty());
    let drift = &alerts[0]["evidence"]["figure_drift"][0];
    assert_eq!(drift["watched"], "at least 60 militants", "{alerts:?}");
    assert_eq!(drift["found"], "at least 600 militants");
}

#[test]
fn each_alert_says_whether_the_article_echoes_or_disputes_the_watched_text() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("r.db");
    let db_s = db.to_str().unwrap();
    let watched = "Four thousand people were evacuated from the flooded district on Tuesday \
                   and rescue teams will stay in the area until the end of the week.";
    ok(&echotrace(&[
        "watch", "add", "--db", db_s, "--text", watched,
    ]));
    let pages = [
        ("echo.txt", format!("Floods in the north\n\nRain fell for days. {watched}\n\nMore rain is expected tomorrow.")),
        ("check.txt", format!("Fact check: flood posts\n\nPosts shared widely say that {watched} Local officials said the posts are false.\n\nThe district was never flooded.")),
    ];
    for (name, text) in &pages {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    for (name, _) in &pages {
        let page = dir.path().join(name);
        ok(&echotrace(&[
            "ingest",
            page.to_str().unwrap(),
            "--db",
            db_s,
        ]));
    }
    let alerts = alerts_of(db_s);
    let relation = |path: &str| {
        alerts
            .iter()
            .find(|a| {
                a["evidence"]["title"]
                    .as_str()
                    .is_some_and(|t| t.starts_with(path))
            })
            .map(|a| {
                a["evidence"]["relation"]["kind"]
                    .as_str()
                    .unwrap_or("")
                    .to_string()
            })
            .unwrap_or_else(|| panic!("an alert on {path}: {alerts:?}"))
    };
    assert_eq!(relation("Floods in the north"), "echoes");
    assert_eq!(relation("Fact check"), "disputes");
    let text = ok(&echotrace(&["alerts", "--db", db_s]));
    assert!(text.contains("relation: disputes it (\"false\")"), "{text}");
}
