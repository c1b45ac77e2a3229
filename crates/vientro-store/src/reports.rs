//! Report queries: group the report facts by up to four dimensions under filters, for a period (flows) or a
//! date (stock), as defined in docs/adr/0003-report-definitions.md.
//!
//! Every figure of every face is computed here, by one query per fact family (flow shares, item cells,
//! registrations, certificates); the services layer only resolves names to codes, merges the money and
//! count parts of a stock question and labels the rows. This module must not format numbers or know labels.

use chrono::NaiveDate;
use vientro_domain::report::Dimension;

use crate::db::{Backend, Exec, Stmt, Value};
use crate::error::StoreError;

mod from_summaries;

/// The most dimensions one report can group by.
pub const MAX_DIMENSIONS: usize = 4;

/// Which facts a query reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    /// Actual flows divided over cells (money, and items/organisations with flows).
    FlowShares,
    /// Items divided over cells (active items, approvals).
    ItemCells,
    /// Registrations of organisations in provinces per year.
    Registrations,
    /// Registration certificates of foreign NGOs.
    Certificates,
}

/// A filter whose values are already codes (province codes, organisation ids, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeFilter {
    /// The dimension.
    pub dimension: Dimension,
    /// Accepted codes.
    pub codes: Vec<String>,
}

/// What to select.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// Flows dated within the period (either bound open); approvals dated within it; registrations in its years.
    Period {
        /// First day.
        from: Option<NaiveDate>,
        /// Last day.
        to: Option<NaiveDate>,
    },
    /// Items active on the date, with their flows up to it; certificates valid on it.
    AsOf(NaiveDate),
}

/// Which costly columns a query must compute; the sums are always computed (they are cheap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Needs {
    /// Distinct items.
    pub items: bool,
    /// Distinct organisations.
    pub organisations: bool,
    /// Distinct recorded currencies (for amounts in the recorded currency and rates).
    pub currencies: bool,
}

impl Needs {
    /// Everything.
    pub const ALL: Needs = Needs { items: true, organisations: true, currencies: true };
}

/// One aggregated row: up to four keys and every measure of the base (unused ones are zero).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AggRow {
    /// First key.
    pub k0: Option<String>,
    /// Second key.
    pub k1: Option<String>,
    /// Third key.
    pub k2: Option<String>,
    /// Fourth key.
    pub k3: Option<String>,
    /// Distinct items.
    pub items: i64,
    /// Distinct organisations.
    pub organisations: i64,
    /// Committed, USD cents.
    pub committed_usd: i64,
    /// Committed, VND.
    pub committed_vnd: i64,
    /// Disbursed, USD cents.
    pub disbursed_usd: i64,
    /// Disbursed, VND.
    pub disbursed_vnd: i64,
    /// Committed, minor units of the recorded currency (meaningful when `currencies` is 1).
    pub committed_amount: i64,
    /// Disbursed, minor units of the recorded currency (meaningful when `currencies` is 1).
    pub disbursed_amount: i64,
    /// Distinct recorded currencies.
    pub currencies: i64,
    /// One of them (the only one when `currencies` is 1).
    pub currency: Option<String>,
}

impl AggRow {
    /// The keys, as many as dimensions were asked.
    pub fn keys(&self, n: usize) -> Vec<Option<String>> {
        [&self.k0, &self.k1, &self.k2, &self.k3].into_iter().take(n).cloned().collect()
    }
}

const ACTIVE_STATUSES: &str = "'approved', 'implementing', 'amendment_pending', 'suspended'";

