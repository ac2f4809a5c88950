//! What an article is about, as a weighted bag of terms.
//!
//! Terms are the reuse stage's normalised tokens (case, quotes, digits and
//! entity aliases folded), so "Daesh" and "ISIS" are one term. Scripts
//! written without spaces (Chinese, Japanese) become character bigrams.
//! Weights are TF-IDF with sublinear term frequency, and each vector is
//! L2-normalised so that a dot product is a cosine. The title counts twice:
//! headlines name the event.
//!
//! Beside the terms, each article has two smaller vectors. Its *anchors*
//! (names, acronyms, figures) survive translation between languages that
//! share a script. Its *bridge* (figures, calendar dates, and names or
//! acronyms written in capitals) is what a Chinese report and an English
//! one of the same event still have in common: "9月22日" and "Sep 22" are
//! one date, "SMART" and "93%" are written alike in both. Bridges are only
//! compared across scripts ([`cross_script_pairs`]).

use std::collections::{HashMap, HashSet};

use echotrace_model::Article;
use echotrace_reuse::{tokenize, Aliases};
use rayon::prelude::*;

/// A sparse, L2-normalised term vector: `(term, weight)` sorted by term.
pub type TermVector = Vec<(u64, f32)>;

/// Term vectors of a corpus, with a printable form of each term.
#[derive(Debug, Default)]
pub struct TermSpace {
    /// One vector per article, in input order.
    pub vectors: Vec<TermVector>,
    /// Per article, the vector of its anchors only: names, acronyms and figures,
    /// which survive translation between languages that share a script.
    pub anchors: Vec<TermVector>,
    /// Per article, the vector of what survives a change of script: figures,
    /// dates, and capitalised names and acronyms.
    pub bridges: Vec<TermVector>,
    /// Per article, whether it is mostly written without spaces (Chinese, Japanese).
    pub unspaced: Vec<bool>,
    /// Document frequency of each term.
    pub df: HashMap<u64, u32>,
    /// A surface form of each term, for labels.
    pub surface: HashMap<u64, String>,
}

fn is_unspaced(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xAC00..=0xD7AF)
}

/// Raw counts of one article's terms and of its anchors (names and figures), with surface forms.
#[derive(Debug, Default, Clone)]
pub struct TermCounts {
    terms: HashMap<u64, (f32, String)>,
    anchors: HashMap<u64, (f32, String)>,
    /// Bridge keys carry no surface form: the terms and dates they stand for never label a story.
    bridge: HashMap<u64, f32>,
    /// Characters of unspaced scripts, and words of spaced ones.
    unspaced_chars: u32,
    spaced_words: u32,
}

impl TermCounts {
    /// The article's distinct terms and bridge keys: what its document frequencies count.
    pub fn terms(&self) -> impl Iterator<Item = u64> + '_ {
        self.terms.keys().copied().chain(
            self.bridge
                .keys()
                .filter(|k| !self.terms.contains_key(k))
                .copied(),
        )
    }

    /// Whether the article is mostly written in a script without spaces.
    pub fn unspaced(&self) -> bool {
        self.unspaced_chars > 2 * self.spaced_words
    }
}

/// Whether a word survives translation unchanged: a capitalised name, an acronym or a figure.
fn is_anchor(word: &str) -> bool {
    let mut chars = word.chars();
    let first = chars.next().unwrap_or(' ');
    (first.is_uppercase() && word.chars().count() >= 3 && !first.is_ascii_digit())
        || word.chars().filter(|c| c.is_ascii_digit()).count() >= 2
}

/// Whether a word is written alike in any script's news: a figure, or a name or acronym in capitals.
fn is_bridge(word: &str) -> bool {
    is_anchor(word) || (word.len() >= 2 && word.bytes().all(|b| b.is_ascii_uppercase()))
}

/// Month number of an English month name or its abbreviation ("Sep", "September").
fn month_of(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let w = word.trim_end_matches('.').to_ascii_lowercase();
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(&w) && (w.len() == 3 || w.len() == m.len() || w == "sept"))
        .map(|i| i as u32 + 1)
}

/// A day of the month written as digits.
fn day_of(word: &str) -> Option<u32> {
    let d: u32 = word.parse().ok().filter(|_| word.len() <= 2)?;
    (1..=31).contains(&d).then_some(d)
}

