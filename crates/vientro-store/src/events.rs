//! Aid-promotion events (hội nghị xúc tiến vận động viện trợ) with their participants, and the pledges made
//! there, each followable to the aid item it became.
//!
//! It stores and reads; it must not decide what counts as aid (a pledge never does until committed: the
//! services layer reads commitments and disbursements from the report engine's facts).

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::{Exec, ExecExt, Stmt};
use crate::error::StoreError;

/// An event as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct EventRow {
    /// Id.
    pub id: i64,
    /// The organising province (today's code).
    pub province_code: String,
    /// Title.
    pub title: String,
    /// Day held.
    pub held_on: NaiveDate,
    /// The city it was held in.
    pub city: String,
    /// People attending.
    pub participants: Option<i64>,
    /// Organisers, as written.
    pub organisers: Option<String>,
}

/// Records an event and returns its id.
pub async fn insert_event(
    ex: &mut impl Exec,
    e: &EventRow,
    illustrative: bool,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    ex.insert_returning_id(
        Stmt::new(
            "INSERT INTO promotion_event (province_code, title, held_on, city, participants, organisers, illustrative, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(e.province_code.as_str())
        .bind(e.title.as_str())
        .bind(e.held_on)
        .bind(e.city.as_str())
        .bind(e.participants)
        .bind(e.organisers.clone())
        .bind(illustrative)
        .bind(now),
    )
    .await
}

/// A province's events held from `from` to `to`.
pub async fn events(
    ex: &mut impl Exec,
    province: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<EventRow>, StoreError> {
    ex.fetch_all(
        Stmt::new(
            "SELECT id, province_code, title, held_on, city, participants, organisers FROM promotion_event \
             WHERE province_code = $1 AND held_on >= $2 AND held_on <= $3 ORDER BY held_on, id",
        )
        .bind(province)
        .bind(from)
        .bind(to),
    )
    .await
}

/// Records a pledge made at an event.
pub async fn insert_pledge(
    ex: &mut impl Exec,
    event: i64,
    organisation: i64,
    usd_minor: i64,
    aid_item: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    ex.insert_returning_id(
        Stmt::new(
            "INSERT INTO event_pledge (event_id, organisation_id, usd_minor, aid_item_id, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(event)
        .bind(organisation)
        .bind(usd_minor)
        .bind(aid_item)
        .bind(now),
    )
    .await
}

/// A pledge with what its item actually received (actual flows only; none without an item).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct PledgeRow {
    /// The event.
    pub event_id: i64,
    /// The pledging organisation.
    pub organisation_id: i64,
    /// Pledged, USD minor units.
    pub usd_minor: i64,
    /// The item it became.
    pub aid_item_id: Option<i64>,
    /// The organisation's name.
    pub organisation_name: String,
    /// The title of the item the pledge became.
    pub aid_item_title: Option<String>,
    /// The item's actual commitments, USD minor units.
    pub committed_usd: i64,
    /// The item's actual disbursements, USD minor units.
    pub disbursed_usd: i64,
}

/// The pledges made at the events, each with its item's actual commitments and disbursements.
pub async fn pledges(ex: &mut impl Exec, events: &[i64]) -> Result<Vec<PledgeRow>, StoreError> {
    let mut out = Vec::new();
    for chunk in events.chunks(500) {
        let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let stmt = Stmt::new(format!(
            "SELECT p.event_id, p.organisation_id, p.usd_minor, p.aid_item_id, o.name AS organisation_name, \
             (SELECT i.title FROM aid_item i WHERE i.id = p.aid_item_id) AS aid_item_title, \
             CAST(COALESCE((SELECT SUM(f.usd_minor) FROM flow f WHERE f.item_id = p.aid_item_id \
               AND f.stage = 'actual' AND f.kind = 'commitment'), 0) AS BIGINT) AS committed_usd, \
             CAST(COALESCE((SELECT SUM(f.usd_minor) FROM flow f WHERE f.item_id = p.aid_item_id \
               AND f.stage = 'actual' AND f.kind = 'disbursement'), 0) AS BIGINT) AS disbursed_usd \
             FROM event_pledge p JOIN organisation o ON o.id = p.organisation_id \
             WHERE p.event_id IN ({}) ORDER BY p.event_id, p.id",
            list.join(", ")
        ));
        out.extend(ex.fetch_all::<PledgeRow>(chunk.iter().fold(stmt, |s, id| s.bind(*id))).await?);
    }
    Ok(out)
}

/// One event, or `NotFound`.
pub async fn event(ex: &mut impl Exec, id: i64) -> Result<EventRow, StoreError> {
    ex.fetch_one(
        Stmt::new(
            "SELECT id, province_code, title, held_on, city, participants, organisers FROM promotion_event WHERE id = $1",
        )
        .bind(id),
        "the event",
    )
    .await
}

/// Records an organisation invited to an event, and whether it came.
pub async fn insert_guest(
    ex: &mut impl Exec,
    event: i64,
    organisation: i64,
    attended: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    ex.execute(
        Stmt::new(
            "INSERT INTO promotion_event_organisation (event_id, organisation_id, attended, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(event)
        .bind(organisation)
        .bind(attended)
        .bind(now),
    )
    .await
    .map_err(StoreError::on_constraint)?;
    Ok(())
}

/// An organisation invited to an event.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct GuestRow {
    /// Event id.
    pub event_id: i64,
    /// Organisation id.
    pub organisation_id: i64,
    /// Its name.
    pub organisation_name: String,
    /// Whether it came.
    pub attended: bool,
}

/// The organisations invited to the events, by event then name.
pub async fn guests(ex: &mut impl Exec, events: &[i64]) -> Result<Vec<GuestRow>, StoreError> {
    let mut out = Vec::new();
    for chunk in events.chunks(500) {
        let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let stmt = Stmt::new(format!(
            "SELECT g.event_id, g.organisation_id, o.name AS organisation_name, g.attended \
             FROM promotion_event_organisation g JOIN organisation o ON o.id = g.organisation_id \
             WHERE g.event_id IN ({}) ORDER BY g.event_id, o.name",
            list.join(", ")
        ));
        out.extend(ex.fetch_all::<GuestRow>(chunk.iter().fold(stmt, |s, id| s.bind(*id))).await?);
    }
    Ok(out)
}

/// Records a proposal of the call-for-aid list presented at an event.
pub async fn insert_presented(
    ex: &mut impl Exec,
    event: i64,
    proposal: i64,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    ex.execute(
        Stmt::new("INSERT INTO promotion_event_proposal (event_id, proposal_id, created_at) VALUES ($1, $2, $3)")
            .bind(event)
            .bind(proposal)
            .bind(now),
    )
    .await
    .map_err(StoreError::on_constraint)?;
    Ok(())
}

/// A proposal presented at an event, with where it stands now.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct PresentedRow {
    /// Event id.
    pub event_id: i64,
    /// Proposal id.
    pub proposal_id: i64,
    /// Its title.
    pub title: String,
    /// Its status now (listed, matched, dossier, approved, funded, withdrawn).
    pub status: String,
    /// The aid item it became, if funded.
    pub aid_item_id: Option<i64>,
}

/// The proposals presented at the events.
pub async fn presented(ex: &mut impl Exec, events: &[i64]) -> Result<Vec<PresentedRow>, StoreError> {
    let mut out = Vec::new();
    for chunk in events.chunks(500) {
        let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let stmt = Stmt::new(format!(
            "SELECT e.event_id, e.proposal_id, p.title, p.status, p.aid_item_id \
             FROM promotion_event_proposal e JOIN aid_proposal p ON p.id = e.proposal_id \
             WHERE e.event_id IN ({}) ORDER BY e.event_id, p.title",
            list.join(", ")
        ));
        out.extend(ex.fetch_all::<PresentedRow>(chunk.iter().fold(stmt, |s, id| s.bind(*id))).await?);
    }
    Ok(out)
}
