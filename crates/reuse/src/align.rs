//! Local alignment of two token sequences: seed, chain, extend, measure.
//!
//! Seeds are word n-grams the two texts share (anchors). Anchors close to
//! each other on both sides, with a similar gap on each (a small drift off
//! the diagonal), chain into one passage, so inserted, dropped and
//! substituted words inside a passage do not break it. Each passage is then
//! extended at both ends over short exact matches (bigrams, then single
//! tokens) within the gap window, which recovers edges that differ by a word
//! ("credible data" / "credible information"). Finally the two spans are
//! diffed token by token (Myers, the `similar` crate) to measure identity,
//! which decides the kind: verbatim, near-verbatim, or a variant (another
//! translation or a re-wording).

use std::collections::HashMap;

use similar::{capture_diff_slices, Algorithm, DiffTag};

use crate::index::ngram_hashes;
use crate::normalize::Token;

/// Settings for alignment.
#[derive(Debug, Clone, Copy)]
pub struct AlignParams {
    /// Anchor n-gram length in tokens.
    pub n: usize,
    /// Largest gap (tokens) between chained anchors, on either side.
    pub max_gap: usize,
    /// Largest difference between the two sides' gaps.
    pub max_drift: usize,
    /// Shortest passage reported, in tokens on each side.
    pub min_tokens: usize,
    /// Identity at or above which a passage is near-verbatim rather than a variant.
    pub near_identity: f64,
}

impl Default for AlignParams {
    fn default() -> Self {
        AlignParams {
            n: 4,
            max_gap: 12,
            max_drift: 8,
            min_tokens: 8,
            near_identity: 0.93,
        }
    }
}

/// How one passage relates to the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The same normalised tokens.
    Verbatim,
    /// Small edits: a few words inserted, dropped or changed.
    Near,
    /// The same content in other words: another translation or a re-wording.
    Translation,
}

/// An aligned passage, in token indices of both sequences (half-open).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Alignment {
    /// Token range in the first sequence.
    pub a: (usize, usize),
    /// Token range in the second sequence.
    pub b: (usize, usize),
    /// Dice identity of the two token spans: 2 * equal / (len a + len b).
    pub identity: f64,
    /// The kind that identity implies.
    pub kind: Kind,
}

/// Aligns two token sequences; passages come back ordered by their start in `a`.
pub fn align(a: &[Token], b: &[Token], p: &AlignParams) -> Vec<Alignment> {
    let n = p.n.max(2);
    let ga = ngram_hashes(a, n);
    let gb = ngram_hashes(b, n);
    let mut pos_a: HashMap<u64, Vec<u32>> = HashMap::new();
    for (i, g) in ga.iter().enumerate() {
        pos_a.entry(*g).or_default().push(i as u32);
    }
    let mut anchors: Vec<(usize, usize)> = Vec::new();
    for (j, g) in gb.iter().enumerate() {
        if let Some(is) = pos_a.get(g) {
            // A gram repeated many times in `a` is a refrain, not evidence.
            if is.len() <= 4 {
                anchors.extend(is.iter().map(|&i| (i as usize, j)));
            }
        }
    }
    anchors.sort_unstable();

    // Chains: (a_start, a_end, b_start, b_end), ends exclusive.
    let mut chains: Vec<(usize, usize, usize, usize)> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    for &(i, j) in &anchors {
        open.retain(|&c| chains[c].1 + p.max_gap >= i);
        let fit = open.iter().copied().find(|&c| {
            let (_, ae, _, be) = chains[c];
            let da = i as isize - ae as isize;
            let db = j as isize - be as isize;
            let lo = -(n as isize);
            da >= lo
                && db >= lo
                && da <= p.max_gap as isize
                && db <= p.max_gap as isize
                && (da - db).unsigned_abs() <= p.max_drift
        });
        match fit {
            Some(c) => {
                let ch = &mut chains[c];
                ch.1 = ch.1.max(i + n);
                ch.3 = ch.3.max(j + n);
            }
            None => {
                chains.push((i, i + n, j, j + n));
                open.push(chains.len() - 1);
            }
        }
    }

    let mut out: Vec<Alignment> = Vec::new();
    for (as_, ae, bs, be) in chains {
        let (as_, ae, bs, be) = extend(a, b, (as_, ae, bs, be), p);
        if ae - as_ < p.min_tokens || be - bs < p.min_tokens {
            continue;
        }
        // Chains of one passage can overlap after extension: keep the first.
        if out
            .iter()
            .any(|o| o.a.0 < ae && as_ < o.a.1 && o.b.0 < be && bs < o.b.1)
        {
            continue;
        }
        let identity = identity(&a[as_..ae], &b[bs..be]);
        let kind = if ae - as_ == be - bs
            && a[as_..ae]
                .iter()
                .zip(&b[bs..be])
                .all(|(x, y)| x.key == y.key)
        {
            Kind::Verbatim
        } else if identity >= p.near_identity {
            Kind::Near
        } else {
            Kind::Translation
        };
        out.push(Alignment {
            a: (as_, ae),
            b: (bs, be),
            identity,
            kind,
        });
    }
    out.sort_by_key(|x| x.a.0);
    out
}

