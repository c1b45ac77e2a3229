//! The report benchmark: deterministic synthetic aid data at national scale, and the time every report the
//! product offers takes on it.
//!
//! This module owns the generator ([`generate`]: organisations, certificates, registrations, aid items with
//! locations, sectors, donors, status history and flows, written with multi-row INSERTs, then the report facts
//! through `facts::refresh_items`), the report catalogue and its timing ([`time_reports`]), and the Markdown
//! the README quotes ([`render_timings`]). It is for measurement only: the data it writes is invented (every
//! record is marked illustrative, every rate is a round illustrative number), it bypasses the use cases'
//! validation and audit log, and it must never run against a database anyone keeps records in.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use chrono::{Datelike, Days, NaiveDate};
use rust_decimal::Decimal;
use vientro_domain::admin_units::{AdminUnits, REFORM_DATE, UnitSet};
use vientro_domain::country::CountryCode;
use vientro_domain::fx::{self, ExchangeRate, RatePeriod, RateSource, RateTable};
use vientro_domain::ids::AidItemId;
use vientro_domain::money::{CurrencyCode, Money};
use vientro_domain::report::{Dimension, Filter, Measure, Period, ReportQuery};
use vientro_domain::sector::{SectorRef, VnSector, dac_sectors};
use vientro_domain::text;
use vientro_store::db::{Scalar, Value};
use vientro_store::{Backend, Db, Exec, Stmt, Tx};

use crate::briefing::BriefingLang;
use crate::{ServiceError, Services};

/// How much data to generate and how often to time each report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchConfig {
    /// Aid items.
    pub items: usize,
    /// Flows per item (commitments first, then disbursements).
    pub flows_per_item: usize,
    /// Donor organisations.
    pub organisations: usize,
    /// Seed of the generator: the same seed and sizes give the same data.
    pub seed: u64,
    /// Timed runs of each report (after one warm-up run).
    pub runs: usize,
}

impl Default for BenchConfig {
    /// The national scale of the issue: 1,000,000 items with 10,000,000 flows, 2,000 organisations.
    fn default() -> Self {
        Self { items: 1_000_000, flows_per_item: 10, organisations: 2_000, seed: 20_261_126, runs: 5 }
    }
}

/// What [`generate`] wrote and how long it took.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GenerateStats {
    /// Organisations.
    pub organisations: usize,
    /// Certificates of foreign NGOs.
    pub certificates: usize,
    /// Registrations of organisations in provinces.
    pub registrations: usize,
    /// Aid items.
    pub items: usize,
    /// Item locations.
    pub locations: usize,
    /// Status history rows.
    pub status_changes: usize,
    /// Flows (planned and actual).
    pub flows: usize,
    /// Actual flows (the ones reports count).
    pub actual_flows: usize,
    /// `item_cell` rows.
    pub item_cells: usize,
    /// `flow_share` rows.
    pub flow_shares: usize,
    /// Seconds spent writing base records.
    pub base_seconds: f64,
    /// Seconds spent building report facts.
    pub facts_seconds: f64,
    /// Wall-clock seconds of the whole generation.
    pub total_seconds: f64,
}

/// The time one report took.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    /// Short name of the report.
    pub name: String,
    /// What it asks, in words.
    pub description: String,
    /// Rows (or paragraphs, or provinces) it returned.
    pub rows: usize,
    /// Median of the timed runs, in milliseconds.
    pub median_ms: f64,
    /// 90th percentile (nearest rank), in milliseconds.
    pub p90_ms: f64,
    /// Slowest run, in milliseconds.
    pub max_ms: f64,
    /// Why the report failed, if it did (it is then not timed, and the other reports still are).
    pub error: Option<String>,
}

/// The goal: every report answers within this median.
pub const TARGET_MS: f64 = 100.0;

// Items written per transaction; each transaction also builds the facts of its items, as the product does.
const ITEMS_PER_TRANSACTION: usize = 5_000;
// Bound values per statement: under SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_PARAMETERS: usize = 30_000;
// Flows dated after this are planned (not yet received); items run until after it are still going.
const DATA_AS_OF: NaiveDate = ymd(2026, 10, 31);
const FIRST_APPROVAL: NaiveDate = ymd(2005, 1, 1);
const LAST_APPROVAL: NaiveDate = ymd(2026, 6, 30);
const ACTOR: &str = "bench";

const fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => date,
        None => panic!("a valid constant date"),
    }
}

fn internal(message: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal(anyhow::anyhow!("bench: {message}"))
}

/// splitmix64: small, fast and good enough to spread invented data; one stream per record.
struct Rng(u64);

