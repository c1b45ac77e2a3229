//! People-to-people diplomacy (đối ngoại nhân dân): recording friendship associations and twinning pairs, and
//! the one definition of what a briefing counts of them.
//!
//! It validates and audits what it records. It must not word a briefing (the briefing module does); every count
//! a briefing quotes comes from [`Services::people_on`].

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use vientro_domain::admin_units::AdminUnits;
use vientro_domain::country::CountryCode;
use vientro_domain::people::{PeopleKind, stored_field};
use vientro_domain::{ValidationError, ValidationErrors};
use vientro_store::Tx;
use vientro_store::people::{
    AssociationRow, DelegationRow, NewAssociation, NewTwinning, OutboundSupportRow, ScholarshipRow, TwinningRow,
};
use vientro_store::people_records::{part_rows_of_province, records_of_province};

use crate::{Actor, ServiceError, Services};

/// What a province's friendship union keeps, on a day.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PeopleOnDay {
    /// Associations founded by then, each with its latest member count.
    pub associations: Vec<AssociationRow>,
    /// Their members added up (associations never counted add nothing).
    pub members: i64,
    /// Twinning pairs signed by then.
    pub twinnings: Vec<TwinningRow>,
    /// Pairs by (local level, partner level), e.g. (`village`, `village`).
    pub twinnings_by_level: BTreeMap<(String, String), usize>,
    /// Pairs by partner country code.
    pub twinnings_by_country: BTreeMap<String, usize>,
    /// Trainings and other events held from the first of the day's year to the day.
    pub events: usize,
    /// People and organisations taking part in them (each listed participant once per event).
    pub event_participants: usize,
    /// Delegations received from the first of the day's year to the day.
    pub delegations_in: usize,
    /// Delegations sent abroad from the first of the day's year to the day.
    pub delegations_out: usize,
}

fn province_code(text: &str) -> Result<String, ServiceError> {
    Ok(AdminUnits::embedded().parse_province(text).map_err(ValidationErrors::from)?.as_str().to_owned())
}

fn country(field: &str, text: &str) -> Result<String, ServiceError> {
    CountryCode::parse(text).map(|c| c.as_str().to_owned()).map_err(|e| ValidationErrors::from(e.under(field)).into())
}

/// Records a friendship association with its member counts (day, members), in the caller's transaction,
/// audited.
pub async fn record_association_in(
    tx: &mut Tx,
    actor: &Actor,
    association: &NewAssociation,
    member_counts: &[(NaiveDate, i64)],
) -> Result<i64, ServiceError> {
    let mut a = association.clone();
    a.province_code = a.province_code.as_deref().map(province_code).transpose()?;
    a.partner_country = country("partner_country", &a.partner_country)?;
    if a.name.trim().is_empty() {
        return Err(ValidationErrors::from(ValidationError::new(
            "name",
            "error-required",
            "an association needs a name",
        ))
        .into());
    }
    if member_counts.iter().any(|(_, n)| *n < 0) {
        return Err(ValidationErrors::from(ValidationError::new(
            "members",
            "error-count-negative",
            "a member count cannot be negative",
        ))
        .into());
    }
    let now = vientro_store::now();
    let id = vientro_store::people::insert_association(tx, &a, now).await?;
    for (day, members) in member_counts {
        vientro_store::people::insert_member_count(tx, id, *day, *members).await?;
    }
    crate::organisations::audit_create(
        tx,
        actor,
        "friendship_association",
        Some(id),
        Some(serde_json::json!({
            "province": a.province_code, "name": a.name, "partner_country": a.partner_country,
            "founded_on": a.founded_on, "members": member_counts,
        })),
    )
    .await?;
    Ok(id)
}

