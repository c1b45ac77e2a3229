//! Excel and CSV lists through the browser: the templates, an upload whose preview lists every bad row with
//! its column and reason before anything is written, and the import of only the valid rows; for
//! administrators and central staff only.

use axum::http::{StatusCode, header};
use vientro_store::{Db, Exec, Stmt, on_both_backends};

use crate::support::{TestApp, upload};

const SHEET: &str = "Mã dự án;Tên dự án;Loại hình;Nhà tài trợ;Quốc gia;Tỉnh;Số quyết định;Ngày phê duyệt;Cấp phê duyệt;Loại tiền;Giá trị cam kết\n\
    WEB-01;Nước sạch Trùng Khánh;dự án;Oxfam;GB;Cao Bằng;11/QĐ-UBND;15/10/2020;UBND tỉnh;USD;1.441.700\n\
    WEB-02;Trường học;dự án;Oxfam;GB;Cao Bằng;12/QĐ-UBND;31/02/2020;UBND tỉnh;USD;2.000\n\
    WEB-03;Cầu dân sinh;dự án;Oxfam;GB;Cao Bằng;13/QĐ-UBND;16/10/2020;UBND tỉnh;USD;53,9 nghìn\n";

async fn items_with_code_prefix(db: &Db, prefix: &str) -> Vec<String> {
    #[derive(sqlx::FromRow)]
    struct Code {
        code: Option<String>,
    }
    let rows: Vec<Code> = db
        .clone()
        .fetch_all(Stmt::new("SELECT code FROM aid_item WHERE code LIKE $1 ORDER BY code").bind(format!("{prefix}%")))
        .await
        .unwrap();
    rows.into_iter().filter_map(|r| r.code).collect()
}

async fn a_sheet_is_previewed_with_its_bad_rows_then_only_the_valid_rows_are_imported(db: Db) {
    let app = TestApp::new(db.clone()).await;
    let mut central = app.browser("central").await;
    let csrf = central.csrf("/transfer/sheet").await;
    let template = central.get("/transfer/sheet/template.csv?lang=vi").await;
    assert_eq!(template.status, StatusCode::OK);
    assert!(template.body.contains("Tên khoản viện trợ"), "{}", template.body);
    let xlsx = central.get("/transfer/sheet/template.xlsx?lang=en").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.headers[header::CONTENT_DISPOSITION].to_str().unwrap().contains(".xlsx"));

    let uploaded = central
        .send(upload(&format!("/transfer/sheet?csrf={csrf}"), "danh-sach.csv", "text/csv", SHEET.as_bytes(), &[]))
        .await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.body);
    let location = uploaded.headers["location"].to_str().unwrap().to_owned();
    let preview = central.get(&location).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", &preview.body[..preview.body.len().min(3000)]);
    let problems = preview.body.split("data-testid=\"sheet-problems\"").nth(1).unwrap_or_default();
    assert!(problems.contains("<td class=\"num\">3</td><td>Ngày phê duyệt</td>"), "row 3's date column: {problems}");
    assert!(preview.body.contains("data-testid=\"would-import\">2<"), "two valid rows");
    assert!(items_with_code_prefix(&db, "WEB-").await.is_empty(), "nothing is written by the preview");

    let mut caobang = app.browser("caobang").await;
    assert_eq!(caobang.get("/transfer/sheet").await.status, StatusCode::FORBIDDEN);
    assert_eq!(caobang.get(&location).await.status, StatusCode::FORBIDDEN);

    let import = format!("{location}/import");
    let without_token = central.form(&import, &[("only_valid_rows", "on")]).await;
    assert_eq!(without_token.status, StatusCode::FORBIDDEN, "an import needs the form token");
    let done = central.form(&import, &[("csrf", &csrf), ("only_valid_rows", "on")]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    let result = central.get(&location).await;
    assert!(result.body.contains("data-testid=\"sheet-imported\""), "{}", &result.body[..result.body.len().min(3000)]);
    assert_eq!(items_with_code_prefix(&db, "WEB-").await, vec!["WEB-01".to_owned(), "WEB-03".to_owned()]);
    let again = central.form(&import, &[("csrf", &csrf), ("only_valid_rows", "on")]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(items_with_code_prefix(&db, "WEB-").await.len(), 2, "the same upload is never imported twice");
}

on_both_backends!(a_sheet_is_previewed_with_its_bad_rows_then_only_the_valid_rows_are_imported);