impl Rng {
    fn for_record(seed: u64, stream: u64, index: usize) -> Self {
        let mut r =
            Rng(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F) ^ (index as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// 0 ≤ n < `bound` (0 when `bound` is 0).
    fn below(&mut self, bound: usize) -> usize {
        if bound == 0 { 0 } else { (self.next() % bound as u64) as usize }
    }

    fn percent(&mut self) -> usize {
        self.below(100)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1_u64 << 53) as f64
    }

    /// An index below `bound`, small ones much more likely (a few big donors, a long tail).
    fn skewed(&mut self, bound: usize) -> usize {
        let u = self.unit();
        ((u * u * bound as f64) as usize).min(bound.saturating_sub(1))
    }

    /// `n` distinct indices below `bound` (fewer when `bound` is smaller), skewed or uniform.
    fn distinct(&mut self, n: usize, bound: usize, skewed: bool) -> Vec<usize> {
        let mut out: Vec<usize> = Vec::with_capacity(n);
        let mut tries = 0;
        while out.len() < n.min(bound) && tries < 64 {
            let i = if skewed { self.skewed(bound) } else { self.below(bound) };
            if !out.contains(&i) {
                out.push(i);
            }
            tries += 1;
        }
        out
    }
}

fn add_days(d: NaiveDate, n: usize) -> NaiveDate {
    d.checked_add_days(Days::new(n as u64)).unwrap_or(d)
}

struct OldCommune {
    code: String,
    district: Option<String>,
    current: Option<String>,
}

struct OldProvince {
    code: String,
    current: String,
    communes: Vec<OldCommune>,
}

struct NewProvince {
    code: String,
    communes: Vec<String>,
}

/// The fixed vocabulary the generator draws from: provinces and communes old and new, sectors, countries, rates.
struct World {
    old: Vec<OldProvince>,
    new: Vec<NewProvince>,
    sectors: Vec<String>,
    countries: Vec<&'static str>,
    rates: RateTable,
    entered: Vec<ExchangeRate>,
}

const COUNTRIES: [&str; 40] = [
    "US", "GB", "DE", "FR", "JP", "KR", "AU", "CA", "NL", "BE", "CH", "SE", "NO", "DK", "FI", "IT", "ES", "IE", "NZ",
    "SG", "AT", "LU", "CZ", "PL", "HU", "RU", "CN", "TW", "TH", "IN", "IL", "IS", "PT", "GR", "SK", "HK", "MY", "PH",
    "ZA", "BR",
];
// Sectors drawn from: DAC purpose codes (the first ones of the codelist still in use) and the national list.
const DAC_SECTORS: usize = 288;
const YEARS: std::ops::RangeInclusive<i32> = 2004..=2032;

fn illustrative_rate(currency: CurrencyCode, year: i32) -> Decimal {
    let step = i64::from(year - 2005);
    if currency == CurrencyCode::VND {
        Decimal::from(16_000 + 350 * step)
    } else {
        Decimal::new(80 + step.rem_euclid(15), 2)
    }
}

impl World {
    fn build() -> Result<Self, ServiceError> {
        let units = AdminUnits::embedded();
        let old = units
            .provinces(UnitSet::Pre2025)
            .iter()
            .map(|p| OldProvince {
                code: p.code.as_str().to_owned(),
                current: units.current_province_code(&p.code, UnitSet::Pre2025).as_str().to_owned(),
                communes: units
                    .communes_of_province(&p.code, UnitSet::Pre2025)
                    .into_iter()
                    .map(|c| OldCommune {
                        code: c.code.as_str().to_owned(),
                        district: c.district_code.as_ref().map(|d| d.as_str().to_owned()),
                        current: units
                            .resolve_commune(&c.code, None)
                            .ok()
                            .map(|r| r.new_commune_code.as_str().to_owned()),
                    })
                    .collect(),
            })
            .collect::<Vec<_>>();
        let new = units
            .provinces(UnitSet::From2025)
            .iter()
            .map(|p| NewProvince {
                code: p.code.as_str().to_owned(),
                communes: units
                    .communes_of_province(&p.code, UnitSet::From2025)
                    .into_iter()
                    .map(|c| c.code.as_str().to_owned())
                    .collect(),
            })
            .collect::<Vec<_>>();
        let mut sectors: Vec<String> = dac_sectors()
            .iter()
            .filter(|s| !s.withdrawn)
            .map(|s| SectorRef::Dac(s.code).code())
            .take(DAC_SECTORS)
            .collect();
        sectors.extend(VnSector::all().iter().map(|s| SectorRef::Vn(*s).code()));
        let countries: Vec<&'static str> =
            COUNTRIES.iter().filter_map(|c| CountryCode::parse(c).ok().map(CountryCode::as_str)).collect();
        if old.is_empty() || new.is_empty() || sectors.is_empty() || countries.is_empty() {
            return Err(internal("the embedded reference data is empty"));
        }
        let mut rates = RateTable::default();
        let mut entered = Vec::new();
        for currency in [CurrencyCode::VND, CurrencyCode::EUR] {
            for year in YEARS {
                let rate = ExchangeRate::new(
                    currency,
                    RatePeriod::Year(year),
                    illustrative_rate(currency, year),
                    RateSource::Entered,
                )
                .map_err(|e| internal(e.message))?;
                rates.insert(rate);
                entered.push(rate);
            }
        }
        Ok(Self { old, new, sectors, countries, rates, entered })
    }
}

/// Rows for one table, written with as many rows per statement as the parameter budget allows.
struct Rows {
    table: &'static str,
    columns: &'static str,
    rows: Vec<Vec<Value>>,
}

impl Rows {
    fn new(table: &'static str, columns: &'static str) -> Self {
        Self { table, columns, rows: Vec::new() }
    }

    fn push(&mut self, row: Vec<Value>) {
        self.rows.push(row);
    }

    async fn write(&mut self, ex: &mut impl Exec, conflict: &str) -> Result<(), ServiceError> {
        let width = self.columns.split(',').count();
        let per_statement = (MAX_PARAMETERS / width).max(1);
        let columns = self.columns;
        // SQLite finds a numbered parameter ($N) by a linear scan of the statement's names, so binding
        // thousands of them takes quadratic time; anonymous `?` are bound in order by SQLite and sqlx.
        let anonymous = ex.backend() == Backend::Sqlite;
        let mut rows = std::mem::take(&mut self.rows).into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Vec<Value>> = rows.by_ref().take(per_statement).collect();
            let mut sql = String::with_capacity(64 + chunk.len() * width * 7);
            let _ = write!(sql, "INSERT INTO {} ({columns}) VALUES ", self.table);
            let mut n = 0;
            for r in 0..chunk.len() {
                sql.push_str(if r == 0 { "(" } else { ", (" });
                for c in 0..width {
                    n += 1;
                    sql.push_str(if c == 0 { "" } else { ", " });
                    if anonymous {
                        sql.push('?');
                    } else {
                        let _ = write!(sql, "${n}");
                    }
                }
                sql.push(')');
            }
            sql.push_str(conflict);
            let mut stmt = Stmt::new(sql);
            for row in chunk {
                for v in row {
                    stmt = stmt.bind(v);
                }
            }
            ex.execute(stmt).await?;
        }
        Ok(())
    }
}

