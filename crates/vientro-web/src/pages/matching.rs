//! The matching page: organisations ranked for a province's priority sectors or for a proposal on its
//! call-for-aid list, with the reasons, and the list of proposals.
//!
//! It shows what `Services::match_for_province` and `match_for_proposal` return, and sends a proposal's next
//! step (listed → matched → dossier → approved → funded, or withdrawn) to `Services::move_proposal_as`; it must
//! not score nor judge a step.

use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use vientro_domain::access::Principal;
use vientro_domain::admin_units::{AdminUnits, UnitSet};
use vientro_domain::proposal::ProposalStatus;
use vientro_services::ServiceError;
use vientro_services::matching::{ProposalMove, may_match};
use vientro_store::matching::{NewProposal, ProposalRow};

use super::Chrome;
use crate::AppState;
use crate::context::RequestContext;
use crate::error::{PageError, render};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/match", get(page))
        .route("/match/proposals", post(add_proposal))
        .route("/match/priorities", post(add_priorities))
        .route("/match/proposals/{id}/status", post(move_proposal))
}

#[derive(Debug, Default, serde::Deserialize)]
struct MatchQuery {
    province: Option<String>,
    proposal: Option<i64>,
    organisation: Option<i64>,
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
    proposals: Vec<ProposalView>,
    /// For an organisation: its name and the open proposals ranked for it.
    for_organisation: Option<(i64, String, Vec<ProposalLine>)>,
    /// The chosen province, when the reader may add to its list and priorities.
    editable: Option<String>,
    sectors: Vec<(String, String, bool)>,
    this_year: i32,
}

/// A proposal with the steps the reader may take it (none when they may not change the province's list).
struct ProposalView {
    row: ProposalRow,
    next: Vec<(String, String)>,
}

/// A proposal ranked for an organisation.
struct ProposalLine {
    rank: usize,
    id: i64,
    title: String,
    province: String,
    province_name: String,
    score: String,
    reasons: Vec<String>,
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
    let rows = match &chosen {
        Some(p) => state.services.proposals(p).await.unwrap_or_default(),
        None => Vec::new(),
    };
    let proposals = rows
        .into_iter()
        .map(|row| {
            // Whether to offer the buttons; the services decide again when one is pressed.
            let editable = vientro_domain::admin_units::ProvinceCode::parse(&row.province_code).is_ok_and(|p| {
                let list =
                    vientro_domain::access::Resource { provinces: vec![p], organisations: Vec::new(), published: true };
                vientro_domain::access::can(&ctx.principal(), vientro_domain::access::Action::Edit, &list)
            });
            let next = match ProposalStatus::parse(&row.status) {
                Ok(status) if editable => status
                    .allowed_next()
                    .iter()
                    .map(|s| (s.as_str().to_owned(), tr.code("proposal-status", s.as_str())))
                    .collect(),
                _ => Vec::new(),
            };
            ProposalView { row, next }
        })
        .collect();
    let editable = chosen
        .as_deref()
        .and_then(|p| AdminUnits::embedded().parse_province(p).ok())
        .filter(|p| ctx.user.as_ref().is_some_and(|u| vientro_services::people_records::may_record_for(u, Some(p))))
        .map(|p| p.as_str().to_owned());
    let sectors = vientro_domain::sector::VnSector::all()
        .iter()
        .map(|s| (format!("vn:{}", s.code()), if en { s.name_en() } else { s.name_vi() }.to_owned(), false))
        .collect();
    let this_year = chrono::Datelike::year(&today);
    let for_organisation = match q.organisation {
        None => None,
        Some(id) => {
            let name = state.services.organisation(vientro_domain::ids::OrganisationId(id)).await?.name;
            let ranked = state.services.proposals_for_organisation(id, today, LISTED).await?;
            let lines = ranked
                .into_iter()
                .map(|r| ProposalLine {
                    rank: r.rank,
                    id: r.proposal.id,
                    title: r.proposal.title.clone(),
                    province_name: vientro_domain::admin_units::ProvinceCode::parse(&r.proposal.province_code)
                        .ok()
                        .and_then(|c| units.province(&c, UnitSet::From2025).map(|p| p.name.clone()))
                        .unwrap_or_default(),
                    province: r.proposal.province_code,
                    score: tr.t2(
                        "match-score-place",
                        "score",
                        (r.candidate.score * 100.0).round() as i64,
                        "place",
                        r.position,
                    ),
                    reasons: r.candidate.reasons.iter().map(|x| tr.reason(x)).collect(),
                })
                .collect();
            Some((id, name, lines))
        }
    };
    let c = Chrome::new(ctx, uri, "match-title");
    Ok(render(
        tr,
        &MatchPage {
            c,
            provinces,
            heading,
            budget,
            problem,
            lines,
            proposals,
            for_organisation,
            editable,
            sectors,
            this_year,
        },
    ))
}

