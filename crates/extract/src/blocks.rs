//! The page's main text from its own parse: blocks of the DOM, kept or dropped by a learned model.
//!
//! The DOM (the one `scraper` tree the metadata is read from) is cut into blocks: the text
//! between the opening and closing of block-level elements (`p`, `div`, `li`, `h2`, `td`, ...),
//! scripts, styles, forms' controls and embedded media left out. Each block is described by
//! hashed sparse features: its length, how much of it sits inside links, its element and the
//! elements around it, the `class` and `id` words of its ancestors, where it sits on the page,
//! how much of the text of its parent and grandparent elements is paragraph text, its
//! neighbours' length and link density, its punctuation. A logistic model over those features
//! ([`BlockModel`], shipped as `data/blocks.bin`) gives each block the probability that it is
//! article text; a second pass reads the first pass's probabilities of the neighbouring
//! blocks and of the same containers, so that a lone short line inside the article is kept
//! and a lone long line inside a sidebar is not. Both passes are fitted on the development
//! pages by `echotrace eval --set blocks`, which scores them leaving one body set out.
//!
//! Hand-written because no crate segments a DOM into features for a learned classifier; the
//! model itself is a plain logistic regression fitted by a few lines of AdaGrad.

use std::collections::HashMap;

use ego_tree::iter::Edge;
use scraper::{Html, Node};
use xxhash_rust::xxh3::xxh3_64_with_seed;

/// Number of bits of a hashed feature id.
pub const DIM_BITS: u32 = 20;
const MASK: u32 = (1 << DIM_BITS) - 1;

/// Elements whose opening or closing ends a block.
const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "center",
    "dd",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "li",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "thead",
    "tfoot",
    "tr",
    "td",
    "th",
    "ul",
    "caption",
    "html",
];

/// Elements whose whole subtree is no text of the page.
const SKIPPED_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
    "canvas", "select", "option", "button", "textarea", "input", "head", "video", "audio", "map",
    "title",
];

/// Ancestors whose presence anywhere above a block is a feature.
const MARKED_ANCESTORS: &[&str] = &[
    "article",
    "main",
    "nav",
    "footer",
    "header",
    "aside",
    "form",
    "li",
    "table",
    "figure",
    "blockquote",
    "a",
    "ul",
    "ol",
    "section",
    "h1",
    "h2",
    "h3",
    "label",
    "time",
    "strong",
    "em",
    "b",
    "i",
    "small",
    "span",
    "dl",
];

/// Most blocks read from one page: an article has a few hundred; past this a page (a
/// hostile one: millions of one-word paragraphs) is read no further, so that its blocks'
/// features stay a bounded multiple of the parsed tree.
pub const MAX_BLOCKS: usize = 20_000;

/// How many of the nearest ancestors give their `class` and `id` words.
const TOKEN_DEPTH: usize = 6;

/// One block of a page's text.
#[derive(Debug, Clone, Default)]
pub struct Block {
    /// Its text, spaces folded.
    pub text: String,
    /// Whitespace-separated words.
    pub words: u32,
    /// Of those, words inside links.
    pub link_words: u32,
    /// Its hashed features (first pass).
    pub features: Vec<u32>,
    /// Index of the element that holds it, then of that element's parent and grandparent
    /// (in [`Segmented::elements`]), where there are such.
    containers: [Option<u32>; 3],
}

/// Totals over one element's subtree.
#[derive(Debug, Clone, Copy, Default)]
struct Element {
    words: u32,
    p_words: u32,
    link_words: u32,
    blocks: u32,
    parent: Option<u32>,
    /// Index of its last descendant: its subtree is the elements from it to this one.
    end: u32,
    /// Its node in the parsed page.
    node: Option<ego_tree::NodeId>,
}

/// A page cut into blocks.
#[derive(Debug, Clone, Default)]
pub struct Segmented {
    /// The blocks in document order.
    pub blocks: Vec<Block>,
    elements: Vec<Element>,
}

/// One open element during the walk.
struct Frame {
    element: u32,
    block: bool,
    tag_hash: u64,
    tokens: Vec<u64>,
}

fn h(template: u64, value: &[u8]) -> u32 {
    (xxh3_64_with_seed(value, template) as u32) & MASK
}

fn bucket(x: f64, edges: &[f64]) -> u8 {
    edges.iter().take_while(|&&e| x >= e).count() as u8
}

