//! The directories: organisations (list, detail, new, edit), registration certificates (list, and recording one on
//! a foreign NGO's page), administrative units, users (administrators), the audit log viewer, and the search
//! box.
//!
//! Each page asks the services layer, which applies the access rule; this module must not decide access.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use vientro_domain::access::Role;
use vientro_domain::admin_units::{AdminUnits, UnitSet, describe};
use vientro_domain::certificate::{CertificateInput, CertificateKind};
use vientro_domain::ids::OrganisationId;
use vientro_domain::organisation::{OrganisationInput, OrganisationKind};
use vientro_services::ServiceError;
use vientro_services::accounts::UserInput;
use vientro_services::directory::OrganisationView;
use vientro_services::organisations::may_issue_certificates;
use vientro_services::scoped_items::Page;
use vientro_services::search::SearchResults;
use vientro_store::accounts::UserRow;
use vientro_store::audit::{AuditRow, VerifyReport};
use vientro_store::listing::{CertificateListRow, ItemFilter, ItemListRow, OrganisationListRow};

use super::Chrome;
use crate::AppState;
use crate::context::RequestContext;
use crate::error::{PageError, render};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/organisations", get(organisations).post(create_organisation))
        .route("/organisations/new", get(new_organisation))
        .route("/organisations/{id}", get(organisation).post(save_organisation))
        .route("/organisations/{id}/edit", get(edit_organisation))
        .route("/organisations/{id}/certificates", axum::routing::post(add_certificate))
        .route("/certificates", get(certificates))
        .route("/admin-units", get(admin_units))
        .route("/users", get(users).post(create_user))
        .route("/audit", get(audit))
        .route("/search", get(search))
}

const PER_PAGE: i64 = 50;

#[derive(Debug, Default, serde::Deserialize)]
struct TextQuery {
    q: Option<String>,
    page: Option<i64>,
}

// ---------------------------------------------------------------- organisations

#[derive(Template)]
#[template(path = "directory/organisations.html")]
struct OrganisationsPage {
    c: Chrome,
    q: String,
    rows: Vec<OrganisationListRow>,
    page: i64,
    has_next: bool,
    can_create: bool,
}

fn may_register_organisations(ctx: &RequestContext) -> bool {
    ctx.user.as_ref().is_some_and(|u| vientro_services::organisations::may_register_organisations(u.role))
}

async fn organisations(
    State(state): State<AppState>,
    ctx: RequestContext,
    uri: Uri,
    Query(q): Query<TextQuery>,
) -> Response {
    let page = vientro_services::page_number(q.page);
    match state.services.list_organisations(q.q.as_deref(), &[], PER_PAGE, (page - 1) * PER_PAGE).await {
        Ok(mut rows) => {
            let has_next = rows.len() as i64 > PER_PAGE;
            rows.truncate(PER_PAGE as usize);
            let c = Chrome::new(&ctx, &uri, "orgs-title");
            let can_create = may_register_organisations(&ctx);
            render(&ctx.tr, &OrganisationsPage { c, q: q.q.unwrap_or_default(), rows, page, has_next, can_create })
        }
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "directory/organisation.html")]
struct OrganisationPage {
    c: Chrome,
    v: OrganisationView,
    items: Page<ItemListRow>,
    /// The certificate form, shown to central staff on a foreign NGO's page.
    issue: Option<CertificateFormView>,
    /// The link to the open proposals that fit the organisation, for those who may match (not NGO staff).
    may_match: bool,
}

/// The "record a certificate" form with what was typed and what was wrong.
struct CertificateFormView {
    f: CertificateForm,
    kinds: Vec<(String, String, bool)>,
    errors: Vec<(String, String)>,
}

#[derive(Debug, Default, Clone, serde::Deserialize)]
struct CertificateForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    issued_on: String,
    #[serde(default)]
    valid_to: String,
    #[serde(default)]
    provinces: String,
    #[serde(default)]
    sectors: String,
}

