//! Fuzz target `vn_numbers_dates`: arbitrary text through every parser of numbers, amounts, percentages,
//! currencies, dates and periods as Vietnamese officers write them (`1.441.700`, `53,9 tỷ đồng`, `33,33 %`,
//! `15/10/2010`, `2021-06`), plus the text keys they are compared with; the 8 first bytes also as an Excel
//! number cell.
//!
//! It owns nothing but the calls: it must not check results; only a panic or a crash is a finding.

#![no_main]

use libfuzzer_sys::fuzz_target;
use vientro_domain::date::parse_date;
use vientro_domain::fx::RatePeriod;
use vientro_domain::money::{CurrencyCode, Money};
use vientro_domain::report::parse_period_bound;
use vientro_domain::split::Share;
use vientro_domain::text;
use vientro_interchange::sheet;

fuzz_target!(|data: &[u8]| {
    if let Some(bytes) = data.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok()) {
        let cell = f64::from_le_bytes(bytes);
        let _ = sheet::excel_number(cell);
        for currency in [CurrencyCode::VND, CurrencyCode::USD, CurrencyCode::parse("KWD").unwrap_or(CurrencyCode::EUR)]
        {
            let _ = sheet::amount_from_excel(cell, currency);
        }
    }
    let Ok(s) = std::str::from_utf8(data) else { return };

    if let Ok(amount) = sheet::parse_amount_vi(s) {
        for currency in [CurrencyCode::VND, CurrencyCode::USD] {
            if let Ok(fitted) = sheet::fit_to_currency(amount.value, amount.currency.unwrap_or(currency)) {
                let _ = Money::from_decimal(fitted, currency);
            }
        }
    }
    let _ = sheet::amount_unit_in_header(s);
    let _ = sheet::normalise_currency(s);
    let _ = sheet::normalise_status(s);
    let _ = sheet::normalise_approval_level(s);
    let _ = sheet::normalise_organisation_kind(s);
    for currency in [CurrencyCode::VND, CurrencyCode::USD] {
        let _ = Money::parse(s, currency);
    }
    let _ = CurrencyCode::parse(s);
    let _ = Share::parse_percent(s);

    let _ = parse_date("date", s);
    let _ = parse_period_bound("from", s, false);
    let _ = parse_period_bound("to", s, true);
    if let Ok(period) = RatePeriod::parse(s) {
        let _ = (period.start(), period.to_string());
    }

    let _ = text::fold(s);
    let _ = text::sort_key(s);
    let _ = text::lower_first(s);
});
