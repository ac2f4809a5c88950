//! The seed corpus (examples/seeds): the extraction, date and credit facts of
//! docs/DESIGN.md section 1, checked through the whole pipeline.

use echotrace_model::{Article, DateBasis, Precision};

fn seeds() -> Vec<Article> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/seeds");
    let report =
        echotrace_pipeline::analyze(&[dir], &Default::default(), &echotrace_pipeline::Silent);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    assert_eq!(report.articles.len(), 5);
    report.articles
}

fn by_file<'a>(arts: &'a [Article], prefix: &str) -> &'a Article {
    arts.iter()
        .find(|a| {
            a.origin
                .path
                .rsplit('/')
                .next()
                .is_some_and(|f| f.starts_with(prefix))
        })
        .unwrap_or_else(|| panic!("no article for {prefix}"))
}

const CHROME: &[&str] = &[
    "BREAKING",
    "Most Read",
    "Read Next",
    "All Rights Reserved",
    "Privacy Policy",
    "Read more:",
    "Min Read",
    "Shares",
    "Leave a Reply",
    "LEAVE A REPLY",
    "Please enter your",
];

fn assert_no_chrome(a: &Article) {
    for c in CHROME {
        assert!(
            !a.body.contains(c),
            "{}: body keeps chrome {c:?}",
            a.origin.path
        );
    }
}

#[test]
fn dump_000_keeps_headline_byline_and_body_only() {
    let arts = seeds();
    let a = by_file(&arts, "000");
    assert_no_chrome(a);
    assert_eq!(
        a.title.as_deref(),
        Some("US recruiting terrorists to attack Russia, CIS countries: Russia intel")
    );
    assert!(a
        .body
        .starts_with("The SVR confirms that the US hired 60 militants"));
    assert!(a.body.contains(
        "According to credible data received by the Foreign Intelligence Service of Russia"
    ));
    assert!(a.body.ends_with("using Ukraine as an alibi."));
    // The ticker of unrelated headlines is not article text.
    for t in ["UNCTAD", "Sheikh Daamoush", "Rostov", "Taiwan"] {
        assert!(!a.body.contains(t), "ticker line {t:?} kept");
    }
    // Nor are photo captions, tags or the Most Read list.
    assert!(!a.body.contains("(AFP)"));
    assert!(!a.body.contains("Epstein"));
    let p = a.published.as_ref().unwrap();
    assert_eq!(p.value.to_string(), "2023-02-13T13:25");
    assert_eq!(p.precision, Precision::Minute);
    assert_eq!(p.basis, DateBasis::Explicit);
    assert_eq!(p.evidence, "13 Feb 2023 13:25");
    assert_eq!(a.credited_sources, ["Agencies"]);
    assert_eq!(a.byline.as_deref(), Some("Al Mayadeen English"));
    assert_eq!(a.outlet.as_deref(), Some("Al Mayadeen English"));
    assert_eq!(a.language, "en");
    assert!(a.tags.contains(&"Syria".to_string()));
    assert!(a.removed_chars > 2000);
}

#[test]
fn dump_001_may_2022() {
    let arts = seeds();
    let a = by_file(&arts, "001");
    assert_no_chrome(a);
    assert_eq!(
        a.title.as_deref(),
        Some("US attracts IS mercenaries to fight in Ukraine: Russia's SVR")
    );
    assert!(a.body.contains("up to 500 IS members loyal to Washington"));
    assert!(a.body.contains("about 60 IS fighters aged 20 to 25"));
    for t in ["Al-Rashq", "Al-Dali", "Russia & NATO", "Draconian", "penny"] {
        assert!(!a.body.contains(t), "non-article text {t:?} kept");
    }
    let p = a.published.as_ref().unwrap();
    assert_eq!(
        (p.value.to_string().as_str(), p.basis),
        ("2022-05-17T19:29", DateBasis::Explicit)
    );
    assert_eq!(a.credited_sources, ["Agencies"]);
}

#[test]
fn translation_002_credits_and_date() {
    let arts = seeds();
    let a = by_file(&arts, "002");
    let p = a.published.as_ref().unwrap();
    assert_eq!(
        (p.value.to_string().as_str(), p.precision, p.basis),
        ("2023-02-14", Precision::Day, DateBasis::Explicit)
    );
    assert_eq!(a.credited_sources, ["The Cradle", "Misión Verdad"]);
    assert_eq!(a.translated_by.as_deref(), Some("Orinoco Tribune"));
    assert!(a.body.starts_with("US occupation forces in Syria"));
    assert!(a
        .body
        .contains("Particular emphasis is paid to planning attacks on heavily guarded facilities"));
    assert!(!a.body.contains("Translation:"));
    assert!(!a.body.contains("(The Cradle)"));
    assert!(a.body.ends_with("in favor of the Atlantic axis."));
}

#[test]
fn wordpress_003_has_no_explicit_date_and_no_comment_form() {
    let arts = seeds();
    let a = by_file(&arts, "003");
    assert_no_chrome(a);
    assert!(a
        .title
        .as_deref()
        .unwrap()
        .starts_with("US Forces Training Militants in Syria"));
    // "on Monday" is not a date: unknown or, at most, not explicit.
    assert!(a
        .published
        .as_ref()
        .is_none_or(|p| p.basis != DateBasis::Explicit));
    assert!(a.date_hints.iter().any(|h| h == "on Monday"));
    assert!(a
        .body
        .contains("particular emphasis is paid to planning attacks on heavily guarded facilities"));
    assert!(a.body.ends_with("international terrorist groups”."));
}

#[test]
fn wordpress_004_month_day_without_year_is_not_explicit() {
    let arts = seeds();
    let a = by_file(&arts, "004");
    assert_no_chrome(a);
    assert_eq!(
        a.title.as_deref(),
        Some("Moscow claims, Washington is sending ISIS jihadists to Ukraine")
    );
    assert!(a.body.starts_with(
        "Russia’s Foreign Intelligence Service (SVR) in a statement issued on May 17"
    ));
    assert!(!a.body.starts_with('0'));
    // No year is stated: the page gives "on May 17", and the year comes from its story.
    let p = a.published.as_ref().unwrap();
    assert_eq!(p.basis, DateBasis::Inferred);
    assert_eq!(p.value.to_string(), "2022-05-17");
    assert!(p.evidence.starts_with("\"on May 17\""), "{}", p.evidence);
    assert!(a.body.contains("Azov"));
    assert!(a.body.ends_with("he added."));
}
