//! How long work reports how far it got: one stage at a time, so a terminal
//! can show a bar per stage and a bench can time each one.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Receives the progress of a run, stage by stage.
///
/// Contract: `start` opens a stage (closing the previous one), `set` may be
/// called from any worker thread with the count of items done so far in the
/// current stage (not always increasing across threads: keep the largest),
/// and `end` closes the last stage. Implementations must be cheap: `set` is
/// called once per item.
pub trait Progress: Sync {
    /// A stage starts, with its item count when known (0 when not).
    fn start(&self, stage: &'static str, total: u64);
    /// Items of the current stage done so far.
    fn set(&self, done: u64);
    /// The run is over.
    fn end(&self);
}

/// Reports nothing.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: &'static str, _: u64) {}
    fn set(&self, _: u64) {}
    fn end(&self) {}
}

/// The stage running (with its start) and the stages finished (with their durations).
type Timings = (
    Option<(&'static str, Instant)>,
    Vec<(&'static str, Duration)>,
);

/// Records how long each stage took, and passes everything on to another [`Progress`].
pub struct StageTimer<'a> {
    inner: &'a dyn Progress,
    state: Mutex<Timings>,
}

impl<'a> StageTimer<'a> {
    /// A timer in front of `inner`.
    pub fn new(inner: &'a dyn Progress) -> Self {
        StageTimer {
            inner,
            state: Mutex::new((None, Vec::new())),
        }
    }

    /// Each finished stage with its duration, in order.
    pub fn stages(&self) -> Vec<(&'static str, Duration)> {
        self.state.lock().map(|s| s.1.clone()).unwrap_or_default()
    }

    fn close(&self) {
        if let Ok(mut s) = self.state.lock() {
            if let Some((name, t)) = s.0.take() {
                let took = t.elapsed();
                tracing::info!(stage = name, seconds = took.as_secs_f64(), "stage done");
                s.1.push((name, took));
            }
        }
    }
}

impl Progress for StageTimer<'_> {
    fn start(&self, stage: &'static str, total: u64) {
        self.close();
        if let Ok(mut s) = self.state.lock() {
            s.0 = Some((stage, Instant::now()));
        }
        self.inner.start(stage, total);
    }
    fn set(&self, done: u64) {
        self.inner.set(done);
    }
    fn end(&self) {
        self.close();
        self.inner.end();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timer_records_each_stage_in_order() {
        let t = StageTimer::new(&Silent);
        t.start("reading", 0);
        t.start("extracting", 10);
        t.set(10);
        t.end();
        let names: Vec<&str> = t.stages().iter().map(|s| s.0).collect();
        assert_eq!(names, ["reading", "extracting"]);
    }
}
