//! The province's periodic report to the centre (six-month or annual), as a printable page and as an Excel
//! workbook of one sheet per table, and the centre's board of which provinces have sent theirs.
//!
//! The figures and the problems come from the services (the one report engine and the watch list); this
//! module parses the pickers and lays the sections out. It must not compute a figure nor decide access.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::Datelike;
use vientro_domain::access::Role;
use vientro_domain::admin_units::{AdminUnits, UnitSet};
use vientro_interchange::report_export::{self, ExportMeta, XlsxSection};
use vientro_services::ServiceError;
use vientro_services::periodic_report::{PeriodicReport, ReportPeriodKind, SubmissionState};

use super::Chrome;
use super::charts::{TableCell, table};
use crate::AppState;
use crate::context::RequestContext;
use crate::error::{PageError, render};
use crate::i18n::{Lang, Tr};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports/periodic", get(page))
        .route("/reports/periodic.xlsx", get(workbook))
        .route("/reports/submissions", get(board))
        .route("/reports/submissions/receive", axum::routing::post(receive))
}

/// The pickers: which province, which period, which year.
#[derive(Debug, Default, Clone, serde::Deserialize)]
struct Pick {
    province: Option<String>,
    period: Option<String>,
    year: Option<String>,
}

/// A parsed pick, or the field errors of a bad one.
struct Chosen {
    province: String,
    kind: ReportPeriodKind,
    year: i32,
}

impl Pick {
    fn chosen(&self) -> Result<Option<Chosen>, ServiceError> {
        let Some(province) = self.province.as_deref().map(str::trim).filter(|p| !p.is_empty()) else {
            return Ok(None);
        };
        let kind = ReportPeriodKind::parse(self.period.as_deref().unwrap_or("annual"))
            .map_err(vientro_domain::ValidationErrors::from)?;
        let year = self.year.as_deref().unwrap_or("").trim().parse::<i32>().map_err(|_| {
            vientro_domain::ValidationErrors::from(vientro_domain::ValidationError::new(
                "year",
                "error-year-range",
                "give the year the report covers, e.g. 2021",
            ))
        })?;
        Ok(Some(Chosen { province: province.to_owned(), kind, year }))
    }

    fn query(&self) -> String {
        serde_urlencoded::to_string([
            ("province", self.province.clone().unwrap_or_default()),
            ("period", self.period.clone().unwrap_or_default()),
            ("year", self.year.clone().unwrap_or_default()),
        ])
        .unwrap_or_default()
    }
}

/// One section as a titled table.
struct SectionView {
    key: &'static str,
    title: String,
    headers: Vec<TableCell>,
    rows: Vec<Vec<TableCell>>,
}

#[derive(Template)]
#[template(path = "reports/periodic.html")]
struct PeriodicPage {
    c: Chrome,
    provinces: Vec<(String, String, bool)>,
    periods: Vec<(String, String, bool)>,
    year: String,
    export_query: String,
    heading: Option<String>,
    covers: String,
    received: String,
    sections: Vec<SectionView>,
    problems: Vec<(String, String)>,
    problems_shown: bool,
    errors: Vec<(String, String)>,
}

/// The title of a section (by its key) in the reader's language.
pub fn section_title(tr: &Tr, key: &str) -> String {
    tr.t(&format!("periodic-section-{}", key.replace('_', "-")))
}

/// "Six-month" or "Annual" in the reader's language.
pub fn period_name(tr: &Tr, kind: ReportPeriodKind) -> String {
    tr.t(&format!("periodic-{}", kind.as_str().replace('_', "-")))
}

/// The report's heading: which report, which province, which year.
pub fn heading(tr: &Tr, report: &PeriodicReport) -> String {
    tr.t2(
        "periodic-heading",
        "period",
        period_name(tr, report.kind),
        "place",
        format!("{} ({})", report.province_name, report.year),
    )
}

