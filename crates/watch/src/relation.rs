//! How a new article's text relates to a watched one: it echoes it, attributes it to
//! someone ("X claimed that ..."), or disputes it.
//!
//! The three are told apart by a small learned model ([`RelationModel`], a multinomial
//! logistic regression shipped as `data/relation.json`) over [`FEATURES`] read around the
//! match: dispute words ([`DISPUTE`]) inside it, beside it in its sentence, in the next
//! and the previous sentence; negation and capitalised denials; denial verbs; speech cues
//! beside the match; a quotation mark or colon just before it, a dash and a name after it;
//! and the claims stage's own reading (the match lies, for at least half its length,
//! inside a quote with a speaker or a cue, and whether that cue denies). It is fitted by
//! `echotrace eval --set relations --relation-model-out FILE` on 259 development texts
//! labelled by reading (`crates/eval/data/relations.jsonl`) and scored there by
//! cross-validation with folds by source document (docs/MEASUREMENTS.md): read
//! `relation` as a hint for a person, not a verdict. The lexicons are English; in other
//! languages only punctuation and the claims stage's quotes speak.

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

/// Verbs that deny what they attribute.
const DENIAL_CUES: &[&str] = &[
    "denied",
    "denies",
    "deny",
    "denying",
    "rejected",
    "rejects",
    "dismissed",
    "dismisses",
    "refuted",
    "refutes",
];

/// Words that negate a statement.
const NEGATORS: &[&str] = &[
    "not", "no", "never", "nobody", "nothing", "none", "neither", "nor", "cannot",
];

/// Verbs and phrases that report speech or belief.
const SPEECH_CUES: &[&str] = &[
    "said",
    "says",
    "say",
    "told",
    "tells",
    "claimed",
    "claims",
    "claim",
    "according",
    "reported",
    "reports",
    "stated",
    "states",
    "announced",
    "announces",
    "insisted",
    "argued",
    "wrote",
    "tweeted",
    "asserted",
    "alleged",
    "alleges",
    "believes",
    "believe",
    "thinks",
    "think",
    "suggested",
    "added",
    "noted",
];

/// Names of the features the model reads, in the order of its weights.
pub const FEATURES: [&str; 16] = [
    "dispute_beside",
    "dispute_inside",
    "dispute_next",
    "dispute_previous",
    "negation",
    "capitalised_denial",
    "denial_verb",
    "denial_verb_next",
    "speech_cue_beside",
    "speech_cue_previous",
    "quote_mark_before",
    "colon_before",
    "dash_name_after",
    "question",
    "quoted_by_claims",
    "denial_cue_of_quote",
];

/// The relations, in the order of the model's rows.
pub const KINDS: [&str; 3] = ["echoes", "attributes", "disputes"];

/// A multinomial logistic regression over [`FEATURES`]: one row of weights per relation of [`KINDS`], the last weight a bias.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct RelationModel {
    /// `weights[k]`: the weights of relation `KINDS[k]` over the features, then its bias.
    pub weights: Vec<Vec<f64>>,
    /// What it was fitted on, for people.
    #[serde(default)]
    pub trained_on: String,
}

