//! What matching reads: who funded what, where and how much (from the report facts), the certificates valid
//! on a day, provinces' priority sectors, and the call-for-aid list of proposals.
//!
//! It stores and reads; it must not score or rank (the domain's `matching` does) nor decide who may see a
//! proposal (the services layer does).

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::{Exec, ExecExt, Stmt};
use crate::error::StoreError;

/// One organisation's money in one sector and place of one item, summed over its actual flows.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct FundingRow {
    /// The donor.
    pub donor_id: i64,
    /// The item.
    pub item_id: i64,
    /// The first year with a flow in this part.
    pub first_year: i64,
    /// Sector code as recorded (DAC or `vn:`).
    pub sector: Option<String>,
    /// Today's province code.
    pub province: Option<String>,
    /// Region code.
    pub region: Option<String>,
    /// Actual commitments, USD minor units.
    pub committed_usd: i64,
    /// Actual disbursements, USD minor units.
    pub disbursed_usd: i64,
}

/// Every organisation's funding, per item, sector and place, counting flows up to the end of `last_year`
/// (all of them when none).
pub async fn funding(ex: &mut impl Exec, last_year: Option<i32>) -> Result<Vec<FundingRow>, StoreError> {
    let mut sql = String::from(
        "SELECT donor_id, item_id, MIN(year) AS first_year, sector, province, region, \
         CAST(SUM(CASE WHEN kind = 'commitment' THEN usd_minor ELSE 0 END) AS BIGINT) AS committed_usd, \
         CAST(SUM(CASE WHEN kind = 'disbursement' THEN usd_minor ELSE 0 END) AS BIGINT) AS disbursed_usd \
         FROM flow_share",
    );
    if last_year.is_some() {
        sql.push_str(" WHERE year <= $1");
    }
    sql.push_str(" GROUP BY donor_id, item_id, sector, province, region ORDER BY donor_id, item_id");
    let stmt = match last_year {
        Some(y) => Stmt::new(sql).bind(y),
        None => Stmt::new(sql),
    };
    ex.fetch_all(stmt).await
}

/// A certificate valid on a day, with one of its permitted provinces or sectors (none: it names none).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ValidCertificateRow {
    /// Certificate id.
    pub id: i64,
    /// Holder.
    pub organisation_id: i64,
    /// Last day of validity.
    pub valid_to: NaiveDate,
    /// A permitted province as written.
    pub province_code: Option<String>,
    /// The unit set the province is written in.
    pub unit_set: Option<String>,
    /// A permitted sector.
    pub sector_code: Option<String>,
}

// Statuses that end a certificate before its last day; "expired" is what a certificate became later and
// says nothing about the day asked.
const VALID_ON: &str = "c.valid_from <= $1 AND c.valid_to >= $1 \
     AND c.status NOT IN ('revoked', 'terminated', 'self_terminated')";

/// The certificates valid on `day`: one row per permitted province, then one per permitted sector.
pub async fn certificates_valid_on(ex: &mut impl Exec, day: NaiveDate) -> Result<Vec<ValidCertificateRow>, StoreError> {
    let provinces = format!(
        "SELECT c.id, c.organisation_id, c.valid_to, cp.province_code, cp.unit_set, CAST(NULL AS TEXT) AS sector_code \
         FROM certificate c LEFT JOIN certificate_province cp ON cp.certificate_id = c.id WHERE {VALID_ON}"
    );
    let sectors = format!(
        "SELECT c.id, c.organisation_id, c.valid_to, CAST(NULL AS TEXT) AS province_code, CAST(NULL AS TEXT) AS unit_set, \
         cs.sector_code FROM certificate c JOIN certificate_sector cs ON cs.certificate_id = c.id WHERE {VALID_ON}"
    );
    let mut rows: Vec<ValidCertificateRow> = ex.fetch_all(Stmt::new(provinces).bind(day)).await?;
    rows.extend(ex.fetch_all::<ValidCertificateRow>(Stmt::new(sectors).bind(day)).await?);
    Ok(rows)
}

/// A province's priority sector for a period.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct PriorityRow {
    /// Today's province code.
    pub province_code: String,
    /// First year.
    pub from_year: i64,
    /// Last year.
    pub to_year: i64,
    /// Sector code (`vn:` national sector or DAC).
    pub sector_code: String,
    /// Order in the province's list (1 first).
    pub position: i64,
    /// The document that set it.
    pub source: Option<String>,
}