/// Records a twinning pair, in the caller's transaction, audited.
pub async fn record_twinning_in(tx: &mut Tx, actor: &Actor, twinning: &NewTwinning) -> Result<i64, ServiceError> {
    let mut t = twinning.clone();
    t.province_code = province_code(&t.province_code)?;
    t.partner_country = country("partner_country", &t.partner_country)?;
    let mut errors = ValidationErrors::new();
    if !matches!(t.local_level.as_str(), "village" | "commune") {
        errors.push(ValidationError::new(
            "local_level",
            "error-level",
            "the Vietnamese side is a village or a commune",
        ));
    }
    if !matches!(t.partner_level.as_str(), "village" | "township" | "commune") {
        errors.push(ValidationError::new(
            "partner_level",
            "error-level",
            "the partner is a village, township or commune",
        ));
    }
    errors.into_result(())?;
    let now = vientro_store::now();
    let id = vientro_store::people::insert_twinning(tx, &t, now).await?;
    crate::organisations::audit_create(
        tx,
        actor,
        "twinning_pair",
        Some(id),
        Some(serde_json::json!({
            "province": t.province_code, "local": t.local_name, "local_level": t.local_level,
            "partner_country": t.partner_country, "partner": t.partner_name, "partner_level": t.partner_level,
            "signed_on": t.signed_on,
        })),
    )
    .await?;
    Ok(id)
}

/// The date a stored record of `kind` holds in field `name`.
fn read_date(kind: PeopleKind, name: &str, texts: &[Option<String>]) -> Option<NaiveDate> {
    let index = kind.fields().iter().position(|f| f.name == name)?;
    stored_field(&kind.fields()[index], texts.get(index)?.as_deref()).date()
}

impl Services {
    /// A province's associations (with members) and twinning pairs as they stood on `day`, and its events and
    /// delegations of that year up to `day`. The province is a code or name of today's map.
    pub async fn people_on(&self, province: &str, day: NaiveDate) -> Result<PeopleOnDay, ServiceError> {
        let code = province_code(province)?;
        let mut db = self.db.clone();
        let associations = vientro_store::people::associations_on(&mut db, &code, day).await?;
        let twinnings = vientro_store::people::twinnings_on(&mut db, &code, day).await?;
        let year_start = NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day);
        let in_year = |d: Option<NaiveDate>| d.is_some_and(|d| d >= year_start && d <= day);
        let events: Vec<i64> = records_of_province(&mut db, PeopleKind::Event, &code, "starts_on")
            .await?
            .into_iter()
            .map(|r| (r.id, read_date(PeopleKind::Event, "starts_on", &r.texts)))
            .filter(|(_, starts)| in_year(*starts))
            .map(|(id, _)| id)
            .collect();
        let participants = PeopleKind::Event.part("participants").map_err(ValidationErrors::from)?;
        let event_participants = part_rows_of_province(&mut db, PeopleKind::Event, participants, &code)
            .await?
            .iter()
            .filter(|(id, _)| events.contains(id))
            .count();
        let delegations = vientro_store::people::delegations(&mut db, &code, year_start, day).await?;
        let mut by_level: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut by_country: BTreeMap<String, usize> = BTreeMap::new();
        for t in &twinnings {
            *by_level.entry((t.local_level.clone(), t.partner_level.clone())).or_default() += 1;
            *by_country.entry(t.partner_country.clone()).or_default() += 1;
        }
        Ok(PeopleOnDay {
            members: associations.iter().filter_map(|a| a.members).sum(),
            associations,
            twinnings,
            twinnings_by_level: by_level,
            twinnings_by_country: by_country,
            events: events.len(),
            event_participants,
            delegations_in: delegations.iter().filter(|d| d.direction == "in").count(),
            delegations_out: delegations.iter().filter(|d| d.direction == "out").count(),
        })
    }
}

/// The first year scholarships are read from when a page or briefing counts them "to date".
pub const FIRST_SCHOLARSHIP_YEAR: i32 = 1990;

/// A province's scholarships over years: the rows and their totals.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Scholarships {
    /// One row per year and place of origin.
    pub rows: Vec<ScholarshipRow>,
    /// Student-turns.
    pub students: i64,
    /// Amount, VND.
    pub amount_vnd: i64,
    /// Places of origin, in first-year order.
    pub origins: Vec<String>,
}

/// Records a year's scholarships for students from one place abroad, in the caller's transaction, audited.
pub async fn record_scholarship_in(
    tx: &mut Tx,
    actor: &Actor,
    row: &ScholarshipRow,
    illustrative: bool,
) -> Result<(), ServiceError> {
    let mut s = row.clone();
    s.province_code = province_code(&s.province_code)?;
    s.partner_country = country("partner_country", &s.partner_country)?;
    if s.students < 0 || s.amount_vnd < 0 {
        return Err(ValidationErrors::from(ValidationError::new(
            "students",
            "error-count-negative",
            "counts and amounts cannot be negative",
        ))
        .into());
    }
    let now = vientro_store::now();
    vientro_store::people::insert_scholarship(tx, &s, illustrative, now).await?;
    crate::organisations::audit_create(tx, actor, "scholarship_grant", None, serde_json::to_value(&s).ok()).await?;
    Ok(())
}

