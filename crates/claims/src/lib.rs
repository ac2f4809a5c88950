//! Claims: what each article says, who it says said it, and the figures it gives.
//!
//! Per article, independently of every other article (so the pipeline runs
//! this in parallel): [`quotes`] (direct and reported speech with cue and
//! speaker resolved to the fullest name, see [`names`]), [`numbers`]
//! (numeric claims with qualifier, range, unit and what they count) and
//! [`entities`] (people, organisations, places, keyed through the alias
//! table). Offsets are UTF-8 byte offsets into the article body.

pub mod attribution;
pub mod entities;
pub mod names;
pub mod numbers;
pub mod quotes;
pub mod tagger;

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

/// Compiles one of the stage's patterns with room for its lazy DFA.
///
/// The patterns are long alternations over Unicode classes; with the
/// regex crate's default 2 MiB cache per pattern and thread, the lazy DFA is
/// rebuilt over and over on a large corpus (half the stage's time went to
/// determinisation on 100k articles).
pub(crate) fn regex(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(pattern)
        .dfa_size_limit(32 << 20)
        .build()
}