fn text_value(s: impl Into<String>) -> Value {
    Value::from(s.into())
}

fn int(n: usize) -> Value {
    Value::from(i64::try_from(n).unwrap_or(i64::MAX))
}

/// The largest id in use in a table (0 when empty), so generated ids never collide.
async fn max_id(db: &Db, table: &str) -> Result<i64, ServiceError> {
    let rows: Vec<Scalar> = db
        .clone()
        .fetch_all(Stmt::new(format!("SELECT CAST(COALESCE(MAX(id), 0) AS BIGINT) AS n FROM {table}")))
        .await?;
    Ok(rows.first().map(|r| r.0).unwrap_or(0))
}

const ORG_KINDS: [(&str, usize); 4] =
    [("foreign_ngo", 85), ("foreign_agency", 6), ("international_org", 4), ("individual", 5)];

/// Organisations, their certificates (foreign NGOs) and registrations in provinces.
async fn generate_organisations(
    tx: &mut Tx,
    world: &World,
    cfg: &BenchConfig,
    first_id: i64,
    first_certificate: i64,
    stats: &mut GenerateStats,
) -> Result<(), ServiceError> {
    let now = vientro_store::now();
    let units = AdminUnits::embedded();
    let mut orgs = Rows::new(
        "organisation",
        "id, kind, name, country_code, name_key, search_text, sort_key, \
            illustrative, version, created_at, updated_at",
    );
    let mut certs = Rows::new(
        "certificate",
        "id, organisation_id, kind, number, legal_basis, issued_on, valid_from, \
            valid_to, status, illustrative, version, created_at, updated_at",
    );
    let mut cert_provinces = Rows::new("certificate_province", "certificate_id, province_code, unit_set");
    let mut cert_sectors = Rows::new("certificate_sector", "certificate_id, sector_code");
    let mut registrations = Rows::new(
        "province_registration",
        "organisation_id, province_code, current_province_code, region, year, \
            registered_on, illustrative, created_at",
    );
    let mut certificate_id = first_certificate;
    for i in 0..cfg.organisations {
        let mut rng = Rng::for_record(cfg.seed, 1, i);
        let id = first_id + i64::try_from(i).unwrap_or(i64::MAX);
        let mut roll = rng.percent();
        let mut kind = ORG_KINDS[0].0;
        for (k, weight) in ORG_KINDS {
            if roll < weight {
                kind = k;
                break;
            }
            roll -= weight;
        }
        let name = format!("Bench {} {:05}", kind.replace('_', " "), i + 1);
        let folded = text::fold(&name);
        orgs.push(vec![
            Value::from(id),
            text_value(kind),
            text_value(name),
            text_value(world.countries[rng.skewed(world.countries.len())]),
            text_value(folded.clone()),
            text_value(folded.clone()),
            text_value(folded),
            Value::from(true),
            Value::from(1_i64),
            Value::from(now),
            Value::from(now),
        ]);
        stats.organisations += 1;

        // Registrations: one to three provinces over a few consecutive years, on the map of each year.
        let mut registered = HashSet::new();
        let n = 1 + rng.below(3);
        for p in rng.distinct(n, world.old.len(), false) {
            let province = &world.old[p];
            let first_year = 2008 + i32::try_from(rng.below(19)).unwrap_or(0);
            let last_year = (first_year + i32::try_from(rng.below(5)).unwrap_or(0)).min(2026);
            for year in first_year..=last_year {
                let code = if year >= REFORM_DATE.year() { &province.current } else { &province.code };
                // Two old provinces can be one province today: register there once a year.
                if !registered.insert((code.clone(), year)) {
                    continue;
                }
                let region = vientro_domain::admin_units::ProvinceCode::parse(&province.current)
                    .ok()
                    .and_then(|c| units.new_province(&c).map(|p| p.region.code()))
                    .unwrap_or("unknown");
                registrations.push(vec![
                    Value::from(id),
                    text_value(code.as_str()),
                    text_value(province.current.as_str()),
                    text_value(region),
                    Value::from(i64::from(year)),
                    Value::from(NaiveDate::from_ymd_opt(year, 1 + u32::try_from(rng.below(12)).unwrap_or(0), 15)),
                    Value::from(true),
                    Value::from(now),
                ]);
                stats.registrations += 1;
            }
        }

        // Certificates: foreign NGOs hold one or two, five years each.
        if kind != "foreign_ngo" {
            continue;
        }
        for n in 0..(1 + usize::from(rng.percent() < 20)) {
            certificate_id += 1;
            let issued = add_days(ymd(2008, 1, 1), rng.below(6_750));
            let valid_to = add_days(issued, 5 * 365);
            let kind = match rng.percent() {
                0..60 => "operation",
                60..75 => "representative_office",
                _ => "project_office",
            };
            let status = match (valid_to < DATA_AS_OF, rng.percent()) {
                (true, 0..90) => "expired",
                (true, _) => "terminated",
                (false, 0..95) => "active",
                (false, _) => "suspended",
            };
            certs.push(vec![
                Value::from(certificate_id),
                Value::from(id),
                text_value(kind),
                text_value(format!("{id}-{n}/BENCH")),
                text_value(if issued < ymd(2022, 8, 1) { "nd12_2012" } else { "nd58_2022" }),
                Value::from(issued),
                Value::from(issued),
                Value::from(valid_to),
                text_value(status),
                Value::from(true),
                Value::from(1_i64),
                Value::from(now),
                Value::from(now),
            ]);
            stats.certificates += 1;
            let mut codes = HashSet::new();
            let n = 1 + rng.below(3);
            for p in rng.distinct(n, world.old.len(), false) {
                let (code, set) = if issued < REFORM_DATE {
                    (world.old[p].code.clone(), "pre2025")
                } else {
                    (world.old[p].current.clone(), "from2025")
                };
                if codes.insert(code.clone()) {
                    cert_provinces.push(vec![Value::from(certificate_id), text_value(code), text_value(set)]);
                }
            }
            let n = 1 + rng.below(2);
            for s in rng.distinct(n, world.sectors.len(), true) {
                cert_sectors.push(vec![Value::from(certificate_id), text_value(world.sectors[s].as_str())]);
            }
        }
    }
    orgs.write(tx, "").await?;
    certs.write(tx, "").await?;
    cert_provinces.write(tx, "").await?;
    cert_sectors.write(tx, "").await?;
    registrations.write(tx, "").await?;

    let mut rates =
        Rows::new("exchange_rate", "currency, period_kind, period_start, units_per_usd, source, note, created_at");
    for r in &world.entered {
        rates.push(vec![
            text_value(r.currency.as_str()),
            text_value("year"),
            Value::from(r.period.start()),
            text_value(r.units_per_usd.to_string()),
            text_value(r.source.as_str()),
            text_value("bench: illustrative round rate"),
            Value::from(now),
        ]);
    }
    rates.write(tx, " ON CONFLICT DO NOTHING").await
}

