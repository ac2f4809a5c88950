//! Speaker names compared across outlets.
//!
//! Outlets spell one speaker differently ("Russian Foreign Intelligence
//! Service (FWB)", "Norway's Federal Water Board (FWB)", "the
//! FWB"). Two names are the same speaker when they share an acronym in
//! parentheses or a bare acronym, or when one contains the other.

/// The comparison key of a speaker: its acronym when it has one, else its lower-cased words.
pub fn key(name: &str) -> String {
    if let (Some(o), Some(c)) = (name.rfind('('), name.rfind(')')) {
        if c > o + 1 {
            let inner = &name[o + 1..c];
            if inner.chars().all(char::is_alphanumeric) && inner.chars().any(char::is_uppercase) {
                return inner.to_string();
            }
        }
    }
    let words: Vec<&str> = name.split_whitespace().collect();
    if let [w] = words.as_slice() {
        if w.len() >= 2 && w.chars().all(|c| c.is_ascii_uppercase()) {
            return w.to_string();
        }
    }
    name.trim_start_matches("the ")
        .trim_start_matches("The ")
        .to_lowercase()
}

/// Whether two names denote one speaker.
pub fn same(a: &str, b: &str) -> bool {
    let (ka, kb) = (key(a), key(b));
    ka == kb || {
        let (la, lb) = (a.to_lowercase(), b.to_lowercase());
        la.contains(&lb) || lb.contains(&la)
    }
}

/// Whether a name names someone (not a pronoun or "its sources").
pub fn is_named(name: &str) -> bool {
    name.chars().next().is_some_and(char::is_uppercase)
        && !matches!(
            name.split_whitespace().next(),
            Some("It" | "He" | "She" | "They" | "Its" | "His" | "Her" | "Their" | "We" | "I")
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_speaker_match() {
        assert!(same(
            "Norwegian Federal Water Board (FWB)",
            "Norway’s Federal Water Board (FWB)"
        ));
        assert!(same("FWB", "Norwegian Federal Water Board (FWB)"));
        assert!(!same(
            "Israeli defense sources",
            "Norwegian Federal Water Board (FWB)"
        ));
        assert!(!is_named("its sources"));
        assert!(is_named("Police"));
    }
}
