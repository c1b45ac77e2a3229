//! A province's call-for-aid list and priorities through the match page: an officer lists a proposal and
//! records priority sectors for a period; the page then ranks organisations for them; bad forms name their
//! field; another province's officer is refused.

use axum::http::StatusCode;
use vientro_store::{Db, on_both_backends};

use crate::support::TestApp;

async fn an_officer_lists_a_proposal_and_records_priorities_then_matches_them(db: Db) {
    let app = TestApp::new(db).await;
    let mut caobang = app.browser("caobang").await;
    let page = caobang.get("/match?province=04").await;
    assert!(
        page.body.contains("data-testid=\"proposal-form\"") && page.body.contains("data-testid=\"priorities-form\"")
    );
    let csrf = caobang.csrf("/match?province=04").await;
    let added = caobang
        .form(
            "/match/proposals",
            &[
                ("csrf", &csrf),
                ("province", "04"),
                ("title", "Cấp nước sạch cho điểm trường Đức Long"),
                ("sector", "vn:education_training"),
                ("communes", "Đức Long"),
                ("beneficiaries", "1.200"),
                ("budget_usd", "45.000"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let body = serde_urlencoded::to_string([
        ("csrf", csrf.as_str()),
        ("province", "04"),
        ("from_year", "2026"),
        ("to_year", "2030"),
        ("sector", "vn:health"),
        ("sector", "vn:education_training"),
        ("source", "Kế hoạch vận động viện trợ 2026–2030"),
    ])
    .unwrap();
    let recorded = caobang.send(form_request("/match/priorities", body.clone())).await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let again = caobang.send(form_request("/match/priorities", body)).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "the same priorities twice are refused");

    let page = caobang.get("/match?province=04").await;
    let proposals = page.body.split("data-testid=\"proposals\"").nth(1).unwrap_or_default();
    assert!(proposals.contains("Cấp nước sạch cho điểm trường Đức Long") && proposals.contains("1.200"));
    assert!(proposals.contains("45.000"), "the budget in USD");
    assert!(!page.body.contains("class=\"problem\""), "the province has priorities to match now");

    for (fields, named) in [
        (vec![("title", " "), ("sector", "vn:health")], "title"),
        (vec![("title", "Trường học"), ("sector", "vn:health"), ("beneficiaries", "nhiều")], "beneficiaries"),
        (vec![("title", "Trường học"), ("sector", "không có")], "sector"),
    ] {
        let mut form = vec![("csrf", csrf.as_str()), ("province", "04")];
        form.extend(fields);
        let refused = caobang.form("/match/proposals", &form).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{named}");
        assert!(refused.body.contains(named), "{named} is named: {}", refused.body);
    }
    let no_year = caobang.form("/match/priorities", &[("csrf", &csrf), ("province", "04"), ("from_year", "x")]).await;
    assert_eq!(no_year.status, StatusCode::UNPROCESSABLE_ENTITY);

    let org_page = format!("/organisations/{}", app.ngo_a.0);
    assert!(caobang.get(&org_page).await.body.contains("data-testid=\"organisation-proposals\""));
    let mut ngo = app.browser("ngo").await;
    let seen_by_ngo = ngo.get(&org_page).await;
    assert_eq!(seen_by_ngo.status, StatusCode::OK);
    assert!(!seen_by_ngo.body.contains("data-testid=\"organisation-proposals\""), "NGO staff are not offered matching");
    assert_eq!(ngo.get(&format!("/match?organisation={}", app.ngo_a.0)).await.status, StatusCode::FORBIDDEN);
    let reverse = caobang.get(&format!("/match?organisation={}", app.ngo_a.0)).await;
    assert_eq!(reverse.status, StatusCode::OK);
    assert!(reverse.body.contains("data-testid=\"proposals-for-organisation\""));
    assert_eq!(caobang.get("/match?organisation=999999").await.status, StatusCode::NOT_FOUND);

    let mut langson = app.browser("langson").await;
    let page = langson.get("/match?province=04").await;
    assert!(!page.body.contains("data-testid=\"proposal-form\""));
    let csrf = langson.csrf("/match").await;
    let sneaked = langson
        .form("/match/proposals", &[("csrf", &csrf), ("province", "04"), ("title", "X"), ("sector", "vn:health")])
        .await;
    assert_eq!(sneaked.status, StatusCode::FORBIDDEN);
}

fn form_request(path: &str, body: String) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::builder()
        .method("POST")
        .uri(path)
        .header(axum::http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(body))
        .unwrap()
}

on_both_backends!(an_officer_lists_a_proposal_and_records_priorities_then_matches_them);
