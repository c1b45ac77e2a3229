//! A report result as JSON rows and as Vietnamese-style cell text: the one rendering the CLI (`vientro report
//! --format json`) and the JSON API (`GET /api/v1/reports`) share, so both give the same rows.
//!
//! JSON rows have exactly the keys asked for (dimension codes, then measures as plain numbers: money in major
//! units, rates in per cent). Nothing here computes a figure.

use rust_decimal::Decimal;
use vientro_domain::money::{CurrencyCode, format_number_vi};
use vientro_domain::report::{Cell, ReportResult};

/// The exact decimal value of a money cell in major units.
pub fn money_decimal(minor: i64, currency: &str) -> Decimal {
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
pub fn to_json(result: &ReportResult) -> serde_json::Value {
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
pub fn cell_vi(c: &Cell) -> String {
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
