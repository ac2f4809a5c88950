//! Placing new articles in the stories of a growing collection, and
//! analysing only the stories that changed.
//!
//! After an ingest has stored and aligned its pages, the articles not yet in
//! a story are placed, [`STORY_CHUNK`] at a time, in one transaction each:
//! 1. their terms are counted and the store's term statistics updated
//!    (document frequency per term; the articles carrying a rare term);
//! 2. the stored articles each new one may share a story with are found
//!    without reading the collection: those it shares text with (its stored
//!    passages) and its [`TERM_NEIGHBOURS`] best by rare shared terms (by
//!    the plain and by the names-and-figures vector);
//! 3. the stories of those articles are *touched*: their members (a large
//!    story: an even sample of [`STORY_SAMPLE`] members plus those the new
//!    articles share text with, kept together as one node that stands for
//!    all its members) and the new articles form a neighbourhood, clustered
//!    as `analyze` clusters a corpus (`echotrace_stories::build_frozen`),
//!    weighed with the document frequencies of the whole collection;
//! 4. a story keeps the id of its earliest-added article (`s<rowid>`); the
//!    members a sample left out follow that article. Only the stories whose
//!    members changed (and those linked to them by a citation) go through
//!    the provenance stage (sources, edges, timeline, shares, divergences),
//!    with the stories they cite and the articles they share text with read
//!    from the store; they are written with a new story revision, so readers
//!    fetch only what changed. A touched story whose id no story carries any
//!    more was merged away, and is marked so.
//!
//! One ingest of a whole corpus (up to [`STORY_CHUNK`] articles) is one
//! neighbourhood holding everything: the stories and provenance `analyze`
//! finds. A collection grown in parts agrees with it as tests/collection.rs
//! and `bench/story_agreement.sh` measure. Not updated when another story
//! changes: an unchanged story's shares and the citations that stories
//! outside the neighbourhood make of it.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use echotrace_model::{
    Addition, Article, Divergence, Edge, Passage, Published, Report, Shares, Source, Story,
    TimelineEvent,
};
use echotrace_store::{Batch, Store};
use echotrace_stories::{term_max_df, DateKey, StoryParams, TermCounts, TermSpace};

use crate::multilingual::Multilingual;
use crate::watching::Watching;
use crate::{Options, PipelineError, Progress, Result};

/// New articles placed per transaction; a corpus up to this size ingested at once gets exactly `analyze`'s stories.
pub const STORY_CHUNK: usize = 20_000;
/// Stored neighbours kept per new article from rare shared terms.
pub const TERM_NEIGHBOURS: usize = 3;
/// A term's carriers are kept while its document frequency is at most this (the largest term cut-off of the stories stage).
const TERM_DOCS_CAP: u32 = 200;

/// What the store keeps of one story: the story and what the provenance stage found in it.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct StoredStory {
    /// The story: members, label, first date, cites, independent outlets.
    pub story: Story,
    /// Its source, seen or latent.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// Provenance edges into its members.
    #[serde(default)]
    pub edges: Vec<Edge>,
    /// Its dated events.
    #[serde(default)]
    pub timeline: Vec<TimelineEvent>,
    /// Unsourced additions in its members.
    #[serde(default)]
    pub additions: Vec<Addition>,
    /// Its divergences, and those across linked stories that start in it.
    #[serde(default)]
    pub divergences: Vec<Divergence>,
    /// What the provenance stage set on each member: its date (inferred through the story) and shares.
    #[serde(default)]
    pub members: Vec<Member>,
}

impl StoredStory {
    /// The story record stored for story `s<id>`.
    pub fn decode(id: u32, json: &str) -> Result<StoredStory> {
        serde_json::from_str(json).map_err(|source| PipelineError::BadStory {
            id: format!("s{id}"),
            source,
        })
    }
}

/// What the provenance stage set on one article.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Member {
    /// The article's id.
    pub article: String,
    /// Its publication date after inference.
    pub published: Option<Published>,
    /// What of it is quoted, reused and its own.
    pub shares: Option<Shares>,
    /// Its outlet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outlet: Option<String>,
    /// When it was crawled (seconds since 1970: its fetch time, else when it was stored).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen_at: Option<i64>,
}

