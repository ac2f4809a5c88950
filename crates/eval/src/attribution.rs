//! Quote attribution against `attribution/` (PolNeAR, brat standoff):
//! span F1 for source, cue and content, exact and overlap.
//!
//! Gold offsets are in characters (Unicode code points) of the text file;
//! echotrace's are bytes, converted here. Discontinuous gold spans are taken
//! from their first to their last character. A text annotated by several
//! annotators is scored once, against the first annotation file in name
//! order. Exact: a predicted span counts when a gold span of the same role
//! has the same boundaries. Overlap: precision counts predicted spans that
//! overlap a gold span of the role, recall counts gold spans that a
//! predicted span overlaps.

use std::collections::BTreeMap;
use std::path::Path;

use echotrace_claims::attribution;
use echotrace_claims::attribution::Tagger;
use rayon::prelude::*;

use crate::{EvalError, Result};

use echotrace_model::Article;

/// The three roles scored.
pub const ROLES: [&str; 3] = ["Source", "Cue", "Content"];

/// Counts for one role.
#[derive(Debug, Clone, Copy, Default)]
pub struct RoleCounts {
    /// Predicted spans.
    pub predicted: usize,
    /// Gold spans.
    pub gold: usize,
    /// Predicted spans equal to a gold span.
    pub exact: usize,
    /// Predicted spans overlapping a gold span.
    pub overlap_p: usize,
    /// Gold spans overlapped by a predicted span.
    pub overlap_r: usize,
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    }
}

impl RoleCounts {
    /// Exact-match F1.
    pub fn exact_f1(&self) -> f64 {
        let p = self.exact as f64 / self.predicted.max(1) as f64;
        let r = self.exact as f64 / self.gold.max(1) as f64;
        f1(p, r)
    }

    /// Overlap F1.
    pub fn overlap_f1(&self) -> f64 {
        let p = self.overlap_p as f64 / self.predicted.max(1) as f64;
        let r = self.overlap_r as f64 / self.gold.max(1) as f64;
        f1(p, r)
    }
}

/// Gold spans by role from one `.ann` file, in characters.
fn read_ann(text: &str) -> BTreeMap<&'static str, Vec<(usize, usize)>> {
    let mut out: BTreeMap<&'static str, Vec<(usize, usize)>> = BTreeMap::new();
    for line in text.lines() {
        let mut cols = line.split('\t');
        let (Some(id), Some(spec)) = (cols.next(), cols.next()) else {
            continue;
        };
        if !id.starts_with('T') {
            continue;
        }
        let mut parts = spec.splitn(2, ' ');
        let (Some(role), Some(ranges)) = (parts.next(), parts.next()) else {
            continue;
        };
        let Some(role) = ROLES.iter().find(|r| **r == role) else {
            continue;
        };
        let nums: Vec<usize> = ranges
            .split([' ', ';'])
            .filter_map(|x| x.parse().ok())
            .collect();
        if let (Some(s), Some(e)) = (nums.iter().min(), nums.iter().max()) {
            out.entry(role).or_default().push((*s, *e));
        }
    }
    out
}

/// Byte offset to character offset.
fn char_offsets(text: &str) -> impl Fn(usize) -> usize + '_ {
    move |b: usize| {
        text.get(..b.min(text.len()))
            .map_or(0, |s| s.chars().count())
    }
}

/// Spans by role, in characters.
type Spans = BTreeMap<&'static str, Vec<(usize, usize)>>;

