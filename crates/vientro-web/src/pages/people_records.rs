//! One people-to-people record on a page: a new record's form, a record's detail with its edit form, the lists
//! it owns (an association's members and counts, a twinning pair's activities, a delegation's members, an
//! event's participants) with a form to add a row, and each list as CSV.
//!
//! The form is laid out from the domain's description of the kind; the services parse, authorise, version and
//! audit. This module must not decide access beyond showing the edit forms to those the services would let
//! write (the services check again).

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use vientro_domain::ValidationErrors;
use vientro_domain::admin_units::{AdminUnits, ProvinceCode, UnitSet};
use vientro_domain::country::CountryCode;
use vientro_domain::people::{Field, FieldType, FieldValue, PeopleKind};
use vientro_services::ServiceError;
use vientro_services::people_records::{PeopleRecordView, may_record_people};

use super::Chrome;
use crate::AppState;
use crate::context::RequestContext;
use crate::error::{PageError, render};
use crate::i18n::{Lang, Tr};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/people/{kind}", post(create))
        .route("/people/{kind}/new", get(new_record))
        .route("/people/{kind}/{id}", get(detail).post(save))
        .route("/people/{kind}/{id}/export.csv", get(export_part))
        .route("/people/{kind}/{id}/{part}", post(add_part_row))
        .route("/people/{kind}/{id}/{part}/remove", post(remove_part_row))
}

/// A form field as the template shows it.
struct FieldView {
    name: &'static str,
    label: String,
    /// `text`, `textarea`, `date`, `number` or `select`.
    input: &'static str,
    value: String,
    options: Vec<(String, String, bool)>,
    required: bool,
    error: Option<String>,
}

/// A list the record owns, as the template shows it.
struct PartSection {
    name: &'static str,
    title: String,
    headings: Vec<String>,
    rows: Vec<Vec<String>>,
    /// Each row's key, to remove it by.
    keys: Vec<String>,
    fields: Vec<FieldView>,
}

#[derive(Template)]
#[template(path = "people_record.html")]
struct RecordPage {
    c: Chrome,
    kind: &'static str,
    /// Where the form posts.
    action: String,
    version: Option<i64>,
    may_edit: bool,
    fields: Vec<FieldView>,
    errors: Vec<String>,
    parts: Vec<PartSection>,
    /// The people page of the record's province.
    back: String,
}

fn label(tr: &Tr, f: &Field) -> String {
    tr.t(&format!("people-field-{}", f.name.replace('_', "-")))
}

fn country_name(tr: &Tr, code: &str) -> String {
    match CountryCode::parse(code) {
        Ok(c) if tr.lang == Lang::En => c.name_en().to_owned(),
        Ok(c) => c.name_vi().to_owned(),
        Err(_) => code.to_owned(),
    }
}

/// A value as a reader sees it in a table.
fn shown(tr: &Tr, f: &Field, v: &FieldValue) -> String {
    match (f.ty, v) {
        (_, FieldValue::Empty) => String::new(),
        (FieldType::Date, FieldValue::Date(d)) => tr.date(d),
        (FieldType::Year, FieldValue::Int(n)) => n.to_string(),
        (_, FieldValue::Int(n)) => tr.int(*n),
        (FieldType::Country, FieldValue::Text(code)) => country_name(tr, code),
        (FieldType::Province, FieldValue::Text(code)) => province_name(code),
        (FieldType::Choice { labels, .. }, FieldValue::Text(code)) => tr.code(labels, code),
        (_, other) => other.form_text(),
    }
}

fn province_name(code: &str) -> String {
    ProvinceCode::parse(code)
        .ok()
        .and_then(|c| AdminUnits::embedded().province(&c, UnitSet::From2025).map(|p| p.name.clone()))
        .unwrap_or_else(|| code.to_owned())
}

