//! Organisations and their sectors of interest.
//!
//! Stores a [`NewOrganisation`] the domain has validated and reads organisations back as rows. It must not
//! validate input; unique names and identifiers are enforced by the schema and mapped by `on_constraint`.

use chrono::{DateTime, Utc};
use vientro_domain::ids::OrganisationId;
use vientro_domain::organisation::NewOrganisation;

use crate::db::{Exec, ExecExt, Stmt};
use crate::error::StoreError;

/// An organisation as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct OrganisationRow {
    /// Id.
    pub id: i64,
    /// Kind code.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Vietnamese name.
    pub name_vi: Option<String>,
    /// Acronym.
    pub acronym: Option<String>,
    /// Home country code.
    pub country_code: Option<String>,
    /// Province code (Vietnamese agencies).
    pub province_code: Option<String>,
    /// IATI identifier.
    pub iati_identifier: Option<String>,
    /// Illustrative demo record.
    pub illustrative: bool,
    /// Version, incremented on every change.
    pub version: i64,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, kind, name, name_vi, acronym, country_code, province_code, iati_identifier, illustrative, version, created_at, updated_at";

/// Inserts an organisation and its sectors; returns its id.
pub async fn insert(
    ex: &mut impl Exec,
    org: &NewOrganisation,
    now: DateTime<Utc>,
) -> Result<OrganisationId, StoreError> {
    let id = ex
        .insert_returning_id(
            Stmt::new(
                "INSERT INTO organisation (kind, name, name_vi, acronym, country_code, province_code, iati_identifier, \
                 name_key, search_text, sort_key, illustrative, version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12) RETURNING id",
            )
            .bind_content(org)
            .bind(org.illustrative)
            .bind(now),
        )
        .await
        .map_err(StoreError::on_constraint)?;
    insert_sectors(ex, id, org).await?;
    Ok(OrganisationId(id))
}

/// Binds an organisation's ten content values, in the order insert and update list them: kind, name,
/// Vietnamese name, acronym, country, province, IATI identifier, then the derived name key, search text
/// and sort key.
trait BindContent {
    fn bind_content(self, org: &NewOrganisation) -> Self;
}

impl BindContent for Stmt {
    fn bind_content(self, org: &NewOrganisation) -> Stmt {
        self.bind(org.kind.as_str())
            .bind(org.name.as_str())
            .bind(org.name_vi.clone())
            .bind(org.acronym.clone())
            .bind(org.country.as_ref().map(|c| c.as_str().to_owned()))
            .bind(org.province.as_ref().map(|p| p.as_str().to_owned()))
            .bind(org.iati_identifier.clone())
            .bind(vientro_domain::text::fold(&org.name))
            .bind(org.search_text())
            .bind(org.sort_key())
    }
}

async fn insert_sectors(ex: &mut impl Exec, id: i64, org: &NewOrganisation) -> Result<(), StoreError> {
    for sector in &org.sectors {
        ex.execute(
            Stmt::new("INSERT INTO organisation_sector (organisation_id, sector_code) VALUES ($1, $2)")
                .bind(id)
                .bind(sector.code()),
        )
        .await?;
    }
    Ok(())
}

/// Replaces an organisation's content and sectors if it is still at `expected_version`; returns the new
/// version. A stale version changes nothing and is reported as such.
pub async fn update(
    ex: &mut impl Exec,
    id: OrganisationId,
    expected_version: i64,
    org: &NewOrganisation,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let changed = ex
        .execute(
            Stmt::new(
                "UPDATE organisation SET kind = $1, name = $2, name_vi = $3, acronym = $4, country_code = $5, \
                 province_code = $6, iati_identifier = $7, name_key = $8, search_text = $9, sort_key = $10, \
                 version = version + 1, updated_at = $11 WHERE id = $12 AND version = $13 AND archived_at IS NULL",
            )
            .bind_content(org)
            .bind(now)
            .bind(id.0)
            .bind(expected_version),
        )
        .await
        .map_err(StoreError::on_constraint)?;
    if changed == 0 {
        get(ex, id).await?;
        return Err(StoreError::StaleVersion { what: "organisation", expected: expected_version });
    }
    ex.execute(Stmt::new("DELETE FROM organisation_sector WHERE organisation_id = $1").bind(id.0)).await?;
    insert_sectors(ex, id.0, org).await?;
    Ok(expected_version + 1)
}

/// The items an organisation funds (whose report facts carry its kind and country).
pub async fn donor_items(ex: &mut impl Exec, id: OrganisationId) -> Result<Vec<i64>, StoreError> {
    let rows: Vec<crate::db::Scalar> = ex
        .fetch_all(
            Stmt::new("SELECT item_id FROM aid_item_donor WHERE organisation_id = $1 ORDER BY item_id").bind(id.0),
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Reads one organisation.
pub async fn get(ex: &mut impl Exec, id: OrganisationId) -> Result<OrganisationRow, StoreError> {
    ex.fetch_one(Stmt::new(format!("SELECT {COLUMNS} FROM organisation WHERE id = $1")).bind(id.0), "organisation")
        .await
}

/// Finds an organisation by its IATI identifier.
pub async fn find_by_iati_identifier(
    ex: &mut impl Exec,
    identifier: &str,
) -> Result<Option<OrganisationRow>, StoreError> {
    ex.fetch_optional(
        Stmt::new(format!("SELECT {COLUMNS} FROM organisation WHERE iati_identifier = $1")).bind(identifier),
    )
    .await
}

/// Finds an organisation of a kind by its name, diacritic-insensitively.
pub async fn find_by_name(ex: &mut impl Exec, kind: &str, name: &str) -> Result<Option<OrganisationRow>, StoreError> {
    ex.fetch_optional(
        Stmt::new(format!(
            "SELECT {COLUMNS} FROM organisation WHERE kind = $1 AND name_key = $2 AND archived_at IS NULL"
        ))
        .bind(kind)
        .bind(vientro_domain::text::fold(name)),
    )
    .await
}

/// Lists live organisations in Vietnamese alphabetical order.
pub async fn list(ex: &mut impl Exec, limit: i64, offset: i64) -> Result<Vec<OrganisationRow>, StoreError> {
    ex.fetch_all(
        Stmt::new(format!(
            "SELECT {COLUMNS} FROM organisation WHERE archived_at IS NULL ORDER BY sort_key, id LIMIT $1 OFFSET $2"
        ))
        .bind(limit)
        .bind(offset),
    )
    .await
}

/// The sector codes an organisation is interested in.
pub async fn sectors(ex: &mut impl Exec, id: OrganisationId) -> Result<Vec<String>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Code {
        sector_code: String,
    }
    let rows: Vec<Code> = ex
        .fetch_all(
            Stmt::new("SELECT sector_code FROM organisation_sector WHERE organisation_id = $1 ORDER BY sector_code")
                .bind(id.0),
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.sector_code).collect())
}
