//! Placing new articles in the stories of a growing collection.
//!
//! After an ingest has stored and aligned its pages, the articles not yet in
//! a story are placed, [`STORY_CHUNK`] at a time, in one transaction each:
//! 1. their terms are counted and the store's term statistics updated
//!    (document frequency per term; the articles carrying a rare term);
//! 2. the stored articles each new one may share a story with are found
//!    without reading the collection: those it shares text with (its stored
//!    passages) and its [`TERM_NEIGHBOURS`] best by rare shared terms;
//! 3. the stories of those articles are *touched*: their members and the new
//!    articles form a neighbourhood, which is clustered again exactly as
//!    `analyze` clusters a corpus (`echotrace_stories::build_in`), weighed
//!    with the document frequencies of the whole collection;
//! 4. the neighbourhood's stories replace the touched ones; a story keeps the
//!    id of its earliest-added article (`s<rowid>`), a touched story that no
//!    longer exists is marked merged, and each written story carries the new
//!    story revision so readers fetch only what changed.
//!
//! One ingest of a whole corpus (up to [`STORY_CHUNK`] articles) is one
//! neighbourhood holding everything: the stories `analyze` finds. A
//! collection grown in parts differs only where a later article would have
//! tied two stories that neither of its neighbours' stories reaches
//! (tests/collection.rs measures the agreement).

use std::collections::{BTreeSet, HashMap, HashSet};

use echotrace_model::{Article, Passage, Story};
use echotrace_store::{Batch, Store};
use echotrace_stories::{parse_day, term_max_df, StoryParams, TermCounts, TermSpace};

use crate::{Options, Progress};

/// New articles placed per transaction; a corpus up to this size ingested at once gets exactly `analyze`'s stories.
pub const STORY_CHUNK: usize = 20_000;
/// Stored neighbours kept per new article from rare shared terms.
pub const TERM_NEIGHBOURS: usize = 8;
/// A term's carriers are kept while its document frequency is at most this (the largest term cut-off of the stories stage).
const TERM_DOCS_CAP: u32 = 200;

/// What the store keeps of one story: the story as the stories stage labels it.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct StoredStory {
    /// The story: members, label, first date, cites.
    pub story: Story,
}

/// The stories a store keeps, ordered as the stories stage orders them (earliest first; undated last).
pub fn stored_stories(store: &Store) -> Result<Vec<Story>, String> {
    let mut stories = Vec::new();
    for row in store.stories_since(-1)? {
        let Some(json) = row.json else { continue };
        let kept: StoredStory = serde_json::from_str(&json)
            .map_err(|e| format!("store: bad story row s{}: {e}", row.id))?;
        stories.push((row.id, kept.story));
    }
    let day = |s: &Story| s.first_seen.as_deref().and_then(|d| parse_day(d).day());
    stories.sort_by_key(|(id, s)| (day(s).is_none(), day(s), *id));
    Ok(stories.into_iter().map(|x| x.1).collect())
}

/// Places every article not yet in a story (see the module docs); returns the number of stories written.
pub fn update_stories(
    store: &mut Store,
    opts: &Options,
    progress: &dyn Progress,
) -> Result<usize, String> {
    let mut written = 0;
    loop {
        let new_ids = store.unstoried(STORY_CHUNK)?;
        if new_ids.is_empty() {
            return Ok(written);
        }
        progress.start("stories", new_ids.len() as u64);
        let batch = store.batch()?;
        written += place_chunk(&batch, &new_ids, opts)?;
        batch.commit()?;
        progress.set(new_ids.len() as u64);
    }
}

