//! Reports on behalf of a reader: the same report engine, narrowed to what the reader may see.
//!
//! Aggregate figures (sums and counts of approved aid, never a record) are what provinces publish in their own
//! reports, so everyone sees them, the public included; an NGO reporter's reports are narrowed to its own
//! organisation's items (and it gets no ranking, which would show other organisations' aid). Records stay
//! behind the access rule (`scoped_items`). See docs/adr/0007-web-access-and-sessions.md. This module must not compute figures; the report engine does.

use vientro_domain::access::{Principal, Role};
use vientro_domain::report::{Dimension, Filter, ReportQuery, ReportResult};

use crate::reports::ProvinceRank;
use crate::{ServiceError, Services};

/// The query a reader may run: narrowed to the own organisation for NGO reporters, as asked for everyone else.
pub fn scoped_query(who: &Principal, query: &ReportQuery) -> Result<ReportQuery, ServiceError> {
    match who {
        Principal::User { role: Role::NgoReporter, organisation, .. } => {
            let Some(org) = organisation else {
                return Err(ServiceError::Forbidden("an NGO reporter without an organisation sees no reports".into()));
            };
            let mut q = query.clone();
            q.filters.retain(|f| f.dimension != Dimension::Donor);
            q.filters.push(Filter { dimension: Dimension::Donor, values: vec![org.0.to_string()] });
            Ok(q)
        }
        Principal::User { .. } | Principal::Public => Ok(query.clone()),
    }
}

impl Services {
    /// Runs a report for a reader.
    pub async fn report_for(&self, who: &Principal, query: &ReportQuery) -> Result<ReportResult, ServiceError> {
        self.report(&scoped_query(who, query)?).await
    }

    /// Ranks provinces by all aid for a reader; NGO reporters get no ranking (it would show other
    /// organisations' aid).
    pub async fn rank_provinces_for(
        &self,
        who: &Principal,
        query: &ReportQuery,
    ) -> Result<Vec<ProvinceRank>, ServiceError> {
        let query = scoped_query(who, query)?;
        if matches!(who, Principal::User { role: Role::NgoReporter, .. }) {
            return Ok(Vec::new());
        }
        self.rank_provinces(&query).await
    }
}
