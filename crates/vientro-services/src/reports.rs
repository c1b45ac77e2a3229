//! The report engine's use case: turn a [`ReportQuery`] into a labelled [`ReportResult`], the same for every
//! face (page, API, CLI, export, briefing).
//!
//! Names typed in filters become codes here (a province of today's map filters `province`; one that exists
//! only on the old map filters `province_as_recorded`); the store computes; rows are labelled in Vietnamese.
//! This module must not format numbers: faces do, from the exact cells.

use std::collections::{BTreeMap, HashMap};

use vientro_domain::admin_units::{AdminUnits, CommuneCode, ProvinceCode, Region, UnitSet};
use vientro_domain::aid_item::{AidKind, AidStatus, ApprovalLevel};
use vientro_domain::country::CountryCode;
use vientro_domain::organisation::OrganisationKind;
use vientro_domain::report::{Cell, Dimension, Measure, MeasureFamily, ReportQuery, ReportResult, ReportRow};
use vientro_domain::sector::{SectorCategoryRef, SectorRef};
use vientro_domain::{ValidationError, ValidationErrors, text};
use vientro_store::reports::{self, AggRow, Base, CodeFilter, Needs, Scope};

use crate::{ServiceError, Services};

/// Label of a key that has no value (an item without a province, say).
pub const UNKNOWN_LABEL: &str = "(chưa xác định)";

fn where_error(message: String) -> ValidationError {
    ValidationError::new("where", "error-filter-value", message)
}

/// The rate disbursed/committed in hundredths of a per cent, half away from zero; `None` without commitments.
pub fn rate_hundredths(disbursed: i64, committed: i64) -> Option<i64> {
    if committed <= 0 {
        return None;
    }
    let (d, c) = (i128::from(disbursed), i128::from(committed));
    let q = (d * 20_000 + c) / (2 * c);
    i64::try_from(q).ok()
}

impl Services {
    /// A sentence to show beside figures when this database holds the illustrative demonstration data set.
    pub async fn illustrative_note(&self, english: bool) -> Result<Option<String>, ServiceError> {
        let mut db = self.db.clone();
        let demo = vientro_store::settings::get(&mut db, crate::demo::SETTING_KEY).await?;
        Ok(demo.map(|_| {
            if english {
                "Note: this database holds the illustrative demonstration data set (\"minh họa\"); its figures are not official.".to_owned()
            } else {
                "Ghi chú: cơ sở dữ liệu này có bộ dữ liệu minh họa dùng để trình diễn; số liệu không phải số liệu chính thức.".to_owned()
            }
        }))
    }

