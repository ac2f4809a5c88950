//! Shared helpers of the seed-corpus tests.

use echotrace_model::Report;

/// The full analysis of the bundled seed corpus.
pub fn report() -> Report {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/seeds");
    echotrace_pipeline::analyze(&[dir], &Default::default(), &echotrace_pipeline::Silent)
}

/// The id of the article read from the seed file whose name starts with `prefix`.
pub fn id_of(r: &Report, prefix: &str) -> String {
    r.articles
        .iter()
        .find(|a| {
            a.origin
                .path
                .rsplit('/')
                .next()
                .unwrap()
                .starts_with(prefix)
        })
        .map(|a| a.id.clone())
        .unwrap()
}
