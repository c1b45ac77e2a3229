//! Reading attribute and text values: decimals, dates, and the 1.0x codes that 2.0x renamed.

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// An exact decimal: `1000.50`, `-100`, `+7`, `1e6`, `2.5E-3`. Thousands separators, spaces inside, `NaN` and
/// numbers beyond 28 significant digits are refused rather than guessed.
pub(super) fn parse_decimal(text: &str) -> Option<Decimal> {
    let s = text.trim();
    // rust_decimal's parser also takes `_` separators; IATI (xsd:decimal) does not, so check the alphabet first.
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E')) {
        return None;
    }
    if !s.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    if s.contains(['e', 'E']) {
        // from_scientific does not take a leading `+` on the mantissa.
        let unsigned = s.strip_prefix('+').unwrap_or(s);
        if unsigned.starts_with(['+', '-']) && s.starts_with('+') {
            return None;
        }
        Decimal::from_scientific(unsigned).ok().map(|d| d.normalize())
    } else {
        Decimal::from_str_exact(s).ok()
    }
}

/// An `iso-date` (`YYYY-MM-DD`); a time or time zone after the date (`2012-05-01T00:00:00`, `2012-05-01Z`) is
/// ignored.
pub(super) fn parse_date(text: &str) -> Option<NaiveDate> {
    let s = text.trim();
    let date = match s.get(..10) {
        Some(head) if s.len() > 10 && s[10..].starts_with(['T', 't', ' ', 'Z', 'z', '+', '-']) => head,
        _ => s,
    };
    if date.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

/// An ISO 4217-shaped currency code: three capital letters. Whether the code exists is the importer's question.
pub(super) fn is_currency_shaped(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// TransactionType code from a 2.0x number or a 1.0x letter code; `None` when neither.
pub(super) fn transaction_type(code: &str) -> Option<&'static str> {
    Some(match code.trim().to_ascii_uppercase().as_str() {
        "1" | "IF" => "1",
        "2" | "C" => "2",
        "3" | "D" => "3",
        "4" | "E" => "4",
        "5" | "IR" => "5",
        "6" | "LR" => "6",
        "7" | "R" => "7",
        "8" | "QP" => "8",
        "9" | "QS" => "9",
        "10" | "CG" => "10",
        "11" => "11",
        "12" => "12",
        "13" => "13",
        _ => return None,
    })
}

/// ActivityDateType code from a 2.0x number or a 1.0x name (`start-planned` …).
pub(super) fn activity_date_type(code: &str) -> Option<&'static str> {
    Some(match code.trim().to_ascii_lowercase().as_str() {
        "1" | "start-planned" => "1",
        "2" | "start-actual" => "2",
        "3" | "end-planned" => "3",
        "4" | "end-actual" => "4",
        _ => return None,
    })
}

/// OrganisationRole code from a 2.0x number or a 1.0x name (`Funding` …).
pub(super) fn organisation_role(code: &str) -> Option<&'static str> {
    Some(match code.trim().to_ascii_lowercase().as_str() {
        "1" | "funding" => "1",
        "2" | "accountable" => "2",
        "3" | "extending" => "3",
        "4" | "implementing" => "4",
        _ => return None,
    })
}

/// ActivityStatus code from the element text, for 1.0x files that wrote only the name.
pub(super) fn activity_status_from_name(name: &str) -> Option<&'static str> {
    Some(match name.trim().to_ascii_lowercase().as_str() {
        "pipeline/identification" | "pipeline" | "identification" => "1",
        "implementation" => "2",
        "finalisation" | "completion" => "3",
        "closed" | "post-completion" => "4",
        "cancelled" => "5",
        "suspended" => "6",
        _ => return None,
    })
}

/// SectorVocabulary code, mapping the 1.0x names; absent means `1` (DAC 5-digit).
pub(super) fn sector_vocabulary(vocabulary: Option<&str>) -> String {
    match vocabulary.map(str::trim) {
        None | Some("") => "1".to_owned(),
        Some(v) if v.eq_ignore_ascii_case("DAC") => "1".to_owned(),
        Some(v) if v.eq_ignore_ascii_case("DAC-3") => "2".to_owned(),
        Some(v) if v.eq_ignore_ascii_case("RO") => "99".to_owned(),
        Some(v) => v.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn decimals_are_read_exactly_including_scientific_notation() {
        assert_eq!(parse_decimal("1000.50"), Some(dec("1000.50")));
        assert_eq!(parse_decimal(" -100 "), Some(dec("-100")));
        assert_eq!(parse_decimal("+7"), Some(dec("7")));
        assert_eq!(parse_decimal("1e6"), Some(dec("1000000")));
        assert_eq!(parse_decimal("1E6"), Some(dec("1000000")));
        assert_eq!(parse_decimal("+1e6"), Some(dec("1000000")));
        assert_eq!(parse_decimal("-2.5e-3"), Some(dec("-0.0025")));
        assert_eq!(parse_decimal("0.1"), Some(dec("0.1")));
    }

    #[test]
    fn text_that_is_not_a_plain_number_is_refused() {
        for bad in ["", " ", "abc", "1,000", "1 000", "1_000", "NaN", "-", ".", "e", "1e", "1e999", "--1", "+-1e3"] {
            assert_eq!(parse_decimal(bad), None, "{bad:?}");
        }
        assert_eq!(parse_decimal("123456789012345678901234567890123"), None);
    }

    proptest::proptest! {
        #[test]
        fn number_shaped_text_never_panics(text in "[+-]?[0-9.]{0,32}([eE][+-]?[0-9]{0,12})?") {
            let _ = parse_decimal(&text);
        }

        #[test]
        fn any_text_never_panics_as_a_date_or_a_number(text in "\\PC{0,24}") {
            let _ = (parse_decimal(&text), parse_date(&text));
        }
    }

    #[test]
    fn dates_take_the_date_part_of_a_date_time() {
        let d = NaiveDate::from_ymd_opt(2012, 5, 1);
        assert_eq!(parse_date("2012-05-01"), d);
        assert_eq!(parse_date("2012-05-01T00:00:00"), d);
        assert_eq!(parse_date("2012-05-01Z"), d);
        assert_eq!(parse_date("2012-05-01+07:00"), d);
        assert_eq!(parse_date("2012-13-01"), None);
        assert_eq!(parse_date("01/05/2012"), None);
        assert_eq!(parse_date("2012-05-01x"), None);
        assert_eq!(parse_date("2012-05-0ế"), None);
    }

    #[test]
    fn letter_transaction_codes_map_to_numbers() {
        let pairs = [("C", "2"), ("D", "3"), ("E", "4"), ("IF", "1"), ("IR", "5"), ("LR", "6"), ("R", "7")];
        for (letter, number) in pairs {
            assert_eq!(transaction_type(letter), Some(number));
        }
        assert_eq!(transaction_type("QP"), Some("8"));
        assert_eq!(transaction_type("QS"), Some("9"));
        assert_eq!(transaction_type("CG"), Some("10"));
        assert_eq!(transaction_type("11"), Some("11"));
        assert_eq!(transaction_type("Z"), None);
        assert_eq!(transaction_type("14"), None);
    }
}
