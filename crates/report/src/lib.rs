//! Report writers: the analysis is made once and pushed to every writer asked for.
//!
//! A [`ReportWriter`] receives the finished [`Report`] and writes one
//! representation of it: [`JsonReport`] (`report.json`, schema `echotrace/2`),
//! [`HtmlReport`] (a self-contained `report.html`), [`ArticlesJsonl`] (one
//! article object per line, the `extract` contract). No stage formats output
//! itself. All page text is attacker-controlled, so the HTML writer escapes
//! every string it renders and the page carries no script.

pub mod export;
pub mod lookup;
pub mod membership;
mod stories;

use std::io::{self, Write};

use echotrace_model::{Article, PassageKind, Report, Severity, Span, Story};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use lookup::{ReportIndex, Side};

/// A destination for a finished report.
///
/// Contract: `write` is called once per run with the complete report; it
/// writes everything or returns the I/O error. It must not alter the report.
pub trait ReportWriter {
    /// Writes the report.
    fn write(&mut self, report: &Report) -> io::Result<()>;
}

/// Writes the report as pretty JSON.
pub struct JsonReport<W: Write>(pub W);

impl<W: Write> ReportWriter for JsonReport<W> {
    fn write(&mut self, report: &Report) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut self.0, report)?;
        self.0.write_all(b"\n")?;
        self.0.flush()
    }
}

/// Writes one JSON article object per line.
pub struct ArticlesJsonl<W: Write>(pub W);

impl<W: Write> ArticlesJsonl<W> {
    /// Writes one article as a line.
    pub fn article(&mut self, a: &Article) -> io::Result<()> {
        serde_json::to_writer(&mut self.0, a)?;
        self.0.write_all(b"\n")
    }
}

impl<W: Write> ReportWriter for ArticlesJsonl<W> {
    fn write(&mut self, report: &Report) -> io::Result<()> {
        for a in &report.articles {
            self.article(a)?;
        }
        self.0.flush()
    }
}

/// Writes a self-contained HTML page: no script, no external resource.
pub struct HtmlReport<W: Write>(pub W);