/// The stories a store keeps with their provenance, ordered as the stories stage orders them (earliest first; undated last).
pub fn stored_stories(store: &Store) -> Result<Vec<StoredStory>> {
    let mut stories = Vec::new();
    for row in store.stories_since(-1)? {
        let Some(json) = row.json else { continue };
        stories.push((row.id, StoredStory::decode(row.id, &json)?));
    }
    let day = |s: &StoredStory| s.story.first_seen.and_then(|d| d.date());
    stories.sort_by_key(|(id, s)| (day(s).is_none(), day(s), *id));
    Ok(stories.into_iter().map(|x| x.1).collect())
}

/// What placing wrote: stories, and the alerts story and velocity watches raised.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Placed {
    /// Stories written.
    pub stories: usize,
    /// Alerts raised.
    pub alerts: usize,
}

/// Places every article not yet in a story (see the module docs), raising the alerts of `watching`'s story and velocity watches.
pub fn update_stories(
    store: &mut Store,
    opts: &Options,
    watching: &Watching,
    multilingual: &mut Multilingual,
    progress: &dyn Progress,
) -> Result<Placed> {
    let mut written = Placed::default();
    let (mut done, total) = (0, store.unstoried_count()?);
    progress.start("stories", total as u64);
    loop {
        let new_ids = store.unstoried(STORY_CHUNK)?;
        if new_ids.is_empty() {
            return Ok(written);
        }
        let batch = store.batch()?;
        let analysed = place_chunk(&batch, &new_ids, opts, multilingual)?;
        let alerts = watching.story_alerts(&batch, &new_ids, &analysed)?;
        let alerts = watching.with_revivals(&batch, alerts)?;
        written.alerts += batch.add_alerts(&alerts)?;
        batch.commit()?;
        tracing::debug!(
            articles = new_ids.len(),
            stories = analysed.len(),
            "chunk placed"
        );
        written.stories += analysed.len();
        done += new_ids.len();
        progress.set(done as u64);
    }
}

fn number(id: &str) -> u32 {
    id.get(1..).and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// Places one chunk of new articles; returns the stories written.
fn place_chunk(
    batch: &Batch,
    new_ids: &[u32],
    opts: &Options,
    multilingual: &mut Multilingual,
) -> Result<Vec<StoredStory>> {
    let revision = batch.story_revision()? + 1;
    let n = batch.storied_count()? + new_ids.len();
    let articles = batch.articles(new_ids)?;
    let counts = TermSpace::count(&articles, &opts.aliases);
    let chunk = Chunk {
        ids: new_ids,
        articles,
        counts,
    };
    let (df, carriers) = update_terms(batch, new_ids, &chunk.counts)?;
    let mut candidates = chunk.candidates(batch, &df, &carriers, n)?;
    candidates
        .stored
        .extend(multilingual.document_neighbours(batch, new_ids, opts)?);
    candidates.stored.sort_unstable();
    candidates.stored.dedup();
    let touched = Touched::read(batch, &candidates.stored, &candidates.partners)?;
    let mut hood = Neighbourhood::read(batch, chunk, df, n, candidates.touching, &touched, opts)?;
    let order: Vec<u32> = hood.articles.iter().map(|a| number(&a.id)).collect();
    hood.documents = multilingual.documents(batch, &order, opts)?;
    let mut stories = hood.cluster(batch, &touched)?;
    let exists: HashSet<u32> = stories.iter().map(|st| number(&st.id)).collect();
    let joining = joining(&stories, &touched.left_out);
    let keep = keep_changed(&stories, &touched.was, &joining);
    let (articles, passages) = hood.give_back(
        batch,
        &mut stories,
        &joining,
        &keep,
        &touched.left_out,
        &exists,
    )?;
    let kept: Vec<Story> = stories
        .into_iter()
        .zip(&keep)
        .filter(|(_, &k)| k)
        .map(|(st, _)| st)
        .collect();
    let analysed = provenance_of(batch, kept, articles, passages, opts)?;
    write_back(batch, revision, &analysed, &touched, &exists)?;
    Ok(analysed)
}

/// A chunk of new articles with their term counts.
struct Chunk<'a> {
    ids: &'a [u32],
    articles: Vec<Article>,
    counts: Vec<TermCounts>,
}

