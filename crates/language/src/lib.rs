//! Language data every stage shares: where sentences end and what month a word names.
//!
//! One splitter and one month table for the whole pipeline, so that the
//! stages agree on sentences and dates in every language they meet.

pub mod calendar;
pub mod sentences;

pub use calendar::month_number;
pub use sentences::sentences;
