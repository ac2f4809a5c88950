//! Normalised tokens with their byte ranges in the article body.
//!
//! Matching runs on tokens, reporting runs on bytes: every token keeps the
//! half-open byte range of the original text it came from, so a passage found
//! on tokens maps back to exact offsets in both bodies. A token's key is the
//! hash of its folded form: Unicode NFKC, lower case, curly quotes and
//! apostrophes folded, a possessive `'s` dropped, digit-group separators
//! removed ("17,000" and "17 000" are `17000`), and spellings of one entity
//! replaced by the entity's key from the [`Aliases`] table (a multi-word alias
//! becomes one token spanning its words). Punctuation, asterisks and brackets
//! are not tokens, so "Daesh*" and "[ISIS]" match "Daesh" and "ISIS".

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;
use xxhash_rust::xxh3::xxh3_64;

/// One normalised word of a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Hash of the folded form (or of the alias key).
    pub key: u64,
    /// Byte offset where the token starts in the body.
    pub start: u32,
    /// Byte offset where it ends (exclusive).
    pub end: u32,
}

/// The built-in alias table (`crates/reuse/data/aliases.tsv`).
pub const BUILTIN_ALIASES: &str = include_str!("../data/aliases.tsv");

/// Spellings that name one entity, folded to one key.
#[derive(Debug, Clone, Default)]
pub struct Aliases {
    /// Alias token sequences (folded words) to the entity key's hash, longest first per head.
    by_head: HashMap<String, Vec<(Vec<String>, bool, u64)>>,
    /// Number of entries loaded.
    entries: usize,
    /// Entity key names by key hash.
    names: HashMap<u64, String>,
}

impl Aliases {
    /// The built-in table.
    pub fn builtin() -> Self {
        let mut a = Aliases::default();
        a.load(BUILTIN_ALIASES)
            .expect("the built-in alias table parses");
        a
    }

    /// Adds entries in the TSV format of `aliases.tsv`; an error names the bad line.
    pub fn load(&mut self, tsv: &str) -> Result<(), crate::AliasError> {
        for (i, line) in tsv.lines().enumerate() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((key, list)) = line.split_once('\t') else {
                return Err(crate::AliasError { line: i + 1 });
            };
            let key_hash = xxh3_64(format!("alias:{}", key.trim()).as_bytes());
            self.names.insert(key_hash, key.trim().to_string());
            for alias in list.split('|').map(str::trim).filter(|a| !a.is_empty()) {
                let acronym = alias.chars().count() <= 4
                    && alias.chars().any(char::is_uppercase)
                    && !alias.chars().any(char::is_lowercase);
                let words: Vec<String> = words_of(alias).map(|(_, w)| fold(w)).collect();
                if words.is_empty() {
                    continue;
                }
                // For acronyms keep the raw words to check their case.
                let seq = if acronym {
                    words_of(alias).map(|(_, w)| w.nfkc().collect()).collect()
                } else {
                    words
                };
                let head = fold(&seq[0]);
                let v = self.by_head.entry(head).or_default();
                v.push((seq, acronym, key_hash));
                v.sort_by_key(|(s, _, _)| std::cmp::Reverse(s.len()));
                self.entries += 1;
            }
        }
        Ok(())
    }

    /// The entity key a whole phrase is a spelling of ("Daesh" -> `islamic_state`), if any.
    pub fn key_of(&self, phrase: &str) -> Option<&str> {
        let tokens = tokenize(phrase, self);
        match tokens.as_slice() {
            [t] if t.start == 0 && t.end as usize == phrase.trim_end_matches(['.', ',']).len() => {
                self.names.get(&t.key).map(String::as_str)
            }
            _ => None,
        }
    }

    /// Number of alias spellings known.
    pub fn len(&self) -> usize {
        self.entries
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.entries == 0
    }
}

/// Word segments of a text (UAX #29) with their byte offsets; punctuation skipped.
fn words_of(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_word_bound_indices()
        .filter(|(_, w)| w.chars().any(char::is_alphanumeric))
}

