//! Report exports read back: the workbook with calamine, the CSV with the csv crate.

#![allow(clippy::unwrap_used)]

use std::io::Cursor;
use std::str::FromStr;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::{NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;
use vientro_domain::report::{Cell, Dimension, Filter, Measure, Period, ReportQuery, ReportResult, ReportRow};
use vientro_interchange::report_export::{ExportError, ExportMeta, Lang, to_csv, to_xlsx};

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn usd(minor: i64) -> Cell {
    Cell::Money { minor, currency: "USD".into() }
}

fn vnd(minor: i64) -> Cell {
    Cell::Money { minor, currency: "VND".into() }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Three provinces, by province, with USD, VND, a rate and a count; the total adds the money exactly.
fn by_province() -> ReportResult {
    let row = |code: &str, label: &str, c_usd: i64, c_vnd: i64, rate: Cell, items: i64| ReportRow {
        keys: vec![(code.into(), label.into())],
        values: vec![usd(c_usd), vnd(c_vnd), rate, Cell::Count(items)],
    };
    ReportResult {
        query: ReportQuery {
            measures: vec![Measure::CommittedUsd, Measure::CommittedVnd, Measure::DisbursementRate, Measure::Items],
            by: vec![Dimension::Province],
            filters: vec![Filter { dimension: Dimension::Province, values: vec!["04".into()] }],
            period: Period { from: Some(date(2016, 1, 1)), to: Some(date(2021, 12, 31)) },
            as_of: None,
        },
        rows: vec![
            row("04", "Tỉnh Cao Bằng", 144_170_000, 33_000_000_000, Cell::Percent(8833), 28),
            row("08", "Tỉnh Tuyên Quang", 12_345, 2_915_000, Cell::Percent(10_000), 1),
            row("01", "Thành phố Hà Nội", 98_765_401, 1_250_000_001, Cell::Empty, 7),
        ],
        total: ReportRow {
            keys: vec![],
            values: vec![
                usd(144_170_000 + 12_345 + 98_765_401),
                vnd(33_000_000_000 + 2_915_000 + 1_250_000_001),
                Cell::Percent(9012),
                Cell::Count(35),
            ],
        },
    }
}

fn meta(lang: Lang) -> ExportMeta {
    ExportMeta {
        title: "Viện trợ PCPNN theo tỉnh, 2016–2021".into(),
        generated_at: Utc.with_ymd_and_hms(2026, 11, 27, 7, 5, 0).unwrap(),
        source_note: "vientro — dữ liệu minh họa".into(),
        lang,
    }
}

/// The only sheet of a workbook, as rows of cells, and its name.
fn read_sheet(bytes: Vec<u8>) -> (String, Vec<Vec<Data>>) {
    let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let names = workbook.sheet_names();
    assert_eq!(names.len(), 1);
    let range = workbook.worksheet_range(&names[0]).unwrap();
    assert_eq!(range.start(), Some((0, 0)));
    (names[0].clone(), range.rows().map(<[Data]>::to_vec).collect())
}

fn text(cell: &Data) -> &str {
    match cell {
        Data::String(s) => s,
        other => panic!("expected text, found {other:?}"),
    }
}

/// A numeric cell, exactly as the decimal Excel shows and re-reads (the shortest form of the double).
fn number(cell: &Data) -> Decimal {
    match cell {
        Data::Float(f) => Decimal::from_str(&f.to_string()).unwrap(),
        Data::Int(i) => Decimal::from(*i),
        other => panic!("expected a number, found {other:?}"),
    }
}

fn exact(cell: &Cell) -> Decimal {
    match cell {
        Cell::Money { minor, currency } => Decimal::new(*minor, if currency == "VND" { 0 } else { 2 }),
        Cell::Count(n) => Decimal::from(*n),
        Cell::Percent(p) => Decimal::new(*p, 2),
        other => panic!("not a number: {other:?}"),
    }
}

fn row_index(rows: &[Vec<Data>], first: &str) -> usize {
    rows.iter().position(|r| matches!(r.first(), Some(Data::String(s)) if s == first)).unwrap()
}

#[test]
fn an_xlsx_export_read_back_has_the_title_header_rows_and_an_exact_total_with_codes_kept_as_text() {
    let result = by_province();
    let (name, rows) = read_sheet(to_xlsx(&result, &meta(Lang::Vi)).unwrap());
    assert_eq!(name, "Báo cáo");
    assert_eq!(text(&rows[0][0]), "Viện trợ PCPNN theo tỉnh, 2016–2021");
    let lines: Vec<&str> = rows[1..4].iter().map(|r| text(&r[0])).collect();
    assert_eq!(lines, ["Kỳ báo cáo: 01/01/2016 – 31/12/2021", "Lọc: Tỉnh, thành phố = 04", "Đơn vị tính: USD; VND; %"]);

    let header = row_index(&rows, "Mã");
    let headings: Vec<&str> = rows[header].iter().map(text).collect();
    assert_eq!(
        headings,
        [
            "Mã",
            "Tỉnh, thành phố",
            "Giá trị cam kết (USD)",
            "Giá trị cam kết (VND)",
            "Tỷ lệ giải ngân (%)",
            "Số chương trình, dự án, phi dự án"
        ]
    );
    for (offset, expected) in result.rows.iter().enumerate() {
        let got = &rows[header + 1 + offset];
        assert_eq!(got[0], Data::String(expected.keys[0].0.clone()), "the code stays text with its zero");
        assert_eq!(text(&got[1]), expected.keys[0].1);
        for (j, cell) in expected.values.iter().enumerate() {
            match cell {
                Cell::Empty => assert_eq!(got[2 + j], Data::Empty),
                cell => assert_eq!(number(&got[2 + j]), exact(cell), "row {offset} measure {j}"),
            }
        }
    }
    let total = &rows[header + 1 + result.rows.len()];
    assert_eq!(text(&total[0]), "Tổng cộng");
    for (j, cell) in result.total.values.iter().enumerate() {
        assert_eq!(number(&total[2 + j]), exact(cell), "total measure {j}");
    }
    assert_eq!(number(&total[2]), Decimal::from_str("2429477.46").unwrap());
    assert_eq!(number(&total[3]), Decimal::from(34_252_915_001_i64));

    let notes: Vec<&str> = rows[header + 2 + result.rows.len()..]
        .iter()
        .filter_map(|r| match r.first() {
            Some(Data::String(s)) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        notes,
        ["Nguồn: vientro — dữ liệu minh họa", "Thời điểm lập: 27/11/2026 14:05 (giờ Việt Nam, UTC+7)"],
        "generation time in Viet Nam time"
    );
}

#[test]
fn the_csv_starts_with_the_bom_has_the_header_and_rows_and_its_money_columns_sum_to_the_total_row() {
    let result = by_province();
    let bytes = to_csv(&result, Lang::Vi);
    assert!(bytes.starts_with(BOM));
    let mut reader = csv::Reader::from_reader(&bytes[BOM.len()..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header, ["province_code", "province", "committed_usd", "committed_vnd", "disbursement_rate", "items"]);
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 4);
    assert_eq!(
        &records[0].iter().collect::<Vec<_>>(),
        &["04", "Tỉnh Cao Bằng", "1441700.00", "33000000000", "88.33", "28"]
    );
    assert_eq!(&records[2][4], "", "an empty rate is an empty field");
    let total = &records[3];
    assert_eq!(&total[0], "Tổng cộng");
    assert_eq!(&total[1], "");
    for column in [2, 3] {
        let sum: Decimal = records[..3].iter().map(|r| Decimal::from_str(&r[column]).unwrap()).sum();
        assert_eq!(Decimal::from_str(&total[column]).unwrap(), sum, "column {column}");
    }
    assert_eq!(&total[2], "2429477.46");
    assert_eq!(&total[3], "34252915001");
}

#[test]
fn a_vietnamese_title_and_labels_survive_the_round_trip() {
    let result = by_province();
    let (_, rows) = read_sheet(to_xlsx(&result, &meta(Lang::Vi)).unwrap());
    let all: Vec<&str> =
        rows.iter().flatten().filter_map(|c| if let Data::String(s) = c { Some(s.as_str()) } else { None }).collect();
    for expected in
        ["Viện trợ PCPNN theo tỉnh, 2016–2021", "Tỉnh Cao Bằng", "Giá trị cam kết (USD)", "Thành phố Hà Nội"]
    {
        assert!(all.contains(&expected), "{expected} is in the workbook");
    }
    let csv = String::from_utf8(to_csv(&result, Lang::Vi)).unwrap();
    assert!(csv.contains("Tỉnh Cao Bằng") && csv.contains("Tỉnh Tuyên Quang") && csv.contains("Tổng cộng"));
}

#[test]
fn an_english_export_names_the_sheet_report_and_its_total_row_total() {
    let result = by_province();
    let (name, rows) = read_sheet(to_xlsx(&result, &meta(Lang::En)).unwrap());
    assert_eq!(name, "Report");
    assert_eq!(text(&rows[1][0]), "Period: 2016-01-01 – 2021-12-31");
    let header = row_index(&rows, "Code");
    assert_eq!(text(&rows[header][2]), "Committed (USD)");
    assert_eq!(text(&rows[header + 4][0]), "Total");
    let csv = String::from_utf8(to_csv(&result, Lang::En)).unwrap();
    assert!(csv.lines().last().unwrap().starts_with("Total,,2429477.46,"));
}

#[test]
fn a_dimension_whose_codes_are_its_labels_gets_no_code_column_and_stock_reports_say_their_date() {
    let result = ReportResult {
        query: ReportQuery {
            measures: vec![Measure::CommittedOriginal],
            by: vec![Dimension::Kind],
            filters: vec![Filter { dimension: Dimension::Province, values: vec!["04".into(), "06".into()] }],
            period: Period { from: None, to: None },
            as_of: Some(date(2021, 12, 31)),
        },
        rows: vec![ReportRow {
            keys: vec![("project".into(), "project".into())],
            values: vec![Cell::Money { minor: 1_234_567, currency: "EUR".into() }],
        }],
        total: ReportRow { keys: vec![], values: vec![Cell::Money { minor: 1_234_567, currency: "EUR".into() }] },
    };
    let (_, rows) = read_sheet(to_xlsx(&result, &meta(Lang::Vi)).unwrap());
    let lines: Vec<&str> = rows[1..4].iter().map(|r| text(&r[0])).collect();
    assert_eq!(lines, ["Tính đến ngày: 31/12/2021", "Lọc: Tỉnh, thành phố = 04 hoặc 06", "Đơn vị tính: EUR"]);
    let header = row_index(&rows, "Hình thức");
    assert_eq!(text(&rows[header][1]), "Giá trị cam kết (nguyên tệ)");
    assert_eq!(number(&rows[header + 1][1]), Decimal::from_str("12345.67").unwrap());
    let csv = String::from_utf8(to_csv(&result, Lang::Vi)).unwrap();
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines,
        [
            "kind_code,kind,committed_original,committed_original_currency",
            "project,project,12345.67,EUR",
            "Tổng cộng,,12345.67,EUR"
        ]
    );
}

#[test]
fn an_amount_in_an_unknown_currency_or_a_row_of_the_wrong_shape_is_refused_by_the_xlsx_export() {
    let mut result = by_province();
    result.rows[1].values[0] = Cell::Money { minor: 1, currency: "ZZZ".into() };
    assert!(
        matches!(to_xlsx(&result, &meta(Lang::Vi)), Err(ExportError::UnknownCurrency { currency }) if currency == "ZZZ")
    );
    let mut result = by_province();
    result.rows[2].values.pop();
    assert!(matches!(to_xlsx(&result, &meta(Lang::Vi)), Err(ExportError::RowShape { row: 2, values: 3, .. })));
}

#[test]
fn a_report_without_dimensions_still_labels_its_total() {
    let mut result = by_province();
    result.query.by.clear();
    result.rows.clear();
    let (_, rows) = read_sheet(to_xlsx(&result, &meta(Lang::Vi)).unwrap());
    let total = row_index(&rows, "Tổng cộng");
    assert_eq!(number(&rows[total][1]), Decimal::from_str("2429477.46").unwrap());
    let csv = String::from_utf8(to_csv(&result, Lang::Vi)).unwrap();
    assert!(csv.ends_with("Tổng cộng,2429477.46,34252915001,90.12,35\r\n"));
}

fn money_rows() -> impl Strategy<Value = Vec<(i64, &'static str)>> {
    let currency = prop::sample::select(vec!["USD", "VND", "KWD", "CLF", "JPY", "EUR"]);
    prop::collection::vec((-(1_i64 << 53)..(1_i64 << 53), currency), 1..20)
}

fn result_of(amounts: &[(i64, &'static str)]) -> ReportResult {
    ReportResult {
        query: ReportQuery {
            measures: vec![Measure::DisbursedOriginal],
            by: vec![Dimension::Donor],
            filters: vec![],
            period: Period { from: None, to: None },
            as_of: None,
        },
        rows: amounts
            .iter()
            .enumerate()
            .map(|(i, (minor, currency))| ReportRow {
                keys: vec![(format!("XM-DAC-{i}"), format!("Tổ chức \"số\" {i}, Việt Nam"))],
                values: vec![Cell::Money { minor: *minor, currency: (*currency).into() }],
            })
            .collect(),
        total: ReportRow { keys: vec![], values: vec![Cell::Empty] },
    }
}

fn digits(currency: &str) -> u32 {
    vientro_domain::money::CurrencyCode::parse(currency).unwrap().minor_digits()
}

proptest! {
    #[test]
    fn csv_money_values_parse_back_to_exactly_minor_units_over_ten_to_the_digits(amounts in money_rows()) {
        let bytes = to_csv(&result_of(&amounts), Lang::Vi);
        let mut reader = csv::Reader::from_reader(&bytes[BOM.len()..]);
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        prop_assert_eq!(records.len(), amounts.len() + 1);
        for (record, (minor, currency)) in records.iter().zip(&amounts) {
            let parsed = Decimal::from_str(&record[2]).unwrap();
            prop_assert_eq!(parsed, Decimal::new(*minor, digits(currency)));
            prop_assert_eq!(parsed.scale(), digits(currency));
            prop_assert_eq!(&record[3], *currency);
        }
    }

    #[test]
    fn xlsx_money_cells_read_back_as_exactly_minor_units_over_ten_to_the_digits(
        amounts in prop::collection::vec((-999_999_999_999_999_i64..=999_999_999_999_999, prop::sample::select(vec!["USD", "VND", "KWD"])), 1..10)
    ) {
        let (_, rows) = read_sheet(to_xlsx(&result_of(&amounts), &meta(Lang::Vi)).unwrap());
        let header = row_index(&rows, "Mã");
        for (offset, (minor, currency)) in amounts.iter().enumerate() {
            prop_assert_eq!(number(&rows[header + 1 + offset][2]), Decimal::new(*minor, digits(currency)));
        }
    }
}
