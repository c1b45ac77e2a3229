//! IATI through the browser: an upload streamed to the import, its result page with every problem, and the
//! export download; for administrators and central staff only.

use axum::http::{StatusCode, header};
use vientro_store::Db;
use vientro_store::on_both_backends;

use crate::support::{TestApp, upload};

const FIXTURE: &str =
    include_str!("../../../vientro-interchange/tests/fixtures/iati/vn_from_csv2iati_tripleline-cscf.xml");

async fn central_staff_upload_an_iati_file_see_the_result_and_download_the_export(db: Db) {
    let app = TestApp::new(db).await;
    let mut central = app.browser("central").await;
    let csrf = central.csrf("/transfer").await;
    let iati_upload = |token: Option<String>| {
        let uri = match token {
            Some(t) => format!("/transfer/import?csrf={t}"),
            None => "/transfer/import".to_owned(),
        };
        upload(&uri, "cscf.xml", "application/xml", FIXTURE.as_bytes(), &[("country", "")])
    };
    assert_eq!(central.send(iati_upload(None)).await.status, StatusCode::FORBIDDEN, "an upload needs the form token");
    let done = central.send(iati_upload(Some(csrf))).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let result = central.get(done.headers["location"].to_str().unwrap()).await;
    assert_eq!(
        result.status,
        StatusCode::OK,
        "{:?} {}",
        done.headers["location"],
        &result.body[..result.body.len().min(3000)]
    );
    assert!(result.body.contains("data-testid=\"import-result\""));
    let imported = result
        .body
        .split("data-testid=\"imported\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or("?")
        .to_owned();
    assert_ne!(imported, "0", "the good activities are imported");
    let export = central.get("/transfer/export.xml").await;
    assert_eq!(export.status, StatusCode::OK, "imported {imported}: {}", &export.body[..export.body.len().min(2000)]);
    assert!(
        export.body.contains("<iati-activities")
            && export.headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains("attachment")
    );
    let mut caobang = app.browser("caobang").await;
    assert_eq!(caobang.get("/transfer").await.status, StatusCode::FORBIDDEN);
    assert_eq!(caobang.get("/transfer/export.xml").await.status, StatusCode::FORBIDDEN);
}

on_both_backends!(central_staff_upload_an_iati_file_see_the_result_and_download_the_export);
