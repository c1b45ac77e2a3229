//! Who is asking and in which language, resolved once per request, and the CSRF rule for every request that
//! changes something.
//!
//! The [`authenticate`] middleware reads the session cookie or the bearer token, the language cookie and the
//! form-token cookie, refuses cross-site and token-less state-changing requests with 403, and leaves a
//! [`RequestContext`] in the request for handlers. It must not decide what a user may do with a record (the
//! services layer asks the access rule).

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use vientro_domain::access::Principal;
use vientro_services::accounts::{CurrentUser, random_token};

use crate::AppState;
use crate::i18n::{Lang, Tr};

/// The session cookie.
pub const SESSION_COOKIE: &str = "vientro_session";
/// The form-token cookie of visitors who are not logged in (double-submit, for the login form).
pub const CSRF_COOKIE: &str = "vientro_csrf";
/// The language cookie.
pub const LANG_COOKIE: &str = "vientro_lang";
/// The largest form body the CSRF check reads (uploads send the token in a header instead).
const MAX_FORM_BYTES: usize = 2 * 1024 * 1024;

/// What every handler knows about the request.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// The logged-in user (session or API token).
    pub user: Option<CurrentUser>,
    /// The session token from the cookie (for logout).
    pub session_token: Option<String>,
    /// Authenticated with a bearer token (the JSON API).
    pub bearer: bool,
    /// The interface words.
    pub tr: Tr,
    /// The token this browser's forms carry.
    pub csrf: String,
    /// Secure cookie flags for cookies set in the response.
    pub secure_cookies: bool,
    /// Where the request came from (for login throttling): the first X-Forwarded-For hop, else the peer.
    pub client: String,
}

impl RequestContext {
    /// The principal access decisions are made for.
    pub fn principal(&self) -> Principal {
        self.user.as_ref().map_or(Principal::Public, CurrentUser::principal)
    }

    /// The language.
    pub fn lang(&self) -> Lang {
        self.tr.lang
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = StatusCode;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<RequestContext>().cloned().ok_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// The value of one cookie.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, and Secure unless disabled for plain-HTTP test rigs.
pub fn set_cookie(name: &str, value: &str, max_age_seconds: Option<i64>, secure: bool) -> HeaderValue {
    let mut text = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(age) = max_age_seconds {
        text.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        text.push_str("; Secure");
    }
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
}

fn is_state_changing(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE)
}

/// True when the request says it comes from another site (Origin of another host, or Sec-Fetch-Site).
fn cross_site(headers: &HeaderMap) -> bool {
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()).is_some_and(|v| v == "cross-site") {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return false };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    origin == "null" || origin_host != host
}

fn refuse(status: StatusCode, tr: &Tr, key: &str, api: bool) -> Response {
    crate::error::status_page(status, tr, &tr.t(key), api)
}

/// Resolves the [`RequestContext`] and enforces the CSRF rule. Runs on every route.
pub async fn authenticate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let headers = &parts.headers;
    let api = parts.uri.path().starts_with("/api/");
    let lang = cookie(headers, LANG_COOKIE).and_then(|l| Lang::parse(&l)).unwrap_or_default();
    let tr = Tr::new(Arc::clone(&state.catalog), lang);
    let session_token = cookie(headers, SESSION_COOKIE).filter(|t| t.len() == 64);
    let bearer = bearer_token(headers);
    let user = match (&bearer, &session_token) {
        (Some(token), _) => match state.services.token_user(token).await {
            Ok(Some(user)) => Some(user),
            Ok(None) => return crate::error::unauthenticated(&tr, api),
            Err(e) => return crate::error::internal(&tr, api, &e),
        },
        (None, Some(token)) => match state.services.session_user(token).await {
            Ok(user) => user,
            Err(e) => return crate::error::internal(&tr, api, &e),
        },
        (None, None) => None,
    };
    let pre_session = cookie(headers, CSRF_COOKIE).filter(|t| t.len() == 64);
    let new_pre_session = if pre_session.is_none() && user.is_none() { random_token().ok() } else { None };
    let csrf = user
        .as_ref()
        .and_then(|u| u.csrf_token.clone())
        .or_else(|| pre_session.clone())
        .or_else(|| new_pre_session.clone())
        .unwrap_or_default();

    let mut body = body;
    if is_state_changing(&parts.method) {
        if cross_site(headers) {
            return refuse(StatusCode::FORBIDDEN, &tr, "error-csrf", api);
        }
        // An API call with neither a bearer token nor a session rides on no one's credentials: there is nothing
        // to forge, and the handler answers 401 for want of a token.
        let anonymous_api_call = api && bearer.is_none() && session_token.is_none();
        if bearer.is_none() && !anonymous_api_call {
            // Cookie-authenticated (or anonymous) browser requests must prove they come from our own form.
            let expected = user.as_ref().and_then(|u| u.csrf_token.clone()).or(pre_session.clone());
            let header_token = headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_owned);
            let is_form = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
            let is_upload = headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("multipart/form-data"));
            // A file upload's body is streamed to disk by its handler, not read here: its form carries the
            // token in the action's query string (same-origin only: the cross-site check above still applies).
            let query_token = parts.uri.query().filter(|_| is_upload).and_then(|q| {
                serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                    .ok()?
                    .into_iter()
                    .find(|(k, _)| k == "csrf")
                    .map(|(_, v)| v)
            });
            let (presented, restored) = match header_token.or(query_token) {
                Some(t) => (Some(t), body),
                None if is_form => {
                    let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
                        return refuse(StatusCode::PAYLOAD_TOO_LARGE, &tr, "error-csrf", api);
                    };
                    let token = form_urlencoded_value(&bytes, "csrf");
                    (token, Body::from(bytes))
                }
                None => (None, body),
            };
            body = restored;
            let ok =
                matches!((&expected, &presented), (Some(e), Some(p)) if constant_time_eq(e.as_bytes(), p.as_bytes()));
            if !ok {
                return refuse(StatusCode::FORBIDDEN, &tr, "error-csrf", api);
            }
        }
    }
    let client = client_of(&parts);
    parts.extensions.insert(RequestContext {
        user,
        session_token,
        bearer: bearer.is_some(),
        tr,
        csrf,
        secure_cookies: state.secure_cookies,
        client,
    });
    let mut response = next.run(Request::from_parts(parts, body)).await;
    if let Some(token) = new_pre_session {
        response.headers_mut().append(header::SET_COOKIE, set_cookie(CSRF_COOKIE, &token, None, state.secure_cookies));
    }
    response
}

fn client_of(parts: &Parts) -> String {
    // Behind a proxy the peer is the proxy; the first X-Forwarded-For hop is then the client.
    parts
        .headers
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .map(|v| v.trim().to_owned())
        .or_else(|| {
            parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip().to_string())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

fn form_urlencoded_value(body: &[u8], key: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).ok()?;
    pairs.into_iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A path on this site: it starts with one `/` and no browser reads it as another host (`//host`, or `/\host`,
/// since browsers treat `\` as `/`), nor does it carry control characters a browser would drop to make one.
fn is_local_path(path: &str) -> bool {
    path.starts_with('/') && !path.starts_with("//") && !path.chars().any(|c| c.is_control() || c == '\\')
}

/// Sets the language cookie and goes back (to a page of this site only).
pub fn language_response(lang: Lang, back: &str, secure: bool) -> Response {
    let back = if is_local_path(back) { back } else { "/" };
    let mut response = axum::response::Redirect::to(back).into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, set_cookie(LANG_COOKIE, lang.code(), Some(60 * 60 * 24 * 365), secure));
    response
}
