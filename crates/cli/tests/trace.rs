//! `echotrace trace`: a pasted passage is found in the seeds, earliest first,
//! from pages or from a stored report.

use std::process::Command;

fn seeds() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/seeds").to_string()
}

fn hits(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn closing_line_is_traced_earliest_first() {
    let out = Command::new(env!("CARGO_BIN_EXE_echotrace"))
        .args([
            "trace",
            "--json",
            "--text",
            "Such actions put Washington on a par with major international terrorist groups",
        ])
        .arg(seeds())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let h = hits(&out.stdout);
    let files: Vec<String> = h
        .iter()
        .map(|v| {
            v["origin"]["path"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()[..3]
                .to_string()
        })
        .collect();
    // 000 (13 Feb) before 002 (14 Feb) before 003 (no date).
    assert_eq!(files, ["000", "002", "003"]);
    assert_eq!(h[0]["kind"], "verbatim");
    assert!(h[1]["text"].as_str().unwrap().contains("on par with"));
}

#[test]
fn trace_reads_a_stored_report_and_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let st = Command::new(env!("CARGO_BIN_EXE_echotrace"))
        .args(["analyze", &seeds(), "--out"])
        .arg(dir.path())
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(0));
    let mut child = Command::new(env!("CARGO_BIN_EXE_echotrace"))
        .args(["trace", "--json", "--report"])
        .arg(dir.path().join("report.json"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"about 60 IS fighters aged 20 to 25 were released from prisons controlled by Syrian Kurds")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let h = hits(&out.stdout);
    assert_eq!(h.len(), 2);
    assert_eq!(h[0]["published"]["value"], "2022-05-17T19:29");
}
