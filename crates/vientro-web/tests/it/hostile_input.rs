//! Hostile input: SQL injection, markup and other hostile text in every text field of every form and the
//! API, and in every filter of every list and report; oversized uploads, a zip bomb and an XML entity bomb.
//! Nothing may fail with a server error, hostile text is stored as typed (or refused with the field named)
//! and shown escaped, a filter never widens a list, and a bomb is refused before it is unpacked.

use axum::http::{StatusCode, header};
use vientro_store::{Db, on_both_backends};

use crate::support::{Client, PASSWORD, Reply, TestApp, upload};

/// Text an attacker types: SQL that would end the statement or widen a filter, markup that would run a
/// script, template syntax, a right-to-left override, and a NUL (which PostgreSQL text cannot hold).
const PAYLOADS: [&str; 8] = [
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "'; DROP TABLE aid_item; --",
    "' OR '1'='1",
    "Robert'); DELETE FROM organisation; --",
    "{{7*7}} ${7*7} {% if %} %s%n",
    "\u{202e}fdp.exe",
    "a\u{0}b",
];

/// Markup from the payloads that must never reach a page unescaped.
const LIVE_MARKUP: [&str; 2] = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>"];

fn no_server_error(what: &str, reply: &Reply) {
    assert!(!reply.status.is_server_error(), "{what}: {} {}", reply.status, &reply.body[..reply.body.len().min(800)]);
}

/// A page (HTML) never carries the payloads' markup unescaped. JSON, CSV and XML replies may quote it: they
/// are served with their own content type and `nosniff`, so no browser runs them as a page.
fn no_live_markup(what: &str, reply: &Reply) {
    let html = reply
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .is_some_and(|c| c.starts_with("text/html"));
    if !html {
        return;
    }
    for markup in LIVE_MARKUP {
        assert!(!reply.body.contains(markup), "{what} shows {markup} unescaped");
    }
}

/// Either stored (a redirect or 201) or refused with the reason shown (422, or 400 for a NUL, with an alert or
/// a problem).
fn stored_or_refused_clearly(what: &str, reply: &Reply) -> bool {
    no_server_error(what, reply);
    if reply.status.is_redirection() || reply.status.is_success() {
        return true;
    }
    assert!(
        reply.status == StatusCode::UNPROCESSABLE_ENTITY || reply.status == StatusCode::BAD_REQUEST,
        "{what}: {} {}",
        reply.status,
        &reply.body[..reply.body.len().min(800)]
    );
    assert!(reply.body.contains("role=\"alert\"") || reply.body.contains("\"detail\""), "{what}: the reason is shown");
    false
}

fn created_id(reply: &Reply) -> Option<i64> {
    let location = reply.headers.get(header::LOCATION)?.to_str().ok()?;
    location.trim_start_matches('/').split('/').nth(1)?.split('?').next()?.parse().ok()
}

async fn token(client: &mut Client) -> String {
    client.csrf("/aid-items").await
}

