//! Deterministic mutation fuzzing of the parsers, run with the tests.
//!
//! Valid inputs of every container (WARC, WARC.gz, JSONL, gzip, HTML, text
//! dumps) are mutated with a fixed-seed generator (bit flips, truncation,
//! splices, inserted bytes) and pushed through ingest and extract. Nothing
//! may panic, every diagnostic must name the input, and every page read must
//! extract. Longer coverage-guided runs live in `fuzz/` (cargo fuzz).

use std::io::Write;

use echotrace_ingest::{read_stream, Collect, Format, Limits};

/// xorshift64*: small, deterministic, good enough to drive mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        match rng.below(6) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 => v.truncate(rng.below(v.len() + 1)),
            2 => {
                let i = rng.below(v.len() + 1);
                let b = [
                    b'<', b'>', b'\n', b'\r', 0, 0xff, b'"', b'{', 0x1f, 0x8b, b'W',
                ][rng.below(11)];
                v.insert(i, b);
            }
            3 if v.len() > 2 => {
                let a = rng.below(v.len());
                let b = rng.below(v.len());
                let (a, b) = (a.min(b), a.max(b));
                let chunk = v[a..b].to_vec();
                let at = rng.below(v.len());
                v.splice(at..at, chunk);
            }
            4 if v.len() > 2 => {
                let a = rng.below(v.len());
                let b = (a + rng.below(64)).min(v.len());
                v.drain(a..b);
            }
            _ => {
                let i = rng.below(v.len() + 1);
                v.splice(i..i, "<div><p>ü&amp;<!--".bytes());
            }
        }
    }
    v
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

const PAGE: &str = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>T</title><meta property=\"article:published_time\" content=\"2021-03-04T10:05:00Z\"><script type=\"application/ld+json\">{\"@type\":\"NewsArticle\",\"author\":{\"name\":\"A B\"}}</script></head><body><nav><ul><li><a href=\"/\">Home</a></li></ul></nav><article><h1>Head line</h1><p>(Reuters) — The council approved the budget on Tuesday after a long debate about schools.</p><p>Members said the plan would be reviewed again next spring, on May 17, when figures are known.</p><p>Source: Agencies</p></article><footer>© 2021</footer></body></html>";

fn warc(html: &str) -> Vec<u8> {
    let http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}");
    let mut r = format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://x.example/a\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        http.len()
    )
    .into_bytes();
    r.extend_from_slice(http.as_bytes());
    r.extend_from_slice(b"\r\n\r\n");
    r
}

fn run(label: &str, bytes: Vec<u8>, fmt: Format) -> usize {
    let mut c = Collect::default();
    let limits = Limits {
        max_record_bytes: 1 << 20,
    };
    read_stream(std::io::Cursor::new(bytes), label, fmt, &limits, &mut c);
    for d in &c.diagnostics {
        assert!(
            d.origin.starts_with(label),
            "diagnostic without its input: {d}"
        );
    }
    let profile = echotrace_extract::site_profile(&c.documents);
    for doc in &c.documents {
        let a = echotrace_extract::extract(doc, &profile);
        assert!(
            a.body.len() <= doc.content.len() * 2 + 64,
            "body larger than its page: {} vs {}\nPAGE {:?}\nBODY {:?}",
            a.body.len(),
            doc.content.len(),
            doc.content,
            a.body
        );
    }
    c.documents.len() + c.diagnostics.len()
}

#[test]
fn mutated_containers_never_panic() {
    let seed_dump = include_str!("../../../examples/seeds/000_050d906589b81fac.txt");
    let mut warc_file = warc(PAGE);
    warc_file.extend(warc("<p>second page with some words in it.</p>"));
    let mut warc_gz = gz(&warc(PAGE));
    warc_gz.extend(gz(&warc(PAGE)));
    let jsonl = format!(
        "{}\n{}\n",
        serde_json::json!({"url": "http://x.example/1", "html": PAGE}),
        serde_json::json!({"text": seed_dump, "fetched_at": "2023-02-13"})
    );
    let inputs: Vec<(&str, Vec<u8>, Format)> = vec![
        ("f.warc", warc_file, Format::Warc { gzip: false }),
        ("f.warc.gz", warc_gz, Format::Warc { gzip: true }),
        ("f.jsonl", jsonl.into_bytes(), Format::Jsonl),
        ("f.html.gz", gz(PAGE.as_bytes()), Format::Gzip),
        ("f.html", PAGE.as_bytes().to_vec(), Format::Html),
        ("f.txt", seed_dump.as_bytes().to_vec(), Format::Text),
        ("f.bin", PAGE.as_bytes().to_vec(), Format::Sniff),
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut events = 0;
    for (label, bytes, fmt) in &inputs {
        // The unmutated input must yield a page.
        let mut c = Collect::default();
        read_stream(
            std::io::Cursor::new(bytes.clone()),
            label,
            *fmt,
            &Limits::default(),
            &mut c,
        );
        assert!(
            !c.documents.is_empty(),
            "{label}: no page from the valid input: {:?}",
            c.diagnostics
        );
        for _ in 0..300 {
            events += run(label, mutate(&mut rng, bytes), *fmt);
        }
    }
    assert!(events > 0);
}
