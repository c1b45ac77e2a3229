//! Command-line arguments and what each command does.
//!
//! Every command takes `--database-url` (also `VIENTRO_DATABASE_URL`), before or after the subcommand.
//! Commands call the services layer; this module only parses arguments and prints results.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use vientro_domain::admin_units::{AdminUnits, describe};
use vientro_services::Services;
use vientro_store::Db;

/// The default database: an SQLite file in the working directory, created and migrated on first use.
pub(crate) const DEFAULT_DATABASE_URL: &str = "sqlite://vientro.db";

/// vientro (viện trợ): mobilise, approve, track and report foreign non-governmental aid in Viet Nam.
#[derive(Debug, Parser)]
#[command(name = "vientro", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    /// Where the records are kept: sqlite://PATH (created if missing) or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "VIENTRO_DATABASE_URL", default_value = DEFAULT_DATABASE_URL)]
    database_url: String,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web application (creates and migrates the database first).
    Serve {
        /// Address and port to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Start with demonstration data (not for production).
        #[arg(long)]
        demo: bool,
    },
    /// Create the database if needed and bring its schema up to date.
    Migrate,
    /// Administrative units: the 63 provinces before 1 July 2025 and the 34 after, with the crosswalk.
    #[command(name = "admin-units", subcommand)]
    AdminUnits(AdminUnitsCommand),
    /// The audit log of every change.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Debug, Subcommand)]
enum AdminUnitsCommand {
    /// Find a province, district or commune by code or name (accents optional) and show what it became.
    Lookup {
        /// A code (04, 066, 02176) or a name ("Cư Lễ", "bac kan").
        name: String,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain of the audit log and report the first row that was tampered with.
    Verify,
}

/// Prints a line to standard output; a closed pipe (`vientro … | head`) ends output quietly instead of
/// panicking.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

async fn open(url: &str) -> anyhow::Result<Db> {
    let db = Db::connect(url)
        .await
        .with_context(|| format!("cannot open the database {}", vientro_store::db::redact_url(url)))?;
    db.migrate().await.context("cannot bring the database schema up to date")?;
    Ok(db)
}

pub(crate) async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Migrate => {
            let db = open(&cli.database_url).await?;
            let applied = db.applied_migrations().await?;
            say!(
                "database {} is up to date ({} migrations applied)",
                vientro_store::db::redact_url(&cli.database_url),
                applied.len()
            );
            db.close().await;
        }
        Command::AdminUnits(AdminUnitsCommand::Lookup { name }) => {
            let units = AdminUnits::embedded();
            let matches = units.lookup(&name);
            if matches.is_empty() {
                say!("no administrative unit matches '{name}'");
                return Ok(ExitCode::from(1));
            }
            for m in matches.iter().take(20) {
                say!("{}", describe(m));
            }
            if matches.len() > 20 {
                say!("… and {} more; give a longer name or a code", matches.len() - 20);
            }
        }
        Command::Audit(AuditCommand::Verify) => {
            let db = open(&cli.database_url).await?;
            let report = Services::new(db.clone()).verify_audit().await?;
            db.close().await;
            match report.first_broken {
                None => say!("audit log intact: {} rows verified", report.rows),
                Some((id, why)) => {
                    say!("audit log TAMPERED at row {id}: {why}");
                    return Ok(ExitCode::from(2));
                }
            }
        }
        Command::Serve { listen, demo } => {
            let db = open(&cli.database_url).await?;
            if demo {
                say!("demo mode: demonstration data is not loaded yet in this version");
            }
            let app = vientro_web::router(Services::new(db.clone()));
            let listener =
                tokio::net::TcpListener::bind(&listen).await.with_context(|| format!("cannot listen on {listen}"))?;
            let addr = listener.local_addr()?;
            say!(
                "vientro is serving on http://{addr}/ (database {})",
                vientro_store::db::redact_url(&cli.database_url)
            );
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await
                .context("the web server stopped with an error")?;
            db.close().await;
        }
    }
    Ok(ExitCode::SUCCESS)
}
