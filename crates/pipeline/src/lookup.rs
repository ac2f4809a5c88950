//! Trace lookups against a store: where a pasted passage appears, without holding the collection in memory.
//!
//! An in-memory [`Tracer`] over every article costs the collection's tokens
//! and an n-gram map of them (gigabytes at 100k articles). The store already
//! holds both halves of the answer: its echo index maps each word n-gram to
//! the articles that first carried it (`echotrace_store` postings), and its
//! passages link each of those to the articles that copied from it (an echo
//! posts only the n-grams its partners do not already represent, so a text
//! carried by 300 outlets is posted under one of them and reached through
//! its passages). A lookup therefore gathers the articles posting the
//! passage's n-grams, adds their passage partners, reads those articles,
//! and aligns the passage against them alone with the [`Tracer`]'s
//! alignment: what the in-memory tracer finds, at the cost of the articles
//! that can match (`tests/collection.rs` compares the two).

use std::collections::HashMap;

use echotrace_reuse::{Aliases, ReuseParams, TraceHit, Tracer};
use echotrace_store::Store;

use crate::Result;

/// Most articles one lookup reads that post the passage's n-grams (those sharing the most first).
pub const MAX_POSTING_ARTICLES: usize = 2_000;
/// Most articles one lookup aligns against, passage partners included.
pub const MAX_CANDIDATES: usize = 10_000;

/// One place a pasted passage appears: the hit and the article's text it covers.
#[derive(Debug, Clone)]
pub struct Traced {
    /// Where and how well it matches.
    pub hit: TraceHit,
    /// The article's text over the hit's byte range.
    pub text: String,
}

/// Where `passage` appears in the articles stored in `store`: the best match per article, in article order.
///
/// Passages shorter than the echo index's n-gram (`params.index_n` words) find nothing.
pub fn trace_stored(
    store: &Store,
    passage: &str,
    aliases: &Aliases,
    params: &ReuseParams,
) -> Result<Vec<Traced>> {
    let tokens = echotrace_reuse::tokenize(passage, aliases);
    let grams = echotrace_reuse::index::signature(&tokens, params.index_n);
    if tokens.len() < params.index_n || grams.is_empty() {
        return Ok(Vec::new());
    }
    // Articles posting the passage's n-grams, those sharing the most first.
    let mut shared: HashMap<u32, u32> = HashMap::new();
    for (_, docs) in store.postings(&grams)? {
        for d in docs {
            *shared.entry(d).or_default() += 1;
        }
    }
    let mut posting: Vec<(u32, u32)> = shared.into_iter().collect();
    posting.sort_unstable_by_key(|&(d, n)| (std::cmp::Reverse(n), d));
    posting.truncate(MAX_POSTING_ARTICLES);
    let mut candidates: Vec<u32> = posting.iter().map(|&(d, _)| d).collect();
    candidates.sort_unstable();
    // Their passage partners: the echoes that reach the text through them.
    for p in store.passages_touching(&candidates)? {
        for side in [&p.a.article, &p.b.article] {
            if let Some(row) = side.strip_prefix('a').and_then(|n| n.parse().ok()) {
                candidates.push(row);
            }
        }
    }
    candidates.sort_unstable();
    candidates.dedup();
    candidates.truncate(MAX_CANDIDATES);
    let articles = store.articles_with_ids(&candidates)?;
    let hits = Tracer::new(&articles, aliases, params).find(passage);
    let body: HashMap<&str, &str> = articles
        .iter()
        .map(|a| (a.id.as_str(), a.body.as_str()))
        .collect();
    Ok(hits
        .into_iter()
        .map(|hit| {
            let text = body
                .get(hit.article.as_str())
                .and_then(|b| b.get(hit.start..hit.end))
                .unwrap_or("")
                .to_string();
            Traced { hit, text }
        })
        .collect())
}