fn number(id: &str) -> u32 {
    id.get(1..).and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// Places one chunk of new articles; returns the number of stories written.
fn place_chunk(batch: &Batch, new_ids: &[u32], opts: &Options) -> Result<usize, String> {
    let revision = batch.story_revision()? + 1;
    let n = batch.storied_count()? + new_ids.len();
    let new_articles = batch.articles(new_ids)?;
    let new_counts = TermSpace::count(&new_articles, &opts.aliases);
    let (df, carriers) = update_terms(batch, new_ids, &new_counts)?;
    let is_new: HashSet<u32> = new_ids.iter().copied().collect();

    // Stored articles each new one may share a story with.
    let mut candidates: BTreeSet<u32> = BTreeSet::new();
    let new_space = TermSpace::weigh(&new_counts, df.clone(), n);
    let max_df = term_max_df(n);
    for vector in &new_space.vectors {
        let mut score: HashMap<u32, f32> = HashMap::new();
        for (t, w) in vector {
            if df.get(t).copied().unwrap_or(0) > max_df {
                continue;
            }
            for &d in carriers.get(t).map(Vec::as_slice).unwrap_or(&[]) {
                *score.entry(d).or_insert(0.0) += w;
            }
        }
        let mut best: Vec<(u32, f32)> = score.into_iter().collect();
        best.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        candidates.extend(best.iter().take(TERM_NEIGHBOURS).map(|x| x.0));
    }
    let touching = batch.passages_touching(new_ids)?;
    for p in &touching {
        candidates.extend([number(&p.a.article), number(&p.b.article)]);
    }
    candidates.retain(|c| !is_new.contains(c));

    // The touched stories and the neighbourhood: new articles and their members.
    let candidates: Vec<u32> = candidates.into_iter().collect();
    let touched: BTreeSet<u32> = batch
        .stories_of(&candidates)?
        .into_values()
        .flatten()
        .collect();
    let touched: Vec<u32> = touched.into_iter().collect();
    let members = batch.members(&touched)?;
    let old_ids: Vec<u32> = members.iter().map(|m| m.0).collect();
    let old_articles = batch.articles(&old_ids)?;
    let old_counts = TermSpace::count(&old_articles, &opts.aliases);
    let mut df = df;
    let unknown: BTreeSet<u64> = old_counts
        .iter()
        .flat_map(TermCounts::terms)
        .filter(|t| !df.contains_key(t))
        .collect();
    for (t, d, _) in batch.story_terms(&unknown.into_iter().collect::<Vec<_>>())? {
        df.insert(t, d);
    }
    // In row-id order, as `analyze` holds them.
    let mut order: Vec<(u32, Article, TermCounts)> = new_ids
        .iter()
        .copied()
        .zip(new_articles)
        .zip(new_counts)
        .chain(old_ids.iter().copied().zip(old_articles).zip(old_counts))
        .map(|((id, a), c)| (id, a, c))
        .collect();
    order.sort_unstable_by_key(|x| x.0);
    let ids: Vec<u32> = order.iter().map(|x| x.0).collect();
    let inside: HashSet<u32> = ids.iter().copied().collect();
    let (articles, counts): (Vec<Article>, Vec<TermCounts>) =
        order.into_iter().map(|(_, a, c)| (a, c)).unzip();
    let space = TermSpace::weigh(&counts, df, n);
    let mut passages = touching;
    passages.extend(batch.passages_touching(&old_ids)?);
    passages.sort_unstable_by_key(|p| number(&p.id));
    passages.dedup_by_key(|p| number(&p.id));
    let (within, across): (Vec<Passage>, Vec<Passage>) = passages.into_iter().partition(|p| {
        inside.contains(&number(&p.a.article)) && inside.contains(&number(&p.b.article))
    });
    let mut stories =
        echotrace_stories::build_in(&articles, &within, &space, &StoryParams::default(), None);
    cite_outside(batch, &mut stories, &articles, &across, &inside)?;

    // Write back: placements, the new stories, the touched ones merged away.
    let mut placed: Vec<(u32, u32)> = Vec::new();
    let before: HashMap<u32, u32> = members.iter().copied().collect();
    let mut kept: HashSet<u32> = HashSet::new();
    for s in &stories {
        let sid = number(&s.id);
        kept.insert(sid);
        for a in &s.articles {
            let a = number(a);
            if before.get(&a) != Some(&sid) {
                placed.push((a, sid));
            }
        }
        let json = serde_json::to_string(&StoredStory { story: s.clone() })
            .map_err(|e| format!("cannot encode story {}: {e}", s.id))?;
        batch.put_story(sid, revision, Some(&json))?;
    }
    for t in touched.iter().filter(|t| !kept.contains(t)) {
        batch.put_story(*t, revision, None)?;
    }
    batch.place(&placed)?;
    debug_assert_eq!(
        ids.len(),
        stories.iter().map(|s| s.articles.len()).sum::<usize>()
    );
    Ok(stories.len())
}

/// The stored articles carrying each rare term.
type Carriers = HashMap<u64, Vec<u32>>;

/// Counts the chunk's terms into the store's statistics; returns the
/// document frequency of every chunk term and the stored carriers of each
/// (before the chunk was added).
fn update_terms(
    batch: &Batch,
    new_ids: &[u32],
    counts: &[TermCounts],
) -> Result<(HashMap<u64, u32>, Carriers), String> {
    let mut chunk: HashMap<u64, Vec<u32>> = HashMap::new();
    for (&id, c) in new_ids.iter().zip(counts) {
        for t in c.terms() {
            chunk.entry(t).or_default().push(id);
        }
    }
    let mut terms: Vec<u64> = chunk.keys().copied().collect();
    terms.sort_unstable();
    let stored: HashMap<u64, (u32, Option<Vec<u32>>)> = batch
        .story_terms(&terms)?
        .into_iter()
        .map(|(t, d, docs)| (t, (d, docs)))
        .collect();
    let mut df = HashMap::with_capacity(terms.len());
    let mut carriers = HashMap::new();
    let mut rows = Vec::with_capacity(terms.len());
    for t in terms {
        let added = &chunk[&t];
        let (old_df, old_docs) = match stored.get(&t) {
            Some((d, docs)) => (*d, docs.clone()),
            None => (0, Some(Vec::new())),
        };
        let total = old_df + added.len() as u32;
        df.insert(t, total);
        let docs = match old_docs {
            Some(mut docs) if total <= TERM_DOCS_CAP => {
                if !docs.is_empty() {
                    carriers.insert(t, docs.clone());
                }
                docs.extend(added);
                Some(docs)
            }
            _ => None,
        };
        rows.push((t, total, docs));
    }
    batch.put_story_terms(&rows)?;
    Ok((df, carriers))
}

/// Adds to each story the stories outside the neighbourhood it shares a passage with and recalls (the later cites the earlier).
fn cite_outside(
    batch: &Batch,
    stories: &mut [Story],
    articles: &[Article],
    across: &[Passage],
    inside: &HashSet<u32>,
) -> Result<(), String> {
    if across.is_empty() {
        return Ok(());
    }
    let story_of: HashMap<String, usize> = stories
        .iter()
        .enumerate()
        .flat_map(|(s, st)| st.articles.iter().map(move |a| (a.clone(), s)))
        .collect();
    let outside: Vec<u32> = across
        .iter()
        .flat_map(|p| [number(&p.a.article), number(&p.b.article)])
        .filter(|a| !inside.contains(a))
        .collect();
    let their_story = batch.stories_of(&outside)?;
    let mut ids: Vec<u32> = their_story.values().flatten().copied().collect();
    ids.sort_unstable();
    ids.dedup();
    let first: HashMap<u32, _> = batch
        .story_json(&ids)?
        .into_iter()
        .map(|(id, json)| {
            let day = serde_json::from_str::<StoredStory>(&json)
                .ok()
                .and_then(|s| s.story.first_seen)
                .and_then(|d| parse_day(&d).day());
            (id, day)
        })
        .collect();
    let body_len: HashMap<&str, usize> = articles
        .iter()
        .map(|a| (a.id.as_str(), a.body.len().max(1)))
        .collect();
    for p in across {
        let (mine, theirs, mine_span, their_span) = if inside.contains(&number(&p.a.article)) {
            (&p.a.article, &p.b.article, &p.a, &p.b)
        } else {
            (&p.b.article, &p.a.article, &p.b, &p.a)
        };
        let (Some(&s), Some(Some(t))) = (story_of.get(mine), their_story.get(&number(theirs)))
        else {
            continue;
        };
        let ours = stories[s]
            .first_seen
            .as_deref()
            .and_then(|d| parse_day(d).day());
        let recalls = match (ours, first.get(t).copied().flatten()) {
            (Some(a), Some(b)) if a != b => a > b,
            // Undated or the same day: the side where the text is the smaller share of its body recalls it.
            _ => {
                let share = (mine_span.end - mine_span.start) as f64
                    / *body_len.get(mine.as_str()).unwrap_or(&1) as f64;
                share <= 0.5 && their_span.end > their_span.start
            }
        };
        let cited = format!("s{t}");
        if recalls && cited != stories[s].id && !stories[s].cites.contains(&cited) {
            stories[s].cites.push(cited);
        }
    }
    Ok(())
}