impl Chunk<'_> {
    /// The stored articles each new one may share a story with: those it shares text
    /// with, and its best by rare shared terms.
    fn candidates(
        &self,
        batch: &Batch,
        df: &HashMap<u64, u32>,
        carriers: &Carriers,
        n: usize,
    ) -> Result<Candidates> {
        let is_new: HashSet<u32> = self.ids.iter().copied().collect();
        let mut candidates: BTreeSet<u32> = BTreeSet::new();
        let new_space = TermSpace::weigh(&self.counts, df.clone(), n);
        let max_df = term_max_df(n);
        for vectors in [&new_space.vectors, &new_space.anchors, &new_space.bridges] {
            for vector in vectors {
                candidates.extend(neighbours(vector, df, max_df, carriers));
            }
        }
        let touching = batch.passages_touching(self.ids)?;
        let partners: HashSet<u32> = touching
            .iter()
            .flat_map(|p| [number(&p.a.article), number(&p.b.article)])
            .filter(|c| !is_new.contains(c))
            .collect();
        candidates.extend(&partners);
        candidates.retain(|c| !is_new.contains(c));
        Ok(Candidates {
            stored: candidates.into_iter().collect(),
            touching,
            partners,
        })
    }
}

/// The stored articles a chunk's articles may share a story with.
struct Candidates {
    /// Their row ids, ascending.
    stored: Vec<u32>,
    /// The passages touching the chunk's articles.
    touching: Vec<Passage>,
    /// The stored articles those passages reach.
    partners: HashSet<u32>,
}

/// The stored stories a chunk touches: their members, and the sample of each that is read.
struct Touched {
    /// The touched stories' numbers, ascending.
    ids: Vec<u32>,
    /// Each touched story's members before the chunk.
    was: BTreeMap<u32, Vec<u32>>,
    /// A large story's members its sample left out.
    left_out: HashMap<u32, Vec<u32>>,
    /// The members read into the neighbourhood (small stories whole, samples of large ones), ascending.
    sampled: Vec<u32>,
}

impl Touched {
    /// The stories of the `candidates`, each whole or as a sample when large (`partners` always read).
    fn read(batch: &Batch, candidates: &[u32], partners: &HashSet<u32>) -> Result<Touched> {
        let ids: BTreeSet<u32> = batch
            .stories_of(candidates)?
            .into_values()
            .flatten()
            .collect();
        let ids: Vec<u32> = ids.into_iter().collect();
        let mut was: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for (a, st) in batch.members(&ids)? {
            was.entry(st).or_default().push(a);
        }
        let mut sampled: Vec<u32> = Vec::new();
        let mut left_out: HashMap<u32, Vec<u32>> = HashMap::new();
        for (&st, members) in &was {
            let (sample, rest) = sample_of(members, partners);
            sampled.extend(sample);
            if !rest.is_empty() {
                left_out.insert(st, rest);
            }
        }
        sampled.sort_unstable();
        Ok(Touched {
            ids,
            was,
            left_out,
            sampled,
        })
    }
}

/// The new articles and the touched stories' sampled members, clustered together.
struct Neighbourhood {
    /// Its articles in row-id order, as `analyze` holds a corpus.
    articles: Vec<Article>,
    /// Their term vectors, weighed with the whole collection's document frequencies.
    space: TermSpace,
    /// Passages with both sides inside.
    within: Vec<Passage>,
    /// Passages with one side outside.
    across: Vec<Passage>,
    /// The row ids inside.
    inside: HashSet<u32>,
    /// Their document vectors, in the same order, for a collection with a multilingual model.
    documents: Option<Vec<Vec<f32>>>,
}