const STYLE: &str = "body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#f6f6f4;color:#222}
header{background:#1d2b36;color:#fff;padding:14px 24px}header h1{margin:0;font-size:20px}
main{max-width:980px;margin:auto;padding:16px}
.summary{color:#555}.card{background:#fff;border:1px solid #ddd;border-radius:6px;margin:14px 0;padding:12px 16px}
.card h2{font-size:17px;margin:0 0 6px}.meta{display:grid;grid-template-columns:9em 1fr;gap:2px 10px;font-size:13px;color:#444}
.meta dt{color:#777}.meta dd{margin:0}.body{white-space:pre-wrap;font-family:Georgia,serif;font-size:14px;max-height:24em;overflow:auto;border-top:1px solid #eee;margin-top:8px;padding-top:8px}
.tag{display:inline-block;background:#eef;border-radius:3px;padding:0 5px;margin:1px;font-size:12px}
.diag{font-size:13px;font-family:monospace}.error{color:#a00}.warning{color:#a60}
details summary{cursor:pointer;color:#246}
a.reuse{color:inherit;text-decoration:none;border-bottom:2px solid}a.reuse:target{outline:2px solid #e80}
a.verbatim{background:#fde9a8;border-color:#d9a400}a.near{background:#d8f0d0;border-color:#3a9a2a}a.translation{background:#dfe6fb;border-color:#4a62c8}
blockquote.source{border-left:3px solid #4a62c8;margin:6px 0;padding:4px 10px;font-family:Georgia,serif;font-size:14px;background:#f4f6fd}
.kind{font-size:12px;padding:0 4px;border-radius:3px;background:#eee}.kind.cites{background:#f3e0f7}.kind.translates{background:#dfe6fb}.kind.echoes{background:#fde9a8}
h3{font-size:15px;margin:10px 0 4px}ol.timeline,ul.edges,ul.divergences{font-size:13px;margin:4px 0;padding-left:20px}
table.passages{border-collapse:collapse;font-size:13px;width:100%}table.passages td,table.passages th{border-top:1px solid #eee;padding:4px;vertical-align:top;text-align:left}";

impl<W: Write> ReportWriter for HtmlReport<W> {
    fn write(&mut self, r: &Report) -> io::Result<()> {
        let w = &mut self.0;
        writeln!(
            w,
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        )?;
        writeln!(w, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">")?;
        writeln!(
            w,
            "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        )?;
        writeln!(
            w,
            "<title>echotrace report</title><style>{STYLE}</style></head><body>"
        )?;
        writeln!(w, "<header><h1>echotrace report</h1></header><main>")?;
        let errors = r
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count();
        writeln!(
            w,
            "<p class=\"summary\">{} articles · {} stories · {} reused passages · {} quotes · {} claims · {} divergences · {} diagnostics ({} errors) · schema {}</p>",
            r.articles.len(),
            r.stories.len(),
            r.passages.len(),
            r.quotes.len(),
            r.claims.len(),
            r.divergences.len(),
            r.diagnostics.len(),
            errors,
            text(&r.schema)
        )?;
        let ix = ReportIndex::new(r);
        let ranked = ix.ranked_stories();
        let carded: Vec<&Story> = ranked.iter().take(STORY_CARDS).copied().collect();
        let with_card = article_cards(r, &carded);
        let story_card: std::collections::HashSet<&str> =
            carded.iter().map(|s| s.id.as_str()).collect();
        let has_card = |id: &str| with_card.contains(id) || story_card.contains(id);
        if ranked.len() > carded.len() || with_card.len() < r.articles.len() {
            writeln!(
                w,
                "<p class=\"summary\">This page shows the {} leading stories (most independent outlets first) and {} of the {} articles; the whole analysis is in report.json, and <code>echotrace ingest</code> + <code>echotrace serve</code> browse all of it.</p>",
                carded.len(),
                with_card.len(),
                r.articles.len()
            )?;
        }
        write_story_table(w, &ranked, &has_card)?;
        stories::write_stories(w, &ix, &carded, &has_card)?;
        write_groups(w, &ix, &has_card)?;
        write_passages(w, &ix, &with_card)?;
        for a in &r.articles {
            if with_card.contains(a.id.as_str()) {
                write_article(w, a, ix.sides(&a.id))?;
            }
        }
        if !r.diagnostics.is_empty() {
            writeln!(w, "<section class=\"card\"><h2>Diagnostics</h2>")?;
            for d in &r.diagnostics {
                let cls = match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                };
                writeln!(
                    w,
                    "<div class=\"diag {cls}\">{cls}: {}: {}</div>",
                    text(&d.origin),
                    text(&d.message)
                )?;
            }
            writeln!(w, "</section>")?;
        }
        writeln!(w, "</main></body></html>")?;
        w.flush()
    }
}

/// Story cards on the page; the rest are listed in the story table.
const STORY_CARDS: usize = 50;
/// Rows of the story table.
const STORY_ROWS: usize = 300;
/// Article cards on the page; a corpus this small shows every article.
const ARTICLE_CARDS: usize = 300;
/// Article cards per story card, earliest first.
const ARTICLES_PER_STORY: usize = 20;
/// Echo groups listed, most members first.
const GROUP_ROWS: usize = 100;
/// Rows of the passage table.
const PASSAGE_ROWS: usize = 500;

/// Ids of the articles that get a card: all of a small corpus, else the leading stories' first members.
fn article_cards<'a>(r: &'a Report, carded: &[&'a Story]) -> std::collections::HashSet<&'a str> {
    if r.articles.len() <= ARTICLE_CARDS {
        return r.articles.iter().map(|a| a.id.as_str()).collect();
    }
    let mut out = std::collections::HashSet::new();
    for s in carded {
        for a in s.articles.iter().take(ARTICLES_PER_STORY) {
            if out.len() >= ARTICLE_CARDS {
                return out;
            }
            out.insert(a.as_str());
        }
    }
    out
}

/// The ranked list of stories, linking those that have a card.
fn write_story_table(
    w: &mut dyn Write,
    ranked: &[&Story],
    has_card: &dyn Fn(&str) -> bool,
) -> io::Result<()> {
    if ranked.is_empty() {
        return Ok(());
    }
    writeln!(w, "<section class=\"card\"><h2>Stories ({}), most independent outlets first</h2><table class=\"passages\"><tr><th>story</th><th>outlets</th><th>articles</th><th>first seen</th></tr>", ranked.len())?;
    for s in ranked.iter().take(STORY_ROWS) {
        let label = if has_card(&s.id) {
            format!("<a href=\"#{}\">{}</a>", attr(&s.id), text(&s.label))
        } else {
            text(&s.label).to_string()
        };
        writeln!(
            w,
            "<tr><td>{} <small>{}</small></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            label,
            text(&s.id),
            s.independent_outlets,
            s.articles.len(),
            text(
                &s.first_seen
                    .map_or_else(|| "unknown".to_string(), |d| d.to_string())
            )
        )?;
    }
    writeln!(w, "</table>")?;
    if ranked.len() > STORY_ROWS {
        writeln!(
            w,
            "<p class=\"more\">… and {} more stories</p>",
            ranked.len() - STORY_ROWS
        )?;
    }
    writeln!(w, "</section>")
}

/// The echo groups with most members: the representative's text and how far it travelled.
fn write_groups(
    w: &mut dyn Write,
    ix: &ReportIndex,
    has_card: &dyn Fn(&str) -> bool,
) -> io::Result<()> {
    let r = ix.report;
    if r.groups.is_empty() {
        return Ok(());
    }
    let mut groups: Vec<_> = r.groups.iter().collect();
    groups.sort_by_key(|g| std::cmp::Reverse(g.members.len()));
    writeln!(w, "<section class=\"card\"><h2>Echo groups ({}), most carriers first</h2><table class=\"passages\"><tr><th>group</th><th>carriers</th><th>first carried by</th><th>text</th></tr>", r.groups.len())?;
    for g in groups.iter().take(GROUP_ROWS) {
        let rep = &g.representative;
        let who = if has_card(&rep.article) {
            format!(
                "<a href=\"#{}\">{}</a>",
                attr(&rep.article),
                text(&rep.article)
            )
        } else {
            text(&rep.article).to_string()
        };
        writeln!(
            w,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><small>{}</small></td></tr>",
            text(&g.id),
            g.members.len(),
            who,
            text(&snippet(ix, rep))
        )?;
    }
    writeln!(w, "</table></section>")
}

/// The first 140 characters of a span's text.
fn snippet(ix: &ReportIndex, sp: &Span) -> String {
    ix.article(&sp.article)
        .and_then(|a| a.body.get(sp.start..sp.end))
        .map(|t| t.chars().take(140).collect())
        .unwrap_or_default()
}

/// Writes a body with its reused passages marked; each mark links to the other side.
///
/// Passage spans may overlap, so the body is cut at every span boundary and
/// each piece is marked with the passages covering it (the first listed
/// decides the link). Offsets that are not character boundaries are skipped.
fn write_marked_body(w: &mut dyn Write, body: &str, sides: &[Side]) -> io::Result<()> {
    let mut cuts: Vec<usize> = vec![0, body.len()];
    for s in sides {
        for c in [s.here.start, s.here.end] {
            if c <= body.len() && body.is_char_boundary(c) {
                cuts.push(c);
            }
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut opened: std::collections::HashSet<(&str, &str)> = Default::default();
    for win in cuts.windows(2) {
        let (x, y) = (win[0], win[1]);
        let piece = &body[x..y];
        let covering: Vec<&Side> = sides
            .iter()
            .filter(|s| s.here.start <= x && y <= s.here.end)
            .collect();
        let Some(first) = covering.first() else {
            write!(w, "{}", text(piece))?;
            continue;
        };
        let pid = first.passage.id.as_str();
        let other = if first.label == "a" { "b" } else { "a" };
        let id_attr = if opened.insert((pid, first.label)) {
            format!(" id=\"{}-{}\"", attr(pid), first.label)
        } else {
            String::new()
        };
        let title: Vec<String> = covering
            .iter()
            .map(|s| {
                format!(
                    "{} {} {:.2} with {}",
                    s.passage.id,
                    PassageKind::as_str(s.passage.kind),
                    s.passage.score,
                    s.there.article
                )
            })
            .collect();
        write!(
            w,
            "<a class=\"reuse {}\"{} href=\"#{}-{}\" title=\"{}\">{}</a>",
            PassageKind::as_str(first.passage.kind),
            id_attr,
            attr(pid),
            other,
            attr(&title.join("; ")),
            text(piece)
        )?;
    }
    Ok(())
}

fn write_passages(
    w: &mut dyn Write,
    ix: &ReportIndex,
    with_card: &std::collections::HashSet<&str>,
) -> io::Result<()> {
    let r = ix.report;
    let shown: Vec<_> = r
        .passages
        .iter()
        .filter(|p| {
            with_card.contains(p.a.article.as_str()) || with_card.contains(p.b.article.as_str())
        })
        .take(PASSAGE_ROWS)
        .collect();
    if shown.is_empty() {
        return Ok(());
    }
    let title_of = |id: &str| {
        ix.article(id)
            .map(|a| {
                let name = a
                    .title
                    .clone()
                    .or_else(|| a.outlet.clone())
                    .unwrap_or_else(|| {
                        a.origin
                            .path
                            .rsplit(['/', '\\'])
                            .next()
                            .unwrap_or(&a.origin.path)
                            .to_string()
                    });
                format!("{id} · {name}")
            })
            .unwrap_or_else(|| id.to_string())
    };
    writeln!(w, "<section class=\"card\"><h2>Reused passages ({} of {})</h2><table class=\"passages\"><tr><th>id</th><th>kind</th><th>score</th><th>group</th><th>in</th><th>and in</th></tr>", shown.len(), r.passages.len())?;
    for p in shown {
        writeln!(
            w,
            "<tr><td>{}</td><td class=\"{}\">{}</td><td>{:.2}</td><td>{}</td><td><a href=\"#{}-a\">{}</a><br><small>{}</small></td><td><a href=\"#{}-b\">{}</a><br><small>{}</small></td></tr>",
            text(&p.id),
            PassageKind::as_str(p.kind),
            PassageKind::as_str(p.kind),
            p.score,
            text(p.group.as_deref().unwrap_or("")),
            attr(&p.id),
            text(&title_of(&p.a.article)),
            text(&snippet(ix, &p.a)),
            attr(&p.id),
            text(&title_of(&p.b.article)),
            text(&snippet(ix, &p.b)),
        )?;
    }
    writeln!(w, "</table></section>")
}

fn write_article(w: &mut dyn Write, a: &Article, sides: &[Side]) -> io::Result<()> {
    let title = a.title.as_deref().unwrap_or("(untitled)");
    writeln!(w, "<article class=\"card\" id=\"{}\">", attr(&a.id))?;
    writeln!(w, "<h2>{}</h2><dl class=\"meta\">", text(title))?;
    let mut row = |k: &str, v: &str| writeln!(w, "<dt>{}</dt><dd>{}</dd>", text(k), text(v));
    row("id", &a.id)?;
    row("origin", &a.origin.label())?;
    if let Some(u) = &a.origin.url {
        row("url", u)?;
    }
    row("outlet", a.outlet.as_deref().unwrap_or("unknown"))?;
    if let Some(b) = &a.byline {
        row("byline", b)?;
    }
    match &a.published {
        Some(p) => row(
            "published",
            &format!(
                "{} ({}, {}; evidence: “{}”)",
                p.value,
                format!("{:?}", p.precision).to_lowercase(),
                format!("{:?}", p.basis).to_lowercase(),
                p.evidence
            ),
        )?,
        None => row("published", "unknown")?,
    }
    if !a.date_hints.is_empty() {
        row("date hints", &a.date_hints.join("; "))?;
    }
    if !a.credited_sources.is_empty() {
        row("credited sources", &a.credited_sources.join("; "))?;
    }
    if let Some(t) = &a.translated_by {
        row("translated by", t)?;
    }
    row("language", &a.language)?;
    if let Some(s) = &a.shares {
        row(
            "shares",
            &format!(
                "{:.0}% quoted · {:.0}% reused · {:.0}% own",
                s.quoted * 100.0,
                s.reused * 100.0,
                s.own * 100.0
            ),
        )?;
    }
    row(
        "removed",
        &format!("{} characters of page chrome", a.removed_chars),
    )?;
    writeln!(w, "</dl>")?;
    if !a.tags.is_empty() {
        write!(w, "<div>")?;
        for t in &a.tags {
            write!(w, "<span class=\"tag\">{}</span>", text(t))?;
        }
        writeln!(w, "</div>")?;
    }
    write!(
        w,
        "<details open><summary>Body ({} characters, {} reused passages)</summary><div class=\"body\">",
        a.body.chars().count(),
        sides.len()
    )?;
    write_marked_body(w, &a.body, sides)?;
    writeln!(w, "</div></details></article>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use echotrace_model::{Diagnostic, Passage};

    fn hostile() -> Report {
        let mut r = Report::new();
        r.articles.push(Article {
            id: "a0".into(),
            title: Some("<script>alert(1)</script>".into()),
            body: "<img src=x onerror=alert(2)> and <a href=\"javascript:alert(3)\">x</a>".into(),
            tags: vec!["\"><svg onload=alert(4)>".into()],
            ..Default::default()
        });
        r.diagnostics
            .push(Diagnostic::error("<b>f</b>", "bad & worse"));
        let evil = "<script>alert(5)</script><img src=x onerror=alert(6)>";
        r.stories.push(echotrace_model::Story {
            id: "s0".into(),
            label: evil.into(),
            articles: vec!["a0".into()],
            terms: vec![evil.into()],
            ..Default::default()
        });
        r.sources.push(echotrace_model::Source {
            id: "src0".into(),
            latent: true,
            speaker: Some(evil.into()),
            text: evil.into(),
            story: "s0".into(),
            ..Default::default()
        });
        r.quotes.push(echotrace_model::Quote {
            article: "a0".into(),
            text: evil.into(),
            speaker: Some(evil.into()),
            cue: Some(evil.into()),
            ..Default::default()
        });
        r.claims.push(echotrace_model::Claim {
            article: "a0".into(),
            text: evil.into(),
            counts: Some(evil.into()),
            ..Default::default()
        });
        r.divergences.push(echotrace_model::Divergence {
            story: Some("s0".into()),
            kind: evil.into(),
            explanation: evil.into(),
            ..Default::default()
        });
        r.edges.push(echotrace_model::Edge {
            from: "src0".into(),
            to: "a0".into(),
            kind: echotrace_model::EdgeKind::Echoes,
            evidence: vec!["\"><script>alert(7)</script>".into()],
            directed: true,
            note: Some(evil.into()),
            copy: false,
        });
        r
    }

    #[test]
    fn html_report_escapes_everything_from_pages() {
        let mut out = Vec::new();
        HtmlReport(&mut out).write(&hostile()).unwrap();
        let html = String::from_utf8(out).unwrap();
        assert!(!html.contains("<script"));
        assert!(!html.contains("<img"));
        assert!(!html.contains("<svg"));
        // The only links are the report's own anchors.
        assert_eq!(
            html.matches("<a href=").count(),
            html.matches("<a href=\"#").count()
        );
        assert!(!html.contains("<a href=\"javascript"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("&lt;script&gt;alert(5)&lt;/script&gt;"));
        assert!(html.contains("bad &amp; worse"));
    }

    #[test]
    fn passages_are_marked_and_linked_both_ways() {
        let mut r = Report::new();
        for (id, body) in [
            ("a0", "Intro. <b>The quoted words</b> end."),
            ("a1", "The quoted words again."),
        ] {
            r.articles.push(Article {
                id: id.into(),
                body: body.into(),
                ..Default::default()
            });
        }
        r.passages.push(Passage {
            id: "p0".into(),
            kind: PassageKind::Near,
            a: Span {
                article: "a0".into(),
                start: 10,
                end: 26,
            },
            b: Span {
                article: "a1".into(),
                start: 0,
                end: 16,
            },
            score: 0.9,
            group: None,
        });
        let mut out = Vec::new();
        HtmlReport(&mut out).write(&r).unwrap();
        let html = String::from_utf8(out).unwrap();
        assert!(html.contains("id=\"p0-a\" href=\"#p0-b\""), "{html}");
        assert!(html.contains("id=\"p0-b\" href=\"#p0-a\""));
        assert!(
            !html.contains("<b>"),
            "page markup inside a passage is escaped"
        );
        assert!(html.contains("&lt;b&gt;<a class=\"reuse near\""));
        assert!(html.contains("The quoted words</a>&lt;/b&gt;"));
    }

    #[test]
    fn json_report_round_trips() {
        let mut out = Vec::new();
        JsonReport(&mut out).write(&hostile()).unwrap();
        let back: Report = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            back.articles[0].title.as_deref(),
            Some("<script>alert(1)</script>")
        );
        assert_eq!(back.schema, "echotrace/2");
    }

    #[test]
    fn jsonl_writes_one_line_per_article() {
        let mut out = Vec::new();
        ArticlesJsonl(&mut out).write(&hostile()).unwrap();
        assert_eq!(String::from_utf8(out).unwrap().lines().count(), 1);
    }
}
