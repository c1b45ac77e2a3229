//! Amounts as officers write them in sheets: `1.441.700`, `1.441.700,50`, `1,441,700.50`, `53,9 tỷ đồng`,
//! `200 triệu`, `1,6 triệu USD`, and numeric Excel cells.
//!
//! This module owns reading the number and its unit words exactly (never through a float, except for Excel's
//! own numeric cells). It must not decide whether an amount is acceptable for a flow: the domain's
//! `FlowInput::parse` does that, with the currency's precision rule.

use std::str::FromStr;

use rust_decimal::Decimal;
use vientro_domain::ValidationError;
use vientro_domain::money::{CurrencyCode, ROUNDING};
use vientro_domain::text;

/// An amount read from text: its exact value and the currency named beside it, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedAmount {
    /// The exact value, scale words applied (`53,9 tỷ` is 53 900 000 000), trailing zeros dropped.
    pub value: Decimal,
    /// The currency written beside the number (`đồng`, `VNĐ`, `USD`, `$`, `EUR`), if any.
    pub currency: Option<CurrencyCode>,
    /// True when a scale word (`tỷ`, `triệu`, `nghìn`) was written, so a unit in the header must not apply.
    pub scaled: bool,
}

/// The unit a column header gives its amounts, e.g. `Giá trị (triệu đồng)` or `Committed (USD)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmountUnit {
    /// The multiplier (`triệu` is 1 000 000; 1 when the header names only a currency).
    pub scale: Decimal,
    /// The currency the header names, if any.
    pub currency: Option<CurrencyCode>,
}

const FIELD: &str = "amount";

fn format_error(text: &str, why: &str) -> ValidationError {
    ValidationError::new(
        FIELD,
        "error-amount-format",
        format!("'{}' is not an amount ({why}); write 1.441.700, 1.441.700,50 or 53,9 tỷ", text.trim()),
    )
}

fn overflow_error(text: &str) -> ValidationError {
    ValidationError::new(FIELD, "error-amount-overflow", format!("'{}' is too large to be stored exactly", text.trim()))
}

/// Reads an amount written the Vietnamese way or the English way, with optional scale and currency words.
///
/// The convention is detected per amount: several `.` (or `,`, or spaces) are thousands separators; when both
/// `.` and `,` appear, the last one is the decimal separator; a single separator followed by 1, 2 or 4+ digits
/// is the decimal separator; a single `.` followed by exactly 3 digits is a thousands separator (Vietnamese
/// `1.500`), and so is nothing else: a single `,` followed by 3 digits (`1,441`) is refused as ambiguous unless
/// a Vietnamese scale word makes it Vietnamese (`1,441 tỷ`) or the whole part is 0. Scale words: `tỷ`/`tỉ`
/// (10⁹), `triệu` (10⁶), `nghìn`/`ngàn` (10³) and their English names. Currency words: `đồng`, `đ`, `VNĐ`,
/// `VND`, `USD`, `$`, `US$`, `đô la (Mỹ)`, `EUR`, `€`, `euro` or any ISO code of the IATI codelist, before or
/// after the number. A leading `-` or `+` is kept (the domain refuses negative flows).
///
/// Errors (field `amount`): `error-amount-format`, `error-amount-ambiguous`, `error-amount-overflow`.
pub fn parse_amount_vi(text: &str) -> Result<ParsedAmount, ValidationError> {
    let normalised: String =
        text.trim().chars().map(|c| if c.is_whitespace() || c == '\u{202F}' { ' ' } else { c }).collect();
    let t = normalised.trim();
    let (negative, rest) = match t.as_bytes().first() {
        Some(b'-') => (true, t[1..].trim_start()),
        Some(b'+') => (false, t[1..].trim_start()),
        _ => (false, t),
    };
    let Some(start) = rest.find(|c: char| c.is_ascii_digit()) else {
        return Err(format_error(text, "there are no digits"));
    };
    let (prefix, from_number) = rest.split_at(start);
    let end = number_end(from_number);
    let (token, suffix) = from_number.split_at(end);
    let prefix_words = words(prefix)?;
    let prefix_unit = read_unit_words(&prefix_words).map_err(|w| format_error(text, &unexpected(&w)))?;
    if prefix_unit.scale.is_some() {
        return Err(format_error(text, "a scale word such as tỷ or triệu goes after the number"));
    }
    let suffix_unit = read_unit_words(&words(suffix)?).map_err(|w| format_error(text, &unexpected(&w)))?;
    let currency = match (prefix_unit.currency, suffix_unit.currency) {
        (Some(_), Some(_)) => return Err(format_error(text, "the currency is written twice")),
        (a, b) => a.or(b),
    };
    let value = parse_number_token(token, suffix_unit.vietnamese_scale, text)?;
    let value = match suffix_unit.scale {
        Some(scale) => value.checked_mul(scale).ok_or_else(|| overflow_error(text))?,
        None => value,
    };
    let value = if negative { -value } else { value };
    Ok(ParsedAmount { value: value.normalize(), currency, scaled: suffix_unit.scale.is_some() })
}

