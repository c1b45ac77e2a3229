//! Text and JSON renderings of a report result for the command line.
//!
//! JSON rows have exactly the keys asked for (dimension codes, then measures as plain numbers: money in
//! major units, rates in per cent); the table is for people, in Vietnamese number style. Nothing here
//! computes a figure.

use rust_decimal::Decimal;
use vientro_domain::money::{CurrencyCode, format_number_vi};
use vientro_domain::report::{Cell, ReportResult, ReportRow};

/// The exact decimal value of a money cell in major units.
pub(crate) fn money_decimal(minor: i64, currency: &str) -> Decimal {
    let digits = CurrencyCode::parse(currency).map(CurrencyCode::minor_digits).unwrap_or(2);
    Decimal::new(minor, digits)
}

fn json_value(c: &Cell) -> serde_json::Value {
    match c {
        Cell::Empty => serde_json::Value::Null,
        Cell::Count(n) => serde_json::json!(n),
        Cell::Money { minor, currency } => decimal_json(money_decimal(*minor, currency)),
        Cell::Percent(h) => decimal_json(Decimal::new(*h, 2)),
        Cell::Text(t) => serde_json::json!(t),
    }
}

// A JSON number whose text is the exact decimal (f64 prints the shortest text that reads back to it).
fn decimal_json(d: Decimal) -> serde_json::Value {
    d.to_string()
        .parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map(serde_json::Value::Number)
        .unwrap_or(serde_json::Value::Null)
}

/// The JSON array of row objects, keyed by the dimension and measure names asked for.
pub(crate) fn to_json(result: &ReportResult) -> serde_json::Value {
    let rows: Vec<serde_json::Value> = result
        .rows
        .iter()
        .map(|row| {
            let mut obj = serde_json::Map::new();
            for (d, (code, _)) in result.query.by.iter().zip(&row.keys) {
                obj.insert(
                    d.name().to_owned(),
                    if code.is_empty() { serde_json::Value::Null } else { serde_json::json!(code) },
                );
            }
            for (m, v) in result.query.measures.iter().zip(&row.values) {
                obj.insert(m.name().to_owned(), json_value(v));
            }
            serde_json::Value::Object(obj)
        })
        .collect();
    serde_json::Value::Array(rows)
}

/// A cell in Vietnamese style: `1.441.700 USD`, `88,33 %`, `08`.
pub(crate) fn cell_vi(c: &Cell) -> String {
    match c {
        Cell::Empty => "–".to_owned(),
        Cell::Count(n) => format_number_vi(Decimal::from(*n), 0),
        Cell::Money { minor, currency } => {
            let d = money_decimal(*minor, currency);
            let digits = if d.fract().is_zero() { 0 } else { d.scale() };
            format!("{} {currency}", format_number_vi(d, digits))
        }
        Cell::Percent(h) => format!("{} %", format_number_vi(Decimal::new(*h, 2), 2)),
        Cell::Text(t) => t.clone(),
    }
}

fn row_cells(row: &ReportRow) -> Vec<String> {
    row.keys.iter().map(|(_, label)| label.clone()).chain(row.values.iter().map(cell_vi)).collect()
}

/// An aligned text table with a header and a total row.
pub(crate) fn to_table(result: &ReportResult, english: bool) -> String {
    let mut header: Vec<String> =
        result.query.by.iter().map(|d| if english { d.label_en() } else { d.label_vi() }.to_owned()).collect();
    header.extend(result.query.measures.iter().map(|m| if english { m.label_en() } else { m.label_vi() }.to_owned()));
    let mut lines: Vec<Vec<String>> = vec![header];
    lines.extend(result.rows.iter().map(row_cells));
    let mut total = vec![String::new(); result.query.by.len()];
    if let Some(first) = total.first_mut() {
        *first = if english { "Total" } else { "Tổng cộng" }.to_owned();
    }
    total.extend(result.total.values.iter().map(cell_vi));
    if result.query.by.is_empty() {
        total.insert(0, if english { "Total" } else { "Tổng cộng" }.to_owned());
        lines[0].insert(0, String::new());
    }
    lines.push(total);
    let cols = lines.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| lines.iter().filter_map(|l| l.get(c)).map(|s| s.chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate() {
        let text: Vec<String> = l
            .iter()
            .enumerate()
            .map(|(c, s)| {
                let pad = widths[c].saturating_sub(s.chars().count());
                // Numbers right-aligned, labels left-aligned.
                if c >= result.query.by.len().max(1) || (result.query.by.is_empty() && c > 0) {
                    format!("{}{s}", " ".repeat(pad))
                } else {
                    format!("{s}{}", " ".repeat(pad))
                }
            })
            .collect();
        out.push_str(text.join("  ").trim_end());
        out.push('\n');
        if i == 0 {
            out.push_str(&widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("  "));
            out.push('\n');
        }
    }
    out
}
