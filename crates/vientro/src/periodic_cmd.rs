//! `vientro periodic`: a province's six-month or annual report to the centre, as text tables or an Excel
//! workbook (`--out FILE.xlsx`), in the words of the web application's message catalog; `vientro periodic
//! board` lists which provinces have sent theirs for a year.
//!
//! It parses arguments and prints; the figures, the problems and the board are the services'. It must not
//! compute a figure. `vientro periodic receive` records that the centre received a province's report.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use clap::Subcommand;
use vientro_domain::access::{Principal, Role};
use vientro_services::Services;
use vientro_services::periodic_report::{ReportPeriodKind, SubmissionState};
use vientro_web::i18n::{Catalog, Tr};
use vientro_web::pages::periodic::{heading, section_title, workbook_bytes};

use crate::cli::{Lang, user_error};
use crate::render::to_table;

/// Arguments of `vientro periodic`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct PeriodicArgs {
    #[command(subcommand)]
    command: Option<PeriodicCommand>,
    /// Province, by code or name (today's 34).
    #[arg(long)]
    province: Option<String>,
    /// The year the report covers.
    #[arg(long)]
    year: Option<i32>,
    /// six-month (January to June) or annual.
    #[arg(long, default_value = "annual")]
    period: String,
    /// Language.
    #[arg(long, value_enum, default_value_t = Lang::Vi)]
    lang: Lang,
    /// Write an Excel workbook (one sheet per table) to this file instead of printing.
    #[arg(long)]
    out: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
enum PeriodicCommand {
    /// Which provinces have sent their reports for a year: received (when), missing (past due) or not yet due.
    Board {
        /// The year the reports cover (default: last year).
        #[arg(long)]
        year: Option<i32>,
        /// The day to judge "past due" on (default: today).
        #[arg(long)]
        as_of: Option<NaiveDate>,
    },
    /// Record that the centre received a province's report (audited); the board and the watch list follow.
    Receive {
        /// Province, by code or name (today's 34).
        #[arg(long)]
        province: String,
        /// The year the report covers.
        #[arg(long)]
        year: i32,
        /// six-month or annual.
        #[arg(long)]
        period: String,
        /// The day it was received (default: today).
        #[arg(long)]
        on: Option<NaiveDate>,
    },
}

fn tr(lang: Lang) -> anyhow::Result<Tr> {
    let catalog = Arc::new(Catalog::load().map_err(|e| anyhow::anyhow!("the message catalog: {e}"))?);
    Ok(Tr::new(catalog, if lang == Lang::En { vientro_web::i18n::Lang::En } else { vientro_web::i18n::Lang::Vi }))
}

/// Runs `vientro periodic`, as central staff (the operator holds the whole database).
pub(crate) async fn run(services: &Services, args: &PeriodicArgs) -> anyhow::Result<ExitCode> {
    let tr = tr(args.lang)?;
    let mut out = std::io::stdout().lock();
    let today = vientro_web::i18n::today_in_viet_nam();
    if let Some(PeriodicCommand::Board { year, as_of }) = &args.command {
        let year = year.unwrap_or(today.year() - 1);
        let lines = services.report_submissions(year, as_of.unwrap_or(today)).await.map_err(user_error)?;
        let width = lines.iter().map(|l| l.province_name.chars().count()).max().unwrap_or(0);
        let mut missing = 0;
        for line in &lines {
            let cells: Vec<String> = line
                .reports
                .iter()
                .map(|(kind, state)| {
                    let what = tr.t(&format!("periodic-{}", kind.replace('_', "-")));
                    let state = match state {
                        SubmissionState::Received { on } => tr.t1("board-received", "date", tr.date(on)),
                        SubmissionState::Missing { due } => {
                            missing += 1;
                            tr.t1("board-missing", "date", tr.date(due))
                        }
                        SubmissionState::NotYetDue { due } => tr.t1("board-not-yet-due", "date", tr.date(due)),
                    };
                    format!("{what}: {state}")
                })
                .collect();
            let pad = width.saturating_sub(line.province_name.chars().count());
            writeln!(out, "{}  {}{}  {}", line.province_code, line.province_name, " ".repeat(pad), cells.join("; "))?;
        }
        writeln!(out, "\n{}", tr.t1("board-missing-count", "count", missing))?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(PeriodicCommand::Receive { province, year, period, on }) = &args.command {
        let kind = ReportPeriodKind::parse(period).map_err(|e| anyhow::anyhow!("period: {}", e.message))?;
        let on = on.unwrap_or(today);
        services
            .record_province_report(&crate::cli::cli_actor(), province, kind, *year, on)
            .await
            .map_err(user_error)?;
        let what = tr.t(&format!("periodic-{}", kind.as_str().replace('_', "-")));
        writeln!(out, "{province}: {what} {year} — {}", tr.t1("board-received", "date", tr.date(&on)))?;
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(province), Some(year)) = (&args.province, args.year) else {
        anyhow::bail!("give --province P and --year Y (or `vientro periodic board --year Y`)");
    };
    let kind = ReportPeriodKind::parse(&args.period).map_err(|e| anyhow::anyhow!("period: {}", e.message))?;
    let central = Principal::User { role: Role::Central, province: None, organisation: None };
    let report = services.periodic_report(&central, province, kind, year).await.map_err(user_error)?;
    if let Some(path) = &args.out {
        let note = services.illustrative_note(args.lang == Lang::En).await.map_err(user_error)?;
        let bytes = workbook_bytes(&tr, &report, note)?;
        std::fs::write(path, bytes).map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
        eprintln!("{}: {}", heading(&tr, &report), path.display());
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{}", heading(&tr, &report))?;
    writeln!(out, "{}", tr.t2("periodic-covers", "from", tr.date(&report.from), "to", tr.date(&report.to)))?;
    let received = match report.received_on {
        Some(on) => tr.t1("periodic-received", "date", tr.date(&on)),
        None => tr.t("periodic-not-received"),
    };
    writeln!(out, "{received}\n")?;
    for (i, section) in report.sections.iter().enumerate() {
        writeln!(
            out,
            "{}. {}\n{}",
            i + 1,
            section_title(&tr, section.key),
            to_table(&section.result, args.lang == Lang::En)
        )?;
    }
    writeln!(out, "{}. {}", report.sections.len() + 1, tr.t("periodic-section-problems"))?;
    if report.problems.is_empty() {
        writeln!(out, "{}", tr.t("watch-none"))?;
    }
    for alert in &report.problems {
        writeln!(out, "- {}", tr.alert(alert))?;
    }
    Ok(ExitCode::SUCCESS)
}
