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
            "SELECT p.event_id, p.organisation_id, p.usd_minor, p.aid_item_id, \
             CAST(COALESCE((SELECT SUM(f.usd_minor) FROM flow f WHERE f.item_id = p.aid_item_id \
               AND f.stage = 'actual' AND f.kind = 'commitment'), 0) AS BIGINT) AS committed_usd, \
             CAST(COALESCE((SELECT SUM(f.usd_minor) FROM flow f WHERE f.item_id = p.aid_item_id \
               AND f.stage = 'actual' AND f.kind = 'disbursement'), 0) AS BIGINT) AS disbursed_usd \
             FROM event_pledge p WHERE p.event_id IN ({}) ORDER BY p.event_id, p.id",
            list.join(", ")
        ));
        out.extend(ex.fetch_all::<PledgeRow>(chunk.iter().fold(stmt, |s, id| s.bind(*id))).await?);
    }
    Ok(out)
}
