//! What share of each article is quoted, reused or its own, and which of
//! its own assertions are unsourced additions.
//!
//! - *quoted*: bytes inside quotation marks or attributed to a speaker;
//! - *reused*: bytes of passages shared with another article, outside quotations;
//! - *own*: the rest.
//!
//! An unsourced addition is a sentence of an article that echoes a source
//! (a member of a story with a source, other than a seen source itself) that
//! overlaps no shared passage and no quotation, carries no attribution cue,
//! and asserts something checkable (a figure or a name past its first word).

use echotrace_model::{Addition, QuoteKind, Report, Shares};

use crate::context::{overlap, Context};

/// Attribution cues; a sentence with one of these reports someone's words.
pub(crate) const CUES: &[&str] = &[
    "said",
    "says",
    "told",
    "according to",
    "reported",
    "reports",
    "stated",
    "claimed",
    "claims",
    "added",
    "noted",
    "alleged",
    "announced",
    "statement",
    "quoted",
    "cited",
    "wrote",
    "warned",
    "insisted",
    "argued",
    "explained",
    "confirmed",
    "denied",
    "accused",
    "believes",
    "suggested",
    "stressed",
    "disclosed",
    "revealed",
    "asserted",
    "emphasized",
    "emphasised",
    "pointed out",
    "indicated",
    "reportedly",
    "allegedly",
    "allegations",
    "according",
    "informed",
    "tweeted",
];

/// Fills each article's shares and the report's unsourced additions.
pub fn measure(report: &mut Report, ctx: &Context) {
    let mut additions = Vec::new();
    let with_source: Vec<Option<&echotrace_model::Source>> = report
        .stories
        .iter()
        .map(|s| report.sources.iter().find(|src| src.story == s.id))
        .collect();
    let mut shares = Vec::with_capacity(report.articles.len());
    for (i, a) in report.articles.iter().enumerate() {
        let len = a.body.len();
        if len == 0 {
            shares.push(None);
            continue;
        }
        // An attribution with no source ("it has been reported that ...") is the outlet's own hedged report, not a quotation.
        let quoted: Vec<(usize, usize)> = ctx.quotes[i]
            .iter()
            .filter(|&&q| {
                report.quotes[q].kind == QuoteKind::Direct || report.quotes[q].speaker.is_some()
            })
            .map(|&q| {
                (
                    report.quotes[q].start.min(len),
                    report.quotes[q].end.min(len),
                )
            })
            .collect();
        let reused: Vec<(usize, usize)> = ctx.sides[i]
            .iter()
            .map(|sd| (sd.start.min(len), sd.end.min(len)))
            .collect();
        let q = overlap(0, len, &quoted);
        let mut both = quoted.clone();
        both.extend(reused.iter().copied());
        let covered = overlap(0, len, &both);
        let r = covered - q;
        let f = |x: usize| ((x as f64 / len as f64) * 1000.0).round() / 1000.0;
        shares.push(Some(Shares {
            quoted: f(q),
            reused: f(r),
            own: ((1.0 - f(q) - f(r)) * 1000.0).round() / 1000.0,
        }));
        let Some(s) = ctx.story_of[i] else {
            continue;
        };
        let Some(src) = with_source[s] else {
            continue;
        };
        if src.article.as_deref() == Some(a.id.as_str()) {
            continue;
        }
        for (start, end) in echotrace_language::sentences(&a.body) {
            let text = &a.body[start..end];
            if overlap(start, end, &both) > 0 || !asserts(text) {
                continue;
            }
            let lower = text.to_lowercase();
            if CUES.iter().any(|c| contains_word(&lower, c)) {
                continue;
            }
            additions.push(Addition {
                article: a.id.clone(),
                story: report.stories[s].id.clone(),
                start,
                end,
                text: text.to_string(),
            });
        }
    }
    for (a, s) in report.articles.iter_mut().zip(shares) {
        a.shares = s;
    }
    report.additions = additions;
}

pub(crate) fn contains_word(haystack: &str, word: &str) -> bool {
    haystack.match_indices(word).any(|(at, _)| {
        let before = haystack[..at].chars().next_back();
        let after = haystack[at + word.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// Whether a sentence asserts something checkable: a figure, or a capitalised name after its first word.
fn asserts(sentence: &str) -> bool {
    let words: Vec<&str> = sentence.split_whitespace().collect();
    if words.len() < 6 {
        return false;
    }
    sentence.chars().any(|c| c.is_ascii_digit())
        || words[1..]
            .iter()
            .any(|w| w.chars().next().is_some_and(char::is_uppercase))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cues_match_whole_words() {
        assert!(contains_word("the minister said on monday", "said"));
        assert!(!contains_word("unsaid things", "said"));
        assert!(asserts("The base hosted 350 troops in the desert."));
        assert!(!asserts("it was a cold and quiet day."));
    }
}
