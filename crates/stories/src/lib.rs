//! Stories: which articles tell the same story, and which stories cite others.
//!
//! Two articles are close when they share text (the reuse stage's passages)
//! or words (a TF-IDF cosine over normalised terms), and they can only be one
//! story when their dates fall within a window. Average-linkage clustering
//! ([`cluster`]) turns those affinities into stories. A story *cites* another
//! when one of its articles shares a passage with the other story's articles
//! but the two cannot be one story (their dates are months apart): an article
//! recalling an earlier statement is a link between stories, not a merge.
//!
//! A growing collection re-clusters only a neighbourhood: its new articles
//! and the stories they touch ([`build_in`], with the collection's document
//! frequencies); the rest keep their stories. A story is named after its
//! earliest-added member (`a17` -> `s17`), so its id survives the growth.

pub mod cluster;
pub mod terms;
pub mod time;

use std::collections::{BTreeSet, HashMap};

use echotrace_model::{Article, Passage, Story};
use echotrace_reuse::Aliases;

pub use terms::{cosine, TermCounts, TermSpace, TermVector};
pub use time::DateKey;

/// Settings of the stories stage.
#[derive(Debug, Clone, Copy)]
pub struct StoryParams {
    /// Average affinity two clusters need to merge.
    pub threshold: f32,
    /// Days two articles of one story may lie apart.
    pub window_days: i64,
    /// Shared-text coverage (of the shorter body) at which reuse alone makes a pair as close as identical words.
    pub reuse_full: f32,
    /// Weight of the anchor cosine (names and figures only) against the full term cosine.
    pub anchor_weight: f32,
    /// Weight of the bridge cosine (figures, dates and capitalised names, across scripts only).
    pub bridge_weight: f32,
    /// Document-vector cosine across languages from which a pair gets affinity, and at which it is full.
    pub document_band: (f32, f32),
    /// How much a byte of re-worded or translated text counts against a byte of copied text in reuse coverage.
    pub translation_weight: f32,
    /// A learned affinity over the pair's channels; none: the strongest channel is the affinity.
    pub pair_model: Option<PairModel>,
}

/// Number of inputs a [`PairModel`] weighs (see [`PairModel::inputs`]).
pub const PAIR_INPUTS: usize = 9;

/// What two articles share, channel by channel, before the channels are combined.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PairChannels {
    /// TF-IDF cosine over all terms.
    pub term: f32,
    /// TF-IDF cosine over anchors (names, acronyms, figures).
    pub anchor: f32,
    /// Shared-text coverage, 1.0 at `reuse_full`.
    pub reuse: f32,
    /// Multilingual document-vector affinity (0 without a model).
    pub document: f32,
    /// Bridge cosine (figures, dates, capitalised names) between articles in different scripts; 0 within a script.
    pub bridge: f32,
    /// Whether the two articles are in different known languages.
    pub cross_language: bool,
}

/// A logistic model of "one story" over a pair's channels, learned from clustered articles.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairModel {
    /// Intercept.
    pub bias: f32,
    /// One weight per input of [`PairModel::inputs`].
    pub weights: [f32; PAIR_INPUTS],
}

impl PairModel {
    /// The model's inputs for a pair: the channels, their square roots, and the anchor cosine across languages.
    pub fn inputs(c: &PairChannels) -> [f32; PAIR_INPUTS] {
        let cross = if c.cross_language { 1.0 } else { 0.0 };
        [
            c.term,
            c.anchor,
            c.reuse,
            c.document,
            c.term.sqrt(),
            c.anchor.sqrt(),
            c.anchor * cross,
            c.bridge,
            c.bridge.sqrt(),
        ]
    }

    /// The probability that the pair is one story.
    pub fn affinity(&self, c: &PairChannels) -> f32 {
        let z: f32 = self.bias
            + Self::inputs(c)
                .iter()
                .zip(&self.weights)
                .map(|(x, w)| x * w)
                .sum::<f32>();
        1.0 / (1.0 + (-z).exp())
    }
}

impl Default for StoryParams {
    fn default() -> Self {
        StoryParams {
            threshold: 0.25,
            window_days: 30,
            reuse_full: 0.25,
            anchor_weight: 1.0,
            bridge_weight: 2.0,
            document_band: (DOCUMENT_LOW, DOCUMENT_HIGH),
            translation_weight: 0.0,
            pair_model: None,
        }
    }
}