/// The base records of a batch of items, table by table.
struct ItemRows {
    items: Rows,
    donors: Rows,
    sectors: Rows,
    locations: Rows,
    status: Rows,
    flows: Rows,
}

impl ItemRows {
    fn new() -> Self {
        Self {
            items: Rows::new(
                "aid_item",
                "id, code, title, kind, supplements_item_id, status, legal_basis, \
                    approval_decision_number, approval_decision_date, approval_level, \
                    start_date, end_date, search_text, illustrative, published, version, \
                    created_at, updated_at",
            ),
            donors: Rows::new("aid_item_donor", "item_id, organisation_id, share_bp"),
            sectors: Rows::new("aid_item_sector", "item_id, sector_code, share_bp"),
            locations: Rows::new(
                "aid_item_location",
                "item_id, position, recorded_unit_set, recorded_province_code, \
                    recorded_district_code, recorded_commune_code, current_province_code, \
                    current_commune_code, commune_override, share_bp",
            ),
            status: Rows::new(
                "aid_item_status_change",
                "item_id, from_status, to_status, changed_on, actor, note, recorded_at",
            ),
            flows: Rows::new(
                "flow",
                "item_id, kind, stage, flow_date, amount_minor, currency, usd_minor, \
                    vnd_minor, currency_per_usd, vnd_per_usd, rate_date, rate_source, \
                    created_at",
            ),
        }
    }

    async fn write(&mut self, tx: &mut Tx) -> Result<(), ServiceError> {
        self.items.write(tx, "").await?;
        self.donors.write(tx, "").await?;
        self.sectors.write(tx, "").await?;
        self.locations.write(tx, "").await?;
        self.status.write(tx, "").await?;
        self.flows.write(tx, "").await
    }
}

/// Splits `total` by weights; the parts add up to `total`.
fn split(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i64 = weights.iter().sum::<i64>().max(1);
    let mut parts: Vec<i64> = weights.iter().map(|w| total * w / sum).collect();
    let given: i64 = parts.iter().sum();
    if let Some(last) = parts.last_mut() {
        *last += total - given;
    }
    parts
}

const SHARES: [&[i64]; 3] = [&[10_000], &[6_000, 4_000], &[5_000, 3_000, 2_000]];

