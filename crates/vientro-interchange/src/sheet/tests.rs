//! Sheets end to end without a database: read, map, parse, preview.

#![allow(clippy::unwrap_used)]

use std::io::Cursor;

use calamine::{Reader, open_workbook_auto_from_rs};
use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;

fn csv_sheet(text: &str) -> RawSheet {
    read_csv(text.as_bytes()).unwrap()
}

fn preview(sheet: &RawSheet) -> Preview {
    parse_rows(sheet, &suggest_mapping(&sheet.headers), &RowDefaults::default()).unwrap()
}

fn problems(p: &Preview) -> Vec<(usize, &str, &str)> {
    p.bad.iter().map(|e| (e.line, e.column.as_str(), e.code)).collect()
}

const HEADER: &str = "STT;Tên dự án;Loại hình;Nhà tài trợ;Quốc gia;Tỉnh;Huyện;Xã;Lĩnh vực;Số quyết định;Ngày phê duyệt;Cấp phê duyệt;Loại tiền;Giá trị cam kết;Giá trị giải ngân;Ngày giải ngân";

#[test]
fn a_vietnamese_sheet_previews_its_good_rows_and_names_each_bad_cell() {
    let text = format!(
        "{HEADER}\n\
         1;Lớp học hoà nhập;dự án;ChildFund Australia;Úc;Cao Bằng;Bảo Lâm;Lý Bôn;Giáo dục và đào tạo;1971/QĐ-UBND;15/10/2010;UBND tỉnh;USD;1.441.700;1.273.388;30/06/2011\n\
         2;Nước sạch;dự án;Plan International;GB;Cao Bằng;;;Y tế;12/QĐ-UBND;31/02/2011;UBND tỉnh;USD;12,5 nghìn;;\n\
         3;Cầu dân sinh;phi dự án;;;Cao Bằng;;;;15/QĐ-UBND;01/03/2012;UBND tỉnh;USD;abc;;\n"
    );
    let p = preview(&csv_sheet(&text));
    assert_eq!(p.rows_read, 3);
    assert_eq!(p.good.len(), 1);
    let good = &p.good[0];
    assert_eq!(good.line, 2);
    assert_eq!(good.item.status.as_deref(), Some("approved"), "a row with a decision is approved");
    assert_eq!(good.item.approval_level.as_deref(), Some("province"));
    assert_eq!(good.donor.name, "ChildFund Australia");
    let committed = good.committed.as_ref().unwrap();
    assert_eq!(
        (committed.amount.as_str(), committed.currency.as_str(), committed.date.as_str()),
        ("1441700", "USD", "15/10/2010")
    );
    assert_eq!(good.disbursed.as_ref().unwrap().amount, "1273388");
    assert_eq!(
        problems(&p),
        vec![
            (3, "Ngày phê duyệt", "error-date-format"),
            (4, "Nhà tài trợ", "error-required"),
            (4, "Giá trị cam kết", "error-amount-format"),
        ]
    );
    assert_eq!(p.bad_lines(), vec![3, 4]);
    assert_eq!(
        p.bad[0].to_string(),
        "line 3, column \"Ngày phê duyệt\": '31/02/2011' is not a date; write 2021-06-30 or 30/06/2021"
    );
}

#[test]
fn amounts_before_approval_and_unknown_units_are_refused_with_their_column() {
    let text = "Tên dự án,Loại hình,Nhà tài trợ,Quốc gia,Tỉnh,Xã,Loại tiền,Giá trị cam kết,Ngày cam kết,Trạng thái\n\
                A,dự án,X,US,Cao Bằng,Không Có,USD,100,01/01/2020,đang lập hồ sơ\n\
                B,dự án,X,Narnia,Cao Bằng,,ZZZ,100,01/01/2020,\n";
    let p = preview(&csv_sheet(text));
    assert!(p.good.is_empty());
    assert_eq!(
        problems(&p),
        vec![
            (2, "Xã", "error-commune-unknown"),
            (2, "Giá trị cam kết", "error-flow-before-approval"),
            (3, "Quốc gia", "error-country-unknown"),
            (3, "Loại tiền", "error-currency-unknown"),
        ]
    );
}

#[test]
fn a_header_unit_and_scale_words_give_exact_vnd_amounts() {
    let text = "Tên dự án;Loại hình;Nhà tài trợ;Tỉnh;Trạng thái;Số QĐ;Ngày QĐ;Cấp phê duyệt;Vốn cam kết (triệu đồng)\n\
                A;dự án;X;Cao Bằng;Đang triển khai;1/QĐ;01/02/2015;Thủ tướng Chính phủ;1.250,5\n\
                B;dự án;X;Cao Bằng;implementing;2/QĐ;01/02/2015;central_ministry;53,9 tỷ đồng\n";
    let p = preview(&csv_sheet(text));
    assert!(p.bad.is_empty(), "{:?}", p.bad);
    let amounts: Vec<(&str, &str)> = p
        .good
        .iter()
        .map(|g| g.committed.as_ref().map(|c| (c.amount.as_str(), c.currency.as_str())).unwrap())
        .collect();
    assert_eq!(amounts, vec![("1250500000", "VND"), ("53900000000", "VND")]);
    assert_eq!(p.good[0].item.status.as_deref(), Some("implementing"));
    assert_eq!(p.good[0].item.approval_level.as_deref(), Some("prime_minister"));
    assert_eq!(p.good[0].committed.as_ref().unwrap().date, "01/02/2015", "the decision date is the commitment's");
}

