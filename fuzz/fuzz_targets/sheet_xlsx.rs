//! Fuzz target `sheet_xlsx`: an uploaded workbook through `sheet::read_xlsx` and the rest of the import
//! preview. The first byte picks the shape: even, the remaining bytes are the whole file (any format
//! calamine recognises, or garbage); odd, they replace one part of the product's own template (byte / 2 picks
//! which), zipped uncompressed, so that mutations reach the worksheet, shared-strings and styles XML. From
//! 128 up, the sheet is asked for by name (`--sheet` of the CLI), `Huong dan` without its diacritics. The import
//! form's defaults are preset when the last byte is odd.
//!
//! It owns nothing but the call: it must not check results; only a panic or a crash is a finding.

#![no_main]

use libfuzzer_sys::fuzz_target;
use vientro_interchange::sheet;

fuzz_target!(|data: &[u8]| {
    // read_xlsx catches calamine's panics and returns an error: those are not findings (see the helper).
    vientro_fuzz::let_caught_dependency_panics_unwind();
    let Some((&shape, rest)) = data.split_first() else { return };
    let bytes =
        if shape % 2 == 0 { rest.to_vec() } else { vientro_fuzz::workbook_with_part(usize::from(shape / 2), rest) };
    // The CLI's `--sheet NAME` (looked up diacritic-insensitively) for shapes 128 and above, the first sheet else.
    let wanted = (shape >= 128).then_some("Huong dan");
    let preset = data.last().is_some_and(|b| b % 2 == 1);
    vientro_fuzz::preview(sheet::read_xlsx(&bytes, wanted), preset);
});
