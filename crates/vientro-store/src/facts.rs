//! Report facts: an item's cells (locations × sectors × donors) and its actual flows divided over them.
//!
//! [`refresh_item`] rebuilds both from the item's base records; it is called in the same transaction as any
//! change to an item or its flows, so reports never see stale facts. The shares are computed here and sent
//! to the database narrow (flow, cell and three amounts) through temporary staging tables, then widened
//! with their flow's and cell's columns by one `INSERT … SELECT` (docs/adr/0012-report-facts-in-bulk.md).
//! Division uses the largest-remainder method level by level (locations, then sectors, then donors), so the
//! parts of every flow add up to the flow exactly in USD, VND and the recorded currency. This module must not
//! decide what a report means: docs/adr/0003-report-definitions.md does, in `reports`.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use vientro_domain::admin_units::{AdminUnits, ProvinceCode};
use vientro_domain::ids::AidItemId;
use vientro_domain::sector::SectorRef;
use vientro_domain::split::{Share, allocate};

use crate::db::{Backend, Exec, Scalar, Stmt, Value};
use crate::error::StoreError;
use crate::summaries::{self, SummedShare};

#[derive(sqlx::FromRow)]
struct ItemFacts {
    id: i64,
    kind: String,
    supplements_item_id: Option<i64>,
    approval_level: Option<String>,
    approval_decision_date: Option<NaiveDate>,
    archived: bool,
}

#[derive(sqlx::FromRow)]
struct LocationFacts {
    item_id: i64,
    current_province_code: String,
    recorded_province_code: String,
    current_commune_code: Option<String>,
    recorded_commune_code: Option<String>,
    share_bp: i64,
}

#[derive(sqlx::FromRow)]
struct SectorFacts {
    item_id: i64,
    sector_code: String,
    share_bp: i64,
}

#[derive(sqlx::FromRow)]
struct DonorFacts {
    item_id: i64,
    organisation_id: i64,
    share_bp: i64,
    kind: String,
    country_code: Option<String>,
}

#[derive(sqlx::FromRow)]
struct FlowFacts {
    item_id: i64,
    id: i64,
    kind: String,
    stage: String,
    flow_date: NaiveDate,
    currency: String,
    amount_minor: i64,
    usd_minor: i64,
    vnd_minor: i64,
}

/// One cell of an item: where, what and who, with the shares that lead to it.
#[derive(Debug, Clone)]
struct Cell {
    location: Option<usize>,
    sector: Option<usize>,
    donor: usize,
}

fn share(bp: i64) -> Share {
    Share::from_basis_points(u32::try_from(bp).unwrap_or(0)).unwrap_or(Share::WHOLE)
}

/// The item's kind as reports see it: a project that supplements another is `supplementary` (FACTS L1).
pub fn report_kind(kind: &str, supplements: Option<i64>) -> String {
    if supplements.is_some() && matches!(kind, "project" | "programme") { "supplementary".into() } else { kind.into() }
}

fn region_of(province: &str) -> Option<String> {
    let code = ProvinceCode::parse(province).ok()?;
    AdminUnits::embedded().new_province(&code).map(|p| p.region.code().to_owned())
}

fn sector_category(code: &str) -> Option<String> {
    SectorRef::parse(code).ok().map(|s| s.category().code())
}

/// Divides `amount` over the cells, level by level, so the parts add up to `amount`.
fn divide(amount: i64, cells: &[Cell], locations: &[Share], sectors: &[Share], donors: &[Share]) -> Vec<i64> {
    let whole = [Share::WHOLE];
    let locs: &[Share] = if locations.is_empty() { &whole } else { locations };
    let secs: &[Share] = if sectors.is_empty() { &whole } else { sectors };
    let by_location = allocate(amount, locs);
    let mut out = Vec::with_capacity(cells.len());
    for cell in cells {
        let l = cell.location.unwrap_or(0);
        let by_sector = allocate(by_location[l], secs);
        let s = cell.sector.unwrap_or(0);
        let by_donor = allocate(by_sector[s], donors);
        out.push(by_donor[cell.donor]);
    }
    out
}