/// The calendar date (month, day) written at token `i`: "9月22日", "Sep 22" or "22 September".
fn date_at(words: &[&str], i: usize) -> Option<(u32, u32)> {
    let at = |k: usize| words.get(i + k).copied().unwrap_or("");
    if at(1) == "月" && at(3) == "日" {
        let m = day_of(at(0)).filter(|m| *m <= 12)?;
        return Some((m, day_of(at(2))?));
    }
    if let Some(m) = month_of(at(0)) {
        return Some((m, day_of(at(1))?));
    }
    Some((month_of(at(1))?, day_of(at(0))?))
}

/// Stop words of a language and of English (quoted English is common in any news).
fn stop_words_for(language: &str) -> HashSet<&'static str> {
    let mut set: HashSet<&'static str> = HashSet::new();
    for code in [language, "en"] {
        if let Some(words) = stop_words::lookup(code) {
            set.extend(words.iter().copied());
        }
    }
    set
}

/// Raw term counts of one text, with surface forms.
fn count_terms(
    text: &str,
    aliases: &Aliases,
    stop: &HashSet<&'static str>,
    weight: f32,
    counts: &mut TermCounts,
) {
    let tokens = tokenize(text, aliases);
    let words: Vec<&str> = tokens
        .iter()
        .map(|t| &text[t.start as usize..t.end as usize])
        .collect();
    let mut prev_unspaced: Option<(&str, u32)> = None;
    for (i, t) in tokens.iter().enumerate() {
        let word = words[i];
        if let Some((m, d)) = date_at(&words, i) {
            *counts
                .bridge
                .entry(hash(&format!("@{m:02}-{d:02}")))
                .or_insert(0.0) += weight;
        }
        let first = word.chars().next().unwrap_or(' ');
        if is_unspaced(first) && word.chars().count() == 1 {
            counts.unspaced_chars += 1;
            if let Some((p, end)) = prev_unspaced {
                if end == t.start {
                    let bigram = format!("{p}{word}");
                    let key = echotrace_reuse::normalize::fold(&bigram);
                    let h = hash(&key);
                    let e = counts.terms.entry(h).or_insert((0.0, bigram));
                    e.0 += weight;
                }
            }
            prev_unspaced = Some((word, t.end));
            continue;
        }
        prev_unspaced = None;
        counts.spaced_words += 1;
        // Single letters, bare digits and stop words carry no topic.
        if word.chars().count() < 2 || stop.contains(word.to_lowercase().as_str()) {
            continue;
        }
        let e = counts.terms.entry(t.key).or_insert((0.0, word.to_string()));
        e.0 += weight;
        if is_bridge(word) {
            *counts.bridge.entry(t.key).or_insert(0.0) += weight;
        }
        if is_anchor(word) {
            let e = counts
                .anchors
                .entry(t.key)
                .or_insert((0.0, word.to_string()));
            e.0 += weight;
        }
    }
}

fn hash(s: &str) -> u64 {
    // The same 64-bit FNV-1a everywhere in this module; term ids only need to be stable within a run.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

impl TermSpace {
    /// Builds the vectors of `articles` (title twice, then body), with document frequencies counted over them.
    pub fn build(articles: &[Article], aliases: &Aliases) -> TermSpace {
        let counts = TermSpace::count(articles, aliases);
        let mut df: HashMap<u64, u32> = HashMap::new();
        for m in &counts {
            for k in m.terms() {
                *df.entry(k).or_insert(0) += 1;
            }
        }
        TermSpace::weigh(&counts, df, articles.len())
    }

    /// Each article's raw term counts (title twice, then body).
    pub fn count(articles: &[Article], aliases: &Aliases) -> Vec<TermCounts> {
        let mut stops: HashMap<&str, HashSet<&'static str>> = HashMap::new();
        for a in articles {
            stops
                .entry(a.language.as_str())
                .or_insert_with(|| stop_words_for(&a.language));
        }
        articles
            .par_iter()
            .map(|a| {
                let stop = &stops[a.language.as_str()];
                let mut m = TermCounts::default();
                if let Some(t) = &a.title {
                    count_terms(t, aliases, stop, 2.0, &mut m);
                }
                count_terms(&a.body, aliases, stop, 1.0, &mut m);
                m
            })
            .collect()
    }

    /// Weighs counts by document frequencies `df` over a corpus of `n` articles.
    ///
    /// The corpus may be larger than `counts`: a growing collection weighs
    /// the articles it re-clusters with the frequencies of all it holds.
    pub fn weigh(counts: &[TermCounts], df: HashMap<u64, u32>, n: usize) -> TermSpace {
        let mut surface: HashMap<u64, String> = HashMap::new();
        for m in counts {
            for (k, (_, s)) in &m.terms {
                surface.entry(*k).or_insert_with(|| s.clone());
            }
        }
        let n = n.max(1) as f32;
        let weigh = |m: &mut dyn Iterator<Item = (u64, f32)>| {
            let mut v: TermVector = m
                .filter_map(|(k, tf)| {
                    let d = *df.get(&k).unwrap_or(&1) as f32;
                    // Terms in more than half of a corpus of some size are function words.
                    if n >= 20.0 && d / n > 0.5 {
                        return None;
                    }
                    let idf = ((1.0 + n) / (1.0 + d)).ln() + 1.0;
                    Some((k, (1.0 + tf.ln()) * idf))
                })
                .collect();
            normalise(&mut v);
            v.sort_unstable_by_key(|x| x.0);
            v
        };
        let vectors = counts
            .par_iter()
            .map(|m| weigh(&mut m.terms.iter().map(|(k, (tf, _))| (*k, *tf))))
            .collect();
        let anchors = counts
            .par_iter()
            .map(|m| weigh(&mut m.anchors.iter().map(|(k, (tf, _))| (*k, *tf))))
            .collect();
        let bridges = counts
            .par_iter()
            .map(|m| weigh(&mut m.bridge.iter().map(|(k, tf)| (*k, *tf))))
            .collect();
        let unspaced = counts.iter().map(TermCounts::unspaced).collect();
        TermSpace {
            vectors,
            anchors,
            bridges,
            unspaced,
            df,
            surface,
        }
    }
}

fn normalise(v: &mut TermVector) {
    let norm: f32 = v.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in v.iter_mut() {
            x.1 /= norm;
        }
    }
}

