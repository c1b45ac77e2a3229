//! Aid items with their donors, sectors, locations and status history.
//!
//! Inserts a validated [`NewAidItem`] with all its parts, reads it back, and moves its status with an
//! optimistic version check, writing one status-history row per move. It must not decide whether a move is
//! allowed (the domain lifecycle does) nor who may make it (the services layer does).

use chrono::{DateTime, NaiveDate, Utc};
use vientro_domain::aid_item::{AidStatus, Approval, NewAidItem};
use vientro_domain::ids::AidItemId;

use crate::db::{Exec, ExecExt, Stmt, Value};
use crate::error::StoreError;

/// An aid item as stored (without its parts).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct AidItemRow {
    /// Id.
    pub id: i64,
    /// Local code.
    pub code: Option<String>,
    /// IATI identifier.
    pub iati_identifier: Option<String>,
    /// Title.
    pub title: String,
    /// English title.
    pub title_en: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Kind code.
    pub kind: String,
    /// The item this one supplements.
    pub supplements_item_id: Option<i64>,
    /// Managing agency.
    pub managing_agency_id: Option<i64>,
    /// Project owner.
    pub project_owner_id: Option<i64>,
    /// Status code.
    pub status: String,
    /// Decree code.
    pub legal_basis: Option<String>,
    /// Approval decision number.
    pub approval_decision_number: Option<String>,
    /// Approval decision date.
    pub approval_decision_date: Option<NaiveDate>,
    /// Approval level code.
    pub approval_level: Option<String>,
    /// Rate fixed in the decision: item currency per USD.
    pub decision_currency_per_usd: Option<String>,
    /// Rate fixed in the decision: VND per USD.
    pub decision_vnd_per_usd: Option<String>,
    /// Start.
    pub start_date: Option<NaiveDate>,
    /// End.
    pub end_date: Option<NaiveDate>,
    /// Beneficiaries from ethnic minorities.
    pub beneficiaries_ethnic_minority: Option<i64>,
    /// Women beneficiaries.
    pub beneficiaries_women: Option<i64>,
    /// Child beneficiaries.
    pub beneficiaries_children: Option<i64>,
    /// Beneficiaries with disabilities.
    pub beneficiaries_disabled: Option<i64>,
    /// Poor households reached.
    pub beneficiaries_poor_households: Option<i64>,
    /// Where it was imported from.
    pub imported_from: Option<String>,
    /// Illustrative demo record.
    pub illustrative: bool,
    /// Visible to the public.
    pub published: bool,
    /// Version.
    pub version: i64,
    /// When it was archived (archived items are kept, never deleted).
    pub archived_at: Option<DateTime<Utc>>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

pub(crate) const COLUMNS: &str = "id, code, iati_identifier, title, title_en, description, kind, supplements_item_id, managing_agency_id, project_owner_id, \
    status, legal_basis, approval_decision_number, approval_decision_date, approval_level, decision_currency_per_usd, \
    decision_vnd_per_usd, start_date, end_date, beneficiaries_ethnic_minority, beneficiaries_women, beneficiaries_children, \
    beneficiaries_disabled, beneficiaries_poor_households, imported_from, illustrative, published, version, archived_at, created_at, updated_at";

/// A donor of an item as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct DonorRow {
    /// Donor organisation.
    pub organisation_id: i64,
    /// Share in basis points.
    pub share_bp: i64,
}

/// A sector of an item as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct SectorRow {
    /// Sector code (DAC 5-digit or `vn:…`).
    pub sector_code: String,
    /// Share in basis points.
    pub share_bp: i64,
}

/// A location of an item as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct LocationRow {
    /// Unit set as recorded.
    pub recorded_unit_set: String,
    /// Province as recorded.
    pub recorded_province_code: String,
    /// District as recorded.
    pub recorded_district_code: Option<String>,
    /// Commune as recorded.
    pub recorded_commune_code: Option<String>,
    /// Province today.
    pub current_province_code: String,
    /// Commune today.
    pub current_commune_code: Option<String>,
    /// Officer-chosen target of a split commune.
    pub commune_override: bool,
    /// Share in basis points.
    pub share_bp: i64,
}

