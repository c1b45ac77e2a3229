//! Aid-promotion events (hội nghị xúc tiến vận động viện trợ, FACTS C13): recording them with the pledges made,
//! and following each pledge to what was actually committed and disbursed.
//!
//! A pledge is never aid: the committed and disbursed figures are the actual flows of the item a pledge became.
//! This module must not count a pledge as a commitment.

use chrono::NaiveDate;
use vientro_domain::admin_units::AdminUnits;
use vientro_domain::{ValidationError, ValidationErrors};
use vientro_store::Tx;
use vientro_store::events::{EventRow, GuestRow, PledgeRow, PresentedRow};

use vientro_domain::access::Principal;
use vientro_domain::admin_units::ProvinceCode;
use vientro_domain::ids::OrganisationId;

use crate::accounts::CurrentUser;
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
    /// The organisations invited, and whether each came.
    pub guests: Vec<GuestRow>,
    /// The proposals of the call-for-aid list presented there, with where each stands now.
    pub presented: Vec<PresentedRow>,
}

impl EventFollowUp {
    /// The organisations that came.
    pub fn attended(&self) -> usize {
        self.guests.iter().filter(|g| g.attended).count()
    }
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
        follow_up(&mut db, events).await
    }

    /// One aid-promotion event with its pledges followed through, its guests and the proposals presented.
    pub async fn event(&self, who: &Principal, id: i64) -> Result<EventFollowUp, ServiceError> {
        if matches!(who, Principal::Public) {
            return Err(ServiceError::Unauthenticated("log in to see this".into()));
        }
        let mut db = self.db.clone();
        let event = vientro_store::events::event(&mut db, id).await?;
        follow_up(&mut db, vec![event]).await?.pop().ok_or(ServiceError::NotFound("the event"))
    }

    /// Records a new aid-promotion event for a province the user may edit; returns its id.
    pub async fn create_event_as(&self, who: &CurrentUser, event: &EventRow) -> Result<i64, ServiceError> {
        let code = AdminUnits::embedded().parse_province(&event.province_code).map_err(ValidationErrors::from)?;
        check_may_edit(who, &code)?;
        let mut tx = self.db.begin().await?;
        let id = record_event_in(&mut tx, &who.actor(), event, &[], false).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Adds to an event what happened there: an organisation invited (and whether it came), a pledge (an
    /// organisation's amount in USD, with the aid item it became if known), or a proposal presented.
    pub async fn add_to_event_as(
        &self,
        who: &CurrentUser,
        id: i64,
        addition: &EventAddition,
    ) -> Result<(), ServiceError> {
        let mut tx = self.db.begin().await?;
        let event = vientro_store::events::event(&mut tx, id).await?;
        let code = ProvinceCode::parse(&event.province_code).map_err(ValidationErrors::from)?;
        check_may_edit(who, &code)?;
        let now = vientro_store::now();
        let audit = match addition {
            EventAddition::Guest { organisation, attended } => {
                known_organisation(&mut tx, *organisation).await?;
                vientro_store::events::insert_guest(&mut tx, id, *organisation, *attended, now).await?;
                (
                    "promotion_event_organisation",
                    serde_json::json!({ "organisation": organisation, "attended": attended }),
                )
            }
            EventAddition::Pledge { organisation, usd_minor, aid_item } => {
                known_organisation(&mut tx, *organisation).await?;
                if *usd_minor < 0 {
                    return Err(ValidationErrors::from(ValidationError::new(
                        "amount",
                        "error-amount-negative",
                        "a pledge cannot be negative",
                    ))
                    .into());
                }
                if let Some(item) = aid_item
                    && vientro_store::aid_items::get(&mut tx, vientro_domain::ids::AidItemId(*item)).await.is_err()
                {
                    return Err(ValidationErrors::from(ValidationError::new(
                        "aid_item",
                        "error-aid-item-unknown",
                        format!("there is no aid item {item}"),
                    ))
                    .into());
                }
                vientro_store::events::insert_pledge(&mut tx, id, *organisation, *usd_minor, *aid_item, now).await?;
                (
                    "event_pledge",
                    serde_json::json!({ "organisation": organisation, "usd_minor": usd_minor, "aid_item": aid_item }),
                )
            }
            EventAddition::Presented { proposal } => {
                let row = vientro_store::matching::proposal(&mut tx, *proposal).await.map_err(|_| {
                    ServiceError::from(ValidationErrors::from(ValidationError::new(
                        "proposal",
                        "error-proposal-unknown",
                        format!("there is no proposal {proposal}"),
                    )))
                })?;
                if row.province_code != event.province_code {
                    return Err(ValidationErrors::from(ValidationError::new(
                        "proposal",
                        "error-proposal-other-province",
                        "the proposal is on another province's list",
                    ))
                    .into());
                }
                vientro_store::events::insert_presented(&mut tx, id, *proposal, now).await?;
                ("promotion_event_proposal", serde_json::json!({ "proposal": proposal }))
            }
        };
        crate::organisations::audit_create(&mut tx, &who.actor(), audit.0, Some(id), Some(audit.1)).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// What can be added to an aid-promotion event after it is recorded.
#[derive(Debug, Clone, PartialEq)]
pub enum EventAddition {
    /// An organisation invited, and whether it came.
    Guest {
        /// Organisation id.
        organisation: i64,
        /// Whether it came.
        attended: bool,
    },
    /// A pledge made there.
    Pledge {
        /// The pledging organisation.
        organisation: i64,
        /// Pledged, USD minor units.
        usd_minor: i64,
        /// The aid item it became, if known.
        aid_item: Option<i64>,
    },
    /// A proposal of the province's call-for-aid list presented there.
    Presented {
        /// Proposal id.
        proposal: i64,
    },
}

/// Refuses an organisation id that names no organisation.
async fn known_organisation(tx: &mut Tx, organisation: i64) -> Result<(), ServiceError> {
    match vientro_store::organisations::get(tx, OrganisationId(organisation)).await {
        Ok(_) => Ok(()),
        Err(vientro_store::StoreError::NotFound(_)) => Err(ValidationErrors::from(ValidationError::new(
            "organisation",
            "error-organisation-unknown",
            format!("there is no organisation {organisation}"),
        ))
        .into()),
        Err(other) => Err(other.into()),
    }
}

fn check_may_edit(who: &CurrentUser, province: &ProvinceCode) -> Result<(), ServiceError> {
    crate::people_records::check_may_record_for(who, Some(province), "aid-promotion events")
}

/// Follows each event's pledges to the items they became, with its guests and proposals presented.
async fn follow_up(db: &mut vientro_store::Db, events: Vec<EventRow>) -> Result<Vec<EventFollowUp>, ServiceError> {
    let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
    let pledges = vientro_store::events::pledges(db, &ids).await?;
    let guests = vientro_store::events::guests(db, &ids).await?;
    let presented = vientro_store::events::presented(db, &ids).await?;
    Ok(events
        .into_iter()
        .map(|event| {
            let of: Vec<PledgeRow> = pledges.iter().filter(|p| p.event_id == event.id).cloned().collect();
            EventFollowUp {
                pledged_usd: of.iter().map(|p| p.usd_minor).sum(),
                committed_usd: of.iter().map(|p| p.committed_usd).sum(),
                disbursed_usd: of.iter().map(|p| p.disbursed_usd).sum(),
                pledges: of,
                guests: guests.iter().filter(|g| g.event_id == event.id).cloned().collect(),
                presented: presented.iter().filter(|p| p.event_id == event.id).cloned().collect(),
                event,
            }
        })
        .collect())
}
