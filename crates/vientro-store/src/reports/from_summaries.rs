//! Answers flow questions from the summary tables (`crate::summaries`) when they can give exactly what the
//! flow shares would: sums over whole half-years by the dimensions a sum table keeps, and distinct counts
//! of items and donors over whole years by year and today's province.
//!
//! [`plan`] decides; a question it declines goes to the flow shares. This module must not widen what a
//! question means: every figure here equals the one `aggregate_from_facts` computes (tested on both
//! backends in the services' report tests).

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use vientro_domain::report::Dimension;

use super::{AggRow, Base, CodeFilter, Needs, Scope, ZERO_MONEY, filter_wheres, grouped_select};
use crate::db::{Exec, Stmt, Value};
use crate::error::StoreError;
use crate::summaries::{Counted, Rollup, membership_column, membership_filter_column};

/// The sum table that answers the question, when the summaries can answer it exactly.
pub(super) fn plan(
    base: Base,
    by: &[Dimension],
    filters: &[CodeFilter],
    scope: Scope,
    needs: Needs,
) -> Option<&'static Rollup> {
    if base != Base::FlowShares {
        return None;
    }
    let Scope::Period { from, to } = scope else { return None };
    let starts_half = |d: NaiveDate| d.day() == 1 && (d.month() == 1 || d.month() == 7);
    let ends_half = |d: NaiveDate| (d.month() == 6 && d.day() == 30) || (d.month() == 12 && d.day() == 31);
    if from.is_some_and(|f| !starts_half(f)) || to.is_some_and(|t| !ends_half(t)) {
        return None;
    }
    let dimensions: Vec<Dimension> = by.iter().copied().chain(filters.iter().map(|f| f.dimension)).collect();
    if needs.items || needs.organisations {
        // Membership is kept per year: a half-year bound would count an item of the other half.
        let whole_years = from.is_none_or(|f| f.month() == 1) && to.is_none_or(|t| t.month() == 12);
        if !whole_years || !dimensions.iter().all(|d| membership_column(*d).is_some()) {
            return None;
        }
    }
    Rollup::covering(&dimensions)
}

/// Runs a question [`plan`] accepted: the sums from `rollup`, the distinct counts from the membership
/// tables, merged by key.
pub(super) async fn aggregate(
    ex: &mut impl Exec,
    rollup: &Rollup,
    by: &[Dimension],
    filters: &[CodeFilter],
    scope: Scope,
    needs: Needs,
) -> Result<Vec<AggRow>, StoreError> {
    let mut rows = sums(ex, rollup, by, filters, scope).await?;
    for (counted, wanted) in [(Counted::Items, needs.items), (Counted::Donors, needs.organisations)] {
        if wanted {
            let counts = distinct(ex, counted, by, filters, scope).await?;
            merge(&mut rows, counts, by.len(), counted);
        }
    }
    Ok(rows)
}

fn inapplicable(d: Dimension) -> StoreError {
    StoreError::Constraint {
        field: "by",
        code: "error-dimension-not-applicable",
        message: format!("'{}' does not apply to aid items", d.name()),
    }
}

