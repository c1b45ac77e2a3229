//! Excel and CSV lists of aid items through the browser: the templates to download, the upload, a preview
//! that lists every bad row with its column and reason before anything is written, and the import (whole, or
//! only the valid rows when the officer chooses so). The same reader and use case as `vientro import xlsx|csv`
//! run underneath.
//!
//! Like IATI imports, sheet imports are for administrators and central staff (a sheet can name any
//! province). An uploaded sheet is kept in memory only between its preview and its import, for the last few
//! uploads of each user. This module must not parse cells itself (`vientro_interchange::sheet` does).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use vientro_interchange::sheet::{self, Preview};
use vientro_services::ServiceError;
use vientro_services::sheet_import::{SheetImportOptions, SheetImportOutcome, SheetImportSummary};

use super::transfer::may_transfer;
use super::{Chrome, download};
use crate::AppState;
use crate::context::RequestContext;
use crate::error::{PageError, render};

/// The largest sheet accepted: a province's list is a few hundred rows; 20 MB holds hundreds of thousands.
pub const MAX_SHEET_BYTES: usize = 20 * 1024 * 1024;

/// One uploaded sheet between its preview and its import.
#[derive(Debug, Clone)]
struct SheetRun {
    key: String,
    user: String,
    file_name: String,
    /// The sheet as read, to read again with another mapping.
    raw: sheet::RawSheet,
    preview: Preview,
    /// Why the mapping does not fit the sheet (no row is read until it does).
    problem: Option<String>,
    /// What the import would do (a dry run of the good rows, which finds what only the database can refuse).
    trial: SheetImportSummary,
    /// What the import did, once run.
    done: Option<SheetImportSummary>,
}

/// The last uploaded sheets (newest last).
#[derive(Debug, Default, Clone)]
pub struct RecentSheets(Arc<Mutex<VecDeque<SheetRun>>>);

impl RecentSheets {
    fn put(&self, run: SheetRun) {
        if let Ok(mut runs) = self.0.lock() {
            runs.push_back(run);
            while runs.len() > 20 {
                runs.pop_front();
            }
        }
    }

    fn get(&self, key: &str, user: &str) -> Option<SheetRun> {
        let runs = self.0.lock().ok()?;
        runs.iter().find(|r| r.key == key && r.user == user).cloned()
    }

    /// Replaces a run (read again with another mapping), keeping its place.
    fn replace(&self, run: SheetRun) {
        if let Ok(mut runs) = self.0.lock()
            && let Some(old) = runs.iter_mut().find(|r| r.key == run.key && r.user == run.user)
        {
            *old = run;
        }
    }

    fn set_done(&self, key: &str, summary: SheetImportSummary) {
        if let Ok(mut runs) = self.0.lock()
            && let Some(run) = runs.iter_mut().find(|r| r.key == key)
        {
            run.done = Some(summary);
        }
    }
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/transfer/sheet", get(page).post(upload).layer(DefaultBodyLimit::max(MAX_SHEET_BYTES)))
        .route("/transfer/sheet/template.xlsx", get(template_xlsx))
        .route("/transfer/sheet/template.csv", get(template_csv))
        .route("/transfer/sheet/{key}", get(preview_page))
        .route("/transfer/sheet/{key}/import", post(import))
        .route("/transfer/sheet/{key}/mapping", post(remap))
}

/// One column of the preview: the header, the field it fills and the fields it could fill (code, label, chosen).
struct ColumnView {
    header: String,
    field: Option<&'static str>,
    choices: Vec<(&'static str, String, bool)>,
}

#[derive(Template)]
#[template(path = "sheet.html")]
struct SheetPage {
    c: Chrome,
    key: String,
    file_name: String,
    columns: Vec<ColumnView>,
    rows_read: usize,
    would_import: usize,
    bad_lines: usize,
    /// Every problem of every bad row: the preview's and those only the database found.
    problems: Vec<sheet::RowError>,
    left_out: Vec<(usize, String)>,
    done: Option<SheetImportSummary>,
    show_upload: bool,
    /// The saved mappings' names.
    saved: Vec<String>,
    /// Why the last mapping could not be used, if it could not.
    mapping_problem: Option<String>,
}

impl SheetPage {
    fn empty(c: Chrome) -> Self {
        Self {
            c,
            key: String::new(),
            file_name: String::new(),
            columns: Vec::new(),
            rows_read: 0,
            would_import: 0,
            bad_lines: 0,
            problems: Vec::new(),
            left_out: Vec::new(),
            done: None,
            show_upload: true,
            saved: Vec::new(),
            mapping_problem: None,
        }
    }

