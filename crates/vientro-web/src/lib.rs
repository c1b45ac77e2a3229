//! vientro's HTTP face. For now: a home page that says what vientro is and a health check; the full web
//! application (pages, dashboards, JSON API) is built on this router.
//!
//! Handlers stay thin: they call the services layer and render. This module must not open transactions or
//! query the database directly.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::{Json, Router};
use tower_http::set_header::SetResponseHeaderLayer;
use vientro_services::Services;

/// Everything a handler needs.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The use cases.
    pub services: Services,
}

/// The application's routes with their security headers.
pub fn router(services: Services) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/healthz", get(healthz))
        .with_state(AppState { services })
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
}

async fn home() -> impl IntoResponse {
    Html(concat!(
        "<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\"><title>vientro — viện trợ phi chính phủ nước ngoài</title></head>",
        "<body><h1>vientro</h1><p>Hệ thống quản lý viện trợ phi chính phủ nước ngoài: vận động, phê duyệt, theo dõi và báo cáo.</p>",
        "<p lang=\"en\">Mobilise, approve, track and report foreign non-governmental aid.</p>",
        "<p><a href=\"/healthz\">/healthz</a></p></body></html>"
    ))
}

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let database = match state.services.db().applied_migrations().await {
        Ok(m) => serde_json::json!({ "ok": true, "migrations": m.len() }),
        Err(e) => {
            tracing::error!(error = %e, "health check could not read the database");
            serde_json::json!({ "ok": false })
        }
    };
    Json(serde_json::json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION"), "database": database }))
}
