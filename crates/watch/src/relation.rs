//! How a new article's text relates to a watched one: it echoes it, attributes it to
//! someone ("X claimed that ..."), or disputes it.
//!
//! Attribution comes from the article's quotes as the claims stage found them (the
//! attribution tagger scored by `eval --set attribution`): the matched stretch lies, for
//! at least half its length, inside a quote or reported statement with a speaker or a cue.
//! A dispute is read from the sentences around the match (the ones it spans and the
//! one after): a word that calls a statement false ([`DISPUTE`]), or a denial cue on the
//! attribution itself. Measured on 259 labelled development texts
//! (`cargo test -p echotrace-watch --test relation_set -- --nocapture`): accuracy 0.649,
//! disputes found 42% of the time and right 81% of the time (docs/MEASUREMENTS.md): read
//! `relation` as a hint for a person, not a verdict.

use echotrace_model::Quote;

/// Words and phrases that call a statement false, matched case-insensitively on word boundaries.
pub const DISPUTE: &[&str] = &[
    "false",
    "falsely",
    "fake",
    "hoax",
    "debunk",
    "debunked",
    "debunks",
    "misleading",
    "baseless",
    "unfounded",
    "untrue",
    "not true",
    "no evidence",
    "fabricated",
    "fabrication",
    "disinformation",
    "misinformation",
    "refuted",
    "refutes",
    "fact-check",
    "fact check",
    "fact-checkers",
    "conspiracy theory",
];

/// Attribution cues that deny what they attribute.
const DENIAL_CUES: &[&str] = &[
    "denied",
    "denies",
    "deny",
    "rejected",
    "rejects",
    "dismissed",
    "dismisses",
];

/// How a matched text relates to the watched one.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Relation {
    /// `echoes`, `attributes` or `disputes`.
    pub kind: &'static str,
    /// Who the article attributes it to, when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    /// The attribution's cue (`said`, `claimed`...), when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cue: Option<String>,
    /// The word that disputes it, when one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disputed_by: Option<String>,
}

/// An article read for relations: its body, its sentences (found once) and its quotes.
pub struct Reading<'a> {
    body: &'a str,
    sentences: Vec<(usize, usize)>,
    quotes: &'a [Quote],
}

impl<'a> Reading<'a> {
    /// Splits `body` into sentences once, for every match in it.
    pub fn new(body: &'a str, quotes: &'a [Quote]) -> Reading<'a> {
        Reading {
            body,
            sentences: echotrace_language::sentences::sentences(body),
            quotes,
        }
    }

    /// The relation of the stretch `span` (bytes of the body) to the watched text.
    pub fn relation(&self, span: (usize, usize)) -> Relation {
        relation_in(self.body, &self.sentences, span, self.quotes)
    }
}

/// The relation of the stretch `span` (bytes of `body`) to the watched text, given the article's quotes.
pub fn relation(body: &str, span: (usize, usize), quotes: &[Quote]) -> Relation {
    Reading::new(body, quotes).relation(span)
}

fn relation_in(
    body: &str,
    sentences: &[(usize, usize)],
    span: (usize, usize),
    quotes: &[Quote],
) -> Relation {
    let (s, e) = span;
    let len = e.saturating_sub(s).max(1);
    let attributed = quotes
        .iter()
        .filter(|q| q.speaker.is_some() || q.cue.is_some())
        .find(|q| q.end.min(e).saturating_sub(q.start.max(s)) * 2 >= len);
    let mut out = Relation {
        kind: "echoes",
        speaker: attributed.and_then(|q| q.speaker.clone()),
        cue: attributed.and_then(|q| q.cue.clone()),
        disputed_by: None,
    };
    if attributed.is_some() {
        out.kind = "attributes";
    }
    let denial = out.cue.as_deref().map(str::to_lowercase).filter(|c| {
        DENIAL_CUES
            .iter()
            .any(|d| c.split_whitespace().any(|w| w == *d))
    });
    let around = around(body, sentences, span);
    if let Some(word) = denial.or_else(|| dispute_word(&around)) {
        out.kind = "disputes";
        out.disputed_by = Some(word);
    }
    out
}

/// The sentences `span` touches and the one after it.
fn around(body: &str, sentences: &[(usize, usize)], (s, e): (usize, usize)) -> String {
    let first = sentences
        .iter()
        .position(|&(_, end)| end > s)
        .unwrap_or(sentences.len());
    let last = sentences
        .iter()
        .rposition(|&(start, _)| start < e)
        .map_or(first, |i| i + 1);
    let stop = (last + 1).min(sentences.len());
    match (
        sentences.get(first),
        stop.checked_sub(1).and_then(|i| sentences.get(i)),
    ) {
        (Some(a), Some(b)) if a.0 <= b.1 => body.get(a.0..b.1).unwrap_or("").to_string(),
        _ => String::new(),
    }
}

/// The first dispute word or phrase in `text`, on word boundaries.
fn dispute_word(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .filter(|w| !w.is_empty())
        .collect();
    DISPUTE.iter().find_map(|phrase| {
        let p: Vec<&str> = phrase.split(' ').collect();
        words
            .windows(p.len())
            .any(|w| w == p.as_slice())
            .then(|| phrase.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLAIM: &str = "the vaccine contains a tracking chip";

    fn quote(body: &str, text: &str, speaker: &str, cue: &str) -> Quote {
        let start = body.find(text).unwrap();
        Quote {
            start,
            end: start + text.len(),
            text: text.into(),
            speaker: Some(speaker.into()),
            cue: Some(cue.into()),
            ..Default::default()
        }
    }

    fn span(body: &str) -> (usize, usize) {
        let s = body.find(CLAIM).unwrap();
        (s, s + CLAIM.len())
    }

    #[test]
    fn a_repeated_statement_echoes_it() {
        let body = format!("Breaking. Experts now know that {CLAIM}. More soon.");
        assert_eq!(relation(&body, span(&body), &[]).kind, "echoes");
    }

    #[test]
    fn a_statement_put_in_someones_mouth_attributes_it() {
        let body = format!("The senator claimed that {CLAIM}. He gave no source for it yet.");
        let q = quote(&body, CLAIM, "The senator", "claimed");
        let r = relation(&body, span(&body), &[q]);
        assert_eq!(r.kind, "attributes");
        assert_eq!(r.speaker.as_deref(), Some("The senator"));
    }

    #[test]
    fn a_statement_called_false_or_denied_is_disputed() {
        let body = format!("Posts say {CLAIM}. Health officials said the claim is false.");
        let r = relation(&body, span(&body), &[]);
        assert_eq!(
            (r.kind, r.disputed_by.as_deref()),
            ("disputes", Some("false"))
        );
        let body = format!("The ministry denied that {CLAIM}.");
        let q = quote(&body, CLAIM, "The ministry", "denied");
        assert_eq!(relation(&body, span(&body), &[q]).kind, "disputes");
        // A dispute word far from the match does not count.
        let body = format!(
            "Posts say {CLAIM}. The weather was mild. Then came a long and unrelated paragraph. A hoax elsewhere."
        );
        assert_eq!(relation(&body, span(&body), &[]).kind, "echoes");
    }
}
