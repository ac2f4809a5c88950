//! HTML front end: main text from the DOM, metadata from markup.
//!
//! The page is parsed once with `scraper`; that tree gives the metadata (title, dates,
//! byline, outlet, tags, language: JSON-LD first, then meta tags, `<time>`, the URL, and
//! visible date elements) and the page's own body: its blocks kept by a learned model
//! ([`crate::blocks`]). The `trafilatura` crate (a port of the Python library, precise)
//! reads the page a second time. Three candidate bodies come of the two texts: the own
//! one with, paragraph by paragraph, only what the precise one agrees on (see
//! [`merge_bodies`]), the precise one alone, the own one alone; a learned chooser
//! ([`crate::chooser`]) keeps one.

use std::sync::OnceLock;

use echotrace_model::{DateBasis, DateValue, Precision, Published};
use scraper::{Html, Selector};

use crate::date::{find_dates, parse_machine_date, plausible};
use crate::published::{Candidate, DateModel, Source};

/// What the HTML front end found in one page.
#[derive(Debug, Clone, Default)]
pub struct HtmlPage {
    /// The main text, paragraphs separated by a blank line.
    pub body: String,
    /// Length of the page's visible text, to report what was removed.
    pub page_text_chars: usize,
    /// Headline.
    pub title: Option<String>,
    /// Author(s).
    pub byline: Option<String>,
    /// Site name from metadata, or the URL's host.
    pub outlet: Option<String>,
    /// Publication date with its evidence.
    pub published: Option<Published>,
    /// Tags and keywords.
    pub tags: Vec<String>,
    /// Declared language (`<html lang>`), first subtag.
    pub language: Option<String>,
}

fn sel(s: &'static str) -> Selector {
    Selector::parse(s).expect("static selector")
}

struct Sels {
    meta: Selector,
    ld: Selector,
    time: Selector,
    title: Selector,
    h1: Selector,
    html: Selector,
    itemprop_pub: Selector,
    author_el: Selector,
    date_el: Selector,
    canonical: Selector,
}

