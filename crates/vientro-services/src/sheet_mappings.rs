//! Spreadsheet column mappings saved by name, so the next list of the same shape is read the same way from the
//! web or the command line.
//!
//! Like sheet imports, saving is for administrators and central staff; everyone who may import reads them.
//! Each save is audited. It must not apply a mapping to a sheet (the interchange crate does).

use vientro_domain::access::Role;
use vientro_domain::{ValidationError, ValidationErrors};
use vientro_interchange::sheet::Mapping;
use vientro_store::audit::{self, AuditEntry};
use vientro_store::sheet_mappings::{self as store, SavedMappingRow};

use crate::accounts::CurrentUser;
use crate::{ServiceError, Services};

/// The longest name a mapping may be saved under.
const MAX_NAME: usize = 120;

impl Services {
    /// Saves `mapping` under `name` (replacing one of that name), for administrators and central staff.
    pub async fn save_sheet_mapping_as(
        &self,
        who: &CurrentUser,
        name: &str,
        mapping: &Mapping,
    ) -> Result<(), ServiceError> {
        if !matches!(who.role, Role::Admin | Role::Central) {
            return Err(ServiceError::Forbidden("only administrators and central staff save column mappings".into()));
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME || name.contains(['\n', '\r']) {
            return Err(ValidationErrors::from(ValidationError::new(
                "save_as",
                "error-mapping-name",
                format!("a mapping is saved under a name of one line, 1 to {MAX_NAME} characters"),
            ))
            .into());
        }
        let json = serde_json::to_string(mapping).map_err(|e| ServiceError::Internal(e.into()))?;
        let mut tx = self.db.begin().await?;
        let before = store::get(&mut tx, name).await.ok().map(|r| serde_json::json!(r.mapping));
        let now = vientro_store::now();
        store::save(&mut tx, name, &json, &who.username, now).await?;
        audit::append(
            &mut tx,
            &AuditEntry {
                actor: &who.username,
                action: if before.is_some() { "update" } else { "create" },
                entity: "sheet_mapping",
                entity_id: None,
                before,
                after: Some(serde_json::json!({ "name": name, "mapping": mapping })),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every saved mapping, by name.
    pub async fn sheet_mappings(&self) -> Result<Vec<SavedMappingRow>, ServiceError> {
        Ok(store::all(&mut self.db.clone()).await?)
    }

    /// The mapping saved under `name`.
    pub async fn sheet_mapping(&self, name: &str) -> Result<Mapping, ServiceError> {
        let row = store::get(&mut self.db.clone(), name.trim()).await?;
        serde_json::from_str(&row.mapping).map_err(|e| {
            ValidationErrors::from(ValidationError::new(
                "mapping",
                "error-mapping-unreadable",
                format!("the saved mapping '{}' cannot be read: {e}", row.name),
            ))
            .into()
        })
    }
}
