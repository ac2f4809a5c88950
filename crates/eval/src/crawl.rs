//! Generated news crawls: corpora shaped like what monitoring desks collect,
//! at any size, with the echoes planted so that a run can be scored.
//!
//! Real crawls are dominated by wire copy: a small share of stories is
//! republished by many outlets (a few by hundreds), each trimming the end,
//! editing a word here and there, and wrapping it in a line of its own; many
//! articles quote a few sentences of another; every outlet prints the same
//! chrome lines on each page; crawlers fetch some pages twice. A
//! [`CrawlShape::News`] corpus has all of that, with echo counts drawn from a
//! Zipf law up to 300. A [`CrawlShape::Dense`] corpus is the stress case:
//! every sentence of every article is drawn from one small shared pool, so
//! almost every pair of articles shares passages.
//!
//! Text comes from [`crate::planted::synthetic_texts`] (a bigram chain over
//! real articles), so n-gram frequencies look like real text's and nothing is
//! shared by accident.

use crate::planted::synthetic_texts;
use crate::{EvalError, Result};

/// Real news text to draw generated articles from: the extraction set's
/// bodies and the attribution set's articles (`DATASETS_DIR`).
///
/// The bigram chain needs a large vocabulary: over the 83 extraction bodies
/// alone, unrelated generated articles share 5-grams by accident far more
/// often than real news does.
pub fn news_pool(dir: &std::path::Path) -> Result<Vec<String>> {
    let mut pool = crate::body_texts(dir)?;
    let texts = dir.join("attribution/train/text");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&texts)
        .map_err(EvalError::io(&texts))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    for f in files {
        let t = std::fs::read_to_string(&f).map_err(EvalError::io(&f))?;
        pool.push(t.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    Ok(pool)
}

/// What kind of crawl to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrawlShape {
    /// Wire stories echoed by 1 to 300 outlets, quotations, chrome, re-crawls.
    News,
    /// Every article made of sentences from one shared pool.
    Dense,
}

/// One generated page: a text dump as a crawler's JSONL line would carry it.
#[derive(Debug, Clone)]
pub struct CrawlPage {
    /// The page's URL (`https://<outlet host>/<path>`).
    pub url: String,
    /// The rendered text: headline, date line, chrome lines, body.
    pub text: String,
    /// When it was fetched (RFC 3339).
    pub fetched_at: String,
}

/// One planted wire story: the page that first carried it and every echo.
#[derive(Debug, Clone, serde::Serialize)]
pub struct WireStory {
    /// URL of the original.
    pub original: String,
    /// URLs of the pages that republish it (trimmed and edited).
    pub echoes: Vec<String>,
}

/// What was planted, to score a run against.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct CrawlGold {
    /// The wire stories and their echoes.
    pub wire: Vec<WireStory>,
    /// (quoting page, quoted page) pairs: three sentences of one in the other.
    pub quotations: Vec<(String, String)>,
    /// (page, re-crawl of it) pairs.
    pub recrawls: Vec<(String, String)>,
}

/// A small deterministic generator (splitmix64), so a seed gives the same corpus everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 * 1.0 < p
    }
    /// A Zipf-distributed integer in 1..=max with exponent `s` (inverse CDF over a table).
    fn zipf(&mut self, cdf: &[f64]) -> usize {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        cdf.partition_point(|&c| c < u) + 1
    }
}

fn zipf_cdf(max: usize, s: f64) -> Vec<f64> {
    let w: Vec<f64> = (1..=max).map(|k| (k as f64).powf(-s)).collect();
    let total: f64 = w.iter().sum();
    let mut acc = 0.0;
    w.iter()
        .map(|x| {
            acc += x / total;
            acc
        })
        .collect()
}

/// Sentences of at least three words, cut after every `.`, `!` and `?`.
///
/// Frozen: part of the corpus definition, must not change. Generated crawls
/// are cut at these boundaries (decimals included), so the shared splitter
/// (`echotrace_language::sentences`) would change every generated page.
fn sentences(text: &str) -> Vec<String> {
    text.split_inclusive(['.', '!', '?'])
        .map(|s| s.trim().to_string())
        .filter(|s| s.split_whitespace().count() >= 3)
        .collect()
}

