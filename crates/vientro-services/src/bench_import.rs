//! The import benchmark: how long [`Services::import_iati`] takes on a large IATI file, against the bare parse.
//!
//! This module owns the measurement of one import ([`bench_import`]: wall time, MB/s, activities/s and the
//! process's peak resident memory), the reference time of `xmllint --stream --noout` on the same file
//! ([`time_xmllint_stream`]) and the Markdown the README quotes ([`render_import_timings`]). The goals it
//! checks come from the issue "Data in and out at scale": import within 3× the bare parse, and under 300 MB
//! of memory whatever the file size. It writes real records through the real importer, so it must only run
//! on an empty database made for it, never on one anyone keeps records in. Generating the file is the
//! interchange crate's (`vientro_interchange::iati::generate`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use vientro_store::{Backend, Db, Exec};

use crate::iati_import::{ImportOptions, ImportSummary};
use crate::{ServiceError, Services};

/// The goal: import time at most this many times the bare `xmllint --stream` parse.
pub const TARGET_RATIO: f64 = 3.0;

/// The goal: peak resident memory of the process, in MB, whatever the file size.
pub const TARGET_PEAK_MB: f64 = 300.0;

/// One timed import.
#[derive(Debug, Clone)]
pub struct ImportTiming {
    /// `SQLite` or `PostgreSQL`.
    pub backend: String,
    /// The imported file.
    pub file: PathBuf,
    /// Its size in bytes.
    pub file_bytes: u64,
    /// Wall time of [`Services::import_iati`].
    pub wall: Duration,
    /// `VmHWM` (peak resident memory of the whole process, kB) before the import; `None` off Linux.
    pub peak_before_kb: Option<u64>,
    /// `VmHWM` after the import.
    pub peak_after_kb: Option<u64>,
    /// True when the peak could be reset to the current resident memory before the import (writing `5` to
    /// `/proc/self/clear_refs`), so `peak_after_kb` is this import's own peak rather than the process's.
    pub peak_reset: bool,
    /// What the import did.
    pub summary: ImportSummary,
    /// `xmllint --stream --noout` on the same file, when measured.
    pub xmllint: Option<Duration>,
    /// SQLite copying every row the import kept into an empty database by itself
    /// ([`vientro_store::write_floor`]): rows and wall time; SQLite only, when measured.
    pub write_floor: Option<vientro_store::write_floor::Copied>,
}

impl ImportTiming {
    /// Megabytes (10⁶ bytes) of XML imported per second.
    pub fn mb_per_s(&self) -> f64 {
        self.file_bytes as f64 / 1e6 / self.wall.as_secs_f64().max(1e-9)
    }

    /// Activities read per second.
    pub fn activities_per_s(&self) -> f64 {
        self.summary.read as f64 / self.wall.as_secs_f64().max(1e-9)
    }

    /// Import time over the bare parse time, when the parse was measured.
    pub fn ratio(&self) -> Option<f64> {
        self.xmllint.map(|x| self.wall.as_secs_f64() / x.as_secs_f64().max(1e-9))
    }

    /// The write floor over the bare parse time, when both were measured.
    pub fn floor_ratio(&self) -> Option<f64> {
        let floor = self.write_floor?.wall.as_secs_f64();
        self.xmllint.map(|x| floor / x.as_secs_f64().max(1e-9))
    }

    /// Peak resident memory in MB (10⁶ bytes) after the import.
    pub fn peak_mb(&self) -> Option<f64> {
        self.peak_after_kb.map(|kb| kb as f64 * 1024.0 / 1e6)
    }
}

