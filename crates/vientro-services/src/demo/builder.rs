//! The demo loader's toolkit: one open transaction and the services' `_in` use cases behind short calls, so
//! the province modules read as data. Also the deterministic helpers they share (splitting a total with the
//! remainder on the last part, a fixed-seed mixer for variety).
//!
//! Every record it writes is marked illustrative, and it goes through the same use cases as an officer's
//! entry, so the demo obeys every rule the product enforces. Only the demo loader may use it.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Display;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use vientro_domain::aid_item::{AidItemInput, DonorInput, LocationInput, SectorInput};
use vientro_domain::certificate::{CertificateInput, ProvinceRegistration};
use vientro_domain::flow::FlowInput;
use vientro_domain::fx::RateTable;
use vientro_domain::ids::{AidItemId, OrganisationId};
use vientro_domain::money::CurrencyCode;
use vientro_domain::organisation::OrganisationInput;
use vientro_store::db::Scalar;
use vientro_store::{Exec, Stmt, Tx};

use super::{DemoSummary, names};
use crate::{Actor, ServiceError, Services};

/// An error in the demo data itself (a bug of this module, not of the user).
pub(super) fn internal(message: impl Display) -> ServiceError {
    ServiceError::Internal(anyhow::anyhow!("demo data set: {message}"))
}

/// A calendar day as numbers (year, month, day); handed to the domain as ISO text, which checks it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Day(pub(super) i32, pub(super) u32, pub(super) u32);

impl Day {
    /// `YYYY-MM-DD`.
    pub(super) fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.0, self.1, self.2)
    }

    /// The day as a date.
    pub(super) fn date(self) -> Result<NaiveDate, ServiceError> {
        NaiveDate::from_ymd_opt(self.0, self.1, self.2).ok_or_else(|| internal(format!("{} is not a day", self.iso())))
    }
}

/// A fixed-seed mixer (splitmix64): the same seed always gives the same number.
pub(super) fn mix(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A number in `lo..=hi` chosen by `seed`.
pub(super) fn vary(seed: u64, lo: i64, hi: i64) -> i64 {
    let span = u64::try_from(hi - lo + 1).unwrap_or(1).max(1);
    lo + i64::try_from(mix(seed) % span).unwrap_or(0)
}

/// Splits `total` in proportion to `weights`, rounding down, with the remainder on the last part, so the parts
/// add up to `total` exactly.
pub(super) fn split(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|w| i128::from(*w)).sum();
    if weights.is_empty() || sum <= 0 {
        return Vec::new();
    }
    let mut parts: Vec<i64> =
        weights.iter().map(|w| i64::try_from(i128::from(total) * i128::from(*w) / sum).unwrap_or(0)).collect();
    let given: i64 = parts.iter().sum();
    if let Some(last) = parts.last_mut() {
        *last += total - given;
    }
    parts
}

/// How long a foreign NGO held operation certificates, which decides whether it counts on 31/12/2019 (FACTS N1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tenure {
    /// Operating before, on and after 31/12/2019.
    Throughout,
    /// Stopped operating after this year (its certificate ran out before 31/12/2019).
    LeftAfter(i32),
    /// Started operating in this year, after 2019.
    ArrivedIn(i32),
}

/// A foreign NGO of the data set, remembered so it can be given certificates at the end.
#[derive(Debug, Clone)]
pub(super) struct NgoRecord {
    /// The organisation.
    pub(super) id: OrganisationId,
    /// Its certificate history.
    pub(super) tenure: Tenure,
    /// Provinces (codes before 2025) it works or registered in.
    pub(super) provinces: BTreeSet<String>,
    /// Its sectors.
    pub(super) sectors: Vec<String>,
    /// True for the NGOs that exist only to make up the national count (no aid in the data set).
    pub(super) filler: bool,
}

/// Where an item is carried out, in the units in force when it was recorded.
#[derive(Debug, Clone, Default)]
pub(super) struct Place {
    /// Province code.
    pub(super) province: String,
    /// District code (before 2025).
    pub(super) district: Option<String>,
    /// Commune code.
    pub(super) commune: Option<String>,
    /// Share in per cent (ignored for a single place).
    pub(super) percent: u32,
}

