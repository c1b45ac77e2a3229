//! Use cases for organisations, their certificates and their per-year registrations in provinces.
//!
//! Each use case parses with the domain and writes its records and audit row together. The plain form
//! opens and commits its own transaction; the `_in` form runs inside a transaction the caller commits, so a
//! bulk load (demo data, an import) is one transaction. Nothing here formats anything for display.

use vientro_domain::access::{Action, Resource, can};
use vientro_domain::admin_units::ProvinceCode;
use vientro_domain::certificate::{CertificateInput, CertificateStatus, ProvinceRegistration};
use vientro_domain::ids::{CertificateId, OrganisationId};
use vientro_domain::organisation::OrganisationInput;
use vientro_domain::{ValidationError, ValidationErrors};
use vientro_store::audit::{self, AuditEntry};
use vientro_store::{Tx, certificates, now, organisations};

use crate::{Actor, ServiceError, Services};

/// Whether a role may record registration certificates (they are issued centrally).
pub fn may_issue_certificates(role: vientro_domain::access::Role) -> bool {
    matches!(role, vientro_domain::access::Role::Admin | vientro_domain::access::Role::Central)
}

/// Whether a role may register organisations (a province's officers register their partners).
pub fn may_register_organisations(role: vientro_domain::access::Role) -> bool {
    use vientro_domain::access::Role;
    matches!(role, Role::Admin | Role::Central | Role::ProvinceOfficer)
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Option<serde_json::Value> {
    serde_json::to_value(v).ok()
}

/// Writes the audit row of a newly created record.
pub(crate) async fn audit_create(
    tx: &mut Tx,
    actor: &Actor,
    entity: &str,
    id: impl Into<Option<i64>>,
    after: Option<serde_json::Value>,
) -> Result<(), ServiceError> {
    audit::append(
        tx,
        &AuditEntry { actor: &actor.name, action: "create", entity, entity_id: id.into(), before: None, after },
        now(),
    )
    .await?;
    Ok(())
}

impl Services {
    /// Registers an organisation.
    pub async fn create_organisation(
        &self,
        actor: &Actor,
        input: &OrganisationInput,
    ) -> Result<OrganisationId, ServiceError> {
        let mut tx = self.db.begin().await?;
        let id = Self::create_organisation_in(&mut tx, actor, input).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Registers an organisation on behalf of a signed-in user. Administrators, central staff and provincial
    /// officers register organisations; an organisation located in a province (a Vietnamese partner agency)
    /// is registered only by someone who may edit that province's records, so an officer cannot place
    /// records in another province. Foreign NGOs, which have no province, any of them may register.
    pub async fn register_organisation_as(
        &self,
        user: &crate::accounts::CurrentUser,
        input: &OrganisationInput,
    ) -> Result<OrganisationId, ServiceError> {
        if !may_register_organisations(user.role) {
            return Err(ServiceError::Forbidden("you may not register organisations".into()));
        }
        let org = input.parse()?;
        if let Some(province) = &org.province {
            let located = Resource { provinces: vec![province.clone()], organisations: Vec::new(), published: true };
            if !can(&user.principal(), Action::Edit, &located) {
                return Err(ServiceError::Forbidden("you may not register organisations in that province".into()));
            }
        }
        self.create_organisation(&user.actor(), input).await
    }

    /// Changes an organisation on behalf of a signed-in user, if it is still at `version` (the one the user
    /// saw); returns the new version. The access rule decides who may (central staff any; a provincial officer
    /// the Vietnamese agencies of the province; an NGO reporter its own organisation), and only central staff
    /// change what kind of organisation it is. The report facts of the items it funds are rebuilt, since they
    /// carry its kind and country.
    pub async fn update_organisation_as(
        &self,
        user: &crate::accounts::CurrentUser,
        id: OrganisationId,
        version: i64,
        input: &OrganisationInput,
    ) -> Result<i64, ServiceError> {
        let org = input.parse()?;
        let mut tx = self.db.begin().await?;
        let before = organisations::get(&mut tx, id).await?;
        let resource = |province: Option<&str>| Resource {
            provinces: province.and_then(|p| ProvinceCode::parse(p).ok()).into_iter().collect(),
            organisations: vec![id],
            published: true,
        };
        let who = user.principal();
        let after_province = org.province.as_ref().map(|p| p.as_str().to_owned());
        if !can(&who, Action::Edit, &resource(before.province_code.as_deref()))
            || !can(&who, Action::Edit, &resource(after_province.as_deref()))
        {
            return Err(ServiceError::Forbidden("you may not change this organisation".into()));
        }
        if org.kind.as_str() != before.kind && !may_issue_certificates(user.role) {
            return Err(ValidationErrors::from(ValidationError::new(
                "kind",
                "error-kind-central-only",
                "only central staff change what kind of organisation this is",
            ))
            .into());
        }
        let new_version = organisations::update(&mut tx, id, version, &org, now()).await?;
        let items: Vec<vientro_domain::ids::AidItemId> =
            organisations::donor_items(&mut tx, id).await?.into_iter().map(vientro_domain::ids::AidItemId).collect();
        vientro_store::facts::refresh_items(&mut tx, &items).await?;
        audit::append(
            &mut tx,
            &AuditEntry {
                actor: &user.username,
                action: "update",
                entity: "organisation",
                entity_id: Some(id.0),
                before: serde_json::to_value(&before).ok(),
                after: to_json(&org),
            },
            now(),
        )
        .await?;
        tx.commit().await?;
        Ok(new_version)
    }

    /// Registers an organisation inside the caller's transaction.
    pub async fn create_organisation_in(
        tx: &mut Tx,
        actor: &Actor,
        input: &OrganisationInput,
    ) -> Result<OrganisationId, ServiceError> {
        let org = input.parse()?;
        let id = organisations::insert(tx, &org, now()).await?;
        audit_create(tx, actor, "organisation", id.0, to_json(&org)).await?;
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
        let mut tx = self.db.begin().await?;
        let id = Self::add_certificate_in(&mut tx, actor, organisation, input).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records a registration certificate on behalf of a signed-in user. Certificates are issued centrally
    /// (the Ministry of Foreign Affairs, through the Committee for Foreign NGO Affairs), so only central staff
    /// and administrators may record them.
    pub async fn add_certificate_as(
        &self,
        user: &crate::accounts::CurrentUser,
        organisation: OrganisationId,
        input: &CertificateInput,
    ) -> Result<CertificateId, ServiceError> {
        if !may_issue_certificates(user.role) {
            return Err(ServiceError::Forbidden("only central staff record registration certificates".into()));
        }
        self.add_certificate(&user.actor(), organisation, input).await
    }

    /// Records a registration certificate inside the caller's transaction.
    pub async fn add_certificate_in(
        tx: &mut Tx,
        actor: &Actor,
        organisation: OrganisationId,
        input: &CertificateInput,
    ) -> Result<CertificateId, ServiceError> {
        let cert = input.parse(organisation)?;
        let holder = organisations::get(tx, organisation).await?;
        if holder.kind != "foreign_ngo" {
            return Err(ValidationErrors::from(ValidationError::new(
                "organisation",
                "error-certificate-holder",
                "registration certificates are issued to foreign NGOs only",
            ))
            .into());
        }
        let id = certificates::insert(tx, &cert, now()).await?;
        audit_create(tx, actor, "certificate", id.0, to_json(&cert)).await?;
        Ok(id)
    }

    /// Changes a certificate's status along the allowed lifecycle; returns the new version.
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
        let mut tx = self.db.begin().await?;
        let reg = ProvinceRegistration::parse(organisation, province, year, registered_on, None, illustrative)?;
        let id = Self::register_in_province_in(&mut tx, actor, &reg).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records a parsed province registration inside the caller's transaction.
    pub async fn register_in_province_in(
        tx: &mut Tx,
        actor: &Actor,
        registration: &ProvinceRegistration,
    ) -> Result<i64, ServiceError> {
        organisations::get(tx, registration.organisation).await?;
        let id = certificates::insert_registration(tx, registration, now()).await?;
        audit_create(tx, actor, "province_registration", id, to_json(registration)).await?;
        Ok(id)
    }
}