async fn page(State(state): State<AppState>, ctx: RequestContext, uri: Uri, Query(pick): Query<Pick>) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, false) };
    let tr = &ctx.tr;
    let mut errors = Vec::new();
    let report = match pick.chosen() {
        Ok(Some(c)) => match state.services.periodic_report(&ctx.principal(), &c.province, c.kind, c.year).await {
            Ok(r) => Some(r),
            Err(ServiceError::Invalid(e)) => {
                errors = e.0.iter().map(|v| (v.field.clone(), v.message.clone())).collect();
                None
            }
            Err(e) => return PageError::new(&ctx, e).into_response(),
        },
        Ok(None) => None,
        Err(ServiceError::Invalid(e)) => {
            errors = e.0.iter().map(|v| (v.field.clone(), v.message.clone())).collect();
            None
        }
        Err(e) => return PageError::new(&ctx, e).into_response(),
    };
    // An officer's own province is the one offered first.
    let default_province = user.province.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default();
    let chosen_province = report.as_ref().map(|r| r.province_code.clone()).unwrap_or(default_province);
    let provinces = AdminUnits::embedded()
        .provinces(UnitSet::From2025)
        .iter()
        .map(|p| (p.code.as_str().to_owned(), p.name.clone(), p.code.as_str() == chosen_province))
        .collect();
    let chosen_kind = report.as_ref().map_or("annual", |r| r.kind.as_str());
    let periods = [ReportPeriodKind::SixMonth, ReportPeriodKind::Annual]
        .iter()
        .map(|k| (k.as_str().to_owned(), period_name(tr, *k), k.as_str() == chosen_kind))
        .collect();
    let year = pick.year.clone().unwrap_or_else(|| (crate::i18n::today_in_viet_nam().year() - 1).to_string());
    let (heading_text, covers, received, sections, problems) = match &report {
        Some(r) => (
            Some(heading(tr, r)),
            tr.t2("periodic-covers", "from", tr.date(&r.from), "to", tr.date(&r.to)),
            match r.received_on {
                Some(on) => tr.t1("periodic-received", "date", tr.date(&on)),
                None => tr.t("periodic-not-received"),
            },
            r.sections
                .iter()
                .map(|s| {
                    let (headers, rows) = table(tr, &s.result);
                    SectionView { key: s.key, title: section_title(tr, s.key), headers, rows }
                })
                .collect(),
            r.problems.iter().map(|a| (a.link.clone(), tr.alert(a))).collect(),
        ),
        None => (None, String::new(), String::new(), Vec::new(), Vec::new()),
    };
    let c = match &heading_text {
        Some(h) => Chrome::new(&ctx, &uri, "periodic-title").titled(h.clone()),
        None => Chrome::new(&ctx, &uri, "periodic-title"),
    };
    render(
        tr,
        &PeriodicPage {
            c,
            provinces,
            periods,
            year,
            export_query: pick.query(),
            heading: heading_text,
            covers,
            received,
            sections,
            problems,
            problems_shown: report.is_some(),
            errors,
        },
    )
}

async fn workbook(State(state): State<AppState>, ctx: RequestContext, Query(pick): Query<Pick>) -> Response {
    if ctx.user.is_none() {
        return crate::error::unauthenticated(&ctx.tr, false);
    }
    let tr = &ctx.tr;
    let outcome = async {
        let Some(c) = pick.chosen()? else {
            return Err(vientro_domain::ValidationErrors::from(vientro_domain::ValidationError::new(
                "province",
                "error-required",
                "choose a province",
            ))
            .into());
        };
        let report = state.services.periodic_report(&ctx.principal(), &c.province, c.kind, c.year).await?;
        let note = state.services.illustrative_note(ctx.lang() == Lang::En).await?;
        let bytes = workbook_bytes(tr, &report, note).map_err(|e| ServiceError::Internal(e.into()))?;
        Ok::<_, ServiceError>((
            bytes,
            format!("vientro-{}-{}-{}.xlsx", report.province_code, report.kind.as_str(), report.year),
        ))
    }
    .await;
    match outcome {
        Ok((bytes, file_name)) => {
            super::download(bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &file_name)
        }
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

/// The report as an Excel workbook: one sheet per section, each titled with the report's heading. `note` is
/// the illustrative-data note, if the database holds illustrative records.
pub fn workbook_bytes(
    tr: &Tr,
    report: &PeriodicReport,
    note: Option<String>,
) -> Result<Vec<u8>, report_export::ExportError> {
    let meta = ExportMeta {
        title: heading(tr, report),
        generated_at: chrono::Utc::now(),
        source_note: note.map(|n| format!("vientro. {n}")).unwrap_or_else(|| "vientro".to_owned()),
        lang: if tr.lang == Lang::En { report_export::Lang::En } else { report_export::Lang::Vi },
    };
    let titles: Vec<(String, String)> = report
        .sections
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let title = section_title(tr, s.key);
            // The number keeps the names unique once cut to the length Excel allows.
            (format!("{}. {title}", i + 1), format!("{} — {title}", meta.title))
        })
        .collect();
    let sections: Vec<XlsxSection<'_>> = report
        .sections
        .iter()
        .zip(&titles)
        .map(|(s, (sheet, title))| XlsxSection { sheet, title, result: &s.result })
        .collect();
    report_export::to_xlsx_sections(&sections, &meta)
}

