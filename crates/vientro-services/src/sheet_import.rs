//! Importing a previewed Excel or CSV sheet of aid items: donors found by name or created, each item with its
//! committed and disbursed amounts as actual flows, all in one transaction.
//!
//! This module owns the all-or-nothing rule of a sheet import and the refusal to write anything while bad
//! rows remain, unless the officer chose to import only the valid rows. It must not read files or parse cells
//! (`vientro_interchange::sheet` does) and decides nothing the aid-item use cases already decide: every row
//! goes through `create_organisation_in`, `create_aid_item_in` and `add_flow_in`.

use std::collections::BTreeMap;

use vientro_domain::flow::FlowKind;
use vientro_domain::fx::RateTable;
use vientro_domain::ids::{AidItemId, OrganisationId};
use vientro_domain::organisation::{OrganisationInput, OrganisationKind};
use vientro_domain::text;
use vientro_interchange::sheet::{Preview, RowError, RowPart, SheetItem};
use vientro_store::{Tx, organisations};

use crate::{Actor, ServiceError, Services};

/// How to import a sheet.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SheetImportOptions {
    /// Check everything, database rules included, then write nothing.
    pub dry_run: bool,
    /// Import the valid rows and skip the bad ones (otherwise any bad row refuses the whole sheet).
    pub only_valid_rows: bool,
}

/// What became of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SheetImportOutcome {
    /// The rows were written.
    Imported,
    /// Everything was checked and nothing written, as asked.
    DryRun,
    /// Bad rows were found and nothing was written.
    Refused,
}

/// A row that was written (or would be, in a dry run).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportedRow {
    /// The row number.
    pub line: usize,
    /// The new item (in a dry run, the id it had inside the rolled-back transaction).
    pub item: AidItemId,
}

/// The counts and reasons of a sheet import.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SheetImportSummary {
    /// What happened.
    pub outcome: SheetImportOutcome,
    /// Data rows read from the sheet.
    pub rows_read: usize,
    /// Rows written (0 unless the outcome is `imported`; in a dry run, see `rows`).
    pub imported: usize,
    /// The rows written, or that a dry run would write.
    pub rows: Vec<ImportedRow>,
    /// Every problem of every bad row: those of the preview, then those only the database could find.
    pub skipped: Vec<RowError>,
    /// Rows left out on purpose (example, total, column-number rows), with the reason.
    pub left_out: Vec<(usize, String)>,
    /// Donors created, by name.
    pub donors_created: Vec<String>,
}

/// Why one row could not be written.
enum RowFailure {
    /// The row breaks a rule (possibly one only the database knows, such as a duplicate code).
    Refused(Vec<RowError>),
    /// The database failed: the whole import stops.
    Failed(ServiceError),
}

/// The donor kinds searched, in order, when a row does not say what kind its donor is.
const DONOR_KINDS: [OrganisationKind; 4] = [
    OrganisationKind::ForeignNgo,
    OrganisationKind::InternationalOrg,
    OrganisationKind::ForeignAgency,
    OrganisationKind::Individual,
];

impl Services {
    /// Imports the good rows of a previewed sheet in one transaction.
    ///
    /// With bad rows in the preview and without `only_valid_rows`, nothing is written and the outcome is
    /// `refused`. Rows that only the database can refuse (a duplicate code, a donor to create without its
    /// country, a currency without a rate) are found in the same transaction: without `only_valid_rows` they
    /// refuse the sheet too; with it, the transaction is restarted without them. A database failure rolls
    /// everything back and is returned as an error naming the row.
    pub async fn import_sheet(
        &self,
        actor: &Actor,
        preview: &Preview,
        opts: &SheetImportOptions,
    ) -> Result<SheetImportSummary, ServiceError> {
        let mut summary = SheetImportSummary {
            outcome: SheetImportOutcome::Refused,
            rows_read: preview.rows_read,
            imported: 0,
            rows: Vec::new(),
            skipped: preview.bad.clone(),
            left_out: preview.skipped.iter().map(|s| (s.line, s.reason.clone())).collect(),
            donors_created: Vec::new(),
        };
        if !preview.bad.is_empty() && !opts.only_valid_rows {
            return Ok(summary);
        }
        let mut refused: BTreeMap<usize, Vec<RowError>> = BTreeMap::new();
        'attempt: loop {
            let mut tx = self.db.begin().await?;
            let rates = Self::rate_table_in(&mut tx).await?;
            let mut rows = Vec::new();
            let mut donors_created = Vec::new();
            for row in preview.good.iter().filter(|r| !refused.contains_key(&r.line)) {
                match write_row(&mut tx, actor, preview, row, &rates, &mut donors_created).await {
                    Ok(item) => rows.push(ImportedRow { line: row.line, item }),
                    Err(RowFailure::Refused(errors)) => {
                        tx.rollback().await?;
                        refused.insert(row.line, errors);
                        continue 'attempt;
                    }
                    Err(RowFailure::Failed(e)) => {
                        tx.rollback().await?;
                        return Err(at_line(row.line, e));
                    }
                }
            }
            summary.skipped.extend(refused.into_values().flatten());
            summary.skipped.sort_by_key(|e| e.line);
            if !summary.skipped.is_empty() && !opts.only_valid_rows {
                tx.rollback().await?;
                return Ok(summary);
            }
            if opts.dry_run {
                tx.rollback().await?;
                summary.outcome = SheetImportOutcome::DryRun;
            } else {
                tx.commit().await?;
                summary.outcome = SheetImportOutcome::Imported;
                summary.imported = rows.len();
            }
            summary.rows = rows;
            summary.donors_created = donors_created;
            return Ok(summary);
        }
    }
}