const WORD_EDGES: &[f64] = &[
    1.0, 2.0, 3.0, 5.0, 8.0, 12.0, 20.0, 35.0, 60.0, 100.0, 200.0,
];
const RATIO_EDGES: &[f64] = &[0.01, 0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 0.95];
const SHARE_EDGES: &[f64] = &[0.005, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 0.9];

/// Words of the `class` and `id` of an element, lower case, split at anything but an ASCII
/// letter, of 2 to 30 letters, at most 16, hashed.
fn attribute_tokens(e: &scraper::node::Element) -> Vec<u64> {
    let mut out = Vec::new();
    for v in [e.attr("class"), e.attr("id")].into_iter().flatten() {
        for w in v.split(|c: char| !c.is_ascii_alphabetic()) {
            if w.len() < 2 || w.len() > 30 || out.len() >= 16 {
                continue;
            }
            let mut buf = [0u8; 30];
            for (b, c) in buf.iter_mut().zip(w.bytes()) {
                *b = c.to_ascii_lowercase();
            }
            let w = &buf[..w.len()];
            out.push(xxh3_64_with_seed(w, 7));
        }
    }
    out
}

impl Segmented {
    /// Cuts a parsed page into blocks and describes each (first-pass features; `title` is the
    /// page's headline, when known, to tell the headline's block).
    pub fn new(doc: &Html, title: Option<&str>) -> Segmented {
        let mut walk = Walk::default();
        for edge in doc.tree.root().traverse() {
            match edge {
                Edge::Open(node) => match node.value() {
                    Node::Element(e) => walk.open(e, node.id()),
                    Node::Text(t) => walk.text(t),
                    _ => {}
                },
                Edge::Close(node) => {
                    if let Node::Element(e) = node.value() {
                        walk.close(e.name());
                    }
                }
            }
        }
        walk.flush();
        let Walk {
            mut seg, blocks, ..
        } = walk;
        seg.describe(blocks, title);
        seg
    }