/// The `VmHWM` line of `/proc/self/status` in kB: the peak resident memory of this process; `None` off Linux.
pub fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets the process's peak resident memory to its current one (Linux ≥ 4.0); false when not allowed.
fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Imports `file` into `db` with `opts` and times it; `xmllint` is copied into the result (pass
/// [`time_xmllint_stream`]'s answer, measured once per file). Fails only when the import does.
pub async fn bench_import(
    db: &Db,
    file: &Path,
    opts: &ImportOptions,
    xmllint: Option<Duration>,
) -> Result<ImportTiming, ServiceError> {
    let backend = match db.backend() {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    let file_bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    let services = Services::new(db.clone());
    let peak_reset = reset_peak_rss();
    let peak_before_kb = peak_rss_kb();
    let started = Instant::now();
    let summary = services.import_iati(&[file.to_path_buf()], opts).await?;
    let wall = started.elapsed();
    let peak_after_kb = peak_rss_kb();
    Ok(ImportTiming {
        backend: backend.to_owned(),
        file: file.to_path_buf(),
        file_bytes,
        wall,
        peak_before_kb,
        peak_after_kb,
        peak_reset,
        summary,
        xmllint,
        write_floor: None,
    })
}

/// Wall time of `xmllint --stream --noout FILE` (a streaming parse, no validation): the floor an import is
/// compared with. `None` when xmllint is not installed or the file is not well-formed.
pub fn time_xmllint_stream(file: &Path) -> Option<Duration> {
    let started = Instant::now();
    let status = Command::new("xmllint")
        .arg("--stream")
        .arg("--noout")
        .arg(file)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    let elapsed = started.elapsed();
    status.success().then_some(elapsed)
}

/// The timings as Markdown: the machine (pass `crate::bench::machine_description()`), the file, then one row
/// per import with time, throughput, the ratio to xmllint and the peak memory, each checked against its goal.
pub fn render_import_timings(machine: &str, activities: usize, seed: u64, timings: &[ImportTiming]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "#### IATI import: {activities} generated activities (seed {seed})\n");
    let _ = writeln!(s, "Machine: {machine}  ");
    if let Some(t) = timings.first() {
        let _ = writeln!(
            s,
            "File: {:.1} MB; `xmllint --stream --noout`: {}  ",
            t.file_bytes as f64 / 1e6,
            t.xmllint.map_or_else(|| "not measured (xmllint missing)".to_owned(), seconds)
        );
    }
    let _ = writeln!(
        s,
        "Goals: import ≤ {TARGET_RATIO:.0}× the bare parse; peak memory < {TARGET_PEAK_MB:.0} MB. Peak memory is \
         `VmHWM` of the whole process{}. Write floor: SQLite alone copying every row the import kept into an \
         empty database (`INSERT … SELECT` per table, same indexes and triggers, one transaction), with its \
         ratio to the bare parse: no import that keeps these rows can be faster on this machine.\n",
        if timings.iter().all(|t| t.peak_reset) {
            ", reset before each import"
        } else {
            " (not resettable here: a later row includes earlier peaks)"
        }
    );
    let _ = writeln!(
        s,
        "| backend | activities read | imported | flows | transactions | problems | import | MB/s | activities/s \
         | × xmllint | ≤ {TARGET_RATIO:.0}× | peak MB | < {TARGET_PEAK_MB:.0} MB | write floor | floor × xmllint |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:-:|---:|:-:|---:|---:|");
    for t in timings {
        let ratio = t.ratio();
        let peak = t.peak_mb();
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {:.2} | {:.0} | {} | {} | {} | {} | {} | {} |",
            t.backend,
            t.summary.read,
            t.summary.imported + t.summary.updated,
            t.summary.flows,
            t.summary.transactions,
            t.summary.problems.len(),
            seconds(t.wall),
            t.mb_per_s(),
            t.activities_per_s(),
            ratio.map_or_else(|| "–".to_owned(), |r| format!("{r:.1}")),
            verdict(ratio.map(|r| r <= TARGET_RATIO)),
            peak.map_or_else(|| "–".to_owned(), |p| format!("{p:.0}")),
            verdict(peak.map(|p| p < TARGET_PEAK_MB)),
            t.write_floor.map_or_else(|| "–".to_owned(), |f| format!("{} rows in {}", f.rows, seconds(f.wall))),
            t.floor_ratio().map_or_else(|| "–".to_owned(), |r| format!("{r:.1}")),
        );
    }
    s
}

fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn verdict(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "✓",
        Some(false) => "✗",
        None => "–",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_is_read_and_the_table_checks_the_goals() {
        if cfg!(target_os = "linux") {
            assert!(peak_rss_kb().is_some_and(|kb| kb > 0));
        }
        let timing = ImportTiming {
            backend: "SQLite".to_owned(),
            file: PathBuf::from("x.xml"),
            file_bytes: 10_000_000,
            wall: Duration::from_secs(4),
            peak_before_kb: Some(50_000),
            peak_after_kb: Some(100_000),
            peak_reset: true,
            summary: ImportSummary { read: 1000, imported: 1000, ..ImportSummary::default() },
            xmllint: Some(Duration::from_secs(1)),
            write_floor: Some(vientro_store::write_floor::Copied { rows: 12_345, wall: Duration::from_millis(2500) }),
        };
        assert!((timing.mb_per_s() - 2.5).abs() < 1e-9);
        assert!((timing.activities_per_s() - 250.0).abs() < 1e-9);
        let md = render_import_timings("test machine", 1000, 1, &[timing]);
        assert!(md.contains("Machine: test machine"), "{md}");
        assert!(md.contains("| 4.0 | ✗ | 102 | ✓ | 12345 rows in 2.50 s | 2.5 |"), "{md}");
    }
}
