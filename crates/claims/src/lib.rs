//! Claims: what each article says, who it says said it, and the figures it gives.
//!
//! Per article, independently of every other article (so the pipeline runs
//! this in parallel): [`quotes`] (direct and reported speech with cue and
//! speaker resolved to the fullest name, see [`names`]), [`numbers`]
//! (numeric claims with qualifier, range, unit and what they count) and
//! [`entities`] (people, organisations, places, keyed through the alias
//! table). Offsets are UTF-8 byte offsets into the article body.

pub mod entities;
pub mod names;
pub mod numbers;
pub mod quotes;
pub mod sentences;

use echotrace_model::{Article, Claim, Entity, Quote};
use echotrace_reuse::Aliases;

/// Everything the claims stage reads from one article.
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ArticleClaims {
    /// Quotations.
    pub quotes: Vec<Quote>,
    /// Numeric claims.
    pub claims: Vec<Claim>,
    /// Entity mentions.
    pub entities: Vec<Entity>,
}

/// Quotes, numeric claims and entities of one article (ids left empty for the caller to assign).
pub fn analyze_article(article: &Article, aliases: &Aliases) -> ArticleClaims {
    let names = names::Names::of(&article.body);
    ArticleClaims {
        quotes: quotes::quotes(article, &names),
        claims: numbers::numbers(article),
        entities: entities::entities(article, aliases),
    }
}
