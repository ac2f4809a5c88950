//! `echotrace serve`: the HTTP API and the web UI over a store.

use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `serve`.
#[derive(clap::Args)]
pub struct ServeArgs {
    /// The store written by `ingest`.
    #[arg(long)]
    db: PathBuf,
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = echotrace_server::DEFAULT_ADDR)]
    addr: std::net::SocketAddr,
}

/// Serves until interrupted.
pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    echotrace_server::run(&args.db, args.addr)?;
    Ok(ExitCode::SUCCESS)
}
