//! Summary tables kept beside the flow shares, so that overviews at national scale read thousands of rows
//! instead of millions: sums of shares by half-year and a few dimensions (`flow_rollup`, by sector and by
//! donor nationally and per province, by donor country), and which items and donors have shares in which
//! year and province (`item_year`, `donor_year`, rows only while they have shares; `item_with_shares` for
//! any year anywhere), from which distinct counts are taken.
//!
//! [`subtract`] and [`add`] keep every table equal to what a `GROUP BY` over `flow_share` would give: the
//! facts module calls them around each rebuild of an item's shares, in the same transaction. The sums are
//! made in memory from the shares themselves (those just computed, or those read back before they are
//! deleted) and written as one upsert per key; grouping the new rows of `flow_share` in SQL, once per table,
//! took a quarter of a bulk import's time. The tables hold
//! '' for an unknown key so that a unique key can match it. This module must not decide what a report
//! means (that is `reports`, after docs/adr/0003-report-definitions.md); it only says which questions a table
//! can answer and with which column.

use std::collections::BTreeMap;

use vientro_domain::report::Dimension;

use crate::db::{Exec, Stmt, Value};
use crate::error::StoreError;

/// A table of sums of flow shares by year, half-year, currency and the key columns it names.
#[derive(Debug)]
pub struct Rollup {
    /// Table name.
    pub table: &'static str,
    /// Key columns besides year, half and currency, each with the dimension it answers; the column has the
    /// same name in `flow_share`.
    keys: &'static [(&'static str, Dimension)],
}

/// The sum tables, in the order they are tried: the smallest that answers wins. At a million items the
/// national and per-place ones hold thousands of rows, `flow_rollup` and the national sector and donor
/// ones hundreds of thousands, the provincial sector and donor ones millions.
pub const ROLLUPS: [Rollup; 8] = [
    Rollup { table: "flow_rollup_national", keys: &[] },
    Rollup {
        table: "flow_rollup_country",
        keys: &[("donor_kind", Dimension::DonorKind), ("donor_country", Dimension::DonorCountry)],
    },
    Rollup {
        table: "flow_rollup_place",
        keys: &[
            ("province", Dimension::Province),
            ("province_recorded", Dimension::ProvinceAsRecorded),
            ("region", Dimension::Region),
        ],
    },
    Rollup {
        table: "flow_rollup",
        keys: &[
            ("province", Dimension::Province),
            ("province_recorded", Dimension::ProvinceAsRecorded),
            ("region", Dimension::Region),
            ("donor_kind", Dimension::DonorKind),
            ("item_kind", Dimension::Kind),
            ("approval_level", Dimension::ApprovalLevel),
        ],
    },
    Rollup {
        table: "flow_rollup_sector_national",
        keys: &[("sector", Dimension::Sector), ("sector_category", Dimension::SectorCategory)],
    },
    Rollup {
        table: "flow_rollup_donor_national",
        keys: &[
            ("donor_id", Dimension::Donor),
            ("donor_kind", Dimension::DonorKind),
            ("donor_country", Dimension::DonorCountry),
        ],
    },
    Rollup {
        table: "flow_rollup_sector",
        keys: &[
            ("province", Dimension::Province),
            ("region", Dimension::Region),
            ("sector", Dimension::Sector),
            ("sector_category", Dimension::SectorCategory),
        ],
    },
    Rollup {
        table: "flow_rollup_donor",
        keys: &[
            ("province", Dimension::Province),
            ("region", Dimension::Region),
            ("donor_id", Dimension::Donor),
            ("donor_kind", Dimension::DonorKind),
            ("donor_country", Dimension::DonorCountry),
        ],
    },
];

/// The key column that is an integer in both tables (all others are text).
const INTEGER_KEY: &str = "donor_id";

impl Rollup {
    /// The SQL expression (over alias `fr`) answering `d`, or `None` when this table does not keep it.
    pub fn column(&self, d: Dimension) -> Option<String> {
        match d {
            Dimension::Year => Some("CAST(fr.year AS TEXT)".into()),
            Dimension::HalfYear => Some("CAST(fr.year AS TEXT) || '-H' || CAST(fr.half AS TEXT)".into()),
            _ => self.keys.iter().find(|(_, kd)| *kd == d).map(|(col, _)| {
                if *col == INTEGER_KEY { format!("CAST(fr.{col} AS TEXT)") } else { format!("NULLIF(fr.{col}, '')") }
            }),
        }
    }

