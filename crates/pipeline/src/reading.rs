//! Reading a store's analysis: whole, or only what changed since an earlier reading.
//!
//! Ingest keeps everything an analysis needs in the store: articles,
//! passages, each article's claims, and each story with what the provenance
//! stage found in it (`crate::placing`). A [`Reading`] assembles those into a
//! [`Report`] without computing anything but the echo groups (linear in the
//! passages). Articles and passages are only ever appended and every story
//! update carries a new story revision, so [`Reading::refreshed`] reads only
//! the articles, passages and stories past the revision it holds and patches
//! a copy of the previous report: what a server does when an ingest runs
//! beside it.
//!
//! Articles an ingest has stored but not yet placed (it places them after
//! its last batch; or it was killed before) are read without a story until
//! they are placed. A store that keeps no stories at all (made before they
//! were kept) is clustered here; its next ingest places every article.

use std::collections::{BTreeMap, HashMap};

use echotrace_model::Report;
use echotrace_reuse::Aliases;
use echotrace_store::Store;

use crate::placing::StoredStory;
use crate::{Result, Silent};

/// A store's analysis as read at one revision.
#[derive(Debug, Clone)]
pub struct Reading {
    /// The analysis.
    pub report: Report,
    /// The store revision it reflects (see `Store::revision`).
    pub revision: (i64, i64, i64),
    /// Each story's stored record, by its id number; empty when the stories were clustered at read time.
    records: BTreeMap<u32, StoredStory>,
}

impl Reading {
    /// The reading of nothing, before any revision: refreshing it reads the whole store.
    pub fn empty() -> Reading {
        Reading {
            report: Report::new(),
            revision: (-1, -1, -1),
            records: BTreeMap::new(),
        }
    }

    /// Reads the whole store.
    pub fn whole(store: &Store, aliases: &Aliases) -> Result<Reading> {
        let revision = store.revision()?;
        let mut report = Report::new();
        report.articles = store.articles()?;
        report.passages = store.passages()?;
        let known = store.claims()?;
        if !report.articles.is_empty() && store.storied_count()? == 0 {
            crate::finish_with(&mut report, aliases, &known);
            return Ok(Reading {
                report,
                revision,
                records: BTreeMap::new(),
            });
        }
        crate::group_stored(&mut report);
        crate::append_claims_taking(&mut report, 0, aliases, known, &Silent);
        let mut records = BTreeMap::new();
        for row in store.stories_since(-1)? {
            if let Some(json) = row.json {
                records.insert(row.id, StoredStory::decode(row.id, &json)?);
            }
        }
        let mut reading = Reading {
            report,
            revision,
            records,
        };
        let all: Vec<u32> = reading.records.keys().copied().collect();
        reading.apply_members(&all);
        reading.flatten();
        Ok(reading)
    }

    /// The store's analysis now: this reading patched with what was stored since (or the whole store, where it cannot be patched).
    pub fn refreshed(&self, store: &Store, aliases: &Aliases) -> Result<Reading> {
        let revision = store.revision()?;
        if revision == self.revision {
            return Ok(self.clone());
        }
        let clustered_here = self.records.is_empty() && !self.report.stories.is_empty();
        if clustered_here || revision.0 < self.revision.0 {
            return Reading::whole(store, aliases);
        }
        let mut next = Reading {
            report: self.report.clone(),
            revision,
            records: self.records.clone(),
        };
        let report = &mut next.report;
        let from = report.articles.len();
        report
            .articles
            .extend(store.articles_after(self.revision.0)?);
        let known = store.claims_after(self.revision.0)?;
        crate::append_claims_taking(report, from, aliases, known, &Silent);
        let new_passages = store.passages_after(self.revision.1)?;
        if !new_passages.is_empty() {
            report.passages.extend(new_passages);
            for p in &mut report.passages {
                p.group = None;
            }
            report.groups.clear();
            crate::group_stored(report);
        }
        let mut changed = Vec::new();
        for row in store.stories_since(self.revision.2)? {
            match row.json {
                Some(json) => {
                    next.records
                        .insert(row.id, StoredStory::decode(row.id, &json)?);
                    changed.push(row.id);
                }
                None => {
                    next.records.remove(&row.id);
                }
            }
        }
        next.apply_members(&changed);
        next.flatten();
        Ok(next)
    }

    /// Sets on each member of these stories what the provenance stage found for it (its date, its shares).
    fn apply_members(&mut self, stories: &[u32]) {
        let index: HashMap<String, usize> = self.report.article_positions();
        for id in stories {
            let Some(record) = self.records.get(id) else {
                continue;
            };
            for m in &record.members {
                if let Some(&i) = index.get(&m.article) {
                    self.report.articles[i].published = m.published.clone();
                    self.report.articles[i].shares = m.shares;
                }
            }
        }
    }

    /// Lays the stories and what was found in them out in the report, ordered as the stories stage orders them (earliest first; undated last).
    fn flatten(&mut self) {
        let day = |s: &StoredStory| s.story.first_seen.and_then(|d| d.date());
        let mut order: Vec<(&u32, &StoredStory)> = self.records.iter().collect();
        order.sort_by_key(|(id, s)| (day(s).is_none(), day(s), **id));
        let r = &mut self.report;
        r.stories.clear();
        r.sources.clear();
        r.edges.clear();
        r.timeline.clear();
        r.additions.clear();
        r.divergences.clear();
        for (_, kept) in order {
            r.stories.push(kept.story.clone());
            r.sources.extend(kept.sources.iter().cloned());
            r.edges.extend(kept.edges.iter().cloned());
            r.timeline.extend(kept.timeline.iter().cloned());
            r.additions.extend(kept.additions.iter().cloned());
            r.divergences.extend(kept.divergences.iter().cloned());
        }
    }
}