/// Paragraphs of 2 to 4 sentences, and of at least 12 words (a shorter one
/// joins the one before): text-dump extraction takes short lines that a site
/// repeats for chrome, so a two-word paragraph of wire copy republished twice
/// by one outlet would be dropped there.
fn paragraphs(rng: &mut Rng, sents: &[String]) -> String {
    let mut paras: Vec<String> = Vec::new();
    let mut i = 0;
    while i < sents.len() {
        let k = (2 + rng.below(3)).min(sents.len() - i);
        let p = sents[i..i + k].join(" ");
        match paras.last_mut() {
            Some(last) if p.split_whitespace().count() < 12 => {
                last.push(' ');
                last.push_str(&p);
            }
            _ => paras.push(p),
        }
        i += k;
    }
    paras.join("\n\n")
}

/// A copy editor's touch: one word of a sentence replaced by another of the text.
fn edit(rng: &mut Rng, sentence: &str, vocab: &[&str]) -> String {
    let mut words: Vec<&str> = sentence.split(' ').collect();
    if words.len() > 4 && !vocab.is_empty() {
        let i = 1 + rng.below(words.len() - 2);
        words[i] = vocab[rng.below(vocab.len())];
    }
    words.join(" ")
}

/// Generates `n` pages of the given shape from the real texts in `pool`, deterministically from `seed`.
pub fn generate_crawl(
    pool: &[String],
    n: usize,
    shape: CrawlShape,
    seed: u64,
) -> (Vec<CrawlPage>, CrawlGold) {
    // Bodies: the articles' own text (the shared sentence pool of the dense shape is in `Crawl::new`).
    let own = synthetic_texts(pool, n, seed.wrapping_add(2));
    let mut crawl = Crawl::new(pool, &own, n, shape, seed);
    crawl.plan_roles();
    let order = crawl.arrival_order();
    crawl.wire_bodies = synthetic_texts(pool, crawl.gold.wire.len(), seed.wrapping_add(4))
        .iter()
        .map(|t| sentences(t))
        .collect();
    for (pos, &slot) in order.iter().enumerate() {
        crawl.emit(pos, slot);
    }
    crawl.gold.wire.retain(|w| !w.original.is_empty());
    (crawl.pages, crawl.gold)
}

/// What a page of the crawl is.
#[derive(Debug, Clone, Copy)]
enum Role {
    /// An article of its own.
    Own,
    /// The original or an echo of this wire story.
    Wire(usize),
    /// An article quoting three sentences of an earlier page.
    Quoting,
    /// An earlier page fetched again.
    Recrawl,
}

/// A crawl being generated: the material, the plan, and the pages emitted so far.
struct Crawl<'a> {
    rng: Rng,
    n: usize,
    shape: CrawlShape,
    outlets: usize,
    /// Each outlet's chrome: two lines printed on every page of it.
    chrome: Vec<[String; 2]>,
    /// Each page slot's own text.
    own: &'a [String],
    /// The sentences every dense article is drawn from.
    shared_pool: Vec<String>,
    /// Words a copy editor swaps in.
    vocab: Vec<&'a str>,
    /// Each page slot's role.
    roles: Vec<Role>,
    gold: CrawlGold,
    /// Each wire story's sentences.
    wire_bodies: Vec<Vec<String>>,
    /// The day each wire story first appeared.
    wire_first: Vec<Option<usize>>,
    pages: Vec<CrawlPage>,
    /// (outlet, body) per emitted page.
    texts: Vec<(usize, String)>,
}

impl<'a> Crawl<'a> {
    /// The material for `n` pages: outlets and their chrome, the shared pool, the vocabulary.
    fn new(pool: &[String], own: &'a [String], n: usize, shape: CrawlShape, seed: u64) -> Self {
        let outlets = (n / 40).clamp(20, 5000);
        let chrome = synthetic_texts(pool, outlets, seed.wrapping_add(1))
            .iter()
            .enumerate()
            .map(|(o, t)| {
                let first = sentences(t).into_iter().next().unwrap_or_default();
                [
                    format!("Subscribe to the Outlet {o} newsletter | Follow us | Contact"),
                    format!(
                        "© 2026 Outlet {o}. {}",
                        first.split(' ').take(6).collect::<Vec<_>>().join(" ")
                    ),
                ]
            })
            .collect();
        let shared_pool: Vec<String> = if shape == CrawlShape::Dense {
            synthetic_texts(pool, 60, seed.wrapping_add(3))
                .iter()
                .flat_map(|t| sentences(t))
                .collect()
        } else {
            Vec::new()
        };
        let vocab: Vec<&str> = own
            .iter()
            .take(200)
            .flat_map(|t| t.split_whitespace())
            .filter(|w| w.chars().all(char::is_lowercase) && w.len() >= 4)
            .collect();
        Crawl {
            rng: Rng(seed ^ 0x5eed_c0de),
            n,
            shape,
            outlets,
            chrome,
            own,
            shared_pool,
            vocab,
            roles: Vec::with_capacity(n),
            gold: CrawlGold::default(),
            wire_bodies: Vec::new(),
            wire_first: Vec::new(),
            pages: Vec::with_capacity(n),
            texts: Vec::with_capacity(n),
        }
    }

