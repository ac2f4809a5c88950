//! Any text through the claims stage (quotation rules, the learned attribution tagger, figures,
//! entities) and any bytes through the tagger's model reader: never a panic, spans in bounds.
#![no_main]
use echotrace_claims::attribution::{self, Tagger};
use echotrace_model::Article;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = Tagger::from_bytes(data);
    let body = String::from_utf8_lossy(data).into_owned();
    let article = Article {
        id: "a0".into(),
        language: "en".into(),
        body,
        ..Default::default()
    };
    let aliases = echotrace_reuse::Aliases::builtin();
    let found = echotrace_claims::analyze_article(&article, &aliases);
    let len = article.body.len();
    for q in &found.quotes {
        assert!(q.start <= q.end && q.end <= len);
        for (s, e) in q.speaker_span.into_iter().chain(q.cue_span) {
            assert!(s <= e && e <= len && article.body.is_char_boundary(s));
        }
    }
    if let Some(tagger) = Tagger::shipped() {
        for s in attribution::spans(tagger, &article.body) {
            assert!(s.start < s.end && s.end <= len && article.body.is_char_boundary(s.end));
        }
    }
});
