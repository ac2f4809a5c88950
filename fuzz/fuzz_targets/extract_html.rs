//! Any text as an HTML page: extraction must never panic.
#![no_main]
use echotrace_model::{ContentKind, RawDocument};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let doc = RawDocument {
        origin: Default::default(),
        kind: ContentKind::Html,
        content: String::from_utf8_lossy(data).into_owned(),
    };
    let _ = echotrace_extract::extract(&doc, &Default::default());
});
