//! The IATI import use case: activity files in, aid items with their flows and every IATI detail out.
//!
//! This module owns the mapping from an [`IatiActivity`] (as the interchange reader hands it over) to
//! vientro's records: organisations matched by IATI identifier then by folded name (else created), the item
//! (donor = funding participants, else the reporting organisation), its sectors, its locations resolved to
//! provinces and communes, its flows (commitments from type 2, disbursements from types 3 and 4, converted
//! by the rate rule) and the IATI details kept for export. Every record goes through the same use cases an
//! officer's entry does (`create_organisation_in`, `record_aid_item_in`, `record_flow_in`), so validation and
//! audit rows have one code path; the report facts of a batch's items are rebuilt together before it commits.
//! Problems are reported with their place and never stop the run; each batch of activities is one
//! transaction, and re-importing is idempotent (upsert by identifier, change nothing when the content hash is
//! the same), so an interrupted run resumes by running it again. It must not parse XML (the reader does) nor
//! write files (the CLI writes the problem CSV it gets from here).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use vientro_domain::admin_units::{AdminUnits, ProvinceCode, UnitSet};
use vientro_domain::aid_item::{AidItemInput, AidStatus, DonorInput, LocationInput, SectorInput};
use vientro_domain::country::CountryCode;
use vientro_domain::flow::{FlowInput, NewFlow};
use vientro_domain::fx::{Conversion, RateTable};
use vientro_domain::ids::{AidItemId, OrganisationId};
use vientro_domain::money::{CurrencyCode, Money};
use vientro_domain::organisation::{OrganisationInput, OrganisationKind};
use vientro_domain::sector::{DacCategoryCode, DacCode, SectorRef};
use vientro_domain::text;
use vientro_interchange::iati::{
    IatiActivity, Narrative, OrgRef, Problem, ProblemKind, ReadSummary, Value, problems_csv, read_file,
};
use vientro_store::audit::{self, AuditEntry};
use vientro_store::iati::{
    self as store, ActivityRow, BudgetRow, DateRow, Details, LocationCodeRow, LocationRow, NarrativeRow,
    ParticipantRow, PlannedRow, RecipientRow, SectorRow, TransactionRow,
};
use vientro_store::{Tx, aid_items, now, organisations};

use crate::{Actor, ServiceError, Services};

/// How an import runs.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Keep only activities for this recipient country (ISO code, e.g. `VN`), with amounts reduced to its
    /// share; `None` imports every activity whole.
    pub country: Option<String>,
    /// Do everything and report it, then roll every batch back.
    pub dry_run: bool,
    /// Activities per transaction (at least 1).
    pub batch_size: usize,
    /// Who the audit rows name.
    pub actor: Actor,
}

/// Activities per transaction unless asked otherwise: larger batches commit less often (each commit writes
/// every page the batch touched), at the cost of memory (about 150 MB peak at 500; README).
pub const DEFAULT_BATCH_SIZE: usize = 500;

impl Default for ImportOptions {
    fn default() -> Self {
        Self { country: None, dry_run: false, batch_size: DEFAULT_BATCH_SIZE, actor: Actor::named("import:iati") }
    }
}

/// What an import did; `problems` are in file order, each with its place.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportSummary {
    /// Files met (directories are expanded to their `.xml` files).
    pub files: usize,
    /// Activities the reader could read.
    pub read: usize,
    /// Activities recorded as new aid items.
    pub imported: usize,
    /// Activities already recorded whose publication changed: updated in place.
    pub updated: usize,
    /// Activities already recorded and unchanged: nothing written.
    pub unchanged: usize,
    /// Activities not recorded: unreadable (no identifier, cut off), or unable to stand (no donor, a record
    /// that was not imported from IATI holds the identifier, a storage failure).
    pub skipped: usize,
    /// Activities left out because they are not for the `--country` asked for (not a problem).
    pub not_for_country: usize,
    /// Organisations created.
    pub organisations_created: usize,
    /// Flows recorded (commitments and disbursements that reports count).
    pub flows: usize,
    /// Transactions kept in the IATI details (of every type, flows included).
    pub transactions: usize,
    /// True when every batch was rolled back.
    pub dry_run: bool,
    /// Every problem.
    pub problems: Vec<Problem>,
}

impl ImportSummary {
    /// True when not a single activity could be read: the run failed (the CLI exits non-zero).
    pub fn nothing_read(&self) -> bool {
        self.read == 0
    }

    /// Problems counted by kind (`bad_value`, `unknown_code`, …).
    pub fn problems_by_kind(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for p in &self.problems {
            *counts.entry(p.kind.as_str()).or_insert(0) += 1;
        }
        counts
    }

    /// The problems as CSV (`source,line,element,kind,message`).
    pub fn problems_csv(&self) -> String {
        problems_csv(&self.problems)
    }

    /// The summary in a few plain lines, for the command line.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "{}files: {}, activities read: {}, imported: {}, updated: {}, unchanged: {}, skipped: {}, \
             not for the country: {}\norganisations created: {}, flows: {}, transactions kept: {}\nproblems: {}",
            if self.dry_run { "DRY RUN (nothing was kept)\n" } else { "" },
            self.files,
            self.read,
            self.imported,
            self.updated,
            self.unchanged,
            self.skipped,
            self.not_for_country,
            self.organisations_created,
            self.flows,
            self.transactions,
            self.problems.len()
        );
        for (kind, n) in self.problems_by_kind() {
            s.push_str(&format!("\n  {kind}: {n}"));
        }
        s
    }
}

/// Batches between two refreshes of the database's planner statistics (see
/// [`vientro_store::Db::refresh_planner_statistics`]).
const STATISTICS_EVERY: usize = 25;

/// The savepoint each activity runs under inside its batch.
const SAVEPOINT: &str = "iati_activity_import";

/// Changes whenever the mapping changes, so a re-import after an upgrade refreshes every record.
const MAPPING_VERSION: &str = "iati-import/1";

/// What became of one activity.
enum Outcome {
    Created,
    Updated,
    Unchanged,
    NotForCountry,
    Skipped,
}

/// Per-run state shared by the activities of a file.
struct Run<'a> {
    actor: &'a Actor,
    rates: &'a RateTable,
    country: Option<&'a str>,
    source: String,
    problems: Vec<Problem>,
    organisations_created: usize,
    flows: usize,
    transactions: usize,
    /// Items written in the current batch whose report facts are rebuilt together before it commits.
    written: Vec<AidItemId>,
    /// Organisations matched or created in the current transaction, by IATI identifier (`ref:…`) or by kind
    /// and name (`name:…`); forgotten whenever a write is undone.
    organisations: BTreeMap<String, Matched>,
    /// Place names already looked up in this run.
    places: Places,
}

/// The counts of a run at one moment, to go back to when a write is undone.
#[derive(Clone, Copy)]
struct Mark {
    problems: usize,
    organisations_created: usize,
    flows: usize,
    transactions: usize,
    written: usize,
}

impl Run<'_> {
    fn mark(&self) -> Mark {
        Mark {
            problems: self.problems.len(),
            organisations_created: self.organisations_created,
            flows: self.flows,
            transactions: self.transactions,
            written: self.written.len(),
        }
    }

    /// Forgets what was counted and remembered since `mark` (its writes were rolled back).
    fn reset_to(&mut self, mark: Mark) {
        self.problems.truncate(mark.problems);
        self.organisations_created = mark.organisations_created;
        self.flows = mark.flows;
        self.transactions = mark.transactions;
        self.written.truncate(mark.written);
        self.organisations.clear();
    }

    fn problem(&mut self, a: &IatiActivity, element: &str, kind: ProblemKind, message: String) {
        self.problems.push(Problem {
            source: self.source.clone(),
            line: a.line,
            element: element.to_owned(),
            message: format!("activity {}: {message}", a.identifier),
            kind,
        });
    }
}

enum Message {
    Activity(Box<IatiActivity>),
    Done(ReadSummary),
}

/// The `.xml` files of `paths`, directories expanded recursively in name order; unreadable directories are
/// reported.
fn expand(paths: &[PathBuf], problems: &mut Vec<Problem>) -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>, problems: &mut Vec<Problem>) {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                problems.push(Problem {
                    source: dir.display().to_string(),
                    line: 0,
                    element: "iati-activities".to_owned(),
                    message: format!("the folder cannot be read: {e}"),
                    kind: ProblemKind::Io,
                });
                return;
            }
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                walk(&p, out, problems);
            } else if p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xml")) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out, problems);
        } else {
            out.push(p.clone());
        }
    }
    out
}