    fn of(c: Chrome, run: SheetRun, saved: Vec<String>) -> Self {
        let lang = if c.tr.lang == crate::i18n::Lang::En { sheet::Lang::En } else { sheet::Lang::Vi };
        let mut lines: Vec<usize> = run.trial.skipped.iter().map(|e| e.line).collect();
        lines.dedup();
        let columns = run
            .preview
            .headers
            .iter()
            .zip(run.preview.columns.iter())
            .map(|(h, f)| ColumnView {
                header: h.clone(),
                field: f.map(|f| f.as_str()),
                choices: sheet::Field::ALL
                    .iter()
                    .map(|c| (c.as_str(), c.header(lang).to_owned(), Some(*c) == *f))
                    .collect(),
            })
            .collect();
        Self {
            key: run.key,
            file_name: run.file_name,
            columns,
            rows_read: run.preview.rows_read,
            would_import: run.trial.rows.len(),
            bad_lines: lines.len(),
            problems: run.trial.skipped,
            left_out: run.trial.left_out,
            show_upload: run.done.is_some(),
            done: run.done,
            c,
            saved,
            mapping_problem: run.problem,
        }
    }

    fn imported(&self) -> bool {
        self.done.as_ref().is_some_and(|d| d.outcome == SheetImportOutcome::Imported)
    }
}

async fn saved_names(state: &AppState) -> Vec<String> {
    state.services.sheet_mappings().await.map(|rows| rows.into_iter().map(|r| r.name).collect()).unwrap_or_default()
}

async fn page(State(state): State<AppState>, ctx: RequestContext, uri: Uri) -> Response {
    if let Err(e) = may_transfer(&ctx) {
        return PageError::new(&ctx, e).into_response();
    }
    let mut page = SheetPage::empty(Chrome::new(&ctx, &uri, "sheet-title"));
    page.saved = saved_names(&state).await;
    render(&ctx.tr, &page)
}

async fn preview_page(
    State(state): State<AppState>,
    ctx: RequestContext,
    uri: Uri,
    Path(key): Path<String>,
) -> Response {
    let user = match may_transfer(&ctx) {
        Ok(u) => u,
        Err(e) => return PageError::new(&ctx, e).into_response(),
    };
    match state.sheets.get(&key, &user.username) {
        Some(run) => {
            render(&ctx.tr, &SheetPage::of(Chrome::new(&ctx, &uri, "sheet-title"), run, saved_names(&state).await))
        }
        None => PageError::new(&ctx, ServiceError::NotFound("uploaded sheet")).into_response(),
    }
}

fn bad_upload(message: impl Into<String>) -> ServiceError {
    vientro_domain::ValidationError::new("file", "error-upload", message.into()).into()
}

async fn upload(State(state): State<AppState>, ctx: RequestContext, mut multipart: Multipart) -> Response {
    let user = match may_transfer(&ctx) {
        Ok(u) => u,
        Err(e) => return PageError::new(&ctx, e).into_response(),
    };
    let received = async {
        let mut file: Option<(String, Vec<u8>)> = None;
        let mut saved_mapping: Option<String> = None;
        while let Some(field) =
            multipart.next_field().await.map_err(|e| bad_upload(format!("the upload broke off: {e}")))?
        {
            if field.name() == Some("mapping") {
                let name = field.text().await.map_err(|e| bad_upload(format!("the upload broke off: {e}")))?;
                saved_mapping = Some(name).filter(|n| !n.trim().is_empty());
            } else if field.name() == Some("file") {
                let name = field.file_name().unwrap_or("upload.xlsx").replace(['/', '\\'], "_");
                let bytes = field.bytes().await.map_err(|e| bad_upload(format!("the upload broke off: {e}")))?;
                if !bytes.is_empty() {
                    file = Some((name, bytes.to_vec()));
                }
            }
        }
        let file = file.ok_or_else(|| bad_upload("choose an Excel (.xlsx, .xls, .ods) or CSV file to upload"))?;
        Ok::<_, ServiceError>((file, saved_mapping))
    };
    let ((file_name, bytes), saved_mapping) = match received.await {
        Ok(f) => f,
        Err(e) => return PageError::new(&ctx, e).into_response(),
    };
    let lower = file_name.to_lowercase();
    let is_csv = lower.ends_with(".csv") || lower.ends_with(".txt");
    // Unpacking and reading a workbook takes a while; it must not hold up the requests sharing this thread.
    let read =
        tokio::task::spawn_blocking(
            move || if is_csv { sheet::read_csv(&bytes) } else { sheet::read_xlsx(&bytes, None) },
        );
    let raw = match read.await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return PageError::new(&ctx, bad_upload(format!("{file_name}: {e}"))).into_response(),
        Err(e) => return PageError::new(&ctx, ServiceError::Internal(e.into())).into_response(),
    };
    let mapping = match &saved_mapping {
        Some(name) => match state.services.sheet_mapping(name).await {
            Ok(m) => m,
            Err(e) => return PageError::new(&ctx, e).into_response(),
        },
        None => sheet::suggest_mapping(&raw.headers),
    };
    let key = match vientro_services::accounts::random_token() {
        Ok(k) => k,
        Err(e) => return PageError::new(&ctx, e).into_response(),
    };
    match checked_run(&state, &user, key.clone(), file_name, raw, mapping).await {
        Ok(run) => {
            state.sheets.put(run);
            Redirect::to(&format!("/transfer/sheet/{key}")).into_response()
        }
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

/// Reads the sheet's rows with `mapping` and tries them: a dry run of the good rows finds what only the
/// database can refuse (a duplicate code, a currency without a rate), so the preview lists every bad row
/// before anything is written.
async fn checked_run(
    state: &AppState,
    user: &vientro_services::accounts::CurrentUser,
    key: String,
    file_name: String,
    raw: sheet::RawSheet,
    mapping: sheet::Mapping,
) -> Result<SheetRun, ServiceError> {
    let (preview, problem) = match sheet::parse_rows(&raw, &mapping, &sheet::RowDefaults::default()) {
        Ok(preview) => (preview, None),
        // A mapping that does not fit (a required field without a column, a field twice) reads no row; the
        // preview shows the columns as mapped so the officer can map them right.
        Err(e) => {
            let columns = raw
                .headers
                .iter()
                .map(|h| mapping.columns.iter().find(|c| c.header == *h).and_then(|c| c.field))
                .collect();
            let empty = Preview {
                headers: raw.headers.clone(),
                columns,
                rows_read: raw.rows.len(),
                good: Vec::new(),
                bad: Vec::new(),
                skipped: Vec::new(),
            };
            (empty, Some(e.to_string()))
        }
    };
    let trial_options = SheetImportOptions { dry_run: true, only_valid_rows: true };
    let trial = state.services.import_sheet(&user.actor(), &preview, &trial_options).await?;
    Ok(SheetRun { key, user: user.username.clone(), file_name, raw, preview, problem, trial, done: None })
}

/// Reads an uploaded sheet again with the columns mapped as the form says (`column_N` = field code or empty to
/// ignore), and saves that mapping under `save_as` when a name is given.
async fn remap(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(key): Path<String>,
    axum::Form(form): axum::Form<std::collections::BTreeMap<String, String>>,
) -> Response {
    let user = match may_transfer(&ctx) {
        Ok(u) => u,
        Err(e) => return PageError::new(&ctx, e).into_response(),
    };
    let Some(run) = state.sheets.get(&key, &user.username) else {
        return PageError::new(&ctx, ServiceError::NotFound("uploaded sheet")).into_response();
    };
    if run.done.is_some() {
        return Redirect::to(&format!("/transfer/sheet/{key}")).into_response();
    }
    let mut columns = Vec::new();
    for (i, header) in run.raw.headers.iter().enumerate() {
        let chosen = form.get(&format!("column_{i}")).map(String::as_str).unwrap_or_default();
        let field = match chosen {
            "" => None,
            code => match sheet::Field::ALL.iter().find(|f| f.as_str() == code) {
                Some(f) => Some(*f),
                None => {
                    let e = bad_upload(format!("column \"{header}\": '{code}' is not a field of the sheet"));
                    return PageError::new(&ctx, e).into_response();
                }
            },
        };
        columns.push(sheet::ColumnMapping { header: header.clone(), field });
    }
    let mapping = sheet::Mapping { columns };
    let file_name = run.file_name.clone();
    let new_run = match checked_run(&state, &user, key.clone(), file_name, run.raw.clone(), mapping.clone()).await {
        Ok(r) => r,
        Err(e) => return PageError::new(&ctx, e).into_response(),
    };
    let fits = new_run.problem.is_none();
    state.sheets.replace(new_run);
    // Only a mapping that fits the sheet is worth keeping for the next one.
    if let Some(name) = form.get("save_as").filter(|n| !n.trim().is_empty())
        && fits
        && let Err(e) = state.services.save_sheet_mapping_as(&user, name, &mapping).await
    {
        return PageError::new(&ctx, e).into_response();
    }
    Redirect::to(&format!("/transfer/sheet/{key}")).into_response()
}

#[derive(serde::Deserialize)]
struct ImportForm {
    #[serde(default)]
    only_valid_rows: Option<String>,
}

async fn import(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(key): Path<String>,
    axum::Form(form): axum::Form<ImportForm>,
) -> Response {
    let user = match may_transfer(&ctx) {
        Ok(u) => u,
        Err(e) => return PageError::new(&ctx, e).into_response(),
    };
    let Some(run) = state.sheets.get(&key, &user.username) else {
        return PageError::new(&ctx, ServiceError::NotFound("uploaded sheet")).into_response();
    };
    if run.done.is_some() || run.problem.is_some() {
        // Importing the same upload twice would record its items twice; a mapping that does not fit reads nothing.
        return Redirect::to(&format!("/transfer/sheet/{key}")).into_response();
    }
    let options = SheetImportOptions { dry_run: false, only_valid_rows: form.only_valid_rows.is_some() };
    match state.services.import_sheet(&user.actor(), &run.preview, &options).await {
        Ok(summary) => {
            state.sheets.set_done(&key, summary);
            Redirect::to(&format!("/transfer/sheet/{key}")).into_response()
        }
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

#[derive(serde::Deserialize)]
struct TemplateQuery {
    #[serde(default)]
    lang: Option<String>,
}

fn template_lang(q: &TemplateQuery, ctx: &RequestContext) -> sheet::Lang {
    match q.lang.as_deref() {
        Some("en") => sheet::Lang::En,
        Some("vi") => sheet::Lang::Vi,
        _ if ctx.tr.lang == crate::i18n::Lang::En => sheet::Lang::En,
        _ => sheet::Lang::Vi,
    }
}

async fn template_xlsx(ctx: RequestContext, Query(q): Query<TemplateQuery>) -> Response {
    if let Err(e) = may_transfer(&ctx) {
        return PageError::new(&ctx, e).into_response();
    }
    let (bytes, name) = match template_lang(&q, &ctx) {
        sheet::Lang::En => (sheet::template_xlsx(sheet::Lang::En), "aid-items-template.xlsx"),
        sheet::Lang::Vi => (sheet::template_xlsx(sheet::Lang::Vi), "mau-nhap-lieu.xlsx"),
    };
    match bytes {
        Ok(b) => download(b, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", name),
        Err(e) => PageError::new(&ctx, ServiceError::Internal(anyhow::anyhow!("template: {e}"))).into_response(),
    }
}

async fn template_csv(ctx: RequestContext, Query(q): Query<TemplateQuery>) -> Response {
    if let Err(e) = may_transfer(&ctx) {
        return PageError::new(&ctx, e).into_response();
    }
    match template_lang(&q, &ctx) {
        sheet::Lang::En => {
            download(sheet::template_csv(sheet::Lang::En), "text/csv; charset=utf-8", "aid-items-template.csv")
        }
        sheet::Lang::Vi => {
            download(sheet::template_csv(sheet::Lang::Vi), "text/csv; charset=utf-8", "mau-nhap-lieu.csv")
        }
    }
}