impl Place {
    /// A whole province.
    pub(super) fn province(code: &str) -> Self {
        Self { province: code.to_owned(), percent: 100, ..Default::default() }
    }

    /// A district of a province.
    pub(super) fn district(province: &str, district: &str) -> Self {
        Self { district: Some(district.to_owned()), ..Self::province(province) }
    }

    /// A commune of a district.
    pub(super) fn commune(province: &str, district: &str, commune: &str) -> Self {
        Self { commune: Some(commune.to_owned()), ..Self::district(province, district) }
    }

    /// The same place with a share.
    pub(super) fn share(self, percent: u32) -> Self {
        Self { percent, ..self }
    }
}

/// An aid item to record; dates are the decision, start and end days.
#[derive(Debug, Clone, Default)]
pub(super) struct Item {
    /// Local code.
    pub(super) code: String,
    /// Vietnamese title.
    pub(super) title: String,
    /// Kind code.
    pub(super) kind: &'static str,
    /// The item it supplements.
    pub(super) supplements: Option<AidItemId>,
    /// Managing agency.
    pub(super) managing_agency: Option<OrganisationId>,
    /// Donors and their shares in per cent.
    pub(super) donors: Vec<(OrganisationId, u32)>,
    /// Status at the end of the story told by the data set.
    pub(super) status: &'static str,
    /// Approval decision number.
    pub(super) decision_number: String,
    /// Approval decision day.
    pub(super) decision: Day,
    /// Approval level code.
    pub(super) level: &'static str,
    /// Start.
    pub(super) start: Day,
    /// End.
    pub(super) end: Day,
    /// Sectors and their shares in per cent.
    pub(super) sectors: Vec<(String, u32)>,
    /// Places.
    pub(super) places: Vec<Place>,
}

/// Commitment or disbursement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Money {
    /// Committed.
    Commitment,
    /// Disbursed.
    Disbursement,
}

impl Money {
    fn as_str(self) -> &'static str {
        match self {
            Self::Commitment => "commitment",
            Self::Disbursement => "disbursement",
        }
    }
}

/// `minor` units of `currency` as the plain decimal text a flow is entered with.
fn amount_text(minor: i64, currency: &str) -> String {
    if currency == "VND" { minor.to_string() } else { format!("{}.{:02}", minor / 100, minor % 100) }
}

fn percent(value: u32, single: bool) -> Option<String> {
    if single { None } else { Some(value.to_string()) }
}

/// The open transaction and what has been written so far.
pub(super) struct Loader {
    tx: Tx,
    actor: Actor,
    rates: RateTable,
    summary: DemoSummary,
    ngos: Vec<NgoRecord>,
    ngo_index: HashMap<i64, usize>,
    names_used: usize,
    sequence: usize,
}

impl Loader {
    /// A loader writing in `tx` as `actor`, converting flows with `rates`.
    pub(super) fn new(tx: Tx, actor: Actor, rates: RateTable) -> Self {
        Self {
            tx,
            actor,
            rates,
            summary: DemoSummary { organisations: 0, items: 0, flows: 0, already_loaded: false },
            ngos: Vec::new(),
            ngo_index: HashMap::new(),
            names_used: 0,
            sequence: 0,
        }
    }

    /// The transaction (still to commit) and the counts.
    /// Enters the real IATI activities (not illustrative) in the same transaction.
    pub(super) async fn real_activities(&mut self) -> Result<(), ServiceError> {
        let real = Services::load_real_iati_in(&mut self.tx, &self.actor, &self.rates).await?;
        self.summary.organisations += real.organisations;
        self.summary.items += real.items;
        self.summary.flows += real.flows;
        Ok(())
    }

    pub(super) fn finish(self) -> (Tx, DemoSummary) {
        (self.tx, self.summary)
    }

    /// A new number for codes and decision numbers, unique in the data set.
    pub(super) fn next_number(&mut self) -> usize {
        self.sequence += 1;
        self.sequence
    }

