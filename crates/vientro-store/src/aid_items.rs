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

/// Inserts an item with donors, sectors, locations and its first status entry.
pub async fn insert(
    ex: &mut impl Exec,
    item: &NewAidItem,
    actor: &str,
    recorded_on: NaiveDate,
    now: DateTime<Utc>,
) -> Result<AidItemId, StoreError> {
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
    let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
    let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
    let stmt = Stmt::new(format!(
        "INSERT INTO aid_item ({}) VALUES ({}) RETURNING id",
        names.join(", "),
        placeholders.join(", ")
    ));
    let stmt = columns.into_iter().fold(stmt, |stmt, (_, value)| stmt.bind(value));
    let id = ex.insert_returning_id(stmt).await.map_err(StoreError::on_constraint)?;
    insert_parts(ex, id, item).await?;
    let note = match &item.imported_from {
        Some(source) => format!("imported from {source}; no Vietnamese approval decision is recorded"),
        None => "recorded".to_owned(),
    };
    insert_status_change(ex, id, None, item.status, recorded_on, actor, Some(&note), now).await?;
    Ok(AidItemId(id))
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
    for d in &item.donors {
        ex.execute(
            Stmt::new("INSERT INTO aid_item_donor (item_id, organisation_id, share_bp) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(d.organisation.0)
                .bind(d.share.basis_points()),
        )
        .await?;
    }
    for s in &item.sectors {
        ex.execute(
            Stmt::new("INSERT INTO aid_item_sector (item_id, sector_code, share_bp) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(s.sector.code())
                .bind(s.share.basis_points()),
        )
        .await?;
    }
    for (position, l) in item.locations.iter().enumerate() {
        ex.execute(
            Stmt::new(
                "INSERT INTO aid_item_location (item_id, position, recorded_unit_set, recorded_province_code, recorded_district_code, \
                 recorded_commune_code, current_province_code, current_commune_code, commune_override, share_bp) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(id)
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(l.recorded_set.as_str())
            .bind(l.recorded_province.as_str())
            .bind(l.recorded_district.as_ref().map(|d| d.as_str().to_owned()))
            .bind(l.recorded_commune.as_ref().map(|c| c.as_str().to_owned()))
            .bind(l.current_province.as_str())
            .bind(l.current_commune.as_ref().map(|c| c.as_str().to_owned()))
            .bind(l.commune_override)
            .bind(l.share.basis_points()),
        )
        .await?;
    }
    Ok(())
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
    ex.execute(
        Stmt::new(
            "INSERT INTO aid_item_status_change (item_id, from_status, to_status, changed_on, actor, note, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(item)
        .bind(from.map(AidStatus::as_str))
        .bind(to.as_str())
        .bind(on)
        .bind(actor)
        .bind(note)
        .bind(now),
    )
    .await?;
    Ok(())
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
