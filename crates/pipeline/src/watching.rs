//! What a collection's watches raise as it grows.
//!
//! Four kinds of watch, one place that turns them into alerts:
//! - **text** and **claim** watches are matched against each batch of new
//!   articles through the [`WatchIndex`] (a claim watch watches its claim's
//!   sentence, so a new article stating the same figure, or a drifted one,
//!   raises an alert with the figures side by side);
//! - **story** watches follow a story by its earliest article (so a story
//!   merged into an older one is still followed): each new member raises a
//!   `story` alert as placement adds it;
//! - a **velocity** rule (on a story watch, or on a `velocity` watch that
//!   covers every story) fires when a story gains N new independent
//!   outlets within T (`echotrace_watch::velocity`), counted on the story's
//!   members as the provenance stage grouped them (copies and one outlet's
//!   articles are one confirmation);
//! - every watch quiet for its dormancy period raises a `revival` alert
//!   beside the first alert that breaks the silence.
//!
//! Alerts are written in the same transaction as what raised them (the
//! batch of articles, or the chunk of placed stories): an ingest killed in
//! between leaves either both or neither.

use std::collections::{HashMap, HashSet};

use echotrace_model::{Article, Quote};
use echotrace_reuse::Token;
use echotrace_store::{Batch, NewAlert, Store};
use echotrace_watch::relation::Reading;
use echotrace_watch::rule::{parse_time, Rule, TimeBasis, Velocity};
use echotrace_watch::velocity::{bursts, Arrival};
use echotrace_watch::WatchIndex;
use rayon::prelude::*;

use crate::placing::{Member, StoredStory};
use crate::{Options, Result};

/// A story watch: the story it follows (by its earliest article's row id) and its rule.
#[derive(Debug, Clone)]
struct StoryWatch {
    id: String,
    anchor: u32,
    rule: Rule,
}

/// The store's watches, ready to match new articles and placed stories.
pub struct Watching {
    index: WatchIndex,
    rules: HashMap<String, (String, Rule)>,
    stories: Vec<StoryWatch>,
    velocity: Vec<(String, Velocity, TimeBasis)>,
}

impl Watching {
    /// The store's watches, text and claim watches indexed with the collection's aliases and alignment.
    pub fn load(store: &Store, opts: &Options) -> Result<Watching> {
        let mut texts = Vec::new();
        let mut rules = HashMap::new();
        let mut stories = Vec::new();
        let mut velocity = Vec::new();
        for w in store.watches()? {
            let rule = Rule::of(&w.rule);
            match w.kind.as_str() {
                "story" => stories.push(StoryWatch {
                    id: w.id.clone(),
                    anchor: w.text.trim().trim_start_matches('s').parse().unwrap_or(0),
                    rule: rule.clone(),
                }),
                "velocity" => {
                    if let Some(v) = rule.velocity {
                        velocity.push((w.id.clone(), v, rule.by));
                    }
                }
                _ => texts.push(echotrace_watch::Watch {
                    id: w.id.clone(),
                    text: w.text,
                }),
            }
            rules.insert(w.id, (w.kind, rule));
        }
        Ok(Watching {
            index: WatchIndex::new(texts, &opts.aliases, opts.reuse.align),
            rules,
            stories,
            velocity,
        })
    }

    /// Whether there is no watch at all.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether any watch looks at stories (story or velocity watches).
    pub fn watches_stories(&self) -> bool {
        !self.stories.is_empty() || !self.velocity.is_empty()
    }

    /// When an article was seen, by a watch's time basis: its crawl time (fetch time, else `stored`), or its publication date.
    fn seen_at(article: &Article, by: TimeBasis, stored: i64) -> i64 {
        let published = || {
            let day = article.published.as_ref()?.value.date()?;
            Some(day.and_hms_opt(0, 0, 0)?.and_utc().timestamp())
        };
        let crawled = || {
            article
                .origin
                .fetched_at
                .as_deref()
                .and_then(parse_time)
                .unwrap_or(stored)
        };
        match by {
            TimeBasis::Published => published().unwrap_or_else(crawled),
            TimeBasis::Crawl => crawled(),
        }
    }

