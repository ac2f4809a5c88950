//! Numeric claims: a figure, what it counts, and how it is qualified.
//!
//! A figure is digits (with `,` / `.` / space thousands separators; `17.000`
//! reads as 17000 in languages that group with dots), a decimal, a number
//! word ("sixty", "a dozen"), optionally scaled ("1.5 million"). Around it:
//! a qualifier before ("up to", "about", "at least", "some"), a range
//! ("20 to 25", "between 3 and 5", "20-25"), a unit ("percent", "%", "$",
//! "km", "years"), and the noun phrase it counts ("60 IS fighters" ->
//! "IS fighters"). Years, times, day numbers of dates and ordinals are not
//! claims.

use std::sync::OnceLock;

use echotrace_model::{Article, Claim};
use regex::Regex;

const WORDS: &[(&str, f64)] = &[
    ("one", 1.0),
    ("two", 2.0),
    ("three", 3.0),
    ("four", 4.0),
    ("five", 5.0),
    ("six", 6.0),
    ("seven", 7.0),
    ("eight", 8.0),
    ("nine", 9.0),
    ("ten", 10.0),
    ("eleven", 11.0),
    ("twelve", 12.0),
    ("thirteen", 13.0),
    ("fourteen", 14.0),
    ("fifteen", 15.0),
    ("sixteen", 16.0),
    ("seventeen", 17.0),
    ("eighteen", 18.0),
    ("nineteen", 19.0),
    ("twenty", 20.0),
    ("thirty", 30.0),
    ("forty", 40.0),
    ("fifty", 50.0),
    ("sixty", 60.0),
    ("seventy", 70.0),
    ("eighty", 80.0),
    ("ninety", 90.0),
    ("hundred", 100.0),
    ("a hundred", 100.0),
    ("a thousand", 1000.0),
    ("a dozen", 12.0),
    ("dozens", 24.0),
    ("hundreds", 200.0),
    ("thousands", 2000.0),
];

const QUALIFIERS: &[&str] = &[
    "up to",
    "about",
    "around",
    "approximately",
    "roughly",
    "nearly",
    "almost",
    "at least",
    "at most",
    "more than",
    "over",
    "fewer than",
    "less than",
    "under",
    "some",
    "an estimated",
    "as many as",
    "as few as",
    "close to",
    "just over",
    "just under",
    "estimated",
];

/// Words that end the noun phrase a figure counts.
const STOP: &[&str] = &[
    "of", "from", "who", "whom", "which", "that", "were", "was", "are", "is", "in", "at", "to",
    "on", "for", "by", "with", "had", "have", "has", "will", "would", "could", "and", "or", "but",
    "into", "since", "after", "before", "during", "per", "a", "an", "the", "as", "than", "while",
    "when", "where", "it", "they", "he", "she", "be", "been", "being", "said", "this", "these",
    "those", "its", "their", "his", "her",
];

const UNITS: &[(&str, &str)] = &[
    ("%", "percent"),
    ("percent", "percent"),
    ("per cent", "percent"),
    ("km", "km"),
    ("kilometres", "km"),
    ("kilometers", "km"),
    ("miles", "miles"),
    ("mile", "miles"),
    ("kg", "kg"),
    ("tonnes", "tonnes"),
    ("tons", "tonnes"),
    ("years", "years"),
    ("year", "years"),
    ("months", "months"),
    ("days", "days"),
    ("hours", "hours"),
    ("metres", "m"),
    ("meters", "m"),
];

/// Whether a lower-case word names a month, in any language of the shared month table.
fn is_month(word: &str) -> bool {
    echotrace_language::month_number(word).is_some()
}

fn figure() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    R.get_or_init(|| {
        let words: Vec<String> = WORDS.iter().map(|(w, _)| regex::escape(w)).collect();
        crate::regex(&format!(
            r"(?i)(?P<cur>[$€£])?(?P<num>\d{{1,3}}(?:[,.\u{{a0}} ]\d{{3}})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?|\b(?:{})\b)(?P<scale>\s+(?:million|billion|thousand|trillion)\b)?",
            words.join("|")
        ))
        .expect("figure regex")
    })
}

