//! Money flows of aid items, each stored with its converted USD and VND values and the rate that made them.
//!
//! It must not convert: the services layer converts once with `fx::convert` and stores the result here, so
//! a figure never changes when rates are later entered or corrected.

use chrono::{DateTime, NaiveDate, Utc};
use vientro_domain::flow::NewFlow;
use vientro_domain::fx::Conversion;
use vientro_domain::ids::{AidItemId, FlowId};

use crate::db::{Exec, Stmt, Value};
use crate::error::StoreError;

/// A flow as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct FlowRow {
    /// Id.
    pub id: i64,
    /// Item.
    pub item_id: i64,
    /// `commitment` or `disbursement`.
    pub kind: String,
    /// `planned` or `actual`.
    pub stage: String,
    /// Value date.
    pub flow_date: NaiveDate,
    /// Amount in minor units of `currency`.
    pub amount_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// USD cents.
    pub usd_minor: i64,
    /// VND (no minor unit).
    pub vnd_minor: i64,
    /// Units of currency per USD used.
    pub currency_per_usd: String,
    /// VND per USD used.
    pub vnd_per_usd: String,
    /// Start of the rate's period.
    pub rate_date: NaiveDate,
    /// Which rule step gave the rate.
    pub rate_source: String,
    /// Note.
    pub note: Option<String>,
}

/// Stores a flow with its conversion.
pub async fn insert(
    ex: &mut impl Exec,
    item: AidItemId,
    flow: &NewFlow,
    conversion: &Conversion,
    now: DateTime<Utc>,
) -> Result<FlowId, StoreError> {
    let ids = insert_many(ex, &[(item, flow, conversion)], now).await?;
    ids.first().copied().ok_or(StoreError::NotFound("inserted row"))
}

/// Stores flows with their conversions in a few statements, as [`insert`] stores one; returns their ids in
/// order.
pub async fn insert_many(
    ex: &mut impl Exec,
    flows: &[(AidItemId, &NewFlow, &Conversion)],
    now: DateTime<Utc>,
) -> Result<Vec<FlowId>, StoreError> {
    const COLUMNS: [&str; 14] = [
        "item_id",
        "kind",
        "stage",
        "flow_date",
        "amount_minor",
        "currency",
        "usd_minor",
        "vnd_minor",
        "currency_per_usd",
        "vnd_per_usd",
        "rate_date",
        "rate_source",
        "note",
        "created_at",
    ];
    let rows: Vec<Vec<Value>> = flows
        .iter()
        .map(|(item, flow, conversion)| {
            vec![
                Value::from(item.0),
                Value::from(flow.kind.as_str()),
                Value::from(flow.stage.as_str()),
                Value::from(flow.date),
                Value::from(flow.money.amount.0),
                Value::from(flow.money.currency.as_str()),
                Value::from(conversion.usd.0),
                Value::from(conversion.vnd.0),
                Value::from(conversion.currency_per_usd.to_string()),
                Value::from(conversion.vnd_per_usd.to_string()),
                Value::from(conversion.rate_date),
                Value::from(conversion.source.as_str()),
                Value::from(flow.note.clone()),
                Value::from(now),
            ]
        })
        .collect();
    let ids = crate::bulk::insert_rows_returning_ids(ex, "flow", &COLUMNS, &rows).await?;
    Ok(ids.into_iter().map(FlowId).collect())
}

/// An item's flows in date order.
pub async fn list_for_item(ex: &mut impl Exec, item: AidItemId) -> Result<Vec<FlowRow>, StoreError> {
    ex.fetch_all(
        Stmt::new(
            "SELECT id, item_id, kind, stage, flow_date, amount_minor, currency, usd_minor, vnd_minor, currency_per_usd, vnd_per_usd, \
             rate_date, rate_source, note FROM flow WHERE item_id = $1 ORDER BY flow_date, id",
        )
        .bind(item.0),
    )
    .await
}
