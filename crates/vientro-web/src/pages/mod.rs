//! The server-rendered pages: one module per area, each with its routes and askama templates.
//!
//! Every page gets a [`Chrome`] (the reader, the words, the form token) and data from the services layer.
//! Pages work without JavaScript; htmx and the charts only add to them. This module must not compute
//! figures or decide access: it shows what the services return for the reader.

mod account;
mod aid_items;
mod charts;
mod dashboard;
mod directory;
mod matching;
mod people;
mod people_records;
pub mod periodic;
mod promotion;
mod reports;
pub mod sheet;
pub mod transfer;

use axum::Router;
use axum::http::Uri;
use vientro_domain::access::Role;
use vientro_services::accounts::CurrentUser;

use crate::AppState;
use crate::context::RequestContext;
use crate::i18n::{Lang, Tr};

/// What every page shows around its content.
#[derive(Debug, Clone)]
pub struct Chrome {
    /// Words.
    pub tr: Tr,
    /// The reader.
    pub user: Option<CurrentUser>,
    /// The form token.
    pub csrf: String,
    /// The page's path and query (for the language switch).
    pub path: String,
    /// Page title.
    pub title: String,
    /// A message after a successful change.
    pub flash: Option<String>,
}

/// Keys a `?done=` parameter may show (anything else is ignored, so the parameter cannot inject text).
const FLASH_KEYS: &[&str] = &[
    "item-created",
    "item-saved",
    "item-flow-added",
    "item-status-changed",
    "item-archived",
    "org-created",
    "org-saved",
    "cert-added",
    "users-created",
    "logged-out-everywhere",
    "proposal-moved",
    "report-received",
    "people-saved",
    "people-row-added",
    "people-row-removed",
    "event-saved",
    "proposal-added",
    "priorities-added",
];

impl Chrome {
    /// The chrome for a request.
    pub fn new(ctx: &RequestContext, uri: &Uri, title_key: &str) -> Chrome {
        let done = uri.query().and_then(|q| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .ok()?
                .into_iter()
                .find(|(k, _)| k == "done")
                .map(|(_, v)| v)
        });
        Chrome {
            tr: ctx.tr.clone(),
            user: ctx.user.clone(),
            csrf: ctx.csrf.clone(),
            path: uri.path_and_query().map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned()),
            title: ctx.tr.t(title_key),
            flash: done.filter(|d| FLASH_KEYS.contains(&d.as_str())).map(|d| ctx.tr.t(&d)),
        }
    }

    /// Replaces the title with a text (a record's name).
    pub fn titled(mut self, title: impl Into<String>) -> Chrome {
        self.title = title.into();
        self
    }

    /// The reader is an administrator.
    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role == Role::Admin)
    }

    /// The reader may read the whole audit log (administrators and central staff).
    pub fn can_audit(&self) -> bool {
        self.user.as_ref().is_some_and(|u| matches!(u.role, Role::Admin | Role::Central))
    }

    /// The code of the language the switch offers.
    pub fn other_lang(&self) -> &'static str {
        match self.tr.lang {
            Lang::Vi => "en",
            Lang::En => "vi",
        }
    }
}

/// Every page route.
pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(account::routes())
        .merge(dashboard::routes())
        .merge(aid_items::routes())
        .merge(directory::routes())
        .merge(reports::routes())
        .merge(periodic::routes())
        .merge(people::routes())
        .merge(people_records::routes())
        .merge(promotion::routes())
        .merge(matching::routes())
        .merge(transfer::routes())
        .merge(sheet::routes())
}

/// A file to download: the bytes with their content type, saved as `file_name` (plain ASCII, chosen by vientro,
/// never by the request).
pub(crate) fn download(
    bytes: impl Into<axum::body::Body>,
    content_type: &'static str,
    file_name: &str,
) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let mut response = bytes.into().into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// A CSV field: quoted when it holds a separator, a quote or a line break; a leading `=`, `+`, `-` or `@` is
/// prefixed with `'` so a spreadsheet never runs it as a formula.
fn csv_field(text: &str) -> String {
    let safe = if text.starts_with(['=', '+', '-', '@']) { format!("'{text}") } else { text.to_owned() };
    if safe.contains([',', '"', '\n', '\r']) { format!("\"{}\"", safe.replace('"', "\"\"")) } else { safe }
}

/// Lines of fields as a CSV text that spreadsheets open as UTF-8 (a byte-order mark first) and never run as
/// formulas.
pub(crate) fn csv_text(lines: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut text = String::from("\u{feff}");
    for line in lines {
        text.push_str(&line.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        text.push_str("\r\n");
    }
    text
}