/// Affinity from shared passages: bytes of the shorter body covered, scaled so
/// `reuse_full` coverage counts as certain.
fn reuse_affinity(
    articles: &[Article],
    passages: &[Passage],
    params: &StoryParams,
) -> HashMap<(usize, usize), f32> {
    let index: HashMap<&str, usize> = articles
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    // Per pair and side: spans of copied text, then spans of re-worded or translated text.
    type Sides = [[Vec<(usize, usize)>; 2]; 2];
    let mut spans: HashMap<(usize, usize), Sides> = HashMap::new();
    for p in passages {
        let (Some(&x), Some(&y)) = (
            index.get(p.a.article.as_str()),
            index.get(p.b.article.as_str()),
        ) else {
            continue;
        };
        if x == y {
            continue;
        }
        let (key, sx, sy) = if x < y {
            ((x, y), (p.a.start, p.a.end), (p.b.start, p.b.end))
        } else {
            ((y, x), (p.b.start, p.b.end), (p.a.start, p.a.end))
        };
        let kind = usize::from(p.kind == echotrace_model::PassageKind::Translation);
        let e = spans.entry(key).or_default();
        e[0][kind].push(sx);
        e[1][kind].push(sy);
    }
    spans
        .into_iter()
        .map(|((x, y), [sx, sy])| {
            let side = |[copied, reworded]: [Vec<(usize, usize)>; 2], at: usize| {
                let len = articles[at].body.len().max(1) as f32;
                (covered(copied) as f32 + params.translation_weight * covered(reworded) as f32)
                    / len
            };
            let cov = side(sx, x).max(side(sy, y));
            ((x, y), (cov / params.reuse_full).min(1.0))
        })
        .collect()
}

/// Bytes covered by a set of possibly overlapping ranges.
pub fn covered(mut ranges: Vec<(usize, usize)>) -> usize {
    ranges.sort_unstable();
    let (mut total, mut end) = (0usize, 0usize);
    for (s, e) in ranges {
        let s = s.max(end);
        if e > s {
            total += e - s;
            end = e;
        }
    }
    total
}

/// Documents a term may appear in and still count for similarity.
///
/// Terms in more articles than this carry little sign of one story and make
/// the term pass quadratic; the cut-off grows with the corpus up to a fixed cap.
pub fn term_max_df(n: usize) -> u32 {
    (n as u32 / 50).clamp(50, 200)
}

/// Affinity by article pair (lower index first).
type Affinities = HashMap<(usize, usize), f32>;

/// Stories as clusters of article indices, with the affinities that made them (by article pair).
///
/// Echoes first: articles whose affinity from shared text (or, with a
/// multilingual model, from document vectors) is saturated (1.0: they share
/// a quarter of a body) are joined transitively while their dates allow. A
/// wire story carried by 300 outlets is aligned member by member against its
/// representative, not pair by pair, so its members are tied by a star of
/// passages, not a clique; averaging over the star would split it. Joined
/// this way it is one node, and it counts as one voice: average linkage runs
/// over nodes, weighing two nodes by their strongest tie. (Term similarity
/// between the articles themselves; tried between each node's first article
/// only, clustering F1 on the development set fell from 0.706 to 0.680.)
///
/// `frozen` groups (a growing collection's large stories: a sample of their
/// members, and how many members they have) are one node each from the
/// start, standing for all their members: its tie to another node is the
/// sample's average tie (capped at 1) times the story's size, and average
/// linkage weighs it by that size. A new article joins a large story by its
/// average affinity to the members, as it would in one batch.
fn cluster_articles(
    articles: &[Article],
    passages: &[Passage],
    space: &TermSpace,
    params: &StoryParams,
    documents: Option<&[Vec<f32>]>,
    frozen: &[(Vec<usize>, usize)],
) -> (Vec<Vec<usize>>, Affinities) {
    let dates: Vec<DateKey> = articles
        .iter()
        .map(|a| DateKey::of(a.published.as_ref()))
        .collect();
    let mut affinity = reuse_affinity(articles, passages, params);
    if let Some(vectors) = documents {
        for (a, b, w) in document_affinities(articles, vectors, params.document_band) {
            let e = affinity.entry((a, b)).or_insert(0.0);
            *e = e.max(w);
        }
    }
    let nodes = EchoNodes::join(&dates, &affinity, frozen, params.window_days);
    let term_pairs = match &params.pair_model {
        Some(model) => {
            let channels = pair_channels(articles, passages, space, params, documents);
            affinity = channels
                .iter()
                .map(|&(a, b, c)| ((a, b), model.affinity(&c)))
                .collect();
            Vec::new()
        }
        None => similar_terms(space, params, articles.len()),
    };
    let node_pairs = nodes.ties(&affinity, &term_pairs);
    for (x, y, w) in term_pairs {
        let e = affinity.entry((x.min(y), x.max(y))).or_insert(0.0);
        *e = e.max(w);
    }
    let clusters = nodes.link(&node_pairs, &dates, params);
    (clusters, affinity)
}

