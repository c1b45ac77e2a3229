//! The `vientro` command: serve the web application, migrate the database, look up administrative units,
//! verify the audit log.
//!
//! Errors policy: `anyhow` with context here at the edge; user mistakes are printed as plain sentences that
//! name the field, and the process exits non-zero. This file must not hold business rules: it parses
//! arguments and calls the services layer.

mod bench_web;
mod cli;
mod match_cmd;
mod periodic_cmd;
mod render;
mod watch_cmd;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let args = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("VIENTRO_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("vientro: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(args)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("vientro: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
