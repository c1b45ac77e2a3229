//! People-to-people diplomacy records: friendship associations with their member counts over time, and
//! twinning pairs between border villages or communes and their foreign counterparts.
//!
//! It stores what the services validated and reads what was in force on a day; it must not word or count for
//! a briefing (the services layer does).

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::{Exec, ExecExt, Stmt};
use crate::error::StoreError;

/// A friendship association to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAssociation {
    /// The province whose friendship union it belongs to (today's code; none: a national association).
    pub province_code: Option<String>,
    /// Name.
    pub name: String,
    /// Partner country (ISO 3166-1 alpha-2).
    pub partner_country: String,
    /// Founded.
    pub founded_on: Option<NaiveDate>,
    /// Current term, as written ("2019–2024").
    pub term: Option<String>,
    /// Leaders, as written.
    pub leaders: Option<String>,
    /// Illustrative (demo) record.
    pub illustrative: bool,
}

/// An association with its member count on a day.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct AssociationRow {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Partner country code.
    pub partner_country: String,
    /// Founded.
    pub founded_on: Option<NaiveDate>,
    /// Members at the latest count on or before the day (none: never counted).
    pub members: Option<i64>,
}

/// Records an association and returns its id.
pub async fn insert_association(ex: &mut impl Exec, a: &NewAssociation, now: DateTime<Utc>) -> Result<i64, StoreError> {
    ex.insert_returning_id(
        Stmt::new(
            "INSERT INTO friendship_association (province_code, name, partner_country, founded_on, term, leaders, \
             illustrative, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8) RETURNING id",
        )
        .bind(a.province_code.clone())
        .bind(a.name.as_str())
        .bind(a.partner_country.as_str())
        .bind(a.founded_on)
        .bind(a.term.clone())
        .bind(a.leaders.clone())
        .bind(a.illustrative)
        .bind(now),
    )
    .await
}

/// Records an association's member count on a day.
pub async fn insert_member_count(
    ex: &mut impl Exec,
    association: i64,
    as_of: NaiveDate,
    members: i64,
) -> Result<(), StoreError> {
    ex.execute(
        Stmt::new("INSERT INTO association_members (association_id, as_of, members) VALUES ($1, $2, $3)")
            .bind(association)
            .bind(as_of)
            .bind(members),
    )
    .await?;
    Ok(())
}

/// The province's associations founded on or before `day` (or of unknown founding), each with its latest
/// member count on or before `day`.
pub async fn associations_on(
    ex: &mut impl Exec,
    province: &str,
    day: NaiveDate,
) -> Result<Vec<AssociationRow>, StoreError> {
    ex.fetch_all(
        Stmt::new(
            "SELECT a.id, a.name, a.partner_country, a.founded_on, \
             (SELECT m.members FROM association_members m WHERE m.association_id = a.id AND m.as_of <= $2 \
              ORDER BY m.as_of DESC LIMIT 1) AS members \
             FROM friendship_association a WHERE a.province_code = $1 AND (a.founded_on IS NULL OR a.founded_on <= $2) \
             ORDER BY a.name",
        )
        .bind(province)
        .bind(day),
    )
    .await
}

/// A twinning pair to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTwinning {
    /// Today's province code.
    pub province_code: String,
    /// The Vietnamese village or commune, as named.
    pub local_name: String,
    /// `village` or `commune`.
    pub local_level: String,
    /// Partner country code.
    pub partner_country: String,
    /// The foreign counterpart, as named.
    pub partner_name: String,
    /// `village`, `township` or `commune`.
    pub partner_level: String,
    /// The day the agreement was signed.
    pub signed_on: NaiveDate,
    /// What the two sides agreed, as written.
    pub agreed_points: Option<String>,
    /// Illustrative (demo) record.
    pub illustrative: bool,
}