/// Every candidate pair (lower index first) with what it shares, channel by channel.
///
/// Candidates are the pairs the term or anchor index finds (cosine at least
/// 0.08 among each article's closest) and the pairs that share text or, with
/// document vectors, lie close across languages.
pub fn pair_channels(
    articles: &[Article],
    passages: &[Passage],
    space: &TermSpace,
    params: &StoryParams,
    documents: Option<&[Vec<f32>]>,
) -> Vec<(usize, usize, PairChannels)> {
    let max_df = term_max_df(articles.len());
    let mut by: HashMap<(usize, usize), PairChannels> = HashMap::new();
    let key = |a: usize, b: usize| (a.min(b), a.max(b));
    for (a, b, w) in terms::similar_pairs(space, &space.vectors, 0.08, max_df) {
        by.entry(key(a, b)).or_default().term = w;
    }
    for (a, b, w) in terms::similar_pairs(space, &space.anchors, 0.08, max_df) {
        by.entry(key(a, b)).or_default().anchor = w;
    }
    for (a, b, w) in terms::cross_script_pairs(space, BRIDGE_MIN, max_df) {
        by.entry(key(a, b)).or_default().bridge = w;
    }
    for ((a, b), w) in reuse_affinity(articles, passages, params) {
        by.entry((a, b)).or_default().reuse = w;
    }
    if let Some(vectors) = documents {
        for (a, b, w) in document_affinities(articles, vectors, params.document_band) {
            by.entry((a, b)).or_default().document = w;
        }
    }
    let known = |i: usize| !articles[i].language.is_empty() && articles[i].language != "und";
    let mut out: Vec<(usize, usize, PairChannels)> = by
        .into_iter()
        .map(|((a, b), mut c)| {
            // A pair found by one channel only still has the other cosines.
            if c.term == 0.0 {
                c.term = cosine(&space.vectors[a], &space.vectors[b]);
            }
            if c.anchor == 0.0 {
                c.anchor = cosine(&space.anchors[a], &space.anchors[b]);
            }
            if c.bridge == 0.0 && space.unspaced[a] != space.unspaced[b] {
                c.bridge = cosine(&space.bridges[a], &space.bridges[b]);
            }
            c.cross_language = known(a) && known(b) && articles[a].language != articles[b].language;
            (a, b, c)
        })
        .collect();
    out.sort_unstable_by_key(|x| (x.0, x.1));
    out
}

/// Smallest bridge cosine a cross-script pair needs to be a candidate.
pub const BRIDGE_MIN: f32 = 0.05;

/// Term, anchor and bridge similarity between articles, the anchors' and
/// bridges' weighed by `params.anchor_weight` and `params.bridge_weight` (at most 1).
fn similar_terms(space: &TermSpace, params: &StoryParams, n: usize) -> Vec<(usize, usize, f32)> {
    let max_df = term_max_df(n);
    let mut term_pairs = terms::similar_pairs(space, &space.vectors, 0.08, max_df);
    if params.anchor_weight > 0.0 {
        for (a, b, w) in terms::similar_pairs(space, &space.anchors, 0.08, max_df) {
            term_pairs.push((a, b, w * params.anchor_weight));
        }
    }
    if params.bridge_weight > 0.0 {
        for (a, b, w) in terms::cross_script_pairs(space, BRIDGE_MIN, max_df) {
            term_pairs.push((a, b, (w * params.bridge_weight).min(1.0)));
        }
    }
    term_pairs
}

