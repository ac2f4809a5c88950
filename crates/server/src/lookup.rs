//! Where a report's items are, by the ids requests ask for.
//!
//! Filtering the whole report for each request costs the collection's size
//! every time (60 ms a story at 100k articles). A [`Lookup`] is built once
//! per analysis, in one pass over each list, and a request then touches only
//! the items it names. What belongs to a story is not decided here but by
//! `echotrace_report::membership`, which the HTML report uses too.

use std::collections::HashMap;

use echotrace_model::Report;

/// Positions in the report's lists, by article, source or story id.
#[derive(Debug, Default)]
pub struct Lookup {
    passages: HashMap<String, Vec<usize>>,
    source_at: HashMap<String, usize>,
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
    /// Indexes the lists of `r` that requests look up by id.
    pub fn of(r: &Report) -> Lookup {
        let mut l = Lookup::default();
        for (i, p) in r.passages.iter().enumerate() {
            push(&mut l.passages, &p.a.article, i);
            push(&mut l.passages, &p.b.article, i);
        }
        for (i, s) in r.sources.iter().enumerate() {
            l.source_at.insert(s.id.clone(), i);
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

    /// Position of the source with this id.
    pub fn source(&self, id: &str) -> Option<usize> {
        self.source_at.get(id).copied()
    }

    /// Positions of the stories that cite this one.
    pub fn cited_by(&self, story: &str) -> &[usize] {
        Self::get(&self.cited_by, story)
    }

    fn get<'a>(map: &'a HashMap<String, Vec<usize>>, key: &str) -> &'a [usize] {
        map.get(key).map(Vec::as_slice).unwrap_or(&[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lookups give what filtering the whole report gives.
    #[test]
    fn lookups_match_filtering_the_report() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/seeds");
        let r =
            echotrace_pipeline::analyze(&[dir], &Default::default(), &echotrace_pipeline::Silent);
        let l = Lookup::of(&r);
        assert!(!r.stories.is_empty());
        for a in &r.articles {
            let want: Vec<usize> = (0..r.passages.len())
                .filter(|&i| r.passages[i].a.article == a.id || r.passages[i].b.article == a.id)
                .collect();
            assert_eq!(l.passages(&a.id), want.as_slice());
        }
        for (i, s) in r.sources.iter().enumerate() {
            assert_eq!(l.source(&s.id), Some(i));
        }
        for s in &r.stories {
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
