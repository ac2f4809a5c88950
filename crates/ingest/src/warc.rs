//! WARC input, plain or Common Crawl style (each record its own gzip member).
//!
//! Written by hand rather than with the `warc` crate because a crawl reader
//! must survive damage: a corrupt gzip member or a truncated record is
//! reported with its byte offset and the reader resynchronises on the next
//! member (or the next `WARC/` line) instead of ending the file. Only
//! `response` and `resource` records that carry HTML or text become pages;
//! the HTTP header of a response is parsed (httparse) for its charset,
//! status, transfer and content encodings.

use std::io::{BufRead, Read};

use echotrace_model::{ContentKind, Diagnostic, Origin};

use crate::{emit_page, Limits, ReadError, Sink};

/// Longest WARC header block accepted, in bytes.
const MAX_HEADER: usize = 64 * 1024;

/// A BufRead that counts the bytes consumed, for byte offsets in diagnostics.
struct Counted<R> {
    inner: R,
    pos: u64,
}

impl<R: BufRead> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counted<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        self.pos += amt as u64;
        self.inner.consume(amt);
    }
}

/// One parsed WARC record.
struct Record {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Record {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Reads a WARC stream into pages; `gzip` when each record is a gzip member.
pub(crate) fn read_warc<R: BufRead>(
    input: R,
    label: &str,
    gzip: bool,
    limits: &Limits,
    sink: &mut dyn Sink,
) {
    let mut input = Counted {
        inner: input,
        pos: 0,
    };
    if gzip {
        read_members(&mut input, label, limits, sink);
    } else {
        read_records(&mut input, label, 0, limits, sink);
    }
}

fn read_members<R: BufRead>(
    input: &mut Counted<R>,
    label: &str,
    limits: &Limits,
    sink: &mut dyn Sink,
) {
    loop {
        let start = input.pos;
        match input.fill_buf() {
            Ok([]) => return,
            Ok(head) if head.len() >= 2 && head[..2] != [0x1f, 0x8b] => {
                sink.diagnostic(Diagnostic::error(
                    format!("{label} @byte {start}"),
                    "not a gzip member here; skipping to the next one",
                ));
                if !resync_gzip(input) {
                    return;
                }
                continue;
            }
            Ok(_) => {}
            Err(e) => {
                sink.diagnostic(Diagnostic::error(
                    format!("{label} @byte {start}"),
                    format!("cannot read: {e}"),
                ));
                return;
            }
        }
        let cap = (limits.max_record_bytes + MAX_HEADER) as u64;
        let mut member = Vec::new();
        let mut dec = flate2::bufread::GzDecoder::new(&mut *input);
        let res = (&mut dec).take(cap + 1).read_to_end(&mut member);
        let oversized = member.len() as u64 > cap;
        if oversized && res.is_ok() {
            // Drain the rest of the member without keeping it.
            let _ = std::io::copy(&mut dec, &mut std::io::sink());
        }
        drop(dec);
        let at = format!("{label} @byte {start}");
        match res {
            Err(e) => {
                sink.diagnostic(Diagnostic::error(
                    at,
                    format!("corrupt gzip member ({e}); skipped to the next record"),
                ));
                if input.pos == start {
                    input.consume(1);
                }
                if !resync_gzip(input) {
                    return;
                }
            }
            Ok(_) if oversized => sink.diagnostic(Diagnostic::error(
                at,
                format!(
                    "record larger than the {}-byte page limit; skipped",
                    limits.max_record_bytes
                ),
            )),
            Ok(_) => read_records(&mut &member[..], label, start, limits, sink),
        }
    }
}

/// Skips forward to the next gzip magic; false at end of input.
fn resync_gzip<R: BufRead>(input: &mut Counted<R>) -> bool {
    loop {
        let buf = match input.fill_buf() {
            Ok([]) | Err(_) => return false,
            Ok(b) => b,
        };
        // Look for 1f 8b 08 (gzip, deflate); keep a possible split magic.
        let found = memchr::memmem::find(buf, &[0x1f, 0x8b, 0x08]);
        match found {
            Some(0) => return true,
            Some(i) => {
                input.consume(i);
                return true;
            }
            None => {
                let keep = 2.min(buf.len());
                let n = buf.len() - keep;
                if n == 0 {
                    // Fewer than 3 bytes left and no magic: done.
                    let len = buf.len();
                    input.consume(len);
                    return false;
                }
                input.consume(n);
            }
        }
    }
}

/// Parses consecutive records; `base` is the file offset diagnostics report.
fn read_records<R: BufRead>(
    input: &mut R,
    label: &str,
    base: u64,
    limits: &Limits,
    sink: &mut dyn Sink,
) {
    let mut input = Counted {
        inner: input,
        pos: 0,
    };
    loop {
        let start = base + input.pos;
        match next_record(&mut input, limits) {
            Ok(None) => return,
            Ok(Some(rec)) => handle_record(rec, label, start, sink),
            Err(msg) => {
                sink.diagnostic(Diagnostic::error(
                    format!("{label} @byte {start}"),
                    msg.to_string(),
                ));
                if !resync_version_line(&mut input) {
                    return;
                }
            }
        }
    }
}

/// Reads one line (without its CRLF), at most `max` bytes; None at end of input.
fn read_line<R: BufRead>(input: &mut R, max: usize) -> Result<Option<Vec<u8>>, ReadError> {
    let mut line = Vec::new();
    let n = input.take(max as u64 + 1).read_until(b'\n', &mut line)?;
    if n == 0 {
        return Ok(None);
    }
    if line.len() > max {
        return Err(ReadError::HeaderLineTooLong);
    }
    while matches!(line.last(), Some(b'\n' | b'\r')) {
        line.pop();
    }
    Ok(Some(line))
}

fn next_record<R: BufRead>(input: &mut R, limits: &Limits) -> Result<Option<Record>, ReadError> {
    // Skip blank lines between records.
    let version = loop {
        match read_line(input, MAX_HEADER)? {
            None => return Ok(None),
            Some(l) if l.iter().all(|b| b.is_ascii_whitespace()) => continue,
            Some(l) => break l,
        }
    };
    if !version.starts_with(b"WARC/") {
        return Err(ReadError::NotAVersionLine(
            String::from_utf8_lossy(&version[..version.len().min(40)]).into_owned(),
        ));
    }
    let mut headers = Vec::new();
    let mut header_bytes = 0;
    loop {
        let line = read_line(input, MAX_HEADER)?.ok_or(ReadError::TruncatedHeader)?;
        if line.is_empty() {
            break;
        }
        header_bytes += line.len();
        if header_bytes > MAX_HEADER {
            return Err(ReadError::HeaderTooLong);
        }
        let line = String::from_utf8_lossy(&line);
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let len: u64 = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Content-Length"))
        .and_then(|(_, v)| v.parse().ok())
        .ok_or(ReadError::NoContentLength)?;
    let mut body = Vec::new();
    if len > limits.max_record_bytes as u64 {
        let skipped = std::io::copy(&mut input.take(len), &mut std::io::sink())?;
        if skipped < len {
            return Err(ReadError::TruncatedBody {
                len,
                present: skipped,
            });
        }
        return Err(ReadError::RecordTooLarge {
            len,
            max: limits.max_record_bytes,
        });
    }
    input.take(len).read_to_end(&mut body)?;
    if (body.len() as u64) < len {
        return Err(ReadError::TruncatedBody {
            len,
            present: body.len() as u64,
        });
    }
    Ok(Some(Record { headers, body }))
}

/// Skips lines until one starts a record; false at end of input.
fn resync_version_line<R: BufRead>(input: &mut R) -> bool {
    loop {
        let buf = match input.fill_buf() {
            Ok([]) | Err(_) => return false,
            Ok(b) => b,
        };
        if buf.starts_with(b"WARC/") {
            return true;
        }
        match memchr::memmem::find(buf, b"\nWARC/") {
            Some(i) => {
                input.consume(i + 1);
                return true;
            }
            None => {
                let n = buf.len().saturating_sub(5).max(1);
                input.consume(n);
            }
        }
    }
}

/// Whether a MIME type names a page we extract, and which kind.
fn page_kind(mime: Option<&str>) -> Option<Option<ContentKind>> {
    let Some(m) = mime else {
        return Some(None);
    };
    let m = m
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    match m.as_str() {
        "text/html" | "application/xhtml+xml" => Some(Some(ContentKind::Html)),
        "text/plain" => Some(Some(ContentKind::Text)),
        "" | "application/octet-stream" | "unk" | "unknown" => Some(None),
        _ => None,
    }
}

fn charset_of(mime: Option<&str>) -> Option<String> {
    mime?.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

fn handle_record(rec: Record, label: &str, start: u64, sink: &mut dyn Sink) {
    let rtype = rec.header("WARC-Type").unwrap_or("").to_ascii_lowercase();
    let origin = Origin {
        path: label.to_string(),
        url: rec
            .header("WARC-Target-URI")
            .map(|u| u.trim_matches(['<', '>']).to_string()),
        warc_record: rec.header("WARC-Record-ID").map(str::to_string),
        offset: Some(start),
        fetched_at: rec.header("WARC-Date").map(str::to_string),
        ..Default::default()
    };
    match rtype.as_str() {
        "resource" => {
            let mime = rec.header("Content-Type");
            if let Some(kind) = page_kind(mime) {
                let cs = charset_of(mime);
                emit_page(origin, &rec.body, kind, cs.as_deref(), sink);
            }
        }
        "response" => {
            let is_http = rec
                .header("Content-Type")
                .is_some_and(|c| c.to_ascii_lowercase().starts_with("application/http"));
            if !is_http {
                let mime = rec.header("Content-Type");
                if let Some(kind) = page_kind(mime) {
                    emit_page(origin, &rec.body, kind, charset_of(mime).as_deref(), sink);
                }
                return;
            }
            match http_payload(&rec.body) {
                Err(msg) => sink.diagnostic(Diagnostic::error(origin.label(), msg.to_string())),
                Ok(None) => {}
                Ok(Some((kind, charset, payload))) => {
                    emit_page(origin, &payload, kind, charset.as_deref(), sink)
                }
            }
        }
        _ => {}
    }
}

type Payload = (Option<ContentKind>, Option<String>, Vec<u8>);

/// Splits an HTTP response into page kind, charset and decoded body; None for non-pages.
fn http_payload(msg: &[u8]) -> Result<Option<Payload>, ReadError> {
    let mut hdrs = [httparse::EMPTY_HEADER; 128];
    let mut resp = httparse::Response::new(&mut hdrs);
    let body_at = match resp.parse(msg) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Err(ReadError::TruncatedHttpHeader),
        Err(e) => return Err(ReadError::BadHttpHeader(e)),
    };
    let status = resp.code.unwrap_or(0);
    if !(200..300).contains(&status) {
        return Ok(None);
    }
    let get = |name: &str| {
        resp.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).into_owned())
    };
    let mime = get("Content-Type");
    let Some(kind) = page_kind(mime.as_deref()) else {
        return Ok(None);
    };
    let charset = charset_of(mime.as_deref());
    let mut body = msg[body_at..].to_vec();
    if get("Transfer-Encoding").is_some_and(|t| t.to_ascii_lowercase().contains("chunked")) {
        body = dechunk(&body).ok_or(ReadError::BadChunking)?;
    }
    match get("Content-Encoding").map(|e| e.trim().to_ascii_lowercase()) {
        Some(e) if e == "gzip" || e == "x-gzip" => {
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(&body[..])
                .take(body.len() as u64 * 64 + 1024 * 1024)
                .read_to_end(&mut out)
                .map_err(|source| ReadError::BadEncoding {
                    encoding: "gzip",
                    source,
                })?;
            body = out;
        }
        Some(e) if e == "deflate" => {
            let mut out = Vec::new();
            flate2::read::ZlibDecoder::new(&body[..])
                .take(body.len() as u64 * 64 + 1024 * 1024)
                .read_to_end(&mut out)
                .map_err(|source| ReadError::BadEncoding {
                    encoding: "deflate",
                    source,
                })?;
            body = out;
        }
        Some(e) if e.is_empty() || e == "identity" => {}
        Some(e) => return Err(ReadError::UnsupportedEncoding(e.to_string())),
        None => {}
    }
    Ok(Some((kind, charset, body)))
}

/// Decodes HTTP chunked transfer encoding; None when malformed.
fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len());
    loop {
        let eol = memchr::memmem::find(data, b"\r\n")?;
        let size_str = std::str::from_utf8(&data[..eol]).ok()?;
        let size = usize::from_str_radix(size_str.split(';').next()?.trim(), 16).ok()?;
        data = &data[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        if data.len() < size {
            return None;
        }
        out.extend_from_slice(&data[..size]);
        data = data.get(size + 2..).unwrap_or(&[]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Collect;
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;

    fn record(uri: &str, html: &str) -> Vec<u8> {
        let http =
            format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n{html}");
        let mut r = format!(
            "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2023-02-13T10:00:00Z\r\nWARC-Record-ID: <urn:uuid:{uri}>\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
            http.len()
        )
        .into_bytes();
        r.extend_from_slice(http.as_bytes());
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn plain_warc_records_become_pages() {
        let mut data =
            b"WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 3\r\n\r\nabc\r\n\r\n".to_vec();
        data.extend(record("http://a.example/1", "<p>one</p>"));
        data.extend(record("http://a.example/2", "<p>two</p>"));
        let mut c = Collect::default();
        read_warc(&data[..], "x.warc", false, &Limits::default(), &mut c);
        assert_eq!(c.documents.len(), 2, "{:?}", c.diagnostics);
        let d = &c.documents[1];
        assert_eq!(d.origin.url.as_deref(), Some("http://a.example/2"));
        assert_eq!(d.origin.encoding.as_deref(), Some("windows-1252"));
        assert_eq!(d.origin.encoding_basis.as_deref(), Some("http-header"));
        assert_eq!(d.origin.fetched_at.as_deref(), Some("2023-02-13T10:00:00Z"));
        assert!(d.content.contains("two"));
    }

    #[test]
    fn corrupt_member_is_reported_and_the_rest_read() {
        let a = gz(&record("http://a/1", "<p>first</p>"));
        let mut b = gz(&record("http://a/2", "<p>second</p>"));
        let n = b.len();
        for x in &mut b[12..n - 10] {
            *x ^= 0x5a;
        }
        let c3 = gz(&record("http://a/3", "<p>third</p>"));
        let mut data = a.clone();
        let bad_at = data.len();
        data.extend(&b);
        data.extend(&c3);
        let mut c = Collect::default();
        read_warc(&data[..], "cc.warc.gz", true, &Limits::default(), &mut c);
        let urls: Vec<_> = c
            .documents
            .iter()
            .map(|d| d.origin.url.clone().unwrap())
            .collect();
        assert_eq!(urls, ["http://a/1", "http://a/3"]);
        assert!(!c.diagnostics.is_empty());
        assert_eq!(
            c.diagnostics[0].origin,
            format!("cc.warc.gz @byte {bad_at}")
        );
    }

    #[test]
    fn truncated_record_is_reported() {
        let mut data = record("http://a/1", "<p>first</p>");
        let full = record("http://a/2", "<p>second and more</p>");
        data.extend_from_slice(&full[..full.len() - 20]);
        let mut c = Collect::default();
        read_warc(&data[..], "t.warc", false, &Limits::default(), &mut c);
        assert_eq!(c.documents.len(), 1);
        assert_eq!(c.diagnostics.len(), 1);
        assert!(
            c.diagnostics[0].message.contains("truncated"),
            "{}",
            c.diagnostics[0].message
        );
    }

    #[test]
    fn chunked_bodies_are_decoded() {
        assert_eq!(
            dechunk(b"3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").unwrap(),
            b"abcde"
        );
        assert!(dechunk(b"zz\r\nabc").is_none());
    }
}