    /// Resolves typed filter values to the codes the facts hold.
    async fn resolve_filters(&self, query: &ReportQuery) -> Result<Vec<CodeFilter>, ServiceError> {
        let units = AdminUnits::embedded();
        let mut errors = ValidationErrors::new();
        let mut out: Vec<CodeFilter> = Vec::new();
        let mut db = self.db.clone();
        for f in &query.filters {
            let mut codes = Vec::new();
            let mut dimension = f.dimension;
            for v in &f.values {
                let resolved: Result<Vec<String>, ValidationError> = match f.dimension {
                    Dimension::Province => match units.parse_province_in(v, UnitSet::From2025) {
                        Ok(p) => Ok(vec![p.as_str().to_owned()]),
                        Err(_) => match units.parse_province_in(v, UnitSet::Pre2025) {
                            Ok(p) => {
                                dimension = Dimension::ProvinceAsRecorded;
                                Ok(vec![p.as_str().to_owned()])
                            }
                            Err(e) => Err(where_error(e.message)),
                        },
                    },
                    Dimension::ProvinceAsRecorded => units
                        .parse_province_in(v, UnitSet::Pre2025)
                        .or_else(|_| units.parse_province_in(v, UnitSet::From2025))
                        .map(|p| vec![p.as_str().to_owned()])
                        .map_err(|e| where_error(e.message)),
                    Dimension::Region => Region::ALL
                        .into_iter()
                        .find(|r| r.code() == v.trim() || text::fold(r.name_vi()) == text::fold(v))
                        .map(|r| vec![r.code().to_owned()])
                        .ok_or_else(|| where_error(format!("'{v}' is not a region"))),
                    Dimension::Commune | Dimension::CommuneAsRecorded => CommuneCode::parse(v)
                        .map(|c| vec![c.as_str().to_owned()])
                        .map_err(|e| where_error(format!("communes are filtered by code: {}", e.message))),
                    Dimension::Sector => {
                        SectorRef::parse(v).map(|s| vec![s.code()]).map_err(|e| where_error(e.message))
                    }
                    Dimension::SectorCategory => {
                        SectorCategoryRef::parse(v).map(|s| vec![s.code()]).map_err(|e| where_error(e.message))
                    }
                    Dimension::Donor => {
                        if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
                            Ok(vec![v.clone()])
                        } else {
                            let ids = reports::organisation_ids_matching(&mut db, &text::fold(v)).await?;
                            if ids.is_empty() {
                                Err(where_error(format!("no organisation is called '{v}'")))
                            } else {
                                Ok(ids.into_iter().map(|i| i.to_string()).collect())
                            }
                        }
                    }
                    Dimension::DonorKind => OrganisationKind::parse(v)
                        .map(|k| vec![k.as_str().to_owned()])
                        .map_err(|e| where_error(e.message)),
                    Dimension::DonorCountry => {
                        CountryCode::parse(v).map(|c| vec![c.as_str().to_owned()]).map_err(|e| where_error(e.message))
                    }
                    Dimension::Kind => {
                        if text::fold(v).replace(' ', "_") == "supplementary" || text::fold(v) == "du an bo sung" {
                            Ok(vec!["supplementary".to_owned()])
                        } else {
                            AidKind::parse(v).map(|k| vec![k.as_str().to_owned()]).map_err(|e| where_error(e.message))
                        }
                    }
                    Dimension::ApprovalLevel => {
                        ApprovalLevel::parse(v).map(|k| vec![k.as_str().to_owned()]).map_err(|e| where_error(e.message))
                    }
                    Dimension::Status => {
                        AidStatus::parse(v).map(|k| vec![k.as_str().to_owned()]).map_err(|e| where_error(e.message))
                    }
                    Dimension::Year => v
                        .trim()
                        .parse::<i32>()
                        .map(|y| vec![y.to_string()])
                        .map_err(|_| where_error(format!("'{v}' is not a year"))),
                    Dimension::HalfYear => {
                        let t = v.trim().to_ascii_uppercase();
                        match t.split_once("-H") {
                            Some((y, h)) if y.parse::<i32>().is_ok() && (h == "1" || h == "2") => Ok(vec![t.clone()]),
                            _ => Err(where_error(format!("'{v}' is not a half year such as 2016-H1"))),
                        }
                    }
                };
                match resolved {
                    Ok(c) => codes.extend(c),
                    Err(e) => errors.push(e),
                }
            }
            out.push(CodeFilter { dimension, codes });
        }
        errors.into_result(out).map_err(ServiceError::from)
    }

    async fn aggregate(
        &self,
        base: Base,
        by: &[Dimension],
        filters: &[CodeFilter],
        scope: Scope,
        needs: Needs,
        source: Source,
    ) -> Result<Vec<AggRow>, ServiceError> {
        let mut db = self.db.clone();
        Ok(match source {
            Source::Fastest => reports::aggregate(&mut db, base, by, filters, scope, needs).await?,
            Source::FactsOnly => reports::aggregate_from_facts(&mut db, base, by, filters, scope, needs).await?,
        })
    }

    /// Runs the family's queries; for a stock question about flows, money and counts come from their own
    /// facts and are merged by key.
    async fn rows_for(
        &self,
        query: &ReportQuery,
        by: &[Dimension],
        filters: &[CodeFilter],
        source: Source,
    ) -> Result<Vec<AggRow>, ServiceError> {
        let family = query.measures.first().map(|m| m.family()).unwrap_or(MeasureFamily::Flows);
        let needs = needs_of(&query.measures);
        let period = Scope::Period { from: query.period.from, to: query.period.to };
        let rows = match (family, query.as_of) {
            (MeasureFamily::Flows, None) => {
                self.aggregate(Base::FlowShares, by, filters, period, needs, source).await?
            }
            (MeasureFamily::Flows, Some(d)) => {
                let money = self.aggregate(Base::FlowShares, by, filters, Scope::AsOf(d), needs, source).await?;
                let counts = if needs.items || needs.organisations {
                    self.aggregate(Base::ItemCells, by, filters, Scope::AsOf(d), needs, source).await?
                } else {
                    Vec::new()
                };
                merge_stock(by.len(), money, counts)
            }
            (MeasureFamily::Approvals, None) => {
                self.aggregate(Base::ItemCells, by, filters, period, needs, source).await?
            }
            (MeasureFamily::Approvals, Some(d)) => {
                self.aggregate(Base::ItemCells, by, filters, Scope::Period { from: None, to: Some(d) }, needs, source)
                    .await?
            }
            (MeasureFamily::Registrations, as_of) => {
                let scope = as_of.map(Scope::AsOf).unwrap_or(period);
                self.aggregate(Base::Registrations, by, filters, scope, needs, source).await?
            }
            (MeasureFamily::Certificates, as_of) => {
                let scope = as_of.map(Scope::AsOf).unwrap_or(period);
                self.aggregate(Base::Certificates, by, filters, scope, needs, source).await?
            }
        };
        Ok(rows)
    }

    /// Runs a report: rows grouped by the query's dimensions and the total over everything filtered. A
    /// result is remembered until the next recorded change (`report_cache`); it reflects every change
    /// acknowledged before the call.
    pub async fn report(&self, query: &ReportQuery) -> Result<ReportResult, ServiceError> {
        let arrived_at = vientro_store::audit::appends(&mut self.db.clone()).await?;
        if let Some(hit) = self.report_cache.get(query, arrived_at) {
            return Ok(hit);
        }
        let flight = self.report_cache.flight(query);
        let _computing = flight.lock().await;
        // Whoever held the lock before may have just computed it, from a version at least as new.
        if let Some(hit) = self.report_cache.get(query, arrived_at) {
            return Ok(hit);
        }
        let version = vientro_store::audit::appends(&mut self.db.clone()).await?;
        let result = self.compute_report(query).await?;
        self.report_cache.put(query, version, &result);
        Ok(result)
    }

    /// Computes a report from the records, without the cache.
    pub async fn compute_report(&self, query: &ReportQuery) -> Result<ReportResult, ServiceError> {
        self.compute(query, Source::Fastest).await
    }

    /// Computes a report from the report facts alone, never from the summary tables kept beside them: the
    /// reference the summaries are checked against.
    pub async fn compute_report_from_facts(&self, query: &ReportQuery) -> Result<ReportResult, ServiceError> {
        self.compute(query, Source::FactsOnly).await
    }

    async fn compute(&self, query: &ReportQuery, source: Source) -> Result<ReportResult, ServiceError> {
        let filters = self.resolve_filters(query).await?;
        let rows = self.rows_for(query, &query.by, &filters, source).await?;
        // Sums add up across rows (ADR 0003: a total never changes with the grouping), so a report of sums
        // needs no second query; distinct counts do not add up and are counted again over everything. Without
        // a grouping the one row is the total.
        let total = if query.by.is_empty() {
            rows.first().cloned().unwrap_or_else(empty_row)
        } else if additive(&query.measures) {
            sum_rows(&rows)
        } else {
            let mut totals = self.rows_for(query, &[], &filters, source).await?;
            totals.pop().unwrap_or_else(empty_row)
        };
        let labels = self.labeller(&query.by, &rows).await?;
        let rows = rows
            .iter()
            .map(|r| ReportRow {
                keys: r
                    .keys(query.by.len())
                    .into_iter()
                    .zip(&query.by)
                    .map(|(k, d)| {
                        let label =
                            k.as_deref().map(|k| labels.label(*d, k)).unwrap_or_else(|| UNKNOWN_LABEL.to_owned());
                        (k.unwrap_or_default(), label)
                    })
                    .collect(),
                values: query.measures.iter().map(|m| cell(*m, r)).collect(),
            })
            .collect();
        let total = ReportRow { keys: Vec::new(), values: query.measures.iter().map(|m| cell(*m, &total)).collect() };
        Ok(ReportResult { query: query.clone(), rows, total })
    }

    async fn labeller(&self, by: &[Dimension], rows: &[AggRow]) -> Result<Labels, ServiceError> {
        let mut donors = HashMap::new();
        if let Some(pos) = by.iter().position(|d| *d == Dimension::Donor) {
            let ids: Vec<i64> =
                rows.iter().filter_map(|r| r.keys(by.len())[pos].as_deref().and_then(|k| k.parse().ok())).collect();
            let mut db = self.db.clone();
            donors = reports::organisation_names(&mut db, &ids).await?.into_iter().collect();
        }
        Ok(Labels { donors })
    }
}