/// Union-find over articles; each root keeps the date keys of its set.
struct DatedSets {
    parent: Vec<usize>,
    keys: Vec<Vec<DateKey>>,
}

impl DatedSets {
    /// The root of `x`'s set (halving the path on the way).
    fn find(&mut self, mut x: usize) -> usize {
        let p = &mut self.parent;
        while p[x] != x {
            p[x] = p[p[x]];
            x = p[x];
        }
        x
    }

    /// Moves root `rb`'s set, with its date keys, under root `ra`.
    fn merge(&mut self, ra: usize, rb: usize) {
        let moved = std::mem::take(&mut self.keys[rb]);
        for k in moved {
            if !self.keys[ra].contains(&k) {
                self.keys[ra].push(k);
            }
        }
        self.parent[rb] = ra;
    }
}

/// Articles joined into echo nodes, the units average linkage runs over.
struct EchoNodes {
    /// Each node's articles, in article order.
    members: Vec<Vec<usize>>,
    /// Each article's node.
    node_of: Vec<usize>,
    /// A frozen node's sample size and story size; (0, 0) for the others.
    frozen_of: Vec<(usize, usize)>,
}

impl EchoNodes {
    /// Joins each frozen group into one node, then the saturated pairs (affinity 1) within the date window.
    fn join(
        dates: &[DateKey],
        affinity: &Affinities,
        frozen: &[(Vec<usize>, usize)],
        window: i64,
    ) -> EchoNodes {
        let n = dates.len();
        let mut sets = DatedSets {
            parent: (0..n).collect(),
            keys: (0..n).map(|i| date_keys(&[i], dates)).collect(),
        };
        let mut frozen_size = vec![(0usize, 0usize); n];
        for (group, stands_for) in frozen {
            let Some(&first) = group.first() else {
                continue;
            };
            for &m in &group[1..] {
                let (ra, rb) = (sets.find(first), sets.find(m));
                if ra != rb {
                    sets.merge(ra, rb);
                }
            }
            frozen_size[sets.find(first)] = (group.len(), (*stands_for).max(group.len()));
        }
        let mut saturated: Vec<(usize, usize)> = affinity
            .iter()
            .filter(|(_, &w)| w >= 1.0)
            .map(|(&k, _)| k)
            .collect();
        saturated.sort_unstable();
        for (a, b) in saturated {
            let (ra, rb) = (sets.find(a), sets.find(b));
            if ra == rb || !within_window(&sets.keys[ra], &sets.keys[rb], window) {
                continue;
            }
            sets.merge(ra, rb);
        }
        let mut node_of = vec![usize::MAX; n];
        let mut members: Vec<Vec<usize>> = Vec::new();
        for i in 0..n {
            let r = sets.find(i);
            if node_of[r] == usize::MAX {
                node_of[r] = members.len();
                members.push(Vec::new());
            }
            node_of[i] = node_of[r];
            members[node_of[i]].push(i);
        }
        let mut frozen_of = vec![(0usize, 0usize); members.len()];
        for (r, &size) in frozen_size.iter().enumerate() {
            if size.0 > 0 {
                frozen_of[node_of[r]] = size;
            }
        }
        EchoNodes {
            members,
            node_of,
            frozen_of,
        }
    }

