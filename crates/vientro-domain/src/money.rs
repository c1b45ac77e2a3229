//! Money: currency codes, exact amounts in minor units, the one rounding rule, and Vietnamese number formatting.
//!
//! This module owns how an amount is parsed, stored (an `i64` count of the currency's minor unit, never a float),
//! rounded (`ROUNDING`, half away from zero, at the target currency's minor unit) and written in the official
//! Vietnamese style of provincial reports. It must not know about exchange rates (see `crate::fx`), records or
//! storage, and does no IO: the IATI Currency codelist is compiled in with `include_str!`.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ValidationError;

/// The one rounding rule of vientro: half away from zero, at the target currency's minor unit.
pub const ROUNDING: RoundingStrategy = RoundingStrategy::MidpointAwayFromZero;

/// The vendored IATI Currency codelist (`code,name,description,status,withdrawal-date`).
const CURRENCY_CODELIST_CSV: &str = include_str!("../data/iati/Currency.csv");

/// Codes of the vendored IATI Currency codelist, active and withdrawn alike, parsed once.
fn currency_codelist() -> &'static BTreeSet<[u8; 3]> {
    static CODES: OnceLock<BTreeSet<[u8; 3]>> = OnceLock::new();
    CODES.get_or_init(|| {
        let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(CURRENCY_CODELIST_CSV.as_bytes());
        reader
            .records()
            .filter_map(Result::ok)
            .filter_map(|record| record.get(0).and_then(three_upper_letters))
            .collect()
    })
}

/// The three bytes of `s` when it is exactly three ASCII upper-case letters.
fn three_upper_letters(s: &str) -> Option<[u8; 3]> {
    match s.as_bytes() {
        &[a, b, c] if [a, b, c].iter().all(u8::is_ascii_uppercase) => Some([a, b, c]),
        _ => None,
    }
}

/// An ISO 4217 currency code from the vendored IATI Currency codelist, e.g. `USD`; serialised as `"USD"`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CurrencyCode([u8; 3]);

impl CurrencyCode {
    /// United States dollar, the pivot of every exchange rate.
    pub const USD: CurrencyCode = CurrencyCode(*b"USD");
    /// Vietnamese đồng.
    pub const VND: CurrencyCode = CurrencyCode(*b"VND");
    /// Euro.
    pub const EUR: CurrencyCode = CurrencyCode(*b"EUR");

    /// Parses a code: trims, upper-cases, and requires it in the IATI Currency codelist (withdrawn codes accepted).
    ///
    /// Errors with field `currency`, code `error-currency-unknown`.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let upper = s.trim().to_ascii_uppercase();
        match three_upper_letters(&upper) {
            Some(bytes) if currency_codelist().contains(&bytes) => Ok(CurrencyCode(bytes)),
            _ => Err(ValidationError::new(
                "currency",
                "error-currency-unknown",
                format!("`{}` is not a currency code of the IATI Currency codelist", s.trim()),
            )),
        }
    }

    /// The three letters, e.g. `"USD"`.
    pub fn as_str(&self) -> &str {
        // The bytes are always three ASCII letters (checked on construction), so this never falls back.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }

    /// The ISO 4217 exponent: how many decimal digits the minor unit has (VND 0, USD 2, KWD 3, CLF 4).
    pub fn minor_digits(self) -> u32 {
        // ISO 4217 exceptions to the usual 2; withdrawn BYR was 0. Codes with no minor unit in ISO
        // (XDR, XBT, …) default to 2 like everything else.
        match &self.0 {
            b"BIF" | b"BYR" | b"CLP" | b"DJF" | b"GNF" | b"ISK" | b"JPY" | b"KMF" | b"KRW" | b"PYG" | b"RWF"
            | b"UGX" | b"UYI" | b"VND" | b"VUV" | b"XAF" | b"XOF" | b"XPF" => 0,
            b"BHD" | b"IQD" | b"JOD" | b"KWD" | b"LYD" | b"OMR" | b"TND" => 3,
            b"CLF" | b"UYW" => 4,
            _ => 2,
        }
    }
}

impl fmt::Debug for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CurrencyCode({})", self.as_str())
    }
}

