//! Reading a sheet into rows of text: Excel workbooks with calamine, CSV with the csv crate.
//!
//! This module owns finding the header row and numbering every row as the officer sees it (the Excel row
//! number, the CSV line). It must not interpret any cell beyond turning it into text (and keeping Excel's
//! number beside it), and must never panic, whatever the bytes.

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};

use calamine::{Data, Reader, open_workbook_auto_from_rs};
use vientro_domain::text;

use super::{RawRow, RawSheet, SheetError};

/// How many non-empty rows at the top may hold a title above the header row.
const HEADER_SEARCH_ROWS: usize = 20;

/// Reads the first sheet of a workbook, or the one named `sheet` (compared diacritic-insensitively).
///
/// Excel (`.xlsx`, `.xlsm`, `.xls`, `.xlsb`) and OpenDocument (`.ods`) are recognised by their content. Dates
/// become `YYYY-MM-DD`; numbers become the decimal Excel shows (15 significant digits) and are also kept as
/// numbers ([`RawRow::numbers`]); error cells become their Excel text (`#N/A`).
pub fn read_xlsx(bytes: &[u8], sheet: Option<&str>) -> Result<RawSheet, SheetError> {
    check_unpacked_size(bytes, MAX_UNPACKED_BYTES)?;
    // calamine parses untrusted archives; a panic inside it must become an error for this file, not a crash.
    let owned = bytes.to_vec();
    let wanted = sheet.map(str::to_owned);
    catch_unwind(AssertUnwindSafe(move || read_workbook(owned, wanted.as_deref())))
        .unwrap_or_else(|_| Err(SheetError::Workbook("the workbook is damaged".into())))
}

/// The most a workbook's parts may unpack to, together. A province's list of thousands of rows unpacks to a few
/// MB; an archive that unpacks past this is refused before a cell is read, so no upload can make the reader
/// hold gigabytes.
pub const MAX_UNPACKED_BYTES: u64 = 128 * 1024 * 1024;

/// Refuses a zip-based workbook (xlsx, ods) that unpacks to more than `limit` bytes. The sizes an
/// archive declares can lie, so the parts are actually inflated (into nothing) and counted, stopping at the
/// limit. Anything that is not a readable zip archive is left for the workbook reader to judge.
pub(super) fn check_unpacked_size(bytes: &[u8], limit: u64) -> Result<(), SheetError> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return Ok(());
    }
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else { return Ok(()) };
    let mut total: u64 = 0;
    let mut buffer = vec![0u8; 64 * 1024];
    for index in 0..archive.len() {
        let Ok(mut part) = archive.by_index(index) else { continue };
        loop {
            match std::io::Read::read(&mut part, &mut buffer) {
                Ok(0) | Err(_) => break,
                Ok(n) => total = total.saturating_add(n as u64),
            }
            if total > limit {
                return Err(SheetError::TooLarge { limit_mb: limit / (1024 * 1024) });
            }
        }
    }
    Ok(())
}

fn read_workbook(bytes: Vec<u8>, sheet: Option<&str>) -> Result<RawSheet, SheetError> {
    let mut workbook =
        open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| SheetError::Workbook(e.to_string()))?;
    let names = workbook.sheet_names();
    let name = match sheet {
        Some(wanted) => names
            .iter()
            .find(|n| text::fold(n) == text::fold(wanted))
            .cloned()
            .ok_or_else(|| SheetError::NoSuchSheet { wanted: wanted.to_owned(), available: names.clone() })?,
        None => names.first().cloned().ok_or(SheetError::NoHeader)?,
    };
    let range = workbook.worksheet_range(&name).map_err(|e| SheetError::Workbook(e.to_string()))?;
    let (first_row, _) = range.start().unwrap_or((0, 0));
    let mut rows = Vec::new();
    for (i, cells) in range.rows().enumerate() {
        let line = usize::try_from(first_row).unwrap_or(0).saturating_add(i).saturating_add(1);
        let mut texts = Vec::with_capacity(cells.len());
        let mut numbers = Vec::with_capacity(cells.len());
        for cell in cells {
            let (t, n) = cell_text(cell);
            texts.push(t);
            numbers.push(n);
        }
        rows.push(RawRow { line, cells: texts, numbers });
    }
    split_header(Some(name), rows)
}

