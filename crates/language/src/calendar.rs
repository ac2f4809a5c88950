//! Month names in the languages the pipeline meets: word to month number, and the names for patterns.
//!
//! The names come from the GNU C library's locale data (`pure-rust-locales`:
//! generated constants, no build script, CLDR-derived for most locales):
//! full names in both the form used inside a date and the stand-alone form
//! where a language has two (Russian "мая"/"май", Polish "maja"/"maj"), and
//! abbreviations for the languages whose dates abbreviate them. The locale
//! data lacks spellings that pages use, so a short [`SUPPLEMENT`] adds them.

use std::sync::OnceLock;

use pure_rust_locales::{
    ar_DZ, ar_EG, ar_MA, ar_SY, de_AT, de_DE, en_US, es_ES, fr_FR, he_IL, id_ID, it_IT, nl_NL,
    pl_PL, pt_BR, pt_PT, ru_RU, tr_TR,
};

/// Full month names (and their stand-alone forms, where a locale has them) of each locale.
const FULL: &[(&[&str], Option<&[&str]>)] = &[
    (en_US::LC_TIME::MON, en_US::LC_TIME::ALT_MON),
    (de_DE::LC_TIME::MON, de_DE::LC_TIME::ALT_MON),
    (de_AT::LC_TIME::MON, de_AT::LC_TIME::ALT_MON),
    (fr_FR::LC_TIME::MON, fr_FR::LC_TIME::ALT_MON),
    (es_ES::LC_TIME::MON, es_ES::LC_TIME::ALT_MON),
    (it_IT::LC_TIME::MON, it_IT::LC_TIME::ALT_MON),
    (pt_PT::LC_TIME::MON, pt_PT::LC_TIME::ALT_MON),
    (pt_BR::LC_TIME::MON, pt_BR::LC_TIME::ALT_MON),
    (nl_NL::LC_TIME::MON, nl_NL::LC_TIME::ALT_MON),
    (id_ID::LC_TIME::MON, id_ID::LC_TIME::ALT_MON),
    (tr_TR::LC_TIME::MON, tr_TR::LC_TIME::ALT_MON),
    (ru_RU::LC_TIME::MON, ru_RU::LC_TIME::ALT_MON),
    (pl_PL::LC_TIME::MON, pl_PL::LC_TIME::ALT_MON),
    // Arabic: Egyptian and Gulf, Levantine, Algerian and Tunisian, Moroccan names.
    (ar_EG::LC_TIME::MON, ar_EG::LC_TIME::ALT_MON),
    (ar_SY::LC_TIME::MON, ar_SY::LC_TIME::ALT_MON),
    (ar_DZ::LC_TIME::MON, ar_DZ::LC_TIME::ALT_MON),
    (ar_MA::LC_TIME::MON, ar_MA::LC_TIME::ALT_MON),
    (he_IL::LC_TIME::MON, he_IL::LC_TIME::ALT_MON),
];

/// Abbreviated month names of the locales whose dates abbreviate them ("Feb 13", "13 févr.").
///
/// Not every locale's: short forms such as Italian "set" or Polish "lis" are
/// common words, and pages in those languages write months in full.
const ABBREVIATED: &[&[&str]] = &[
    en_US::LC_TIME::ABMON,
    de_DE::LC_TIME::ABMON,
    fr_FR::LC_TIME::ABMON,
    es_ES::LC_TIME::ABMON,
];

/// Spellings pages use that the locale data lacks (lower case, by month number).
pub const SUPPLEMENT: &[(&str, u32)] = &[
    // French "avr." (the locale abbreviates April not at all); German, French and Spanish
    // spellings without diacritics or in regional use.
    ("avr", 4),
    ("maerz", 3),
    ("fevrier", 2),
    ("aout", 8),
    ("decembre", 12),
    ("setiembre", 9),
    // Indonesian and Malay older spellings.
    ("pebruari", 2),
    ("nopember", 11),
    // Arabic spellings without hamza or with the Egyptian endings, and a shadda.
    ("إبريل", 4),
    ("ابريل", 4),
    ("يونيه", 6),
    ("يوليه", 7),
    ("اغسطس", 8),
    ("اكتوبر", 10),
    ("أيّار", 5),
];

