//! Provenance: where each story's text came from, and what each outlet did with it.
//!
//! Runs after stories, quotes and claims. Per story it infers a source: the
//! earliest article when the text is simply republished, or a *latent*
//! source (a statement nobody in the corpus published in full) when the
//! shared text is quoted and attributed to a speaker who is not one of the
//! outlets. It draws the provenance graph (`echoes`, `translates`, `cites`
//! edges with their evidence passages), a timeline, dates inferred through
//! the story, each article's shares (quoted, reused, own), unsourced
//! additions, and the divergences a reader should see.
//!
//! Stages: [`context`] indexes the report; [`source`] infers sources and
//! dates; [`graph`] draws edges, independence and the timeline; [`shares`]
//! measures what is quoted, reused and own; [`divergence`] finds
//! disagreements.

pub mod context;
pub mod divergence;
pub mod graph;
pub mod relative;
pub mod shares;
pub mod source;
pub mod speaker;

use echotrace_model::Report;
use echotrace_reuse::Aliases;

/// Fills sources, edges, timeline, inferred dates, shares, additions and
/// divergences of a report whose articles, passages, stories, quotes and
/// claims are already there.
pub fn run(report: &mut Report, aliases: &Aliases) {
    let ctx = context::Context::new(report);
    let inferred = source::infer(report, &ctx);
    source::apply(report, &inferred);
    graph::draw(report, &ctx, &inferred);
    shares::measure(report, &ctx);
    report.divergences = divergence::find(report, &ctx, &inferred, aliases);
}
