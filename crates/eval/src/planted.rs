//! Planted reuse: corpora with passages of known extent copied between
//! articles, and a scorer for detected passages against them.
//!
//! No public set with gold passage alignments for news text reuse exists,
//! so the project builds its own from real article text. Passages of a few
//! sentences are taken from source articles and inserted, as a paragraph of
//! their own, into other articles, in one of three forms:
//! - **verbatim**: copied as they are;
//! - **near**: trimmed by a few words at either end, with a couple of
//!   re-typings (quote marks, case, a word changed);
//! - **reworded**: a quarter to a third of the words changed: synonyms from a
//!   table, other substitutions (a fifth of the remaining words), dropped
//!   words, number formats changed, and two halves of the passage swapped at
//!   a comma.
//!
//! The planted spans are the gold. Scoring is PAN text-alignment style, by
//! character overlap on both sides of each pair: recall per planted case,
//! precision per detected passage. Everything is driven by a fixed seed, so
//! the same texts give the same corpus.

use std::collections::HashMap;

use echotrace_model::{Article, Passage};

/// How a planted passage was transformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Plant {
    /// Copied as is.
    Verbatim,
    /// Trimmed and lightly re-typed.
    Near,
    /// Re-worded: synonyms, name variants, dropped words, swapped halves.
    Reworded,
}

impl Plant {
    /// All forms, in table order.
    pub const ALL: [Plant; 3] = [Plant::Verbatim, Plant::Near, Plant::Reworded];

    /// Name shown in tables.
    pub fn name(self) -> &'static str {
        match self {
            Plant::Verbatim => "verbatim",
            Plant::Near => "near-verbatim",
            Plant::Reworded => "re-worded",
        }
    }
}

/// One planted passage: where it came from and where it went (byte ranges).
#[derive(Debug, Clone)]
pub struct Gold {
    /// The transformation applied.
    pub plant: Plant,
    /// Source article index.
    pub source: usize,
    /// Byte range in the source body.
    pub source_span: (usize, usize),
    /// Target article index.
    pub target: usize,
    /// Byte range of the inserted text in the target body.
    pub target_span: (usize, usize),
}

/// A generated corpus: article bodies and the planted gold.
#[derive(Debug, Clone)]
pub struct PlantedCorpus {
    /// Articles with ids `a0`, `a1`, ... and their bodies.
    pub articles: Vec<Article>,
    /// The planted passages.
    pub gold: Vec<Gold>,
}

/// Word substitutions for re-wording (both directions are used).
const SYNONYMS: &[(&str, &str)] = &[
    ("said", "stated"),
    ("says", "states"),
    ("told", "informed"),
    ("also", "additionally"),
    ("big", "large"),
    ("large", "sizeable"),
    ("small", "minor"),
    ("new", "fresh"),
    ("important", "significant"),
    ("people", "individuals"),
    ("help", "assist"),
    ("show", "demonstrate"),
    ("shows", "demonstrates"),
    ("use", "employ"),
    ("used", "employed"),
    ("buy", "purchase"),
    ("start", "begin"),
    ("started", "began"),
    ("end", "finish"),
    ("but", "however"),
    ("about", "roughly"),
    ("many", "numerous"),
    ("get", "obtain"),
    ("got", "obtained"),
    ("need", "require"),
    ("needs", "requires"),
    ("try", "attempt"),
    ("tried", "attempted"),
    ("enough", "sufficient"),
    ("most", "the majority of"),
    ("quickly", "rapidly"),
    ("often", "frequently"),
    ("before", "prior to"),
    ("after", "following"),
    ("because", "since"),
    ("country", "nation"),
    ("government", "administration"),
    ("company", "firm"),
    ("companies", "firms"),
    ("money", "funds"),
    ("job", "position"),
    ("jobs", "positions"),
    ("month", "period"),
    ("week", "period"),
    ("plan", "scheme"),
    ("plans", "schemes"),
    ("report", "account"),
    ("reported", "stated"),
    ("attack", "assault"),
    ("attacks", "assaults"),
    ("city", "town"),
    ("area", "region"),
    ("called", "named"),
    ("make", "create"),
    ("made", "created"),
    ("think", "believe"),
    ("know", "understand"),
    ("want", "wish"),
    ("wanted", "wished"),
    ("large", "big"),
    ("increase", "rise"),
    ("decrease", "fall"),
    ("rose", "climbed"),
    ("fell", "dropped"),
    ("however", "yet"),
    ("officials", "authorities"),
    ("official", "representative"),
    ("announced", "declared"),
    ("claimed", "alleged"),
    ("claims", "allegations"),
    ("several", "a number of"),
    ("large", "major"),
    ("very", "highly"),
    ("then", "subsequently"),
    ("while", "whereas"),
];

