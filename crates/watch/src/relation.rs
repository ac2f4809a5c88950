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
    let read = read_around(body, sentences, span, quotes);
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

/// The features of the stretch `span` of `body`, in the order of [`FEATURES`].
pub fn features(body: &str, span: (usize, usize), quotes: &[Quote]) -> Vec<f64> {
    let sentences = echotrace_language::sentences::sentences(body);
    read_around(body, &sentences, span, quotes).features
}

/// What was read around a match: the features, the quote that covers it, the word that disputes it.
struct Around<'q> {
    features: Vec<f64>,
    quote: Option<&'q Quote>,
    disputed_by: Option<String>,
}

fn read_around<'q>(
    body: &str,
    sentences: &[(usize, usize)],
    span: (usize, usize),
    quotes: &'q [Quote],
) -> Around<'q> {
    let (s, e) = (
        span.0.min(body.len()),
        span.1.min(body.len()).max(span.0.min(body.len())),
    );
    let len = e.saturating_sub(s).max(1);
    let quote = quotes
        .iter()
        .filter(|q| q.speaker.is_some() || q.cue.is_some())
        .find(|q| q.end.min(e).saturating_sub(q.start.max(s)) * 2 >= len);
    let first = sentences
        .iter()
        .position(|&(_, end)| end > s)
        .unwrap_or(sentences.len());
    let last = sentences
        .iter()
        .rposition(|&(start, _)| start < e)
        .unwrap_or(first)
        .max(first);
    let text = |i: usize| {
        sentences
            .get(i)
            .and_then(|&(a, b)| body.get(a..b))
            .unwrap_or("")
    };
    let own_start = sentences.get(first).map_or(s, |x| x.0.min(s));
    let own_end = sentences
        .get(last)
        .map_or(e, |x| x.1.max(e))
        .min(body.len());
    let beside = format!(
        "{} {}",
        body.get(own_start..s).unwrap_or(""),
        body.get(e..own_end).unwrap_or("")
    );
    let inside = body.get(s..e).unwrap_or("");
    let next = text(last + 1);
    let previous = first.checked_sub(1).map(text).unwrap_or("");
    let own = body.get(own_start..own_end).unwrap_or("");
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
        c.to_lowercase()
            .split_whitespace()
            .any(|w| DENIAL_CUES.contains(&w))
    });
    let dispute = [beside.as_str(), inside, next, previous].map(dispute_word);
    let flag = |b: bool| if b { 1.0 } else { 0.0 };
    let features = vec![
        flag(dispute[0].is_some()),
        flag(dispute[1].is_some()),
        flag(dispute[2].is_some()),
        flag(dispute[3].is_some()),
        flag(has_word(own, NEGATORS) || own.contains("n't") || own.contains("n’t")),
        flag(
            own.split(|c: char| !c.is_alphanumeric())
                .chain(next.split(|c: char| !c.is_alphanumeric()))
                .any(|w| matches!(w, "NOT" | "NO" | "NEVER" | "FAKE" | "FALSE")),
        ),
        flag(has_word(own, DENIAL_CUES)),
        flag(has_word(next, DENIAL_CUES)),
        flag(has_word(&beside, SPEECH_CUES)),
        flag(has_word(previous, SPEECH_CUES)),
        flag(before.contains(['"', '“', '«', '„'])),
        flag(before.contains(':')),
        flag({
            let t = after.trim_start_matches(['"', '”', '»', ' ', '.', ',']);
            t.starts_with(['—', '–', '-'])
                && t.trim_start_matches(['—', '–', '-', ' '])
                    .starts_with(char::is_uppercase)
        }),
        flag(own.contains('?')),
        flag(quote.is_some()),
        flag(denial_cue),
    ];
    let disputed_by = if denial_cue {
        quote.and_then(|q| q.cue.clone())
    } else {
        dispute.into_iter().flatten().next()
    };
    Around {
        features,
        quote,
        disputed_by,
    }
}

/// Whether `text` holds one of `words` as a whole word, case-insensitively.
fn has_word(text: &str, words: &[&str]) -> bool {
    text.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’'))
        .any(|w| !w.is_empty() && words.iter().any(|x| x.eq_ignore_ascii_case(w)))
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
            "Now we know {CLAIM}. The weather was mild. Then came a long and unrelated paragraph. A hoax elsewhere."
        );
        assert_eq!(relation(&body, span(&body), &[]).kind, "echoes");
        let body = format!(
            "Posts say {CLAIM}. The weather was mild. Then came a long and unrelated paragraph. A hoax elsewhere."
        );
        assert_ne!(relation(&body, span(&body), &[]).kind, "disputes");
    }
}
