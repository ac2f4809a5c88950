//! Exports for other tools, each a [`ReportWriter`]: JSON lines of articles
//! or passages, CSV of claims or quotes, the provenance graph as GEXF (Gephi)
//! or GraphML, and schema.org ClaimReview-ready JSON-LD per story.
//!
//! The graph has one node per source, article and story, and one edge per
//! provenance edge (`kind`: echoes, translates, cites) plus `member` edges
//! from each story to its articles. XML text is escaped by `quick-xml`.

use std::io::{self, Write};

use echotrace_model::{Article, EdgeKind, Report};
use quick_xml::escape::escape;
use serde_json::json;

use crate::ReportWriter;

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One article object per line.
    JsonlArticles,
    /// One passage object per line.
    JsonlPassages,
    /// Numeric claims as CSV.
    CsvClaims,
    /// Quotes as CSV.
    CsvQuotes,
    /// The provenance graph as GEXF 1.3.
    Gexf,
    /// The provenance graph as GraphML.
    Graphml,
    /// ClaimReview-ready JSON-LD, one object per story with a source.
    ClaimReview,
}

impl Format {
    /// Every format with its command-line name.
    pub const ALL: [(&'static str, Format); 7] = [
        ("jsonl-articles", Format::JsonlArticles),
        ("jsonl-passages", Format::JsonlPassages),
        ("csv-claims", Format::CsvClaims),
        ("csv-quotes", Format::CsvQuotes),
        ("gexf", Format::Gexf),
        ("graphml", Format::Graphml),
        ("claimreview", Format::ClaimReview),
    ];

    /// The format of a command-line name.
    pub fn parse(name: &str) -> Result<Format, UnknownFormat> {
        Format::ALL
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, f)| *f)
            .ok_or_else(|| UnknownFormat(name.to_string()))
    }
}

/// A format name that is not one of [`Format::ALL`].
#[derive(Debug, thiserror::Error)]
#[error("unknown export format {0:?}; use one of: {names}", names = Format::ALL.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "))]
pub struct UnknownFormat(pub String);

/// Writes one export format.
pub struct Export<W: Write> {
    /// The format.
    pub format: Format,
    /// Where it goes.
    pub out: W,
}

impl<W: Write> ReportWriter for Export<W> {
    fn write(&mut self, r: &Report) -> io::Result<()> {
        let w = &mut self.out;
        match self.format {
            Format::JsonlArticles => {
                // Each article with the id of its story.
                let story_of: std::collections::HashMap<&str, &str> = r
                    .stories
                    .iter()
                    .flat_map(|s| s.articles.iter().map(|a| (a.as_str(), s.id.as_str())))
                    .collect();
                for a in &r.articles {
                    article_line(&mut *w, a, story_of.get(a.id.as_str()).copied())?;
                }
            }
            Format::JsonlPassages => {
                for p in &r.passages {
                    serde_json::to_writer(&mut *w, p)?;
                    writeln!(w)?;
                }
            }
            Format::CsvClaims => csv_claims(w, r)?,
            Format::CsvQuotes => csv_quotes(w, r)?,
            Format::Gexf => gexf(w, r)?,
            Format::Graphml => graphml(w, r)?,
            Format::ClaimReview => {
                serde_json::to_writer_pretty(&mut *w, &claim_review(r))?;
                writeln!(w)?;
            }
        }
        w.flush()
    }
}

/// Writes one line of the `jsonl-articles` export: the article with the id of its story.
pub fn article_line(w: &mut dyn Write, a: &Article, story: Option<&str>) -> io::Result<()> {
    let mut v = serde_json::to_value(a)?;
    if let (Some(o), Some(s)) = (v.as_object_mut(), story) {
        o.insert("story".into(), serde_json::Value::from(s));
    }
    serde_json::to_writer(&mut *w, &v)?;
    writeln!(w)
}

