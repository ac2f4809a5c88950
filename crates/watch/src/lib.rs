//! Watches: texts a user wants to hear about again, and the matcher that finds them in new articles.
//!
//! A [`WatchIndex`] tokenises every watched text once (with the collection's
//! alias table, so spelling variants of names fold as in reuse) and keeps an
//! inverted index from the hashes of their word n-grams (the alignment's
//! anchor length) to the watches holding them. Checking a new article looks
//! its n-grams up, keeps the watches sharing at least one anchor, and aligns
//! each of those against the article with reuse's alignment: the cost of an
//! article is its n-gram lookups plus the watches it can match, never a
//! pass over every watch. Alignment needs a shared anchor to start, so the
//! filter loses no match the alignment would find.
//!
//! Each match carries its evidence (the aligned byte ranges in the watched
//! text and in the article, and both texts over them) and a tier:
//! `confirmed` when the article carries at least half of the watched text
//! and the matched stretch holds at least [`CONFIRM_CONTENT_WORDS`] content
//! words; `suggested` otherwise (a short or partial match a person should
//! look at).

use echotrace_model::PassageKind;
use echotrace_reuse::align::{self, AlignParams};
use echotrace_reuse::index::Postings;
use echotrace_reuse::{content_words, tokenize, Aliases, Token};

pub mod delivery;
#[cfg(feature = "rank")]
pub mod rank;
pub mod relation;
pub mod rule;
pub mod velocity;

/// Content words a matched stretch needs before a match can be confirmed.
pub const CONFIRM_CONTENT_WORDS: usize = 8;
/// Share of the watched text's tokens a confirmed match covers.
pub const CONFIRM_COVERAGE: f64 = 0.5;
/// Most watches one article is aligned against (those sharing the most anchors first).
pub const MAX_CANDIDATES: usize = 256;

/// A watched text, as the matcher needs it.
#[derive(Debug, Clone)]
pub struct Watch {
    /// The watch's id.
    pub id: String,
    /// The watched text.
    pub text: String,
}

/// How sure a match is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    /// Most of a long enough watched text: worth an alert on its own.
    Confirmed,
    /// A partial or short match: worth a look.
    Suggested,
}

impl Tier {
    /// The tier's name as stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Confirmed => "confirmed",
            Tier::Suggested => "suggested",
        }
    }
}

/// One watch found in one article, with its evidence.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WatchMatch {
    /// The watch's id.
    pub watch: String,
    /// How the article's text relates to the watched one.
    pub kind: PassageKind,
    /// Token identity of the two stretches (1.0: verbatim).
    pub score: f64,
    /// Share of the watched text's tokens the article carries (over all aligned stretches).
    pub coverage: f64,
    /// How sure the match is.
    pub tier: Tier,
    /// Byte range of the best stretch in the watched text.
    pub watch_span: (usize, usize),
    /// Byte range of the best stretch in the article's body.
    pub article_span: (usize, usize),
    /// The watched text over `watch_span`.
    pub watch_text: String,
    /// The article's text over `article_span`.
    pub article_text: String,
    /// Figures of the watched stretch that the article's stretch states otherwise.
    pub figure_drift: Vec<FigureDrift>,
}

/// A figure the article carries differently from the watched text.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FigureDrift {
    /// The watched figure as written, with what it counts.
    pub watched: String,
    /// The article's figure as written, with what it counts.
    pub found: String,
    /// What the figures count, when the text says ("militants").
    pub counts: Option<String>,
}

/// Every watch, tokenised once, with an anchor index (see the module docs).
pub struct WatchIndex {
    watches: Vec<Watch>,
    tokens: Vec<Vec<Token>>,
    postings: Postings,
    aliases: Aliases,
    align: AlignParams,
}

impl WatchIndex {
    /// Indexes `watches` with the collection's aliases and alignment parameters.
    pub fn new(watches: Vec<Watch>, aliases: &Aliases, align: AlignParams) -> WatchIndex {
        let mut postings = Postings::new(align.n.max(2));
        let tokens: Vec<Vec<Token>> = watches.iter().map(|w| tokenize(&w.text, aliases)).collect();
        for (i, t) in tokens.iter().enumerate() {
            postings.add(i as u32, t);
        }
        WatchIndex {
            watches,
            tokens,
            postings,
            aliases: aliases.clone(),
            align,
        }
    }