/// Whether two spans share a character.
fn overlaps(a: &(usize, usize), b: &(usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

impl RoleCounts {
    /// Adds another's counts.
    fn merge(&mut self, o: &RoleCounts) {
        self.predicted += o.predicted;
        self.gold += o.gold;
        self.exact += o.exact;
        self.overlap_p += o.overlap_p;
        self.overlap_r += o.overlap_r;
    }

    /// Counts one text's gold and predicted spans of the role.
    fn add(&mut self, g: &[(usize, usize)], p: &[(usize, usize)]) {
        self.gold += g.len();
        self.predicted += p.len();
        self.exact += p.iter().filter(|x| g.contains(x)).count();
        self.overlap_p += p
            .iter()
            .filter(|x| g.iter().any(|y| overlaps(x, y)))
            .count();
        self.overlap_r += g
            .iter()
            .filter(|y| p.iter().any(|x| overlaps(x, y)))
            .count();
    }
}

/// One annotated text: its name, text and gold spans (characters).
struct Doc {
    name: String,
    text: String,
    gold: Spans,
}

impl Doc {
    /// The gold spans in bytes, as the tagger's training wants them.
    fn gold_bytes(&self) -> Vec<attribution::Span> {
        let bytes: Vec<usize> = self
            .text
            .char_indices()
            .map(|(b, _)| b)
            .chain([self.text.len()])
            .collect();
        let at = |c: usize| bytes[c.min(bytes.len() - 1)];
        let mut out = Vec::new();
        for (role, spans) in &self.gold {
            let role = match *role {
                "Source" => attribution::Role::Source,
                "Cue" => attribution::Role::Cue,
                _ => attribution::Role::Content,
            };
            for &(s, e) in spans {
                out.push(attribution::Span {
                    role,
                    start: at(s),
                    end: at(e),
                });
            }
        }
        out
    }
}

/// Every text of the set with its first annotation, in name order.
fn load(dir: &Path) -> Result<Vec<Doc>> {
    let base = dir.join("attribution/train");
    let mut docs = Vec::new();
    for (ann, name) in first_annotations(&base)? {
        let txt = base.join("text").join(format!("{name}.txt"));
        let Ok(text) = std::fs::read_to_string(&txt) else {
            continue;
        };
        let gold = read_ann(&std::fs::read_to_string(&ann).map_err(EvalError::io(&ann))?);
        docs.push(Doc { name, text, gold });
    }
    Ok(docs)
}

/// Scores the rule-based quotes alone on every text (the rules were written looking at these texts: not a held-out score).
pub fn score_rules(dir: &Path) -> Result<(BTreeMap<&'static str, RoleCounts>, usize)> {
    let docs = load(dir)?;
    let mut counts = empty();
    for d in &docs {
        add(&mut counts, &d.gold, &predicted_spans(&d.text, None));
    }
    Ok((counts, docs.len()))
}

/// Folds of the cross-validation: a text's position in name order modulo this.
pub const FOLDS: usize = 5;
/// Passes of the perceptron over the training texts.
pub const EPOCHS: usize = 24;

/// Trains the attribution tagger on `docs`.
fn fit<'a>(docs: impl Iterator<Item = &'a Doc>) -> Tagger {
    let docs: Vec<(&str, Vec<attribution::Span>)> =
        docs.map(|d| (d.text.as_str(), d.gold_bytes())).collect();
    let tagger = attribution::train(&docs, EPOCHS, 17);
    // Scored as shipped: through the file format, weights quantised.
    Tagger::from_bytes(&tagger.to_bytes()).expect("a tagger reads back")
}

/// The tagger's spans in `text`, in characters.
fn learned_spans(model: &Tagger, text: &str) -> Spans {
    let ch = char_offsets(text);
    let mut out: Spans = BTreeMap::new();
    for s in attribution::spans(model, text) {
        let role = match s.role {
            attribution::Role::Source => "Source",
            attribution::Role::Cue => "Cue",
            attribution::Role::Content => "Content",
        };
        out.entry(role).or_default().push((ch(s.start), ch(s.end)));
    }
    out
}

/// Counts per role of one system.
type Counts = BTreeMap<&'static str, RoleCounts>;

fn empty() -> Counts {
    ROLES.iter().map(|r| (*r, RoleCounts::default())).collect()
}

fn add(counts: &mut Counts, gold: &Spans, pred: &Spans) {
    for role in ROLES {
        let g = gold.get(role).cloned().unwrap_or_default();
        let p = pred.get(role).cloned().unwrap_or_default();
        counts.get_mut(role).expect("role").add(&g, &p);
    }
}

/// Fold `k`: the tagger trained on the other folds, then the rules, the tagger and the quotes scored on this one.
fn fold(docs: &[Doc], k: usize, verbose: bool) -> ([Counts; 3], CueTally) {
    let model = fit(docs
        .iter()
        .enumerate()
        .filter(|(i, _)| i % FOLDS != k)
        .map(|x| x.1));
    let mut counts = [empty(), empty(), empty()];
    let mut cues = CueTally::default();
    for d in docs
        .iter()
        .enumerate()
        .filter(|(i, _)| i % FOLDS == k)
        .map(|x| x.1)
    {
        let rules = predicted_spans(&d.text, None);
        let learned = learned_spans(&model, &d.text);
        let both = predicted_spans(&d.text, Some(&model));
        if verbose {
            cues.add(&d.text, &d.gold, &both);
        }
        for (c, p) in counts.iter_mut().zip([&rules, &learned, &both]) {
            add(c, &d.gold, p);
        }
    }
    (counts, cues)
}

/// Pooled counts over all folds of the rules alone and of the quotes, each fold's tagger trained on the other folds.
pub fn cross_validated(dir: &Path) -> Result<[BTreeMap<&'static str, RoleCounts>; 2]> {
    let docs = load(dir)?;
    let ([rules, _, quotes], _) = score(&docs);
    Ok([rules, quotes])
}

/// Scores the rules, the learned tagger (each fold's model fitted on the other folds) and the quotes the claims stage makes of both.
fn score(docs: &[Doc]) -> ([Counts; 3], Vec<Counts>) {
    // ECHOTRACE_EVAL_VERBOSE=1: which gold cues are missed and which predicted cues are wrong, most frequent first.
    let verbose = std::env::var("ECHOTRACE_EVAL_VERBOSE").is_ok_and(|v| v == "1");
    let per_fold: Vec<([Counts; 3], CueTally)> = (0..FOLDS)
        .into_par_iter()
        .map(|k| fold(docs, k, verbose))
        .collect();
    let mut total = [empty(), empty(), empty()];
    let mut cues = CueTally::default();
    let mut quotes_by_fold = Vec::with_capacity(FOLDS);
    for (counts, tally) in per_fold {
        quotes_by_fold.push(counts[2].clone());
        for (t, c) in total.iter_mut().zip(counts) {
            for role in ROLES {
                t.get_mut(role).expect("role").merge(&c[role]);
            }
        }
        cues.merge(tally);
    }
    if verbose {
        cues.print();
    }
    (total, quotes_by_fold)
}

/// The first annotation file (in name order) of each annotated text, with the text's name.
fn first_annotations(base: &Path) -> Result<Vec<(std::path::PathBuf, String)>> {
    let mut anns: Vec<std::path::PathBuf> = std::fs::read_dir(base.join("attributions"))
        .map_err(EvalError::io(base))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "ann"))
        .collect();
    anns.sort();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for ann in anns {
        let stem = ann.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        // "<name>_<annotator>.ann" -> "<name>.txt"
        let name = stem.rsplit_once('_').map_or(stem, |(n, _)| n).to_string();
        if seen.insert(name.clone()) {
            out.push((ann, name));
        }
    }
    Ok(out)
}

