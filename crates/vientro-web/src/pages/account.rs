//! Logging in and out, and the language switch.
//!
//! A login rotates the session (a fresh token in a fresh cookie); "log out everywhere" ends every session of
//! the user. This module must not check passwords itself; the services layer does, with throttling.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use vientro_services::ServiceError;

use super::Chrome;
use crate::AppState;
use crate::context::{RequestContext, SESSION_COOKIE, language_response, set_cookie};
use crate::error::{PageError, render};
use crate::i18n::Lang;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/logout-everywhere", post(logout_everywhere))
        .route("/lang/{lang}", get(language))
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    error: Option<String>,
    username: String,
    demo: bool,
}

async fn login_page(State(state): State<AppState>, ctx: RequestContext, uri: Uri) -> Response {
    let c = Chrome::new(&ctx, &uri, "login-title");
    render(&ctx.tr, &LoginPage { c, error: None, username: String::new(), demo: state.demo })
}

#[derive(Debug, serde::Deserialize)]
struct LoginForm {
    username: String,
    password: String,
}

async fn login(State(state): State<AppState>, ctx: RequestContext, uri: Uri, Form(form): Form<LoginForm>) -> Response {
    match state.services.login(&form.username, &form.password, &ctx.client).await {
        Ok(login) => {
            if let Some(old) = &ctx.session_token {
                let _ = state.services.logout(old).await;
            }
            let mut response = Redirect::to("/").into_response();
            response
                .headers_mut()
                .append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, &login.session_token, None, ctx.secure_cookies));
            response
        }
        Err(e @ (ServiceError::Unauthenticated(_) | ServiceError::Throttled { .. })) => {
            let message = match e {
                ServiceError::Throttled { minutes } => ctx.tr.t1("login-throttled", "minutes", minutes),
                _ => ctx.tr.t("login-failed"),
            };
            let c = Chrome::new(&ctx, &uri, "login-title");
            let status = crate::error::status_of(&e);
            let page = LoginPage { c, error: Some(message), username: form.username, demo: state.demo };
            (status, render(&ctx.tr, &page)).into_response()
        }
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}

fn clear_session(response: &mut Response, secure: bool) {
    response.headers_mut().append(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", Some(0), secure));
}

async fn logout(State(state): State<AppState>, ctx: RequestContext) -> Response {
    if let Some(token) = &ctx.session_token
        && let Err(e) = state.services.logout(token).await
    {
        return PageError::new(&ctx, e).into_response();
    }
    let mut response = Redirect::to("/").into_response();
    clear_session(&mut response, ctx.secure_cookies);
    response
}

async fn logout_everywhere(State(state): State<AppState>, ctx: RequestContext) -> Response {
    let Some(user) = &ctx.user else { return Redirect::to("/login").into_response() };
    if let Err(e) = state.services.logout_everywhere(user).await {
        return PageError::new(&ctx, e).into_response();
    }
    let mut response = Redirect::to("/login?done=logged-out-everywhere").into_response();
    clear_session(&mut response, ctx.secure_cookies);
    response
}

#[derive(Debug, serde::Deserialize)]
struct Back {
    back: Option<String>,
}

async fn language(ctx: RequestContext, Path(lang): Path<String>, Query(back): Query<Back>) -> Response {
    let lang = Lang::parse(&lang).unwrap_or_default();
    language_response(lang, back.back.as_deref().unwrap_or("/"), ctx.secure_cookies)
}
