//! The JSON API v1: organisations, aid items (read, create, partial update with optimistic versions,
//! lifecycle steps, flows) and reports, with bearer-token authentication, pagination and RFC 9457
//! problem+json errors; the OpenAPI document is served at `/api/v1/openapi.json`.
//!
//! Handlers are thin over the same scoped services as the pages, so the API can do nothing a page could
//! not. This module must not decide access or validity.

mod aid_items;
mod organisations;
mod reports;

use axum::Json;
use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;

use crate::AppState;

/// The OpenAPI document of API v1.
#[derive(OpenApi)]
#[openapi(
    info(title = "vientro API", version = "1", description = "Foreign non-governmental aid in Viet Nam: organisations, aid items, reports. Authenticate with `Authorization: Bearer TOKEN` (create one with `vientro token create --user U`). Errors are RFC 9457 problem+json."),
    paths(
        organisations::list, organisations::create,
        aid_items::list, aid_items::create, aid_items::get_one, aid_items::patch, aid_items::change_status, aid_items::add_flow,
        reports::run, crate::healthz
    ),
    components(schemas(
        organisations::OrganisationOut, organisations::OrganisationPage,
        aid_items::ItemSummary, aid_items::ItemPage, aid_items::ItemOut, aid_items::Created, aid_items::VersionOut,
        Problem
    )),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// An RFC 9457 problem.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Problem type (`about:blank`).
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary.
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// What happened.
    pub detail: String,
    /// For validation problems: each broken rule with its field and stable code.
    pub errors: Option<Vec<serde_json::Value>>,
}

/// Page parameters shared by lists.
#[derive(Debug, Clone, Copy, serde::Deserialize, utoipa::IntoParams)]
pub struct Paging {
    /// 1-based page (default 1).
    pub page: Option<i64>,
    /// Rows per page (default 50, at most 500).
    pub per_page: Option<i64>,
}

impl Paging {
    /// (page, per_page) with defaults and bounds.
    pub fn get(self) -> (i64, i64) {
        (vientro_services::page_number(self.page), self.per_page.unwrap_or(50).clamp(1, 500))
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// The API routes (mounted at `/api/v1`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .merge(organisations::routes())
        .merge(aid_items::routes())
        .merge(reports::routes())
}

/// A JSON body whose rejection is a problem+json (malformed JSON, wrong content type, wrong shape).
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = axum::response::Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(crate::error::problem(
                rejection.status(),
                "The request body is not what this endpoint takes",
                &rejection.body_text(),
                None,
            )),
        }
    }
}
