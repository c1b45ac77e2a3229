//! Exchange rates, and THE RULE for which rate a flow uses: defined here and nowhere else.
//!
//! This module owns exchange rates (units of a currency per 1 USD, always `rust_decimal::Decimal`, never a float),
//! the vendored monthly and yearly rate tables compiled in with `include_str!`, entered rates layered on top, and
//! the conversion of an amount to USD and VND. It must not read files, databases or the network, nor decide how
//! entered rates are stored or who may enter them.
//!
//! # THE RULE: which rate a flow uses
//!
//! For a flow in currency C on value date D, the rate of C per USD (and, separately, of VND per USD) is:
//!
//! 1. the rate the item's approval decision fixed, if it fixed one (the `fixed_*` arguments of [`convert`]);
//! 2. else an entered rate whose period contains D, most specific first: Day, then Month, then Year (on the same
//!    period a `DecisionFixed` rate in the table comes before an `Entered` one);
//! 3. else the vendored monthly rate for D's month;
//! 4. else the vendored yearly rate for D's year;
//! 5. else the most recent earlier rate of any kind whose period starts within the 12 months before D (on or after
//!    D minus 12 calendar months): the latest period start wins; on the same start, the more specific period, then
//!    decision before entered before vendored monthly before vendored yearly. The vendored VND data stops at
//!    2024-09 (its 2024 yearly average still covers the rest of 2024 by step 4), so a 2025-03 VND flow converts
//!    with 2024-09's monthly rate, and `source`/`rate_date` of the [`Conversion`] say which rate that was;
//! 6. else the error `error-rate-missing` (field `rate`).
//!
//! USD is always 1 per USD. Steps 2–6 are [`RateTable::rate_for`]; step 1 is in [`convert`].
//!
//! # Conversion math
//!
//! `usd = amount / currency_per_usd` and `vnd = amount × vnd_per_usd / currency_per_usd`, each rounded once with
//! [`ROUNDING`](crate::money::ROUNDING) to the target's minor unit (USD 2 decimals, VND 0). A USD amount is its own `usd` exactly; a VND
//! amount is its own `vnd` exactly and `usd = amount / vnd_per_usd`. No intermediate value is rounded (the only
//! inexactness is `Decimal`'s 28 significant digits in a division).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use chrono::{Datelike, Months, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::ValidationError;
use crate::money::{CurrencyCode, MinorUnits, Money};

/// The vendored monthly table: `DATE` = `YYYY-MM`, one column per currency, units per 1 USD.
const MONTHLY_CSV: &str = include_str!("../data/fx/usd_to_xxx_by_month.csv");
/// The vendored yearly table: `DATE` = `YYYY`, same columns.
const YEARLY_CSV: &str = include_str!("../data/fx/usd_to_xxx_by_year.csv");

/// The span of time an exchange rate applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum RatePeriod {
    /// One calendar day.
    Day(NaiveDate),
    /// One calendar month (`month` is 1–12).
    Month {
        /// The year.
        year: i32,
        /// The month, 1–12.
        month: u32,
    },
    /// One calendar year.
    Year(i32),
}

impl RatePeriod {
    /// The month containing `date`.
    pub fn month_of(date: NaiveDate) -> RatePeriod {
        RatePeriod::Month { year: date.year(), month: date.month() }
    }

    /// The year containing `date`.
    pub fn year_of(date: NaiveDate) -> RatePeriod {
        RatePeriod::Year(date.year())
    }

    /// The first day of the period.
    ///
    /// A hand-built period that names no real day (month 13, a year beyond `chrono`'s range) is clamped to the
    /// nearest one; [`ExchangeRate::new`] rejects such periods, so no table holds one.
    pub fn start(&self) -> NaiveDate {
        match *self {
            RatePeriod::Day(date) => date,
            RatePeriod::Month { year, month } => first_day(year, month.clamp(1, 12)),
            RatePeriod::Year(year) => first_day(year, 1),
        }
    }

    /// True when `date` falls in the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        match *self {
            RatePeriod::Day(day) => day == date,
            RatePeriod::Month { year, month } => date.year() == year && date.month() == month,
            RatePeriod::Year(year) => date.year() == year,
        }
    }

    /// Parses `YYYY-MM-DD` (a day), `YYYY-MM` (a month) or `YYYY` (a year).
    ///
    /// Errors with field `period`, code `error-rate-period-invalid`.
    pub fn parse(s: &str) -> Result<RatePeriod, ValidationError> {
        let text = s.trim();
        let invalid = || {
            ValidationError::new(
                "period",
                "error-rate-period-invalid",
                format!("`{text}` is not a day (YYYY-MM-DD), month (YYYY-MM) or year (YYYY)"),
            )
        };
        let number = |part: &str, len: usize| {
            (part.len() == len && part.bytes().all(|b| b.is_ascii_digit())).then(|| part.parse::<u32>().ok()).flatten()
        };
        let parts: Vec<&str> = text.split('-').collect();
        let period = match parts.as_slice() {
            [y] => number(y, 4).and_then(|y| i32::try_from(y).ok()).map(RatePeriod::Year),
            [y, m] => match (number(y, 4).and_then(|y| i32::try_from(y).ok()), number(m, 2)) {
                (Some(year), Some(month)) => Some(RatePeriod::Month { year, month }),
                _ => None,
            },
            [_, _, _] => NaiveDate::parse_from_str(text, "%Y-%m-%d").ok().map(RatePeriod::Day),
            _ => None,
        };
        period.filter(RatePeriod::is_valid).ok_or_else(invalid)
    }

    /// True when the period names real days.
    fn is_valid(&self) -> bool {
        match *self {
            RatePeriod::Day(_) => true,
            RatePeriod::Month { year, month } => NaiveDate::from_ymd_opt(year, month, 1).is_some(),
            RatePeriod::Year(year) => NaiveDate::from_ymd_opt(year, 1, 1).is_some(),
        }
    }

    /// Day 2, Month 1, Year 0: the more specific, the higher.
    fn specificity(&self) -> u8 {
        match self {
            RatePeriod::Day(_) => 2,
            RatePeriod::Month { .. } => 1,
            RatePeriod::Year(_) => 0,
        }
    }
}