    /// Adds the features that need the whole page: position, containers' totals, neighbours.
    fn describe(&mut self, raw: Vec<RawBlock>, title: Option<&str>) {
        let total: f64 = raw
            .iter()
            .map(|b| b.block.words as f64)
            .sum::<f64>()
            .max(1.0);
        let title = title.map(|t| {
            t.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        });
        let summary: Vec<(u8, u8, u64)> = raw
            .iter()
            .map(|r| {
                let b = &r.block;
                (
                    bucket(b.words as f64, WORD_EDGES),
                    bucket(b.link_words as f64 / b.words.max(1) as f64, RATIO_EDGES),
                    r.tag,
                )
            })
            .collect();
        let mut seen = 0.0;
        let n = raw.len();
        for (i, r) in raw.into_iter().enumerate() {
            let mut b = r.block;
            let (wb, lb, _) = summary[i];
            let f = &mut b.features;
            f.push(h(1, b"bias"));
            f.push(h(2, &[wb]));
            f.push(h(3, &[wb, lb]));
            f.push(h(4, &[lb]));
            let mut tb = [0u8; 9];
            tb[..8].copy_from_slice(&r.tag.to_le_bytes());
            tb[8] = wb;
            f.push(h(5, &tb));
            tb[8] = lb;
            f.push(h(6, &tb));
            let pos = bucket(seen / total, &[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
            seen += b.words as f64;
            f.push(h(7, &[pos]));
            f.push(h(8, &[pos, wb.min(6)]));
            f.push(h(
                9,
                &[
                    bucket(i as f64, &[1.0, 3.0, 10.0, 30.0]),
                    bucket((n - i) as f64, &[2.0, 4.0, 11.0, 31.0]),
                ],
            ));
            // Punctuation and shape of the text.
            let t = b.text.as_str();
            let stops = t.matches(['.', '!', '?', '。', '！', '？']).count() as f64;
            let commas = t.matches([',', '،', '，', '、']).count() as f64;
            let ends = t.ends_with(['.', '!', '?', '"', '”', '。', ')', '»', ':']) as u8;
            let digits =
                t.chars().filter(char::is_ascii_digit).count() as f64 / t.len().max(1) as f64;
            let caps = t
                .split_whitespace()
                .filter(|w| w.starts_with(char::is_uppercase))
                .count() as f64
                / b.words.max(1) as f64;
            let short = t
                .split_whitespace()
                .filter(|w| w.chars().count() <= 3)
                .count() as f64
                / b.words.max(1) as f64;
            f.push(h(
                28,
                &[bucket(short, &[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]), wb.min(6)],
            ));
            let pipes = t.matches(['|', '»', '›', '©', '•']).count().min(3) as u8;
            f.push(h(20, &[ends, wb.min(7)]));
            f.push(h(
                21,
                &[bucket(
                    stops / b.words.max(1) as f64 * 10.0,
                    &[0.01, 0.3, 0.7, 1.2, 2.0],
                )],
            ));
            f.push(h(
                22,
                &[bucket(
                    commas / b.words.max(1) as f64 * 10.0,
                    &[0.01, 0.3, 0.7, 1.5],
                )],
            ));
            f.push(h(23, &[bucket(digits, &[0.01, 0.05, 0.15, 0.3])]));
            f.push(h(24, &[bucket(caps, RATIO_EDGES), wb.min(5)]));
            f.push(h(25, &[pipes]));
            let chars = t.chars().count() as f64;
            f.push(h(
                26,
                &[bucket(
                    chars.max(1.0).log2(),
                    &[2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
                )],
            ));
            if let Some(title) = &title {
                let lt = t.to_lowercase();
                let m = if lt == *title {
                    1u8
                } else if title.contains(&lt) {
                    2
                } else if lt.contains(title.as_str()) {
                    3
                } else {
                    0
                };
                f.push(h(27, &[m]));
            }
            // Containers: their share of the page, how much of them is paragraph text and links.
            for (level, c) in b.containers.iter().enumerate() {
                let Some(c) = c else { continue };
                let e = self.elements[*c as usize];
                let words = e.words.max(1) as f64;
                let l = level as u8;
                f.push(h(30, &[l, bucket(e.words as f64 / total, SHARE_EDGES)]));
                f.push(h(31, &[l, bucket(e.p_words as f64 / words, RATIO_EDGES)]));
                f.push(h(
                    32,
                    &[l, bucket(e.link_words as f64 / words, RATIO_EDGES)],
                ));
                f.push(h(
                    33,
                    &[
                        l,
                        bucket(e.blocks as f64, &[2.0, 3.0, 5.0, 10.0, 20.0, 50.0]),
                    ],
                ));
                f.push(h(34, &[l, bucket(b.words as f64 / words, RATIO_EDGES)]));
            }
            // Neighbours' length, links and element.
            for (k, off) in [(0u8, -2i64), (1, -1), (2, 1), (3, 2)] {
                let j = i as i64 + off;
                if j < 0 || j >= n as i64 {
                    f.push(h(40, &[k, 255]));
                    continue;
                }
                let (nw, nl, nt) = summary[j as usize];
                f.push(h(40, &[k, nw]));
                f.push(h(41, &[k, nw.min(6), nl]));
                let mut tb = [0u8; 9];
                tb[..8].copy_from_slice(&nt.to_le_bytes());
                tb[8] = k;
                f.push(h(42, &tb));
            }
            f.sort_unstable();
            f.dedup();
            self.blocks.push(b);
        }
    }

    /// The smallest element that holds `cover` of the page's likely text (each block's words
    /// times its probability `probs`), when it holds under `max_share` of the page's words:
    /// the region a slower extractor needs to read instead of the whole page.
    pub fn region(&self, probs: &[f32], cover: f32, max_share: f32) -> Option<ego_tree::NodeId> {
        let mut mass = vec![0f32; self.elements.len()];
        for (b, &p) in self.blocks.iter().zip(probs) {
            if let Some(c) = b.containers[0] {
                mass[c as usize] += p * b.words as f32;
            }
        }
        let total: f32 = mass.iter().sum();
        if total < MIN_KEPT_WORDS as f32 {
            return None;
        }
        self.sum_subtrees(&mut mass);
        // The elements holding `cover` of the mass form a chain from the root; the last in
        // document order is the deepest.
        let deepest = (0..self.elements.len())
            .rev()
            .find(|&i| mass[i] >= cover * total)?;
        let words: u32 = self.blocks.iter().map(|b| b.words).sum();
        let e = &self.elements[deepest];
        (e.words as f32 <= max_share * words as f32).then_some(e.node?)
    }

    /// Turns a value per element into the sum over each element's subtree. Elements are in
    /// document order, ancestors first, so walking them backwards hands each one's sum to its
    /// parent after all of its descendants.
    fn sum_subtrees(&self, values: &mut [f32]) {
        for i in (0..self.elements.len()).rev() {
            if let Some(parent) = self.elements[i].parent {
                values[parent as usize] += values[i];
            }
        }
    }

    /// Second-pass features of each block, from the first pass's probabilities.
    pub fn context_features(&self, first: &[f32]) -> Vec<Vec<u32>> {
        let n = self.blocks.len();
        let mut by_container: HashMap<u32, (f32, f32)> = HashMap::new();
        for (b, &p) in self.blocks.iter().zip(first) {
            for c in b.containers.iter().flatten() {
                let e = by_container.entry(*c).or_default();
                e.0 += p * b.words as f32;
                e.1 += b.words as f32;
            }
        }
        // The main container: the element whose blocks are most likely article text, weighed
        // by their words (each block counts its words times its probability less 0.4).
        let mut score = vec![0f32; self.elements.len()];
        for (b, &p) in self.blocks.iter().zip(first) {
            if let Some(c) = b.containers[0] {
                score[c as usize] += (p - 0.4) * b.words as f32;
            }
        }
        self.sum_subtrees(&mut score);
        let main =
            (0..self.elements.len()).max_by(|&a, &b| score[a].total_cmp(&score[b]).then(b.cmp(&a)));
        let inside = |c: Option<u32>| -> u8 {
            match (main, c) {
                (Some(m), Some(c)) => {
                    let m32 = m as u32;
                    (c >= m32 && c <= self.elements[m].end.max(m32)) as u8
                }
                _ => 2,
            }
        };
        let main_share = main.map_or(0, |m| {
            bucket(
                self.elements[m].words as f64
                    / self
                        .blocks
                        .iter()
                        .map(|b| b.words as f64)
                        .sum::<f64>()
                        .max(1.0),
                SHARE_EDGES,
            )
        });
        // The running total of kept words before and after each block.
        let total: f32 = self
            .blocks
            .iter()
            .zip(first)
            .map(|(b, p)| p * b.words as f32)
            .sum();
        let mut before = 0.0f32;
        let prob_bucket = |p: f32| bucket(p as f64, &[0.05, 0.15, 0.3, 0.5, 0.7, 0.85, 0.95]);
        (0..n)
            .map(|i| {
                let b = &self.blocks[i];
                let wb = bucket(b.words as f64, WORD_EDGES);
                let mut f = vec![
                    h(100, b"bias"),
                    h(101, &[prob_bucket(first[i])]),
                    h(102, &[prob_bucket(first[i]), wb]),
                ];
                for (k, off) in [(0u8, -3i64), (1, -2), (2, -1), (3, 1), (4, 2), (5, 3)] {
                    let j = i as i64 + off;
                    let pb = if j < 0 || j >= n as i64 {
                        255
                    } else {
                        prob_bucket(first[j as usize])
                    };
                    f.push(h(103, &[k, pb]));
                }
                let window = |lo: usize, hi: usize| -> f32 {
                    let (s, w) = (lo..hi.min(n)).fold((0.0, 0.0), |(s, w), j| {
                        (
                            s + first[j] * self.blocks[j].words as f32,
                            w + self.blocks[j].words as f32,
                        )
                    });
                    if w > 0.0 {
                        s / w
                    } else {
                        0.0
                    }
                };
                f.push(h(
                    104,
                    &[
                        prob_bucket(window(i.saturating_sub(5), i)),
                        prob_bucket(window(i + 1, i + 6)),
                    ],
                ));
                for (level, c) in b.containers.iter().enumerate() {
                    let Some(c) = c else { continue };
                    let (s, w) = by_container[c];
                    f.push(h(
                        105,
                        &[level as u8, prob_bucket(s / w.max(1.0)), wb.min(6)],
                    ));
                }
                let within = inside(b.containers[0]);
                f.push(h(107, &[within, prob_bucket(first[i])]));
                f.push(h(108, &[within, wb]));
                f.push(h(109, &[within, main_share]));
                let frac_before = before / total.max(1.0);
                before += first[i] * b.words as f32;
                let frac_after = 1.0 - before / total.max(1.0);
                f.push(h(
                    106,
                    &[
                        bucket(frac_before as f64, &[0.001, 0.05, 0.3, 0.7, 0.95]),
                        bucket(frac_after as f64, &[0.001, 0.05, 0.3, 0.7, 0.95]),
                    ],
                ));
                f.sort_unstable();
                f.dedup();
                f
            })
            .collect()
    }
}

/// The state of one walk over a page's tree: the open elements, the text of the block
/// being read, the blocks read so far.
#[derive(Default)]
struct Walk {
    seg: Segmented,
    stack: Vec<Frame>,
    /// How many of each of [`MARKED_ANCESTORS`] are open.
    marked: [u32; MARKED_ANCESTORS.len()],
    /// Depth inside an element of [`SKIPPED_TAGS`] (0: outside).
    skip: usize,
    link_depth: usize,
    text: String,
    link_words: u32,
    blocks: Vec<RawBlock>,
}

impl Walk {
    fn open(&mut self, e: &scraper::node::Element, node: ego_tree::NodeId) {
        let name = e.name();
        if self.skip > 0 || SKIPPED_TAGS.contains(&name) {
            self.skip += 1;
            return;
        }
        if name == "br" && !self.text.ends_with(' ') {
            self.text.push(' ');
        }
        let block = BLOCK_TAGS.contains(&name);
        if block {
            self.flush();
        }
        if name == "a" {
            self.link_depth += 1;
        }
        if let Some(i) = MARKED_ANCESTORS.iter().position(|m| *m == name) {
            self.marked[i] += 1;
        }
        let parent = self.stack.last().map(|f| f.element);
        self.seg.elements.push(Element {
            parent,
            node: Some(node),
            ..Default::default()
        });
        self.stack.push(Frame {
            element: (self.seg.elements.len() - 1) as u32,
            block,
            tag_hash: xxh3_64_with_seed(name.as_bytes(), 3),
            tokens: attribute_tokens(e),
        });
    }

    fn text(&mut self, t: &str) {
        if self.skip > 0 {
            return;
        }
        let buf = &mut self.text;
        if t.starts_with(char::is_whitespace) && !buf.is_empty() && !buf.ends_with(' ') {
            buf.push(' ');
        }
        for (k, w) in t.split_whitespace().enumerate() {
            if k > 0 {
                buf.push(' ');
            }
            buf.push_str(w);
            if self.link_depth > 0 {
                self.link_words += 1;
            }
        }
        if t.ends_with(char::is_whitespace) && !buf.is_empty() && !buf.ends_with(' ') {
            buf.push(' ');
        }
    }

    fn close(&mut self, name: &str) {
        if self.skip > 0 {
            self.skip -= 1;
            return;
        }
        if BLOCK_TAGS.contains(&name) {
            self.flush();
        }
        if name == "a" {
            self.link_depth = self.link_depth.saturating_sub(1);
        }
        if let Some(i) = MARKED_ANCESTORS.iter().position(|m| *m == name) {
            self.marked[i] = self.marked[i].saturating_sub(1);
        }
        if let Some(f) = self.stack.pop() {
            let elements = &mut self.seg.elements;
            let last = (elements.len() - 1) as u32;
            elements[f.element as usize].end = last;
            let child = elements[f.element as usize];
            if let Some(p) = child.parent {
                let p = &mut elements[p as usize];
                p.words += child.words;
                p.p_words += child.p_words;
                p.link_words += child.link_words;
                p.blocks += child.blocks;
            }
        }
    }

    /// Ends the block being read, when it has any word.
    fn flush(&mut self) {
        let text = self.text.trim();
        if text.is_empty() || self.blocks.len() >= MAX_BLOCKS {
            self.text.clear();
            self.link_words = 0;
            return;
        }
        let stack = &self.stack;
        let words = text.split_whitespace().count() as u32;
        let owner = stack.iter().rev().find(|f| f.block);
        let holder = stack.last().map(|f| f.element);
        if let Some(i) = holder {
            let e = &mut self.seg.elements[i as usize];
            e.words += words;
            e.link_words += self.link_words;
            e.blocks += 1;
        }
        let mut features = Vec::with_capacity(48);
        let tag = owner.map_or(0, |f| f.tag_hash);
        let is_p = owner.is_some_and(|f| f.tag_hash == xxh3_64_with_seed(b"p", 3));
        if is_p {
            if let Some(i) = holder {
                self.seg.elements[i as usize].p_words += words;
            }
        }
        features.push(h(11, &tag.to_le_bytes()));
        for (i, &n) in self.marked.iter().enumerate() {
            if n > 0 {
                features.push(h(12, &(i as u32).to_le_bytes()));
            }
        }
        for (depth, f) in stack.iter().rev().take(TOKEN_DEPTH).enumerate() {
            let near = if depth < 2 { 0u8 } else { 1 };
            for &t in &f.tokens {
                features.push(h(13, &t.to_le_bytes()));
                let mut b = [0u8; 9];
                b[..8].copy_from_slice(&t.to_le_bytes());
                b[8] = near;
                features.push(h(14, &b));
            }
            if depth < 3 {
                let mut b = [0u8; 9];
                b[..8].copy_from_slice(&f.tag_hash.to_le_bytes());
                b[8] = depth as u8;
                features.push(h(15, &b));
            }
        }
        let holders: Vec<u32> = stack.iter().rev().take(3).map(|f| f.element).collect();
        self.blocks.push(RawBlock {
            block: Block {
                text: text.to_string(),
                words,
                link_words: self.link_words.min(words),
                features,
                containers: [
                    holders.first().copied(),
                    holders.get(1).copied(),
                    holders.get(2).copied(),
                ],
            },
            tag,
        });
        self.text.clear();
        self.link_words = 0;
    }
}

struct RawBlock {
    block: Block,
    tag: u64,
}

/// A logistic model over hashed block features; weights not stored are zero.
#[derive(Debug, Clone, Default)]
pub struct Logistic {
    /// Weight of each feature id.
    pub weights: HashMap<u32, f32>,
}

impl Logistic {
    /// Probability that a block with these features is article text.
    pub fn prob(&self, features: &[u32]) -> f32 {
        let z: f32 = features.iter().filter_map(|f| self.weights.get(f)).sum();
        1.0 / (1.0 + (-z).exp())
    }

    /// Fits the model to `(features, target in 0..=1, weight)` rows by AdaGrad passes with an
    /// L2 penalty, in a fixed shuffled order.
    pub fn fit(rows: &[(&[u32], f32, f32)], l2: f32, passes: usize) -> Logistic {
        let mut w = vec![0f32; 1 << DIM_BITS];
        let mut g2 = vec![1e-6f32; 1 << DIM_BITS];
        let mut sum = vec![0f32; 1 << DIM_BITS];
        let mut order: Vec<usize> = (0..rows.len()).collect();
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let rate = 0.2f32;
        for _ in 0..passes {
            for i in (1..order.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                order.swap(i, (state % (i as u64 + 1)) as usize);
            }
            for &r in &order {
                let (f, y, weight) = rows[r];
                let z: f32 = f.iter().map(|&k| w[k as usize]).sum();
                let p = 1.0 / (1.0 + (-z).exp());
                let g = (p - y) * weight;
                for &k in f {
                    let k = k as usize;
                    let grad = g + l2 * w[k];
                    g2[k] += grad * grad;
                    w[k] -= rate * grad / g2[k].sqrt();
                }
            }
            for (s, x) in sum.iter_mut().zip(&w) {
                *s += x;
            }
        }
        // The average of the passes' weights: steadier than the last pass's on small data.
        let passes = passes.max(1) as f32;
        Logistic {
            weights: sum
                .into_iter()
                .map(|x| x / passes)
                .enumerate()
                .filter(|(_, x)| x.abs() > 1e-4)
                .map(|(k, x)| (k as u32, x))
                .collect(),
        }
    }
}

/// Fewer kept words than this: the page's threshold is lowered (see [`BlockModel::body`]).
const MIN_KEPT_WORDS: u32 = 20;
/// The share of the likeliest block's probability that a block needs on such a page.
const RELATIVE_THRESHOLD: f32 = 0.6;

/// The two passes: which blocks of a page are its article text.
#[derive(Debug, Clone, Default)]
pub struct BlockModel {
    /// First pass, over each block's own features.
    pub first: Logistic,
    /// Second pass, over the first pass's probabilities around each block.
    pub second: Logistic,
    /// Probability from which a block is kept.
    pub threshold: f32,
}

/// First bytes of a block model file.
const MAGIC: &[u8; 8] = b"ETBLOCK1";

impl BlockModel {
    /// The model shipped with the crate (`data/blocks.bin`).
    pub fn shipped() -> &'static BlockModel {
        static MODEL: std::sync::OnceLock<BlockModel> = std::sync::OnceLock::new();
        MODEL.get_or_init(|| {
            BlockModel::from_bytes(include_bytes!("../data/blocks.bin"))
                .expect("data/blocks.bin is a block model")
        })
    }

    /// The model as bytes: a magic, the threshold, then each pass's weights as (feature id,
    /// weight) pairs sorted by id, all little-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&self.threshold.to_le_bytes());
        for pass in [&self.first, &self.second] {
            let mut w: Vec<(&u32, &f32)> = pass.weights.iter().collect();
            w.sort_unstable_by_key(|(k, _)| **k);
            out.extend_from_slice(&(w.len() as u32).to_le_bytes());
            for (k, x) in w {
                out.extend_from_slice(&k.to_le_bytes());
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
        out
    }

    /// Reads a model written by [`BlockModel::to_bytes`]; `None` when the bytes are not one.
    pub fn from_bytes(bytes: &[u8]) -> Option<BlockModel> {
        let rest = bytes.strip_prefix(MAGIC.as_slice())?;
        let word = |b: &[u8], at: usize| -> Option<[u8; 4]> { b.get(at..at + 4)?.try_into().ok() };
        let threshold = f32::from_le_bytes(word(rest, 0)?);
        let mut at = 4;
        let mut passes = [Logistic::default(), Logistic::default()];
        for pass in &mut passes {
            let n = u32::from_le_bytes(word(rest, at)?) as usize;
            at += 4;
            if rest.len() < at + n.checked_mul(8)? {
                return None;
            }
            for _ in 0..n {
                let k = u32::from_le_bytes(word(rest, at)?);
                let x = f32::from_le_bytes(word(rest, at + 4)?);
                pass.weights.insert(k, x);
                at += 8;
            }
        }
        (at == rest.len()).then(|| {
            let [first, second] = passes;
            BlockModel {
                first,
                second,
                threshold,
            }
        })
    }

    /// The kept blocks' probabilities of a segmented page.
    pub fn probabilities(&self, seg: &Segmented) -> Vec<f32> {
        let first: Vec<f32> = seg
            .blocks
            .iter()
            .map(|b| self.first.prob(&b.features))
            .collect();
        if self.second.weights.is_empty() {
            return first;
        }
        seg.context_features(&first)
            .iter()
            .map(|f| self.second.prob(f))
            .collect()
    }

    /// The article text of a segmented page: kept blocks, one per line.
    pub fn body(&self, seg: &Segmented) -> String {
        self.body_and_certainty(seg).0
    }

    /// The article text of a segmented page, and how sure the model is of its blocks: the
    /// mean of |2p - 1| over the blocks, weighted by their words (1: every block surely in or
    /// surely out; 0: every block a coin toss).
    pub fn body_and_certainty(&self, seg: &Segmented) -> (String, f32) {
        self.body_and_certainty_from(seg, &self.probabilities(seg))
    }

    /// [`BlockModel::body_and_certainty`] from the blocks' probabilities, computed once.
    pub fn body_and_certainty_from(&self, seg: &Segmented, probs: &[f32]) -> (String, f32) {
        let (sure, words) = seg
            .blocks
            .iter()
            .zip(probs)
            .fold((0.0f32, 0u32), |(s, w), (b, p)| {
                (s + (2.0 * p - 1.0).abs() * b.words as f32, w + b.words)
            });
        let certainty = if words == 0 { 0.0 } else { sure / words as f32 };
        // Every page is read as an article page: when no block reaches the threshold, the
        // blocks nearly as likely as the likeliest are its text.
        let kept_words: u32 = seg
            .blocks
            .iter()
            .zip(probs)
            .filter(|(_, &p)| p >= self.threshold)
            .map(|(b, _)| b.words)
            .sum();
        // A link alone is never an article's text.
        let linked = |b: &Block| b.link_words * 2 > b.words;
        let (threshold, fallback) = if kept_words >= MIN_KEPT_WORDS {
            (self.threshold, false)
        } else {
            let best = seg
                .blocks
                .iter()
                .zip(probs)
                .filter(|(b, _)| !linked(b))
                .map(|(_, &p)| p)
                .fold(0.0f32, f32::max);
            (self.threshold.min(best * RELATIVE_THRESHOLD), true)
        };
        let mut out = String::new();
        for (b, &p) in seg.blocks.iter().zip(probs) {
            if p >= threshold && !(fallback && linked(b)) {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&b.text);
            }
        }
        (out, certainty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(html: &str) -> Vec<(String, u32, u32)> {
        Segmented::new(&Html::parse_document(html), None)
            .blocks
            .into_iter()
            .map(|b| (b.text, b.words, b.link_words))
            .collect()
    }

    #[test]
    fn blocks_end_at_block_elements_and_skip_scripts() {
        let b = blocks(
            "<body><p>One <a href='/x'>two</a> three</p><div>Four<p>five<br>and</p>six</div>\
             <script>var hidden = 1;</script><span>se</span><b>ven</b></body>",
        );
        let texts: Vec<&str> = b.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(texts, ["One two three", "Four", "five and", "six", "seven"]);
        assert_eq!((b[0].1, b[0].2), (3, 1));
    }

    #[test]
    fn a_deeply_nested_page_is_walked_without_recursion() {
        let depth = 20_000;
        let html = format!(
            "{}<p>deep text here</p>{}",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let b = blocks(&html);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].0, "deep text here");
    }

    #[test]
    fn a_page_of_endless_paragraphs_stops_at_the_cap() {
        let html = "<p>one word</p>".repeat(MAX_BLOCKS + 500);
        assert_eq!(blocks(&html).len(), MAX_BLOCKS);
    }

    #[test]
    fn a_model_reads_back_what_it_wrote_and_refuses_truncated_bytes() {
        let mut m = BlockModel {
            threshold: 0.4,
            ..Default::default()
        };
        m.first.weights.insert(3, 0.5);
        m.first.weights.insert(9, -1.25);
        m.second.weights.insert(7, 2.0);
        let bytes = m.to_bytes();
        let back = BlockModel::from_bytes(&bytes).expect("reads back");
        assert_eq!(back.threshold, 0.4);
        assert_eq!(back.first.weights, m.first.weights);
        assert_eq!(back.second.weights, m.second.weights);
        assert!(BlockModel::from_bytes(&bytes[..bytes.len() - 1]).is_none());
        assert!(BlockModel::from_bytes(b"not a model").is_none());
    }

    #[test]
    fn the_region_is_the_smallest_element_holding_the_likely_text() {
        let para = |k: usize| format!("<p>Paragraph {k} of the report, long enough to count.</p>");
        let html = format!(
            "<html><body><nav><a href='/'>Home</a> <a href='/w'>World</a></nav>\
             <div id='outer'><article id='story'>{}</article><aside>{}</aside></div>\
             <footer>Copyright notice of the site</footer></body></html>",
            (0..5).map(para).collect::<String>(),
            "<p>Related links to other stories here</p>".repeat(4)
        );
        let doc = Html::parse_document(&html);
        let seg = Segmented::new(&doc, None);
        // Probabilities given by hand: the paragraphs likely, the rest not.
        let probs: Vec<f32> = seg
            .blocks
            .iter()
            .map(|b| {
                if b.text.starts_with("Paragraph") {
                    0.9
                } else {
                    0.01
                }
            })
            .collect();
        let id = seg.region(&probs, 0.99, 0.8).expect("a region");
        let el = scraper::ElementRef::wrap(doc.tree.get(id).unwrap()).unwrap();
        assert_eq!(el.value().attr("id"), Some("story"));
        // Asked to hold nearly every word, the region is the page itself: none.
        assert!(seg.region(&probs, 0.99, 0.1).is_none());
        // Too little likely text on the page: none.
        let few = vec![0.01f32; probs.len()];
        assert!(seg.region(&few, 0.99, 0.8).is_none());
    }

    #[test]
    fn the_shipped_model_keeps_the_article_and_drops_the_menus() {
        let para = |k: usize| {
            format!(
                "<p>The ministry said on Tuesday that the new rules, number {k} of the package, \
                 would apply to every port from March, after a consultation that lasted a year \
                 and drew more than four hundred replies from shippers and unions.</p>"
            )
        };
        let html = format!(
            "<html><body><header><nav><ul><li><a href='/'>Home</a></li><li><a href='/w'>World</a></li>\
             <li><a href='/b'>Business</a></li><li><a href='/s'>Sport</a></li></ul></nav></header>\
             <main><article><h1>Ports get new rules</h1>{}</article></main>\
             <aside class='related'><h3>Related</h3><ul><li><a href='/1'>Another story about ports and ships</a></li>\
             <li><a href='/2'>A second story about harbours</a></li></ul></aside>\
             <footer><p>Copyright 2024 Example Media. All rights reserved.</p>\
             <a href='/privacy'>Privacy</a> <a href='/terms'>Terms</a></footer></body></html>",
            (0..6).map(para).collect::<String>()
        );
        let seg = Segmented::new(&Html::parse_document(&html), Some("Ports get new rules"));
        let body = BlockModel::shipped().body(&seg);
        for k in 0..6 {
            assert!(
                body.contains(&format!("number {k} of the package")),
                "{body}"
            );
        }
        for menu in [
            "Business",
            "Another story about ports",
            "All rights reserved",
            "Privacy",
        ] {
            assert!(!body.contains(menu), "{menu} kept: {body}");
        }
    }
}