/// The new-proposal form.
#[derive(Debug, Default, serde::Deserialize)]
struct ProposalForm {
    #[serde(default)]
    province: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    sector: String,
    communes: Option<String>,
    beneficiaries: Option<String>,
    budget_usd: Option<String>,
}

fn whole(field: &str, text: Option<&str>) -> Result<Option<i64>, vientro_domain::ValidationError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => t.replace(['.', ' '], "").parse::<i64>().map(Some).map_err(|_| {
            vientro_domain::ValidationError::new(field, "error-number-format", format!("'{t}' is not a whole number"))
        }),
    }
}

async fn add_proposal(State(state): State<AppState>, ctx: RequestContext, Form(f): Form<ProposalForm>) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, false) };
    let outcome = async {
        let mut errors = vientro_domain::ValidationErrors::default();
        let beneficiaries = errors.collect(whole("beneficiaries", f.beneficiaries.as_deref())).flatten();
        let budget = errors.collect(whole("budget_usd", f.budget_usd.as_deref())).flatten();
        errors.into_result(())?;
        let proposal = NewProposal {
            province_code: f.province.clone(),
            title: f.title.clone(),
            sector_code: f.sector.clone(),
            communes: f.communes.clone().filter(|c| !c.trim().is_empty()),
            beneficiaries,
            estimated_usd_minor: budget.map(|usd| usd.saturating_mul(100)),
            status: "listed".into(),
            aid_item_id: None,
            illustrative: false,
        };
        state.services.create_proposal_as(&user, &proposal).await?;
        Ok::<_, ServiceError>(())
    }
    .await;
    match outcome {
        Ok(()) => Redirect::to(&format!("/match?province={}&done=proposal-added", f.province)).into_response(),
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

/// The priorities form: a period and the sectors, in order of priority.
#[derive(Debug, Default, serde::Deserialize)]
struct PrioritiesForm {
    #[serde(default)]
    province: String,
    #[serde(default)]
    from_year: String,
    #[serde(default)]
    to_year: String,
    /// Sector codes, in order (the form's select sends one per choice).
    #[serde(default)]
    sector: Vec<String>,
    source: Option<String>,
}

async fn add_priorities(State(state): State<AppState>, ctx: RequestContext, body: axum::body::Bytes) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, false) };
    let outcome = async {
        // A repeated field (one `sector` per choice) is read as a list, which the urlencoded extractor does not do.
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).map_err(|_| {
            vientro_domain::ValidationErrors::from(vientro_domain::ValidationError::new(
                "form",
                "error-form",
                "the form could not be read",
            ))
        })?;
        let mut f = PrioritiesForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "province" => f.province = v,
                "from_year" => f.from_year = v,
                "to_year" => f.to_year = v,
                "sector" if !v.trim().is_empty() => f.sector.push(v),
                "source" => f.source = Some(v).filter(|s| !s.trim().is_empty()),
                _ => {}
            }
        }
        let mut errors = vientro_domain::ValidationErrors::default();
        let year = |field: &str, text: &str| {
            text.trim().parse::<i32>().ok().filter(|y| (1945..=2100).contains(y)).ok_or_else(|| {
                vientro_domain::ValidationError::new(field, "error-year", format!("'{text}' is not a year"))
            })
        };
        let from = errors.collect(year("from_year", &f.from_year));
        let to = errors.collect(year("to_year", &f.to_year));
        errors.into_result(())?;
        let years = (from.unwrap_or_default(), to.unwrap_or_default());
        state.services.record_priorities_as(&user, &f.province, years, &f.sector, f.source.as_deref()).await?;
        Ok::<_, ServiceError>(f.province)
    }
    .await;
    match outcome {
        Ok(province) => Redirect::to(&format!("/match?province={province}&done=priorities-added")).into_response(),
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

/// The proposal-step form: the aid item is typed, so it arrives as text.
#[derive(Debug, serde::Deserialize)]
struct StepForm {
    to: String,
    version: i64,
    #[serde(default)]
    aid_item: String,
}

async fn move_proposal(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    Form(form): Form<StepForm>,
) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, false) };
    let outcome = async {
        let aid_item = match form.aid_item.trim() {
            "" => None,
            text => Some(text.parse::<i64>().map_err(|_| {
                vientro_domain::ValidationErrors::from(vientro_domain::ValidationError::new(
                    "aid_item",
                    "error-aid-item-unknown",
                    format!("'{text}' is not an aid item number"),
                ))
            })?),
        };
        let step = ProposalMove { to: form.to.clone(), version: form.version, aid_item };
        state.services.move_proposal_as(&user, id, &step).await?;
        Ok::<_, ServiceError>(state.services.proposal(id).await?.province_code)
    }
    .await;
    match outcome {
        Ok(province) => Redirect::to(&format!("/match?province={province}&done=proposal-moved")).into_response(),
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}
