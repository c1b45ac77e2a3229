//! Aid item pages: the list with filters, the detail page (donors, sectors, locations, flows, status history,
//! change history), the create and edit forms with the conflict page, money flows, lifecycle steps,
//! archiving, and the approval queue with its 20-day clock.
//!
//! Every read and change goes through the scoped services, which apply the access rule; a stale edit shows
//! both versions and overwrites nothing. This module must not decide access or validity.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use vientro_domain::ValidationErrors;
use vientro_domain::access::{Action, action_for_transition};
use vientro_domain::admin_units::{AdminUnits, ProvinceCode, UnitSet};
use vientro_domain::aid_item::{AidItemInput, AidKind, AidStatus, DonorInput, LocationInput, SectorInput};
use vientro_domain::flow::FlowInput;
use vientro_domain::ids::{AidItemId, OrganisationId};
use vientro_domain::sector::VnSector;
use vientro_services::ServiceError;
use vientro_services::aid_items::StatusChangeInput;
use vientro_services::scoped_items::{ItemView, Page, QueueEntry};
use vientro_store::audit::AuditRow;
use vientro_store::listing::{ItemFilter, ItemListRow, OrganisationListRow};

use super::Chrome;
use crate::AppState;
use crate::context::RequestContext;
use crate::error::{PageError, render};
use crate::i18n::{Lang, Tr};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/aid-items", get(list).post(create))
        .route("/aid-items/new", get(new_form))
        .route("/aid-items/{id}", get(detail).post(save))
        .route("/aid-items/{id}/edit", get(edit_form))
        .route("/aid-items/{id}/flows", post(add_flow))
        .route("/aid-items/{id}/status", post(change_status))
        .route("/aid-items/{id}/archive", post(archive))
        .route("/approvals", get(approvals))
}

const PER_PAGE: i64 = 50;

/// A select option: value, label, selected.
type Choice = (String, String, bool);

fn kinds(tr: &Tr, selected: &str) -> Vec<Choice> {
    AidKind::ALL.iter().map(|k| (k.as_str().to_owned(), tr.code("kind", k.as_str()), k.as_str() == selected)).collect()
}

fn statuses(tr: &Tr, selected: &str) -> Vec<Choice> {
    AidStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), tr.code("status", s.as_str()), s.as_str() == selected))
        .collect()
}

fn provinces(selected: &str) -> Vec<Choice> {
    let units = AdminUnits::embedded();
    let mut list: Vec<Choice> = units
        .provinces(UnitSet::From2025)
        .iter()
        .map(|p| (p.code.as_str().to_owned(), p.short_name.clone(), p.code.as_str() == selected))
        .collect();
    list.sort_by_key(|c| vientro_domain::text::sort_key(&c.1));
    list
}

fn sectors(tr: &Tr, selected: &str) -> Vec<Choice> {
    VnSector::all()
        .iter()
        .map(|s| {
            let code = format!("vn:{}", s.code());
            let label = if tr.lang == Lang::En { s.name_en() } else { s.name_vi() };
            let chosen = code == selected;
            (code, label.to_owned(), chosen)
        })
        .collect()
}

fn field_errors(e: &ValidationErrors) -> Vec<(String, String)> {
    e.0.iter().map(|v| (v.field.clone(), v.message.clone())).collect()
}

// ---------------------------------------------------------------- list

#[derive(Debug, Default, serde::Deserialize)]
struct ListQuery {
    q: Option<String>,
    province: Option<String>,
    status: Option<String>,
    kind: Option<String>,
    year: Option<String>,
    donor: Option<i64>,
    page: Option<i64>,
}

impl ListQuery {
    fn filter(&self) -> ItemFilter {
        let units = AdminUnits::embedded();
        let non_empty = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        ItemFilter {
            text: non_empty(&self.q),
            statuses: non_empty(&self.status).into_iter().collect(),
            kind: non_empty(&self.kind),
            province: non_empty(&self.province).and_then(|p| units.parse_province_in(&p, UnitSet::From2025).ok()),
            donor: self.donor.map(OrganisationId),
            year: non_empty(&self.year).and_then(|y| y.parse().ok()),
            include_archived: false,
        }
    }