impl fmt::Display for CurrencyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CurrencyCode {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for CurrencyCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CurrencyCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The error for an amount that does not fit in an `i64` of minor units.
fn overflow_error() -> ValidationError {
    ValidationError::new("amount", "error-amount-overflow", "the amount is too large to be stored exactly")
}

/// A count of a currency's minor unit (cents of USD, đồng of VND); serialised as a plain integer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MinorUnits(pub i64);

impl MinorUnits {
    /// Zero minor units.
    pub const ZERO: MinorUnits = MinorUnits(0);

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: MinorUnits) -> Option<MinorUnits> {
        self.0.checked_add(other.0).map(MinorUnits)
    }

    /// `self - other`, or `None` on overflow.
    pub fn checked_sub(self, other: MinorUnits) -> Option<MinorUnits> {
        self.0.checked_sub(other.0).map(MinorUnits)
    }

    /// The sum of all terms, or `None` as soon as a partial sum overflows; the empty sum is zero.
    pub fn checked_sum<I: IntoIterator<Item = MinorUnits>>(terms: I) -> Option<MinorUnits> {
        terms.into_iter().try_fold(MinorUnits::ZERO, MinorUnits::checked_add)
    }

    /// The sum of all terms, or an error (field `amount`, code `error-amount-overflow`) on overflow.
    pub fn try_sum<I: IntoIterator<Item = MinorUnits>>(terms: I) -> Result<MinorUnits, ValidationError> {
        Self::checked_sum(terms).ok_or_else(overflow_error)
    }
}

/// An exact amount of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// The amount in the currency's minor unit.
    pub amount: MinorUnits,
    /// The currency.
    pub currency: CurrencyCode,
}

impl Money {
    /// An amount given directly in minor units (`from_minor(144170000, USD)` is 1,441,700.00 USD).
    pub fn from_minor(amount: i64, currency: CurrencyCode) -> Money {
        Money { amount: MinorUnits(amount), currency }
    }

    /// Parses a plain decimal with `.` as the decimal point (`"1441700"`, `"12.50"`, `"-3"`), exactly.
    ///
    /// Surrounding whitespace and one leading `+` or `-` are allowed; nothing else (no thousands separators, no
    /// exponent, digits on both sides of a `.`). Fractional digits beyond the currency's minor unit are an error
    /// (field `amount`, code `error-amount-precision`) unless they are all zeros (`"1000.00"` VND is 1000 đồng
    /// exactly, as IATI files often write it); nothing is ever rounded. Too large for `i64` minor units:
    /// `error-amount-overflow`; anything else: `error-amount-format`.
    pub fn parse(amount: &str, currency: CurrencyCode) -> Result<Money, ValidationError> {
        let text = amount.trim();
        let format_error = || {
            ValidationError::new(
                "amount",
                "error-amount-format",
                format!("`{text}` is not a plain decimal amount such as 1441700 or 12.50"),
            )
        };
        let (negative, unsigned) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let (whole, fraction) = match unsigned.split_once('.') {
            Some((whole, fraction)) => (whole, fraction),
            None => (unsigned, ""),
        };
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(whole) || (unsigned.contains('.') && !all_digits(fraction)) {
            return Err(format_error());
        }
        let digits = currency.minor_digits() as usize;
        let significant_fraction = fraction.trim_end_matches('0');
        if significant_fraction.len() > digits {
            return Err(ValidationError::new(
                "amount",
                "error-amount-precision",
                format!("`{text}` has more decimals than {currency} allows ({digits})"),
            ));
        }
        // Accumulate as a negative number so that i64::MIN minor units still parse.
        let mut value: i64 = 0;
        let fraction_digits = significant_fraction.bytes().chain(std::iter::repeat(b'0')).take(digits);
        for b in whole.bytes().chain(fraction_digits) {
            value =
                value.checked_mul(10).and_then(|v| v.checked_sub(i64::from(b - b'0'))).ok_or_else(overflow_error)?;
        }
        let value = if negative { value } else { value.checked_neg().ok_or_else(overflow_error)? };
        Ok(Money::from_minor(value, currency))
    }

    /// The same amount when it is zero or more; otherwise an error (field `amount`, code `error-amount-negative`).
    pub fn non_negative(self) -> Result<Money, ValidationError> {
        if self.amount.0 < 0 {
            Err(ValidationError::new("amount", "error-amount-negative", "the amount must not be negative"))
        } else {
            Ok(self)
        }
    }