/// A twinning pair as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct TwinningRow {
    /// Id.
    pub id: i64,
    /// The Vietnamese side.
    pub local_name: String,
    /// `village` or `commune`.
    pub local_level: String,
    /// Partner country code.
    pub partner_country: String,
    /// The foreign side.
    pub partner_name: String,
    /// `village`, `township` or `commune`.
    pub partner_level: String,
    /// Signed.
    pub signed_on: NaiveDate,
}

/// Records a twinning pair and returns its id.
pub async fn insert_twinning(ex: &mut impl Exec, t: &NewTwinning, now: DateTime<Utc>) -> Result<i64, StoreError> {
    ex.insert_returning_id(
        Stmt::new(
            "INSERT INTO twinning_pair (province_code, local_name, local_level, partner_country, partner_name, \
             partner_level, signed_on, agreed_points, illustrative, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        )
        .bind(t.province_code.as_str())
        .bind(t.local_name.as_str())
        .bind(t.local_level.as_str())
        .bind(t.partner_country.as_str())
        .bind(t.partner_name.as_str())
        .bind(t.partner_level.as_str())
        .bind(t.signed_on)
        .bind(t.agreed_points.clone())
        .bind(t.illustrative)
        .bind(now),
    )
    .await
}

/// The province's twinning pairs signed on or before `day`.
pub async fn twinnings_on(ex: &mut impl Exec, province: &str, day: NaiveDate) -> Result<Vec<TwinningRow>, StoreError> {
    ex.fetch_all(
        Stmt::new(
            "SELECT id, local_name, local_level, partner_country, partner_name, partner_level, signed_on \
             FROM twinning_pair WHERE province_code = $1 AND signed_on <= $2 ORDER BY signed_on, id",
        )
        .bind(province)
        .bind(day),
    )
    .await
}

/// Scholarships granted in one year to students from one place abroad.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct ScholarshipRow {
    /// Id (ignored when recording).
    pub id: i64,
    /// Today's province code of the granting province.
    pub province_code: String,
    /// The students' country code.
    pub partner_country: String,
    /// Where the students come from (a province abroad), as named.
    pub origin: String,
    /// The year.
    pub year: i64,
    /// Student-turns (one student in one year counts once).
    pub students: i64,
    /// Amount, VND.
    pub amount_vnd: i64,
}