fn sels() -> &'static Sels {
    static S: OnceLock<Sels> = OnceLock::new();
    S.get_or_init(|| Sels {
        meta: sel("meta"),
        ld: sel(r#"script[type="application/ld+json"]"#),
        time: sel("time"),
        title: sel("title"),
        h1: sel("h1"),
        html: sel("html"),
        itemprop_pub: sel(r#"[itemprop="datePublished"], [itemprop="dateCreated"]"#),
        author_el: sel(r#"[rel="author"], [itemprop="author"], .byline, .author, .author-name, .article-author"#),
        date_el: sel(r#"[class*="date"], [class*="publish"], [class*="posted"], [id*="date"], [class*="time"], [class*="byline"], [class*="meta"]"#),
        canonical: sel(r#"link[rel="canonical"][href]"#),
    })
}

/// Meta `name`/`property`/`itemprop` values that carry the publication date (lower case).
const PUBLISHED_META: &[&str] = &[
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "published_time",
    "datepublished",
    "date_published",
    "publishdate",
    "publish-date",
    "publish_date",
    "pubdate",
    "pub_date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dc.date.created",
    "dcterms.date",
    "dcterms.created",
    "dcterms.issued",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "bt:pubdate",
    "rnews:datepublished",
    "originalpublicationdate",
    "article_date_original",
    "citation_publication_date",
    "citation_date",
    "cxenseparse:recs:publishtime",
    "date_created",
    "datecreated",
    "dateposted",
    "article:post_date",
    "article.created",
    "content_create_date",
    "og:published_time",
    "release_date",
    "created",
    "publication_date",
    "article:publicationdate",
    "analyticsattributes.articledate",
    "last-modified-date-original",
    "ga-publish-date",
];

/// Meta names that carry a modification date: the last resort.
const MODIFIED_META: &[&str] = &[
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dc.date.modified",
    "dcterms.modified",
    "last-modified",
    "lastmod",
    "article.updated",
    "modified_time",
];

/// Extracts the body and metadata of one HTML page.
pub fn extract_html(html: &str, url: Option<&str>) -> HtmlPage {
    let doc = Html::parse_document(html);
    let (mut page, candidates) = read_metadata(&doc, html, url);
    let (body, fallback_title) = main_text(&doc, html, url, page.title.as_deref());
    page.body = body;
    if page.title.is_none() {
        page.title = fallback_title;
    }
    // The extractors fall back to the headline when a page has no main text: that is no body.
    if let Some(title) = &page.title {
        let fold = |s: &str| {
            s.split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase()
        };
        let t = fold(title);
        if paragraphs(&page.body).iter().all(|p| fold(p) == t) {
            page.body.clear();
        }
    }
    page.page_text_chars = visible_text_nodes(&doc)
        .map(|t| t.chars().filter(|c| !c.is_whitespace()).count())
        .sum();
    page.published = DateModel::shipped()
        .pick(&candidates)
        .map(|i| candidates[i].published.clone());
    page
}

/// The headline a parsed page's markup gives.
pub fn page_title(doc: &Html, html: &str, url: Option<&str>) -> Option<String> {
    read_metadata(doc, html, url).0.title
}

/// Every publication-date candidate of one page (for training and scoring the [`DateModel`]).
pub fn date_candidates(html: &str, url: Option<&str>) -> Vec<Candidate> {
    read_metadata(&Html::parse_document(html), html, url).1
}

/// Dates in inline script data (`"publishedAt": "2020-08-17..."`), at most `limit`.
fn script_dates(html: &str, limit: usize) -> Vec<(Published, bool)> {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        crate::regex(r#"(?i)["']?(date_?published|publish(?:ed)?_?(?:date|at|time|on)|pub_?date|first_?published(?:_?(?:at|date))?|release_?date|created_?at)["']?\s*[:=]\s*["']([^"'<>]{6,40})["']"#).unwrap()
    });
    re.captures_iter(html)
        .take(50)
        .filter_map(|c| {
            let (d, t) = parse_machine_date(&c[2])?;
            let has_time = t.is_some() && c[2].contains(':');
            plausible(d).then(|| {
                let evidence = format!("script {}: {}", &c[1], &c[2]);
                (explicit_date(d, t, has_time, evidence), has_time)
            })
        })
        .take(limit)
        .collect()
}

/// The page's text nodes outside scripts, styles and templates.
fn visible_text_nodes(doc: &Html) -> impl Iterator<Item = &str> {
    doc.root_element().descendants().filter_map(|node| {
        let scraper::Node::Text(t) = node.value() else {
            return None;
        };
        let hidden = node
            .parent()
            .and_then(|p| p.value().as_element())
            .is_some_and(|e| matches!(e.name(), "script" | "style" | "noscript" | "template"));
        (!hidden).then_some(&**t)
    })
}

/// Full dates in the page's visible text (its first 512 KiB): each distinct day's
/// first mention, with the number of mentions, in order of first mention.
fn text_dates(doc: &Html, lang: Option<&str>) -> Vec<(Published, usize, bool)> {
    let month_first = lang.is_none_or(|l| l == "en");
    let mut text = String::new();
    for t in visible_text_nodes(doc) {
        text.push_str(t);
        text.push('\n');
        if text.len() > 512 * 1024 {
            break;
        }
    }
    let mut days: Vec<(chrono::NaiveDate, usize, crate::date::FoundDate)> = Vec::new();
    for f in find_dates(&text, month_first) {
        let Some(d) = f.date.filter(|d| plausible(*d)) else {
            continue;
        };
        match days.iter_mut().find(|c| c.0 == d) {
            Some(c) => c.1 += 1,
            None => days.push((d, 1, f)),
        }
    }
    days.into_iter()
        .map(|(_, n, f)| {
            let mut p = f.to_published(&text);
            p.evidence = format!("page text: {}", p.evidence);
            (p, n, f.time.is_some())
        })
        .collect()
}

/// The main text of the page and the precise extractor's title.
fn main_text(
    doc: &Html,
    html: &str,
    url: Option<&str>,
    title: Option<&str>,
) -> (String, Option<String>) {
    let model = crate::blocks::BlockModel::shipped();
    let seg = crate::blocks::Segmented::new(doc, title);
    let probs = model.probabilities(&seg);
    let region = seg.region(&probs, REGION_COVER, REGION_MAX_SHARE);
    let t = precise_output_in(doc, html, url, region);
    // The precise extractor's text glues paragraphs together; its HTML keeps them apart.
    let t_text = t
        .as_ref()
        .map(|t| block_text(&t.content_html))
        .unwrap_or_default();
    let (own, certainty) = model.body_and_certainty_from(&seg, &probs);
    let body = chosen_body(&t_text, &own, certainty as f64);
    let body = drop_link_cues(&body);
    let title = t
        .as_ref()
        .map(|t| t.metadata.title.trim().to_string())
        .filter(|s| !s.is_empty());
    (body, title)
}

/// What the precise extractor (the trafilatura crate) makes of a page.
fn precise_output(html: &str, url: Option<&str>) -> Option<trafilatura::ExtractResult> {
    // Its dates are not used (ours are read from the same page): skipping them saves a pass.
    let mut topts = trafilatura::Options::default();
    topts.html_date_mode = trafilatura::HtmlDateMode::Disabled;
    if let Some(u) = url.and_then(|u| url::Url::parse(u).ok()) {
        topts.original_url = Some(u);
    }
    trafilatura::extract(html, &topts).ok()
}

/// Share of the page's likely text (by the block model) the precise extractor's region holds.
const REGION_COVER: f32 = 0.99;
/// A region holding more of the page's words than this is the page: the whole page is read.
const REGION_MAX_SHARE: f32 = 0.8;

/// What the precise extractor makes of the element `region` of a parsed page, or of the whole
/// page without one.
///
/// The extractor parses the page again and cleans its whole tree: given only the region that
/// holds the block model's likely text, it reads a fraction of the page.
fn precise_output_in(
    doc: &Html,
    html: &str,
    url: Option<&str>,
    region: Option<ego_tree::NodeId>,
) -> Option<trafilatura::ExtractResult> {
    let Some(element) = region
        .and_then(|id| doc.tree.get(id))
        .and_then(scraper::ElementRef::wrap)
    else {
        return precise_output(html, url);
    };
    let part = format!("<html><body>{}</body></html>", element.html());
    precise_output(&part, url)
}

/// The precise extractor's text of a page, paragraphs on their own lines.
pub fn precise_text(html: &str, url: Option<&str>) -> String {
    precise_output(html, url)
        .map(|t| block_text(&t.content_html))
        .unwrap_or_default()
}

/// The precise extractor's text of the region of a page that `model` finds its likely text in
/// (the whole page without one), paragraphs on their own lines.
pub fn precise_text_in_region(
    html: &str,
    url: Option<&str>,
    model: &crate::blocks::BlockModel,
) -> String {
    let doc = Html::parse_document(html);
    let title = read_metadata(&doc, html, url).0.title;
    let seg = crate::blocks::Segmented::new(&doc, title.as_deref());
    let region = seg.region(&model.probabilities(&seg), REGION_COVER, REGION_MAX_SHARE);
    precise_output_in(&doc, html, url, region)
        .map(|t| block_text(&t.content_html))
        .unwrap_or_default()
}

/// The page's text as the shipped block model keeps it from the page's own parse
/// ([`crate::blocks`]), blocks on their own lines.
pub fn own_text(doc: &Html, title: Option<&str>) -> String {
    let seg = crate::blocks::Segmented::new(doc, title);
    crate::blocks::BlockModel::shipped().body(&seg)
}

/// The three candidate bodies of a page (merged, precise, own; see [`crate::chooser::OPTIONS`]).
pub fn candidate_bodies(precise: &str, recall: &str) -> [String; 3] {
    let merged = merge_bodies(precise, recall).unwrap_or_else(|| paragraphs(precise).join("\n\n"));
    [
        merged,
        paragraphs(precise).join("\n\n"),
        paragraphs(recall).join("\n\n"),
    ]
}

/// The body the shipped [`crate::chooser::BodyChooser`] keeps among the candidates.
fn chosen_body(precise: &str, recall: &str, certainty: f64) -> String {
    // The own parse finds no text outside links, and the precise extractor little: a menu.
    if recall.trim().is_empty() && !crate::chooser::long_enough(precise) {
        return String::new();
    }
    let candidates = candidate_bodies(precise, recall);
    let k = crate::chooser::BodyChooser::shipped().pick(&candidates, certainty);
    let [merged, precise, recall] = candidates;
    match k {
        1 => precise,
        2 => recall,
        _ => merged,
    }
}

/// Elements that start a new paragraph in text output.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "blockquote",
    "pre",
    "tr",
    "table",
    "ul",
    "ol",
    "section",
    "article",
    "header",
    "footer",
    "figure",
    "figcaption",
    "dd",
    "dt",
    "main",
    "aside",
    "head",
    "title",
    "hr",
];

/// The text of an HTML fragment, one line per block element (a `<br>` breaks a line).
pub fn block_text(fragment: &str) -> String {
    let doc = Html::parse_fragment(fragment);
    let mut out = String::with_capacity(fragment.len() / 2);
    for edge in doc.root_element().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(node) => match node.value() {
                scraper::Node::Text(t) => out.push_str(t),
                scraper::Node::Element(e) if e.name() == "br" => out.push('\n'),
                scraper::Node::Element(e) if BLOCKS.contains(&e.name()) => out.push('\n'),
                _ => {}
            },
            ego_tree::iter::Edge::Close(node) => {
                if let scraper::Node::Element(e) = node.value() {
                    if BLOCKS.contains(&e.name()) {
                        out.push('\n');
                    }
                }
            }
        }
    }
    out
}