    /// The amount in major units with the currency's scale (`1441700.00` for USD minor `144170000`).
    pub fn to_decimal(&self) -> Decimal {
        Decimal::new(self.amount.0, self.currency.minor_digits())
    }

    /// Rounds `value` (major units) once with `ROUNDING` to the currency's minor unit.
    ///
    /// Errors with field `amount`, code `error-amount-overflow` when the result does not fit in `i64` minor units.
    pub fn from_decimal(value: Decimal, currency: CurrencyCode) -> Result<Money, ValidationError> {
        let digits = currency.minor_digits();
        let rounded = value.round_dp_with_strategy(digits, ROUNDING);
        // After rounding the scale is at most `digits`; bring the mantissa up to exactly `digits`.
        let scale_up = digits.saturating_sub(rounded.scale());
        let minor = 10_i128
            .checked_pow(scale_up)
            .and_then(|factor| rounded.mantissa().checked_mul(factor))
            .and_then(|m| i64::try_from(m).ok())
            .ok_or_else(overflow_error)?;
        Ok(Money::from_minor(minor, currency))
    }
}

/// Writes `value` rounded with `ROUNDING` to exactly `decimals` decimals in the Vietnamese style: `.` between
/// thousands, `,` before the decimals (1441700 → "1.441.700"; 88.3333 with 2 → "88,33"; -1234 → "-1.234").
///
/// A value that rounds to zero is written without a sign.
pub fn format_number_vi(value: Decimal, decimals: u32) -> String {
    let rounded = value.round_dp_with_strategy(decimals, ROUNDING);
    let plain = format!("{:.*}", decimals as usize, rounded.abs());
    let (whole, fraction) = match plain.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (plain.as_str(), ""),
    };
    let mut out = String::with_capacity(plain.len() + plain.len() / 3 + 2);
    if rounded.is_sign_negative() && !rounded.is_zero() {
        out.push('-');
    }
    out.push_str(&group_thousands(whole));
    if !fraction.is_empty() {
        out.push(',');
        out.push_str(fraction);
    }
    out
}

/// Inserts `.` every three digits from the right of a string of ASCII digits.
fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Writes money as "1.441.700 USD", or "1.441.700,50 USD" when there are non-zero minor units; VND as
/// "1.250.000.000 VND" (the code, not "đồng", for consistency with other currencies).
pub fn format_money_vi(m: &Money) -> String {
    let value = m.to_decimal();
    let decimals = if value.fract().is_zero() { 0 } else { m.currency.minor_digits() };
    format!("{} {}", format_number_vi(value, decimals), m.currency)
}

/// Writes a large VND amount in words of the official style: "53,9 tỷ đồng" from 1 billion up (one decimal,
/// dropped when zero: "56 tỷ đồng"), "200 triệu đồng" from 1 million up, plain "950.000 đồng" below.
///
/// The unit is chosen after rounding, so 999.960.000 is "1 tỷ đồng" rather than "1.000 triệu đồng".
pub fn format_vnd_large_vi(vnd: MinorUnits) -> String {
    const BILLION: i64 = 1_000_000_000;
    const MILLION: i64 = 1_000_000;
    let value = Decimal::from(vnd.0);
    let in_unit = |unit: i64| (value / Decimal::from(unit)).round_dp_with_strategy(1, ROUNDING);
    let one_decimal = |d: Decimal| format_number_vi(d, if d.fract().is_zero() { 0 } else { 1 });
    let thousand = Decimal::from(1000);
    let millions = in_unit(MILLION);
    if vnd.0.unsigned_abs() >= BILLION.unsigned_abs() || millions.abs() >= thousand {
        format!("{} tỷ đồng", one_decimal(in_unit(BILLION)))
    } else if vnd.0.unsigned_abs() >= MILLION.unsigned_abs() {
        format!("{} triệu đồng", one_decimal(millions))
    } else {
        format!("{} đồng", format_number_vi(value, 0))
    }
}

/// Writes a count: below 10 with a leading zero ("01", "08"), otherwise with thousands separators ("1.797").
pub fn format_count_vi(n: u64) -> String {
    if n < 10 { format!("{n:02}") } else { group_thousands(&n.to_string()) }
}