impl Services {
    /// Imports IATI activity files (or folders of them): see the module documentation. Never fails because of
    /// what a file contains (that is a problem in the summary); fails only when the database does.
    pub async fn import_iati(&self, paths: &[PathBuf], opts: &ImportOptions) -> Result<ImportSummary, ServiceError> {
        let mut summary = ImportSummary { dry_run: opts.dry_run, ..ImportSummary::default() };
        let files = expand(paths, &mut summary.problems);
        summary.files = files.len();
        let country = match opts.country.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => Some(CountryCode::parse(c)?.as_str()),
            None => None,
        };
        let rates = {
            let mut tx = self.db.begin().await?;
            let rates = Self::rate_table_in(&mut tx).await?;
            tx.rollback().await?;
            rates
        };
        let batch_size = opts.batch_size.max(1);
        for file in files {
            let (sender, receiver) = std::sync::mpsc::sync_channel::<Message>(64);
            let path = file.clone();
            // The reader is synchronous and streams: it runs on its own thread and hands activities over a
            // bounded channel, so a file of any size is never held in memory whole.
            let reader = std::thread::spawn(move || {
                let activities = sender.clone();
                let read = read_file(&path, move |a| {
                    // The receiver only goes away when the import failed; the rest of the file is then dropped.
                    let _ = activities.send(Message::Activity(Box::new(a)));
                });
                let _ = sender.send(Message::Done(read));
            });
            let mut run = Run {
                actor: &opts.actor,
                rates: &rates,
                country,
                source: file.display().to_string(),
                problems: Vec::new(),
                organisations_created: 0,
                flows: 0,
                transactions: 0,
                written: Vec::new(),
                organisations: BTreeMap::new(),
                places: Places::default(),
            };
            let mut read_summary = None;
            let mut batch: Vec<IatiActivity> = Vec::with_capacity(batch_size);
            let mut batches = 0usize;
            loop {
                // Waiting here is waiting for the parser thread, which only does CPU work; no transaction is
                // open while we wait.
                let message = receiver.recv().ok();
                let done = match message {
                    Some(Message::Activity(a)) => {
                        batch.push(*a);
                        false
                    }
                    Some(Message::Done(read)) => {
                        read_summary = Some(read);
                        true
                    }
                    None => true,
                };
                if batch.len() >= batch_size || (done && !batch.is_empty()) {
                    batches += 1;
                    if batches.is_multiple_of(STATISTICS_EVERY) {
                        self.db.refresh_planner_statistics().await?;
                    }
                    let outcomes = self.import_batch(&mut run, &batch, opts.dry_run).await;
                    let outcomes = match outcomes {
                        Ok(o) => o,
                        Err(e) => {
                            drop(receiver);
                            let _ = reader.join();
                            return Err(e);
                        }
                    };
                    for o in outcomes {
                        match o {
                            Outcome::Created => summary.imported += 1,
                            Outcome::Updated => summary.updated += 1,
                            Outcome::Unchanged => summary.unchanged += 1,
                            Outcome::NotForCountry => summary.not_for_country += 1,
                            Outcome::Skipped => summary.skipped += 1,
                        }
                    }
                    batch.clear();
                }
                if done {
                    break;
                }
            }
            let _ = reader.join();
            let mut read = read_summary.unwrap_or_default();
            let unreadable = read.problems.iter().any(|p| {
                matches!(
                    p.kind,
                    ProblemKind::MalformedXml | ProblemKind::Encoding | ProblemKind::Io | ProblemKind::Unsupported
                )
            });
            let file_problem = |message: &str| Problem {
                source: run.source.clone(),
                line: 1,
                element: "iati-activities".to_owned(),
                message: message.to_owned(),
                kind: ProblemKind::MissingValue,
            };
            if !unreadable && read.version.is_none() {
                let p = file_problem("<iati-activities> has no @version (the IATI schema requires it); read as 2.0x");
                read.problems.push(p);
            }
            if !unreadable && read.activities_read + read.activities_skipped == 0 {
                read.problems.push(file_problem("the file holds no <iati-activity>; nothing to import"));
            }
            summary.read += read.activities_read;
            summary.skipped += read.activities_skipped;
            summary.organisations_created += run.organisations_created;
            summary.flows += run.flows;
            summary.transactions += run.transactions;
            // Reader problems first (they are in file order), then the importer's.
            let mut problems = read.problems;
            problems.extend(run.problems);
            problems.sort_by_key(|p| p.line);
            summary.problems.extend(problems);
        }
        if summary.imported + summary.updated >= STATISTICS_EVERY * batch_size {
            // So the reports that follow a large import are planned on what it wrote.
            self.db.refresh_planner_statistics().await?;
        }
        Ok(summary)
    }

    /// One batch in one transaction. The batch's activities are mapped, then their new items written
    /// together, a few statements per table; when a write fails, the batch starts again one activity at a
    /// time, each under a savepoint, so a failure undoes only the activity that caused it.
    async fn import_batch(
        &self,
        run: &mut Run<'_>,
        batch: &[IatiActivity],
        dry_run: bool,
    ) -> Result<Vec<Outcome>, ServiceError> {
        let mut tx = self.db.begin().await?;
        let mark = run.mark();
        let outcomes = match import_together(&mut tx, run, batch).await {
            Ok(outcomes) => outcomes,
            Err(_) => {
                tx.rollback().await?;
                run.reset_to(mark);
                tx = self.db.begin().await?;
                import_one_by_one(&mut tx, run, batch).await?
            }
        };
        // One bulk rebuild of the batch's report facts instead of one per activity (same rows, far fewer
        // statements).
        let written = std::mem::take(&mut run.written);
        vientro_store::facts::refresh_items(&mut tx, &written).await?;
        // The organisations this batch matched are remembered only while its transaction lasts.
        run.organisations.clear();
        if dry_run {
            // The counts stay: a dry run reports what would have been done.
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(outcomes)
    }
}

/// Maps every activity of a batch, then writes the new items together; fails on the first write that fails
/// (the caller then goes one by one). An identifier met twice in the batch is left to the one-by-one path.
async fn import_together(tx: &mut Tx, run: &mut Run<'_>, batch: &[IatiActivity]) -> Result<Vec<Outcome>, ServiceError> {
    let identifiers: Vec<&str> = batch.iter().map(|a| a.identifier.as_str()).collect();
    let mut distinct = identifiers.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() != identifiers.len() {
        return Err(ServiceError::Conflict("an identifier occurs twice in the batch".into()));
    }
    let mut activities: BTreeMap<String, store::ActivityRow> =
        store::find_activities(tx, &distinct).await?.into_iter().map(|r| (r.identifier.clone(), r)).collect();
    let mut items: BTreeMap<String, (i64, Option<String>)> = store::items_with_identifiers(tx, &distinct)
        .await?
        .into_iter()
        .map(|(identifier, id, from)| (identifier, (id, from)))
        .collect();
    let mut outcomes = Vec::with_capacity(batch.len());
    let mut new = Vec::new();
    for a in batch {
        let known = Known { activity: activities.remove(&a.identifier), item: items.remove(&a.identifier) };
        match prepare_activity(tx, run, a, known).await? {
            Prepared::Done(outcome) => outcomes.push(outcome),
            Prepared::Write(plan) if plan.update.is_some() => {
                write_update(tx, run, *plan).await?;
                outcomes.push(Outcome::Updated);
            }
            Prepared::Write(plan) => {
                new.push(*plan);
                outcomes.push(Outcome::Created);
            }
        }
    }
    write_new(tx, run, new).await?;
    Ok(outcomes)
}

/// Imports a batch's activities one at a time, each under a savepoint so a failure undoes only that
/// activity (reported, and the activity skipped).
async fn import_one_by_one(
    tx: &mut Tx,
    run: &mut Run<'_>,
    batch: &[IatiActivity],
) -> Result<Vec<Outcome>, ServiceError> {
    let mut outcomes = Vec::with_capacity(batch.len());
    for a in batch {
        store::savepoint(tx, SAVEPOINT).await?;
        let mark = run.mark();
        match import_activity(tx, run, a).await {
            Ok(outcome) => {
                store::release_savepoint(tx, SAVEPOINT).await?;
                outcomes.push(outcome);
            }
            Err(e) => {
                store::rollback_to_savepoint(tx, SAVEPOINT).await?;
                run.reset_to(Mark { problems: run.problems.len(), ..mark });
                let message = match &e {
                    ServiceError::Invalid(errors) => format!("refused ({errors}); skipped"),
                    other => format!("could not be stored ({other}); skipped"),
                };
                run.problem(a, "iati-activity", ProblemKind::Unsupported, message);
                outcomes.push(Outcome::Skipped);
            }
        }
    }
    Ok(outcomes)
}

