//! What the watch list reads: certificates ending, foreign NGOs without their annual report, approved items
//! without a disbursement, appraisals waiting, implementing items' money, provinces' periodic reports; and the
//! records of reports received.
//!
//! It selects candidates by dates the caller computed; it must not know the deadlines (the domain's `watch`
//! rules do) nor decide who may see an alert (the services layer does).

use chrono::{DateTime, NaiveDate, Utc};

use crate::db::{Exec, Stmt};
use crate::error::StoreError;

/// A certificate ending soon with no later certificate of its kind recorded.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EndingCertificateRow {
    /// Certificate id.
    pub id: i64,
    /// Holder.
    pub organisation_id: i64,
    /// Holder's name (Vietnamese when recorded).
    pub organisation_name: String,
    /// Number.
    pub number: String,
    /// Last day of validity.
    pub valid_to: NaiveDate,
}

/// Active certificates whose last day is from `from` to `to`, without a renewal recorded.
pub async fn certificates_ending(
    ex: &mut impl Exec,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<EndingCertificateRow>, StoreError> {
    ex.fetch_all(
        Stmt::new(
            "SELECT c.id, c.organisation_id, COALESCE(o.name_vi, o.name) AS organisation_name, c.number, c.valid_to \
             FROM certificate c JOIN organisation o ON o.id = c.organisation_id \
             WHERE c.status = 'active' AND c.valid_to >= $1 AND c.valid_to <= $2 \
             AND NOT EXISTS (SELECT 1 FROM certificate n WHERE n.organisation_id = c.organisation_id \
             AND n.kind = c.kind AND n.valid_from > c.valid_to AND n.status = 'active') \
             ORDER BY c.valid_to, c.id",
        )
        .bind(from)
        .bind(to),
    )
    .await
}

/// A foreign NGO that owes an annual report.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct NgoOwingRow {
    /// The NGO.
    pub organisation_id: i64,
    /// Its name (Vietnamese when recorded).
    pub organisation_name: String,
}

/// Foreign NGOs holding an operation certificate valid at some time from `from` to `to` with no annual report
/// recorded for `year`.
pub async fn ngos_without_report(
    ex: &mut impl Exec,
    year: i32,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<NgoOwingRow>, StoreError> {
    ex.fetch_all(
        Stmt::new(
            "SELECT o.id AS organisation_id, COALESCE(o.name_vi, o.name) AS organisation_name FROM organisation o \
             WHERE o.kind = 'foreign_ngo' AND EXISTS (SELECT 1 FROM certificate c WHERE c.organisation_id = o.id \
             AND c.kind = 'operation' AND c.valid_from <= $2 AND c.valid_to >= $1 \
             AND c.status NOT IN ('revoked', 'terminated', 'self_terminated')) \
             AND NOT EXISTS (SELECT 1 FROM ngo_annual_report r WHERE r.organisation_id = o.id AND r.year = $3) \
             ORDER BY o.id",
        )
        .bind(from)
        .bind(to)
        .bind(year),
    )
    .await
}

/// A province a certificate permits, as written.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PermittedProvinceRow {
    /// The holder.
    pub organisation_id: i64,
    /// The certificate.
    pub certificate_id: i64,
    /// Province code as written.
    pub province_code: String,
    /// `pre2025` or `from2025`.
    pub unit_set: String,
}

/// The provinces permitted by every certificate of the organisations valid at some time from `from` to `to`.
pub async fn permitted_provinces(
    ex: &mut impl Exec,
    organisations: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<PermittedProvinceRow>, StoreError> {
    let mut out = Vec::new();
    for chunk in organisations.chunks(500) {
        let list: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 3)).collect();
        let stmt = Stmt::new(format!(
            "SELECT c.organisation_id, c.id AS certificate_id, cp.province_code, cp.unit_set FROM certificate c \
             JOIN certificate_province cp ON cp.certificate_id = c.id \
             WHERE c.valid_from <= $2 AND c.valid_to >= $1 AND c.organisation_id IN ({})",
            list.join(", ")
        ))
        .bind(from)
        .bind(to);
        out.extend(ex.fetch_all::<PermittedProvinceRow>(chunk.iter().fold(stmt, |s, id| s.bind(*id))).await?);
    }
    Ok(out)
}

/// An aid item the watch list looks at, with its actual money.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct WatchedItemRow {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Status code.
    pub status: String,
    /// The day the clock started: approval decision, or entering the status.
    pub since: Option<NaiveDate>,
    /// Start.
    pub start_date: Option<NaiveDate>,
    /// End.
    pub end_date: Option<NaiveDate>,
    /// Actual commitments, USD minor units.
    pub committed_usd: i64,
    /// Actual disbursements, USD minor units.
    pub disbursed_usd: i64,
}

/// Approved or implementing items approved on or before `approved_by` with no actual disbursement.
pub async fn approved_without_disbursement(
    ex: &mut impl Exec,
    approved_by: NaiveDate,
) -> Result<Vec<WatchedItemRow>, StoreError> {
    ex.fetch_all(
        Stmt::new(
            "SELECT i.id, i.title, i.status, i.approval_decision_date AS since, i.start_date, i.end_date, \
             CAST(0 AS BIGINT) AS committed_usd, CAST(0 AS BIGINT) AS disbursed_usd FROM aid_item i \
             WHERE i.archived_at IS NULL AND i.status IN ('approved', 'implementing') \
             AND i.approval_decision_date IS NOT NULL AND i.approval_decision_date <= $1 \
             AND NOT EXISTS (SELECT 1 FROM flow f WHERE f.item_id = i.id AND f.kind = 'disbursement' \
             AND f.stage = 'actual') ORDER BY i.approval_decision_date, i.id",
        )
        .bind(approved_by),
    )
    .await
}