const CELL_COLUMNS: &str = "item_id, cell, province, province_recorded, region, commune, commune_recorded, sector, \
    sector_category, donor_id, donor_kind, donor_country, item_kind, approval_level, approval_date";
/// What every share of a flow repeats.
const FLOW_PART_COLUMNS: &str = "flow_id, item_id, kind, flow_date, year, half, currency";
/// What each share has of its own.
const SHARE_PART_COLUMNS: &str = "flow_id, cell, amount_minor, usd_minor, vnd_minor";

/// The staging tables: temporary (each connection has its own, never seen by another), empty between two
/// rebuilds. `{int}` and `{date}` stand for the backend's types.
const STAGING: [(&str, &str); 3] = [
    (
        "fact_cell",
        "item_id {int} NOT NULL, cell {int} NOT NULL, province TEXT, province_recorded TEXT, region TEXT, \
         commune TEXT, commune_recorded TEXT, sector TEXT, sector_category TEXT, donor_id {int} NOT NULL, \
         donor_kind TEXT NOT NULL, donor_country TEXT, item_kind TEXT NOT NULL, approval_level TEXT, \
         approval_date {date}",
    ),
    (
        "fact_flow",
        "flow_id {int} NOT NULL, item_id {int} NOT NULL, kind TEXT NOT NULL, flow_date {date} NOT NULL, \
         year {int} NOT NULL, half {int} NOT NULL, currency TEXT NOT NULL",
    ),
    (
        "fact_share",
        "flow_id {int} NOT NULL, cell {int} NOT NULL, amount_minor {int} NOT NULL, usd_minor {int} NOT NULL, \
         vnd_minor {int} NOT NULL",
    ),
];

/// The shares, joined in the database with their flow and cell: each share is sent as five integers rather
/// than the 23 columns `flow_share` repeats for reports without joins.
const SHARES_FROM_STAGING: &str = "INSERT INTO flow_share (flow_id, cell, item_id, kind, flow_date, year, half, \
    province, province_recorded, region, commune, commune_recorded, sector, sector_category, donor_id, donor_kind, \
    donor_country, item_kind, approval_level, currency, amount_minor, usd_minor, vnd_minor) \
    SELECT s.flow_id, s.cell, f.item_id, f.kind, f.flow_date, f.year, f.half, c.province, c.province_recorded, \
    c.region, c.commune, c.commune_recorded, c.sector, c.sector_category, c.donor_id, c.donor_kind, \
    c.donor_country, c.item_kind, c.approval_level, f.currency, s.amount_minor, s.usd_minor, s.vnd_minor \
    FROM fact_share s JOIN fact_flow f ON f.flow_id = s.flow_id JOIN fact_cell c ON c.item_id = f.item_id \
    AND c.cell = s.cell ORDER BY s.flow_id, s.cell";

/// One cell of an item, as `item_cell` holds it.
struct CellRow {
    item_id: i64,
    cell: i64,
    province: Option<String>,
    province_recorded: Option<String>,
    region: Option<String>,
    commune: Option<String>,
    commune_recorded: Option<String>,
    sector: Option<String>,
    sector_category: Option<String>,
    donor_id: i64,
    donor_kind: String,
    donor_country: Option<String>,
    item_kind: String,
    approval_level: Option<String>,
    approval_date: Option<NaiveDate>,
}

impl CellRow {
    /// The values in [`CELL_COLUMNS`] order.
    fn values(&self) -> Vec<Value> {
        vec![
            Value::from(self.item_id),
            Value::from(self.cell),
            Value::from(self.province.clone()),
            Value::from(self.province_recorded.clone()),
            Value::from(self.region.clone()),
            Value::from(self.commune.clone()),
            Value::from(self.commune_recorded.clone()),
            Value::from(self.sector.clone()),
            Value::from(self.sector_category.clone()),
            Value::from(self.donor_id),
            Value::from(self.donor_kind.clone()),
            Value::from(self.donor_country.clone()),
            Value::from(self.item_kind.clone()),
            Value::from(self.approval_level.clone()),
            Value::from(self.approval_date),
        ]
    }
}

