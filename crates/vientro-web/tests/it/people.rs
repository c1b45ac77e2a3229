//! The people-to-people page: a province's friendship associations, twinning pairs, scholarships and support
//! abroad, each with its CSV export.

use axum::http::{StatusCode, header};
use chrono::NaiveDate;
use vientro_services::Actor;
use vientro_services::people::{record_association_in, record_delegation_in, record_twinning_in};
use vientro_store::people::{DelegationRow, NewAssociation, NewTwinning};
use vientro_store::{Db, on_both_backends};

use crate::support::TestApp;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn an_officer_sees_the_province_s_associations_and_twinning_pairs_and_exports_them(db: Db) {
    let app = TestApp::new(db.clone()).await;
    let mut tx = db.begin().await.unwrap();
    let association = NewAssociation {
        province_code: Some("04".into()),
        name: "=HYPERLINK(\"http://evil.example\") <script>alert(1)</script>".into(),
        partner_country: "CN".into(),
        founded_on: Some(day(2012, 5, 1)),
        term: None,
        leaders: None,
        illustrative: false,
    };
    record_association_in(
        &mut tx,
        &Actor::system(),
        &association,
        &[(day(2019, 12, 31), 120), (day(2020, 12, 31), 135)],
    )
    .await
    .unwrap();
    let twinning = NewTwinning {
        province_code: "04".into(),
        local_name: "Thôn Pò Peo".into(),
        local_level: "village".into(),
        partner_country: "CN".into(),
        partner_name: "Thôn Đức Thiên".into(),
        partner_level: "village".into(),
        signed_on: day(2018, 3, 2),
        agreed_points: None,
        illustrative: false,
    };
    record_twinning_in(&mut tx, &Actor::system(), &twinning).await.unwrap();
    let delegation = DelegationRow {
        id: 0,
        province_code: "04".into(),
        direction: "out".into(),
        country: "CN".into(),
        purpose: "Đoàn xúc tiến tại Nam Ninh".into(),
        starts_on: day(2026, 1, 5),
        ends_on: day(2026, 1, 8),
        members: 5,
        leader: None,
        outcomes: None,
        report_on: None,
    };
    record_delegation_in(&mut tx, &Actor::system(), &delegation, false).await.unwrap();
    tx.commit().await.unwrap();

    let mut caobang = app.browser("caobang").await;
    let page = caobang.get("/people").await;
    assert_eq!(page.status, StatusCode::OK, "{}", &page.body[..page.body.len().min(2000)]);
    assert!(page.body.contains("Tỉnh Cao Bằng"), "the officer's own province by default");
    assert!(page.body.contains("1 hội, 135 hội viên"), "the latest member count: {}", page.body);
    assert!(page.body.contains("Thôn Pò Peo") && page.body.contains("thôn – thôn: 1"));
    assert!(!page.body.contains("<script>alert(1)"), "names are escaped");
    let delegations = page.body.split("data-testid=\"people-delegations\"").nth(1).unwrap_or_default();
    assert!(delegations.contains("Đoàn xúc tiến tại Nam Ninh") && delegations.contains("chưa nhận"), "{delegations}");
    let before = caobang.get("/people?province=04&year=2019").await;
    assert!(before.body.contains("1 hội, 120 hội viên"), "as the year ended");

    let dashboard = caobang.get("/dashboard/province/04").await;
    assert!(dashboard.body.contains("data-testid=\"card-associations\""), "the dashboard counts them");
    assert!(dashboard.body.contains("1 (135 hội viên)"));

    let csv = caobang.get("/people/export.csv?province=04&year=2026&table=associations").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains("vientro-associations-04-2026.csv"));
    let line = csv.body.lines().nth(1).unwrap();
    assert!(line.starts_with("\"'=HYPERLINK("), "a formula is never live in a spreadsheet: {line}");
    assert!(line.ends_with(",135"), "{line}");
    let bad = caobang.get("/people/export.csv?province=04&table=secrets").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.anonymous().get("/people").await.status, StatusCode::UNAUTHORIZED);
}

on_both_backends!(an_officer_sees_the_province_s_associations_and_twinning_pairs_and_exports_them);
