//! Registration certificates (with permitted provinces and sectors) and per-year province registrations.
//!
//! Stores what the domain validated; status changes check the version the caller read. It must not decide
//! whether a status change is allowed: the domain's lifecycle does, in the services layer.

use chrono::{DateTime, NaiveDate, Utc};
use vientro_domain::certificate::{CertificateStatus, NewCertificate, ProvinceRegistration};
use vientro_domain::ids::{CertificateId, OrganisationId};

use crate::db::{Exec, ExecExt, Stmt};
use crate::error::StoreError;

/// A certificate as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct CertificateRow {
    /// Id.
    pub id: i64,
    /// Holder.
    pub organisation_id: i64,
    /// Kind code.
    pub kind: String,
    /// Number.
    pub number: String,
    /// Decree code.
    pub legal_basis: String,
    /// Issue date.
    pub issued_on: NaiveDate,
    /// First day of validity.
    pub valid_from: NaiveDate,
    /// Last day of validity.
    pub valid_to: NaiveDate,
    /// Stored status code.
    pub status: String,
    /// Representative-office city.
    pub office_city: Option<String>,
    /// Version.
    pub version: i64,
}

const COLUMNS: &str =
    "id, organisation_id, kind, number, legal_basis, issued_on, valid_from, valid_to, status, office_city, version";

/// Inserts a certificate with its provinces and sectors.
pub async fn insert(ex: &mut impl Exec, c: &NewCertificate, now: DateTime<Utc>) -> Result<CertificateId, StoreError> {
    let id = ex
        .insert_returning_id(
            Stmt::new(
                "INSERT INTO certificate (organisation_id, kind, number, legal_basis, issued_on, valid_from, valid_to, status, \
                 office_city, illustrative, version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11) RETURNING id",
            )
            .bind(c.organisation.0)
            .bind(c.kind.as_str())
            .bind(c.number.as_str())
            .bind(c.legal_basis.as_str())
            .bind(c.issued_on)
            .bind(c.valid_from)
            .bind(c.valid_to)
            .bind(c.status.as_str())
            .bind(c.office_city.map(|o| o.as_str()))
            .bind(c.illustrative)
            .bind(now),
        )
        .await
        .map_err(StoreError::on_constraint)?;
    for p in &c.provinces {
        ex.execute(
            Stmt::new("INSERT INTO certificate_province (certificate_id, province_code, unit_set) VALUES ($1, $2, $3)")
                .bind(id)
                .bind(p.as_str())
                .bind(c.unit_set.as_str()),
        )
        .await?;
    }
    for s in &c.sectors {
        ex.execute(
            Stmt::new("INSERT INTO certificate_sector (certificate_id, sector_code) VALUES ($1, $2)")
                .bind(id)
                .bind(s.code()),
        )
        .await?;
    }
    Ok(CertificateId(id))
}

/// Reads one certificate.
pub async fn get(ex: &mut impl Exec, id: CertificateId) -> Result<CertificateRow, StoreError> {
    ex.fetch_one(Stmt::new(format!("SELECT {COLUMNS} FROM certificate WHERE id = $1")).bind(id.0), "certificate").await
}

/// The certificates an organisation holds, newest first.
pub async fn list_for_organisation(ex: &mut impl Exec, org: OrganisationId) -> Result<Vec<CertificateRow>, StoreError> {
    ex.fetch_all(
        Stmt::new(format!(
            "SELECT {COLUMNS} FROM certificate WHERE organisation_id = $1 ORDER BY valid_from DESC, id DESC"
        ))
        .bind(org.0),
    )
    .await
}

/// The province codes (with their unit set) a certificate permits.
pub async fn provinces(ex: &mut impl Exec, id: CertificateId) -> Result<Vec<(String, String)>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct P {
        province_code: String,
        unit_set: String,
    }
    let rows: Vec<P> = ex
        .fetch_all(
            Stmt::new("SELECT province_code, unit_set FROM certificate_province WHERE certificate_id = $1 ORDER BY province_code")
                .bind(id.0),
        )
        .await?;
    Ok(rows.into_iter().map(|r| (r.province_code, r.unit_set)).collect())
}

/// Sets a certificate's status if it is still at `expected_version`; returns the new version.
pub async fn set_status(
    ex: &mut impl Exec,
    id: CertificateId,
    expected_version: i64,
    status: CertificateStatus,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let changed = ex
        .execute(
            Stmt::new("UPDATE certificate SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4")
                .bind(status.as_str())
                .bind(now)
                .bind(id.0)
                .bind(expected_version),
        )
        .await?;
    if changed == 0 {
        get(ex, id).await?;
        return Err(StoreError::StaleVersion { what: "certificate", expected: expected_version });
    }
    Ok(expected_version + 1)
}

/// Records that an organisation is registered to operate in a province in a year.
pub async fn insert_registration(
    ex: &mut impl Exec,
    r: &ProvinceRegistration,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    ex.insert_returning_id(
        Stmt::new(
            "INSERT INTO province_registration (organisation_id, province_code, current_province_code, region, year, registered_on, \
             note, illustrative, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(r.organisation.0)
        .bind(r.province.as_str())
        .bind(r.current_province.as_str())
        .bind(
            vientro_domain::admin_units::AdminUnits::embedded()
                .new_province(&r.current_province)
                .map(|p| p.region.code())
                .unwrap_or("unknown"),
        )
        .bind(i64::from(r.year))
        .bind(r.registered_on)
        .bind(r.note.clone())
        .bind(r.illustrative)
        .bind(now),
    )
    .await
    .map_err(StoreError::on_constraint)
}
