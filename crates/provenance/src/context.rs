//! Indices over a report that every provenance step needs: which story an
//! article is in, which passages and quotes fall in it, and its day.

use std::collections::HashMap;

use echotrace_model::Report;
use echotrace_stories::DateKey;

/// One side of a passage, seen from the article it lies in.
#[derive(Debug, Clone, Copy)]
pub struct Side {
    /// Index of the passage in `report.passages`.
    pub passage: usize,
    /// Byte range in this article.
    pub start: usize,
    /// End of the range.
    pub end: usize,
    /// Index of the article on the other side.
    pub other: usize,
    /// Byte range in the other article.
    pub other_range: (usize, usize),
}

/// Report indices, by article index.
#[derive(Debug, Default)]
pub struct Context {
    /// Article id to index.
    pub index: HashMap<String, usize>,
    /// Story index of each article.
    pub story_of: Vec<Option<usize>>,
    /// Passage sides in each article.
    pub sides: Vec<Vec<Side>>,
    /// Quote indices in each article.
    pub quotes: Vec<Vec<usize>>,
    /// Claim indices in each article.
    pub claims: Vec<Vec<usize>>,
    /// Each article's date key.
    pub dates: Vec<DateKey>,
}

impl Context {
    /// Indexes `report`.
    pub fn new(report: &Report) -> Context {
        let n = report.articles.len();
        let index: HashMap<String, usize> = report.article_positions();
        let mut story_of = vec![None; n];
        for (s, story) in report.stories.iter().enumerate() {
            for id in &story.articles {
                if let Some(&i) = index.get(id) {
                    story_of[i] = Some(s);
                }
            }
        }
        let mut sides = vec![Vec::new(); n];
        for (k, p) in report.passages.iter().enumerate() {
            let (Some(&a), Some(&b)) = (index.get(&p.a.article), index.get(&p.b.article)) else {
                continue;
            };
            sides[a].push(Side {
                passage: k,
                start: p.a.start,
                end: p.a.end,
                other: b,
                other_range: (p.b.start, p.b.end),
            });
            sides[b].push(Side {
                passage: k,
                start: p.b.start,
                end: p.b.end,
                other: a,
                other_range: (p.a.start, p.a.end),
            });
        }
        let mut quotes = vec![Vec::new(); n];
        for (k, q) in report.quotes.iter().enumerate() {
            if let Some(&i) = index.get(&q.article) {
                quotes[i].push(k);
            }
        }
        let mut claims = vec![Vec::new(); n];
        for (k, c) in report.claims.iter().enumerate() {
            if let Some(&i) = index.get(&c.article) {
                claims[i].push(k);
            }
        }
        let dates = report
            .articles
            .iter()
            .map(|a| DateKey::of(a.published.as_ref()))
            .collect();
        Context {
            index,
            story_of,
            sides,
            quotes,
            claims,
            dates,
        }
    }

    /// Quote indices of article `i` overlapping `[start, end)`.
    pub fn quotes_over(&self, report: &Report, i: usize, start: usize, end: usize) -> Vec<usize> {
        self.quotes[i]
            .iter()
            .copied()
            .filter(|&q| {
                let quote = &report.quotes[q];
                quote.start < end && start < quote.end
            })
            .collect()
    }
}

/// Bytes of `[start, end)` covered by `ranges`.
pub fn overlap(start: usize, end: usize, ranges: &[(usize, usize)]) -> usize {
    let clipped: Vec<(usize, usize)> = ranges
        .iter()
        .map(|&(s, e)| (s.max(start), e.min(end)))
        .filter(|(s, e)| e > s)
        .collect();
    echotrace_stories::covered(clipped)
}