async fn sums(
    ex: &mut impl Exec,
    rollup: &Rollup,
    by: &[Dimension],
    filters: &[CodeFilter],
    scope: Scope,
) -> Result<Vec<AggRow>, StoreError> {
    let keys = by.iter().map(|d| rollup.column(*d).ok_or_else(|| inapplicable(*d))).collect::<Result<Vec<_>, _>>()?;
    let mut wheres = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if let Scope::Period { from, to } = scope {
        // Half-years are numbered year * 2 + half.
        let half_index = |d: NaiveDate| i64::from(d.year()) * 2 + if d.month() <= 6 { 1 } else { 2 };
        // The bare year bound lets the (…, year, half) indexes serve; the half-year bound is exact.
        if let Some(f) = from {
            args.push(Value::from(i64::from(f.year())));
            wheres.push(format!("fr.year >= ${}", args.len()));
            args.push(Value::from(half_index(f)));
            wheres.push(format!("fr.year * 2 + fr.half >= ${}", args.len()));
        }
        if let Some(t) = to {
            args.push(Value::from(i64::from(t.year())));
            wheres.push(format!("fr.year <= ${}", args.len()));
            args.push(Value::from(half_index(t)));
            wheres.push(format!("fr.year * 2 + fr.half <= ${}", args.len()));
        }
    }
    filter_wheres(filters, |d| rollup.filter_column(d), &mut wheres, &mut args).map_err(inapplicable)?;
    // A key whose shares were all taken out again stays in the table with zero shares: it is not a row.
    let measures = "CAST(0 AS BIGINT) AS items, CAST(0 AS BIGINT) AS organisations, \
        COUNT(DISTINCT CASE WHEN fr.shares > 0 THEN fr.currency END) AS currencies, \
        MIN(CASE WHEN fr.shares > 0 THEN fr.currency END) AS currency, \
        CAST(COALESCE(SUM(fr.committed_usd), 0) AS BIGINT) AS committed_usd, \
        CAST(COALESCE(SUM(fr.committed_vnd), 0) AS BIGINT) AS committed_vnd, \
        CAST(COALESCE(SUM(fr.disbursed_usd), 0) AS BIGINT) AS disbursed_usd, \
        CAST(COALESCE(SUM(fr.disbursed_vnd), 0) AS BIGINT) AS disbursed_vnd, \
        CAST(COALESCE(SUM(fr.committed_amount), 0) AS BIGINT) AS committed_amount, \
        CAST(COALESCE(SUM(fr.disbursed_amount), 0) AS BIGINT) AS disbursed_amount";
    let sql = grouped_select(&keys, measures, &format!("{} fr", rollup.table), &wheres, Some("SUM(fr.shares) > 0"));
    ex.fetch_all(args.into_iter().fold(Stmt::new(sql), |s, a| s.bind(a))).await
}

/// Distinct items or donors with shares in the period's years, grouped like the question.
async fn distinct(
    ex: &mut impl Exec,
    counted: Counted,
    by: &[Dimension],
    filters: &[CodeFilter],
    scope: Scope,
) -> Result<Vec<AggRow>, StoreError> {
    let keys =
        by.iter().map(|d| membership_column(*d).ok_or_else(|| inapplicable(*d))).collect::<Result<Vec<_>, _>>()?;
    let everything = by.is_empty() && filters.is_empty() && matches!(scope, Scope::Period { from: None, to: None });
    if counted == Counted::Items && everything {
        // Items with shares in any year anywhere: one row each, so a plain count.
        let measures = format!("COUNT(*) AS items, CAST(0 AS BIGINT) AS organisations{ZERO_MONEY}");
        return ex.fetch_all(Stmt::new(grouped_select(&[], &measures, "item_with_shares m", &[], None))).await;
    }
    let (table, column) = counted.table_and_column();
    // Membership rows exist only while they have shares (`summaries`), so every row counts.
    let mut wheres = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if let Scope::Period { from, to } = scope {
        if let Some(f) = from {
            args.push(Value::from(i64::from(f.year())));
            wheres.push(format!("m.year >= ${}", args.len()));
        }
        if let Some(t) = to {
            args.push(Value::from(i64::from(t.year())));
            wheres.push(format!("m.year <= ${}", args.len()));
        }
    }
    filter_wheres(filters, membership_filter_column, &mut wheres, &mut args).map_err(inapplicable)?;
    let count = format!("COUNT(DISTINCT m.{column})");
    let measures = match counted {
        Counted::Items => format!("{count} AS items, CAST(0 AS BIGINT) AS organisations{ZERO_MONEY}"),
        Counted::Donors => format!("CAST(0 AS BIGINT) AS items, {count} AS organisations{ZERO_MONEY}"),
    };
    let sql = grouped_select(&keys, &measures, &format!("{table} m"), &wheres, None);
    ex.fetch_all(args.into_iter().fold(Stmt::new(sql), |s, a| s.bind(a))).await
}

/// Puts each count on the row of the same key; a key with a count and no sums becomes a row of its own.
fn merge(rows: &mut Vec<AggRow>, counts: Vec<AggRow>, width: usize, counted: Counted) {
    let mut by_key: HashMap<Vec<Option<String>>, AggRow> = counts.into_iter().map(|c| (c.keys(width), c)).collect();
    let take = |row: &mut AggRow, from: &AggRow| match counted {
        Counted::Items => row.items = from.items,
        Counted::Donors => row.organisations = from.organisations,
    };
    for row in rows.iter_mut() {
        if let Some(c) = by_key.remove(&row.keys(width)) {
            take(row, &c);
        }
    }
    let mut rest: Vec<AggRow> = by_key.into_values().collect();
    rest.sort_by_key(|r| r.keys(width));
    rows.extend(rest);
}
