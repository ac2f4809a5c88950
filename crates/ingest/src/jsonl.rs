//! JSONL input: one page per line, `{"url", "html" | "text", "fetched_at"?}`.

use std::io::BufRead;

use echotrace_model::{ContentKind, Diagnostic, Origin};

use crate::{emit_page, Limits, Sink};

/// One line read with a length bound: its bytes, or that it was too long.
enum Line {
    Text(Vec<u8>),
    TooLong,
}

/// Reads the next line without ever buffering more than `max` bytes of it.
fn next_line<R: BufRead>(input: &mut R, max: usize) -> std::io::Result<Option<Line>> {
    let mut buf = Vec::new();
    let mut too_long = false;
    let mut any = false;
    loop {
        let chunk = input.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        any = true;
        let (take, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        if !too_long {
            if buf.len() + take > max {
                too_long = true;
                buf = Vec::new();
            } else {
                buf.extend_from_slice(&chunk[..take]);
            }
        }
        input.consume(if done { take + 1 } else { take });
        if done {
            break;
        }
    }
    if !any {
        return Ok(None);
    }
    Ok(Some(if too_long {
        Line::TooLong
    } else {
        Line::Text(buf)
    }))
}

/// Reads a JSONL stream; each bad line is a diagnostic naming its line number.
pub(crate) fn read_jsonl<R: BufRead>(
    mut input: R,
    label: &str,
    limits: &Limits,
    sink: &mut dyn Sink,
) {
    let mut lineno: u64 = 0;
    loop {
        lineno += 1;
        let at = format!("{label}:{lineno}");
        let line = match next_line(&mut input, limits.max_record_bytes) {
            Ok(Some(Line::Text(l))) => l,
            Ok(Some(Line::TooLong)) => {
                sink.diagnostic(Diagnostic::error(
                    at,
                    format!(
                        "line longer than the {}-byte page limit; skipped",
                        limits.max_record_bytes
                    ),
                ));
                continue;
            }
            Ok(None) => return,
            Err(e) => {
                sink.diagnostic(Diagnostic::error(at, format!("cannot read: {e}")));
                return;
            }
        };
        if line.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        let value: serde_json::Value = match serde_json::from_slice(&line) {
            Ok(v) => v,
            Err(e) => {
                sink.diagnostic(Diagnostic::error(
                    at,
                    format!("not a JSON object: {e}; each line must be one object with `html` or `text`"),
                ));
                continue;
            }
        };
        let field = |k: &str| value.get(k).and_then(|v| v.as_str());
        let (content, kind) = match (field("html"), field("text")) {
            (Some(h), _) => (h, ContentKind::Html),
            (None, Some(t)) => (t, ContentKind::Text),
            (None, None) => {
                sink.diagnostic(Diagnostic::error(
                    at,
                    "line has neither an `html` nor a `text` string; skipped",
                ));
                continue;
            }
        };
        let origin = Origin {
            path: label.to_string(),
            url: field("url").map(str::to_string),
            line: Some(lineno),
            fetched_at: field("fetched_at").map(str::to_string),
            ..Default::default()
        };
        emit_page(origin, content.as_bytes(), Some(kind), Some("utf-8"), sink);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Collect;

    #[test]
    fn good_and_bad_lines_are_told_apart() {
        let data = b"{\"url\":\"http://a/x\",\"html\":\"<p>Hi there</p>\"}\nnot json\n\n{\"url\":\"u\"}\n{\"text\":\"plain\",\"fetched_at\":\"2024-01-01\"}";
        let mut c = Collect::default();
        read_jsonl(&data[..], "f.jsonl", &Limits::default(), &mut c);
        assert_eq!(c.documents.len(), 2);
        assert_eq!(c.documents[0].origin.url.as_deref(), Some("http://a/x"));
        assert_eq!(c.documents[1].kind, ContentKind::Text);
        assert_eq!(c.documents[1].origin.line, Some(5));
        assert_eq!(c.diagnostics.len(), 2);
        assert_eq!(c.diagnostics[0].origin, "f.jsonl:2");
        assert_eq!(c.diagnostics[1].origin, "f.jsonl:4");
    }

    #[test]
    fn overlong_line_is_skipped_not_buffered() {
        let mut data = b"{\"text\":\"".to_vec();
        data.extend(std::iter::repeat_n(b'a', 5000));
        data.extend_from_slice(b"\"}\n{\"text\":\"ok\"}\n");
        let mut c = Collect::default();
        let limits = Limits {
            max_record_bytes: 1000,
        };
        read_jsonl(&data[..], "big.jsonl", &limits, &mut c);
        assert_eq!(c.documents.len(), 1);
        assert_eq!(c.diagnostics.len(), 1);
        assert!(c.diagnostics[0].message.contains("limit"));
    }
}