/// Cosine of two normalised vectors.
pub fn cosine(a: &TermVector, b: &TermVector) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

/// Neighbours kept per article (in the later-indexed direction) by [`similar_pairs`].
pub const MAX_NEIGHBOURS: usize = 40;

/// Pairs of articles whose cosine reaches `min`, over terms in at most `max_df` documents.
pub fn similar_pairs(
    space: &TermSpace,
    vectors: &[TermVector],
    min: f32,
    max_df: u32,
) -> Vec<(usize, usize, f32)> {
    let all: Vec<usize> = (0..vectors.len()).collect();
    similar_pairs_among(space, vectors, &all, min, max_df)
}

/// [`similar_pairs`] among the articles `among` only; pairs are positions in `among`.
///
/// Each article keeps its [`MAX_NEIGHBOURS`] closest: weaker pairs barely
/// move an average and would make dense corpora quadratic in memory.
pub fn similar_pairs_among(
    space: &TermSpace,
    vectors: &[TermVector],
    among: &[usize],
    min: f32,
    max_df: u32,
) -> Vec<(usize, usize, f32)> {
    let mut postings: HashMap<u64, Vec<(u32, f32)>> = HashMap::new();
    for (i, &doc) in among.iter().enumerate() {
        for (k, w) in &vectors[doc] {
            if *space.df.get(k).unwrap_or(&0) <= max_df {
                postings.entry(*k).or_default().push((i as u32, *w));
            }
        }
    }
    let mut out: Vec<(usize, usize, f32)> = (0..among.len())
        .into_par_iter()
        .flat_map_iter(|i| {
            let mut acc: HashMap<u32, f32> = HashMap::new();
            for (k, w) in &vectors[among[i]] {
                if let Some(list) = postings.get(k) {
                    for (j, wj) in list {
                        if (*j as usize) > i {
                            *acc.entry(*j).or_insert(0.0) += w * wj;
                        }
                    }
                }
            }
            closest(acc, min).into_iter().map(move |(j, s)| (i, j, s))
        })
        .collect();
    out.sort_unstable_by_key(|x| (x.0, x.1));
    out
}

/// One article's [`MAX_NEIGHBOURS`] closest partners among accumulated scores reaching `min`: (partner, score), closest first.
fn closest(acc: HashMap<u32, f32>, min: f32) -> Vec<(usize, f32)> {
    let mut found: Vec<(usize, f32)> = acc
        .into_iter()
        .filter(|(_, s)| *s >= min)
        .map(|(j, s)| (j as usize, s))
        .collect();
    found.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    found.truncate(MAX_NEIGHBOURS);
    found
}

