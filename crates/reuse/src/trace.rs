//! Trace lookups: where does a pasted passage appear in a collection?
//!
//! A [`Tracer`] tokenises every article once and keeps an inverted index
//! from the hashes of their word n-grams (the alignment's anchor length) to
//! the articles holding them. A lookup tokenises the passage, gathers the
//! articles that share at least one anchor n-gram with it, and aligns the
//! passage against those alone. Alignment needs one shared anchor to start,
//! so the filter loses nothing: the result is what aligning against every
//! article would give, at the cost of the few that can match.

use echotrace_model::{Article, PassageKind};
use rayon::prelude::*;

use crate::align::{self, AlignParams};
use crate::index::Postings;
use crate::normalize::{tokenize, Aliases, Token};
use crate::{model_kind, ReuseParams};

/// Where a pasted passage appears in one article.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TraceHit {
    /// The article's id.
    pub article: String,
    /// Byte range of the matching text in the article's body.
    pub start: usize,
    /// End of that range (exclusive).
    pub end: usize,
    /// How the article's text relates to the passage.
    pub kind: PassageKind,
    /// Token identity of the two.
    pub score: f64,
    /// Share of the passage's tokens covered by this match.
    pub coverage: f64,
}

/// Articles tokenised once, with an anchor index, ready for many lookups.
pub struct Tracer {
    ids: Vec<String>,
    tokens: Vec<Vec<Token>>,
    postings: Postings,
    aliases: Aliases,
    align: AlignParams,
}

impl Tracer {
    /// Tokenises and indexes `articles` (in parallel).
    pub fn new(articles: &[Article], aliases: &Aliases, params: &ReuseParams) -> Tracer {
        let mut tracer = Tracer {
            ids: Vec::new(),
            tokens: Vec::new(),
            postings: Postings::new(params.align.n),
            aliases: aliases.clone(),
            align: params.align,
        };
        tracer.extend(articles);
        tracer
    }

    /// Tokenises and indexes more articles (in parallel); those indexed already stay as they are.
    pub fn extend(&mut self, articles: &[Article]) {
        let first = self.ids.len() as u32;
        let tokens: Vec<Vec<Token>> = articles
            .par_iter()
            .map(|a| tokenize(&a.body, &self.aliases))
            .collect();
        for (i, t) in tokens.iter().enumerate() {
            self.postings.add(first + i as u32, t);
        }
        self.tokens.extend(tokens);
        self.ids.extend(articles.iter().map(|a| a.id.clone()));
    }

    /// Number of articles indexed.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether no article was indexed.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Where `passage` appears: the best match per article, in article order.
    ///
    /// Short passages are allowed: the minimum length is the smaller of the
    /// configured minimum and half the passage.
    pub fn find(&self, passage: &str) -> Vec<TraceHit> {
        let q = tokenize(passage, &self.aliases);
        if q.is_empty() {
            return Vec::new();
        }
        let mut p = self.align;
        p.min_tokens = p.min_tokens.min((q.len() / 2).max(p.n.max(2)));
        self.postings
            .shared(&q)
            .par_iter()
            .filter_map(|&(d, _)| {
                let t = &self.tokens[d as usize];
                let best = align::align(&q, t, &p)
                    .into_iter()
                    .max_by_key(|al| al.a.1 - al.a.0)?;
                Some(TraceHit {
                    article: self.ids[d as usize].clone(),
                    start: t[best.b.0].start as usize,
                    end: t[best.b.1 - 1].end as usize,
                    kind: model_kind(best.kind),
                    score: (best.identity * 1000.0).round() / 1000.0,
                    coverage: (best.a.1 - best.a.0) as f64 / q.len() as f64,
                })
            })
            .collect()
    }
}

/// Finds where `passage` appears in `articles`, best match per article, in article order.
///
/// A one-off lookup; build a [`Tracer`] once for many.
pub fn trace(
    passage: &str,
    articles: &[Article],
    aliases: &Aliases,
    params: &ReuseParams,
) -> Vec<TraceHit> {
    Tracer::new(articles, aliases, params).find(passage)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn art(id: &str, body: &str) -> Article {
        Article {
            id: id.into(),
            body: body.into(),
            ..Default::default()
        }
    }

    #[test]
    fn trace_finds_a_pasted_passage_in_its_echoes() {
        let arts = vec![
            art("a0", "Officials said the border would stay closed to all trucks until the end of the month, citing security."),
            art("a1", "Nothing to see here: a story about gardening and the weather this spring."),
            art("a2", "The ministry said that the border would remain closed to all trucks until the end of the month."),
        ];
        let hits = trace(
            "the border would stay closed to all trucks until the end of the month",
            &arts,
            &Aliases::builtin(),
            &ReuseParams::default(),
        );
        let ids: Vec<&str> = hits.iter().map(|h| h.article.as_str()).collect();
        assert_eq!(ids, ["a0", "a2"]);
        assert_eq!(hits[0].kind, PassageKind::Verbatim);
        assert!(
            arts[0].body[hits[0].start..hits[0].end].starts_with("the border would stay closed")
        );
        assert_ne!(hits[1].kind, PassageKind::Verbatim);
    }

    #[test]
    fn the_index_finds_what_aligning_every_article_finds() {
        let arts: Vec<Article> = (0..40)
            .map(|i| {
                art(
                    &format!("a{i}"),
                    &format!(
                        "Filler number {i} about harvests and rainfall in the valley this year. \
                         {} The end of report {i}.",
                        if i % 7 == 0 {
                            "The ministry said that the border would remain closed to all trucks until the end of the month."
                        } else {
                            "Nothing else happened in the market town on that day, residents said."
                        }
                    ),
                )
            })
            .collect();
        let aliases = Aliases::builtin();
        let params = ReuseParams::default();
        let tracer = Tracer::new(&arts, &aliases, &params);
        let passage = "the border would remain closed to all trucks until the end of the month";
        let hits = tracer.find(passage);
        let ids: Vec<&str> = hits.iter().map(|h| h.article.as_str()).collect();
        assert_eq!(ids, ["a0", "a7", "a14", "a21", "a28", "a35"]);
        // Brute force over every article gives the same hits.
        let q = tokenize(passage, &aliases);
        let mut p = params.align;
        p.min_tokens = p.min_tokens.min((q.len() / 2).max(p.n.max(2)));
        let brute: Vec<&str> = arts
            .iter()
            .filter(|a| !align::align(&q, &tokenize(&a.body, &aliases), &p).is_empty())
            .map(|a| a.id.as_str())
            .collect();
        assert_eq!(ids, brute);
        assert!(tracer.find("").is_empty());
        assert!(tracer
            .find("wholly unrelated words about nothing")
            .is_empty());
    }
}