/// xorshift64*: deterministic generator for the corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// Sentence byte ranges of a text (ends at ". ", "! ", "? " before a capital or quote).
///
/// Frozen: part of the corpus definition, must not change. The planted
/// corpora and calibration pairs are cut at these boundaries, so the shared
/// splitter (`echotrace_language::sentences`, which differs on abbreviations,
/// quotes and non-Latin scripts) would change the measured corpora.
fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let end_here = matches!(b, b'.' | b'!' | b'?')
            && bytes.get(i + 1).is_some_and(|c| c.is_ascii_whitespace())
            && text[i + 1..]
                .trim_start()
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c == '"' || c == '“');
        if end_here || b == b'\n' {
            let s = text[start..=i].trim();
            if !s.is_empty() {
                let off = start + text[start..=i].find(s).unwrap_or(0);
                out.push((off, off + s.len()));
            }
            start = i + 1;
        }
    }
    let s = text[start..].trim();
    if !s.is_empty() {
        let off = start + text[start..].find(s).unwrap_or(0);
        out.push((off, off + s.len()));
    }
    out
}

fn reword(rng: &mut Rng, text: &str) -> String {
    let syn: HashMap<&str, Vec<&str>> = SYNONYMS.iter().fold(HashMap::new(), |mut m, &(a, b)| {
        m.entry(a).or_default().push(b);
        m.entry(b).or_default().push(a);
        m
    });
    let mut words: Vec<String> = Vec::new();
    for w in text.split_whitespace() {
        let core = w.trim_matches(|c: char| !c.is_alphanumeric());
        let lower = core.to_lowercase();
        if let Some(alts) = syn.get(lower.as_str()) {
            if rng.chance(0.8) {
                let alt = alts[rng.below(alts.len())];
                words.push(w.replacen(core, alt, 1));
                continue;
            }
        }
        if core.len() > 3 && core.chars().all(|c| c.is_ascii_digit()) && core.len() >= 4 {
            // 17000 -> 17,000
            let n = core.len();
            let with_sep = format!("{},{}", &core[..n - 3], &core[n - 3..]);
            words.push(w.replacen(core, &with_sep, 1));
            continue;
        }
        if rng.chance(0.08) && words.len() > 2 {
            continue; // dropped word
        }
        if rng.chance(0.20) && lower.len() > 3 {
            // A substitution no table knows: another translator's word choice.
            words.push(format!("{}ly", core.to_lowercase()));
            continue;
        }
        words.push(w.to_string());
    }
    let mut out = words.join(" ");
    // Swap the halves at a comma near the middle.
    if let Some(mid) = out
        .match_indices(", ")
        .map(|(i, _)| i)
        .min_by_key(|i| i.abs_diff(out.len() / 2))
    {
        if mid > out.len() / 4 && mid < out.len() * 3 / 4 {
            let (x, y) = out.split_at(mid);
            out = format!("{}, {}", y[2..].trim_end_matches('.'), x);
        }
    }
    out
}

fn near(rng: &mut Rng, text: &str) -> String {
    let mut words: Vec<&str> = text.split_whitespace().collect();
    let drop_front = rng.below(3);
    let drop_back = rng.below(3);
    if words.len() > drop_front + drop_back + 10 {
        words.drain(..drop_front);
        words.truncate(words.len() - drop_back);
    }
    let mut out: Vec<String> = words.iter().map(|w| w.to_string()).collect();
    for _ in 0..1 + rng.below(2) {
        let i = rng.below(out.len());
        out[i] = match rng.below(3) {
            0 => out[i].replace('"', "“"),
            1 => out[i].to_uppercase(),
            _ => format!("{}s", out[i]),
        };
    }
    out.join(" ")
}

/// Two sentences to compare.
pub type SentencePair = (String, String);

