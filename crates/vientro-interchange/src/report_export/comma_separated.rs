//! The CSV layout: machine names in the header, plain decimals, a UTF-8 BOM for Excel.

use rust_decimal::Decimal;
use vientro_domain::report::{Cell, ReportResult, ReportRow};

use super::{Lang, currency_varies, minor_digits, total_label};

/// Marks the file as UTF-8 for Excel on Windows, which otherwise reads Vietnamese letters as a legacy code page.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Writes `result` as CSV (RFC 4180: comma, CRLF, quotes only when needed) in UTF-8 with a BOM.
///
/// The header has machine names: for each dimension `<dimension>_code` and `<dimension>` (its label), then
/// each measure's name, each `*_original` measure followed by `<measure>_currency`. A report without dimensions
/// starts with one unnamed column holding only the total row's label. Then one line per row, and a total line
/// whose first field is "Tổng cộng" (Vietnamese) or "Total" (English). Numbers are plain decimals with a `.` and
/// no thousands separator, exactly as the result holds them: amounts with their currency's ISO 4217 decimals
/// (`1441700.00` USD, `33000000000` VND), percentages with two (`88.33`), counts as integers; an empty cell is
/// an empty field.
///
/// Writing to memory cannot fail, so neither can this: an amount in a currency outside the IATI codelist
/// (which the engine never produces) is written with two decimals, the ISO default, and a row with fewer keys
/// or values than the query gets empty fields (use `to_xlsx` to have such results refused).
pub fn to_csv(result: &ReportResult, lang: Lang) -> Vec<u8> {
    let query = &result.query;
    let mut out = BOM.to_vec();
    let mut header: Vec<String> = Vec::new();
    for dimension in &query.by {
        header.push(format!("{}_code", dimension.name()));
        header.push(dimension.name().to_owned());
    }
    if query.by.is_empty() {
        header.push(String::new());
    }
    for measure in &query.measures {
        header.push(measure.name().to_owned());
        if currency_varies(*measure) {
            header.push(format!("{}_currency", measure.name()));
        }
    }
    write_record(&mut out, header.iter().map(String::as_str));

    for row in &result.rows {
        let mut fields: Vec<String> = Vec::with_capacity(header.len());
        for i in 0..query.by.len() {
            let (code, label) = row.keys.get(i).map_or(("", ""), |(c, l)| (c.as_str(), l.as_str()));
            fields.push(code.to_owned());
            fields.push(label.to_owned());
        }
        if query.by.is_empty() {
            fields.push(String::new());
        }
        push_values(&mut fields, result, row);
        write_record(&mut out, fields.iter().map(String::as_str));
    }

    let mut fields: Vec<String> = vec![total_label(lang).to_owned()];
    // The other key fields of the total line stay empty: the total is over every value the filters kept.
    fields.extend(std::iter::repeat_n(String::new(), (query.by.len() * 2).saturating_sub(1)));
    push_values(&mut fields, result, &result.total);
    write_record(&mut out, fields.iter().map(String::as_str));
    out
}

/// Appends the measure fields of `row` (and the currency after each `*_original` measure).
fn push_values(fields: &mut Vec<String>, result: &ReportResult, row: &ReportRow) {
    for (j, measure) in result.query.measures.iter().enumerate() {
        let cell = row.values.get(j).unwrap_or(&Cell::Empty);
        fields.push(plain(cell));
        if currency_varies(*measure) {
            fields.push(match cell {
                Cell::Money { currency, .. } => currency.clone(),
                _ => String::new(),
            });
        }
    }
}

/// A cell as a plain, exactly re-importable field.
fn plain(cell: &Cell) -> String {
    match cell {
        Cell::Empty => String::new(),
        Cell::Count(n) => n.to_string(),
        // Decimal keeps the scale it is given, so USD shows its two decimals even when they are zeros.
        Cell::Money { minor, currency } => Decimal::new(*minor, minor_digits(currency).unwrap_or(2)).to_string(),
        Cell::Percent(hundredths) => Decimal::new(*hundredths, 2).to_string(),
        Cell::Text(text) => text.clone(),
    }
}

/// Appends one CSV line.
// Written by hand rather than with `csv::Writer`: its results only report IO errors, which writing to memory
// cannot have, and this keeps `to_csv` infallible without discarding a `Result`.
fn write_record<'a>(out: &mut Vec<u8>, fields: impl Iterator<Item = &'a str>) {
    for (i, field) in fields.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        if field.contains([',', '"', '\r', '\n']) || field.starts_with(' ') || field.ends_with(' ') {
            out.push(b'"');
            out.extend_from_slice(field.replace('"', "\"\"").as_bytes());
            out.push(b'"');
        } else {
            out.extend_from_slice(field.as_bytes());
        }
    }
    out.extend_from_slice(b"\r\n");
}
