//! The province's six-month and annual report to the centre on foreign non-governmental aid (organisations
//! active, certificates, items by kind, committed and disbursed, by donor, sector and commune, approvals,
//! problems), and the centre's board of which provinces have sent theirs.
//!
//! Every figure comes from [`Services::report`] (one definition per figure) and every problem from the watch
//! list; this module only chooses the questions, names the sections and reads which reports were received. It
//! must not query the report facts itself nor format numbers for display.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use vientro_domain::access::{Principal, Role};
use vientro_domain::admin_units::{AdminUnits, UnitSet};
use vientro_domain::report::{Dimension, Filter, Measure, Period, ReportQuery, ReportResult};
use vientro_domain::watch::Alert;
use vientro_domain::{ValidationError, ValidationErrors};

use crate::{ServiceError, Services};

/// Which periodic report: the codes are the report kinds of the watch rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportPeriodKind {
    /// January to June.
    SixMonth,
    /// The calendar year.
    Annual,
}

impl ReportPeriodKind {
    /// The code (`six_month`, `annual`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SixMonth => "six_month",
            Self::Annual => "annual",
        }
    }

    /// Parses a code (`six-month` is taken too).
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        match s.trim().replace('-', "_").as_str() {
            "six_month" => Ok(Self::SixMonth),
            "annual" => Ok(Self::Annual),
            other => Err(ValidationError::new(
                "period",
                "error-report-period",
                format!("'{other}' is not a report period: six_month or annual"),
            )),
        }
    }

    /// The first and last day the report for `year` covers.
    pub fn range(self, year: i32) -> Option<(NaiveDate, NaiveDate)> {
        let to = match self {
            Self::SixMonth => NaiveDate::from_ymd_opt(year, 6, 30)?,
            Self::Annual => NaiveDate::from_ymd_opt(year, 12, 31)?,
        };
        Some((NaiveDate::from_ymd_opt(year, 1, 1)?, to))
    }
}

/// One table of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportSection {
    /// Stable key: `summary`, `donor_kinds`, `donors`, `kinds`, `sectors`, `communes`, `approvals`,
    /// `registrations` (organisations registered to operate in the province: their certificates' footprint).
    pub key: &'static str,
    /// The figures.
    pub result: ReportResult,
}

/// A province's periodic report.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodicReport {
    /// Today's province code.
    pub province_code: String,
    /// Its name ("Tỉnh Cao Bằng").
    pub province_name: String,
    /// Six-month or annual.
    pub kind: ReportPeriodKind,
    /// The year covered.
    pub year: i32,
    /// First day covered.
    pub from: NaiveDate,
    /// Last day covered.
    pub to: NaiveDate,
    /// The tables, in reading order.
    pub sections: Vec<ReportSection>,
    /// The watch list's alerts concerning the province at the end of the period, as far as the reader is
    /// responsible for them (none for the public).
    pub problems: Vec<Alert>,
    /// When the centre received this report, if it has.
    pub received_on: Option<NaiveDate>,
}

/// Where one province stands with one report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SubmissionState {
    /// Received on that day.
    Received {
        /// The day.
        on: NaiveDate,
    },
    /// Past its due day and not received.
    Missing {
        /// The due day.
        due: NaiveDate,
    },
    /// Not due yet.
    NotYetDue {
        /// The due day.
        due: NaiveDate,
    },
}

/// One province's line on the centre's board.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SubmissionLine {
    /// Today's province code.
    pub province_code: String,
    /// Its name.
    pub province_name: String,
    /// Per report kind (as in the watch rules), where the province stands.
    pub reports: BTreeMap<String, SubmissionState>,
}

fn invalid(field: &str, code: &'static str, message: String) -> ServiceError {
    ValidationErrors::from(ValidationError::new(field, code, message)).into()
}