/// The fields of a form, filled with `values` (the form's text by name) and each field's error.
fn field_views(
    tr: &Tr,
    fields: &'static [Field],
    values: &BTreeMap<String, String>,
    errors: &ValidationErrors,
) -> Vec<FieldView> {
    fields
        .iter()
        .map(|f| {
            let value = values.get(f.name).cloned().unwrap_or_default();
            let blank = (!f.required).then(|| (String::new(), String::new(), value.is_empty()));
            let (input, options) = match f.ty {
                FieldType::Text => ("text", Vec::new()),
                FieldType::LongText => ("textarea", Vec::new()),
                FieldType::Date => ("date", Vec::new()),
                FieldType::Country => ("select", blank.into_iter().chain(countries(tr, &value)).collect()),
                FieldType::Count | FieldType::AmountVnd | FieldType::Year => ("number", Vec::new()),
                FieldType::Province => (
                    "select",
                    blank
                        .into_iter()
                        .chain(
                            AdminUnits::embedded()
                                .provinces(UnitSet::From2025)
                                .iter()
                                .map(|p| (p.code.as_str().to_owned(), p.name.clone(), p.code.as_str() == value)),
                        )
                        .collect(),
                ),
                FieldType::Choice { values: codes, labels } => (
                    "select",
                    blank
                        .into_iter()
                        .chain(codes.iter().map(|c| ((*c).to_owned(), tr.code(labels, c), *c == value)))
                        .collect(),
                ),
            };
            let error = errors.0.iter().find(|e| e.field == f.name).map(|e| message(tr, e));
            FieldView { name: f.name, label: label(tr, f), input, value, options, required: f.required, error }
        })
        .collect()
}

/// Every current country as a choice, named in the reader's language and in its alphabetical order.
fn countries(tr: &Tr, chosen: &str) -> Vec<(String, String, bool)> {
    let mut all: Vec<(String, String, bool)> = CountryCode::all()
        .filter(|c| !c.is_withdrawn())
        .map(|c| (c.as_str().to_owned(), country_name(tr, c.as_str()), c.as_str().eq_ignore_ascii_case(chosen)))
        .collect();
    all.sort_by_cached_key(|(_, name, _)| vientro_domain::text::sort_key(name));
    all
}

fn message(tr: &Tr, e: &vientro_domain::ValidationError) -> String {
    if tr.has(e.code) { tr.t(e.code) } else { e.message.clone() }
}

