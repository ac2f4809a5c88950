//! Character encodings: which one a page uses, and decoding it to UTF-8.
//!
//! The order follows the HTML standard's sniffing: a byte-order mark wins,
//! then the HTTP `Content-Type` charset, then a `<meta charset>` declaration
//! in the first 4 KiB, then valid UTF-8 as is, and last a statistical guess
//! (chardetng, the detector Firefox uses). One departure: a page whose meta
//! declares a legacy encoding but whose non-ASCII bytes are all valid UTF-8
//! is read as UTF-8. Such pages were served or re-saved as UTF-8 with a stale
//! declaration (the HTTP header, lost in the crawl, said UTF-8); text in a
//! legacy encoding with non-ASCII characters is practically never valid UTF-8.

use encoding_rs::Encoding;
use regex::bytes::Regex;
use std::sync::OnceLock;

/// A page decoded to UTF-8, with the encoding used and why it was chosen.
#[derive(Debug, Clone)]
pub struct Decoded {
    /// The decoded text.
    pub text: String,
    /// The encoding's WHATWG name, e.g. `windows-1252`.
    pub encoding: &'static str,
    /// Why: `bom`, `http-header`, `meta`, `utf-8`, `utf-8-over-meta` (valid UTF-8 beat a
    /// meta declaration) or `detected`.
    pub basis: &'static str,
    /// Whether malformed bytes were replaced.
    pub had_errors: bool,
}

fn meta_charset() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"(?i-u)<meta[^>]{0,512}?charset\s*=\s*["']?\s*([a-z0-9_:.\-]{1,40})"#)
            .expect("static regex")
    })
}

/// Decodes page bytes, honouring `http_charset` when the HTTP header gave one.
pub fn decode_page(bytes: &[u8], http_charset: Option<&str>) -> Decoded {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return finish(enc, &bytes[bom_len..], "bom");
    }
    if let Some(enc) = http_charset.and_then(|c| Encoding::for_label(c.trim().as_bytes())) {
        return finish(enc, bytes, "http-header");
    }
    let head = &bytes[..bytes.len().min(4096)];
    if let Some(enc) = meta_charset()
        .captures(head)
        .and_then(|c| Encoding::for_label(&c[1]))
    {
        // A page that declares UTF-16 in ASCII-compatible markup is lying (WHATWG).
        let enc = if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
            encoding_rs::UTF_8
        } else {
            enc
        };
        if enc != encoding_rs::UTF_8 && !bytes.is_ascii() && std::str::from_utf8(bytes).is_ok() {
            return finish(encoding_rs::UTF_8, bytes, "utf-8-over-meta");
        }
        return finish(enc, bytes, "meta");
    }
    if std::str::from_utf8(bytes).is_ok() {
        return finish(encoding_rs::UTF_8, bytes, "utf-8");
    }
    let mut det = chardetng::EncodingDetector::new();
    det.feed(bytes, true);
    finish(det.guess(None, true), bytes, "detected")
}

fn finish(enc: &'static Encoding, bytes: &[u8], basis: &'static str) -> Decoded {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    Decoded {
        text: text.into_owned(),
        encoding: enc.name(),
        basis,
        had_errors,
    }
}

/// Whether bytes look like binary data rather than text in any encoding.
///
/// NUL and other C0 control bytes (bar tab, newlines, form feed and escape)
/// are rare in text of any single-byte or UTF-8 encoding; more than 1% of
/// the first 4 KiB means binary. UTF-16 text (which has NULs) is recognised
/// by its byte-order mark first.
pub(crate) fn looks_binary(bytes: &[u8]) -> bool {
    if Encoding::for_bom(bytes).is_some() {
        return false;
    }
    let head = &bytes[..bytes.len().min(4096)];
    let ctrl = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    ctrl * 100 > head.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_charset_beats_meta() {
        let page = b"<meta charset=utf-8><p>caf\xe9</p>";
        let d = decode_page(page, Some("iso-8859-1"));
        assert_eq!(d.basis, "http-header");
        assert!(d.text.contains("café"));
    }

    #[test]
    fn meta_charset_is_honoured() {
        let page = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\"></head><p>\xcf\xf0\xe8\xe2\xe5\xf2</p>";
        let d = decode_page(page, None);
        assert_eq!(d.basis, "meta");
        assert_eq!(d.encoding, "windows-1251");
        assert!(d.text.contains("Привет"));
    }

    #[test]
    fn valid_utf8_beats_a_stale_legacy_declaration() {
        let page =
            "<html><head><meta charset=gb2312><title>人工智能迈上新台阶</title></head></html>";
        let d = decode_page(page.as_bytes(), None);
        assert_eq!(d.basis, "utf-8-over-meta");
        assert!(d.text.contains("人工智能"), "{}", d.text);
        // Pure ASCII keeps the declared encoding (a 7-bit encoding such as ISO-2022-JP needs it).
        let ascii = b"<meta charset=iso-2022-jp><p>\x1b$B$3$s$K$A$O\x1b(B</p>";
        let d = decode_page(ascii, None);
        assert_eq!(d.basis, "meta");
        assert_eq!(d.encoding, "ISO-2022-JP");
        assert!(d.text.contains("こんにちは"), "{}", d.text);
    }

    #[test]
    fn undeclared_legacy_bytes_are_detected() {
        let page = "Il était une fois une forêt où vivaient des élèves très âgés."
            .chars()
            .map(|c| c as u32 as u8)
            .collect::<Vec<u8>>();
        let d = decode_page(&page, None);
        assert_eq!(d.basis, "detected");
        assert!(d.text.contains("forêt"), "{}", d.text);
    }

    #[test]
    fn binary_is_recognised() {
        let junk: Vec<u8> = (0..2048u32).map(|i| (i * 7 % 256) as u8).collect();
        assert!(looks_binary(&junk));
        assert!(!looks_binary(b"plain text\n\twith tabs"));
    }
}
