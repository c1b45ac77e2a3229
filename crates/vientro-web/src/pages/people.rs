//! People-to-people diplomacy (đối ngoại nhân dân) of a province: its friendship associations with their
//! members, its twinning pairs, the scholarships it grants and the support it gives abroad, as one page and
//! as a CSV file per table.
//!
//! The records and their counts come from the services (the same definitions the briefing quotes); this module
//! lays them out. It must not count anything itself beyond what it shows row by row.

use std::collections::BTreeMap;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use vientro_domain::admin_units::{AdminUnits, UnitSet};
use vientro_domain::country::CountryCode;
use vientro_domain::people::{FieldValue, PeopleKind};
use vientro_services::ServiceError;

use super::Chrome;
use crate::AppState;
use crate::context::RequestContext;
use crate::error::{PageError, render};
use crate::i18n::{Lang, Tr};

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/people", get(page)).route("/people/export.csv", get(export))
}

/// Which province and up to which year.
#[derive(Debug, Default, Clone, serde::Deserialize)]
struct Pick {
    province: Option<String>,
    year: Option<String>,
    table: Option<String>,
}

/// The first year scholarships and support abroad are read from.
const FIRST_YEAR: i32 = vientro_services::people::FIRST_SCHOLARSHIP_YEAR;

/// The tables of the page, each as headings and rows of text (the numbers already in the reader's style).
struct Tables {
    province: String,
    year: i32,
    province_name: String,
    as_of: NaiveDate,
    associations: Vec<Vec<String>>,
    members: i64,
    twinnings: Vec<Vec<String>>,
    twinning_levels: Vec<String>,
    scholarships: Vec<Vec<String>>,
    students: i64,
    scholarship_vnd: i64,
    support: Vec<Vec<String>>,
    delegations: Vec<Vec<String>>,
    events: Vec<Vec<String>>,
    member_rows: Vec<Vec<String>>,
    /// The record each row of a table opens, by table name.
    links: BTreeMap<&'static str, Vec<String>>,
}

fn country(tr: &Tr, code: &str) -> String {
    match CountryCode::parse(code) {
        Ok(c) if tr.lang == Lang::En => c.name_en().to_owned(),
        Ok(c) => c.name_vi().to_owned(),
        Err(_) => code.to_owned(),
    }
}

fn level(tr: &Tr, code: &str) -> String {
    tr.code("people-level", code)
}

impl Pick {
    /// The province (the officer's own by default, else Quảng Ninh, whose union keeps the most) and the year.
    fn resolve(&self, ctx: &RequestContext) -> Result<(String, i32), ServiceError> {
        let wanted = self
            .province
            .clone()
            .filter(|p| !p.trim().is_empty())
            .or_else(|| ctx.user.as_ref().and_then(|u| u.province.as_ref()).map(|p| p.as_str().to_owned()))
            .unwrap_or_else(|| "22".to_owned());
        let code = AdminUnits::embedded()
            .parse_province_in(&wanted, UnitSet::From2025)
            .map_err(vientro_domain::ValidationErrors::from)?;
        let this_year = crate::i18n::today_in_viet_nam().year();
        let year = self
            .year
            .as_deref()
            .and_then(|y| y.trim().parse::<i32>().ok())
            .filter(|y| (FIRST_YEAR..=this_year).contains(y))
            .unwrap_or(this_year);
        Ok((code.as_str().to_owned(), year))
    }
}