/// The unit in the last parenthesised part of a header (`Giá trị cam kết (USD)`, `Vốn (triệu đồng)`), if it
/// holds only scale and currency words.
pub fn amount_unit_in_header(header: &str) -> Option<AmountUnit> {
    let open = header.rfind('(')?;
    let inside = header[open + 1..].split(')').next()?;
    let unit = read_unit_words(&words(inside).ok()?).ok()?;
    if unit.scale.is_none() && unit.currency.is_none() {
        return None;
    }
    Some(AmountUnit { scale: unit.scale.unwrap_or(Decimal::ONE), currency: unit.currency })
}

/// The exact decimal Excel shows for a numeric cell: 15 significant digits, as Excel itself keeps them.
///
/// Errors (field `amount`): `error-amount-format` for NaN and infinities, `error-amount-overflow` beyond
/// what a decimal holds.
pub fn excel_number(value: f64) -> Result<Decimal, ValidationError> {
    if !value.is_finite() {
        return Err(ValidationError::new(
            FIELD,
            "error-amount-format",
            format!("the cell holds {value}, not a number"),
        ));
    }
    if value == 0.0 {
        return Ok(Decimal::ZERO);
    }
    let scientific = format!("{value:.14e}");
    Decimal::from_scientific(&scientific).map(|d| d.normalize()).map_err(|_| overflow_error(&scientific))
}

/// Fits an Excel number to a currency: rounded once (`money::ROUNDING`) to the currency's minor unit, except
/// that a currency without minor units (VND, JPY, …) must hold a whole number, because a fraction of a đồng in
/// a sheet is a mistake (a wrong column or unit), not something to round away.
///
/// Errors (field `amount`): `error-amount-precision` for a fraction of a currency without minor units.
pub fn fit_to_currency(value: Decimal, currency: CurrencyCode) -> Result<Decimal, ValidationError> {
    let digits = currency.minor_digits();
    if digits == 0 && !value.fract().is_zero() {
        return Err(ValidationError::new(
            FIELD,
            "error-amount-precision",
            format!("{} is not a whole number of {currency}", value.normalize()),
        ));
    }
    Ok(value.round_dp_with_strategy(digits, ROUNDING).normalize())
}

/// A numeric Excel cell as an amount of `currency`: [`excel_number`], then [`fit_to_currency`].
pub fn amount_from_excel(value: f64, currency: CurrencyCode) -> Result<Decimal, ValidationError> {
    fit_to_currency(excel_number(value)?, currency)
}

/// Normalises a currency as written in a currency column (`VNĐ`, `đồng`, `$`, `usd`) to its ISO code; text
/// that is not a currency is returned unchanged, for the domain to refuse with its own message.
pub fn normalise_currency(text: &str) -> String {
    match words(text).ok().and_then(|w| read_unit_words(&w).ok()) {
        Some(UnitWords { scale: None, currency: Some(c), .. }) => c.as_str().to_owned(),
        _ => text.trim().to_owned(),
    }
}

fn unexpected(word: &str) -> String {
    format!("'{word}' is neither a scale word (tỷ, triệu, nghìn) nor a currency")
}

