//! Fuzz target `iati_reader`: arbitrary bytes as an IATI activity file, through the streaming reader the
//! importer uses (`vientro_interchange::iati::read_activities`), then the problems report an officer downloads.
//!
//! It owns nothing but the call: it must not check results, because the reader's contract is only that it
//! never panics and reports whatever goes wrong as problems.

#![no_main]

use libfuzzer_sys::fuzz_target;
use vientro_interchange::iati;

fuzz_target!(|data: &[u8]| {
    let mut activities = 0_usize;
    // A small buffer so that element boundaries fall across refills, as they do in a large file.
    let reader = std::io::BufReader::with_capacity(64, data);
    let summary = iati::read_activities("fuzz.xml", reader, |activity| {
        activities += 1;
        let _ = format!("{activity:?}");
    });
    let _ = iati::problems_csv(&summary.problems);
});