    fn page_link(&self, page: i64) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (k, v) in [
            ("q", &self.q),
            ("province", &self.province),
            ("status", &self.status),
            ("kind", &self.kind),
            ("year", &self.year),
        ] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                pairs.push((k, v.to_owned()));
            }
        }
        if let Some(d) = self.donor {
            pairs.push(("donor", d.to_string()));
        }
        pairs.push(("page", page.to_string()));
        format!("/aid-items?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
    }
}

#[derive(Template)]
#[template(path = "items/list.html")]
struct ListPage {
    c: Chrome,
    q: String,
    year: String,
    provinces: Vec<Choice>,
    statuses: Vec<Choice>,
    kinds: Vec<Choice>,
    page: Page<ItemListRow>,
    prev_link: Option<String>,
    next_link: Option<String>,
    can_create: bool,
}

async fn list(
    State(state): State<AppState>,
    ctx: RequestContext,
    uri: Uri,
    Query(query): Query<ListQuery>,
) -> Response {
    let filter = query.filter();
    let page_no = vientro_services::page_number(query.page);
    let page = match state.services.list_aid_items(&ctx.principal(), &filter, page_no, PER_PAGE).await {
        Ok(p) => p,
        Err(e) => return PageError::new(&ctx, e).into_response(),
    };
    let tr = &ctx.tr;
    let can_create = ctx.user.as_ref().is_some_and(|u| {
        !matches!(u.role, vientro_domain::access::Role::Viewer | vientro_domain::access::Role::ProvinceApprover)
    });
    let template = ListPage {
        c: Chrome::new(&ctx, &uri, "items-title"),
        q: query.q.clone().unwrap_or_default(),
        year: query.year.clone().unwrap_or_default(),
        provinces: provinces(filter.province.as_ref().map_or("", ProvinceCode::as_str)),
        statuses: statuses(tr, query.status.as_deref().unwrap_or("")),
        kinds: kinds(tr, query.kind.as_deref().unwrap_or("")),
        prev_link: (page_no > 1).then(|| query.page_link(page_no - 1)),
        next_link: page.has_next.then(|| query.page_link(page_no + 1)),
        page,
        can_create,
    };
    render(tr, &template)
}

// ---------------------------------------------------------------- detail

struct FlowLine {
    kind: String,
    stage: String,
    date: String,
    amount: String,
    currency: String,
    usd: String,
    note: String,
}

#[derive(Template)]
#[template(path = "items/detail.html")]
struct DetailPage {
    c: Chrome,
    v: ItemView,
    donors: Vec<(i64, String, String)>,
    sectors: Vec<(String, String)>,
    locations: Vec<String>,
    flows: Vec<FlowLine>,
    moves: Vec<Choice>,
    audit: Vec<AuditRow>,
    error: Option<String>,
    today: String,
}

fn location_label(tr: &Tr, l: &vientro_store::aid_items::LocationRow) -> String {
    let units = AdminUnits::embedded();
    let name_of = |code: &str, set: UnitSet| {
        ProvinceCode::parse(code)
            .ok()
            .and_then(|c| units.province(&c, set))
            .map_or_else(|| code.to_owned(), |p| p.short_name.clone())
    };
    let recorded_set = if l.recorded_unit_set == "pre2025" { UnitSet::Pre2025 } else { UnitSet::From2025 };
    let commune = |code: &Option<String>| code.clone().map(|c| format!(" ({c})")).unwrap_or_default();
    let recorded = format!("{}{}", name_of(&l.recorded_province_code, recorded_set), commune(&l.recorded_commune_code));
    let current =
        format!("{}{}", name_of(&l.current_province_code, UnitSet::From2025), commune(&l.current_commune_code));
    let share = format!("{} %", tr.int(l.share_bp / 100));
    if recorded == current {
        format!("{current} · {share}")
    } else {
        format!("{current} · {share} ({} {recorded})", tr.t("item-recorded-as"))
    }
}