fn csv_err(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

fn csv_claims(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record([
        "id",
        "article",
        "story",
        "value",
        "value_max",
        "unit",
        "counts",
        "qualifier",
        "text",
        "start",
        "end",
    ])
    .map_err(csv_err)?;
    for x in &r.claims {
        c.write_record([
            x.id.as_str(),
            &x.article,
            x.story.as_deref().unwrap_or(""),
            &x.value.to_string(),
            &x.value_max.map(|v| v.to_string()).unwrap_or_default(),
            x.unit.as_deref().unwrap_or(""),
            x.counts.as_deref().unwrap_or(""),
            x.qualifier.as_deref().unwrap_or(""),
            &x.text,
            &x.start.to_string(),
            &x.end.to_string(),
        ])
        .map_err(csv_err)?;
    }
    c.flush()
}

fn csv_quotes(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    let mut c = csv::Writer::from_writer(w);
    c.write_record([
        "id", "article", "kind", "speaker", "cue", "source", "text", "start", "end",
    ])
    .map_err(csv_err)?;
    for q in &r.quotes {
        c.write_record([
            q.id.as_str(),
            &q.article,
            match q.kind {
                echotrace_model::QuoteKind::Direct => "direct",
                echotrace_model::QuoteKind::Indirect => "indirect",
            },
            q.speaker.as_deref().unwrap_or(""),
            q.cue.as_deref().unwrap_or(""),
            q.source.as_deref().unwrap_or(""),
            &q.text,
            &q.start.to_string(),
            &q.end.to_string(),
        ])
        .map_err(csv_err)?;
    }
    c.flush()
}

/// A graph node: id, label, type, date.
struct Node {
    id: String,
    label: String,
    kind: &'static str,
    date: String,
}

/// A graph edge: from, to, kind, evidence.
struct Link {
    from: String,
    to: String,
    kind: &'static str,
    evidence: String,
}

fn graph(r: &Report) -> (Vec<Node>, Vec<Link>) {
    let mut nodes = Vec::new();
    for s in &r.sources {
        nodes.push(Node {
            id: s.id.clone(),
            label: s.speaker.clone().unwrap_or_else(|| "source".into()),
            kind: if s.latent { "latent source" } else { "source" },
            date: s
                .date
                .as_ref()
                .map(|d| d.value.to_string())
                .unwrap_or_default(),
        });
    }
    for a in &r.articles {
        nodes.push(Node {
            id: a.id.clone(),
            label: format!(
                "{}: {}",
                a.outlet.as_deref().unwrap_or(&a.id),
                a.title.as_deref().unwrap_or("(untitled)")
            ),
            kind: "article",
            date: a
                .published
                .as_ref()
                .map(|p| p.value.to_string())
                .unwrap_or_default(),
        });
    }
    for s in &r.stories {
        nodes.push(Node {
            id: s.id.clone(),
            label: s.label.clone(),
            kind: "story",
            date: s.first_seen.map(|d| d.to_string()).unwrap_or_default(),
        });
    }
    let mut links: Vec<Link> = r
        .edges
        .iter()
        .map(|e| Link {
            from: e.from.clone(),
            to: e.to.clone(),
            kind: match e.kind {
                EdgeKind::Echoes => "echoes",
                EdgeKind::Translates => "translates",
                EdgeKind::Cites => "cites",
            },
            evidence: e.evidence.join(" "),
        })
        .collect();
    for s in &r.stories {
        for a in &s.articles {
            links.push(Link {
                from: s.id.clone(),
                to: a.clone(),
                kind: "member",
                evidence: String::new(),
            });
        }
    }
    // Only edges between known nodes: Gephi rejects dangling ones.
    let known: std::collections::HashSet<&str> = nodes.iter().map(|n| n.id.as_str()).collect();
    links.retain(|l| known.contains(l.from.as_str()) && known.contains(l.to.as_str()));
    (nodes, links)
}

fn gexf(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    let (nodes, links) = graph(r);
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(w, r#"<gexf xmlns="http://gexf.net/1.3" version="1.3">"#)?;
    writeln!(
        w,
        r#"<meta><creator>echotrace</creator><description>provenance graph</description></meta>"#
    )?;
    writeln!(w, r#"<graph defaultedgetype="directed" mode="static">"#)?;
    writeln!(
        w,
        r#"<attributes class="node"><attribute id="0" title="type" type="string"/><attribute id="1" title="date" type="string"/></attributes>"#
    )?;
    writeln!(
        w,
        r#"<attributes class="edge"><attribute id="0" title="kind" type="string"/><attribute id="1" title="evidence" type="string"/></attributes>"#
    )?;
    writeln!(w, "<nodes>")?;
    for n in &nodes {
        writeln!(
            w,
            r#"<node id="{}" label="{}"><attvalues><attvalue for="0" value="{}"/><attvalue for="1" value="{}"/></attvalues></node>"#,
            escape(&n.id),
            escape(&n.label),
            n.kind,
            escape(&n.date)
        )?;
    }
    writeln!(w, "</nodes><edges>")?;
    for (k, l) in links.iter().enumerate() {
        writeln!(
            w,
            r#"<edge id="e{k}" source="{}" target="{}" label="{}"><attvalues><attvalue for="0" value="{}"/><attvalue for="1" value="{}"/></attvalues></edge>"#,
            escape(&l.from),
            escape(&l.to),
            l.kind,
            l.kind,
            escape(&l.evidence)
        )?;
    }
    writeln!(w, "</edges></graph></gexf>")
}

fn graphml(w: &mut dyn Write, r: &Report) -> io::Result<()> {
    let (nodes, links) = graph(r);
    writeln!(w, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        w,
        r#"<graphml xmlns="http://graphml.graphdrawing.org/xmlns">"#
    )?;
    for (id, on, name) in [
        ("label", "node", "label"),
        ("type", "node", "type"),
        ("date", "node", "date"),
        ("kind", "edge", "kind"),
        ("evidence", "edge", "evidence"),
    ] {
        writeln!(
            w,
            r#"<key id="{id}" for="{on}" attr.name="{name}" attr.type="string"/>"#
        )?;
    }
    writeln!(w, r#"<graph id="provenance" edgedefault="directed">"#)?;
    for n in &nodes {
        writeln!(
            w,
            r#"<node id="{}"><data key="label">{}</data><data key="type">{}</data><data key="date">{}</data></node>"#,
            escape(&n.id),
            escape(&n.label),
            n.kind,
            escape(&n.date)
        )?;
    }
    for l in &links {
        writeln!(
            w,
            r#"<edge source="{}" target="{}"><data key="kind">{}</data><data key="evidence">{}</data></edge>"#,
            escape(&l.from),
            escape(&l.to),
            l.kind,
            escape(&l.evidence)
        )?;
    }
    writeln!(w, "</graph></graphml>")
}

/// ClaimReview-ready JSON-LD: per story with a source, the claim (the source
/// text), who made it, its first appearance and every appearance. A
/// fact-checker adds the rating; echotrace gives none.
pub fn claim_review(r: &Report) -> serde_json::Value {
    let url_of = |id: &str| {
        r.articles
            .iter()
            .find(|a| a.id == id)
            .map(|a| {
                a.origin
                    .url
                    .clone()
                    .unwrap_or_else(|| a.origin.path.clone())
            })
            .unwrap_or_default()
    };
    let date_of = |id: &str| {
        r.articles
            .iter()
            .find(|a| a.id == id)
            .and_then(|a| a.published.as_ref().map(|p| p.value))
    };
    let reviews: Vec<serde_json::Value> = r
        .stories
        .iter()
        .filter_map(|s| {
            let src = r.sources.iter().find(|x| x.story == s.id)?;
            let appearances: Vec<serde_json::Value> = s
                .articles
                .iter()
                .map(|a| {
                    json!({"@type": "CreativeWork", "url": url_of(a), "datePublished": date_of(a), "identifier": a})
                })
                .collect();
            let first = appearances.first().cloned();
            Some(json!({
                "@context": "https://schema.org",
                "@type": "ClaimReview",
                "identifier": s.id,
                "claimReviewed": src.text,
                "itemReviewed": {
                    "@type": "Claim",
                    "author": src.speaker.as_ref().map(|sp| json!({"@type": "Organization", "name": sp})),
                    "datePublished": src.date.as_ref().map(|d| d.value),
                    "firstAppearance": first,
                    "appearance": appearances,
                },
                "reviewRating": null,
            }))
        })
        .collect();
    serde_json::Value::Array(reviews)
}

#[cfg(test)]
mod tests {
    use super::*;
    use echotrace_model::{Article, Claim, Edge, Source, Story};

    fn sample() -> Report {
        let mut r = Report::new();
        for id in ["a0", "a1"] {
            r.articles.push(Article {
                id: id.into(),
                title: Some("<b>\"Title\" & more</b>".into()),
                ..Default::default()
            });
        }
        r.stories.push(Story {
            id: "s0".into(),
            label: "A & B <story>".into(),
            articles: vec!["a0".into(), "a1".into()],
            ..Default::default()
        });
        r.sources.push(Source {
            id: "src0".into(),
            latent: true,
            speaker: Some("Agency \"X\"".into()),
            text: "The text, \"quoted\".".into(),
            story: "s0".into(),
            ..Default::default()
        });
        r.edges.push(Edge {
            from: "src0".into(),
            to: "a0".into(),
            kind: EdgeKind::Echoes,
            evidence: vec!["p0".into()],
            directed: true,
            note: None,
            copy: false,
        });
        r.claims.push(Claim {
            id: "c0".into(),
            article: "a0".into(),
            value: 350.0,
            counts: Some("militants, \"sheltered\"".into()),
            text: "some 350 militants".into(),
            ..Default::default()
        });
        r
    }

    fn run(f: Format) -> String {
        let mut out = Vec::new();
        Export {
            format: f,
            out: &mut out,
        }
        .write(&sample())
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn graphs_are_well_formed_xml_with_every_node_and_edge() {
        for f in [Format::Gexf, Format::Graphml] {
            let xml = run(f);
            let mut reader = quick_xml::Reader::from_str(&xml);
            let (mut nodes, mut edges) = (0, 0);
            loop {
                match reader.read_event() {
                    Ok(quick_xml::events::Event::Start(e))
                    | Ok(quick_xml::events::Event::Empty(e)) => match e.name().as_ref() {
                        b"node" => nodes += 1,
                        b"edge" => edges += 1,
                        _ => {}
                    },
                    Ok(quick_xml::events::Event::Eof) => break,
                    Err(e) => panic!("{f:?}: {e}\n{xml}"),
                    _ => {}
                }
            }
            // 1 source + 2 articles + 1 story; 1 echo + 2 memberships.
            assert_eq!((nodes, edges), (4, 3), "{f:?}");
            assert!(xml.contains("A &amp; B &lt;story&gt;"));
        }
    }

    #[test]
    fn csv_round_trips_through_a_reader() {
        let text = run(Format::CsvClaims);
        let mut rd = csv::Reader::from_reader(text.as_bytes());
        let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
        assert_eq!(rows.len(), 1);
        assert_eq!(&rows[0][6], "militants, \"sheltered\"");
        assert_eq!(&rows[0][3], "350");
    }

    #[test]
    fn claim_review_names_the_claim_and_its_appearances() {
        let v: serde_json::Value = serde_json::from_str(&run(Format::ClaimReview)).unwrap();
        assert_eq!(v[0]["@type"], "ClaimReview");
        assert_eq!(v[0]["claimReviewed"], "The text, \"quoted\".");
        assert_eq!(
            v[0]["itemReviewed"]["appearance"].as_array().unwrap().len(),
            2
        );
        assert_eq!(v[0]["itemReviewed"]["firstAppearance"]["identifier"], "a0");
    }

    #[test]
    fn unknown_format_names_the_known_ones() {
        let e = Format::parse("xlsx").unwrap_err().to_string();
        assert!(e.contains("gexf") && e.contains("csv-claims"));
    }
}
