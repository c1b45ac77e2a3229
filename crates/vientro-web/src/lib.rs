//! vientro's HTTP face: server-rendered pages (askama + htmx) in Vietnamese and English, the dashboards, and
//! the JSON API v1 with its OpenAPI document.
//!
//! Handlers stay thin: they read the [`context::RequestContext`] (who, which language), call the services
//! layer, and render. This crate must not open transactions, query the database or decide access; the
//! services layer does all three.

pub mod api;
pub mod assets;
pub mod context;
pub mod error;
pub mod i18n;
pub mod input_guard;
pub mod pages;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router, middleware};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use vientro_services::Services;

/// The largest request body accepted (uploads of IATI files go through the CLI until the upload page lands).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;

/// Everything a handler needs.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The use cases.
    pub services: Services,
    /// The interface words.
    pub catalog: Arc<i18n::Catalog>,
    /// Running with demonstration data (shows the demo users on the login page).
    pub demo: bool,
    /// Mark cookies `Secure` (off only for plain-HTTP rigs other than localhost).
    pub secure_cookies: bool,
    /// The last IATI import results shown by the transfer page.
    pub imports: pages::transfer::RecentImports,
    /// Uploaded Excel/CSV sheets between their preview and their import.
    pub sheets: pages::sheet::RecentSheets,
}

/// How the application is set up.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Demo mode.
    pub demo: bool,
    /// Secure cookies.
    pub secure_cookies: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options { demo: false, secure_cookies: true }
    }
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
    connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The application's routes with their security layers.
pub fn router(services: Services) -> Router {
    app(services, Options::default())
}

/// The application with explicit options.
pub fn app(services: Services, options: Options) -> Router {
    let catalog = match i18n::Catalog::load() {
        Ok(c) => Arc::new(c),
        // The messages are compiled in and checked by tests; failing here is a build defect.
        Err(e) => panic!("the interface messages do not load: {e}"),
    };
    let state = AppState {
        services,
        catalog,
        demo: options.demo,
        secure_cookies: options.secure_cookies,
        imports: pages::transfer::RecentImports::default(),
        sheets: pages::sheet::RecentSheets::default(),
    };
    Router::new()
        .route("/healthz", get(healthz))
        .route("/assets/{*path}", get(assets::asset))
        .merge(pages::routes())
        .nest("/api/v1", api::routes())
        .fallback(not_found)
        // Runs inside `authenticate`, which resolves the language its message is in.
        .layer(middleware::from_fn(input_guard::refuse_nul))
        .layer(middleware::from_fn_with_state(state.clone(), context::authenticate))
        .with_state(state)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(60)))
        .layer(SetResponseHeaderLayer::overriding(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
}

async fn not_found(ctx: context::RequestContext, uri: axum::http::Uri) -> axum::response::Response {
    error::status_page(StatusCode::NOT_FOUND, &ctx.tr, &ctx.tr.t("error-not-found"), uri.path().starts_with("/api/"))
}

/// `GET /healthz`: the service answers and the database is reachable.
#[utoipa::path(get, path = "/healthz", tag = "health", responses((status = 200, description = "Service status")))]
pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let database = match state.services.db().applied_migrations().await {
        Ok(m) => serde_json::json!({ "ok": true, "migrations": m.len() }),
        Err(e) => {
            tracing::error!(error = %e, "health check could not read the database");
            serde_json::json!({ "ok": false })
        }
    };
    Json(serde_json::json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION"), "database": database }))
}