async fn hostile_text_in_every_field_is_stored_as_typed_or_refused_and_always_shown_escaped(db: Db) {
    let app = TestApp::new(db).await;
    let mut caobang = app.browser("caobang").await;
    let mut central = app.browser("central").await;
    let mut admin = app.browser("admin").await;
    let mut api = app.api("caobang").await;
    let ngo_a = app.ngo_a.0.to_string();
    let mut stored_items = Vec::new();
    let mut stored_events = Vec::new();
    for (i, p) in PAYLOADS.iter().enumerate() {
        let csrf = token(&mut caobang).await;
        let event = caobang
            .form(
                "/people/events",
                &[
                    ("csrf", &csrf),
                    ("province_code", "04"),
                    ("kind", "training"),
                    ("title", p),
                    ("starts_on", "2026-05-12"),
                    ("place", p),
                    ("organisers", p),
                    ("outcomes", p),
                ],
            )
            .await;
        if stored_or_refused_clearly(&format!("event titled {p:?}"), &event) {
            let location = event.headers.get(header::LOCATION).and_then(|l| l.to_str().ok()).unwrap_or_default();
            let id =
                location.split('?').next().and_then(|p| p.rsplit('/').next()).and_then(|id| id.parse::<i64>().ok());
            let id = id.expect("a created event's page");
            let participant = caobang
                .form(
                    &format!("/people/events/{id}/participants"),
                    &[("csrf", &csrf), ("participant_kind", "person"), ("name", p), ("role", p)],
                )
                .await;
            stored_or_refused_clearly(&format!("participant {p:?}"), &participant);
            stored_events.push(id);
        }
        let title = format!("{p} #{i}");
        let code = format!("H-{i}-{p}");
        let csrf = token(&mut caobang).await;
        let created = caobang
            .form(
                "/aid-items",
                &[
                    ("csrf", &csrf),
                    ("title", &title),
                    ("title_en", p),
                    ("code", &code),
                    ("description", p),
                    ("kind", "project"),
                    ("donor", &ngo_a),
                    ("sector", "vn:health"),
                    ("province", "04"),
                    ("start_date", "2026-01-01"),
                ],
            )
            .await;
        if stored_or_refused_clearly(&format!("item titled {title:?}"), &created) {
            let id = created_id(&created).expect("a created item's page");
            let stored = api.get(&format!("/api/v1/aid-items/{id}")).await.json();
            assert_eq!(stored["title"], title.as_str(), "stored exactly as typed");
            assert_eq!(stored["fields"]["description"], *p);
            assert_eq!(stored["fields"]["code"], code.as_str());
            stored_items.push((id, title.clone()));
            let flow = caobang
                .form(
                    &format!("/aid-items/{id}/flows"),
                    &[
                        ("csrf", &csrf),
                        ("kind", "commitment"),
                        ("stage", "planned"),
                        ("date", "2026-03-01"),
                        ("amount", "1.000"),
                        ("currency", "USD"),
                        ("note", p),
                    ],
                )
                .await;
            stored_or_refused_clearly(&format!("flow note {p:?}"), &flow);
            let status = caobang
                .form(
                    &format!("/aid-items/{id}/status"),
                    &[("csrf", &csrf), ("to", "submitted"), ("version", "1"), ("note", p)],
                )
                .await;
            stored_or_refused_clearly(&format!("status note {p:?}"), &status);
        }
        let api_item = api
            .json(
                "POST",
                "/api/v1/aid-items",
                serde_json::json!({
                    "title": p, "code": format!("A-{i}-{p}"), "kind": "project", "description": p,
                    "donors": [{ "organisation": app.ngo_a.0 }], "sectors": [{ "sector": "vn:health" }],
                    "locations": [{ "province": "04" }], "unit_set": "from2025", "start_date": "2026-01-01"
                }),
            )
            .await;
        if stored_or_refused_clearly(&format!("API item {p:?}"), &api_item) {
            let id = api_item.json()["id"].as_i64().unwrap();
            let patch = api
                .json("PATCH", &format!("/api/v1/aid-items/{id}"), serde_json::json!({ "version": 1, "title_en": p }))
                .await;
            stored_or_refused_clearly(&format!("API patch {p:?}"), &patch);
        }

        let csrf = token(&mut central).await;
        let organisation = central
            .form(
                "/organisations",
                &[
                    ("csrf", &csrf),
                    ("kind", "foreign_ngo"),
                    ("name", &format!("{p} Foundation {i}")),
                    ("name_vi", p),
                    ("acronym", p),
                    ("country", "US"),
                    ("iati_identifier", p),
                ],
            )
            .await;
        stored_or_refused_clearly(&format!("organisation {p:?}"), &organisation);
        let certificate = central
            .form(
                &format!("/organisations/{}/certificates", app.ngo_a.0),
                &[
                    ("csrf", &csrf),
                    ("kind", "operation"),
                    ("number", &format!("{i}/{p}")),
                    ("issued_on", "2026-01-10"),
                    ("valid_to", "2029-01-09"),
                    ("provinces", "04"),
                ],
            )
            .await;
        stored_or_refused_clearly(&format!("certificate number {p:?}"), &certificate);
        let csrf = token(&mut admin).await;
        let user = admin
            .form(
                "/users",
                &[
                    ("csrf", &csrf),
                    ("username", &format!("khach{i}")),
                    ("display_name", p),
                    ("password", PASSWORD),
                    ("role", "viewer"),
                    ("province", ""),
                ],
            )
            .await;
        stored_or_refused_clearly(&format!("user named {p:?}"), &user);
    }
    assert!(stored_events.len() >= 6, "most hostile titles are ordinary text to store: {stored_events:?}");
    assert!(stored_items.len() >= 6, "most hostile titles are ordinary text to store: {stored_items:?}");

    let mut pages = vec![
        "/".to_owned(),
        "/aid-items".to_owned(),
        "/aid-items?q=script".to_owned(),
        "/approvals".to_owned(),
        "/organisations".to_owned(),
        format!("/organisations/{}", app.ngo_a.0),
        "/certificates".to_owned(),
        "/users".to_owned(),
        "/audit".to_owned(),
        "/search?q=alert".to_owned(),
        "/dashboard/national".to_owned(),
        "/dashboard/province/04".to_owned(),
        "/reports?measures=committed_usd&by=donor".to_owned(),
        "/reports/export?measures=committed_usd&by=donor&format=csv".to_owned(),
        "/match?province=04".to_owned(),
        "/reports/periodic?province=04&period=annual&year=2026".to_owned(),
        "/reports/submissions".to_owned(),
        "/people?province=04".to_owned(),
        "/events?province=04".to_owned(),
    ];
    pages.push("/people?province=04&year=2026".to_owned());
    pages.push("/people/export.csv?province=04&year=2026&table=events".to_owned());
    for id in &stored_events {
        pages.push(format!("/people/events/{id}"));
        pages.push(format!("/people/events/{id}/export.csv?part=participants"));
    }
    for (id, _) in &stored_items {
        pages.push(format!("/aid-items/{id}"));
        pages.push(format!("/aid-items/{id}/edit"));
    }
    for path in &pages {
        for client in [&mut caobang, &mut central, &mut admin] {
            let reply = client.get(path).await;
            no_server_error(path, &reply);
            no_live_markup(path, &reply);
        }
    }
    let (script_item, _) = &stored_items[0];
    let shown = caobang.get(&format!("/aid-items/{script_item}")).await;
    let escaped = ["&lt;script&gt;alert(1)&lt;/script&gt;", "&#60;script&#62;alert(1)&#60;/script&#62;"];
    assert!(escaped.iter().any(|e| shown.body.contains(e)), "the title is shown, escaped");
    let listed = api.get("/api/v1/aid-items?per_page=500").await.json();
    assert!(listed["items"].as_array().unwrap().len() > stored_items.len(), "every table is still there");
}

