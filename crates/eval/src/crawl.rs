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

/// Real news text to draw generated articles from: the extraction set's
/// bodies and the attribution set's articles (`DATASETS_DIR`).
///
/// The bigram chain needs a large vocabulary: over the 83 extraction bodies
/// alone, unrelated generated articles share 5-grams by accident far more
/// often than real news does.
pub fn news_pool(dir: &std::path::Path) -> Result<Vec<String>, String> {
    let mut pool = crate::body_texts(dir)?;
    let texts = dir.join("attribution/train/text");
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&texts)
        .map_err(|e| format!("{}: {e}", texts.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    for f in files {
        let t = std::fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
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
    let mut rng = Rng(seed ^ 0x5eed_c0de);
    let outlets = (n / 40).clamp(20, 5000);
    // Each outlet's chrome: two lines printed on every page of it.
    let chrome_text = synthetic_texts(pool, outlets, seed.wrapping_add(1));
    let chrome: Vec<[String; 2]> = chrome_text
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
    // Bodies: the articles' own text, plus a shared sentence pool for the dense shape.
    let own = synthetic_texts(pool, n, seed.wrapping_add(2));
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

    // Plan: which page is what.
    enum Role {
        Own,
        Wire(usize),
        Quoting,
        Recrawl,
    }
    let mut roles: Vec<Role> = Vec::with_capacity(n);
    let mut gold = CrawlGold::default();
    if shape == CrawlShape::News {
        let cdf = zipf_cdf(300, 1.0);
        let stories = (n / 100).max(1);
        let echo_budget = n * 6 / 10;
        let mut echoes_total = 0;
        for s in 0..stories {
            let k = rng.zipf(&cdf).min(echo_budget.saturating_sub(echoes_total));
            echoes_total += k;
            for _ in 0..=k {
                roles.push(Role::Wire(s));
            }
        }
        gold.wire = vec![
            WireStory {
                original: String::new(),
                echoes: Vec::new()
            };
            stories
        ];
    }
    while roles.len() < n {
        roles.push(if shape == CrawlShape::Dense {
            Role::Own
        } else if rng.chance(0.10) {
            Role::Quoting
        } else if rng.chance(0.01) {
            Role::Recrawl
        } else {
            Role::Own
        });
    }
    roles.truncate(n);
    // A crawl arrives in no particular order, but an echo follows its original.
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let mut wire_first: Vec<Option<usize>> = vec![None; gold.wire.len()];
    let mut pages: Vec<CrawlPage> = Vec::with_capacity(n);
    let mut texts: Vec<(usize, String)> = Vec::with_capacity(n); // (outlet, body) per emitted page
    let wire_bodies: Vec<Vec<String>> =
        synthetic_texts(pool, gold.wire.len(), seed.wrapping_add(4))
            .iter()
            .map(|t| sentences(t))
            .collect();
    for (pos, &slot) in order.iter().enumerate() {
        let outlet = rng.below(outlets);
        // Dates run through the year with the crawl; an echo follows its original within days.
        let mut day = pos * 365 / n.max(1);
        let url = format!("https://outlet{outlet}.example/news/{pos}");
        let mut title_src = sentences(&own[slot]);
        let mut body: Vec<String> = match &roles[slot] {
            Role::Own if shape == CrawlShape::Dense => (0..8 + rng.below(8))
                .map(|_| shared_pool[rng.below(shared_pool.len())].clone())
                .collect(),
            Role::Own => std::mem::take(&mut title_src),
            Role::Wire(story) => {
                let story = *story;
                let wire = &wire_bodies[story];
                title_src = wire.clone();
                if let Some(first_day) = wire_first[story] {
                    day = (first_day + rng.below(4)).min(364);
                }
                let is_first = wire_first[story].is_none();
                if is_first {
                    wire_first[story] = Some(day);
                    gold.wire[story].original = url.clone();
                    wire.clone()
                } else {
                    gold.wire[story].echoes.push(url.clone());
                    // Trim the end, edit a few words, add a line of the outlet's own.
                    let keep = (wire.len() * (6 + rng.below(5)) / 10)
                        .max(3)
                        .min(wire.len());
                    let mut b: Vec<String> = wire[..keep]
                        .iter()
                        .map(|s| {
                            if rng.chance(0.08) {
                                edit(&mut rng, s, &vocab)
                            } else {
                                s.clone()
                            }
                        })
                        .collect();
                    let mine = sentences(&own[slot]);
                    if rng.chance(0.5) {
                        b.insert(0, mine.first().cloned().unwrap_or_default());
                    }
                    b.extend(mine.into_iter().skip(1).take(rng.below(3)));
                    b
                }
            }
            Role::Quoting if !texts.is_empty() => {
                let from = rng.below(texts.len());
                let qs = sentences(&texts[from].1);
                let mut b = std::mem::take(&mut title_src);
                if qs.len() >= 3 {
                    let at = rng.below(qs.len() - 2);
                    let ins = rng.below(b.len().max(1));
                    for (k, s) in qs[at..at + 3].iter().enumerate() {
                        b.insert((ins + k).min(b.len()), s.clone());
                    }
                    gold.quotations.push((url.clone(), pages[from].url.clone()));
                }
                b
            }
            Role::Recrawl if !pages.is_empty() => {
                let from = rng.below(pages.len());
                let again = pages[from].clone();
                gold.recrawls
                    .push((again.url.clone(), again.url.clone() + "?amp=1"));
                let (o, t) = texts[from].clone();
                pages.push(CrawlPage {
                    url: again.url + "?amp=1",
                    text: again.text.replace("© 2026", "© 2025"),
                    fetched_at: again.fetched_at,
                });
                texts.push((o, t));
                continue;
            }
            _ => std::mem::take(&mut title_src),
        };
        body.retain(|s| !s.is_empty());
        let (month, mday) = (day / 31 % 12, day % 28 + 1);
        // A headline: the first words of the lead, without its period.
        let title = title_src
            .first()
            .or(body.first())
            .map(|s| {
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
            .unwrap_or_default();
        let body_text = paragraphs(&mut rng, &body);
        let text = format!(
            "{}\n\n{title}\n{} {} 2026 {:02}:{:02}\n\n{body_text}\n\n{}\n",
            chrome[outlet][0],
            mday,
            chrono::Month::try_from(month as u8 + 1).map_or("January", |m| m.name()),
            pos % 24,
            pos * 7 % 60,
            chrome[outlet][1]
        );
        pages.push(CrawlPage {
            url,
            text,
            fetched_at: format!("2026-{:02}-{:02}T12:00:00Z", month + 1, mday),
        });
        texts.push((outlet, body_text));
    }
    gold.wire.retain(|w| !w.original.is_empty());
    (pages, gold)
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