/// Parses a matched figure into a value, honouring the language's separators.
fn value_of(num: &str, scale: Option<&str>, language: &str) -> Option<f64> {
    let lower = num.to_lowercase();
    if let Some((_, v)) = WORDS.iter().find(|(w, _)| *w == lower) {
        return Some(*v * scale_of(scale));
    }
    let dot_groups = matches!(
        language,
        "de" | "es" | "it" | "pt" | "nl" | "id" | "tr" | "da"
    );
    let cleaned: String = num
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}'))
        .collect();
    let grouped = |sep: char| {
        let parts: Vec<&str> = cleaned.split(sep).collect();
        parts.len() > 1 && parts[1..].iter().all(|p| p.len() == 3)
    };
    let normal: String = if dot_groups {
        if grouped('.') {
            cleaned.replace('.', "").replace(',', ".")
        } else {
            cleaned.replace(',', ".")
        }
    } else if grouped(',') {
        cleaned.replace(',', "")
    } else {
        cleaned.replace(',', ".")
    };
    normal.parse::<f64>().ok().map(|v| v * scale_of(scale))
}

fn scale_of(scale: Option<&str>) -> f64 {
    match scale.map(|s| s.trim().to_lowercase()) {
        Some(s) if s == "thousand" => 1e3,
        Some(s) if s == "million" => 1e6,
        Some(s) if s == "billion" => 1e9,
        Some(s) if s == "trillion" => 1e12,
        _ => 1.0,
    }
}

/// The numeric claims of an article.
pub fn numbers(article: &Article) -> Vec<Claim> {
    let body = &article.body;
    let mut out: Vec<Claim> = Vec::new();
    for (s, e) in echotrace_language::sentences(body) {
        let sentence = &body[s..e];
        let mut skip_until = 0;
        for m in figure().captures_iter(sentence) {
            let all = m.get(0).expect("whole match");
            if all.start() < skip_until {
                continue;
            }
            let num = m.name("num").expect("num group");
            let before = &sentence[..all.start()];
            let after = &sentence[all.end()..];
            if !standalone(before, after)
                || is_date_or_time(num.as_str(), before, after)
                || designation(num.as_str(), before)
            {
                continue;
            }
            let Some(value) = value_of(
                num.as_str(),
                m.name("scale").map(|x| x.as_str()),
                &article.language,
            ) else {
                continue;
            };
            let mut end = all.end();
            // A range: "20 to 25", "20-25", "between 3 and 5".
            let mut value_max = None;
            if let Some(r) = range_after(after) {
                if let Some(v2) = value_of(r.1, None, &article.language) {
                    if v2 > value {
                        value_max = Some(v2);
                        end = all.end() + r.0;
                        skip_until = r.0 + all.end();
                    }
                }
            }
            let lower_before = before.to_lowercase();
            let qualifier = QUALIFIERS
                .iter()
                .filter(|q| lower_before.trim_end().ends_with(*q))
                .max_by_key(|q| q.len())
                .map(|q| q.to_string());
            let mut start = all.start();
            if let Some(q) = &qualifier {
                start = before.trim_end().len() - q.len();
            }
            let rest = &sentence[end..];
            let (unit, unit_len) = unit_after(rest, m.name("cur").map(|c| c.as_str()));
            let aged = lower_before.trim_end().ends_with("aged");
            let (counts, counts_end) = if aged {
                (None, 0)
            } else {
                counted(&rest[unit_len..])
            };
            let text_end = end + unit_len + counts_end;
            // "aged 20 to 25": the range is an age.
            let unit = unit.or_else(|| {
                lower_before
                    .trim_end()
                    .ends_with("aged")
                    .then(|| "years".to_string())
            });
            let vague_word = !num.as_str().starts_with(|c: char| c.is_ascii_digit())
                && matches!(
                    num.as_str().to_lowercase().as_str(),
                    "dozens" | "hundreds" | "thousands"
                );
            if unit.is_none()
                && counts.is_none()
                && (value < 10.0 || vague_word)
                && value_max.is_none()
            {
                continue;
            }
            let text = sentence[start..text_end].trim().to_string();
            out.push(Claim {
                id: String::new(),
                article: article.id.clone(),
                story: None,
                kind: "number".into(),
                value,
                value_max,
                unit,
                counts,
                qualifier,
                context: sentence.to_string(),
                start: s + start,
                end: s + start + text.len(),
                text,
            });
        }
    }
    out
}