/// Adds the base records of the item at `index` (id `id`) to `out`.
#[allow(clippy::too_many_arguments)]
fn generate_item(
    world: &World,
    cfg: &BenchConfig,
    index: usize,
    id: i64,
    first_item: i64,
    first_org: i64,
    now: chrono::DateTime<chrono::Utc>,
    out: &mut ItemRows,
    stats: &mut GenerateStats,
) -> Result<(), ServiceError> {
    let mut rng = Rng::for_record(cfg.seed, 2, index);
    let span = usize::try_from((LAST_APPROVAL - FIRST_APPROVAL).num_days()).unwrap_or(0);
    let approved = add_days(FIRST_APPROVAL, rng.below(span + 1));
    let (kind, supplements) = match rng.percent() {
        0..50 => ("project", None),
        50..60 if index > 0 => ("project", Some(id - 1 - i64::try_from(rng.below(index.min(1_000))).unwrap_or(0))),
        50..60 => ("project", None),
        60..90 => ("non_project", None),
        90..95 => ("programme", None),
        _ => ("emergency", None),
    };
    let start = add_days(approved, rng.below(60));
    let days = if matches!(kind, "project" | "programme") { 365 + rng.below(4 * 365) } else { 30 + rng.below(335) };
    let end = add_days(start, days);
    let status = if end < DATA_AS_OF {
        if rng.percent() < 92 { "completed" } else { "terminated_early" }
    } else {
        match rng.percent() {
            0..85 => "implementing",
            85..90 => "approved",
            90..95 => "suspended",
            _ => "amendment_pending",
        }
    };
    let level = match rng.percent() {
        0..80 => "province",
        80..95 => "central_ministry",
        _ => "prime_minister",
    };
    let legal_basis = if approved < ymd(2020, 9, 1) {
        "nd93_2009"
    } else if approved < ymd(2025, 12, 1) {
        "nd80_2020"
    } else {
        "nd313_2025"
    };
    let title = format!("Khoản viện trợ thử nghiệm số {}", index + 1);
    out.items.push(vec![
        Value::from(id),
        text_value(format!("BENCH-{:07}", id - first_item + 1)),
        text_value(title.as_str()),
        text_value(kind),
        Value::from(supplements),
        text_value(status),
        text_value(legal_basis),
        text_value(format!("{}/QĐ-UBND", 100 + rng.below(9_000))),
        Value::from(approved),
        text_value(level),
        Value::from(start),
        Value::from(end),
        text_value(text::fold(&title)),
        Value::from(true),
        Value::from(false),
        Value::from(1_i64),
        Value::from(now),
        Value::from(now),
    ]);
    stats.items += 1;

    // Status history: active from approval, then (for finished or paused items) the change that ended it.
    let first = if status == "approved" { "approved" } else { "implementing" };
    out.status.push(vec![
        Value::from(id),
        Value::Text(None),
        text_value(first),
        Value::from(approved),
        text_value(ACTOR),
        Value::Text(None),
        Value::from(now),
    ]);
    stats.status_changes += 1;
    if status != first {
        let on = match status {
            "completed" => end,
            "terminated_early" => add_days(start, days / 2),
            _ => add_days(start, rng.below(usize::try_from((DATA_AS_OF - start).num_days()).unwrap_or(0) + 1)),
        };
        out.status.push(vec![
            Value::from(id),
            text_value(first),
            text_value(status),
            Value::from(on.min(DATA_AS_OF)),
            text_value(ACTOR),
            Value::Text(None),
            Value::from(now),
        ]);
        stats.status_changes += 1;
    }

    // Locations: on the map of the approval date; a commune for about half.
    let n_locations = if rng.percent() < 85 { 1 } else { 2 };
    let pre_reform = approved < REFORM_DATE;
    let bound = if pre_reform { world.old.len() } else { world.new.len() };
    let location_picks = rng.distinct(n_locations, bound, false);
    let location_shares: &[i64] = if location_picks.len() == 1 { &[10_000] } else { &[5_000, 5_000] };
    for (position, p) in location_picks.iter().copied().enumerate() {
        let share = location_shares.get(position).copied().unwrap_or(0);
        let with_commune = rng.percent() < 50;
        let (set, recorded, current, district, commune, current_commune) = if pre_reform {
            let province = &world.old[p];
            let commune = if with_commune && !province.communes.is_empty() {
                Some(&province.communes[rng.below(province.communes.len())])
            } else {
                None
            };
            (
                UnitSet::Pre2025,
                province.code.as_str(),
                province.current.as_str(),
                commune.and_then(|c| c.district.clone()),
                commune.map(|c| c.code.clone()),
                commune.and_then(|c| c.current.clone()),
            )
        } else {
            let province = &world.new[p];
            let commune = if with_commune && !province.communes.is_empty() {
                Some(province.communes[rng.below(province.communes.len())].clone())
            } else {
                None
            };
            (UnitSet::From2025, province.code.as_str(), province.code.as_str(), None, commune.clone(), commune)
        };
        out.locations.push(vec![
            Value::from(id),
            int(position),
            text_value(set.as_str()),
            text_value(recorded),
            Value::from(district),
            Value::from(commune),
            text_value(current),
            Value::from(current_commune),
            Value::from(false),
            Value::from(share),
        ]);
        stats.locations += 1;
    }

    let n_sectors = match rng.percent() {
        0..50 => 1,
        50..85 => 2,
        _ => 3,
    };
    let sector_picks = rng.distinct(n_sectors, world.sectors.len(), true);
    let sector_shares = SHARES[sector_picks.len().clamp(1, 3) - 1];
    for (s, share) in sector_picks.iter().zip(sector_shares) {
        out.sectors.push(vec![Value::from(id), text_value(world.sectors[*s].as_str()), Value::from(*share)]);
    }
    let n_donors = if rng.percent() < 90 { 1 } else { 2 };
    let donor_picks = rng.distinct(n_donors, cfg.organisations, true);
    let donor_shares: &[i64] = if donor_picks.len() == 1 { &[10_000] } else { &[7_000, 3_000] };
    for (d, share) in donor_picks.iter().zip(donor_shares) {
        out.donors.push(vec![
            Value::from(id),
            Value::from(first_org + i64::try_from(*d).unwrap_or(0)),
            Value::from(*share),
        ]);
    }
    let cells = location_picks.len().max(1) * sector_picks.len().max(1) * donor_picks.len();
    if !donor_picks.is_empty() {
        stats.item_cells += cells;
    }

    // Flows: commitments first, then disbursements spread over the item's life; all in the item's currency.
    let currency = match rng.percent() {
        0..75 => CurrencyCode::USD,
        75..90 => CurrencyCode::VND,
        _ => CurrencyCode::EUR,
    };
    let n = cfg.flows_per_item;
    let commitments = if n == 0 { 0 } else { (n / 4).max(1) };
    let disbursements = n - commitments;
    // Committed value: log-uniform between 5,000 and 2,000,000 USD, expressed in the item's currency.
    let usd_cents = (500_000.0_f64.ln() + rng.unit() * (400.0_f64).ln()).exp();
    let per_usd = if currency == CurrencyCode::USD {
        1.0
    } else {
        illustrative_rate(currency, approved.year()).to_string().parse::<f64>().unwrap_or(1.0)
    };
    let minor_per_cent = if currency == CurrencyCode::VND { 0.01 } else { 1.0 };
    let total = (usd_cents * per_usd * minor_per_cent).round() as i64;
    let committed = split(total, &vec![1; commitments]);
    let disbursed_total = total * i64::try_from(60 + rng.below(41)).unwrap_or(100) / 100;
    let weights: Vec<i64> = (0..disbursements).map(|_| 1 + i64::try_from(rng.below(4)).unwrap_or(0)).collect();
    let disbursed = split(disbursed_total, &weights);
    let mut flows: Vec<(&str, NaiveDate, i64)> = Vec::with_capacity(n);
    for (k, amount) in committed.into_iter().enumerate() {
        flows.push(("commitment", add_days(approved, 90 * k).min(end), amount));
    }
    for (j, amount) in disbursed.into_iter().enumerate() {
        flows.push(("disbursement", add_days(start, days * (j + 1) / (disbursements + 1)), amount));
    }
    for (flow_kind, date, amount) in flows {
        let planned = date > DATA_AS_OF || (flow_kind == "disbursement" && rng.percent() < 2);
        let conversion = fx::convert(&Money::from_minor(amount, currency), date, &world.rates, None, None)
            .map_err(|e| internal(e.message))?;
        out.flows.push(vec![
            Value::from(id),
            text_value(flow_kind),
            text_value(if planned { "planned" } else { "actual" }),
            Value::from(date),
            Value::from(amount),
            text_value(currency.as_str()),
            Value::from(conversion.usd.0),
            Value::from(conversion.vnd.0),
            text_value(conversion.currency_per_usd.to_string()),
            text_value(conversion.vnd_per_usd.to_string()),
            Value::from(conversion.rate_date),
            text_value(conversion.source.as_str()),
            Value::from(now),
        ]);
        stats.flows += 1;
        if !planned {
            stats.actual_flows += 1;
            if !donor_picks.is_empty() {
                stats.flow_shares += cells;
            }
        }
    }
    Ok(())
}

