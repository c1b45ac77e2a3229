//! `GET/POST /api/v1/aid-items`, `GET/PATCH /api/v1/aid-items/{id}`, and the lifecycle and flow endpoints.
//!
//! Lists and reads apply the caller's scope (an item outside it is 404); PATCH takes a partial object that
//! must carry the current `version` (stale: 409; not allowed: 403; nothing written in either case). This
//! module must not decide access or validity.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use vientro_domain::admin_units::{AdminUnits, UnitSet};
use vientro_domain::aid_item::AidItemInput;
use vientro_domain::flow::FlowInput;
use vientro_domain::ids::{AidItemId, OrganisationId};
use vientro_services::aid_items::StatusChangeInput;
use vientro_services::scoped_items::{ItemView, input_of};
use vientro_store::listing::{ItemFilter, ItemListRow};

use super::{ApiJson, Paging};
use crate::AppState;
use crate::context::RequestContext;
use crate::error::ApiError;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/aid-items", get(list).post(create))
        .route("/aid-items/{id}", get(get_one).patch(patch))
        .route("/aid-items/{id}/status", post(change_status))
        .route("/aid-items/{id}/flows", post(add_flow))
}

/// An aid item in a list.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ItemSummary {
    /// Id.
    pub id: i64,
    /// Version (give it back when changing the item).
    pub version: i64,
    /// Local code.
    pub code: Option<String>,
    /// Title.
    pub title: String,
    /// Kind code.
    pub kind: String,
    /// Status code.
    pub status: String,
    /// Start date.
    pub start_date: Option<NaiveDate>,
    /// End date.
    pub end_date: Option<NaiveDate>,
    /// Visible to the public.
    pub published: bool,
    /// Demonstration record.
    pub illustrative: bool,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<ItemListRow> for ItemSummary {
    fn from(r: ItemListRow) -> Self {
        ItemSummary {
            id: r.id,
            version: r.version,
            code: r.code,
            title: r.title,
            kind: r.kind,
            status: r.status,
            start_date: r.start_date,
            end_date: r.end_date,
            published: r.published,
            illustrative: r.illustrative,
            updated_at: r.updated_at,
        }
    }
}

/// A page of aid items.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ItemPage {
    /// Rows.
    pub items: Vec<ItemSummary>,
    /// Page.
    pub page: i64,
    /// Rows per page.
    pub per_page: i64,
    /// Another page follows.
    pub has_next: bool,
}

/// An aid item with its parts, as the `AidItemInput` fields (so a GET can be edited and PATCHed back), plus
/// `id`, `version`, the flows and the status history.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ItemOut {
    /// Id.
    pub id: i64,
    /// Version.
    pub version: i64,
    /// Title.
    pub title: String,
    /// Status code.
    pub status: String,
    /// Every field of the item as `AidItemInput` (donors, sectors, locations with percentages).
    #[schema(value_type = Object)]
    pub fields: serde_json::Value,
    /// Money flows with their USD and VND conversions.
    #[schema(value_type = Vec<Object>)]
    pub flows: serde_json::Value,
    /// Status history.
    #[schema(value_type = Vec<Object>)]
    pub history: serde_json::Value,
    /// The caller may change it.
    pub can_edit: bool,
    /// The caller may record appraisal decisions on it.
    pub can_approve: bool,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

fn item_out(v: &ItemView) -> ItemOut {
    let input = input_of(&v.item, &v.donors, &v.sectors, &v.locations);
    ItemOut {
        id: v.item.id,
        version: v.item.version,
        title: v.item.title.clone(),
        status: v.item.status.clone(),
        fields: serde_json::to_value(&input).unwrap_or_default(),
        flows: serde_json::to_value(&v.flows).unwrap_or_default(),
        history: serde_json::to_value(&v.history).unwrap_or_default(),
        can_edit: v.can_edit,
        can_approve: v.can_approve,
        updated_at: v.item.updated_at,
    }
}

/// The id of something created.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Created {
    /// Id.
    pub id: i64,
}

/// The version after a change.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct VersionOut {
    /// Id.
    pub id: i64,
    /// New version.
    pub version: i64,
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub(super) struct ItemQuery {
    /// Province code (today's map) or name.
    province: Option<String>,
    /// Status code.
    status: Option<String>,
    /// Kind code.
    kind: Option<String>,
    /// Running in this year.
    year: Option<i32>,
    /// Funded by this organisation id.
    donor: Option<i64>,
    /// Words (diacritic-insensitive).
    q: Option<String>,
}

/// Lists the aid items the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/aid-items", tag = "aid-items",
    params(ItemQuery, Paging),
    responses((status = 200, body = ItemPage), (status = 422, body = super::Problem)))]
