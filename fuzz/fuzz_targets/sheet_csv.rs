//! Fuzz target `sheet_csv`: arbitrary bytes as an uploaded CSV file, through `sheet::read_csv` and the rest of
//! the import preview (suggested mapping, row parsing with Vietnamese numbers and dates); the form's defaults
//! are preset when the last byte is odd.
//!
//! It owns nothing but the call: it must not check results; only a panic or a crash is a finding.

#![no_main]

use libfuzzer_sys::fuzz_target;
use vientro_interchange::sheet;

fuzz_target!(|data: &[u8]| {
    let preset = data.last().is_some_and(|b| b % 2 == 1);
    vientro_fuzz::preview(sheet::read_csv(data), preset);
});