/// One actual flow, with what each of its shares repeats.
struct FlowPart {
    flow_id: i64,
    item_id: i64,
    kind: String,
    flow_date: NaiveDate,
    year: i64,
    half: i64,
    currency: String,
}

/// One share: the flow and the cell it belongs to (positions in [`Facts`]) and its part in each unit.
struct SharePart {
    flow: usize,
    cell: usize,
    amount_minor: i64,
    usd_minor: i64,
    vnd_minor: i64,
}

/// The report facts of a set of items, computed and not yet written.
#[derive(Default)]
struct Facts {
    cells: Vec<CellRow>,
    flows: Vec<FlowPart>,
    shares: Vec<SharePart>,
}

impl Facts {
    /// The shares as the summary tables sum them.
    fn summed(&self) -> Vec<SummedShare<'_>> {
        self.shares
            .iter()
            .map(|s| {
                let f = &self.flows[s.flow];
                let c = &self.cells[s.cell];
                SummedShare {
                    item_id: f.item_id,
                    kind: &f.kind,
                    year: f.year,
                    half: f.half,
                    province: c.province.as_deref(),
                    province_recorded: c.province_recorded.as_deref(),
                    region: c.region.as_deref(),
                    sector: c.sector.as_deref(),
                    sector_category: c.sector_category.as_deref(),
                    donor_id: c.donor_id,
                    donor_kind: &c.donor_kind,
                    donor_country: c.donor_country.as_deref(),
                    item_kind: &c.item_kind,
                    approval_level: c.approval_level.as_deref(),
                    currency: &f.currency,
                    amount_minor: s.amount_minor,
                    usd_minor: s.usd_minor,
                    vnd_minor: s.vnd_minor,
                }
            })
            .collect()
    }

    /// Writes the cells to `item_cell` and the shares to `flow_share` through the staging tables, which are
    /// left empty.
    async fn write(&self, ex: &mut impl Exec) -> Result<(), StoreError> {
        if self.cells.is_empty() {
            return Ok(());
        }
        ensure_staging(ex).await?;
        let cells: Vec<Vec<Value>> = self.cells.iter().map(CellRow::values).collect();
        insert_rows(ex, "fact_cell", CELL_COLUMNS, cells).await?;
        let flows: Vec<Vec<Value>> = self
            .flows
            .iter()
            .map(|f| {
                vec![
                    Value::from(f.flow_id),
                    Value::from(f.item_id),
                    Value::from(f.kind.clone()),
                    Value::from(f.flow_date),
                    Value::from(f.year),
                    Value::from(f.half),
                    Value::from(f.currency.clone()),
                ]
            })
            .collect();
        insert_rows(ex, "fact_flow", FLOW_PART_COLUMNS, flows).await?;
        let shares: Vec<Vec<Value>> = self
            .shares
            .iter()
            .map(|s| {
                vec![
                    Value::from(self.flows[s.flow].flow_id),
                    Value::from(self.cells[s.cell].cell),
                    Value::from(s.amount_minor),
                    Value::from(s.usd_minor),
                    Value::from(s.vnd_minor),
                ]
            })
            .collect();
        insert_rows(ex, "fact_share", SHARE_PART_COLUMNS, shares).await?;
        ex.execute(Stmt::new(format!(
            "INSERT INTO item_cell ({CELL_COLUMNS}) SELECT {CELL_COLUMNS} FROM fact_cell ORDER BY item_id, cell"
        )))
        .await?;
        ex.execute(Stmt::new(SHARES_FROM_STAGING)).await?;
        match ex.backend() {
            // TRUNCATE leaves no dead rows behind (a temporary table is never vacuumed automatically).
            Backend::Postgres => {
                ex.execute(Stmt::new("TRUNCATE fact_cell, fact_flow, fact_share")).await?;
            }
            Backend::Sqlite => {
                for (table, _) in STAGING {
                    ex.execute(Stmt::new(format!("DELETE FROM {table}"))).await?;
                }
            }
        }
        Ok(())
    }
}