/// The SQL expression of a dimension over a base, or `None` when the dimension does not apply to it.
fn column(base: Base, d: Dimension, backend: Backend) -> Option<String> {
    let year_of = |col: &str| match backend {
        Backend::Sqlite => format!("substr({col}, 1, 4)"),
        Backend::Postgres => format!("CAST(EXTRACT(YEAR FROM {col}) AS TEXT)"),
    };
    let half_of = |col: &str| match backend {
        Backend::Sqlite => {
            format!("substr({col}, 1, 4) || '-H' || (CASE WHEN substr({col}, 6, 2) <= '06' THEN '1' ELSE '2' END)")
        }
        Backend::Postgres => format!(
            "CAST(EXTRACT(YEAR FROM {col}) AS TEXT) || '-H' || (CASE WHEN EXTRACT(MONTH FROM {col}) <= 6 THEN '1' ELSE '2' END)"
        ),
    };
    let shared = |p: &str| -> Option<String> {
        Some(match d {
            Dimension::Province => format!("{p}.province"),
            Dimension::ProvinceAsRecorded => format!("{p}.province_recorded"),
            Dimension::Region => format!("{p}.region"),
            Dimension::Commune => format!("{p}.commune"),
            Dimension::CommuneAsRecorded => format!("{p}.commune_recorded"),
            Dimension::Sector => format!("{p}.sector"),
            Dimension::SectorCategory => format!("{p}.sector_category"),
            Dimension::Donor => format!("CAST({p}.donor_id AS TEXT)"),
            Dimension::DonorKind => format!("{p}.donor_kind"),
            Dimension::DonorCountry => format!("{p}.donor_country"),
            Dimension::Kind => format!("{p}.item_kind"),
            Dimension::ApprovalLevel => format!("{p}.approval_level"),
            Dimension::Status => "ai.status".to_owned(),
            Dimension::Year | Dimension::HalfYear => return None,
        })
    };
    match base {
        Base::FlowShares => match d {
            Dimension::Year => Some("CAST(fs.year AS TEXT)".into()),
            Dimension::HalfYear => Some("CAST(fs.year AS TEXT) || '-H' || CAST(fs.half AS TEXT)".into()),
            _ => shared("fs"),
        },
        Base::ItemCells => match d {
            Dimension::Year => Some(year_of("ic.approval_date")),
            Dimension::HalfYear => Some(half_of("ic.approval_date")),
            _ => shared("ic"),
        },
        Base::Registrations => match d {
            Dimension::Year => Some("CAST(pr.year AS TEXT)".into()),
            Dimension::Province => Some("pr.current_province_code".into()),
            Dimension::ProvinceAsRecorded => Some("pr.province_code".into()),
            Dimension::Region => Some("pr.region".into()),
            Dimension::Donor => Some("CAST(pr.organisation_id AS TEXT)".into()),
            Dimension::DonorKind => Some("o.kind".into()),
            Dimension::DonorCountry => Some("o.country_code".into()),
            _ => None,
        },
        Base::Certificates => match d {
            Dimension::Donor => Some("CAST(c.organisation_id AS TEXT)".into()),
            Dimension::DonorKind => Some("o.kind".into()),
            Dimension::DonorCountry => Some("o.country_code".into()),
            Dimension::Status => Some("c.status".into()),
            _ => None,
        },
    }
}

/// The error for a dimension a base cannot group or filter by.
fn not_applicable(base: Base, d: Dimension) -> StoreError {
    let what = match base {
        Base::FlowShares | Base::ItemCells => "aid items",
        Base::Registrations => "registrations",
        Base::Certificates => "certificates",
    };
    StoreError::Constraint {
        field: "by",
        code: "error-dimension-not-applicable",
        message: format!("'{}' does not apply to {what}", d.name()),
    }
}

/// Runs one aggregate over `base`: grouped by `by` (empty: one total row), filtered, within `scope`.
pub async fn aggregate(
    ex: &mut impl Exec,
    base: Base,
    by: &[Dimension],
    filters: &[CodeFilter],
    scope: Scope,
    needs: Needs,
) -> Result<Vec<AggRow>, StoreError> {
    check_dimensions(by)?;
    if let Some(rollup) = from_summaries::plan(base, by, filters, scope, needs) {
        return from_summaries::aggregate(ex, rollup, by, filters, scope, needs).await;
    }
    aggregate_facts(ex, base, by, filters, scope, needs).await
}

/// Like [`aggregate`], but always from the facts themselves, never from the summary tables: for checking
/// that the summaries agree with the facts.
pub async fn aggregate_from_facts(
    ex: &mut impl Exec,
    base: Base,
    by: &[Dimension],
    filters: &[CodeFilter],
    scope: Scope,
    needs: Needs,
) -> Result<Vec<AggRow>, StoreError> {
    check_dimensions(by)?;
    aggregate_facts(ex, base, by, filters, scope, needs).await
}

fn check_dimensions(by: &[Dimension]) -> Result<(), StoreError> {
    if by.len() > MAX_DIMENSIONS {
        return Err(StoreError::Constraint {
            field: "by",
            code: "error-too-many-dimensions",
            message: format!("a report groups by at most {MAX_DIMENSIONS} dimensions"),
        });
    }
    Ok(())
}

