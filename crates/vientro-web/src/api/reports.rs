//! `GET /api/v1/reports?measures=…&by=…&where=…&from=…&to=…&as_of=…`: the report engine's rows as the CLI's
//! `--format json` gives them (the same function renders both).
//!
//! `where` may repeat (`where=province=04&where=year=2021`). This module must not compute figures.

use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use vientro_domain::report::ReportQueryInput;
use vientro_interchange::report_export::to_json;

use crate::AppState;
use crate::context::RequestContext;
use crate::error::ApiError;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/reports", get(run))
}

fn query_input(uri: &Uri) -> ReportQueryInput {
    let pairs: Vec<(String, String)> = uri.query().and_then(|q| serde_urlencoded::from_str(q).ok()).unwrap_or_default();
    let mut input = ReportQueryInput::default();
    for (k, v) in pairs {
        match k.as_str() {
            "measures" => input.measures = v,
            "by" => input.by = v,
            "where" => input.filters.push(v),
            "from" => input.from = Some(v),
            "to" => input.to = Some(v),
            "as_of" => input.as_of = Some(v),
            _ => {}
        }
    }
    input
}

/// Runs a report; the rows have the dimension codes and the measures asked for (money in major units).
#[utoipa::path(get, path = "/api/v1/reports", tag = "reports",
    params(
        ("measures" = String, Query, description = "Comma-separated measures, e.g. committed_usd,disbursed_usd"),
        ("by" = Option<String>, Query, description = "Comma-separated dimensions, e.g. year,province"),
        ("where" = Option<String>, Query, description = "DIMENSION=VALUE[|VALUE…]; may repeat"),
        ("from" = Option<String>, Query, description = "First year or date"),
        ("to" = Option<String>, Query, description = "Last year or date"),
        ("as_of" = Option<String>, Query, description = "Stock questions: what is active on this date"),
    ),
    responses((status = 200, description = "JSON array of rows"), (status = 401, body = super::Problem), (status = 422, body = super::Problem)))]
pub(super) async fn run(State(state): State<AppState>, ctx: RequestContext, uri: Uri) -> Response {
    let outcome = async {
        let query = query_input(&uri).parse()?;
        state.services.report_for(&ctx.principal(), &query).await
    }
    .await;
    match outcome {
        Ok(result) => Json(to_json(&result)).into_response(),
        Err(e) => ApiError::new(&ctx, e).into_response(),
    }
}