    /// Decides which page is what: wire stories with Zipf echo counts first (news), then the rest.
    fn plan_roles(&mut self) {
        let n = self.n;
        if self.shape == CrawlShape::News {
            let cdf = zipf_cdf(300, 1.0);
            let stories = (n / 100).max(1);
            let echo_budget = n * 6 / 10;
            let mut echoes_total = 0;
            for s in 0..stories {
                let k = self
                    .rng
                    .zipf(&cdf)
                    .min(echo_budget.saturating_sub(echoes_total));
                echoes_total += k;
                for _ in 0..=k {
                    self.roles.push(Role::Wire(s));
                }
            }
            self.gold.wire = vec![
                WireStory {
                    original: String::new(),
                    echoes: Vec::new()
                };
                stories
            ];
        }
        while self.roles.len() < n {
            self.roles.push(if self.shape == CrawlShape::Dense {
                Role::Own
            } else if self.rng.chance(0.10) {
                Role::Quoting
            } else if self.rng.chance(0.01) {
                Role::Recrawl
            } else {
                Role::Own
            });
        }
        self.roles.truncate(n);
        self.wire_first = vec![None; self.gold.wire.len()];
    }

    /// The order pages arrive in: shuffled (an echo still follows its original, by date).
    fn arrival_order(&mut self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.n).collect();
        for i in (1..self.n).rev() {
            order.swap(i, self.rng.below(i + 1));
        }
        order
    }

    /// Emits the page at position `pos` of the crawl, made for plan slot `slot`.
    fn emit(&mut self, pos: usize, slot: usize) {
        let outlet = self.rng.below(self.outlets);
        // Dates run through the year with the crawl; an echo follows its original within days.
        let mut day = pos * 365 / self.n.max(1);
        let url = format!("https://outlet{outlet}.example/news/{pos}");
        let mut title_src = sentences(&self.own[slot]);
        let mut body: Vec<String> = match self.roles[slot] {
            Role::Own if self.shape == CrawlShape::Dense => self.dense_body(),
            Role::Own => std::mem::take(&mut title_src),
            Role::Wire(story) => {
                title_src = self.wire_bodies[story].clone();
                self.wire_body(story, slot, &url, &mut day)
            }
            Role::Quoting if !self.texts.is_empty() => {
                let own = std::mem::take(&mut title_src);
                self.quoting_body(own, &url)
            }
            Role::Recrawl if !self.pages.is_empty() => {
                self.recrawl();
                return;
            }
            _ => std::mem::take(&mut title_src),
        };
        body.retain(|s| !s.is_empty());
        let title = headline(title_src.first().or(body.first()));
        self.push_page(outlet, pos, day, url, &title, &body);
    }

    /// A dense article: 8 to 15 sentences drawn from the shared pool.
    fn dense_body(&mut self) -> Vec<String> {
        (0..8 + self.rng.below(8))
            .map(|_| self.shared_pool[self.rng.below(self.shared_pool.len())].clone())
            .collect()
    }

    /// A wire story's text: whole on its first page, else an echo that trims the end,
    /// edits a few words and adds a line of the outlet's own; sets the echo's `day`.
    fn wire_body(&mut self, story: usize, slot: usize, url: &str, day: &mut usize) -> Vec<String> {
        let wire = &self.wire_bodies[story];
        if let Some(first_day) = self.wire_first[story] {
            *day = (first_day + self.rng.below(4)).min(364);
        }
        if self.wire_first[story].is_none() {
            self.wire_first[story] = Some(*day);
            self.gold.wire[story].original = url.to_string();
            return wire.clone();
        }
        self.gold.wire[story].echoes.push(url.to_string());
        let keep = (wire.len() * (6 + self.rng.below(5)) / 10)
            .max(3)
            .min(wire.len());
        let mut b: Vec<String> = wire[..keep]
            .iter()
            .map(|s| {
                if self.rng.chance(0.08) {
                    edit(&mut self.rng, s, &self.vocab)
                } else {
                    s.clone()
                }
            })
            .collect();
        let mine = sentences(&self.own[slot]);
        if self.rng.chance(0.5) {
            b.insert(0, mine.first().cloned().unwrap_or_default());
        }
        b.extend(mine.into_iter().skip(1).take(self.rng.below(3)));
        b
    }

    /// An article of its own (`b`) with three sentences of an earlier page inserted.
    fn quoting_body(&mut self, mut b: Vec<String>, url: &str) -> Vec<String> {
        let from = self.rng.below(self.texts.len());
        let qs = sentences(&self.texts[from].1);
        if qs.len() >= 3 {
            let at = self.rng.below(qs.len() - 2);
            let ins = self.rng.below(b.len().max(1));
            for (k, s) in qs[at..at + 3].iter().enumerate() {
                b.insert((ins + k).min(b.len()), s.clone());
            }
            self.gold
                .quotations
                .push((url.to_string(), self.pages[from].url.clone()));
        }
        b
    }

    /// Fetches an earlier page again, as its AMP URL with an older copyright line.
    fn recrawl(&mut self) {
        let from = self.rng.below(self.pages.len());
        let again = self.pages[from].clone();
        self.gold
            .recrawls
            .push((again.url.clone(), again.url.clone() + "?amp=1"));
        let (o, t) = self.texts[from].clone();
        self.pages.push(CrawlPage {
            url: again.url + "?amp=1",
            text: again.text.replace("© 2026", "© 2025"),
            fetched_at: again.fetched_at,
        });
        self.texts.push((o, t));
    }

    /// Renders a page: chrome line, headline, date line, body paragraphs, chrome line.
    fn push_page(
        &mut self,
        outlet: usize,
        pos: usize,
        day: usize,
        url: String,
        title: &str,
        body: &[String],
    ) {
        let (month, mday) = (day / 31 % 12, day % 28 + 1);
        let body_text = paragraphs(&mut self.rng, body);
        let text = format!(
            "{}\n\n{title}\n{} {} 2026 {:02}:{:02}\n\n{body_text}\n\n{}\n",
            self.chrome[outlet][0],
            mday,
            chrono::Month::try_from(month as u8 + 1).map_or("January", |m| m.name()),
            pos % 24,
            pos * 7 % 60,
            self.chrome[outlet][1]
        );
        self.pages.push(CrawlPage {
            url,
            text,
            fetched_at: format!("2026-{:02}-{:02}T12:00:00Z", month + 1, mday),
        });
        self.texts.push((outlet, body_text));
    }
}

