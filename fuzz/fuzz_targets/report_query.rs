//! Fuzz target `report_query`: a report request as the API's query string carries it, one `key=value` per
//! line (`measures=committed_usd,disbursed_usd`, `by=year,province`, `where=province=04|06` (may repeat),
//! `from=2016`, `to=2021`, `as_of=30/06/2021`; other keys ignored, as the API does), through
//! `ReportQueryInput::parse`; a parsed query is also serialised as the API returns it.
//!
//! It owns nothing but the call: it must not check results; only a panic or a crash is a finding.

#![no_main]

use libfuzzer_sys::fuzz_target;
use vientro_domain::report::ReportQueryInput;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut input = ReportQueryInput::default();
    for line in text.split('\n') {
        let (key, value) = line.split_once('=').unwrap_or((line, ""));
        let value = value.to_owned();
        match key {
            "measures" => input.measures = value,
            "by" => input.by = value,
            "where" => input.filters.push(value),
            "from" => input.from = Some(value),
            "to" => input.to = Some(value),
            "as_of" => input.as_of = Some(value),
            _ => {}
        }
    }
    match input.parse() {
        Ok(query) => {
            let _ = serde_json::to_string(&query);
        }
        Err(errors) => {
            let _ = errors.to_string();
        }
    }
});