    /// The SQL expression (over alias `fr`) a filter on `d` compares with its codes: the bare column where it
    /// can, so the indexes serve (a filter code is never '', so `NULLIF` is not needed).
    pub fn filter_column(&self, d: Dimension) -> Option<String> {
        match self.keys.iter().find(|(_, kd)| *kd == d) {
            Some((col, _)) if *col != INTEGER_KEY => Some(format!("fr.{col}")),
            _ => self.column(d),
        }
    }

    /// The first table that keeps every one of `dimensions`.
    pub fn covering(dimensions: &[Dimension]) -> Option<&'static Rollup> {
        ROLLUPS.iter().find(|r| dimensions.iter().all(|d| r.column(*d).is_some()))
    }

    /// The table's unique key: year, half, its own keys, currency.
    pub fn key_columns(&self) -> Vec<&'static str> {
        let mut cols = vec!["year", "half"];
        cols.extend(self.keys.iter().map(|(c, _)| *c));
        cols.push("currency");
        cols
    }
}

/// What a distinct count counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// Items (`item_year`).
    Items,
    /// Donors (`donor_year`).
    Donors,
}

impl Counted {
    /// The membership table and the column whose distinct values are counted.
    pub fn table_and_column(self) -> (&'static str, &'static str) {
        match self {
            Counted::Items => ("item_year", "item_id"),
            Counted::Donors => ("donor_year", "donor_id"),
        }
    }
}

/// The SQL expression (over alias `m`) a filter on `d` compares with its codes (only the year and today's
/// province are kept in the membership tables).
pub fn membership_filter_column(d: Dimension) -> Option<String> {
    match d {
        Dimension::Province => Some("m.province".into()),
        _ => membership_column(d),
    }
}

/// The SQL expression (over alias `m`) of a membership table answering `d` in a grouping.
pub fn membership_column(d: Dimension) -> Option<String> {
    match d {
        Dimension::Year => Some("CAST(m.year AS TEXT)".into()),
        Dimension::Province => Some("NULLIF(m.province, '')".into()),
        _ => None,
    }
}

/// A flow share as the summary tables see it: the columns of `flow_share` they sum, count and key on.
#[derive(Debug, Clone, Copy)]
pub struct SummedShare<'a> {
    /// The item the share belongs to.
    pub item_id: i64,
    /// `commitment` or `disbursement`.
    pub kind: &'a str,
    /// Year of the flow.
    pub year: i64,
    /// Half-year of the flow (1 or 2).
    pub half: i64,
    /// Today's province, when the cell has a location.
    pub province: Option<&'a str>,
    /// The province as recorded.
    pub province_recorded: Option<&'a str>,
    /// Today's region.
    pub region: Option<&'a str>,
    /// Sector code.
    pub sector: Option<&'a str>,
    /// Sector category code.
    pub sector_category: Option<&'a str>,
    /// The donor.
    pub donor_id: i64,
    /// The donor's kind.
    pub donor_kind: &'a str,
    /// The donor's country.
    pub donor_country: Option<&'a str>,
    /// The item's kind as reports see it.
    pub item_kind: &'a str,
    /// The item's approval level.
    pub approval_level: Option<&'a str>,
    /// The flow's currency.
    pub currency: &'a str,
    /// The share in the flow's currency (minor units).
    pub amount_minor: i64,
    /// The share in USD cents.
    pub usd_minor: i64,
    /// The share in VND.
    pub vnd_minor: i64,
}

/// One part of a summary key: '' stands for an unknown text key, as in the tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Key<'a> {
    Int(i64),
    Text(&'a str),
}

impl Key<'_> {
    fn value(self) -> Value {
        match self {
            Key::Int(i) => Value::from(i),
            Key::Text(t) => Value::from(t.to_owned()),
        }
    }
}