impl CertificateForm {
    /// Lists are typed one per line or separated by commas or semicolons.
    fn list(text: &str) -> Vec<String> {
        text.split(['\n', ',', ';']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
    }

    fn input(&self) -> CertificateInput {
        CertificateInput {
            kind: self.kind.clone(),
            number: self.number.clone(),
            legal_basis: None,
            issued_on: self.issued_on.clone(),
            valid_from: None,
            valid_to: self.valid_to.clone(),
            status: None,
            office_city: None,
            provinces: Self::list(&self.provinces),
            sectors: Self::list(&self.sectors),
            illustrative: false,
        }
    }
}

async fn organisation(State(state): State<AppState>, ctx: RequestContext, uri: Uri, Path(id): Path<i64>) -> Response {
    let form = CertificateForm { kind: CertificateKind::Operation.as_str().to_owned(), ..Default::default() };
    organisation_page(&state, &ctx, &uri, id, form, Vec::new()).await
}

async fn organisation_page(
    state: &AppState,
    ctx: &RequestContext,
    uri: &Uri,
    id: i64,
    form: CertificateForm,
    errors: Vec<(String, String)>,
) -> Response {
    let who = ctx.principal();
    let result = async {
        let v = state.services.organisation_view(&who, OrganisationId(id)).await?;
        let filter = ItemFilter { donor: Some(OrganisationId(id)), ..Default::default() };
        let items = state.services.list_aid_items(&who, &filter, 1, 100).await?;
        Ok::<_, ServiceError>((v, items))
    }
    .await;
    match result {
        Ok((v, items)) => {
            let c = Chrome::new(ctx, uri, "orgs-title").titled(v.organisation.name.clone());
            let may_issue = ctx.user.as_ref().is_some_and(|u| may_issue_certificates(u.role));
            let issue = (may_issue && v.organisation.kind == OrganisationKind::ForeignNgo.as_str()).then(|| {
                let kinds = CertificateKind::ALL
                    .iter()
                    .map(|k| (k.as_str().to_owned(), ctx.tr.code("certkind", k.as_str()), k.as_str() == form.kind))
                    .collect();
                CertificateFormView { f: form, kinds, errors: errors.clone() }
            });
            let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
            let may_match = vientro_services::matching::may_match(&who).is_ok();
            (status, render(&ctx.tr, &OrganisationPage { c, v, items, issue, may_match })).into_response()
        }
        Err(e) => PageError::new(ctx, e).into_response(),
    }
}

async fn add_certificate(
    State(state): State<AppState>,
    ctx: RequestContext,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<CertificateForm>,
) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, false) };
    match state.services.add_certificate_as(&user, OrganisationId(id), &f.input()).await {
        Ok(_) => Redirect::to(&format!("/organisations/{id}?done=cert-added")).into_response(),
        Err(ServiceError::Invalid(e)) => {
            let errors = e.0.iter().map(|v| (v.field.clone(), v.message.clone())).collect();
            organisation_page(&state, &ctx, &uri, id, f, errors).await
        }
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

#[derive(Template)]
#[template(path = "directory/organisation_form.html")]
struct OrganisationFormPage {
    c: Chrome,
    /// Where the form posts: `/organisations` (new) or `/organisations/{id}` (edit).
    action: String,
    f: OrganisationForm,
    kinds: Vec<(String, String, bool)>,
    errors: Vec<(String, String)>,
}

#[derive(Debug, Default, Clone, serde::Deserialize)]
struct OrganisationForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    name_vi: Option<String>,
    acronym: Option<String>,
    country: Option<String>,
    province: Option<String>,
    iati_identifier: Option<String>,
    /// Sector codes, comma-separated.
    sectors: Option<String>,
    /// The version being edited (absent for a new organisation).
    version: Option<i64>,
}

impl OrganisationForm {
    fn input(&self) -> OrganisationInput {
        let blank = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        OrganisationInput {
            kind: self.kind.clone(),
            name: self.name.clone(),
            name_vi: blank(&self.name_vi),
            acronym: blank(&self.acronym),
            country: blank(&self.country),
            province: blank(&self.province),
            iati_identifier: blank(&self.iati_identifier),
            sectors: CertificateForm::list(self.sectors.as_deref().unwrap_or_default()),
            illustrative: false,
        }
    }
}