/// Records a priority sector; the same sector for the same province and first year is refused.
pub async fn insert_priority(
    ex: &mut impl Exec,
    p: &PriorityRow,
    illustrative: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    ex.execute(
        Stmt::new(
            "INSERT INTO province_priority (province_code, from_year, to_year, sector_code, position, source, illustrative, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(p.province_code.as_str())
        .bind(p.from_year)
        .bind(p.to_year)
        .bind(p.sector_code.as_str())
        .bind(p.position)
        .bind(p.source.clone())
        .bind(illustrative)
        .bind(now),
    )
    .await
    .map_err(StoreError::on_constraint)?;
    Ok(())
}

/// The province's latest priority list that started in or before `year`, in its order: a list stays in
/// force until the province sets the next one, even past the last year it named.
pub async fn priorities(ex: &mut impl Exec, province: &str, year: i32) -> Result<Vec<PriorityRow>, StoreError> {
    ex.fetch_all(
        Stmt::new(
            "SELECT province_code, from_year, to_year, sector_code, position, source FROM province_priority \
             WHERE province_code = $1 AND from_year = (SELECT MAX(from_year) FROM province_priority \
             WHERE province_code = $1 AND from_year <= $2) ORDER BY position, sector_code",
        )
        .bind(province)
        .bind(year),
    )
    .await
}

/// A project proposal on a province's call-for-aid list.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct ProposalRow {
    /// Id.
    pub id: i64,
    /// Today's province code.
    pub province_code: String,
    /// Title.
    pub title: String,
    /// Sector code.
    pub sector_code: String,
    /// Commune codes, comma-separated.
    pub communes: Option<String>,
    /// People expected to benefit.
    pub beneficiaries: Option<i64>,
    /// Estimated budget, USD minor units.
    pub estimated_usd_minor: Option<i64>,
    /// listed, matched, dossier, approved, funded or withdrawn.
    pub status: String,
    /// The aid item it became.
    pub aid_item_id: Option<i64>,
    /// Version.
    pub version: i64,
}

/// A proposal to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewProposal {
    /// Today's province code.
    pub province_code: String,
    /// Title.
    pub title: String,
    /// Sector code.
    pub sector_code: String,
    /// Commune codes, comma-separated.
    pub communes: Option<String>,
    /// People expected to benefit.
    pub beneficiaries: Option<i64>,
    /// Estimated budget, USD minor units.
    pub estimated_usd_minor: Option<i64>,
    /// Status code.
    pub status: String,
    /// The aid item it became.
    pub aid_item_id: Option<i64>,
    /// Illustrative (demo) record.
    pub illustrative: bool,
}

const PROPOSAL_COLUMNS: &str =
    "id, province_code, title, sector_code, communes, beneficiaries, estimated_usd_minor, status, aid_item_id, version";

/// Records a proposal and returns its id.
pub async fn insert_proposal(ex: &mut impl Exec, p: &NewProposal, now: DateTime<Utc>) -> Result<i64, StoreError> {
    ex.insert_returning_id(
        Stmt::new(
            "INSERT INTO aid_proposal (province_code, title, sector_code, communes, beneficiaries, estimated_usd_minor, \
             status, aid_item_id, illustrative, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10) RETURNING id",
        )
        .bind(p.province_code.as_str())
        .bind(p.title.as_str())
        .bind(p.sector_code.as_str())
        .bind(p.communes.clone())
        .bind(p.beneficiaries)
        .bind(p.estimated_usd_minor)
        .bind(p.status.as_str())
        .bind(p.aid_item_id)
        .bind(p.illustrative)
        .bind(now),
    )
    .await
    .map_err(StoreError::on_constraint)
}

/// One proposal.
pub async fn proposal(ex: &mut impl Exec, id: i64) -> Result<ProposalRow, StoreError> {
    ex.fetch_one(Stmt::new(format!("SELECT {PROPOSAL_COLUMNS} FROM aid_proposal WHERE id = $1")).bind(id), "proposal")
        .await
}

/// The proposals of a province (every province when none), newest first.
pub async fn proposals(ex: &mut impl Exec, province: Option<&str>) -> Result<Vec<ProposalRow>, StoreError> {
    let stmt = match province {
        Some(p) => {
            Stmt::new(format!("SELECT {PROPOSAL_COLUMNS} FROM aid_proposal WHERE province_code = $1 ORDER BY id DESC"))
                .bind(p)
        }
        None => Stmt::new(format!("SELECT {PROPOSAL_COLUMNS} FROM aid_proposal ORDER BY id DESC")),
    };
    ex.fetch_all(stmt).await
}

/// Moves a proposal to `status` (linking the aid item it became, when given) if it is still at `version`;
/// returns the new version.
pub async fn set_proposal_status(
    ex: &mut impl Exec,
    id: i64,
    version: i64,
    status: &str,
    aid_item: Option<i64>,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let changed = ex
        .execute(
            Stmt::new(
                "UPDATE aid_proposal SET status = $1, aid_item_id = COALESCE($2, aid_item_id), version = version + 1, \
                 updated_at = $3 WHERE id = $4 AND version = $5",
            )
            .bind(status)
            .bind(aid_item)
            .bind(now)
            .bind(id)
            .bind(version),
        )
        .await?;
    if changed == 0 {
        proposal(ex, id).await?;
        return Err(StoreError::StaleVersion { what: "proposal", expected: version });
    }
    Ok(version + 1)
}