    /// Creates an organisation (marked illustrative).
    pub(super) async fn organisation(&mut self, input: OrganisationInput) -> Result<OrganisationId, ServiceError> {
        let input = OrganisationInput { illustrative: true, ..input };
        let id = Services::create_organisation_in(&mut self.tx, &self.actor, &input).await?;
        self.summary.organisations += 1;
        Ok(id)
    }

    /// Creates a foreign NGO and remembers it for its certificates.
    pub(super) async fn ngo(
        &mut self,
        input: OrganisationInput,
        tenure: Tenure,
        filler: bool,
    ) -> Result<OrganisationId, ServiceError> {
        let sectors = input.sectors.clone();
        let id = self.organisation(OrganisationInput { kind: "foreign_ngo".into(), ..input }).await?;
        self.ngo_index.insert(id.0, self.ngos.len());
        self.ngos.push(NgoRecord { id, tenure, provinces: BTreeSet::new(), sectors, filler });
        Ok(id)
    }

    /// Creates an invented foreign NGO ("… (minh họa)") with a home country and sectors of its theme.
    pub(super) async fn invented_ngo(&mut self, tenure: Tenure, filler: bool) -> Result<OrganisationId, ServiceError> {
        self.names_used += 1;
        let n = self.names_used;
        let (name, name_vi) = names::ngo(n);
        let theme = names::theme(n);
        let input = OrganisationInput {
            name,
            name_vi: Some(name_vi),
            country: Some(names::country(n).into()),
            sectors: theme.sectors.iter().map(|s| (*s).to_owned()).collect(),
            ..Default::default()
        };
        self.ngo(input, tenure, filler).await
    }

    /// The theme number of an organisation made by [`Self::invented_ngo`] most recently.
    pub(super) fn last_name_number(&self) -> usize {
        self.names_used
    }

    /// Every foreign NGO created so far.
    pub(super) fn ngos(&self) -> &[NgoRecord] {
        &self.ngos
    }

    /// Records an aid item (marked illustrative) with its donors, sectors and places.
    pub(super) async fn item(&mut self, item: Item) -> Result<AidItemId, ServiceError> {
        for (org, _) in &item.donors {
            if let Some(&i) = self.ngo_index.get(&org.0) {
                self.ngos[i].provinces.extend(item.places.iter().map(|p| p.province.clone()));
            }
        }
        let single_donor = item.donors.len() == 1;
        let single_sector = item.sectors.len() == 1;
        let single_place = item.places.len() == 1;
        let input = AidItemInput {
            code: Some(item.code),
            title: item.title,
            kind: item.kind.into(),
            supplements: item.supplements.map(|s| s.0),
            managing_agency: item.managing_agency.map(|m| m.0),
            donors: item
                .donors
                .iter()
                .map(|(o, p)| DonorInput { organisation: o.0, percent: percent(*p, single_donor) })
                .collect(),
            status: Some(item.status.into()),
            decision_number: Some(item.decision_number),
            decision_date: Some(item.decision.iso()),
            approval_level: Some(item.level.into()),
            start_date: Some(item.start.iso()),
            end_date: Some(item.end.iso()),
            sectors: item
                .sectors
                .iter()
                .map(|(s, p)| SectorInput { sector: s.clone(), percent: percent(*p, single_sector) })
                .collect(),
            locations: item
                .places
                .iter()
                .map(|p| LocationInput {
                    province: p.province.clone(),
                    district: p.district.clone(),
                    commune: p.commune.clone(),
                    commune_override: None,
                    percent: percent(p.percent, single_place),
                })
                .collect(),
            illustrative: true,
            published: true,
            ..Default::default()
        };
        let id = Services::create_aid_item_in(&mut self.tx, &self.actor, &input).await?;
        self.summary.items += 1;
        Ok(id)
    }

    /// Records an actual flow of `minor` units of `currency`.
    pub(super) async fn flow(
        &mut self,
        item: AidItemId,
        kind: Money,
        on: Day,
        minor: i64,
        currency: &str,
    ) -> Result<(), ServiceError> {
        if minor <= 0 {
            return Err(internal(format!("a {} of {minor} on {} for item {item}", kind.as_str(), on.iso())));
        }
        let input = FlowInput {
            kind: kind.as_str().into(),
            stage: None,
            date: on.iso(),
            amount: amount_text(minor, currency),
            currency: currency.into(),
            note: None,
        };
        Services::add_flow_in(&mut self.tx, &self.actor, item, &input, &self.rates).await?;
        self.summary.flows += 1;
        Ok(())
    }