/// Records support a province gave abroad from its own budget, in the caller's transaction, audited.
pub async fn record_outbound_support_in(
    tx: &mut Tx,
    actor: &Actor,
    row: &OutboundSupportRow,
    illustrative: bool,
) -> Result<(), ServiceError> {
    let mut s = row.clone();
    s.province_code = province_code(&s.province_code)?;
    s.partner_country = country("partner_country", &s.partner_country)?;
    if s.amount_vnd < 0 {
        return Err(ValidationErrors::from(ValidationError::new(
            "amount",
            "error-amount-negative",
            "an amount cannot be negative",
        ))
        .into());
    }
    let now = vientro_store::now();
    vientro_store::people::insert_outbound_support(tx, &s, illustrative, now).await?;
    crate::organisations::audit_create(tx, actor, "outbound_support", None, serde_json::to_value(&s).ok()).await?;
    Ok(())
}

impl Services {
    /// A province's scholarships from `from_year` to `to_year` with their totals (FACTS Q7's definition: a
    /// student counts once per year funded).
    pub async fn scholarships(
        &self,
        province: &str,
        from_year: i32,
        to_year: i32,
    ) -> Result<Scholarships, ServiceError> {
        let code = province_code(province)?;
        let rows = vientro_store::people::scholarships(&mut self.db.clone(), &code, from_year, to_year).await?;
        let mut origins: Vec<String> = Vec::new();
        for r in &rows {
            if !origins.contains(&r.origin) {
                origins.push(r.origin.clone());
            }
        }
        Ok(Scholarships {
            students: rows.iter().map(|r| r.students).sum(),
            amount_vnd: rows.iter().map(|r| r.amount_vnd).sum(),
            origins,
            rows,
        })
    }

    /// A province's support given abroad from `from` to `to`.
    pub async fn outbound_support(
        &self,
        province: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<OutboundSupportRow>, ServiceError> {
        let code = province_code(province)?;
        Ok(vientro_store::people::outbound_support(&mut self.db.clone(), &code, from, to).await?)
    }
}

/// Records a delegation in or out of a province, in the caller's transaction, audited. The province is any code
/// or name of today's map; the country an ISO 3166-1 code.
pub async fn record_delegation_in(
    tx: &mut Tx,
    actor: &Actor,
    delegation: &DelegationRow,
    illustrative: bool,
) -> Result<i64, ServiceError> {
    let mut d = delegation.clone();
    d.province_code = province_code(&d.province_code)?;
    d.country = country("country", &d.country)?;
    let mut errors = ValidationErrors::new();
    if !matches!(d.direction.as_str(), "in" | "out") {
        errors.push(ValidationError::new("direction", "error-direction", "a delegation comes in or goes out"));
    }
    if d.purpose.trim().is_empty() {
        errors.push(ValidationError::new("purpose", "error-required", "a delegation needs its purpose"));
    }
    if d.ends_on < d.starts_on {
        errors.push(ValidationError::new("ends_on", "error-date-order", "the delegation ends before it starts"));
    }
    if d.members < 0 {
        errors.push(ValidationError::new("members", "error-count-negative", "a member count cannot be negative"));
    }
    if d.report_on.is_some_and(|r| r < d.ends_on) {
        errors.push(ValidationError::new("report_on", "error-date-order", "a trip report comes after the return"));
    }
    errors.into_result(())?;
    let id = vientro_store::people::insert_delegation(tx, &d, illustrative, vientro_store::now()).await?;
    crate::organisations::audit_create(tx, actor, "delegation", Some(id), serde_json::to_value(&d).ok()).await?;
    Ok(id)
}

impl Services {
    /// A province's delegations in and out that started from `from` to `to`.
    pub async fn delegations(
        &self,
        province: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DelegationRow>, ServiceError> {
        let code = province_code(province)?;
        Ok(vientro_store::people::delegations(&mut self.db.clone(), &code, from, to).await?)
    }
}
