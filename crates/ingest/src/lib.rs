//! Ingest: turn paths on the command line into decoded pages.
//!
//! The reader walks directories, recognises each file's container (plain
//! HTML or text, WARC and WARC.gz, JSONL, single `.gz` files, stdin) and pushes
//! every page it finds to a [`Sink`], already decoded to UTF-8 with the
//! encoding it used recorded in the page's origin. Every problem (an
//! unreadable file, a broken gzip member, a truncated WARC record, a bad JSON
//! line, binary junk, an empty page) becomes a [`Diagnostic`] naming the file
//! and the record, line or byte offset; the reader then goes on with the rest.
//! No input can make it panic or allocate more than [`Limits`] allow.

mod decode;
mod error;
mod format;
mod jsonl;
mod warc;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

pub use decode::{decode_page, Decoded};
use echotrace_model::{ContentKind, Diagnostic, Origin, RawDocument};

pub use error::ReadError;
pub use format::Format;

/// Bounds that keep one pathological input from stalling or exhausting a crawl.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest page, record or JSONL line accepted, in bytes (after decompression).
    pub max_record_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_record_bytes: 16 * 1024 * 1024,
        }
    }
}

/// Receives what the reader finds, in input order.
///
/// Contract: `document` is called once per page that decoded to non-empty
/// content; `diagnostic` once per problem. Neither is ever called for the
/// same page twice. Implementations must not assume any page count.
pub trait Sink {
    /// A page was read and decoded.
    fn document(&mut self, doc: RawDocument);
    /// Something could not be read; the reader carries on.
    fn diagnostic(&mut self, diag: Diagnostic);
}

/// A [`Sink`] that keeps everything in memory.
#[derive(Debug, Default)]
pub struct Collect {
    /// The pages read, in order.
    pub documents: Vec<RawDocument>,
    /// The problems met, in order.
    pub diagnostics: Vec<Diagnostic>,
}

impl Sink for Collect {
    fn document(&mut self, doc: RawDocument) {
        self.documents.push(doc);
    }
    fn diagnostic(&mut self, diag: Diagnostic) {
        self.diagnostics.push(diag);
    }
}

/// Reads every page under `paths` (files, directories, or `-` for stdin) into `sink`.
///
/// Directories are walked recursively in name order without following
/// symbolic links (each one skipped is named in a warning). Files whose names say they are not pages (images, scripts,
/// archives other than gzip) are skipped silently when found inside a
/// directory, and reported when named directly.
pub fn read_paths<S: AsRef<str>>(paths: &[S], limits: &Limits, sink: &mut dyn Sink) {
    for p in paths {
        let p = p.as_ref();
        if p == "-" {
            read_stdin(limits, sink);
            continue;
        }
        let path = Path::new(p);
        match std::fs::metadata(path) {
            Err(e) => sink.diagnostic(Diagnostic::error(
                p,
                format!("cannot read: {e}; check the path and permissions"),
            )),
            Ok(m) if m.is_dir() => read_dir(path, limits, sink),
            Ok(_) => read_file(path, true, limits, sink),
        }
    }
}

fn read_dir(dir: &Path, limits: &Limits, sink: &mut dyn Sink) {
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name();
    for entry in walker {
        match entry {
            Err(e) => {
                let at = e
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| dir.display().to_string());
                sink.diagnostic(Diagnostic::error(at, format!("cannot read: {e}")));
            }
            Ok(e) if e.file_type().is_file() => read_file(e.path(), false, limits, sink),
            Ok(e) if e.path_is_symlink() => sink.diagnostic(Diagnostic::warning(
                e.path().display().to_string(),
                "skipped: a symbolic link (links inside a directory are not followed; name its target to read it)",
            )),
            Ok(_) => {}
        }
    }
}

/// Reads one file; `named` says the user named it directly (so unknown types are reported).
pub fn read_file(path: &Path, named: bool, limits: &Limits, sink: &mut dyn Sink) {
    let label = path.display().to_string();
    if label.ends_with(".parquet") {
        return read_parquet(path, &label, sink);
    }
    let fmt = Format::from_name(&label);
    if fmt == Format::Skip {
        if named {
            sink.diagnostic(Diagnostic::warning(
                &label,
                "skipped: the file name does not look like a page (expected .html, .htm, .txt, .warc, .warc.gz, .jsonl or .gz)",
            ));
        }
        return;
    }
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            sink.diagnostic(Diagnostic::error(&label, format!("cannot open: {e}")));
            return;
        }
    };
    read_stream(
        BufReader::with_capacity(64 * 1024, file),
        &label,
        fmt,
        limits,
        sink,
    );
}

/// Reads a Parquet table of pages (the `pages` table of `echotrace-columnar`), batch by batch.
#[cfg(feature = "parquet")]
fn read_parquet(path: &Path, label: &str, sink: &mut dyn Sink) {
    let read = echotrace_columnar::read_batches(path, |pages: Vec<RawDocument>| {
        for page in pages.into_iter().filter(|p| !p.content.is_empty()) {
            sink.document(page);
        }
    });
    if let Err(e) = read {
        sink.diagnostic(Diagnostic::error(label, e.to_string()));
    }
}

/// Without the `parquet` feature a Parquet file is named and skipped.
#[cfg(not(feature = "parquet"))]
fn read_parquet(_: &Path, label: &str, sink: &mut dyn Sink) {
    sink.diagnostic(Diagnostic::error(
        label,
        "skipped: this build reads no Parquet; build echotrace with `--features parquet`",
    ));
}

