//! Attribution spans learned from annotated news: the source (who), the cue
//! (the words that attribute: "said", "according to", "believes") and the
//! content (what is attributed), in byte offsets.
//!
//! A paragraph is cut into tokens (words, with inner apostrophes, hyphens
//! and dots; each punctuation mark alone); each token gets lexical, shape,
//! quotation and sentence-position features, and the sequence tagger
//! ([`crate::tagger`]) labels it `B-`/`I-` of a role or `O`. The weights are
//! learned from PolNeAR's development texts by `echotrace eval --set
//! attribution` (which scores by cross-validation, folds by document) and
//! shipped as `data/attribution.bin`; nothing here lists cue words. Nested
//! attributions are flattened: a token in a cue and in an outer content is a
//! cue, in a source and an outer content a source.

use std::sync::OnceLock;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::tagger::{self, feature, Example, Model, ModelError};

/// The three roles of an attribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Who the content is attributed to.
    Source,
    /// The words that attribute it.
    Cue,
    /// What is attributed.
    Content,
}

/// The tagger's labels, in model order.
pub const LABELS: [&str; 7] = ["O", "B-S", "I-S", "B-C", "I-C", "B-Q", "I-Q"];

/// The label index of the first token of a span of `role`; the next index continues it.
fn begin(role: Role) -> usize {
    match role {
        Role::Source => 1,
        Role::Cue => 3,
        Role::Content => 5,
    }
}

/// The role of a label index, if any.
fn role_of(label: usize) -> Option<Role> {
    match label {
        1 | 2 => Some(Role::Source),
        3 | 4 => Some(Role::Cue),
        5 | 6 => Some(Role::Content),
        _ => None,
    }
}

/// One role's span in a text, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// Its role.
    pub role: Role,
    /// First byte.
    pub start: usize,
    /// End byte.
    pub end: usize,
}

/// One attribution: content with the cue and source the tagger found beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attribution {
    /// What is attributed.
    pub content: (usize, usize),
    /// The attributing words.
    pub cue: Option<(usize, usize)>,
    /// Who it is attributed to, as written.
    pub source: Option<(usize, usize)>,
}

/// What kind of token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    Open,
    Close,
    Punct,
}

/// A token with what its features need.
struct Token {
    start: usize,
    end: usize,
    lower: String,
    shape: String,
    kind: Kind,
    quoted: bool,
    sentence_start: usize,
    sentence_end: usize,
}

/// Tokens longer than this many bytes are cut (a page can hold one huge "word").
const MAX_TOKEN: usize = 64;
/// A paragraph longer than this many tokens is cut at sentence ends.
const MAX_SEQUENCE: usize = 160;

/// The attribution tagger: the sequence model and the cue words it learned.
///
/// The cue words are the training texts' words (and word stems) that are
/// part of a gold cue often enough ([`CUE_MIN`] times, a [`CUE_SHARE`] of
/// their uses); the features tell each token how far the nearest of them is
/// in its sentence.
#[derive(Debug, Clone)]
pub struct Tagger {
    model: Model,
    cues: FxHashSet<u64>,
}

/// Times a word must be part of a gold cue to be a cue word.
pub const CUE_MIN: u32 = 3;
/// Share of a word's uses that must be in a gold cue for it to be a cue word.
pub const CUE_SHARE: f64 = 0.2;

const MAGIC: &[u8; 6] = b"EATT1\n";

impl Tagger {
    /// The tagger shipped with the crate, when its data file reads.
    pub fn shipped() -> Option<&'static Tagger> {
        static M: OnceLock<Option<Tagger>> = OnceLock::new();
        M.get_or_init(|| Tagger::from_bytes(include_bytes!("../data/attribution.bin")).ok())
            .as_ref()
    }

    /// Number of features with weights, and of cue words.
    pub fn size(&self) -> (usize, usize) {
        (self.model.features(), self.cues.len())
    }

    /// The tagger as bytes: magic, the cue words' hashes, then the sequence model.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut cues: Vec<u64> = self.cues.iter().copied().collect();
        cues.sort_unstable();
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&(cues.len() as u32).to_le_bytes());
        for c in cues {
            out.extend_from_slice(&c.to_le_bytes());
        }
        out.extend(self.model.to_bytes());
        out
    }

    /// Reads a tagger written by [`Tagger::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Tagger, ModelError> {
        let rest = bytes
            .strip_prefix(MAGIC.as_slice())
            .ok_or(ModelError::Magic)?;
        let n = rest
            .get(..4)
            .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize)
            .ok_or(ModelError::Corrupt(MAGIC.len()))?;
        let end = n
            .checked_mul(8)
            .and_then(|b| b.checked_add(4))
            .filter(|&e| e <= rest.len())
            .ok_or(ModelError::Corrupt(MAGIC.len()))?;
        let cues = rest[4..end]
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect();
        Ok(Tagger {
            model: Model::from_bytes(&rest[end..])?,
            cues,
        })
    }
}

