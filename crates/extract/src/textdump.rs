//! Text-dump front end: the article inside a browser's text rendering of a page.
//!
//! A dump has no DOM, so link density means nothing. Each line gets a
//! weight from its shape alone: prose lines (long, ending like a sentence,
//! not title-cased) count for their length; short lines, bullets and
//! metadata count against. Lists of three or more short bullets, runs of
//! headline-like lines packed without blank lines (tickers) in a page that
//! separates paragraphs with blank lines, and lines repeated on other pages of
//! the same site ([`SiteProfile`]) are hard boundaries. The body is the
//! heaviest contiguous run of lines (maximum-subarray, as in Finn et al.'s Body
//! Text Extraction), then cleaned of bullets, captions, link cues and credits.
//! Title, byline, credits, date and tags are read from the lines around it.

use std::collections::HashMap;

use crate::credits::{self, Credits};
use crate::date;
use echotrace_model::Published;

/// Phrases that start a link to another page or a comment form, lower case.
pub const LINK_CUES: &[&str] = &[
    "read more",
    "read also",
    "read next",
    "see also",
    "related:",
    "related articles",
    "also read",
    "more:",
    "recommended",
    "leave a reply",
    "leave a comment",
    "please enter your",
    "lea también",
    "lea más",
    "lee también",
    "ver también",
    "lire aussi",
    "à lire aussi",
    "lesen sie auch",
    "mehr zum thema",
    "leia também",
    "leggi anche",
    "читайте также",
    "baca juga",
    "share this",
    "click here",
    "sign up",
    "subscribe",
    "all rights reserved",
    "comments",
];

/// Lines that open a comment section, lower case.
pub const COMMENT_CUES: &[&str] = &[
    "leave a reply",
    "leave a comment",
    "post a comment",
    "add a comment",
    "add comment",
    "join the discussion",
    "join the conversation",
    "comments",
    "comment",
    "responses",
    "reader comments",
    "deja un comentario",
    "deja una respuesta",
    "comentarios",
    "laisser un commentaire",
    "commentaires",
    "kommentare",
    "kommentar schreiben",
    "comentários",
    "deixe um comentário",
    "commenti",
    "lascia un commento",
    "комментарии",
    "tinggalkan balasan",
    "komentar",
];

/// Per-site line statistics gathered over a corpus, to spot repeated chrome.
#[derive(Debug, Default, Clone)]
pub struct SiteProfile {
    /// For each site key, how many of its pages contain each normalised line (by hash:
    /// a profile of a large crawl holds millions of lines, and only their counts matter).
    counts: HashMap<String, HashMap<u64, u32>>,
}

/// A stable hash of a normalised line (stores keep profiles across runs and releases).
fn line_hash(l: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(norm_line(l).as_bytes())
}

/// One page's share of a profile: its site and the hashes of its distinct lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLines {
    /// A hash of the page as read (URL and raw text), to count each page once.
    pub page: u64,
    /// The site key (see [`site_key`]).
    pub site: String,
    /// Hashes of the page's distinct non-empty lines.
    pub lines: Vec<u64>,
}

fn norm_line(l: &str) -> String {
    l.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The site a text dump belongs to: its URL host, else its first short line (masthead).
pub fn site_key(text: &str, url: Option<&str>) -> Option<String> {
    if let Some(h) = url.and_then(crate::html::host_of) {
        return Some(h);
    }
    let first = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let words = first.split_whitespace().count();
    (words <= 6 && !first.ends_with('.')).then(|| norm_line(first))
}

fn page_lines(text: &str, url: Option<&str>) -> Option<PageLines> {
    let site = site_key(text, url)?;
    let mut lines: Vec<u64> = text
        .lines()
        .map(strip_bullet)
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(_, l)| line_hash(l))
        .collect();
    lines.sort_unstable();
    lines.dedup();
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(url.unwrap_or("").as_bytes());
    h.update(b"\n");
    h.update(text.as_bytes());
    Some(PageLines {
        page: h.digest(),
        site,
        lines,
    })
}