    /// What the text and claim watches find in new articles (row id, article, tokens, quotes), as alerts.
    pub fn text_alerts(&self, new: &[(u32, &Article, &[Token], &[Quote])]) -> Vec<NewAlert> {
        if self.index.is_empty() {
            return Vec::new();
        }
        let now = echotrace_store::now();
        new.par_iter()
            .flat_map_iter(|&(id, a, tokens, quotes)| {
                let matches = self.index.match_tokens(&a.body, tokens);
                let reading = (!matches.is_empty()).then(|| Reading::new(&a.body, quotes));
                matches.into_iter().map(move |m| {
                    let by = self.rules.get(&m.watch).map(|r| r.1.by).unwrap_or_default();
                    let relation = reading.as_ref().map(|r| r.relation(m.article_span));
                    NewAlert {
                        watch: m.watch.clone(),
                        article: id,
                        kind: m.kind.as_str().to_string(),
                        tier: m.tier.as_str().to_string(),
                        score: m.score,
                        evidence: serde_json::json!({
                            "coverage": m.coverage,
                            "watch_span": [m.watch_span.0, m.watch_span.1],
                            "article_span": [m.article_span.0, m.article_span.1],
                            "watch_text": m.watch_text,
                            "article_text": m.article_text,
                            "figure_drift": m.figure_drift,
                            "relation": relation,
                            "url": a.origin.url,
                            "title": a.title,
                            "outlet": a.outlet,
                            "published": a.published,
                        })
                        .to_string(),
                        seen_at: Some(Self::seen_at(a, by, now)),
                    }
                })
            })
            .collect()
    }

    /// What story and velocity watches raise on a chunk of placed articles (`new`: their row ids) and the stories written for it.
    pub fn story_alerts(
        &self,
        batch: &Batch,
        new: &[u32],
        stories: &[StoredStory],
    ) -> Result<Vec<NewAlert>> {
        if !self.watches_stories() {
            return Ok(Vec::new());
        }
        let new: HashSet<u32> = new.iter().copied().collect();
        let mut out = Vec::new();
        for stored in stories {
            let members: Vec<u32> = stored.story.articles.iter().map(|a| number(a)).collect();
            let joined: Vec<u32> = members
                .iter()
                .copied()
                .filter(|m| new.contains(m))
                .collect();
            if joined.is_empty() {
                continue;
            }
            let mut rules: Vec<(&str, Velocity, TimeBasis)> = self
                .velocity
                .iter()
                .map(|(id, v, by)| (id.as_str(), *v, *by))
                .collect();
            for w in self.stories.iter().filter(|w| members.contains(&w.anchor)) {
                out.extend(joined.iter().map(|&a| story_alert(w, a, stored)));
                if let Some(v) = w.rule.velocity {
                    rules.push((&w.id, v, w.rule.by));
                }
            }
            for (watch, rule, by) in rules {
                out.extend(velocity_alerts(batch, watch, &rule, by, stored, &new)?);
            }
        }
        Ok(out)
    }

    /// `alerts` with the revivals they raise: for each watch quiet for its dormancy period, the first alert after the silence.
    pub fn with_revivals(&self, batch: &Batch, mut alerts: Vec<NewAlert>) -> Result<Vec<NewAlert>> {
        let mut by_watch: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, a) in alerts.iter().enumerate() {
            let counted = self
                .rules
                .get(&a.watch)
                .is_some_and(|(kind, _)| kind != "velocity");
            if counted && a.seen_at.is_some() {
                by_watch.entry(a.watch.as_str()).or_default().push(i);
            }
        }
        if by_watch.is_empty() {
            return Ok(alerts);
        }
        let ids: Vec<&str> = by_watch.keys().copied().collect();
        let last = batch.last_seen(&ids)?;
        let mut revived = Vec::new();
        for (watch, idx) in &by_watch {
            let dormant = self.rules[*watch].1.dormant();
            let times: Vec<i64> = idx
                .iter()
                .map(|&i| alerts[i].seen_at.unwrap_or(0))
                .collect();
            let before = last.get(*watch).copied();
            for k in echotrace_watch::rule::revivals(before, &times, dormant) {
                let a = &alerts[idx[k]];
                revived.push(NewAlert {
                    watch: a.watch.clone(),
                    article: a.article,
                    kind: "revival".into(),
                    tier: a.tier.clone(),
                    score: a.score,
                    evidence: serde_json::json!({
                        "after": a.kind,
                        "dormant_secs": dormant,
                        "last_seen_before": before,
                    })
                    .to_string(),
                    seen_at: a.seen_at,
                });
            }
        }
        alerts.extend(revived);
        Ok(alerts)
    }
}

