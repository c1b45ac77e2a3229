//! The real Viet Nam activities published in IATI (vendored under `data/demo/iati/`), entered as records with
//! their real values for demonstration.
//!
//! A simple mapping, not the full importer: the donor is the reporting organisation; sectors of the DAC
//! 5-digit vocabulary are kept; commitments (type 2) and disbursements and expenditure (types 3, 4) become
//! actual flows, reduced to Viet Nam's share when the activity names several recipient countries. These
//! activities carry no Vietnamese approval decision, so they are recorded as imported from IATI. Must only
//! be used by the demo loader.

use rust_decimal::Decimal;
use vientro_domain::aid_item::{AidItemInput, DonorInput, SectorInput};
use vientro_domain::country::CountryCode;
use vientro_domain::flow::FlowInput;
use vientro_domain::fx::RateTable;
use vientro_domain::money::{CurrencyCode, ROUNDING};
use vientro_domain::organisation::OrganisationInput;
use vientro_domain::sector::SectorRef;
use vientro_interchange::iati::{IatiActivity, Narrative, read_activities};
use vientro_store::{Tx, organisations};

use crate::aid_items::StatusChangeInput;
use crate::{Actor, ServiceError, Services};

/// The vendored files, by name.
const FILES: [(&str, &str); 4] = [
    ("vn_from_csv2iati_tripleline-cscf.xml", include_str!("../../data/demo/iati/vn_from_csv2iati_tripleline-cscf.xml")),
    ("vn_from_dhsc-activities-ghs.xml", include_str!("../../data/demo/iati/vn_from_dhsc-activities-ghs.xml")),
    (
        "vn_from_flattener_gdihub-activity.xml",
        include_str!("../../data/demo/iati/vn_from_flattener_gdihub-activity.xml"),
    ),
    ("vn_from_hdx-covid-dportal.xml", include_str!("../../data/demo/iati/vn_from_hdx-covid-dportal.xml")),
];

/// What the real part of the demo added.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RealSummary {
    /// Organisations created.
    pub(crate) organisations: usize,
    /// Items created.
    pub(crate) items: usize,
    /// Flows recorded.
    pub(crate) flows: usize,
}

fn text_in(narratives: &[Narrative], lang: &str) -> Option<String> {
    narratives
        .iter()
        .find(|n| n.lang.as_deref() == Some(lang))
        .or_else(|| narratives.first())
        .map(|n| n.text.clone())
        .filter(|t| !t.trim().is_empty())
}

/// Viet Nam's share of the activity, in per cent (100 when Viet Nam is the only recipient).
fn vn_share(a: &IatiActivity) -> Decimal {
    let countries = &a.recipient_countries;
    match countries.iter().find(|(c, _)| c.eq_ignore_ascii_case("VN")) {
        None if countries.is_empty() => Decimal::ONE_HUNDRED,
        None => Decimal::ZERO,
        Some((_, Some(p))) => *p,
        Some((_, None)) => Decimal::ONE_HUNDRED / Decimal::from(countries.len().max(1)),
    }
}

/// The donor's kind and home country from the IATI organisation type and identifier prefix.
fn donor_kind_and_country(reference: Option<&str>, org_type: Option<&str>) -> (&'static str, Option<String>) {
    let prefix = reference.and_then(|r| r.split('-').next()).unwrap_or("");
    let country = if prefix.len() == 2 && prefix != "XM" && prefix != "XI" {
        CountryCode::parse(prefix).ok().map(|c| c.as_str().to_owned())
    } else {
        None
    };
    let kind = match org_type {
        Some("40") => "international_org",
        _ if prefix == "XM" || prefix == "XI" => "international_org",
        Some("10" | "11" | "15") => "foreign_agency",
        _ => "foreign_ngo",
    };
    if country.is_none() && kind != "international_org" { ("international_org", None) } else { (kind, country) }
}