/// Creates this connection's staging tables when it has none yet.
async fn ensure_staging(ex: &mut impl Exec) -> Result<(), StoreError> {
    let backend = ex.backend();
    if backend == Backend::Postgres {
        // Asked first because `IF NOT EXISTS` on a table that exists sends a notice each time.
        let present: Option<Scalar> = ex
            .fetch_optional(Stmt::new("SELECT CAST(1 AS BIGINT) WHERE to_regclass('pg_temp.fact_share') IS NOT NULL"))
            .await?;
        if present.is_some() {
            return Ok(());
        }
    }
    let (int, date) = match backend {
        Backend::Postgres => ("BIGINT", "DATE"),
        Backend::Sqlite => ("INTEGER", "TEXT"),
    };
    for (table, columns) in STAGING {
        let columns = columns.replace("{int}", int).replace("{date}", date);
        ex.execute(Stmt::new(format!("CREATE TEMPORARY TABLE IF NOT EXISTS {table} ({columns})"))).await?;
    }
    Ok(())
}

/// Inserts rows into a staging table, as many per statement as the bulk limit allows.
async fn insert_rows(ex: &mut impl Exec, table: &str, columns: &str, rows: Vec<Vec<Value>>) -> Result<(), StoreError> {
    let columns: Vec<&str> = columns.split(", ").collect();
    crate::bulk::insert_rows(ex, table, &columns, &rows, usize::MAX).await
}

const ITEM_SQL: &str = "SELECT id, kind, supplements_item_id, approval_level, approval_decision_date, \
    (archived_at IS NOT NULL) AS archived FROM aid_item";
const LOCATION_SQL: &str = "SELECT item_id, current_province_code, recorded_province_code, current_commune_code, \
    recorded_commune_code, share_bp FROM aid_item_location";
const SECTOR_SQL: &str = "SELECT item_id, sector_code, share_bp FROM aid_item_sector";
const DONOR_SQL: &str = "SELECT d.item_id, d.organisation_id, d.share_bp, o.kind, o.country_code FROM aid_item_donor d \
    JOIN organisation o ON o.id = d.organisation_id";
// Flows are read by item alone and the actual ones kept in Rust: with `stage = 'actual'` in the condition,
// PostgreSQL without fresh statistics (a table filled by one import) chose to scan the whole
// (flow_date, kind, stage) index for every batch, two seconds each at 750,000 flows.
const FLOW_SQL: &str =
    "SELECT item_id, id, kind, stage, flow_date, currency, amount_minor, usd_minor, vnd_minor FROM flow";

fn actual(mut flows: Vec<FlowFacts>) -> Vec<FlowFacts> {
    flows.retain(|f| f.stage == "actual");
    flows
}

/// Rebuilds the report facts of one item from its base records.
pub async fn refresh_item(ex: &mut impl Exec, item: AidItemId) -> Result<(), StoreError> {
    refresh_items(ex, &[item]).await
}