/// Imports one activity on its own.
async fn import_activity(tx: &mut Tx, run: &mut Run<'_>, a: &IatiActivity) -> Result<Outcome, ServiceError> {
    let known = Known {
        activity: store::find_activity(tx, &a.identifier).await?,
        item: store::item_with_identifier(tx, &a.identifier).await?,
    };
    match prepare_activity(tx, run, a, known).await? {
        Prepared::Done(outcome) => Ok(outcome),
        Prepared::Write(plan) if plan.update.is_some() => {
            write_update(tx, run, *plan).await?;
            Ok(Outcome::Updated)
        }
        Prepared::Write(plan) => {
            write_new(tx, run, vec![*plan]).await?;
            Ok(Outcome::Created)
        }
    }
}

/// The text of `narratives` in `lang`, else the first one.
fn text_in(narratives: &[Narrative], lang: &str) -> Option<String> {
    narratives
        .iter()
        .find(|n| n.lang.as_deref().is_some_and(|l| l.eq_ignore_ascii_case(lang)))
        .or_else(|| narratives.first())
        .map(|n| n.text.clone())
        .filter(|t| !t.trim().is_empty())
}

/// The text of `narratives` written in `lang` (explicitly, or through the activity's language).
fn text_exactly_in(narratives: &[Narrative], lang: &str, activity_lang: Option<&str>) -> Option<String> {
    narratives
        .iter()
        .find(|n| n.lang.as_deref().or(activity_lang).is_some_and(|l| l.eq_ignore_ascii_case(lang)))
        .map(|n| n.text.clone())
}

fn truncate(text: &str, max: usize) -> String {
    text.trim().chars().take(max).collect()
}

/// An organisation reference that names nothing is no reference.
fn named(org: &Option<OrgRef>) -> Option<&OrgRef> {
    org.as_ref().filter(|o| {
        o.reference.is_some() || o.org_type.is_some() || o.activity_id.is_some() || !o.narratives.is_empty()
    })
}

/// The activity as read, in a form where what an export normalises (an empty organisation element, the
/// line) does not count as a change.
fn canonical(a: &IatiActivity, country: Option<&str>) -> String {
    let mut c = a.clone();
    c.line = 0;
    c.file_version = None;
    c.reporting_org = named(&a.reporting_org).cloned();
    for t in &mut c.transactions {
        t.provider_org = named(&t.provider_org).cloned();
        t.receiver_org = named(&t.receiver_org).cloned();
    }
    for p in &mut c.planned_disbursements {
        p.provider_org = named(&p.provider_org).cloned();
        p.receiver_org = named(&p.receiver_org).cloned();
    }
    format!("{MAPPING_VERSION}|{country:?}|{c:?}")
}

// Embedded IATI codelists (IATI-Codelists version-2.03 @75e827ba and IATI-Codelists-NonEmbedded @7aeece77,
// CC BY 4.0, iatistandard.org), withdrawn codes included. Currency, Country and Sector come from the domain.
const ACTIVITY_STATUS: &[&str] = &["1", "2", "3", "4", "5", "6"];
const ORGANISATION_TYPE: &[&str] =
    &["10", "11", "15", "21", "22", "23", "24", "30", "40", "60", "70", "71", "72", "73", "80", "90"];
const BUDGET_TYPE: &[&str] = &["1", "2"];
const BUDGET_STATUS: &[&str] = &["1", "2"];
const DESCRIPTION_TYPE: &[&str] = &["1", "2", "3", "4"];
const SECTOR_VOCABULARY: &[&str] = &["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "98", "99"];
const REGION_VOCABULARY: &[&str] = &["1", "2", "99"];
const REGION: &[&str] = &[
    "88", "89", "189", "289", "298", "380", "389", "489", "498", "589", "619", "679", "689", "789", "798", "889",
    "998", "1027", "1028", "1029", "1030", "1031", "1032", "1033", "1034", "1035",
];
const GEOGRAPHIC_VOCABULARY: &[&str] = &["A1", "A2", "A3", "A4", "G1", "G2"];

fn is_country_code(code: &str) -> bool {
    CountryCode::all().any(|c| c.as_str() == code)
}

/// Reports what the 2.03 schema requires and the activity lacks; the activity is kept with what it has.
fn check_required(run: &mut Run<'_>, a: &IatiActivity) {
    let mut missing = |element: &str, what: &str| {
        let message = format!("{what} (the IATI 2.03 schema requires it); the rest is kept");
        run.problem(a, element, ProblemKind::MissingValue, message);
    };
    match named(&a.reporting_org) {
        None => missing("reporting-org", "no <reporting-org>"),
        Some(o) if o.reference.is_none() || o.org_type.is_none() => {
            missing("reporting-org", "<reporting-org> without @ref or @type")
        }
        Some(_) => {}
    }
    if a.titles.is_empty() {
        missing("title", "no <title> text");
    }
    if a.descriptions.is_empty() {
        missing("description", "no <description> text");
    }
    if a.participating_orgs.is_empty() {
        missing("participating-org", "no <participating-org>");
    }
    if a.participating_orgs.iter().any(|p| p.role.is_none()) {
        missing("participating-org", "a <participating-org> without a usable @role");
    }
    if a.status.is_none() {
        missing("activity-status", "no <activity-status>");
    }
    if a.dates.is_empty() {
        missing("activity-date", "no usable <activity-date>");
    }
    let undated = a.transactions.iter().filter(|t| t.value.value_date.is_none()).count()
        + a.budgets.iter().filter(|b| b.value.value_date.is_none()).count()
        + a.planned_disbursements.iter().filter(|p| p.value.value_date.is_none()).count();
    if undated > 0 {
        missing(
            "value",
            &format!("{undated} <value> without @value-date (converted on the transaction or period date)"),
        );
    }
    let percentages = a.recipient_countries.iter().filter_map(|c| c.1);
    let percentages = percentages.chain(a.recipient_regions.iter().filter_map(|r| r.2));
    let percentages = percentages.chain(a.sectors.iter().filter_map(|s| s.percentage));
    if percentages.into_iter().any(|p| p < Decimal::ZERO || p > Decimal::ONE_HUNDRED) {
        let message = "a percentage outside 0-100; the shares are recomputed from the others".to_owned();
        run.problem(a, "sector", ProblemKind::BadValue, message);
    }
}

/// Reports codes that are not in their codelist; they are kept as written.
fn check_codes(run: &mut Run<'_>, a: &IatiActivity) {
    let unknown = |run: &mut Run<'_>, element: &str, what: &str, code: &str| {
        let message = format!("'{code}' is not a {what} code of the IATI codelist; kept as written");
        run.problem(a, element, ProblemKind::UnknownCode, message);
    };
    if let Some(s) = a.status.as_deref().filter(|s| !ACTIVITY_STATUS.contains(s)) {
        unknown(run, "activity-status", "ActivityStatus", s);
    }
    let orgs = a.reporting_org.iter().chain(a.participating_orgs.iter().map(|p| &p.org));
    let types: Vec<String> = orgs.filter_map(|o| o.org_type.clone()).collect();
    for t in types.iter().filter(|t| !ORGANISATION_TYPE.contains(&t.as_str())) {
        unknown(run, "participating-org", "OrganisationType", t);
    }
    for (kind, _) in &a.descriptions {
        if let Some(k) = kind.as_deref().filter(|k| !DESCRIPTION_TYPE.contains(k)) {
            unknown(run, "description", "DescriptionType", k);
        }
    }
    for (code, _) in &a.recipient_countries {
        if !is_country_code(code) {
            unknown(run, "recipient-country", "Country", code);
        }
    }
    for (code, vocabulary, _) in &a.recipient_regions {
        match vocabulary.as_deref() {
            None | Some("1") if !REGION.contains(&code.as_str()) => unknown(run, "recipient-region", "Region", code),
            Some(v) if !REGION_VOCABULARY.contains(&v) => unknown(run, "recipient-region", "RegionVocabulary", v),
            _ => {}
        }
    }
    let sectors = a.sectors.iter().chain(a.transactions.iter().flat_map(|t| t.sectors.iter()));
    for s in sectors.collect::<Vec<_>>() {
        let Some(code) = s.code.as_deref() else { continue };
        match s.vocabulary.as_str() {
            "1" if DacCode::parse(code).is_err() => unknown(run, "sector", "Sector (DAC 5-digit)", code),
            "2" if DacCategoryCode::parse(code).is_err() => {
                unknown(run, "sector", "SectorCategory (DAC 3-digit)", code)
            }
            v if !SECTOR_VOCABULARY.contains(&v) => unknown(run, "sector", "SectorVocabulary", v),
            _ => {}
        }
    }
    for b in &a.budgets {
        if let Some(t) = b.budget_type.as_deref().filter(|t| !BUDGET_TYPE.contains(t)) {
            unknown(run, "budget", "BudgetType", t);
        }
        if let Some(s) = b.status.as_deref().filter(|s| !BUDGET_STATUS.contains(s)) {
            unknown(run, "budget", "BudgetStatus", s);
        }
    }
    for l in &a.locations {
        let vocabularies = l.location_ids.iter().filter_map(|i| i.vocabulary.clone());
        let vocabularies = vocabularies.chain(l.administratives.iter().filter_map(|x| x.vocabulary.clone()));
        for v in vocabularies.collect::<Vec<_>>() {
            if !GEOGRAPHIC_VOCABULARY.contains(&v.as_str()) {
                unknown(run, "location", "GeographicVocabulary", &v);
            }
        }
    }
}