/// One move in an item's status history.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct StatusChangeRow {
    /// From (none for the first entry).
    pub from_status: Option<String>,
    /// To.
    pub to_status: String,
    /// Date the change took effect.
    pub changed_on: NaiveDate,
    /// Who made it.
    pub actor: String,
    /// Note.
    pub note: Option<String>,
}

/// Stores a new item with its donors, sectors and locations and its first status-history row.
pub async fn insert(
    ex: &mut impl Exec,
    item: &NewAidItem,
    actor: &str,
    recorded_on: NaiveDate,
    now: DateTime<Utc>,
) -> Result<AidItemId, StoreError> {
    let ids = insert_many(ex, &[(item, recorded_on)], actor, now).await?;
    ids.first().copied().ok_or(StoreError::NotFound("inserted row"))
}

/// Stores new items (each with the date its first status is recorded on) in a few statements, as [`insert`]
/// stores one; returns their ids in order.
pub async fn insert_many(
    ex: &mut impl Exec,
    items: &[(&NewAidItem, NaiveDate)],
    actor: &str,
    now: DateTime<Utc>,
) -> Result<Vec<AidItemId>, StoreError> {
    let Some((first, _)) = items.first() else { return Ok(Vec::new()) };
    let names: Vec<&str> = item_columns(first, now).iter().map(|(n, _)| *n).collect();
    let rows: Vec<Vec<Value>> =
        items.iter().map(|(item, _)| item_columns(item, now).into_iter().map(|(_, v)| v).collect()).collect();
    let ids = crate::bulk::insert_rows_returning_ids(ex, "aid_item", &names, &rows).await?;
    let parts: Vec<(i64, &NewAidItem)> = ids.iter().zip(items).map(|(id, (item, _))| (*id, *item)).collect();
    insert_parts_many(ex, &parts).await?;
    let notes: Vec<String> = items
        .iter()
        .map(|(item, _)| match &item.imported_from {
            Some(source) => format!("imported from {source}; no Vietnamese approval decision is recorded"),
            None => "recorded".to_owned(),
        })
        .collect();
    let changes: Vec<StatusChange<'_>> = ids
        .iter()
        .zip(items)
        .zip(&notes)
        .map(|((id, (item, on)), note)| StatusChange {
            item: *id,
            from: None,
            to: item.status,
            on: *on,
            actor,
            note: Some(note),
        })
        .collect();
    insert_status_changes(ex, &changes, now).await?;
    Ok(ids.into_iter().map(AidItemId).collect())
}

/// Every column a new item is written with, with its value.
fn item_columns(item: &NewAidItem, now: DateTime<Utc>) -> Vec<(&'static str, Value)> {
    let approval = item.approval.as_ref();
    let mut columns = content_columns(item);
    columns.extend([
        ("status", Value::from(item.status.as_str())),
        ("approval_decision_number", Value::from(approval.map(|a| a.decision_number.clone()))),
        ("approval_decision_date", Value::from(approval.map(|a| a.decision_date))),
        ("approval_level", Value::from(approval.map(|a| a.level.as_str()))),
        ("illustrative", Value::from(item.illustrative)),
        ("imported_from", Value::from(item.imported_from.clone())),
        ("version", Value::from(1_i64)),
        ("created_at", Value::from(now)),
        ("updated_at", Value::from(now)),
    ]);
    columns
}