/// Splits extracted text into trimmed non-empty paragraphs.
pub fn paragraphs(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

/// Removes short paragraphs that only point elsewhere ("Read more: ...", "Lea también: ...")
/// and repeats of a long paragraph already kept (an extractor artefact, not article text).
fn drop_link_cues(body: &str) -> String {
    let mut seen = std::collections::HashSet::new();
    let paras = paragraphs(body)
        .into_iter()
        .filter(|p| {
            let words = p.split_whitespace().count();
            !(words < 20 && crate::textdump::starts_with_cue(p, crate::textdump::LINK_CUES))
        })
        .map(collapse_repeats)
        .filter(|p| p.split_whitespace().count() < 8 || seen.insert(*p))
        .collect::<Vec<_>>();
    // A paragraph right after its own copy is an extractor artefact, however short.
    let mut kept: Vec<&str> = Vec::with_capacity(paras.len());
    for p in paras {
        if kept.last() != Some(&p) {
            kept.push(p);
        }
    }
    kept.join("\n\n")
}

/// A paragraph that is one text repeated several times, reduced to one copy.
///
/// Some extractors emit a page's only text (an unclosed `<title>`, say) once
/// per candidate node; a string equal to k > 1 copies of a prefix has that
/// prefix as its period, found as the first re-occurrence of the string in
/// itself doubled.
fn collapse_repeats(p: &str) -> &str {
    if p.len() < 2 {
        return p;
    }
    let doubled = [p, p].concat();
    match memchr::memmem::find(&doubled.as_bytes()[1..], p.as_bytes()) {
        Some(i)
            if i + 1 < p.len() && p.len().is_multiple_of(i + 1) && p.is_char_boundary(i + 1) =>
        {
            &p[..i + 1]
        }
        _ => p,
    }
}

/// Lower-cased word 4-grams of a text (the whole text when shorter).
/// Combines the recall-oriented text's paragraphs (the page's own blocks) with the precise extractor's choice;
/// `None` when the precise extractor's own output should be used.
///
/// A paragraph of `recall` is kept when the `precise` output agrees on it:
/// at least a tenth of its word 4-grams appear there, or, for paragraphs of
/// fewer than four words, its text does (whitespace removed, since the
/// precise extractor can glue paragraphs together). When `precise` is
/// empty or under a third of `recall`'s length it has missed the article and
/// `recall` is kept whole. Measured on the extraction-body set this beats
/// either extractor alone (`echotrace eval --set body`).
pub fn merge_bodies(precise: &str, recall: &str) -> Option<String> {
    let r = paragraphs(recall);
    if r.is_empty() {
        return None;
    }
    let r_words: usize = r.iter().map(|p| p.split_whitespace().count()).sum();
    if precise.split_whitespace().count() * 3 < r_words {
        return Some(r.join("\n\n"));
    }
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    let p_sq = squeeze(precise);
    let p_grams = crate::chooser::four_grams(precise);
    let agreed: Vec<bool> = r
        .iter()
        .map(|para| {
            let words = para.split_whitespace().count();
            if words < 4 {
                return p_sq.contains(&squeeze(para));
            }
            let g = crate::chooser::four_grams(para);
            let shared = g.iter().filter(|x| p_grams.contains(*x)).count();
            // A long block (an unsegmented page) must mostly agree, a paragraph a little.
            let need = if words > 150 { 2 } else { 10 };
            shared * need >= g.len()
        })
        .collect();
    let kept: Vec<&str> = r
        .iter()
        .zip(&agreed)
        .filter(|(_, &a)| a)
        .map(|(p, _)| *p)
        .collect();
    // When a long block was rejected (the recall extractor did not segment the
    // page) and what is left is far less than the precise extractor found, trust it.
    let rejected_block = r
        .iter()
        .zip(&agreed)
        .any(|(p, &a)| !a && p.split_whitespace().count() > 150);
    let kept_words: usize = kept.iter().map(|p| p.split_whitespace().count()).sum();
    if rejected_block && kept_words * 2 < precise.split_whitespace().count() {
        return None;
    }
    Some(kept.join("\n\n"))
}

/// Letters and digits alone, lower case: how titles and site names are compared.
fn name_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether a part of a title names the site (one of `sites`): it is one of the names, begins
/// with one ("AOC media - Analyse Opinion Critique"), or is most of one ("Example" for
/// "examplenews.com").
fn names_site(part: &str, sites: &[String]) -> bool {
    let p = name_key(part);
    let n = p.chars().count();
    n >= 3
        && sites.iter().map(|s| name_key(s)).any(|s| {
            let m = s.chars().count();
            m >= 3
                && (s == p
                    || (m >= 4 && p.starts_with(s.as_str()))
                    || (n >= 4 && s.contains(&p) && 2 * n >= m))
        })
}

/// A headline without the site's name that pages add at its start or end ("Minister resigns
/// | The Daily Example"): an end part, cut at a separator, that names the site is dropped, so
/// long as a headline remains. Only the first separator (in the order listed) that cuts off
/// a site name is used.
fn without_site_name(title: &str, sites: &[String]) -> String {
    const SEPARATORS: [&str; 8] = [" | ", " - ", " – ", " — ", " :: ", " · ", " » ", " « "];
    let mut t = title.trim();
    for sep in SEPARATORS {
        if let Some((head, last)) = t.rsplit_once(sep) {
            if names_site(last, sites) && !head.trim().is_empty() {
                t = head.trim();
                break;
            }
        }
        if let Some((first, rest)) = t.split_once(sep) {
            if names_site(first, sites) && !rest.trim().is_empty() {
                t = rest.trim();
                break;
            }
        }
    }
    t.to_string()
}

fn clean(s: &str) -> Option<String> {
    let t = s.split_whitespace().collect::<Vec<_>>().join(" ");
    (!t.is_empty()).then_some(t)
}

fn read_metadata(doc: &Html, html: &str, url: Option<&str>) -> (HtmlPage, Vec<Candidate>) {
    let ld = json_ld(doc);
    let m = Markup {
        doc,
        metas: meta_tags(doc),
        ld: flatten_ld(&ld),
    };
    let locale = m.locale();
    let language = locale.as_ref().and_then(|l| {
        let p = l.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        (p.len() == 2 || p.len() == 3).then_some(p)
    });
    let candidates = page_dates(&m, html, url, locale.as_deref(), language.as_deref());
    let page = HtmlPage {
        title: {
            let sites = m.site_names(url);
            m.title(&sites)
                .map(|t| without_site_name(&t, &sites))
                .map(|t| m.headline_within(&t).unwrap_or(t))
        },
        outlet: m.outlet(url),
        byline: m.byline(),
        tags: m.tags(),
        language,
        ..HtmlPage::default()
    };
    (page, candidates)
}

/// Every date the page offers as a publication-date candidate, markup first.
fn page_dates(
    m: &Markup,
    html: &str,
    url: Option<&str>,
    locale: Option<&str>,
    language: Option<&str>,
) -> Vec<Candidate> {
    let utc_shift = locale.and_then(locale_utc_offset_minutes);
    let visible = visible_dates(m.doc, locale, 4);
    // The first date written out for readers (an attribute may hold the same UTC value).
    let visible_day = visible
        .iter()
        .find(|(_, s, _)| *s == Source::VisibleText)
        .and_then(|(p, _, _)| p.value.date());
    let mut text = text_dates(m.doc, language);
    let counts: Vec<(Option<chrono::NaiveDate>, usize)> =
        text.iter().map(|(p, n, _)| (p.value.date(), *n)).collect();
    let mentions = |d: chrono::NaiveDate| {
        counts
            .iter()
            .find(|(day, _)| *day == Some(d))
            .map_or(0, |c| c.1)
    };
    let mut out = Vec::new();
    let mut push = |source: Source, published: Published, has_time: bool, across: bool| {
        if let Some(day) = published.value.date() {
            out.push(Candidate {
                source,
                day,
                text_mentions: mentions(day),
                has_time,
                across_midnight: across,
                published,
            });
        }
    };
    for (value, evidence, source) in m.date_candidates(url) {
        let neighbour = utc_neighbour_day(&value).filter(|n| mentions(*n) > 0);
        if let Some((p, has_time)) =
            machine_published(&value, evidence.clone(), utc_shift, visible_day)
        {
            let day = p.value.date();
            push(source, p, has_time, false);
            if let Some(n) = neighbour.filter(|n| Some(*n) != day) {
                push(source, explicit_date(n, None, false, evidence), false, true);
            }
        }
    }
    for (p, source, has_time) in visible {
        push(source, p, has_time, false);
    }
    for (p, has_time) in script_dates(html, 4) {
        push(Source::Script, p, has_time, false);
    }
    text.sort_by_key(|t| std::cmp::Reverse(t.1));
    for (p, _, has_time) in text.into_iter().take(6) {
        push(Source::PageText, p, has_time, false);
    }
    out
}

/// A page's meta tags as (lower-case key, content): key from `property`, `name`, `itemprop` or `http-equiv`.
fn meta_tags(doc: &Html) -> Vec<(String, String)> {
    let mut metas = Vec::new();
    for m in doc.select(&sels().meta) {
        let v = m.value();
        let key = v
            .attr("property")
            .or_else(|| v.attr("name"))
            .or_else(|| v.attr("itemprop"))
            .or_else(|| v.attr("http-equiv"));
        if let (Some(k), Some(c)) = (key, v.attr("content")) {
            metas.push((k.trim().to_ascii_lowercase(), c.trim().to_string()));
        }
    }
    metas
}

/// The page's JSON-LD blocks that parse (inside a `<![CDATA[ ... ]]>` wrapper too).
fn json_ld(doc: &Html) -> Vec<serde_json::Value> {
    doc.select(&sels().ld)
        .filter_map(|e| {
            let raw: String = e.text().collect();
            serde_json::from_str(without_cdata(&raw)).ok()
        })
        .collect()
}

/// A script's text without the XHTML `<![CDATA[ ... ]]>` wrapper (also written as `//<![CDATA[`).
fn without_cdata(raw: &str) -> &str {
    let t = raw.trim();
    let t = t.strip_prefix("//").map_or(t, str::trim_start);
    let Some(inner) = t.strip_prefix("<![CDATA[") else {
        return t;
    };
    let inner = inner.trim_end();
    let inner = inner.strip_suffix("]]>").unwrap_or(inner).trim_end();
    inner.strip_suffix("//").unwrap_or(inner).trim()
}

/// The markup a page's metadata is read from: the DOM, its meta tags and its JSON-LD objects.
struct Markup<'d> {
    doc: &'d Html,
    metas: Vec<(String, String)>,
    ld: Vec<&'d serde_json::Value>,
}

