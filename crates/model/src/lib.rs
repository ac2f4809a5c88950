//! The data model shared by every stage of the echotrace pipeline.
//!
//! Stages pass typed values downstream: `ingest` yields [`RawDocument`]s,
//! `extract` turns each into an [`Article`], later stages add passages,
//! stories and claims, and writers serialise the final [`Report`]. The JSON
//! shape of these types is the report schema `echotrace/2` (docs/DESIGN.md,
//! section 3): field names here are a public contract.

use serde::{Deserialize, Serialize};

mod date;
pub use date::{DateValue, DateValueError};

/// The report schema identifier written into every JSON report.
pub const SCHEMA: &str = "echotrace/2";

/// Where a document came from: the file, and inside it the record or line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// Path of the input file as given on the command line (`-` for stdin).
    pub path: String,
    /// URL of the page, when the container recorded one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// WARC-Record-ID of the record, for WARC input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warc_record: Option<String>,
    /// 1-based line number, for JSONL input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Byte offset of the record in the (compressed) file, for WARC input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// When the crawler fetched the page (WARC-Date or `fetched_at`), verbatim.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fetched_at: Option<String>,
    /// The character encoding the bytes were decoded with, e.g. `UTF-8`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// How that encoding was chosen: `http-header`, `meta`, `bom`, `detected`, `utf-8` or
    /// `utf-8-over-meta` (valid UTF-8 read as such though the meta declared another encoding).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding_basis: Option<String>,
}

impl Origin {
    /// A short human label: the path, plus the record, line or offset inside it.
    pub fn label(&self) -> String {
        if let Some(line) = self.line {
            format!("{}:{}", self.path, line)
        } else if let Some(rec) = &self.warc_record {
            format!("{} record {}", self.path, rec)
        } else if let Some(off) = self.offset {
            format!("{} @byte {}", self.path, off)
        } else {
            self.path.clone()
        }
    }
}

/// What kind of markup a raw document's text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContentKind {
    /// An HTML page.
    Html,
    /// Plain text, typically a browser's text rendering of a page.
    Text,
}

/// One page as read from the input, decoded to UTF-8 but not yet extracted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawDocument {
    /// Where the page came from.
    pub origin: Origin,
    /// Whether `content` is HTML or plain text.
    pub kind: ContentKind,
    /// The decoded page.
    pub content: String,
}

/// How finely a date is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// Year, month, day, hour and minute.
    Minute,
    /// A calendar day.
    Day,
    /// A week (the value is its first day).
    Week,
    /// A calendar month.
    Month,
    /// A year.
    Year,
}

/// Why a date is believed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateBasis {
    /// The page states the full date.
    Explicit,
    /// The page gives a partial or relative date ("on May 17", "on Monday").
    Relative,
    /// Derived from other evidence (another article of the story, say).
    Inferred,
}

/// A publication date with its precision, basis and the text it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Published {
    /// ISO 8601 (`2023-02-13T13:25`, `2023-02-13`); an unknown year is `XXXX` (EDTF).
    pub value: DateValue,
    /// How finely `value` is known.
    pub precision: Precision,
    /// Why it is believed.
    pub basis: DateBasis,
    /// The span of page text or markup the date was read from.
    pub evidence: String,
}

/// The share of an article's body by origin; filled by the provenance stage.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Shares {
    /// Fraction quoted from a source.
    pub quoted: f64,
    /// Fraction reused from another article.
    pub reused: f64,
    /// Fraction that is the outlet's own.
    pub own: f64,
}

/// A clean article: main text and metadata of one page.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Stable identifier inside one report (`a0`, `a1`, ...).
    pub id: String,
    /// Where the page came from.
    pub origin: Origin,
    /// The publishing outlet as the page names it.
    pub outlet: Option<String>,
    /// The headline.
    pub title: Option<String>,
    /// Author(s) as credited.
    pub byline: Option<String>,
    /// ISO 639-1 code of the body's language (`und` when unknown).
    pub language: String,
    /// When the article was published, with evidence; `null` when unknown.
    pub published: Option<Published>,
    /// Relative date mentions ("on Monday") that later stages can resolve.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub date_hints: Vec<String>,
    /// Agencies or outlets the article credits as its source.
    pub credited_sources: Vec<String>,
    /// Who translated the article, when credited.
    pub translated_by: Option<String>,
    /// Topic tags the page lists.
    pub tags: Vec<String>,
    /// The article text, paragraphs separated by a blank line.
    pub body: String,
    /// Characters of page text removed as boilerplate.
    pub removed_chars: usize,
    /// Origin shares of the body; `null` until the provenance stage runs.
    pub shares: Option<Shares>,
}

