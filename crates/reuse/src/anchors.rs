//! Anchors: the words of an article that survive translation, and the
//! cross-language candidate pairs they propose.
//!
//! A translated article shares no n-grams with its original, so the n-gram
//! index never proposes the pair. What it does share are figures ("17,000"
//! folds to one key in every language that writes digits), names in a shared
//! script ("Al-Qaim", "Soufan") and entities the alias table folds ("ISIS",
//! "Daesh", "Estado Islámico" once listed). Articles of different languages
//! that share at least [`MIN_SHARED`] rare anchors become candidates for a
//! multilingual sentence model, which then looks only at the sentences
//! carrying those anchors.

use std::collections::{HashMap, HashSet};

use echotrace_model::Article;

use crate::Token;

/// Shared anchors a cross-language pair needs.
pub const MIN_SHARED: usize = 3;

/// Anchors in more articles than this are too common to propose a pair.
pub const MAX_DF: usize = 50;

/// Whether a word is an anchor: a figure of two digits or more, or a capitalised word of three letters or more that does not open a sentence.
fn is_anchor(text: &str, t: &Token) -> bool {
    let word = &text[t.start as usize..t.end as usize];
    if word.chars().filter(char::is_ascii_digit).count() >= 2 {
        return true;
    }
    let first = word.chars().next().unwrap_or(' ');
    if !first.is_uppercase() || word.chars().count() < 3 {
        return false;
    }
    let before = text[..t.start as usize].trim_end();
    !(before.is_empty() || before.ends_with(['.', '!', '?', '\n', '"', '“', '«', ':']))
}

/// The anchor tokens of one body.
pub fn anchors_of(text: &str, tokens: &[Token]) -> Vec<Token> {
    tokens
        .iter()
        .copied()
        .filter(|t| is_anchor(text, t))
        .collect()
}

/// Pairs of articles in different (known) languages sharing enough rare anchors, with the shared keys.
pub fn cross_language_pairs(
    articles: &[Article],
    anchors: &[Vec<Token>],
    skip: &HashSet<(usize, usize)>,
) -> Vec<(usize, usize, Vec<u64>)> {
    let mut postings: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, a) in anchors.iter().enumerate() {
        let keys: HashSet<u64> = a.iter().map(|t| t.key).collect();
        for k in keys {
            postings.entry(k).or_default().push(i);
        }
    }
    let mut shared: HashMap<(usize, usize), Vec<u64>> = HashMap::new();
    for (k, docs) in &postings {
        if docs.len() < 2 || docs.len() > MAX_DF {
            continue;
        }
        for (x, &i) in docs.iter().enumerate() {
            for &j in &docs[x + 1..] {
                let (li, lj) = (&articles[i].language, &articles[j].language);
                if li == lj || li == "und" || lj == "und" || skip.contains(&(i, j)) {
                    continue;
                }
                shared.entry((i, j)).or_default().push(*k);
            }
        }
    }
    let mut out: Vec<(usize, usize, Vec<u64>)> = shared
        .into_iter()
        .filter(|(_, v)| v.len() >= MIN_SHARED)
        .map(|((i, j), mut v)| {
            v.sort_unstable();
            (i, j, v)
        })
        .collect();
    out.sort_unstable_by_key(|x| (x.0, x.1));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{tokenize, Aliases};

    fn art(lang: &str, body: &str) -> Article {
        Article {
            language: lang.into(),
            body: body.into(),
            ..Default::default()
        }
    }

    #[test]
    fn translations_pair_through_figures_and_names() {
        let arts = vec![
            art(
                "en",
                "Officials said 17,000 fighters from 64 countries passed through Al-Qaim in 2017.",
            ),
            art(
                "es",
                "Según fuentes, 17.000 combatientes de 64 países pasaron por Al-Qaim en 2017.",
            ),
            art(
                "en",
                "The weather was mild and nothing happened in the village today at all.",
            ),
        ];
        let al = Aliases::builtin();
        let anchors: Vec<Vec<Token>> = arts
            .iter()
            .map(|a| anchors_of(&a.body, &tokenize(&a.body, &al)))
            .collect();
        let pairs = cross_language_pairs(&arts, &anchors, &HashSet::new());
        assert_eq!(pairs.len(), 1, "{pairs:?}");
        assert_eq!((pairs[0].0, pairs[0].1), (0, 1));
        assert!(pairs[0].2.len() >= 3);
        // Same language or already a lexical candidate: not proposed.
        let skip: HashSet<(usize, usize)> = [(0, 1)].into_iter().collect();
        assert!(cross_language_pairs(&arts, &anchors, &skip).is_empty());
    }

    #[test]
    fn sentence_openers_are_not_names() {
        let text = "The plan failed. Reuters said Moscow agreed.";
        let toks = tokenize(text, &Aliases::builtin());
        let words: Vec<&str> = anchors_of(text, &toks)
            .iter()
            .map(|t| &text[t.start as usize..t.end as usize])
            .collect();
        assert_eq!(words, vec!["Moscow"]);
    }
}
