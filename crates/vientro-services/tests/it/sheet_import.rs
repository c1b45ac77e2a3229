//! Excel and CSV import end to end: a Cao Bằng sheet previewed, refused while it has bad rows, imported with
//! "only the valid rows", and its committed total read back through the report engine.

use chrono::NaiveDate;
use vientro_domain::report::{Cell, ReportQueryInput};
use vientro_interchange::sheet::{
    Lang, Preview, RowDefaults, SheetCell, parse_rows, read_csv, read_xlsx, suggest_mapping, template_csv,
    template_xlsx, write_xlsx,
};
use vientro_services::Services;
use vientro_services::sheet_import::{SheetImportOptions, SheetImportOutcome};
use vientro_store::{Db, on_both_backends};

use crate::support::{footprint, officer};

const HEADERS: [&str; 17] = [
    "STT",
    "Mã dự án",
    "Tên dự án",
    "Loại hình",
    "Nhà tài trợ",
    "Quốc gia",
    "Tỉnh",
    "Huyện",
    "Xã",
    "Lĩnh vực",
    "Số quyết định",
    "Ngày phê duyệt",
    "Cấp phê duyệt",
    "Loại tiền",
    "Giá trị cam kết",
    "Giá trị giải ngân",
    "Ngày giải ngân",
];

/// 1.441.700 + 250.000 + 53.000,50 USD committed by the three good rows.
const GOOD_COMMITTED_USD_MINOR: i64 = 174_470_050;

fn text(s: &str) -> SheetCell {
    if s.is_empty() { SheetCell::Empty } else { SheetCell::Text(s.to_owned()) }
}

/// The Cao Bằng rows as text; lines 4 and 6 (Excel rows) are bad: an impossible date, a misgrouped amount.
fn rows_as_text() -> Vec<[&'static str; 17]> {
    vec![
        [
            "1",
            "CB-01",
            "Lớp học hoà nhập",
            "dự án",
            "ChildFund Australia",
            "Úc",
            "Cao Bằng",
            "Bảo Lâm",
            "Lý Bôn",
            "Giáo dục và đào tạo",
            "1971/QĐ-UBND",
            "15/10/2010",
            "UBND tỉnh",
            "USD",
            "1.441.700",
            "1.273.388",
            "30/06/2011",
        ],
        [
            "2",
            "CB-02",
            "Nước sạch cho trường học",
            "dự án",
            "Plan International",
            "GB",
            "Cao Bằng",
            "Hà Quảng",
            "",
            "Y tế",
            "12/QĐ-UBND",
            "01/03/2011",
            "UBND tỉnh",
            "USD",
            "250.000",
            "",
            "",
        ],
        [
            "3",
            "CB-03",
            "Cầu dân sinh",
            "phi dự án",
            "ChildFund Australia",
            "Úc",
            "Cao Bằng",
            "",
            "",
            "",
            "13/QĐ-UBND",
            "31/02/2011",
            "UBND tỉnh",
            "USD",
            "100.000",
            "",
            "",
        ],
        [
            "4",
            "CB-04",
            "Hỗ trợ sinh kế",
            "dự án",
            "ChildFund Australia",
            "",
            "Cao Bằng",
            "",
            "",
            "",
            "14/QĐ-UBND",
            "20/05/2012",
            "UBND tỉnh",
            "USD",
            "53.000,50",
            "",
            "",
        ],
        [
            "5",
            "CB-05",
            "Nhà văn hoá",
            "dự án",
            "Plan International",
            "GB",
            "Cao Bằng",
            "",
            "",
            "",
            "15/QĐ-UBND",
            "01/06/2012",
            "UBND tỉnh",
            "USD",
            "1.44.700",
            "",
            "",
        ],
    ]
}