fn organisation_form(ctx: &RequestContext, uri: &Uri, f: OrganisationForm, errors: Vec<(String, String)>) -> Response {
    let kinds = OrganisationKind::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), ctx.tr.code("orgkind", k.as_str()), k.as_str() == f.kind))
        .collect();
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    // The id is in the path of the edit form's page: /organisations/{id}/edit or, after a refused save, /organisations/{id}.
    let (action, title) = match f.version {
        Some(_) => (uri.path().trim_end_matches("/edit").to_owned(), "orgs-edit"),
        None => ("/organisations".to_owned(), "orgs-new"),
    };
    let page = OrganisationFormPage { c: Chrome::new(ctx, uri, title), action, f, kinds, errors };
    (status, render(&ctx.tr, &page)).into_response()
}

async fn edit_organisation(
    State(state): State<AppState>,
    ctx: RequestContext,
    uri: Uri,
    Path(id): Path<i64>,
) -> Response {
    match state.services.organisation_for_edit(&ctx.principal(), OrganisationId(id)).await {
        Ok((o, sectors)) => {
            let f = OrganisationForm {
                kind: o.kind,
                name: o.name,
                name_vi: o.name_vi,
                acronym: o.acronym,
                country: o.country_code,
                province: o.province_code,
                iati_identifier: o.iati_identifier,
                sectors: Some(sectors.join(", ")),
                version: Some(o.version),
            };
            organisation_form(&ctx, &uri, f, Vec::new())
        }
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

async fn save_organisation(
    State(state): State<AppState>,
    ctx: RequestContext,
    uri: Uri,
    Path(id): Path<i64>,
    Form(f): Form<OrganisationForm>,
) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, false) };
    let Some(version) = f.version else {
        return organisation_form(&ctx, &uri, f, vec![("version".into(), ctx.tr.t("form-version-missing"))]);
    };
    match state.services.update_organisation_as(&user, OrganisationId(id), version, &f.input()).await {
        Ok(_) => Redirect::to(&format!("/organisations/{id}?done=org-saved")).into_response(),
        Err(ServiceError::Invalid(e)) => {
            organisation_form(&ctx, &uri, f, e.0.iter().map(|v| (v.field.clone(), v.message.clone())).collect())
        }
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

async fn new_organisation(ctx: RequestContext, uri: Uri) -> Response {
    if !may_register_organisations(&ctx) {
        return PageError::new(&ctx, ServiceError::Forbidden("organisations".into())).into_response();
    }
    organisation_form(&ctx, &uri, OrganisationForm { kind: "foreign_ngo".into(), ..Default::default() }, Vec::new())
}

async fn create_organisation(
    State(state): State<AppState>,
    ctx: RequestContext,
    uri: Uri,
    Form(f): Form<OrganisationForm>,
) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, false) };
    match state.services.register_organisation_as(&user, &f.input()).await {
        Ok(id) => Redirect::to(&format!("/organisations/{}?done=org-created", id.0)).into_response(),
        Err(ServiceError::Invalid(e)) => {
            organisation_form(&ctx, &uri, f, e.0.iter().map(|v| (v.field.clone(), v.message.clone())).collect())
        }
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

// ---------------------------------------------------------------- certificates

#[derive(Template)]
#[template(path = "directory/certificates.html")]
struct CertificatesPage {
    c: Chrome,
    rows: Vec<CertificateListRow>,
    page: i64,
    has_next: bool,
}

async fn certificates(
    State(state): State<AppState>,
    ctx: RequestContext,
    uri: Uri,
    Query(q): Query<TextQuery>,
) -> Response {
    let page = vientro_services::page_number(q.page);
    match state.services.list_certificates(&ctx.principal(), PER_PAGE, (page - 1) * PER_PAGE).await {
        Ok(mut rows) => {
            let has_next = rows.len() as i64 > PER_PAGE;
            rows.truncate(PER_PAGE as usize);
            render(&ctx.tr, &CertificatesPage { c: Chrome::new(&ctx, &uri, "certs-title"), rows, page, has_next })
        }
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

// ---------------------------------------------------------------- administrative units

struct ProvinceLine {
    code: String,
    name: String,
    region: String,
    old: String,
}

#[derive(Template)]
#[template(path = "directory/admin_units.html")]
struct AdminUnitsPage {
    c: Chrome,
    q: String,
    matches: Vec<String>,
    provinces: Vec<ProvinceLine>,
}

async fn admin_units(ctx: RequestContext, uri: Uri, Query(q): Query<TextQuery>) -> Response {
    let units = AdminUnits::embedded();
    let text = q.q.clone().unwrap_or_default();
    let matches =
        if text.trim().is_empty() { Vec::new() } else { units.lookup(&text).iter().take(50).map(describe).collect() };
    let provinces = units
        .provinces(UnitSet::From2025)
        .iter()
        .map(|p| {
            let old: Vec<String> = units
                .provinces(UnitSet::Pre2025)
                .iter()
                .filter(|o| units.current_province_code(&o.code, UnitSet::Pre2025) == p.code)
                .map(|o| format!("{} ({})", o.short_name, o.code.as_str()))
                .collect();
            ProvinceLine {
                code: p.code.as_str().to_owned(),
                name: p.name.clone(),
                region: p.region.code().to_owned(),
                old: old.join(", "),
            }
        })
        .collect();
    render(&ctx.tr, &AdminUnitsPage { c: Chrome::new(&ctx, &uri, "units-title"), q: text, matches, provinces })
}

// ---------------------------------------------------------------- users

#[derive(Template)]
#[template(path = "directory/users.html")]
struct UsersPage {
    c: Chrome,
    users: Vec<UserRow>,
    roles: Vec<(String, String)>,
    errors: Vec<(String, String)>,
}

async fn users_page(state: &AppState, ctx: &RequestContext, uri: &Uri, errors: Vec<(String, String)>) -> Response {
    let Some(user) = &ctx.user else { return crate::error::unauthenticated(&ctx.tr, false) };
    match state.services.users(user).await {
        Ok(users) => {
            let roles = Role::ALL.iter().map(|r| (r.as_str().to_owned(), ctx.tr.code("role", r.as_str()))).collect();
            let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
            (status, render(&ctx.tr, &UsersPage { c: Chrome::new(ctx, uri, "users-title"), users, roles, errors }))
                .into_response()
        }
        Err(e) => PageError::new(ctx, e).into_response(),
    }
}

async fn users(State(state): State<AppState>, ctx: RequestContext, uri: Uri) -> Response {
    users_page(&state, &ctx, &uri, Vec::new()).await
}

async fn create_user(
    State(state): State<AppState>,
    ctx: RequestContext,
    uri: Uri,
    Form(input): Form<UserInput>,
) -> Response {
    let Some(user) = ctx.user.clone() else { return crate::error::unauthenticated(&ctx.tr, false) };
    if let Err(e) = vientro_services::accounts::require_admin(&user) {
        return PageError::new(&ctx, e).into_response();
    }
    let mut input = input;
    if input.province.as_deref().is_some_and(|p| p.trim().is_empty()) {
        input.province = None;
    }
    match state.services.add_user(&user.actor(), &input).await {
        Ok(_) => Redirect::to("/users?done=users-created").into_response(),
        Err(ServiceError::Invalid(e)) => {
            users_page(&state, &ctx, &uri, e.0.iter().map(|v| (v.field.clone(), v.message.clone())).collect()).await
        }
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

// ---------------------------------------------------------------- audit log

#[derive(Template)]
#[template(path = "directory/audit.html")]
struct AuditPage {
    c: Chrome,
    rows: Vec<AuditRow>,
    report: VerifyReport,
    page: i64,
}

async fn audit(State(state): State<AppState>, ctx: RequestContext, uri: Uri, Query(q): Query<TextQuery>) -> Response {
    let page = vientro_services::page_number(q.page);
    let actor = q.q.as_deref().map(str::trim).filter(|a| !a.is_empty());
    match state.services.audit_log(&ctx.principal(), actor, PER_PAGE, (page - 1) * PER_PAGE).await {
        Ok((rows, report)) => {
            render(&ctx.tr, &AuditPage { c: Chrome::new(&ctx, &uri, "audit-title"), rows, report, page })
        }
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

// ---------------------------------------------------------------- search

#[derive(Template)]
#[template(path = "directory/search.html")]
struct SearchPage {
    c: Chrome,
    q: String,
    r: SearchResults,
}

async fn search(State(state): State<AppState>, ctx: RequestContext, uri: Uri, Query(q): Query<TextQuery>) -> Response {
    let text = q.q.unwrap_or_default();
    match state.services.search(&ctx.principal(), &text, 20).await {
        Ok(r) => render(&ctx.tr, &SearchPage { c: Chrome::new(&ctx, &uri, "search-title"), q: text, r }),
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}