    /// Ties between nodes, ordered by node pair: per article pair the strongest
    /// channel; per node pair the strongest tie, or the average over a frozen
    /// node's members (capped at 1) times the size it stands for.
    fn ties(
        &self,
        affinity: &Affinities,
        term_pairs: &[(usize, usize, f32)],
    ) -> Vec<(usize, usize, f32)> {
        let (node_of, frozen_of) = (&self.node_of, &self.frozen_of);
        let mut pair_best: HashMap<(usize, usize), f32> = HashMap::new();
        for (&(a, b), &w) in affinity {
            let e = pair_best.entry((a, b)).or_insert(0.0);
            *e = e.max(w);
        }
        for &(x, y, w) in term_pairs {
            let e = pair_best.entry((x.min(y), x.max(y))).or_insert(0.0);
            *e = e.max(w);
        }
        let mut best: HashMap<(usize, usize), f32> = HashMap::new();
        let mut summed: HashMap<(usize, usize), f32> = HashMap::new();
        for (&(a, b), &w) in &pair_best {
            let (x, y) = (node_of[a], node_of[b]);
            if x == y {
                continue;
            }
            let key = (x.min(y), x.max(y));
            if frozen_of[x].0 > 0 || frozen_of[y].0 > 0 {
                *summed.entry(key).or_insert(0.0) += w;
            } else {
                let e = best.entry(key).or_insert(0.0);
                *e = e.max(w);
            }
        }
        for ((x, y), total) in summed {
            let sampled = frozen_of[x].0.max(1) * frozen_of[y].0.max(1);
            let stands_for = frozen_of[x].1.max(1) * frozen_of[y].1.max(1);
            best.insert(
                (x, y),
                (total / sampled as f32).min(1.0) * stands_for as f32,
            );
        }
        let mut node_pairs: Vec<(usize, usize, f32)> =
            best.into_iter().map(|((a, b), w)| (a, b, w)).collect();
        node_pairs.sort_unstable_by_key(|x| (x.0, x.1));
        node_pairs
    }

    /// Average linkage over the nodes (weighed by the size each stands for) within
    /// the date window; each cluster as its articles, in article order.
    fn link(
        &self,
        node_pairs: &[(usize, usize, f32)],
        dates: &[DateKey],
        params: &StoryParams,
    ) -> Vec<Vec<usize>> {
        let sizes: Vec<f32> = self.frozen_of.iter().map(|f| f.1.max(1) as f32).collect();
        let node_keys: Vec<Vec<DateKey>> =
            self.members.iter().map(|m| date_keys(m, dates)).collect();
        let compatible = |a: &[usize], b: &[usize]| {
            let ka: Vec<DateKey> = a
                .iter()
                .flat_map(|&x| node_keys[x].iter().copied())
                .collect();
            let kb: Vec<DateKey> = b
                .iter()
                .flat_map(|&x| node_keys[x].iter().copied())
                .collect();
            within_window(
                &date_keys_dedup(ka),
                &date_keys_dedup(kb),
                params.window_days,
            )
        };
        cluster::average_linkage_sized(
            self.members.len(),
            &sizes,
            node_pairs,
            params.threshold,
            &compatible,
        )
        .into_iter()
        .map(|c| {
            let mut m: Vec<usize> = c
                .iter()
                .flat_map(|&x| self.members[x].iter().copied())
                .collect();
            m.sort_unstable();
            m
        })
        .collect()
    }
}

/// Cosine of two multilingual document vectors below which articles of different languages get no affinity.
pub const DOCUMENT_LOW: f32 = 0.82;
/// Cosine at which two articles of different languages are as close as identical words.
pub const DOCUMENT_HIGH: f32 = 0.90;

/// Affinities of article pairs in different languages from multilingual document vectors (unit length).
///
/// The lexical channels cannot see a translation; a multilingual model's
/// vectors of each article's title and opening can. Same-language pairs are
/// left to the lexical channels. The cosine is mapped linearly from
/// [`DOCUMENT_LOW`] (no affinity) to [`DOCUMENT_HIGH`] (full affinity): the
/// band calibrated for multilingual-e5-small, where most same-event pairs and
/// few others lie (`eval --set clustering` with that model prints the
/// distribution, and chooses the band by cross-validation). `band` is
/// (low, high); pairs below `band.0` are never returned.
pub fn document_affinities(
    articles: &[Article],
    vectors: &[Vec<f32>],
    band: (f32, f32),
) -> Vec<(usize, usize, f32)> {
    let n = articles.len().min(vectors.len());
    let known = |i: usize| !articles[i].language.is_empty() && articles[i].language != "und";
    let (low, high) = (band.0, band.1.max(band.0 + 1e-3));
    let affinity = |i: usize, j: usize| {
        let cos: f32 = vectors[i].iter().zip(&vectors[j]).map(|(x, y)| x * y).sum();
        ((cos - low) / (high - low)).min(1.0)
    };
    let mut pairs: Vec<(usize, usize)> = candidate_documents(articles, vectors, n, low, &known);
    pairs.sort_unstable();
    pairs.dedup();
    pairs
        .into_iter()
        .filter_map(|(i, j)| {
            let a = affinity(i, j);
            (a > 0.0).then_some((i, j, a))
        })
        .collect()
}