/// Writes deterministic synthetic data of the configured size into `db` (which should be empty: ids follow
/// the largest ones present), then builds its report facts, reporting progress after each transaction.
pub async fn generate(
    db: &Db,
    cfg: &BenchConfig,
    mut progress: impl FnMut(&str),
) -> Result<GenerateStats, ServiceError> {
    if cfg.organisations == 0 {
        return Err(internal("at least one organisation is needed to fund the items"));
    }
    let started = Instant::now();
    let world = World::build()?;
    let mut stats = GenerateStats::default();
    let first_org = max_id(db, "organisation").await? + 1;
    let first_item = max_id(db, "aid_item").await? + 1;
    let first_certificate = max_id(db, "certificate").await? + 1;

    let mut tx = db.begin().await?;
    generate_organisations(&mut tx, &world, cfg, first_org, first_certificate - 1, &mut stats).await?;
    tx.commit().await?;
    progress(&format!(
        "{} organisations, {} certificates, {} registrations written",
        stats.organisations, stats.certificates, stats.registrations
    ));

    let now = vientro_store::now();
    let mut base = Duration::ZERO;
    let mut facts = Duration::ZERO;
    let mut index = 0;
    let mut batches: usize = 0;
    while index < cfg.items {
        let batch = ITEMS_PER_TRANSACTION.min(cfg.items - index);
        let t0 = Instant::now();
        let mut rows = ItemRows::new();
        let mut ids = Vec::with_capacity(batch);
        for i in index..index + batch {
            let id = first_item + i64::try_from(i).unwrap_or(i64::MAX);
            generate_item(&world, cfg, i, id, first_item, first_org, now, &mut rows, &mut stats)?;
            ids.push(AidItemId(id));
        }
        let mut tx = db.begin().await?;
        rows.write(&mut tx).await?;
        let t1 = Instant::now();
        vientro_store::facts::refresh_items(&mut tx, &ids).await?;
        tx.commit().await?;
        base += t1 - t0;
        facts += t1.elapsed();
        index += batch;
        batches += 1;
        // PostgreSQL plans the IN-list reads and deletes from statistics; without them (autovacuum may not
        // have run yet) it scans whole tables, and the load slows quadratically.
        if db.backend() == Backend::Postgres && batches.is_power_of_two() {
            db.clone().execute(Stmt::new("ANALYZE")).await?;
        }
        let elapsed = started.elapsed().as_secs_f64();
        progress(&format!(
            "{index}/{} items, {} flows, {} flow shares ({:.0} items/s; base {:.0} s, facts {:.0} s)",
            cfg.items,
            stats.flows,
            stats.flow_shares,
            index as f64 / elapsed.max(1e-9),
            base.as_secs_f64(),
            facts.as_secs_f64()
        ));
    }

    if db.backend() == Backend::Postgres {
        // Ids were given explicitly: move the identity sequences past them, and gather the statistics
        // autovacuum would gather within minutes of such a load.
        let mut ex = db.clone();
        for table in ["organisation", "aid_item", "certificate"] {
            ex.execute(Stmt::new(format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            )))
            .await?;
        }
        ex.execute(Stmt::new("ANALYZE")).await?;
    }
    stats.base_seconds = base.as_secs_f64();
    stats.facts_seconds = facts.as_secs_f64();
    stats.total_seconds = started.elapsed().as_secs_f64();
    Ok(stats)
}