impl RelationModel {
    /// The model shipped with the crate.
    pub fn shipped() -> &'static RelationModel {
        static MODEL: std::sync::OnceLock<RelationModel> = std::sync::OnceLock::new();
        MODEL.get_or_init(|| {
            serde_json::from_str(include_str!("../data/relation.json"))
                .expect("data/relation.json is a relation model")
        })
    }

    /// The index in [`KINDS`] of the most likely relation.
    pub fn classify(&self, features: &[f64]) -> usize {
        let score = |row: &Vec<f64>| {
            let bias = row.get(features.len()).copied().unwrap_or(0.0);
            bias + row.iter().zip(features).map(|(w, x)| w * x).sum::<f64>()
        };
        (0..KINDS.len())
            .max_by(|&a, &b| {
                let (sa, sb) = (
                    self.weights.get(a).map_or(f64::MIN, score),
                    self.weights.get(b).map_or(f64::MIN, score),
                );
                sa.total_cmp(&sb).then(b.cmp(&a))
            })
            .unwrap_or(0)
    }

    /// Fits the model on (features, index in [`KINDS`]) pairs: softmax cross-entropy,
    /// L2-regularised, by full-batch gradient descent.
    ///
    /// By hand: a 3 by 17 weight matrix fitted on a few hundred rows; a crate would bring
    /// a linear-algebra stack for it.
    pub fn fit(rows: &[(Vec<f64>, usize)], trained_on: &str) -> RelationModel {
        let d = FEATURES.len();
        let k = KINDS.len();
        let mut w = vec![vec![0.0; d + 1]; k];
        let n = rows.len().max(1) as f64;
        let (rate, l2) = (0.5, 1e-3);
        for _ in 0..400 {
            let mut g = vec![vec![0.0; d + 1]; k];
            for (x, y) in rows {
                let z: Vec<f64> = w
                    .iter()
                    .map(|r| r[d] + r.iter().zip(x).map(|(a, b)| a * b).sum::<f64>())
                    .collect();
                let top = z.iter().copied().fold(f64::MIN, f64::max);
                let e: Vec<f64> = z.iter().map(|v| (v - top).exp()).collect();
                let sum: f64 = e.iter().sum();
                for c in 0..k {
                    let diff = e[c] / sum - if c == *y { 1.0 } else { 0.0 };
                    for (gi, xi) in g[c].iter_mut().zip(x) {
                        *gi += diff * xi;
                    }
                    g[c][d] += diff;
                }
            }
            for c in 0..k {
                for j in 0..=d {
                    w[c][j] -= rate * (g[c][j] / n + l2 * w[c][j]);
                }
            }
        }
        RelationModel {
            weights: w
                .into_iter()
                .map(|r| r.into_iter().map(|v| (v * 1e4).round() / 1e4).collect())
                .collect(),
            trained_on: trained_on.into(),
        }
    }
}

/// What the earlier keyword rule said from the same features (a denial cue or a dispute
/// word beside, inside or after the match: disputes; else a quote: attributes), kept as the
/// baseline the model is scored against.
pub fn rule_kind(features: &[f64]) -> usize {
    let on = |name: &str| {
        FEATURES
            .iter()
            .position(|f| *f == name)
            .and_then(|i| features.get(i))
            .is_some_and(|v| *v > 0.0)
    };
    if on("denial_cue_of_quote")
        || on("dispute_beside")
        || on("dispute_inside")
        || on("dispute_next")
    {
        2
    } else if on("quoted_by_claims") {
        1
    } else {
        0
    }
}

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

/// A word or mark of an article that a feature looks for, with the lexicons it belongs to.
#[derive(Debug, Clone, Copy)]
struct Hit {
    start: usize,
    end: usize,
    /// Bits `0..DISPUTE.len()`: the dispute entry this word ends; then the `NEGATION`... bits.
    bits: u64,
}

/// Bits of a [`Hit`] past the dispute entries.
const NEGATION: u64 = 1 << 32;
const DENIAL: u64 = 1 << 33;
const SPEECH: u64 = 1 << 34;
const CAPITALISED_DENIAL: u64 = 1 << 35;
const QUESTION: u64 = 1 << 36;
/// All the dispute entries' bits.
const DISPUTES: u64 = (1 << DISPUTE.len()) - 1;

/// An article read for relations, once for all its matches: its body, sentences, quotes, and
/// where its lexicon words and question marks lie (so a match costs lookups, not a scan of
/// its sentences: an article without sentence breaks is one long sentence).
pub struct Reading<'a> {
    body: &'a str,
    sentences: Vec<(usize, usize)>,
    quotes: &'a [Quote],
    hits: Vec<Hit>,
}

