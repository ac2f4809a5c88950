//! One module per subcommand: its flags (one `clap::Args` struct) and the `run` that carries
//! them out over the library crates.

pub mod alerts;
pub mod analyze;
#[cfg(feature = "eval")]
pub mod eval;
pub mod export;
pub mod extract;
pub mod ingest;
#[cfg(feature = "search")]
pub mod search;
#[cfg(feature = "serve")]
pub mod serve;
pub mod trace;
pub mod watch;

/// Flags every subcommand sees.
#[derive(Debug, Clone, Copy)]
pub struct Global {
    /// No progress bars, errors only in the log.
    pub quiet: bool,
}