    /// Records several actual flows of one item in one currency.
    pub(super) async fn flows(
        &mut self,
        item: AidItemId,
        currency: &str,
        flows: &[(Money, Day, i64)],
    ) -> Result<(), ServiceError> {
        for (kind, on, minor) in flows {
            self.flow(item, *kind, *on, *minor, currency).await?;
        }
        Ok(())
    }

    /// `usd_cents` expressed in minor units of `currency` at the rate the flow on `on` will be converted with,
    /// so an item entered in EUR or GBP is worth about the USD it was planned at.
    pub(super) fn usd_in(&self, usd_cents: i64, currency: &str, on: Day) -> Result<i64, ServiceError> {
        let code = CurrencyCode::parse(currency)?;
        let rate = self.rates.rate_for(code, on.date()?)?.units_per_usd;
        (Decimal::from(usd_cents) * rate).round().to_i64().ok_or_else(|| internal("a converted amount overflowed"))
    }

    /// Records that `organisation` is registered to operate in `province` (code of that year) in `year`.
    pub(super) async fn register(
        &mut self,
        organisation: OrganisationId,
        province: &str,
        year: i32,
    ) -> Result<(), ServiceError> {
        let on = Day(year, 1 + (organisation.0.unsigned_abs() % 3) as u32, 10).iso();
        let registration = ProvinceRegistration::parse(organisation, province, year, Some(&on), None, true)?;
        Services::register_in_province_in(&mut self.tx, &self.actor, &registration).await?;
        if let Some(&i) = self.ngo_index.get(&organisation.0) {
            self.ngos[i].provinces.insert(province.to_owned());
        }
        Ok(())
    }

    /// Records a certificate (marked illustrative).
    pub(super) async fn certificate(
        &mut self,
        organisation: OrganisationId,
        input: CertificateInput,
    ) -> Result<(), ServiceError> {
        let input = CertificateInput { illustrative: true, ..input };
        Services::add_certificate_in(&mut self.tx, &self.actor, organisation, &input).await?;
        Ok(())
    }

    /// The USD cents of the actual flows of `kind` recorded so far by this data set from `from` to `to`,
    /// optionally only those of items `donor` funds.
    pub(super) async fn usd_cents(
        &mut self,
        kind: Money,
        from: Day,
        to: Day,
        donor: Option<OrganisationId>,
    ) -> Result<i64, ServiceError> {
        let mut sql = String::from(
            // Every record of the (otherwise empty) database counts: the real IATI activities too.
            "SELECT CAST(COALESCE(SUM(f.usd_minor), 0) AS BIGINT) FROM flow f \
             WHERE f.stage = 'actual' AND f.kind = $1 AND f.flow_date >= $2 AND f.flow_date <= $3",
        );
        if donor.is_some() {
            sql.push_str(" AND f.item_id IN (SELECT d.item_id FROM aid_item_donor d WHERE d.organisation_id = $4)");
        }
        let mut stmt = Stmt::new(sql).bind(kind.as_str()).bind(from.date()?).bind(to.date()?);
        if let Some(d) = donor {
            stmt = stmt.bind(d.0);
        }
        let row: Option<Scalar> = self.tx.fetch_optional(stmt).await?;
        Ok(row.map_or(0, |r| r.0))
    }
}

/// Payment days of an item running from `start` to `last`: 15 June and 15 November of each year that fall in
/// the span, or `last` alone when none does.
pub(super) fn payment_days(start: Day, last: Day) -> Vec<Day> {
    let mut days: Vec<Day> = (start.0..=last.0)
        .flat_map(|y| [Day(y, 6, 15), Day(y, 11, 15)])
        .filter(|d| start <= *d && *d <= last)
        .collect();
    if days.is_empty() {
        days.push(last);
    }
    days
}