impl<'a> Reading<'a> {
    /// Splits `body` into sentences and finds its lexicon words, once, for every match in it.
    pub fn new(body: &'a str, quotes: &'a [Quote]) -> Reading<'a> {
        Reading {
            body,
            sentences: echotrace_language::sentences::sentences(body),
            quotes,
            hits: hits(body),
        }
    }

    /// The relation of the stretch `span` (bytes of the body) to the watched text.
    pub fn relation(&self, span: (usize, usize)) -> Relation {
        let read = self.read_around(span);
        let kind = KINDS[RelationModel::shipped().classify(&read.features)];
        let attributed = read.quote.filter(|_| kind != "echoes");
        Relation {
            kind,
            speaker: attributed.and_then(|q| q.speaker.clone()),
            cue: attributed.and_then(|q| q.cue.clone()),
            disputed_by: if kind == "disputes" {
                read.disputed_by
            } else {
                None
            },
        }
    }

    /// The bits of the hits that lie whole inside `from..to`.
    fn bits(&self, (from, to): (usize, usize)) -> u64 {
        let first = self.hits.partition_point(|h| h.start < from);
        self.hits[first..]
            .iter()
            .take_while(|h| h.start < to)
            .filter(|h| h.end <= to)
            .fold(0, |acc, h| acc | h.bits)
    }

    fn read_around(&self, span: (usize, usize)) -> Around<'a> {
        let (body, sentences) = (self.body, &self.sentences);
        let (s, e) = (
            span.0.min(body.len()),
            span.1.min(body.len()).max(span.0.min(body.len())),
        );
        let len = e.saturating_sub(s).max(1);
        let quote = self
            .quotes
            .iter()
            .filter(|q| q.speaker.is_some() || q.cue.is_some())
            .find(|q| q.end.min(e).saturating_sub(q.start.max(s)) * 2 >= len);
        let first = sentences.partition_point(|&(_, end)| end <= s);
        let last = sentences
            .partition_point(|&(start, _)| start < e)
            .checked_sub(1)
            .unwrap_or(first)
            .max(first);
        let range = |i: usize| sentences.get(i).copied().unwrap_or((0, 0));
        let own_start = sentences.get(first).map_or(s, |x| x.0.min(s));
        let own_end = sentences
            .get(last)
            .map_or(e, |x| x.1.max(e))
            .min(body.len());
        let own = self.bits((own_start, own_end));
        let beside = self.bits((own_start, s)) | self.bits((e, own_end));
        let inside = self.bits((s, e));
        let next = self.bits(range(last + 1));
        let previous = first.checked_sub(1).map_or(0, |i| self.bits(range(i)));
        // A few bytes either side, cut on character boundaries.
        let from = (s.saturating_sub(4)..=s)
            .find(|&i| body.is_char_boundary(i))
            .unwrap_or(s);
        let to = (e..=(e + 8).min(body.len()))
            .rev()
            .find(|&i| body.is_char_boundary(i))
            .unwrap_or(e);
        let before = body.get(from..s).unwrap_or("");
        let after = body.get(e..to).unwrap_or("");
        let denial_cue = quote.and_then(|q| q.cue.as_deref()).is_some_and(|c| {
            c.split_whitespace()
                .any(|w| DENIAL_CUES.iter().any(|d| d.eq_ignore_ascii_case(w)))
        });
        let dispute = [beside, inside, next, previous].map(|b| b & DISPUTES);
        let flag = |b: bool| if b { 1.0 } else { 0.0 };
        let features = vec![
            flag(dispute[0] != 0),
            flag(dispute[1] != 0),
            flag(dispute[2] != 0),
            flag(dispute[3] != 0),
            flag(own & NEGATION != 0),
            flag((own | next) & CAPITALISED_DENIAL != 0),
            flag(own & DENIAL != 0),
            flag(next & DENIAL != 0),
            flag(beside & SPEECH != 0),
            flag(previous & SPEECH != 0),
            flag(before.contains(['"', '“', '«', '„'])),
            flag(before.contains(':')),
            flag({
                let t = after.trim_start_matches(['"', '”', '»', ' ', '.', ',']);
                t.starts_with(['—', '–', '-'])
                    && t.trim_start_matches(['—', '–', '-', ' '])
                        .starts_with(char::is_uppercase)
            }),
            flag(own & QUESTION != 0),
            flag(quote.is_some()),
            flag(denial_cue),
        ];
        let disputed_by = if denial_cue {
            quote.and_then(|q| q.cue.clone())
        } else {
            // The first text that has one, and in it the entry first in the list.
            dispute
                .iter()
                .find(|&&b| b != 0)
                .map(|b| DISPUTE[b.trailing_zeros() as usize].to_string())
        };
        Around {
            features,
            quote,
            disputed_by,
        }
    }
}

/// The relation of the stretch `span` (bytes of `body`) to the watched text, given the article's quotes.
pub fn relation(body: &str, span: (usize, usize), quotes: &[Quote]) -> Relation {
    Reading::new(body, quotes).relation(span)
}

/// The features of the stretch `span` of `body`, in the order of [`FEATURES`].
pub fn features(body: &str, span: (usize, usize), quotes: &[Quote]) -> Vec<f64> {
    Reading::new(body, quotes).read_around(span).features
}

/// What was read around a match: the features, the quote that covers it, the word that disputes it.
struct Around<'q> {
    features: Vec<f64>,
    quote: Option<&'q Quote>,
    disputed_by: Option<String>,
}