/// A database failure, with the row it happened on.
fn at_line(line: usize, e: ServiceError) -> ServiceError {
    match e {
        ServiceError::Internal(e) => ServiceError::Internal(e.context(format!("importing line {line}"))),
        ServiceError::Conflict(m) => ServiceError::Conflict(format!("line {line}: {m}")),
        other => ServiceError::Internal(anyhow::anyhow!("importing line {line}: {other}")),
    }
}

/// Turns a use case's error into the row's problems (a user error) or a failure of the import.
fn row_failure(preview: &Preview, line: usize, part: RowPart, e: ServiceError) -> RowFailure {
    match e {
        ServiceError::Invalid(errors) => {
            RowFailure::Refused(errors.0.iter().map(|e| preview.row_error(line, part, e)).collect())
        }
        other => RowFailure::Failed(other),
    }
}

async fn write_row(
    tx: &mut Tx,
    actor: &Actor,
    preview: &Preview,
    row: &SheetItem,
    rates: &RateTable,
    donors_created: &mut Vec<String>,
) -> Result<AidItemId, RowFailure> {
    let donor = resolve_donor(tx, actor, preview, row, donors_created).await?;
    let input = row.aid_item_input(donor);
    let item = Services::create_aid_item_in(tx, actor, &input)
        .await
        .map_err(|e| row_failure(preview, row.line, RowPart::Item, e))?;
    for (amount, kind, part) in [
        (&row.committed, FlowKind::Commitment, RowPart::Committed),
        (&row.disbursed, FlowKind::Disbursement, RowPart::Disbursed),
    ] {
        let Some(amount) = amount else { continue };
        Services::add_flow_in(tx, actor, item, &amount.flow_input(kind), rates)
            .await
            .map_err(|e| row_failure(preview, row.line, part, e))?;
    }
    Ok(item)
}

/// The donor of a row: found by name (of the row's kind, or of any donor kind when the row gives none), or
/// created as the row's kind (default foreign NGO).
async fn resolve_donor(
    tx: &mut Tx,
    actor: &Actor,
    preview: &Preview,
    row: &SheetItem,
    donors_created: &mut Vec<String>,
) -> Result<OrganisationId, RowFailure> {
    let failed = |e: vientro_store::StoreError| RowFailure::Failed(e.into());
    let kind = match row.donor.kind.as_deref().map(OrganisationKind::parse) {
        Some(Ok(k)) => Some(k),
        Some(Err(e)) => return Err(row_failure(preview, row.line, RowPart::Donor, e.into())),
        None => None,
    };
    let kinds: Vec<OrganisationKind> = kind.map_or_else(|| DONOR_KINDS.to_vec(), |k| vec![k]);
    let mut found = Vec::new();
    for k in &kinds {
        if let Some(org) = organisations::find_by_name(tx, k.as_str(), &row.donor.name).await.map_err(failed)? {
            found.push((*k, org.id));
        }
    }
    match found.as_slice() {
        [(_, id)] => return Ok(OrganisationId(*id)),
        [] => {}
        several => {
            let kinds: Vec<&str> = several.iter().map(|(k, _)| k.as_str()).collect();
            let error = vientro_domain::ValidationError::new(
                "kind",
                "error-donor-ambiguous",
                format!(
                    "there are several donors named '{}' ({}); give the donor kind",
                    row.donor.name,
                    kinds.join(", ")
                ),
            );
            return Err(RowFailure::Refused(vec![preview.row_error(row.line, RowPart::Donor, &error)]));
        }
    }
    let input = OrganisationInput {
        kind: kind.unwrap_or(OrganisationKind::ForeignNgo).as_str().to_owned(),
        name: row.donor.name.clone(),
        country: row.donor.country.clone(),
        ..OrganisationInput::default()
    };
    let id = Services::create_organisation_in(tx, actor, &input)
        .await
        .map_err(|e| row_failure(preview, row.line, RowPart::Donor, e))?;
    if !donors_created.iter().any(|n| text::fold(n) == text::fold(&row.donor.name)) {
        donors_created.push(row.donor.name.clone());
    }
    Ok(id)
}
