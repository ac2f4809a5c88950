//! Writes a generated multilingual corpus as JSONL pages: for each of the ten
//! development languages of `echotrace_eval::translation`, N real English
//! articles each carrying four planted Tatoeba sentences, and N articles of
//! that language carrying their translations among other sentences.
//!
//! Usage: gen_multilingual N DATASETS_DIR OUT_DIR
//! Writes OUT_DIR/pages.jsonl (`{"url", "text"}` a line, the format
//! `echotrace analyze` and `ingest` read). The English base articles repeat
//! across languages (each with other planted sentences), as wire copy does.

use std::io::Write;

use echotrace_eval::translation::{generate, LANGUAGES};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: gen_multilingual N DATASETS_DIR OUT_DIR";
    let n: usize = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .ok_or_else(|| anyhow::anyhow!(usage))?;
    let dir = std::path::PathBuf::from(args.get(2).ok_or_else(|| anyhow::anyhow!(usage))?);
    let out = std::path::PathBuf::from(args.get(3).ok_or_else(|| anyhow::anyhow!(usage))?);
    let english = echotrace_eval::clean_texts(echotrace_eval::body_texts(&dir)?);
    std::fs::create_dir_all(&out).map_err(|e| anyhow::anyhow!("{}: {e}", out.display()))?;
    let path = out.join("pages.jsonl");
    let f = std::fs::File::create(&path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let mut w = std::io::BufWriter::new(f);
    let mut pages = 0;
    let mut planted = 0;
    for (k, lang) in LANGUAGES.iter().enumerate() {
        let corpus = generate(&dir, *lang, &english, n, 7 + k as u64)?;
        planted += corpus.cases.len();
        for a in &corpus.articles {
            let url = format!("https://{}.example/{}", corpus.language, a.id);
            let line = serde_json::json!({"url": url, "text": a.body});
            writeln!(w, "{line}").map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            pages += 1;
        }
    }
    w.flush()
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    eprintln!(
        "{pages} pages in {} languages and English, {planted} planted translations -> {}",
        LANGUAGES.len(),
        path.display()
    );
    Ok(())
}
