//! The analyst's view in the HTML report: one card per leading story with
//! its source, timeline, provenance edges, quotes, claims, divergences and
//! unsourced additions. Every piece of page text goes through the escapers.
//! Each list in a card is cut at [`ROWS`] with a count of the rest, so a
//! story of thousands of articles still makes a card a person can read.

use std::io::{self, Write};

use echotrace_model::{
    Addition, Claim, Divergence, Edge, EdgeKind, Quote, Source, Story, TimelineEvent,
};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use crate::lookup::ReportIndex;

/// Rows of each list shown in a story card.
pub const ROWS: usize = 100;

fn name_of(ix: &ReportIndex, id: &str) -> String {
    if let Some(a) = ix.article(id) {
        let who = a.outlet.clone().unwrap_or_else(|| a.id.clone());
        return format!("{} · {}", who, a.title.as_deref().unwrap_or("(untitled)"));
    }
    if let Some(s) = ix.source(id) {
        return format!(
            "{} (source{})",
            s.speaker.as_deref().unwrap_or("unknown speaker"),
            if s.latent { ", not in the corpus" } else { "" }
        );
    }
    if let Some(s) = ix.story(id) {
        return format!("story: {}", s.label);
    }
    id.to_string()
}

/// A link to an article or story card when the report has one, else plain text.
fn node(ix: &ReportIndex, has_card: &dyn Fn(&str) -> bool, id: &str) -> String {
    let label = text(&name_of(ix, id)).to_string();
    if has_card(id) {
        format!("<a href=\"#{}\">{}</a>", attr(id), label)
    } else {
        label
    }
}

/// "… and N more" after a cut list.
fn more(w: &mut dyn Write, total: usize, tag: &str) -> io::Result<()> {
    if total > ROWS {
        writeln!(
            w,
            "<{tag} class=\"more\">… and {} more (all in report.json and <code>echotrace serve</code>)</{tag}>",
            total - ROWS
        )?;
    }
    Ok(())
}

/// Writes one card for each of `stories`.
pub fn write_stories(
    w: &mut dyn Write,
    ix: &ReportIndex,
    stories: &[&Story],
    has_card: &dyn Fn(&str) -> bool,
) -> io::Result<()> {
    for s in stories {
        write_story(w, ix, s, has_card)?;
    }
    Ok(())
}

fn write_story(
    w: &mut dyn Write,
    ix: &ReportIndex,
    s: &Story,
    has_card: &dyn Fn(&str) -> bool,
) -> io::Result<()> {
    let empty = Default::default();
    let items = ix.items(&s.id).unwrap_or(&empty);
    let node = |id: &str| node(ix, has_card, id);
    writeln!(w, "<section class=\"card story\" id=\"{}\">", attr(&s.id))?;
    write_summary(w, s, &node)?;
    write_sources(w, &items.sources, &node)?;
    write_timeline(w, &items.timeline, &node)?;
    write_edges(w, &items.edges, &node)?;
    write_quotes(w, &items.quotes, &node)?;
    write_claims(w, &items.claims, &node)?;
    write_divergences(w, &items.divergences)?;
    write_additions(w, &items.additions, &node)?;
    writeln!(w, "</section>")
}

/// The card's heading and facts: first seen, articles, terms, cited stories.
fn write_summary(w: &mut dyn Write, s: &Story, node: &dyn Fn(&str) -> String) -> io::Result<()> {
    writeln!(
        w,
        "<h2>Story {}: {}</h2><dl class=\"meta\">",
        text(&s.id),
        text(&s.label)
    )?;
    let first = s
        .first_seen
        .map_or_else(|| "unknown".to_string(), |d| d.to_string());
    writeln!(w, "<dt>first seen</dt><dd>{}</dd>", text(&first))?;
    writeln!(
        w,
        "<dt>articles</dt><dd>{} ({} independent outlets)</dd>",
        s.articles.len(),
        s.independent_outlets
    )?;
    if !s.terms.is_empty() {
        writeln!(w, "<dt>terms</dt><dd>{}</dd>", text(&s.terms.join(" · ")))?;
    }
    if !s.cites.is_empty() {
        let links: Vec<String> = s.cites.iter().map(|c| node(c)).collect();
        writeln!(w, "<dt>cites</dt><dd>{}</dd>", links.join(", "))?;
    }
    writeln!(w, "</dl>")
}

/// Each source: speaker, date, the article that carries it, its text.
fn write_sources(
    w: &mut dyn Write,
    sources: &[&Source],
    node: &dyn Fn(&str) -> String,
) -> io::Result<()> {
    for src in sources {
        writeln!(
            w,
            "<h3>Source{}</h3><dl class=\"meta\">",
            if src.latent {
                " (latent: not in the corpus)"
            } else {
                ""
            }
        )?;
        writeln!(
            w,
            "<dt>speaker</dt><dd>{}</dd>",
            text(src.speaker.as_deref().unwrap_or("unknown"))
        )?;
        match &src.date {
            Some(d) => writeln!(
                w,
                "<dt>date</dt><dd>{} ({:?}; {})</dd>",
                text(&d.value.to_string()),
                d.basis,
                text(&d.evidence)
            )?,
            None => writeln!(w, "<dt>date</dt><dd>unknown</dd>")?,
        }
        if let Some(a) = &src.article {
            writeln!(w, "<dt>carried by</dt><dd>{}</dd>", node(a))?;
        }
        writeln!(
            w,
            "</dl><blockquote class=\"source\">{}</blockquote>",
            text(&src.text)
        )?;
    }
    Ok(())
}

