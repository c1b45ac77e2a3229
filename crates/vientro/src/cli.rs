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
enum UserCommand {
    /// Create a user; the password is read from VIENTRO_PASSWORD or asked for on the terminal's standard input.
    Add {
        /// Login name.
        username: String,
        /// Role: admin, central, province_officer, province_approver, ngo_reporter, viewer.
        #[arg(long)]
        role: String,
        /// Province (code or name) of a provincial role.
        #[arg(long)]
        province: Option<String>,
        /// Organisation id of an NGO reporter.
        #[arg(long)]
        organisation: Option<i64>,
        /// Name shown in pages.
        #[arg(long)]
        display_name: Option<String>,
    },
    /// List users.
    List,
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create an API token for a user and print it (only its digest is stored; it cannot be shown again).
    Create {
        /// The user.
        #[arg(long)]
        user: String,
        /// What it is for.
        #[arg(long, default_value = "api")]
        label: String,
    },
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web application (creates and migrates the database first).
    Serve {
        /// Address and port to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Start with demonstration data and demonstration users (not for production).
        #[arg(long)]
        demo: bool,
        /// Send cookies without the Secure flag: only for plain-HTTP access from other machines on a
        /// trusted network (browsers accept Secure cookies from http://localhost and http://127.0.0.1).
        #[arg(long)]
        insecure_cookies: bool,
    },
    /// User accounts of the web application and the API.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens (for `Authorization: Bearer …`).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Create the database if needed and bring its schema up to date.
    Migrate,
    /// Administrative units: the 63 provinces before 1 July 2025 and the 34 after, with the crosswalk.
    #[command(name = "admin-units", subcommand)]
    AdminUnits(AdminUnitsCommand),
    /// The audit log of every change.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Exchange rates entered by officers (they take precedence over the vendored IMF/FRED tables).
    #[command(subcommand)]
    Rate(RateCommand),
    /// Take records in from files: IATI XML, or an Excel workbook or CSV of aid items.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Write records out to files.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Write the import template (with an instruction sheet in the workbook) in Vietnamese or English.
    Template {
        /// xlsx or csv.
        #[arg(value_enum)]
        format: SheetFormat,
        /// Language of the headers and instructions.
        #[arg(long, value_enum, default_value = "vi")]
        lang: Lang,
        /// Where to write it.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Measure: generate a large synthetic data set and time every report the product offers.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// Generate synthetic files for load tests (invented data: never publish or import them into real records).
    #[command(subcommand)]
    Gen(GenCommand),
    /// Write a consistent copy of the SQLite database to a new file while it serves, and check it
    /// (PostgreSQL: use pg_dump, see the README).
    Backup {
        /// The backup file to write (must not exist).
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Replace the SQLite database with a checked backup (stop the server first).
    Restore {
        /// The backup file.
        #[arg(long)]
        from: std::path::PathBuf,
        /// Replace a database that holds records.
        #[arg(long)]
        replace: bool,
    },
    /// Load the demonstration data (real Viet Nam IATI activities and an illustrative set, "minh họa").
    Demo,
    /// Any figure: measures grouped by dimensions, filtered, for a period or a date.
    ///
    /// Example: vientro report --measures committed_usd,disbursed_usd --by year --where province=04 --from 2016 --to 2021
    Report(ReportArgs),
    /// Organisations ranked for a province's priority sectors or a proposal, with the reasons; `match backtest`
    /// measures the method.
    Match(crate::match_cmd::MatchArgs),
    /// Alerts of the deadline rules on a day: certificates ending, reports missing, approvals without
    /// disbursement, appraisals overdue, disbursement behind schedule; `watch rules` shows or sets the rules.
    Watch(crate::watch_cmd::WatchArgs),
    /// A province's six-month or annual report to the centre (tables, or an Excel workbook with --out);
    /// `periodic board` shows which provinces have sent theirs.
    ///
    /// Example: vientro periodic --province "Cao Bằng" --year 2021 --period annual --out bao-cao-2021.xlsx
    Periodic(crate::periodic_cmd::PeriodicArgs),
    /// The paragraphs an officer reads out at a meeting: aid in a province over a year or a period.
    Briefing {
        /// Province, by code or name (today's 34, or one of the 63 before 1 July 2025).
        #[arg(long)]
        province: String,
        /// One year.
        #[arg(long, conflicts_with_all = ["from", "to"], required_unless_present = "from")]
        year: Option<i32>,
        /// First year of a period.
        #[arg(long, requires = "to")]
        from: Option<i32>,
        /// Last year of a period.
        #[arg(long, requires = "from")]
        to: Option<i32>,
        /// Language.
        #[arg(long, value_enum, default_value_t = Lang::Vi)]
        lang: Lang,
    },
}

/// Arguments of `vientro report`.
#[derive(Debug, clap::Args)]
struct ReportArgs {
    /// What to count or sum, comma-separated: items, organisations, committed_usd, committed_vnd, disbursed_usd,
    /// disbursed_vnd, committed_original, disbursed_original, disbursement_rate, items_approved,
    /// registered_organisations, certified_ngos.
    #[arg(long)]
    measures: String,
    /// What to group by, comma-separated: year, half_year, province, province_as_recorded, region, commune,
    /// commune_as_recorded, sector, sector_category, donor, donor_kind, donor_country, kind, approval_level, status.
    #[arg(long, default_value = "")]
    by: String,
    /// A filter DIMENSION=VALUE (several values: V1|V2); repeat for more. province= takes a code or a name.
    #[arg(long = "where", value_name = "DIMENSION=VALUE")]
    filters: Vec<String>,
    /// First year (or day) of the period; flows are selected by value date.
    #[arg(long)]
    from: Option<String>,
    /// Last year (or day) of the period.
    #[arg(long)]
    to: Option<String>,
    /// Instead of a period: what is active on this day (YYYY-MM-DD).
    #[arg(long)]
    as_of: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// Write to this file instead of standard output (required for xlsx).
    #[arg(long)]
    out: Option<std::path::PathBuf>,
    /// Language of labels.
    #[arg(long, value_enum, default_value_t = Lang::Vi)]
    lang: Lang,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Table,
    Json,
    Csv,
    Xlsx,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Lang {
    Vi,
    En,
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
enum ImportCommand {
    /// IATI activity XML (1.0x–2.03): files or folders of .xml; problems are listed with their place, never fatal.
    Iati(IatiImportArgs),
    /// Aid items from an Excel workbook (.xlsx, .xls, .ods); every bad row is listed with its line and column
    /// before anything is written.
    Xlsx(SheetArgs),
    /// Aid items from a UTF-8 CSV file (comma, semicolon or tab separated).
    Csv(SheetArgs),
}

/// Arguments of `vientro import iati`.
#[derive(Debug, clap::Args)]
pub(crate) struct IatiImportArgs {
    /// Files or folders (searched recursively for .xml files).
    #[arg(required = true)]
    paths: Vec<std::path::PathBuf>,
    /// Keep only activities for this recipient country (e.g. VN), amounts reduced to its share.
    #[arg(long)]
    country: Option<String>,
    /// Do everything and report it, then keep nothing.
    #[arg(long)]
    dry_run: bool,
    /// Write the problems as CSV (source,line,element,kind,message) to this file.
    #[arg(long)]
    problems: Option<std::path::PathBuf>,
    /// Activities per transaction.
    #[arg(long, default_value_t = vientro_services::iati_import::DEFAULT_BATCH_SIZE)]
    batch_size: usize,
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// The aid items imported from IATI, as one IATI 2.03 activity file.
    Iati {
        /// DIMENSION=VALUE[|VALUE…] as in reports (province, donor, sector, kind, status, …).
        #[arg(long = "where", value_name = "DIMENSION=VALUE")]
        filters: Vec<String>,
        /// The file to write.
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SheetFormat {
    Xlsx,
    Csv,
}

/// Arguments of `vientro import xlsx|csv`.
#[derive(Debug, clap::Args)]
pub(crate) struct SheetArgs {
    /// The file to import.
    file: std::path::PathBuf,
    /// A column mapping: a JSON file, or the name of a mapping saved in the web app's sheet preview; without it
    /// the mapping is suggested from the headers.
    #[arg(long)]
    mapping: Option<std::path::PathBuf>,
    /// Save the mapping used (suggested or given) to this file, for the next sheet of the same shape.
    #[arg(long)]
    save_mapping: Option<std::path::PathBuf>,
    /// Check everything, database rules included, and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Import the valid rows and skip the bad ones (otherwise any bad row refuses the whole file).
    #[arg(long)]
    only_valid_rows: bool,
    /// The worksheet to read (default: the first).
    #[arg(long)]
    sheet: Option<String>,
}

#[derive(Debug, Subcommand)]
enum GenCommand {
    /// A deterministic IATI 2.03 activity file that validates against the schema: invented NGO activities in
    /// Viet Nam with participants, sectors, locations, about 8 transactions and 2 budgets each.
    Iati {
        /// Activities to write.
        #[arg(long, default_value_t = 10_000)]
        activities: usize,
        /// Seed: the same seed and count give the same bytes.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write the file.
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum BenchCommand {
    /// Generate an IATI file, time `xmllint --stream` on it, then import it into a new SQLite file (and an empty
    /// PostgreSQL database when given); prints a Markdown table with the machine it ran on.
    Import {
        /// Activities to generate.
        #[arg(long, default_value_t = 10_000)]
        activities: usize,
        /// Seed of the generator.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Folder for the generated file and SQLite database (both deleted afterwards).
        #[arg(long, default_value_os_t = std::env::temp_dir())]
        dir: std::path::PathBuf,
        /// Also import into this PostgreSQL database, which must hold no aid items.
        #[arg(long)]
        postgres_url: Option<String>,
    },
    /// Time the list pages, dashboards and API lists at scale: generate items into a SQLite file (or reuse
    /// it when it already holds items), then render each page through the whole application.
    Web {
        /// Aid items to generate when the database is empty.
        #[arg(long, default_value_t = 100_000)]
        items: usize,
        /// Timed requests per page (after one warm-up).
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// The SQLite file to generate into or reuse (kept, so `scripts/load-test` can serve it).
        #[arg(long)]
        database: std::path::PathBuf,
    },
    /// Generate items and flows into a new SQLite file (and an empty PostgreSQL database when given), then time
    /// each report; prints Markdown tables with the machine they ran on.
    Reports {
        /// Aid items to generate.
        #[arg(long, default_value_t = 100_000)]
        items: usize,
        /// Flows per item.
        #[arg(long, default_value_t = 10)]
        flows_per_item: usize,
        /// Timed runs of each report (after one warm-up run).
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Folder for the generated SQLite file (deleted afterwards).
        #[arg(long, default_value_os_t = std::env::temp_dir())]
        dir: std::path::PathBuf,
        /// Also run on this PostgreSQL database, which must hold no aid items.
        #[arg(long)]
        postgres_url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum RateCommand {
    /// Enter a rate: units of CURRENCY per 1 USD for a day (2025-03-14), a month (2025-03) or a year (2025).
    Add {
        /// ISO 4217 code, e.g. VND.
        #[arg(long)]
        currency: String,
        /// The day, month or year the rate is for.
        #[arg(long)]
        period: String,
        /// Units of the currency per 1 USD, e.g. 25450 (a comma or a point for decimals).
        #[arg(long)]
        units_per_usd: String,
        /// Where the rate comes from (e.g. "SBV central rate" or a decision number).
        #[arg(long)]
        note: Option<String>,
    },
    /// List the entered rates.
    List,
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
        Command::Rate(RateCommand::Add { currency, period, units_per_usd, note }) => {
            let db = open(&cli.database_url).await?;
            let id = Services::new(db.clone()).enter_rate(&cli_actor(), &currency, &period, &units_per_usd, note).await;
            db.close().await;
            let id = id.map_err(user_error)?;
            say!("rate {id} entered: 1 USD = {units_per_usd} {currency} for {period}");
        }
        Command::Rate(RateCommand::List) => {
            let db = open(&cli.database_url).await?;
            let rows = vientro_store::rates::list(&mut db.clone()).await?;
            db.close().await;
            if rows.is_empty() {
                say!("no rates entered; the vendored monthly tables (to 2024-09 for VND) are used");
            }
            for r in rows {
                say!(
                    "{} {} {} {} {} {}",
                    r.currency,
                    r.period_kind,
                    r.period_start,
                    r.units_per_usd,
                    r.source,
                    r.note.unwrap_or_default()
                );
            }
        }
        Command::Import(ImportCommand::Iati(args)) => {
            let db = open(&cli.database_url).await?;
            let opts = vientro_services::iati_import::ImportOptions {
                country: args.country.clone(),
                dry_run: args.dry_run,
                batch_size: args.batch_size,
                actor: cli_actor(),
            };
            let summary = Services::new(db.clone()).import_iati(&args.paths, &opts).await;
            db.close().await;
            let summary = summary.map_err(user_error)?;
            for p in summary.problems.iter().take(50) {
                say!("{p}");
            }
            if summary.problems.len() > 50 {
                say!("… and {} more problems (use --problems FILE)", summary.problems.len() - 50);
            }
            if let Some(path) = &args.problems {
                std::fs::write(path, summary.problems_csv())
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            say!("{}", summary.describe());
            return Ok(if summary.nothing_read() { ExitCode::from(1) } else { ExitCode::SUCCESS });
        }
        Command::Export(ExportCommand::Iati { filters, out }) => {
            let filters = filters
                .iter()
                .map(|w| vientro_domain::report::Filter::parse(w))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| user_error(vientro_domain::ValidationErrors::from(e).into()))?;
            let db = open(&cli.database_url).await?;
            // Written beside the target and renamed at the end, so a failed export leaves no half file.
            let part = out.with_extension("xml.part");
            let mut file = std::io::BufWriter::new(
                std::fs::File::create(&part).with_context(|| format!("cannot write {}", part.display()))?,
            );
            let summary = Services::new(db.clone()).export_iati(&filters, &mut file).await;
            db.close().await;
            let summary = match summary {
                Ok(s) => s,
                Err(e) => {
                    drop(file);
                    let _ = std::fs::remove_file(&part);
                    return Err(user_error(e));
                }
            };
            file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
            std::fs::rename(&part, &out)?;
            say!(
                "{} activities, {} transactions written to {}",
                summary.activities,
                summary.transactions,
                out.display()
            );
        }
        Command::Import(ImportCommand::Xlsx(args)) => {
            return import_sheet(&cli.database_url, SheetFormat::Xlsx, &args).await;
        }
        Command::Import(ImportCommand::Csv(args)) => {
            return import_sheet(&cli.database_url, SheetFormat::Csv, &args).await;
        }
        Command::Template { format, lang, out } => {
            use vientro_interchange::sheet;
            let lang = match lang {
                Lang::Vi => sheet::Lang::Vi,
                Lang::En => sheet::Lang::En,
            };
            let bytes = match format {
                SheetFormat::Xlsx => sheet::template_xlsx(lang)?,
                SheetFormat::Csv => sheet::template_csv(lang),
            };
            std::fs::write(&out, bytes).with_context(|| format!("cannot write {}", out.display()))?;
            say!("template written to {}", out.display());
        }
        Command::Bench(BenchCommand::Web { items, runs, database }) => {
            say!("{}", crate::bench_web::bench_web(items, runs, &database).await?);
        }
        Command::Bench(BenchCommand::Reports { items, flows_per_item, runs, dir, postgres_url }) => {
            bench_reports(items, flows_per_item, runs, &dir, postgres_url.as_deref()).await?;
        }
        Command::Bench(BenchCommand::Import { activities, seed, dir, postgres_url }) => {
            let file = dir.join(format!("vientro-bench-import-{}-{activities}.xml", std::process::id()));
            let result = bench_import(activities, seed, &file, postgres_url.as_deref()).await;
            let _ = std::fs::remove_file(&file);
            result?;
        }
        Command::Gen(GenCommand::Iati { activities, seed, out }) => {
            // Written beside the target and renamed at the end, so a failed run leaves no half file.
            let part = out.with_extension("xml.part");
            let stats = write_generated_iati(activities, seed, &part);
            let stats = match stats {
                Ok(s) => s,
                Err(e) => {
                    let _ = std::fs::remove_file(&part);
                    return Err(e);
                }
            };
            std::fs::rename(&part, &out)?;
            say!(
                "{} activities, {} transactions ({:.1} MB, seed {seed}) written to {}",
                stats.activities,
                stats.transactions,
                stats.bytes as f64 / 1e6,
                out.display()
            );
        }
        Command::Backup { out } => {
            let db = open(&cli.database_url).await?;
            let checked = vientro_store::backup::backup(&db, &out).await;
            db.close().await;
            let checked = checked.map_err(|e| anyhow::anyhow!("{e}"))?;
            say!("{}", describe_backup("backup written and checked", &checked));
        }
        Command::Restore { from, replace } => {
            let checked = vientro_store::backup::restore(&from, &cli.database_url, replace)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            say!("{}", describe_backup("database restored from a checked backup", &checked));
        }
        Command::Demo => {
            let db = open(&cli.database_url).await?;
            let summary = vientro_services::demo::load(&Services::new(db.clone())).await.map_err(user_error)?;
            db.close().await;
            if summary.already_loaded {
                say!("the demonstration data is already loaded; nothing changed");
            } else {
                say!(
                    "demonstration data loaded: {} organisations, {} aid items, {} flows (illustrative records are marked \"minh họa\")",
                    summary.organisations,
                    summary.items,
                    summary.flows
                );
            }
        }
        Command::Briefing { province, year, from, to, lang } => {
            let (from, to) = match (year, from, to) {
                (Some(y), _, _) => (y, y),
                (None, Some(f), Some(t)) => (f, t),
                _ => anyhow::bail!("give --year Y or --from Y1 --to Y2"),
            };
            let db = open(&cli.database_url).await?;
            let lang = if lang == Lang::En {
                vientro_services::briefing::BriefingLang::En
            } else {
                vientro_services::briefing::BriefingLang::Vi
            };
            let briefing = Services::new(db.clone()).briefing(&province, from, to, lang).await.map_err(user_error);
            db.close().await;
            let text = briefing?.to_text();
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
        }
        Command::User(UserCommand::Add { username, role, province, organisation, display_name }) => {
            let password = match std::env::var("VIENTRO_PASSWORD") {
                Ok(p) => p,
                Err(_) => {
                    eprint!("password for {username}: ");
                    let mut line = String::new();
                    std::io::stdin().read_line(&mut line).context("cannot read the password")?;
                    line.trim_end_matches(['\r', '\n']).to_owned()
                }
            };
            let db = open(&cli.database_url).await?;
            let input = vientro_services::accounts::UserInput {
                username: username.clone(),
                display_name,
                password,
                role,
                province,
                organisation,
            };
            let result = Services::new(db.clone()).add_user(&cli_actor(), &input).await;
            db.close().await;
            let id = result.map_err(user_error)?;
            say!("user {username} created (id {id})");
        }
        Command::User(UserCommand::List) => {
            let db = open(&cli.database_url).await?;
            let mut handle = db.clone();
            let users = vientro_store::accounts::users(&mut handle).await;
            db.close().await;
            for u in users? {
                say!(
                    "{:<16} {:<18} {:<4} {}",
                    u.username,
                    u.role,
                    u.province_code.unwrap_or_default(),
                    u.organisation_id.map(|o| o.to_string()).unwrap_or_default()
                );
            }
        }
        Command::Token(TokenCommand::Create { user, label }) => {
            let db = open(&cli.database_url).await?;
            let result = Services::new(db.clone()).create_token(&cli_actor(), &user, &label).await;
            db.close().await;
            let token = result.map_err(user_error)?;
            println!("{token}");
            eprintln!("API token for {user} created; use it as 'Authorization: Bearer <token>'. It is shown only now.");
        }
        Command::Watch(args) => {
            let db = open(&cli.database_url).await?;
            let result = crate::watch_cmd::run(&Services::new(db.clone()), &args).await;
            db.close().await;
            return result;
        }
        Command::Periodic(args) => {
            let db = open(&cli.database_url).await?;
            let result = crate::periodic_cmd::run(&Services::new(db.clone()), &args).await;
            db.close().await;
            return result;
        }
        Command::Match(args) => {
            let db = open(&cli.database_url).await?;
            let result = crate::match_cmd::run(&Services::new(db.clone()), &args).await;
            db.close().await;
            return result;
        }
        Command::Report(args) => {
            let db = open(&cli.database_url).await?;
            let result = report(&Services::new(db.clone()), &args).await;
            db.close().await;
            return result;
        }
        Command::Serve { listen, demo, insecure_cookies } => {
            let db = open(&cli.database_url).await?;
            let loading = if demo {
                // The server answers at once; the demonstration data (one transaction, so readers see all of
                // it or none) and the demonstration users arrive in the background a few seconds later.
                say!(
                    "demo users (password \"{}\"), ready once the demonstration data is in:",
                    vientro_services::demo::users::DEMO_PASSWORD
                );
                for (name, what) in vientro_services::demo::users::DEMO_USERS {
                    say!("  {name:<10} {what}");
                }
                let services = Services::new(db.clone());
                Some(tokio::spawn(async move {
                    match load_demo_for_serve(&services).await {
                        Ok(line) => say!("{line}"),
                        Err(e) => eprintln!("vientro: the demonstration data could not be loaded: {e:#}"),
                    }
                }))
            } else {
                None
            };
            let options = vientro_web::Options { demo, secure_cookies: !insecure_cookies };
            let app = vientro_web::app(Services::new(db.clone()), options)
                .into_make_service_with_connect_info::<std::net::SocketAddr>();
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
            if let Some(task) = loading {
                task.abort();
            }
            db.close().await;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Loads the demonstration data, the VND rates after the vendored table and the demonstration users.
async fn load_demo_for_serve(services: &Services) -> anyhow::Result<String> {
    let summary = vientro_services::demo::load(services).await.map_err(user_error)?;
    vientro_services::demo::users::ensure_demo_rates(services).await.map_err(user_error)?;
    vientro_services::demo::users::ensure_demo_users(services).await.map_err(user_error)?;
    Ok(if summary.already_loaded {
        "demo mode: the demonstration data was already in this database; demo users ready".to_owned()
    } else {
        format!("demo mode: demonstration data loaded ({} aid items); demo users ready", summary.items)
    })
}

/// Turns a services error into a message for the person at the terminal (field errors one per line).
pub(crate) fn user_error(e: vientro_services::ServiceError) -> anyhow::Error {
    match e {
        vientro_services::ServiceError::Invalid(errors) => {
            anyhow::anyhow!(
                "{}",
                errors.0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("\n")
            )
        }
        other => anyhow::Error::new(other),
    }
}

async fn report(services: &Services, args: &ReportArgs) -> anyhow::Result<ExitCode> {
    let input = vientro_domain::report::ReportQueryInput {
        measures: args.measures.clone(),
        by: args.by.clone(),
        filters: args.filters.clone(),
        from: args.from.clone(),
        to: args.to.clone(),
        as_of: args.as_of.clone(),
    };
    let query = input.parse().map_err(|e| user_error(e.into()))?;
    let result = services.report(&query).await.map_err(user_error)?;
    let lang = if args.lang == Lang::En {
        vientro_interchange::report_export::Lang::En
    } else {
        vientro_interchange::report_export::Lang::Vi
    };
    let note = services.illustrative_note(args.lang == Lang::En).await.map_err(user_error)?;
    let bytes: Vec<u8> = match args.format {
        Format::Table => {
            let mut text = crate::render::to_table(&result, args.lang == Lang::En);
            if let Some(n) = &note {
                text.push('\n');
                text.push_str(n);
                text.push('\n');
            }
            text.into_bytes()
        }
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&crate::render::to_json(&result))?;
            s.push('\n');
            s.into_bytes()
        }
        Format::Csv => vientro_interchange::report_export::to_csv(&result, lang),
        Format::Xlsx => {
            if args.out.is_none() {
                anyhow::bail!("--format xlsx writes a binary file: give --out FILE.xlsx");
            }
            let meta = vientro_interchange::report_export::ExportMeta {
                title: report_title(&result, args.lang),
                generated_at: chrono::Utc::now(),
                source_note: note.map(|n| format!("vientro. {n}")).unwrap_or_else(|| "vientro".to_owned()),
                lang,
            };
            vientro_interchange::report_export::to_xlsx(&result, &meta)?
        }
    };
    match &args.out {
        Some(path) => {
            std::fs::write(path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
            say!("wrote {} ({} rows)", path.display(), result.rows.len());
        }
        None => {
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(&bytes);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn report_title(result: &vientro_domain::report::ReportResult, lang: Lang) -> String {
    let measures: Vec<&str> =
        result.query.measures.iter().map(|m| if lang == Lang::En { m.label_en() } else { m.label_vi() }).collect();
    let by: Vec<&str> =
        result.query.by.iter().map(|d| if lang == Lang::En { d.label_en() } else { d.label_vi() }).collect();
    let joiner = if lang == Lang::En { " by " } else { " theo " };
    if by.is_empty() { measures.join(", ") } else { format!("{}{joiner}{}", measures.join(", "), by.join(", ")) }
}

/// A backup check in a few lines: file, size, schema, audit rows, and the tables that hold rows.
fn describe_backup(what: &str, c: &vientro_store::backup::BackupCheck) -> String {
    let held: Vec<String> = c.tables.iter().filter(|(_, n)| *n > 0).map(|(t, n)| format!("{t} {n}")).collect();
    format!(
        "{what}: {} ({:.1} MB)\nintegrity: ok; migrations: {}; audit chain: {} rows, verified\nrows: {}",
        c.file.display(),
        c.bytes as f64 / 1e6,
        c.migrations,
        c.audit_rows,
        held.join(", ")
    )
}

/// The actor recorded for commands run at the terminal.
pub(crate) fn cli_actor() -> vientro_services::Actor {
    vientro_services::Actor::named(format!("cli:{}", std::env::var("USER").unwrap_or_else(|_| "unknown".into())))
}

/// Exit 0 when the run completed (imported, dry run, or nothing to import); 1 when rows were refused and
/// nothing was written (or the mapping does not fit the sheet).
async fn import_sheet(database_url: &str, format: SheetFormat, args: &SheetArgs) -> anyhow::Result<ExitCode> {
    use vientro_interchange::sheet;
    use vientro_services::sheet_import::{SheetImportOptions, SheetImportOutcome};

    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let raw = match format {
        SheetFormat::Xlsx => sheet::read_xlsx(&bytes, args.sheet.as_deref()),
        SheetFormat::Csv => sheet::read_csv(&bytes),
    }
    .with_context(|| format!("cannot read {}", args.file.display()))?;
    let mapping = match &args.mapping {
        Some(path) if path.is_file() => {
            let text = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
            serde_json::from_slice::<sheet::Mapping>(&text)
                .with_context(|| format!("{} is not a column mapping", path.display()))?
        }
        Some(name) => {
            let db = open(database_url).await?;
            let saved = Services::new(db.clone()).sheet_mapping(&name.to_string_lossy()).await;
            db.close().await;
            saved.map_err(|e| {
                anyhow::anyhow!("{}: neither a mapping file nor the name of a saved mapping ({e})", name.display())
            })?
        }
        None => sheet::suggest_mapping(&raw.headers),
    };
    if let Some(path) = &args.save_mapping {
        std::fs::write(path, serde_json::to_vec_pretty(&mapping)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    say!("columns (header row {}):", raw.header_line);
    for c in &mapping.columns {
        say!("  \"{}\" → {}", c.header, c.field.map_or("(ignored)", |f| f.as_str()));
    }
    let preview = match sheet::parse_rows(&raw, &mapping, &sheet::RowDefaults::default()) {
        Ok(p) => p,
        Err(e) => {
            say!("{e}");
            return Ok(ExitCode::from(1));
        }
    };
    for s in &preview.skipped {
        say!("line {}: left out ({})", s.line, s.reason);
    }
    for e in &preview.bad {
        say!("{e}");
    }
    say!("{} rows read: {} good, {} bad", preview.rows_read, preview.good.len(), preview.bad_lines().len());

    let db = open(database_url).await?;
    let opts = SheetImportOptions { dry_run: args.dry_run, only_valid_rows: args.only_valid_rows };
    let summary = Services::new(db.clone()).import_sheet(&cli_actor(), &preview, &opts).await;
    db.close().await;
    let summary = summary.map_err(user_error)?;
    // Rows only the database could refuse (duplicate code, new donor without a country, no rate).
    for e in summary.skipped.iter().filter(|e| !preview.bad.contains(e)) {
        say!("{e}");
    }
    let mut skipped_lines: Vec<usize> = summary.skipped.iter().map(|e| e.line).collect();
    skipped_lines.dedup();
    match summary.outcome {
        SheetImportOutcome::Imported => {
            say!(
                "imported {} of {} rows; {} skipped{}",
                summary.imported,
                summary.rows_read,
                skipped_lines.len(),
                if summary.donors_created.is_empty() {
                    String::new()
                } else {
                    format!("; new donors: {}", summary.donors_created.join(", "))
                }
            );
            Ok(ExitCode::SUCCESS)
        }
        SheetImportOutcome::DryRun => {
            say!(
                "dry run: {} rows would be imported, {} skipped; nothing written",
                summary.rows.len(),
                skipped_lines.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        SheetImportOutcome::Refused => {
            say!(
                "nothing written: {} bad rows; correct them, or run again with --only-valid-rows",
                skipped_lines.len()
            );
            Ok(ExitCode::from(1))
        }
    }
}

/// Generates and times on each backend; `--database-url` is not used (the bench makes its own databases).
async fn bench_reports(
    items: usize,
    flows_per_item: usize,
    runs: usize,
    dir: &std::path::Path,
    postgres_url: Option<&str>,
) -> anyhow::Result<()> {
    use vientro_services::bench::{
        BenchConfig, generate, machine_description, render_comparison, render_timings, time_reports,
    };
    let cfg = BenchConfig { items, flows_per_item, runs, ..BenchConfig::default() };
    let machine = machine_description();
    let mut results = Vec::new();
    let path = dir.join(format!("vientro-bench-{}-{items}x{flows_per_item}.sqlite", std::process::id()));
    let url = format!("sqlite://{}", path.display());
    let db = open(&url).await?;
    let stats = generate(&db, &cfg, |m| eprintln!("[sqlite] {m}")).await.map_err(user_error)?;
    db.close().await;
    // Timed on a new connection, as a restarted server would answer.
    let db = open(&url).await?;
    let timings = time_reports(&Services::new(db.clone()), &cfg).await.map_err(user_error)?;
    db.close().await;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    say!("{}", render_timings(&machine, "SQLite", &cfg, &stats, &timings));
    results.push(("SQLite", timings));
    if let Some(pg) = postgres_url {
        let db = open(pg).await?;
        let existing: Option<vientro_store::db::Scalar> = vientro_store::Exec::fetch_optional(
            &mut db.clone(),
            vientro_store::Stmt::new("SELECT COUNT(*) FROM aid_item"),
        )
        .await?;
        if existing.is_some_and(|n| n.0 > 0) {
            anyhow::bail!(
                "the PostgreSQL database already holds aid items; give an empty one (createdb vientro_bench)"
            );
        }
        let stats = generate(&db, &cfg, |m| eprintln!("[postgres] {m}")).await.map_err(user_error)?;
        let timings = time_reports(&Services::new(db.clone()), &cfg).await.map_err(user_error)?;
        db.close().await;
        say!("{}", render_timings(&machine, "PostgreSQL", &cfg, &stats, &timings));
        results.push(("PostgreSQL", timings));
    }
    if let [a, b] = results.as_slice() {
        say!("{}", render_comparison((a.0, &a.1), (b.0, &b.1)));
    }
    Ok(())
}

/// Writes a generated IATI file to `path` and syncs it.
fn write_generated_iati(
    activities: usize,
    seed: u64,
    path: &std::path::Path,
) -> anyhow::Result<vientro_interchange::iati::generate::GenerateStats> {
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?,
    );
    let stats = vientro_interchange::iati::generate::generate(activities, seed, &mut file)?;
    file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    Ok(stats)
}

/// Generates `file`, then imports it on each backend and prints the timings; `--database-url` is not used
/// (the bench makes its own SQLite database). The caller deletes `file`.
async fn bench_import(
    activities: usize,
    seed: u64,
    file: &std::path::Path,
    postgres_url: Option<&str>,
) -> anyhow::Result<()> {
    use vientro_services::bench::machine_description;
    use vientro_services::bench_import::{self as bench, render_import_timings, time_xmllint_stream};
    let stats = write_generated_iati(activities, seed, file)?;
    eprintln!("generated {} activities ({:.1} MB) in {}", stats.activities, stats.bytes as f64 / 1e6, file.display());
    let xmllint = time_xmllint_stream(file);
    if xmllint.is_none() {
        eprintln!(
            "xmllint is not installed: the ratio to the bare parse is not measured (apt-get install libxml2-utils)"
        );
    }
    let opts = vientro_services::iati_import::ImportOptions { actor: cli_actor(), ..Default::default() };
    let mut timings = Vec::new();

    let path = file.with_extension("sqlite");
    let db = open(&format!("sqlite://{}", path.display())).await?;
    let timing = bench::bench_import(&db, file, &opts, xmllint).await;
    db.close().await;
    let mut timing = timing.map_err(user_error)?;
    let floor_path = file.with_extension("floor.sqlite");
    eprintln!("timing SQLite's own copy of the imported rows (the write floor)");
    timing.write_floor = Some(vientro_store::write_floor::copy_rows(&path, &floor_path).await?);
    for p in [&path, &floor_path] {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
        }
    }
    timings.push(timing);

    if let Some(pg) = postgres_url {
        let db = open(pg).await?;
        let existing: Option<vientro_store::db::Scalar> = vientro_store::Exec::fetch_optional(
            &mut db.clone(),
            vientro_store::Stmt::new("SELECT COUNT(*) FROM aid_item"),
        )
        .await?;
        if existing.is_some_and(|n| n.0 > 0) {
            db.close().await;
            anyhow::bail!(
                "the PostgreSQL database already holds aid items; give an empty one (createdb vientro_bench)"
            );
        }
        let timing = bench::bench_import(&db, file, &opts, xmllint).await;
        db.close().await;
        timings.push(timing.map_err(user_error)?);
    }
    say!("{}", render_import_timings(&machine_description(), activities, seed, &timings));
    Ok(())
}