/// Whether the figure stands alone (not part of a word, a code or an identifier).
fn standalone(before: &str, after: &str) -> bool {
    let b = before.chars().next_back();
    let a = after.chars().next();
    let digit_sep = before.ends_with([':', '.', ','])
        && before[..before.len() - 1].ends_with(|c: char| c.is_ascii_digit());
    !digit_sep
        && !b.is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '/' || c == '#')
        && !a.is_some_and(|c| {
            c.is_alphabetic() && !c.is_uppercase() || matches!(c, '/' | ':' | '\'' | '’')
        })
}

/// Whether a figure is part of a name ("Boeing 737", "Windows 10", "Resolution
/// 2254"): digits right after a capitalised word that is not the sentence's
/// first word nor a currency code.
fn designation(num: &str, before: &str) -> bool {
    if !num.starts_with(|c: char| c.is_ascii_digit()) || !before.ends_with(' ') {
        return false;
    }
    let head = before.trim_end();
    let word = head.rsplit(char::is_whitespace).next().unwrap_or("");
    let first_of_sentence = head.len() == word.len();
    let capitalised = word.chars().next().is_some_and(char::is_uppercase)
        && word.chars().all(char::is_alphabetic);
    let lower = word.to_lowercase();
    let currency = (word.len() == 3 && word.chars().all(|c| c.is_ascii_uppercase()))
        || matches!(
            lower.as_str(),
            "rs" | "rp" | "dh" | "dhs" | "rm" | "tk" | "ksh" | "sh"
        );
    capitalised
        && !first_of_sentence
        && !currency
        && !is_month(&lower)
        && !QUALIFIERS.iter().any(|q| q.eq_ignore_ascii_case(&lower))
}

/// Years, day numbers next to a month, times and ordinals are not claims.
fn is_date_or_time(num: &str, before: &str, after: &str) -> bool {
    let digits = num.chars().all(|c| c.is_ascii_digit());
    let lower_after = after.to_lowercase();
    let lower_before = before.to_lowercase();
    let next = lower_after
        .trim_start_matches([' ', ','])
        .split(|c: char| !c.is_alphabetic())
        .next()
        .unwrap_or("");
    let prev = lower_before
        .trim_end_matches([' ', ','])
        .rsplit(|c: char| !c.is_alphabetic())
        .next()
        .unwrap_or("");
    if digits && num.len() == 4 {
        if let Ok(y) = num.parse::<u32>() {
            if (1800..=2100).contains(&y) {
                return true;
            }
        }
    }
    if digits && num.len() <= 2 && (is_month(next) || is_month(prev)) {
        return true;
    }
    if after.starts_with(['.', ':'])
        && after[1..].starts_with(|c: char| c.is_ascii_digit())
        && num.len() <= 2
    {
        return true;
    }
    matches!(
        next,
        "st" | "nd" | "rd" | "th" | "am" | "pm" | "gmt" | "utc"
    )
}

