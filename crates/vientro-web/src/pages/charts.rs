//! Charts with their tables: a report result turned into the JSON a chart reads (`assets/app.js`), the
//! same figures as a table, and the export links of the query behind them.
//!
//! Every chart on a page is built here, so every chart has its table and its export. This module must not
//! compute figures: it lays out what the report engine returned.

use vientro_domain::report::{Cell, ReportResult};
use vientro_interchange::report_export::{cell_vi, money_decimal};

use crate::i18n::{Lang, Tr};

/// A chart, its table and its exports.
#[derive(Debug, Clone)]
pub(crate) struct ChartBox {
    /// Element id of the JSON block.
    pub id: String,
    /// Heading.
    pub title: String,
    /// `bars`, `hbars`, `pie` or `map`.
    pub kind: &'static str,
    /// The chart data, escaped for a `<script type="application/json">` block.
    pub json: String,
    /// Table headings, with whether the column is numeric.
    pub headers: Vec<TableCell>,
    /// Table rows.
    pub rows: Vec<Vec<TableCell>>,
    /// Query string of the report behind the chart (for CSV and Excel exports).
    pub export_query: String,
    /// Extra line under the chart.
    pub note: Option<String>,
}

/// A table cell: its text and whether it is a number (right-aligned).
pub(crate) type TableCell = (String, bool);

/// JSON safe inside a script element: `<`, `>` and `&` escaped as JSON unicode escapes.
pub(crate) fn script_json(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c").replace('>', "\\u003e").replace('&', "\\u0026")
}

/// A cell as a number for a chart (money in major units; rates in per cent).
pub(crate) fn cell_number(c: &Cell) -> f64 {
    match c {
        Cell::Count(n) => *n as f64,
        Cell::Money { minor, currency } => money_decimal(*minor, currency).to_string().parse().unwrap_or(0.0),
        Cell::Percent(h) => *h as f64 / 100.0,
        Cell::Empty | Cell::Text(_) => 0.0,
    }
}

/// A cell as text in the reader's number style.
pub(crate) fn cell_text(tr: &Tr, c: &Cell) -> String {
    let vi = cell_vi(c);
    match tr.lang {
        Lang::Vi => vi,
        Lang::En => vi
            .chars()
            .map(|ch| match ch {
                '.' => ',',
                ',' => '.',
                other => other,
            })
            .collect(),
    }
}

/// A measure's name in the reader's language.
pub(crate) fn measure_name(tr: &Tr, m: vientro_domain::report::Measure) -> String {
    match tr.lang {
        Lang::Vi => m.label_vi().to_owned(),
        Lang::En => m.label_en().to_owned(),
    }
}

/// A dimension's name in the reader's language.
pub(crate) fn dimension_name(tr: &Tr, d: vientro_domain::report::Dimension) -> String {
    match tr.lang {
        Lang::Vi => d.label_vi().to_owned(),
        Lang::En => d.label_en().to_owned(),
    }
}

/// The table of a result: dimension labels, then measures.
pub(crate) fn table(tr: &Tr, result: &ReportResult) -> (Vec<TableCell>, Vec<Vec<TableCell>>) {
    let headers = result
        .query
        .by
        .iter()
        .map(|d| (dimension_name(tr, *d), false))
        .chain(result.query.measures.iter().map(|m| (measure_name(tr, *m), true)))
        .collect();
    let rows = result
        .rows
        .iter()
        .chain(std::iter::once(&result.total))
        .map(|row| {
            // The total row has no dimension values: it gets "Tổng cộng" under the first dimension.
            let keys: Vec<(String, bool)> = if row.keys.is_empty() {
                (0..result.query.by.len())
                    .map(|i| (if i == 0 { tr.t("total") } else { String::new() }, false))
                    .collect()
            } else {
                row.keys.iter().map(|(_, label)| (label.clone(), false)).collect()
            };
            keys.into_iter().chain(row.values.iter().map(|v| (cell_text(tr, v), true))).collect()
        })
        .collect();
    (headers, rows)
}

/// Bars of every measure over the first dimension's values (at most `limit` rows, largest first when
/// `largest_first`).
pub(crate) fn bars(
    tr: &Tr,
    id: &str,
    title: String,
    kind: &'static str,
    result: &ReportResult,
    export_query: String,
    limit: usize,
) -> ChartBox {
    let rows: Vec<_> = result.rows.iter().take(limit).collect();
    let categories: Vec<String> =
        rows.iter().map(|r| r.keys.first().map(|(_, l)| l.clone()).unwrap_or_default()).collect();
    let series: Vec<serde_json::Value> = result
        .query
        .measures
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let values: Vec<f64> = rows.iter().map(|r| r.values.get(i).map_or(0.0, cell_number)).collect();
            serde_json::json!({ "name": measure_name(tr, *m), "values": values })
        })
        .collect();
    let data = serde_json::json!({ "categories": categories, "series": series, "unit": "USD" });
    let (headers, rows) = table(tr, result);
    ChartBox { id: id.to_owned(), title, kind, json: script_json(&data), headers, rows, export_query, note: None }
}

/// Sorts a one-measure result's rows by that measure, largest first.
pub(crate) fn largest_first(result: &mut ReportResult) {
    result.rows.sort_by(|a, b| {
        let (x, y) = (a.values.first().map_or(0.0, cell_number), b.values.first().map_or(0.0, cell_number));
        y.partial_cmp(&x).unwrap_or(std::cmp::Ordering::Equal)
    });
}
