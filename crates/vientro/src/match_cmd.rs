//! `vientro match`: organisations ranked for a province's priorities or a proposal, with their reasons, and
//! `vientro match backtest`, which measures the method against two baselines.
//!
//! It parses arguments and words the results; the ranking is the services' and the domain's. It must not
//! compute a score.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::NaiveDate;
use clap::Subcommand;
use rust_decimal::Decimal;
use vientro_domain::date::format_date_vi;
use vientro_domain::matching::BacktestScore;
use vientro_domain::money::{format_count_vi, format_number_vi};
use vientro_domain::sector::VnSector;
use vientro_services::Services;
use vientro_services::matching::{Backtest, MatchList, RankedProposal};
use vientro_web::i18n::{Catalog, Tr};

use crate::cli::{Lang, user_error};

/// Arguments of `vientro match`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct MatchArgs {
    #[command(subcommand)]
    command: Option<MatchCommand>,
    /// Province, by code or name (today's 34 or the 63 before 1 July 2025): ranked for its priority sectors.
    #[arg(long, conflicts_with_all = ["proposal", "organisation"])]
    province: Option<String>,
    /// A proposal of a call-for-aid list, by id: ranked for its sector, province and budget.
    #[arg(long, conflicts_with = "organisation")]
    proposal: Option<i64>,
    /// An organisation, by id: the open proposals of every call-for-aid list ranked for it (the reverse).
    #[arg(long)]
    organisation: Option<i64>,
    /// Sectors to match instead of the province's priorities (DAC code or national sector); repeatable.
    #[arg(long = "sector")]
    sectors: Vec<String>,
    /// Estimated budget in USD (whole dollars), to compare with each organisation's typical item.
    #[arg(long)]
    budget_usd: Option<u64>,
    /// The day to match on: the funding up to its year and the certificates valid on it (default: today).
    #[arg(long)]
    as_of: Option<NaiveDate>,
    /// How many organisations to list.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Language of the reasons.
    #[arg(long, value_enum, default_value_t = Lang::Vi)]
    lang: Lang,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum MatchCommand {
    /// Hide every item first funded after YEAR, rank organisations for it from the earlier records alone, and
    /// print hit rate at 5 and 10 and mean reciprocal rank beside two baselines.
    Backtest {
        /// The last year whose records the rankings may use.
        #[arg(long)]
        before: i32,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `vientro match`.
pub(crate) async fn run(services: &Services, args: &MatchArgs) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if let Some(MatchCommand::Backtest { before, json }) = &args.command {
        let result = services.match_backtest(*before).await.map_err(user_error)?;
        let text = if *json { serde_json::to_string_pretty(&result)? + "\n" } else { backtest_text(&result) };
        out.write_all(text.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let as_of = args.as_of.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let budget = args.budget_usd.map(|d| i64::try_from(d).unwrap_or(i64::MAX / 100).saturating_mul(100));
    if let Some(organisation) = args.organisation {
        let list = services.proposals_for_organisation(organisation, as_of, args.limit).await.map_err(user_error)?;
        let text = if args.json {
            serde_json::to_string_pretty(&list)? + "\n"
        } else {
            proposals_text(&list, args.lang == Lang::En)?
        };
        out.write_all(text.as_bytes())?;
        return Ok(ExitCode::SUCCESS);
    }
    let list = match (&args.province, args.proposal) {
        (Some(p), None) => services.match_for_province(p, &args.sectors, budget, as_of, args.limit).await,
        (None, Some(id)) => services.match_for_proposal(id, as_of, args.limit).await,
        _ => anyhow::bail!("give --province P, --proposal ID or --organisation ID (or the backtest subcommand)"),
    }
    .map_err(user_error)?;
    let text =
        if args.json { serde_json::to_string_pretty(&list)? + "\n" } else { list_text(&list, args.lang == Lang::En)? };
    out.write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn usd(minor: i64) -> String {
    format!("{} USD", format_number_vi(Decimal::new(minor, 2).round(), 0))
}

fn sector_names(sectors: &[VnSector], en: bool) -> String {
    let names: Vec<&str> = sectors.iter().map(|s| if en { s.name_en() } else { s.name_vi() }).collect();
    names.join("; ")
}

fn list_text(list: &MatchList, en: bool) -> anyhow::Result<String> {
    let catalog = Arc::new(Catalog::load().map_err(|e| anyhow::anyhow!("the message catalog: {e}"))?);
    let t = Tr::new(catalog, if en { vientro_web::i18n::Lang::En } else { vientro_web::i18n::Lang::Vi });
    let mut s = String::new();
    let sectors = sector_names(&list.sectors, en);
    if en {
        s.push_str(&format!("Organisations for {} ({sectors}), as of {}\n", list.need_label, list.as_of));
    } else {
        s.push_str(&format!(
            "Tổ chức phù hợp với {} ({sectors}), tính đến {}\n",
            list.need_label,
            format_date_vi(list.as_of)
        ));
    }
    if let Some(b) = list.budget_usd_minor {
        s.push_str(&format!("{} {}\n", if en { "Budget:" } else { "Nhu cầu kinh phí:" }, usd(b)));
    }
    if list.organisations.is_empty() {
        s.push_str(if en {
            "No organisation has funded anything yet.\n"
        } else {
            "Chưa có tổ chức nào tài trợ.\n"
        });
    }
    for o in &list.organisations {
        let country = o.country.as_deref().map(|c| format!(", {c}")).unwrap_or_default();
        let score = format_number_vi(Decimal::from_f64_retain(o.candidate.score * 100.0).unwrap_or_default(), 0);
        s.push_str(&format!(
            "{:>2}. {}{country} ({} {score}/100)\n",
            o.rank,
            o.name,
            if en { "score" } else { "điểm" }
        ));
        for r in &o.candidate.reasons {
            s.push_str(&format!("    - {}\n", t.reason(r)));
        }
    }
    Ok(s)
}

fn percent(x: f64) -> String {
    format!("{} %", format_number_vi(Decimal::from_f64_retain(x * 100.0).unwrap_or_default().round_dp(1), 1))
}

fn score_line(name: &str, s: &BacktestScore) -> String {
    format!(
        "| {name} | {} | {} | {} |\n",
        percent(s.hit_rate_at_5()),
        percent(s.hit_rate_at_10()),
        format_number_vi(Decimal::from_f64_retain(s.mean_reciprocal_rank()).unwrap_or_default().round_dp(3), 3)
    )
}

fn backtest_text(b: &Backtest) -> String {
    let mut s = format!(
        "Backtest: items first funded after {} hidden and ranked for from the records up to {} alone\n\
         items: {}; with a funder known before: {}; organisations ranked: {}\n\n\
         | ranking | hit@5 | hit@10 | MRR |\n|---|---:|---:|---:|\n",
        b.before,
        b.before,
        format_count_vi(b.cases as u64),
        format_count_vi(b.with_known_funder as u64),
        format_count_vi(b.candidates as u64),
    );
    s.push_str(&score_line("vientro match", &b.method));
    s.push_str(&score_line("vientro match without certificates", &b.method_without_registration));
    s.push_str(&score_line("baseline: most active overall", &b.most_active));
    s.push_str(&score_line("baseline: most active in the province", &b.most_active_in_province));
    let beats = |m: &BacktestScore, o: &BacktestScore| {
        m.hits_at_5 > o.hits_at_5 && m.hits_at_10 > o.hits_at_10 && m.reciprocal_rank_sum > o.reciprocal_rank_sum
    };
    let verdict = beats(&b.method, &b.most_active) && beats(&b.method, &b.most_active_in_province);
    s.push_str(&format!(
        "\nthe method {} both baselines on hit@5, hit@10 and MRR\n",
        if verdict { "beats" } else { "does NOT beat" }
    ));
    s
}

fn proposals_text(list: &[RankedProposal], en: bool) -> anyhow::Result<String> {
    let catalog = Arc::new(Catalog::load().map_err(|e| anyhow::anyhow!("the message catalog: {e}"))?);
    let t = Tr::new(catalog, if en { vientro_web::i18n::Lang::En } else { vientro_web::i18n::Lang::Vi });
    let mut s = String::new();
    if list.is_empty() {
        s.push_str(if en {
            "No open proposal to rank, or the organisation has funded nothing yet.\n"
        } else {
            "Không có dự án nào đang kêu gọi, hoặc tổ chức chưa tài trợ khoản nào.\n"
        });
    }
    for r in list {
        let p = &r.proposal;
        let score = format_number_vi(Decimal::from_f64_retain(r.candidate.score * 100.0).unwrap_or_default(), 0);
        let place = if en {
            format!("score {score}/100, #{} of the organisations for it", r.position)
        } else {
            format!("điểm {score}/100, đứng thứ {} trong các tổ chức phù hợp", r.position)
        };
        let units = vientro_domain::admin_units::AdminUnits::embedded();
        let province = vientro_domain::admin_units::ProvinceCode::parse(&p.province_code)
            .ok()
            .and_then(|c| units.province(&c, vientro_domain::admin_units::UnitSet::From2025))
            .map_or_else(|| p.province_code.clone(), |u| u.name.clone());
        s.push_str(&format!("{:>2}. [{}] {} ({province}; {place})\n", r.rank, p.id, p.title));
        for reason in &r.candidate.reasons {
            s.push_str(&format!("    - {}\n", t.reason(reason)));
        }
    }
    Ok(s)
}