/// The hash of a cue word.
fn cue_key(lower: &str) -> u64 {
    feature(99, &[lower])
}

/// The hash of a cue word's stem ("backing", "backed" and "backs" meet).
fn stem_key(lower: &str) -> u64 {
    feature(98, &[stem(lower)])
}

/// The spans the tagger finds in `body`, in text order.
pub fn spans(tagger: &Tagger, body: &str) -> Vec<Span> {
    let mut out = Vec::new();
    for seq in sequences(body) {
        let labels = tagger.model.tag(&features(&seq, &tagger.cues));
        let mut found = Vec::new();
        let mut open: Option<Span> = None;
        for (t, &y) in seq.iter().zip(&labels) {
            let role = role_of(y);
            let continues = y != 0 && y % 2 == 0;
            match (&mut open, role) {
                (Some(s), Some(r)) if continues && s.role == r => s.end = t.end,
                _ => {
                    found.extend(open.take());
                    open = role.map(|role| Span {
                        role,
                        start: t.start,
                        end: t.end,
                    });
                }
            }
        }
        found.extend(open);
        out.append(&mut found);
    }
    out
}

/// The attributions of `body`: each content span with the nearest cue of its paragraph (one of its sentence first) and that cue's nearest source.
pub fn attributions(tagger: &Tagger, body: &str) -> Vec<Attribution> {
    let found = spans(tagger, body);
    let ends = SentenceEnds::of(body);
    let of = |role: Role| found.iter().filter(move |s| s.role == role);
    let by_role = [Role::Source, Role::Cue, Role::Content].map(|r| {
        let mut v: Vec<(usize, usize)> = of(r).map(|s| (s.start, s.end)).collect();
        v.sort_unstable();
        v
    });
    let nearest = |role: Role, at: (usize, usize)| {
        let list = &by_role[match role {
            Role::Source => 0,
            Role::Cue => 1,
            Role::Content => 2,
        }];
        nearest_span(list, &ends, at)
    };
    let mut out: Vec<Attribution> = of(Role::Content)
        .map(|c| {
            let content = (c.start, c.end);
            let cue = nearest(Role::Cue, content);
            let source = cue.and_then(|cue| nearest(Role::Source, cue));
            Attribution {
                content,
                cue,
                source,
            }
        })
        .collect();
    // A cue no content chose (the second cue of one content: "X said and Y agreed that ...") attributes its nearest content too, in its sentence.
    let used: FxHashSet<(usize, usize)> = out.iter().filter_map(|a| a.cue).collect();
    let extra: Vec<Attribution> = of(Role::Cue)
        .map(|c| (c.start, c.end))
        .filter(|c| !used.contains(c))
        .filter_map(|cue| {
            let content = nearest(Role::Content, cue).filter(|&c| ends.same_sentence(c, cue))?;
            Some(Attribution {
                content,
                cue: Some(cue),
                source: nearest(Role::Source, cue),
            })
        })
        .collect();
    out.extend(extra);
    out.sort_by_key(|a| a.content);
    out
}

