//! Helpers shared by the fuzz targets: the sheet import pipeline as the web page and the CLI run it, and
//! building a real workbook around one fuzzed part so that mutations reach calamine's XML parsing instead of
//! dying in the zip layer.
//!
//! This crate owns no product behaviour: every helper only calls vientro's public API and throws the results
//! away. It must not catch panics or check results: a fuzz target fails only by panicking or crashing, and a
//! returned error is a correct answer.

use std::io::{Cursor, Read, Write};
use std::sync::OnceLock;

use vientro_interchange::sheet::{self, Lang, RawSheet, RowDefaults, SheetError};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// What an officer may preset on the import form, to run the rows once more with non-empty defaults.
fn form_defaults() -> RowDefaults {
    RowDefaults {
        kind: Some("dự án".to_owned()),
        status: None,
        currency: Some("VNĐ".to_owned()),
        donor_kind: Some("foreign_ngo".to_owned()),
        province: Some("Cao Bằng".to_owned()),
        approval_level: Some("tỉnh".to_owned()),
    }
}

/// Runs a read sheet through the rest of the import preview: suggested mapping, row parsing (with the
/// import form's defaults preset when `preset` is true, as an officer may; empty otherwise), and every message
/// an officer would see.
pub fn preview(read: Result<RawSheet, SheetError>, preset: bool) {
    let raw = match read {
        Ok(raw) => raw,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let mapping = sheet::suggest_mapping(&raw.headers);
    // One pass only: row parsing looks every place name up, so a second pass would halve the executions.
    let defaults = if preset { form_defaults() } else { RowDefaults::default() };
    match sheet::parse_rows(&raw, &mapping, &defaults) {
        Ok(preview) => {
            let _ = preview.bad_lines();
            for error in &preview.bad {
                let _ = error.to_string();
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

/// The parts (name, bytes) of the Vietnamese import template, read once.
pub fn template_parts() -> &'static [(String, Vec<u8>)] {
    static PARTS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    PARTS.get_or_init(|| {
        let Ok(bytes) = sheet::template_xlsx(Lang::Vi) else { return Vec::new() };
        let Ok(mut archive) = ZipArchive::new(Cursor::new(bytes)) else { return Vec::new() };
        let mut parts = Vec::new();
        for i in 0..archive.len() {
            let Ok(mut file) = archive.by_index(i) else { continue };
            let Ok(name) = file.name().map(std::borrow::Cow::into_owned) else { continue };
            let mut content = Vec::new();
            if file.read_to_end(&mut content).is_ok() {
                parts.push((name, content));
            }
        }
        parts
    })
}

/// The template's parts with the one at `index` (modulo their number) replaced by `content`, zipped without
/// compression: a workbook that is well formed except, possibly, for that one part.
pub fn workbook_with_part(index: usize, content: &[u8]) -> Vec<u8> {
    let parts = template_parts();
    let replaced = if parts.is_empty() { usize::MAX } else { index % parts.len() };
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for (i, (name, bytes)) in parts.iter().enumerate() {
        let body: &[u8] = if i == replaced { content } else { bytes };
        if writer.start_file(name.as_str(), options).is_err() || writer.write_all(body).is_err() {
            break;
        }
    }
    writer.finish().map(Cursor::into_inner).unwrap_or_default()
}

/// Lets a panic raised inside a third-party crate unwind instead of aborting, for a call the product itself
/// wraps in `catch_unwind` (`sheet::read_xlsx` turns a panic of calamine or zip into a "damaged workbook"
/// error): that is an error returned, not a crash. libfuzzer-sys aborts on every panic, caught or not, so
/// without this such a panic would be a false finding. A panic whose place is vientro's own code, or the
/// standard library's, still aborts, and so does any panic that nobody catches (libfuzzer-sys aborts when
/// one reaches it). Installed once; call it at the start of the target.
pub fn let_caught_dependency_panics_unwind() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let abort_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_dependency = info.location().is_some_and(|l| {
                let file = l.file();
                // Paths of crates from a registry (~/.cargo/registry/src/<index>/<crate>-<version>/…).
                file.contains("/registry/src/") || file.starts_with("index.crates.io")
            });
            if !in_dependency {
                abort_hook(info);
            }
        }));
    });
}