impl Services {
    /// The periodic report of a province (today's, by code or name) for a six-month period or a year, as
    /// `who` may read it: the figures are the public aggregates every dashboard shows; the problems are
    /// those `who` is responsible for.
    pub async fn periodic_report(
        &self,
        who: &Principal,
        province: &str,
        kind: ReportPeriodKind,
        year: i32,
    ) -> Result<PeriodicReport, ServiceError> {
        // A province's report to the centre is the province's and the centre's; an NGO reporter has its own.
        if matches!(who, Principal::User { role: Role::NgoReporter, .. }) {
            return Err(ServiceError::Forbidden(
                "a province's periodic report is for the province and the centre".into(),
            ));
        }
        let units = AdminUnits::embedded();
        let code = units.parse_province_in(province, UnitSet::From2025).map_err(ValidationErrors::from)?;
        let name = units.province(&code, UnitSet::From2025).map(|p| p.name.clone()).unwrap_or_default();
        let Some((from, to)) = kind.range(year).filter(|_| (1990..=2100).contains(&year)) else {
            return Err(invalid("year", "error-year-range", format!("{year} is not a year a report can cover")));
        };
        let filter = Filter { dimension: Dimension::Province, values: vec![code.as_str().to_owned()] };
        let ask = |measures: &[Measure], by: &[Dimension]| ReportQuery {
            measures: measures.to_vec(),
            by: by.to_vec(),
            filters: vec![filter.clone()],
            period: Period { from: Some(from), to: Some(to) },
            as_of: None,
        };
        let money = [Measure::Items, Measure::CommittedUsd, Measure::DisbursedUsd];
        let questions: [(&'static str, ReportQuery); 8] = [
            (
                "summary",
                ask(
                    &[
                        Measure::Organisations,
                        Measure::Items,
                        Measure::CommittedUsd,
                        Measure::CommittedVnd,
                        Measure::DisbursedUsd,
                        Measure::DisbursedVnd,
                        Measure::DisbursementRate,
                    ],
                    &[],
                ),
            ),
            (
                "donor_kinds",
                ask(&[Measure::Organisations, Measure::Items, Measure::DisbursedUsd], &[Dimension::DonorKind]),
            ),
            ("donors", ask(&money, &[Dimension::Donor])),
            ("kinds", ask(&money, &[Dimension::Kind])),
            ("sectors", ask(&money, &[Dimension::Sector])),
            ("communes", ask(&money, &[Dimension::Commune])),
            ("approvals", ask(&[Measure::ItemsApproved], &[Dimension::ApprovalLevel])),
            ("registrations", ask(&[Measure::RegisteredOrganisations], &[])),
        ];
        let mut sections = Vec::with_capacity(questions.len());
        for (key, query) in questions {
            sections.push(ReportSection { key, result: self.report_for(who, &query).await? });
        }
        let all = self.watch_all(to).await?;
        let problems = crate::watch::narrow_to_province(who, &all, code.as_str());
        let mut db = self.db.clone();
        let received_on = vientro_store::watch::province_reports_of_year(&mut db, year)
            .await?
            .into_iter()
            .find(|r| r.province_code == code.as_str() && r.kind == kind.as_str())
            .map(|r| r.submitted_on);
        Ok(PeriodicReport {
            province_code: code.as_str().to_owned(),
            province_name: name,
            kind,
            year,
            from,
            to,
            sections,
            problems,
            received_on,
        })
    }

    /// Records that the centre received a province's `kind` report for `year` on `on`, audited. A report
    /// already recorded is refused with a clear message (the first receipt stands).
    pub async fn record_province_report(
        &self,
        actor: &crate::Actor,
        province: &str,
        kind: ReportPeriodKind,
        year: i32,
        on: NaiveDate,
    ) -> Result<(), ServiceError> {
        let mut tx = self.db.begin().await?;
        crate::watch::record_province_report_in(&mut tx, actor, province, kind.as_str(), year, on, false).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records, on behalf of a signed-in user, that the centre received a province's report: central staff
    /// and administrators only (the centre keeps the board).
    pub async fn record_province_report_as(
        &self,
        user: &crate::accounts::CurrentUser,
        province: &str,
        kind: ReportPeriodKind,
        year: i32,
        on: NaiveDate,
    ) -> Result<(), ServiceError> {
        if !matches!(user.role, Role::Admin | Role::Central) {
            return Err(ServiceError::Forbidden("the centre records the reports it receives".into()));
        }
        self.record_province_report(&user.actor(), province, kind, year, on).await
    }

    /// The centre's board for `year` on `as_of`: for each of today's provinces and each report the rules ask
    /// for, received (when), missing (past due) or not yet due.
    pub async fn report_submissions(&self, year: i32, as_of: NaiveDate) -> Result<Vec<SubmissionLine>, ServiceError> {
        let rules = self.watch_rules().await?;
        let mut db = self.db.clone();
        let received: BTreeMap<(String, String), NaiveDate> =
            vientro_store::watch::province_reports_of_year(&mut db, year)
                .await?
                .into_iter()
                .map(|r| ((r.province_code, r.kind), r.submitted_on))
                .collect();
        let units = AdminUnits::embedded();
        let mut lines = Vec::new();
        for province in units.provinces(UnitSet::From2025) {
            let code = province.code.as_str().to_owned();
            let mut reports = BTreeMap::new();
            for rule in &rules.province_reports {
                let Some(due) = rule.due_date(year) else { continue };
                let state = match received.get(&(code.clone(), rule.kind.clone())) {
                    Some(on) => SubmissionState::Received { on: *on },
                    None if due < as_of => SubmissionState::Missing { due },
                    None => SubmissionState::NotYetDue { due },
                };
                reports.insert(rule.kind.clone(), state);
            }
            lines.push(SubmissionLine { province_code: code, province_name: province.name.clone(), reports });
        }
        Ok(lines)
    }
}