/// Items waiting on an appraisal step, with the day they entered their status (the approval queue's clock).
pub async fn waiting_appraisal(ex: &mut impl Exec) -> Result<Vec<WatchedItemRow>, StoreError> {
    ex.fetch_all(Stmt::new(
        "SELECT i.id, i.title, i.status, MAX(sc.changed_on) AS since, i.start_date, i.end_date, \
         CAST(0 AS BIGINT) AS committed_usd, CAST(0 AS BIGINT) AS disbursed_usd FROM aid_item i \
         JOIN aid_item_status_change sc ON sc.item_id = i.id AND sc.to_status = i.status \
         WHERE i.archived_at IS NULL AND i.status IN ('submitted', 'under_appraisal', 'appraised') \
         GROUP BY i.id, i.title, i.status, i.start_date, i.end_date ORDER BY i.id",
    ))
    .await
}

/// Implementing items with dates, and their actual commitments and disbursements.
pub async fn implementing_with_money(ex: &mut impl Exec) -> Result<Vec<WatchedItemRow>, StoreError> {
    ex.fetch_all(Stmt::new(
        "SELECT i.id, i.title, i.status, i.start_date AS since, i.start_date, i.end_date, \
         CAST(SUM(CASE WHEN f.kind = 'commitment' THEN f.usd_minor ELSE 0 END) AS BIGINT) AS committed_usd, \
         CAST(SUM(CASE WHEN f.kind = 'disbursement' THEN f.usd_minor ELSE 0 END) AS BIGINT) AS disbursed_usd \
         FROM aid_item i JOIN flow f ON f.item_id = i.id AND f.stage = 'actual' \
         WHERE i.archived_at IS NULL AND i.status = 'implementing' AND i.start_date IS NOT NULL \
         AND i.end_date IS NOT NULL GROUP BY i.id, i.title, i.status, i.start_date, i.end_date ORDER BY i.id",
    ))
    .await
}

/// An item's province of today's map, or one of its donors.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ItemLinkRow {
    /// The item.
    pub item_id: i64,
    /// Province code or donor id as text.
    pub value: String,
}

/// The provinces (today's codes) of the items.
pub async fn item_provinces(ex: &mut impl Exec, items: &[i64]) -> Result<Vec<ItemLinkRow>, StoreError> {
    links(ex, "SELECT DISTINCT item_id, current_province_code AS value FROM aid_item_location", items).await
}

/// The donors of the items (ids as text).
pub async fn item_donors(ex: &mut impl Exec, items: &[i64]) -> Result<Vec<ItemLinkRow>, StoreError> {
    links(ex, "SELECT item_id, CAST(organisation_id AS TEXT) AS value FROM aid_item_donor", items).await
}

async fn links(ex: &mut impl Exec, select: &str, items: &[i64]) -> Result<Vec<ItemLinkRow>, StoreError> {
    let mut out = Vec::new();
    for chunk in items.chunks(500) {
        let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let stmt = Stmt::new(format!("{select} WHERE item_id IN ({})", list.join(", ")));
        out.extend(ex.fetch_all::<ItemLinkRow>(chunk.iter().fold(stmt, |s, id| s.bind(*id))).await?);
    }
    Ok(out)
}

/// A province code.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ProvinceCodeRow {
    /// Today's code.
    pub province_code: String,
}

/// The provinces that sent their `kind` report for `year`.
pub async fn province_reports_received(
    ex: &mut impl Exec,
    kind: &str,
    year: i32,
) -> Result<Vec<ProvinceCodeRow>, StoreError> {
    ex.fetch_all(
        Stmt::new("SELECT province_code FROM province_report WHERE kind = $1 AND year = $2 ORDER BY province_code")
            .bind(kind)
            .bind(year),
    )
    .await
}

/// A province's periodic report as received.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ProvinceReportRow {
    /// Today's province code.
    pub province_code: String,
    /// `six_month` or `annual` (the kinds of the watch rules).
    pub kind: String,
    /// The day it was received.
    pub submitted_on: NaiveDate,
}

/// Every periodic report received from the provinces for `year`.
pub async fn province_reports_of_year(ex: &mut impl Exec, year: i32) -> Result<Vec<ProvinceReportRow>, StoreError> {
    ex.fetch_all(
        Stmt::new(
            "SELECT province_code, kind, submitted_on FROM province_report WHERE year = $1 ORDER BY province_code, kind",
        )
        .bind(year),
    )
    .await
}

/// Records that a foreign NGO's annual report for `year` was received.
pub async fn insert_ngo_report(
    ex: &mut impl Exec,
    organisation: i64,
    year: i32,
    submitted_on: NaiveDate,
    illustrative: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    ex.execute(
        Stmt::new(
            "INSERT INTO ngo_annual_report (organisation_id, year, submitted_on, illustrative, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(organisation)
        .bind(year)
        .bind(submitted_on)
        .bind(illustrative)
        .bind(now),
    )
    .await
    .map_err(StoreError::on_constraint)?;
    Ok(())
}

/// Records that a province's `kind` report for `year` was received.
pub async fn insert_province_report(
    ex: &mut impl Exec,
    province: &str,
    kind: &str,
    year: i32,
    submitted_on: NaiveDate,
    illustrative: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    ex.execute(
        Stmt::new(
            "INSERT INTO province_report (province_code, kind, year, submitted_on, illustrative, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(province)
        .bind(kind)
        .bind(year)
        .bind(submitted_on)
        .bind(illustrative)
        .bind(now),
    )
    .await
    .map_err(StoreError::on_constraint)?;
    Ok(())
}