/// The Hebrew preposition "in", written joined to a month name ("במאי": in May).
const HEBREW_IN: char = 'ב';

/// Every month name (lower case, without a trailing dot) with its month number, without repeats.
pub fn month_names() -> &'static [(String, u32)] {
    static NAMES: OnceLock<Vec<(String, u32)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut out: Vec<(String, u32)> = Vec::new();
        let mut add = |name: &str, month: u32| {
            let n = name.trim_end_matches('.').to_lowercase();
            if !n.is_empty() && !out.iter().any(|(x, _)| *x == n) {
                out.push((n, month));
            }
        };
        for (names, alt) in FULL {
            for list in std::iter::once(*names).chain(*alt) {
                for (i, n) in list.iter().enumerate() {
                    add(n, i as u32 + 1);
                }
            }
        }
        for list in ABBREVIATED {
            for (i, n) in list.iter().enumerate() {
                add(n, i as u32 + 1);
            }
        }
        for (n, m) in SUPPLEMENT {
            add(n, *m);
        }
        for (i, n) in he_IL::LC_TIME::MON.iter().enumerate() {
            add(&format!("{HEBREW_IN}{n}"), i as u32 + 1);
        }
        out
    })
}

/// The month (1 to 12) a word names, ignoring case and a trailing dot.
pub fn month_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    month_names().iter().find(|(n, _)| *n == w).map(|&(_, m)| m)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written table the extract stage had before this module; each entry must still resolve.
    #[rustfmt::skip]
    const FORMER: &[(&str, u32)] = &[
        ("january", 1), ("february", 2), ("march", 3), ("april", 4), ("may", 5), ("june", 6),
        ("july", 7), ("august", 8), ("september", 9), ("october", 10), ("november", 11),
        ("december", 12), ("jan", 1), ("feb", 2), ("mar", 3), ("apr", 4), ("jun", 6), ("jul", 7),
        ("aug", 8), ("sep", 9), ("sept", 9), ("oct", 10), ("nov", 11), ("dec", 12),
        ("januar", 1), ("jänner", 1), ("februar", 2), ("märz", 3), ("maerz", 3), ("mai", 5),
        ("juni", 6), ("juli", 7), ("oktober", 10), ("dezember", 12), ("okt", 10), ("dez", 12),
        ("mär", 3), ("janvier", 1), ("février", 2), ("fevrier", 2), ("mars", 3), ("avril", 4),
        ("juin", 6), ("juillet", 7), ("août", 8), ("aout", 8), ("septembre", 9), ("octobre", 10),
        ("novembre", 11), ("décembre", 12), ("decembre", 12), ("janv", 1), ("févr", 2),
        ("avr", 4), ("juil", 7), ("enero", 1), ("febrero", 2), ("marzo", 3), ("abril", 4),
        ("mayo", 5), ("junio", 6), ("julio", 7), ("agosto", 8), ("septiembre", 9),
        ("setiembre", 9), ("octubre", 10), ("noviembre", 11), ("diciembre", 12), ("ene", 1),
        ("abr", 4), ("ago", 8), ("dic", 12), ("gennaio", 1), ("febbraio", 2), ("aprile", 4),
        ("maggio", 5), ("giugno", 6), ("luglio", 7), ("settembre", 9), ("ottobre", 10),
        ("dicembre", 12), ("janeiro", 1), ("fevereiro", 2), ("março", 3), ("maio", 5),
        ("junho", 6), ("julho", 7), ("setembro", 9), ("outubro", 10), ("novembro", 11),
        ("dezembro", 12), ("januari", 1), ("februari", 2), ("maart", 3), ("mei", 5),
        ("augustus", 8), ("pebruari", 2), ("agustus", 8), ("desember", 12), ("nopember", 11),
        ("ocak", 1), ("şubat", 2), ("mart", 3), ("nisan", 4), ("mayıs", 5), ("haziran", 6),
        ("temmuz", 7), ("ağustos", 8), ("eylül", 9), ("ekim", 10), ("kasım", 11), ("aralık", 12),
        ("января", 1), ("февраля", 2), ("марта", 3), ("апреля", 4), ("мая", 5), ("июня", 6),
        ("июля", 7), ("августа", 8), ("сентября", 9), ("октября", 10), ("ноября", 11),
        ("декабря", 12), ("январь", 1), ("февраль", 2), ("март", 3), ("апрель", 4), ("май", 5),
        ("июнь", 6), ("июль", 7), ("август", 8), ("сентябрь", 9), ("октябрь", 10),
        ("ноябрь", 11), ("декабрь", 12), ("يناير", 1), ("فبراير", 2), ("مارس", 3), ("أبريل", 4),
        ("إبريل", 4), ("ابريل", 4), ("مايو", 5), ("يونيو", 6), ("يونيه", 6), ("يوليو", 7),
        ("يوليه", 7), ("أغسطس", 8), ("اغسطس", 8), ("سبتمبر", 9), ("أكتوبر", 10), ("اكتوبر", 10),
        ("نوفمبر", 11), ("ديسمبر", 12), ("كانون الثاني", 1), ("شباط", 2), ("آذار", 3),
        ("نيسان", 4), ("أيار", 5), ("أيّار", 5), ("حزيران", 6), ("تموز", 7), ("آب", 8),
        ("أيلول", 9), ("تشرين الأول", 10), ("تشرين الثاني", 11), ("كانون الأول", 12),
        ("جانفي", 1), ("فيفري", 2), ("أفريل", 4), ("ماي", 5), ("جوان", 6), ("جويلية", 7),
        ("أوت", 8), ("ינואר", 1), ("פברואר", 2), ("מרץ", 3), ("אפריל", 4), ("מאי", 5),
        ("יוני", 6), ("יולי", 7), ("אוגוסט", 8), ("ספטמבר", 9), ("אוקטובר", 10), ("נובמבר", 11),
        ("דצמבר", 12), ("בינואר", 1), ("בפברואר", 2), ("במרץ", 3), ("באפריל", 4), ("במאי", 5),
        ("ביוני", 6), ("ביולי", 7), ("באוגוסט", 8), ("בספטמבר", 9), ("באוקטובר", 10),
        ("בנובמבר", 11), ("בדצמבר", 12), ("stycznia", 1), ("lutego", 2), ("marca", 3),
        ("kwietnia", 4), ("maja", 5), ("czerwca", 6), ("lipca", 7), ("sierpnia", 8),
        ("września", 9), ("października", 10), ("listopada", 11), ("grudnia", 12),
    ];

    #[test]
    fn every_former_name_resolves_to_its_month() {
        for (name, month) in FORMER {
            assert_eq!(month_number(name), Some(*month), "{name}");
        }
    }

    #[test]
    fn supplement_adds_only_what_the_locale_data_lacks() {
        let names = month_names();
        let from_locales = names.len() - SUPPLEMENT.len() - 12;
        for (n, _) in SUPPLEMENT {
            let at = names.iter().position(|(x, _)| x == n).unwrap();
            assert!(at >= from_locales, "{n} is in the locale data already");
        }
    }

    #[test]
    fn lookup_ignores_case_and_a_trailing_dot() {
        assert_eq!(month_number("Feb."), Some(2));
        assert_eq!(month_number("Mayıs"), Some(5));
        assert_eq!(month_number("мая"), Some(5));
        assert_eq!(month_number("Май"), Some(5));
        assert_eq!(month_number("styczeń"), Some(1));
        assert_eq!(month_number("déc."), Some(12));
        assert_eq!(month_number("monday"), None);
        assert_eq!(month_number(""), None);
    }

    #[test]
    fn no_name_names_two_months() {
        let mut seen = std::collections::HashMap::new();
        for (i, list) in FULL
            .iter()
            .flat_map(|(m, a)| std::iter::once(*m).chain(*a))
            .chain(ABBREVIATED.iter().copied())
            .enumerate()
        {
            for (k, n) in list.iter().enumerate() {
                let n = n.trim_end_matches('.').to_lowercase();
                if let Some(&(m, j)) = seen.get(&n) {
                    assert_eq!(m, k + 1, "{n} in lists {j} and {i}");
                }
                seen.insert(n, (k + 1, i));
            }
        }
    }
}