/// The organisation kind and home country an IATI organisation reference suggests: the identifier's prefix
/// is a country (XM/XI are international), the OrganisationType says government, multilateral or other.
fn kind_and_country(reference: Option<&str>, org_type: Option<&str>) -> (OrganisationKind, Option<String>) {
    let prefix = reference.and_then(|r| r.split('-').next()).unwrap_or("").to_ascii_uppercase();
    if prefix == "VN" {
        return (OrganisationKind::VnOther, None);
    }
    let country = if prefix.len() == 2 && prefix != "XM" && prefix != "XI" && is_country_code(&prefix) {
        Some(prefix.clone())
    } else {
        None
    };
    let kind = match org_type {
        Some("40") => OrganisationKind::InternationalOrg,
        _ if prefix == "XM" || prefix == "XI" => OrganisationKind::InternationalOrg,
        Some("10" | "11" | "15") => OrganisationKind::ForeignAgency,
        _ => OrganisationKind::ForeignNgo,
    };
    if country.is_none() && kind != OrganisationKind::InternationalOrg {
        (OrganisationKind::InternationalOrg, None)
    } else {
        (kind, country)
    }
}

/// An organisation matched or created for an IATI reference.
#[derive(Clone, Copy)]
struct Matched {
    id: OrganisationId,
    donor: bool,
}

/// Matches `org` to a known organisation (IATI identifier, then folded name), else creates it. `None` when the
/// reference names nothing usable or cannot be recorded (reported).
async fn match_organisation(
    tx: &mut Tx,
    run: &mut Run<'_>,
    a: &IatiActivity,
    element: &str,
    org: &OrgRef,
) -> Result<Option<Matched>, ServiceError> {
    let matched = |row: organisations::OrganisationRow| {
        let donor = OrganisationKind::parse(&row.kind).is_ok_and(OrganisationKind::is_donor);
        Matched { id: OrganisationId(row.id), donor }
    };
    let reference = org.reference.as_deref().map(str::trim).filter(|r| !r.is_empty());
    let by_reference = reference.map(|r| format!("ref:{r}"));
    if let Some(key) = &by_reference
        && let Some(m) = run.organisations.get(key)
    {
        return Ok(Some(*m));
    }
    if let Some(r) = reference
        && let Some(row) = organisations::find_by_iati_identifier(tx, r).await?
    {
        let m = matched(row);
        run.organisations.insert(format!("ref:{r}"), m);
        return Ok(Some(m));
    }
    let Some(name) = text_in(&org.narratives, "en").or_else(|| reference.map(str::to_owned)) else {
        return Ok(None);
    };
    let name = truncate(&name, 300);
    let (kind, country) = kind_and_country(reference, org.org_type.as_deref());
    let by_name = format!("name:{}:{name}", kind.as_str());
    if let Some(m) = run.organisations.get(&by_name) {
        return Ok(Some(*m));
    }
    if let Some(row) = organisations::find_by_name(tx, kind.as_str(), &name).await? {
        let m = matched(row);
        run.organisations.insert(by_name, m);
        return Ok(Some(m));
    }
    let input = OrganisationInput {
        kind: kind.as_str().to_owned(),
        name,
        country,
        iati_identifier: reference.map(str::to_owned),
        ..Default::default()
    };
    match Services::create_organisation_in(tx, run.actor, &input).await {
        Ok(id) => {
            run.organisations_created += 1;
            let m = Matched { id, donor: kind.is_donor() };
            run.organisations.insert(by_name, m);
            if let Some(key) = by_reference {
                run.organisations.insert(key, m);
            }
            Ok(Some(m))
        }
        Err(ServiceError::Invalid(e)) => {
            run.problem(a, element, ProblemKind::BadValue, format!("organisation not recorded ({e}); kept unmatched"));
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Viet Nam's (or the asked country's) share of the activity in basis points; `None` when the activity is
/// not for that country at all.
fn country_share(a: &IatiActivity, country: Option<&str>) -> Option<i64> {
    let Some(country) = country else { return Some(10_000) };
    let countries = &a.recipient_countries;
    if countries.is_empty() {
        let in_transactions = a
            .transactions
            .iter()
            .any(|t| t.recipient_country.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(country)));
        let in_locations =
            country == "VN" && a.locations.iter().any(|l| l.point.is_some_and(|p| province_at(p).is_some()));
        return (in_transactions || in_locations).then_some(10_000);
    }
    let found = countries.iter().find(|(c, _)| c.eq_ignore_ascii_case(country))?;
    let percent = match found.1 {
        Some(p) => p,
        None => Decimal::ONE_HUNDRED / Decimal::from(countries.len().max(1)),
    };
    (percent * Decimal::ONE_HUNDRED).round().to_i64().map(|bp| bp.clamp(0, 10_000))
}

/// Divides 10 000 basis points over positive `weights` with the largest-remainder method (equal shares when
/// no weight is usable).
fn basis_points(weights: &[Decimal]) -> Vec<i64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let usable = weights.iter().all(|w| *w > Decimal::ZERO);
    let weights: Vec<Decimal> = if usable { weights.to_vec() } else { vec![Decimal::ONE; weights.len()] };
    let total: Decimal = weights.iter().sum();
    let exact: Vec<Decimal> = weights.iter().map(|w| *w * Decimal::from(10_000) / total).collect();
    let mut bp: Vec<i64> = exact.iter().map(|e| e.floor().to_i64().unwrap_or(0)).collect();
    let mut rest = 10_000 - bp.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..exact.len()).collect();
    order.sort_by(|&x, &y| (exact[y] - exact[y].floor()).cmp(&(exact[x] - exact[x].floor())).then(x.cmp(&y)));
    for i in order.into_iter().cycle() {
        if rest <= 0 {
            break;
        }
        if let Some(b) = bp.get_mut(i) {
            *b += 1;
            rest -= 1;
        }
    }
    bp
}

fn percent_text(bp: i64) -> String {
    Decimal::new(bp, 2).to_string()
}

/// The 34 provinces' boundaries, for placing points.
struct Province {
    code: String,
    names: Vec<String>,
    /// Polygons, each a list of rings of (longitude, latitude).
    polygons: Vec<Vec<Vec<(f64, f64)>>>,
    bbox: (f64, f64, f64, f64),
}

// The simplified boundaries of today's 34 provinces, vendored in the domain crate's data (see its README for
// attribution: thanglequoc, MIT). The domain does not read geometry, so it is compiled in here.
const PROVINCES_GEOJSON: &str = include_str!("../../vientro-domain/data/vn-admin/geo/vn_provinces_34_lo.geojson");