impl SiteProfile {
    /// Adds a page to the profile when it is a text dump (other pages have no use for it).
    pub fn add_document(&mut self, doc: &echotrace_model::RawDocument) {
        if doc.kind == echotrace_model::ContentKind::Text {
            self.add(&doc.content, doc.origin.url.as_deref());
        }
    }

    /// Adds one page's lines to the profile.
    pub fn add(&mut self, text: &str, url: Option<&str>) {
        if let Some(p) = page_lines(text, url) {
            self.add_lines(&p);
        }
    }

    /// Adds one page's lines, as [`SiteProfile::lines_of`] gives them.
    pub fn add_lines(&mut self, page: &PageLines) {
        let site = self.counts.entry(page.site.clone()).or_default();
        for l in &page.lines {
            *site.entry(*l).or_default() += 1;
        }
    }

    /// Adds line counts kept elsewhere (a store's profile of the pages it holds).
    pub fn add_counts(&mut self, site: &str, counts: impl IntoIterator<Item = (u64, u32)>) {
        let s = self.counts.entry(site.to_string()).or_default();
        for (l, n) in counts {
            *s.entry(l).or_default() += n;
        }
    }

    /// The sites profiled.
    pub fn sites(&self) -> impl Iterator<Item = &str> {
        self.counts.keys().map(String::as_str)
    }

    /// A page's share of a profile, when it is a text dump with a site.
    pub fn lines_of(doc: &echotrace_model::RawDocument) -> Option<PageLines> {
        (doc.kind == echotrace_model::ContentKind::Text)
            .then(|| page_lines(&doc.content, doc.origin.url.as_deref()))
            .flatten()
    }

    fn repeated(&self, key: Option<&str>, line: &str) -> bool {
        let Some(site) = key.and_then(|k| self.counts.get(k)) else {
            return false;
        };
        site.get(&line_hash(line)).is_some_and(|&n| n >= 2)
    }
}

/// One line of the dump with its shape.
#[derive(Debug, Clone)]
struct Line<'a> {
    text: &'a str,
    bullet: bool,
    blank: bool,
    words: usize,
}

/// Splits a bullet marker off a line: (is_bullet, text).
fn strip_bullet(raw: &str) -> (bool, &str) {
    let t = raw.trim();
    for m in ['•', '◦', '▪', '·', '‣', '*', '-', '–'] {
        if let Some(rest) = t.strip_prefix(m) {
            if rest.is_empty() || rest.starts_with(char::is_whitespace) || m == '•' {
                let rest = rest.trim();
                // "• • LIVE": nested markers.
                let rest = rest.trim_start_matches(['•', ' ']);
                return (true, rest);
            }
        }
    }
    (false, t)
}

/// Words in a line; text in scripts written without spaces (Chinese, Japanese)
/// counts one word per two characters, so that line-shape rules hold there too.
fn word_count(text: &str) -> usize {
    text.split_whitespace()
        .map(|tok| {
            let cjk = tok
                .chars()
                .filter(|&c| matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF))
                .count();
            if cjk > 0 {
                cjk.div_ceil(2).max(1)
            } else {
                1
            }
        })
        .sum()
}

/// Whether a line starts like a numbered list item: "1. ", "12) ".
fn is_numbered(text: &str) -> bool {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    (1..=3).contains(&digits)
        && matches!(text.as_bytes().get(digits), Some(b'.' | b')'))
        && text
            .as_bytes()
            .get(digits + 1)
            .is_some_and(u8::is_ascii_whitespace)
}

fn cap_ratio(text: &str) -> f64 {
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| w.chars().next().is_some_and(char::is_alphabetic))
        .collect();
    if words.is_empty() {
        return 0.0;
    }
    let caps = words
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_uppercase))
        .count();
    caps as f64 / words.len() as f64
}

fn ends_sentence(text: &str) -> bool {
    let t = text.trim_end();
    t.ends_with([
        '.', '!', '?', '…', '"', '”', '’', '»', ')', ':', '。', '！', '？',
    ])
}

