//! Security by default: CSRF on every state-changing request, security headers, sessions rotated at login,
//! logout everywhere, login throttling, no stack traces.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use vientro_store::Db;
use vientro_store::on_both_backends;

use crate::support::{PASSWORD, TestApp};

async fn a_cross_site_or_token_less_post_is_refused(db: Db) {
    let app = TestApp::new(db).await;
    let mut caobang = app.browser("caobang").await;
    let csrf = caobang.csrf("/aid-items").await;
    let id = app.cao_bang_item.0;
    let body = format!("csrf={csrf}&to=submitted&version=1");
    let cross = caobang
        .send(
            Request::post(format!("/aid-items/{id}/status"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ORIGIN, "https://evil.example")
                .body(Body::from(body.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN, "a cross-site POST is refused even with the token");
    let fetch_meta = caobang
        .send(
            Request::post(format!("/aid-items/{id}/status"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "cross-site")
                .body(Body::from(body.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(fetch_meta.status, StatusCode::FORBIDDEN);
    let no_token = caobang.form(&format!("/aid-items/{id}/status"), &[("to", "submitted"), ("version", "1")]).await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN, "a form without the token is refused");
    let wrong = caobang
        .form(&format!("/aid-items/{id}/status"), &[("csrf", &"0".repeat(64)), ("to", "submitted"), ("version", "1")])
        .await;
    assert_eq!(wrong.status, StatusCode::FORBIDDEN);
    assert_eq!(app.services.aid_item(app.cao_bang_item).await.unwrap().status, "draft", "nothing changed");
    let same_site = caobang
        .send(
            Request::post(format!("/aid-items/{id}/status"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ORIGIN, "http://vientro.test")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(same_site.status, StatusCode::SEE_OTHER, "our own form passes");
    assert_eq!(app.services.aid_item(app.cao_bang_item).await.unwrap().status, "submitted");
}

async fn every_response_carries_the_security_headers(db: Db) {
    let app = TestApp::new(db).await;
    let mut public = app.anonymous();
    for path in ["/login", "/aid-items", "/api/v1/aid-items", "/no-such-page", "/healthz"] {
        let reply = public.get(path).await;
        let csp = reply.headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-eval") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert_eq!(reply.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    }
    let login = app.anonymous().get("/login").await;
    let cookie = login.headers[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Secure"), "{cookie}");
    let missing = public.get("/aid-items/999999").await;
    assert!(!missing.body.to_lowercase().contains("panic") && !missing.body.contains("StoreError"));
}

async fn a_login_rotates_the_session_and_logout_everywhere_ends_them_all(db: Db) {
    let app = TestApp::new(db).await;
    let mut laptop = app.browser("caobang").await;
    let first = laptop.cookies.iter().find(|(k, _)| k == "vientro_session").unwrap().1.clone();
    let csrf = laptop.csrf("/login").await;
    let again = laptop.form("/login", &[("csrf", &csrf), ("username", "caobang"), ("password", PASSWORD)]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    let second = laptop.cookies.iter().find(|(k, _)| k == "vientro_session").unwrap().1.clone();
    assert_ne!(first, second, "a login issues a new session token");
    assert!(app.services.session_user(&first).await.unwrap().is_none(), "the old session ended");
    let mut phone = app.browser("caobang").await;
    assert_eq!(phone.get("/approvals").await.status, StatusCode::OK);
    let csrf = laptop.csrf("/aid-items").await;
    let out = laptop.form("/logout-everywhere", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(phone.get("/approvals").await.status, StatusCode::UNAUTHORIZED, "the other device is logged out too");
}

async fn repeated_failed_logins_are_throttled(db: Db) {
    let app = TestApp::new(db).await;
    let mut client = app.anonymous();
    let csrf = client.csrf("/login").await;
    for _ in 0..5 {
        let reply = client.form("/login", &[("csrf", &csrf), ("username", "caobang"), ("password", "wrong")]).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    let throttled = client.form("/login", &[("csrf", &csrf), ("username", "caobang"), ("password", PASSWORD)]).await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits after 5 failures");
    let other = client.form("/login", &[("csrf", &csrf), ("username", "langson"), ("password", PASSWORD)]).await;
    assert_eq!(other.status, StatusCode::SEE_OTHER, "other users are not locked out");
}

async fn passwords_and_tokens_are_stored_only_as_hashes(db: Db) {
    let app = TestApp::new(db.clone()).await;
    let token = app.services.create_token(&vientro_services::Actor::system(), "caobang", "t").await.unwrap();
    let mut handle = db.clone();
    let user = vientro_store::accounts::user_by_username(&mut handle, "caobang").await.unwrap().unwrap();
    assert!(user.password_hash.starts_with("$argon2"), "{}", user.password_hash);
    assert!(!user.password_hash.contains(PASSWORD));
    assert!(
        vientro_store::accounts::token_user(&mut handle, &token).await.unwrap().is_none(),
        "the clear token is not stored"
    );
    assert!(app.services.token_user(&token).await.unwrap().is_some());
}

async fn an_oversized_body_is_refused(db: Db) {
    let app = TestApp::new(db).await;
    let mut caobang = app.api("caobang").await;
    let big = serde_json::json!({ "version": 1, "description": "x".repeat(vientro_web::MAX_BODY_BYTES + 10) });
    let reply = caobang.json("PATCH", &format!("/api/v1/aid-items/{}", app.cao_bang_item.0), big).await;
    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
}

on_both_backends!(
    a_cross_site_or_token_less_post_is_refused,
    every_response_carries_the_security_headers,
    a_login_rotates_the_session_and_logout_everywhere_ends_them_all,
    repeated_failed_logins_are_throttled,
    passwords_and_tokens_are_stored_only_as_hashes,
    an_oversized_body_is_refused,
);