fn provinces() -> &'static [Province] {
    static PROVINCES: OnceLock<Vec<Province>> = OnceLock::new();
    PROVINCES.get_or_init(|| {
        let Ok(json) = serde_json::from_str::<serde_json::Value>(PROVINCES_GEOJSON) else { return Vec::new() };
        let features = json.get("features").and_then(|f| f.as_array()).cloned().unwrap_or_default();
        features
            .iter()
            .filter_map(|f| {
                let props = f.get("properties")?;
                let code = props.get("code")?.as_str()?.to_owned();
                let names = ["name", "name_en", "full_name"]
                    .iter()
                    .filter_map(|k| props.get(*k).and_then(|v| v.as_str()).map(fold_tight))
                    .collect();
                let geometry = f.get("geometry")?;
                let coordinates = geometry.get("coordinates")?.as_array()?;
                let polygons: Vec<Vec<Vec<(f64, f64)>>> = match geometry.get("type")?.as_str()? {
                    "Polygon" => vec![rings(coordinates)],
                    _ => coordinates.iter().filter_map(|p| p.as_array().map(|p| rings(p))).collect(),
                };
                let mut bbox = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
                for (x, y) in polygons.iter().flatten().flatten() {
                    bbox = (bbox.0.min(*x), bbox.1.min(*y), bbox.2.max(*x), bbox.3.max(*y));
                }
                Some(Province { code, names, polygons, bbox })
            })
            .collect()
    })
}

fn rings(polygon: &[serde_json::Value]) -> Vec<Vec<(f64, f64)>> {
    polygon
        .iter()
        .filter_map(|ring| {
            ring.as_array().map(|points| {
                points
                    .iter()
                    .filter_map(|p| {
                        let p = p.as_array()?;
                        Some((p.first()?.as_f64()?, p.get(1)?.as_f64()?))
                    })
                    .collect()
            })
        })
        .collect()
}

/// Folded, without spaces or punctuation: "Hà Nội", "Ha Noi" and "Hanoi" all become "hanoi".
fn fold_tight(s: &str) -> String {
    text::fold(s).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Even-odd rule over every ring of a polygon (holes included).
fn in_polygon(rings: &[Vec<(f64, f64)>], x: f64, y: f64) -> bool {
    let mut inside = false;
    for ring in rings {
        let n = ring.len();
        for i in 0..n {
            let (xi, yi) = ring[i];
            let (xj, yj) = ring[(i + n - 1) % n];
            if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
                inside = !inside;
            }
        }
    }
    inside
}

/// Today's province a point lies in, if it is in Viet Nam.
fn province_at(p: vientro_interchange::iati::Point) -> Option<&'static str> {
    let (x, y) = (p.longitude.to_f64()?, p.latitude.to_f64()?);
    provinces()
        .iter()
        .filter(|pr| x >= pr.bbox.0 && y >= pr.bbox.1 && x <= pr.bbox.2 && y <= pr.bbox.3)
        .find(|pr| pr.polygons.iter().any(|poly| in_polygon(poly, x, y)))
        .map(|pr| pr.code.as_str())
}

/// Today's province a location name is, if it names exactly one.
fn province_named(name: &str) -> Option<String> {
    let tight = fold_tight(name);
    if tight.is_empty() || tight.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    if let Some(p) = provinces().iter().find(|p| p.names.contains(&tight)) {
        return Some(p.code.clone());
    }
    AdminUnits::embedded().parse_province_in(name, UnitSet::From2025).ok().map(|c| c.as_str().to_owned())
}

/// A location resolved to today's units.
struct Resolved {
    province: Option<String>,
    commune: Option<String>,
    by: Option<&'static str>,
}

fn resolve_location(l: &vientro_interchange::iati::Location, for_viet_nam: bool, places: &mut Places) -> Resolved {
    let mut resolved = Resolved { province: None, commune: None, by: None };
    if let Some(code) = l.point.and_then(province_at) {
        resolved = Resolved { province: Some(code.to_owned()), commune: None, by: Some("point") };
    } else if for_viet_nam && let Some(code) = l.names.iter().find_map(|n| places.province_named(&n.text)) {
        resolved = Resolved { province: Some(code), commune: None, by: Some("name") };
    }
    if let Some(province) = resolved.province.clone() {
        resolved.commune = l.names.iter().find_map(|n| {
            if places.province_named(&n.text).is_some() {
                return None;
            }
            places.commune_named(&province, &n.text)
        });
    }
    resolved
}

/// Place names already looked up in a run: files name the same places again and again, and finding a
/// commune by name compares it with every unit of its province. Bounded, so memory stays flat.
#[derive(Default)]
struct Places {
    provinces: std::collections::HashMap<String, Option<String>>,
    communes: std::collections::HashMap<(String, String), Option<String>>,
}

impl Places {
    const MOST: usize = 50_000;

    /// [`province_named`], remembered.
    fn province_named(&mut self, name: &str) -> Option<String> {
        if let Some(found) = self.provinces.get(name) {
            return found.clone();
        }
        if self.provinces.len() >= Self::MOST {
            self.provinces.clear();
        }
        let found = province_named(name);
        self.provinces.insert(name.to_owned(), found.clone());
        found
    }

    /// The code of today's commune of `province` that `name` names, remembered.
    fn commune_named(&mut self, province: &str, name: &str) -> Option<String> {
        let key = (province.to_owned(), name.to_owned());
        if let Some(found) = self.communes.get(&key) {
            return found.clone();
        }
        if self.communes.len() >= Self::MOST {
            self.communes.clear();
        }
        let found = ProvinceCode::parse(province).ok().and_then(|p| {
            AdminUnits::embedded()
                .parse_commune_in(name, &p, UnitSet::From2025, None)
                .ok()
                .map(|c| c.as_str().to_owned())
        });
        self.communes.insert(key, found.clone());
        found
    }
}

/// The status flows are recorded under (one that accepts actual flows, or pipeline), then the final one.
fn statuses(code: Option<&str>) -> (AidStatus, AidStatus) {
    match code {
        Some("1") => (AidStatus::Pipeline, AidStatus::Pipeline),
        Some("3") => (AidStatus::Completed, AidStatus::Completed),
        Some("4") => (AidStatus::Completed, AidStatus::Closed),
        Some("5") => (AidStatus::Implementing, AidStatus::TerminatedEarly),
        Some("6") => (AidStatus::Implementing, AidStatus::Suspended),
        _ => (AidStatus::Implementing, AidStatus::Implementing),
    }
}