async fn aggregate_facts(
    ex: &mut impl Exec,
    base: Base,
    by: &[Dimension],
    filters: &[CodeFilter],
    scope: Scope,
    needs: Needs,
) -> Result<Vec<AggRow>, StoreError> {
    let backend = ex.backend();
    let mut keys = Vec::new();
    for d in by {
        keys.push(column(base, *d, backend).ok_or_else(|| not_applicable(base, *d))?);
    }
    let mut args: Vec<Value> = Vec::new();
    let next = |v: Value, args: &mut Vec<Value>| {
        args.push(v);
        format!("${}", args.len())
    };
    let mut wheres: Vec<String> = Vec::new();
    let needs_item = by.contains(&Dimension::Status) || filters.iter().any(|f| f.dimension == Dimension::Status);
    let (from_clause, measures, date_col) = match base {
        Base::FlowShares => (
            format!("flow_share fs{}", if needs_item { " JOIN aid_item ai ON ai.id = fs.item_id" } else { "" }),
            // Each COUNT(DISTINCT …) costs a sort; only the ones asked for are computed.
            format!(
                "{} AS items, {} AS organisations, {} AS currencies, {} AS currency, ",
                if needs.items { "COUNT(DISTINCT fs.item_id)" } else { "CAST(0 AS BIGINT)" },
                if needs.organisations { "COUNT(DISTINCT fs.donor_id)" } else { "CAST(0 AS BIGINT)" },
                if needs.currencies { "COUNT(DISTINCT fs.currency)" } else { "CAST(0 AS BIGINT)" },
                if needs.currencies { "MIN(fs.currency)" } else { "CAST(NULL AS TEXT)" },
            ) + "CAST(COALESCE(SUM(CASE WHEN fs.kind = 'commitment' THEN fs.usd_minor END), 0) AS BIGINT) AS committed_usd, \
             CAST(COALESCE(SUM(CASE WHEN fs.kind = 'commitment' THEN fs.vnd_minor END), 0) AS BIGINT) AS committed_vnd, \
             CAST(COALESCE(SUM(CASE WHEN fs.kind = 'disbursement' THEN fs.usd_minor END), 0) AS BIGINT) AS disbursed_usd, \
             CAST(COALESCE(SUM(CASE WHEN fs.kind = 'disbursement' THEN fs.vnd_minor END), 0) AS BIGINT) AS disbursed_vnd, \
             CAST(COALESCE(SUM(CASE WHEN fs.kind = 'commitment' THEN fs.amount_minor END), 0) AS BIGINT) AS committed_amount, \
             CAST(COALESCE(SUM(CASE WHEN fs.kind = 'disbursement' THEN fs.amount_minor END), 0) AS BIGINT) AS disbursed_amount",
            "fs.flow_date",
        ),
        Base::ItemCells => (
            format!("item_cell ic{}", if needs_item { " JOIN aid_item ai ON ai.id = ic.item_id" } else { "" }),
            format!(
                "{} AS items, {} AS organisations",
                if needs.items { "COUNT(DISTINCT ic.item_id)" } else { "CAST(0 AS BIGINT)" },
                if needs.organisations { "COUNT(DISTINCT ic.donor_id)" } else { "CAST(0 AS BIGINT)" },
            ) + ZERO_MONEY,
            "ic.approval_date",
        ),
        Base::Registrations => (
            "province_registration pr JOIN organisation o ON o.id = pr.organisation_id".to_owned(),
            "CAST(0 AS BIGINT) AS items, COUNT(DISTINCT pr.organisation_id) AS organisations".to_owned() + ZERO_MONEY,
            "",
        ),
        Base::Certificates => (
            "certificate c JOIN organisation o ON o.id = c.organisation_id".to_owned(),
            "CAST(0 AS BIGINT) AS items, COUNT(DISTINCT c.organisation_id) AS organisations".to_owned() + ZERO_MONEY,
            "",
        ),
    };
    match (base, scope) {
        (Base::FlowShares | Base::ItemCells, Scope::Period { from, to }) => {
            if let Some(f) = from {
                wheres.push(format!("{date_col} >= {}", next(Value::from(f), &mut args)));
            }
            if let Some(t) = to {
                wheres.push(format!("{date_col} <= {}", next(Value::from(t), &mut args)));
            }
        }
        (Base::FlowShares | Base::ItemCells, Scope::AsOf(d)) => {
            let p = next(Value::from(d), &mut args);
            let item_col = if base == Base::FlowShares { "fs.item_id" } else { "ic.item_id" };
            if base == Base::FlowShares {
                wheres.push(format!("fs.flow_date <= {p}"));
            }
            wheres.push(format!(
                "{item_col} IN (SELECT a.id FROM aid_item a WHERE a.archived_at IS NULL \
                 AND (a.start_date IS NULL OR a.start_date <= {p}) AND (a.end_date IS NULL OR a.end_date >= {p}) \
                 AND (SELECT sc.to_status FROM aid_item_status_change sc WHERE sc.item_id = a.id AND sc.changed_on <= {p} \
                 ORDER BY sc.changed_on DESC, sc.id DESC LIMIT 1) IN ({ACTIVE_STATUSES}))"
            ));
        }
        (Base::Registrations, Scope::Period { from, to }) => {
            if let Some(f) = from {
                wheres.push(format!(
                    "pr.year >= {}",
                    next(Value::from(i64::from(chrono::Datelike::year(&f))), &mut args)
                ));
            }
            if let Some(t) = to {
                wheres.push(format!(
                    "pr.year <= {}",
                    next(Value::from(i64::from(chrono::Datelike::year(&t))), &mut args)
                ));
            }
        }
        (Base::Registrations, Scope::AsOf(d)) => {
            wheres.push(format!("pr.year = {}", next(Value::from(i64::from(chrono::Datelike::year(&d))), &mut args)));
        }
        (Base::Certificates, scope) => {
            wheres
                .push("o.kind = 'foreign_ngo' AND c.status NOT IN ('terminated', 'revoked', 'self_terminated')".into());
            let (from, to) = match scope {
                Scope::Period { from, to } => (from, to),
                Scope::AsOf(d) => (Some(d), Some(d)),
            };
            if let Some(t) = to {
                wheres.push(format!("c.valid_from <= {}", next(Value::from(t), &mut args)));
            }
            if let Some(f) = from {
                wheres.push(format!("c.valid_to >= {}", next(Value::from(f), &mut args)));
            }
        }
    }
    filter_wheres(filters, |d| column(base, d, backend), &mut wheres, &mut args)
        .map_err(|d| not_applicable(base, d))?;
    let sql = grouped_select(&keys, &measures, &from_clause, &wheres, None);
    ex.fetch_all(args.into_iter().fold(Stmt::new(sql), |s, a| s.bind(a))).await
}