/// The text of one cell and, for a numeric cell, its number.
fn cell_text(cell: &Data) -> (String, Option<f64>) {
    match cell {
        Data::Empty => (String::new(), None),
        // XML cannot carry a NUL, but a damaged workbook can; no database column can hold one.
        Data::String(s) => (s.replace('\0', ""), None),
        // Excel stores every number as a double, so an integer cell is already one.
        Data::Int(i) => (i.to_string(), Some(*i as f64)),
        Data::Float(f) => (float_text(*f), Some(*f)),
        Data::Bool(b) => ((if *b { "TRUE" } else { "FALSE" }).to_owned(), None),
        Data::DateTime(dt) => {
            let serial = dt.as_f64();
            // `as_datetime` adds milliseconds to 1899-12-30; keep to Excel's own range (years 1900–9999).
            if dt.is_datetime() && serial.is_finite() && (0.0..2_958_466.0).contains(&serial) {
                match dt.as_datetime() {
                    Some(d) => (d.date().format("%Y-%m-%d").to_string(), None),
                    None => (float_text(serial), Some(serial)),
                }
            } else {
                (float_text(serial), Some(serial))
            }
        }
        Data::DateTimeIso(s) => (s.split('T').next().unwrap_or(s).to_owned(), None),
        Data::DurationIso(s) => (s.clone(), None),
        Data::Error(e) => (format!("{e}"), None),
    }
}

/// A float as the plain decimal Excel would show (15 significant digits, no exponent).
fn float_text(f: f64) -> String {
    match super::number::excel_number(f) {
        Ok(d) => d.to_string(),
        Err(_) => f.to_string(),
    }
}

/// Reads CSV text: UTF-8 with or without a byte-order mark, the separator (`,`, `;` or tab) detected from
/// the header line. Text that is not UTF-8 is refused with the line where it stops being UTF-8.
pub fn read_csv(bytes: &[u8]) -> Result<RawSheet, SheetError> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(SheetError::Utf16);
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(body) {
        let valid = std::str::from_utf8(body.get(..e.valid_up_to()).unwrap_or_default()).unwrap_or_default();
        let line = valid.matches('\n').count() + 1;
        let column = valid.chars().rev().take_while(|&c| c != '\n').count() + 1;
        return Err(SheetError::NotUtf8 { line, column });
    }
    // A NUL is not text: it means a binary file or a damaged one, and no database column can hold it.
    if let Some(at) = body.iter().position(|&b| b == 0) {
        let line = body[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        let message = "holds a NUL character, so this is not a CSV text file; save the list as \"CSV UTF-8\"".into();
        return Err(SheetError::Csv { line, message });
    }
    let separator = detect_separator(body);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(separator).from_reader(body);
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| SheetError::Csv {
            line: e.position().map_or(0, |p| usize::try_from(p.line()).unwrap_or(usize::MAX)),
            message: e.to_string(),
        })?;
        // csv's own line count skips blank lines, and a record's position is where the blank lines before it
        // start, so count the newlines before its first byte that is not a line break.
        let start = record.position().map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        let blank = body.get(start..).unwrap_or_default().iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        let before = body.get(..start.saturating_add(blank)).unwrap_or(body);
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let cells: Vec<String> = record.iter().map(str::to_owned).collect();
        let numbers = vec![None; cells.len()];
        rows.push(RawRow { line, cells, numbers });
    }
    split_header(None, rows)
}

/// The separator used most often outside quotes on the first non-empty line; `,` on a tie.
fn detect_separator(body: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    let mut seen_text = false;
    for &b in body {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted && seen_text => break,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
        if !b.is_ascii_whitespace() {
            seen_text = true;
        }
    }
    let candidates = [b',', b';', b'\t'];
    let mut best = 0;
    for i in 1..3 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    candidates[best]
}

