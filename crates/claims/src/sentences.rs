//! Sentence ranges of a body (the reuse stage's splitter, so both stages agree on sentences).

/// Byte ranges of the sentences of `body`.
pub fn spans(body: &str) -> Vec<(usize, usize)> {
    echotrace_reuse::semantic::sentence_spans(body)
}
