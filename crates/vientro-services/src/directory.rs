//! Read-only directories for the web face: registration certificates, an organisation with its
//! certificates, and the audit log viewer, each behind its access rule.
//!
//! The organisation directory is public (which foreign NGOs work in Viet Nam is public knowledge);
//! certificates are for logged-in staff; the whole audit log for administrators and central staff. This
//! module must not change anything.

use vientro_domain::access::{Principal, Role};
use vientro_domain::ids::OrganisationId;
use vientro_store::audit::{AuditRow, VerifyReport};
use vientro_store::certificates::CertificateRow;
use vientro_store::listing::{self, CertificateListRow};
use vientro_store::organisations::OrganisationRow;

use crate::{ServiceError, Services};

/// An organisation with its certificates.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OrganisationView {
    /// The organisation.
    pub organisation: OrganisationRow,
    /// Its certificates (staff only; empty for the public).
    pub certificates: Vec<CertificateRow>,
}

fn staff(who: &Principal) -> Result<(), ServiceError> {
    match who {
        Principal::Public => Err(ServiceError::Unauthenticated("log in to see this".to_owned())),
        Principal::User { .. } => Ok(()),
    }
}

fn auditor(who: &Principal) -> Result<(), ServiceError> {
    match who {
        Principal::User { role: Role::Admin | Role::Central, .. } => Ok(()),
        Principal::Public => Err(ServiceError::Unauthenticated("log in to see this".to_owned())),
        Principal::User { .. } => {
            Err(ServiceError::Forbidden("the audit log is for administrators and central staff".into()))
        }
    }
}

impl Services {
    /// Registration certificates, latest first (one more row than `limit` when another page follows).
    pub async fn list_certificates(
        &self,
        who: &Principal,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<CertificateListRow>, ServiceError> {
        staff(who)?;
        let mut db = self.db.clone();
        Ok(listing::certificates(&mut db, limit, offset).await?)
    }

    /// An organisation and, for staff, its certificates.
    pub async fn organisation_view(
        &self,
        who: &Principal,
        id: OrganisationId,
    ) -> Result<OrganisationView, ServiceError> {
        let mut db = self.db.clone();
        let organisation = vientro_store::organisations::get(&mut db, id).await?;
        let certificates = match who {
            Principal::Public => Vec::new(),
            Principal::User { .. } => vientro_store::certificates::list_for_organisation(&mut db, id).await?,
        };
        Ok(OrganisationView { organisation, certificates })
    }

    /// An organisation as its edit form shows it, with its sector codes and version; logged-in staff only
    /// (whether the save is allowed is decided when it is made).
    pub async fn organisation_for_edit(
        &self,
        who: &Principal,
        id: OrganisationId,
    ) -> Result<(OrganisationRow, Vec<String>), ServiceError> {
        staff(who)?;
        let mut db = self.db.clone();
        let organisation = vientro_store::organisations::get(&mut db, id).await?;
        let sectors = vientro_store::organisations::sectors(&mut db, id).await?;
        Ok((organisation, sectors))
    }

    /// The latest audit entries and the state of the chain.
    pub async fn audit_log(
        &self,
        who: &Principal,
        actor: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<AuditRow>, VerifyReport), ServiceError> {
        auditor(who)?;
        let mut db = self.db.clone();
        let rows = vientro_store::audit::recent(&mut db, actor, limit, offset).await?;
        let report = vientro_store::audit::verify(&mut db).await?;
        Ok((rows, report))
    }
}
