//! Lookups over a finished report, built once in one pass over each list,
//! so that writers never scan the whole report for each story or article.
//!
//! At 100k articles a report holds hundreds of thousands of passages,
//! quotes and claims; finding "the quotes of this story" by filtering every
//! list per story is quadratic. [`ReportIndex`] groups every item under the
//! story and article it belongs to, and maps ids to their objects.

use std::collections::HashMap;

use echotrace_model::{
    Addition, Article, Claim, Divergence, Edge, Passage, Quote, Report, Source, Span, Story,
    TimelineEvent,
};

use crate::membership::{Membership, StoryMembers};

/// One side of a passage seen from an article: the passage, its side, the other side.
pub struct Side<'a> {
    /// The passage.
    pub passage: &'a Passage,
    /// Its span in this article.
    pub here: &'a Span,
    /// Its span in the other article.
    pub there: &'a Span,
    /// Which side of the passage this is: "a" or "b".
    pub label: &'static str,
}

/// Everything a report says about one story ([`crate::membership`] decides what belongs to it).
#[derive(Default)]
pub struct StoryItems<'a> {
    /// Its sources, seen or latent.
    pub sources: Vec<&'a Source>,
    /// Its dated events.
    pub timeline: Vec<&'a TimelineEvent>,
    /// Provenance edges into its articles.
    pub edges: Vec<&'a Edge>,
    /// Passages between two of its articles.
    pub passages: Vec<&'a Passage>,
    /// Quotes in its articles.
    pub quotes: Vec<&'a Quote>,
    /// Numeric claims in its articles.
    pub claims: Vec<&'a Claim>,
    /// Divergences of the story, or involving its quotes or claims.
    pub divergences: Vec<&'a Divergence>,
    /// Unsourced additions in its articles.
    pub additions: Vec<&'a Addition>,
}

impl<'a> StoryItems<'a> {
    /// The items of `r` at the positions `m` lists.
    pub fn of(r: &'a Report, m: &StoryMembers) -> StoryItems<'a> {
        fn at<'a, T>(list: &'a [T], positions: &[usize]) -> Vec<&'a T> {
            positions.iter().map(|&i| &list[i]).collect()
        }
        StoryItems {
            sources: at(&r.sources, &m.sources),
            timeline: at(&r.timeline, &m.timeline),
            edges: at(&r.edges, &m.edges),
            passages: at(&r.passages, &m.passages),
            quotes: at(&r.quotes, &m.quotes),
            claims: at(&r.claims, &m.claims),
            divergences: at(&r.divergences, &m.divergences),
            additions: at(&r.additions, &m.additions),
        }
    }
}

/// A report with its items grouped by story and article (see the module docs).
pub struct ReportIndex<'a> {
    /// The report.
    pub report: &'a Report,
    articles: HashMap<&'a str, &'a Article>,
    sources: HashMap<&'a str, &'a Source>,
    stories: HashMap<&'a str, &'a Story>,
    story_of: HashMap<&'a str, &'a str>,
    by_story: HashMap<&'a str, StoryItems<'a>>,
    sides: HashMap<&'a str, Vec<Side<'a>>>,
}

impl<'a> ReportIndex<'a> {
    /// Indexes `r` (linear in its size).
    pub fn new(r: &'a Report) -> Self {
        let articles = r.articles.iter().map(|a| (a.id.as_str(), a)).collect();
        let sources = r.sources.iter().map(|s| (s.id.as_str(), s)).collect();
        let stories = r.stories.iter().map(|s| (s.id.as_str(), s)).collect();
        let mut story_of: HashMap<&str, &str> = HashMap::new();
        for s in &r.stories {
            for a in &s.articles {
                story_of.insert(a.as_str(), s.id.as_str());
            }
        }
        let members = Membership::of(r);
        let by_story = r
            .stories
            .iter()
            .map(|s| (s.id.as_str(), StoryItems::of(r, members.story(&s.id))))
            .collect();
        let mut sides: HashMap<&str, Vec<Side>> = HashMap::new();
        for p in &r.passages {
            for (here, there, label) in [(&p.a, &p.b, "a"), (&p.b, &p.a, "b")] {
                sides.entry(here.article.as_str()).or_default().push(Side {
                    passage: p,
                    here,
                    there,
                    label,
                });
            }
        }
        ReportIndex {
            report: r,
            articles,
            sources,
            stories,
            story_of,
            by_story,
            sides,
        }
    }

    /// The article with this id.
    pub fn article(&self, id: &str) -> Option<&'a Article> {
        self.articles.get(id).copied()
    }

    /// The source with this id.
    pub fn source(&self, id: &str) -> Option<&'a Source> {
        self.sources.get(id).copied()
    }

    /// The story with this id.
    pub fn story(&self, id: &str) -> Option<&'a Story> {
        self.stories.get(id).copied()
    }

    /// The id of the story an article belongs to.
    pub fn story_of(&self, article: &str) -> Option<&'a str> {
        self.story_of.get(article).copied()
    }

    /// Everything the report says about one story (empty lists when nothing).
    pub fn items(&self, story: &str) -> Option<&StoryItems<'a>> {
        self.by_story.get(story)
    }

    /// The passage sides that fall in one article.
    pub fn sides(&self, article: &str) -> &[Side<'a>] {
        self.sides.get(article).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Stories, most significant first: independent outlets, then articles, then the most recent.
    pub fn ranked_stories(&self) -> Vec<&'a Story> {
        let mut v: Vec<&Story> = self.report.stories.iter().collect();
        v.sort_by(|a, b| echotrace_model::by_significance(a, b));
        v
    }
}
