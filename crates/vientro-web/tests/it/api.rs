//! The JSON API: optimistic versions, audit, problem+json, pagination, reports, the OpenAPI document.

use axum::http::StatusCode;
use vientro_domain::report::ReportQueryInput;
use vientro_store::Db;
use vientro_store::on_both_backends;

use crate::support::TestApp;

async fn a_stale_patch_gets_409_and_a_good_one_is_audited_in_a_chain_that_verifies(db: Db) {
    let app = TestApp::new(db).await;
    let id = app.cao_bang_item.0;
    let mut caobang = app.api("caobang").await;
    let current = caobang.get(&format!("/api/v1/aid-items/{id}")).await.json();
    let version = current["version"].as_i64().unwrap();
    assert_eq!(current["title"], "Trạm y tế xã Đức Long");
    let ok = caobang
        .json(
            "PATCH",
            &format!("/api/v1/aid-items/{id}"),
            serde_json::json!({ "version": version, "title": "Trạm y tế xã Đức Long (mở rộng)" }),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.json()["version"], version + 1);
    let stale = caobang
        .json(
            "PATCH",
            &format!("/api/v1/aid-items/{id}"),
            serde_json::json!({ "version": version, "title": "lost update" }),
        )
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.headers["content-type"], "application/problem+json");
    assert_eq!(stale.json()["status"], 409);
    let after = caobang.get(&format!("/api/v1/aid-items/{id}")).await.json();
    assert_eq!(after["title"], "Trạm y tế xã Đức Long (mở rộng)", "the stale change wrote nothing");
    assert_eq!(after["fields"]["donors"][0]["organisation"], app.ngo_a.0, "parts not in the patch are kept");
    let audit = app
        .services
        .aid_item_audit(
            &vientro_domain::access::Principal::user(vientro_domain::access::Role::Admin, None, None).unwrap(),
            app.cao_bang_item,
        )
        .await
        .unwrap();
    let update = audit.iter().find(|a| a.action == "update").expect("the edit is in the audit log");
    assert_eq!(update.actor, "caobang");
    assert!(update.before_json.as_deref().unwrap().contains("Trạm y tế xã Đức Long"));
    assert!(update.after_json.as_deref().unwrap().contains("(mở rộng)"));
    let report = app.services.verify_audit().await.unwrap();
    assert!(report.first_broken.is_none());
}

