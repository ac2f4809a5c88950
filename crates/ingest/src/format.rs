//! Container formats: which reader a file needs, from its name or its first bytes.

use echotrace_model::ContentKind;

/// The container a stream holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One HTML page.
    Html,
    /// One plain-text page (a rendered page's text dump).
    Text,
    /// WARC records, each gzip-compressed on its own when `gzip`.
    Warc {
        /// Whether each record is its own gzip member (Common Crawl style).
        gzip: bool,
    },
    /// One JSON object per line.
    Jsonl,
    /// A single gzip-compressed file of another format.
    Gzip,
    /// Unknown from the name: decide from the bytes.
    Sniff,
    /// Not a page (an image, a script); skipped.
    Skip,
}

impl Format {
    /// The format a file name implies.
    pub fn from_name(name: &str) -> Format {
        let lower = name.to_ascii_lowercase();
        let file = lower.rsplit(['/', '\\']).next().unwrap_or(&lower);
        if file.ends_with(".warc.gz") || file.ends_with(".arc.gz") {
            return Format::Warc { gzip: true };
        }
        if file.ends_with(".warc") {
            return Format::Warc { gzip: false };
        }
        if file.ends_with(".gz") {
            return Format::Gzip;
        }
        match file.rsplit_once('.').map(|(_, e)| e) {
            Some("html" | "htm" | "xhtml" | "shtml") => Format::Html,
            Some("txt" | "text") => Format::Text,
            Some("jsonl" | "ndjson") => Format::Jsonl,
            Some(
                "png" | "jpg" | "jpeg" | "gif" | "webp" | "svg" | "ico" | "css" | "js" | "pdf"
                | "zip" | "tar" | "mp3" | "mp4" | "woff" | "woff2" | "ttf" | "exe" | "so" | "o"
                | "rs" | "toml" | "lock" | "md",
            ) => Format::Skip,
            _ => Format::Sniff,
        }
    }

    /// The format the first bytes of a stream imply.
    pub fn sniff(head: &[u8]) -> Format {
        if head.starts_with(&[0x1f, 0x8b]) {
            return Format::Gzip;
        }
        let trimmed = trim_ascii_start(head);
        if trimmed.starts_with(b"WARC/") {
            return Format::Warc { gzip: false };
        }
        if trimmed.starts_with(b"{") {
            return Format::Jsonl;
        }
        Format::Sniff
    }
}

fn trim_ascii_start(b: &[u8]) -> &[u8] {
    let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    let n = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    &b[n..]
}

/// Whether decoded text is HTML markup or plain text.
pub(crate) fn sniff_kind(text: &str) -> ContentKind {
    let head: String = text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    let markup = head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.starts_with("<?xml")
        || head.starts_with("<head")
        || head.starts_with("<body")
        || head.starts_with("<!--")
        || (head.starts_with('<') && (head.contains("<div") || head.contains("<p")));
    if markup {
        ContentKind::Html
    } else {
        ContentKind::Text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_formats() {
        assert_eq!(
            Format::from_name("a/CC-MAIN-1.warc.gz"),
            Format::Warc { gzip: true }
        );
        assert_eq!(Format::from_name("x.WARC"), Format::Warc { gzip: false });
        assert_eq!(Format::from_name("page.html.gz"), Format::Gzip);
        assert_eq!(Format::from_name("p.htm"), Format::Html);
        assert_eq!(Format::from_name("seed.txt"), Format::Text);
        assert_eq!(Format::from_name("feed.jsonl"), Format::Jsonl);
        assert_eq!(Format::from_name("logo.png"), Format::Skip);
        assert_eq!(Format::from_name("README"), Format::Sniff);
    }

    #[test]
    fn bytes_sniff_containers_and_kinds() {
        assert_eq!(Format::sniff(b"\x1f\x8b\x08"), Format::Gzip);
        assert_eq!(Format::sniff(b"WARC/1.0\r\n"), Format::Warc { gzip: false });
        assert_eq!(Format::sniff(b"  {\"url\":1}"), Format::Jsonl);
        assert_eq!(sniff_kind("<!DOCTYPE html><p>x"), ContentKind::Html);
        assert_eq!(sniff_kind("Headline\n\nBody text."), ContentKind::Text);
    }
}
