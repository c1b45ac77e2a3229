//! IATI files in and out through the browser: the upload page (with a progress bar while the file travels)
//! and the export download. The same import and export use cases as `vientro import iati` and `vientro
//! export iati` run underneath.
//!
//! Imports and whole-database exports are for administrators and central staff (an import can touch any
//! province). An upload is streamed to a temporary file, never held in memory; the import reads it as a
//! stream. The result page is kept in memory for the last few runs. This module must not parse IATI itself.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use tokio::io::AsyncWriteExt;
use vientro_domain::access::Role;
use vientro_services::ServiceError;
use vientro_services::iati_import::{ImportOptions, ImportSummary};

use super::Chrome;
use crate::AppState;
use crate::context::RequestContext;
use crate::error::{PageError, render};

/// The largest IATI file accepted through the browser (the CLI takes any size).
pub const MAX_UPLOAD_BYTES: usize = 1024 * 1024 * 1024;

/// The last import results, for the result page (newest last).
#[derive(Debug, Default, Clone)]
pub struct RecentImports(Arc<Mutex<VecDeque<(String, String, ImportSummary)>>>);

impl RecentImports {
    fn put(&self, key: String, user: String, summary: ImportSummary) {
        if let Ok(mut runs) = self.0.lock() {
            runs.push_back((key, user, summary));
            while runs.len() > 20 {
                runs.pop_front();
            }
        }
    }

    fn get(&self, key: &str, user: &str) -> Option<ImportSummary> {
        let runs = self.0.lock().ok()?;
        runs.iter().find(|(k, u, _)| k == key && u == user).map(|(_, _, s)| s.clone())
    }
}

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/transfer", get(page))
        .route("/transfer/import", post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES)))
        .route("/transfer/import/{key}", get(result))
        .route("/transfer/export.xml", get(export))
}

pub(super) fn may_transfer(ctx: &RequestContext) -> Result<vientro_services::accounts::CurrentUser, ServiceError> {
    match &ctx.user {
        Some(u) if matches!(u.role, Role::Admin | Role::Central) => Ok(u.clone()),
        Some(_) => Err(ServiceError::Forbidden("imports and exports are for administrators and central staff".into())),
        None => Err(ServiceError::Unauthenticated("log in".into())),
    }
}

#[derive(Template)]
#[template(path = "transfer.html")]
struct TransferPage {
    c: Chrome,
    summary: Option<ImportSummary>,
    csv: String,
}

async fn page(ctx: RequestContext, uri: Uri) -> Response {
    if let Err(e) = may_transfer(&ctx) {
        return PageError::new(&ctx, e).into_response();
    }
    render(&ctx.tr, &TransferPage { c: Chrome::new(&ctx, &uri, "transfer-title"), summary: None, csv: String::new() })
}

async fn result(State(state): State<AppState>, ctx: RequestContext, uri: Uri, Path(key): Path<String>) -> Response {
    let user = match may_transfer(&ctx) {
        Ok(u) => u,
        Err(e) => return PageError::new(&ctx, e).into_response(),
    };
    match state.imports.get(&key, &user.username) {
        Some(summary) => {
            let csv = summary.problems_csv();
            render(&ctx.tr, &TransferPage { c: Chrome::new(&ctx, &uri, "transfer-title"), summary: Some(summary), csv })
        }
        None => PageError::new(&ctx, ServiceError::NotFound("import result")).into_response(),
    }
}

async fn upload(State(state): State<AppState>, ctx: RequestContext, multipart: Multipart) -> Response {
    let user = match may_transfer(&ctx) {
        Ok(u) => u,
        Err(e) => return PageError::new(&ctx, e).into_response(),
    };
    match receive_and_import(&state, &user, multipart).await {
        Ok(key) => Redirect::to(&format!("/transfer/import/{key}")).into_response(),
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

fn bad_upload(message: impl Into<String>) -> ServiceError {
    vientro_domain::ValidationError::new("file", "error-upload", message.into()).into()
}

async fn receive_and_import(
    state: &AppState,
    user: &vientro_services::accounts::CurrentUser,
    mut multipart: Multipart,
) -> Result<String, ServiceError> {
    let dir = tempfile::tempdir().map_err(|e| ServiceError::Internal(e.into()))?;
    let mut files = Vec::new();
    let mut dry_run = false;
    let mut country: Option<String> = None;
    while let Some(mut field) =
        multipart.next_field().await.map_err(|e| bad_upload(format!("the upload broke off: {e}")))?
    {
        match field.name().unwrap_or_default() {
            "file" => {
                let name = field.file_name().unwrap_or("upload.xml").replace(['/', '\\'], "_");
                let path = dir.path().join(format!("{}-{name}", files.len()));
                let mut out = tokio::fs::File::create(&path).await.map_err(|e| ServiceError::Internal(e.into()))?;
                let mut bytes = 0usize;
                while let Some(chunk) =
                    field.chunk().await.map_err(|e| bad_upload(format!("the upload broke off: {e}")))?
                {
                    bytes += chunk.len();
                    out.write_all(&chunk).await.map_err(|e| ServiceError::Internal(e.into()))?;
                }
                out.flush().await.map_err(|e| ServiceError::Internal(e.into()))?;
                if bytes > 0 {
                    files.push(path);
                }
            }
            "dry_run" => dry_run = true,
            "country" => {
                let text = field.text().await.unwrap_or_default();
                country = Some(text.trim().to_uppercase()).filter(|c| !c.is_empty());
            }
            _ => {}
        }
    }
    if files.is_empty() {
        return Err(bad_upload("choose an IATI XML file to upload"));
    }
    let opts = ImportOptions { country, dry_run, actor: user.actor(), ..Default::default() };
    let summary = state.services.import_iati(&files, &opts).await?;
    let key = vientro_services::accounts::random_token()?;
    state.imports.put(key.clone(), user.username.clone(), summary);
    Ok(key)
}

async fn export(State(state): State<AppState>, ctx: RequestContext, uri: Uri) -> Response {
    if let Err(e) = may_transfer(&ctx) {
        return PageError::new(&ctx, e).into_response();
    }
    let pairs: Vec<(String, String)> = uri.query().and_then(|q| serde_urlencoded::from_str(q).ok()).unwrap_or_default();
    let filters: Result<Vec<_>, _> = pairs
        .iter()
        .filter(|(k, v)| k == "where" && !v.trim().is_empty())
        .map(|(_, v)| vientro_domain::report::Filter::parse(v))
        .collect();
    let filters = match filters {
        Ok(f) => f,
        Err(e) => return PageError::new(&ctx, e.into()).into_response(),
    };
    let mut xml = Vec::new();
    match state.services.export_iati(&filters, &mut xml).await {
        Ok(_) => super::download(xml, "application/xml; charset=utf-8", "vientro-iati.xml"),
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}
