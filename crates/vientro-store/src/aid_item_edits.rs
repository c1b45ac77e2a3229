//! Editing and archiving aid items under an optimistic version check.
//!
//! An edit replaces the item's content and its donors, sectors and locations in one go, only if the item is
//! still at the version the editor saw; the status and the approval decision are left alone (they move only
//! through the lifecycle, `aid_items::set_status`). It must not decide who may edit, nor keep history: the
//! services layer writes the before/after audit row in the same transaction.

use chrono::{DateTime, Utc};
use vientro_domain::aid_item::NewAidItem;
use vientro_domain::ids::AidItemId;

use crate::aid_items::{content_columns, get, insert_parts};
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
    let columns = content_columns(item);
    let count = columns.len();
    let sets: Vec<String> = columns.iter().enumerate().map(|(i, (name, _))| format!("{name} = ${}", i + 1)).collect();
    let stmt = Stmt::new(format!(
        "UPDATE aid_item SET {}, version = version + 1, updated_at = ${} WHERE id = ${} AND version = ${} \
         AND archived_at IS NULL",
        sets.join(", "),
        count + 1,
        count + 2,
        count + 3
    ));
    let stmt = columns.into_iter().fold(stmt, |stmt, (_, value)| stmt.bind(value));
    let changed =
        ex.execute(stmt.bind(now).bind(id.0).bind(expected_version)).await.map_err(StoreError::on_constraint)?;
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