impl Article {
    /// A key that sorts articles earliest first: explicit dates, then partial ones (`XXXX-05-17`), then undated.
    pub fn chronology(&self) -> (u8, Option<DateValue>) {
        match &self.published {
            Some(p) if p.value.year().is_some() => (0, Some(p.value)),
            Some(p) => (1, Some(p.value)),
            None => (2, None),
        }
    }
}

/// A half-open byte range in one article's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// The article's id.
    pub article: String,
    /// First byte (UTF-8, inclusive).
    pub start: usize,
    /// End byte (exclusive).
    pub end: usize,
}

/// How a reused passage relates to its counterpart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PassageKind {
    /// The same normalised words.
    Verbatim,
    /// A few words inserted, dropped or changed.
    Near,
    /// The same content in other words: another translation, or a re-wording.
    Translation,
}

impl PassageKind {
    /// The kind's name, as serialized (`verbatim`, `near`, `translation`).
    pub fn as_str(self) -> &'static str {
        match self {
            PassageKind::Verbatim => "verbatim",
            PassageKind::Near => "near",
            PassageKind::Translation => "translation",
        }
    }
}

/// An article's reuse signature: the distinct hashes of its word n-grams, the key of candidate search.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReuseSignature {
    /// The article's id.
    pub article: String,
    /// Its distinct n-gram hashes, sorted.
    pub ngrams: Vec<u64>,
}

/// Two articles that may share a passage, found by the n-grams they share; the input of alignment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CandidatePair {
    /// The earlier article's id.
    pub a: String,
    /// The later article's id.
    pub b: String,
    /// Posted n-grams the two share (after the document-frequency cut-off).
    pub shared: u32,
}

/// A passage of one article aligned with a passage of another.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Passage {
    /// Stable identifier inside one report (`p0`, `p1`, ...).
    pub id: String,
    /// How the two sides relate.
    pub kind: PassageKind,
    /// The side in the article that comes first in the report.
    pub a: Span,
    /// The side in the other article.
    pub b: Span,
    /// Token identity of the two sides (1.0 for verbatim).
    pub score: f64,
    /// The group of passages that are one text echoed by three or more articles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// One text carried by three or more articles: a wire story, a statement
/// quoted everywhere. Each member was aligned against the group's
/// representative (or a member it copies), not against every other member,
/// so a text echoed by k articles gives k passages, not k²/2.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EchoGroup {
    /// Stable identifier inside one report (`g0`, `g1`, ...).
    pub id: String,
    /// The span of the earliest-added article that carries the text.
    pub representative: Span,
    /// Every article's span of the text, the representative's first, then in collection order.
    pub members: Vec<Span>,
    /// The passages that tie the members to the group.
    pub passages: Vec<String>,
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; the page was processed.
    Warning,
    /// The page or record was skipped.
    Error,
}

/// A problem with one input, reported without stopping the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// The file (and record, line or byte offset) concerned.
    pub origin: String,
    /// How serious it is.
    pub severity: Severity,
    /// What went wrong and, where it helps, what to do.
    pub message: String,
}

impl Diagnostic {
    /// An error about `origin`.
    pub fn error(origin: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            origin: origin.into(),
            severity: Severity::Error,
            message: message.into(),
        }
    }

    /// A warning about `origin`.
    pub fn warning(origin: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            origin: origin.into(),
            severity: Severity::Warning,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{sev}: {}: {}", self.origin, self.message)
    }
}

/// Orders stories most significant first: most independent outlets, then most articles, then the most recent, then by id.
pub fn by_significance(a: &Story, b: &Story) -> std::cmp::Ordering {
    b.independent_outlets
        .cmp(&a.independent_outlets)
        .then(b.articles.len().cmp(&a.articles.len()))
        .then(b.first_seen.cmp(&a.first_seen))
        .then(a.id.cmp(&b.id))
}