#[test]
fn total_rows_and_column_number_rows_are_left_out_and_listed() {
    let text =
        "STT;Tên dự án;Loại hình;Nhà tài trợ;Giá trị cam kết\n(1);(2);(3);(4);(5)\n1;A;dự án;X;\nTổng cộng;;;;1.000\n";
    let p = preview(&csv_sheet(text));
    assert_eq!(p.good.len(), 1);
    let skipped: Vec<(usize, &str)> = p.skipped.iter().map(|s| (s.line, s.reason.as_str())).collect();
    assert_eq!(skipped, vec![(2, "a row of column numbers"), (4, "a total row")]);
}

#[test]
fn a_sheet_without_a_title_column_is_refused_before_any_row() {
    let sheet = csv_sheet("Nhà tài trợ,Giá trị\nX,1\n");
    let e = parse_rows(&sheet, &suggest_mapping(&sheet.headers), &RowDefaults::default()).unwrap_err();
    assert_eq!(e, MappingError::MissingColumns(vec![Field::Title]));
}

#[test]
fn defaults_fill_empty_fields() {
    let sheet = csv_sheet("Tên dự án,Nhà tài trợ,Giá trị cam kết,Ngày cam kết\nA,X,\"1.441.700\",2021-01-01\n");
    let defaults = RowDefaults {
        kind: Some("project".into()),
        status: Some("implementing".into()),
        currency: Some("VNĐ".into()),
        province: Some("Cao Bằng".into()),
        approval_level: Some("province".into()),
        ..RowDefaults::default()
    };
    let mut sheet_with_decision = sheet.clone();
    sheet_with_decision.headers.push("Số quyết định".into());
    sheet_with_decision.headers.push("Ngày phê duyệt".into());
    sheet_with_decision.rows[0].cells.extend(["5/QĐ".to_owned(), "2020-12-01".to_owned()]);
    sheet_with_decision.rows[0].numbers.extend([None, None]);
    let p = parse_rows(&sheet_with_decision, &suggest_mapping(&sheet_with_decision.headers), &defaults).unwrap();
    assert!(p.bad.is_empty(), "{:?}", p.bad);
    let g = &p.good[0];
    assert_eq!(g.committed.as_ref().unwrap().currency, "VND");
    assert_eq!(g.item.locations[0].province, "Cao Bằng");
}

#[test]
fn excel_numbers_and_dates_are_read_as_amounts_and_dates() {
    let t = |s: &str| SheetCell::Text(s.to_owned());
    let rows = vec![
        vec![
            t("Tên dự án"),
            t("Loại hình"),
            t("Nhà tài trợ"),
            t("Tỉnh"),
            t("Số quyết định"),
            t("Ngày phê duyệt"),
            t("Cấp phê duyệt"),
            t("Giá trị cam kết (USD)"),
        ],
        vec![
            t("A"),
            t("dự án"),
            t("X"),
            t("Cao Bằng"),
            SheetCell::Number(1971.0),
            SheetCell::Date(NaiveDate::from_ymd_opt(2010, 10, 15).unwrap()),
            t("UBND tỉnh"),
            SheetCell::Number(1_441_700.505),
        ],
    ];
    let bytes = write_xlsx("Dữ liệu", &rows).unwrap();
    let sheet = read_xlsx(&bytes, Some("du lieu")).unwrap();
    assert_eq!(sheet.rows[0].line, 2);
    assert_eq!(sheet.rows[0].cells[4], "1971");
    assert_eq!(sheet.rows[0].cells[5], "2010-10-15");
    let p = preview(&sheet);
    assert!(p.bad.is_empty(), "{:?}", p.bad);
    let c = p.good[0].committed.as_ref().unwrap();
    assert_eq!((c.amount.as_str(), c.currency.as_str(), c.date.as_str()), ("1441700.51", "USD", "2010-10-15"));
    let e = read_xlsx(&bytes, Some("Sheet9")).unwrap_err();
    assert_eq!(e.to_string(), "the workbook has no sheet \"Sheet9\"; its sheets are: Dữ liệu");
}