/// Records a year's scholarships for students from one place.
pub async fn insert_scholarship(
    ex: &mut impl Exec,
    s: &ScholarshipRow,
    illustrative: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    ex.execute(
        Stmt::new(
            "INSERT INTO scholarship_grant (province_code, partner_country, origin, year, students, amount_vnd, \
             illustrative, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(s.province_code.as_str())
        .bind(s.partner_country.as_str())
        .bind(s.origin.as_str())
        .bind(s.year)
        .bind(s.students)
        .bind(s.amount_vnd)
        .bind(illustrative)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// A province's scholarships from `from_year` to `to_year`.
pub async fn scholarships(
    ex: &mut impl Exec,
    province: &str,
    from_year: i32,
    to_year: i32,
) -> Result<Vec<ScholarshipRow>, StoreError> {
    ex.fetch_all(
        Stmt::new(
            "SELECT id, province_code, partner_country, origin, year, students, amount_vnd FROM scholarship_grant \
             WHERE province_code = $1 AND year >= $2 AND year <= $3 ORDER BY year, origin",
        )
        .bind(province)
        .bind(from_year)
        .bind(to_year),
    )
    .await
}

/// Support a province gave abroad from its own budget.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct OutboundSupportRow {
    /// Id (ignored when recording).
    pub id: i64,
    /// Today's province code of the giving province.
    pub province_code: String,
    /// The recipient's country code.
    pub partner_country: String,
    /// The recipient (a province abroad, a hospital), as named.
    pub recipient: String,
    /// What it was for.
    pub purpose: String,
    /// The day it was given.
    pub given_on: NaiveDate,
    /// Amount, VND.
    pub amount_vnd: i64,
}

/// Records support given abroad.
pub async fn insert_outbound_support(
    ex: &mut impl Exec,
    s: &OutboundSupportRow,
    illustrative: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    ex.execute(
        Stmt::new(
            "INSERT INTO outbound_support (province_code, partner_country, recipient, purpose, given_on, amount_vnd, \
             illustrative, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(s.province_code.as_str())
        .bind(s.partner_country.as_str())
        .bind(s.recipient.as_str())
        .bind(s.purpose.as_str())
        .bind(s.given_on)
        .bind(s.amount_vnd)
        .bind(illustrative)
        .bind(now),
    )
    .await?;
    Ok(())
}

/// A province's support given abroad from `from` to `to`.
pub async fn outbound_support(
    ex: &mut impl Exec,
    province: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<OutboundSupportRow>, StoreError> {
    ex.fetch_all(
        Stmt::new(
            "SELECT id, province_code, partner_country, recipient, purpose, given_on, amount_vnd FROM outbound_support \
             WHERE province_code = $1 AND given_on >= $2 AND given_on <= $3 ORDER BY given_on",
        )
        .bind(province)
        .bind(from)
        .bind(to),
    )
    .await
}

/// A delegation in or out of a province.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct DelegationRow {
    /// Id (0 before it is stored).
    pub id: i64,
    /// Today's province code.
    pub province_code: String,
    /// `in` (a foreign delegation received) or `out` (the province's delegation abroad).
    pub direction: String,
    /// The country it came from or went to.
    pub country: String,
    /// What it was for.
    pub purpose: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day (the return, for a delegation out).
    pub ends_on: NaiveDate,
    /// How many people.
    pub members: i64,
    /// Who led it, as written.
    pub leader: Option<String>,
    /// What came of it, as written.
    pub outcomes: Option<String>,
    /// The day its trip report was received.
    pub report_on: Option<NaiveDate>,
}

/// Records a delegation and returns its id.
pub async fn insert_delegation(
    ex: &mut impl Exec,
    d: &DelegationRow,
    illustrative: bool,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let rows: Vec<(i64,)> = ex
        .fetch_all(
            Stmt::new(
                "INSERT INTO delegation (province_code, direction, country, purpose, starts_on, ends_on, members, \
                 leader, outcomes, report_on, illustrative, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
            )
            .bind(d.province_code.as_str())
            .bind(d.direction.as_str())
            .bind(d.country.as_str())
            .bind(d.purpose.as_str())
            .bind(d.starts_on)
            .bind(d.ends_on)
            .bind(d.members)
            .bind(d.leader.clone())
            .bind(d.outcomes.clone())
            .bind(d.report_on)
            .bind(illustrative)
            .bind(now),
        )
        .await?;
    rows.first().map(|r| r.0).ok_or(StoreError::NotFound("the new delegation"))
}

const DELEGATION_COLUMNS: &str =
    "id, province_code, direction, country, purpose, starts_on, ends_on, members, leader, outcomes, report_on";

/// A province's delegations that started from `from` to `to`, earliest first.
pub async fn delegations(
    ex: &mut impl Exec,
    province: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<DelegationRow>, StoreError> {
    ex.fetch_all(
        Stmt::new(format!(
            "SELECT {DELEGATION_COLUMNS} FROM delegation WHERE province_code = $1 AND starts_on >= $2 AND starts_on <= $3 \
             ORDER BY starts_on, id"
        ))
        .bind(province)
        .bind(from)
        .bind(to),
    )
    .await
}

/// Delegations out, of every province, back on or before `returned_by` and whose trip report is not received.
pub async fn delegations_without_report(
    ex: &mut impl Exec,
    returned_by: NaiveDate,
) -> Result<Vec<DelegationRow>, StoreError> {
    ex.fetch_all(
        Stmt::new(format!(
            "SELECT {DELEGATION_COLUMNS} FROM delegation WHERE direction = 'out' AND report_on IS NULL \
             AND ends_on <= $1 ORDER BY ends_on, id"
        ))
        .bind(returned_by),
    )
    .await
}