/// Whether a line reads as running prose.
fn is_prose(l: &Line) -> bool {
    if l.blank || l.bullet {
        return false;
    }
    let headline = cap_ratio(l.text) > 0.6 && l.words < 25;
    (ends_sentence(l.text) && l.words >= 8 && !headline) || l.words >= 25
}

/// Whether a line starts with one of `cues` (case-insensitive).
///
/// Leading marks, digits and spaces are skipped: "### Leave a comment", "1 comment", "» Read more".
pub fn starts_with_cue(text: &str, cues: &[&str]) -> bool {
    let lower = text
        .trim_start_matches(|c: char| !c.is_alphabetic())
        .to_lowercase();
    // The cue must end a word: "comment" is a cue, "commenting on the vote" is not.
    cues.iter().any(|c| {
        lower.starts_with(c)
            && !lower[c.len()..]
                .chars()
                .next()
                .is_some_and(char::is_alphabetic)
    })
}

/// The article found in a dump, before language detection.
#[derive(Debug, Clone, Default)]
pub struct DumpArticle {
    /// Headline.
    pub title: Option<String>,
    /// Masthead (outlet name shown by the page).
    pub outlet: Option<String>,
    /// Body paragraphs joined by blank lines.
    pub body: String,
    /// Credits found around the body.
    pub credits: Credits,
    /// Publication date, if the page states one near the headline or at the top.
    pub published: Option<Published>,
    /// Relative date mentions in the body.
    pub date_hints: Vec<String>,
    /// Topic tags listed after the body.
    pub tags: Vec<String>,
}

/// Extracts the article from a text dump.
pub fn extract_dump(text: &str, url: Option<&str>, profile: &SiteProfile) -> DumpArticle {
    let key = site_key(text, url);
    let dump = Dump::read(text, key.as_deref(), profile);
    let (start, end) = dump.heaviest_run();
    let mut art = DumpArticle::default();
    let mut cred = Credits::default();
    let mut body = dump.body_lines(start, end, &mut cred);
    art.published = take_leading_date(&mut body);
    if let Some(w) = body.first().and_then(|p| credits::wire_credit(p)) {
        cred.sources.push(w);
    }
    art.title = dump.header(start, &mut cred, &mut art.published);
    art.tags = dump.tail(end, &mut cred);
    art.outlet = dump.masthead(art.title.as_deref());
    art.body = body.join("\n\n");
    read_date_hints(&mut art);
    art.credits = cred;
    art
}

/// A dump's lines with the marks that weigh them: hard boundaries, bullet lists, site chrome, comments.
struct Dump<'a> {
    lines: Vec<Line<'a>>,
    /// Lines no body may span: tickers and the comment section's cue.
    boundary: Vec<bool>,
    /// Lines in lists of short bullets.
    list: Vec<bool>,
    /// Short lines seen on other pages of the same site.
    chrome: Vec<bool>,
    /// The first line of the comment section (the line count when none).
    comments_from: usize,
    key: Option<&'a str>,
    profile: &'a SiteProfile,
}