/// The dated events, cut at [`ROWS`].
fn write_timeline(
    w: &mut dyn Write,
    events: &[&TimelineEvent],
    node: &dyn Fn(&str) -> String,
) -> io::Result<()> {
    if events.is_empty() {
        return Ok(());
    }
    writeln!(w, "<h3>Timeline</h3><ol class=\"timeline\">")?;
    for t in events.iter().take(ROWS) {
        writeln!(
            w,
            "<li><b>{}</b> <small>{:?}</small> {}: {}</li>",
            text(&t.date.to_string()),
            t.basis,
            node(&t.node),
            text(&t.what)
        )?;
    }
    writeln!(w, "</ol>")?;
    more(w, events.len(), "p")
}

/// The provenance edges with their evidence passages, cut at [`ROWS`].
fn write_edges(
    w: &mut dyn Write,
    edges: &[&Edge],
    node: &dyn Fn(&str) -> String,
) -> io::Result<()> {
    if edges.is_empty() {
        return Ok(());
    }
    writeln!(w, "<h3>Provenance</h3><ul class=\"edges\">")?;
    for e in edges.iter().take(ROWS) {
        let kind = match e.kind {
            EdgeKind::Echoes => "echoes",
            EdgeKind::Cites => "cites",
            EdgeKind::Translates => "translates",
        };
        let ev: Vec<String> = e
            .evidence
            .iter()
            .map(|p| format!("<a href=\"#{}-a\">{}</a>", attr(p), text(p)))
            .collect();
        writeln!(
            w,
            "<li>{} <span class=\"kind {kind}\">{kind}{}</span> → {} <small>evidence: {}{}</small></li>",
            node(&e.from),
            if e.directed { "" } else { " (direction undecided)" },
            node(&e.to),
            ev.join(" "),
            e.note.as_deref().map(|n| format!("; {}", text(n))).unwrap_or_default()
        )?;
    }
    writeln!(w, "</ul>")?;
    more(w, edges.len(), "p")
}

/// The quotes in a folded table, cut at [`ROWS`].
fn write_quotes(
    w: &mut dyn Write,
    quotes: &[&Quote],
    node: &dyn Fn(&str) -> String,
) -> io::Result<()> {
    if quotes.is_empty() {
        return Ok(());
    }
    writeln!(w, "<details><summary>Quotes ({})</summary><table class=\"passages\"><tr><th>article</th><th>speaker</th><th>cue</th><th>quote</th></tr>", quotes.len())?;
    for q in quotes.iter().take(ROWS) {
        writeln!(
            w,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            node(&q.article),
            text(q.speaker.as_deref().unwrap_or("")),
            text(q.cue.as_deref().unwrap_or("")),
            text(&q.text)
        )?;
    }
    writeln!(w, "</table>")?;
    more(w, quotes.len(), "p")?;
    writeln!(w, "</details>")
}

/// The numeric claims in a folded table, cut at [`ROWS`].
fn write_claims(
    w: &mut dyn Write,
    claims: &[&Claim],
    node: &dyn Fn(&str) -> String,
) -> io::Result<()> {
    if claims.is_empty() {
        return Ok(());
    }
    writeln!(w, "<details><summary>Numeric claims ({})</summary><table class=\"passages\"><tr><th>article</th><th>value</th><th>counts</th><th>text</th></tr>", claims.len())?;
    for c in claims.iter().take(ROWS) {
        let value = match c.value_max {
            Some(m) => format!("{}–{}", c.value, m),
            None => format!("{}", c.value),
        };
        writeln!(
            w,
            "<tr><td>{}</td><td>{} {}{}</td><td>{}</td><td>{}</td></tr>",
            node(&c.article),
            text(c.qualifier.as_deref().unwrap_or("")),
            text(&value),
            text(
                &c.unit
                    .as_deref()
                    .map(|u| format!(" {u}"))
                    .unwrap_or_default()
            ),
            text(c.counts.as_deref().unwrap_or("")),
            text(&c.text)
        )?;
    }
    writeln!(w, "</table>")?;
    more(w, claims.len(), "p")?;
    writeln!(w, "</details>")
}

/// The divergences with their explanations, cut at [`ROWS`].
fn write_divergences(w: &mut dyn Write, divergences: &[&Divergence]) -> io::Result<()> {
    if divergences.is_empty() {
        return Ok(());
    }
    writeln!(w, "<h3>Divergences</h3><ul class=\"divergences\">")?;
    for d in divergences.iter().take(ROWS) {
        writeln!(
            w,
            "<li><b>{}</b>: {}</li>",
            text(&d.kind),
            text(&d.explanation)
        )?;
    }
    writeln!(w, "</ul>")?;
    more(w, divergences.len(), "p")
}

/// The unsourced additions in a folded list, cut at [`ROWS`].
fn write_additions(
    w: &mut dyn Write,
    additions: &[&Addition],
    node: &dyn Fn(&str) -> String,
) -> io::Result<()> {
    if additions.is_empty() {
        return Ok(());
    }
    writeln!(
        w,
        "<details><summary>Unsourced additions ({})</summary><ul>",
        additions.len()
    )?;
    for a in additions.iter().take(ROWS) {
        writeln!(w, "<li>{}: {}</li>", node(&a.article), text(&a.text))?;
    }
    writeln!(w, "</ul>")?;
    more(w, additions.len(), "p")?;
    writeln!(w, "</details>")
}