impl Neighbourhood {
    /// Reads the sampled members and completes the document frequencies of their terms.
    fn read(
        batch: &Batch,
        chunk: Chunk,
        mut df: HashMap<u64, u32>,
        n: usize,
        touching: Vec<Passage>,
        touched: &Touched,
        opts: &Options,
    ) -> Result<Neighbourhood> {
        let old_ids = &touched.sampled;
        let old_articles = batch.articles(old_ids)?;
        let old_counts = TermSpace::count(&old_articles, &opts.aliases);
        let unknown: BTreeSet<u64> = old_counts
            .iter()
            .flat_map(TermCounts::terms)
            .filter(|t| !df.contains_key(t))
            .collect();
        for (t, d, _) in batch.story_terms(&unknown.into_iter().collect::<Vec<_>>())? {
            df.insert(t, d);
        }
        let mut order: Vec<(u32, Article, TermCounts)> = chunk
            .ids
            .iter()
            .copied()
            .zip(chunk.articles)
            .zip(chunk.counts)
            .chain(old_ids.iter().copied().zip(old_articles).zip(old_counts))
            .map(|((id, a), c)| (id, a, c))
            .collect();
        order.sort_unstable_by_key(|x| x.0);
        let inside: HashSet<u32> = order.iter().map(|x| x.0).collect();
        let (articles, counts): (Vec<Article>, Vec<TermCounts>) =
            order.into_iter().map(|(_, a, c)| (a, c)).unzip();
        let space = TermSpace::weigh(&counts, df, n);
        let mut passages = touching;
        passages.extend(batch.passages_touching(old_ids)?);
        passages.sort_unstable_by_key(|p| number(&p.id));
        passages.dedup_by_key(|p| number(&p.id));
        let (within, across): (Vec<Passage>, Vec<Passage>) = passages.into_iter().partition(|p| {
            inside.contains(&number(&p.a.article)) && inside.contains(&number(&p.b.article))
        });
        Ok(Neighbourhood {
            articles,
            space,
            within,
            across,
            inside,
            documents: None,
        })
    }

    /// Clusters the neighbourhood as `analyze` clusters a corpus (a sampled story stays
    /// one node, weighed by its average tie), then adds the stories outside it they cite.
    fn cluster(&self, batch: &Batch, touched: &Touched) -> Result<Vec<Story>> {
        let position: HashMap<u32, usize> = self
            .articles
            .iter()
            .enumerate()
            .map(|(i, a)| (number(&a.id), i))
            .collect();
        let frozen: Vec<(Vec<usize>, usize)> = touched
            .left_out
            .keys()
            .filter_map(|st| touched.was.get(st))
            .map(|members| {
                let sample = members
                    .iter()
                    .filter_map(|m| position.get(m).copied())
                    .collect();
                (sample, members.len())
            })
            .collect();
        let mut stories = echotrace_stories::build_frozen(
            &self.articles,
            &self.within,
            &self.space,
            &StoryParams::default(),
            self.documents.as_deref(),
            &frozen,
        );
        cite_outside(
            batch,
            &mut stories,
            &self.articles,
            &self.across,
            &self.inside,
        )?;
        Ok(stories)
    }

    /// Gives the kept stories back the members their sample left out (read now:
    /// provenance needs them) and the stories their stored record cites; returns the
    /// articles and passages the provenance stage reads.
    fn give_back(
        self,
        batch: &Batch,
        stories: &mut [Story],
        joining: &HashMap<usize, Vec<u32>>,
        keep: &[bool],
        left_out: &HashMap<u32, Vec<u32>>,
        exists: &HashSet<u32>,
    ) -> Result<(Vec<Article>, Vec<Passage>)> {
        let Neighbourhood {
            mut articles,
            within,
            across,
            ..
        } = self;
        let mut back: Vec<u32> = joining
            .iter()
            .filter(|(k, _)| keep[**k])
            .flat_map(|(_, rest)| rest.iter().copied())
            .collect();
        back.sort_unstable();
        let mut passages = within;
        passages.extend(across);
        if back.is_empty() {
            return Ok((articles, passages));
        }
        articles.extend(batch.articles(&back)?);
        articles.sort_by_key(|a| number(&a.id));
        passages.extend(batch.passages_touching(&back)?);
        passages.sort_unstable_by_key(|p| number(&p.id));
        passages.dedup_by_key(|p| number(&p.id));
        let old_cites = stored_cites(batch, left_out)?;
        let index: HashMap<u32, usize> = articles
            .iter()
            .enumerate()
            .map(|(i, a)| (number(&a.id), i))
            .collect();
        for (&k, rest) in joining {
            if keep[k] {
                let st = &mut stories[k];
                st.articles.extend(rest.iter().map(|a| format!("a{a}")));
                order_members(st, &articles, &index);
                for c in old_cites.get(&number(&st.id)).into_iter().flatten() {
                    if !st.cites.contains(c) && exists.contains(&number(c)) {
                        st.cites.push(c.clone());
                    }
                }
            }
        }
        Ok((articles, passages))
    }
}

