//! The fullest name an article gives each speaker.
//!
//! An article introduces a name once in full ("Russian Foreign Intelligence
//! Service (FWB)", "Ali Soufan") and shortens it after ("the FWB",
//! "Soufan"). [`Names`] collects the full forms (acronym definitions and
//! capitalised multi-word names) so that a short mention can be expanded to
//! the full form that appears before it (or, failing that, anywhere).

use std::sync::OnceLock;

use regex::Regex;

/// Full names found in one body, with where they appear.
#[derive(Debug, Default)]
pub struct Names {
    /// `(acronym, full form including the acronym, byte offset)`.
    acronyms: Vec<(String, String, usize)>,
    /// `(full name, byte offset)` of capitalised sequences of two words or more.
    full: Vec<(String, usize)>,
    /// `(author, byte offset)` of "X issued a statement" and the like.
    statements: Vec<(String, usize)>,
}

fn statement_author() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        crate::regex(r"(?P<who>[A-Z][^.;:,\n]{1,90}?)\s+(?:has\s+|have\s+|had\s+)?(?:issued|released|published|put out|made public|sent out)\s+(?:a|its|an|the)\s+(?:\w+\s+)?(?:statement|report|communiqué|press release)")
            .expect("statement regex")
    })
}

fn acronym_def() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        crate::regex(r"(?P<long>(?:[A-Z][\w'’-]*|of|the|for|and|de|del|al)(?:\s+(?:[A-Z][\w'’-]*|of|the|for|and|de|del|al)){1,9})\s+\((?P<acr>[A-Z][A-Za-z0-9&.-]{1,9})\)")
            .expect("acronym regex")
    })
}

fn capitalised() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        crate::regex(r"\b[A-Z][\w'’-]+(?:\s+(?:of\s+|al-|bin\s+|de\s+)?[A-Z][\w'’-]+){1,4}")
            .expect("name regex")
    })
}

impl Names {
    /// Collects the full names of `body`.
    pub fn of(body: &str) -> Names {
        let mut n = Names::default();
        for m in acronym_def().captures_iter(body) {
            let (Some(long), Some(acr)) = (m.name("long"), m.name("acr")) else {
                continue;
            };
            // Drop leading function words ("the Russian ..." -> "Russian ...").
            let mut l = long.as_str();
            for w in ["the ", "The ", "of ", "and "] {
                l = l.strip_prefix(w).unwrap_or(l);
            }
            n.acronyms.push((
                acr.as_str().to_string(),
                format!("{} ({})", l.trim(), acr.as_str()),
                long.start(),
            ));
        }
        for m in capitalised().find_iter(body) {
            n.full.push((m.as_str().to_string(), m.start()));
        }
        for m in statement_author().captures_iter(body) {
            if let Some(w) = m.name("who") {
                let who = n
                    .full(w.as_str(), w.start(), body)
                    .unwrap_or_else(|| w.as_str().trim().to_string());
                n.statements.push((who, w.start()));
            }
        }
        n
    }

    /// The author of the latest statement introduced before byte `at` (or the first after it).
    pub fn statement_author(&self, at: usize) -> Option<String> {
        self.statements
            .iter()
            .filter(|(_, p)| *p <= at)
            .max_by_key(|(_, p)| *p)
            .or_else(|| self.statements.iter().min_by_key(|(_, p)| *p))
            .map(|(w, _)| w.clone())
    }

    /// The fullest form of a mention at byte `at`, if the article gives a longer one.
    pub fn full(&self, mention: &str, at: usize, _body: &str) -> Option<String> {
        let m = mention.trim();
        let words: Vec<&str> = m.split_whitespace().collect();
        // An acronym anywhere in the mention ("the FWB", "the FWB statement").
        for w in &words {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            if w.len() >= 2
                && w.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            {
                if let Some((_, full, _)) = self
                    .acronyms
                    .iter()
                    .filter(|(a, _, _)| a == w)
                    .min_by_key(|(_, _, p)| (*p > at, *p))
                {
                    return Some(full.clone());
                }
            }
        }
        // A surname or a shortened name: the longest earlier name ending with it.
        let last = words.last()?.trim_matches(|c: char| !c.is_alphanumeric());
        if !last.chars().next().is_some_and(char::is_uppercase) {
            return None;
        }
        let candidates = self.full.iter().filter(|(f, _)| {
            f.len() > m.len() && f.split_whitespace().next_back() == Some(last) && f.ends_with(last)
        });
        let before = candidates
            .clone()
            .filter(|(_, p)| *p <= at)
            .max_by_key(|(f, _)| f.len());
        before
            .or_else(|| candidates.max_by_key(|(f, _)| f.len()))
            .map(|(f, _)| f.clone())
            .filter(|f| f.split_whitespace().count() <= 4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acronyms_and_surnames_expand() {
        let body = "The Norwegian Federal Water Board (FWB) said so. Later the FWB added more. Ali Soufan spoke. Soufan told reporters.";
        let n = Names::of(body);
        assert_eq!(
            n.full("the FWB", 60, body).as_deref(),
            Some("Norwegian Federal Water Board (FWB)")
        );
        assert_eq!(n.full("Soufan", 100, body).as_deref(), Some("Ali Soufan"));
        assert_eq!(n.full("the minister", 10, body), None);
    }
}
