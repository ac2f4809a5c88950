//! Extract: one raw page in, one clean [`Article`] out.
//!
//! Two front ends share one back end. HTML pages go through [`html`]
//! (DOM extractors plus markup metadata); text dumps of rendered pages go
//! through [`textdump`] (a line classifier that needs no DOM). Both then pass
//! the same back end: credits read from the text ([`credits`]), dates
//! ([`date`]), and language identification (whatlang).

pub mod blocks;
pub mod chooser;
pub mod credits;
pub mod date;
pub mod html;
pub mod published;
pub mod textdump;

use echotrace_model::{Article, ContentKind, RawDocument};
pub use textdump::{PageLines, SiteProfile};

/// Builds the per-site line profile of a corpus's text dumps (see [`SiteProfile`]).
pub fn site_profile<'a>(docs: impl IntoIterator<Item = &'a RawDocument>) -> SiteProfile {
    let mut p = SiteProfile::default();
    for d in docs {
        p.add_document(d);
    }
    p
}

/// Extracts the article of one page. The id is left empty for the caller to assign.
pub fn extract(doc: &RawDocument, profile: &SiteProfile) -> Article {
    let url = doc.origin.url.as_deref();
    let mut a = Article {
        origin: doc.origin.clone(),
        ..Default::default()
    };
    let page_chars;
    let declared_lang;
    match doc.kind {
        ContentKind::Html => {
            let p = html::extract_html(&doc.content, url);
            page_chars = p.page_text_chars;
            declared_lang = p.language;
            a.title = p.title;
            a.byline = p.byline;
            a.outlet = p.outlet;
            a.published = p.published;
            a.tags = p.tags;
            a.body = p.body;
            // Credits written in the body text: a wire dateline, source lines.
            let paras = html::paragraphs(&a.body);
            if let Some(w) = paras.first().and_then(|f| credits::wire_credit(f)) {
                a.credited_sources.push(w);
            }
            let mut c = credits::Credits::default();
            for p in paras.iter().rev().take(3) {
                credits::read_line(p, &mut c);
            }
            for s in c.sources {
                if !a.credited_sources.contains(&s) {
                    a.credited_sources.push(s);
                }
            }
            a.translated_by = c.translated_by;
        }
        ContentKind::Text => {
            let d = textdump::extract_dump(&doc.content, url, profile);
            page_chars = doc.content.chars().filter(|c| !c.is_whitespace()).count();
            declared_lang = None;
            a.title = d.title;
            a.outlet = d.outlet;
            a.byline = d.credits.byline;
            a.credited_sources = d.credits.sources;
            a.translated_by = d.credits.translated_by;
            a.published = d.published;
            a.date_hints = d.date_hints;
            a.tags = d.tags;
            a.body = d.body;
            if a.outlet.is_none() {
                a.outlet = url.and_then(html::host_of);
            }
        }
    }
    let body_chars = a.body.chars().filter(|c| !c.is_whitespace()).count();
    a.removed_chars = page_chars.saturating_sub(body_chars);
    a.language = detect_language(&a.body)
        .or(declared_lang)
        .unwrap_or_else(|| "und".to_string());
    a
}

/// ISO 639-1 code of the text's language, when it can be told reliably.
pub fn detect_language(text: &str) -> Option<String> {
    let sample: String = text.chars().take(4000).collect();
    let info = whatlang::detect(&sample)?;
    if !info.is_reliable() && sample.chars().count() < 200 {
        return None;
    }
    let code3 = info.lang().code();
    // Mandarin has no ISO 639-1 code of its own; its macrolanguage, Chinese, does.
    if code3 == "cmn" {
        return Some("zh".into());
    }
    isolang::Language::from_639_3(code3)
        .and_then(|l| l.to_639_1())
        .map(str::to_string)
        .or_else(|| Some(code3.to_string()))
}

/// Compiles one of the extractor's patterns with room for its lazy DFA.
///
/// The date and credit patterns are long alternations over month names and
/// Unicode classes; with the regex crate's default 2 MiB cache per pattern
/// and thread, the lazy DFA is rebuilt over and over on a large crawl.
pub(crate) fn regex(pattern: &str) -> Result<regex::Regex, regex::Error> {
    regex::RegexBuilder::new(pattern)
        .dfa_size_limit(32 << 20)
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;
    use echotrace_model::Origin;

    #[test]
    fn chinese_is_zh() {
        assert_eq!(
            detect_language("韩国已寻求国际刑警组织帮助逮捕这家加密货币公司的创办者，警方表示调查仍在继续进行中。").as_deref(),
            Some("zh")
        );
    }

    #[test]
    fn html_and_text_pages_both_extract() {
        let html = RawDocument {
            origin: Origin { path: "a.html".into(), ..Default::default() },
            kind: ContentKind::Html,
            content: "<html><head><title>Headline here</title></head><body><nav><a href='/'>Home</a></nav><article><p>This is the first paragraph of a news article, and it is long enough to count as prose for any extractor.</p><p>This second paragraph adds more detail about what happened and who said it, as a news report would.</p></article></body></html>".into(),
        };
        let a = extract(&html, &SiteProfile::default());
        assert!(a.body.contains("first paragraph"), "{:?}", a.body);
        assert!(a.body.contains("\n\n"));
        assert_eq!(a.language, "en");
        assert!(!a.body.contains("Home"));
    }

    #[test]
    fn language_codes_are_two_letters() {
        assert_eq!(detect_language("Le gouvernement a annoncé mardi une nouvelle série de mesures pour soutenir les entreprises touchées par la crise.").as_deref(), Some("fr"));
    }
}