/// The filters each list and report reads, as (path, parameter).
const FILTERS: [(&str, &str); 43] = [
    ("/aid-items", "q"),
    ("/aid-items", "province"),
    ("/aid-items", "status"),
    ("/aid-items", "kind"),
    ("/aid-items", "year"),
    ("/aid-items", "donor"),
    ("/aid-items", "page"),
    ("/organisations", "q"),
    ("/certificates", "q"),
    ("/admin-units", "q"),
    ("/audit", "q"),
    ("/search", "q"),
    ("/dashboard/national", "year"),
    ("/dashboard/province/04", "year"),
    ("/match", "province"),
    ("/match", "proposal"),
    ("/reports", "measures"),
    ("/reports", "by"),
    ("/reports", "where"),
    ("/reports", "from"),
    ("/reports/export", "format"),
    ("/reports/export", "as_of"),
    ("/api/v1/aid-items", "q"),
    ("/api/v1/aid-items", "province"),
    ("/api/v1/aid-items", "status"),
    ("/api/v1/aid-items", "year"),
    ("/api/v1/organisations", "q"),
    ("/api/v1/reports", "where"),
    ("/api/v1/reports", "by"),
    ("/transfer/export.xml", "where"),
    ("/reports/periodic", "province"),
    ("/reports/periodic", "period"),
    ("/reports/periodic", "year"),
    ("/reports/periodic.xlsx", "province"),
    ("/reports/submissions", "year"),
    ("/people", "province"),
    ("/people", "year"),
    ("/people/export.csv", "table"),
    ("/people/export.csv", "province"),
    ("/people/events/new", "province"),
    ("/people/associations/1/export.csv", "part"),
    ("/events", "province"),
    ("/match", "organisation"),
];

async fn hostile_filters_never_fail_never_widen_a_list_and_never_echo_markup(db: Db) {
    let app = TestApp::new(db).await;
    let mut caobang = app.browser("caobang").await;
    let mut central = app.browser("central").await;
    let mut public = app.anonymous();
    for p in PAYLOADS {
        let value = serde_urlencoded::to_string([("v", p)]).unwrap();
        let value = value.trim_start_matches("v=");
        for (path, param) in FILTERS {
            let url = format!("{path}?{param}={value}");
            for client in [&mut caobang, &mut central, &mut public] {
                let reply = client.get(&url).await;
                no_server_error(&url, &reply);
                no_live_markup(&url, &reply);
            }
        }
        for path in [
            "/aid-items/",
            "/organisations/",
            "/dashboard/province/",
            "/transfer/import/",
            "/transfer/sheet/",
            "/people/",
            "/people/events/",
            "/events/",
        ] {
            let url = format!("{path}{value}");
            let reply = central.get(&url).await;
            no_server_error(&url, &reply);
            no_live_markup(&url, &reply);
        }
    }
    // A filter that would widen the list if it reached the SQL as code finds nothing, as any unmatched text does.
    let widen = serde_urlencoded::to_string([("q", "x' OR '1'='1")]).unwrap();
    let page = caobang.get(&format!("/aid-items?{widen}")).await;
    assert!(!page.body.contains("Đức Long"), "the officer's own item is not listed by an injected condition");
    let mut api = app.api("caobang").await;
    let listed = api.get(&format!("/api/v1/aid-items?{widen}")).await.json();
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);
    let organisations = api.get(&format!("/api/v1/organisations?{widen}")).await.json();
    assert_eq!(organisations["items"].as_array().map_or(0, Vec::len), 0, "{organisations}");
    // The language switch goes back only to a page of this site.
    for back in ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"] {
        let url = format!("/lang/en?{}", serde_urlencoded::to_string([("back", back)]).unwrap());
        let reply = public.get(&url).await;
        let location = reply.headers.get(header::LOCATION).map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
        assert!(
            location.starts_with('/') && !location.starts_with("//") && !location.starts_with("/\\"),
            "{back} → {location}"
        );
    }
}