/// Where figures are read from.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// The summary tables where they answer exactly, the facts otherwise.
    Fastest,
    /// The facts only.
    FactsOnly,
}

/// Which distinct counts the measures need.
fn needs_of(measures: &[Measure]) -> Needs {
    let mut needs = Needs::default();
    for m in measures {
        match m {
            Measure::Items | Measure::ItemsApproved => needs.items = true,
            Measure::Organisations | Measure::RegisteredOrganisations | Measure::CertifiedNgos => {
                needs.organisations = true;
            }
            Measure::CommittedOriginal | Measure::DisbursedOriginal | Measure::DisbursementRate => {
                needs.currencies = true
            }
            Measure::CommittedUsd | Measure::CommittedVnd | Measure::DisbursedUsd | Measure::DisbursedVnd => {}
        }
    }
    needs
}

/// True when every measure is a sum in USD or VND (or a rate of such sums), so rows add up to the total.
fn additive(measures: &[Measure]) -> bool {
    measures.iter().all(|m| {
        matches!(m, Measure::CommittedUsd | Measure::CommittedVnd | Measure::DisbursedUsd | Measure::DisbursedVnd)
    })
}

/// The total of rows of sums.
fn sum_rows(rows: &[AggRow]) -> AggRow {
    let mut total = empty_row();
    for r in rows {
        total.committed_usd += r.committed_usd;
        total.committed_vnd += r.committed_vnd;
        total.disbursed_usd += r.disbursed_usd;
        total.disbursed_vnd += r.disbursed_vnd;
    }
    total
}