#[test]
fn an_untouched_template_imports_nothing_and_a_filled_one_is_good() {
    for lang in [Lang::Vi, Lang::En] {
        let csv = template_csv(lang);
        assert!(csv.starts_with(b"\xEF\xBB\xBF"));
        let p = preview(&read_csv(&csv).unwrap());
        assert_eq!((p.good.len(), p.bad.len(), p.skipped.len()), (0, 0, 1), "{lang:?}: {:?}", p.bad);
        let filled = String::from_utf8(csv).unwrap().replace("[VÍ DỤ] ", "").replace("[EXAMPLE] ", "");
        let p = preview(&read_csv(filled.as_bytes()).unwrap());
        assert!(p.bad.is_empty(), "{lang:?}: {:?}", p.bad);
        assert_eq!(p.good.len(), 1, "{lang:?}");
        assert_eq!(p.good[0].committed.as_ref().unwrap().amount, "1441700");

        let xlsx = template_xlsx(lang).unwrap();
        let sheet = read_xlsx(&xlsx, None).unwrap();
        let p = preview(&sheet);
        assert_eq!((p.good.len(), p.bad.len(), p.skipped.len()), (0, 0, 1), "{lang:?}: {:?}", p.bad);
        let mut filled = sheet.clone();
        let note = filled.headers.len() - 1;
        filled.rows[0].cells[note] = "Thật".into();
        let p = preview(&filled);
        assert!(p.bad.is_empty(), "{lang:?}: {:?}", p.bad);
        assert_eq!(p.good[0].disbursed.as_ref().unwrap().amount, "1273388");
        assert_eq!(p.good[0].disbursed.as_ref().unwrap().date, "2011-06-30");
    }
}

#[test]
fn the_template_workbook_explains_every_column_on_a_second_sheet() {
    for (lang, name, kind_values) in
        [(Lang::Vi, "Hướng dẫn", "chương trình; dự án"), (Lang::En, "Instructions", "programme; project")]
    {
        let mut workbook = open_workbook_auto_from_rs(Cursor::new(template_xlsx(lang).unwrap())).unwrap();
        assert_eq!(workbook.sheet_names().len(), 2);
        let range = workbook.worksheet_range(name).unwrap();
        let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(|c| c.to_string()).collect()).collect();
        assert_eq!(rows.len(), Field::ALL.len() + 1);
        let kind = rows.iter().find(|r| r[0] == Field::Kind.header(lang)).unwrap();
        assert!(kind[2].starts_with(kind_values), "{kind:?}");
        assert!(rows.iter().any(|r| r[0] == Field::Status.header(lang)
            && r[2].contains(if lang == Lang::Vi { "đang triển khai" } else { "implementing" })));
    }
}

proptest! {
    #[test]
    fn any_cells_give_a_preview_without_panicking(
        cells in proptest::collection::vec(proptest::collection::vec("\\PC{0,12}", 0..8), 0..6),
    ) {
        let headers: Vec<String> = ["Tên dự án", "Nhà tài trợ", "Loại hình", "Giá trị cam kết", "Ngày cam kết", "Tỉnh", "Loại tiền", "Trạng thái"]
            .iter().map(|h| (*h).to_owned()).collect();
        let rows = cells.into_iter().enumerate().map(|(i, c)| RawRow { line: i + 2, numbers: vec![None; c.len()], cells: c }).collect();
        let sheet = RawSheet { sheet_name: None, header_line: 1, headers, rows };
        let p = parse_rows(&sheet, &suggest_mapping(&sheet.headers), &RowDefaults::default()).unwrap();
        prop_assert!(p.good.len() + p.bad_lines().len() + p.skipped.len() == p.rows_read);
    }
}

/// A zip archive of one part holding `size` bytes of one repeated row: it compresses about a thousandfold.
fn zip_of_one_part(size: usize) -> Vec<u8> {
    use std::io::Write;
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    writer.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    let row = b"<row><c t=\"inlineStr\"><is><t>x</t></is></c></row>";
    for _ in 0..size / row.len() + 1 {
        writer.write_all(row).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

#[test]
fn a_workbook_that_unpacks_past_the_limit_is_refused_before_any_cell_is_read() {
    let bomb = zip_of_one_part(3 * 1024 * 1024);
    assert!(bomb.len() < 64 * 1024, "a small upload: {} bytes", bomb.len());
    let refused = read::check_unpacked_size(&bomb, 2 * 1024 * 1024).unwrap_err();
    assert!(matches!(refused, SheetError::TooLarge { limit_mb: 2 }), "{refused}");
    assert!(refused.to_string().contains("more than 2 MB"), "{refused}");
    assert!(read::check_unpacked_size(&bomb, 4 * 1024 * 1024).is_ok(), "under the limit it goes on to the reader");
    let template = template_xlsx(Lang::Vi).unwrap();
    assert!(read_xlsx(&template, None).is_ok(), "a real workbook is far under the real limit");
}

#[test]
fn a_csv_holding_a_nul_is_refused_with_its_line() {
    let refused = read_csv(b"STT;T\xc3\xaan d\xe1\xbb\xb1 \xc3\xa1n\n1;Tr\x00\xc6\xb0\xe1\xbb\x9dng\n").unwrap_err();
    assert!(matches!(refused, SheetError::Csv { line: 2, .. }), "{refused}");
    assert!(refused.to_string().contains("NUL"), "{refused}");
}