/// A workbook whose one sheet unpacks to `size` bytes of rows (about a thousand times its packed size).
fn zip_bomb(size: usize) -> Vec<u8> {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    writer.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    writer.write_all(b"<worksheet><sheetData>").unwrap();
    let row = b"<row><c t=\"inlineStr\"><is><t>Nh\xc3\xa0 v\xc4\x83n ho\xc3\xa1</t></is></c></row>";
    let mut written = 0;
    while written < size {
        writer.write_all(row).unwrap();
        written += row.len();
    }
    writer.write_all(b"</sheetData></worksheet>").unwrap();
    writer.finish().unwrap().into_inner()
}

/// An XML document whose entities would expand to a billion copies of one word if expanded.
fn entity_bomb() -> String {
    let mut dtd = String::from("<!DOCTYPE iati-activities [\n<!ENTITY lol \"lol\">\n");
    for level in 1..10 {
        let previous = if level == 1 { "lol".to_owned() } else { format!("lol{}", level - 1) };
        dtd.push_str(&format!("<!ENTITY lol{level} \"{}\">\n", format!("&{previous};").repeat(10)));
    }
    dtd.push_str("]>\n");
    format!(
        "<?xml version=\"1.0\"?>\n{dtd}<iati-activities version=\"2.03\"><iati-activity>\
         <iati-identifier>XM-BOMB-1</iati-identifier><title><narrative>&lol9;</narrative></title>\
         </iati-activity></iati-activities>"
    )
}

async fn oversized_uploads_and_bombs_are_refused_with_a_clear_message(db: Db) {
    let app = TestApp::new(db).await;
    let mut central = app.browser("central").await;
    let csrf = token(&mut central).await;

    let bomb = zip_bomb(usize::try_from(vientro_interchange::sheet::MAX_UNPACKED_BYTES).unwrap() + 1024 * 1024);
    assert!(bomb.len() < 4 * 1024 * 1024, "a bomb is a small upload: {} bytes", bomb.len());
    let reply = central
        .send(upload(
            &format!("/transfer/sheet?csrf={csrf}"),
            "bom.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &bomb,
            &[],
        ))
        .await;
    no_server_error("zip bomb", &reply);
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", &reply.body[..reply.body.len().min(800)]);
    assert!(reply.body.contains("bom.xlsx") && reply.body.contains("128 MB"), "the file and the limit are named");

    let oversized = vec![b'a'; vientro_web::pages::sheet::MAX_SHEET_BYTES + 1024];
    let reply =
        central.send(upload(&format!("/transfer/sheet?csrf={csrf}"), "lon.csv", "text/csv", &oversized, &[])).await;
    no_server_error("oversized sheet", &reply);
    assert!(
        reply.status == StatusCode::PAYLOAD_TOO_LARGE || reply.status == StatusCode::UNPROCESSABLE_ENTITY,
        "{} {}",
        reply.status,
        &reply.body[..reply.body.len().min(800)]
    );

    let xml = entity_bomb();
    let reply = central
        .send(upload(&format!("/transfer/import?csrf={csrf}"), "bom.xml", "application/xml", xml.as_bytes(), &[]))
        .await;
    no_server_error("entity bomb", &reply);
    if reply.status.is_redirection() {
        let result = central.get(reply.headers[header::LOCATION].to_str().unwrap()).await;
        no_server_error("entity bomb result", &result);
        assert!(result.body.len() < 1024 * 1024, "no entity was expanded: {} bytes", result.body.len());
    }
    let mut api = app.api("central").await;
    let stored = api.get("/api/v1/aid-items?q=lol&per_page=500").await;
    assert!(stored.body.len() < 1024 * 1024, "no entity was expanded into a record");

    let broken = axum::http::Request::post(format!("/transfer/sheet?csrf={csrf}"))
        .header(header::CONTENT_TYPE, "multipart/form-data; boundary=missing")
        .body(axum::body::Body::from("--other\r\nnot a part"))
        .unwrap();
    let reply = central.send(broken).await;
    no_server_error("broken multipart", &reply);
    assert!(reply.status.is_client_error(), "{}", reply.status);
}

on_both_backends!(
    hostile_text_in_every_field_is_stored_as_typed_or_refused_and_always_shown_escaped,
    hostile_filters_never_fail_never_widen_a_list_and_never_echo_markup,
    oversized_uploads_and_bombs_are_refused_with_a_clear_message,
);
