//! The analyst's view in the HTML report: one card per story with its
//! source, timeline, provenance edges, quotes, claims, divergences and
//! unsourced additions. Every piece of page text goes through the escapers.

use std::io::{self, Write};

use echotrace_model::{EdgeKind, Report, Story};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

fn name_of(r: &Report, id: &str) -> String {
    if let Some(a) = r.articles.iter().find(|a| a.id == id) {
        let who = a.outlet.clone().unwrap_or_else(|| a.id.clone());
        return format!("{} · {}", who, a.title.as_deref().unwrap_or("(untitled)"));
    }
    if let Some(s) = r.sources.iter().find(|s| s.id == id) {
        return format!(
            "{} (source{})",
            s.speaker.as_deref().unwrap_or("unknown speaker"),
            if s.latent { ", not in the corpus" } else { "" }
        );
    }
    if let Some(s) = r.stories.iter().find(|s| s.id == id) {
        return format!("story: {}", s.label);
    }
    id.to_string()
}

/// A link to an article card, a story card, or plain text for a source.
fn node(r: &Report, id: &str) -> String {
    let label = text(&name_of(r, id)).to_string();
    if r.articles.iter().any(|a| a.id == id) || r.stories.iter().any(|s| s.id == id) {
        format!("<a href=\"#{}\">{}</a>", attr(id), label)
    } else {
        label
    }
}

/// Writes one card per story.
pub fn write_stories(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    for s in &r.stories {
        write_story(w, r, s)?;
    }
    Ok(())
}

fn write_story(w: &mut dyn Write, r: &Report, s: &Story) -> io::Result<()> {
    writeln!(w, "<section class=\"card story\" id=\"{}\">", attr(&s.id))?;
    writeln!(
        w,
        "<h2>Story {}: {}</h2><dl class=\"meta\">",
        text(&s.id),
        text(&s.label)
    )?;
    let first = s.first_seen.as_deref().unwrap_or("unknown");
    writeln!(w, "<dt>first seen</dt><dd>{}</dd>", text(first))?;
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
        let links: Vec<String> = s.cites.iter().map(|c| node(r, c)).collect();
        writeln!(w, "<dt>cites</dt><dd>{}</dd>", links.join(", "))?;
    }
    writeln!(w, "</dl>")?;
    for src in r.sources.iter().filter(|x| x.story == s.id) {
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
                text(&d.value),
                d.basis,
                text(&d.evidence)
            )?,
            None => writeln!(w, "<dt>date</dt><dd>unknown</dd>")?,
        }
        if let Some(a) = &src.article {
            writeln!(w, "<dt>carried by</dt><dd>{}</dd>", node(r, a))?;
        }
        writeln!(
            w,
            "</dl><blockquote class=\"source\">{}</blockquote>",
            text(&src.text)
        )?;
    }
    let events: Vec<_> = r.timeline.iter().filter(|t| t.story == s.id).collect();
    if !events.is_empty() {
        writeln!(w, "<h3>Timeline</h3><ol class=\"timeline\">")?;
        for t in events {
            writeln!(
                w,
                "<li><b>{}</b> <small>{:?}</small> {}: {}</li>",
                text(&t.date),
                t.basis,
                node(r, &t.node),
                text(&t.what)
            )?;
        }
        writeln!(w, "</ol>")?;
    }
    let members = |id: &str| s.articles.iter().any(|a| a == id);
    let edges: Vec<_> = r.edges.iter().filter(|e| members(&e.to)).collect();
    if !edges.is_empty() {
        writeln!(w, "<h3>Provenance</h3><ul class=\"edges\">")?;
        for e in edges {
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
                node(r, &e.from),
                if e.directed { "" } else { " (direction undecided)" },
                node(r, &e.to),
                ev.join(" "),
                e.note.as_deref().map(|n| format!("; {}", text(n))).unwrap_or_default()
            )?;
        }
        writeln!(w, "</ul>")?;
    }
    let quotes: Vec<_> = r.quotes.iter().filter(|q| members(&q.article)).collect();
    if !quotes.is_empty() {
        writeln!(w, "<details><summary>Quotes ({})</summary><table class=\"passages\"><tr><th>article</th><th>speaker</th><th>cue</th><th>quote</th></tr>", quotes.len())?;
        for q in quotes {
            writeln!(
                w,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                node(r, &q.article),
                text(q.speaker.as_deref().unwrap_or("")),
                text(q.cue.as_deref().unwrap_or("")),
                text(&q.text)
            )?;
        }
        writeln!(w, "</table></details>")?;
    }
    let claims: Vec<_> = r.claims.iter().filter(|c| members(&c.article)).collect();
    if !claims.is_empty() {
        writeln!(w, "<details><summary>Numeric claims ({})</summary><table class=\"passages\"><tr><th>article</th><th>value</th><th>counts</th><th>text</th></tr>", claims.len())?;
        for c in claims {
            let value = match c.value_max {
                Some(m) => format!("{}–{}", c.value, m),
                None => format!("{}", c.value),
            };
            writeln!(
                w,
                "<tr><td>{}</td><td>{} {}{}</td><td>{}</td><td>{}</td></tr>",
                node(r, &c.article),
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
        writeln!(w, "</table></details>")?;
    }
    let divergences: Vec<_> = r
        .divergences
        .iter()
        .filter(|d| {
            d.story.as_deref() == Some(s.id.as_str())
                || d.story.is_none() && mentions_member(r, d, s)
        })
        .collect();
    if !divergences.is_empty() {
        writeln!(w, "<h3>Divergences</h3><ul class=\"divergences\">")?;
        for d in divergences {
            writeln!(
                w,
                "<li><b>{}</b>: {}</li>",
                text(&d.kind),
                text(&d.explanation)
            )?;
        }
        writeln!(w, "</ul>")?;
    }
    let additions: Vec<_> = r.additions.iter().filter(|a| a.story == s.id).collect();
    if !additions.is_empty() {
        writeln!(
            w,
            "<details><summary>Unsourced additions ({})</summary><ul>",
            additions.len()
        )?;
        for a in additions {
            writeln!(w, "<li>{}: {}</li>", node(r, &a.article), text(&a.text))?;
        }
        writeln!(w, "</ul></details>")?;
    }
    writeln!(w, "</section>")
}

fn mentions_member(r: &Report, d: &echotrace_model::Divergence, s: &Story) -> bool {
    d.claims.iter().any(|c| {
        r.claims
            .iter()
            .find(|x| &x.id == c)
            .is_some_and(|x| s.articles.contains(&x.article))
    })
}
