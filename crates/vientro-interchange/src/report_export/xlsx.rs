//! The Excel layout: one sheet with the title, the scope in words, the table, the total row and the notes.

use chrono::FixedOffset;
use rust_decimal::Decimal;
use rust_xlsxwriter::{ColNum, Format, FormatAlign, FormatBorder, RowNum, Workbook, Worksheet, XlsxError};
use vientro_domain::money::format_number_vi;
use vientro_domain::report::{Cell, Measure, ReportResult, ReportRow};

use super::{
    ExportError, ExportMeta, Lang, currency_varies, dimension_label, measure_label, minor_digits, scope_lines,
    total_label, units,
};

/// Viet Nam time: UTC+7 all year (no daylight saving).
const VIET_NAM: FixedOffset = match FixedOffset::east_opt(7 * 3600) {
    Some(offset) => offset,
    // Evaluated at compile time: an out-of-range offset would fail the build, never a run.
    None => panic!("UTC+7 is a valid offset"),
};

/// Narrowest and widest column, in Excel character widths.
const MIN_WIDTH: usize = 8;
const MAX_WIDTH: usize = 50;
/// A heading wraps rather than widening its column beyond this.
const HEADING_WRAP: usize = 18;

/// One column of the table.
#[derive(Clone, Copy)]
enum Column {
    /// The code of dimension `i`, shown only when some code differs from its label.
    Code(usize),
    /// The label of dimension `i`; `None` for the one label column of a report without dimensions, which holds
    /// only the total row's label.
    Label(Option<usize>),
    /// Measure `j`.
    Measure(usize),
}

/// Writes `result` as an .xlsx workbook with one sheet, "Báo cáo" (Vietnamese) or "Report" (English).
///
/// From the top: the title (bold, merged across the table), the period or date and each filter in words, the
/// units, a blank row, the headings (bold, bordered, wrapped; the panes are frozen below them and they repeat on
/// every printed page), one row per result row, the total row, then the source note and the generation time
/// in Viet Nam time. Dimension codes and labels are text (a province code `04` keeps its zero); a code column
/// "Mã" precedes a dimension's label when some code differs from its label. Amounts, counts and percentages are
/// numbers with an Excel number format, so they can be summed and Excel shows them with the separators of the
/// reader's locale (`1.441.700,00` on a Vietnamese Windows).
///
/// Errors when an amount is in a currency outside the IATI codelist, when a row does not match the query's
/// dimensions and measures, or when the sheet exceeds Excel's limits.
pub fn to_xlsx(result: &ReportResult, meta: &ExportMeta) -> Result<Vec<u8>, ExportError> {
    let name = match meta.lang {
        Lang::Vi => "Báo cáo",
        Lang::En => "Report",
    };
    to_xlsx_sections(&[XlsxSection { sheet: name, title: &meta.title, result }], meta)
}

/// One table of a workbook of several: its sheet's name (characters Excel refuses in one are replaced, and it
/// is cut to the 31 characters Excel allows) and title.
#[derive(Debug, Clone, Copy)]
pub struct XlsxSection<'a> {
    /// The sheet's name.
    pub sheet: &'a str,
    /// The title on the sheet's first row.
    pub title: &'a str,
    /// The figures.
    pub result: &'a ReportResult,
}

/// Writes several results as one workbook, one sheet each, every sheet laid out as [`to_xlsx`] lays out its
/// one (`meta.title` is not used: each section has its own).
pub fn to_xlsx_sections(sections: &[XlsxSection<'_>], meta: &ExportMeta) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    for section in sections {
        write_sheet(&mut workbook, section, meta)?;
    }
    Ok(workbook.save_to_buffer()?)
}