/// The values as a form shows them: dates the Vietnamese way (30/06/2021), the rest as stored.
fn form_values(values: &[(&'static Field, FieldValue)]) -> BTreeMap<String, String> {
    values
        .iter()
        .map(|(f, v)| {
            let text = match v {
                FieldValue::Date(d) => vientro_domain::date::format_date_vi(*d),
                other => other.form_text(),
            };
            (f.name.to_owned(), text)
        })
        .collect()
}

/// Whether the reader may write records of `province` (the services decide again on every write).
fn may_write(ctx: &RequestContext, province: Option<&ProvinceCode>) -> bool {
    ctx.user.as_ref().is_some_and(|u| vientro_services::people_records::may_record_for(u, province))
}

fn parse_kind(text: &str) -> Result<PeopleKind, ServiceError> {
    PeopleKind::parse(text).map_err(|e| ServiceError::Invalid(e.into()))
}

fn back_to(province: Option<&ProvinceCode>) -> String {
    match province {
        Some(p) => format!("/people?province={}", p.as_str()),
        None => "/people".to_owned(),
    }
}

struct Shown {
    status: StatusCode,
    values: BTreeMap<String, String>,
    errors: ValidationErrors,
}

fn record_page(
    ctx: &RequestContext,
    uri: &Uri,
    kind: PeopleKind,
    record: Option<&PeopleRecordView>,
    form: Shown,
) -> Response {
    let tr = &ctx.tr;
    let province = match record {
        Some(r) => r.province(),
        None => form.values.get("province_code").and_then(|p| ProvinceCode::parse(p).ok()),
    };
    let may_edit = match record {
        Some(_) => may_write(ctx, province.as_ref()),
        None => ctx.user.as_ref().is_some_and(|u| may_record_people(u.role)),
    };
    let parts = record
        .map(|r| {
            r.parts
                .iter()
                .map(|p| PartSection {
                    name: p.part.name,
                    title: tr.t(&format!("people-part-{}-{}", kind.as_str(), p.part.name)),
                    headings: p.part.fields.iter().map(|f| label(tr, f)).collect(),
                    rows: p.rows.iter().map(|row| row.iter().map(|(f, v)| shown(tr, f, v)).collect()).collect(),
                    keys: p.keys.clone(),
                    fields: field_views(tr, p.part.fields, &BTreeMap::new(), &ValidationErrors::new()),
                })
                .collect()
        })
        .unwrap_or_default();
    let title = match record {
        Some(r) => {
            // The record's first line of text names it (its name, title, village, purpose…).
            let name = r.values.iter().find(|(f, v)| f.ty == FieldType::Text && *v != FieldValue::Empty);
            let kind_title = tr.t(&format!("people-edit-{}", kind.as_str()));
            name.map_or(kind_title.clone(), |(_, v)| format!("{kind_title}: {}", v.form_text()))
        }
        None => tr.t(&format!("people-new-{}", kind.as_str())),
    };
    let page = RecordPage {
        c: Chrome::new(ctx, uri, "people-title").titled(title),
        kind: kind.as_str(),
        action: match record {
            Some(r) => format!("/people/{}/{}", kind.as_str(), r.id),
            None => format!("/people/{}", kind.as_str()),
        },
        version: record.map(|r| r.version),
        may_edit,
        fields: field_views(tr, kind.fields(), &form.values, &form.errors),
        errors: form
            .errors
            .0
            .iter()
            .filter(|e| !kind.fields().iter().any(|f| f.name == e.field))
            .map(|e| message(tr, e))
            .collect(),
        parts,
        back: back_to(province.as_ref()),
    };
    (form.status, render(tr, &page)).into_response()
}

#[derive(Debug, Default, serde::Deserialize)]
struct NewQuery {
    province: Option<String>,
}

async fn new_record(ctx: RequestContext, uri: Uri, Path(kind): Path<String>, Query(q): Query<NewQuery>) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, false) };
    let kind = match parse_kind(&kind) {
        Ok(k) => k,
        Err(e) => return PageError::new(&ctx, e).into_response(),
    };
    if !may_record_people(user.role) {
        return PageError::new(&ctx, ServiceError::Forbidden("people-to-people records".into())).into_response();
    }
    let province = q
        .province
        .and_then(|p| AdminUnits::embedded().parse_province(&p).ok())
        .or(user.province)
        .map(|p| p.as_str().to_owned());
    let values = province.map(|p| BTreeMap::from([("province_code".to_owned(), p)])).unwrap_or_default();
    record_page(&ctx, &uri, kind, None, Shown { status: StatusCode::OK, values, errors: ValidationErrors::new() })
}