/// A headline: the first words of the lead, title-cased, without its period.
fn headline(lead: Option<&String>) -> String {
    lead.map(|s| {
        s.split(' ')
            .take(9)
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect::<String>())
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
            .join(" ")
            .trim_end_matches(['.', ',', ';', ':'])
            .to_string()
    })
    .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool() -> Vec<String> {
        (0..30)
            .map(|i| {
                format!(
                    "The council met on day {i} to discuss the budget. Members argued about roads and schools for hours. \
                     A spokesman said the vote would come later this month. Residents waited outside the building in the rain. \
                     The mayor promised answers before the summer recess began."
                )
            })
            .collect()
    }

    #[test]
    fn news_crawl_has_its_planted_echoes_and_the_requested_size() {
        let (pages, gold) = generate_crawl(&pool(), 2000, CrawlShape::News, 1);
        assert_eq!(pages.len(), 2000);
        assert!(!gold.wire.is_empty());
        let total: usize = gold.wire.iter().map(|w| w.echoes.len()).sum();
        assert!(total > 20, "{total} echoes");
        assert!(!gold.quotations.is_empty());
        // An echo carries a sentence of its original.
        let by_url: std::collections::HashMap<&str, &str> = pages
            .iter()
            .map(|p| (p.url.as_str(), p.text.as_str()))
            .collect();
        let w = gold.wire.iter().find(|w| !w.echoes.is_empty()).unwrap();
        let orig = by_url[w.original.as_str()];
        let echo = by_url[w.echoes[0].as_str()];
        let shared = sentences(orig)
            .iter()
            .skip(3)
            .filter(|s| echo.contains(s.as_str()))
            .count();
        assert!(shared >= 2, "{orig}\n---\n{echo}");
    }

    #[test]
    fn same_seed_same_crawl() {
        let (a, _) = generate_crawl(&pool(), 300, CrawlShape::Dense, 9);
        let (b, _) = generate_crawl(&pool(), 300, CrawlShape::Dense, 9);
        assert_eq!(a[17].text, b[17].text);
    }
}