/// The left-out members joining each story (by position): a sampled story's other
/// members follow its earliest article.
fn joining(stories: &[Story], left_out: &HashMap<u32, Vec<u32>>) -> HashMap<usize, Vec<u32>> {
    let story_at: HashMap<u32, usize> = stories
        .iter()
        .enumerate()
        .flat_map(|(k, st)| st.articles.iter().map(move |a| (number(a), k)))
        .collect();
    let mut joining: HashMap<usize, Vec<u32>> = HashMap::new();
    for (st, rest) in left_out {
        if let Some(&k) = story_at.get(st) {
            joining.entry(k).or_default().extend(rest);
        }
    }
    joining
}

/// Which stories go through the provenance stage: those whose members changed, and
/// those linked to one by a citation (divergences span linked stories); the others
/// keep what is stored.
fn keep_changed(
    stories: &[Story],
    was: &BTreeMap<u32, Vec<u32>>,
    joining: &HashMap<usize, Vec<u32>>,
) -> Vec<bool> {
    let membership = |k: usize, st: &Story| {
        let mut now: Vec<u32> = st.articles.iter().map(|a| number(a)).collect();
        now.extend(joining.get(&k).map(Vec::as_slice).unwrap_or(&[]));
        now.sort_unstable();
        now
    };
    let changed: HashSet<String> = stories
        .iter()
        .enumerate()
        .filter(|(k, st)| was.get(&number(&st.id)) != Some(&membership(*k, st)))
        .map(|(_, st)| st.id.clone())
        .collect();
    let cited_by_changed: HashSet<&String> = stories
        .iter()
        .filter(|st| changed.contains(&st.id))
        .flat_map(|st| st.cites.iter())
        .collect();
    stories
        .iter()
        .map(|st| {
            changed.contains(&st.id)
                || st.cites.iter().any(|c| changed.contains(c))
                || cited_by_changed.contains(&st.id)
        })
        .collect()
}

/// Writes back the placements, the stories analysed, and the touched ones merged away (those no story carries the id of any more).
fn write_back(
    batch: &Batch,
    revision: i64,
    analysed: &[StoredStory],
    touched: &Touched,
    exists: &HashSet<u32>,
) -> Result<()> {
    let before: HashMap<u32, u32> = touched
        .was
        .iter()
        .flat_map(|(&st, m)| m.iter().map(move |&a| (a, st)))
        .collect();
    let mut placed: Vec<(u32, u32)> = Vec::new();
    for kept_story in analysed {
        let s = &kept_story.story;
        let sid = number(&s.id);
        for a in &s.articles {
            let a = number(a);
            if before.get(&a) != Some(&sid) {
                placed.push((a, sid));
            }
        }
        let json =
            serde_json::to_string(kept_story).map_err(|source| PipelineError::EncodeStory {
                id: s.id.clone(),
                source,
            })?;
        batch.put_story(sid, revision, Some(&json))?;
    }
    for t in touched.ids.iter().filter(|t| !exists.contains(t)) {
        batch.put_story(*t, revision, None)?;
    }
    Ok(batch.place(&placed)?)
}

/// Members of a large story re-clustered with new articles: this many, spread evenly from its earliest.
pub const STORY_SAMPLE: usize = 16;

/// The members of a story that join a neighbourhood, and those left out (a large story is sampled).
///
/// A new article joins a story when its average affinity to the members
/// reaches the threshold; an even sample (the earliest member, which names
/// the story, then every k-th) estimates that average without reading a
/// story of hundreds of echoes each time one more arrives. Members the new
/// articles share text with (`pinned`) are always read: an echo of a wire
/// text is aligned against the text's representative, and joins its story
/// through that passage.
fn sample_of(members: &[u32], pinned: &HashSet<u32>) -> (Vec<u32>, Vec<u32>) {
    if members.len() <= STORY_SAMPLE {
        return (members.to_vec(), Vec::new());
    }
    let mut take: Vec<bool> = members.iter().map(|m| pinned.contains(m)).collect();
    for i in 0..STORY_SAMPLE {
        take[i * members.len() / STORY_SAMPLE] = true;
    }
    let (mut sample, mut rest) = (Vec::new(), Vec::new());
    for (m, t) in members.iter().zip(take) {
        if t {
            sample.push(*m);
        } else {
            rest.push(*m);
        }
    }
    (sample, rest)
}