async fn load_detail(
    state: &AppState,
    ctx: &RequestContext,
    uri: &Uri,
    id: i64,
    error: Option<String>,
) -> Result<Response, ServiceError> {
    let who = ctx.principal();
    let v = state.services.aid_item_view(&who, AidItemId(id)).await?;
    let audit = if ctx.user.is_some() { state.services.aid_item_audit(&who, AidItemId(id)).await? } else { Vec::new() };
    let tr = &ctx.tr;
    let mut donors = Vec::new();
    for d in &v.donors {
        let name =
            state.services.organisation(OrganisationId(d.organisation_id)).await.map(|o| o.name).unwrap_or_default();
        donors.push((d.organisation_id, name, format!("{} %", tr.int(d.share_bp / 100))));
    }
    let sectors =
        v.sectors.iter().map(|s| (tr.sector(&s.sector_code), format!("{} %", tr.int(s.share_bp / 100)))).collect();
    let locations = v.locations.iter().map(|l| location_label(tr, l)).collect();
    let flows = v
        .flows
        .iter()
        .map(|f| FlowLine {
            kind: tr.code("flow-kind", &f.kind),
            stage: tr.code("flow-stage", &f.stage),
            date: tr.date(&f.flow_date),
            amount: tr.minor(f.amount_minor),
            currency: f.currency.clone(),
            usd: tr.minor(f.usd_minor),
            note: f.note.clone().unwrap_or_default(),
        })
        .collect();
    let status = AidStatus::parse(&v.item.status)?;
    let moves = status
        .allowed_next()
        .iter()
        .filter(|to| match action_for_transition(**to) {
            Action::Approve => v.can_approve,
            _ => v.can_edit,
        })
        .map(|to| (to.as_str().to_owned(), tr.code("status", to.as_str()), false))
        .collect();
    let c = Chrome::new(ctx, uri, "items-title").titled(v.item.title.clone());
    let today = tr.date(&crate::i18n::today_in_viet_nam());
    Ok(render(tr, &DetailPage { c, v, donors, sectors, locations, flows, moves, audit, error, today }))
}

async fn detail(State(state): State<AppState>, ctx: RequestContext, uri: Uri, Path(id): Path<i64>) -> Response {
    load_detail(&state, &ctx, &uri, id, None).await.unwrap_or_else(|e| PageError::new(&ctx, e).into_response())
}

// ---------------------------------------------------------------- create and edit

#[derive(Debug, Default, Clone, serde::Deserialize)]
struct ItemForm {
    #[serde(default)]
    title: String,
    title_en: Option<String>,
    code: Option<String>,
    #[serde(default)]
    kind: String,
    description: Option<String>,
    donor: Option<String>,
    sector: Option<String>,
    province: Option<String>,
    commune: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    published: Option<String>,
    version: Option<i64>,
}