pub(super) async fn list(
    State(state): State<AppState>,
    ctx: RequestContext,
    Query(q): Query<ItemQuery>,
    Query(paging): Query<Paging>,
) -> Response {
    let province = match q.province.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => match AdminUnits::embedded().parse_province_in(p, UnitSet::From2025) {
            Ok(code) => Some(code),
            Err(e) => return ApiError::new(&ctx, e.into()).into_response(),
        },
        None => None,
    };
    let filter = ItemFilter {
        text: q.q,
        statuses: q.status.into_iter().collect(),
        kind: q.kind,
        province,
        donor: q.donor.map(OrganisationId),
        year: q.year,
        include_archived: false,
    };
    let (page, per_page) = paging.get();
    match state.services.list_aid_items(&ctx.principal(), &filter, page, per_page).await {
        Ok(p) => Json(ItemPage {
            items: p.rows.into_iter().map(Into::into).collect(),
            page: p.page,
            per_page: p.per_page,
            has_next: p.has_next,
        })
        .into_response(),
        Err(e) => ApiError::new(&ctx, e).into_response(),
    }
}

/// Records an aid item (body: the `AidItemInput` fields: `title`, `kind`, `donors`, `sectors`, `locations`, …).
#[utoipa::path(post, path = "/api/v1/aid-items", tag = "aid-items",
    request_body(content = Object, description = "AidItemInput"),
    responses((status = 201, body = Created), (status = 403, body = super::Problem), (status = 422, body = super::Problem)))]
pub(super) async fn create(
    State(state): State<AppState>,
    ctx: RequestContext,
    ApiJson(input): ApiJson<AidItemInput>,
) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, true) };
    match state.services.create_aid_item_as(&user, &input).await {
        Ok(id) => (StatusCode::CREATED, Json(Created { id: id.0 })).into_response(),
        Err(e) => ApiError::new(&ctx, e).into_response(),
    }
}

/// Reads one aid item.
#[utoipa::path(get, path = "/api/v1/aid-items/{id}", tag = "aid-items",
    params(("id" = i64, Path, description = "Aid item id")),
    responses((status = 200, body = ItemOut), (status = 404, body = super::Problem)))]
pub(super) async fn get_one(State(state): State<AppState>, ctx: RequestContext, Path(id): Path<i64>) -> Response {
    match state.services.aid_item_view(&ctx.principal(), AidItemId(id)).await {
        Ok(v) => Json(item_out(&v)).into_response(),
        Err(e) => ApiError::new(&ctx, e).into_response(),
    }
}

/// Changes some fields of an aid item. The body is a partial `AidItemInput` that must include the current
/// `version`; a stale version gets 409 and changes nothing.
#[utoipa::path(patch, path = "/api/v1/aid-items/{id}", tag = "aid-items",
    params(("id" = i64, Path, description = "Aid item id")),
    request_body(content = Object, description = "Partial AidItemInput with `version`"),
    responses((status = 200, body = VersionOut), (status = 403, body = super::Problem), (status = 404, body = super::Problem),
        (status = 409, body = super::Problem), (status = 422, body = super::Problem)))]
pub(super) async fn patch(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<serde_json::Map<String, serde_json::Value>>,
) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, true) };
    match state.services.patch_aid_item(&user, AidItemId(id), &body).await {
        Ok(version) => Json(VersionOut { id, version }).into_response(),
        Err(e) => ApiError::new(&ctx, e).into_response(),
    }
}

/// Moves an aid item one step along its lifecycle (body: `to`, `version`, and for approval
/// `decision_number`, `decision_date`, `approval_level`).
#[utoipa::path(post, path = "/api/v1/aid-items/{id}/status", tag = "aid-items",
    params(("id" = i64, Path, description = "Aid item id")),
    request_body(content = Object, description = "StatusChangeInput"),
    responses((status = 200, body = VersionOut), (status = 403, body = super::Problem), (status = 409, body = super::Problem), (status = 422, body = super::Problem)))]
pub(super) async fn change_status(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<StatusChangeInput>,
) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, true) };
    match state.services.change_status_as(&user, AidItemId(id), &input).await {
        Ok(version) => Json(VersionOut { id, version }).into_response(),
        Err(e) => ApiError::new(&ctx, e).into_response(),
    }
}

/// Records a commitment or disbursement (body: `kind`, `stage`, `date`, `amount`, `currency`, `note`).
#[utoipa::path(post, path = "/api/v1/aid-items/{id}/flows", tag = "aid-items",
    params(("id" = i64, Path, description = "Aid item id")),
    request_body(content = Object, description = "FlowInput"),
    responses((status = 201, body = Created), (status = 403, body = super::Problem), (status = 422, body = super::Problem)))]
pub(super) async fn add_flow(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<FlowInput>,
) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, true) };
    match state.services.add_flow_as(&user, AidItemId(id), &input).await {
        Ok(flow) => (StatusCode::CREATED, Json(Created { id: flow.0 })).into_response(),
        Err(e) => ApiError::new(&ctx, e).into_response(),
    }
}