impl fmt::Display for RatePeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RatePeriod::Day(date) => write!(f, "{}", date.format("%Y-%m-%d")),
            RatePeriod::Month { year, month } => write!(f, "{year:04}-{month:02}"),
            RatePeriod::Year(year) => write!(f, "{year:04}"),
        }
    }
}

/// The first day of `month` in `year`, clamped into `chrono`'s range.
fn first_day(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(if year > 0 { NaiveDate::MAX } else { NaiveDate::MIN })
}

/// Where a rate came from; stored as `decision`, `entered`, `vendored_monthly` or `vendored_yearly`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RateSource {
    /// Fixed by the item's approval decision.
    #[serde(rename = "decision")]
    DecisionFixed,
    /// Entered or imported by an officer (e.g. the State Bank of Vietnam's central rate).
    #[serde(rename = "entered")]
    Entered,
    /// The vendored monthly table.
    #[serde(rename = "vendored_monthly")]
    VendoredMonthly,
    /// The vendored yearly table.
    #[serde(rename = "vendored_yearly")]
    VendoredYearly,
}

impl RateSource {
    /// The storage key: `decision`, `entered`, `vendored_monthly` or `vendored_yearly`.
    pub fn as_str(self) -> &'static str {
        match self {
            RateSource::DecisionFixed => "decision",
            RateSource::Entered => "entered",
            RateSource::VendoredMonthly => "vendored_monthly",
            RateSource::VendoredYearly => "vendored_yearly",
        }
    }

    /// Parses a storage key; errors with field `rate_source`, code `error-rate-source-unknown`.
    pub fn parse(s: &str) -> Result<RateSource, ValidationError> {
        match s.trim() {
            "decision" => Ok(RateSource::DecisionFixed),
            "entered" => Ok(RateSource::Entered),
            "vendored_monthly" => Ok(RateSource::VendoredMonthly),
            "vendored_yearly" => Ok(RateSource::VendoredYearly),
            other => Err(ValidationError::new(
                "rate_source",
                "error-rate-source-unknown",
                format!("`{other}` is not a rate source (decision, entered, vendored_monthly, vendored_yearly)"),
            )),
        }
    }

    /// How authoritative the source is, for ties in step 5 of the rule: decision 3 … vendored yearly 0.
    fn priority(self) -> u8 {
        match self {
            RateSource::DecisionFixed => 3,
            RateSource::Entered => 2,
            RateSource::VendoredMonthly => 1,
            RateSource::VendoredYearly => 0,
        }
    }
}

