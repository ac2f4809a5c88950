//! Credits written in page text: bylines, credited sources, translation credits.
//!
//! These are line patterns shared by every front end: "By NAME",
//! "Source: A, B", "Translation: X", a line of parenthesised names
//! "(A) and (B)", and a wire dateline "(AGENCY) —" at the start of the body.
//! The cue words are data ([`SOURCE_CUES`], [`TRANSLATION_CUES`], [`BYLINE_CUES`]);
//! no outlet is named anywhere.

use regex::Regex;
use std::sync::OnceLock;

/// Labels that introduce credited sources, lower case, without the colon.
pub const SOURCE_CUES: &[&str] = &[
    "source",
    "sources",
    "via",
    "fuente",
    "fuentes",
    "quelle",
    "quellen",
    "fonte",
    "fontes",
    "источник",
    "sumber",
    "bron",
    "kaynak",
];

/// Labels that introduce a translator, lower case, without the colon.
pub const TRANSLATION_CUES: &[&str] = &[
    "translation",
    "translated by",
    "translated from",
    "traducción",
    "traducido por",
    "traduction",
    "traduit par",
    "übersetzung",
    "übersetzt von",
    "tradução",
    "traduzione",
    "перевод",
    "terjemahan",
    "english translation",
];

/// Words that introduce a byline, lower case.
pub const BYLINE_CUES: &[&str] = &["by", "par", "por", "von", "di", "oleh", "door", "автор"];

/// What the credit rules found in a set of lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credits {
    /// The credited author(s).
    pub byline: Option<String>,
    /// Agencies or outlets credited as sources.
    pub sources: Vec<String>,
    /// The translator.
    pub translated_by: Option<String>,
}

/// Whether a line is only a credit (so it is metadata, not body text).
pub fn is_credit_line(line: &str) -> bool {
    let mut c = Credits::default();
    read_line(line, &mut c);
    c != Credits::default()
}

fn names(list: &str) -> Vec<String> {
    static SPLIT: OnceLock<Regex> = OnceLock::new();
    let re = SPLIT.get_or_init(|| {
        crate::regex(r"\s*(?:,|;|/|&|\band\b|\by\b|\bet\b|\bund\b|\be\b)\s*").unwrap()
    });
    re.split(list)
        .map(|s| {
            s.trim()
                .trim_matches(['(', ')', '.', '"', '“', '”'])
                .trim()
                .to_string()
        })
        .filter(|s| !s.is_empty() && s.split_whitespace().count() <= 6)
        .collect()
}

fn label_value<'a>(line: &'a str, labels: &[&str]) -> Option<&'a str> {
    let lower = line.to_lowercase();
    for l in labels {
        if lower.starts_with(l) {
            // Byte length of the label in the original line equals its lower-cased length
            // only for ASCII; find the separator after the label instead.
            let rest = line.get(l.len()..).unwrap_or("");
            let rest = rest.trim_start();
            let rest = rest
                .strip_prefix(':')
                .or_else(|| rest.strip_prefix('-'))
                .or_else(|| rest.strip_prefix('–'));
            if let Some(v) = rest {
                let v = v.trim();
                if !v.is_empty() {
                    return Some(v);
                }
            } else if l.contains(' ') {
                // "translated by X" needs no colon.
                let v = line.get(l.len()..).unwrap_or("").trim();
                if !v.is_empty() {
                    return Some(v);
                }
            }
        }
    }
    None
}

/// Applies the line rules to one line (a bullet's text or a short line).
pub fn read_line(line: &str, out: &mut Credits) {
    let line = line.trim();
    let words = line.split_whitespace().count();
    if line.is_empty() || words > 14 {
        return;
    }
    if let Some(v) = label_value(line, TRANSLATION_CUES) {
        if out.translated_by.is_none() {
            out.translated_by = Some(v.trim_end_matches('.').trim().to_string());
        }
        return;
    }
    if let Some(v) = label_value(line, SOURCE_CUES) {
        for n in names(v) {
            if !out.sources.contains(&n) {
                out.sources.push(n);
            }
        }
        return;
    }
    // "(A) and (B)": a line made only of parenthesised names.
    static PARENS: OnceLock<Regex> = OnceLock::new();
    let re = PARENS.get_or_init(|| {
        crate::regex(r"^\(([^()]{2,60})\)(?:\s*(?:,|and|y|et|und|&)?\s*\(([^()]{2,60})\))*\.?$")
            .unwrap()
    });
    if re.is_match(line) {
        static ITEM: OnceLock<Regex> = OnceLock::new();
        let item = ITEM.get_or_init(|| crate::regex(r"\(([^()]{2,60})\)").unwrap());
        for c in item.captures_iter(line) {
            let n = c[1].trim().to_string();
            if !out.sources.contains(&n) {
                out.sources.push(n);
            }
        }
        return;
    }
    if out.byline.is_none() && words <= 9 {
        if let Some((first, rest)) = line.split_once(char::is_whitespace) {
            if BYLINE_CUES.contains(&first.to_lowercase().as_str()) {
                let rest = rest.trim().trim_end_matches('.');
                let starts_upper = rest.chars().next().is_some_and(char::is_uppercase);
                if starts_upper && rest.split_whitespace().count() <= 8 {
                    out.byline = Some(rest.to_string());
                }
            }
        }
    }
}

/// A wire credit at the start of a body: "(Reuters) —", "PARIS (AFP) -".
pub fn wire_credit(first_paragraph: &str) -> Option<String> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        crate::regex(r"^(?:[\p{Lu}][\p{L} .,'/-]{0,40}\s)?\(([\p{Lu}][\p{L}&. ]{1,30})\)\s*[—–-]")
            .unwrap()
    });
    re.captures(first_paragraph.trim_start())
        .map(|c| c[1].trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_translation_and_byline_lines() {
        let mut c = Credits::default();
        for l in [
            "By Jane Roe",
            "Source: Agencies",
            "(Alpha News) and (Beta Report)",
            "Translation: Gamma Tribune",
        ] {
            read_line(l, &mut c);
        }
        assert_eq!(c.byline.as_deref(), Some("Jane Roe"));
        assert_eq!(c.sources, ["Agencies", "Alpha News", "Beta Report"]);
        assert_eq!(c.translated_by.as_deref(), Some("Gamma Tribune"));
    }

    #[test]
    fn prose_is_not_a_credit() {
        assert!(!is_credit_line(
            "By the end of the year, prices rose sharply across the region."
        ));
        assert!(!is_credit_line("The source said it was true."));
        assert!(is_credit_line("Sources: AP, Reuters"));
    }

    #[test]
    fn wire_datelines() {
        assert_eq!(
            wire_credit("(Reuters) — The attorney general").as_deref(),
            Some("Reuters")
        );
        assert_eq!(
            wire_credit("PARIS (AFP) - Le gouvernement").as_deref(),
            Some("AFP")
        );
        assert_eq!(wire_credit("The (new) rules apply"), None);
    }
}