/// One report of the catalogue.
enum Job {
    Report(ReportQuery),
    Rank(ReportQuery),
    Briefing { province: &'static str, from: i32, to: i32 },
}

struct Spec {
    name: &'static str,
    description: String,
    job: Job,
}

impl Spec {
    /// Runs the report once; the number of rows, provinces or paragraphs it gave.
    async fn run(&self, services: &Services) -> Result<usize, ServiceError> {
        Ok(match &self.job {
            Job::Report(q) => services.compute_report(q).await?.rows.len(),
            Job::Rank(q) => services.rank_provinces(q).await?.len(),
            Job::Briefing { province, from, to } => {
                services.briefing(province, *from, *to, BriefingLang::Vi).await?.paragraphs.len()
            }
        })
    }
}

/// Today's province the province reports filter on (two provinces merged into it in 2025).
const PROVINCE: &str = "Thái Nguyên";
/// A province that exists only on the old map (now part of Thái Nguyên).
const OLD_PROVINCE: &str = "Bắc Kạn";
const YEAR: i32 = 2021;
const AS_OF: NaiveDate = ymd(2024, 12, 31);

fn years(from: i32, to: i32) -> Period {
    Period { from: NaiveDate::from_ymd_opt(from, 1, 1), to: NaiveDate::from_ymd_opt(to, 12, 31) }
}

fn query(measures: &[Measure], by: &[Dimension], province: Option<&str>, period: Period) -> ReportQuery {
    ReportQuery {
        measures: measures.to_vec(),
        by: by.to_vec(),
        filters: province
            .map(|p| vec![Filter { dimension: Dimension::Province, values: vec![p.to_owned()] }])
            .unwrap_or_default(),
        period,
        as_of: None,
    }
}

fn stock(measures: &[Measure], by: &[Dimension], province: Option<&str>) -> ReportQuery {
    ReportQuery { as_of: Some(AS_OF), ..query(measures, by, province, Period { from: None, to: None }) }
}

/// Every report the product offers, with the questions officers ask most.
fn catalogue() -> Vec<Spec> {
    use Dimension as D;
    use Measure as M;
    let all_time = Period { from: None, to: None };
    let money = [M::CommittedUsd, M::DisbursedUsd, M::DisbursementRate];
    let spec = |name, description: String, job| Spec { name, description, job };
    vec![
        spec(
            "national_by_year",
            "committed, disbursed and rate by year, whole country, all time".into(),
            Job::Report(query(&money, &[D::Year], None, all_time)),
        ),
        spec(
            "provinces_in_year",
            format!("items, committed, disbursed by province, {YEAR}"),
            Job::Report(query(&[M::Items, M::CommittedUsd, M::DisbursedUsd], &[D::Province], None, years(YEAR, YEAR))),
        ),
        spec(
            "province_by_year",
            format!("{PROVINCE}: items, donors, committed, disbursed, rate by year, 2016–2021"),
            Job::Report(query(
                &[M::Items, M::Organisations, M::CommittedUsd, M::DisbursedUsd, M::DisbursementRate],
                &[D::Year],
                Some(PROVINCE),
                years(2016, 2021),
            )),
        ),
        spec(
            "old_province_by_sector_category",
            format!("{OLD_PROVINCE} (old map): committed, disbursed by sector category, 2015–2023"),
            Job::Report(query(
                &[M::CommittedUsd, M::DisbursedUsd],
                &[D::SectorCategory],
                Some(OLD_PROVINCE),
                years(2015, 2023),
            )),
        ),
        spec(
            "province_top_donors",
            format!("{PROVINCE}: committed, disbursed, items by donor, 2016–2021"),
            Job::Report(query(
                &[M::CommittedUsd, M::DisbursedUsd, M::Items],
                &[D::Donor],
                Some(PROVINCE),
                years(2016, 2021),
            )),
        ),
        spec(
            "province_donor_kinds",
            format!("{PROVINCE}: items and organisations by donor kind, {YEAR}"),
            Job::Report(query(&[M::Items, M::Organisations], &[D::DonorKind], Some(PROVINCE), years(YEAR, YEAR))),
        ),
        spec(
            "province_stock",
            format!("{PROVINCE}: items active and their committed capital as of {AS_OF}"),
            Job::Report(stock(&[M::Items, M::CommittedUsd], &[], Some(PROVINCE))),
        ),
        spec(
            "province_stock_by_level",
            format!("{PROVINCE}: active items and committed capital by approval level as of {AS_OF}"),
            Job::Report(stock(&[M::Items, M::CommittedUsd], &[D::ApprovalLevel], Some(PROVINCE))),
        ),
        spec(
            "national_stock_by_province",
            format!("whole country: active items and committed capital by province as of {AS_OF}"),
            Job::Report(stock(&[M::Items, M::CommittedUsd], &[D::Province], None)),
        ),
        spec(
            "province_approvals_by_level",
            format!("{PROVINCE}: items approved by approval level, {YEAR}"),
            Job::Report(query(&[M::ItemsApproved], &[D::ApprovalLevel], Some(PROVINCE), years(YEAR, YEAR))),
        ),
        spec(
            "province_registrations_by_year",
            format!("{PROVINCE}: organisations registered by year, 2015–2026"),
            Job::Report(query(&[M::RegisteredOrganisations], &[D::Year], Some(PROVINCE), years(2015, 2026))),
        ),
        spec(
            "certified_ngos",
            format!("foreign NGOs holding a valid certificate on {AS_OF}, by donor country"),
            Job::Report(ReportQuery {
                as_of: Some(AS_OF),
                ..query(&[M::CertifiedNgos], &[D::DonorCountry], None, all_time)
            }),
        ),
        spec(
            "rank_provinces",
            format!("the 34 provinces ranked by disbursed USD, {YEAR}"),
            Job::Rank(query(&[M::DisbursedUsd], &[], None, years(YEAR, YEAR))),
        ),
        spec(
            "briefing_year",
            format!("the whole briefing for {PROVINCE}, {YEAR}"),
            Job::Briefing { province: PROVINCE, from: YEAR, to: YEAR },
        ),
        spec(
            "briefing_period",
            format!("the whole briefing for {PROVINCE}, 2016–2021"),
            Job::Briefing { province: PROVINCE, from: 2016, to: 2021 },
        ),
    ]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

/// Runs every report of the catalogue once to warm up, then `cfg.runs` times, and returns the figures.
pub async fn time_reports(services: &Services, cfg: &BenchConfig) -> Result<Vec<Timing>, ServiceError> {
    let mut out = Vec::new();
    for spec in catalogue() {
        let mut timing = Timing {
            name: spec.name.to_owned(),
            description: spec.description.clone(),
            rows: 0,
            median_ms: 0.0,
            p90_ms: 0.0,
            max_ms: 0.0,
            error: None,
        };
        // A report that fails is shown as failed rather than ending a measurement that took long to set up.
        let mut rows = match spec.run(services).await {
            Ok(rows) => rows,
            Err(e) => {
                timing.error = Some(e.to_string());
                out.push(timing);
                continue;
            }
        };
        let mut samples = Vec::with_capacity(cfg.runs.max(1));
        for _ in 0..cfg.runs.max(1) {
            let t = Instant::now();
            rows = spec.run(services).await?;
            samples.push(t.elapsed());
        }
        samples.sort();
        let n = samples.len();
        timing.rows = rows;
        timing.median_ms =
            if n % 2 == 1 { ms(samples[n / 2]) } else { (ms(samples[n / 2 - 1]) + ms(samples[n / 2])) / 2.0 };
        timing.p90_ms = ms(samples[(n * 9).div_ceil(10).clamp(1, n) - 1]);
        timing.max_ms = samples.last().copied().map(ms).unwrap_or(0.0);
        out.push(timing);
    }
    Ok(out)
}

/// A count with thin spaces between thousands, as the README writes them.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    out
}

/// The timings of one backend as a Markdown section: the machine, the data, and one row per report.
pub fn render_timings(
    machine: &str,
    backend: &str,
    cfg: &BenchConfig,
    generated: &GenerateStats,
    timings: &[Timing],
) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "#### {backend}: {} items × {} flows\n", grouped(cfg.items), cfg.flows_per_item);
    let _ = writeln!(s, "Machine: {machine}  ");
    let _ = writeln!(
        s,
        "Data: {} items, {} flows ({} actual), {} item cells, {} flow shares, {} organisations, {} certificates, \
            {} registrations (seed {})  ",
        grouped(generated.items),
        grouped(generated.flows),
        grouped(generated.actual_flows),
        grouped(generated.item_cells),
        grouped(generated.flow_shares),
        grouped(generated.organisations),
        grouped(generated.certificates),
        grouped(generated.registrations),
        cfg.seed
    );
    let _ = writeln!(
        s,
        "Generated in {:.0} s (base records {:.0} s, report facts {:.0} s; {:.0} items/s)  ",
        generated.total_seconds,
        generated.base_seconds,
        generated.facts_seconds,
        generated.items as f64 / generated.total_seconds.max(1e-9)
    );
    let _ = writeln!(s, "Each report: one warm-up run, then {} timed runs.\n", cfg.runs.max(1));
    let _ = writeln!(s, "| report | question | rows | median ms | p90 ms | max ms | ≤ {TARGET_MS:.0} ms |");
    let _ = writeln!(s, "|---|---|---:|---:|---:|---:|:-:|");
    for t in timings {
        if let Some(e) = &t.error {
            let e = e.replace('|', "\\|").replace('\n', " ");
            let _ = writeln!(s, "| {} | {} | – | – | – | – | **failed**: {e} |", t.name, t.description);
            continue;
        }
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.1} | {:.1} | {:.1} | {} |",
            t.name,
            t.description,
            t.rows,
            t.median_ms,
            t.p90_ms,
            t.max_ms,
            if t.median_ms <= TARGET_MS { "yes" } else { "**no**" }
        );
    }
    s
}