impl Markup<'_> {
    /// The first non-empty meta content among `keys`, in the order of `keys`.
    fn meta(&self, keys: &[&str]) -> Option<String> {
        keys.iter().find_map(|k| {
            self.metas
                .iter()
                .find(|(mk, c)| mk == k && !c.is_empty())
                .map(|(_, c)| c.clone())
        })
    }

    /// The headline: Open Graph or Twitter title, JSON-LD headline, `<title>` unless it only
    /// names the site (one of `sites`), first `<h1>`, `<title>`.
    fn title(&self, sites: &[String]) -> Option<String> {
        let s = sels();
        let first_text = |sel: &Selector| {
            self.doc
                .select(sel)
                .next()
                .map(|h| name_key(&h.text().collect::<String>()))
                .filter(|k| !k.is_empty())
        };
        let (title_key, h1_key) = (first_text(&s.title), first_text(&s.h1));
        // JSON-LD `headline` is sometimes a description ("matrix equal to its conjugate-
        // transpose"): it counts when the `<title>` or the `<h1>` holds it or it holds them.
        let agrees = |t: &str| {
            let k = name_key(t);
            [&title_key, &h1_key]
                .into_iter()
                .flatten()
                .any(|o| o.contains(&k) || k.contains(o.as_str()))
        };
        self.meta(&["og:title", "twitter:title"])
            .or_else(|| {
                self.ld.iter().find_map(|o| {
                    let h = o.get("headline")?.as_str()?;
                    let known = title_key.is_some() || h1_key.is_some();
                    (!known || agrees(h)).then(|| h.to_string())
                })
            })
            .or_else(|| {
                self.doc
                    .select(&s.title)
                    .next()
                    .map(|h| h.text().collect::<String>())
                    .filter(|t| !t.trim().is_empty() && !names_site(t, sites))
            })
            .or_else(|| {
                self.doc
                    .select(&s.h1)
                    .next()
                    .map(|h| h.text().collect::<String>())
            })
            .or_else(|| {
                self.doc
                    .select(&s.title)
                    .next()
                    .map(|h| h.text().collect::<String>())
            })
            .and_then(|t| clean(&t))
    }

    /// The page's first `<h1>`, when `title` holds it with more around it ("Was ist Virales
    /// Marketing? | DimidoBlog" over the heading "Was ist Virales Marketing?"): the decoration
    /// is the site's, the heading is the headline.
    fn headline_within(&self, title: &str) -> Option<String> {
        let h1 = self.doc.select(&sels().h1).next()?;
        let h1 = clean(&h1.text().collect::<String>())?;
        let (k, t) = (name_key(&h1), name_key(title));
        let long_enough = h1.split_whitespace().count() >= 2 && 2 * k.len() >= t.len();
        (long_enough && k != t && t.contains(&k)).then_some(h1)
    }

    /// The addresses the page declares as its own: `<link rel="canonical">`, then `og:url`.
    fn declared_addresses(&self) -> impl Iterator<Item = &str> {
        self.doc
            .select(&sels().canonical)
            .filter_map(|e| e.value().attr("href"))
            .chain(
                self.metas
                    .iter()
                    .filter(|(k, _)| k == "og:url")
                    .map(|(_, c)| c.as_str()),
            )
    }

    /// Every name the page gives its site: meta site names, the JSON-LD publisher, the host
    /// of its URL or of the address it declares as its own.
    fn site_names(&self, url: Option<&str>) -> Vec<String> {
        let mut names: Vec<String> = ["og:site_name", "application-name", "twitter:site"]
            .iter()
            .filter_map(|k| self.meta(&[k]))
            .map(|s| s.trim_start_matches('@').to_string())
            .collect();
        names.extend(self.ld.iter().filter_map(|o| {
            o.get("publisher")?
                .get("name")?
                .as_str()
                .map(str::to_string)
        }));
        let declared = self.declared_addresses().find_map(host_of);
        if let Some(host) = url.and_then(host_of).or(declared) {
            // "news.example.co.uk" also goes by "news.example" and "example".
            let labels: Vec<&str> = host.split('.').collect();
            for k in 1..labels.len() {
                names.push(labels[..k].join("."));
            }
            names.extend(
                labels
                    .iter()
                    .filter(|l| l.len() >= 4)
                    .map(|l| l.to_string()),
            );
            names.push(host);
        }
        names
    }

    /// The outlet: site name from meta tags or the JSON-LD publisher, else the URL's host.
    fn outlet(&self, url: Option<&str>) -> Option<String> {
        self.meta(&[
            "og:site_name",
            "application-name",
            "publisher",
            "twitter:site",
        ])
        .or_else(|| {
            self.ld.iter().find_map(|o| {
                let p = o.get("publisher")?;
                p.get("name")?.as_str().map(str::to_string)
            })
        })
        .map(|s| s.trim_start_matches('@').to_string())
        .or_else(|| url.and_then(host_of))
        .and_then(|t| clean(&t))
    }

    /// The author(s): JSON-LD author, author meta tags, else a short byline element.
    fn byline(&self) -> Option<String> {
        self.ld
            .iter()
            .find_map(|o| ld_names(o.get("author")?))
            .or_else(|| {
                self.meta(&[
                    "author",
                    "article:author",
                    "dc.creator",
                    "byl",
                    "sailthru.author",
                    "parsely-author",
                ])
            })
            .filter(|a| !a.starts_with("http"))
            .or_else(|| {
                self.doc
                    .select(&sels().author_el)
                    .map(|e| e.text().collect::<String>())
                    .filter_map(|t| clean(&t))
                    .find(|t| t.split_whitespace().count() <= 8)
            })
            .map(|a| strip_by(&a))
            .and_then(|t| clean(&t))
    }

    /// Tags and keywords from meta tags, at most 30.
    fn tags(&self) -> Vec<String> {
        let mut tags: Vec<String> = self
            .metas
            .iter()
            .filter(|(k, _)| k == "article:tag" || k == "keywords" || k == "news_keywords")
            .flat_map(|(_, c)| {
                c.split([',', ';'])
                    .map(str::trim)
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .filter(|t| !t.is_empty() && t.chars().count() <= 60)
            .collect();
        tags.dedup();
        tags.truncate(30);
        tags
    }

    /// The declared locale: `<html lang>`, else a language meta tag.
    fn locale(&self) -> Option<String> {
        self.doc
            .select(&sels().html)
            .next()
            .and_then(|h| {
                h.value()
                    .attr("lang")
                    .or_else(|| h.value().attr("xml:lang"))
            })
            .map(str::to_string)
            .or_else(|| self.meta(&["content-language", "og:locale", "language", "dc.language"]))
    }

    /// Machine-readable date candidates as (value, evidence, source):
    /// meta, JSON-LD, itemprop, `<time pubdate>`, URL, first `<time>`, modified.
    fn date_candidates(&self, url: Option<&str>) -> Vec<(String, String, Source)> {
        let s = sels();
        let ld_date = |key: &str| {
            self.ld.iter().find_map(|o| {
                let v = o.get(key)?.as_str()?;
                Some((v.to_string(), format!("JSON-LD {key}: {v}")))
            })
        };
        let mut candidates: Vec<(String, String, Source)> = Vec::new();
        for k in PUBLISHED_META {
            if let Some((mk, c)) = self.metas.iter().find(|(mk, c)| mk == k && !c.is_empty()) {
                candidates.push((c.clone(), format!("meta {mk}: {c}"), Source::MetaPublished));
            }
        }
        if let Some((v, e)) = ld_date("datePublished") {
            candidates.push((v, e, Source::LdPublished));
        }
        for e in self.doc.select(&s.itemprop_pub).take(8) {
            if let Some(v) = e
                .value()
                .attr("content")
                .or_else(|| e.value().attr("datetime"))
            {
                candidates.push((
                    v.to_string(),
                    format!("itemprop datePublished: {v}"),
                    Source::ItempropPublished,
                ));
            }
        }
        if let Some((v, e)) = ld_date("dateCreated") {
            candidates.push((v, e, Source::LdCreated));
        }
        for e in self.doc.select(&s.time).take(64) {
            let v = e.value();
            let class = v.attr("class").unwrap_or("").to_ascii_lowercase();
            if v.attr("pubdate").is_some() || class.contains("publish") || class.contains("created")
            {
                if let Some(dt) = v.attr("datetime") {
                    candidates.push((
                        dt.to_string(),
                        format!("<time datetime=\"{dt}\">"),
                        Source::TimePubdate,
                    ));
                }
            }
        }
        // The address the page was fetched from, else the one it declares as its own: a page
        // saved without its URL still names it.
        let declared = self.declared_addresses();
        if let Some((d, ev)) = url.into_iter().chain(declared).find_map(date_from_url) {
            candidates.push((d, ev, Source::Url));
        }
        if let Some(e) = self
            .doc
            .select(&s.time)
            .find(|e| e.value().attr("datetime").is_some())
        {
            let dt = e.value().attr("datetime").unwrap_or("");
            candidates.push((
                dt.to_string(),
                format!("<time datetime=\"{dt}\">"),
                Source::FirstTime,
            ));
        }
        if let Some((v, e)) = ld_date("dateModified") {
            candidates.push((v, e, Source::LdModified));
        }
        for k in MODIFIED_META {
            if let Some((mk, c)) = self.metas.iter().find(|(mk, c)| mk == k && !c.is_empty()) {
                candidates.push((c.clone(), format!("meta {mk}: {c}"), Source::MetaModified));
            }
        }
        candidates
    }
}

/// A machine date as the page's readers see it: (the date, whether it has a time).
///
/// A UTC timestamp names the page's day in its own locale's time zone
/// (`utc_shift` minutes), unless the page shows its readers the UTC day (`visible_day`).
fn machine_published(
    value: &str,
    evidence: String,
    utc_shift: Option<i64>,
    visible_day: Option<chrono::NaiveDate>,
) -> Option<(Published, bool)> {
    let (mut d, mut t) = parse_machine_date(value)?;
    if let (Some(time), Some(shift), true) = (t, utc_shift, is_utc(value)) {
        let local = chrono::NaiveDateTime::new(d, time) + chrono::Duration::minutes(shift);
        if local.date() != d && visible_day != Some(d) {
            d = local.date();
            t = Some(local.time());
        }
    }
    if !plausible(d) {
        return None;
    }
    let has_time = t.is_some() && value.contains(':');
    Some((explicit_date(d, t, has_time, evidence), has_time))
}

/// An explicit publication date, to the minute when the value wrote a time.
fn explicit_date(
    d: chrono::NaiveDate,
    t: Option<chrono::NaiveTime>,
    has_time: bool,
    evidence: String,
) -> Published {
    Published {
        value: match t {
            Some(t) if has_time => DateValue::from_datetime(d.and_time(t)),
            _ => DateValue::from_date(d),
        },
        precision: if has_time {
            Precision::Minute
        } else {
            Precision::Day
        },
        basis: DateBasis::Explicit,
        evidence,
    }
}

/// The day on the other side of midnight that a UTC timestamp may be shown on.
///
/// Readers west of Greenwich see an early-morning UTC time on the day
/// before, readers far east see an afternoon UTC time on the day after
/// (populated zones run from UTC-8 to UTC+10 at most hours of news). The
/// date model decides, from what the page's text shows, which day is meant.
fn utc_neighbour_day(value: &str) -> Option<chrono::NaiveDate> {
    if !is_utc(value) {
        return None;
    }
    let (d, t) = parse_machine_date(value)?;
    let hour = chrono::Timelike::hour(&t?);
    let n = if hour < 8 {
        d.pred_opt()?
    } else if hour >= 14 {
        d.succ_opt()?
    } else {
        return None;
    };
    plausible(n).then_some(n)
}

/// Whether a machine timestamp is written in UTC (`Z`, `+00:00`, `+0000`, `GMT`).
fn is_utc(value: &str) -> bool {
    let v = value.trim();
    v.contains(':')
        && (v.ends_with('Z')
            || v.ends_with("+00:00")
            || v.ends_with("+0000")
            || v.ends_with("GMT")
            || v.ends_with("UTC"))
}

/// The usual UTC offset, in minutes, of the place a locale tag names (standard time).
///
/// A page's UTC timestamp is shown to its readers on their local day; this
/// maps the page's declared locale to that day. Only tags whose region (or
/// language) sits in one time-zone band are mapped; plain `en`, say, is not.
pub fn locale_utc_offset_minutes(tag: &str) -> Option<i64> {
    let t = tag.trim().replace('_', "-").to_ascii_lowercase();
    let mut parts = t.split('-');
    let lang = parts.next()?;
    let region = parts.find(|p| p.len() == 2);
    let hours: f64 = match region {
        Some("us" | "ca") => -5.0,
        Some("mx") => -6.0,
        Some("br" | "ar" | "cl" | "uy") => -3.0,
        Some("co" | "pe" | "ec") => -5.0,
        Some("gb" | "ie" | "pt") => 0.0,
        Some("au") => 10.0,
        Some("nz") => 12.0,
        Some("in") => 5.5,
        Some("za" | "eg" | "il") => 2.0,
        Some("ng") => 1.0,
        Some("ru" | "tr" | "sa" | "ke") => 3.0,
        Some("cn" | "tw" | "hk" | "sg" | "my" | "ph") => 8.0,
        Some("jp" | "kr") => 9.0,
        Some("id") => 7.0,
        Some(
            "de" | "at" | "ch" | "fr" | "be" | "nl" | "lu" | "it" | "es" | "pl" | "cz" | "sk"
            | "dk" | "se" | "no" | "hu" | "hr" | "si" | "rs",
        ) => 1.0,
        Some(_) => return None,
        None => match lang {
            "de" | "fr" | "it" | "nl" | "pl" | "cs" | "sk" | "da" | "sv" | "nb" | "nn" | "no"
            | "hu" | "hr" | "sl" | "sr" => 1.0,
            "ru" | "tr" => 3.0,
            "he" => 2.0,
            "ja" | "ko" => 9.0,
            "zh" => 8.0,
            "id" => 7.0,
            _ => return None,
        },
    };
    Some((hours * 60.0) as i64)
}

/// JSON-LD objects, with `@graph` arrays and top-level arrays flattened.
fn flatten_ld(values: &[serde_json::Value]) -> Vec<&serde_json::Value> {
    let mut out = Vec::new();
    let mut stack: Vec<&serde_json::Value> = values.iter().collect();
    let mut budget = 10_000; // bounds work on hostile, deeply nested JSON-LD
    while let Some(v) = stack.pop() {
        budget -= 1;
        if budget == 0 {
            break;
        }
        match v {
            serde_json::Value::Array(a) => stack.extend(a.iter().rev()),
            serde_json::Value::Object(o) => {
                if let Some(g) = o.get("@graph") {
                    stack.push(g);
                }
                out.push(v);
            }
            _ => {}
        }
    }
    // Article-like objects first.
    out.sort_by_key(|o| {
        let t = o.get("@type").map(|t| t.to_string()).unwrap_or_default();
        !(t.contains("Article") || t.contains("Posting") || t.contains("Report"))
    });
    out
}

/// Names in a JSON-LD `author` value (string, object or array), joined.
fn ld_names(v: &serde_json::Value) -> Option<String> {
    let names: Vec<String> = match v {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Object(o) => o
            .get("name")
            .and_then(|n| n.as_str())
            .map(str::to_string)
            .into_iter()
            .collect(),
        serde_json::Value::Array(a) => a.iter().filter_map(ld_names).collect(),
        _ => vec![],
    };
    let names: Vec<String> = names.into_iter().filter(|n| !n.trim().is_empty()).collect();
    (!names.is_empty()).then(|| names.join(", "))
}

/// A byline without its "By" (in any case, and its German, Spanish and French forms) and the
/// separators around it ("Nicolas Perriault —").
fn strip_by(s: &str) -> String {
    const SEPARATORS: &[char] = &['—', '–', '-', '|', '·', ',', ':', '•'];
    let t = s
        .trim()
        .trim_matches(|c: char| c.is_whitespace() || SEPARATORS.contains(&c));
    for p in ["by ", "von ", "por ", "par "] {
        if t.len() > p.len() && t.is_char_boundary(p.len()) && t[..p.len()].eq_ignore_ascii_case(p)
        {
            return t[p.len()..].trim().to_string();
        }
    }
    t.to_string()
}

/// The host of a URL without `www.`.
pub fn host_of(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    let h = u.host_str()?;
    Some(h.strip_prefix("www.").unwrap_or(h).to_string())
}

/// A date in the URL path (`/2020/04/24/`, `/2020-04-24`, `/20200424`, `/29-10-2021`).
fn date_from_url(url: &str) -> Option<(String, String)> {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        crate::regex(
            r"[/_-]((?:19|20)\d\d)[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?:[/_.-]|$)",
        )
        .unwrap()
    });
    static DAY_FIRST: OnceLock<regex::Regex> = OnceLock::new();
    let day_first = DAY_FIRST.get_or_init(|| {
        crate::regex(r"[/_-](\d\d)[_.-](\d\d)[_.-]((?:19|20)\d\d)(?:[/_.-]|$)").unwrap()
    });
    let path = url::Url::parse(url).ok()?.path().to_string();
    if let Some(c) = re.captures(&path) {
        let v = format!("{}-{}-{}", &c[1], &c[2], &c[3]);
        return Some((v, format!("URL {path}")));
    }
    // `29-10-2021` or `10-29-2021`: taken only when one of the two can only be the day.
    let c = day_first.captures(&path)?;
    let (a, b): (u32, u32) = (c[1].parse().ok()?, c[2].parse().ok()?);
    let (day, month) = match (a, b) {
        (13..=31, 1..=12) => (a, b),
        (1..=12, 13..=31) => (b, a),
        _ => return None,
    };
    let v = format!("{}-{month:02}-{day:02}", &c[3]);
    Some((v, format!("URL {path}")))
}

