//! Sentence boundaries in any script: Unicode's rules, plus the English abbreviations they miss.
//!
//! The boundaries are UAX #29's (the `unicode-segmentation` crate, already
//! used for words by the reuse stage): they end sentences at every script's
//! terminators (`.` `!` `?`, Arabic `؟` and `۔`, Devanagari `।` `॥`, CJK
//! `。` `！` `？`, ...) and at line breaks, keep closing quotes and brackets
//! with the sentence they close, and do not break inside decimals ("3.5") or
//! before a lower-case word ("U.S. officials"). `sentencex` was considered:
//! it knows more abbreviations per language but pulls in a larger
//! dependency tree and reports no byte offsets, which every caller needs.
//! What UAX #29 cannot know is that a period after a title, an initial or a
//! dotted acronym before a capitalised name ends no sentence ("Mr. Smith",
//! "J. K. Rowling", "U.S. President"), nor one after a month or "No." before
//! a figure ("Jan. 5"); those few rules are written here, since no kept
//! crate offers them over UAX #29 offsets.

use unicode_segmentation::UnicodeSegmentation;

/// Titles that precede a name; a period after one ends no sentence.
const TITLES: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "Sen", "Rep", "Gov", "Gen", "Lt", "Col", "Sgt", "Capt", "Prof", "St",
    "Rev", "Hon", "Mt", "Messrs", "Adm", "Maj", "Cpl", "Brig", "Cmdr", "Supt", "Insp", "Det",
    "Pres", "Mme", "Mlle", "Hr", "Fr",
];

/// Abbreviations that precede a figure ("Jan. 5", "No. 10"); a period after one ends no sentence there.
const BEFORE_FIGURES: &[&str] = &[
    "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "No",
    "Nos", "Nr", "Art", "Vol", "Fig", "pp", "p",
];

/// Words that open a sentence after a dotted acronym ("... in the U.S. He left").
const OPENERS: &[&str] = &[
    "A", "An", "And", "As", "At", "But", "He", "Her", "His", "I", "In", "It", "Its", "On", "She",
    "So", "That", "The", "Their", "Then", "There", "These", "They", "This", "We", "When", "While",
    "You",
];

/// Byte ranges of the sentences of `text`, trimmed of surrounding white space, in order.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut pending: Option<usize> = None;
    for (at, seg) in text.split_sentence_bound_indices() {
        let start = pending.unwrap_or(at);
        let end = at + seg.len();
        if continues(seg, &text[end..]) {
            pending = Some(start);
        } else {
            push_trimmed(text, start, end, &mut out);
            pending = None;
        }
    }
    if let Some(start) = pending {
        push_trimmed(text, start, text.len(), &mut out);
    }
    attach_spaced_closers(text, &mut out);
    out
}

/// Closing marks that French and some other typography set off by a space ("fini. »").
const CLOSERS: &[char] = &['»', '”', '’', '"', ')', ']', '›', '」', '』'];

/// Moves a closing mark that opens the next sentence, alone before a space, back to the sentence it closes.
///
/// UAX #29 keeps a closing mark with its sentence only when no space comes before it.
fn attach_spaced_closers(text: &str, spans: &mut Vec<(usize, usize)>) {
    let mut i = 0;
    while i + 1 < spans.len() {
        let (end, (next_start, next_end)) = (spans[i].1, spans[i + 1]);
        let gap = &text[end..next_start];
        let next = &text[next_start..next_end];
        let closers = next.len() - next.trim_start_matches(CLOSERS).len();
        let alone = next[closers..]
            .chars()
            .next()
            .is_none_or(char::is_whitespace);
        if closers == 0 || !alone || gap.contains(['\n', '\r', '\u{2029}']) {
            i += 1;
            continue;
        }
        spans[i].1 = next_start + closers;
        let rest = &next[closers..];
        let start = next_end - rest.trim_start().len();
        if start < next_end {
            spans[i + 1].0 = start;
            i += 1;
        } else {
            spans.remove(i + 1);
        }
    }
}

/// Whether the sentence that Unicode's rules end with `seg` goes on into `rest`.
fn continues(seg: &str, rest: &str) -> bool {
    let body = seg.trim_end();
    let gap = &seg[body.len()..];
    if gap.contains(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']) {
        return false;
    }
    let Some(before) = body.strip_suffix('.') else {
        return false;
    };
    let token_len: usize = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphabetic() || *c == '.')
        .map(char::len_utf8)
        .sum();
    let token = &before[before.len() - token_len..];
    if token.is_empty() || token.starts_with('.') {
        return false;
    }
    let next: &str = rest
        .trim_start()
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or("");
    let Some(first) = next.chars().next() else {
        return false;
    };
    if first.is_ascii_digit() {
        return BEFORE_FIGURES.contains(&token) || TITLES.contains(&token);
    }
    if !first.is_uppercase() {
        return false;
    }
    if TITLES.contains(&token) {
        return true;
    }
    let letters: Vec<&str> = token.split('.').collect();
    let initials = letters
        .iter()
        .all(|l| l.chars().count() == 1 && l.chars().all(char::is_uppercase));
    match letters.len() {
        // "J. Smith"
        1 => initials,
        // "U.S. President", but not "U.S. The"
        _ => initials && !OPENERS.contains(&next),
    }
}