/// Rebuilds the report facts of many items from their base records, a few hundred items per round of
/// statements: their old shares are taken out of the summaries and deleted, the new cells and shares are
/// computed here, written through the staging tables and added to the summaries. For a change to one item
/// and for bulk loads alike, in the transaction that made the change.
pub async fn refresh_items(ex: &mut impl Exec, items: &[AidItemId]) -> Result<(), StoreError> {
    const ITEMS_PER_BATCH: usize = 500;
    let mut ids: Vec<i64> = items.iter().map(|i| i.0).collect();
    ids.sort_unstable();
    ids.dedup();
    for batch in ids.chunks(ITEMS_PER_BATCH) {
        let list = (1..=batch.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let stmt = |sql: String| batch.iter().fold(Stmt::new(sql), |s, id| s.bind(*id));
        let facts: Vec<ItemFacts> = ex.fetch_all(stmt(format!("{ITEM_SQL} WHERE id IN ({list})"))).await?;
        if facts.len() != batch.len() {
            return Err(StoreError::NotFound("aid item"));
        }
        let mut locations = by_item(
            ex.fetch_all(stmt(format!("{LOCATION_SQL} WHERE item_id IN ({list}) ORDER BY item_id, position"))).await?,
            |l: &LocationFacts| l.item_id,
        );
        let mut sectors = by_item(
            ex.fetch_all(stmt(format!("{SECTOR_SQL} WHERE item_id IN ({list}) ORDER BY item_id, sector_code"))).await?,
            |s: &SectorFacts| s.item_id,
        );
        let mut donors = by_item(
            ex.fetch_all(stmt(format!(
                "{DONOR_SQL} WHERE d.item_id IN ({list}) ORDER BY d.item_id, d.organisation_id"
            )))
            .await?,
            |d: &DonorFacts| d.item_id,
        );
        let mut flows = by_item(
            actual(ex.fetch_all(stmt(format!("{FLOW_SQL} WHERE item_id IN ({list}) ORDER BY item_id, id"))).await?),
            |f: &FlowFacts| f.item_id,
        );
        clear_listed(ex, &list, batch).await?;
        let mut out = Facts::default();
        for f in &facts {
            fact_rows(
                f,
                &locations.remove(&f.id).unwrap_or_default(),
                &sectors.remove(&f.id).unwrap_or_default(),
                &donors.remove(&f.id).unwrap_or_default(),
                &flows.remove(&f.id).unwrap_or_default(),
                &mut out,
            );
        }
        out.write(ex).await?;
        summaries::add(ex, &out.summed()).await?;
    }
    Ok(())
}

/// Takes the items' report facts away: their shares out of the summaries, then their shares and cells. For a
/// caller about to delete what the facts were built from (flows, an item's parts); the facts are rebuilt by
/// [`refresh_items`] afterwards, in the same transaction.
pub async fn clear_items(ex: &mut impl Exec, items: &[AidItemId]) -> Result<(), StoreError> {
    let ids: Vec<i64> = items.iter().map(|i| i.0).collect();
    for batch in ids.chunks(crate::bulk::PARAMETERS_PER_STATEMENT) {
        let list = (1..=batch.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        clear_listed(ex, &list, batch).await?;
    }
    Ok(())
}

/// [`clear_items`] for the items bound as `list` (`$1, $2, …`).
async fn clear_listed(ex: &mut impl Exec, list: &str, batch: &[i64]) -> Result<(), StoreError> {
    let stmt = |sql: String| batch.iter().fold(Stmt::new(sql), |s, id| s.bind(*id));
    summaries::subtract(ex, &format!("item_id IN ({list})"), batch).await?;
    ex.execute(stmt(format!("DELETE FROM flow_share WHERE item_id IN ({list})"))).await?;
    ex.execute(stmt(format!("DELETE FROM item_cell WHERE item_id IN ({list})"))).await?;
    Ok(())
}

/// Rows grouped by item, keeping their order.
fn by_item<T>(rows: Vec<T>, key: impl Fn(&T) -> i64) -> HashMap<i64, Vec<T>> {
    let mut out: HashMap<i64, Vec<T>> = HashMap::new();
    for r in rows {
        out.entry(key(&r)).or_default().push(r);
    }
    out
}

/// Adds the cells and shares of one item to `out` (none when archived or without donors).
fn fact_rows(
    facts: &ItemFacts,
    locations: &[LocationFacts],
    sectors: &[SectorFacts],
    donors: &[DonorFacts],
    flows: &[FlowFacts],
    out: &mut Facts,
) {
    let item = facts.id;
    // An archived item has left the reports; an item without donors has no one to divide over.
    if facts.archived || donors.is_empty() {
        return;
    }

    let mut cells = Vec::new();
    let loc_idx: Vec<Option<usize>> =
        if locations.is_empty() { vec![None] } else { (0..locations.len()).map(Some).collect() };
    let sec_idx: Vec<Option<usize>> =
        if sectors.is_empty() { vec![None] } else { (0..sectors.len()).map(Some).collect() };
    for l in &loc_idx {
        for s in &sec_idx {
            for d in 0..donors.len() {
                cells.push(Cell { location: *l, sector: *s, donor: d });
            }
        }
    }
    let kind = report_kind(&facts.kind, facts.supplements_item_id);
    let first_cell = out.cells.len();
    for (i, c) in cells.iter().enumerate() {
        let loc = c.location.map(|i| &locations[i]);
        let sec = c.sector.map(|i| &sectors[i]);
        let don = &donors[c.donor];
        out.cells.push(CellRow {
            item_id: item,
            cell: i64::try_from(i).unwrap_or(i64::MAX),
            province: loc.map(|l| l.current_province_code.clone()),
            province_recorded: loc.map(|l| l.recorded_province_code.clone()),
            region: loc.and_then(|l| region_of(&l.current_province_code)),
            commune: loc.and_then(|l| l.current_commune_code.clone()),
            commune_recorded: loc.and_then(|l| l.recorded_commune_code.clone()),
            sector: sec.map(|s| s.sector_code.clone()),
            sector_category: sec.and_then(|s| sector_category(&s.sector_code)),
            donor_id: don.organisation_id,
            donor_kind: don.kind.clone(),
            donor_country: don.country_code.clone(),
            item_kind: kind.clone(),
            approval_level: facts.approval_level.clone(),
            approval_date: facts.approval_decision_date,
        });
    }

    let loc_shares: Vec<Share> = locations.iter().map(|l| share(l.share_bp)).collect();
    let sec_shares: Vec<Share> = sectors.iter().map(|s| share(s.share_bp)).collect();
    let don_shares: Vec<Share> = donors.iter().map(|d| share(d.share_bp)).collect();
    for f in flows {
        let amounts = divide(f.amount_minor, &cells, &loc_shares, &sec_shares, &don_shares);
        let usd = divide(f.usd_minor, &cells, &loc_shares, &sec_shares, &don_shares);
        let vnd = divide(f.vnd_minor, &cells, &loc_shares, &sec_shares, &don_shares);
        let flow = out.flows.len();
        out.flows.push(FlowPart {
            flow_id: f.id,
            item_id: item,
            kind: f.kind.clone(),
            flow_date: f.flow_date,
            year: i64::from(f.flow_date.year()),
            half: if f.flow_date.month() <= 6 { 1 } else { 2 },
            currency: f.currency.clone(),
        });
        for i in 0..cells.len() {
            out.shares.push(SharePart {
                flow,
                cell: first_cell + i,
                amount_minor: amounts[i],
                usd_minor: usd[i],
                vnd_minor: vnd[i],
            });
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn dividing_over_cells_keeps_the_total_exact() {
        let locations = [Share::from_basis_points(3333).unwrap(), Share::from_basis_points(6667).unwrap()];
        let sectors = [Share::from_basis_points(5000).unwrap(), Share::from_basis_points(5000).unwrap()];
        let donors = [Share::WHOLE];
        let mut cells = Vec::new();
        for l in 0..2 {
            for s in 0..2 {
                cells.push(Cell { location: Some(l), sector: Some(s), donor: 0 });
            }
        }
        let parts = divide(100_001, &cells, &locations, &sectors, &donors);
        assert_eq!(parts.iter().sum::<i64>(), 100_001);
    }

    /// Every fact row as one line, in a stable order.
    async fn fact_lines(db: &mut crate::Db) -> Vec<String> {
        #[derive(sqlx::FromRow)]
        struct Line {
            line: String,
        }
        let cells: Vec<Line> = db
            .fetch_all(Stmt::new(
                "SELECT 'cell|' || item_id || '|' || cell || '|' || COALESCE(province, '-') || '|' || \
                 COALESCE(province_recorded, '-') || '|' || COALESCE(region, '-') || '|' || COALESCE(commune, '-') || '|' || \
                 COALESCE(commune_recorded, '-') || '|' || COALESCE(sector, '-') || '|' || COALESCE(sector_category, '-') || \
                 '|' || donor_id || '|' || donor_kind || '|' || COALESCE(donor_country, '-') || '|' || item_kind || '|' || \
                 COALESCE(approval_level, '-') || '|' || COALESCE(approval_date, '-') AS line \
                 FROM item_cell ORDER BY item_id, cell",
            ))
            .await
            .unwrap();
        let shares: Vec<Line> = db
            .fetch_all(Stmt::new(
                "SELECT 'share|' || flow_id || '|' || cell || '|' || item_id || '|' || kind || '|' || flow_date || '|' || \
                 year || '|' || half || '|' || COALESCE(province, '-') || '|' || COALESCE(province_recorded, '-') || '|' || \
                 COALESCE(region, '-') || '|' || COALESCE(commune, '-') || '|' || COALESCE(commune_recorded, '-') || '|' || \
                 COALESCE(sector, '-') || '|' || COALESCE(sector_category, '-') || '|' || donor_id || '|' || donor_kind || \
                 '|' || COALESCE(donor_country, '-') || '|' || item_kind || '|' || COALESCE(approval_level, '-') || '|' || \
                 currency || '|' || amount_minor || '|' || usd_minor || '|' || vnd_minor AS line \
                 FROM flow_share ORDER BY flow_id, cell",
            ))
            .await
            .unwrap();
        cells.into_iter().chain(shares).map(|l| l.line).collect()
    }

    #[tokio::test]
    async fn refreshing_many_items_at_once_writes_the_rows_of_refreshing_each() {
        let mut db = crate::Db::connect("sqlite::memory:").await.unwrap();
        db.migrate().await.unwrap();
        let now = crate::now();
        for (id, kind, country) in
            [(1, "foreign_ngo", Some("US")), (2, "foreign_agency", None), (3, "individual", Some("JP"))]
        {
            db.execute(
                Stmt::new(
                    "INSERT INTO organisation (id, kind, name, country_code, name_key, search_text, sort_key, created_at, \
                     updated_at) VALUES ($1, $2, $3, $4, $3, $3, $3, $5, $5)",
                )
                .bind(id)
                .bind(kind)
                .bind(format!("org {id}"))
                .bind(country)
                .bind(now),
            )
            .await
            .unwrap();
        }
        // Item 1: two locations, three sectors, two donors. Item 2: a supplementary project without location or
        // sector. Item 3: no donor, so no facts.
        for (id, kind, supplements, level) in [
            (1_i64, "project", None, Some("province")),
            (2, "project", Some(1_i64), None),
            (3, "non_project", None, Some("prime_minister")),
        ] {
            db.execute(
                Stmt::new(
                    "INSERT INTO aid_item (id, title, kind, supplements_item_id, status, approval_level, \
                     approval_decision_date, search_text, created_at, updated_at) \
                     VALUES ($1, 'item', $2, $3, 'implementing', $4, $5, 'item', $6, $6)",
                )
                .bind(id)
                .bind(kind)
                .bind(supplements)
                .bind(level)
                .bind(NaiveDate::from_ymd_opt(2019, 3, 4))
                .bind(now),
            )
            .await
            .unwrap();
        }
        for (item, position, recorded, current, commune, share_bp) in
            [(1_i64, 0_i64, "06", "19", Some("02176"), 3333_i64), (1, 1, "01", "01", None, 6667)]
        {
            db.execute(
                Stmt::new(
                    "INSERT INTO aid_item_location (item_id, position, recorded_unit_set, recorded_province_code, \
                     recorded_commune_code, current_province_code, current_commune_code, share_bp) \
                     VALUES ($1, $2, 'pre2025', $3, $4, $5, $4, $6)",
                )
                .bind(item)
                .bind(position)
                .bind(recorded)
                .bind(commune)
                .bind(current)
                .bind(share_bp),
            )
            .await
            .unwrap();
        }
        for (item, sector, share_bp) in [(1_i64, "12220", 5000_i64), (1, "11110", 3000), (1, "vn:health", 2000)] {
            db.execute(
                Stmt::new("INSERT INTO aid_item_sector (item_id, sector_code, share_bp) VALUES ($1, $2, $3)")
                    .bind(item)
                    .bind(sector)
                    .bind(share_bp),
            )
            .await
            .unwrap();
        }
        for (item, org, share_bp) in [(1_i64, 2_i64, 4000_i64), (1, 1, 6000), (2, 3, 10000)] {
            db.execute(
                Stmt::new("INSERT INTO aid_item_donor (item_id, organisation_id, share_bp) VALUES ($1, $2, $3)")
                    .bind(item)
                    .bind(org)
                    .bind(share_bp),
            )
            .await
            .unwrap();
        }
        for (item, kind, stage, date, amount) in [
            (1_i64, "commitment", "actual", (2019, 3, 4), 100_001_i64),
            (1, "disbursement", "actual", (2019, 9, 1), 33_337),
            (1, "disbursement", "planned", (2020, 1, 1), 50_000),
            (2, "commitment", "actual", (2021, 2, 3), 7),
            (3, "commitment", "actual", (2021, 2, 3), 900),
        ] {
            db.execute(
                Stmt::new(
                    "INSERT INTO flow (item_id, kind, stage, flow_date, amount_minor, currency, usd_minor, vnd_minor, \
                     currency_per_usd, vnd_per_usd, rate_date, rate_source, created_at) \
                     VALUES ($1, $2, $3, $4, $5, 'EUR', $6, $7, '0.9', '23000', $4, 'entered', $8)",
                )
                .bind(item)
                .bind(kind)
                .bind(stage)
                .bind(NaiveDate::from_ymd_opt(date.0, date.1, date.2))
                .bind(amount)
                .bind(amount * 10 / 9)
                .bind(amount * 2300 / 9)
                .bind(now),
            )
            .await
            .unwrap();
        }
        let ids = [AidItemId(1), AidItemId(2), AidItemId(3)];
        for id in ids {
            refresh_item(&mut db, id).await.unwrap();
        }
        let one_by_one = fact_lines(&mut db).await;
        assert_eq!(one_by_one.iter().filter(|l| l.starts_with("cell|1|")).count(), 12);
        assert!(one_by_one.iter().any(|l| l.starts_with("cell|2|") && l.contains("|supplementary|")));
        clear_items(&mut db, &ids).await.unwrap();
        assert!(fact_lines(&mut db).await.is_empty());
        refresh_items(&mut db, &[AidItemId(3), AidItemId(1), AidItemId(2), AidItemId(1)]).await.unwrap();
        assert_eq!(fact_lines(&mut db).await, one_by_one);
        // Refreshing again replaces the rows rather than adding to them.
        refresh_items(&mut db, &ids).await.unwrap();
        assert_eq!(fact_lines(&mut db).await, one_by_one);
        assert!(matches!(refresh_items(&mut db, &[AidItemId(99)]).await, Err(StoreError::NotFound(_))));
    }

    #[test]
    fn a_project_that_adds_to_another_is_supplementary() {
        assert_eq!(report_kind("project", Some(3)), "supplementary");
        assert_eq!(report_kind("non_project", None), "non_project");
    }
}
