//! Progress bars on a terminal: one bar per pipeline stage, cleared when
//! the stage ends; nothing at all when stderr is not a terminal or with
//! `--quiet`. With `--timings`, each stage's duration is printed at the end.

use std::io::IsTerminal;
use std::sync::Mutex;

use echotrace_pipeline::Progress;

/// A [`Progress`] drawn with indicatif.
pub struct Bars {
    bar: Mutex<Option<indicatif::ProgressBar>>,
    shown: bool,
}

impl Bars {
    /// Bars on stderr when it is a terminal and `quiet` is not set.
    pub fn new(quiet: bool) -> Self {
        Bars {
            bar: Mutex::new(None),
            shown: !quiet && std::io::stderr().is_terminal(),
        }
    }
}

impl Progress for Bars {
    fn start(&self, stage: &'static str, total: u64) {
        if !self.shown {
            return;
        }
        let Ok(mut bar) = self.bar.lock() else { return };
        if let Some(old) = bar.take() {
            old.finish_and_clear();
        }
        let pb = if total > 0 {
            let pb = indicatif::ProgressBar::new(total);
            pb.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} {msg:<11} [{bar:30}] {pos}/{len} ({per_sec}, {eta})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            pb
        } else {
            indicatif::ProgressBar::new_spinner()
        };
        pb.set_message(stage);
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
        *bar = Some(pb);
    }

    fn set(&self, done: u64) {
        if !self.shown {
            return;
        }
        if let Ok(bar) = self.bar.lock() {
            if let Some(pb) = bar.as_ref() {
                if done > pb.position() {
                    pb.set_position(done);
                }
            }
        }
    }

    fn end(&self) {
        if let Ok(mut bar) = self.bar.lock() {
            if let Some(old) = bar.take() {
                old.finish_and_clear();
            }
        }
    }
}

/// A stage's name and how long it took.
pub type Stage = (&'static str, std::time::Duration);

/// Prints each stage's seconds and the total, a line each, on stderr.
pub fn print_timings(stages: &[Stage]) {
    let total: f64 = stages.iter().map(|s| s.1.as_secs_f64()).sum();
    for (name, d) in stages {
        eprintln!("echotrace: {name:<11} {:>8.2} s", d.as_secs_f64());
    }
    eprintln!("echotrace: {:<11} {total:>8.2} s", "total");
}