    /// Number of watches.
    pub fn len(&self) -> usize {
        self.watches.len()
    }

    /// Whether there is no watch.
    pub fn is_empty(&self) -> bool {
        self.watches.is_empty()
    }

    /// The watches found in an article's body, best first.
    pub fn match_text(&self, body: &str) -> Vec<WatchMatch> {
        if self.is_empty() {
            return Vec::new();
        }
        self.match_tokens(body, &tokenize(body, &self.aliases))
    }

    /// The watches found in an article's body, given its tokens (with the same aliases), best first.
    pub fn match_tokens(&self, body: &str, tokens: &[Token]) -> Vec<WatchMatch> {
        if self.is_empty() || tokens.is_empty() {
            return Vec::new();
        }
        let mut candidates = self.postings.shared(tokens);
        candidates.sort_unstable_by_key(|&(w, n)| (std::cmp::Reverse(n), w));
        candidates.truncate(MAX_CANDIDATES);
        let mut found: Vec<WatchMatch> = candidates
            .iter()
            .filter_map(|&(w, _)| self.align_one(w as usize, body, tokens))
            .collect();
        found.sort_by(|a, b| {
            (b.tier == Tier::Confirmed)
                .cmp(&(a.tier == Tier::Confirmed))
                .then(b.coverage.total_cmp(&a.coverage))
                .then(a.watch.cmp(&b.watch))
        });
        found
    }

    fn align_one(&self, w: usize, body: &str, tokens: &[Token]) -> Option<WatchMatch> {
        let q = &self.tokens[w];
        let mut p = self.align;
        // Short watches may match whole: the minimum is at most half the watch.
        p.min_tokens = p.min_tokens.min((q.len() / 2).max(p.n.max(2)));
        let als = align::align(q, tokens, &p);
        let best = als.iter().max_by_key(|al| al.a.1 - al.a.0)?;
        let covered: usize = union_len(als.iter().map(|al| al.a));
        let text = &self.watches[w].text;
        let ws = (q[best.a.0].start as usize, q[best.a.1 - 1].end as usize);
        let as_ = (
            tokens[best.b.0].start as usize,
            tokens[best.b.1 - 1].end as usize,
        );
        let watch_text = text.get(ws.0..ws.1)?.to_string();
        let article_text = body.get(as_.0..as_.1)?.to_string();
        let coverage = covered as f64 / q.len() as f64;
        let tier = if coverage >= CONFIRM_COVERAGE
            && content_words(&watch_text) >= CONFIRM_CONTENT_WORDS
        {
            Tier::Confirmed
        } else {
            Tier::Suggested
        };
        let figure_drift = figure_drift(&watch_text, &article_text);
        Some(WatchMatch {
            figure_drift,
            watch: self.watches[w].id.clone(),
            kind: echotrace_reuse::model_kind(best.kind),
            score: (best.identity * 1000.0).round() / 1000.0,
            coverage: (coverage * 1000.0).round() / 1000.0,
            tier,
            watch_span: ws,
            article_span: as_,
            watch_text,
            article_text,
        })
    }
}

/// The figures two aligned stretches state differently: the claims stage's numeric claims of
/// each, those of equal value set aside, the rest paired by what they count (when both say), then
/// in order.
pub fn figure_drift(watched: &str, found: &str) -> Vec<FigureDrift> {
    // The same words state the same figures: nothing drifted (most matches are copies).
    if watched.split_whitespace().eq(found.split_whitespace()) {
        return Vec::new();
    }
    let claims_of = |text: &str| {
        echotrace_claims::numbers::numbers(&echotrace_model::Article {
            body: text.to_string(),
            language: "en".into(),
            ..Default::default()
        })
    };
    let (w, f) = (claims_of(watched), claims_of(found));
    let same = |a: &echotrace_model::Claim, b: &echotrace_model::Claim| {
        (a.value - b.value).abs() <= 1e-9 * a.value.abs().max(1.0) && a.value_max == b.value_max
    };
    let mut left: Vec<&echotrace_model::Claim> =
        w.iter().filter(|a| !f.iter().any(|b| same(a, b))).collect();
    let mut right: Vec<&echotrace_model::Claim> =
        f.iter().filter(|b| !w.iter().any(|a| same(a, b))).collect();
    let mut out = Vec::new();
    let drift = |a: &echotrace_model::Claim, b: &echotrace_model::Claim| FigureDrift {
        watched: watched[a.start..a.end].to_string(),
        found: found[b.start..b.end].to_string(),
        counts: a.counts.clone().or_else(|| b.counts.clone()),
    };
    // Pairs that count the same thing first.
    left.retain(|a| {
        let Some(c) = &a.counts else { return true };
        match right.iter().position(|b| b.counts.as_ref() == Some(c)) {
            Some(i) => {
                out.push(drift(a, right.remove(i)));
                false
            }
            None => true,
        }
    });
    out.extend(left.iter().zip(&right).map(|(a, b)| drift(a, b)));
    out
}