fn push_trimmed(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let piece = &text[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let t = piece.trim();
    if !t.is_empty() {
        out.push((start + lead, start + lead + t.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(t: &str) -> Vec<&str> {
        sentences(t).iter().map(|&(a, b)| &t[a..b]).collect()
    }

    #[test]
    fn english_titles_initials_and_acronyms_end_no_sentence() {
        assert_eq!(
            split("Mr. Smith met Dr. Jones in the U.S. capital. They talked."),
            vec![
                "Mr. Smith met Dr. Jones in the U.S. capital.",
                "They talked."
            ]
        );
        assert_eq!(
            split("J. K. Rowling wrote it. U.S. President Joe Biden spoke."),
            vec!["J. K. Rowling wrote it.", "U.S. President Joe Biden spoke."]
        );
        assert_eq!(
            split("He moved to the U.S. He then left."),
            vec!["He moved to the U.S.", "He then left."]
        );
        assert_eq!(
            split("Ms. Ripert and Dr. J. Smith spoke in the U.S. Then they left."),
            vec![
                "Ms. Ripert and Dr. J. Smith spoke in the U.S.",
                "Then they left."
            ]
        );
        assert_eq!(
            split("U.S. officials said so. Nothing else."),
            vec!["U.S. officials said so.", "Nothing else."]
        );
    }

    #[test]
    fn decimals_and_dates_end_no_sentence() {
        assert_eq!(
            split("Sales rose by 3.5 million units. Prices fell 0.2%."),
            vec!["Sales rose by 3.5 million units.", "Prices fell 0.2%."]
        );
        assert_eq!(
            split("The vote is on Jan. 5 in Paris. It was set on Sept. 30."),
            vec!["The vote is on Jan. 5 in Paris.", "It was set on Sept. 30."]
        );
        assert_eq!(
            split("It ranked No. 10 World Cup entry. Fans cheered."),
            vec!["It ranked No. 10 World Cup entry.", "Fans cheered."]
        );
    }

    #[test]
    fn closing_quotes_stay_with_their_sentence() {
        assert_eq!(
            split("He said \"It is over.\" Then he left."),
            vec!["He said \"It is over.\"", "Then he left."]
        );
        assert_eq!(
            split("Elle a dit « c'est fini. » Puis elle est partie."),
            vec!["Elle a dit « c'est fini. »", "Puis elle est partie."]
        );
        assert_eq!(
            split("“We will stay,” she said. “Nothing changes.” Later:"),
            vec!["“We will stay,” she said.", "“Nothing changes.”", "Later:"]
        );
    }

    #[test]
    fn arabic_question_mark_and_full_stop_end_sentences() {
        assert_eq!(
            split("هل انتهى الاجتماع؟ قال الوزير إنه انتهى. ثم غادر"),
            vec!["هل انتهى الاجتماع؟", "قال الوزير إنه انتهى.", "ثم غادر"]
        );
    }

    #[test]
    fn devanagari_danda_ends_sentences() {
        assert_eq!(
            split("मंत्री ने कहा कि बैठक खत्म हो गई। सभी लोग चले गए।"),
            vec!["मंत्री ने कहा कि बैठक खत्म हो गई।", "सभी लोग चले गए।"]
        );
    }

    #[test]
    fn cjk_terminators_end_sentences_without_spaces() {
        assert_eq!(
            split("会议结束了。部长说：“我们会继续。”记者问为什么？没有回答！"),
            vec![
                "会议结束了。",
                "部长说：“我们会继续。”",
                "记者问为什么？",
                "没有回答！"
            ]
        );
    }

    #[test]
    fn russian_sentences_split_but_not_before_lower_case() {
        assert_eq!(
            split("Министр заявил об этом в 2023 г. в Москве. Встреча завершилась."),
            vec![
                "Министр заявил об этом в 2023 г. в Москве.",
                "Встреча завершилась."
            ]
        );
    }

    #[test]
    fn lines_end_sentences_and_ranges_are_trimmed() {
        let t = "  Headline without stop\n\nBody text here.  Second one!\n";
        assert_eq!(
            split(t),
            vec!["Headline without stop", "Body text here.", "Second one!"]
        );
        assert!(sentences("").is_empty());
        assert!(sentences(" \n ").is_empty());
        // A title before a line break still ends the line's sentence.
        assert_eq!(
            split("Signed: Dr.\nNext line."),
            vec!["Signed: Dr.", "Next line."]
        );
    }
}
