//! Text and JSON renderings of a report result for the command line.
//!
//! JSON rows have exactly the keys asked for (dimension codes, then measures as plain numbers: money in
//! major units, rates in per cent); the table is for people, in Vietnamese number style. Nothing here
//! computes a figure.

use vientro_domain::report::{ReportResult, ReportRow};
pub(crate) use vientro_interchange::report_export::{cell_vi, to_json};

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
