//! Text no record may hold: a request whose query string, form or JSON body carries a NUL character is
//! refused with 400 naming the field, before any handler runs. No one types a NUL; it arrives by copying out
//! of another program or from an attacker, and PostgreSQL cannot store it in text while SQLite would keep it
//! unseen, so refusing it here keeps both databases and every form alike.
//!
//! This module must not judge any other content (the domain does) and leaves uploads (multipart bodies,
//! whose files may be binary) to their readers.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::context::RequestContext;

/// Refuses a request with a NUL character in a query parameter, a form field or a JSON value.
pub async fn refuse_nul(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let Some(ctx) = parts.extensions.get::<RequestContext>().cloned() else {
        return next.run(Request::from_parts(parts, body)).await;
    };
    let api = parts.uri.path().starts_with("/api/");
    if let Some(field) = parts.uri.query().and_then(|q| nul_field_in_form(q.as_bytes())) {
        return refuse(&ctx, &field, api);
    }
    let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let is_form = content_type.starts_with("application/x-www-form-urlencoded");
    let is_json = content_type.starts_with("application/json") || content_type.contains("+json");
    if !is_form && !is_json {
        return next.run(Request::from_parts(parts, body)).await;
    }
    let Ok(bytes) = to_bytes(body, crate::MAX_BODY_BYTES).await else {
        return crate::error::status_page(StatusCode::PAYLOAD_TOO_LARGE, &ctx.tr, &ctx.tr.t("error-too-large"), api);
    };
    let field = if is_form { nul_field_in_form(&bytes) } else { nul_field_in_json(&bytes) };
    match field {
        Some(field) => refuse(&ctx, &field, api),
        None => next.run(Request::from_parts(parts, Body::from(bytes))).await,
    }
}

fn refuse(ctx: &RequestContext, field: &str, api: bool) -> Response {
    crate::error::status_page(StatusCode::BAD_REQUEST, &ctx.tr, &ctx.tr.t1("error-nul", "field", field), api)
}

/// The first urlencoded field whose name or value holds a NUL.
fn nul_field_in_form(text: &[u8]) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(text).ok()?;
    pairs.into_iter().find(|(k, v)| k.contains('\0') || v.contains('\0')).map(|(k, _)| k.replace('\0', "␀"))
}

/// The path (`donors[0].note`) of the first JSON string or key holding a NUL.
fn nul_field_in_json(bytes: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    find_nul(&value, String::new())
}

fn find_nul(value: &serde_json::Value, path: String) -> Option<String> {
    match value {
        serde_json::Value::String(s) if s.contains('\0') => Some(if path.is_empty() { "body".into() } else { path }),
        serde_json::Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, item)| find_nul(item, format!("{path}[{i}]")))
        }
        serde_json::Value::Object(map) => map.iter().find_map(|(key, item)| {
            let here =
                if path.is_empty() { key.replace('\0', "␀") } else { format!("{path}.{}", key.replace('\0', "␀")) };
            if key.contains('\0') { Some(here) } else { find_nul(item, here) }
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_is_found_with_the_field_that_holds_it() {
        assert_eq!(nul_field_in_form(b"q=a%00b&page=1"), Some("q".into()));
        assert_eq!(nul_field_in_form(b"q=ab&page=1"), None);
        let json = br#"{"title":"ok","donors":[{"organisation":1,"note":"x\u0000"}]}"#;
        assert_eq!(nul_field_in_json(json), Some("donors[0].note".into()));
        assert_eq!(nul_field_in_json(br#"{"title":"\u00e0 b"}"#), None);
    }
}