/// A name Excel accepts for a sheet: none of `[ ] : * ? / \`, no apostrophe at either end, at most 31
/// characters.
fn sheet_name(wanted: &str) -> String {
    let cleaned: String =
        wanted.chars().map(|c| if matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\') { '-' } else { c }).collect();
    let short: String = cleaned.trim_matches('\'').chars().take(31).collect();
    let short = short.trim_end_matches('\'').trim_end().to_owned();
    if short.is_empty() { "-".to_owned() } else { short }
}

fn write_sheet(workbook: &mut Workbook, section: &XlsxSection<'_>, meta: &ExportMeta) -> Result<(), ExportError> {
    let result = section.result;
    check_shape(result)?;
    let lang = meta.lang;
    let query = &result.query;
    let columns = columns(result);
    let last_col = col_num(columns.len().saturating_sub(1))?;
    let key_columns = columns.iter().filter(|c| !matches!(c, Column::Measure(_))).count();

    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name(section.sheet))?;

    let title = Format::new().set_bold().set_font_size(14).set_align(FormatAlign::Center);
    if last_col == 0 {
        sheet.write_string_with_format(0, 0, section.title, &title)?;
    } else {
        sheet.merge_range(0, 0, 0, last_col, section.title, &title)?;
    }
    let mut row: RowNum = 1;
    let mut notes = scope_lines(query, lang);
    let units =
        units((0..query.measures.len()).flat_map(|j| {
            result.rows.iter().chain(std::iter::once(&result.total)).filter_map(move |r| r.values.get(j))
        }));
    if !units.is_empty() {
        let word = match lang {
            Lang::Vi => "Đơn vị tính",
            Lang::En => "Units",
        };
        notes.push(format!("{word}: {}", units.join("; ")));
    }
    for line in &notes {
        sheet.write_string(row, 0, line)?;
        row += 1;
    }
    row += 1;

    let mut widths = vec![MIN_WIDTH; columns.len()];
    let heading = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let header_row = row;
    for (c, column) in columns.iter().enumerate() {
        let text = match *column {
            Column::Code(_) => match lang {
                Lang::Vi => "Mã",
                Lang::En => "Code",
            },
            Column::Label(Some(i)) => query.by.get(i).map_or("", |d| dimension_label(*d, lang)),
            Column::Label(None) => "",
            Column::Measure(j) => query.measures.get(j).map_or("", |m| measure_label(*m, lang)),
        };
        sheet.write_string_with_format(header_row, col_num(c)?, text, &heading)?;
        widen(&mut widths, c, text.chars().count().min(HEADING_WRAP));
    }
    row += 1;

    for data in &result.rows {
        write_row(sheet, row, &columns, data, query.measures.as_slice(), false, &mut widths)?;
        row += 1;
    }

    write_row(sheet, row, &columns, &result.total, query.measures.as_slice(), true, &mut widths)?;
    let label = total_label(lang);
    let bold_text = text_format(true);
    if key_columns > 1 {
        sheet.merge_range(row, 0, row, col_num(key_columns - 1)?, label, &bold_text)?;
    } else {
        sheet.write_string_with_format(row, 0, label, &bold_text)?;
    }
    row += 2;

    if !meta.source_note.is_empty() {
        let word = match lang {
            Lang::Vi => "Nguồn",
            Lang::En => "Source",
        };
        sheet.write_string(row, 0, format!("{word}: {}", meta.source_note))?;
        row += 1;
    }
    let at = meta.generated_at.with_timezone(&VIET_NAM).format("%d/%m/%Y %H:%M");
    let generated = match lang {
        Lang::Vi => format!("Thời điểm lập: {at} (giờ Việt Nam, UTC+7)"),
        Lang::En => format!("Generated: {at} (Viet Nam time, UTC+7)"),
    };
    sheet.write_string(row, 0, generated)?;

    for (c, width) in widths.iter().enumerate() {
        // Widths are small integers (at most MAX_WIDTH + 2), so the conversion is exact.
        let width = u16::try_from((*width + 2).min(MAX_WIDTH + 2)).unwrap_or(u16::MAX);
        sheet.set_column_width(col_num(c)?, width)?;
    }
    sheet.set_freeze_panes(header_row + 1, 0)?;
    sheet.set_repeat_rows(header_row, header_row)?;
    // A4, landscape, as wide as one page: ready to print or attach to an official report.
    sheet.set_paper_size(9).set_landscape().set_print_fit_to_pages(1, 0);
    Ok(())
}

/// The table's columns: per dimension an optional code column and a label column, then the measures.
fn columns(result: &ReportResult) -> Vec<Column> {
    let mut columns = Vec::new();
    for i in 0..result.query.by.len() {
        let code_differs = result.rows.iter().any(|r| r.keys.get(i).is_some_and(|(code, label)| code != label));
        if code_differs {
            columns.push(Column::Code(i));
        }
        columns.push(Column::Label(Some(i)));
    }
    if columns.is_empty() {
        columns.push(Column::Label(None));
    }
    columns.extend((0..result.query.measures.len()).map(Column::Measure));
    columns
}

/// Refuses rows whose keys or values do not match the query, rather than shifting cells under the wrong heading.
fn check_shape(result: &ReportResult) -> Result<(), ExportError> {
    let dimensions = result.query.by.len();
    let measures = result.query.measures.len();
    let rows = result.rows.iter().map(|r| (r, dimensions)).chain(std::iter::once((&result.total, 0)));
    for (index, (row, expected_keys)) in rows.enumerate() {
        if row.keys.len() != expected_keys || row.values.len() != measures {
            return Err(ExportError::RowShape {
                row: index,
                keys: row.keys.len(),
                values: row.values.len(),
                dimensions: expected_keys,
                measures,
            });
        }
    }
    Ok(())
}

