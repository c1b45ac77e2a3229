//! Spreadsheet column mappings saved by name (JSON text), for the next sheet of the same shape.
//!
//! It stores and reads the text; it must not parse a mapping (the interchange crate does) or decide who may
//! save one (the services do).

use chrono::{DateTime, Utc};

use crate::db::{Exec, ExecExt, Stmt};
use crate::error::StoreError;

/// A saved mapping's name, who saved it and when.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct SavedMappingRow {
    /// Its name.
    pub name: String,
    /// The mapping as JSON.
    pub mapping: String,
    /// Who saved it last.
    pub saved_by: String,
    /// When.
    pub saved_at: DateTime<Utc>,
}

/// Saves a mapping under `name`, replacing one saved before under the same name.
pub async fn save(
    ex: &mut impl Exec,
    name: &str,
    mapping_json: &str,
    saved_by: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    ex.execute(
        Stmt::new(
            "INSERT INTO sheet_mapping (name, mapping, saved_by, saved_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE SET mapping = excluded.mapping, saved_by = excluded.saved_by, \
             saved_at = excluded.saved_at",
        )
        .bind(name)
        .bind(mapping_json)
        .bind(saved_by)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// Every saved mapping, by name.
pub async fn all(ex: &mut impl Exec) -> Result<Vec<SavedMappingRow>, StoreError> {
    ex.fetch_all(Stmt::new("SELECT name, mapping, saved_by, saved_at FROM sheet_mapping ORDER BY name")).await
}

/// One saved mapping, or `NotFound`.
pub async fn get(ex: &mut impl Exec, name: &str) -> Result<SavedMappingRow, StoreError> {
    ex.fetch_one(
        Stmt::new("SELECT name, mapping, saved_by, saved_at FROM sheet_mapping WHERE name = $1").bind(name),
        "the saved column mapping",
    )
    .await
}