/// The columns an item's content fills, with their values: what a new item is written with and what an
/// edit replaces (the status, the approval decision and the bookkeeping columns are not content).
pub(crate) fn content_columns(item: &NewAidItem) -> Vec<(&'static str, Value)> {
    let rate = item.decision_rate.as_ref();
    let b = &item.beneficiaries;
    vec![
        ("code", Value::from(item.code.clone())),
        ("iati_identifier", Value::from(item.iati_identifier.clone())),
        ("title", Value::from(item.title.as_str())),
        ("title_en", Value::from(item.title_en.clone())),
        ("description", Value::from(item.description.clone())),
        ("kind", Value::from(item.kind.as_str())),
        ("supplements_item_id", Value::from(item.supplements.map(|s| s.0))),
        ("managing_agency_id", Value::from(item.managing_agency.map(|o| o.0))),
        ("project_owner_id", Value::from(item.project_owner.map(|o| o.0))),
        ("legal_basis", Value::from(item.legal_basis.as_str())),
        ("decision_currency_per_usd", Value::from(rate.and_then(|r| r.currency_per_usd).map(|d| d.to_string()))),
        ("decision_vnd_per_usd", Value::from(rate.map(|r| r.vnd_per_usd.to_string()))),
        ("start_date", Value::from(item.start_date)),
        ("end_date", Value::from(item.end_date)),
        ("beneficiaries_ethnic_minority", Value::from(b.ethnic_minority)),
        ("beneficiaries_women", Value::from(b.women)),
        ("beneficiaries_children", Value::from(b.children)),
        ("beneficiaries_disabled", Value::from(b.disabled)),
        ("beneficiaries_poor_households", Value::from(b.poor_households)),
        ("search_text", Value::from(item.search_text())),
        ("published", Value::from(item.published)),
    ]
}

/// Inserts an item's donors, sectors and locations (a new item's, or an edited item's after the old parts
/// were deleted).
pub(crate) async fn insert_parts(ex: &mut impl Exec, id: i64, item: &NewAidItem) -> Result<(), StoreError> {
    insert_parts_many(ex, &[(id, item)]).await
}

/// Inserts the donors, sectors and locations of several items, a few statements per table.
pub(crate) async fn insert_parts_many(ex: &mut impl Exec, items: &[(i64, &NewAidItem)]) -> Result<(), StoreError> {
    let mut donors = Vec::new();
    let mut sectors = Vec::new();
    let mut locations = Vec::new();
    for (id, item) in items {
        for d in &item.donors {
            donors.push(vec![Value::from(*id), Value::from(d.organisation.0), Value::from(d.share.basis_points())]);
        }
        for s in &item.sectors {
            sectors.push(vec![Value::from(*id), Value::from(s.sector.code()), Value::from(s.share.basis_points())]);
        }
        for (position, l) in item.locations.iter().enumerate() {
            locations.push(vec![
                Value::from(*id),
                Value::from(i64::try_from(position).unwrap_or(i64::MAX)),
                Value::from(l.recorded_set.as_str()),
                Value::from(l.recorded_province.as_str()),
                Value::from(l.recorded_district.as_ref().map(|d| d.as_str().to_owned())),
                Value::from(l.recorded_commune.as_ref().map(|c| c.as_str().to_owned())),
                Value::from(l.current_province.as_str()),
                Value::from(l.current_commune.as_ref().map(|c| c.as_str().to_owned())),
                Value::from(l.commune_override),
                Value::from(l.share.basis_points()),
            ]);
        }
    }
    use crate::bulk::insert_rows;
    insert_rows(ex, "aid_item_donor", &["item_id", "organisation_id", "share_bp"], &donors, usize::MAX).await?;
    insert_rows(ex, "aid_item_sector", &["item_id", "sector_code", "share_bp"], &sectors, usize::MAX).await?;
    let location_columns = [
        "item_id",
        "position",
        "recorded_unit_set",
        "recorded_province_code",
        "recorded_district_code",
        "recorded_commune_code",
        "current_province_code",
        "current_commune_code",
        "commune_override",
        "share_bp",
    ];
    insert_rows(ex, "aid_item_location", &location_columns, &locations, usize::MAX).await
}

