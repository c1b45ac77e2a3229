//! Errors at the HTTP edge: a service error becomes a localised page for browsers or an RFC 9457
//! `application/problem+json` body for the API, with the right status.
//!
//! Policy (as in the services layer): the user sees what they can act on (the field and the rule, "not
//! found", "not allowed", "changed by someone else"); internal failures are logged with their cause and the
//! user gets a plain sentence and no stack trace. This module must not decide access or validity.

use askama::Template;
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use vientro_services::ServiceError;

use crate::context::RequestContext;
use crate::i18n::Tr;

/// The status a service error maps to.
pub fn status_of(e: &ServiceError) -> StatusCode {
    match e {
        ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
        ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
        ServiceError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        ServiceError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        ServiceError::Conflict(_) => StatusCode::CONFLICT,
        ServiceError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    tr: &'a Tr,
    status: u16,
    message: &'a str,
}

/// A problem+json response.
pub fn problem(status: StatusCode, title: &str, detail: &str, errors: Option<serde_json::Value>) -> Response {
    let mut body = serde_json::json!({
        "type": "about:blank",
        "title": title,
        "status": status.as_u16(),
        "detail": detail,
    });
    if let Some(errors) = errors {
        body["errors"] = errors;
    }
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/problem+json"));
    response
}

/// A page (or problem+json for the API) with a status and a message.
pub fn status_page(status: StatusCode, tr: &Tr, message: &str, api: bool) -> Response {
    if api {
        return problem(status, status.canonical_reason().unwrap_or("error"), message, None);
    }
    match (ErrorPage { tr, status: status.as_u16(), message }).render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "the error page could not be rendered");
            (status, message.to_owned()).into_response()
        }
    }
}

/// 401 for a bad bearer token or a page that needs a login.
pub fn unauthenticated(tr: &Tr, api: bool) -> Response {
    let mut r = status_page(StatusCode::UNAUTHORIZED, tr, &tr.t("error-login-needed"), api);
    if api {
        r.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
    }
    r
}

/// 500, logging the cause.
pub fn internal(tr: &Tr, api: bool, cause: &dyn std::fmt::Display) -> Response {
    tracing::error!(error = %cause, "internal error");
    status_page(StatusCode::INTERNAL_SERVER_ERROR, tr, &tr.t("error-internal"), api)
}

fn validation_json(e: &vientro_domain::ValidationErrors) -> serde_json::Value {
    serde_json::Value::Array(
        e.0.iter().map(|v| serde_json::json!({ "field": v.field, "code": v.code, "message": v.message })).collect(),
    )
}

/// The response for a service error, for a page or the API.
pub fn service_error(tr: &Tr, api: bool, e: &ServiceError) -> Response {
    let status = status_of(e);
    match e {
        ServiceError::Internal(cause) => internal(tr, api, cause),
        ServiceError::Invalid(errors) if api => problem(
            status,
            "The request breaks a rule; nothing was written",
            &e.to_string(),
            Some(validation_json(errors)),
        ),
        ServiceError::NotFound(_) => status_page(status, tr, &tr.t("error-not-found"), api),
        ServiceError::Forbidden(detail) if api => problem(status, "Forbidden", detail, None),
        ServiceError::Forbidden(_) => status_page(status, tr, &tr.t("error-forbidden"), api),
        ServiceError::Throttled { minutes } => {
            status_page(status, tr, &tr.t1("login-throttled", "minutes", minutes), api)
        }
        other => status_page(status, tr, &other.to_string(), api),
    }
}

/// A service error on a page.
#[derive(Debug)]
pub struct PageError {
    tr: Tr,
    error: ServiceError,
}

impl PageError {
    /// Wraps a service error with the reader's words.
    pub fn new(ctx: &RequestContext, error: ServiceError) -> PageError {
        PageError { tr: ctx.tr.clone(), error }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        service_error(&self.tr, false, &self.error)
    }
}

/// A service error in the API.
#[derive(Debug)]
pub struct ApiError {
    tr: Tr,
    error: ServiceError,
}

impl ApiError {
    /// Wraps a service error.
    pub fn new(ctx: &RequestContext, error: ServiceError) -> ApiError {
        ApiError { tr: ctx.tr.clone(), error }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        service_error(&self.tr, true, &self.error)
    }
}

/// Renders a template or fails with a logged 500.
pub fn render(tr: &Tr, template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => internal(tr, false, &e),
    }
}
