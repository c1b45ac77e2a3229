//! Calendar dates as officers write them: ISO `2021-06-30` and Vietnamese `30/06/2021` (or `30-6-2021`).
//!
//! Only parsing and formatting live here; which date a rule uses is decided by the rule's own module.

use chrono::NaiveDate;

use crate::error::ValidationError;

/// Parses `YYYY-MM-DD`, `DD/MM/YYYY`, `D/M/YYYY` or `DD-MM-YYYY`; `field` names the input in the error.
pub fn parse_date(field: &str, text: &str) -> Result<NaiveDate, ValidationError> {
    let t = text.trim();
    let bad = || {
        ValidationError::new(field, "error-date-format", format!("'{t}' is not a date; write 2021-06-30 or 30/06/2021"))
    };
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Ok(d);
    }
    let parts: Vec<&str> = t.split(['/', '-', '.']).collect();
    if let [d, m, y] = parts.as_slice()
        && y.len() == 4
        && let (Ok(d), Ok(m), Ok(y)) = (d.parse::<u32>(), m.parse::<u32>(), y.parse::<i32>())
    {
        return NaiveDate::from_ymd_opt(y, m, d).ok_or_else(bad);
    }
    Err(bad())
}

/// Formats a date the Vietnamese way: `30/06/2021`.
pub fn format_date_vi(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn iso_and_vietnamese_dates_are_both_understood() {
        let d = NaiveDate::from_ymd_opt(2010, 10, 15).unwrap();
        assert_eq!(parse_date("d", "2010-10-15").unwrap(), d);
        assert_eq!(parse_date("d", "15/10/2010").unwrap(), d);
        assert_eq!(parse_date("d", "15-10-2010").unwrap(), d);
        assert_eq!(format_date_vi(d), "15/10/2010");
    }

    #[test]
    fn an_impossible_date_names_its_field() {
        let e = parse_date("start_date", "31/02/2021").unwrap_err();
        assert_eq!(e.field, "start_date");
        assert_eq!(e.code, "error-date-format");
    }
}