/// Sentence pairs for calibrating an embedding threshold: (positives, negatives).
///
/// Positives pair a sentence of at least eight words with its re-worded form
/// (as planted). Negatives are hard ones: two different sentences of the same
/// text, so on the same topic, as the sentences the semantic pass compares are.
pub fn calibration_pairs(
    texts: &[String],
    n: usize,
    seed: u64,
) -> (Vec<SentencePair>, Vec<SentencePair>) {
    let mut rng = Rng(seed | 1);
    let all: Vec<(usize, &str)> = texts
        .iter()
        .enumerate()
        .flat_map(|(i, t)| sentences(t).into_iter().map(move |(a, b)| (i, &t[a..b])))
        .filter(|(_, s)| s.split_whitespace().count() >= 8)
        .collect();
    if all.len() < 2 {
        return (Vec::new(), Vec::new());
    }
    let mut pos = Vec::new();
    let mut neg = Vec::new();
    for _ in 0..n {
        let (_, s) = all[rng.below(all.len())];
        pos.push((s.to_string(), reword(&mut rng, s)));
        let k = rng.below(all.len());
        let (i, x) = all[k];
        // Another sentence of the same text, a few sentences away.
        let j = k + 1 + rng.below(4);
        if let Some(&(ti, y)) = all.get(j) {
            if ti == i && x != y {
                neg.push((x.to_string(), y.to_string()));
            }
        }
    }
    (pos, neg)
}

/// `n` synthetic articles of news-like text, from a word-bigram model of `pool`.
///
/// Speed runs need corpora far larger than any set at hand, with text whose
/// n-grams are spread like real text's (so the index's document-frequency
/// cut-off behaves as it would) and that shares no passage by accident. A
/// bigram chain over real articles' words gives both. Articles have 8 to 20
/// sentences in paragraphs of 2 to 4.
pub fn synthetic_texts(pool: &[String], n: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng(seed | 1);
    let mut vocab: Vec<&str> = Vec::new();
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let mut next: Vec<Vec<u32>> = Vec::new();
    let mut starts: Vec<u32> = Vec::new();
    for text in pool {
        let mut prev: Option<u32> = None;
        for w in text.split_whitespace() {
            let id = *ids.entry(w).or_insert_with(|| {
                vocab.push(w);
                next.push(Vec::new());
                (vocab.len() - 1) as u32
            });
            match prev {
                Some(p) => next[p as usize].push(id),
                None => starts.push(id),
            }
            prev = if w.ends_with(['.', '!', '?']) {
                None
            } else {
                Some(id)
            };
        }
    }
    if starts.is_empty() {
        return vec![String::new(); n];
    }
    (0..n)
        .map(|_| {
            let sentences = 8 + rng.below(13);
            let mut out = String::new();
            let mut in_para = 0;
            let para_len = 2 + rng.below(3);
            for _ in 0..sentences {
                let mut w = starts[rng.below(starts.len())];
                for k in 0..40 {
                    if k > 0 {
                        out.push(' ');
                    }
                    out.push_str(vocab[w as usize]);
                    let nx = &next[w as usize];
                    if nx.is_empty() || vocab[w as usize].ends_with(['.', '!', '?']) {
                        break;
                    }
                    w = nx[rng.below(nx.len())];
                }
                if !out.ends_with(['.', '!', '?']) {
                    out.push('.');
                }
                in_para += 1;
                out.push_str(if in_para % para_len == 0 { "\n\n" } else { " " });
            }
            out.trim_end().to_string()
        })
        .collect()
}

