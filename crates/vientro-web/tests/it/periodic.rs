//! The periodic report pages: a province's six-month or annual report, printable and as a workbook of one
//! sheet per table, and the centre's board of which provinces have sent theirs.

use std::io::Read;

use axum::http::{StatusCode, header};
use vientro_store::{Db, on_both_backends};

use crate::support::TestApp;

async fn an_officer_reads_the_province_s_annual_report_and_downloads_it_as_a_workbook(db: Db) {
    let app = TestApp::new(db).await;
    let mut caobang = app.browser("caobang").await;
    let form = caobang.get("/reports/periodic").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("<option value=\"04\" selected>"), "the officer's own province is offered first");

    let report = caobang.get("/reports/periodic?province=04&period=annual&year=2026").await;
    assert_eq!(report.status, StatusCode::OK, "{}", &report.body[..report.body.len().min(2000)]);
    for key in
        ["summary", "donor_kinds", "donors", "kinds", "sectors", "communes", "approvals", "registrations", "problems"]
    {
        assert!(report.body.contains(&format!("data-testid=\"periodic-{key}\"")), "section {key}");
    }
    assert!(report.body.contains("Tỉnh Cao Bằng (2026)"), "the heading names the province and the year");
    assert!(report.body.contains("Trung ương chưa nhận"), "not yet received by the centre");

    let workbook = caobang.send_bytes("/reports/periodic.xlsx?province=04&period=six_month&year=2026").await;
    assert_eq!(workbook.0, StatusCode::OK);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(workbook.1)).expect("an xlsx is a zip archive");
    let sheets = archive.file_names_raw().filter(|n| n.starts_with(b"xl/worksheets/sheet")).count();
    assert_eq!(sheets, 8, "one sheet per table");
    let mut names = String::new();
    archive.by_name("xl/workbook.xml").unwrap().read_to_string(&mut names).unwrap();
    assert!(names.contains("1. Tổng hợp"), "sheets are named after their tables: {names}");

    let bad = caobang.get("/reports/periodic?province=Atlantis&period=annual&year=2026").await;
    assert_eq!(bad.status, StatusCode::OK);
    assert!(bad.body.contains("role=\"alert\""), "an unknown province is named as the problem");
    let mut ngo = app.browser("ngo").await;
    assert_eq!(ngo.get("/reports/periodic?province=04&period=annual&year=2026").await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.anonymous().get("/reports/periodic").await.status, StatusCode::UNAUTHORIZED);
}

async fn the_centre_s_board_lists_every_province_with_its_reports(db: Db) {
    let app = TestApp::new(db).await;
    let mut central = app.browser("central").await;
    let board = central.get("/reports/submissions?year=2025").await;
    assert_eq!(board.status, StatusCode::OK);
    assert_eq!(board.body.matches("<tr data-province=").count(), 34, "every province of today's map");
    assert!(
        board.body.contains("Số báo cáo quá hạn chưa nhận: 68"),
        "nothing received yet: both reports of all 34 late"
    );
    assert!(board.body.contains("data-testid=\"receive-04-annual\""), "the centre may mark a report received");
    let csrf = central.csrf("/reports/submissions").await;
    let received = central
        .form(
            "/reports/submissions/receive",
            &[("csrf", &csrf), ("province", "04"), ("period", "annual"), ("year", "2025")],
        )
        .await;
    assert_eq!(received.status, StatusCode::SEE_OTHER, "{}", received.body);
    let board = central.get("/reports/submissions?year=2025").await;
    assert!(board.body.contains("Số báo cáo quá hạn chưa nhận: 67"), "one fewer missing");
    assert!(!board.body.contains("data-testid=\"receive-04-annual\""), "no button on a received report");
    let twice = central
        .form(
            "/reports/submissions/receive",
            &[("csrf", &csrf), ("province", "04"), ("period", "annual"), ("year", "2025")],
        )
        .await;
    assert_eq!(twice.status, StatusCode::UNPROCESSABLE_ENTITY, "the first receipt stands");
    let mut caobang = app.browser("caobang").await;
    let officer_board = caobang.get("/reports/submissions?year=2025").await;
    assert!(!officer_board.body.contains("data-testid=\"receive-"), "officers see the board without the buttons");
    assert_eq!(app.anonymous().get("/reports/submissions").await.status, StatusCode::UNAUTHORIZED);
    let content_type = central.get("/reports/submissions?year=abc").await.headers[header::CONTENT_TYPE].clone();
    assert!(content_type.to_str().unwrap().starts_with("text/html"), "a bad year falls back to last year's board");
}

on_both_backends!(
    an_officer_reads_the_province_s_annual_report_and_downloads_it_as_a_workbook,
    the_centre_s_board_lists_every_province_with_its_reports,
);
