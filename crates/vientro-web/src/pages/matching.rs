//! The matching page: organisations ranked for a province's priority sectors or for a proposal on its
//! call-for-aid list, with the reasons, and the list of proposals.
//!
//! It shows what `Services::match_for_province` and `match_for_proposal` return; it must not score.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use vientro_domain::access::Principal;
use vientro_domain::admin_units::{AdminUnits, UnitSet};
use vientro_services::ServiceError;
use vientro_services::matching::may_match;
use vientro_store::matching::ProposalRow;

use super::Chrome;
use crate::AppState;
use crate::context::RequestContext;
use crate::error::{PageError, render};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/match", get(page))
}

#[derive(Debug, Default, serde::Deserialize)]
struct MatchQuery {
    province: Option<String>,
    proposal: Option<i64>,
}

/// One organisation on the list.
struct Line {
    rank: usize,
    id: i64,
    name: String,
    score: String,
    reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "match.html")]
struct MatchPage {
    c: Chrome,
    provinces: Vec<(String, String, bool)>,
    heading: Option<String>,
    budget: Option<String>,
    problem: Option<String>,
    lines: Vec<Line>,
    proposals: Vec<ProposalRow>,
}

/// How many organisations the page lists.
const LISTED: usize = 10;

async fn page(State(state): State<AppState>, ctx: RequestContext, uri: Uri, Query(q): Query<MatchQuery>) -> Response {
    match build(&state, &ctx, &uri, q).await {
        Ok(r) => r,
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

async fn build(state: &AppState, ctx: &RequestContext, uri: &Uri, q: MatchQuery) -> Result<Response, ServiceError> {
    let who = ctx.principal();
    may_match(&who)?;
    let tr = &ctx.tr;
    let own = match &who {
        Principal::User { province: Some(p), .. } => Some(p.as_str().to_owned()),
        _ => None,
    };
    let chosen = q.province.filter(|p| !p.trim().is_empty()).or(own);
    let units = AdminUnits::embedded();
    let provinces = units
        .provinces(UnitSet::From2025)
        .iter()
        .map(|p| (p.code.as_str().to_owned(), p.name.clone(), chosen.as_deref() == Some(p.code.as_str())))
        .collect();
    let today = crate::i18n::today_in_viet_nam();
    let en = tr.lang == crate::i18n::Lang::En;
    let list = match (q.proposal, &chosen) {
        (Some(id), _) => Some(state.services.match_for_proposal(id, today, LISTED).await),
        (None, Some(p)) => Some(state.services.match_for_province(p, &[], None, today, LISTED).await),
        (None, None) => None,
    };
    let (mut heading, mut budget, mut problem, mut lines) = (None, None, None, Vec::new());
    match list {
        Some(Ok(list)) => {
            let sectors: Vec<&str> = list.sectors.iter().map(|s| if en { s.name_en() } else { s.name_vi() }).collect();
            heading = Some(tr.t2("match-for", "need", &list.need_label, "sectors", sectors.join("; ")));
            budget = list.budget_usd_minor.map(|b| tr.t1("match-budget", "amount", tr.minor(b)));
            lines = list
                .organisations
                .iter()
                .map(|o| Line {
                    rank: o.rank,
                    id: o.candidate.organisation,
                    name: o.name.clone(),
                    score: tr.t1("match-score", "score", (o.candidate.score * 100.0).round() as i64),
                    reasons: o.candidate.reasons.iter().map(|r| tr.reason(r)).collect(),
                })
                .collect();
        }
        // A province without priorities recorded is a fact to show, not a failure of the page.
        Some(Err(ServiceError::Invalid(errors))) => {
            let said: Vec<String> =
                errors.0.iter().map(|e| if tr.has(e.code) { tr.t(e.code) } else { e.message.clone() }).collect();
            problem = Some(said.join("; "));
        }
        Some(Err(e)) => return Err(e),
        None => {}
    }
    let proposals = match &chosen {
        Some(p) => state.services.proposals(p).await.unwrap_or_default(),
        None => Vec::new(),
    };
    let c = Chrome::new(ctx, uri, "match-title");
    Ok(render(tr, &MatchPage { c, provinces, heading, budget, problem, lines, proposals }))
}