/// Nearest documents of other languages kept per article and language ([`document_affinities`]).
pub const DOCUMENT_NEIGHBOURS: usize = 16;

/// Pairs of articles in different languages whose document vectors may lie close (lower index first).
///
/// With the `embed` feature: each article's [`DOCUMENT_NEIGHBOURS`] nearest
/// per other language, from an HNSW index over vectors quantised to 8 bits
/// (a little below the band's low end, so that quantisation loses no pair
/// the exact cosine keeps); the cost follows the corpus, not its square.
/// Without it (no model can be loaded then; only tests hand in vectors):
/// every cross-language pair.
#[cfg(feature = "embed")]
fn candidate_documents(
    articles: &[Article],
    vectors: &[Vec<f32>],
    n: usize,
    low: f32,
    known: &(dyn Fn(usize) -> bool + Sync),
) -> Vec<(usize, usize)> {
    use echotrace_reuse::sentence_index::{quantise, SentenceIndex};
    use rayon::prelude::*;
    let mut index = SentenceIndex::new();
    index.insert(
        (0..n)
            .filter(|&i| known(i))
            .map(|i| {
                (
                    i as u32,
                    articles[i].language.clone(),
                    quantise(&vectors[i]),
                )
            })
            .collect(),
    );
    (0..n)
        .into_par_iter()
        .flat_map_iter(|i| {
            index
                .near_in_other_languages(i as u32, DOCUMENT_NEIGHBOURS, low - 0.02)
                .into_iter()
                .map(move |(j, _)| (i.min(j as usize), i.max(j as usize)))
        })
        .collect()
}

#[cfg(not(feature = "embed"))]
fn candidate_documents(
    articles: &[Article],
    _vectors: &[Vec<f32>],
    n: usize,
    _low: f32,
    known: &(dyn Fn(usize) -> bool + Sync),
) -> Vec<(usize, usize)> {
    (0..n)
        .flat_map(|i| {
            (i + 1..n)
                .filter(move |&j| {
                    known(i) && known(j) && articles[i].language != articles[j].language
                })
                .map(move |j| (i, j))
        })
        .collect()
}

/// One unit vector per article from a sentence model: its title and first two sentences (at most 600 bytes).
pub fn document_vectors<A: std::borrow::Borrow<Article>>(
    articles: &[A],
    embedder: &dyn echotrace_reuse::SentenceEmbedder,
) -> Result<Vec<Vec<f32>>, echotrace_reuse::EmbedError> {
    let texts: Vec<String> = articles
        .iter()
        .map(|a| {
            let a = a.borrow();
            let mut t = a.title.clone().unwrap_or_default();
            for (s, e) in echotrace_language::sentences(&a.body).into_iter().take(2) {
                if !t.is_empty() {
                    t.push_str(". ");
                }
                t.push_str(&a.body[s..e]);
            }
            let mut cut = t.len().min(600);
            while !t.is_char_boundary(cut) {
                cut -= 1;
            }
            t.truncate(cut);
            t
        })
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let mut out = Vec::with_capacity(refs.len());
    for chunk in refs.chunks(32) {
        for mut v in embedder.embed(chunk)? {
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-9);
            v.iter_mut().for_each(|x| *x /= norm);
            out.push(v);
        }
    }
    Ok(out)
}

/// Clusters articles into stories, links stories that cite each other, and labels them.
pub fn build(
    articles: &[Article],
    passages: &[Passage],
    aliases: &Aliases,
    params: &StoryParams,
) -> Vec<Story> {
    build_with(articles, passages, aliases, params, None)
}

/// [`build`], with multilingual document vectors (one per article) joining articles across languages.
pub fn build_with(
    articles: &[Article],
    passages: &[Passage],
    aliases: &Aliases,
    params: &StoryParams,
    documents: Option<&[Vec<f32>]>,
) -> Vec<Story> {
    let space = TermSpace::build(articles, aliases);
    build_in(articles, passages, &space, params, documents)
}