/// The medians of two backends side by side (reports matched by name), as a Markdown table.
pub fn render_comparison(first: (&str, &[Timing]), second: (&str, &[Timing])) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "| report | {} median ms | {} median ms |", first.0, second.0);
    let _ = writeln!(s, "|---|---:|---:|");
    for t in first.1 {
        let shown = |t: &Timing| if t.error.is_some() { "failed".to_owned() } else { format!("{:.1}", t.median_ms) };
        let other = second.1.iter().find(|o| o.name == t.name).map(shown);
        let _ = writeln!(s, "| {} | {} | {} |", t.name, shown(t), other.unwrap_or_else(|| "–".into()));
    }
    s
}

/// The machine, in one line: CPU model, cores, memory and operating system (from /proc and /etc on Linux).
pub fn machine_description() -> String {
    let read = |path: &str| std::fs::read_to_string(path).unwrap_or_default();
    let cpuinfo = read("/proc/cpuinfo");
    let cpu = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_else(|| std::env::consts::ARCH.to_owned());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let memory = read("/proc/meminfo")
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| format!("{:.1} GiB RAM", kb / 1_048_576.0))
        .unwrap_or_else(|| "memory unknown".to_owned());
    let os = read("/etc/os-release")
        .lines()
        .find(|l| l.starts_with("PRETTY_NAME="))
        .map(|l| l.trim_start_matches("PRETTY_NAME=").trim_matches('"').to_owned())
        .unwrap_or_else(|| std::env::consts::OS.to_owned());
    let kernel = read("/proc/sys/kernel/osrelease").trim().to_owned();
    let kernel = if kernel.is_empty() { String::new() } else { format!(", Linux {kernel}") };
    format!("{cpu}, {cores} cores, {memory}, {os}{kernel}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_is_deterministic_and_splits_exactly() {
        let mut a = Rng::for_record(7, 2, 10);
        let mut b = Rng::for_record(7, 2, 10);
        assert_eq!((a.next(), a.below(63)), (b.next(), b.below(63)));
        assert_eq!(split(1_001, &[1, 1, 1]).iter().sum::<i64>(), 1_001);
        assert_eq!(Rng(1).distinct(3, 2, false).len(), 2);
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(grouped(1_000_000), "1\u{202f}000\u{202f}000");
        assert_eq!(grouped(999), "999");
    }
}