/// Of one role's spans (disjoint, sorted), the nearest to `at` in its paragraph: one of its
/// sentence first, then the closest; the first in text order among equals.
///
/// Only the spans that touch or overlap `at` and the first clear one on each side can be
/// nearest (the spans are disjoint, so those further out are further away, and a sentence end
/// between `at` and the nearer one lies between `at` and them too): a search by position, not
/// a scan of the paragraph (a long one-line page made that quadratic).
fn nearest_span(
    list: &[(usize, usize)],
    ends: &SentenceEnds,
    at: (usize, usize),
) -> Option<(usize, usize)> {
    let p = ends.paragraph(at.0);
    let lo = match p.checked_sub(1) {
        Some(q) => list.partition_point(|s| s.0 <= ends.breaks[q]),
        None => 0,
    };
    let hi = match ends.breaks.get(p) {
        Some(&b) => list.partition_point(|s| s.0 <= b),
        None => list.len(),
    };
    let paragraph = &list[lo..hi.max(lo)];
    let k = paragraph.partition_point(|s| s.0 < at.0);
    let mut candidates: Vec<usize> = Vec::new();
    for i in (0..k).rev() {
        candidates.push(i);
        if distance(paragraph[i], at) > 0 {
            break;
        }
    }
    for (i, &s) in paragraph.iter().enumerate().skip(k) {
        candidates.push(i);
        if distance(s, at) > 0 {
            break;
        }
    }
    candidates.sort_unstable();
    candidates
        .into_iter()
        .map(|i| paragraph[i])
        .min_by_key(|&span| (!ends.same_sentence(span, at), distance(span, at)))
}

/// Where a text's sentences end, to ask whether two spans share one in logarithmic time.
struct SentenceEnds {
    /// Bytes of `\n`.
    breaks: Vec<usize>,
    /// Bytes of `.`, `!` or `?` followed by whitespace.
    stops: Vec<usize>,
}

impl SentenceEnds {
    fn of(body: &str) -> SentenceEnds {
        let b = body.as_bytes();
        SentenceEnds {
            breaks: body.match_indices('\n').map(|(i, _)| i).collect(),
            stops: (0..b.len().saturating_sub(1))
                .filter(|&i| matches!(b[i], b'.' | b'!' | b'?') && b[i + 1].is_ascii_whitespace())
                .collect(),
        }
    }

    /// The paragraph (line) of a byte: how many line breaks come before it.
    fn paragraph(&self, at: usize) -> usize {
        self.breaks.partition_point(|&x| x < at)
    }

    /// Whether no sentence end or line break comes between two spans.
    fn same_sentence(&self, a: (usize, usize), b: (usize, usize)) -> bool {
        let (from, to) = if a.1 <= b.0 { (a.1, b.0) } else { (b.1, a.0) };
        let (lo, hi) = (from.min(to), to.max(from));
        let any = |v: &[usize], lo: usize, hi: usize| {
            lo < hi && v.partition_point(|&x| x < lo) < v.partition_point(|&x| x < hi)
        };
        // A stop counts when it and the whitespace after it are both in the gap.
        !any(&self.breaks, lo, hi) && !any(&self.stops, lo, hi.saturating_sub(1))
    }
}

/// Bytes between two spans (0 when they touch or overlap).
fn distance(a: (usize, usize), b: (usize, usize)) -> usize {
    if a.1 <= b.0 {
        b.0 - a.1
    } else {
        a.0.saturating_sub(b.1)
    }
}

/// Trains the tagger on texts with their gold spans (bytes): first the cue words, then the sequence model.
pub fn train(docs: &[(&str, Vec<Span>)], epochs: usize, seed: u64) -> Tagger {
    let labelled: Vec<Vec<(Vec<Token>, Vec<usize>)>> = docs
        .iter()
        .map(|(body, gold)| labelled(body, gold))
        .collect();
    // Uses of each word and of each stem (keyed apart), and how many were in a gold cue.
    let mut uses: FxHashMap<u64, (u32, u32)> = FxHashMap::default();
    for (seq, labels) in labelled.iter().flatten() {
        for (t, y) in seq.iter().zip(labels) {
            for key in [cue_key(&t.lower), stem_key(&t.lower)] {
                let u = uses.entry(key).or_default();
                u.0 += 1;
                u.1 += u32::from(role_of(*y) == Some(Role::Cue));
            }
        }
    }
    let cues: FxHashSet<u64> = uses
        .iter()
        .filter(|(_, (n, c))| *c >= CUE_MIN && f64::from(*c) >= CUE_SHARE * f64::from(*n))
        .map(|(k, _)| *k)
        .collect();
    let examples: Vec<Example> = labelled
        .iter()
        .flatten()
        .map(|(seq, labels)| Example {
            tokens: features(seq, &cues),
            labels: labels.clone(),
        })
        .collect();
    Tagger {
        model: tagger::train(&LABELS, &examples, epochs, MIN_FEATURE_COUNT, seed),
        cues,
    }
}

/// Times a feature must occur in the training texts to get weights.
pub const MIN_FEATURE_COUNT: u32 = 10;

