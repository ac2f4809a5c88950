//! What belongs to a story: the one rule that the HTML report's story cards
//! and the server's story pages share.
//!
//! A story's sources, timeline events and unsourced additions are those that
//! name it; its quotes and numeric claims are those of its articles; its
//! provenance edges are those into its articles (a `cites` edge belongs to
//! the citing story, whose article it reaches); its passages are those with
//! both sides in its articles; its divergences are those that name it and
//! those that involve one of its quotes or claims, so a divergence across
//! linked stories is listed under each of them. [`Membership`] finds all of
//! it for every story in one pass over each list of the report.

use std::collections::HashMap;

use echotrace_model::Report;

/// Positions, in the report's lists, of what belongs to one story (each in report order).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StoryMembers {
    /// In `report.sources`.
    pub sources: Vec<usize>,
    /// In `report.timeline`.
    pub timeline: Vec<usize>,
    /// In `report.edges`.
    pub edges: Vec<usize>,
    /// In `report.passages`.
    pub passages: Vec<usize>,
    /// In `report.quotes`.
    pub quotes: Vec<usize>,
    /// In `report.claims`.
    pub claims: Vec<usize>,
    /// In `report.divergences`.
    pub divergences: Vec<usize>,
    /// In `report.additions`.
    pub additions: Vec<usize>,
}

static NOTHING: StoryMembers = StoryMembers {
    sources: Vec::new(),
    timeline: Vec::new(),
    edges: Vec::new(),
    passages: Vec::new(),
    quotes: Vec::new(),
    claims: Vec::new(),
    divergences: Vec::new(),
    additions: Vec::new(),
};

/// What belongs to each story of a report (see the module docs).
#[derive(Debug, Default)]
pub struct Membership {
    by_story: HashMap<String, StoryMembers>,
}

impl Membership {
    /// Finds what belongs to every story of `r` (linear in its size).
    pub fn of(r: &Report) -> Membership {
        let mut by_story: HashMap<String, StoryMembers> = r
            .stories
            .iter()
            .map(|s| (s.id.clone(), StoryMembers::default()))
            .collect();
        let story_of: HashMap<&str, &str> = r
            .stories
            .iter()
            .flat_map(|s| s.articles.iter().map(|a| (a.as_str(), s.id.as_str())))
            .collect();
        let mut add = |story: Option<&str>, pick: fn(&mut StoryMembers) -> &mut Vec<usize>, at| {
            if let Some(m) = story.and_then(|s| by_story.get_mut(s)) {
                pick(m).push(at);
            }
        };
        for (i, s) in r.sources.iter().enumerate() {
            add(Some(&s.story), |m| &mut m.sources, i);
        }
        for (i, t) in r.timeline.iter().enumerate() {
            add(Some(&t.story), |m| &mut m.timeline, i);
        }
        for (i, a) in r.additions.iter().enumerate() {
            add(Some(&a.story), |m| &mut m.additions, i);
        }
        for (i, e) in r.edges.iter().enumerate() {
            add(story_of.get(e.to.as_str()).copied(), |m| &mut m.edges, i);
        }
        for (i, p) in r.passages.iter().enumerate() {
            let (a, b) = (
                story_of.get(p.a.article.as_str()),
                story_of.get(p.b.article.as_str()),
            );
            if a.is_some() && a == b {
                add(a.copied(), |m| &mut m.passages, i);
            }
        }
        // The story of each quote and claim, by id, for the divergences that name them.
        let mut story_of_item: HashMap<&str, &str> = HashMap::new();
        for (i, q) in r.quotes.iter().enumerate() {
            let s = story_of.get(q.article.as_str()).copied();
            add(s, |m| &mut m.quotes, i);
            if let Some(s) = s {
                story_of_item.insert(&q.id, s);
            }
        }
        for (i, c) in r.claims.iter().enumerate() {
            let s = story_of.get(c.article.as_str()).copied();
            add(s, |m| &mut m.claims, i);
            if let Some(s) = s {
                story_of_item.insert(&c.id, s);
            }
        }
        for (i, d) in r.divergences.iter().enumerate() {
            let mut of: Vec<&str> = d
                .story
                .as_deref()
                .into_iter()
                .chain(
                    d.claims
                        .iter()
                        .filter_map(|c| story_of_item.get(c.as_str()).copied()),
                )
                .collect();
            of.sort_unstable();
            of.dedup();
            for s in of {
                add(Some(s), |m| &mut m.divergences, i);
            }
        }
        Membership { by_story }
    }

    /// What belongs to the story with this id (nothing for an unknown id).
    pub fn story(&self, id: &str) -> &StoryMembers {
        self.by_story.get(id).unwrap_or(&NOTHING)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use echotrace_model::{Claim, Divergence, Edge, EdgeKind, Quote, Story};

    fn story(id: &str, articles: &[&str], cites: &[&str]) -> Story {
        Story {
            id: id.into(),
            articles: articles.iter().map(|a| a.to_string()).collect(),
            cites: cites.iter().map(|c| c.to_string()).collect(),
            ..Default::default()
        }
    }

    /// A divergence across linked stories is each one's; an edge is the story's it leads into.
    #[test]
    fn divergences_across_linked_stories_belong_to_each() {
        let mut r = Report::new();
        r.stories = vec![
            story("s1", &["a1", "a2"], &[]),
            story("s3", &["a3"], &["s1"]),
        ];
        r.quotes = vec![Quote {
            id: "q1.0".into(),
            article: "a1".into(),
            ..Default::default()
        }];
        r.claims = vec![Claim {
            id: "c3.0".into(),
            article: "a3".into(),
            ..Default::default()
        }];
        r.divergences = vec![
            // Named after the story of one side, but involving the other's claim.
            Divergence {
                id: "d1.0".into(),
                story: Some("s1".into()),
                kind: "different_figures".into(),
                claims: vec!["q1.0".into(), "c3.0".into()],
                explanation: String::new(),
            },
            Divergence {
                id: "d1.1".into(),
                story: Some("s1".into()),
                kind: "different_dates".into(),
                claims: Vec::new(),
                explanation: String::new(),
            },
        ];
        r.edges = vec![Edge {
            from: "src1".into(),
            to: "a3".into(),
            kind: EdgeKind::Cites,
            evidence: Vec::new(),
            directed: true,
            note: None,
            copy: false,
        }];
        let m = Membership::of(&r);
        assert_eq!(m.story("s1").divergences, [0, 1]);
        assert_eq!(m.story("s3").divergences, [0]);
        assert_eq!(m.story("s1").quotes, [0]);
        assert_eq!(m.story("s3").claims, [0]);
        assert!(m.story("s1").edges.is_empty());
        assert_eq!(m.story("s3").edges, [0]);
        assert_eq!(m.story("nope"), &StoryMembers::default());
    }
}
