//! Aid-promotion events (hội nghị xúc tiến vận động viện trợ) of a province: the list with what was pledged
//! at each and what the pledges became (committed, disbursed), one event's pledges, guests and proposals
//! presented, and the forms to record them.
//!
//! The figures come from the services (a pledge is never counted as aid; committed and disbursed are the actual
//! flows of the items the pledges became). This module lays them out and reads forms; it must not decide access
//! beyond showing forms to those the services would let write.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use vientro_domain::admin_units::{AdminUnits, ProvinceCode, UnitSet};
use vientro_domain::money::{CurrencyCode, Money};
use vientro_domain::{ValidationError, ValidationErrors};
use vientro_services::ServiceError;
use vientro_services::events::{EventAddition, EventFollowUp};
use vientro_store::events::EventRow;

use super::Chrome;
use crate::AppState;
use crate::context::RequestContext;
use crate::error::{PageError, render};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/events", get(list).post(create))
        .route("/events/{id}", get(detail))
        .route("/events/{id}/{what}", post(add))
}

/// Whether the reader may record events of `province` (the services decide again on every write).
fn may_edit(ctx: &RequestContext, province: &ProvinceCode) -> bool {
    ctx.user.as_ref().is_some_and(|u| vientro_services::people_records::may_record_for(u, Some(province)))
}

#[derive(Debug, Default, serde::Deserialize)]
struct Pick {
    province: Option<String>,
}

#[derive(Template)]
#[template(path = "events.html")]
struct ListPage {
    c: Chrome,
    province: String,
    provinces: Vec<(String, String, bool)>,
    rows: Vec<EventLine>,
    totals: [String; 3],
    may_edit: bool,
}

/// An event as a line of the list.
struct EventLine {
    id: i64,
    date: String,
    title: String,
    city: String,
    guests: String,
    presented: String,
    pledged: String,
    committed: String,
    disbursed: String,
}

fn province_name(code: &str) -> String {
    ProvinceCode::parse(code)
        .ok()
        .and_then(|c| AdminUnits::embedded().province(&c, UnitSet::From2025).map(|p| p.name.clone()))
        .unwrap_or_else(|| code.to_owned())
}

async fn list(State(state): State<AppState>, ctx: RequestContext, uri: Uri, Query(pick): Query<Pick>) -> Response {
    if ctx.user.is_none() {
        return crate::error::unauthenticated(&ctx.tr, false);
    }
    let tr = &ctx.tr;
    let outcome = async {
        let wanted = pick
            .province
            .clone()
            .filter(|p| !p.trim().is_empty())
            .or_else(|| ctx.user.as_ref().and_then(|u| u.province.as_ref()).map(|p| p.as_str().to_owned()))
            .unwrap_or_else(|| "04".to_owned());
        let code = AdminUnits::embedded().parse_province(&wanted).map_err(ValidationErrors::from)?;
        let from = chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or_default();
        let to = chrono::NaiveDate::from_ymd_opt(2100, 12, 31).unwrap_or_default();
        let events = state.services.events(code.as_str(), from, to).await?;
        Ok::<_, ServiceError>((code, events))
    }
    .await;
    let (code, events) = match outcome {
        Ok(found) => found,
        Err(e) => return PageError::new(&ctx, e).into_response(),
    };
    let usd = |minor: i64| tr.minor(minor);
    let rows = events
        .iter()
        .map(|e| EventLine {
            id: e.event.id,
            date: tr.date(&e.event.held_on),
            title: e.event.title.clone(),
            city: province_name(&e.event.city),
            guests: tr.t2("events-guests-value", "invited", tr.count(&e.guests.len()), "came", tr.count(&e.attended())),
            presented: tr.count(&e.presented.len()),
            pledged: usd(e.pledged_usd),
            committed: usd(e.committed_usd),
            disbursed: usd(e.disbursed_usd),
        })
        .collect();
    let sum = |f: fn(&EventFollowUp) -> i64| usd(events.iter().map(f).sum());
    let totals = [sum(|e| e.pledged_usd), sum(|e| e.committed_usd), sum(|e| e.disbursed_usd)];
    let provinces = AdminUnits::embedded()
        .provinces(UnitSet::From2025)
        .iter()
        .map(|p| (p.code.as_str().to_owned(), p.name.clone(), p.code == code))
        .collect();
    let page = ListPage {
        c: Chrome::new(&ctx, &uri, "events-title"),
        province: code.as_str().to_owned(),
        provinces,
        rows,
        totals,
        may_edit: may_edit(&ctx, &code),
    };
    render(tr, &page)
}

