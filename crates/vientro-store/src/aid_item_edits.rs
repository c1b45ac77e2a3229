//! Editing and archiving aid items under an optimistic version check.
//!
//! An edit replaces the item's content and its donors, sectors and locations in one go, only if the item is
//! still at the version the editor saw; the status and the approval decision are left alone (they move only
//! through the lifecycle, `aid_items::set_status`). It must not decide who may edit, nor keep history: the
//! services layer writes the before/after audit row in the same transaction.

use chrono::{DateTime, Utc};
use vientro_domain::aid_item::NewAidItem;
use vientro_domain::ids::AidItemId;

use crate::aid_items::{get, insert_parts};
use crate::db::{Exec, Stmt};
use crate::error::StoreError;

/// Replaces an item's content if it is still at `expected_version`; returns the new version.
pub async fn update_content(
    ex: &mut impl Exec,
    id: AidItemId,
    expected_version: i64,
    item: &NewAidItem,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let rate = item.decision_rate.as_ref();
    let b = &item.beneficiaries;
    let changed = ex
        .execute(
            Stmt::new(
                "UPDATE aid_item SET code = $1, iati_identifier = $2, title = $3, title_en = $4, description = $5, kind = $6, \
                 supplements_item_id = $7, managing_agency_id = $8, project_owner_id = $9, legal_basis = $10, \
                 decision_currency_per_usd = $11, decision_vnd_per_usd = $12, start_date = $13, end_date = $14, \
                 beneficiaries_ethnic_minority = $15, beneficiaries_women = $16, beneficiaries_children = $17, \
                 beneficiaries_disabled = $18, beneficiaries_poor_households = $19, search_text = $20, published = $21, \
                 version = version + 1, updated_at = $22 WHERE id = $23 AND version = $24 AND archived_at IS NULL",
            )
            .bind(item.code.clone())
            .bind(item.iati_identifier.clone())
            .bind(item.title.as_str())
            .bind(item.title_en.clone())
            .bind(item.description.clone())
            .bind(item.kind.as_str())
            .bind(item.supplements.map(|s| s.0))
            .bind(item.managing_agency.map(|o| o.0))
            .bind(item.project_owner.map(|o| o.0))
            .bind(item.legal_basis.as_str())
            .bind(rate.and_then(|r| r.currency_per_usd).map(|d| d.to_string()))
            .bind(rate.map(|r| r.vnd_per_usd.to_string()))
            .bind(item.start_date)
            .bind(item.end_date)
            .bind(b.ethnic_minority)
            .bind(b.women)
            .bind(b.children)
            .bind(b.disabled)
            .bind(b.poor_households)
            .bind(item.search_text())
            .bind(item.published)
            .bind(now)
            .bind(id.0)
            .bind(expected_version),
        )
        .await
        .map_err(StoreError::on_constraint)?;
    if changed == 0 {
        get(ex, id).await?;
        return Err(StoreError::StaleVersion { what: "aid item", expected: expected_version });
    }
    for table in ["aid_item_donor", "aid_item_sector", "aid_item_location"] {
        ex.execute(Stmt::new(format!("DELETE FROM {table} WHERE item_id = $1")).bind(id.0)).await?;
    }
    insert_parts(ex, id.0, item).await?;
    Ok(expected_version + 1)
}

/// Archives an item (deletes never remove rows) if it is still at `expected_version`; returns the new version.
pub async fn archive(
    ex: &mut impl Exec,
    id: AidItemId,
    expected_version: i64,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let changed = ex
        .execute(
            Stmt::new(
                "UPDATE aid_item SET archived_at = $1, version = version + 1, updated_at = $1 \
                 WHERE id = $2 AND version = $3 AND archived_at IS NULL",
            )
            .bind(now)
            .bind(id.0)
            .bind(expected_version),
        )
        .await?;
    if changed == 0 {
        get(ex, id).await?;
        return Err(StoreError::StaleVersion { what: "aid item", expected: expected_version });
    }
    Ok(expected_version + 1)
}