/// Where the number token ends: digits, `.`, `,`, and spaces that are followed by a digit.
fn number_end(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut end = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_digit() {
            i += 1;
            end = i;
        } else if (b == b'.' || b == b',' || b == b' ') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i += 1;
        } else {
            break;
        }
    }
    end
}

/// Folded words of unit text; symbols stuck to words (`US$`, `1.000đ`) are kept in the word.
fn words(s: &str) -> Result<Vec<String>, ValidationError> {
    Ok(text::fold(s)
        .split(|c: char| c.is_whitespace() || c == '.' || c == ',' || c == ':' || c == '/')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect())
}

struct UnitWords {
    scale: Option<Decimal>,
    vietnamese_scale: bool,
    currency: Option<CurrencyCode>,
}

/// Reads scale and currency words; the error is the first word that is neither.
fn read_unit_words(words: &[String]) -> Result<UnitWords, String> {
    let mut scale = None;
    let mut vietnamese_scale = false;
    let mut rest: Vec<&str> = Vec::new();
    for w in words {
        let (s, vi) = match w.as_str() {
            "ty" | "ti" => (Some(Decimal::from(1_000_000_000_u64)), true),
            "trieu" => (Some(Decimal::from(1_000_000_u64)), true),
            "nghin" | "ngan" => (Some(Decimal::from(1000_u64)), true),
            "billion" | "bn" => (Some(Decimal::from(1_000_000_000_u64)), false),
            "million" | "mn" => (Some(Decimal::from(1_000_000_u64)), false),
            "thousand" => (Some(Decimal::from(1000_u64)), false),
            _ => (None, false),
        };
        match s {
            Some(_) if scale.is_some() => return Err(w.clone()),
            Some(s) => {
                scale = Some(s);
                vietnamese_scale = vi;
            }
            None => rest.push(w),
        }
    }
    let currency = if rest.is_empty() {
        None
    } else {
        let phrase = rest.join(" ");
        Some(currency_phrase(&phrase).ok_or(phrase)?)
    };
    Ok(UnitWords { scale, vietnamese_scale, currency })
}

fn currency_phrase(phrase: &str) -> Option<CurrencyCode> {
    match phrase {
        "dong" | "d" | "vnd" | "vn dong" | "dong viet nam" => Some(CurrencyCode::VND),
        "usd" | "$" | "us$" | "usd$" | "do" | "do la" | "do la my" | "dollar" | "dollars" | "us dollar" => {
            Some(CurrencyCode::USD)
        }
        "eur" | "€" | "euro" | "euros" => Some(CurrencyCode::EUR),
        other if other.len() == 3 && other.bytes().all(|b| b.is_ascii_alphabetic()) => CurrencyCode::parse(other).ok(),
        _ => None,
    }
}