/// Drops blank rows and splits off the header: the first of the top rows with at least two filled cells and
/// at least 60 % as many as the widest top row (so a title row or a "Đơn vị: USD" line above is skipped).
fn split_header(name: Option<String>, rows: Vec<RawRow>) -> Result<RawSheet, SheetError> {
    let mut rows: Vec<RawRow> = rows.into_iter().filter(|r| r.cells.iter().any(|c| !c.trim().is_empty())).collect();
    let filled = |r: &RawRow| r.cells.iter().filter(|c| !c.trim().is_empty()).count();
    let widest = rows.iter().take(HEADER_SEARCH_ROWS).map(filled).max().ok_or(SheetError::NoHeader)?;
    let header_index = rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .position(|r| {
            let n = filled(r);
            (n >= 2 || widest < 2) && n * 10 >= widest * 6
        })
        .ok_or(SheetError::NoHeader)?;
    let data = rows.split_off(header_index + 1);
    let header = rows.pop().ok_or(SheetError::NoHeader)?;
    let headers = header.cells.iter().map(|h| h.split_whitespace().collect::<Vec<_>>().join(" ")).collect();
    Ok(RawSheet { sheet_name: name, header_line: header.line, headers, rows: data })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_csv_with_a_bom_and_semicolons_is_read_with_its_line_numbers() {
        let text = "\u{feff}Tên dự án;Giá trị cam kết\n\"Lớp học; hoà nhập\";1.441.700\n\n\"Nước sạch\";\"53,9 tỷ\"\n";
        let sheet = read_csv(text.as_bytes()).unwrap();
        assert_eq!(sheet.headers, vec!["Tên dự án", "Giá trị cam kết"]);
        assert_eq!(sheet.header_line, 1);
        assert_eq!(sheet.rows.len(), 2);
        assert_eq!((sheet.rows[0].line, sheet.rows[0].cells[0].as_str()), (2, "Lớp học; hoà nhập"));
        assert_eq!((sheet.rows[1].line, sheet.rows[1].cells[1].as_str()), (4, "53,9 tỷ"));
    }

    #[test]
    fn a_csv_with_commas_and_a_title_line_finds_its_header() {
        let text = "DANH MỤC DỰ ÁN\nMã,Tên dự án,Nhà tài trợ\nCB-1,Lớp học,ChildFund\n";
        let sheet = read_csv(text.as_bytes()).unwrap();
        assert_eq!(sheet.headers, vec!["Mã", "Tên dự án", "Nhà tài trợ"]);
        assert_eq!((sheet.header_line, sheet.rows[0].line), (2, 3));
    }

    #[test]
    fn a_csv_that_is_not_utf8_names_the_line() {
        let mut bytes = "Tên dự án,Tỉnh\nLớp học,Cao Bằng\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"N\xe6\xefc s\xb8ch,Cao B\xbbng\n");
        let e = read_csv(&bytes).unwrap_err();
        assert!(matches!(e, SheetError::NotUtf8 { line: 3, column: 2 }), "{e:?}");
        assert!(e.to_string().contains("line 3"), "{e}");
        assert!(matches!(read_csv(&[0xFF, 0xFE, b'a', 0]).unwrap_err(), SheetError::Utf16));
    }

    #[test]
    fn an_empty_file_has_no_header() {
        assert!(matches!(read_csv(b"").unwrap_err(), SheetError::NoHeader));
        assert!(matches!(read_csv(b"\n\n ; \n").unwrap_err(), SheetError::NoHeader));
    }

    #[test]
    fn bytes_that_are_not_a_workbook_are_an_error_not_a_panic() {
        assert!(matches!(read_xlsx(b"not a workbook", None).unwrap_err(), SheetError::Workbook(_)));
        assert!(matches!(read_xlsx(b"PK\x03\x04garbage", None).unwrap_err(), SheetError::Workbook(_)));
    }

    proptest! {
        #[test]
        fn any_bytes_read_as_csv_give_rows_or_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = read_csv(&bytes);
        }

        #[test]
        fn any_text_read_as_csv_keeps_every_line_number_increasing(s in "[a-c,;\"\n ]{0,200}") {
            if let Ok(sheet) = read_csv(s.as_bytes()) {
                let lines: Vec<usize> = sheet.rows.iter().map(|r| r.line).collect();
                prop_assert!(lines.windows(2).all(|w| w[0] < w[1]));
                prop_assert!(lines.iter().all(|&l| l > sheet.header_line));
            }
        }

        #[test]
        fn any_bytes_read_as_a_workbook_give_rows_or_an_error(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = read_xlsx(&bytes, None);
        }
    }
}