fn narrative_rows(
    out: &mut Vec<NarrativeRow>,
    field: &str,
    part: usize,
    sub: usize,
    kind: Option<&str>,
    n: &[Narrative],
) {
    for (i, narrative) in n.iter().enumerate() {
        out.push(NarrativeRow {
            field: field.to_owned(),
            part: to_i64(part),
            sub: to_i64(sub),
            position: to_i64(i),
            kind: kind.map(str::to_owned),
            lang: narrative.lang.clone(),
            content: narrative.text.clone(),
        });
    }
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// The value's amount in minor units of its effective currency, or why it cannot be used.
fn money_of(value: &Value, default: Option<&str>) -> Result<(CurrencyCode, Money), (ProblemKind, String)> {
    let Some(code) = value.currency_or(default) else {
        return Err((ProblemKind::MissingValue, "no @currency and no default-currency".to_owned()));
    };
    let currency = CurrencyCode::parse(code)
        .map_err(|_| (ProblemKind::UnknownCode, format!("currency '{code}' is not in the IATI Currency codelist")))?;
    let money = Money::from_decimal(value.amount, currency)
        .map_err(|_| (ProblemKind::BadValue, format!("value {} is too large to store", value.amount)))?;
    Ok((currency, money))
}

fn org_columns(org: &Option<OrgRef>) -> (Option<String>, Option<String>, Option<String>) {
    match named(org) {
        Some(o) => (o.reference.clone(), o.org_type.clone(), o.activity_id.clone()),
        None => (None, None, None),
    }
}

/// The activity as it will be recorded: transactions with a negative value and values in an unusable
/// currency are dropped (and reported), and a value without `@value-date` is dated on its transaction or
/// period date (the date it is converted on, and the one an export writes). Hashing this form, not the file's,
/// makes an export of the records read back as unchanged.
fn kept(run: &mut Run<'_>, a: &IatiActivity) -> IatiActivity {
    let mut k = a.clone();
    let default_currency = a.default_currency.as_deref();
    k.transactions.clear();
    for (i, t) in a.transactions.iter().enumerate() {
        let label = format!("transaction {} (type {}, dated {})", i + 1, t.transaction_type, t.date);
        if t.value.amount.is_sign_negative() && !t.value.amount.is_zero() {
            let message = format!("{label}: value {} is negative; dropped", t.value.amount);
            run.problem(a, "transaction", ProblemKind::BadValue, message);
            continue;
        }
        if let Err((kind, why)) = money_of(&t.value, default_currency) {
            run.problem(a, "transaction", kind, format!("{label}: {why}; dropped"));
            continue;
        }
        let mut t = t.clone();
        t.value.value_date = t.value.value_date.or(Some(t.date));
        k.transactions.push(t);
    }
    k.budgets.retain(|b| match money_of(&b.value, default_currency) {
        Ok(_) => true,
        Err((kind, why)) => {
            run.problem(a, "budget", kind, format!("budget from {}: {why}; dropped", b.period_start));
            false
        }
    });
    for b in &mut k.budgets {
        b.value.value_date = b.value.value_date.or(Some(b.period_start));
    }
    k.planned_disbursements.retain(|p| match money_of(&p.value, default_currency) {
        Ok(_) => true,
        Err((kind, why)) => {
            let message = format!("planned disbursement from {}: {why}; dropped", p.period_start);
            run.problem(a, "planned-disbursement", kind, message);
            false
        }
    });
    for p in &mut k.planned_disbursements {
        p.value.value_date = p.value.value_date.or(Some(p.period_start));
    }
    k
}

/// What is recorded already under an activity's identifier.
#[derive(Default)]
struct Known {
    /// Its IATI details, when it was imported before.
    activity: Option<store::ActivityRow>,
    /// The aid item holding the identifier: (id, `imported_from`).
    item: Option<(i64, Option<String>)>,
}

/// An activity mapped to records, ready to be written.
struct Plan {
    /// The item's content, with the status its flows are recorded under.
    item: vientro_domain::aid_item::NewAidItem,
    flow_status: AidStatus,
    final_status: AidStatus,
    /// The day the final status is dated.
    on: NaiveDate,
    /// Flows: the position of their transaction in `details.transactions`, the flow and its conversion.
    flows: Vec<(usize, NewFlow, Conversion)>,
    /// Every IATI detail, with the item id and flow ids still to fill in.
    details: Details,
    /// The item this activity updates, as it was, with its former IATI details; `None` for a new item.
    update: Option<(AidItemId, aid_items::AidItemRow, Option<store::ActivityRow>)>,
}

/// What reading an activity against the records came to.
enum Prepared {
    /// Nothing to write.
    Done(Outcome),
    /// Records to write.
    Write(Box<Plan>),
}

/// Maps one activity to its records (matching or creating its organisations on the way) without writing
/// the item; problems go to `run`.
async fn prepare_activity(
    tx: &mut Tx,
    run: &mut Run<'_>,
    read: &IatiActivity,
    known: Known,
) -> Result<Prepared, ServiceError> {
    let Some(share_bp) = country_share(read, run.country) else { return Ok(Prepared::Done(Outcome::NotForCountry)) };
    check_required(run, read);
    check_codes(run, read);
    let kept = kept(run, read);
    let a = &kept;
    let hash = store::content_hash(&canonical(a, run.country));
    let existing = known.activity;
    if let Some(row) = &existing
        && row.content_hash == hash
    {
        return Ok(Prepared::Done(Outcome::Unchanged));
    }
    // An item holding the identifier without IATI details: adopt it only when it was imported from IATI.
    let adopted = match &existing {
        Some(row) => Some(AidItemId(row.item_id)),
        None => match known.item {
            Some(row) if row.1.as_deref().is_some_and(|f| f.starts_with("iati:")) => Some(AidItemId(row.0)),
            Some(_) => {
                let message = "an aid item with this IATI identifier was entered by hand; it is left unchanged and \
                               the activity skipped"
                    .to_owned();
                run.problem(a, "iati-identifier", ProblemKind::Unsupported, message);
                return Ok(Prepared::Done(Outcome::Skipped));
            }
            None => None,
        },
    };

    // Organisations.
    let reporting = match named(&a.reporting_org) {
        Some(org) => match_organisation(tx, run, a, "reporting-org", org).await?,
        None => None,
    };
    let mut participants = Vec::with_capacity(a.participating_orgs.len());
    for p in &a.participating_orgs {
        participants.push(match_organisation(tx, run, a, "participating-org", &p.org).await?);
    }
    let mut donors: Vec<OrganisationId> = Vec::new();
    for (p, m) in a.participating_orgs.iter().zip(&participants) {
        if p.role.as_deref() == Some("1")
            && let Some(m) = m.filter(|m| m.donor)
            && !donors.contains(&m.id)
        {
            donors.push(m.id);
        }
    }
    if donors.is_empty()
        && let Some(m) = reporting.filter(|m| m.donor)
    {
        donors.push(m.id);
    }
    if donors.is_empty() {
        let message =
            "neither a funding participating-org nor the reporting-org can be recorded as a donor; skipped".to_owned();
        run.problem(a, "participating-org", ProblemKind::MissingValue, message);
        return Ok(Prepared::Done(Outcome::Skipped));
    }

    // The item.
    let (flow_status, final_status) = statuses(a.status.as_deref());
    let date_of = |kind: &str| a.dates.iter().find(|d| d.0 == kind).map(|d| d.1);
    let start = date_of("2").or_else(|| date_of("1"));
    let end = date_of("4").or_else(|| date_of("3")).filter(|e| start.is_none_or(|s| *e >= s));
    let for_viet_nam = run.country == Some("VN") || a.recipient_countries.iter().any(|(c, _)| c == "VN");
    let resolved: Vec<Resolved> =
        a.locations.iter().map(|l| resolve_location(l, for_viet_nam, &mut run.places)).collect();
    let mut places: Vec<(String, Option<String>)> = Vec::new();
    for r in &resolved {
        if let Some(p) = &r.province {
            let place = (p.clone(), r.commune.clone());
            if !places.contains(&place) {
                places.push(place);
            }
        }
    }
    let place_bp = basis_points(&vec![Decimal::ONE; places.len()]);
    let mut sector_weights: Vec<(String, Option<Decimal>)> = Vec::new();
    for s in a.sectors.iter().filter(|s| s.vocabulary == "1") {
        let Some(code) = s.code.as_deref().and_then(|c| SectorRef::parse(c).ok()).map(|c| c.code()) else { continue };
        match sector_weights.iter_mut().find(|(c, _)| *c == code) {
            Some(existing) => existing.1 = existing.1.zip(s.percentage).map(|(x, y)| x + y),
            None => sector_weights.push((code, s.percentage)),
        }
    }
    let weights: Vec<Decimal> = sector_weights.iter().map(|s| s.1.unwrap_or(Decimal::ZERO)).collect();
    let sector_bp = basis_points(&weights);
    let donor_bp = basis_points(&vec![Decimal::ONE; donors.len()]);
    let several = |n: usize, bp: i64| (n > 1).then(|| percent_text(bp));
    let title = text_in(&a.titles, "vi").unwrap_or_else(|| a.identifier.clone());
    let description = a
        .descriptions
        .iter()
        .find(|d| d.0.as_deref().is_none_or(|k| k == "1"))
        .or_else(|| a.descriptions.first())
        .and_then(|d| text_in(&d.1, "vi"));
    let input = AidItemInput {
        iati_identifier: Some(a.identifier.clone()),
        title: truncate(&title, 500),
        title_en: text_exactly_in(&a.titles, "en", a.lang.as_deref()).map(|t| truncate(&t, 500)),
        description,
        kind: "project".into(),
        donors: donors
            .iter()
            .zip(&donor_bp)
            .map(|(d, bp)| DonorInput { organisation: d.0, percent: several(donors.len(), *bp) })
            .collect(),
        status: Some(flow_status.as_str().into()),
        start_date: start.map(|d| d.to_string()),
        end_date: end.map(|d| d.to_string()),
        unit_set: Some(UnitSet::From2025.as_str().into()),
        sectors: sector_weights
            .iter()
            .zip(&sector_bp)
            .filter(|(_, bp)| **bp > 0)
            .map(|((code, _), bp)| SectorInput { sector: code.clone(), percent: several(sector_weights.len(), *bp) })
            .collect(),
        locations: places
            .iter()
            .zip(&place_bp)
            .map(|((province, commune), bp)| LocationInput {
                province: province.clone(),
                commune: commune.clone(),
                percent: several(places.len(), *bp),
                ..Default::default()
            })
            .collect(),
        imported_from: Some(format!("iati:{}", a.identifier)),
        published: true,
        ..Default::default()
    };
    let now = now();
    let on = end.or(start).unwrap_or_else(|| now.date_naive());
    let item = input.parse()?;
    if final_status != flow_status && adopted.is_none() {
        flow_status.check_transition(final_status)?;
    }
    let update = match adopted {
        None => None,
        Some(id) => Some((id, aid_items::get(tx, id).await?, existing.clone())),
    };
    // An updated item keeps the decision rates an officer may have entered on it.
    let fixed = update.as_ref().map_or((None, None), |(_, row, _)| {
        let decimal = |s: Option<&str>| s.and_then(|t| t.parse::<Decimal>().ok());
        (decimal(row.decision_vnd_per_usd.as_deref()), decimal(row.decision_currency_per_usd.as_deref()))
    });
    let mut flows = Vec::new();

    // Transactions: every valid one is kept; types 2, 3 and 4 become flows.
    let default_currency = a.default_currency.as_deref();
    let mut transactions = Vec::new();
    let mut sectors = Vec::new();
    let mut narratives = Vec::new();
    for (i, t) in a.transactions.iter().enumerate() {
        let label = format!("transaction {} (type {}, dated {})", i + 1, t.transaction_type, t.date);
        // `kept` dropped the transactions whose value cannot be used.
        let Ok((currency, whole)) = money_of(&t.value, default_currency) else { continue };
        let position = transactions.len();
        let kind = match t.transaction_type.as_str() {
            "2" => Some("commitment"),
            "3" | "4" => Some("disbursement"),
            _ => None,
        };
        let tx_share = match (run.country, t.recipient_country.as_deref()) {
            (Some(c), Some(tc)) if tc.eq_ignore_ascii_case(c) => Some(10_000),
            (Some(_), Some(_)) => None,
            _ => Some(share_bp),
        };
        let (flow_id, counted) = match (kind, tx_share) {
            (None, _) => (None, "other_type"),
            (Some(_), None) => (None, "other_country"),
            (Some(kind), Some(bp)) => {
                let amount = Money::from_decimal(t.value.amount * Decimal::new(bp, 4), currency)
                    .map(|m| m.to_decimal().to_string())
                    .unwrap_or_default();
                let stage = if flow_status.accepts_actual_flows() { "actual" } else { "planned" };
                let flow = FlowInput {
                    kind: kind.into(),
                    stage: Some(stage.into()),
                    date: t.value.value_date.unwrap_or(t.date).to_string(),
                    amount,
                    currency: currency.as_str().to_owned(),
                    note: text_in(&t.descriptions, "vi").map(|d| truncate(&d, 200)),
                };
                let checked = flow.parse().map_err(ServiceError::from).and_then(|flow| {
                    let conversion = crate::aid_items::checked_flow(&flow, flow_status, fixed, run.rates)?;
                    Ok((flow, conversion))
                });
                match checked {
                    Ok((flow, conversion)) => {
                        flows.push((position, flow, conversion));
                        (None, "flow")
                    }
                    Err(ServiceError::Invalid(e)) => {
                        let message = format!("{label}: kept for export but not counted ({e})");
                        run.problem(a, "transaction", ProblemKind::MissingValue, message);
                        (None, "no_rate")
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        let (provider_ref, provider_type, provider_activity_id) = org_columns(&t.provider_org);
        let (receiver_ref, receiver_type, receiver_activity_id) = org_columns(&t.receiver_org);
        transactions.push(TransactionRow {
            position: to_i64(position),
            flow_id,
            counted: counted.to_owned(),
            transaction_ref: t.reference.clone(),
            transaction_type: t.transaction_type.clone(),
            transaction_date: t.date,
            value_text: t.value.amount.to_string(),
            currency: t.value.currency.clone(),
            value_date: t.value.value_date,
            amount_minor: Some(whole.amount.0),
            provider_ref,
            provider_type,
            provider_activity_id,
            receiver_ref,
            receiver_type,
            receiver_activity_id,
            recipient_country: t.recipient_country.clone(),
            recipient_region: t.recipient_region.as_ref().map(|r| r.0.clone()),
            recipient_region_vocabulary: t.recipient_region.as_ref().and_then(|r| r.1.clone()),
        });
        narrative_rows(&mut narratives, "transaction_description", position, 0, None, &t.descriptions);
        if let Some(o) = named(&t.provider_org) {
            narrative_rows(&mut narratives, "transaction_provider", position, 0, None, &o.narratives);
        }
        if let Some(o) = named(&t.receiver_org) {
            narrative_rows(&mut narratives, "transaction_receiver", position, 0, None, &o.narratives);
        }
        for (j, s) in t.sectors.iter().enumerate() {
            sectors.push(SectorRow {
                transaction_position: to_i64(position),
                position: to_i64(j),
                vocabulary: s.vocabulary.clone(),
                code: s.code.clone(),
                percentage: s.percentage.map(|p| p.to_string()),
            });
            narrative_rows(&mut narratives, "transaction_sector", position, j, None, &s.narratives);
        }
        run.transactions += 1;
    }

    // Everything else IATI carries.
    let mut details = Details {
        activity: ActivityRow {
            item_id: 0,
            identifier: a.identifier.clone(),
            source_file: run.source.clone(),
            source_line: to_i64(a.line),
            iati_version: a.file_version.clone(),
            default_currency: a.default_currency.clone(),
            lang: a.lang.clone(),
            status_code: a.status.clone(),
            reporting_org_ref: named(&a.reporting_org).and_then(|o| o.reference.clone()),
            reporting_org_type: named(&a.reporting_org).and_then(|o| o.org_type.clone()),
            reporting_organisation_id: reporting.map(|m| m.id.0),
            country_filter: run.country.map(str::to_owned),
            country_share_bp: share_bp,
            content_hash: hash.clone(),
            imported_at: existing.as_ref().map_or(now, |e| e.imported_at),
            updated_at: now,
        },
        dates: a
            .dates
            .iter()
            .enumerate()
            .map(|(i, (kind, date))| DateRow { position: to_i64(i), date_type: kind.clone(), iso_date: *date })
            .collect(),
        narratives,
        participants: a
            .participating_orgs
            .iter()
            .zip(&participants)
            .enumerate()
            .map(|(i, (p, m))| ParticipantRow {
                position: to_i64(i),
                role: p.role.clone(),
                org_ref: p.org.reference.clone(),
                org_type: p.org.org_type.clone(),
                activity_id: p.org.activity_id.clone(),
                organisation_id: m.map(|m| m.id.0),
            })
            .collect(),
        recipients: Vec::new(),
        sectors,
        locations: Vec::new(),
        location_codes: Vec::new(),
        budgets: Vec::new(),
        planned: Vec::new(),
        transactions,
    };
    let n = &mut details.narratives;
    narrative_rows(n, "title", 0, 0, None, &a.titles);
    for (i, (kind, d)) in a.descriptions.iter().enumerate() {
        narrative_rows(n, "description", i, 0, kind.as_deref(), d);
    }
    if let Some(o) = named(&a.reporting_org) {
        narrative_rows(n, "reporting_org", 0, 0, None, &o.narratives);
    }
    for (i, p) in a.participating_orgs.iter().enumerate() {
        narrative_rows(n, "participant", i, 0, None, &p.org.narratives);
    }
    for (code, percentage) in &a.recipient_countries {
        let position = to_i64(details.recipients.len());
        details.recipients.push(RecipientRow {
            position,
            scope: "country".into(),
            code: code.clone(),
            vocabulary: None,
            percentage: percentage.map(|p| p.to_string()),
        });
    }
    for (code, vocabulary, percentage) in &a.recipient_regions {
        let position = to_i64(details.recipients.len());
        details.recipients.push(RecipientRow {
            position,
            scope: "region".into(),
            code: code.clone(),
            vocabulary: vocabulary.clone(),
            percentage: percentage.map(|p| p.to_string()),
        });
    }
    for (i, s) in a.sectors.iter().enumerate() {
        details.sectors.push(SectorRow {
            transaction_position: -1,
            position: to_i64(i),
            vocabulary: s.vocabulary.clone(),
            code: s.code.clone(),
            percentage: s.percentage.map(|p| p.to_string()),
        });
        narrative_rows(&mut details.narratives, "sector", i, 0, None, &s.narratives);
    }
    for (i, (l, r)) in a.locations.iter().zip(&resolved).enumerate() {
        details.locations.push(LocationRow {
            position: to_i64(i),
            location_ref: l.reference.clone(),
            latitude: l.point.map(|p| p.latitude.to_string()),
            longitude: l.point.map(|p| p.longitude.to_string()),
            province_code: r.province.clone(),
            commune_code: r.commune.clone(),
            resolved_by: r.by.map(str::to_owned),
        });
        narrative_rows(&mut details.narratives, "location_name", i, 0, None, &l.names);
        let ids = l.location_ids.iter().map(|x| ("location_id", x.vocabulary.clone(), None, x.code.clone()));
        let adms = l.administratives.iter().map(|x| ("administrative", x.vocabulary.clone(), x.level, x.code.clone()));
        for (j, (scope, vocabulary, level, code)) in ids.chain(adms).enumerate() {
            details.location_codes.push(LocationCodeRow {
                location_position: to_i64(i),
                position: to_i64(j),
                scope: scope.to_owned(),
                vocabulary,
                level: level.map(i64::from),
                code,
            });
        }
    }
    for b in &a.budgets {
        match money_of(&b.value, default_currency) {
            Ok((_, money)) => {
                let position = to_i64(details.budgets.len());
                details.budgets.push(BudgetRow {
                    position,
                    budget_type: b.budget_type.clone(),
                    status: b.status.clone(),
                    period_start: b.period_start,
                    period_end: b.period_end,
                    value_text: b.value.amount.to_string(),
                    currency: b.value.currency.clone(),
                    value_date: b.value.value_date,
                    amount_minor: Some(money.amount.0),
                });
            }
            Err((kind, why)) => {
                run.problem(a, "budget", kind, format!("budget from {}: {why}; dropped", b.period_start));
            }
        }
    }
    for p in &a.planned_disbursements {
        match money_of(&p.value, default_currency) {
            Ok((_, money)) => {
                let position = details.planned.len();
                let (provider_ref, provider_type, provider_activity_id) = org_columns(&p.provider_org);
                let (receiver_ref, receiver_type, receiver_activity_id) = org_columns(&p.receiver_org);
                details.planned.push(PlannedRow {
                    position: to_i64(position),
                    disbursement_type: p.disbursement_type.clone(),
                    period_start: p.period_start,
                    period_end: p.period_end,
                    value_text: p.value.amount.to_string(),
                    currency: p.value.currency.clone(),
                    value_date: p.value.value_date,
                    amount_minor: Some(money.amount.0),
                    provider_ref,
                    provider_type,
                    provider_activity_id,
                    receiver_ref,
                    receiver_type,
                    receiver_activity_id,
                });
                if let Some(o) = named(&p.provider_org) {
                    narrative_rows(&mut details.narratives, "planned_provider", position, 0, None, &o.narratives);
                }
                if let Some(o) = named(&p.receiver_org) {
                    narrative_rows(&mut details.narratives, "planned_receiver", position, 0, None, &o.narratives);
                }
            }
            Err((kind, why)) => {
                let message = format!("planned disbursement from {}: {why}; dropped", p.period_start);
                run.problem(a, "planned-disbursement", kind, message);
            }
        }
    }
    Ok(Prepared::Write(Box::new(Plan { item, flow_status, final_status, on, flows, details, update })))
}

/// Writes new items from their plans: the items, their flows, their moves to the status published, and their
/// IATI details, a few statements per table for all of them.
async fn write_new(tx: &mut Tx, run: &mut Run<'_>, plans: Vec<Plan>) -> Result<(), ServiceError> {
    let items: Vec<_> = plans.iter().map(|p| p.item.clone()).collect();
    let ids = Services::record_checked_aid_items_in(tx, run.actor, &items).await?;
    let flows: Vec<(AidItemId, NewFlow, Conversion)> =
        plans.iter().zip(&ids).flat_map(|(p, id)| p.flows.iter().map(|(_, f, c)| (*id, f.clone(), *c))).collect();
    let mut flow_ids = Services::record_checked_flows_in(tx, run.actor, &flows).await?.into_iter();
    run.flows += flows.len();
    // Final status as published: a new item moves along its lifecycle like any other.
    let moves: Vec<aid_items::StatusMove> = plans
        .iter()
        .zip(&ids)
        .filter(|(p, _)| p.final_status != p.flow_status)
        .map(|(p, id)| aid_items::StatusMove { id: *id, version: 1, from: p.flow_status, to: p.final_status, on: p.on })
        .collect();
    Services::change_checked_statuses_in(tx, run.actor, &moves, Some("status as published in IATI")).await?;
    let mut details = Vec::with_capacity(plans.len());
    for (plan, id) in plans.into_iter().zip(&ids) {
        let mut d = plan.details;
        d.activity.item_id = id.0;
        for (position, _, _) in &plan.flows {
            if let Some(t) = d.transactions.get_mut(*position) {
                t.flow_id = flow_ids.next().map(|f| f.0);
            }
        }
        details.push(d);
    }
    store::insert_details_many(tx, &details).await?;
    run.written.extend(ids);
    Ok(())
}

/// Writes a newer publication of an activity over the item it updates (restating its status as published:
/// an import restates a fact, it is not an officer's step), with an audit row.
async fn write_update(tx: &mut Tx, run: &mut Run<'_>, plan: Plan) -> Result<(), ServiceError> {
    let Some((item, before, existing)) = plan.update else { return Ok(()) };
    let now = now();
    store::replace_item(tx, item, &plan.item, plan.flow_status.as_str(), now).await?;
    let flows: Vec<(AidItemId, NewFlow, Conversion)> =
        plan.flows.iter().map(|(_, f, c)| (item, f.clone(), *c)).collect();
    let flow_ids = Services::record_checked_flows_in(tx, run.actor, &flows).await?;
    run.flows += flows.len();
    let note = "status as published in a newer IATI file";
    let to = plan.final_status.as_str();
    store::set_imported_status(tx, item, &before.status, to, plan.on, &run.actor.name, note, now).await?;
    let mut details = plan.details;
    details.activity.item_id = item.0;
    for ((position, _, _), id) in plan.flows.iter().zip(&flow_ids) {
        if let Some(t) = details.transactions.get_mut(*position) {
            t.flow_id = Some(id.0);
        }
    }
    store::insert_details(tx, &details).await?;
    run.written.push(item);
    audit::append(
        tx,
        &AuditEntry {
            actor: &run.actor.name,
            action: "update",
            entity: "aid_item",
            entity_id: Some(item.0),
            before: Some(serde_json::json!({
                "item": before,
                "iati_content_hash": existing.as_ref().map(|e| e.content_hash.clone()),
            })),
            after: Some(serde_json::json!({
                "item": plan.item,
                "status": to,
                "iati_content_hash": details.activity.content_hash,
                "source_file": run.source,
                "flows": flow_ids.len(),
            })),
        },
        now,
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn basis_points_follow_the_weights_and_always_add_up_to_the_whole() {
        let w = |v: &[i64]| v.iter().map(|x| Decimal::from(*x)).collect::<Vec<_>>();
        assert_eq!(basis_points(&w(&[60, 40])), vec![6000, 4000]);
        assert_eq!(basis_points(&w(&[1, 1, 1])), vec![3334, 3333, 3333]);
        assert_eq!(basis_points(&w(&[30, 30])), vec![5000, 5000]);
        assert_eq!(basis_points(&w(&[0, 50])), vec![5000, 5000]);
        assert!(basis_points(&[]).is_empty());
    }

    #[test]
    fn a_point_in_hanoi_lies_in_province_01_and_one_in_the_sea_nowhere() {
        let p = |lat: &str, lon: &str| vientro_interchange::iati::Point {
            latitude: lat.parse().unwrap(),
            longitude: lon.parse().unwrap(),
        };
        assert_eq!(province_at(p("21.0285", "105.8542")), Some("01"));
        assert_eq!(province_at(p("10.7769", "106.7009")), Some("79"));
        assert_eq!(province_at(p("0", "0")), None);
    }

    #[test]
    fn province_names_match_with_or_without_diacritics_and_spaces() {
        assert_eq!(province_named("Hanoi").as_deref(), Some("01"));
        assert_eq!(province_named("Hà Nội").as_deref(), Some("01"));
        assert_eq!(province_named("Kenya"), None);
    }

    #[test]
    fn organisation_kinds_follow_the_identifier_prefix_and_type() {
        assert_eq!(
            kind_and_country(Some("GB-GOV-10"), Some("10")),
            (OrganisationKind::ForeignAgency, Some("GB".into()))
        );
        assert_eq!(kind_and_country(Some("XM-DAC-41114"), Some("40")), (OrganisationKind::InternationalOrg, None));
        assert_eq!(kind_and_country(Some("VN-MOF"), Some("10")), (OrganisationKind::VnOther, None));
        assert_eq!(kind_and_country(None, Some("21")), (OrganisationKind::InternationalOrg, None));
    }
}