/// What a user asks to watch (the CLI's `watch add` flags, the API's `POST /api/watches` body).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchRequest {
    /// A text to watch.
    #[serde(default)]
    pub text: Option<String>,
    /// A story to follow (`s<n>`).
    #[serde(default)]
    pub story: Option<String>,
    /// A claim to watch (`c<n>.<k>`).
    #[serde(default)]
    pub claim: Option<String>,
    /// Velocity: this many new independent outlets...
    #[serde(default)]
    pub velocity: Option<usize>,
    /// ...within this long (`6h`; 6 hours when absent).
    #[serde(default)]
    pub within: Option<String>,
    /// Count times by `crawl` (default) or `published`.
    #[serde(default)]
    pub by: Option<TimeBasis>,
    /// Quiet this long counts as dormant (`30d` when absent).
    #[serde(default)]
    pub dormant: Option<String>,
    /// A name for people.
    #[serde(default)]
    pub name: Option<String>,
    /// The watch's id (the next free `w<n>` otherwise).
    #[serde(default)]
    pub id: Option<String>,
}

/// A watch as stored: its kind, text and rule.
#[derive(Debug, Clone, PartialEq)]
pub struct NewWatch {
    /// `text`, `claim`, `story` or `velocity`.
    pub kind: String,
    /// The watched text (a story watch: the story id; a velocity watch: empty).
    pub text: String,
    /// Its rule.
    pub rule: Rule,
}

impl WatchRequest {
    /// The watch this request makes, checked against the store (the story or claim must exist).
    pub fn resolve(&self, store: &Store) -> Result<NewWatch> {
        let bad = |m: String| crate::PipelineError::BadWatch(m);
        let duration = |d: &Option<String>, what: &str| -> Result<Option<i64>> {
            d.as_deref()
                .map(|d| {
                    echotrace_watch::rule::parse_duration(d)
                        .map_err(|e| bad(format!("{what}: {e}")))
                })
                .transpose()
        };
        let mut rule = Rule {
            dormant_secs: duration(&self.dormant, "dormant")?,
            by: self.by.unwrap_or_default(),
            ..Rule::default()
        };
        if let Some(n) = self.velocity {
            if n == 0 {
                return Err(bad("velocity: say how many outlets (at least 1)".into()));
            }
            rule.velocity = Some(Velocity {
                outlets: n,
                within_secs: duration(&self.within, "within")?.unwrap_or(6 * 3600),
            });
        } else if self.within.is_some() {
            return Err(bad("--within goes with --velocity N".into()));
        }
        let what = [
            self.text.is_some(),
            self.story.is_some(),
            self.claim.is_some(),
        ];
        if what.iter().filter(|x| **x).count() > 1 {
            return Err(bad("watch one thing: a text, a story or a claim".into()));
        }
        if let Some(text) = &self.text {
            let text = text.trim();
            if text.is_empty() {
                return Err(bad("the text to watch is empty".into()));
            }
            if rule.velocity.is_some() {
                return Err(bad("a velocity rule counts a story's outlets: use it with a story (or alone, for every story)".into()));
            }
            return Ok(NewWatch {
                kind: "text".into(),
                text: text.to_string(),
                rule,
            });
        }
        if let Some(story) = &self.story {
            let anchor = story
                .trim()
                .strip_prefix('s')
                .and_then(|n| n.parse::<u32>().ok())
                .ok_or_else(|| bad(format!("`{story}` is not a story id (they read s<n>, as `echotrace export` and the API give them)")))?;
            match store.story_of(anchor)? {
                Some(Some(_)) => {}
                Some(None) => {
                    return Err(bad(format!("article a{anchor} is not placed in a story yet: run `echotrace ingest` to finish placing")))
                }
                None => return Err(bad(format!("no story {story} in this store"))),
            }
            return Ok(NewWatch {
                kind: "story".into(),
                text: format!("s{anchor}"),
                rule,
            });
        }
        if let Some(claim) = &self.claim {
            let (article, k) = claim
                .trim()
                .strip_prefix('c')
                .and_then(|x| x.split_once('.'))
                .and_then(|(a, k)| Some((a.parse::<u32>().ok()?, k.parse::<usize>().ok()?)))
                .ok_or_else(|| bad(format!("`{claim}` is not a claim id (they read c<n>.<k>)")))?;
            let found = store
                .claims_of(article)?
                .and_then(|c| c.claims.into_iter().nth(k))
                .ok_or_else(|| bad(format!("no claim {claim} in this store")))?;
            if rule.velocity.is_some() {
                return Err(bad(
                    "a velocity rule counts a story's outlets: use it with a story".into(),
                ));
            }
            let sentence = if found.context.trim().is_empty() {
                found.text
            } else {
                found.context
            };
            rule.claim = Some(claim.trim().to_string());
            return Ok(NewWatch {
                kind: "claim".into(),
                text: sentence.trim().to_string(),
                rule,
            });
        }
        if rule.velocity.is_none() {
            return Err(bad(
                "nothing to watch: give a text, a story, a claim or a velocity rule".into(),
            ));
        }
        Ok(NewWatch {
            kind: "velocity".into(),
            text: String::new(),
            rule,
        })
    }