/// One row of an item's status history.
#[derive(Debug, Clone)]
pub struct StatusChange<'a> {
    /// The item.
    pub item: i64,
    /// The status it left (`None` for its first).
    pub from: Option<AidStatus>,
    /// The status it entered.
    pub to: AidStatus,
    /// The day it changed.
    pub on: NaiveDate,
    /// Who changed it.
    pub actor: &'a str,
    /// Why, when said.
    pub note: Option<&'a str>,
}

/// Writes status-history rows, a few statements for all of them.
pub async fn insert_status_changes(
    ex: &mut impl Exec,
    changes: &[StatusChange<'_>],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let rows: Vec<Vec<Value>> = changes
        .iter()
        .map(|c| {
            vec![
                Value::from(c.item),
                Value::from(c.from.map(AidStatus::as_str)),
                Value::from(c.to.as_str()),
                Value::from(c.on),
                Value::from(c.actor),
                Value::from(c.note),
                Value::from(now),
            ]
        })
        .collect();
    let columns = ["item_id", "from_status", "to_status", "changed_on", "actor", "note", "recorded_at"];
    crate::bulk::insert_rows(ex, "aid_item_status_change", &columns, &rows, usize::MAX).await
}

#[allow(clippy::too_many_arguments)]
async fn insert_status_change(
    ex: &mut impl Exec,
    item: i64,
    from: Option<AidStatus>,
    to: AidStatus,
    on: NaiveDate,
    actor: &str,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    insert_status_changes(ex, &[StatusChange { item, from, to, on, actor, note }], now).await
}

/// Reads one item.
pub async fn get(ex: &mut impl Exec, id: AidItemId) -> Result<AidItemRow, StoreError> {
    ex.fetch_one(Stmt::new(format!("SELECT {COLUMNS} FROM aid_item WHERE id = $1")).bind(id.0), "aid item").await
}

/// The item with this local code, if any.
pub async fn find_by_code(ex: &mut impl Exec, code: &str) -> Result<Option<AidItemRow>, StoreError> {
    ex.fetch_optional(Stmt::new(format!("SELECT {COLUMNS} FROM aid_item WHERE code = $1")).bind(code)).await
}

/// Lists live items, newest first.
pub async fn list(ex: &mut impl Exec, limit: i64, offset: i64) -> Result<Vec<AidItemRow>, StoreError> {
    ex.fetch_all(
        Stmt::new(format!(
            "SELECT {COLUMNS} FROM aid_item WHERE archived_at IS NULL ORDER BY id DESC LIMIT $1 OFFSET $2"
        ))
        .bind(limit)
        .bind(offset),
    )
    .await
}

/// An item's donors.
pub async fn donors(ex: &mut impl Exec, id: AidItemId) -> Result<Vec<DonorRow>, StoreError> {
    ex.fetch_all(Stmt::new("SELECT organisation_id, share_bp FROM aid_item_donor WHERE item_id = $1 ORDER BY share_bp DESC, organisation_id").bind(id.0))
        .await
}

/// An item's sectors.
pub async fn sectors(ex: &mut impl Exec, id: AidItemId) -> Result<Vec<SectorRow>, StoreError> {
    ex.fetch_all(
        Stmt::new(
            "SELECT sector_code, share_bp FROM aid_item_sector WHERE item_id = $1 ORDER BY share_bp DESC, sector_code",
        )
        .bind(id.0),
    )
    .await
}

/// An item's locations, in the order entered.
pub async fn locations(ex: &mut impl Exec, id: AidItemId) -> Result<Vec<LocationRow>, StoreError> {
    ex.fetch_all(
        Stmt::new(
            "SELECT recorded_unit_set, recorded_province_code, recorded_district_code, recorded_commune_code, current_province_code, \
             current_commune_code, commune_override, share_bp FROM aid_item_location WHERE item_id = $1 ORDER BY position",
        )
        .bind(id.0),
    )
    .await
}

/// An item's status history, oldest first.
pub async fn status_history(ex: &mut impl Exec, id: AidItemId) -> Result<Vec<StatusChangeRow>, StoreError> {
    ex.fetch_all(
        Stmt::new("SELECT from_status, to_status, changed_on, actor, note FROM aid_item_status_change WHERE item_id = $1 ORDER BY id")
            .bind(id.0),
    )
    .await
}

/// One item to move along its lifecycle with [`set_statuses`].
#[derive(Debug, Clone, Copy)]
pub struct StatusMove {
    /// The item.
    pub id: AidItemId,
    /// The version it is expected to have.
    pub version: i64,
    /// Its current status.
    pub from: AidStatus,
    /// Its new status.
    pub to: AidStatus,
    /// The day of the change.
    pub on: NaiveDate,
}

/// Moves many items along their lifecycle (no approval decision among them) in a few statements, each as
/// [`set_status`] moves one: version incremented, a status-history row. Fails with `StaleVersion` when an
/// item is not at the version and status expected.
pub async fn set_statuses(
    ex: &mut impl Exec,
    moves: &[StatusMove],
    actor: &str,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let mut groups: std::collections::BTreeMap<(&str, &str, i64), Vec<i64>> = std::collections::BTreeMap::new();
    for m in moves {
        groups.entry((m.from.as_str(), m.to.as_str(), m.version)).or_default().push(m.id.0);
    }
    for ((from, to, version), ids) in groups {
        // Few ids per statement: SQLite looks numbered parameters up one by one.
        for chunk in ids.chunks(500) {
            let list: Vec<String> = (5..5 + chunk.len()).map(|n| format!("${n}")).collect();
            let stmt = Stmt::new(format!(
                "UPDATE aid_item SET status = $1, version = version + 1, updated_at = $2 \
                 WHERE status = $3 AND version = $4 AND id IN ({})",
                list.join(", ")
            ))
            .bind(to)
            .bind(now)
            .bind(from)
            .bind(version);
            let stmt = chunk.iter().fold(stmt, |stmt, id| stmt.bind(*id));
            let changed = ex.execute(stmt).await?;
            if changed != chunk.len() as u64 {
                return Err(StoreError::StaleVersion { what: "aid item", expected: version });
            }
        }
    }
    let changes: Vec<StatusChange<'_>> = moves
        .iter()
        .map(|m| StatusChange { item: m.id.0, from: Some(m.from), to: m.to, on: m.on, actor, note })
        .collect();
    insert_status_changes(ex, &changes, now).await
}

/// Moves an item's status if it is still at `expected_version`, recording the approval when one is given;
/// returns the new version.
#[allow(clippy::too_many_arguments)]
pub async fn set_status(
    ex: &mut impl Exec,
    id: AidItemId,
    expected_version: i64,
    from: AidStatus,
    to: AidStatus,
    on: NaiveDate,
    approval: Option<&Approval>,
    actor: &str,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let changed = match approval {
        Some(a) => {
            ex.execute(
                Stmt::new(
                    "UPDATE aid_item SET status = $1, approval_decision_number = $2, approval_decision_date = $3, approval_level = $4, \
                     version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7",
                )
                .bind(to.as_str())
                .bind(a.decision_number.as_str())
                .bind(a.decision_date)
                .bind(a.level.as_str())
                .bind(now)
                .bind(id.0)
                .bind(expected_version),
            )
            .await?
        }
        None => {
            ex.execute(
                Stmt::new("UPDATE aid_item SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4")
                    .bind(to.as_str())
                    .bind(now)
                    .bind(id.0)
                    .bind(expected_version),
            )
            .await?
        }
    };
    if changed == 0 {
        get(ex, id).await?;
        return Err(StoreError::StaleVersion { what: "aid item", expected: expected_version });
    }
    insert_status_change(ex, id.0, Some(from), to, on, actor, note, now).await?;
    Ok(expected_version + 1)
}
