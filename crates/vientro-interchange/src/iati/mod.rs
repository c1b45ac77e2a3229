//! Reading IATI activity XML (versions 1.0x to 2.03) into plain [`IatiActivity`] records, one at a time.
//!
//! This module owns the streaming reader: it walks a file with `quick_xml` without ever holding the whole
//! document, hands each `<iati-activity>` it could read to a callback, and reports every problem with its
//! place (source, line, element) instead of failing. It keeps what the file says, as text where the standard
//! uses codes: it must not touch a database, convert currencies, validate codes against the IATI codelists
//! (beyond shape checks) or take domain decisions such as matching organisations, sectors or locations to
//! vientro's records: that is the importer's job, which gets these records and problems as input.
//!
//! Tolerance rules: unknown elements are skipped; an element whose value cannot be read is dropped with a
//! [`Problem`] (a transaction or budget with a bad part is dropped whole, the activity is kept); an activity
//! without `iati-identifier` is skipped; malformed XML or bytes that are not UTF-8 end the reading of that file
//! with a problem, keeping the activities already delivered. 1.0x letter codes (transaction types `C`, `D`,
//! `E`, `IF` …, activity-date types `start-planned` …, roles `Funding` …) are mapped to their 2.0x numbers.
//! Negative transaction values are kept (IATI uses them for reversals); negative budgets are refused.

pub mod generate;
mod lines;
mod model;
mod reader;
mod values;
mod writer;

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

pub use model::{
    AdministrativeCode, Budget, IatiActivity, Location, LocationId, Narrative, OrgRef, ParticipatingOrg,
    PlannedDisbursement, Point, Problem, ProblemKind, ReadSummary, SectorRef, Transaction, Value,
};
pub use writer::{ActivityWriter, VERSION as WRITTEN_VERSION, WriteError};

/// Reads IATI activities from `reader`, calling `on_activity` once per activity that could be read, in file
/// order. `source_name` (usually the file name) is copied into every [`Problem`]. Never panics and never fails:
/// whatever goes wrong is in the returned summary's problems.
///
/// Currency codes and other codes are kept as written: checking them against the IATI codelists (does `XYZ`
/// exist?) happens in the importer; the reader only reports codes that do not even have the right shape.
pub fn read_activities<R: BufRead>(source_name: &str, reader: R, on_activity: impl FnMut(IatiActivity)) -> ReadSummary {
    reader::read(source_name, reader, on_activity)
}

/// Reads IATI activities from the file at `path` (see [`read_activities`]); a file that cannot be opened is a
/// [`ProblemKind::Io`] problem at line 0.
pub fn read_file(path: &Path, on_activity: impl FnMut(IatiActivity)) -> ReadSummary {
    let source = path.display().to_string();
    match File::open(path) {
        Ok(file) => read_activities(&source, BufReader::with_capacity(64 * 1024, file), on_activity),
        Err(e) => ReadSummary {
            problems: vec![Problem {
                source,
                line: 0,
                element: "iati-activities".to_owned(),
                message: format!("the file cannot be opened: {e}"),
                kind: ProblemKind::Io,
            }],
            ..ReadSummary::default()
        },
    }
}

/// The problems as CSV for an officer to open in a spreadsheet: header `source,line,element,kind,message`,
/// then one row per problem in the given order.
pub fn problems_csv(problems: &[Problem]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut rows = vec![["source", "line", "element", "kind", "message"].map(str::to_owned)];
    rows.extend(problems.iter().map(|p| {
        [p.source.clone(), p.line.to_string(), p.element.clone(), p.kind.as_str().to_owned(), p.message.clone()]
    }));
    for row in rows {
        // Writing into a Vec cannot fail for I/O reasons, and every row has the same five fields.
        if writer.write_record(&row).is_err() {
            break;
        }
    }
    let bytes = writer.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}