fn blank(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

impl ItemForm {
    /// A new item from the form: one donor, one sector, one location, each 100 %.
    fn to_input(&self) -> AidItemInput {
        AidItemInput {
            code: blank(&self.code),
            title: self.title.clone(),
            title_en: blank(&self.title_en),
            description: blank(&self.description),
            kind: self.kind.clone(),
            donors: blank(&self.donor)
                .map(|d| vec![DonorInput { organisation: d.parse().unwrap_or(-1), percent: None }])
                .unwrap_or_default(),
            sectors: blank(&self.sector).map(|s| vec![SectorInput { sector: s, percent: None }]).unwrap_or_default(),
            locations: blank(&self.province)
                .map(|p| vec![LocationInput { province: p, commune: blank(&self.commune), ..Default::default() }])
                .unwrap_or_default(),
            start_date: blank(&self.start_date),
            end_date: blank(&self.end_date),
            unit_set: Some("from2025".to_owned()),
            published: self.published.is_some(),
            ..Default::default()
        }
    }

    /// The scalar fields an edit changes; donors, sectors and locations are kept as they are.
    fn to_patch(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut m = serde_json::Map::new();
        m.insert("version".into(), serde_json::json!(self.version.unwrap_or(0)));
        m.insert("title".into(), serde_json::json!(self.title));
        m.insert("title_en".into(), serde_json::json!(blank(&self.title_en)));
        m.insert("code".into(), serde_json::json!(blank(&self.code)));
        m.insert("kind".into(), serde_json::json!(self.kind));
        m.insert("description".into(), serde_json::json!(blank(&self.description)));
        m.insert("start_date".into(), serde_json::json!(blank(&self.start_date)));
        m.insert("end_date".into(), serde_json::json!(blank(&self.end_date)));
        m.insert("published".into(), serde_json::json!(self.published.is_some()));
        m
    }
}

#[derive(Template)]
#[template(path = "items/form.html")]
struct FormPage {
    c: Chrome,
    action: String,
    editing: bool,
    f: ItemForm,
    kinds: Vec<Choice>,
    donors: Vec<Choice>,
    sectors: Vec<Choice>,
    provinces: Vec<Choice>,
    errors: Vec<(String, String)>,
}

impl FormPage {
    fn error_for(&self, field: &str) -> Option<String> {
        let found: Vec<&str> = self
            .errors
            .iter()
            .filter(|(f, _)| f == field || f.starts_with(&format!("{field}.")) || f.starts_with(&format!("{field}[")))
            .map(|(_, m)| m.as_str())
            .collect();
        (!found.is_empty()).then(|| found.join("; "))
    }
}

pub(super) async fn donor_choices(state: &AppState, selected: &str) -> Result<Vec<Choice>, ServiceError> {
    let kinds = ["foreign_ngo", "individual", "foreign_agency", "international_org"];
    let rows: Vec<OrganisationListRow> = state.services.list_organisations(None, &kinds, 1000, 0).await?;
    Ok(rows.into_iter().map(|o| (o.id.to_string(), o.name, o.id.to_string() == selected)).collect())
}

async fn form_page(
    state: &AppState,
    ctx: &RequestContext,
    uri: &Uri,
    action: String,
    editing: bool,
    f: ItemForm,
    errors: Vec<(String, String)>,
) -> Result<Response, ServiceError> {
    let tr = &ctx.tr;
    let page = FormPage {
        c: Chrome::new(ctx, uri, if editing { "item-edit" } else { "items-new" }),
        action,
        editing,
        kinds: kinds(tr, &f.kind),
        donors: donor_choices(state, f.donor.as_deref().unwrap_or("")).await?,
        sectors: sectors(tr, f.sector.as_deref().unwrap_or("")),
        provinces: provinces(f.province.as_deref().unwrap_or("")),
        errors,
        f,
    };
    let status = if page.errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    Ok((status, render(tr, &page)).into_response())
}

async fn new_form(State(state): State<AppState>, ctx: RequestContext, uri: Uri) -> Response {
    if ctx.user.is_none() {
        return crate::error::unauthenticated(&ctx.tr, false);
    }
    let f = ItemForm {
        kind: "project".into(),
        province: ctx.user.as_ref().and_then(|u| u.province.as_ref()).map(|p| p.as_str().to_owned()),
        donor: ctx.user.as_ref().and_then(|u| u.organisation).map(|o| o.0.to_string()),
        ..Default::default()
    };
    form_page(&state, &ctx, &uri, "/aid-items".into(), false, f, Vec::new())
        .await
        .unwrap_or_else(|e| PageError::new(&ctx, e).into_response())
}

async fn create(State(state): State<AppState>, ctx: RequestContext, uri: Uri, Form(f): Form<ItemForm>) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, false) };
    match state.services.create_aid_item_as(&user, &f.to_input()).await {
        Ok(id) => Redirect::to(&format!("/aid-items/{}?done=item-created", id.0)).into_response(),
        Err(ServiceError::Invalid(e)) => form_page(&state, &ctx, &uri, "/aid-items".into(), false, f, field_errors(&e))
            .await
            .unwrap_or_else(|e| PageError::new(&ctx, e).into_response()),
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

async fn edit_form(State(state): State<AppState>, ctx: RequestContext, uri: Uri, Path(id): Path<i64>) -> Response {
    let result = async {
        let v = state.services.aid_item_view(&ctx.principal(), AidItemId(id)).await?;
        if !v.can_edit {
            return Err(ServiceError::Forbidden("not editable".into()));
        }
        let f = form_of(&v);
        form_page(&state, &ctx, &uri, format!("/aid-items/{id}"), true, f, Vec::new()).await
    }
    .await;
    result.unwrap_or_else(|e| PageError::new(&ctx, e).into_response())
}

fn form_of(v: &ItemView) -> ItemForm {
    let i = &v.item;
    ItemForm {
        title: i.title.clone(),
        title_en: i.title_en.clone(),
        code: i.code.clone(),
        kind: i.kind.clone(),
        description: i.description.clone(),
        donor: v.donors.first().map(|d| d.organisation_id.to_string()),
        sector: v.sectors.first().map(|s| s.sector_code.clone()),
        province: v.locations.first().map(|l| l.current_province_code.clone()),
        commune: v.locations.first().and_then(|l| l.current_commune_code.clone()),
        start_date: i.start_date.map(|d| d.to_string()),
        end_date: i.end_date.map(|d| d.to_string()),
        published: i.published.then(|| "on".to_owned()),
        version: Some(i.version),
    }
}

#[derive(Template)]
#[template(path = "items/conflict.html")]
struct ConflictPage {
    c: Chrome,
    id: i64,
    yours_version: i64,
    theirs_version: i64,
    rows: Vec<(String, String, String, bool)>,
}

async fn save(
    State(state): State<AppState>,
    ctx: RequestContext,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<ItemForm>,
) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, false) };
    match state.services.patch_aid_item(&user, AidItemId(id), &f.to_patch()).await {
        Ok(_) => Redirect::to(&format!("/aid-items/{id}?done=item-saved")).into_response(),
        Err(ServiceError::Invalid(e)) => {
            form_page(&state, &ctx, &uri, format!("/aid-items/{id}"), true, f, field_errors(&e))
                .await
                .unwrap_or_else(|e| PageError::new(&ctx, e).into_response())
        }
        Err(ServiceError::Conflict(_)) => {
            conflict(&state, &ctx, &uri, id, f).await.unwrap_or_else(|e| PageError::new(&ctx, e).into_response())
        }
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

async fn conflict(
    state: &AppState,
    ctx: &RequestContext,
    uri: &Uri,
    id: i64,
    yours: ItemForm,
) -> Result<Response, ServiceError> {
    let v = state.services.aid_item_view(&ctx.principal(), AidItemId(id)).await?;
    let theirs = form_of(&v);
    let tr = &ctx.tr;
    let show = |s: &Option<String>| s.clone().unwrap_or_default();
    let fields: [(&str, String, String); 8] = [
        ("form-title", yours.title.clone(), theirs.title.clone()),
        ("form-title-en", show(&yours.title_en), show(&theirs.title_en)),
        ("form-code", show(&yours.code), show(&theirs.code)),
        ("form-kind", tr.code("kind", &yours.kind), tr.code("kind", &theirs.kind)),
        ("form-description", show(&yours.description), show(&theirs.description)),
        ("form-start", show(&yours.start_date), show(&theirs.start_date)),
        ("form-end", show(&yours.end_date), show(&theirs.end_date)),
        (
            "form-published",
            tr.t(if yours.published.is_some() { "yes" } else { "no" }),
            tr.t(if theirs.published.is_some() { "yes" } else { "no" }),
        ),
    ];
    let rows = fields
        .into_iter()
        .map(|(k, a, b)| {
            let changed = a != b;
            (tr.t(k), a, b, changed)
        })
        .collect();
    let page = ConflictPage {
        c: Chrome::new(ctx, uri, "conflict-title"),
        id,
        yours_version: yours.version.unwrap_or(0),
        theirs_version: v.item.version,
        rows,
    };
    Ok((StatusCode::CONFLICT, render(tr, &page)).into_response())
}

// ---------------------------------------------------------------- flows, lifecycle, archive

async fn add_flow(
    State(state): State<AppState>,
    ctx: RequestContext,
    uri: Uri,
    Path(id): Path<i64>,
    Form(input): Form<FlowInput>,
) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, false) };
    // People type amounts the way they write them ("12.000", "1.441.700", "53,9 tỷ"); the domain takes a
    // plain decimal, so the form's text is read the Vietnamese (or English) way first.
    let mut input = input;
    match vientro_interchange::sheet::parse_amount_vi(&input.amount) {
        Ok(parsed) => input.amount = parsed.value.to_string(),
        Err(e) => {
            return match load_detail(&state, &ctx, &uri, id, Some(format!("{}: {}", e.field, e.message))).await {
                Ok(r) => (StatusCode::UNPROCESSABLE_ENTITY, r).into_response(),
                Err(e) => PageError::new(&ctx, e).into_response(),
            };
        }
    }
    match state.services.add_flow_as(&user, AidItemId(id), &input).await {
        Ok(_) => Redirect::to(&format!("/aid-items/{id}?done=item-flow-added#flows")).into_response(),
        Err(ServiceError::Invalid(e)) => {
            let message = e.0.iter().map(|v| format!("{}: {}", v.field, v.message)).collect::<Vec<_>>().join("; ");
            match load_detail(&state, &ctx, &uri, id, Some(message)).await {
                Ok(r) => (StatusCode::UNPROCESSABLE_ENTITY, r).into_response(),
                Err(e) => PageError::new(&ctx, e).into_response(),
            }
        }
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

async fn change_status(
    State(state): State<AppState>,
    ctx: RequestContext,
    uri: Uri,
    Path(id): Path<i64>,
    Form(input): Form<StatusChangeInput>,
) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, false) };
    let mut input = input;
    for s in [
        &mut input.on,
        &mut input.decision_number,
        &mut input.decision_date,
        &mut input.approval_level,
        &mut input.note,
    ] {
        if s.as_deref().is_some_and(|v| v.trim().is_empty()) {
            *s = None;
        }
    }
    match state.services.change_status_as(&user, AidItemId(id), &input).await {
        Ok(_) => Redirect::to(&format!("/aid-items/{id}?done=item-status-changed")).into_response(),
        Err(ServiceError::Invalid(e)) => {
            let message = e.0.iter().map(|v| format!("{}: {}", v.field, v.message)).collect::<Vec<_>>().join("; ");
            match load_detail(&state, &ctx, &uri, id, Some(message)).await {
                Ok(r) => (StatusCode::UNPROCESSABLE_ENTITY, r).into_response(),
                Err(e) => PageError::new(&ctx, e).into_response(),
            }
        }
        // The officer acted on a page older than the item: show the item as it is now, and say nothing moved.
        Err(ServiceError::Conflict(_)) => {
            match load_detail(&state, &ctx, &uri, id, Some(ctx.tr.t("conflict-action"))).await {
                Ok(r) => (StatusCode::CONFLICT, r).into_response(),
                Err(e) => PageError::new(&ctx, e).into_response(),
            }
        }
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

#[derive(Debug, serde::Deserialize)]
struct VersionForm {
    version: i64,
}

async fn archive(
    State(state): State<AppState>,
    ctx: RequestContext,
    Path(id): Path<i64>,
    Form(f): Form<VersionForm>,
) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, false) };
    match state.services.archive_aid_item_as(&user, AidItemId(id), f.version).await {
        Ok(_) => Redirect::to("/aid-items?done=item-archived").into_response(),
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

// ---------------------------------------------------------------- approval queue

#[derive(Template)]
#[template(path = "items/approvals.html")]
struct ApprovalsPage {
    c: Chrome,
    entries: Vec<QueueEntry>,
}

async fn approvals(State(state): State<AppState>, ctx: RequestContext, uri: Uri) -> Response {
    if ctx.user.is_none() {
        return crate::error::unauthenticated(&ctx.tr, false);
    }
    let today = crate::i18n::today_in_viet_nam();
    match state.services.approval_queue(&ctx.principal(), today).await {
        Ok(entries) => render(&ctx.tr, &ApprovalsPage { c: Chrome::new(&ctx, &uri, "approvals-title"), entries }),
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}