impl fmt::Display for RateSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Units of `currency` per 1 USD over `period`, from `source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct ExchangeRate {
    /// The currency priced against USD.
    pub currency: CurrencyCode,
    /// When the rate applies.
    pub period: RatePeriod,
    /// Units of `currency` for 1 USD, e.g. 23178 for VND in 2021-06.
    pub units_per_usd: Decimal,
    /// Where the rate came from.
    pub source: RateSource,
}

/// The USD rate: 1 USD per USD, by definition rather than from any table (its period and source carry no
/// information: the first day `chrono` knows, `entered`).
pub const USD_PAR: ExchangeRate = ExchangeRate {
    currency: CurrencyCode::USD,
    period: RatePeriod::Day(NaiveDate::MIN),
    units_per_usd: Decimal::ONE,
    source: RateSource::Entered,
};

impl ExchangeRate {
    /// A checked rate: `units_per_usd` must be > 0 (field `rate`, code `error-rate-not-positive`), the period must
    /// name real days (field `period`, code `error-rate-period-invalid`), and a USD rate must be exactly 1 (field
    /// `rate`, code `error-rate-usd-not-one`).
    pub fn new(
        currency: CurrencyCode,
        period: RatePeriod,
        units_per_usd: Decimal,
        source: RateSource,
    ) -> Result<Self, ValidationError> {
        if units_per_usd <= Decimal::ZERO {
            return Err(not_positive(currency, units_per_usd));
        }
        if !period.is_valid() {
            return Err(ValidationError::new(
                "period",
                "error-rate-period-invalid",
                format!("the rate period {period} names no real day"),
            ));
        }
        if currency == CurrencyCode::USD && units_per_usd != Decimal::ONE {
            return Err(ValidationError::new(
                "rate",
                "error-rate-usd-not-one",
                format!("a USD rate must be 1 USD per USD, not {units_per_usd}"),
            ));
        }
        Ok(ExchangeRate { currency, period, units_per_usd, source })
    }
}

/// The error for a rate of zero or less.
fn not_positive(currency: CurrencyCode, value: Decimal) -> ValidationError {
    ValidationError::new(
        "rate",
        "error-rate-not-positive",
        format!("a rate must be more than 0 {currency} per USD, not {value}"),
    )
}

/// Orders one currency's rates by period start, then specificity, then source priority (all ascending), so the
/// last entry at or before a date is the one step 5 of the rule wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct RateKey {
    start: NaiveDate,
    specificity: u8,
    priority: u8,
}

impl RateKey {
    fn new(period: RatePeriod, source: RateSource) -> RateKey {
        RateKey { start: period.start(), specificity: period.specificity(), priority: source.priority() }
    }
}

/// Many exchange rates, looked up with THE RULE (see the module documentation).
#[derive(Debug, Clone, Default)]
pub struct RateTable {
    by_currency: BTreeMap<CurrencyCode, BTreeMap<RateKey, ExchangeRate>>,
}

/// What loading the vendored tables found: rows read, rates kept, and everything skipped with its place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// Data rows read (headers excluded), both files together.
    pub rows_read: usize,
    /// Rates loaded into the table.
    pub rates_loaded: usize,
    /// Rows skipped whole, as (line number in its file, reason naming the file), e.g. the `undefin` row.
    pub rows_rejected: Vec<(usize, String)>,
    /// Single values skipped (unparseable, not positive, not representable), as (line number, reason).
    pub values_rejected: Vec<(usize, String)>,
    /// Columns skipped because their code is not in the IATI Currency codelist, e.g. legacy `DEM`.
    pub columns_ignored: Vec<String>,
}

/// The report of loading the vendored tables behind [`RateTable::embedded`].
pub fn embedded_load_report() -> &'static LoadReport {
    &embedded().1
}

/// The vendored tables and their load report, parsed once.
fn embedded() -> &'static (RateTable, LoadReport) {
    static EMBEDDED: OnceLock<(RateTable, LoadReport)> = OnceLock::new();
    EMBEDDED.get_or_init(|| {
        let mut table = RateTable::default();
        let mut report = LoadReport::default();
        load_vendored(&mut table, &mut report, "usd_to_xxx_by_month.csv", MONTHLY_CSV, RateSource::VendoredMonthly);
        load_vendored(&mut table, &mut report, "usd_to_xxx_by_year.csv", YEARLY_CSV, RateSource::VendoredYearly);
        (table, report)
    })
}

/// Loads one vendored table into `table`, recording every row, value and column it skips in `report`.
fn load_vendored(table: &mut RateTable, report: &mut LoadReport, file: &str, text: &str, source: RateSource) {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header = match reader.headers() {
        Ok(header) if header.get(0) == Some("DATE") => header.clone(),
        _ => {
            report.rows_rejected.push((1, format!("{file}: the header does not start with DATE; file skipped")));
            return;
        }
    };
    let columns: Vec<Option<CurrencyCode>> = header
        .iter()
        .skip(1)
        .map(|code| {
            let parsed = CurrencyCode::parse(code).ok();
            if parsed.is_none() {
                report.columns_ignored.push(format!("{file}: {code}"));
            }
            parsed
        })
        .collect();
    let expected_kind = if source == RateSource::VendoredYearly { "year (YYYY)" } else { "month (YYYY-MM)" };
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, |p| p.line() as usize);
                report.rows_rejected.push((line, format!("{file}: unreadable row: {error}")));
                continue;
            }
        };
        report.rows_read += 1;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let date = record.get(0).unwrap_or_default();
        let period = RatePeriod::parse(date).ok().filter(|p| match source {
            RateSource::VendoredYearly => matches!(p, RatePeriod::Year(_)),
            _ => matches!(p, RatePeriod::Month { .. }),
        });
        let Some(period) = period else {
            report.rows_rejected.push((line, format!("{file}: date `{date}` is not a {expected_kind}; row skipped")));
            continue;
        };
        if record.len() > header.len() {
            report
                .values_rejected
                .push((line, format!("{file}: {} fields beyond the header skipped", record.len() - header.len())));
        }
        for (value, column) in record.iter().skip(1).zip(&columns) {
            let (false, Some(currency)) = (value.is_empty(), column) else {
                continue;
            };
            match parse_rate_text(value).map(|rate| ExchangeRate::new(*currency, period, rate, source)) {
                Some(Ok(rate)) => {
                    table.insert(rate);
                    report.rates_loaded += 1;
                }
                Some(Err(error)) => {
                    report.values_rejected.push((line, format!("{file}: {currency} {period}: {}", error.message)));
                }
                None => report.values_rejected.push((
                    line,
                    format!("{file}: {currency} {period}: `{value}` is not a decimal number Decimal can hold exactly"),
                )),
            }
        }
    }
}

/// Parses a rate straight from its text into a `Decimal`, exactly: plain (`0.8571399999999999`) or scientific
/// (`2.85617e-14`); `None` for anything else or anything that would need rounding (more than 28 decimals).
fn parse_rate_text(text: &str) -> Option<Decimal> {
    // rust_decimal's own parser also takes `_` separators; a rate file never should.
    if !text.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+')) {
        return None;
    }
    match text.split_once(['e', 'E']) {
        // Check the mantissa is exact first: `from_scientific` would silently round a long one.
        Some((mantissa, _)) => Decimal::from_str_exact(mantissa).ok().and_then(|_| Decimal::from_scientific(text).ok()),
        None => Decimal::from_str_exact(text).ok(),
    }
}

impl RateTable {
    /// The vendored monthly and yearly tables (sources `vendored_monthly`, `vendored_yearly`), parsed once from
    /// the compiled-in files; undatable rows and unparseable values are skipped and listed in
    /// [`embedded_load_report`].
    pub fn embedded() -> &'static RateTable {
        &embedded().0
    }

    /// The report of loading [`RateTable::embedded`]: the same as the free function [`embedded_load_report`].
    pub fn embedded_load_report() -> &'static LoadReport {
        embedded_load_report()
    }

    /// A copy of `base` with `entered` rates added (each under its own period and source; a rate with the same
    /// currency, period and source as an existing one replaces it).
    pub fn with_overrides(base: &RateTable, entered: impl IntoIterator<Item = ExchangeRate>) -> RateTable {
        let mut table = base.clone();
        for rate in entered {
            table.insert(rate);
        }
        table
    }

    /// Adds a rate, returning the one it replaced (same currency, period and source), if any.
    pub fn insert(&mut self, rate: ExchangeRate) -> Option<ExchangeRate> {
        self.by_currency.entry(rate.currency).or_default().insert(RateKey::new(rate.period, rate.source), rate)
    }

    /// How many rates the table holds.
    pub fn len(&self) -> usize {
        self.by_currency.values().map(BTreeMap::len).sum()
    }

    /// True when the table holds no rate.
    pub fn is_empty(&self) -> bool {
        self.by_currency.values().all(BTreeMap::is_empty)
    }

    /// Every rate, by currency, then period start, specificity and source.
    pub fn iter(&self) -> impl Iterator<Item = &ExchangeRate> {
        self.by_currency.values().flat_map(BTreeMap::values)
    }

    /// The rate of `currency` for a flow on `on`, by steps 2–6 of THE RULE (module documentation): entered rate
    /// for the day, month or year; vendored monthly; vendored yearly; most recent rate starting within the 12
    /// months before; else an error with field `rate`, code `error-rate-missing`. USD is always [`USD_PAR`].
    pub fn rate_for(&self, currency: CurrencyCode, on: NaiveDate) -> Result<&ExchangeRate, ValidationError> {
        if currency == CurrencyCode::USD {
            return Ok(&USD_PAR);
        }
        let missing = || {
            ValidationError::new(
                "rate",
                "error-rate-missing",
                format!(
                    "no exchange rate for {currency} on {}: no entered, monthly or yearly rate, and none in the 12 months before; enter one",
                    on.format("%Y-%m-%d")
                ),
            )
        };
        let rates = self.by_currency.get(&currency).ok_or_else(missing)?;
        let get = |period: RatePeriod, source: RateSource| rates.get(&RateKey::new(period, source));
        let (day, month, year) = (RatePeriod::Day(on), RatePeriod::month_of(on), RatePeriod::year_of(on));
        let entered = [day, month, year]
            .into_iter()
            .flat_map(|period| [RateSource::DecisionFixed, RateSource::Entered].map(|source| (period, source)));
        let in_rule_order = entered.chain([(month, RateSource::VendoredMonthly), (year, RateSource::VendoredYearly)]);
        if let Some(rate) = in_rule_order.filter_map(|(period, source)| get(period, source)).next() {
            return Ok(rate);
        }
        // Step 5: only periods starting on or before D can be "earlier"; a period containing D was tried above.
        let floor = on.checked_sub_months(Months::new(12)).unwrap_or(NaiveDate::MIN);
        let low = RateKey { start: floor, specificity: 0, priority: 0 };
        let high = RateKey { start: on, specificity: u8::MAX, priority: u8::MAX };
        rates.range(low..=high).next_back().map(|(_, rate)| rate).ok_or_else(missing)
    }
}

/// The converted values stored beside every amount.
///
/// `rate_date` and `source` describe the rate used: for a USD or VND amount, the VND rate; for any other
/// currency, whichever of its two rates (currency per USD, VND per USD) is staler, i.e. has the earlier
/// `rate_date`, and on the same date the less authoritative source, so that a fallback is never hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Conversion {
    /// The amount in US cents.
    pub usd: MinorUnits,
    /// The amount in đồng.
    pub vnd: MinorUnits,
    /// Units of the amount's currency per USD used (1 for USD, `vnd_per_usd` for VND).
    pub currency_per_usd: Decimal,
    /// VND per USD used.
    pub vnd_per_usd: Decimal,
    /// Start of the period of the rate used (the value date itself for a rate fixed by decision).
    pub rate_date: NaiveDate,
    /// Source of the rate used.
    pub source: RateSource,
}

/// One resolved rate of a conversion.
#[derive(Debug, Clone, Copy)]
struct Leg {
    per_usd: Decimal,
    rate_date: NaiveDate,
    source: RateSource,
}

impl Leg {
    /// Step 1 of the rule: a rate fixed by the approval decision, dated on the value date.
    fn fixed(currency: CurrencyCode, value: Decimal, on: NaiveDate) -> Result<Leg, ValidationError> {
        if value <= Decimal::ZERO {
            return Err(not_positive(currency, value));
        }
        Ok(Leg { per_usd: value, rate_date: on, source: RateSource::DecisionFixed })
    }

    /// Step 1 when `fixed` is given, else steps 2–6 on `table`.
    fn resolve(
        currency: CurrencyCode,
        fixed: Option<Decimal>,
        on: NaiveDate,
        table: &RateTable,
    ) -> Result<Leg, ValidationError> {
        match fixed {
            Some(value) => Leg::fixed(currency, value, on),
            None => {
                let rate = table.rate_for(currency, on)?;
                Ok(Leg { per_usd: rate.units_per_usd, rate_date: rate.period.start(), source: rate.source })
            }
        }
    }

    /// The staler of two legs: earlier date, then less authoritative source.
    fn staler(self, other: Leg) -> Leg {
        if (other.rate_date, other.source.priority()) < (self.rate_date, self.source.priority()) { other } else { self }
    }
}

/// Converts `money` on value date `on` to USD and VND by THE RULE (module documentation).
///
/// `fixed_vnd_per_usd` and `fixed_currency_per_usd` are rates fixed by the item's approval decision (step 1);
/// either must be > 0 (`error-rate-not-positive`). For a USD amount a fixed currency rate must be 1
/// (`error-rate-usd-not-one`); for a VND amount either argument fixes the VND rate, and two different values are
/// `error-rate-conflict`. Missing rates are `error-rate-missing`; results beyond `i64` minor units are
/// `error-amount-overflow`.
pub fn convert(
    money: &Money,
    on: NaiveDate,
    table: &RateTable,
    fixed_vnd_per_usd: Option<Decimal>,
    fixed_currency_per_usd: Option<Decimal>,
) -> Result<Conversion, ValidationError> {
    let overflow =
        || ValidationError::new("amount", "error-amount-overflow", "the converted amount is too large to store");
    let amount = money.to_decimal();
    let (usd, vnd, currency_per_usd, vnd_leg, reported) = match money.currency {
        CurrencyCode::USD => {
            if let Some(fixed) = fixed_currency_per_usd.filter(|f| *f != Decimal::ONE) {
                return Err(ValidationError::new(
                    "rate",
                    "error-rate-usd-not-one",
                    format!("a USD amount converts at 1 USD per USD, not {fixed}"),
                ));
            }
            let vnd_leg = Leg::resolve(CurrencyCode::VND, fixed_vnd_per_usd, on, table)?;
            let vnd = amount.checked_mul(vnd_leg.per_usd).ok_or_else(overflow)?;
            (money.amount, to_minor(vnd, CurrencyCode::VND)?, Decimal::ONE, vnd_leg, vnd_leg)
        }
        CurrencyCode::VND => {
            let fixed = match (fixed_vnd_per_usd, fixed_currency_per_usd) {
                (Some(a), Some(b)) if a != b => {
                    return Err(ValidationError::new(
                        "rate",
                        "error-rate-conflict",
                        format!("two different fixed VND rates for a VND amount: {a} and {b}"),
                    ));
                }
                (a, b) => a.or(b),
            };
            let vnd_leg = Leg::resolve(CurrencyCode::VND, fixed, on, table)?;
            let usd = amount.checked_div(vnd_leg.per_usd).ok_or_else(overflow)?;
            (to_minor(usd, CurrencyCode::USD)?, money.amount, vnd_leg.per_usd, vnd_leg, vnd_leg)
        }
        currency => {
            let currency_leg = Leg::resolve(currency, fixed_currency_per_usd, on, table)?;
            let vnd_leg = Leg::resolve(CurrencyCode::VND, fixed_vnd_per_usd, on, table)?;
            let usd = amount.checked_div(currency_leg.per_usd).ok_or_else(overflow)?;
            // Multiply before dividing so the only inexact step is the one division.
            let vnd = amount
                .checked_mul(vnd_leg.per_usd)
                .and_then(|v| v.checked_div(currency_leg.per_usd))
                .ok_or_else(overflow)?;
            let reported = currency_leg.staler(vnd_leg);
            (
                to_minor(usd, CurrencyCode::USD)?,
                to_minor(vnd, CurrencyCode::VND)?,
                currency_leg.per_usd,
                vnd_leg,
                reported,
            )
        }
    };
    Ok(Conversion {
        usd,
        vnd,
        currency_per_usd,
        vnd_per_usd: vnd_leg.per_usd,
        rate_date: reported.rate_date,
        source: reported.source,
    })
}

/// Rounds once with `ROUNDING` to `currency`'s minor unit.
fn to_minor(value: Decimal, currency: CurrencyCode) -> Result<MinorUnits, ValidationError> {
    Money::from_decimal(value, currency).map(|m| m.amount)
}

impl FromStr for RateSource {
    type Err = ValidationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn rate(currency: CurrencyCode, period: &str, value: &str, source: RateSource) -> ExchangeRate {
        ExchangeRate::new(currency, RatePeriod::parse(period).unwrap(), dec(value), source).unwrap()
    }

    fn vendored_vnd(on: &str) -> Decimal {
        RateTable::embedded().rate_for(CurrencyCode::VND, date(on)).unwrap().units_per_usd
    }

    #[test]
    fn the_vendored_tables_load_and_report_what_they_skipped() {
        let report = embedded_load_report();
        assert_eq!(report.rows_read, 1022 + 87);
        assert_eq!(report.rows_rejected.len(), 2, "{:?}", report.rows_rejected);
        assert!(report.rows_rejected[0].1.contains("`undefin`"));
        assert_eq!(report.rows_rejected[0].0, 1023);
        assert!(report.rows_rejected[1].1.contains("`unde`"));
        assert_eq!(report.rates_loaded, RateTable::embedded().len());
        assert_eq!(report.rates_loaded, 117_284);
        assert_eq!(report.columns_ignored.len(), 2 * 25, "legacy codes such as DEM, in both files");
        assert!(report.columns_ignored.iter().any(|c| c.ends_with(": DEM")));
        // Six 1958–1962 BRL and CDF yearly values would need more than 28 decimals.
        assert_eq!(report.values_rejected.len(), 6, "{:?}", report.values_rejected);
    }

    #[test]
    fn vendored_vnd_rates_match_the_readme_spot_checks() {
        assert_eq!(vendored_vnd("2019-06-15"), dec("23066"));
        assert_eq!(vendored_vnd("2021-06-15"), dec("23178"));
        assert_eq!(vendored_vnd("2023-06-15"), dec("23758"));
        let r = RateTable::embedded().rate_for(CurrencyCode::VND, date("2024-09-30")).unwrap();
        assert_eq!((r.units_per_usd, r.source), (dec("24093"), RateSource::VendoredMonthly));
    }

    #[test]
    fn scientific_and_long_values_parse_straight_into_decimal() {
        assert_eq!(parse_rate_text("0.8571399999999999"), Some(dec("0.8571399999999999")));
        assert_eq!(parse_rate_text("2.85617e-14"), Some(dec("0.0000000000000285617")));
        assert_eq!(parse_rate_text("1.2E3"), Some(dec("1200")));
        assert_eq!(parse_rate_text("1.234567890123456e-20"), None, "would need 35 decimals");
        assert_eq!(parse_rate_text("1_000"), None);
        assert_eq!(parse_rate_text("abc"), None);
        let usd_1940 = RateTable::embedded().rate_for(CurrencyCode::USD, date("1940-06-01")).unwrap();
        assert_eq!(usd_1940.units_per_usd, Decimal::ONE);
    }

    #[test]
    fn one_thousand_usd_in_june_2021_is_23_178_000_dong() {
        let c = convert(
            &Money::from_minor(100_000, CurrencyCode::USD),
            date("2021-06-15"),
            RateTable::embedded(),
            None,
            None,
        )
        .unwrap();
        assert_eq!(c.usd, MinorUnits(100_000));
        assert_eq!(c.vnd, MinorUnits(23_178_000));
        assert_eq!((c.rate_date, c.source), (date("2021-06-01"), RateSource::VendoredMonthly));
    }

    #[test]
    fn a_rate_must_be_positive() {
        for bad in ["0", "-1"] {
            let e = ExchangeRate::new(CurrencyCode::EUR, RatePeriod::Year(2024), dec(bad), RateSource::Entered)
                .unwrap_err();
            assert_eq!((e.field.as_str(), e.code), ("rate", "error-rate-not-positive"));
        }
        let m = Money::from_minor(100, CurrencyCode::EUR);
        let e = convert(&m, date("2024-01-01"), &RateTable::default(), Some(dec("0")), Some(dec("1"))).unwrap_err();
        assert_eq!(e.code, "error-rate-not-positive");
    }

    #[test]
    fn a_usd_rate_other_than_one_is_refused() {
        let e =
            ExchangeRate::new(CurrencyCode::USD, RatePeriod::Year(2024), dec("1.1"), RateSource::Entered).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("rate", "error-rate-usd-not-one"));
        let m = Money::from_minor(100, CurrencyCode::USD);
        let e = convert(&m, date("2024-01-01"), RateTable::embedded(), None, Some(dec("2"))).unwrap_err();
        assert_eq!(e.code, "error-rate-usd-not-one");
    }

    #[test]
    fn periods_parse_display_and_contain_their_days() {
        assert_eq!(RatePeriod::parse("2024-09").unwrap(), RatePeriod::Month { year: 2024, month: 9 });
        assert_eq!(RatePeriod::parse("2024").unwrap(), RatePeriod::Year(2024));
        assert_eq!(RatePeriod::parse("2024-02-29").unwrap(), RatePeriod::Day(date("2024-02-29")));
        for bad in ["undefin", "unde", "2024-13", "2023-02-29", "24-09", "2024-9", ""] {
            let e = RatePeriod::parse(bad).unwrap_err();
            assert_eq!((e.field.as_str(), e.code), ("period", "error-rate-period-invalid"), "{bad}");
        }
        let sep = RatePeriod::Month { year: 2024, month: 9 };
        assert_eq!(sep.to_string(), "2024-09");
        assert_eq!(sep.start(), date("2024-09-01"));
        assert!(sep.contains(date("2024-09-30")) && !sep.contains(date("2024-10-01")));
        assert!(RatePeriod::Year(2024).contains(date("2024-12-31")));
        let e = ExchangeRate::new(
            CurrencyCode::EUR,
            RatePeriod::Month { year: 2024, month: 13 },
            dec("1"),
            RateSource::Entered,
        )
        .unwrap_err();
        assert_eq!(e.code, "error-rate-period-invalid");
    }

    #[test]
    fn rate_sources_round_trip_through_their_storage_keys() {
        for s in
            [RateSource::DecisionFixed, RateSource::Entered, RateSource::VendoredMonthly, RateSource::VendoredYearly]
        {
            assert_eq!(RateSource::parse(s.as_str()).unwrap(), s);
        }
        let e = RateSource::parse("guess").unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("rate_source", "error-rate-source-unknown"));
    }

    #[test]
    fn rule_step_1_a_rate_fixed_by_the_decision_wins() {
        let m = Money::from_minor(100_000, CurrencyCode::EUR);
        let c = convert(&m, date("2021-06-15"), RateTable::embedded(), Some(dec("25000")), Some(dec("0.8"))).unwrap();
        assert_eq!(c.usd, MinorUnits(125_000));
        assert_eq!(c.vnd, MinorUnits(31_250_000));
        assert_eq!((c.rate_date, c.source), (date("2021-06-15"), RateSource::DecisionFixed));
        let v = convert(
            &Money::from_minor(25_000_000, CurrencyCode::VND),
            date("2030-01-01"),
            &RateTable::default(),
            None,
            Some(dec("25000")),
        )
        .unwrap();
        assert_eq!((v.usd, v.vnd), (MinorUnits(100_000), MinorUnits(25_000_000)));
        let e = convert(
            &Money::from_minor(1, CurrencyCode::VND),
            date("2030-01-01"),
            &RateTable::default(),
            Some(dec("1")),
            Some(dec("2")),
        )
        .unwrap_err();
        assert_eq!(e.code, "error-rate-conflict");
    }

    #[test]
    fn rule_step_2_entered_rates_beat_vendored_ones_day_before_month_before_year() {
        let vnd = CurrencyCode::VND;
        let table = RateTable::with_overrides(
            RateTable::embedded(),
            [
                rate(vnd, "2021", "20000", RateSource::Entered),
                rate(vnd, "2021-06", "21000", RateSource::Entered),
                rate(vnd, "2021-06-15", "22000", RateSource::Entered),
            ],
        );
        assert_eq!(table.len(), RateTable::embedded().len() + 3);
        let at = |d: &str| table.rate_for(vnd, date(d)).unwrap().units_per_usd;
        assert_eq!(at("2021-06-15"), dec("22000"));
        assert_eq!(at("2021-06-16"), dec("21000"));
        assert_eq!(at("2021-07-01"), dec("20000"));
        assert_eq!(at("2022-07-01"), vendored_vnd("2022-07-01"));
    }

    #[test]
    fn rule_steps_3_and_4_monthly_before_yearly() {
        let vnd = CurrencyCode::VND;
        let mut table = RateTable::default();
        table.insert(rate(vnd, "2020-01", "23000", RateSource::VendoredMonthly));
        table.insert(rate(vnd, "2020", "23200", RateSource::VendoredYearly));
        assert_eq!(table.rate_for(vnd, date("2020-01-31")).unwrap().units_per_usd, dec("23000"));
        let year = table.rate_for(vnd, date("2020-02-01")).unwrap();
        assert_eq!((year.units_per_usd, year.source), (dec("23200"), RateSource::VendoredYearly));
        let y2024 = RateTable::embedded().rate_for(vnd, date("2024-12-15")).unwrap();
        assert_eq!((y2024.period, y2024.source), (RatePeriod::Year(2024), RateSource::VendoredYearly));
        assert_eq!(y2024.units_per_usd, dec("24148.333333333332"));
    }

    #[test]
    fn rule_step_5_falls_back_to_the_latest_rate_of_the_12_months_before() {
        let vnd = CurrencyCode::VND;
        let r = RateTable::embedded().rate_for(vnd, date("2025-03-10")).unwrap();
        assert_eq!((r.period, r.units_per_usd), (RatePeriod::Month { year: 2024, month: 9 }, dec("24093")));
        let c = convert(
            &Money::from_minor(100_000, CurrencyCode::USD),
            date("2025-03-10"),
            RateTable::embedded(),
            None,
            None,
        )
        .unwrap();
        assert_eq!(
            (c.vnd, c.rate_date, c.source),
            (MinorUnits(24_093_000), date("2024-09-01"), RateSource::VendoredMonthly)
        );
        let table =
            RateTable::with_overrides(RateTable::embedded(), [rate(vnd, "2025-01-02", "25000", RateSource::Entered)]);
        assert_eq!(table.rate_for(vnd, date("2025-03-10")).unwrap().units_per_usd, dec("25000"));
        assert!(RateTable::embedded().rate_for(vnd, date("2025-09-01")).is_ok());
        assert!(
            RateTable::embedded().rate_for(vnd, date("2025-09-02")).is_err(),
            "2024-09-01 is over 12 months before"
        );
    }

    #[test]
    fn rule_step_6_no_rate_is_error_rate_missing_naming_currency_and_date() {
        let e = RateTable::embedded().rate_for(CurrencyCode::VND, date("2026-01-15")).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("rate", "error-rate-missing"));
        assert!(e.message.contains("VND") && e.message.contains("2026-01-15"), "{}", e.message);
        let e =
            convert(&Money::from_minor(1, CurrencyCode::EUR), date("2020-01-01"), &RateTable::default(), None, None)
                .unwrap_err();
        assert_eq!(e.code, "error-rate-missing");
    }

    #[test]
    fn usd_is_always_one_even_in_an_empty_table() {
        let empty = RateTable::default();
        let r = empty.rate_for(CurrencyCode::USD, date("2099-01-01")).unwrap();
        assert_eq!(r.units_per_usd, Decimal::ONE);
    }

    #[test]
    fn other_currencies_convert_through_usd_and_report_the_staler_rate() {
        let (eur, vnd) = (CurrencyCode::EUR, CurrencyCode::VND);
        let mut table = RateTable::default();
        table.insert(rate(eur, "2024-12", "0.9", RateSource::VendoredMonthly));
        table.insert(rate(vnd, "2024", "24000", RateSource::VendoredYearly));
        let c = convert(&Money::from_minor(100, eur), date("2024-12-10"), &table, None, None).unwrap();
        // 1 EUR = 1/0.9 USD = 1.111… → 1.11 USD; VND = 24000/0.9 = 26666.67 → 26667.
        assert_eq!((c.usd, c.vnd), (MinorUnits(111), MinorUnits(26_667)));
        assert_eq!((c.currency_per_usd, c.vnd_per_usd), (dec("0.9"), dec("24000")));
        assert_eq!((c.rate_date, c.source), (date("2024-01-01"), RateSource::VendoredYearly));
    }

    #[test]
    fn vnd_amounts_keep_their_dong_and_convert_to_usd() {
        let c = convert(
            &Money::from_minor(23_178_000, CurrencyCode::VND),
            date("2021-06-15"),
            RateTable::embedded(),
            None,
            None,
        )
        .unwrap();
        assert_eq!((c.usd, c.vnd, c.currency_per_usd), (MinorUnits(100_000), MinorUnits(23_178_000), dec("23178")));
    }

    #[test]
    fn conversion_overflow_is_an_error_not_a_wrap() {
        let mut table = RateTable::default();
        table.insert(rate(CurrencyCode::EUR, "2024", "0.0000000001", RateSource::Entered));
        table.insert(rate(CurrencyCode::VND, "2024", "25000", RateSource::Entered));
        let e = convert(&Money::from_minor(i64::MAX, CurrencyCode::EUR), date("2024-05-05"), &table, None, None)
            .unwrap_err();
        assert_eq!(e.code, "error-amount-overflow");
    }

    fn half_table() -> RateTable {
        let mut table = RateTable::default();
        table.insert(rate(CurrencyCode::EUR, "2024", "0.9234567", RateSource::Entered));
        table.insert(rate(CurrencyCode::VND, "2024", "24148.333333333332", RateSource::Entered));
        table
    }

    proptest! {
        #[test]
        fn converting_usd_to_usd_is_the_identity(minor in -1_000_000_000_000_i64..1_000_000_000_000) {
            let m = Money::from_minor(minor, CurrencyCode::USD);
            let c = convert(&m, date("2024-06-01"), &half_table(), None, None).unwrap();
            prop_assert_eq!(c.usd, m.amount);
            prop_assert_eq!(c.currency_per_usd, Decimal::ONE);
        }

        // Each conversion rounds once, by at most half a minor unit; the sum of n conversions is therefore within
        // n/2 of the exact total, and the conversion of the sum within 1/2: together |diff| ≤ (n + 1) / 2 minor
        // units, i.e. 2·|diff| ≤ n + 1.
        #[test]
        fn converting_a_sum_matches_the_sum_of_conversions_within_half_a_unit_per_term(
            terms in proptest::collection::vec(0_i64..10_000_000_000, 1..20),
            pick in 0usize..3,
        ) {
            let currency = [CurrencyCode::EUR, CurrencyCode::VND, CurrencyCode::USD][pick];
            let table = half_table();
            let on = date("2024-06-01");
            let n = i64::try_from(terms.len()).unwrap();
            let each: Vec<Conversion> = terms.iter()
                .map(|&t| convert(&Money::from_minor(t, currency), on, &table, None, None).unwrap()).collect();
            let total = MinorUnits::try_sum(terms.iter().copied().map(MinorUnits)).unwrap();
            let whole = convert(&Money { amount: total, currency }, on, &table, None, None).unwrap();
            let usd_sum = MinorUnits::try_sum(each.iter().map(|c| c.usd)).unwrap();
            let vnd_sum = MinorUnits::try_sum(each.iter().map(|c| c.vnd)).unwrap();
            prop_assert!(2 * (whole.usd.0 - usd_sum.0).abs() <= n + 1, "usd {} vs {}", whole.usd.0, usd_sum.0);
            prop_assert!(2 * (whole.vnd.0 - vnd_sum.0).abs() <= n + 1, "vnd {} vs {}", whole.vnd.0, vnd_sum.0);
        }
    }
}
