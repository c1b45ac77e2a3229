//! Aid-promotion events (hội nghị xúc tiến vận động viện trợ, FACTS C13): recording them with the pledges made,
//! and following each pledge to what was actually committed and disbursed.
//!
//! A pledge is never aid: the committed and disbursed figures are the actual flows of the item a pledge became.
//! This module must not count a pledge as a commitment.

use chrono::NaiveDate;
use vientro_domain::admin_units::AdminUnits;
use vientro_domain::{ValidationError, ValidationErrors};
use vientro_store::Tx;
use vientro_store::events::{EventRow, PledgeRow};

use crate::{Actor, ServiceError, Services};

/// An event with its pledges followed through.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct EventFollowUp {
    /// The event.
    pub event: EventRow,
    /// Its pledges.
    pub pledges: Vec<PledgeRow>,
    /// Pledged, USD minor units.
    pub pledged_usd: i64,
    /// Committed by the items the pledges became, USD minor units.
    pub committed_usd: i64,
    /// Disbursed by those items, USD minor units.
    pub disbursed_usd: i64,
}

/// A pledge to record with its event: organisation, USD minor units, the item it became.
pub type NewPledge = (i64, i64, Option<i64>);

/// Records an event and its pledges, in the caller's transaction, audited. Returns the event's id.
pub async fn record_event_in(
    tx: &mut Tx,
    actor: &Actor,
    event: &EventRow,
    pledges: &[NewPledge],
    illustrative: bool,
) -> Result<i64, ServiceError> {
    let mut e = event.clone();
    e.province_code =
        AdminUnits::embedded().parse_province(&e.province_code).map_err(ValidationErrors::from)?.as_str().to_owned();
    if e.title.trim().is_empty() {
        return Err(
            ValidationErrors::from(ValidationError::new("title", "error-required", "an event needs a title")).into()
        );
    }
    if pledges.iter().any(|(_, usd, _)| *usd < 0) {
        return Err(ValidationErrors::from(ValidationError::new(
            "pledge",
            "error-amount-negative",
            "a pledge cannot be negative",
        ))
        .into());
    }
    let now = vientro_store::now();
    let id = vientro_store::events::insert_event(tx, &e, illustrative, now).await?;
    for (organisation, usd, item) in pledges {
        vientro_store::events::insert_pledge(tx, id, *organisation, *usd, *item, now).await?;
    }
    crate::organisations::audit_create(
        tx,
        actor,
        "promotion_event",
        Some(id),
        Some(serde_json::json!({ "event": e, "pledges": pledges })),
    )
    .await?;
    Ok(id)
}

impl Services {
    /// A province's aid-promotion events from `from` to `to`, each with pledged, committed and disbursed.
    pub async fn events(
        &self,
        province: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<EventFollowUp>, ServiceError> {
        let code = AdminUnits::embedded().parse_province(province).map_err(ValidationErrors::from)?;
        let mut db = self.db.clone();
        let events = vientro_store::events::events(&mut db, code.as_str(), from, to).await?;
        let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
        let pledges = vientro_store::events::pledges(&mut db, &ids).await?;
        Ok(events
            .into_iter()
            .map(|event| {
                let of: Vec<PledgeRow> = pledges.iter().filter(|p| p.event_id == event.id).cloned().collect();
                EventFollowUp {
                    pledged_usd: of.iter().map(|p| p.usd_minor).sum(),
                    committed_usd: of.iter().map(|p| p.committed_usd).sum(),
                    disbursed_usd: of.iter().map(|p| p.disbursed_usd).sum(),
                    pledges: of,
                    event,
                }
            })
            .collect())
    }
}
