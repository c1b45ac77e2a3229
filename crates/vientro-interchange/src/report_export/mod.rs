//! Report exports: lays a computed `ReportResult` out as an Excel workbook an officer can paste into an official
//! report, or as a UTF-8 CSV that re-imports exactly.
//!
//! This module owns the layout only: titles, headings in Vietnamese or English, number formats, column widths,
//! the total row and the notes under the table. It must not touch a database and must not compute, round or
//! re-add a figure: every number written is one the report engine put in the result it is given (the total row
//! included, which is not the sum of the rows for distinct counts).

mod comma_separated;
mod json_rows;
mod xlsx;

use chrono::{DateTime, Utc};
use vientro_domain::date::format_date_vi;
use vientro_domain::money::CurrencyCode;
use vientro_domain::report::{Cell, Dimension, Filter, Measure, ReportQuery};

pub use comma_separated::to_csv;
pub use json_rows::{cell_vi, money_decimal, to_json};
pub use xlsx::{XlsxSection, to_xlsx, to_xlsx_sections};

/// The language of headings, notes and the total row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Vietnamese (the language of official reports).
    Vi,
    /// English.
    En,
}

/// What an export says about itself besides the figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportMeta {
    /// The title on the first row, e.g. "Viện trợ PCPNN tại tỉnh Cao Bằng, 2016–2021".
    pub title: String,
    /// When the report was computed; written in Viet Nam time (UTC+7).
    pub generated_at: DateTime<Utc>,
    /// Where the figures come from, e.g. "vientro — dữ liệu minh họa" for illustrative data; omitted when empty.
    pub source_note: String,
    /// Language of headings and notes.
    pub lang: Lang,
}

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The workbook writer refused (e.g. a sheet larger than Excel allows).
    #[error("the Excel workbook could not be written: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    /// An amount is in a currency that is not in the IATI Currency codelist, so its decimals are unknown.
    #[error("the report holds an amount in `{currency}`, which is not a currency code of the IATI codelist")]
    UnknownCurrency {
        /// The code as found in the result.
        currency: String,
    },
    /// A row does not have one key per dimension and one value per measure of the query.
    #[error("report row {row} has {keys} keys and {values} values; the query asks for {dimensions} and {measures}")]
    RowShape {
        /// Index of the row in `rows` (`rows.len()` for the total row).
        row: usize,
        /// Keys found.
        keys: usize,
        /// Values found.
        values: usize,
        /// Dimensions in the query.
        dimensions: usize,
        /// Measures in the query.
        measures: usize,
    },
}

/// The heading of a dimension column.
fn dimension_label(dimension: Dimension, lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => dimension.label_vi(),
        Lang::En => dimension.label_en(),
    }
}

/// The heading of a measure column.
fn measure_label(measure: Measure, lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => measure.label_vi(),
        Lang::En => measure.label_en(),
    }
}

/// The first cell of the total row.
fn total_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => "Tổng cộng",
        Lang::En => "Total",
    }
}

/// Whether a measure's amounts may be in any currency, so each cell must say which.
fn currency_varies(measure: Measure) -> bool {
    matches!(measure, Measure::CommittedOriginal | Measure::DisbursedOriginal)
}

/// The ISO 4217 number of decimals of a currency found in a result.
fn minor_digits(currency: &str) -> Result<u32, ExportError> {
    CurrencyCode::parse(currency)
        .map(CurrencyCode::minor_digits)
        .map_err(|_| ExportError::UnknownCurrency { currency: currency.to_owned() })
}

/// A date as the language writes it: `31/12/2021` in Vietnamese, ISO `2021-12-31` in English (unambiguous for
/// readers used to month-first dates).
fn format_date(date: chrono::NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Vi => format_date_vi(date),
        Lang::En => date.format("%Y-%m-%d").to_string(),
    }
}

/// The lines above the table that say in words what the figures cover: the period or date, then each filter.
fn scope_lines(query: &ReportQuery, lang: Lang) -> Vec<String> {
    let mut lines = Vec::new();
    let (period_word, as_of_word) = match lang {
        Lang::Vi => ("Kỳ báo cáo", "Tính đến ngày"),
        Lang::En => ("Period", "As of"),
    };
    if let Some(date) = query.as_of {
        lines.push(format!("{as_of_word}: {}", format_date(date, lang)));
    }
    let period = match (query.period.from, query.period.to, lang) {
        (Some(from), Some(to), _) => Some(format!("{} – {}", format_date(from, lang), format_date(to, lang))),
        (Some(from), None, Lang::Vi) => Some(format!("từ {}", format_date(from, lang))),
        (Some(from), None, Lang::En) => Some(format!("from {}", format_date(from, lang))),
        (None, Some(to), Lang::Vi) => Some(format!("đến {}", format_date(to, lang))),
        (None, Some(to), Lang::En) => Some(format!("until {}", format_date(to, lang))),
        // Without a period a flow report covers all time (ADR 0003); a stock report is dated by as_of instead.
        (None, None, Lang::Vi) if query.as_of.is_none() => Some("toàn bộ thời gian".to_owned()),
        (None, None, Lang::En) if query.as_of.is_none() => Some("all dates".to_owned()),
        (None, None, _) => None,
    };
    if let Some(period) = period {
        lines.push(format!("{period_word}: {period}"));
    }
    lines.extend(query.filters.iter().map(|filter| filter_line(filter, lang)));
    lines
}

/// "Lọc: Tỉnh, thành phố = 04" (several values joined by "hoặc").
fn filter_line(filter: &Filter, lang: Lang) -> String {
    let (word, or) = match lang {
        Lang::Vi => ("Lọc", " hoặc "),
        Lang::En => ("Filter", " or "),
    };
    format!("{word}: {} = {}", dimension_label(filter.dimension, lang), filter.values.join(or))
}

/// The units of the measure columns, in column order, each once: currencies of the amounts and `%`.
fn units<'a>(cells: impl Iterator<Item = &'a Cell>) -> Vec<String> {
    let mut units: Vec<String> = Vec::new();
    for cell in cells {
        let unit = match cell {
            Cell::Money { currency, .. } => currency.as_str(),
            Cell::Percent(_) => "%",
            Cell::Empty | Cell::Count(_) | Cell::Text(_) => continue,
        };
        if !units.iter().any(|u| u == unit) {
            units.push(unit.to_owned());
        }
    }
    units
}