/// [`build_with`] over a term space made beforehand (one vector per article, in order).
///
/// A growing collection passes the articles it re-clusters, weighed by the
/// document frequencies of everything it holds ([`TermSpace::weigh`]).
pub fn build_in(
    articles: &[Article],
    passages: &[Passage],
    space: &TermSpace,
    params: &StoryParams,
    documents: Option<&[Vec<f32>]>,
) -> Vec<Story> {
    build_frozen(articles, passages, space, params, documents, &[])
}

/// [`build_in`], with `frozen` groups of articles (indices) kept together as one node each (see [`cluster_articles`]).
pub fn build_frozen(
    articles: &[Article],
    passages: &[Passage],
    space: &TermSpace,
    params: &StoryParams,
    documents: Option<&[Vec<f32>]>,
    frozen: &[(Vec<usize>, usize)],
) -> Vec<Story> {
    let (clusters, affinity) =
        cluster_articles(articles, passages, space, params, documents, frozen);
    let dates: Vec<DateKey> = articles
        .iter()
        .map(|a| DateKey::of(a.published.as_ref()))
        .collect();
    assemble(articles, passages, space, &clusters, &dates, &affinity)
}

/// The id of a story whose earliest-added member is `article` (`a17` -> `s17`).
pub fn story_id(article: &Article, index: usize) -> String {
    match article.id.strip_prefix('a') {
        Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => format!("s{n}"),
        _ => format!("s{index}"),
    }
}

/// Distinct date keys of a set of articles: what the date-window check needs of it.
fn date_keys(members: &[usize], dates: &[DateKey]) -> Vec<DateKey> {
    let mut keys: Vec<DateKey> = Vec::new();
    for &m in members {
        if dates[m] != DateKey::Unknown && !keys.contains(&dates[m]) {
            keys.push(dates[m]);
        }
    }
    keys
}

/// Whether two sets of date keys all lie within `window` days of each other.
fn within_window(a: &[DateKey], b: &[DateKey], window: i64) -> bool {
    a.iter()
        .all(|&x| b.iter().all(|&y| x.distance(y).is_none_or(|d| d <= window)))
}

fn date_keys_dedup(mut keys: Vec<DateKey>) -> Vec<DateKey> {
    let mut out: Vec<DateKey> = Vec::with_capacity(keys.len());
    for k in keys.drain(..) {
        if !out.contains(&k) {
            out.push(k);
        }
    }
    out
}

/// Turns clusters of article indices into labelled, ordered stories with cites.
fn assemble(
    articles: &[Article],
    passages: &[Passage],
    space: &TermSpace,
    clusters: &[Vec<usize>],
    dates: &[DateKey],
    affinity: &HashMap<(usize, usize), f32>,
) -> Vec<Story> {
    let aff = |a: usize, b: usize| {
        let k = if a < b { (a, b) } else { (b, a) };
        affinity.get(&k).copied().unwrap_or(0.0)
    };
    let first_day = |m: &[usize]| m.iter().filter_map(|&i| dates[i].day()).min();
    let mut ordered: Vec<Vec<usize>> = clusters.to_vec();
    ordered.sort_by_key(|m| (first_day(m).is_none(), first_day(m), m[0]));
    let mut story_of = vec![0usize; articles.len()];
    for (s, m) in ordered.iter().enumerate() {
        for &i in m {
            story_of[i] = s;
        }
    }
    let mut stories: Vec<Story> = ordered
        .iter()
        .enumerate()
        .map(|(s, m)| {
            let mut members = m.clone();
            members.sort_by_key(|&i| (dates[i].day().is_none(), dates[i].day(), i));
            let medoid = *m
                .iter()
                .max_by(|&&x, &&y| {
                    let sx: f32 = m.iter().map(|&o| aff(x, o)).sum();
                    let sy: f32 = m.iter().map(|&o| aff(y, o)).sum();
                    sx.total_cmp(&sy).then(y.cmp(&x))
                })
                .unwrap_or(&m[0]);
            let terms = top_terms(space, m, 6);
            let label = articles[medoid]
                .title
                .clone()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| terms.join(" · "));
            let first_seen = members
                .iter()
                .find(|&&i| dates[i].day().is_some())
                .and_then(|&i| articles[i].published.as_ref().map(|p| p.value));
            // Named after its earliest-added member: articles are only ever
            // appended, so the id survives a growing collection as long as
            // that article stays in the story.
            let first = m.iter().min().copied().unwrap_or(s);
            Story {
                id: story_id(&articles[first], first),
                label,
                articles: members.iter().map(|&i| articles[i].id.clone()).collect(),
                first_seen,
                cites: Vec::new(),
                terms,
                independent_outlets: 0,
            }
        })
        .collect();
    for (s, cited) in cites(articles, passages, &story_of, dates, &ordered) {
        let id = stories[cited].id.clone();
        if !stories[s].cites.contains(&id) {
            stories[s].cites.push(id);
        }
    }
    stories
}