/// The tables for the picked province and year, in the reader's words.
async fn tables(state: &AppState, ctx: &RequestContext, pick: &Pick) -> Result<Tables, ServiceError> {
    let tr = &ctx.tr;
    let (code, year) = pick.resolve(ctx)?;
    let province = code.as_str();
    let today = crate::i18n::today_in_viet_nam();
    let end_of_year = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(today);
    let as_of = end_of_year.min(today);
    let people = state.services.people_on(province, as_of).await?;
    let scholarships = state.services.scholarships(province, FIRST_YEAR, year).await?;
    let start = NaiveDate::from_ymd_opt(FIRST_YEAR, 1, 1).unwrap_or(as_of);
    let support = state.services.outbound_support(province, start, as_of).await?;
    let year_start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(as_of);
    let delegations = state.services.delegations(province, year_start, end_of_year).await?;
    let principal = ctx.principal();
    let code_parsed =
        vientro_domain::admin_units::ProvinceCode::parse(province).map_err(vientro_domain::ValidationErrors::from)?;
    let events: Vec<_> = state
        .services
        .people_records_of_province(&principal, PeopleKind::Event, &code_parsed, "starts_on")
        .await?
        .into_iter()
        .filter(|e| e.get("starts_on").and_then(FieldValue::date).is_some_and(|d| d >= year_start && d <= end_of_year))
        .collect();
    let participants = PeopleKind::Event.part("participants").map_err(vientro_domain::ValidationErrors::from)?;
    let participant_rows =
        state.services.people_part_rows_of_province(&principal, PeopleKind::Event, participants, &code_parsed).await?;
    let member_part = PeopleKind::Association.part("members").map_err(vientro_domain::ValidationErrors::from)?;
    let member_rows = state
        .services
        .people_part_rows_of_province(&principal, PeopleKind::Association, member_part, &code_parsed)
        .await?;
    let show = |record: &vientro_services::people_records::PeopleRecordView, name: &str| {
        record
            .values
            .iter()
            .find(|(f, _)| f.name == name)
            .map(|(f, v)| super::people_records::shown_value(tr, f, v))
            .unwrap_or_default()
    };
    let association_names: BTreeMap<i64, String> = people.associations.iter().map(|a| (a.id, a.name.clone())).collect();
    let members: Vec<(i64, Vec<String>)> = member_rows
        .iter()
        .filter_map(|(id, row)| {
            let name = association_names.get(id)?;
            let mut cells = vec![name.clone()];
            cells.extend(row.iter().map(|(f, v)| super::people_records::shown_value(tr, f, v)));
            Some((*id, cells))
        })
        .collect();
    let mut links: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let link = |kind: PeopleKind, id: i64| format!("/people/{}/{id}", kind.as_str());
    links.insert("associations", people.associations.iter().map(|a| link(PeopleKind::Association, a.id)).collect());
    links.insert("twinnings", people.twinnings.iter().map(|t| link(PeopleKind::Twinning, t.id)).collect());
    links.insert("scholarships", scholarships.rows.iter().map(|r| link(PeopleKind::Scholarship, r.id)).collect());
    links.insert("support", support.iter().map(|r| link(PeopleKind::Support, r.id)).collect());
    links.insert("delegations", delegations.iter().map(|d| link(PeopleKind::Delegation, d.id)).collect());
    links.insert("events", events.iter().map(|e| link(PeopleKind::Event, e.id)).collect());
    links.insert("members", members.iter().map(|(id, _)| link(PeopleKind::Association, *id)).collect());
    let province_name = AdminUnits::embedded()
        .parse_province_in(province, UnitSet::From2025)
        .ok()
        .and_then(|c| AdminUnits::embedded().province(&c, UnitSet::From2025).map(|p| p.name.clone()))
        .unwrap_or_default();
    Ok(Tables {
        province: code.clone(),
        year,
        province_name,
        as_of,
        associations: people
            .associations
            .iter()
            .map(|a| {
                vec![
                    a.name.clone(),
                    country(tr, &a.partner_country),
                    tr.date_opt(&a.founded_on),
                    a.members.map(|m| tr.int(m)).unwrap_or_default(),
                ]
            })
            .collect(),
        members: people.members,
        twinnings: people
            .twinnings
            .iter()
            .map(|t| {
                vec![
                    t.local_name.clone(),
                    level(tr, &t.local_level),
                    t.partner_name.clone(),
                    level(tr, &t.partner_level),
                    country(tr, &t.partner_country),
                    tr.date(&t.signed_on),
                ]
            })
            .collect(),
        twinning_levels: people
            .twinnings_by_level
            .iter()
            .map(|((local, partner), n)| format!("{} – {}: {}", level(tr, local), level(tr, partner), tr.count(n)))
            .collect(),
        scholarships: scholarships
            .rows
            .iter()
            .map(|s| {
                vec![
                    s.year.to_string(),
                    s.origin.clone(),
                    country(tr, &s.partner_country),
                    tr.int(s.students),
                    tr.int(s.amount_vnd),
                ]
            })
            .collect(),
        students: scholarships.students,
        scholarship_vnd: scholarships.amount_vnd,
        support: support
            .iter()
            .map(|s| {
                vec![
                    tr.date(&s.given_on),
                    s.recipient.clone(),
                    country(tr, &s.partner_country),
                    tr.code("people-purpose", &s.purpose),
                    tr.int(s.amount_vnd),
                ]
            })
            .collect(),
        delegations: delegations
            .iter()
            .map(|d| {
                vec![
                    tr.code("people-direction", &d.direction),
                    country(tr, &d.country),
                    d.purpose.clone(),
                    format!("{} – {}", tr.date(&d.starts_on), tr.date(&d.ends_on)),
                    tr.int(d.members),
                    match (d.direction.as_str(), d.report_on) {
                        (_, Some(on)) => tr.t1("people-report-received", "date", tr.date(&on)),
                        ("out", None) => tr.t("people-report-awaited"),
                        _ => String::new(),
                    },
                ]
            })
            .collect(),
        events: events
            .iter()
            .map(|e| {
                let dates = match e.get("ends_on").and_then(FieldValue::date) {
                    Some(end) => format!("{} – {}", show(e, "starts_on"), tr.date(&end)),
                    None => show(e, "starts_on"),
                };
                let count = participant_rows.iter().filter(|(id, _)| *id == e.id).count();
                vec![show(e, "kind"), show(e, "title"), dates, show(e, "place"), tr.count(&count)]
            })
            .collect(),
        member_rows: members.into_iter().map(|(_, cells)| cells).collect(),
        links,
    })
}

