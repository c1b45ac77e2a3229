//! Summary tables kept beside the flow shares, so that overviews at national scale read thousands of rows
//! instead of millions: sums of shares by half-year and a few dimensions (`flow_rollup`, by sector and by
//! donor nationally and per province, by donor country), and which items and donors have shares in which
//! year and province (`item_year`, `donor_year`, rows only while they have shares; `item_with_shares` for
//! any year anywhere), from which distinct counts are taken.
//!
//! [`subtract`] and [`add`] keep every table equal to what a `GROUP BY` over `flow_share` would give: the
//! facts module calls them around each rebuild of an item's shares, in the same transaction. The tables hold
//! '' for an unknown key so that a unique key can match it. This module must not decide what a report
//! means (that is `reports`, after docs/adr/0003-report-definitions.md); it only says which questions a table
//! can answer and with which column.

use vientro_domain::report::Dimension;

use crate::db::{Exec, Stmt};
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

    fn key_columns(&self) -> Vec<&'static str> {
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

/// The value expression of a flow-share column as stored in a summary key ('' for unknown).
fn source(col: &str) -> String {
    if matches!(col, "year" | "half" | "currency" | INTEGER_KEY) {
        col.to_owned()
    } else {
        format!("COALESCE({col}, '')")
    }
}

/// Adds (`sign` 1) or subtracts (`sign` -1) the shares selected by `where_items` to or from one sum table.
async fn roll(ex: &mut impl Exec, r: &Rollup, sign: i64, where_items: &str, ids: &[i64]) -> Result<(), StoreError> {
    let sum = |kind: &str, col: &str| {
        format!("{sign} * CAST(COALESCE(SUM(CASE WHEN kind = '{kind}' THEN {col} END), 0) AS BIGINT)")
    };
    let keys = r.key_columns();
    let sources: Vec<String> = keys.iter().map(|c| source(c)).collect();
    let values =
        ["committed_usd", "committed_vnd", "disbursed_usd", "disbursed_vnd", "committed_amount", "disbursed_amount"];
    let updates: Vec<String> =
        values.iter().chain(&["shares"]).map(|v| format!("{v} = {t}.{v} + excluded.{v}", t = r.table)).collect();
    // The WHERE clause is required by SQLite's parser before ON CONFLICT in an INSERT … SELECT.
    let sql = format!(
        "INSERT INTO {table} ({keys}, {values}, shares) \
         SELECT {sources}, {}, {}, {}, {}, {}, {}, {sign} * COUNT(*) FROM flow_share WHERE {where_items} \
         GROUP BY {sources} ON CONFLICT ({keys}) DO UPDATE SET {updates}",
        sum("commitment", "usd_minor"),
        sum("commitment", "vnd_minor"),
        sum("disbursement", "usd_minor"),
        sum("disbursement", "vnd_minor"),
        sum("commitment", "amount_minor"),
        sum("disbursement", "amount_minor"),
        table = r.table,
        keys = keys.join(", "),
        values = values.join(", "),
        sources = sources.join(", "),
        updates = updates.join(", "),
    );
    ex.execute(ids.iter().fold(Stmt::new(sql), |s, id| s.bind(*id))).await?;
    Ok(())
}

/// Adds or subtracts the donors' shares per year and province to or from `donor_year`.
async fn roll_donors(ex: &mut impl Exec, sign: i64, where_items: &str, ids: &[i64]) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO donor_year (year, province, donor_id, shares) \
         SELECT year, COALESCE(province, ''), donor_id, {sign} * COUNT(*) FROM flow_share WHERE {where_items} \
         GROUP BY year, COALESCE(province, ''), donor_id \
         ON CONFLICT (year, province, donor_id) DO UPDATE SET shares = donor_year.shares + excluded.shares"
    );
    ex.execute(ids.iter().fold(Stmt::new(sql), |s, id| s.bind(*id))).await?;
    if sign < 0 {
        // A donor left with no shares in a year and province is no longer a row, so counting needs no filter
        // (the items' shares are still there to say which donors to look at).
        let sql = format!(
            "DELETE FROM donor_year WHERE shares = 0 AND donor_id IN \
             (SELECT DISTINCT donor_id FROM flow_share WHERE {where_items})"
        );
        ex.execute(ids.iter().fold(Stmt::new(sql), |s, id| s.bind(*id))).await?;
    }
    Ok(())
}

/// Takes the current shares of the items out of every summary table; `where_items` is an SQL condition on
/// `item_id` whose parameters are `ids`. Call before the items' shares are deleted.
pub async fn subtract(ex: &mut impl Exec, where_items: &str, ids: &[i64]) -> Result<(), StoreError> {
    for r in &ROLLUPS {
        roll(ex, r, -1, where_items, ids).await?;
    }
    roll_donors(ex, -1, where_items, ids).await?;
    for table in ["item_year", "item_with_shares"] {
        let sql = format!("DELETE FROM {table} WHERE {where_items}");
        ex.execute(ids.iter().fold(Stmt::new(sql), |s, id| s.bind(*id))).await?;
    }
    Ok(())
}

/// Puts the current shares of the items into every summary table. Call after the items' shares are written.
pub async fn add(ex: &mut impl Exec, where_items: &str, ids: &[i64]) -> Result<(), StoreError> {
    for r in &ROLLUPS {
        roll(ex, r, 1, where_items, ids).await?;
    }
    roll_donors(ex, 1, where_items, ids).await?;
    let sql = format!(
        "INSERT INTO item_year (year, province, item_id, shares) \
         SELECT year, COALESCE(province, ''), item_id, COUNT(*) FROM flow_share WHERE {where_items} \
         GROUP BY year, COALESCE(province, ''), item_id"
    );
    ex.execute(ids.iter().fold(Stmt::new(sql), |s, id| s.bind(*id))).await?;
    let sql =
        format!("INSERT INTO item_with_shares (item_id) SELECT DISTINCT item_id FROM flow_share WHERE {where_items}");
    ex.execute(ids.iter().fold(Stmt::new(sql), |s, id| s.bind(*id))).await?;
    Ok(())
}