fn empty_row() -> AggRow {
    AggRow {
        k0: None,
        k1: None,
        k2: None,
        k3: None,
        items: 0,
        organisations: 0,
        committed_usd: 0,
        committed_vnd: 0,
        disbursed_usd: 0,
        disbursed_vnd: 0,
        committed_amount: 0,
        disbursed_amount: 0,
        currencies: 0,
        currency: None,
    }
}

/// Money from the flow facts and counts from the item cells, joined on the keys.
fn merge_stock(n: usize, money: Vec<AggRow>, counts: Vec<AggRow>) -> Vec<AggRow> {
    let mut merged: BTreeMap<Vec<Option<String>>, AggRow> = BTreeMap::new();
    for c in counts {
        merged.insert(c.keys(n), AggRow { ..c });
    }
    for m in money {
        let key = m.keys(n);
        let entry = merged.entry(key).or_insert_with(|| AggRow { items: 0, organisations: 0, ..m.clone() });
        entry.committed_usd = m.committed_usd;
        entry.committed_vnd = m.committed_vnd;
        entry.disbursed_usd = m.disbursed_usd;
        entry.disbursed_vnd = m.disbursed_vnd;
        entry.committed_amount = m.committed_amount;
        entry.disbursed_amount = m.disbursed_amount;
        entry.currencies = m.currencies;
        entry.currency = m.currency;
    }
    merged.into_values().collect()
}

fn money(minor: i64, currency: &str) -> Cell {
    Cell::Money { minor, currency: currency.to_owned() }
}

/// The value of one measure in one row, by the definitions of ADR 0003.
fn cell(m: Measure, r: &AggRow) -> Cell {
    let single = r.currencies == 1;
    match m {
        Measure::Items | Measure::ItemsApproved => Cell::Count(r.items),
        Measure::Organisations | Measure::RegisteredOrganisations | Measure::CertifiedNgos => {
            Cell::Count(r.organisations)
        }
        Measure::CommittedUsd => money(r.committed_usd, "USD"),
        Measure::CommittedVnd => money(r.committed_vnd, "VND"),
        Measure::DisbursedUsd => money(r.disbursed_usd, "USD"),
        Measure::DisbursedVnd => money(r.disbursed_vnd, "VND"),
        Measure::CommittedOriginal => match (single, &r.currency) {
            (true, Some(c)) => money(r.committed_amount, c),
            _ => Cell::Empty,
        },
        Measure::DisbursedOriginal => match (single, &r.currency) {
            (true, Some(c)) => money(r.disbursed_amount, c),
            _ => Cell::Empty,
        },
        // In the recorded currency when there is one, so a VND programme's rate is not moved by exchange rates.
        Measure::DisbursementRate => {
            let rate = if single {
                rate_hundredths(r.disbursed_amount, r.committed_amount)
            } else {
                rate_hundredths(r.disbursed_usd, r.committed_usd)
            };
            rate.map(Cell::Percent).unwrap_or(Cell::Empty)
        }
    }
}

/// Human labels for dimension codes.
struct Labels {
    donors: HashMap<i64, String>,
}