/// Writes one table row (bordered; bold for the total, whose key cells stay blank for its label).
fn write_row(
    sheet: &mut Worksheet,
    row: RowNum,
    columns: &[Column],
    data: &ReportRow,
    measures: &[Measure],
    bold: bool,
    widths: &mut [usize],
) -> Result<(), ExportError> {
    let text = text_format(bold);
    for (c, column) in columns.iter().enumerate() {
        let col = col_num(c)?;
        let key = |i: usize| data.keys.get(i);
        let written = match *column {
            Column::Code(i) => key(i).map(|(code, _)| code.as_str()),
            Column::Label(Some(i)) => key(i).map(|(_, label)| label.as_str()),
            Column::Label(None) => None,
            Column::Measure(j) => {
                let measure = measures.get(j).copied();
                let width = match data.values.get(j) {
                    Some(cell) => write_cell(sheet, row, col, cell, measure, bold)?,
                    None => {
                        sheet.write_blank(row, col, &blank_format(bold))?;
                        0
                    }
                };
                widen(widths, c, width);
                continue;
            }
        };
        match written {
            Some(value) => {
                sheet.write_string_with_format(row, col, value, &text)?;
                widen(widths, c, value.chars().count());
            }
            None => {
                sheet.write_blank(row, col, &text)?;
            }
        }
    }
    Ok(())
}

/// Writes one measure cell and returns how many characters it shows.
fn write_cell(
    sheet: &mut Worksheet,
    row: RowNum,
    col: ColNum,
    cell: &Cell,
    measure: Option<Measure>,
    bold: bool,
) -> Result<usize, ExportError> {
    // Numbers go to Excel as f64. Counts and minor units are exact up to 2^53; an amount is minor / 10^digits
    // divided once, so the cell holds the double nearest the exact decimal, which Excel (15 significant digits)
    // shows and re-reads as that decimal for any amount under 10^15 minor units — far beyond any aid figure.
    let shown = match cell {
        Cell::Empty => {
            sheet.write_blank(row, col, &blank_format(bold))?;
            0
        }
        Cell::Count(n) => {
            sheet.write_number_with_format(row, col, *n as f64, &number_format("#,##0", bold))?;
            format_number_vi(Decimal::from(*n), 0).chars().count()
        }
        Cell::Money { minor, currency } => {
            let digits = minor_digits(currency)?;
            let mut code = String::from("#,##0");
            if digits > 0 {
                code.push('.');
                code.extend(std::iter::repeat_n('0', digits as usize));
            }
            // An amount in "the recorded currency" may be in any currency, so the cell itself says which.
            let suffix = if measure.is_some_and(currency_varies) { format!(" {currency}") } else { String::new() };
            if !suffix.is_empty() {
                code.push_str(&format!("\"{suffix}\""));
            }
            let value = *minor as f64 / f64::from(10_u32.pow(digits));
            sheet.write_number_with_format(row, col, value, &number_format(&code, bold))?;
            format_number_vi(Decimal::new(*minor, digits), digits).chars().count() + suffix.chars().count()
        }
        Cell::Percent(hundredths) => {
            let value = *hundredths as f64 / 100.0;
            sheet.write_number_with_format(row, col, value, &number_format("0.00\" %\"", bold))?;
            format_number_vi(Decimal::new(*hundredths, 2), 2).chars().count() + 2
        }
        Cell::Text(text) => {
            sheet.write_string_with_format(row, col, text, &text_format(bold))?;
            text.chars().count()
        }
    };
    Ok(shown)
}

/// A bordered table cell holding text: stored as text (`@`) so codes such as `04` are never read as numbers,
/// and wrapped so long names (donors, communes) stay within the column.
fn text_format(bold: bool) -> Format {
    let format = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("@")
        .set_text_wrap()
        .set_align(FormatAlign::VerticalCenter);
    if bold { format.set_bold() } else { format }
}

/// A bordered, empty table cell (a rate with nothing committed, an unknown value).
fn blank_format(bold: bool) -> Format {
    let format = Format::new().set_border(FormatBorder::Thin);
    if bold { format.set_bold() } else { format }
}

/// A bordered table cell holding a number shown with `code`.
fn number_format(code: &str, bold: bool) -> Format {
    blank_format(bold).set_num_format(code).set_align(FormatAlign::VerticalCenter)
}

/// Makes column `c` at least `chars` wide, up to `MAX_WIDTH`.
fn widen(widths: &mut [usize], c: usize, chars: usize) {
    if let Some(width) = widths.get_mut(c) {
        *width = (*width).max(chars.min(MAX_WIDTH));
    }
}

/// A column index as the workbook writer numbers columns.
fn col_num(c: usize) -> Result<ColNum, ExportError> {
    ColNum::try_from(c).map_err(|_| ExportError::Xlsx(XlsxError::RowColumnLimitError))
}