/// The token sequences of `body` with labels from `gold` spans (bytes).
fn labelled(body: &str, gold: &[Span]) -> Vec<(Vec<Token>, Vec<usize>)> {
    sequences(body)
        .into_iter()
        .map(|seq| {
            let mut labels = vec![0usize; seq.len()];
            // Outer roles first, so that an inner cue or source wins its tokens.
            for role in [Role::Content, Role::Source, Role::Cue] {
                for g in gold.iter().filter(|g| g.role == role) {
                    let mut first = true;
                    for (t, tok) in seq.iter().enumerate() {
                        if tok.start < g.end && g.start < tok.end {
                            labels[t] = begin(role) + usize::from(!first);
                            first = false;
                        }
                    }
                }
            }
            // A span cut by an inner one resumes with `B-`.
            for t in 0..labels.len() {
                let y = labels[t];
                if y != 0 && y % 2 == 0 && (t == 0 || role_of(labels[t - 1]) != role_of(y)) {
                    labels[t] = y - 1;
                }
            }
            (seq, labels)
        })
        .collect()
}

/// The token sequences of `body`: one per line, long lines cut at sentence ends.
fn sequences(body: &str) -> Vec<Vec<Token>> {
    let mut out = Vec::new();
    let mut line_start = 0;
    for line in body.split_inclusive('\n') {
        let tokens = tokens(line, line_start);
        line_start += line.len();
        let mut seq: Vec<Token> = Vec::new();
        for tok in tokens {
            let ends = tok.sentence_end == tok.end;
            seq.push(tok);
            if (ends && seq.len() >= MAX_SEQUENCE) || seq.len() >= 2 * MAX_SEQUENCE {
                out.push(std::mem::take(&mut seq));
            }
        }
        if !seq.is_empty() {
            out.push(seq);
        }
    }
    out
}

/// Tokens of one line, with quotation depth and sentence bounds.
fn tokens(line: &str, base: usize) -> Vec<Token> {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let word = |c: char| c.is_alphanumeric();
    let joiner = |c: char| matches!(c, '\'' | '’' | '-' | '.' | ',');
    let mut out: Vec<Token> = Vec::new();
    let mut i = 0;
    let mut depth = 0usize;
    while i < chars.len() {
        let (b, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let kind = if word(c) {
            while j < chars.len() {
                let d = chars[j].1;
                let next_word = chars.get(j + 1).is_some_and(|x| word(x.1));
                if word(d) || (joiner(d) && next_word && (d != ',' || c.is_ascii_digit())) {
                    j += 1;
                } else {
                    break;
                }
            }
            Kind::Word
        } else {
            match c {
                '“' | '«' | '„' | '‘' => Kind::Open,
                '”' | '»' | '’' => Kind::Close,
                '"' if depth == 0 => Kind::Open,
                '"' => Kind::Close,
                _ => Kind::Punct,
            }
        };
        let end = chars.get(j).map_or(line.len(), |x| x.0);
        let end = if end - b > MAX_TOKEN {
            let mut cut = b + MAX_TOKEN;
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            cut
        } else {
            end
        };
        let quoted = depth > 0 || kind == Kind::Open;
        match kind {
            Kind::Open => depth += 1,
            Kind::Close => depth = depth.saturating_sub(1),
            _ => {}
        }
        let text = &line[b..end];
        out.push(Token {
            start: base + b,
            end: base + end,
            lower: normalise(text),
            shape: shape(text),
            kind,
            quoted,
            sentence_start: 0,
            sentence_end: 0,
        });
        i += 1;
        while i < chars.len() && chars[i].0 < end {
            i += 1;
        }
    }
    // Sentences end after . ? ! (and the closing marks right after them).
    let mut start = 0;
    let mut t = 0;
    while t < out.len() {
        let mut end = t;
        let stop = matches!(out[t].lower.as_str(), "." | "?" | "!");
        if stop {
            while end + 1 < out.len() && out[end + 1].kind == Kind::Close {
                end += 1;
            }
        }
        if stop || end + 1 == out.len() {
            let (s_start, s_end) = (out[start].start, out[end].end);
            for tok in &mut out[start..=end] {
                tok.sentence_start = s_start;
                tok.sentence_end = s_end;
            }
            start = end + 1;
        }
        t = end + 1;
    }
    out
}

/// Lower case with every digit as 0.
fn normalise(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| if c.is_numeric() { '0' } else { c })
        .collect()
}