/// Appends a condition per filter (`column IN (…)`, or false when no code is accepted), binding the codes
/// after `args`; the error is the first dimension `column_of` cannot answer.
fn filter_wheres(
    filters: &[CodeFilter],
    column_of: impl Fn(Dimension) -> Option<String>,
    wheres: &mut Vec<String>,
    args: &mut Vec<Value>,
) -> Result<(), Dimension> {
    for f in filters {
        let col = column_of(f.dimension).ok_or(f.dimension)?;
        if f.codes.is_empty() {
            wheres.push("1 = 0".into());
            continue;
        }
        let mut placeholders = Vec::with_capacity(f.codes.len());
        for c in &f.codes {
            args.push(Value::from(c.as_str()));
            placeholders.push(format!("${}", args.len()));
        }
        wheres.push(format!("{col} IN ({})", placeholders.join(", ")));
    }
    Ok(())
}

/// `SELECT k0…k3, measures FROM … WHERE … GROUP BY keys [HAVING …] ORDER BY keys`; keys beyond those given
/// are NULL, and without keys there is no grouping (one total row).
fn grouped_select(keys: &[String], measures: &str, from: &str, wheres: &[String], having: Option<&str>) -> String {
    let mut sql = String::from("SELECT ");
    for i in 0..MAX_DIMENSIONS {
        match keys.get(i) {
            Some(k) => sql.push_str(&format!("{k} AS k{i}, ")),
            None => sql.push_str(&format!("CAST(NULL AS TEXT) AS k{i}, ")),
        }
    }
    sql.push_str(measures);
    sql.push_str(" FROM ");
    sql.push_str(from);
    if !wheres.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&wheres.join(" AND "));
    }
    if !keys.is_empty() {
        let list = keys.join(", ");
        sql.push_str(&format!(" GROUP BY {list}"));
        if let Some(h) = having {
            sql.push_str(&format!(" HAVING {h}"));
        }
        sql.push_str(&format!(" ORDER BY {list}"));
    }
    sql
}

const ZERO_MONEY: &str = ", CAST(0 AS BIGINT) AS committed_usd, CAST(0 AS BIGINT) AS committed_vnd, \
    CAST(0 AS BIGINT) AS disbursed_usd, CAST(0 AS BIGINT) AS disbursed_vnd, CAST(0 AS BIGINT) AS committed_amount, \
    CAST(0 AS BIGINT) AS disbursed_amount, CAST(0 AS BIGINT) AS currencies, CAST(NULL AS TEXT) AS currency";

/// Organisation ids whose names (any of name, Vietnamese name, acronym) contain the folded text.
pub async fn organisation_ids_matching(ex: &mut impl Exec, folded: &str) -> Result<Vec<i64>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Id {
        id: i64,
    }
    let rows: Vec<Id> = ex
        .fetch_all(
            Stmt::new("SELECT id FROM organisation WHERE search_text LIKE $1 ORDER BY id").bind(format!("%{folded}%")),
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Names of organisations by id, for labelling rows.
pub async fn organisation_names(ex: &mut impl Exec, ids: &[i64]) -> Result<Vec<(i64, String)>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Name {
        id: i64,
        name: String,
        name_vi: Option<String>,
    }
    let mut out = Vec::new();
    for chunk in ids.chunks(200) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let mut stmt =
            Stmt::new(format!("SELECT id, name, name_vi FROM organisation WHERE id IN ({})", placeholders.join(", ")));
        for id in chunk {
            stmt = stmt.bind(*id);
        }
        let rows: Vec<Name> = ex.fetch_all(stmt).await?;
        out.extend(rows.into_iter().map(|r| (r.id, r.name_vi.unwrap_or(r.name))));
    }
    Ok(out)
}