/// Plants `plants` passages (a third of each form) from source into target texts.
///
/// Texts are split in two halves: the first gives sources, the second
/// targets, so every gold pair is (source, target) and no two targets share
/// a source span.
pub fn generate(texts: &[String], plants: usize, seed: u64) -> PlantedCorpus {
    let mut rng = Rng(seed | 1);
    let half = texts.len() / 2;
    let mut bodies: Vec<String> = texts.to_vec();
    let mut used: Vec<Vec<(usize, usize)>> = vec![Vec::new(); texts.len()];
    // Insertions per target: (paragraph index, text, plant, source, source span).
    type Insertion = (usize, String, Plant, usize, (usize, usize));
    let mut inserts: HashMap<usize, Vec<Insertion>> = HashMap::new();
    let mut made = 0;
    let mut tries = 0;
    while made < plants && tries < plants * 50 && half > 0 {
        tries += 1;
        let s = rng.below(half);
        let t = half + rng.below(texts.len() - half);
        let sents = sentences(&texts[s]);
        if sents.len() < 3 {
            continue;
        }
        let first = rng.below(sents.len());
        let mut last = first;
        let words =
            |a: usize, b: usize| texts[s][sents[a].0..sents[b].1].split_whitespace().count();
        while last + 1 < sents.len() && words(first, last) < 30 {
            last += 1;
        }
        let span = (sents[first].0, sents[last].1);
        let n = words(first, last);
        if !(25..=120).contains(&n) || used[s].iter().any(|u| u.0 < span.1 && span.0 < u.1) {
            continue;
        }
        used[s].push(span);
        let plant = Plant::ALL[made % 3];
        let src = &texts[s][span.0..span.1];
        let text = match plant {
            Plant::Verbatim => src.to_string(),
            Plant::Near => near(&mut rng, src),
            Plant::Reworded => reword(&mut rng, src),
        };
        let paras = texts[t].split("\n\n").count();
        inserts
            .entry(t)
            .or_default()
            .push((rng.below(paras + 1), text, plant, s, span));
        made += 1;
    }
    let mut gold = Vec::new();
    let mut targets: Vec<usize> = inserts.keys().copied().collect();
    targets.sort_unstable();
    for t in targets {
        let mut ins = inserts.remove(&t).unwrap_or_default();
        ins.sort_by_key(|x| x.0);
        let paras: Vec<&str> = texts[t].split("\n\n").collect();
        let mut out = String::new();
        let mut k = 0;
        // Slot pi is before paragraph pi; the last slot is after the last paragraph.
        for pi in 0..=paras.len() {
            while k < ins.len() && ins[k].0 <= pi {
                let (_, text, plant, s, sspan) = &ins[k];
                let start = out.len();
                out.push_str(text);
                gold.push(Gold {
                    plant: *plant,
                    source: *s,
                    source_span: *sspan,
                    target: t,
                    target_span: (start, out.len()),
                });
                out.push_str("\n\n");
                k += 1;
            }
            if let Some(para) = paras.get(pi) {
                out.push_str(para);
                out.push_str("\n\n");
            }
        }
        bodies[t] = out.trim_end().to_string();
    }
    let articles = bodies
        .into_iter()
        .enumerate()
        .map(|(i, body)| Article {
            id: format!("a{i}"),
            body,
            ..Default::default()
        })
        .collect();
    PlantedCorpus { articles, gold }
}

/// Precision, recall and F1 of detected passages for one planted form.
#[derive(Debug, Clone, Copy)]
pub struct PlantScore {
    /// The form.
    pub plant: Plant,
    /// Planted cases of this form.
    pub cases: usize,
    /// Character precision of the detections matched to this form.
    pub precision: f64,
    /// Character recall, averaged over cases.
    pub recall: f64,
    /// F1 of the two.
    pub f1: f64,
}

/// A detected passage as (article, byte range, other article, byte range).
type Detection = (usize, (usize, usize), usize, (usize, usize));

fn overlap(a: (usize, usize), b: (usize, usize)) -> usize {
    a.1.min(b.1).saturating_sub(a.0.max(b.0))
}