/// Dates written in visible date-like elements (class or id mentions date, time,
/// publish), in page order, at most `limit`: (date, source, has a time).
fn visible_dates(doc: &Html, lang: Option<&str>, limit: usize) -> Vec<(Published, Source, bool)> {
    let month_first = lang.is_none_or(|l| l == "en");
    let mut out = Vec::new();
    for e in doc.select(&sels().date_el).take(200) {
        if out.len() >= limit {
            break;
        }
        let attr = ["datetime", "content", "title", "data-date", "data-time"]
            .iter()
            .find_map(|a| {
                let v = e.value().attr(a)?;
                let (d, _) = parse_machine_date(v).filter(|(d, _)| plausible(*d))?;
                Some(Published {
                    value: DateValue::from_date(d),
                    precision: Precision::Day,
                    basis: DateBasis::Explicit,
                    evidence: format!("{a}=\"{v}\""),
                })
            });
        if let Some(p) = attr {
            out.push((p, Source::VisibleAttr, false));
            continue;
        }
        let text: String = e.text().collect::<Vec<_>>().join(" ");
        if text.len() > 300 {
            continue;
        }
        if let Some(f) = find_dates(&text, month_first)
            .into_iter()
            .find(|f| f.date.is_some_and(plausible))
        {
            out.push((f.to_published(&text), Source::VisibleText, f.time.is_some()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_utc_timestamp_offers_the_neighbouring_day_the_text_shows() {
        assert_eq!(
            utc_neighbour_day("2020-02-25T02:25:54Z").map(|d| d.to_string()),
            Some("2020-02-24".into())
        );
        assert_eq!(
            utc_neighbour_day("2020-02-25T22:25:54+00:00").map(|d| d.to_string()),
            Some("2020-02-26".into())
        );
        // Midday UTC is the same day nearly everywhere; a local offset is already local.
        assert_eq!(utc_neighbour_day("2020-02-25T11:00:00Z"), None);
        assert_eq!(utc_neighbour_day("2020-02-25T02:25:54-05:00"), None);
        let html = |text: &str| {
            format!(
                r#"<html lang="en"><head><meta property="article:published_time" content="2020-02-25T02:25:54Z"></head>
                <body><p>{text}</p></body></html>"#
            )
        };
        let shown = date_candidates(&html("Posted February 24, 2020 by a reporter."), None);
        let across: Vec<_> = shown.iter().filter(|c| c.across_midnight).collect();
        assert_eq!(across.len(), 1);
        assert_eq!(across[0].day.to_string(), "2020-02-24");
        assert_eq!(across[0].source, Source::MetaPublished);
        // Not shown in the text: no neighbour.
        let unshown = date_candidates(&html("Posted by a reporter."), None);
        assert!(unshown.iter().all(|c| !c.across_midnight));
    }

    #[test]
    fn an_attribute_holding_the_utc_value_does_not_pin_the_utc_day() {
        // The `<time datetime>` repeats the UTC value; only a day written for readers keeps the UTC day.
        let html = r#"<html lang="de"><head><meta property="article:published_time" content="2022-11-06T23:00:00.000Z"></head>
            <body><time class="date" datetime="2022-11-06T23:00:00.000Z"></time><p>Ein Artikel.</p></body></html>"#;
        let c = date_candidates(html, None);
        assert!(c.iter().any(|c| c.source == Source::VisibleAttr));
        let meta = c
            .iter()
            .find(|c| c.source == Source::MetaPublished)
            .unwrap();
        assert_eq!(meta.day.to_string(), "2022-11-07");
    }

    #[test]
    fn json_ld_in_a_cdata_wrapper_is_read() {
        for wrapped in [
            "<![CDATA[ {\"a\": 1} ]]>",
            "//<![CDATA[\n{\"a\": 1}\n//]]>",
            " {\"a\": 1} ",
        ] {
            assert_eq!(without_cdata(wrapped), "{\"a\": 1}", "{wrapped}");
        }
        let html = r#"<html><head><script type="application/ld+json"><![CDATA[
          {"@type":"NewsArticle","headline":"Wrapped","datePublished":"2021-03-03"}
        ]]></script></head><body><p>x</p></body></html>"#;
        let cands = date_candidates(html, None);
        assert!(cands.iter().any(|c| c.source == Source::LdPublished));
    }

    #[test]
    fn metadata_from_json_ld_and_meta() {
        let html = r#"<html lang="en-GB"><head><title>T | Site</title>
          <meta property="og:site_name" content="Example Times">
          <meta property="article:published_time" content="2021-03-04T10:05:00Z">
          <meta name="keywords" content="Syria, Russia">
          <script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"NewsArticle","headline":"Big news","author":[{"@type":"Person","name":"Jane Roe"}],"datePublished":"2021-03-03"}]}</script>
          </head><body><article><h1>Big news</h1><p>Some text here that is long enough to be an article paragraph for sure.</p></article></body></html>"#;
        let p = extract_html(html, Some("https://www.example.com/a"));
        assert_eq!(p.outlet.as_deref(), Some("Example Times"));
        assert_eq!(p.byline.as_deref(), Some("Jane Roe"));
        // Meta tags come before JSON-LD (measured better on the dates set).
        let d = p.published.unwrap();
        assert_eq!(d.value.to_string(), "2021-03-04T10:05");
        assert!(d.evidence.contains("article:published_time"));
        assert_eq!(p.tags, ["Syria", "Russia"]);
        assert_eq!(p.language.as_deref(), Some("en"));
    }

    #[test]
    fn utc_timestamps_take_the_locale_day() {
        let page = |lang: &str, ts: &str| {
            format!("<html lang=\"{lang}\"><head><meta property=\"article:published_time\" content=\"{ts}\"></head><body><p>x</p></body></html>")
        };
        let us = extract_html(&page("en-US", "2020-05-02T02:54:29.000Z"), None);
        assert_eq!(
            us.published.unwrap().value.date().unwrap().to_string(),
            "2020-05-01"
        );
        let de = extract_html(&page("de-DE", "2022-11-06T23:00:00Z"), None);
        assert_eq!(
            de.published.unwrap().value.date().unwrap().to_string(),
            "2022-11-07"
        );
        // Plain "en" is not one time zone; an explicit offset is already local.
        let en = extract_html(&page("en", "2020-05-02T02:54:29Z"), None);
        assert_eq!(
            en.published.unwrap().value.date().unwrap().to_string(),
            "2020-05-02"
        );
        let local = extract_html(&page("en-US", "2020-05-02T02:54:29+02:00"), None);
        assert_eq!(
            local.published.unwrap().value.date().unwrap().to_string(),
            "2020-05-02"
        );
    }

    #[test]
    fn a_headline_alone_is_no_body() {
        let p = extract_html(
            "<html><head><title>Minister resigns over budget row</title></head><body><nav><a href='/'>Home</a></nav></body></html>",
            None,
        );
        assert_eq!(p.title.as_deref(), Some("Minister resigns over budget row"));
        assert_eq!(p.body, "");
    }

    #[test]
    fn url_date_and_host_fallbacks() {
        let html = "<html><body><p>Nothing dated in the markup.</p></body></html>";
        let p = extract_html(html, Some("https://www.news.example/2020/04/24/story/"));
        assert_eq!(p.outlet.as_deref(), Some("news.example"));
        assert_eq!(p.published.unwrap().value.to_string(), "2020-04-24");
    }

    #[test]
    fn a_byline_is_the_names_alone() {
        assert_eq!(strip_by("Nicolas Perriault —"), "Nicolas Perriault");
        assert_eq!(strip_by("por César Salza"), "César Salza");
        assert_eq!(strip_by("BY Jane Doe"), "Jane Doe");
        assert_eq!(strip_by("| Von Max Muster,"), "Max Muster");
        // A name that begins like the word is left alone.
        assert_eq!(strip_by("Byron Katie"), "Byron Katie");
        assert_eq!(strip_by("by"), "by");
    }

    #[test]
    fn the_headline_comes_without_the_sites_name() {
        let title = |head: &str, url: Option<&str>| {
            let html = format!("<html><head>{head}</head><body><p>Text.</p></body></html>");
            extract_html(&html, url).title
        };
        // The site's name from its meta tags, its host, or the address it declares.
        let t = title(
            "<title>Ports get new rules | The Daily Example</title><meta property='og:site_name' content='The Daily Example'>",
            None,
        );
        assert_eq!(t.as_deref(), Some("Ports get new rules"));
        let t = title(
            "<title>Example News - Ports get new rules</title>",
            Some("https://www.examplenews.com/a/1"),
        );
        assert_eq!(t.as_deref(), Some("Ports get new rules"));
        let t = title(
            "<title>Ports get new rules – examplenews.com</title><link rel='canonical' href='https://examplenews.com/a/1'>",
            None,
        );
        assert_eq!(t.as_deref(), Some("Ports get new rules"));
        // A part that does not name the site stays.
        let t = title(
            "<title>Ports - new rules from March</title>",
            Some("https://examplenews.com/a"),
        );
        assert_eq!(t.as_deref(), Some("Ports - new rules from March"));
        // The heading inside a decorated title is the headline.
        let html = "<html><head><title>Was ist Virales Marketing? | DimidoBlog</title></head><body><h1>Was ist Virales Marketing?</h1><p>x</p></body></html>";
        assert_eq!(
            extract_html(html, None).title.as_deref(),
            Some("Was ist Virales Marketing?")
        );
        // A `<title>` that only names the site gives way to the heading.
        let html = "<html><head><title>Example News</title></head><body><h1>Ports get new rules</h1></body></html>";
        let t = extract_html(html, Some("https://examplenews.com/a")).title;
        assert_eq!(t.as_deref(), Some("Ports get new rules"));
        // A JSON-LD headline that agrees with nothing on the page is a description, not the title.
        let html = r#"<html><head><title>Hermitian matrix</title><script type="application/ld+json">{"@type":"Article","headline":"matrix equal to its conjugate-transpose"}</script></head><body><h1>Hermitian matrix</h1></body></html>"#;
        assert_eq!(
            extract_html(html, None).title.as_deref(),
            Some("Hermitian matrix")
        );
    }

    #[test]
    fn a_page_saved_without_its_url_still_dates_by_the_address_it_declares() {
        let html = "<html><head><link rel=\"canonical\" href=\"https://blog.example/2014/05/18/spring/\"></head><body><p>Undated text.</p></body></html>";
        let days = |html: &str| -> Vec<String> {
            date_candidates(html, None)
                .iter()
                .filter(|c| c.source == crate::published::Source::Url)
                .map(|c| c.day.to_string())
                .collect()
        };
        assert_eq!(days(html), ["2014-05-18"]);
        let og = "<html><head><meta property=\"og:url\" content=\"https://news.example/notes/29-10-2021\"></head><body><p>x</p></body></html>";
        assert_eq!(days(og), ["2021-10-29"]);
        // Day and month both at most 12: no way to tell them apart, so no date.
        assert!(date_from_url("https://news.example/notes/05-06-2021").is_none());
        assert_eq!(
            date_from_url("https://news.example/notes/10-29-2021")
                .unwrap()
                .0,
            "2021-10-29"
        );
        // A relative address is not read.
        let rel = "<html><head><link rel=\"canonical\" href=\"/2014/05/18/x\"></head><body></body></html>";
        assert!(days(rel).is_empty());
    }

    #[test]
    fn repeated_text_collapses_to_one_copy() {
        assert_eq!(collapse_repeats("abcabcabc"), "abc");
        assert_eq!(collapse_repeats("Headline. Headline. "), "Headline. ");
        assert_eq!(collapse_repeats("abcab"), "abcab");
        assert_eq!(collapse_repeats("ééé"), "é");
    }

    #[test]
    fn merge_prefers_precise_unless_it_missed_the_article() {
        assert_eq!(
            merge_bodies("first para.second para.", "first para.\nsecond para.\nmenu").unwrap(),
            "first para.\n\nsecond para."
        );
        let long = "x ".repeat(100);
        assert_eq!(merge_bodies("short", &long).unwrap(), long.trim());
        // An unsegmented block that mostly disagrees defers to the precise output.
        let menu: Vec<String> = (0..300).map(|i| format!("link{i}")).collect();
        let block = format!(
            "{} {}",
            menu.join(" "),
            "the actual story text is here and it is long enough"
        );
        assert_eq!(
            merge_bodies(
                &"the actual story text is here and it is long enough. ".repeat(15),
                &block
            ),
            None
        );
    }
}
