//! Use cases for exchange rates entered by officers, which take precedence over the vendored tables.
//!
//! It must not convert amounts: `fx::convert` does, in the aid-item use cases.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use vientro_domain::date::parse_date;
use vientro_domain::fx::{ExchangeRate, RatePeriod, RateSource};
use vientro_domain::money::CurrencyCode;
use vientro_domain::{ValidationError, ValidationErrors};
use vientro_store::audit::{self, AuditEntry};
use vientro_store::{Exec, now, rates};

use crate::{Actor, ServiceError, Services};

/// Reads the entered rates as domain rates; a stored row that no longer parses is an internal error.
pub(crate) async fn entered_rates(ex: &mut impl Exec) -> Result<Vec<ExchangeRate>, ServiceError> {
    let rows = rates::list(ex).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let parsed = (|| -> Result<ExchangeRate, ValidationError> {
            let currency = CurrencyCode::parse(&r.currency)?;
            let period = period_of(&r.period_kind, r.period_start)?;
            let value = r
                .units_per_usd
                .parse::<Decimal>()
                .map_err(|e| ValidationError::new("rate", "error-rate-format", e.to_string()))?;
            let source = RateSource::parse(&r.source)?;
            ExchangeRate::new(currency, period, value, source)
        })();
        out.push(
            parsed.map_err(|e| {
                ServiceError::Internal(anyhow::anyhow!("stored exchange rate {} is invalid: {e}", r.id))
            })?,
        );
    }
    Ok(out)
}

fn period_of(kind: &str, start: NaiveDate) -> Result<RatePeriod, ValidationError> {
    use chrono::Datelike;
    match kind {
        "day" => Ok(RatePeriod::Day(start)),
        "month" => Ok(RatePeriod::Month { year: start.year(), month: start.month() }),
        "year" => Ok(RatePeriod::Year(start.year())),
        other => {
            Err(ValidationError::new("period", "error-rate-period", format!("'{other}' is not day, month or year")))
        }
    }
}

impl Services {
    /// Enters a rate (units of `currency` per USD) for a day (`2025-03-14`), a month (`2025-03`) or a year (`2025`).
    pub async fn enter_rate(
        &self,
        actor: &Actor,
        currency: &str,
        period: &str,
        units_per_usd: &str,
        note: Option<String>,
    ) -> Result<i64, ServiceError> {
        let mut errors = ValidationErrors::new();
        let currency = errors.collect(CurrencyCode::parse(currency));
        let p = period.trim();
        let (kind, start) = match p.len() {
            4 => ("year", p.parse::<i32>().ok().and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1))),
            7 => ("month", NaiveDate::parse_from_str(&format!("{p}-01"), "%Y-%m-%d").ok()),
            _ => ("day", parse_date("period", p).ok()),
        };
        if start.is_none() {
            errors.push(ValidationError::new(
                "period",
                "error-rate-period",
                format!("'{p}' is not a day (2025-03-14), month (2025-03) or year (2025)"),
            ));
        }
        let value = units_per_usd.trim().replace(',', ".").parse::<Decimal>().ok();
        let rate = match (currency, start, value) {
            (Some(c), Some(s), Some(v)) => {
                period_of(kind, s).and_then(|per| ExchangeRate::new(c, per, v, RateSource::Entered)).map(Some)
            }
            (_, _, None) => {
                Err(ValidationError::new("rate", "error-rate-format", format!("'{units_per_usd}' is not a number")))
            }
            _ => Ok(None),
        };
        let rate = errors.collect(rate).flatten();
        let Some(rate) = rate else { return Err(errors.into()) };
        let start = rate.period.start();
        let now = now();
        let mut tx = self.db.begin().await?;
        let id = rates::insert(
            &mut tx,
            rate.currency.as_str(),
            kind,
            start,
            &rate.units_per_usd.to_string(),
            RateSource::Entered.as_str(),
            note,
            now,
        )
        .await?;
        audit::append(
            &mut tx,
            &AuditEntry {
                actor: &actor.name,
                action: "create",
                entity: "exchange_rate",
                entity_id: Some(id),
                before: None,
                after: Some(serde_json::json!({ "currency": rate.currency.as_str(), "period": kind, "start": start, "units_per_usd": rate.units_per_usd.to_string() })),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
}