/// The headings of each table, by its name in the export link.
fn headings(tr: &Tr, table: &str) -> Vec<String> {
    let keys: &[&str] = match table {
        "associations" => &["people-col-association", "people-col-country", "people-col-founded", "people-col-members"],
        "twinnings" => &[
            "people-col-local",
            "people-col-level",
            "people-col-partner",
            "people-col-level",
            "people-col-country",
            "people-col-signed",
        ],
        "scholarships" => &[
            "people-col-year",
            "people-col-origin",
            "people-col-country",
            "people-col-students",
            "people-col-amount-vnd",
        ],
        "delegations" => &[
            "people-col-direction",
            "people-col-country",
            "people-col-purpose",
            "people-col-dates",
            "people-col-members",
            "people-col-trip-report",
        ],
        "events" => &[
            "people-field-kind",
            "people-field-title",
            "people-col-dates",
            "people-field-place",
            "people-col-participants",
        ],
        "members" => &[
            "people-col-association",
            "people-field-member-kind",
            "people-field-name",
            "people-field-role",
            "people-field-joined-on",
            "people-field-left-on",
        ],
        _ => &[
            "people-col-date",
            "people-col-recipient",
            "people-col-country",
            "people-col-purpose",
            "people-col-amount-vnd",
        ],
    };
    keys.iter().map(|k| tr.t(k)).collect()
}

/// One table of the page.
struct TableView {
    name: &'static str,
    title: String,
    headings: Vec<String>,
    /// Each row with the address of the record it shows (none: the reader sees no record page for it).
    rows: Vec<(Option<String>, Vec<String>)>,
    note: String,
    /// Where a new record of the table is entered, for those who may.
    new_link: Option<String>,
}

#[derive(Template)]
#[template(path = "people.html")]
struct PeoplePage {
    c: Chrome,
    provinces: Vec<(String, String, bool)>,
    year: String,
    query: String,
    heading: String,
    tables: Vec<TableView>,
}