/// Writes `numerator / denominator` as a percentage with two decimals, `ROUNDING`, and a space before `%`
/// (1273388 / 1441700 → "88,33 %"); `None` when the denominator is zero or the ratio cannot be represented.
///
/// The quotient is computed to 28 significant digits before the single rounding to two decimals. That can only
/// differ from rounding the exact ratio when the exact ratio is closer to a midpoint than the quotient's last digit
/// (about 1e-26 for percentages up to 100 %) without being on it; a ratio of two amounts of at most 10^14 minor
/// units is either on a midpoint or at least 1/(200 · 10^14) away from one, so report figures are always exact.
pub fn format_percent_vi(numerator: Decimal, denominator: Decimal) -> Option<String> {
    if denominator.is_zero() {
        return None;
    }
    let percent = numerator.checked_mul(Decimal::ONE_HUNDRED)?.checked_div(denominator)?;
    Some(format!("{} %", format_number_vi(percent, 2)))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn kwd() -> CurrencyCode {
        CurrencyCode::parse("KWD").unwrap()
    }

    #[test]
    fn currency_codes_are_trimmed_upper_cased_and_checked_against_the_codelist() {
        assert_eq!(CurrencyCode::parse(" usd ").unwrap(), CurrencyCode::USD);
        assert_eq!(CurrencyCode::parse("VND").unwrap(), CurrencyCode::VND);
        assert_eq!(CurrencyCode::parse("eur").unwrap().as_str(), "EUR");
        assert_eq!(CurrencyCode::parse("VEF").unwrap().as_str(), "VEF", "withdrawn codes are accepted");
    }

    #[test]
    fn an_unknown_currency_is_error_currency_unknown() {
        for bad in ["", "US", "USDD", "XYZ", "DEM", "U$D", "ÜSD"] {
            let e = CurrencyCode::parse(bad).unwrap_err();
            assert_eq!((e.field.as_str(), e.code), ("currency", "error-currency-unknown"), "{bad}");
        }
    }

    #[test]
    fn the_vendored_codelist_parses_with_all_its_codes() {
        assert_eq!(currency_codelist().len(), 176);
    }

    #[test]
    fn minor_digits_follow_iso_4217() {
        let digits = |c: &str| CurrencyCode::parse(c).unwrap().minor_digits();
        assert_eq!(
            [digits("VND"), digits("USD"), digits("EUR"), digits("JPY"), digits("KWD"), digits("CLF")],
            [0, 2, 2, 0, 3, 4]
        );
    }

    #[test]
    fn currency_codes_serialise_as_their_letters_and_reject_unknown_ones() {
        // serde_json is not a dependency of this crate; the csv crate's serde support is enough here.
        let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
        writer.serialize(Money::from_minor(144_170_000, CurrencyCode::USD)).unwrap();
        assert_eq!(String::from_utf8(writer.into_inner().unwrap()).unwrap(), "144170000,USD\n");
        let read = |text: &str| {
            csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes()).deserialize::<Money>().next()
        };
        assert_eq!(read("1250, eur").unwrap().unwrap(), Money::from_minor(1250, CurrencyCode::EUR));
        assert!(read("1250,XYZ").unwrap().is_err());
    }

    #[test]
    fn amounts_parse_exactly_in_minor_units() {
        let usd = CurrencyCode::USD;
        assert_eq!(Money::parse("1441700", usd).unwrap().amount, MinorUnits(144_170_000));
        assert_eq!(Money::parse("12.50", usd).unwrap().amount, MinorUnits(1250));
        assert_eq!(Money::parse("12.5", usd).unwrap().amount, MinorUnits(1250));
        assert_eq!(Money::parse("-3", usd).unwrap().amount, MinorUnits(-300));
        assert_eq!(Money::parse(" +7.01 ", usd).unwrap().amount, MinorUnits(701));
        assert_eq!(Money::parse("1250000000", CurrencyCode::VND).unwrap().amount, MinorUnits(1_250_000_000));
        assert_eq!(Money::parse("1000.00", CurrencyCode::VND).unwrap().amount, MinorUnits(1000));
    }

    #[test]
    fn too_many_decimals_for_the_currency_is_error_amount_precision() {
        for (text, currency) in [("12.505", CurrencyCode::USD), ("1000.5", CurrencyCode::VND)] {
            let e = Money::parse(text, currency).unwrap_err();
            assert_eq!((e.field.as_str(), e.code), ("amount", "error-amount-precision"), "{text}");
        }
    }

    #[test]
    fn garbage_is_error_amount_format() {
        for bad in ["", "-", "abc", "1,5", "1.441.700", "1e5", ".5", "5.", "--1", "1 000", "0x10", "١٢"] {
            let e = Money::parse(bad, CurrencyCode::USD).unwrap_err();
            assert_eq!((e.field.as_str(), e.code), ("amount", "error-amount-format"), "{bad:?}");
        }
    }

    #[test]
    fn amounts_beyond_i64_minor_units_are_error_amount_overflow() {
        let e = Money::parse("92233720368547758.08", CurrencyCode::USD).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("amount", "error-amount-overflow"));
        assert_eq!(Money::parse("92233720368547758.07", CurrencyCode::USD).unwrap().amount, MinorUnits(i64::MAX));
        assert_eq!(Money::parse("-92233720368547758.08", CurrencyCode::USD).unwrap().amount, MinorUnits(i64::MIN));
        let e = Money::from_decimal(dec("1000000000000000000000000"), CurrencyCode::USD).unwrap_err();
        assert_eq!(e.code, "error-amount-overflow");
    }

    #[test]
    fn a_negative_amount_is_error_amount_negative() {
        let e = Money::from_minor(-1, CurrencyCode::USD).non_negative().unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("amount", "error-amount-negative"));
        assert!(Money::from_minor(0, CurrencyCode::USD).non_negative().is_ok());
    }

    #[test]
    fn decimals_carry_the_currency_scale() {
        let m = Money::from_minor(144_170_000, CurrencyCode::USD);
        assert_eq!(m.to_decimal().to_string(), "1441700.00");
        assert_eq!(Money::from_minor(1_250_000_000, CurrencyCode::VND).to_decimal().to_string(), "1250000000");
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(Money::from_decimal(dec("1234.565"), CurrencyCode::USD).unwrap().amount, MinorUnits(123_457));
        assert_eq!(Money::from_decimal(dec("-1234.565"), CurrencyCode::USD).unwrap().amount, MinorUnits(-123_457));
        assert_eq!(Money::from_decimal(dec("1234.564"), CurrencyCode::USD).unwrap().amount, MinorUnits(123_456));
        assert_eq!(Money::from_decimal(dec("2.5"), CurrencyCode::VND).unwrap().amount, MinorUnits(3));
        assert_eq!(Money::from_decimal(dec("7"), kwd()).unwrap().amount, MinorUnits(7000));
    }

    #[test]
    fn minor_unit_sums_report_overflow_instead_of_wrapping() {
        assert_eq!(MinorUnits::checked_sum([MinorUnits(1), MinorUnits(2)]), Some(MinorUnits(3)));
        assert_eq!(MinorUnits::checked_sum([]), Some(MinorUnits::ZERO));
        assert_eq!(MinorUnits(i64::MAX).checked_add(MinorUnits(1)), None);
        assert_eq!(MinorUnits(i64::MIN).checked_sub(MinorUnits(1)), None);
        let e = MinorUnits::try_sum([MinorUnits(i64::MAX), MinorUnits(1), MinorUnits(-5)]).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("amount", "error-amount-overflow"));
    }

    #[test]
    fn numbers_are_written_in_the_vietnamese_style() {
        assert_eq!(format_number_vi(dec("1441700"), 0), "1.441.700");
        assert_eq!(format_number_vi(dec("88.3333"), 2), "88,33");
        assert_eq!(format_number_vi(dec("-1234"), 0), "-1.234");
        assert_eq!(format_number_vi(dec("999"), 0), "999");
        assert_eq!(format_number_vi(dec("1234.5"), 2), "1.234,50");
        assert_eq!(format_number_vi(dec("1234.565"), 2), "1.234,57");
        assert_eq!(format_number_vi(dec("-0.001"), 2), "0,00");
    }

    #[test]
    fn money_is_written_with_its_code_and_without_zero_decimals() {
        assert_eq!(format_money_vi(&Money::from_minor(144_170_000, CurrencyCode::USD)), "1.441.700 USD");
        assert_eq!(format_money_vi(&Money::from_minor(144_170_050, CurrencyCode::USD)), "1.441.700,50 USD");
        assert_eq!(format_money_vi(&Money::from_minor(1_250_000_000, CurrencyCode::VND)), "1.250.000.000 VND");
        assert_eq!(format_money_vi(&Money::from_minor(-123_456, CurrencyCode::EUR)), "-1.234,56 EUR");
    }

    #[test]
    fn large_vnd_amounts_are_written_in_ty_and_trieu() {
        assert_eq!(format_vnd_large_vi(MinorUnits(53_900_000_000)), "53,9 tỷ đồng");
        assert_eq!(format_vnd_large_vi(MinorUnits(56_000_000_000)), "56 tỷ đồng");
        assert_eq!(format_vnd_large_vi(MinorUnits(56_040_000_000)), "56 tỷ đồng");
        assert_eq!(format_vnd_large_vi(MinorUnits(1_234_560_000_000)), "1.234,6 tỷ đồng");
        assert_eq!(format_vnd_large_vi(MinorUnits(200_000_000)), "200 triệu đồng");
        assert_eq!(format_vnd_large_vi(MinorUnits(250_500_000)), "250,5 triệu đồng");
        assert_eq!(format_vnd_large_vi(MinorUnits(999_960_000)), "1 tỷ đồng");
        assert_eq!(format_vnd_large_vi(MinorUnits(950_000)), "950.000 đồng");
        assert_eq!(format_vnd_large_vi(MinorUnits(-53_900_000_000)), "-53,9 tỷ đồng");
    }

    #[test]
    fn counts_below_ten_get_a_leading_zero() {
        assert_eq!(format_count_vi(1), "01");
        assert_eq!(format_count_vi(8), "08");
        assert_eq!(format_count_vi(0), "00");
        assert_eq!(format_count_vi(10), "10");
        assert_eq!(format_count_vi(1797), "1.797");
        assert_eq!(format_count_vi(1_000_000), "1.000.000");
    }

    #[test]
    fn percentages_have_two_decimals_and_a_space_before_the_sign() {
        assert_eq!(format_percent_vi(dec("1273388"), dec("1441700")).as_deref(), Some("88,33 %"));
        assert_eq!(format_percent_vi(dec("1"), dec("8")).as_deref(), Some("12,50 %"));
        assert_eq!(format_percent_vi(dec("1"), dec("0")), None);
    }

    proptest! {
        #[test]
        fn formatting_an_amount_as_a_plain_decimal_parses_back_to_it(minor in any::<i64>(), pick in 0usize..5) {
            let currency = [CurrencyCode::USD, CurrencyCode::VND, CurrencyCode::EUR, kwd(),
                CurrencyCode::parse("CLF").unwrap()][pick];
            let money = Money::from_minor(minor, currency);
            let text = money.to_decimal().to_string();
            prop_assert_eq!(Money::parse(&text, currency).unwrap(), money);
            prop_assert_eq!(Money::from_decimal(money.to_decimal(), currency).unwrap(), money);
        }

        #[test]
        fn vietnamese_formatting_parses_back_after_swapping_separators(minor in any::<i64>()) {
            let money = Money::from_minor(minor, CurrencyCode::USD);
            let shown = format_number_vi(money.to_decimal(), 2);
            let plain = shown.replace('.', "").replace(',', ".");
            prop_assert_eq!(Money::parse(&plain, CurrencyCode::USD).unwrap(), money);
        }

        #[test]
        fn summing_minor_units_never_silently_overflows(terms in proptest::collection::vec(any::<i64>(), 0..8)) {
            let exact: i128 = terms.iter().map(|&t| i128::from(t)).sum();
            let partial_sums_fit = terms.iter().scan(0_i128, |acc, &t| { *acc += i128::from(t); Some(*acc) })
                .all(|s| i64::try_from(s).is_ok());
            let sum = MinorUnits::checked_sum(terms.iter().copied().map(MinorUnits));
            match sum {
                Some(MinorUnits(s)) => prop_assert_eq!(i128::from(s), exact),
                None => prop_assert!(!partial_sums_fit),
            }
        }

        #[test]
        fn rounding_agrees_with_half_away_from_zero_on_integers(mills in -1_000_000_000_i64..1_000_000_000) {
            // mills = thousandths of a dollar; the expected cents are computed in integers.
            let value = Decimal::new(mills, 3);
            let expected = (mills.abs() * 2 + 10) / 20 * mills.signum();
            prop_assert_eq!(Money::from_decimal(value, CurrencyCode::USD).unwrap().amount, MinorUnits(expected));
        }
    }
}