/// Dice identity of two token spans from a token diff.
pub fn identity(a: &[Token], b: &[Token]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let ka: Vec<u64> = a.iter().map(|t| t.key).collect();
    let kb: Vec<u64> = b.iter().map(|t| t.key).collect();
    let equal: usize = capture_diff_slices(Algorithm::Myers, &ka, &kb)
        .iter()
        .filter(|op| op.tag() == DiffTag::Equal)
        .map(|op| op.old_range().len())
        .sum();
    2.0 * equal as f64 / (a.len() + b.len()) as f64
}

/// Extends a passage at both ends over short exact matches within the gap window.
fn extend(
    a: &[Token],
    b: &[Token],
    (mut as_, mut ae, mut bs, mut be): (usize, usize, usize, usize),
    p: &AlignParams,
) -> (usize, usize, usize, usize) {
    let w = p.max_gap / 2;
    // Leftwards: nearest (i, j) before the start where a[i] == b[j] and a[i+1] == b[j+1]
    // (or a single token right at the edge).
    loop {
        let mut best: Option<(usize, usize)> = None;
        'outer: for da in 1..=w.min(as_) {
            for db in 1..=w.min(bs) {
                if da.abs_diff(db) > p.max_drift {
                    continue;
                }
                let (i, j) = (as_ - da, bs - db);
                let single_at_edge = da.max(db) <= 2;
                let bigram = i + 1 < as_ && j + 1 < bs && a[i + 1].key == b[j + 1].key;
                if a[i].key == b[j].key && (single_at_edge || bigram) {
                    best = Some((i, j));
                    break 'outer;
                }
            }
        }
        match best {
            Some((i, j)) => {
                as_ = i;
                bs = j;
            }
            None => break,
        }
    }
    // Rightwards, symmetrically.
    loop {
        let mut best: Option<(usize, usize)> = None;
        'outer2: for da in 0..w {
            for db in 0..w {
                if da.abs_diff(db) > p.max_drift {
                    continue;
                }
                let (i, j) = (ae + da, be + db);
                if i >= a.len() || j >= b.len() {
                    continue;
                }
                let single_at_edge = da.max(db) <= 1;
                let bigram = i + 1 < a.len() && j + 1 < b.len() && a[i + 1].key == b[j + 1].key;
                if a[i].key == b[j].key && (single_at_edge || bigram) {
                    best = Some((
                        i + 1 + usize::from(bigram && !single_at_edge),
                        j + 1 + usize::from(bigram && !single_at_edge),
                    ));
                    break 'outer2;
                }
            }
        }
        match best {
            Some((i, j)) if i > ae || j > be => {
                ae = i.max(ae);
                be = j.max(be);
            }
            _ => break,
        }
    }
    (as_, ae, bs, be)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::{tokenize, Aliases};

    fn run(x: &str, y: &str) -> (Vec<Token>, Vec<Token>, Vec<Alignment>) {
        let al = Aliases::builtin();
        let a = tokenize(x, &al);
        let b = tokenize(y, &al);
        let r = align(&a, &b, &AlignParams::default());
        (a, b, r)
    }

    fn text<'a>(s: &'a str, t: &[Token], r: (usize, usize)) -> &'a str {
        &s[t[r.0].start as usize..t[r.1 - 1].end as usize]
    }

    #[test]
    fn verbatim_copy_inside_other_text() {
        let q = "the committee said the new rules would take effect in the spring of next year after a final vote";
        let x = format!("Officials met on Monday in the capital. {q}. Nothing else was said.");
        let y = format!("In other news today, {q}, according to a statement.");
        let (a, b, r) = run(&x, &y);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].kind, Kind::Verbatim);
        assert_eq!(text(&x, &a, r[0].a), q);
        assert_eq!(text(&y, &b, r[0].b), q);
    }

    #[test]
    fn substitutions_and_insertions_stay_one_passage() {
        let x = "According to credible data received by the service, the army is actively recruiting militants from armed groups to carry out attacks in the region and the neighbouring countries.";
        let y = "According to credible information received by the service, the army is actively recruiting fighters from armed groups in order to carry out attacks in the region and neighbouring countries.";
        let (a, _, r) = run(x, y);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].a.0, 0, "extended back to 'According'");
        assert_eq!(r[0].a.1, a.len());
        assert!(r[0].identity > 0.8 && r[0].identity < 1.0);
        assert_ne!(r[0].kind, Kind::Verbatim);
    }

    #[test]
    fn unrelated_texts_do_not_align() {
        let (_, _, r) = run(
            "The weather in the mountains was cold and the roads were closed for most of the day.",
            "Shares of the company rose sharply after it reported better than expected results on Tuesday.",
        );
        assert!(r.is_empty());
    }
}
