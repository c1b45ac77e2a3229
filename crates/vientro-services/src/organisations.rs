//! Use cases for organisations, their certificates and their per-year registrations in provinces.
//!
//! Each function parses with the domain, writes in one transaction with its audit row, and returns the new
//! id. It must not format anything for display.

use vientro_domain::certificate::{CertificateInput, CertificateStatus, ProvinceRegistration};
use vientro_domain::ids::{CertificateId, OrganisationId};
use vientro_domain::organisation::OrganisationInput;
use vientro_domain::{ValidationError, ValidationErrors};
use vientro_store::audit::{self, AuditEntry};
use vientro_store::{certificates, now, organisations};

use crate::{Actor, ServiceError, Services};

fn to_json<T: serde::Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

impl Services {
    /// Registers an organisation.
    pub async fn create_organisation(
        &self,
        actor: &Actor,
        input: &OrganisationInput,
    ) -> Result<OrganisationId, ServiceError> {
        let org = input.parse()?;
        let now = now();
        let mut tx = self.db.begin().await?;
        let id = organisations::insert(&mut tx, &org, now).await?;
        audit::append(
            &mut tx,
            &AuditEntry {
                actor: &actor.name,
                action: "create",
                entity: "organisation",
                entity_id: Some(id.0),
                before: None,
                after: to_json(&org),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Reads an organisation.
    pub async fn organisation(&self, id: OrganisationId) -> Result<organisations::OrganisationRow, ServiceError> {
        let mut db = self.db.clone();
        Ok(organisations::get(&mut db, id).await?)
    }

    /// Records a registration certificate for an organisation that must be a foreign NGO.
    pub async fn add_certificate(
        &self,
        actor: &Actor,
        organisation: OrganisationId,
        input: &CertificateInput,
    ) -> Result<CertificateId, ServiceError> {
        let cert = input.parse(organisation)?;
        let now = now();
        let mut tx = self.db.begin().await?;
        let holder = organisations::get(&mut tx, organisation).await?;
        if holder.kind != "foreign_ngo" {
            return Err(ValidationErrors::from(ValidationError::new(
                "organisation",
                "error-certificate-holder",
                "registration certificates are issued to foreign NGOs only",
            ))
            .into());
        }
        let id = certificates::insert(&mut tx, &cert, now).await?;
        audit::append(
            &mut tx,
            &AuditEntry {
                actor: &actor.name,
                action: "create",
                entity: "certificate",
                entity_id: Some(id.0),
                before: None,
                after: to_json(&cert),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes a certificate's status along the allowed lifecycle.
    pub async fn change_certificate_status(
        &self,
        actor: &Actor,
        id: CertificateId,
        expected_version: i64,
        to: CertificateStatus,
    ) -> Result<i64, ServiceError> {
        let now = now();
        let mut tx = self.db.begin().await?;
        let before = certificates::get(&mut tx, id).await?;
        let from = CertificateStatus::parse(&before.status)?;
        from.check_transition(to)?;
        let version = certificates::set_status(&mut tx, id, expected_version, to, now).await?;
        audit::append(
            &mut tx,
            &AuditEntry {
                actor: &actor.name,
                action: "status",
                entity: "certificate",
                entity_id: Some(id.0),
                before: Some(serde_json::json!({ "status": from.as_str(), "version": expected_version })),
                after: Some(serde_json::json!({ "status": to.as_str(), "version": version })),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Records that an organisation is registered to operate in a province in a year (FACTS Q1).
    pub async fn register_in_province(
        &self,
        actor: &Actor,
        organisation: OrganisationId,
        province: &str,
        year: i32,
        registered_on: Option<&str>,
        illustrative: bool,
    ) -> Result<i64, ServiceError> {
        let reg = ProvinceRegistration::parse(organisation, province, year, registered_on, None, illustrative)?;
        let now = now();
        let mut tx = self.db.begin().await?;
        organisations::get(&mut tx, organisation).await?;
        let id = certificates::insert_registration(&mut tx, &reg, now).await?;
        audit::append(
            &mut tx,
            &AuditEntry {
                actor: &actor.name,
                action: "create",
                entity: "province_registration",
                entity_id: Some(id),
                before: None,
                after: to_json(&reg),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}