/// The new event form.
#[derive(Debug, Default, serde::Deserialize)]
struct NewEvent {
    #[serde(default)]
    province: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    city: String,
    participants: Option<String>,
    organisers: Option<String>,
}

impl NewEvent {
    fn parse(&self) -> Result<EventRow, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let held_on = vientro_domain::date::parse_date("held_on", &self.held_on).map_err(|e| errors.push(e)).ok();
        let participants = match self.participants.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            None => None,
            Some(text) => match text.replace('.', "").parse::<i64>() {
                Ok(n) if n >= 0 => Some(n),
                _ => {
                    errors.push(ValidationError::new("participants", "error-number-format", "not a whole number"));
                    None
                }
            },
        };
        let city = match AdminUnits::embedded().parse_province(&self.city) {
            Ok(c) => c.as_str().to_owned(),
            Err(_) => {
                errors.push(ValidationError::new("city", "error-province", "the province or city where it was held"));
                String::new()
            }
        };
        if self.title.trim().is_empty() {
            errors.push(ValidationError::new("title", "error-required", "an event needs a title"));
        }
        errors.into_result(())?;
        Ok(EventRow {
            id: 0,
            province_code: self.province.clone(),
            title: self.title.trim().to_owned(),
            held_on: held_on.unwrap_or_default(),
            city,
            participants,
            organisers: self.organisers.clone().filter(|o| !o.trim().is_empty()),
        })
    }
}

fn invalid(tr: &crate::i18n::Tr, e: &ValidationErrors) -> String {
    e.0.iter()
        .map(|v| format!("{}: {}", v.field, if tr.has(v.code) { tr.t(v.code) } else { v.message.clone() }))
        .collect::<Vec<_>>()
        .join("; ")
}