/// The word's shape: X upper, x lower, d digit, the character itself otherwise; runs collapsed.
fn shape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        let s = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_numeric() {
            'd'
        } else {
            c
        };
        if !out.ends_with(s) {
            out.push(s);
        }
    }
    out
}

/// The word without its commonest English inflection ("says", "said" and "saying" stay apart; "claims" and "claimed" meet).
fn stem(w: &str) -> &str {
    for suffix in ["ing", "ed", "es", "s"] {
        if let Some(s) = w.strip_suffix(suffix) {
            if s.chars().count() >= 3 {
                return s;
            }
        }
    }
    w
}

/// A bucket of a count: 0, 1, 2, 3-5, 6-10, 11+.
fn bucket(n: usize) -> &'static str {
    match n {
        0 => "0",
        1 => "1",
        2 => "2",
        3..=5 => "3",
        6..=10 => "6",
        _ => "11",
    }
}

/// The feature hashes of each token of a sequence.
fn features(seq: &[Token], cues: &FxHashSet<u64>) -> Vec<Vec<u64>> {
    let is_cue: Vec<bool> = seq
        .iter()
        .map(|t| cues.contains(&cue_key(&t.lower)))
        .collect();
    let is_cue_stem: Vec<bool> = seq
        .iter()
        .map(|t| cues.contains(&stem_key(&t.lower)))
        .collect();
    let word = |t: isize| -> &str {
        if t < 0 {
            "<s>"
        } else {
            seq.get(t as usize).map_or("</s>", |x| x.lower.as_str())
        }
    };
    let shape_at = |t: isize| -> &str {
        if t < 0 {
            "<s>"
        } else {
            seq.get(t as usize).map_or("</s>", |x| x.shape.as_str())
        }
    };
    // Per sentence: its first word, whether it holds a quotation mark, where its first colon is.
    let mut first_word = Vec::with_capacity(seq.len());
    let mut has_mark = Vec::with_capacity(seq.len());
    let mut colon_before = Vec::with_capacity(seq.len());
    let mut position = Vec::with_capacity(seq.len());
    let mut left_cue: Vec<Option<usize>> = Vec::with_capacity(seq.len());
    let mut right_cue: Vec<Option<usize>> = vec![None; seq.len()];
    let mut s = 0;
    while s < seq.len() {
        let mut e = s;
        while e + 1 < seq.len() && seq[e + 1].sentence_start == seq[s].sentence_start {
            e += 1;
        }
        let first = seq[s..=e]
            .iter()
            .find(|t| t.kind == Kind::Word)
            .map_or("", |t| t.lower.as_str());
        let mark = seq[s..=e]
            .iter()
            .any(|t| matches!(t.kind, Kind::Open | Kind::Close));
        let mut colon = false;
        let mut last_cue: Option<usize> = None;
        for (k, t) in seq[s..=e].iter().enumerate() {
            let i = s + k;
            left_cue.push(last_cue);
            if is_cue[i] || is_cue_stem[i] {
                last_cue = Some(i);
            }
            first_word.push(first);
            has_mark.push(mark);
            colon_before.push(colon);
            position.push((k, e - s - k));
            colon |= t.lower == ":";
        }
        let mut next_cue: Option<usize> = None;
        for i in (s..=e).rev() {
            right_cue[i] = next_cue;
            if is_cue[i] || is_cue_stem[i] {
                next_cue = Some(i);
            }
        }
        s = e + 1;
    }
    // Whether every word from the sentence's start up to this token is capitalised (a name heading a line: "Lynch: ...").
    let mut caps_run = Vec::with_capacity(seq.len());
    let mut run = true;
    for (i, t) in seq.iter().enumerate() {
        if i == 0 || t.sentence_start != seq[i - 1].sentence_start {
            run = true;
        }
        caps_run.push(run);
        if t.kind == Kind::Word && !t.shape.starts_with('X') {
            run = false;
        }
    }
    let yes = |b: bool| if b { "1" } else { "0" };
    let away = |from: usize, to: Option<usize>| to.map_or("none", |c| bucket(from.abs_diff(c)));
    let cue_word = |c: Option<usize>| c.map_or("", |c| seq[c].lower.as_str());
    seq.iter()
        .enumerate()
        .map(|(i, tok)| {
            let t = i as isize;
            let w = tok.lower.as_str();
            let kind = match tok.kind {
                Kind::Word => "w",
                Kind::Open => "o",
                Kind::Close => "c",
                Kind::Punct => "p",
            };
            // The last and first three characters, as slices of the word.
            let suffix = &w[w.char_indices().rev().nth(2).map_or(0, |(b, _)| b)..];
            let prefix = &w[..w.char_indices().nth(3).map_or(w.len(), |(b, _)| b)];
            let capital_inside =
                position[i].0 > 0 && tok.shape.starts_with('X') && tok.kind == Kind::Word;
            let (l, r) = (away(i, left_cue[i]), away(i, right_cue[i]));
            let mark = if tok.kind == Kind::Punct { w } else { kind };
            vec![
                feature(0, &[]),
                feature(1, &[w]),
                feature(2, &[word(t - 1)]),
                feature(3, &[word(t + 1)]),
                feature(4, &[word(t - 2)]),
                feature(5, &[word(t + 2)]),
                feature(6, &[word(t - 1), w]),
                feature(7, &[w, word(t + 1)]),
                feature(8, &[suffix]),
                feature(9, &[&tok.shape]),
                feature(10, &[shape_at(t - 1), &tok.shape, shape_at(t + 1)]),
                feature(11, &[yes(tok.quoted), kind]),
                feature(12, &[bucket(position[i].0)]),
                feature(13, &[bucket(position[i].1)]),
                feature(14, &[first_word[i]]),
                feature(15, &[yes(has_mark[i]), yes(tok.quoted)]),
                feature(16, &[word(t - 3)]),
                feature(17, &[word(t + 3)]),
                feature(18, &[yes(tok.quoted), w]),
                feature(19, &[yes(colon_before[i])]),
                feature(20, &[yes(capital_inside)]),
                feature(21, &[yes(i == 0), kind]),
                feature(22, &[yes(is_cue[i])]),
                feature(23, &[away(i, left_cue[i])]),
                feature(24, &[away(i, right_cue[i])]),
                feature(
                    25,
                    &[away(i, left_cue[i]), away(i, right_cue[i]), yes(tok.quoted)],
                ),
                feature(26, &[cue_word(left_cue[i])]),
                feature(27, &[cue_word(right_cue[i])]),
                feature(28, &[stem(w)]),
                feature(29, &[stem(word(t - 1)), stem(w)]),
                feature(30, &[word(t - 1), word(t + 1)]),
                feature(31, &[prefix]),
                // Shape and word beside the distance to the nearest cue word (the source before "said", the content after it).
                feature(32, &[&tok.shape, r]),
                feature(33, &[&tok.shape, l]),
                feature(34, &[w, r]),
                feature(35, &[w, l]),
                feature(36, &[cue_word(right_cue[i]), r]),
                feature(37, &[cue_word(left_cue[i]), l]),
                // A colon after a capitalised run heading a short line ("Lynch: No outside influence ...").
                feature(38, &[mark, yes(caps_run[i]), bucket(position[i].0)]),
                feature(39, &[w, word(t + 2)]),
                feature(40, &[w, word(t + 3)]),
                feature(41, &[yes(seq.len() < 24), mark, yes(colon_before[i])]),
                feature(42, &[yes(is_cue[i]), yes(is_cue_stem[i])]),
                feature(43, &[yes(is_cue_stem[i]), word(t + 1)]),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_keep_inner_apostrophes_and_split_marks() {
        let t = tokens("He didn’t say “U.S. troops left,” she said.", 10);
        let words: Vec<&str> = t.iter().map(|t| t.lower.as_str()).collect();
        assert_eq!(
            words,
            [
                "he", "didn’t", "say", "“", "u.s", ".", "troops", "left", ",", "”", "she", "said",
                "."
            ]
        );
        assert_eq!(t[0].start, 10);
        assert!(t[4].quoted && t[9].quoted && !t[10].quoted);
        assert_eq!(t[3].kind, Kind::Open);
    }

    #[test]
    fn gold_spans_become_labels_and_labels_become_spans_again() {
        let body = "Officials said that 40 people died.\nNothing else.";
        let gold = vec![
            Span {
                role: Role::Source,
                start: 0,
                end: 9,
            },
            Span {
                role: Role::Cue,
                start: 10,
                end: 14,
            },
            Span {
                role: Role::Content,
                start: 20,
                end: 34,
            },
        ];
        let ex = labelled(body, &gold);
        assert_eq!(ex.len(), 2);
        assert_eq!(ex[0].1, vec![1, 3, 0, 5, 6, 6, 0]);
        let docs: Vec<(&str, Vec<Span>)> = (0..3).map(|_| (body, gold.clone())).collect();
        let tagger = train(&docs, 5, 1);
        assert_eq!(
            tagger.size().1,
            2,
            "\"said\" is the one cue word, as a word and as a stem"
        );
        assert_eq!(spans(&tagger, body), gold);
        let a = attributions(&tagger, body);
        assert_eq!(
            a,
            vec![Attribution {
                content: (20, 34),
                cue: Some((10, 14)),
                source: Some((0, 9))
            }]
        );
        let back = Tagger::from_bytes(&tagger.to_bytes()).unwrap();
        assert_eq!(spans(&back, body), gold);
        assert!(Tagger::from_bytes(&tagger.to_bytes()[..9]).is_err());
    }

    #[test]
    fn an_inner_cue_splits_an_outer_content() {
        let body = "He said that she told them no.";
        let gold = [
            Span {
                role: Role::Content,
                start: 13,
                end: 29,
            },
            Span {
                role: Role::Cue,
                start: 17,
                end: 21,
            },
        ];
        assert_eq!(labelled(body, &gold)[0].1, vec![0, 0, 0, 5, 3, 5, 6, 0]);
    }

    #[test]
    fn huge_tokens_and_odd_text_do_not_panic() {
        let long = "x".repeat(10_000);
        let body = format!("“{long}” «a» \"\" ’’ ‘ é\u{0}\n\n.");
        let tagger = train(&[(body.as_str(), Vec::new())], 1, 1);
        let _ = attributions(&tagger, &body);
        assert!(tokens(&long, 0).len() > 100);
    }

    #[test]
    fn sentence_ends_answer_as_a_scan_of_the_gap_would() {
        let body = "He said it. She agreed!  They\nleft. U.S. troops? No.. x";
        let ends = SentenceEnds::of(body);
        let scan = |a: (usize, usize), b: (usize, usize)| {
            let (from, to) = if a.1 <= b.0 { (a.1, b.0) } else { (b.1, a.0) };
            let gap = &body.as_bytes()[from.min(to)..to.max(from)];
            !gap.contains(&b'\n')
                && !gap
                    .windows(2)
                    .any(|w| matches!(w[0], b'.' | b'!' | b'?') && w[1].is_ascii_whitespace())
        };
        let n = body.len();
        let spans: Vec<(usize, usize)> = (0..n)
            .flat_map(|s| (s + 1..=n.min(s + 4)).map(move |e| (s, e)))
            .collect();
        for &a in &spans {
            for &b in &spans {
                assert_eq!(ends.same_sentence(a, b), scan(a, b), "{a:?} {b:?}");
            }
        }
        assert!(ends.same_sentence((0, 2), (3, 7)));
        assert!(!ends.same_sentence((0, 2), (12, 15)));
    }

    #[test]
    fn the_nearest_span_is_the_one_a_scan_of_the_paragraph_finds() {
        let body =
            "Aa said. Bb told them\nthat cc. Dd, ee and ff? Gg\nhh ii. jj kk ll mm nn oo pp qq";
        let ends = SentenceEnds::of(body);
        let n = body.len();
        let mut state = 7u64;
        let mut next = |m: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % m as u64) as usize
        };
        for _ in 0..400 {
            // Disjoint sorted spans at random places.
            let mut list = Vec::new();
            let mut at = next(4);
            while at + 1 < n {
                let end = (at + 1 + next(6)).min(n);
                list.push((at, end));
                at = end + next(9);
            }
            for _ in 0..20 {
                let s = next(n - 1);
                let q = (s, (s + 1 + next(12)).min(n));
                let paragraph = |b: usize| ends.paragraph(b);
                let scan = list
                    .iter()
                    .copied()
                    .filter(|s| paragraph(s.0) == paragraph(q.0))
                    .min_by_key(|&s| (!ends.same_sentence(s, q), distance(s, q)));
                assert_eq!(nearest_span(&list, &ends, q), scan, "{q:?} in {list:?}");
            }
        }
    }

    #[test]
    fn the_shipped_model_reads() {
        let m = Tagger::shipped().expect("data/attribution.bin is a tagger");
        assert_eq!(m.model.labels().len(), LABELS.len());
    }
}