/// A set of articles that tell the same story.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Story {
    /// `s<n>`, after its earliest-added article `a<n>`: stable while the collection grows.
    pub id: String,
    /// A short human label: the most telling title or key terms.
    pub label: String,
    /// Member article ids, earliest first.
    pub articles: Vec<String>,
    /// The earliest date any member or its source is known by (ISO 8601).
    pub first_seen: Option<DateValue>,
    /// Stories this one recalls or quotes without being about them.
    pub cites: Vec<String>,
    /// Key terms shared by the members (normalised), most telling first.
    #[serde(default)]
    pub terms: Vec<String>,
    /// Independent confirmations: outlets, counting those that republish one another as one.
    #[serde(default)]
    pub independent_outlets: usize,
}

/// An assertion in an echoing article that matches no upstream passage and carries no attribution.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Addition {
    /// The article's id.
    pub article: String,
    /// Its story.
    pub story: String,
    /// First byte of the sentence.
    pub start: usize,
    /// End byte of the sentence.
    pub end: usize,
    /// The sentence.
    pub text: String,
}

/// A source of a story: an article in the corpus, or a latent (unseen) statement.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Source {
    /// Stable identifier inside one report (`src0`, ...).
    pub id: String,
    /// True when the source is not in the corpus and was inferred.
    pub latent: bool,
    /// Who made the statement, as most attributions name it.
    pub speaker: Option<String>,
    /// When it was made, with basis and evidence.
    pub date: Option<Published>,
    /// The text as the aligned quotations agree on it.
    pub text: String,
    /// The story it belongs to.
    pub story: String,
    /// For a seen source, the article that carries it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<String>,
    /// Passages and quotes the inference rests on.
    #[serde(default)]
    pub evidence: Vec<String>,
}

/// Whether a quotation reproduces the words or reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuoteKind {
    /// Words inside quotation marks.
    #[default]
    Direct,
    /// Reported speech: "X said that ...", "according to X, ...".
    Indirect,
}

/// An attributed quotation in one article; offsets are into that article's body.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    /// `q<n>.<k>`: the k-th quote of article `a<n>`, stable while the collection grows.
    pub id: String,
    /// The article's id.
    pub article: String,
    /// Whether the words are quoted or reported.
    pub kind: QuoteKind,
    /// First byte of the quoted content.
    pub start: usize,
    /// End byte of the quoted content.
    pub end: usize,
    /// The quoted content.
    pub text: String,
    /// The speaker, resolved to the fullest name the article gives.
    pub speaker: Option<String>,
    /// The speaker mention as written, with its byte range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker_span: Option<(usize, usize)>,
    /// The attribution cue ("said", "according to"), as written.
    pub cue: Option<String>,
    /// The cue's byte range.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cue_span: Option<(usize, usize)>,
    /// The source this quote is attributed to, once provenance has run.
    pub source: Option<String>,
}

/// What kind of thing an entity mention names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntityKind {
    /// A person.
    Person,
    /// An organisation, agency, group or outlet.
    Organization,
    /// A country, city, region or site.
    Place,
}

/// A named-entity mention in one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// The article's id.
    pub article: String,
    /// Person, organisation or place.
    pub kind: EntityKind,
    /// The mention as written.
    pub text: String,
    /// The canonical key shared by every spelling of the entity.
    pub key: String,
    /// First byte of the mention.
    pub start: usize,
    /// End byte of the mention.
    pub end: usize,
}

/// A numeric claim: a figure, what it counts, and how it is qualified.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// `c<n>.<k>`: the k-th numeric claim of article `a<n>`, stable while the collection grows.
    pub id: String,
    /// The article's id.
    pub article: String,
    /// The story of that article, once stories have run.
    pub story: Option<String>,
    /// Always `number` for now.
    pub kind: String,
    /// The figure (the low end of a range).
    pub value: f64,
    /// The high end of a range ("aged 20 to 25").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_max: Option<f64>,
    /// The unit when there is one (`percent`, `USD`, `km`, `years`...).
    pub unit: Option<String>,
    /// What the figure counts ("militants", "countries"), normalised to a head noun.
    pub counts: Option<String>,
    /// "up to", "about", "at least", "some", "more than"...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualifier: Option<String>,
    /// The claim's text as written (the figure and its noun phrase).
    pub text: String,
    /// The sentence the claim sits in.
    #[serde(default)]
    pub context: String,
    /// First byte of `text`.
    pub start: usize,
    /// End byte of `text`.
    pub end: usize,
}