async fn create(
    State(state): State<AppState>,
    ctx: RequestContext,
    uri: Uri,
    Path(kind): Path<String>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, false) };
    let kind = match parse_kind(&kind) {
        Ok(k) => k,
        Err(e) => return PageError::new(&ctx, e).into_response(),
    };
    match state.services.create_people_record_as(&user, kind, &form).await {
        Ok(id) => Redirect::to(&format!("/people/{}/{id}?done=people-saved", kind.as_str())).into_response(),
        Err(ServiceError::Invalid(errors)) => record_page(
            &ctx,
            &uri,
            kind,
            None,
            Shown { status: StatusCode::UNPROCESSABLE_ENTITY, values: form, errors },
        ),
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

async fn detail(
    State(state): State<AppState>,
    ctx: RequestContext,
    uri: Uri,
    Path((kind, id)): Path<(String, i64)>,
) -> Response {
    let outcome = async {
        let kind = parse_kind(&kind)?;
        state.services.people_record(&ctx.principal(), kind, id).await
    }
    .await;
    match outcome {
        Ok(record) => {
            let values = form_values(&record.values);
            let shown = Shown { status: StatusCode::OK, values, errors: ValidationErrors::new() };
            record_page(&ctx, &uri, record.kind, Some(&record), shown)
        }
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

async fn save(
    State(state): State<AppState>,
    ctx: RequestContext,
    uri: Uri,
    Path((kind, id)): Path<(String, i64)>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, false) };
    let outcome = async {
        let kind = parse_kind(&kind)?;
        let Some(version) = form.get("version").and_then(|v| v.trim().parse::<i64>().ok()) else {
            return Err(ServiceError::Invalid(
                vientro_domain::ValidationError::new("version", "form-version-missing", "the form lost its version")
                    .into(),
            ));
        };
        state.services.save_people_record_as(&user, kind, id, version, &form).await.map(|_| kind)
    }
    .await;
    match outcome {
        Ok(kind) => Redirect::to(&format!("/people/{}/{id}?done=people-saved", kind.as_str())).into_response(),
        Err(ServiceError::Invalid(errors)) => {
            let Ok(kind) = parse_kind(&kind) else {
                return PageError::new(&ctx, ServiceError::Invalid(errors)).into_response();
            };
            match state.services.people_record(&ctx.principal(), kind, id).await {
                Ok(mut record) => {
                    // Show what was sent, at the version it was sent for.
                    if let Some(v) = form.get("version").and_then(|v| v.trim().parse::<i64>().ok()) {
                        record.version = v;
                    }
                    let shown = Shown { status: StatusCode::UNPROCESSABLE_ENTITY, values: form, errors };
                    record_page(&ctx, &uri, kind, Some(&record), shown)
                }
                Err(e) => PageError::new(&ctx, e).into_response(),
            }
        }
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

async fn add_part_row(
    State(state): State<AppState>,
    ctx: RequestContext,
    uri: Uri,
    Path((kind, id, part)): Path<(String, i64, String)>,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, false) };
    let kind = match parse_kind(&kind) {
        Ok(k) => k,
        Err(e) => return PageError::new(&ctx, e).into_response(),
    };
    match state.services.add_people_part_row_as(&user, kind, id, &part, &form).await {
        Ok(()) => Redirect::to(&format!("/people/{}/{id}?done=people-row-added#{part}", kind.as_str())).into_response(),
        Err(ServiceError::Invalid(errors)) => match state.services.people_record(&ctx.principal(), kind, id).await {
            Ok(record) => {
                let values = form_values(&record.values);
                let mut page_errors = ValidationErrors::new();
                for e in errors.0 {
                    page_errors.push(e.under(&part));
                }
                let shown = Shown { status: StatusCode::UNPROCESSABLE_ENTITY, values, errors: page_errors };
                record_page(&ctx, &uri, kind, Some(&record), shown)
            }
            Err(e) => PageError::new(&ctx, e).into_response(),
        },
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

/// The remove-a-row form: the row's key within its record.
#[derive(Debug, Default, serde::Deserialize)]
struct RemoveForm {
    #[serde(default)]
    key: String,
}

async fn remove_part_row(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path((kind, id, part)): Path<(String, i64, String)>,
    Form(form): Form<RemoveForm>,
) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, false) };
    let outcome = async {
        let kind = parse_kind(&kind)?;
        state.services.remove_people_part_row_as(&user, kind, id, &part, &form.key).await?;
        Ok::<_, ServiceError>(kind)
    }
    .await;
    match outcome {
        Ok(kind) => {
            Redirect::to(&format!("/people/{}/{id}?done=people-row-removed#{part}", kind.as_str())).into_response()
        }
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

#[derive(Debug, Default, serde::Deserialize)]
struct PartQuery {
    part: Option<String>,
}

async fn export_part(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path((kind, id)): Path<(String, i64)>,
    Query(q): Query<PartQuery>,
) -> Response {
    let tr = &ctx.tr;
    let outcome = async {
        let kind = parse_kind(&kind)?;
        let record = state.services.people_record(&ctx.principal(), kind, id).await?;
        let name = q.part.clone().unwrap_or_default();
        let part = kind.part(&name).map_err(ValidationErrors::from)?;
        let rows = record.parts.iter().find(|p| p.part.name == part.name).map(|p| p.rows.clone()).unwrap_or_default();
        let headings = part.fields.iter().map(|f| label(tr, f)).collect::<Vec<_>>();
        let lines = rows.iter().map(|row| row.iter().map(|(f, v)| shown(tr, f, v)).collect::<Vec<_>>());
        let text = super::csv_text(std::iter::once(headings).chain(lines));
        Ok::<_, ServiceError>((text, format!("vientro-{}-{id}-{}.csv", kind.as_str(), part.name)))
    }
    .await;
    match outcome {
        Ok((text, file_name)) => super::download(text, "text/csv; charset=utf-8", &file_name),
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

/// A value shown the reader's way.
pub(super) fn shown_value(tr: &Tr, f: &Field, v: &FieldValue) -> String {
    shown(tr, f, v)
}