/// Words of `text` split at characters that `keep` refuses, with their byte ranges.
fn words_of(text: &str, keep: fn(char) -> bool) -> impl Iterator<Item = (usize, &str)> {
    text.split(move |c: char| !keep(c))
        .filter(|w| !w.is_empty())
        .map(move |w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
}

/// The lexicon words and question marks of `body`, in order of their start.
///
/// Three readings of the words, as the lexicons need: with apostrophes (negators, "don't",
/// denial and speech cues), with hyphens (dispute words: "fact-check"; a two-word phrase is a
/// hit from its first word to its last), and letters and digits only (capitalised denials).
fn hits(body: &str) -> Vec<Hit> {
    let mut hits = Vec::new();
    let is = |w: &str, list: &[&str]| list.iter().any(|x| x.eq_ignore_ascii_case(w));
    for (at, w) in words_of(body, |c| c.is_alphanumeric() || c == '\'' || c == '’') {
        let bits = if is(w, NEGATORS) || w.contains("n't") || w.contains("n’t") {
            NEGATION
        } else {
            0
        } | if is(w, DENIAL_CUES) { DENIAL } else { 0 }
            | if is(w, SPEECH_CUES) { SPEECH } else { 0 };
        if bits != 0 {
            hits.push(Hit {
                start: at,
                end: at + w.len(),
                bits,
            });
        }
    }
    let mut previous: Option<(usize, &str)> = None;
    for (at, w) in words_of(body, |c| c.is_alphanumeric() || c == '-') {
        for (i, phrase) in DISPUTE.iter().enumerate() {
            let start = match phrase.split_once(' ') {
                None => phrase.eq_ignore_ascii_case(w).then_some(at),
                Some((a, b)) => previous
                    .filter(|(_, p)| b.eq_ignore_ascii_case(w) && a.eq_ignore_ascii_case(p))
                    .map(|(s, _)| s),
            };
            if let Some(start) = start {
                hits.push(Hit {
                    start,
                    end: at + w.len(),
                    bits: 1 << i,
                });
            }
        }
        previous = Some((at, w));
    }
    for (at, w) in words_of(body, char::is_alphanumeric) {
        if matches!(w, "NOT" | "NO" | "NEVER" | "FAKE" | "FALSE") {
            hits.push(Hit {
                start: at,
                end: at + w.len(),
                bits: CAPITALISED_DENIAL,
            });
        }
    }
    hits.extend(body.match_indices('?').map(|(at, _)| Hit {
        start: at,
        end: at + 1,
        bits: QUESTION,
    }));
    hits.sort_by_key(|h| h.start);
    hits
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

    /// The first dispute entry (in list order) anywhere in `text`.
    fn dispute_word(text: &str) -> Option<&'static str> {
        let b = Reading::new(text, &[]).bits((0, text.len())) & DISPUTES;
        (b != 0).then(|| DISPUTE[b.trailing_zeros() as usize])
    }

    #[test]
    fn lexicon_words_are_found_whole_and_dispute_phrases_in_list_order() {
        assert!(DISPUTE.len() <= 32 && DISPUTE.iter().all(|p| p.split(' ').count() <= 2));
        let bits = |text: &str| Reading::new(text, &[]).bits((0, text.len()));
        assert_ne!(bits("He SAID so") & SPEECH, 0);
        assert_eq!(bits("He sayings") & SPEECH, 0);
        assert_ne!(bits("They don't know") & NEGATION, 0);
        assert_ne!(bits("They know?") & QUESTION, 0);
        assert_eq!(bits("They know.") & (NEGATION | QUESTION), 0);
        assert_ne!(bits("It is NOT so") & CAPITALISED_DENIAL, 0);
        assert_eq!(dispute_word("It is NOT TRUE, a hoax."), Some("hoax"));
        assert_eq!(dispute_word("no  evidence at all"), Some("no evidence"));
        assert_eq!(dispute_word("a fact-checker said"), None);
        assert_eq!(dispute_word("Fact-check: it is not true"), Some("not true"));
        assert_eq!(dispute_word("nothing here"), None);
        // A phrase counts only whole inside the stretch asked about.
        let text = "It is not true";
        let at = text.find("true").unwrap();
        assert_eq!(Reading::new(text, &[]).bits((at, text.len())) & DISPUTES, 0);
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
            "Now we know {CLAIM}. The weather was mild. Then came a long and unrelated paragraph. A hoax elsewhere."
        );
        assert_eq!(relation(&body, span(&body), &[]).kind, "echoes");
        let body = format!(
            "Posts say {CLAIM}. The weather was mild. Then came a long and unrelated paragraph. A hoax elsewhere."
        );
        assert_ne!(relation(&body, span(&body), &[]).kind, "disputes");
    }
}
