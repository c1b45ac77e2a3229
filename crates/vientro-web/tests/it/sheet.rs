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

/// The field each column's select has chosen on a preview page, in column order.
fn chosen_fields(page: &str) -> Vec<(String, String)> {
    page.split("<select id=\"column_")
        .skip(1)
        .map(|select| {
            let index = select.split('"').next().unwrap_or_default().to_owned();
            let body = select.split("</select>").next().unwrap_or_default();
            let chosen = body
                .split("<option value=\"")
                .skip(1)
                .find(|o| o.contains("\" selected>"))
                .and_then(|o| o.split('"').next())
                .unwrap_or_default()
                .to_owned();
            (format!("column_{index}"), chosen)
        })
        .collect()
}

async fn a_sheet_whose_columns_are_not_recognised_is_mapped_by_hand_saved_and_reused(db: Db) {
    let app = TestApp::new(db.clone()).await;
    let mut central = app.browser("central").await;
    let csrf = central.csrf("/transfer/sheet").await;
    // "Hạng mục" names the title in a way the suggestions do not know.
    let odd = SHEET.replacen("Tên dự án", "Hạng mục", 1);
    let uploaded = central
        .send(upload(&format!("/transfer/sheet?csrf={csrf}"), "danh-sach.csv", "text/csv", odd.as_bytes(), &[]))
        .await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "a sheet that does not fit the suggestion is still previewed");
    let location = uploaded.headers["location"].to_str().unwrap().to_owned();
    let preview = central.get(&location).await;
    assert!(preview.body.contains("data-testid=\"mapping-problem\""), "the missing column is named");
    assert!(!preview.body.contains("data-testid=\"sheet-import-form\""), "nothing to import yet");

    let mut fields = chosen_fields(&preview.body);
    assert_eq!(fields.len(), 11);
    assert_eq!(fields[1].1, "", "the odd column is ignored at first");
    fields[1].1 = "title".into();
    let mut form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    form.push(("csrf", &csrf));
    form.push(("save_as", "Danh sách của Sở Ngoại vụ"));
    let remapped = central.form(&format!("{location}/mapping"), &form).await;
    assert_eq!(remapped.status, StatusCode::SEE_OTHER, "{}", remapped.body);
    let preview = central.get(&location).await;
    assert!(preview.body.contains("data-testid=\"would-import\">2<"), "read again: two valid rows");
    assert!(preview.body.contains("data-testid=\"sheet-import-form\""));
    let saved = app.services.sheet_mappings().await.unwrap();
    assert_eq!(saved.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["Danh sách của Sở Ngoại vụ"]);

    // The next list of the same shape is read with the saved mapping straight away.
    let page = central.get("/transfer/sheet").await;
    assert!(page.body.contains("<option value=\"Danh sách của Sở Ngoại vụ\">"), "offered on the upload form");
    let reused = central
        .send(upload(
            &format!("/transfer/sheet?csrf={csrf}"),
            "danh-sach-2.csv",
            "text/csv",
            odd.as_bytes(),
            &[("mapping", "Danh sách của Sở Ngoại vụ")],
        ))
        .await;
    assert_eq!(reused.status, StatusCode::SEE_OTHER);
    let preview = central.get(reused.headers["location"].to_str().unwrap()).await;
    assert!(preview.body.contains("data-testid=\"would-import\">2<"));
    assert!(!preview.body.contains("data-testid=\"mapping-problem\""));
    assert!(items_with_code_prefix(&db, "WEB-").await.is_empty(), "mapping and previewing write no item");

    let unknown = central.form(&format!("{location}/mapping"), &[("csrf", &csrf), ("column_0", "no_such_field")]).await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut caobang = app.browser("caobang").await;
    let token = caobang.csrf("/aid-items").await;
    assert_eq!(caobang.form(&format!("{location}/mapping"), &[("csrf", &token)]).await.status, StatusCode::FORBIDDEN);
}

on_both_backends!(
    a_sheet_is_previewed_with_its_bad_rows_then_only_the_valid_rows_are_imported,
    a_sheet_whose_columns_are_not_recognised_is_mapped_by_hand_saved_and_reused,
);