/// Scores detected passages against the gold, per planted form.
///
/// A detection belongs to the form of the gold case it overlaps most (on the
/// same pair of articles); detections overlapping no case count against the
/// precision of every form.
pub fn score(corpus: &PlantedCorpus, detected: &[Passage]) -> Vec<PlantScore> {
    let idx = |id: &str| {
        id.trim_start_matches('a')
            .parse::<usize>()
            .unwrap_or(usize::MAX)
    };
    // Detections oriented as (source side, target side) when they match a gold pair.
    let mut det: Vec<Detection> = Vec::new();
    for p in detected {
        det.push((
            idx(&p.a.article),
            (p.a.start, p.a.end),
            idx(&p.b.article),
            (p.b.start, p.b.end),
        ));
    }
    let oriented = |g: &Gold,
                    d: &(usize, (usize, usize), usize, (usize, usize))|
     -> Option<((usize, usize), (usize, usize))> {
        if d.0 == g.source && d.2 == g.target {
            Some((d.1, d.3))
        } else if d.2 == g.source && d.0 == g.target {
            Some((d.3, d.1))
        } else {
            None
        }
    };
    let mut stray_chars = 0usize;
    let mut by_form: HashMap<Plant, (usize, usize)> = HashMap::new(); // (covered, total) detection chars
    for d in &det {
        let len = (d.1 .1 - d.1 .0) + (d.3 .1 - d.3 .0);
        let best = corpus
            .gold
            .iter()
            .filter_map(|g| {
                let (s, t) = oriented(g, d)?;
                let cov = overlap(s, g.source_span) + overlap(t, g.target_span);
                (cov > 0).then_some((cov, g.plant))
            })
            .max_by_key(|x| x.0);
        match best {
            Some((cov, plant)) => {
                let e = by_form.entry(plant).or_default();
                e.0 += cov.min(len);
                e.1 += len;
            }
            None => stray_chars += len,
        }
    }
    Plant::ALL
        .iter()
        .map(|&plant| {
            let cases: Vec<&Gold> = corpus.gold.iter().filter(|g| g.plant == plant).collect();
            let recall = cases
                .iter()
                .map(|g| {
                    let total =
                        (g.source_span.1 - g.source_span.0) + (g.target_span.1 - g.target_span.0);
                    let mut src_cov = vec![false; g.source_span.1 - g.source_span.0];
                    let mut tgt_cov = vec![false; g.target_span.1 - g.target_span.0];
                    for d in &det {
                        if let Some((s, t)) = oriented(g, d) {
                            for i in s.0.max(g.source_span.0)..s.1.min(g.source_span.1) {
                                src_cov[i - g.source_span.0] = true;
                            }
                            for i in t.0.max(g.target_span.0)..t.1.min(g.target_span.1) {
                                tgt_cov[i - g.target_span.0] = true;
                            }
                        }
                    }
                    let covered = src_cov.iter().chain(&tgt_cov).filter(|&&c| c).count();
                    covered as f64 / total.max(1) as f64
                })
                .sum::<f64>()
                / cases.len().max(1) as f64;
            let (cov, total) = by_form.get(&plant).copied().unwrap_or((0, 0));
            let precision = if total + stray_chars == 0 {
                1.0
            } else {
                cov as f64 / (total + stray_chars) as f64
            };
            let f1 = if precision + recall > 0.0 {
                2.0 * precision * recall / (precision + recall)
            } else {
                0.0
            };
            PlantScore {
                plant,
                cases: cases.len(),
                precision,
                recall,
                f1,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts() -> Vec<String> {
        (0..6)
            .map(|k| {
                (0..12)
                    .map(|i| format!("Sentence number {i} of article {k} talks about topic {} with several distinct words like alpha{k}x{i} and beta{k}y{i}.", i * 7 + k))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    #[test]
    fn gold_spans_hold_the_planted_text() {
        let c = generate(&texts(), 6, 7);
        assert_eq!(c.gold.len(), 6);
        for g in &c.gold {
            assert!(g.source < 3 && g.target >= 3);
            let t = &c.articles[g.target].body[g.target_span.0..g.target_span.1];
            if g.plant == Plant::Verbatim {
                assert_eq!(
                    t,
                    &c.articles[g.source].body[g.source_span.0..g.source_span.1]
                );
            }
            assert!(!t.is_empty());
        }
    }

    #[test]
    fn perfect_detection_scores_one_and_nothing_scores_zero() {
        let c = generate(&texts(), 6, 7);
        let perfect: Vec<Passage> = c
            .gold
            .iter()
            .map(|g| Passage {
                id: String::new(),
                kind: echotrace_model::PassageKind::Verbatim,
                a: echotrace_model::Span {
                    article: format!("a{}", g.source),
                    start: g.source_span.0,
                    end: g.source_span.1,
                },
                b: echotrace_model::Span {
                    article: format!("a{}", g.target),
                    start: g.target_span.0,
                    end: g.target_span.1,
                },
                score: 1.0,
                group: None,
            })
            .collect();
        for s in score(&c, &perfect) {
            assert!((s.f1 - 1.0).abs() < 1e-9, "{s:?}");
        }
        for s in score(&c, &[]) {
            assert_eq!(s.recall, 0.0);
        }
    }
}