/// Reads standard input, recognising its container from its first bytes.
pub fn read_stdin(limits: &Limits, sink: &mut dyn Sink) {
    let stdin = std::io::stdin();
    let lock = BufReader::with_capacity(64 * 1024, stdin.lock());
    read_stream(lock, "-", Format::Sniff, limits, sink);
}

/// Reads one stream of the given container format.
pub fn read_stream<R: std::io::BufRead + 'static>(
    input: R,
    label: &str,
    fmt: Format,
    limits: &Limits,
    sink: &mut dyn Sink,
) {
    read_layer(Box::new(input), label, fmt, limits, sink, 0);
}

/// One container layer; `depth` counts gzip layers so nesting cannot recurse deep.
fn read_layer(
    mut input: Box<dyn std::io::BufRead + '_>,
    label: &str,
    fmt: Format,
    limits: &Limits,
    sink: &mut dyn Sink,
    depth: u8,
) {
    let fmt = match fmt {
        Format::Sniff => match input.fill_buf() {
            Ok(head) => Format::sniff(head),
            Err(e) => {
                sink.diagnostic(Diagnostic::error(label, format!("cannot read: {e}")));
                return;
            }
        },
        f => f,
    };
    match fmt {
        Format::Warc { gzip } => warc::read_warc(input, label, gzip, limits, sink),
        Format::Jsonl => jsonl::read_jsonl(input, label, limits, sink),
        Format::Gzip if depth > 0 => sink.diagnostic(Diagnostic::error(
            label,
            "gzip inside gzip; only one compression layer is read",
        )),
        Format::Gzip => {
            // A single gzip file: decompress (bounded) and sniff what is inside,
            // unless the inner name already tells (page.html.gz, feed.jsonl.gz).
            let inner = Format::from_name(label.strip_suffix(".gz").unwrap_or(label));
            let dec = flate2::bufread::MultiGzDecoder::new(input);
            let inner = match inner {
                Format::Skip | Format::Gzip => Format::Sniff,
                f => f,
            };
            read_layer(
                Box::new(BufReader::new(dec)),
                label,
                inner,
                limits,
                sink,
                depth + 1,
            );
        }
        Format::Html | Format::Text | Format::Sniff | Format::Skip => {
            let bytes = match read_bounded(&mut input, limits.max_record_bytes) {
                Ok(b) => b,
                Err(msg) => {
                    sink.diagnostic(Diagnostic::error(label, msg.to_string()));
                    return;
                }
            };
            let kind = match fmt {
                Format::Html => Some(ContentKind::Html),
                Format::Text => Some(ContentKind::Text),
                _ => None,
            };
            let origin = Origin {
                path: label.to_string(),
                ..Default::default()
            };
            emit_page(origin, &bytes, kind, None, sink);
        }
    }
}

/// Reads at most `max` bytes; more is an error that says how to raise the limit.
fn read_bounded(input: &mut dyn Read, max: usize) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::new();
    input.take(max as u64 + 1).read_to_end(&mut buf)?;
    if buf.len() > max {
        return Err(ReadError::PageTooLarge { max });
    }
    Ok(buf)
}

/// Decodes one page's bytes and hands it to the sink, or reports why not.
///
/// `kind` is the content kind when the container says it; otherwise it is
/// sniffed from the text. `http_charset` is the charset an HTTP header gave.
pub(crate) fn emit_page(
    mut origin: Origin,
    bytes: &[u8],
    kind: Option<ContentKind>,
    http_charset: Option<&str>,
    sink: &mut dyn Sink,
) {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        sink.diagnostic(Diagnostic::warning(
            origin.label(),
            "empty page; nothing to extract",
        ));
        return;
    }
    if decode::looks_binary(bytes) {
        sink.diagnostic(Diagnostic::error(
            origin.label(),
            "binary data, not a page (control bytes in the first 4 KiB); skipped",
        ));
        return;
    }
    let decoded = decode_page(bytes, http_charset);
    origin.encoding = Some(decoded.encoding.to_string());
    origin.encoding_basis = Some(decoded.basis.to_string());
    let kind = kind.unwrap_or_else(|| format::sniff_kind(&decoded.text));
    if decoded.had_errors {
        sink.diagnostic(Diagnostic::warning(
            origin.label(),
            format!(
                "some bytes are not valid {}; they were replaced with U+FFFD",
                decoded.encoding
            ),
        ));
    }
    sink.document(RawDocument {
        origin,
        kind,
        content: decoded.text,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn links_inside_a_directory_are_named_not_followed() {
        let dir = std::env::temp_dir().join(format!("echotrace-links-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.html"), "<html><body><p>Page.</p></body></html>").unwrap();
        std::os::unix::fs::symlink(dir.join("missing.html"), dir.join("dangling.html")).unwrap();
        std::os::unix::fs::symlink(dir.join("a.html"), dir.join("b.html")).unwrap();
        let mut sink = Collect::default();
        read_paths(&[dir.to_str().unwrap()], &Limits::default(), &mut sink);
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(sink.documents.len(), 1);
        let named: Vec<&str> = sink.diagnostics.iter().map(|d| d.origin.as_str()).collect();
        assert_eq!(named.len(), 2, "{named:?}");
        assert!(named.iter().any(|o| o.ends_with("dangling.html")));
        assert!(named.iter().any(|o| o.ends_with("b.html")));
        assert!(sink.diagnostics[0].message.contains("symbolic link"));
    }
}
