//! `GET/POST /api/v1/organisations`.
//!
//! The directory is public; registering an organisation needs an administrator, central staff or a
//! provincial officer. This module must not decide validity (the domain does).

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use vientro_domain::organisation::OrganisationInput;
use vientro_store::listing::OrganisationListRow;

use super::Paging;
use crate::AppState;
use crate::context::RequestContext;
use crate::error::ApiError;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/organisations", get(list).post(create))
}

/// An organisation.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct OrganisationOut {
    /// Id.
    pub id: i64,
    /// Kind code (`foreign_ngo`, `foreign_agency`, `individual`, `international_org`, `vn_…`).
    pub kind: String,
    /// Name.
    pub name: String,
    /// Vietnamese name.
    pub name_vi: Option<String>,
    /// Acronym.
    pub acronym: Option<String>,
    /// ISO 3166 country code.
    pub country_code: Option<String>,
    /// Province code (Vietnamese bodies).
    pub province_code: Option<String>,
    /// Demonstration record.
    pub illustrative: bool,
    /// Version.
    pub version: i64,
}

impl From<OrganisationListRow> for OrganisationOut {
    fn from(o: OrganisationListRow) -> Self {
        OrganisationOut {
            id: o.id,
            kind: o.kind,
            name: o.name,
            name_vi: o.name_vi,
            acronym: o.acronym,
            country_code: o.country_code,
            province_code: o.province_code,
            illustrative: o.illustrative,
            version: o.version,
        }
    }
}

/// A page of organisations.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct OrganisationPage {
    /// Rows.
    pub items: Vec<OrganisationOut>,
    /// Page.
    pub page: i64,
    /// Rows per page.
    pub per_page: i64,
    /// Another page follows.
    pub has_next: bool,
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub(super) struct OrganisationQuery {
    /// Words to find (diacritic-insensitive).
    q: Option<String>,
}

/// Lists organisations in Vietnamese alphabetical order.
#[utoipa::path(get, path = "/api/v1/organisations", tag = "organisations",
    params(OrganisationQuery, Paging),
    responses((status = 200, body = OrganisationPage)))]
pub(super) async fn list(
    State(state): State<AppState>,
    ctx: RequestContext,
    Query(q): Query<OrganisationQuery>,
    Query(paging): Query<Paging>,
) -> Response {
    let (page, per_page) = paging.get();
    match state.services.list_organisations(q.q.as_deref(), &[], per_page, (page - 1) * per_page).await {
        Ok(mut rows) => {
            let has_next = rows.len() as i64 > per_page;
            rows.truncate(usize::try_from(per_page).unwrap_or(0));
            Json(OrganisationPage { items: rows.into_iter().map(Into::into).collect(), page, per_page, has_next })
                .into_response()
        }
        Err(e) => ApiError::new(&ctx, e).into_response(),
    }
}

/// Registers an organisation (body: `kind`, `name`, optional `name_vi`, `acronym`, `country`, `province`,
/// `iati_identifier`, `sectors`).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "organisations",
    request_body(content = Object, description = "OrganisationInput"),
    responses((status = 201, body = super::aid_items::Created), (status = 422, body = super::Problem), (status = 403, body = super::Problem)))]
pub(super) async fn create(
    State(state): State<AppState>,
    ctx: RequestContext,
    super::ApiJson(input): super::ApiJson<OrganisationInput>,
) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, true) };
    match state.services.register_organisation_as(&user, &input).await {
        Ok(id) => (StatusCode::CREATED, Json(super::aid_items::Created { id: id.0 })).into_response(),
        Err(e) => ApiError::new(&ctx, e).into_response(),
    }
}