async fn create(State(state): State<AppState>, ctx: RequestContext, Form(f): Form<NewEvent>) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, false) };
    let outcome = async {
        let event = f.parse()?;
        state.services.create_event_as(&user, &event).await
    }
    .await;
    match outcome {
        Ok(id) => Redirect::to(&format!("/events/{id}?done=event-saved")).into_response(),
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

/// A pledge as a line: the organisation (id, name), pledged, the item it became (id, title), committed, disbursed.
type PledgeLine = (i64, String, String, Option<(i64, String)>, String, String);

#[derive(Template)]
#[template(path = "event.html")]
struct DetailPage {
    c: Chrome,
    e: EventFollowUp,
    city: String,
    pledges: Vec<PledgeLine>,
    totals: [String; 3],
    organisations: Vec<(String, String, bool)>,
    proposals: Vec<(String, String, bool)>,
    may_edit: bool,
    error: Option<String>,
}

async fn detail_page(state: &AppState, ctx: &RequestContext, uri: &Uri, id: i64, error: Option<String>) -> Response {
    let tr = &ctx.tr;
    let outcome = async {
        let e = state.services.event(&ctx.principal(), id).await?;
        let code = ProvinceCode::parse(&e.event.province_code).map_err(ValidationErrors::from)?;
        let editable = may_edit(ctx, &code);
        let organisations = if editable { super::aid_items::donor_choices(state, "").await? } else { Vec::new() };
        let proposals = if editable {
            state
                .services
                .proposals(code.as_str())
                .await?
                .into_iter()
                .map(|p| (p.id.to_string(), p.title, false))
                .collect()
        } else {
            Vec::new()
        };
        Ok::<_, ServiceError>((e, editable, organisations, proposals))
    }
    .await;
    let (e, editable, organisations, proposals) = match outcome {
        Ok(found) => found,
        Err(err) => return PageError::new(ctx, err).into_response(),
    };
    let pledges = e
        .pledges
        .iter()
        .map(|p| {
            (
                p.organisation_id,
                p.organisation_name.clone(),
                tr.minor(p.usd_minor),
                p.aid_item_id.map(|i| (i, p.aid_item_title.clone().unwrap_or_default())),
                tr.minor(p.committed_usd),
                tr.minor(p.disbursed_usd),
            )
        })
        .collect();
    let totals = [tr.minor(e.pledged_usd), tr.minor(e.committed_usd), tr.minor(e.disbursed_usd)];
    let status =
        if error.is_some() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    let page = DetailPage {
        c: Chrome::new(ctx, uri, "events-title").titled(e.event.title.clone()),
        city: province_name(&e.event.city),
        e,
        pledges,
        totals,
        organisations,
        proposals,
        may_edit: editable,
        error,
    };
    (status, render(tr, &page)).into_response()
}

async fn detail(State(state): State<AppState>, ctx: RequestContext, uri: Uri, Path(id): Path<i64>) -> Response {
    detail_page(&state, &ctx, &uri, id, None).await
}

/// An addition's form: an organisation (guests, pledges), whether it came, an amount in USD and the aid item
/// (pledges), a proposal.
#[derive(Debug, Default, serde::Deserialize)]
struct AdditionForm {
    organisation: Option<String>,
    attended: Option<String>,
    amount: Option<String>,
    aid_item: Option<String>,
    proposal: Option<String>,
}

fn id_field(field: &str, text: Option<&str>, required: bool) -> Result<Option<i64>, ValidationError> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None if required => Err(ValidationError::new(field, "error-required", format!("{field} is needed"))),
        None => Ok(None),
        Some(t) => t
            .parse::<i64>()
            .map(Some)
            .map_err(|_| ValidationError::new(field, "error-number-format", format!("'{t}' is not an id"))),
    }
}

impl AdditionForm {
    fn parse(&self, what: &str) -> Result<EventAddition, ValidationErrors> {
        let organisation =
            || id_field("organisation", self.organisation.as_deref(), true).map(Option::unwrap_or_default);
        Ok(match what {
            "guests" => EventAddition::Guest { organisation: organisation()?, attended: self.attended.is_some() },
            "pledges" => {
                let organisation = organisation()?;
                let amount =
                    self.amount.as_deref().unwrap_or_default().trim().replace(['.', ' '], "").replace(',', ".");
                let money = Money::parse(&amount, CurrencyCode::USD)
                    .and_then(Money::non_negative)
                    .map_err(|e| ValidationError::new("amount", e.code, e.message))?;
                let aid_item = id_field("aid_item", self.aid_item.as_deref(), false)?;
                EventAddition::Pledge { organisation, usd_minor: money.amount.0, aid_item }
            }
            "proposals" => EventAddition::Presented {
                proposal: id_field("proposal", self.proposal.as_deref(), true)?.unwrap_or_default(),
            },
            other => {
                return Err(ValidationError::new(
                    "what",
                    "error-unknown-table",
                    format!("'{other}' is not guests, pledges or proposals"),
                )
                .into());
            }
        })
    }
}

async fn add(
    State(state): State<AppState>,
    ctx: RequestContext,
    uri: Uri,
    Path((id, what)): Path<(i64, String)>,
    Form(f): Form<AdditionForm>,
) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, false) };
    let outcome = async {
        let addition = f.parse(&what)?;
        state.services.add_to_event_as(&user, id, &addition).await
    }
    .await;
    match outcome {
        Ok(()) => Redirect::to(&format!("/events/{id}?done=event-saved#{what}")).into_response(),
        Err(ServiceError::Invalid(e)) => {
            let message = invalid(&ctx.tr, &e);
            let page_uri: Uri = format!("/events/{id}").parse().unwrap_or(uri);
            detail_page(&state, &ctx, &page_uri, id, Some(message)).await
        }
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}
