//! Any text as a rendered-page dump, profiled with itself: extraction must never panic.
#![no_main]
use echotrace_model::{ContentKind, RawDocument};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let doc = RawDocument {
        origin: Default::default(),
        kind: ContentKind::Text,
        content: String::from_utf8_lossy(data).into_owned(),
    };
    let profile = echotrace_extract::site_profile([&doc, &doc]);
    let _ = echotrace_extract::extract(&doc, &profile);
});