impl<'a> SummedShare<'a> {
    /// The share's value for a key column of a summary table; `None` for a column it does not have.
    fn key(&self, column: &str) -> Option<Key<'a>> {
        let text = |v: Option<&'a str>| Key::Text(v.unwrap_or(""));
        Some(match column {
            "year" => Key::Int(self.year),
            "half" => Key::Int(self.half),
            "province" => text(self.province),
            "province_recorded" => text(self.province_recorded),
            "region" => text(self.region),
            "sector" => text(self.sector),
            "sector_category" => text(self.sector_category),
            "donor_id" => Key::Int(self.donor_id),
            "item_id" => Key::Int(self.item_id),
            "donor_kind" => Key::Text(self.donor_kind),
            "donor_country" => text(self.donor_country),
            "item_kind" => Key::Text(self.item_kind),
            "approval_level" => text(self.approval_level),
            "currency" => Key::Text(self.currency),
            _ => return None,
        })
    }

    /// What the share adds to each summed column, in [`SUMMED`] order.
    fn sums(&self) -> [i64; 7] {
        match self.kind {
            "commitment" => [self.usd_minor, self.vnd_minor, 0, 0, self.amount_minor, 0, 1],
            "disbursement" => [0, 0, self.usd_minor, self.vnd_minor, 0, self.amount_minor, 1],
            _ => [0, 0, 0, 0, 0, 0, 1],
        }
    }
}

/// The summed columns of every rollup table, the count of shares last.
const SUMMED: [&str; 7] = [
    "committed_usd",
    "committed_vnd",
    "disbursed_usd",
    "disbursed_vnd",
    "committed_amount",
    "disbursed_amount",
    "shares",
];

/// Sums `shares` by the key columns `keys` (with `sign`), as rows of key values then sums, in key order.
fn grouped<'a>(
    shares: &[SummedShare<'a>],
    keys: &[&str],
    sign: i64,
    sums: impl Fn(&SummedShare<'a>) -> Vec<i64>,
) -> Result<Vec<Vec<Value>>, StoreError> {
    let mut groups: BTreeMap<Vec<Key<'a>>, Vec<i64>> = BTreeMap::new();
    for share in shares {
        let key = keys
            .iter()
            .map(|c| share.key(c))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| StoreError::Refused(format!("a summary keys on a column flow shares lack: {keys:?}")))?;
        let add = sums(share);
        let total = groups.entry(key).or_insert_with(|| vec![0; add.len()]);
        for (t, a) in total.iter_mut().zip(add) {
            *t += sign * a;
        }
    }
    Ok(groups
        .into_iter()
        .map(|(key, totals)| key.into_iter().map(Key::value).chain(totals.into_iter().map(Value::from)).collect())
        .collect())
}

