//! Writes a generated multilingual corpus as JSONL pages: for each of the ten
//! development languages of `echotrace_eval::translation`, N real English
//! articles each carrying four planted Tatoeba sentences, and N articles of
//! that language carrying their translations among other sentences.
//!
//! Usage: gen_multilingual N DATASETS_DIR OUT_DIR [ROUNDS]
//! Writes OUT_DIR/pages.jsonl (`{"url", "text"}` a line, the format
//! `echotrace analyze` and `ingest` read) and OUT_DIR/planted_count. The
//! English base articles repeat across languages (each with other planted
//! sentences), as wire copy does. N is capped by the development texts; ROUNDS
//! (default 1) repeats the whole draw with other seeds, each round's pages
//! under their own hosts (`ita2.example`), for larger corpora.

use std::io::Write;

use echotrace_eval::translation::{generate, LANGUAGES};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: gen_multilingual N DATASETS_DIR OUT_DIR [ROUNDS]";
    let n: usize = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .ok_or_else(|| anyhow::anyhow!(usage))?;
    let dir = std::path::PathBuf::from(args.get(2).ok_or_else(|| anyhow::anyhow!(usage))?);
    let out = std::path::PathBuf::from(args.get(3).ok_or_else(|| anyhow::anyhow!(usage))?);
    let rounds: usize = match args.get(4) {
        Some(a) => a.parse().map_err(|_| anyhow::anyhow!(usage))?,
        None => 1,
    };
    let english = echotrace_eval::clean_texts(echotrace_eval::body_texts(&dir)?);
    std::fs::create_dir_all(&out).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
    let path = out.join("pages.jsonl");
    let f = std::fs::File::create(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let mut w = std::io::BufWriter::new(f);
    let mut pages = 0;
    let mut planted = 0;
    for round in 0..rounds {
        for (k, lang) in LANGUAGES.iter().enumerate() {
            let seed = 7 + k as u64 + 1000 * round as u64;
            let corpus = generate(&dir, *lang, &english, n, seed)?;
            planted += corpus.cases.len();
            let host = if round == 0 {
                corpus.language.to_string()
            } else {
                format!("{}{}", corpus.language, round + 1)
            };
            for a in &corpus.articles {
                let url = format!("https://{host}.example/{}", a.id);
                let line = serde_json::json!({"url": url, "text": a.body});
                writeln!(w, "{line}").map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                pages += 1;
            }
        }
    }
    w.flush()
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let count = out.join("planted_count");
    std::fs::write(&count, format!("{planted}\n"))
        .map_err(|e| anyhow::anyhow!("{}: {e}", count.display()))?;
    eprintln!(
        "{pages} pages in {} languages and English, {planted} planted translations -> {}",
        LANGUAGES.len(),
        path.display()
    );
    Ok(())
}