impl<'a> Dump<'a> {
    /// Splits the dump into lines and marks them.
    fn read(text: &'a str, key: Option<&'a str>, profile: &'a SiteProfile) -> Dump<'a> {
        let lines: Vec<Line> = text
            .lines()
            .map(|raw| {
                let (bullet, t) = strip_bullet(raw);
                Line {
                    text: t,
                    bullet,
                    blank: t.is_empty() && !bullet,
                    words: word_count(t),
                }
            })
            .collect();
        let (mut boundary, list) = mark_runs(&lines);
        // Short lines seen on other pages of the same site: chrome, weighed down and dropped.
        let chrome: Vec<bool> = lines
            .iter()
            .map(|l| !l.blank && l.words < 12 && profile.repeated(key, l.text))
            .collect();
        let comments_from = comment_section(&lines);
        if comments_from < lines.len() {
            boundary[comments_from] = true;
        }
        Dump {
            lines,
            boundary,
            list,
            chrome,
            comments_from,
            key,
            profile,
        }
    }

    /// The weight of line `k`: prose counts for its length, everything else against.
    ///
    /// Prose after the comment section's cue (the comments) counts for a fifth.
    fn weight(&self, k: usize) -> f64 {
        let l = &self.lines[k];
        let chars = l.text.chars().count() as f64;
        if l.blank {
            0.0
        } else if self.boundary[k] {
            -1e9
        } else if self.chrome[k] {
            -(50.0 + chars)
        } else if self.list[k] {
            -(25.0 + chars)
        } else if is_prose(l) {
            if k > self.comments_from {
                chars * 0.2
            } else {
                chars
            }
        } else {
            -(10.0 + 0.5 * l.text.chars().count() as f64)
        }
    }

    /// The heaviest contiguous run of lines (Kadane), as `[start, end)`.
    fn heaviest_run(&self) -> (usize, usize) {
        let (mut best, mut best_s, mut best_e) = (0.0, 0usize, 0usize);
        let (mut cur, mut cur_s) = (0.0, 0usize);
        for k in 0..self.lines.len() {
            let w = self.weight(k);
            if cur <= 0.0 {
                cur = 0.0;
                cur_s = k;
            }
            cur += w;
            if cur > best {
                best = cur;
                best_s = cur_s;
                best_e = k + 1;
            }
        }
        (best_s, best_e)
    }

    /// The body's paragraphs from lines `[start, end)`, cleaned of bullets, chrome,
    /// repeats, link cues and credit lines (read into `cred`).
    fn body_lines(&self, start: usize, end: usize, cred: &mut Credits) -> Vec<String> {
        let lines = &self.lines;
        let mut body: Vec<String> = Vec::new();
        let mut prev: Option<&str> = None;
        for k in start..end {
            let l = &lines[k];
            if l.blank {
                continue;
            }
            let t = l.text;
            let is_dup = prev == Some(t) || (k + 1 < lines.len() && lines[k + 1].text == t);
            prev = Some(t);
            if l.bullet
                || self.chrome[k]
                || is_dup
                || t.chars().all(|c| c.is_ascii_digit() || c.is_whitespace())
                || (l.words < 15 && starts_with_cue(t, LINK_CUES))
            {
                continue;
            }
            if l.words <= 14 && credits::is_credit_line(t) {
                credits::read_line(t, cred);
                continue;
            }
            body.push(t.to_string());
        }
        body
    }

    /// The title from the lines above the body (`start`), reading the credits and
    /// the date (when `published` has none) found there on the way up.
    ///
    /// A headline-shaped line ending in a period is likely a caption: the search
    /// goes one line further up for a headline without one.
    fn header(
        &self,
        start: usize,
        cred: &mut Credits,
        published: &mut Option<Published>,
    ) -> Option<String> {
        let mut title_idx = None;
        let mut caption_like = None;
        let mut looked = 0;
        let mut k = start;
        while k > 0 && looked < 12 {
            k -= 1;
            let l = &self.lines[k];
            if l.blank {
                continue;
            }
            looked += 1;
            if self.boundary[k] && !l.bullet {
                break;
            }
            let found = date::find_dates(l.text, true);
            if self.chrome[k] {
                // Site-wide lines can still be this page's credits ("Source: Agencies").
                credits::read_line(l.text, cred);
                continue;
            }
            if l.bullet || !found.is_empty() || l.words <= 3 || credits::is_credit_line(l.text) {
                credits::read_line(l.text, cred);
                if published.is_none() {
                    *published = found.first().map(|f| f.to_published(l.text));
                }
                continue;
            }
            if is_prose(l) || l.words > 30 {
                break;
            }
            if l.text.trim_end().ends_with('.') {
                caption_like.get_or_insert(k);
                continue;
            }
            title_idx = Some(k);
            break;
        }
        title_idx
            .or(caption_like)
            .map(|k| self.lines[k].text.to_string())
    }

    /// The tags listed in the few lines after the body (`end`), two or more; credits there go to `cred`.
    fn tail(&self, end: usize, cred: &mut Credits) -> Vec<String> {
        let lines = &self.lines;
        let mut tags = Vec::new();
        let mut seen_lines = 0;
        let mut k = end;
        while k < lines.len() && seen_lines < 12 {
            let l = &lines[k];
            k += 1;
            if l.blank {
                continue;
            }
            seen_lines += 1;
            if l.bullet && l.words <= 4 && l.words > 0 {
                if tags.is_empty() || lines[k - 2].bullet {
                    tags.push(l.text.to_string());
                }
                continue;
            }
            if !tags.is_empty() {
                break;
            }
            credits::read_line(l.text, cred);
        }
        if tags.len() >= 2 {
            tags
        } else {
            Vec::new()
        }
    }

    /// The masthead: the first short line, when it repeats on the page or across the site and is not the title.
    fn masthead(&self, title: Option<&str>) -> Option<String> {
        let first = self.lines.iter().find(|l| !l.blank)?;
        let repeats = self.lines.iter().filter(|l| l.text == first.text).count() >= 2;
        (first.words <= 6
            && !is_prose(first)
            && (repeats || self.profile.repeated(self.key, first.text))
            && Some(first.text) != title)
            .then(|| first.text.to_string())
    }
}

/// Marks runs of lines: lists of short bullets (menus, tags, share buttons) weigh
/// heavily against; runs of headline-length lines packed without blank lines
/// (tickers) in a page that separates its paragraphs with blank lines are hard
/// boundaries. Returns (boundary, list) per line.
fn mark_runs(lines: &[Line]) -> (Vec<bool>, Vec<bool>) {
    let n = lines.len();
    // Does the page separate paragraphs with blank lines?
    let blank_separated = (1..n)
        .filter(|&i| is_prose(&lines[i]) && lines[i - 1].blank)
        .count()
        >= 2;
    let mut boundary = vec![false; n];
    let mut list = vec![false; n];
    let mut i = 0;
    while i < n {
        if lines[i].blank {
            i += 1;
            continue;
        }
        let bullet_run = lines[i].bullet;
        let mut j = i;
        while j < n && !lines[j].blank && lines[j].bullet == bullet_run {
            j += 1;
        }
        let run = &lines[i..j];
        let short_bullets = bullet_run
            && run.len() >= 3
            && run.iter().filter(|l| l.words <= 6).count() * 2 >= run.len();
        // Numbered items ("1. ...") are an article's own list, not a ticker.
        let numbered = run.iter().filter(|l| is_numbered(l.text)).count() * 2 >= run.len();
        // Headline-length lines (median under 30 words); long ones are paragraphs.
        let mut words: Vec<usize> = run.iter().map(|l| l.words).collect();
        words.sort_unstable();
        let headline_length = words.get(words.len() / 2).is_some_and(|&w| w < 30);
        let packed =
            !bullet_run && blank_separated && run.len() >= 3 && !numbered && headline_length;
        if short_bullets {
            list[i..j].iter_mut().for_each(|b| *b = true);
        }
        if packed {
            boundary[i..j].iter_mut().for_each(|b| *b = true);
        }
        i = j.max(i + 1);
    }
    (boundary, list)
}

/// The line that opens the comment section (the line count when none): a short
/// comment cue after some prose ("Comments (3)" in a header bar is chrome, not the section).
fn comment_section(lines: &[Line]) -> usize {
    let mut prose_before = 0usize;
    (0..lines.len())
        .find(|&k| {
            let cue = !lines[k].blank
                && lines[k].words <= 8
                && starts_with_cue(lines[k].text, COMMENT_CUES)
                && prose_before >= 300;
            if is_prose(&lines[k]) {
                prose_before += lines[k].text.len();
            }
            cue
        })
        .unwrap_or(lines.len())
}

/// Takes a date label off the very start of the first paragraph (it is metadata) and returns it.
fn take_leading_date(body: &mut [String]) -> Option<Published> {
    let first = body.first_mut()?;
    let found = date::find_dates(first, true);
    let f = found.first()?;
    let before = first[..f.start].trim();
    if f.start > 24 || before.split_whitespace().count() > 2 || before.ends_with(['.', ',']) {
        return None;
    }
    let published = f.to_published(first);
    *first = first[f.end..]
        .trim_start_matches([' ', '-', '—', '–', '|', ':'])
        .to_string();
    Some(published)
}

/// Relative date mentions in the body's opening; a month and day there dates an undated article.
fn read_date_hints(art: &mut DumpArticle) {
    let head: String = art.body.chars().take(1500).collect();
    for (s, e) in date::find_weekday_mentions(&head) {
        art.date_hints.push(head[s..e].to_string());
    }
    let md = date::find_month_days(&head);
    for f in &md {
        art.date_hints.push(head[f.start..f.end].to_string());
    }
    if art.published.is_none() {
        art.published = md.first().map(|f| f.to_published(&head));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "Daily Example\n\n  • Home\n  • World\n  • Sports\nDaily Example\n\nBREAKING\nMinister resigns after a long and heated debate in the national parliament today\nStorm hits the coast and thousands are left without power across the region\nMarkets fall sharply for the third day in a row as investors worry about rates\n\nCity council approves new budget for schools\n\n  • By Jane Roe\n  • Source: Agencies\n  • 3 Mar 2021 10:05\n\nThe city council on Tuesday approved a budget that raises spending on schools by a tenth, the first rise in five years.\n\nThe vote was close, and several members said the plan did not go far enough to repair old buildings.\n\nRead more: Council elections set for May\n\n  • Budget\n  • Schools\n  • City\n\nMost Read\n\nDaily Example\n";

    #[test]
    fn body_title_credits_and_date() {
        let a = extract_dump(PAGE, None, &SiteProfile::default());
        assert!(
            a.body.starts_with("The city council on Tuesday"),
            "{}",
            a.body
        );
        assert!(a.body.ends_with("old buildings."), "{}", a.body);
        assert!(!a.body.contains("Minister resigns"));
        assert_eq!(
            a.title.as_deref(),
            Some("City council approves new budget for schools")
        );
        assert_eq!(a.credits.byline.as_deref(), Some("Jane Roe"));
        assert_eq!(a.credits.sources, ["Agencies"]);
        assert_eq!(a.published.unwrap().value.to_string(), "2021-03-03T10:05");
        assert_eq!(a.tags, ["Budget", "Schools", "City"]);
        assert_eq!(a.outlet.as_deref(), Some("Daily Example"));
        assert_eq!(a.date_hints, ["on Tuesday"]);
    }

    #[test]
    fn repeated_site_lines_are_chrome() {
        let other = "Daily Example\n\nCity council approves new budget for schools\n\nSomething else entirely happened in another town, officials said on Friday.\n";
        let mut p = SiteProfile::default();
        p.add(PAGE, None);
        p.add(other, None);
        assert!(p.repeated(site_key(PAGE, None).as_deref(), "Daily Example"));
        let a = extract_dump(PAGE, None, &p);
        assert!(a.body.starts_with("The city council"));
    }

    #[test]
    fn cues_match_whole_words_after_marks() {
        assert!(starts_with_cue("### Leave a Comment", COMMENT_CUES));
        assert!(starts_with_cue("1 comment", COMMENT_CUES));
        assert!(!starts_with_cue(
            "Commenting on the vote, she said",
            COMMENT_CUES
        ));
        assert!(starts_with_cue("» Read more: the full story", LINK_CUES));
    }

    #[test]
    fn cjk_lines_are_measured_in_characters() {
        assert_eq!(word_count("これは日本語の文章です。"), 6);
        assert_eq!(word_count("plain words here"), 3);
    }

    #[test]
    fn garbage_never_panics() {
        for t in [
            "",
            "\n\n\n",
            "•",
            "• • •\n-\n*",
            "0\n\n0",
            "a\u{0}b\n\u{feff}",
        ] {
            let _ = extract_dump(t, None, &SiteProfile::default());
        }
    }
}
