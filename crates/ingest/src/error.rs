//! Why a page or a WARC record could not be read; each becomes a diagnostic naming the file and byte.

/// A page or record that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The operating system refused the read.
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    /// A page over the size limit.
    #[error("larger than the {max}-byte page limit; skipped (raise it with --max-page-bytes)")]
    PageTooLarge {
        /// The limit in bytes.
        max: usize,
    },
    /// A WARC record over the size limit.
    #[error("record of {len} bytes is larger than the {max}-byte page limit; skipped")]
    RecordTooLarge {
        /// The record's Content-Length.
        len: u64,
        /// The limit in bytes.
        max: usize,
    },
    /// A WARC header line longer than the header limit.
    #[error("header line too long")]
    HeaderLineTooLong,
    /// A WARC header block over the header limit.
    #[error("malformed WARC record: header block over 64 KiB")]
    HeaderTooLong,
    /// Something other than a version line where a record should start.
    #[error("malformed WARC record: expected a 'WARC/1.x' version line, found {0:?}")]
    NotAVersionLine(String),
    /// The file ends inside a record's header.
    #[error("truncated WARC record: the file ends inside the header")]
    TruncatedHeader,
    /// A record without a usable Content-Length.
    #[error("malformed WARC record: no valid Content-Length")]
    NoContentLength,
    /// The file ends before the record's Content-Length is reached.
    #[error("truncated WARC record: Content-Length says {len} bytes, only {present} present")]
    TruncatedBody {
        /// The record's Content-Length.
        len: u64,
        /// Bytes present.
        present: u64,
    },
    /// An HTTP response record whose header is cut short.
    #[error("truncated HTTP response header in WARC record")]
    TruncatedHttpHeader,
    /// An HTTP response record whose header does not parse.
    #[error("malformed HTTP response header: {0}")]
    BadHttpHeader(#[from] httparse::Error),
    /// A chunked HTTP body that does not decode.
    #[error("malformed chunked transfer encoding")]
    BadChunking,
    /// A compressed HTTP body that does not decompress.
    #[error("bad {encoding} content encoding: {source}")]
    BadEncoding {
        /// The content encoding.
        encoding: &'static str,
        /// What the decoder said.
        source: std::io::Error,
    },
    /// An HTTP content encoding this build cannot read.
    #[error("unsupported content encoding {0:?}; record skipped")]
    UnsupportedEncoding(String),
}