/// Reads the digits and separators of one number (see [`parse_amount_vi`] for the convention).
fn parse_number_token(token: &str, vietnamese: bool, original: &str) -> Result<Decimal, ValidationError> {
    let seps: Vec<(usize, u8)> = token.bytes().enumerate().filter(|(_, b)| !b.is_ascii_digit()).collect();
    let (thousands, decimal): (Option<u8>, Option<usize>) = match seps.as_slice() {
        [] => (None, None),
        [.., (last_i, last)] => {
            let earlier: Vec<u8> = seps[..seps.len() - 1].iter().map(|&(_, b)| b).collect();
            let all_same = earlier.iter().all(|b| b == last);
            if all_same && earlier.is_empty() {
                // One separator: decimal unless it is a plausible thousands group.
                let lead = &token[..*last_i];
                let after = token.len() - last_i - 1;
                let plausible_group = after == 3 && lead.len() <= 3 && !lead.starts_with('0');
                match (*last, plausible_group) {
                    (b' ', _) => (Some(b' '), None),
                    (_, false) => (None, Some(*last_i)),
                    (b'.', true) => (Some(b'.'), None),
                    (_, true) if vietnamese => (None, Some(*last_i)),
                    _ => {
                        return Err(ValidationError::new(
                            FIELD,
                            "error-amount-ambiguous",
                            format!(
                                "'{}' is ambiguous: write {lead}.{} for thousands or {lead},{}0 for decimals",
                                original.trim(),
                                &token[last_i + 1..],
                                &token[last_i + 1..]
                            ),
                        ));
                    }
                }
            } else if all_same {
                (Some(*last), None)
            } else if *last != b' ' && !earlier.contains(last) && earlier.iter().all(|b| *b == earlier[0]) {
                (Some(earlier[0]), Some(*last_i))
            } else {
                return Err(format_error(original, "its separators are mixed"));
            }
        }
    };
    let (whole, fraction) = match decimal {
        Some(i) => (&token[..i], &token[i + 1..]),
        None => (token, ""),
    };
    let whole_digits: String = match thousands {
        Some(sep) => {
            let groups: Vec<&str> = whole.split(char::from(sep)).collect();
            let first_ok = groups.first().is_some_and(|g| (1..=3).contains(&g.len()));
            if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
                return Err(format_error(original, "thousands groups must have three digits"));
            }
            groups.concat()
        }
        None => whole.to_owned(),
    };
    if whole_digits.is_empty()
        || !whole_digits.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(format_error(original, "its digits are not grouped correctly"));
    }
    let digits = format!("{whole_digits}{fraction}");
    let digits = digits.trim_start_matches('0');
    let mantissa = if digits.is_empty() { 0 } else { i128::from_str(digits).map_err(|_| overflow_error(original))? };
    let scale = u32::try_from(fraction.len()).map_err(|_| overflow_error(original))?;
    Decimal::try_from_i128_with_scale(mantissa, scale).map_err(|_| overflow_error(original))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use vientro_domain::money::format_number_vi;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn value(s: &str) -> Decimal {
        parse_amount_vi(s).unwrap().value
    }

    #[test]
    fn vietnamese_thousands_and_decimal_comma_are_read_exactly() {
        assert_eq!(value("1.441.700"), dec("1441700"));
        assert_eq!(value("1.441.700,50"), dec("1441700.50"));
        assert_eq!(value("1.500"), dec("1500"));
        assert_eq!(value("88,33"), dec("88.33"));
        assert_eq!(value("1 441 700"), dec("1441700"));
    }

    #[test]
    fn plain_and_english_numbers_are_read_exactly() {
        assert_eq!(value("1441700"), dec("1441700"));
        assert_eq!(value("1,441,700.50"), dec("1441700.5"));
        assert_eq!(value("1,441,700"), dec("1441700"));
        assert_eq!(value("12.5"), dec("12.5"));
        assert_eq!(value("1441700.5"), dec("1441700.5"));
        assert_eq!(value("0,500"), dec("0.5"));
    }

    #[test]
    fn scale_words_multiply_and_currency_words_are_reported() {
        assert_eq!(
            parse_amount_vi("53,9 tỷ").unwrap(),
            ParsedAmount { value: dec("53900000000"), currency: None, scaled: true }
        );
        assert_eq!(parse_amount_vi("53,9 tỷ đồng").unwrap().currency, Some(CurrencyCode::VND));
        assert_eq!(value("53,9 tỉ đồng"), dec("53900000000"));
        assert_eq!(value("200 triệu"), dec("200000000"));
        let usd = parse_amount_vi("1,6 triệu USD").unwrap();
        assert_eq!((usd.value, usd.currency), (dec("1600000"), Some(CurrencyCode::USD)));
        assert_eq!(parse_amount_vi("1.441.700 VNĐ").unwrap().currency, Some(CurrencyCode::VND));
        assert_eq!(parse_amount_vi("$1,441,700").unwrap().currency, Some(CurrencyCode::USD));
        assert_eq!(parse_amount_vi("1.441.700đ").unwrap().currency, Some(CurrencyCode::VND));
        assert_eq!(parse_amount_vi("25.000 EUR").unwrap().currency, Some(CurrencyCode::EUR));
        assert_eq!(value("1,441 tỷ"), dec("1441000000"), "a Vietnamese scale word makes the comma decimal");
        assert_eq!(value("1.234,6 tỷ đồng"), dec("1234600000000"));
    }

    #[test]
    fn a_lone_comma_before_three_digits_is_refused_as_ambiguous() {
        let e = parse_amount_vi("1,441").unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("amount", "error-amount-ambiguous"));
        assert!(e.message.contains("1.441") && e.message.contains("1,4410"), "{}", e.message);
    }

    #[test]
    fn garbage_is_refused_with_a_reason() {
        for bad in ["", "abc", "1.44.700", "1,441.700,5", "12 quả", "tỷ 5", "1.441.700 USD VND", "1..5", "--1"] {
            let e = parse_amount_vi(bad).unwrap_err();
            assert_eq!(e.field, "amount", "{bad:?}");
            assert!(e.code.starts_with("error-amount"), "{bad:?}: {}", e.code);
        }
    }

    #[test]
    fn amounts_beyond_a_decimal_are_an_overflow_not_a_panic() {
        assert_eq!(
            parse_amount_vi("99999999999999999999999999999999999999999").unwrap_err().code,
            "error-amount-overflow"
        );
        assert_eq!(parse_amount_vi("9.999.999.999.999.999.999.999.999 tỷ").unwrap_err().code, "error-amount-overflow");
    }

    #[test]
    fn a_header_unit_names_scale_and_currency() {
        assert_eq!(
            amount_unit_in_header("Giá trị cam kết (triệu đồng)"),
            Some(AmountUnit { scale: dec("1000000"), currency: Some(CurrencyCode::VND) })
        );
        assert_eq!(
            amount_unit_in_header("Committed (USD)"),
            Some(AmountUnit { scale: Decimal::ONE, currency: Some(CurrencyCode::USD) })
        );
        assert_eq!(amount_unit_in_header("Tên dự án (tiếng Anh)"), None);
        assert_eq!(amount_unit_in_header("Giá trị"), None);
    }

    #[test]
    fn excel_numbers_round_to_the_currency_and_refuse_fractions_of_a_dong() {
        assert_eq!(amount_from_excel(1_441_700.0, CurrencyCode::VND).unwrap(), dec("1441700"));
        assert_eq!(amount_from_excel(0.1 + 0.2, CurrencyCode::USD).unwrap(), dec("0.3"));
        assert_eq!(amount_from_excel(1234.565, CurrencyCode::USD).unwrap(), dec("1234.57"));
        assert_eq!(amount_from_excel(1_441_700.5, CurrencyCode::VND).unwrap_err().code, "error-amount-precision");
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            assert_eq!(amount_from_excel(bad, CurrencyCode::USD).unwrap_err().code, "error-amount-format");
        }
        assert_eq!(amount_from_excel(1e300, CurrencyCode::USD).unwrap_err().code, "error-amount-overflow");
    }

    #[test]
    fn currency_cells_are_normalised_to_iso_codes() {
        assert_eq!(normalise_currency("VNĐ"), "VND");
        assert_eq!(normalise_currency(" đồng "), "VND");
        assert_eq!(normalise_currency("usd"), "USD");
        assert_eq!(normalise_currency("Yên"), "Yên");
    }

    proptest! {
        #[test]
        fn vietnamese_formatting_parses_back_exactly(minor in any::<i64>(), decimals in 0u32..=4) {
            let v = Decimal::new(minor, decimals);
            // A lone ",ddd" after a whole part of 1–999 is the one documented ambiguity.
            prop_assume!(decimals != 3 || v.abs() >= Decimal::from(1000) || v.abs() < Decimal::ONE);
            let shown = format_number_vi(v, decimals);
            prop_assert_eq!(parse_amount_vi(&shown).unwrap().value, v);
        }

        #[test]
        fn any_text_is_read_or_refused_without_panicking(s in "\\PC{0,30}") {
            let _ = parse_amount_vi(&s);
            let _ = amount_unit_in_header(&s);
        }

        #[test]
        fn any_float_is_read_or_refused_without_panicking(f in any::<f64>()) {
            let _ = amount_from_excel(f, CurrencyCode::USD);
            let _ = amount_from_excel(f, CurrencyCode::VND);
        }
    }
}
