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
    preview: Preview,
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
}

/// One column of the preview: the header and the field it fills.
struct ColumnView {
    header: String,
    field: Option<&'static str>,
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
        }
    }

    fn of(c: Chrome, run: SheetRun) -> Self {
        let mut lines: Vec<usize> = run.trial.skipped.iter().map(|e| e.line).collect();
        lines.dedup();
        let columns = run
            .preview
            .headers
            .iter()
            .zip(run.preview.columns.iter())
            .map(|(h, f)| ColumnView { header: h.clone(), field: f.map(|f| f.as_str()) })
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
        }
    }

    fn imported(&self) -> bool {
        self.done.as_ref().is_some_and(|d| d.outcome == SheetImportOutcome::Imported)
    }
}

async fn page(ctx: RequestContext, uri: Uri) -> Response {
    if let Err(e) = may_transfer(&ctx) {
        return PageError::new(&ctx, e).into_response();
    }
    render(&ctx.tr, &SheetPage::empty(Chrome::new(&ctx, &uri, "sheet-title")))
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
        Some(run) => render(&ctx.tr, &SheetPage::of(Chrome::new(&ctx, &uri, "sheet-title"), run)),
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
        while let Some(field) =
            multipart.next_field().await.map_err(|e| bad_upload(format!("the upload broke off: {e}")))?
        {
            if field.name() == Some("file") {
                let name = field.file_name().unwrap_or("upload.xlsx").replace(['/', '\\'], "_");
                let bytes = field.bytes().await.map_err(|e| bad_upload(format!("the upload broke off: {e}")))?;
                if !bytes.is_empty() {
                    file = Some((name, bytes.to_vec()));
                }
            }
        }
        file.ok_or_else(|| bad_upload("choose an Excel (.xlsx, .xls, .ods) or CSV file to upload"))
    };
    let (file_name, bytes) = match received.await {
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
    let mapping = sheet::suggest_mapping(&raw.headers);
    let preview = match sheet::parse_rows(&raw, &mapping, &sheet::RowDefaults::default()) {
        Ok(p) => p,
        Err(e) => return PageError::new(&ctx, bad_upload(format!("{file_name}: {e}"))).into_response(),
    };
    // A dry run of the good rows finds what only the database can refuse (a duplicate code, a currency
    // without a rate), so the preview lists every bad row before anything is written.
    let trial_options = SheetImportOptions { dry_run: true, only_valid_rows: true };
    let trial = match state.services.import_sheet(&user.actor(), &preview, &trial_options).await {
        Ok(t) => t,
        Err(e) => return PageError::new(&ctx, e).into_response(),
    };
    let key = match vientro_services::accounts::random_token() {
        Ok(k) => k,
        Err(e) => return PageError::new(&ctx, e).into_response(),
    };
    state.sheets.put(SheetRun { key: key.clone(), user: user.username.clone(), file_name, preview, trial, done: None });
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
    if run.done.is_some() {
        // Importing the same upload twice would record its items twice.
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
