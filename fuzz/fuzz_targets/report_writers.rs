//! Any pages, analysed in memory, through every report writer: the HTML report, the JSON
//! report, articles as JSON lines and every export format. No writer may panic or fail; text
//! outputs are UTF-8, the JSON ones parse, the CSV ones have the header's width in every row,
//! the XML ones (GEXF, GraphML) are well formed; and
//! the HTML report, whose page text is attacker-controlled, never carries a `<script`: every
//! page gets a script tag planted in its text, which must come out escaped.
//!
//! Input: one selector byte (where the script tag goes), then 1 to 4 pages separated by NUL
//! bytes, each read as UTF-8 (lossy); a page that starts with `<` is HTML, any other a text
//! dump; a first line holding `://` is the page's URL.
//!
//! The analysis is `echotrace_pipeline::analyze`'s on pages held in memory: extraction
//! (`extract_all`), reuse (`find_passages_with`, lexical) and the stages after
//! (`finish_with`).
#![no_main]

use std::collections::HashMap;
use std::sync::OnceLock;

use echotrace_model::{ContentKind, Origin, RawDocument, Report};
use echotrace_pipeline::{Options, Silent};
use echotrace_report::export::{Export, Format};
use echotrace_report::{ArticlesJsonl, HtmlReport, JsonReport, ReportWriter};
use libfuzzer_sys::fuzz_target;

/// Planted in every page; the HTML report must never show it as markup.
const PLANTED: &str = "<script>alert(1)</script>";

fn options() -> &'static Options {
    static OPTIONS: OnceLock<Options> = OnceLock::new();
    OPTIONS.get_or_init(Options::default)
}

/// The pages of `data`, with [`PLANTED`] inserted into each at a place chosen by `selector`.
fn pages(selector: u8, data: &[u8]) -> Vec<RawDocument> {
    data.split(|&b| b == 0)
        .take(4)
        .enumerate()
        .map(|(i, chunk)| {
            let mut text = String::from_utf8_lossy(chunk).into_owned();
            let mut url = None;
            if let Some((first, rest)) = text.split_once('\n') {
                if first.contains("://") {
                    url = Some(first.to_string());
                    text = rest.to_string();
                }
            }
            let mut at = (usize::from(selector) * (i + 1) * 7) % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            text.insert_str(at, PLANTED);
            RawDocument {
                origin: Origin {
                    path: format!("fuzz/page{i}"),
                    url,
                    ..Default::default()
                },
                kind: if text.starts_with('<') {
                    ContentKind::Html
                } else {
                    ContentKind::Text
                },
                content: text,
            }
        })
        .collect()
}

/// `analyze` over pages in memory.
fn analyse(docs: Vec<RawDocument>) -> Report {
    let opts = options();
    let (articles, diagnostics) = echotrace_pipeline::extract_all(docs, opts, &Silent);
    let found = echotrace_reuse::find_passages_with(&articles, &opts.aliases, &opts.reuse, None)
        .expect("lexical reuse cannot fail");
    let mut report = Report::new();
    report.passages = found.passages;
    report.groups = found.groups;
    report.articles = articles;
    report.diagnostics = diagnostics;
    echotrace_pipeline::finish_with(&mut report, &opts.aliases, &HashMap::new());
    report
}

/// Writes `r` with `write` into memory: the output, which must be UTF-8.
fn write_utf8(what: &str, r: &Report, write: impl FnOnce(&mut Vec<u8>, &Report)) -> String {
    let mut out = Vec::new();
    write(&mut out, r);
    String::from_utf8(out).unwrap_or_else(|e| panic!("{what}: output is not UTF-8: {e}"))
}

fn well_formed_xml(what: &str, xml: &str) {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!(
                "{what}: not well-formed XML at byte {}: {e}",
                reader.buffer_position()
            ),
        }
    }
}

/// Every record of the CSV has the header's number of fields.
fn csv_rows(what: &str, text: &str) {
    // A header alone has no record to check (and building a reader is most of an execution).
    if text.trim_end_matches('\n').lines().count() < 2 {
        return;
    }
    for (n, record) in csv::Reader::from_reader(text.as_bytes())
        .records()
        .enumerate()
    {
        if let Err(e) = record {
            panic!(
                "{what}: record {} is not CSV of the header's width: {e}",
                n + 1
            );
        }
    }
}

fn json_lines(what: &str, text: &str) {
    for (n, line) in text.lines().enumerate() {
        if let Err(e) = serde_json::from_str::<serde_json::Value>(line) {
            panic!("{what}: line {} is not JSON: {e}", n + 1);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let report = analyse(pages(selector, rest));

    let html = write_utf8("html", &report, |out, r| {
        HtmlReport(out)
            .write(r)
            .expect("the HTML report is written")
    });
    assert!(
        !html.to_ascii_lowercase().contains("<script"),
        "the HTML report carries a <script from page text"
    );

    let json = write_utf8("json", &report, |out, r| {
        JsonReport(out)
            .write(r)
            .expect("the JSON report is written")
    });
    serde_json::from_str::<serde_json::Value>(&json).expect("the JSON report parses");

    let jsonl = write_utf8("articles jsonl", &report, |out, r| {
        ArticlesJsonl(out).write(r).expect("articles are written")
    });
    json_lines("articles jsonl", &jsonl);

    for (name, format) in Format::ALL {
        let text = write_utf8(name, &report, |out, r| {
            Export { format, out }
                .write(r)
                .unwrap_or_else(|e| panic!("{name}: export failed: {e}"))
        });
        match format {
            Format::JsonlArticles | Format::JsonlPassages => json_lines(name, &text),
            Format::ClaimReview => {
                serde_json::from_str::<serde_json::Value>(&text)
                    .unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
            }
            Format::Gexf | Format::Graphml => well_formed_xml(name, &text),
            Format::CsvClaims | Format::CsvQuotes => csv_rows(name, &text),
        }
    }
});