impl Labels {
    fn label(&self, d: Dimension, code: &str) -> String {
        let units = AdminUnits::embedded();
        let province = |set_first: UnitSet| {
            let other = if set_first == UnitSet::Pre2025 { UnitSet::From2025 } else { UnitSet::Pre2025 };
            ProvinceCode::parse(code).ok().and_then(|c| {
                units.province(&c, set_first).or_else(|| units.province(&c, other)).map(|p| p.name.clone())
            })
        };
        let commune = |set_first: UnitSet| {
            let other = if set_first == UnitSet::Pre2025 { UnitSet::From2025 } else { UnitSet::Pre2025 };
            CommuneCode::parse(code)
                .ok()
                .and_then(|c| units.commune(&c, set_first).or_else(|| units.commune(&c, other)).map(|p| p.name.clone()))
        };
        let label = match d {
            Dimension::Year | Dimension::HalfYear => Some(code.to_owned()),
            Dimension::Province => province(UnitSet::From2025),
            Dimension::ProvinceAsRecorded => province(UnitSet::Pre2025),
            Dimension::Region => Region::from_code(code).map(|r| r.name_vi().to_owned()),
            Dimension::Commune => commune(UnitSet::From2025),
            Dimension::CommuneAsRecorded => commune(UnitSet::Pre2025),
            Dimension::Sector => SectorRef::parse(code).ok().map(|s| s.name_vi().to_owned()),
            Dimension::SectorCategory => SectorCategoryRef::parse(code).ok().map(|s| s.name_vi().to_owned()),
            Dimension::Donor => code.parse::<i64>().ok().and_then(|id| self.donors.get(&id).cloned()),
            Dimension::DonorKind => OrganisationKind::parse(code).ok().map(|k| k.name_vi().to_owned()),
            Dimension::DonorCountry => CountryCode::parse(code).ok().map(|c| c.name_vi().to_owned()),
            Dimension::Kind => {
                if code == "supplementary" {
                    Some("dự án bổ sung".to_owned())
                } else {
                    AidKind::parse(code).ok().map(|k| k.name_vi().to_owned())
                }
            }
            Dimension::ApprovalLevel => ApprovalLevel::parse(code).ok().map(|k| k.name_vi().to_owned()),
            Dimension::Status => AidStatus::parse(code).ok().map(|k| k.name_vi().to_owned()),
        };
        label.unwrap_or_else(|| code.to_owned())
    }
}

/// A province's place among all provinces by one measure.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ProvinceRank {
    /// Today's province code.
    pub province: String,
    /// Its name.
    pub name: String,
    /// Its region code.
    pub region: String,
    /// The measure's value (minor units or count).
    pub value: i64,
    /// Rank among all provinces (1 = highest; equal values share a rank).
    pub national: usize,
    /// Rank within its region.
    pub in_region: usize,
    /// Provinces ranked nationally.
    pub of_national: usize,
    /// Provinces ranked in the region.
    pub of_region: usize,
}

impl Services {
    /// Ranks today's provinces by disbursed USD over a period, nationally and within their region.
    pub async fn rank_provinces(&self, query: &ReportQuery) -> Result<Vec<ProvinceRank>, ServiceError> {
        // Through `report`, so the ranking is remembered like every other figure of a dashboard.
        let by_province = ReportQuery {
            measures: vec![Measure::DisbursedUsd],
            by: vec![Dimension::Province],
            filters: Vec::new(),
            ..query.clone()
        };
        let result = self.report(&by_province).await?;
        let units = AdminUnits::embedded();
        let mut values: Vec<(String, String, String, i64)> = Vec::new();
        for p in units.provinces(UnitSet::From2025) {
            let value = result
                .rows
                .iter()
                .find(|r| r.keys.first().is_some_and(|(code, _)| code == p.code.as_str()))
                .and_then(|r| match r.values.first() {
                    Some(Cell::Money { minor, .. }) => Some(*minor),
                    _ => None,
                })
                .unwrap_or(0);
            values.push((p.code.as_str().to_owned(), p.name.clone(), p.region.code().to_owned(), value));
        }
        let rank_in = |subset: &[&(String, String, String, i64)], v: i64| subset.iter().filter(|x| x.3 > v).count() + 1;
        let all: Vec<&(String, String, String, i64)> = values.iter().collect();
        let mut out: Vec<ProvinceRank> = values
            .iter()
            .map(|(code, name, region, value)| {
                let same_region: Vec<&(String, String, String, i64)> =
                    values.iter().filter(|x| &x.2 == region).collect();
                ProvinceRank {
                    province: code.clone(),
                    name: name.clone(),
                    region: region.clone(),
                    value: *value,
                    national: rank_in(&all, *value),
                    in_region: rank_in(&same_region, *value),
                    of_national: all.len(),
                    of_region: same_region.len(),
                }
            })
            .collect();
        out.sort_by(|a, b| a.national.cmp(&b.national).then(a.province.cmp(&b.province)));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rate_rounds_half_away_from_zero_to_hundredths() {
        assert_eq!(rate_hundredths(127_338_800, 144_170_000), Some(8833));
        assert_eq!(rate_hundredths(1, 0), None);
        assert_eq!(rate_hundredths(1, 8), Some(1250));
    }
}