/// Adds (`sign` 1) or subtracts (`sign` -1) `shares` to or from one sum table: one upsert per key.
async fn roll(ex: &mut impl Exec, r: &Rollup, sign: i64, shares: &[SummedShare<'_>]) -> Result<(), StoreError> {
    let keys = r.key_columns();
    let rows = grouped(shares, &keys, sign, |s| s.sums().to_vec())?;
    let updates: Vec<String> = SUMMED.iter().map(|v| format!("{v} = {t}.{v} + excluded.{v}", t = r.table)).collect();
    let tail = format!("ON CONFLICT ({}) DO UPDATE SET {}", keys.join(", "), updates.join(", "));
    let columns: Vec<&str> = keys.iter().chain(SUMMED.iter()).copied().collect();
    crate::bulk::insert_rows_then(ex, r.table, &columns, &rows, usize::MAX, &tail).await
}

/// Adds or subtracts the donors' shares per year and province to or from `donor_year`.
async fn roll_donors(ex: &mut impl Exec, sign: i64, shares: &[SummedShare<'_>]) -> Result<(), StoreError> {
    let keys = ["year", "province", "donor_id"];
    let rows = grouped(shares, &keys, sign, |_| vec![1])?;
    let tail = "ON CONFLICT (year, province, donor_id) DO UPDATE SET shares = donor_year.shares + excluded.shares";
    crate::bulk::insert_rows_then(
        ex,
        "donor_year",
        &["year", "province", "donor_id", "shares"],
        &rows,
        usize::MAX,
        tail,
    )
    .await?;
    if sign < 0 {
        // A donor left with no shares in a year and province is no longer a row, so counting needs no filter.
        let mut donors: Vec<i64> = shares.iter().map(|s| s.donor_id).collect();
        donors.sort_unstable();
        donors.dedup();
        for chunk in donors.chunks(crate::bulk::PARAMETERS_PER_STATEMENT) {
            let list = (1..=chunk.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
            let sql = format!("DELETE FROM donor_year WHERE shares = 0 AND donor_id IN ({list})");
            ex.execute(chunk.iter().fold(Stmt::new(sql), |s, id| s.bind(*id))).await?;
        }
    }
    Ok(())
}

/// A share as `flow_share` holds it, read back to be taken out of the summaries.
#[derive(sqlx::FromRow)]
struct StoredShare {
    item_id: i64,
    kind: String,
    year: i64,
    half: i64,
    province: Option<String>,
    province_recorded: Option<String>,
    region: Option<String>,
    sector: Option<String>,
    sector_category: Option<String>,
    donor_id: i64,
    donor_kind: String,
    donor_country: Option<String>,
    item_kind: String,
    approval_level: Option<String>,
    currency: String,
    amount_minor: i64,
    usd_minor: i64,
    vnd_minor: i64,
}

impl StoredShare {
    fn summed(&self) -> SummedShare<'_> {
        SummedShare {
            item_id: self.item_id,
            kind: &self.kind,
            year: self.year,
            half: self.half,
            province: self.province.as_deref(),
            province_recorded: self.province_recorded.as_deref(),
            region: self.region.as_deref(),
            sector: self.sector.as_deref(),
            sector_category: self.sector_category.as_deref(),
            donor_id: self.donor_id,
            donor_kind: &self.donor_kind,
            donor_country: self.donor_country.as_deref(),
            item_kind: &self.item_kind,
            approval_level: self.approval_level.as_deref(),
            currency: &self.currency,
            amount_minor: self.amount_minor,
            usd_minor: self.usd_minor,
            vnd_minor: self.vnd_minor,
        }
    }
}

/// Takes the current shares of the items out of every summary table; `where_items` is an SQL condition on
/// `item_id` whose parameters are `ids`. Call before the items' shares are deleted.
pub async fn subtract(ex: &mut impl Exec, where_items: &str, ids: &[i64]) -> Result<(), StoreError> {
    let sql = format!(
        "SELECT item_id, kind, year, half, province, province_recorded, region, sector, sector_category, donor_id, \
         donor_kind, donor_country, item_kind, approval_level, currency, amount_minor, usd_minor, vnd_minor \
         FROM flow_share WHERE {where_items}"
    );
    let stored: Vec<StoredShare> = ex.fetch_all(ids.iter().fold(Stmt::new(sql), |s, id| s.bind(*id))).await?;
    if stored.is_empty() {
        return Ok(());
    }
    let shares: Vec<SummedShare<'_>> = stored.iter().map(StoredShare::summed).collect();
    for r in &ROLLUPS {
        roll(ex, r, -1, &shares).await?;
    }
    roll_donors(ex, -1, &shares).await?;
    for table in ["item_year", "item_with_shares"] {
        let sql = format!("DELETE FROM {table} WHERE {where_items}");
        ex.execute(ids.iter().fold(Stmt::new(sql), |s, id| s.bind(*id))).await?;
    }
    Ok(())
}

/// Puts new shares into every summary table. Call when the shares are written to `flow_share`, for items
/// whose former shares were taken out with [`subtract`].
pub async fn add(ex: &mut impl Exec, shares: &[SummedShare<'_>]) -> Result<(), StoreError> {
    if shares.is_empty() {
        return Ok(());
    }
    for r in &ROLLUPS {
        roll(ex, r, 1, shares).await?;
    }
    roll_donors(ex, 1, shares).await?;
    let rows = grouped(shares, &["year", "province", "item_id"], 1, |_| vec![1])?;
    crate::bulk::insert_rows(ex, "item_year", &["year", "province", "item_id", "shares"], &rows, usize::MAX).await?;
    let mut items: Vec<i64> = shares.iter().map(|s| s.item_id).collect();
    items.sort_unstable();
    items.dedup();
    let rows: Vec<Vec<Value>> = items.into_iter().map(|id| vec![Value::from(id)]).collect();
    crate::bulk::insert_rows(ex, "item_with_shares", &["item_id"], &rows, usize::MAX).await
}