/// The most telling terms of a cluster: heaviest summed weight, shared by two members when it has two.
fn top_terms(space: &TermSpace, members: &[usize], k: usize) -> Vec<String> {
    let mut sum: HashMap<u64, (f32, u32)> = HashMap::new();
    for &i in members {
        for (t, w) in &space.vectors[i] {
            let e = sum.entry(*t).or_insert((0.0, 0));
            e.0 += w;
            e.1 += 1;
        }
    }
    let need = if members.len() > 1 { 2 } else { 1 };
    let mut v: Vec<(u64, f32)> = sum
        .into_iter()
        .filter(|(_, (_, c))| *c >= need)
        .map(|(t, (w, _))| (t, w))
        .collect();
    v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut seen = BTreeSet::new();
    v.into_iter()
        .filter_map(|(t, _)| space.surface.get(&t).cloned())
        .filter(|s| seen.insert(s.to_lowercase()))
        .take(k)
        .collect()
}

/// `(citing story, cited story)` for each pair of stories joined by a passage.
///
/// The later story cites the earlier; when a date is missing, the story whose
/// article gives the shared text the smaller share of its body is the one recalling it.
fn cites(
    articles: &[Article],
    passages: &[Passage],
    story_of: &[usize],
    dates: &[DateKey],
    stories: &[Vec<usize>],
) -> Vec<(usize, usize)> {
    let index: HashMap<&str, usize> = articles
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let first_day = |s: usize| stories[s].iter().filter_map(|&i| dates[i].day()).min();
    let mut out = BTreeSet::new();
    for p in passages {
        let (Some(&x), Some(&y)) = (
            index.get(p.a.article.as_str()),
            index.get(p.b.article.as_str()),
        ) else {
            continue;
        };
        let (sx, sy) = (story_of[x], story_of[y]);
        if sx == sy {
            continue;
        }
        let pair = match (first_day(sx), first_day(sy)) {
            (Some(dx), Some(dy)) if dx != dy => {
                if dx > dy {
                    (sx, sy)
                } else {
                    (sy, sx)
                }
            }
            _ => {
                let fx = (p.a.end - p.a.start) as f64 / articles[x].body.len().max(1) as f64;
                let fy = (p.b.end - p.b.start) as f64 / articles[y].body.len().max(1) as f64;
                if fx <= fy {
                    (sx, sy)
                } else {
                    (sy, sx)
                }
            }
        };
        out.insert(pair);
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn document_vectors_join_translations_only() {
        let art = |id: &str, lang: &str| Article {
            id: id.into(),
            language: lang.into(),
            ..Default::default()
        };
        let arts = vec![
            art("a0", "en"),
            art("a1", "zh"),
            art("a2", "en"),
            art("a3", "und"),
        ];
        let unit = |c: f32| vec![c, (1.0 - c * c).sqrt()];
        let vectors = vec![vec![1.0, 0.0], unit(0.95), unit(0.99), unit(0.99)];
        let band = (DOCUMENT_LOW, DOCUMENT_HIGH);
        let found = document_affinities(&arts, &vectors, band);
        // en-zh close: full affinity; en-en is left to the lexical channels; unknown languages are skipped.
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().any(|&(a, b, s)| (a, b) == (0, 1) && s >= 1.0));
        assert!(found.iter().any(|&(a, b, _)| (a, b) == (1, 2)));
        let far = vec![vec![1.0, 0.0], unit(0.5)];
        assert!(document_affinities(&arts[..2], &far, band).is_empty());
    }
}