#[derive(Debug, Default, serde::Deserialize)]
struct YearPick {
    year: Option<String>,
}

/// One line of the board: the province, then per report kind a state code and its words.
struct BoardLine {
    code: String,
    name: String,
    /// Per report kind: its code, a state code and the words.
    cells: Vec<(String, &'static str, String)>,
}

#[derive(Template)]
#[template(path = "reports/submissions.html")]
struct BoardPage {
    c: Chrome,
    year: String,
    kinds: Vec<String>,
    lines: Vec<BoardLine>,
    missing: usize,
    /// The reader keeps the board (central staff, administrators): each open cell offers "received".
    keeps_board: bool,
}

async fn board(State(state): State<AppState>, ctx: RequestContext, uri: Uri, Query(pick): Query<YearPick>) -> Response {
    if ctx.user.is_none() {
        return crate::error::unauthenticated(&ctx.tr, false);
    }
    let tr = &ctx.tr;
    let today = crate::i18n::today_in_viet_nam();
    let year = pick
        .year
        .as_deref()
        .and_then(|y| y.trim().parse::<i32>().ok())
        .filter(|y| (1990..=2100).contains(y))
        .unwrap_or(today.year() - 1);
    let lines = match state.services.report_submissions(year, today).await {
        Ok(l) => l,
        Err(e) => return PageError::new(&ctx, e).into_response(),
    };
    let kinds: Vec<String> = lines.first().map(|l| l.reports.keys().cloned().collect()).unwrap_or_default();
    let mut missing = 0;
    let lines = lines
        .into_iter()
        .map(|l| BoardLine {
            cells: kinds
                .iter()
                .map(|k| {
                    let (state, text) = match l.reports.get(k) {
                        Some(SubmissionState::Received { on }) => {
                            ("received", tr.t1("board-received", "date", tr.date(on)))
                        }
                        Some(SubmissionState::Missing { due }) => {
                            missing += 1;
                            ("missing", tr.t1("board-missing", "date", tr.date(due)))
                        }
                        Some(SubmissionState::NotYetDue { due }) => {
                            ("not-yet-due", tr.t1("board-not-yet-due", "date", tr.date(due)))
                        }
                        None => ("none", String::new()),
                    };
                    (k.clone(), state, text)
                })
                .collect(),
            code: l.province_code,
            name: l.province_name,
        })
        .collect();
    let kinds = kinds.iter().map(|k| tr.t(&format!("periodic-{}", k.replace('_', "-")))).collect();
    // Whether to offer the buttons; the services decide again when one is pressed.
    let keeps_board = ctx.user.as_ref().is_some_and(|u| matches!(u.role, Role::Admin | Role::Central));
    let c = Chrome::new(&ctx, &uri, "board-title");
    render(tr, &BoardPage { c, year: year.to_string(), kinds, lines, missing, keeps_board })
}

/// The "received" button of the board.
#[derive(Debug, serde::Deserialize)]
struct ReceiveForm {
    province: String,
    period: String,
    year: i32,
}

async fn receive(State(state): State<AppState>, ctx: RequestContext, Form(form): Form<ReceiveForm>) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, false) };
    let outcome = async {
        let kind = ReportPeriodKind::parse(&form.period).map_err(vientro_domain::ValidationErrors::from)?;
        let today = crate::i18n::today_in_viet_nam();
        state.services.record_province_report_as(&user, &form.province, kind, form.year, today).await
    }
    .await;
    match outcome {
        Ok(()) => {
            Redirect::to(&format!("/reports/submissions?year={}&done=report-received", form.year)).into_response()
        }
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}