    /// Resolves the request and stores the watch; returns its id and what was stored.
    pub fn add(&self, store: &mut Store) -> Result<(String, NewWatch)> {
        let w = self.resolve(store)?;
        let rule = serde_json::to_string(&w.rule).unwrap_or_else(|_| "{}".into());
        let id = store.add_watch(
            self.id.as_deref(),
            self.name.as_deref(),
            &w.kind,
            &w.text,
            Some(&rule),
        )?;
        Ok((id, w))
    }
}

fn number(id: &str) -> u32 {
    id.get(1..).and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// When a story member was seen, by a time basis (a member with no publication date counts by its crawl time).
fn member_time(m: &Member, by: TimeBasis) -> Option<i64> {
    let published = || {
        let day = m.published.as_ref()?.value.date()?;
        Some(day.and_hms_opt(0, 0, 0)?.and_utc().timestamp())
    };
    match by {
        TimeBasis::Published => published().or(m.seen_at),
        TimeBasis::Crawl => m.seen_at,
    }
}

/// A new member of a watched story.
fn story_alert(w: &StoryWatch, article: u32, stored: &StoredStory) -> NewAlert {
    let id = format!("a{article}");
    let member = stored.members.iter().find(|m| m.article == id);
    let seen_at = member.and_then(|m| member_time(m, w.rule.by));
    NewAlert {
        watch: w.id.clone(),
        article,
        kind: "story".into(),
        tier: "confirmed".into(),
        score: 1.0,
        evidence: serde_json::json!({
            "story": stored.story.id,
            "label": stored.story.label,
            "watched": format!("s{}", w.anchor),
            "members": stored.story.articles.len(),
            "independent_outlets": stored.story.independent_outlets,
            "outlet": member.and_then(|m| m.outlet.clone()),
        })
        .to_string(),
        seen_at,
    }
}

/// The velocity alerts one rule raises on one story.
fn velocity_alerts(
    batch: &Batch,
    watch: &str,
    rule: &Velocity,
    by: TimeBasis,
    stored: &StoredStory,
    new: &HashSet<u32>,
) -> Result<Vec<NewAlert>> {
    let index: HashMap<&str, usize> = stored
        .members
        .iter()
        .enumerate()
        .map(|(i, m)| (m.article.as_str(), i))
        .collect();
    let outlets: Vec<Option<&str>> = stored.members.iter().map(|m| m.outlet.as_deref()).collect();
    let copies: Vec<(usize, usize)> = stored
        .edges
        .iter()
        .filter(|e| e.copy)
        .filter_map(|e| Some((*index.get(e.from.as_str())?, *index.get(e.to.as_str())?)))
        .collect();
    let group = echotrace_provenance::graph::confirmations(&outlets, &copies);
    let arrivals: Vec<Arrival> = stored
        .members
        .iter()
        .zip(&group)
        .filter_map(|(m, &g)| {
            let at = member_time(m, by)?;
            Some(Arrival {
                article: m.article.clone(),
                at,
                confirmation: g,
                new: new.contains(&number(&m.article)),
            })
        })
        .collect();
    // Most stories never burst: the store is asked when the rule last fired only for those that do.
    if bursts(&arrivals, rule, None).is_empty() {
        return Ok(Vec::new());
    }
    let fired = batch.last_story_alert(watch, "velocity", &stored.story.id)?;
    Ok(bursts(&arrivals, rule, fired)
        .into_iter()
        .map(|b| NewAlert {
            watch: watch.to_string(),
            article: number(&b.article),
            kind: "velocity".into(),
            tier: "confirmed".into(),
            score: b.joined.len() as f64,
            evidence: serde_json::json!({
                "story": stored.story.id,
                "label": stored.story.label,
                "outlets": b.joined.len(),
                "needed": rule.outlets,
                "within_secs": rule.within_secs,
                "by": by,
                "joined": b.joined.iter().map(|(a, t)| serde_json::json!({"article": a, "at": t})).collect::<Vec<_>>(),
            })
            .to_string(),
            seen_at: Some(b.at),
        })
        .collect())
}
