//! The velocity rule: a story that gains N new independent outlets within T.
//!
//! News monitors raise "breaking" on raw article counts, so a wire story
//! republished by two hundred sites looks like two hundred confirmations.
//! Here each member of a story carries its *confirmation*: the independent
//! outlet it stands for (articles of one outlet, and articles that copy one
//! another's own text, are one; see `echotrace_provenance::graph::confirmations`).
//! A confirmation *joins* the story at its earliest member's time; the rule
//! fires when at least N confirmations joined within a window of T seconds,
//! one of them with an article of this ingest, and not again for T after
//! it fired for that story.

use crate::rule::Velocity;

/// One member of a story as the velocity rule sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrival {
    /// The article's id.
    pub article: String,
    /// When it was seen (seconds since 1970), by the rule's time basis.
    pub at: i64,
    /// Its independent confirmation (equal numbers: one outlet).
    pub confirmation: usize,
    /// Whether it arrived in this ingest.
    pub new: bool,
}

/// A burst the rule fires on.
#[derive(Debug, Clone, PartialEq)]
pub struct Burst {
    /// The new article the alert is raised on: the latest new arrival among the joiners.
    pub article: String,
    /// Its time.
    pub at: i64,
    /// The first article of each confirmation that joined within the window, earliest first, with its time.
    pub joined: Vec<(String, i64)>,
}

/// The bursts in a story's arrivals (any order); `fired` is when the rule last fired for this story.
pub fn bursts(arrivals: &[Arrival], rule: &Velocity, fired: Option<i64>) -> Vec<Burst> {
    let mut sorted: Vec<&Arrival> = arrivals.iter().collect();
    sorted.sort_by(|a, b| (a.at, &a.article).cmp(&(b.at, &b.article)));
    // The earliest member of each confirmation: when that outlet joined.
    let mut seen = std::collections::HashSet::new();
    let joins: Vec<&Arrival> = sorted
        .into_iter()
        .filter(|a| seen.insert(a.confirmation))
        .collect();
    let need = rule.outlets.max(1);
    let mut fired = fired;
    let mut out = Vec::new();
    let mut lo = 0;
    for hi in 0..joins.len() {
        while joins[hi].at - joins[lo].at > rule.within_secs {
            lo += 1;
        }
        let window = &joins[lo..=hi];
        if window.len() < need || !joins[hi].new {
            continue;
        }
        if fired.is_some_and(|f| joins[hi].at - f < rule.within_secs) {
            continue;
        }
        fired = Some(joins[hi].at);
        out.push(Burst {
            article: joins[hi].article.clone(),
            at: joins[hi].at,
            joined: window.iter().map(|a| (a.article.clone(), a.at)).collect(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arrival(article: &str, at: i64, confirmation: usize, new: bool) -> Arrival {
        Arrival {
            article: article.into(),
            at,
            confirmation,
            new,
        }
    }

    const RULE: Velocity = Velocity {
        outlets: 3,
        within_secs: 100,
    };

    #[test]
    fn three_independent_outlets_within_the_window_fire_once() {
        let a = [
            arrival("a1", 0, 1, false),
            arrival("a2", 50, 2, true),
            arrival("a3", 90, 3, true),
            arrival("a4", 95, 4, true),
        ];
        let b = bursts(&a, &RULE, None);
        assert_eq!(b.len(), 1, "{b:?}");
        assert_eq!(b[0].article, "a3");
        assert_eq!(b[0].joined.len(), 3);
        assert!(
            bursts(&a, &RULE, Some(80)).is_empty(),
            "fired for this story within the window already"
        );
    }

    #[test]
    fn copies_and_one_outlets_articles_do_not_count_twice() {
        // Ten copies of one wire text (one confirmation) and one other outlet.
        let mut a: Vec<Arrival> = (0..10)
            .map(|i| arrival(&format!("a{i}"), i, 7, true))
            .collect();
        a.push(arrival("b", 20, 8, true));
        assert!(bursts(&a, &RULE, None).is_empty());
        a.push(arrival("c", 30, 9, true));
        assert_eq!(bursts(&a, &RULE, None)[0].article, "c");
    }

    #[test]
    fn outlets_spread_over_more_than_the_window_do_not_fire() {
        let a = [
            arrival("a1", 0, 1, true),
            arrival("a2", 80, 2, true),
            arrival("a3", 160, 3, true),
            arrival("a4", 240, 4, true),
        ];
        assert!(bursts(&a, &RULE, None).is_empty());
    }

    #[test]
    fn a_burst_of_old_articles_alone_raises_nothing() {
        let a = [
            arrival("a1", 0, 1, false),
            arrival("a2", 10, 2, false),
            arrival("a3", 20, 3, false),
        ];
        assert!(bursts(&a, &RULE, None).is_empty());
    }
}
