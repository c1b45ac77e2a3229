//! Excel and CSV import of aid items: read a sheet into rows of text, map its columns to fields (suggested
//! from the headers, saved as JSON for reuse), parse every row with Vietnamese number and date conventions,
//! and preview the good rows and every problem of the bad ones before anything is written; plus the
//! downloadable templates.
//!
//! This module owns files and cells. It must not touch a database: the services layer resolves donors and
//! writes the good rows in one transaction (`vientro_services::sheet_import`).

mod mapping;
mod number;
mod read;
mod rows;
mod template;

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

pub use crate::report_export::Lang;
pub use mapping::{ColumnMapping, Field, Mapping, MappingError, suggest_mapping};
pub use number::{
    AmountUnit, ParsedAmount, amount_from_excel, amount_unit_in_header, excel_number, fit_to_currency,
    normalise_currency, parse_amount_vi,
};
pub use read::{MAX_UNPACKED_BYTES, read_csv, read_xlsx};
pub use rows::{
    EXAMPLE_MARKERS, Preview, RowDefaults, RowError, RowPart, SheetAmount, SheetDonor, SheetItem, SkippedRow,
    normalise_approval_level, normalise_organisation_kind, normalise_status, parse_rows,
};
pub use template::{template_csv, template_xlsx};

/// One data row of a sheet, as text.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRow {
    /// The row number the officer sees: the Excel row, or the CSV line where the record starts.
    pub line: usize,
    /// Each cell as text (Excel dates as `YYYY-MM-DD`, numbers as the decimal Excel shows).
    pub cells: Vec<String>,
    /// For an Excel numeric cell, its number (`None` for text, and always for CSV); same length as `cells`.
    pub numbers: Vec<Option<f64>>,
}

impl RawRow {
    /// The text of cell `i` (empty past the end of the row).
    pub fn cell(&self, i: usize) -> &str {
        self.cells.get(i).map_or("", String::as_str)
    }

    /// The number of cell `i`, when it is an Excel numeric cell.
    pub fn number(&self, i: usize) -> Option<f64> {
        self.numbers.get(i).copied().flatten()
    }
}

/// A sheet read into its header row and data rows (blank rows dropped).
#[derive(Debug, Clone, PartialEq)]
pub struct RawSheet {
    /// The worksheet's name (workbooks only).
    pub sheet_name: Option<String>,
    /// The row number of the header row.
    pub header_line: usize,
    /// The headers as written (runs of whitespace, such as line breaks, made single spaces).
    pub headers: Vec<String>,
    /// The data rows below the header.
    pub rows: Vec<RawRow>,
}

/// Why a file could not be read as a sheet at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    /// CSV bytes that are not UTF-8.
    #[error(
        "line {line}, character {column} is not UTF-8 text; save the file as \"CSV UTF-8\" (Excel: Save As → CSV UTF-8)"
    )]
    NotUtf8 {
        /// Line of the first bad byte.
        line: usize,
        /// Character position of the first bad byte in that line.
        column: usize,
    },
    /// A CSV saved as UTF-16 ("Unicode text").
    #[error("the file is UTF-16 (\"Unicode text\"); save it as \"CSV UTF-8\" instead")]
    Utf16,
    /// The CSV reader stopped.
    #[error("line {line}: {message}")]
    Csv {
        /// Line where it stopped.
        line: usize,
        /// The reader's message.
        message: String,
    },
    /// A workbook that unpacks to more than [`MAX_UNPACKED_BYTES`] (a "zip bomb", or a list far larger
    /// than any province keeps).
    #[error(
        "the workbook unpacks to more than {limit_mb} MB (a list of thousands of rows unpacks to a few MB); it is damaged or built to exhaust the server: split it into smaller files or save it as CSV"
    )]
    TooLarge {
        /// The limit, in MB.
        limit_mb: u64,
    },
    /// Not a workbook, or a damaged one.
    #[error("the file cannot be read as an Excel workbook: {0}")]
    Workbook(String),
    /// The named worksheet does not exist.
    #[error("the workbook has no sheet \"{wanted}\"; its sheets are: {}", .available.join(", "))]
    NoSuchSheet {
        /// The name asked for.
        wanted: String,
        /// The sheets it has.
        available: Vec<String>,
    },
    /// Nothing that looks like a header row.
    #[error("the sheet is empty: no header row was found")]
    NoHeader,
}

/// A value to write with [`write_xlsx`].
#[derive(Debug, Clone, PartialEq)]
pub enum SheetCell {
    /// Nothing.
    Empty,
    /// Text, kept as text (a code `02176` keeps its zero).
    Text(String),
    /// A number.
    Number(f64),
    /// A date, shown `dd/mm/yyyy`.
    Date(NaiveDate),
}

/// Writes rows (the first one being the headers) as a one-sheet workbook: for returning the bad rows to an
/// officer to correct, and for building sheets in tests.
pub fn write_xlsx(sheet_name: &str, rows: &[Vec<SheetCell>]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name)?;
    let date = Format::new().set_num_format("dd/mm/yyyy");
    for (r, cells) in rows.iter().enumerate() {
        let r = u32::try_from(r).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, cell) in cells.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
            match cell {
                SheetCell::Empty => {}
                SheetCell::Text(t) => {
                    sheet.write_string(r, c, t)?;
                }
                SheetCell::Number(n) => {
                    sheet.write_number(r, c, *n)?;
                }
                SheetCell::Date(d) => {
                    sheet.write_datetime_with_format(r, c, d, &date)?;
                }
            }
        }
    }
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests;
