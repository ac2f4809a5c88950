//! The seed corpus: the stories facts of docs/DESIGN.md section 1 (two
//! stories, and the Feb 2023 story citing the May 2022 one), in one batch
//! and one article at a time.

mod common;
use common::{id_of, report};

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn two_stories_and_a_citation() {
    let r = report();
    assert_eq!(r.stories.len(), 2, "{:#?}", r.stories);
    let ids = |ps: &[&str]| sorted(ps.iter().map(|p| id_of(&r, p)).collect());
    let feb = r
        .stories
        .iter()
        .find(|s| s.articles.contains(&id_of(&r, "000")))
        .unwrap();
    let may = r
        .stories
        .iter()
        .find(|s| s.articles.contains(&id_of(&r, "001")))
        .unwrap();
    assert_eq!(sorted(feb.articles.clone()), ids(&["000", "002", "003"]));
    assert_eq!(sorted(may.articles.clone()), ids(&["001", "004"]));
    assert_eq!(feb.cites, vec![may.id.clone()]);
    assert!(may.cites.is_empty());
    assert_eq!(
        feb.first_seen.and_then(|d| d.date()).unwrap().to_string(),
        "2023-02-13"
    );
    assert_eq!(
        may.first_seen.and_then(|d| d.date()).unwrap().to_string(),
        "2022-05-17"
    );
    // Members earliest first: the dated 000 before the undated 003.
    assert_eq!(feb.articles[0], id_of(&r, "000"));
    assert!(!feb.label.is_empty() && !feb.terms.is_empty());
}

#[test]
fn one_article_at_a_time_gives_the_same_stories() {
    let r = report();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/seeds");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .collect();
    files.sort();
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("seeds.db");
    let mut store = echotrace_store::Store::open(&db).unwrap();
    let opts = echotrace_pipeline::Options::default();
    for f in &files {
        echotrace_pipeline::collection::ingest_into(
            &mut store,
            std::slice::from_ref(f),
            &opts,
            &echotrace_pipeline::Silent,
        )
        .unwrap();
    }
    let grown = echotrace_pipeline::stored_report(&store, &opts.aliases).unwrap();
    // Compare by file name: the store numbers articles in its own way.
    let name = |rep: &echotrace_model::Report, id: &str| {
        let a = rep.articles.iter().find(|a| a.id == id).unwrap();
        a.origin.path.rsplit('/').next().unwrap()[..3].to_string()
    };
    let shape = |rep: &echotrace_model::Report| {
        let mut v: Vec<(Vec<String>, usize)> = rep
            .stories
            .iter()
            .map(|s| {
                let members = sorted(s.articles.iter().map(|a| name(rep, a)).collect());
                (members, s.cites.len())
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(shape(&grown), shape(&r));
    assert_eq!(provenance(&grown), provenance(&r), "one file at a time");

    // One ingest of everything: the provenance stage ran per story, at ingest.
    let db = tmp.path().join("once.db");
    let mut store = echotrace_store::Store::open(&db).unwrap();
    echotrace_pipeline::collection::ingest_into(
        &mut store,
        &files,
        &opts,
        &echotrace_pipeline::Silent,
    )
    .unwrap();
    let once = echotrace_pipeline::stored_report(&store, &opts.aliases).unwrap();
    assert_eq!(provenance(&once), provenance(&r), "one ingest");
}

/// What the provenance stage found, named by seed file (ids differ between a store and `analyze`).
fn provenance(rep: &echotrace_model::Report) -> Vec<String> {
    let name = |id: &str| {
        rep.articles
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.origin.path.rsplit('/').next().unwrap()[..3].to_string())
            .unwrap_or_else(|| "source".to_string())
    };
    let mut out: Vec<String> = Vec::new();
    for s in &rep.sources {
        out.push(format!(
            "source latent={} speaker={:?} seen={:?}",
            s.latent,
            s.speaker,
            s.article.as_deref().map(name)
        ));
    }
    for e in &rep.edges {
        out.push(format!(
            "edge {} -> {} {:?}",
            name(&e.from),
            name(&e.to),
            e.kind
        ));
    }
    for d in &rep.divergences {
        out.push(format!("divergence {} {}", d.kind, d.claims.len()));
    }
    for a in &rep.articles {
        out.push(format!(
            "article {} {:?} {:?}",
            name(&a.id),
            a.published.as_ref().map(|p| p.value.to_string()),
            a.shares
        ));
    }
    out.push(format!(
        "timeline {} additions {}",
        rep.timeline.len(),
        rep.additions.len()
    ));
    out.sort();
    out
}

#[test]
fn dates_flow_through_the_story() {
    let r = report();
    let a4 = r
        .articles
        .iter()
        .find(|a| a.id == id_of(&r, "004"))
        .unwrap();
    let p = a4.published.as_ref().unwrap();
    assert_eq!(p.value.to_string(), "2022-05-17");
    assert_eq!(p.basis, echotrace_model::DateBasis::Inferred);
    assert!(p.evidence.contains("May 17"), "{}", p.evidence);
    // 003 says only "on Monday": at best a week, and it says inferred.
    let a3 = r
        .articles
        .iter()
        .find(|a| a.id == id_of(&r, "003"))
        .unwrap();
    let p = a3.published.as_ref().unwrap();
    assert_eq!(p.basis, echotrace_model::DateBasis::Inferred);
    assert_eq!(p.precision, echotrace_model::Precision::Week);
    assert_eq!(p.value.to_string(), "2023-02-13");
    // The sources' days: the earliest that refers to each statement.
    let day = |article: &str| {
        let s = r
            .stories
            .iter()
            .find(|s| s.articles.contains(&id_of(&r, article)))
            .unwrap();
        let src = r.sources.iter().find(|x| x.story == s.id).unwrap();
        src.date.as_ref().unwrap().value.to_string()
    };
    assert_eq!(day("000"), "2023-02-13");
    assert_eq!(day("001"), "2022-05-17");
}

#[test]
fn graph_timeline_and_shares() {
    let r = report();
    let a0 = id_of(&r, "000");
    let cite = r
        .edges
        .iter()
        .find(|e| e.kind == echotrace_model::EdgeKind::Cites)
        .expect("a cites edge");
    assert_eq!(cite.to, a0);
    assert!(!cite.evidence.is_empty());
    // Every edge's evidence names passages that exist.
    for e in &r.edges {
        for p in &e.evidence {
            assert!(r.passages.iter().any(|x| &x.id == p), "{p}");
        }
    }
    // Each story's timeline is in date order, and every article has shares that sum to one.
    for s in &r.stories {
        let dates: Vec<echotrace_model::DateValue> = r
            .timeline
            .iter()
            .filter(|t| t.story == s.id)
            .map(|t| t.date)
            .collect();
        let mut sorted_dates = dates.clone();
        sorted_dates.sort();
        assert_eq!(dates, sorted_dates);
        assert!(dates.len() >= s.articles.len());
    }
    for a in &r.articles {
        let sh = a.shares.unwrap();
        assert!(
            (sh.quoted + sh.reused + sh.own - 1.0).abs() < 0.01,
            "{sh:?}"
        );
        assert!(sh.own > 0.0 && sh.own < 1.0);
    }
}