/// The sheet as an officer's workbook: row 3 has Excel number and date cells instead of text.
fn cao_bang_xlsx() -> Vec<u8> {
    let mut rows: Vec<Vec<SheetCell>> = vec![HEADERS.iter().map(|h| text(h)).collect()];
    for r in rows_as_text() {
        rows.push(r.iter().map(|c| text(c)).collect());
    }
    rows[2][11] = SheetCell::Date(NaiveDate::from_ymd_opt(2011, 3, 1).unwrap());
    rows[2][14] = SheetCell::Number(250_000.0);
    write_xlsx("Danh mục", &rows).unwrap()
}

/// The same sheet as CSV with `;` separators and a byte-order mark.
fn cao_bang_csv() -> Vec<u8> {
    let mut out = String::from("\u{feff}");
    out.push_str(&HEADERS.join(";"));
    out.push_str("\r\n");
    for r in rows_as_text() {
        out.push_str(&r.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(";"));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

fn preview_of(sheet: &vientro_interchange::sheet::RawSheet) -> Preview {
    parse_rows(sheet, &suggest_mapping(&sheet.headers), &RowDefaults::default()).unwrap()
}

async fn committed_usd(services: &Services) -> i64 {
    let q = ReportQueryInput { measures: "committed_usd".into(), ..Default::default() }.parse().unwrap();
    match &services.report(&q).await.unwrap().total.values[0] {
        Cell::Money { minor, currency } if currency == "USD" => *minor,
        Cell::Empty => 0,
        other => panic!("not USD: {other:?}"),
    }
}

fn only_valid() -> SheetImportOptions {
    SheetImportOptions { dry_run: false, only_valid_rows: true }
}

async fn a_vietnamese_workbook_with_bad_rows_imports_only_its_good_rows_when_asked(db: Db) {
    let services = Services::new(db.clone());
    let sheet = read_xlsx(&cao_bang_xlsx(), None).unwrap();
    let preview = preview_of(&sheet);
    let bad: Vec<(usize, &str, &str)> = preview.bad.iter().map(|e| (e.line, e.column.as_str(), e.code)).collect();
    assert_eq!(bad, vec![(4, "Ngày phê duyệt", "error-date-format"), (6, "Giá trị cam kết", "error-amount-format")]);
    assert_eq!(preview.good.len(), 3);

    let before = footprint(&db).await;
    let refused = services.import_sheet(&officer(), &preview, &SheetImportOptions::default()).await.unwrap();
    assert_eq!(refused.outcome, SheetImportOutcome::Refused);
    assert_eq!((refused.rows_read, refused.imported, refused.skipped.len()), (5, 0, 2));
    assert_eq!(footprint(&db).await, before, "a refused sheet writes nothing");

    let dry = services
        .import_sheet(&officer(), &preview, &SheetImportOptions { dry_run: true, only_valid_rows: true })
        .await
        .unwrap();
    assert_eq!((dry.outcome, dry.rows.len()), (SheetImportOutcome::DryRun, 3));
    assert_eq!(footprint(&db).await, before, "a dry run writes nothing");

    let done = services.import_sheet(&officer(), &preview, &only_valid()).await.unwrap();
    assert_eq!(done.outcome, SheetImportOutcome::Imported);
    assert_eq!(done.imported, 3);
    assert_eq!(done.rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2, 3, 5]);
    assert_eq!(done.skipped.iter().map(|e| e.line).collect::<Vec<_>>(), vec![4, 6]);
    assert_eq!(done.donors_created, vec!["ChildFund Australia".to_owned(), "Plan International".to_owned()]);
    assert_eq!(committed_usd(&services).await, GOOD_COMMITTED_USD_MINOR);
    let flows = services.flows(done.rows[0].item).await.unwrap();
    assert_eq!(flows.len(), 2, "the first row has a commitment and a disbursement");
}

async fn a_semicolon_csv_with_a_bom_imports_the_same(db: Db) {
    let services = Services::new(db);
    let sheet = read_csv(&cao_bang_csv()).unwrap();
    let preview = preview_of(&sheet);
    assert_eq!(preview.bad_lines(), vec![4, 6]);
    let done = services.import_sheet(&officer(), &preview, &only_valid()).await.unwrap();
    assert_eq!((done.outcome, done.imported), (SheetImportOutcome::Imported, 3));
    assert_eq!(committed_usd(&services).await, GOOD_COMMITTED_USD_MINOR);
}

async fn rows_only_the_database_can_refuse_are_reported_by_line_and_column(db: Db) {
    let services = Services::new(db.clone());
    let header = "Mã dự án;Tên dự án;Loại hình;Nhà tài trợ;Quốc gia;Tỉnh;Số quyết định;Ngày phê duyệt;Cấp phê duyệt;Loại tiền;Giá trị cam kết";
    let text = format!(
        "{header}\nCB-09;A;dự án;Oxfam;GB;Cao Bằng;1/QĐ;01/01/2015;UBND tỉnh;USD;1.000\n\
         CB-09;B;dự án;Oxfam;GB;Cao Bằng;2/QĐ;01/01/2015;UBND tỉnh;USD;2.000\n\
         CB-10;C;dự án;New Donor;;Cao Bằng;3/QĐ;01/01/2015;UBND tỉnh;USD;4.000\n"
    );
    let preview = preview_of(&read_csv(text.as_bytes()).unwrap());
    assert!(preview.bad.is_empty(), "{:?}", preview.bad);
    let before = footprint(&db).await;
    let refused = services.import_sheet(&officer(), &preview, &SheetImportOptions::default()).await.unwrap();
    assert_eq!(refused.outcome, SheetImportOutcome::Refused);
    let skipped: Vec<(usize, &str)> = refused.skipped.iter().map(|e| (e.line, e.column.as_str())).collect();
    assert_eq!(skipped, vec![(3, "Mã dự án"), (4, "Quốc gia")]);
    assert_eq!(footprint(&db).await, before);

    let done = services.import_sheet(&officer(), &preview, &only_valid()).await.unwrap();
    assert_eq!((done.outcome, done.imported), (SheetImportOutcome::Imported, 1));
    assert_eq!(committed_usd(&services).await, 100_000);
}

async fn a_filled_template_imports_and_an_untouched_one_imports_nothing(db: Db) {
    let services = Services::new(db.clone());
    let sheet = read_xlsx(&template_xlsx(Lang::Vi).unwrap(), None).unwrap();
    let untouched = preview_of(&sheet);
    let nothing = services.import_sheet(&officer(), &untouched, &SheetImportOptions::default()).await.unwrap();
    assert_eq!((nothing.outcome, nothing.imported, nothing.left_out.len()), (SheetImportOutcome::Imported, 0, 1));

    let mut filled = sheet.clone();
    let note = filled.headers.iter().position(|h| h == "Ghi chú").unwrap();
    filled.rows[0].cells[note] = "Số liệu năm 2010".into();
    let done = services.import_sheet(&officer(), &preview_of(&filled), &SheetImportOptions::default()).await.unwrap();
    assert_eq!((done.outcome, done.imported), (SheetImportOutcome::Imported, 1));
    assert_eq!(committed_usd(&services).await, 144_170_000);

    let csv = String::from_utf8(template_csv(Lang::En)).unwrap().replace("[EXAMPLE] ", "");
    let csv = csv.replace("CB-2010-001", "CB-2010-002");
    let done = services
        .import_sheet(&officer(), &preview_of(&read_csv(csv.as_bytes()).unwrap()), &SheetImportOptions::default())
        .await
        .unwrap();
    assert_eq!((done.outcome, done.imported), (SheetImportOutcome::Imported, 1));
    assert!(done.donors_created.is_empty(), "the donor of the first import is found by name");
    assert_eq!(committed_usd(&services).await, 2 * 144_170_000);
}

on_both_backends!(
    a_vietnamese_workbook_with_bad_rows_imports_only_its_good_rows_when_asked,
    a_semicolon_csv_with_a_bom_imports_the_same,
    rows_only_the_database_can_refuse_are_reported_by_line_and_column,
    a_filled_template_imports_and_an_untouched_one_imports_nothing,
);
