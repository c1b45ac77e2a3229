//! Exchange rates entered by officers (State Bank central rate, a rate named in a decision, …).
//!
//! The vendored historical tables live in the domain; this module stores only what people enter, which
//! takes precedence over them. It must not choose which rate a flow uses: `fx::RateTable::rate_for` does.

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::{Exec, ExecExt, Stmt};
use crate::error::StoreError;

/// An entered rate as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct RateRow {
    /// Id.
    pub id: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// `day`, `month` or `year`.
    pub period_kind: String,
    /// First day of the period.
    pub period_start: NaiveDate,
    /// Units of the currency per USD, as exact decimal text.
    pub units_per_usd: String,
    /// Source code.
    pub source: String,
    /// Note (e.g. the decision that fixed it).
    pub note: Option<String>,
}

/// Stores an entered rate.
#[allow(clippy::too_many_arguments)]
pub async fn insert(
    ex: &mut impl Exec,
    currency: &str,
    period_kind: &str,
    period_start: NaiveDate,
    units_per_usd: &str,
    source: &str,
    note: Option<String>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    ex.insert_returning_id(
        Stmt::new(
            "INSERT INTO exchange_rate (currency, period_kind, period_start, units_per_usd, source, note, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(currency)
        .bind(period_kind)
        .bind(period_start)
        .bind(units_per_usd)
        .bind(source)
        .bind(note)
        .bind(now),
    )
    .await
    .map_err(StoreError::on_constraint)
}

/// Every entered rate.
pub async fn list(ex: &mut impl Exec) -> Result<Vec<RateRow>, StoreError> {
    ex.fetch_all(Stmt::new(
        "SELECT id, currency, period_kind, period_start, units_per_usd, source, note FROM exchange_rate ORDER BY currency, period_start",
    ))
    .await
}
