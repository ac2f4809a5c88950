//! Where a report's items are, by the ids requests ask for.
//!
//! A story request needs the story's passages, quotes, claims, sources,
//! edges, timeline and divergences; filtering the whole report for each
//! request costs the collection's size every time (60 ms a story at 100k
//! articles). A [`Lookup`] is built once per analysis, in one pass over each
//! list, and a request then touches only its story's items.

use std::collections::HashMap;

use echotrace_model::Report;

/// Positions in the report's lists, by article, story, node or claim id.
#[derive(Debug, Default)]
pub struct Lookup {
    passages: HashMap<String, Vec<usize>>,
    quotes: HashMap<String, Vec<usize>>,
    claims: HashMap<String, Vec<usize>>,
    sources: HashMap<String, Vec<usize>>,
    source_at: HashMap<String, usize>,
    edges: HashMap<String, Vec<usize>>,
    timeline: HashMap<String, Vec<usize>>,
    divergences_of_story: HashMap<String, Vec<usize>>,
    divergences_of_claim: HashMap<String, Vec<usize>>,
    cited_by: HashMap<String, Vec<usize>>,
    ranked: Vec<usize>,
}

fn push(map: &mut HashMap<String, Vec<usize>>, key: &str, at: usize) {
    let list = map.entry(key.to_string()).or_default();
    if list.last() != Some(&at) {
        list.push(at);
    }
}

impl Lookup {
    /// Indexes every list of `r`.
    pub fn of(r: &Report) -> Lookup {
        let mut l = Lookup::default();
        for (i, p) in r.passages.iter().enumerate() {
            push(&mut l.passages, &p.a.article, i);
            push(&mut l.passages, &p.b.article, i);
        }
        for (i, q) in r.quotes.iter().enumerate() {
            push(&mut l.quotes, &q.article, i);
        }
        for (i, c) in r.claims.iter().enumerate() {
            push(&mut l.claims, &c.article, i);
        }
        for (i, s) in r.sources.iter().enumerate() {
            push(&mut l.sources, &s.story, i);
            l.source_at.insert(s.id.clone(), i);
        }
        for (i, e) in r.edges.iter().enumerate() {
            push(&mut l.edges, &e.from, i);
            push(&mut l.edges, &e.to, i);
        }
        for (i, t) in r.timeline.iter().enumerate() {
            push(&mut l.timeline, &t.story, i);
        }
        for (i, d) in r.divergences.iter().enumerate() {
            if let Some(s) = &d.story {
                push(&mut l.divergences_of_story, s, i);
            }
            for c in &d.claims {
                push(&mut l.divergences_of_claim, c, i);
            }
        }
        for (i, s) in r.stories.iter().enumerate() {
            for c in &s.cites {
                push(&mut l.cited_by, c, i);
            }
        }
        l.ranked = (0..r.stories.len()).collect();
        l.ranked
            .sort_by(|&a, &b| echotrace_model::by_significance(&r.stories[a], &r.stories[b]));
        l
    }

    /// Positions of the stories, most significant first (`echotrace_model::by_significance`).
    pub fn ranked(&self) -> &[usize] {
        &self.ranked
    }

    /// Positions of the passages with a side in this article.
    pub fn passages(&self, article: &str) -> &[usize] {
        Self::get(&self.passages, article)
    }

    /// Positions of this article's quotes.
    pub fn quotes(&self, article: &str) -> &[usize] {
        Self::get(&self.quotes, article)
    }

    /// Positions of this article's numeric claims.
    pub fn claims(&self, article: &str) -> &[usize] {
        Self::get(&self.claims, article)
    }

    /// Positions of this story's sources.
    pub fn sources(&self, story: &str) -> &[usize] {
        Self::get(&self.sources, story)
    }

    /// Position of the source with this id.
    pub fn source(&self, id: &str) -> Option<usize> {
        self.source_at.get(id).copied()
    }

    /// Positions of the edges from or to this node (article, source or story).
    pub fn edges(&self, node: &str) -> &[usize] {
        Self::get(&self.edges, node)
    }

    /// Positions of this story's timeline events.
    pub fn timeline(&self, story: &str) -> &[usize] {
        Self::get(&self.timeline, story)
    }

    /// Positions of the divergences of this story.
    pub fn divergences_of_story(&self, story: &str) -> &[usize] {
        Self::get(&self.divergences_of_story, story)
    }

    /// Positions of the divergences that name this quote or claim.
    pub fn divergences_of_claim(&self, claim: &str) -> &[usize] {
        Self::get(&self.divergences_of_claim, claim)
    }

    /// Positions of the stories that cite this one.
    pub fn cited_by(&self, story: &str) -> &[usize] {
        Self::get(&self.cited_by, story)
    }

    fn get<'a>(map: &'a HashMap<String, Vec<usize>>, key: &str) -> &'a [usize] {
        map.get(key).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Positions gathered from several lists, each once, in report order.
pub fn merged<'a>(lists: impl IntoIterator<Item = &'a [usize]>) -> Vec<usize> {
    let mut all: Vec<usize> = lists.into_iter().flatten().copied().collect();
    all.sort_unstable();
    all.dedup();
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    /// The lookups give, story by story, what filtering the whole report gives.
    #[test]
    fn lookups_match_filtering_the_report() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/seeds");
        let r =
            echotrace_pipeline::analyze(&[dir], &Default::default(), &echotrace_pipeline::Silent);
        let l = Lookup::of(&r);
        assert!(!r.stories.is_empty());
        for s in &r.stories {
            let members: HashSet<&str> = s.articles.iter().map(String::as_str).collect();
            let want: Vec<usize> = (0..r.passages.len())
                .filter(|&i| {
                    let p = &r.passages[i];
                    members.contains(p.a.article.as_str()) || members.contains(p.b.article.as_str())
                })
                .collect();
            assert_eq!(merged(s.articles.iter().map(|a| l.passages(a))), want);
            let want: Vec<usize> = (0..r.claims.len())
                .filter(|&i| members.contains(r.claims[i].article.as_str()))
                .collect();
            assert_eq!(merged(s.articles.iter().map(|a| l.claims(a))), want);
            let want: Vec<usize> = (0..r.edges.len())
                .filter(|&i| {
                    members.contains(r.edges[i].to.as_str())
                        || members.contains(r.edges[i].from.as_str())
                })
                .collect();
            assert_eq!(merged(s.articles.iter().map(|a| l.edges(a))), want);
            let want: Vec<usize> = (0..r.sources.len())
                .filter(|&i| r.sources[i].story == s.id)
                .collect();
            assert_eq!(l.sources(&s.id), want.as_slice());
            let citing: Vec<usize> = (0..r.stories.len())
                .filter(|&i| r.stories[i].cites.contains(&s.id))
                .collect();
            assert_eq!(l.cited_by(&s.id), citing.as_slice());
        }
        assert!(
            r.stories.iter().any(|s| !l.cited_by(&s.id).is_empty()),
            "the seeds have a citation"
        );
    }
}