/// The content, cue and source spans of the quotes echotrace finds in a text (with `tagger`, or the rules alone), in characters.
fn predicted_spans(text: &str, tagger: Option<&Tagger>) -> Spans {
    let article = Article {
        id: "a0".into(),
        language: "en".into(),
        body: text.to_string(),
        ..Default::default()
    };
    let names = echotrace_claims::names::Names::of(text);
    let found = echotrace_claims::quotes::quotes_with(&article, &names, tagger);
    let ch = char_offsets(text);
    let mut pred: Spans = BTreeMap::new();
    for q in &found {
        pred.entry("Content")
            .or_default()
            .push((ch(q.start), ch(q.end)));
        if let Some((s, e)) = q.cue_span {
            pred.entry("Cue").or_default().push((ch(s), ch(e)));
        }
        if let Some((s, e)) = q.speaker_span {
            pred.entry("Source").or_default().push((ch(s), ch(e)));
        }
    }
    pred
}

/// Cue texts tallied over the set: gold cues no prediction overlaps, predicted cues no gold cue overlaps.
#[derive(Default)]
struct CueTally {
    missed: BTreeMap<String, usize>,
    wrong: BTreeMap<String, usize>,
}

impl CueTally {
    /// Adds another tally.
    fn merge(&mut self, o: CueTally) {
        for (k, v) in o.missed {
            *self.missed.entry(k).or_default() += v;
        }
        for (k, v) in o.wrong {
            *self.wrong.entry(k).or_default() += v;
        }
    }