fn status_of(code: Option<&str>) -> (&'static str, Option<&'static str>) {
    // The status to record flows under, then the final one if it differs.
    match code {
        Some("1") => ("pipeline", None),
        Some("3") => ("completed", None),
        Some("4") => ("completed", Some("closed")),
        _ => ("implementing", None),
    }
}

impl Services {
    /// Enters the vendored IATI activities inside the caller's transaction.
    pub(crate) async fn load_real_iati_in(
        tx: &mut Tx,
        actor: &Actor,
        rates: &RateTable,
    ) -> Result<RealSummary, ServiceError> {
        let mut summary = RealSummary::default();
        for (file, xml) in FILES {
            let mut activities = Vec::new();
            let read = read_activities(file, xml.as_bytes(), |a| activities.push(a));
            if let Some(p) = read.problems.first() {
                tracing::warn!(file, problem = %p, "demo IATI file read with problems");
            }
            for a in activities {
                summary.add(Self::enter_activity(tx, actor, rates, file, &a).await?);
            }
        }
        Ok(summary)
    }

    async fn enter_activity(
        tx: &mut Tx,
        actor: &Actor,
        rates: &RateTable,
        file: &str,
        a: &IatiActivity,
    ) -> Result<RealSummary, ServiceError> {
        let mut summary = RealSummary::default();
        let share = vn_share(a);
        let Some(org) = &a.reporting_org else { return Ok(summary) };
        if share.is_zero() {
            return Ok(summary);
        }
        let reference = org.reference.clone();
        let donor = match reference.as_deref() {
            Some(r) => organisations::find_by_iati_identifier(tx, r).await?,
            None => None,
        };
        let donor = match donor {
            Some(row) => vientro_domain::ids::OrganisationId(row.id),
            None => {
                let (kind, country) = donor_kind_and_country(reference.as_deref(), org.org_type.as_deref());
                let name = text_in(&org.narratives, "en")
                    .or_else(|| reference.clone())
                    .unwrap_or_else(|| a.identifier.clone());
                let existing = organisations::find_by_name(tx, kind, &name).await?;
                match existing {
                    Some(row) => vientro_domain::ids::OrganisationId(row.id),
                    None => {
                        summary.organisations += 1;
                        let input = OrganisationInput {
                            kind: kind.into(),
                            name,
                            country,
                            iati_identifier: reference,
                            ..Default::default()
                        };
                        Self::create_organisation_in(tx, actor, &input).await?
                    }
                }
            }
        };
        let mut sectors: Vec<(String, Option<Decimal>)> = a
            .sectors
            .iter()
            .filter(|s| s.vocabulary == "1")
            .filter_map(|s| s.code.clone().map(|c| (c, s.percentage)))
            .filter(|(c, _)| SectorRef::parse(c).is_ok())
            .collect();
        sectors.dedup_by(|x, y| x.0 == y.0);
        let given: Decimal = sectors.iter().filter_map(|s| s.1).sum();
        let percents: Vec<Option<String>> = if sectors.len() <= 1 {
            vec![None; sectors.len()]
        } else if given == Decimal::ONE_HUNDRED && sectors.iter().all(|s| s.1.is_some()) {
            sectors.iter().map(|s| s.1.map(|p| p.round_dp(2).to_string())).collect()
        } else {
            // Percentages missing or not summing to 100: share equally, remainder on the first.
            let n = i64::try_from(sectors.len()).unwrap_or(1);
            let each = 10_000 / n;
            (0..n)
                .map(|i| Some(Decimal::new(if i == 0 { 10_000 - each * (n - 1) } else { each }, 2).to_string()))
                .collect()
        };
        let start = a.dates.iter().find(|d| d.0 == "2").or_else(|| a.dates.iter().find(|d| d.0 == "1")).map(|d| d.1);
        let end = a.dates.iter().find(|d| d.0 == "4").or_else(|| a.dates.iter().find(|d| d.0 == "3")).map(|d| d.1);
        let (status, final_status) = status_of(a.status.as_deref());
        let description = format!(
            "{}Nguồn: IATI, tệp {file}; phần của Việt Nam: {} %.",
            a.descriptions.first().and_then(|d| text_in(&d.1, "vi")).map(|d| format!("{d}\n\n")).unwrap_or_default(),
            share.round_dp(2)
        );
        let input = AidItemInput {
            iati_identifier: Some(a.identifier.clone()),
            title: text_in(&a.titles, "vi").unwrap_or_else(|| a.identifier.clone()),
            title_en: text_in(&a.titles, "en"),
            description: Some(description),
            kind: "project".into(),
            donors: vec![DonorInput { organisation: donor.0, percent: None }],
            status: Some(status.into()),
            start_date: start.map(|d| d.to_string()),
            end_date: match (start, end) {
                (Some(s), Some(e)) if e < s => None,
                (_, e) => e.map(|d| d.to_string()),
            },
            sectors: sectors
                .iter()
                .zip(percents)
                .map(|((c, _), p)| SectorInput { sector: c.clone(), percent: p })
                .collect(),
            imported_from: Some(format!("iati:{}", a.identifier)),
            published: true,
            ..Default::default()
        };
        let item = Self::create_aid_item_in(tx, actor, &input).await?;
        summary.items += 1;
        for t in &a.transactions {
            let kind = match t.transaction_type.as_str() {
                "2" => "commitment",
                "3" | "4" => "disbursement",
                _ => continue,
            };
            let t_share = match t.recipient_country.as_deref() {
                Some(c) if c.eq_ignore_ascii_case("VN") => Decimal::ONE_HUNDRED,
                Some(_) => continue,
                None => share,
            };
            let Some(currency) = t.value.currency_or(a.default_currency.as_deref()) else { continue };
            let Ok(code) = CurrencyCode::parse(currency) else { continue };
            let amount =
                (t.value.amount * t_share / Decimal::ONE_HUNDRED).round_dp_with_strategy(code.minor_digits(), ROUNDING);
            if amount <= Decimal::ZERO || status == "pipeline" {
                continue;
            }
            let flow = FlowInput {
                kind: kind.into(),
                stage: None,
                date: t.value.value_date.unwrap_or(t.date).to_string(),
                amount: amount.to_string(),
                currency: code.as_str().to_owned(),
                note: t.descriptions.first().map(|d| d.text.chars().take(200).collect()),
            };
            Self::add_flow_in(tx, actor, item, &flow, rates).await?;
            summary.flows += 1;
        }
        if let Some(final_status) = final_status {
            let version = vientro_store::aid_items::get(tx, item).await?.version;
            let change = StatusChangeInput {
                to: final_status.into(),
                version,
                on: end.map(|d| d.to_string()),
                note: Some("closed in the IATI publication".into()),
                ..Default::default()
            };
            Self::change_aid_item_status_in(tx, actor, item, &change).await?;
        }
        Ok(summary)
    }
}

impl RealSummary {
    fn add(&mut self, other: RealSummary) {
        self.organisations += other.organisations;
        self.items += other.items;
        self.flows += other.flows;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viet_nam_s_share_follows_the_recipient_countries() {
        let mut a = IatiActivity::default();
        assert_eq!(vn_share(&a), Decimal::ONE_HUNDRED);
        a.recipient_countries =
            vec![("BD".into(), Some(Decimal::new(291, 2))), ("VN".into(), Some(Decimal::new(412, 2)))];
        assert_eq!(vn_share(&a), Decimal::new(412, 2));
        a.recipient_countries = vec![("BD".into(), None)];
        assert_eq!(vn_share(&a), Decimal::ZERO);
    }

    #[test]
    fn a_government_donor_is_a_foreign_agency_of_its_country_and_a_multilateral_an_international_org() {
        assert_eq!(donor_kind_and_country(Some("GB-GOV-10"), Some("10")), ("foreign_agency", Some("GB".into())));
        assert_eq!(donor_kind_and_country(Some("XM-DAC-41114"), Some("40")), ("international_org", None));
        assert_eq!(donor_kind_and_country(Some("NL-KVK-27108436"), Some("21")), ("foreign_ngo", Some("NL".into())));
    }
}
