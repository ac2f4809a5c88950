//! The seed corpus: the stories facts of docs/DESIGN.md section 1 (two
//! stories, and the Feb 2023 story citing the May 2022 one), in one batch
//! and one article at a time.

use echotrace_model::Report;

fn report() -> Report {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/seeds");
    echotrace_pipeline::analyze(&[dir], &Default::default(), &|_, _| {})
}

fn id_of(r: &Report, prefix: &str) -> String {
    r.articles
        .iter()
        .find(|a| {
            a.origin
                .path
                .rsplit('/')
                .next()
                .unwrap()
                .starts_with(prefix)
        })
        .map(|a| a.id.clone())
        .unwrap()
}

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
    assert!(feb.first_seen.as_deref().unwrap().starts_with("2023-02-13"));
    assert!(may.first_seen.as_deref().unwrap().starts_with("2022-05-17"));
    // Members earliest first: the dated 000 before the undated 003.
    assert_eq!(feb.articles[0], id_of(&r, "000"));
    assert!(!feb.label.is_empty() && !feb.terms.is_empty());
}

#[test]
fn one_article_at_a_time_gives_the_same_stories() {
    let r = report();
    let aliases = echotrace_reuse::Aliases::builtin();
    let params = echotrace_stories::StoryParams::default();
    let mut index = echotrace_stories::StoryIndex::new(Vec::new(), &[], &aliases, params);
    for a in &r.articles {
        index.add(a.clone(), &r.passages, &aliases);
    }
    let mut got: Vec<Vec<String>> = index
        .stories(&r.passages)
        .into_iter()
        .map(|s| sorted(s.articles))
        .collect();
    let mut want: Vec<Vec<String>> = r
        .stories
        .iter()
        .map(|s| sorted(s.articles.clone()))
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
}
