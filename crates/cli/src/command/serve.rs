//! `echotrace serve`: the HTTP API and the web UI over a store.

use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// The store written by `ingest`.
    #[arg(long)]
    db: PathBuf,
    /// Address to listen on; port 0 picks a free port. Any address but loopback needs tokens.
    #[arg(long, default_value = echotrace_server::DEFAULT_ADDR)]
    addr: std::net::SocketAddr,
    /// Access tokens, one `read TOKEN` or `admin TOKEN` a line (or set ECHOTRACE_TOKENS); API
    /// requests then need `Authorization: Bearer TOKEN`, and reload an admin token.
    #[arg(long)]
    token_file: Option<PathBuf>,
    /// Requests a second each client (token, else address) may make to search, trace and
    /// exports, in bursts of five times that; 0 for no limit.
    #[arg(long, default_value_t = echotrace_server::limits::DEFAULT_PER_SECOND)]
    rate_limit: u32,
    /// Ingest uploads with the sentence model (what a store made with `ingest --embed` needs;
    /// a build with `--features embed`).
    #[arg(long)]
    embed: bool,
    /// Directory of the embedding model (default: $ECHOTRACE_MODEL_DIR or ~/.cache/echotrace/models/all-MiniLM-L6-v2).
    #[arg(long, requires = "embed")]
    model: Option<PathBuf>,
}

/// Serves until interrupted.
pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    let access = echotrace_server::Access::for_address(args.addr, args.token_file.as_ref())?;
    let guard = echotrace_server::Guard {
        access,
        per_second: args.rate_limit,
    };
    let embedder = if args.embed {
        Some(crate::input::load_embedder(args.model.as_deref())?)
    } else {
        None
    };
    echotrace_server::run(&args.db, args.addr, guard, embedder)?;
    Ok(ExitCode::SUCCESS)
}