/// Total length of the union of half-open ranges.
fn union_len(ranges: impl Iterator<Item = (usize, usize)>) -> usize {
    let mut rs: Vec<(usize, usize)> = ranges.collect();
    rs.sort_unstable();
    let (mut total, mut end) = (0, 0);
    for (s, e) in rs {
        let s = s.max(end);
        if e > s {
            total += e - s;
            end = e;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Watches of (id, text) indexed with the built-in aliases.
    pub(crate) fn index(texts: &[(&str, &str)]) -> WatchIndex {
        let ws = texts
            .iter()
            .map(|(id, t)| Watch {
                id: id.to_string(),
                text: t.to_string(),
            })
            .collect();
        WatchIndex::new(ws, &Aliases::builtin(), AlignParams::default())
    }

    const STATEMENT: &str = "The United States military is actively recruiting militants from \
        jihadist groups to carry out attacks on heavily guarded facilities in the region, \
        the intelligence service said in a statement on Tuesday.";

    #[test]
    fn a_republished_statement_confirms_and_an_unrelated_text_does_not_match() {
        let idx = index(&[("w1", STATEMENT), ("w2", "Heavy rain is expected over the weekend in the north of the country, forecasters said.")]);
        let body = format!("Officials reacted on Wednesday. {STATEMENT} Nothing else was said.");
        let found = idx.match_text(&body);
        assert_eq!(found.len(), 1, "{found:?}");
        let m = &found[0];
        assert_eq!(m.watch, "w1");
        assert_eq!(m.tier, Tier::Confirmed);
        assert_eq!(m.kind, PassageKind::Verbatim);
        assert_eq!(&body[m.article_span.0..m.article_span.1], m.article_text);
        assert!(m.article_text.starts_with("The United States military"));
        assert!(idx.match_text("Forecasters expect a dry week.").is_empty());
    }

    #[test]
    fn a_reworded_copy_is_near_and_a_fragment_is_only_suggested() {
        let idx = index(&[("w1", STATEMENT)]);
        let reworded = STATEMENT.replace("actively recruiting", "actively enlisting");
        let m = &idx.match_text(&reworded)[0];
        assert_eq!(m.kind, PassageKind::Near);
        assert_eq!(m.tier, Tier::Confirmed);
        let fragment = "Reports say the United States military is actively recruiting militants from jihadist groups.";
        let m = &idx.match_text(fragment)[0];
        assert_eq!(m.tier, Tier::Suggested, "{m:?}");
    }

    #[test]
    fn a_copy_with_another_figure_carries_the_drift() {
        let watched = "The agency said 17,000 militants crossed the border in March and that 40 camps had been set up near the river.";
        let idx = index(&[("w1", watched)]);
        let copy = watched.replace("17,000 militants", "1,700 militants");
        let m = &idx.match_text(&copy)[0];
        assert_eq!(
            m.figure_drift,
            vec![FigureDrift {
                watched: "17,000 militants".into(),
                found: "1,700 militants".into(),
                counts: Some("militants".into()),
            }],
            "{m:?}"
        );
        assert!(idx.match_text(watched)[0].figure_drift.is_empty());
    }

    #[test]
    fn a_short_watch_never_confirms() {
        let idx = index(&[("w1", "recruiting militants from jihadist groups")]);
        let m = &idx.match_text(STATEMENT)[0];
        assert!(m.coverage > 0.99);
        assert_eq!(m.tier, Tier::Suggested);
    }
}
