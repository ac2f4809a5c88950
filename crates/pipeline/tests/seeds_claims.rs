//! The seed corpus: quotes, numeric claims, latent sources and divergences of
//! docs/DESIGN.md section 1, reached by general rules.

mod common;
use common::{id_of, report};

use echotrace_model::{Report, Story};

fn story_of<'a>(r: &'a Report, prefix: &str) -> &'a Story {
    let id = id_of(r, prefix);
    r.stories.iter().find(|s| s.articles.contains(&id)).unwrap()
}

#[test]
fn each_story_has_a_latent_svr_source() {
    let r = report();
    for seed in ["000", "001"] {
        let s = story_of(&r, seed);
        let src = r.sources.iter().find(|x| x.story == s.id).unwrap();
        assert!(src.latent, "{src:?}");
        let speaker = src.speaker.as_deref().unwrap();
        assert!(
            speaker.contains("Foreign Intelligence Service (SVR)"),
            "{speaker}"
        );
        assert!(!src.text.is_empty());
        // Every member article is an echo (or translation) of it.
        for a in &s.articles {
            assert!(
                r.edges.iter().any(|e| e.from == src.id && &e.to == a),
                "no edge {} -> {a}",
                src.id
            );
        }
    }
    // 002 credits a translator: its edge from the source is a translation.
    let a2 = id_of(&r, "002");
    assert!(r
        .edges
        .iter()
        .any(|e| e.to == a2 && e.kind == echotrace_model::EdgeKind::Translates));
}

#[test]
fn quotes_carry_cues_and_resolved_speakers() {
    let r = report();
    let a0 = id_of(&r, "000");
    let in0: Vec<_> = r.quotes.iter().filter(|q| q.article == a0).collect();
    for cue in ["read", "concluded"] {
        let q = in0
            .iter()
            .find(|q| q.cue.as_deref() == Some(cue))
            .unwrap_or_else(|| panic!("no quote with cue {cue}: {in0:#?}"));
        assert_eq!(
            q.speaker.as_deref(),
            Some("Russian Foreign Intelligence Service (SVR)")
        );
    }
    let a4 = id_of(&r, "004");
    let told = r
        .quotes
        .iter()
        .find(|q| q.article == a4 && q.cue.as_deref() == Some("told"))
        .expect("the quote told to a magazine");
    assert_eq!(told.speaker.as_deref(), Some("Ali Soufan"));
    // Offsets point at the text.
    for q in &r.quotes {
        let body = &r.articles.iter().find(|a| a.id == q.article).unwrap().body;
        assert_eq!(&body[q.start..q.end], q.text);
    }
}

#[test]
fn numeric_claims_and_the_350_divergence() {
    let r = report();
    let a1 = id_of(&r, "001");
    fn of<'a>(r: &'a Report, a: &'a str) -> impl Iterator<Item = &'a echotrace_model::Claim> {
        r.claims.iter().filter(move |c| c.article == a)
    }
    let claims = |a: &'_ str| of(&r, a).cloned().collect::<Vec<_>>().into_iter();
    assert!(claims(&a1).any(|c| c.value == 500.0 && c.qualifier.as_deref() == Some("up to")));
    assert!(claims(&a1).any(|c| c.value == 60.0 && c.qualifier.as_deref() == Some("about")));
    assert!(claims(&a1).any(|c| c.value == 20.0 && c.value_max == Some(25.0)));
    let (a2, a4) = (id_of(&r, "002"), id_of(&r, "004"));
    let mut in2 = claims(&a2);
    let c2 = in2.find(|c| c.value == 350.0).unwrap();
    let c4 = claims(&a4).find(|c| c.value == 350.0).unwrap();
    assert_ne!(c2.counts, c4.counts);
    assert!(claims(&a4).any(|c| c.value == 17000.0));
    assert!(claims(&a4).any(|c| c.value == 50.0));
    assert!(claims(&a2).any(|c| c.value == 64.0));
    // 350 counts different things: a divergence. 60 counts militants in both stories: none.
    let d350 = r
        .divergences
        .iter()
        .find(|d| d.kind == "same_figure_different_things" && d.claims.contains(&c2.id))
        .expect("the 350 divergence");
    assert!(d350.claims.contains(&c4.id));
    assert!(d350.explanation.contains("350"));
    assert!(!r
        .divergences
        .iter()
        .any(|d| d.kind == "same_figure_different_things" && d.explanation.contains("figure 60 ")));
    // Claims carry their story.
    assert!(r.claims.iter().all(|c| c.story.is_some()));
}

#[test]
fn own_content_dominates_the_commentary_articles() {
    let r = report();
    for seed in ["002", "004"] {
        let id = id_of(&r, seed);
        let a = r.articles.iter().find(|a| a.id == id).unwrap();
        let s = a.shares.unwrap();
        assert!(s.own > 0.4, "{seed}: {s:?}");
        assert!(s.quoted > 0.05, "{seed}: {s:?}");
    }
    let a1 = id_of(&r, "001");
    let s1 = r
        .articles
        .iter()
        .find(|a| a.id == a1)
        .unwrap()
        .shares
        .unwrap();
    assert!(s1.own < 0.3, "001 is mostly the statement: {s1:?}");
}