async fn page(State(state): State<AppState>, ctx: RequestContext, uri: Uri, Query(pick): Query<Pick>) -> Response {
    if ctx.user.is_none() {
        return crate::error::unauthenticated(&ctx.tr, false);
    }
    let tr = &ctx.tr;
    let t = match tables(&state, &ctx, &pick).await {
        Ok(t) => t,
        Err(e) => return PageError::new(&ctx, e).into_response(),
    };
    let (province, year) = (t.province.clone(), t.year);
    let provinces = AdminUnits::embedded()
        .provinces(UnitSet::From2025)
        .iter()
        .map(|p| (p.code.as_str().to_owned(), p.name.clone(), p.code.as_str() == province))
        .collect();
    let may_record = ctx.user.as_ref().is_some_and(|u| vientro_services::people_records::may_record_people(u.role));
    let table = |name: &'static str, title: &str, rows: Vec<Vec<String>>, note: String| {
        let links = t.links.get(name).cloned().unwrap_or_default();
        let kind = match name {
            "members" => None,
            other => PeopleKind::parse(other).ok(),
        };
        TableView {
            name,
            title: tr.t(title),
            headings: headings(tr, name),
            rows: rows.into_iter().enumerate().map(|(i, r)| (links.get(i).cloned(), r)).collect(),
            note,
            new_link: kind.filter(|_| may_record).map(|k| format!("/people/{}/new?province={province}", k.as_str())),
        }
    };
    let tables = vec![
        table(
            "associations",
            "people-associations",
            t.associations.clone(),
            tr.t2("people-associations-note", "count", tr.count(&t.associations.len()), "members", tr.int(t.members)),
        ),
        table("twinnings", "people-twinnings", t.twinnings.clone(), t.twinning_levels.join("; ")),
        table(
            "scholarships",
            "people-scholarships",
            t.scholarships.clone(),
            tr.t2("people-scholarships-note", "students", tr.int(t.students), "amount", tr.int(t.scholarship_vnd)),
        ),
        table("support", "people-support", t.support.clone(), String::new()),
        table("delegations", "people-delegations", t.delegations.clone(), String::new()),
        table("events", "people-events", t.events.clone(), String::new()),
        table("members", "people-members", t.member_rows.clone(), String::new()),
    ];
    let heading = tr.t2("people-heading", "place", &t.province_name, "date", tr.date(&t.as_of));
    let query =
        serde_urlencoded::to_string([("province", province.as_str()), ("year", &year.to_string())]).unwrap_or_default();
    render(
        tr,
        &PeoplePage {
            c: Chrome::new(&ctx, &uri, "people-title"),
            provinces,
            year: year.to_string(),
            query,
            heading,
            tables,
        },
    )
}

async fn export(State(state): State<AppState>, ctx: RequestContext, Query(pick): Query<Pick>) -> Response {
    if ctx.user.is_none() {
        return crate::error::unauthenticated(&ctx.tr, false);
    }
    let tr = &ctx.tr;
    let outcome = async {
        let t = tables(&state, &ctx, &pick).await?;
        let (province, year) = (t.province.clone(), t.year);
        let table = pick.table.clone().unwrap_or_else(|| "associations".to_owned());
        let rows = match table.as_str() {
            "associations" => t.associations,
            "twinnings" => t.twinnings,
            "scholarships" => t.scholarships,
            "support" => t.support,
            "delegations" => t.delegations,
            "events" => t.events,
            "members" => t.member_rows,
            other => {
                return Err(vientro_domain::ValidationErrors::from(vientro_domain::ValidationError::new(
                    "table",
                    "error-unknown-table",
                    format!(
                        "'{other}' is not a table: associations, twinnings, scholarships, support, delegations, events \
                         or members"
                    ),
                ))
                .into());
            }
        };
        let text = super::csv_text(std::iter::once(headings(tr, &table)).chain(rows));
        Ok::<_, ServiceError>((text, format!("vientro-{table}-{province}-{year}.csv")))
    }
    .await;
    match outcome {
        Ok((text, file_name)) => super::download(text, "text/csv; charset=utf-8", &file_name),
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}