/// The stored cites of these stories.
fn stored_cites(
    batch: &Batch,
    stories: &HashMap<u32, Vec<u32>>,
) -> Result<HashMap<u32, Vec<String>>> {
    let ids: Vec<u32> = stories.keys().copied().collect();
    let mut out = HashMap::new();
    for (id, json) in batch.story_json(&ids)? {
        let kept = StoredStory::decode(id, &json)?;
        out.insert(id, kept.story.cites);
    }
    Ok(out)
}

/// Orders a story's members as the stories stage does (dated earliest first, then undated; ties by id) and sets its first date.
fn order_members(story: &mut Story, articles: &[Article], index: &HashMap<u32, usize>) {
    let key = |id: &String| {
        let a = index.get(&number(id)).map(|&i| &articles[i]);
        let day = a.and_then(|a| DateKey::of(a.published.as_ref()).day());
        (day.is_none(), day, number(id))
    };
    story.articles.sort_by_key(key);
    story.articles.dedup();
    story.first_seen = story.articles.iter().find_map(|id| {
        let a = &articles[*index.get(&number(id))?];
        DateKey::of(a.published.as_ref()).day()?;
        a.published.as_ref().map(|p| p.value)
    });
}

/// Runs the provenance stage over the written stories (with the stories
/// they cite and the articles they share text with, read from the store)
/// and splits what it finds by story.
fn provenance_of(
    batch: &Batch,
    stories: Vec<Story>,
    articles: Vec<Article>,
    passages: Vec<Passage>,
    opts: &Options,
) -> Result<Vec<StoredStory>> {
    let context_stories = cited_context(batch, &stories)?;
    let mut report = members_report(batch, &stories, &context_stories, articles, passages)?;
    let ids: Vec<u32> = report.articles.iter().map(|a| number(&a.id)).collect();
    let known = batch.claims(&ids)?;
    let n_written = stories.len();
    let mut all = stories;
    all.extend(context_stories);
    crate::finish_placed(&mut report, &opts.aliases, &known, all);
    let mut stories = split_by_story(&report, n_written);
    // A page the crawl gave no fetch time was seen when it was stored.
    let unknown: Vec<u32> = stories
        .iter()
        .flat_map(|s| s.members.iter())
        .filter(|m| m.seen_at.is_none())
        .map(|m| number(&m.article))
        .collect();
    let stored_at = batch.stored_at(&unknown)?;
    for m in stories.iter_mut().flat_map(|s| s.members.iter_mut()) {
        if m.seen_at.is_none() {
            m.seen_at = stored_at.get(&number(&m.article)).copied();
        }
    }
    Ok(stories)
}

/// The stored stories that `stories` cite and that are not among them.
fn cited_context(batch: &Batch, stories: &[Story]) -> Result<Vec<Story>> {
    let written: HashSet<&str> = stories.iter().map(|s| s.id.as_str()).collect();
    let mut cited: Vec<u32> = stories
        .iter()
        .flat_map(|s| s.cites.iter())
        .filter(|c| !written.contains(c.as_str()))
        .map(|c| number(c))
        .collect();
    cited.sort_unstable();
    cited.dedup();
    let mut context_stories: Vec<Story> = Vec::new();
    for (id, json) in batch.story_json(&cited)? {
        let kept = StoredStory::decode(id, &json)?;
        context_stories.push(kept.story);
    }
    Ok(context_stories)
}

/// A report of the stories' members and the passages touching them, with the
/// articles of the `context` stories and those the passages reach, read from the store.
fn members_report(
    batch: &Batch,
    stories: &[Story],
    context: &[Story],
    articles: Vec<Article>,
    passages: Vec<Passage>,
) -> Result<Report> {
    let members: HashSet<&str> = stories
        .iter()
        .flat_map(|s| s.articles.iter().map(String::as_str))
        .collect();
    let articles: Vec<Article> = articles
        .into_iter()
        .filter(|a| members.contains(a.id.as_str()))
        .collect();
    let passages: Vec<Passage> = passages
        .into_iter()
        .filter(|p| {
            members.contains(p.a.article.as_str()) || members.contains(p.b.article.as_str())
        })
        .collect();
    let have: HashSet<u32> = articles.iter().map(|a| number(&a.id)).collect();
    let mut extra: BTreeSet<u32> = context
        .iter()
        .flat_map(|s| s.articles.iter().map(|a| number(a)))
        .collect();
    extra.extend(
        passages
            .iter()
            .flat_map(|p| [number(&p.a.article), number(&p.b.article)]),
    );
    extra.retain(|a| !have.contains(a));
    let extra: Vec<u32> = extra.into_iter().collect();
    let mut report = Report::new();
    report.articles = articles;
    report.articles.extend(batch.articles(&extra)?);
    report.articles.sort_by_key(|a| number(&a.id));
    report.passages = passages;
    report.passages.sort_by_key(|p| number(&p.id));
    Ok(report)
}