async fn word_search_follows_an_edited_title_without_diacritics(db: Db) {
    let app = TestApp::new(db).await;
    let id = app.cao_bang_item.0;
    let mut caobang = app.api("caobang").await;
    let ids = |body: serde_json::Value| -> Vec<i64> {
        body["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect()
    };
    assert!(ids(caobang.get("/api/v1/aid-items?q=tram+y+te+duc+long").await.json()).contains(&id));
    let version = caobang.get(&format!("/api/v1/aid-items/{id}")).await.json()["version"].as_i64().unwrap();
    let ok = caobang
        .json(
            "PATCH",
            &format!("/api/v1/aid-items/{id}"),
            serde_json::json!({ "version": version, "title": "Giếng nước sạch Đồng Văn" }),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ids(caobang.get("/api/v1/aid-items?q=gieng+nuoc+dong+van").await.json()), vec![id]);
    assert!(ids(caobang.get("/api/v1/aid-items?q=GIENG+NUOC+DONG").await.json()).contains(&id), "case does not matter");
    assert!(
        !ids(caobang.get("/api/v1/aid-items?q=tram+y+te+duc+long").await.json()).contains(&id),
        "the old title no longer finds it"
    );
    assert!(ids(caobang.get("/api/v1/aid-items?q=zz").await.json()).is_empty(), "short words search too");
}

async fn a_patch_without_version_or_with_unknown_fields_is_a_problem_naming_the_field(db: Db) {
    let app = TestApp::new(db).await;
    let id = app.cao_bang_item.0;
    let mut caobang = app.api("caobang").await;
    let no_version =
        caobang.json("PATCH", &format!("/api/v1/aid-items/{id}"), serde_json::json!({ "title": "x" })).await;
    assert_eq!(no_version.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_version.json()["errors"][0]["field"], "version");
    let unknown = caobang
        .json(
            "PATCH",
            &format!("/api/v1/aid-items/{id}"),
            serde_json::json!({ "version": 1, "colour": "red", "status": "approved" }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> =
        unknown.json()["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect();
    assert!(fields.contains(&"colour".to_owned()) && fields.contains(&"status".to_owned()), "{fields:?}");
    let broken = caobang
        .send(
            axum::http::Request::patch(format!("/api/v1/aid-items/{id}"))
                .header("content-type", "application/json")
                .body(axum::body::Body::from("{not json"))
                .unwrap(),
        )
        .await;
    assert_eq!(broken.headers["content-type"], "application/problem+json");
    assert!(broken.status.is_client_error());
}

async fn items_are_created_listed_by_province_and_paginated(db: Db) {
    let app = TestApp::new(db).await;
    let mut caobang = app.api("caobang").await;
    let created = caobang
        .json(
            "POST",
            "/api/v1/aid-items",
            serde_json::json!({ "title": "Cầu dân sinh Hà Quảng", "kind": "project",
            "donors": [{ "organisation": app.ngo_b.0 }], "sectors": [{ "sector": "vn:health" }],
            "locations": [{ "province": "04" }], "unit_set": "from2025" }),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let elsewhere = caobang
        .json(
            "POST",
            "/api/v1/aid-items",
            serde_json::json!({ "title": "Không được", "kind": "project",
            "donors": [{ "organisation": app.ngo_b.0 }], "sectors": [{ "sector": "vn:health" }],
            "locations": [{ "province": "20" }], "unit_set": "from2025" }),
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN, "an officer records items only in their province");
    let mut central = app.api("central").await;
    let cb = central.get("/api/v1/aid-items?province=04").await.json();
    assert_eq!(cb["items"].as_array().unwrap().len(), 3);
    let page1 = central.get("/api/v1/aid-items?per_page=2").await.json();
    assert_eq!((page1["items"].as_array().unwrap().len(), page1["has_next"].as_bool()), (2, Some(true)));
    let page2 = central.get("/api/v1/aid-items?per_page=2&page=2").await.json();
    assert_eq!((page2["items"].as_array().unwrap().len(), page2["has_next"].as_bool()), (2, Some(false)));
    let bad = central.get("/api/v1/aid-items?province=Atlantis").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    let orgs = central.get("/api/v1/organisations?q=da+nang").await.json();
    assert_eq!(orgs["items"][0]["name"], "Đà Nẵng Children Fund", "organisation search ignores diacritics");
}

async fn the_reports_endpoint_gives_the_rows_the_cli_gives(db: Db) {
    let app = TestApp::new(db).await;
    let mut central = app.api("central").await;
    let path = "/api/v1/reports?measures=items,committed_usd&by=province&where=province=04";
    let reply = central.get(path).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let query = ReportQueryInput {
        measures: "items,committed_usd".into(),
        by: "province".into(),
        filters: vec!["province=04".into()],
        ..Default::default()
    }
    .parse()
    .unwrap();
    let result = app.services.report(&query).await.unwrap();
    assert_eq!(reply.json(), vientro_interchange::report_export::to_json(&result));
    let bad = central.get("/api/v1/reports?measures=happiness").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad.json()["errors"][0]["field"], "measures");
}

async fn a_remembered_report_is_recomputed_after_a_change(db: Db) {
    let app = TestApp::new(db).await;
    let mut central = app.api("central").await;
    let path = "/api/v1/reports?measures=committed_usd&where=province=04";
    let total = |rows: serde_json::Value| {
        rows.as_array().and_then(|r| r.first()).map(|r| r["committed_usd"].as_f64().unwrap_or(0.0)).unwrap_or(0.0)
    };
    let before = total(central.get(path).await.json());
    assert_eq!(total(central.get(path).await.json()), before, "asked twice, same figure");
    let id = app.cao_bang_item.0;
    let mut version = 1;
    for (to, extra) in [
        ("submitted", serde_json::json!({})),
        ("under_appraisal", serde_json::json!({})),
        (
            "approved",
            serde_json::json!({ "decision_number": "7/QĐ-UBND", "decision_date": "2026-02-01", "approval_level": "province" }),
        ),
    ] {
        let mut body = serde_json::json!({ "to": to, "version": version });
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        let reply = central.json("POST", &format!("/api/v1/aid-items/{id}/status"), body).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        version = reply.json()["version"].as_i64().unwrap();
    }
    let flow = central
        .json(
            "POST",
            &format!("/api/v1/aid-items/{id}/flows"),
            serde_json::json!({ "kind": "commitment", "stage": "actual",
            "date": "2026-02-02", "amount": "1000", "currency": "USD" }),
        )
        .await;
    assert_eq!(flow.status, StatusCode::CREATED, "{}", flow.body);
    assert_eq!(total(central.get(path).await.json()), before + 1000.0, "the change shows at once");
}

async fn the_openapi_document_lists_every_endpoint(db: Db) {
    let app = TestApp::new(db).await;
    let doc = app.anonymous().get("/api/v1/openapi.json").await.json();
    for path in ["/api/v1/organisations", "/api/v1/aid-items", "/api/v1/aid-items/{id}", "/api/v1/reports", "/healthz"]
    {
        assert!(doc["paths"][path].is_object(), "{path} is documented");
    }
    assert!(doc["paths"]["/api/v1/aid-items/{id}"]["patch"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

async fn a_bad_bearer_token_is_refused(db: Db) {
    let app = TestApp::new(db).await;
    let mut client = app.anonymous();
    let reply = client
        .send(
            axum::http::Request::get("/api/v1/aid-items")
                .header("authorization", "Bearer not-a-token")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

async fn an_absurd_page_number_gives_an_empty_page_never_a_crash(db: Db) {
    // Found by schemathesis: a page number near i64::MAX overflowed the offset and the "next page" link.
    let app = TestApp::new(db).await;
    let mut api = app.api("central").await;
    for path in ["/api/v1/organisations?page=184467440737095518", "/api/v1/aid-items?page=9223372036854775807"] {
        let reply = api.get(path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
    }
    let mut admin = app.browser("admin").await;
    for path in [
        "/organisations?page=9223372036854775807",
        "/certificates?page=9223372036854775807",
        "/audit?page=9223372036854775807",
        "/aid-items?page=9223372036854775807",
    ] {
        let reply = admin.get(path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", &reply.body[..reply.body.len().min(500)]);
    }
}

on_both_backends!(
    an_absurd_page_number_gives_an_empty_page_never_a_crash,
    word_search_follows_an_edited_title_without_diacritics,
    a_stale_patch_gets_409_and_a_good_one_is_audited_in_a_chain_that_verifies,
    a_patch_without_version_or_with_unknown_fields_is_a_problem_naming_the_field,
    items_are_created_listed_by_province_and_paginated,
    the_reports_endpoint_gives_the_rows_the_cli_gives,
    a_remembered_report_is_recomputed_after_a_change,
    the_openapi_document_lists_every_endpoint,
    a_bad_bearer_token_is_refused,
);