    /// Tallies one text's missed and wrong cues.
    fn add(&mut self, text: &str, gold: &Spans, pred: &Spans) {
        let chars: Vec<char> = text.chars().collect();
        let cue_text = |(s, e): (usize, usize)| {
            chars[s.min(chars.len())..e.min(chars.len())]
                .iter()
                .collect::<String>()
                .to_lowercase()
        };
        let g = gold.get("Cue").cloned().unwrap_or_default();
        let p = pred.get("Cue").cloned().unwrap_or_default();
        for y in &g {
            if !p.iter().any(|x| overlaps(x, y)) {
                *self.missed.entry(cue_text(*y)).or_default() += 1;
            }
        }
        for x in &p {
            if !g.iter().any(|y| overlaps(x, y)) {
                *self.wrong.entry(cue_text(*x)).or_default() += 1;
            }
        }
    }

    /// Prints the 60 most frequent of each on stderr.
    fn print(self) {
        for (what, tally) in [
            ("missed gold cues", self.missed),
            ("predicted cues not in gold", self.wrong),
        ] {
            let mut v: Vec<(String, usize)> = tally.into_iter().collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let top: Vec<String> = v
                .iter()
                .take(60)
                .map(|(c, n)| format!("{c:?} {n}"))
                .collect();
            eprintln!("{what}: {}", top.join(", "));
        }
    }
}

/// The score table (rules, tagger, both; cross-validated), beside the published figures of the datasets README.
///
/// With `model_out`, also writes the tagger trained on every text there
/// (the shipped one is `crates/claims/data/attribution.bin`).
pub fn table(dir: &Path, model_out: Option<&Path>) -> Result<String> {
    let docs = load(dir)?;
    let ([rules, learned, both], by_fold) = score(&docs);
    let mut out = format!(
        "attribution: {} texts (first annotation of each); the tagger scored by {FOLDS}-fold cross-validation, folds by text (fold = position in name order % {FOLDS}: fold 0 holds {}, ...)\n| system | role | gold | predicted | exact F1 | overlap P | overlap R | overlap F1 | published (other corpus of the scheme) |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n",
        docs.len(),
        docs.iter().step_by(FOLDS).take(3).map(|d| d.name.as_str()).collect::<Vec<_>>().join(", ")
    );
    for (system, counts) in [
        ("rules", rules),
        ("tagger", learned),
        ("quotes: rules + tagger", both),
    ] {
        for role in ROLES {
            let c = counts[role];
            let published = match role {
                "Source" => "0.820",
                "Cue" => "0.823",
                _ => "0.593 exact / 0.833 overlap",
            };
            out += &format!(
                "| {system} | {role} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {published} |\n",
                c.gold,
                c.predicted,
                c.exact_f1(),
                c.overlap_p as f64 / c.predicted.max(1) as f64,
                c.overlap_r as f64 / c.gold.max(1) as f64,
                c.overlap_f1()
            );
        }
    }
    out += "\nquotes (rules + tagger) by fold, overlap F1 source / cue / content:";
    for (k, c) in by_fold.iter().enumerate() {
        out += &format!(
            " fold {k} {:.3} / {:.3} / {:.3};",
            c["Source"].overlap_f1(),
            c["Cue"].overlap_f1(),
            c["Content"].overlap_f1()
        );
    }
    out += "\n";
    if let Some(path) = model_out {
        let model = fit(docs.iter());
        std::fs::write(path, model.to_bytes()).map_err(EvalError::io(path))?;
        out += &format!(
            "\nwrote the tagger trained on all {} texts ({} features, {} cue words) to {}\n",
            docs.len(),
            model.size().0,
            model.size().1,
            path.display()
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ann_lines_parse_with_discontinuous_spans() {
        let g = read_ann("T1\tSource 0 2\twe\nT2\tCue 3 9\tmocked\nT3\tContent 10 20;25 30\tx\nT4\tAttribution 3 9\tmocked\nE1\tAttribution:T4");
        assert_eq!(g["Source"], vec![(0, 2)]);
        assert_eq!(g["Content"], vec![(10, 30)]);
        assert!(!g.contains_key("Attribution"));
        let f = char_offsets("ü a");
        assert_eq!(f(3), 2);
    }
}