/// A disagreement between articles (or stories) a reader should see.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Divergence {
    /// `d<n>.<k>`: the k-th divergence of story `s<n>` (`dx<n>.<k>` across linked stories, after the first claim's article).
    pub id: String,
    /// The story, when the divergence is inside one.
    pub story: Option<String>,
    /// `same_figure_different_things`, `different_figures`, `different_dates` or `different_speakers`.
    pub kind: String,
    /// The claim or quote ids involved.
    pub claims: Vec<String>,
    /// One sentence a reader understands.
    pub explanation: String,
}

/// How one node of the provenance graph relates to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EdgeKind {
    /// `to` repeats text that comes from `from`.
    Echoes,
    /// `to` recalls or quotes `from` without being about it.
    Cites,
    /// `to` is a translation or re-wording of `from`.
    Translates,
}

/// An edge of the provenance graph: source or article to article or story.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    /// Source, article or story id upstream.
    pub from: String,
    /// Article or story id downstream.
    pub to: String,
    /// How they relate.
    pub kind: EdgeKind,
    /// Passage (or quote) ids that show the relation.
    pub evidence: Vec<String>,
    /// Whether the direction is established; false when dates and completeness cannot decide it.
    #[serde(default = "yes")]
    pub directed: bool,
    /// Why the direction was chosen, or why it could not be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Whether `to` republishes `from`'s own text (beyond what both quote): the two count as one confirmation.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub copy: bool,
}

fn yes() -> bool {
    true
}

/// One dated event of a story's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimelineEvent {
    /// The story.
    pub story: String,
    /// ISO 8601 date or date-time (`XXXX` year when unknown).
    pub date: DateValue,
    /// Explicit, relative or inferred.
    pub basis: DateBasis,
    /// The article or source id.
    pub node: String,
    /// What happened, in a few words.
    pub what: String,
}

/// The full analysis of a corpus, as written to `report.json`.
///
/// Stages not yet implemented leave their lists empty; they never invent data.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Extracted articles, in input order.
    pub articles: Vec<Article>,
    /// Aligned reused passages (reuse stage).
    pub passages: Vec<Passage>,
    /// Texts echoed by three or more articles (reuse stage).
    #[serde(default)]
    pub groups: Vec<EchoGroup>,
    /// Stories (stories stage).
    pub stories: Vec<Story>,
    /// Seen and latent sources (provenance stage).
    pub sources: Vec<Source>,
    /// Attributed quotes (claims stage).
    pub quotes: Vec<Quote>,
    /// Numeric claims (claims stage).
    pub claims: Vec<Claim>,
    /// Named-entity mentions (claims stage).
    #[serde(default)]
    pub entities: Vec<Entity>,
    /// Divergences between outlets (provenance stage, from the claims of each story's articles).
    pub divergences: Vec<Divergence>,
    /// Provenance edges (provenance stage).
    pub edges: Vec<Edge>,
    /// Dated events per story, earliest first (provenance stage).
    #[serde(default)]
    pub timeline: Vec<TimelineEvent>,
    /// Unsourced additions in echoing articles (provenance stage).
    #[serde(default)]
    pub additions: Vec<Addition>,
    /// Problems met while reading and extracting.
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// The position of each article in `articles`, by id.
    pub fn article_positions(&self) -> std::collections::HashMap<String, usize> {
        self.articles
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.clone(), i))
            .collect()
    }

    /// An empty report carrying the current schema id.
    pub fn new() -> Self {
        Report {
            schema: SCHEMA.to_string(),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_serialises_with_schema_and_all_sections() {
        let r = Report::new();
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["schema"], "echotrace/2");
        for key in [
            "articles",
            "passages",
            "stories",
            "sources",
            "quotes",
            "claims",
            "divergences",
            "edges",
            "diagnostics",
        ] {
            assert!(v[key].is_array(), "missing {key}");
        }
    }

    #[test]
    fn published_uses_lowercase_enums() {
        let p = Published {
            value: "2023-02-13T13:25".parse().unwrap(),
            precision: Precision::Minute,
            basis: DateBasis::Explicit,
            evidence: "13 Feb 2023 13:25".into(),
        };
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["precision"], "minute");
        assert_eq!(v["basis"], "explicit");
    }

    #[test]
    fn origin_label_names_line_or_record() {
        let mut o = Origin {
            path: "a.jsonl".into(),
            ..Default::default()
        };
        assert_eq!(o.label(), "a.jsonl");
        o.line = Some(3);
        assert_eq!(o.label(), "a.jsonl:3");
    }
}
