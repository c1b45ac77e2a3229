//! Small key/value facts about a database, such as which demonstration data set it holds.
//!
//! Not for configuration (that comes from flags, environment and files) and not for records.

use chrono::{DateTime, Utc};

use crate::db::{Exec, Stmt};
use crate::error::StoreError;

/// Reads a setting.
pub async fn get(ex: &mut impl Exec, key: &str) -> Result<Option<String>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct V {
        value: String,
    }
    let row: Option<V> = ex.fetch_optional(Stmt::new("SELECT value FROM app_setting WHERE key = $1").bind(key)).await?;
    Ok(row.map(|r| r.value))
}

/// Writes a setting, replacing any earlier value.
pub async fn set(ex: &mut impl Exec, key: &str, value: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
    ex.execute(
        Stmt::new(
            "INSERT INTO app_setting (key, value, updated_at) VALUES ($1, $2, $3) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(key)
        .bind(value)
        .bind(now),
    )
    .await?;
    Ok(())
}