/// A range after a figure: `(bytes consumed, upper figure)`.
fn range_after(after: &str) -> Option<(usize, &str)> {
    static R: OnceLock<Regex> = OnceLock::new();
    let re = R.get_or_init(|| {
        crate::regex(r"^(?:\s*(?:to|and|-|–|—)\s*)(?P<hi>\d+(?:[.,]\d+)?)\b").expect("range regex")
    });
    let m = re.captures(after)?;
    let hi = m.name("hi")?;
    Some((m.get(0)?.end(), hi.as_str()))
}

/// A unit right after the figure (or a currency sign before it): `(unit, bytes consumed)`.
fn unit_after(rest: &str, currency: Option<&str>) -> (Option<String>, usize) {
    if let Some(c) = currency {
        let unit = match c {
            "$" => "USD",
            "€" => "EUR",
            "£" => "GBP",
            _ => c,
        };
        return (Some(unit.to_string()), 0);
    }
    let lower = rest.to_lowercase();
    for (w, unit) in UNITS {
        let t = lower.trim_start();
        let lead = lower.len() - t.len();
        if t.starts_with(w)
            && t[w.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
            && (lead > 0 || *w == "%")
        {
            return (Some(unit.to_string()), lead + w.len());
        }
    }
    (None, 0)
}

/// The noun phrase a figure counts: words up to a stop word, at most four.
fn counted(rest: &str) -> (Option<String>, usize) {
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    let bytes_len = rest.len();
    let mut chars = rest.char_indices().peekable();
    // Leading spaces only; punctuation right after the figure ends it.
    while let Some(&(_, c)) = chars.peek() {
        if c == ' ' {
            chars.next();
        } else {
            break;
        }
    }
    let start_at = chars.peek().map_or(bytes_len, |&(p, _)| p);
    if start_at == 0 {
        return (None, 0);
    }
    i = i.max(start_at);
    let text = &rest[i..];
    let plural = |w: &str| {
        if w.chars().all(|c| !c.is_lowercase()) {
            return false;
        }
        let l = w.to_lowercase();
        (l.ends_with('s') && !l.ends_with("ss") && l.len() > 2)
            || matches!(
                l.as_str(),
                "people" | "children" | "men" | "women" | "police" | "staff" | "personnel"
            )
    };
    let mut pos = 0;
    for w in text.split(' ') {
        let clean = w.trim_end_matches([',', '.', ';', ':', ')', '"', '”', '’']);
        let lower = clean.to_lowercase();
        let trailing_punct = clean.len() < w.len();
        let lowercase_word = clean.chars().next().is_some_and(char::is_lowercase);
        // "ISIS and other jihadists": "and" leads on to the plural noun counted.
        if lower == "and" && !words.is_empty() {
            let after = &text[(pos + w.len()).min(text.len())..];
            let ahead: Vec<&str> = after.split_whitespace().take(2).collect();
            if let Some(k) = ahead
                .iter()
                .position(|n| plural(n.trim_end_matches([',', '.', ';'])))
            {
                let n = ahead[k].trim_end_matches([',', '.', ';']);
                if let Some(off) = after.find(n) {
                    let at = pos + w.len() + off;
                    words.push((at, at + n.len()));
                }
            }
            break;
        }
        if clean.is_empty()
            || lowercase_word && STOP.contains(&lower.as_str())
            || !clean
                .chars()
                .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
            || lower.ends_with("ed") && !words.is_empty()
            || lower == "aged"
        {
            break;
        }
        words.push((pos, pos + clean.len()));
        if plural(clean) {
            // "military members and civilians": a second plural noun joined by "and".
            let after = &text[(pos + w.len()).min(text.len())..];
            let next: Vec<&str> = after.split_whitespace().take(3).collect();
            if !trailing_punct && next.first() == Some(&"and") {
                if let Some(n) = next.get(1) {
                    let n = n.trim_end_matches([',', '.', ';']);
                    if plural(n) && n.chars().all(char::is_alphabetic) {
                        if let Some(off) = after.find(n) {
                            let at = pos + w.len() + off;
                            words.push((at, at + n.len()));
                        }
                    }
                }
            }
            break;
        }
        if trailing_punct || words.len() >= 4 {
            break;
        }
        pos += w.len() + 1;
    }
    if words.is_empty() {
        return (None, 0);
    }
    let (s, e) = (words[0].0, words[words.len() - 1].1);
    (Some(text[s..e].to_string()), i + e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(body: &str) -> Vec<Claim> {
        numbers(&Article {
            id: "a0".into(),
            language: "en".into(),
            body: body.into(),
            ..Default::default()
        })
    }

    #[test]
    fn figures_with_qualifiers_ranges_and_counts() {
        let c = run("In April, about 60 IS fighters aged 20 to 25 were released. Al-Qaim hosts up to 500 militants.");
        let sixty = c.iter().find(|x| x.value == 60.0).unwrap();
        assert_eq!(sixty.qualifier.as_deref(), Some("about"));
        assert_eq!(sixty.counts.as_deref(), Some("IS fighters"));
        let age = c.iter().find(|x| x.value == 20.0).unwrap();
        assert_eq!(age.value_max, Some(25.0));
        assert_eq!(age.unit.as_deref(), Some("years"));
        let five = c.iter().find(|x| x.value == 500.0).unwrap();
        assert_eq!(five.qualifier.as_deref(), Some("up to"));
        assert_eq!(five.counts.as_deref(), Some("militants"));
        assert_eq!(five.text, "up to 500 militants");
    }

    #[test]
    fn figures_inside_names_are_not_claims() {
        let c = run("Regulators grounded the Boeing 737 MAX after two crashes. Users of Windows 10 complained. \
                     The council passed Resolution 2254 by 15 votes.");
        let values: Vec<f64> = c.iter().map(|x| x.value).collect();
        assert_eq!(values, [2.0, 15.0], "{c:?}");
        let c = run("About 60 people were hurt. It cost USD 50 million. Over 40 IS fighters left.");
        let values: Vec<f64> = c.iter().map(|x| x.value).collect();
        assert_eq!(values, [60.0, 50_000_000.0, 40.0], "{c:?}");
    }

    #[test]
    fn separators_words_and_scales() {
        let c = run("Some 17,000 foreign fighters from 64 countries came. Sixty people died. It cost $1.5 million.");
        assert!(c
            .iter()
            .any(|x| x.value == 17000.0 && x.qualifier.as_deref() == Some("some")));
        assert!(c
            .iter()
            .any(|x| x.value == 64.0 && x.counts.as_deref() == Some("countries")));
        assert!(c
            .iter()
            .any(|x| x.value == 60.0 && x.counts.as_deref() == Some("people")));
        assert!(c
            .iter()
            .any(|x| x.value == 1.5e6 && x.unit.as_deref() == Some("USD")));
        let de = numbers(&Article {
            language: "de".into(),
            body: "Rund 17.000 Kämpfer aus 64 Ländern.".into(),
            ..Default::default()
        });
        assert!(de.iter().any(|x| x.value == 17000.0));
    }

    #[test]
    fn dates_and_times_are_not_claims() {
        let c = run("On May 17, 2022 at 13:25 the 3rd report came out in 2017.");
        assert!(c.is_empty(), "{c:?}");
    }

    #[test]
    fn two_things_joined_by_and() {
        let c = run("About 350 military members and civilians were still using the base.");
        assert_eq!(
            c[0].counts.as_deref(),
            Some("military members and civilians")
        );
        let c = run("A hub where up to 500 ISIS and other jihadists can be retrained.");
        assert_eq!(c[0].counts.as_deref(), Some("ISIS and other jihadists"));
    }

    #[test]
    fn offsets_point_into_the_body() {
        let body = "Über 50 Länder — «up to 500 militants» — ü 17 000 people.";
        for c in numbers(&Article {
            body: body.into(),
            language: "en".into(),
            ..Default::default()
        }) {
            assert_eq!(&body[c.start..c.end], c.text);
        }
    }
}