/// Pairs of an unspaced-script article and a spaced-script one whose bridge
/// cosine reaches `min`, over bridge keys in at most `max_df` documents
/// (lower index first); each unspaced article keeps its [`MAX_NEIGHBOURS`] closest.
pub fn cross_script_pairs(space: &TermSpace, min: f32, max_df: u32) -> Vec<(usize, usize, f32)> {
    let mut postings: HashMap<u64, Vec<(u32, f32)>> = HashMap::new();
    for (doc, v) in space.bridges.iter().enumerate() {
        if space.unspaced.get(doc).copied().unwrap_or(false) {
            continue;
        }
        for (k, w) in v {
            if *space.df.get(k).unwrap_or(&0) <= max_df {
                postings.entry(*k).or_default().push((doc as u32, *w));
            }
        }
    }
    let queries: Vec<usize> = (0..space.bridges.len())
        .filter(|&i| space.unspaced.get(i).copied().unwrap_or(false))
        .collect();
    let mut out: Vec<(usize, usize, f32)> = queries
        .into_par_iter()
        .flat_map_iter(|i| {
            let mut acc: HashMap<u32, f32> = HashMap::new();
            for (k, w) in &space.bridges[i] {
                for (j, wj) in postings.get(k).map(Vec::as_slice).unwrap_or(&[]) {
                    *acc.entry(*j).or_insert(0.0) += w * wj;
                }
            }
            closest(acc, min)
                .into_iter()
                .map(move |(j, s)| (i.min(j), i.max(j), s))
        })
        .collect();
    out.sort_unstable_by_key(|x| (x.0, x.1));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn art(title: &str, body: &str) -> Article {
        Article {
            title: Some(title.into()),
            body: body.into(),
            ..Default::default()
        }
    }

    #[test]
    fn related_articles_are_closer_than_unrelated() {
        let arts = vec![
            art("Floods hit the northern province", "Heavy floods hit the northern province on Monday, displacing thousands of residents."),
            art("Thousands displaced by floods", "Thousands of residents were displaced when floods hit the northern province."),
            art("Central bank raises rates", "The central bank raised interest rates by half a point to fight inflation."),
        ];
        let s = TermSpace::build(&arts, &Aliases::builtin());
        let near = cosine(&s.vectors[0], &s.vectors[1]);
        let far = cosine(&s.vectors[0], &s.vectors[2]);
        assert!(near > 0.3 && far < 0.15, "near {near} far {far}");
        let pairs = similar_pairs(&s, &s.vectors, 0.3, 100);
        assert_eq!(
            pairs.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>(),
            vec![(0, 1)]
        );
    }

    #[test]
    fn chinese_text_becomes_bigrams() {
        let arts = vec![
            art("韩国已寻国际刑警帮助", "韩国已寻国际刑警帮助逮捕创办者"),
            art("国际刑警", "国际刑警发出红色通缉令"),
        ];
        let s = TermSpace::build(&arts, &Aliases::builtin());
        assert!(s.surface.values().any(|t| t == "刑警"));
        assert!(cosine(&s.vectors[0], &s.vectors[1]) > 0.1);
    }

    #[test]
    fn dates_are_one_key_across_scripts() {
        let words = [
            "9",
            "月",
            "22",
            "日",
            "Sep",
            "22",
            "22",
            "September",
            "may",
            "be",
            "13",
            "月",
            "1",
            "日",
        ];
        assert_eq!(date_at(&words, 0), Some((9, 22)));
        assert_eq!(date_at(&words, 4), Some((9, 22)));
        assert_eq!(date_at(&words, 6), Some((9, 22)));
        assert_eq!(date_at(&words, 8), None, "a modal verb is no month");
        assert_eq!(date_at(&words, 10), None, "there is no 13th month");
    }

    #[test]
    fn a_chinese_report_meets_its_english_source_by_figures_names_and_dates() {
        let arts = vec![
            art(
                "新加坡科学家开发出血液检测试剂盒",
                "该工具包由SMART和南洋理工大学(NTU)开发，可在10分钟内检测，准确率高达93%。周四(9月22日)发布。",
            ),
            art(
                "Singapore scientists develop blood test kit",
                "A team from SMART and NTU developed a kit that tells immunity in 10 minutes with 93 per cent accuracy, they said on Thursday (Sep 22).",
            ),
            art(
                "Floods hit the northern province",
                "Heavy floods hit the northern province on Monday (Oct 3), displacing 4,000 residents, the NDMA said.",
            ),
        ];
        let s = TermSpace::build(&arts, &Aliases::builtin());
        assert_eq!(s.unspaced, vec![true, false, false]);
        let date = hash("@09-22");
        assert!(s.bridges[..2].iter().all(|v| v.iter().any(|x| x.0 == date)));
        let pairs = cross_script_pairs(&s, 0.05, 100);
        assert_eq!(
            pairs.iter().map(|p| (p.0, p.1)).collect::<Vec<_>>(),
            vec![(0, 1)]
        );
        assert!(pairs[0].2 > 0.5, "{pairs:?}");
    }
}