/// The folded form of one word.
pub fn fold(word: &str) -> String {
    let mut s: String = word
        .nfkc()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' | '`' | '\u{00B4}' => '\'',
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            c => c,
        })
        .collect();
    if let Some(stem) = s.strip_suffix("'s") {
        s = stem.to_string();
    }
    // Digit groups: 17,000 / 17.000 / 17 000 -> 17000 (only when every group has three digits).
    if s.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        let groups: Vec<&str> = s.split([',', '.', '\u{a0}', '\u{202f}']).collect();
        if groups.len() > 1
            && groups[1..]
                .iter()
                .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()))
            && !groups[0].is_empty()
            && groups[0].len() <= 3
        {
            s = groups.concat();
        }
    }
    s
}

/// Tokenises and normalises a body.
pub fn tokenize(text: &str, aliases: &Aliases) -> Vec<Token> {
    let raw: Vec<(usize, &str)> = words_of(text).collect();
    let folded: Vec<String> = raw.iter().map(|(_, w)| fold(w)).collect();
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        if let Some((len, key)) = alias_at(&raw, &folded, i, aliases) {
            let start = raw[i].0;
            let (last_at, last) = raw[i + len - 1];
            out.push(Token {
                key,
                start: start as u32,
                end: (last_at + last.len()) as u32,
            });
            i += len;
            continue;
        }
        let (at, w) = raw[i];
        out.push(Token {
            key: xxh3_64(folded[i].as_bytes()),
            start: at as u32,
            end: (at + w.len()) as u32,
        });
        i += 1;
    }
    out
}

/// The longest alias starting at word `i`: (words consumed, key hash).
fn alias_at(
    raw: &[(usize, &str)],
    folded: &[String],
    i: usize,
    aliases: &Aliases,
) -> Option<(usize, u64)> {
    let cands = aliases.by_head.get(&folded[i])?;
    cands.iter().find_map(|(seq, acronym, key)| {
        if i + seq.len() > raw.len() {
            return None;
        }
        let ok = seq.iter().enumerate().all(|(k, w)| {
            if *acronym {
                raw[i + k].1.nfkc().collect::<String>() == *w
            } else {
                folded[i + k] == *w
            }
        });
        ok.then_some((seq.len(), *key))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<u64> {
        tokenize(text, &Aliases::builtin())
            .iter()
            .map(|t| t.key)
            .collect()
    }

    #[test]
    fn whole_phrases_resolve_to_their_key() {
        let a = Aliases::builtin();
        assert_eq!(a.key_of("Daesh"), Some("islamic_state"));
        assert_eq!(a.key_of("Islamic State"), Some("islamic_state"));
        assert_eq!(a.key_of("ISIS"), Some("islamic_state"));
        assert_eq!(a.key_of("Daesh fighters"), None);
        assert_eq!(a.key_of("is"), None);
    }

    #[test]
    fn offsets_point_back_into_the_text() {
        let text = "“Such actions,” the statement said — 17,000 fighters.";
        for t in tokenize(text, &Aliases::builtin()) {
            let s = &text[t.start as usize..t.end as usize];
            assert!(s.chars().any(char::is_alphanumeric), "{s:?}");
        }
    }

    #[test]
    fn folding_handles_quotes_numbers_and_case() {
        assert_eq!(keys("Russia’s 17,000"), keys("russia 17000"));
        assert_eq!(keys("Washington's plans"), keys("Washington plans"));
        assert_ne!(keys("3.5 million"), keys("35 million"));
    }

    #[test]
    fn aliases_fold_entity_spellings() {
        assert_eq!(
            keys("affiliated with the Daesh* and Al-Qaeda*"),
            keys("affiliated with the Islamic State and al-Qaeda")
        );
        assert_eq!(
            keys("with [ISIS] and Al-Qaeda"),
            keys("with Daesh and Al Qaeda")
        );
        assert_eq!(keys("Kiev"), keys("Kyiv"));
        // "IS" the acronym, not "is" the verb.
        assert_ne!(keys("this is true"), keys("this IS true"));
        let multi = tokenize("the Islamic State group", &Aliases::builtin());
        assert_eq!(multi.len(), 2);
    }

    #[test]
    fn user_aliases_load_and_errors_name_the_line() {
        let mut a = Aliases::builtin();
        let n = a.len();
        a.load("# comment\nacme\tACME Corp|Acme Corporation\n")
            .unwrap();
        assert_eq!(a.len(), n + 2);
        assert_eq!(a.load("no tab here").unwrap_err().line, 1);
    }
}