/// Splits a report by its first `n_written` stories: what names a story, or the
/// story of the article it concerns (a divergence across stories: its first claim's).
fn split_by_story(report: &Report, n_written: usize) -> Vec<StoredStory> {
    let story_of: HashMap<&str, usize> = report.stories[..n_written]
        .iter()
        .enumerate()
        .flat_map(|(s, st)| st.articles.iter().map(move |a| (a.as_str(), s)))
        .collect();
    let by_id: HashMap<&str, usize> = report.stories[..n_written]
        .iter()
        .enumerate()
        .map(|(s, st)| (st.id.as_str(), s))
        .collect();
    let mut out: Vec<StoredStory> = report.stories[..n_written]
        .iter()
        .map(|s| StoredStory {
            story: s.clone(),
            ..Default::default()
        })
        .collect();
    for src in &report.sources {
        if let Some(&s) = by_id.get(src.story.as_str()) {
            out[s].sources.push(src.clone());
        }
    }
    for e in &report.timeline {
        if let Some(&s) = by_id.get(e.story.as_str()) {
            out[s].timeline.push(e.clone());
        }
    }
    for a in &report.additions {
        if let Some(&s) = by_id.get(a.story.as_str()) {
            out[s].additions.push(a.clone());
        }
    }
    for e in &report.edges {
        if let Some(&s) = story_of.get(e.to.as_str()) {
            out[s].edges.push(e.clone());
        }
    }
    let claim_story = |claim: &str| {
        let article = claim
            .trim_start_matches('c')
            .split('.')
            .next()
            .unwrap_or("");
        story_of.get(format!("a{article}").as_str()).copied()
    };
    for d in &report.divergences {
        let owner = match &d.story {
            Some(id) => by_id.get(id.as_str()).copied(),
            None => d.claims.iter().find_map(|c| claim_story(c)),
        };
        if let Some(s) = owner {
            out[s].divergences.push(d.clone());
        }
    }
    for a in &report.articles {
        if let Some(&s) = story_of.get(a.id.as_str()) {
            out[s].members.push(Member {
                article: a.id.clone(),
                published: a.published.clone(),
                shares: a.shares,
                outlet: a.outlet.clone(),
                seen_at: a
                    .origin
                    .fetched_at
                    .as_deref()
                    .and_then(echotrace_watch::rule::parse_time),
            });
        }
    }
    out
}

/// The stored articles, at most [`TERM_NEIGHBOURS`], whose tie to a new article's (unit) vector may reach the stories threshold.
///
/// A stored article's term affinity with the vector is at most the summed
/// weight of the rare terms they share (its own weights are at most 1). A
/// new article joins a story only when its average affinity to the story's
/// members reaches the threshold, so at least one member must reach it: a
/// story none of whose members can is not touched by this article.
fn neighbours(
    vector: &[(u64, f32)],
    df: &HashMap<u64, u32>,
    max_df: u32,
    carriers: &Carriers,
) -> Vec<u32> {
    let mut score: HashMap<u32, f32> = HashMap::new();
    for (t, w) in vector {
        if df.get(t).copied().unwrap_or(0) > max_df {
            continue;
        }
        for &d in carriers.get(t).map(Vec::as_slice).unwrap_or(&[]) {
            *score.entry(d).or_insert(0.0) += w;
        }
    }
    let floor = StoryParams::default().threshold;
    let mut best: Vec<(u32, f32)> = score.into_iter().filter(|x| x.1 >= floor).collect();
    best.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    best.into_iter()
        .take(TERM_NEIGHBOURS)
        .map(|x| x.0)
        .collect()
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
) -> Result<(HashMap<u64, u32>, Carriers)> {
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
) -> Result<()> {
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
                .and_then(|d| d.date());
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
        let ours = stories[s].first_seen.and_then(|d| d.date());
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
