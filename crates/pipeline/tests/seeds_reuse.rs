//! The seed corpus: the reuse facts of docs/DESIGN.md section 1, with byte
//! offsets checked on both sides.

mod common;
use common::{id_of, report};

use echotrace_model::{Article, Passage, PassageKind, Report};

fn body<'a>(r: &'a Report, id: &str) -> &'a Article {
    r.articles.iter().find(|a| a.id == id).unwrap()
}

/// The passage between two seeds whose both sides contain the given texts.
fn passage<'a>(r: &'a Report, x: &str, y: &str, in_x: &str, in_y: &str) -> &'a Passage {
    let (ix, iy) = (id_of(r, x), id_of(r, y));
    r.passages
        .iter()
        .find(|p| {
            let (sx, sy) = if p.a.article == ix && p.b.article == iy {
                (&p.a, &p.b)
            } else if p.a.article == iy && p.b.article == ix {
                (&p.b, &p.a)
            } else {
                return false;
            };
            let tx = &body(r, &ix).body[sx.start..sx.end];
            let ty = &body(r, &iy).body[sy.start..sy.end];
            tx.contains(in_x) && ty.contains(in_y)
        })
        .unwrap_or_else(|| panic!("no passage {x}/{y} covering {in_x:?} / {in_y:?}"))
}

#[test]
fn svr_quotation_in_000_002_003_with_translation_variant() {
    let r = report();
    let p = passage(&r, "000", "002", "According to credible data received", "the US military is actively recruiting militants from jihadist groups affiliated with [ISIS] and Al-Qaeda");
    assert_ne!(
        p.kind,
        PassageKind::Translation,
        "000 and 002 carry the same translation: {p:?}"
    );
    let q = passage(
        &r,
        "000",
        "003",
        "credible data received by the Foreign Intelligence Service of Russia",
        "credible information received by the Russian Foreign Intelligence Service",
    );
    assert_eq!(
        q.kind,
        PassageKind::Translation,
        "000 and 003 are two translations: {q:?}"
    );
    let s = passage(
        &r,
        "002",
        "003",
        "affiliated with [ISIS] and Al-Qaeda",
        "affiliated with the Islamic State and al-Qaeda",
    );
    assert_eq!(s.kind, PassageKind::Translation);
    // One quotation echoed by three articles is one group.
    assert!(p.group.is_some());
    assert_eq!(p.group, q.group);
    assert_eq!(p.group, s.group);
}

#[test]
fn closing_line_and_emphasis_sentence() {
    let r = report();
    passage(
        &r,
        "000",
        "002",
        "put Washington on a par with major international terrorist groups",
        "put Washington on par with major international terrorist groups",
    );
    passage(
        &r,
        "000",
        "003",
        "put Washington on a par with major international terrorist groups",
        "put Washington on a par with major international terrorist groups",
    );
    passage(
        &r,
        "002",
        "003",
        "put Washington on par with",
        "put Washington on a par with",
    );
    let e = passage(&r, "002", "003", "emphasis is paid to planning attacks on heavily guarded facilities, including foreign diplomatic missions", "emphasis is paid to planning attacks on heavily guarded facilities, including foreign diplomatic missions");
    assert_eq!(e.kind, PassageKind::Verbatim);
}

#[test]
fn may_2022_statement_in_001_and_004_and_quoted_in_000() {
    let r = report();
    passage(
        &r,
        "001",
        "004",
        "the United States is actively recruiting even members of international terrorist organizations",
        "the United States is actively recruiting even members of international terrorist organizations",
    );
    passage(
        &r,
        "000",
        "001",
        "about 60 IS fighters aged 20 to 25",
        "about 60 IS fighters aged 20 to 25",
    );
}

#[test]
fn offsets_are_char_boundaries_inside_bodies() {
    let r = report();
    assert!(!r.passages.is_empty());
    for p in &r.passages {
        for s in [&p.a, &p.b] {
            let b = &body(&r, &s.article).body;
            assert!(s.start < s.end && s.end <= b.len());
            assert!(b.is_char_boundary(s.start) && b.is_char_boundary(s.end));
        }
        assert!(p.score > 0.0 && p.score <= 1.0);
    }
}
