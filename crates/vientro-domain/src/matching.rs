//! Matching organisations to a need (a province's priority sectors, a proposal seeking funding, an item):
//! who funded what, where and how much, turned into a ranked list with the reasons shown.
//!
//! This module owns the method and its two baselines: profiles built from funding records up to a reference
//! year (recent years weigh more), the score of an organisation against a need, and the rankings the backtest
//! compares. Scores are a ranking device, not figures: they use floating point and are never shown as amounts.
//! It must not read a database: the services layer gathers the funding records and certificates.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use crate::sector::VnSector;

/// Years after which an old record weighs half as much as a new one.
pub const HALF_LIFE_YEARS: f64 = 3.0;

/// How much each part of the score weighs (they add up to 1).
pub const WEIGHTS: ScoreWeights =
    ScoreWeights { sector: 0.45, place: 0.20, activity: 0.10, size: 0.10, registration: 0.15 };

/// The weights of the parts of a score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreWeights {
    /// Sector fit.
    pub sector: f64,
    /// Work in the same province or region.
    pub place: f64,
    /// How much the organisation funded recently.
    pub activity: f64,
    /// Typical item size against the need.
    pub size: f64,
    /// A valid registration covering the province.
    pub registration: f64,
}

/// One organisation's share of an item in one sector and place: a row of the report facts, summed.
#[derive(Debug, Clone, PartialEq)]
pub struct FundingRecord {
    /// The organisation (donor).
    pub organisation: i64,
    /// The aid item.
    pub item: i64,
    /// The first year with money for the item.
    pub year: i32,
    /// The national sector (none: the item has no sector).
    pub sector: Option<VnSector>,
    /// Today's province code.
    pub province: Option<String>,
    /// The socio-economic region code.
    pub region: Option<String>,
    /// The organisation's money in this part of the item, USD minor units (committed, or disbursed when
    /// nothing was committed).
    pub usd_minor: i64,
}

/// What an organisation funded, summarised for matching.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The organisation.
    pub organisation: i64,
    /// Items funded.
    pub items: usize,
    /// Items funded, each weighted by its recency.
    pub recent_items: f64,
    /// Share of the organisation's recency-weighted work in each national sector (adds up to 1).
    pub sectors: BTreeMap<VnSector, f64>,
    /// The national sectors of each item funded.
    pub item_sectors: Vec<BTreeSet<VnSector>>,
    /// Per province: items and the last year.
    pub provinces: BTreeMap<String, (usize, i32)>,
    /// Per region: items and the last year.
    pub regions: BTreeMap<String, (usize, i32)>,
    /// The median of the organisation's money per item, USD minor units.
    pub typical_usd_minor: i64,
    /// First and last year funded.
    pub years: (i32, i32),
}

/// What is needed: sectors with their weights, a place, and perhaps a budget.
#[derive(Debug, Clone, PartialEq)]
pub struct Need {
    /// Sectors with how much each is needed (any positive scale).
    pub sectors: Vec<(VnSector, f64)>,
    /// Today's province code.
    pub province: Option<String>,
    /// The province's region.
    pub region: Option<String>,
    /// Estimated budget, USD minor units.
    pub budget_usd_minor: Option<i64>,
}

/// A registration certificate valid on the day matched for.
#[derive(Debug, Clone, PartialEq)]
pub struct Registration {
    /// The holder.
    pub organisation: i64,
    /// Last day of validity.
    pub valid_to: NaiveDate,
    /// Permitted provinces (today's codes).
    pub provinces: BTreeSet<String>,
    /// Permitted sectors (empty: not stated).
    pub sectors: BTreeSet<VnSector>,
}

/// Why an organisation is on the list.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// It funded work in the sectors needed.
    SectorFit {
        /// Share of its recent work in the needed sectors, in per cent.
        percent: i64,
        /// Its items in those sectors.
        items: usize,
        /// The needed sectors it funded, most funded first.
        sectors: Vec<VnSector>,
    },
    /// It funded items in the province.
    SameProvince {
        /// Items there.
        items: usize,
        /// The last year.
        last_year: i32,
    },
    /// It funded items elsewhere in the region.
    SameRegion {
        /// Items in the region.
        items: usize,
        /// The last year.
        last_year: i32,
    },
    /// Its typical item against the budget.
    TypicalSize {
        /// Median money per item, USD minor units.
        typical_usd_minor: i64,
        /// The need's budget, USD minor units.
        budget_usd_minor: i64,
    },
    /// It holds a valid certificate.
    Registered {
        /// Last day of validity.
        valid_to: NaiveDate,
        /// The certificate names the province.
        covers_province: bool,
    },
    /// How much it funded.
    Activity {
        /// Items funded.
        items: usize,
        /// First and last year.
        from_year: i32,
        /// Last year.
        to_year: i32,
    },
}

/// An organisation ranked for a need.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Candidate {
    /// The organisation.
    pub organisation: i64,
    /// The score, 0 to 1.
    pub score: f64,
    /// The parts of the score, each 0 to 1: sector, place, activity, size, registration.
    pub parts: [f64; 5],
    /// Why, the reason adding most to the score first.
    pub reasons: Vec<Reason>,
}

/// How much a record of `year` weighs when matching for `reference_year`.
pub fn recency(year: i32, reference_year: i32) -> f64 {
    let age = f64::from((reference_year - year).max(0));
    0.5_f64.powf(age / HALF_LIFE_YEARS)
}

/// Builds each organisation's profile from its funding records, weighing them for `reference_year`.
pub fn profiles(records: &[FundingRecord], reference_year: i32) -> BTreeMap<i64, Profile> {
    // Per organisation and item: year, money per sector, places.
    #[derive(Default)]
    struct ItemPart {
        year: i32,
        sectors: BTreeMap<Option<VnSector>, i64>,
        provinces: BTreeSet<String>,
        regions: BTreeSet<String>,
        usd_minor: i64,
    }
    let mut parts: BTreeMap<(i64, i64), ItemPart> = BTreeMap::new();
    for r in records {
        let p =
            parts.entry((r.organisation, r.item)).or_insert_with(|| ItemPart { year: r.year, ..Default::default() });
        p.year = p.year.min(r.year);
        *p.sectors.entry(r.sector).or_default() += r.usd_minor.max(0);
        p.usd_minor += r.usd_minor.max(0);
        p.provinces.extend(r.province.iter().cloned());
        p.regions.extend(r.region.iter().cloned());
    }
    let mut out: BTreeMap<i64, Profile> = BTreeMap::new();
    let mut sizes: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for ((org, _item), part) in parts {
        let w = recency(part.year, reference_year);
        let profile = out.entry(org).or_insert_with(|| Profile {
            organisation: org,
            items: 0,
            recent_items: 0.0,
            sectors: BTreeMap::new(),
            item_sectors: Vec::new(),
            provinces: BTreeMap::new(),
            regions: BTreeMap::new(),
            typical_usd_minor: 0,
            years: (part.year, part.year),
        });
        profile.items += 1;
        profile.recent_items += w;
        profile.years = (profile.years.0.min(part.year), profile.years.1.max(part.year));
        let total: i64 = part.sectors.values().sum();
        let known: Vec<(VnSector, i64)> = part.sectors.iter().filter_map(|(s, m)| s.map(|s| (s, *m))).collect();
        for (sector, money) in &known {
            // An item without money still says what its organisation works on: its sectors share equally.
            let share = if total > 0 { *money as f64 / total as f64 } else { 1.0 / known.len() as f64 };
            *profile.sectors.entry(*sector).or_default() += w * share;
        }
        profile.item_sectors.push(known.iter().map(|(s, _)| *s).collect());
        for p in part.provinces {
            let e = profile.provinces.entry(p).or_insert((0, part.year));
            e.0 += 1;
            e.1 = e.1.max(part.year);
        }
        for r in part.regions {
            let e = profile.regions.entry(r).or_insert((0, part.year));
            e.0 += 1;
            e.1 = e.1.max(part.year);
        }
        sizes.entry(org).or_default().push(part.usd_minor);
    }
    for (org, profile) in &mut out {
        let sum: f64 = profile.sectors.values().sum();
        if sum > 0.0 {
            profile.sectors.values_mut().for_each(|v| *v /= sum);
        }
        if let Some(list) = sizes.get_mut(org) {
            list.sort_unstable();
            profile.typical_usd_minor = list[list.len() / 2];
        }
    }
    out
}

/// Ranks the organisations with a profile for `need`, best first (ties by organisation id).
pub fn rank(
    need: &Need,
    profiles: &BTreeMap<i64, Profile>,
    registrations: &[Registration],
    reference_year: i32,
) -> Vec<Candidate> {
    let mut by_org: BTreeMap<i64, &Registration> = BTreeMap::new();
    for r in registrations {
        // The certificate that covers the province, else the one valid longest.
        let covers = |r: &Registration| need.province.as_ref().is_some_and(|p| r.provinces.contains(p));
        let better = match by_org.get(&r.organisation) {
            None => true,
            Some(old) => (covers(r), r.valid_to) > (covers(old), old.valid_to),
        };
        if better {
            by_org.insert(r.organisation, r);
        }
    }
    let most_recent = profiles.values().map(|p| p.recent_items).fold(0.0_f64, f64::max);
    let mut out: Vec<Candidate> = profiles
        .values()
        .map(|p| score(need, p, by_org.get(&p.organisation).copied(), most_recent, reference_year))
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.organisation.cmp(&b.organisation)));
    out
}

/// The reverse of [`rank`]: the needs (proposals) ranked for one organisation, best first, each with the
/// organisation's candidate for it (score and reasons) and its position among all organisations ranked for that
/// need (1 = the best fit of all). Ties keep the order the needs were given in. An organisation with no profile
/// (nothing funded) gets nothing: there is no evidence to rank with.
pub fn rank_needs(
    organisation: i64,
    needs: &[Need],
    profiles: &BTreeMap<i64, Profile>,
    registrations: &[Registration],
    reference_year: i32,
) -> Vec<(usize, usize, Candidate)> {
    if !profiles.contains_key(&organisation) {
        return Vec::new();
    }
    let mut out: Vec<(usize, usize, Candidate)> = needs
        .iter()
        .enumerate()
        .filter_map(|(i, need)| {
            let ranked = rank(need, profiles, registrations, reference_year);
            let position = ranked.iter().position(|c| c.organisation == organisation)?;
            ranked.into_iter().nth(position).map(|c| (i, position + 1, c))
        })
        .collect();
    out.sort_by(|a, b| b.2.score.total_cmp(&a.2.score).then(a.0.cmp(&b.0)));
    out
}

fn score(
    need: &Need,
    p: &Profile,
    registration: Option<&Registration>,
    most_recent: f64,
    reference_year: i32,
) -> Candidate {
    let mut reasons = Vec::new();

    // Sector: cosine between what is needed and what the organisation funds.
    let need_norm = need.sectors.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
    let have_norm = p.sectors.values().map(|w| w * w).sum::<f64>().sqrt();
    let dot: f64 = need.sectors.iter().map(|(s, w)| w * p.sectors.get(s).copied().unwrap_or(0.0)).sum();
    let sector = if need_norm > 0.0 && have_norm > 0.0 { dot / (need_norm * have_norm) } else { 0.0 };
    let mut fitting: Vec<(VnSector, f64)> =
        need.sectors.iter().filter_map(|(s, _)| p.sectors.get(s).filter(|v| **v > 0.0).map(|v| (*s, *v))).collect();
    fitting.sort_by(|a, b| b.1.total_cmp(&a.1));
    if !fitting.is_empty() {
        let share: f64 = fitting.iter().map(|(_, v)| v).sum();
        let items = p.item_sectors.iter().filter(|set| fitting.iter().any(|(f, _)| set.contains(f))).count();
        reasons.push((
            WEIGHTS.sector * sector,
            Reason::SectorFit {
                percent: (share * 100.0).round() as i64,
                items,
                sectors: fitting.iter().map(|(s, _)| *s).collect(),
            },
        ));
    }

    // Place: the province itself, or its region at a lower weight; recent work counts more.
    let in_province = need.province.as_ref().and_then(|c| p.provinces.get(c));
    let in_region = need.region.as_ref().and_then(|c| p.regions.get(c));
    let place = match (in_province, in_region) {
        (Some(&(items, last)), _) => {
            let s = recency(last, reference_year);
            reasons.push((WEIGHTS.place * s, Reason::SameProvince { items, last_year: last }));
            s
        }
        (None, Some(&(items, last))) => {
            let s = 0.4 * recency(last, reference_year);
            reasons.push((WEIGHTS.place * s, Reason::SameRegion { items, last_year: last }));
            s
        }
        _ => 0.0,
    };

    // Activity: recent items against the most active organisation.
    let activity = if most_recent > 0.0 { p.recent_items / most_recent } else { 0.0 };
    reasons.push((
        WEIGHTS.activity * activity,
        Reason::Activity { items: p.items, from_year: p.years.0, to_year: p.years.1 },
    ));

    // Size: 1 when the typical item equals the budget, 0 when they are ten times apart.
    let size = match need.budget_usd_minor {
        Some(budget) if budget > 0 && p.typical_usd_minor > 0 => {
            let ratio = (p.typical_usd_minor as f64 / budget as f64).ln().abs() / 10_f64.ln();
            let s = (1.0 - ratio).max(0.0);
            reasons.push((
                WEIGHTS.size * s,
                Reason::TypicalSize { typical_usd_minor: p.typical_usd_minor, budget_usd_minor: budget },
            ));
            s
        }
        _ => 0.0,
    };

    // Registration: a valid certificate naming the province counts fully, one for elsewhere a little.
    let registration = match registration {
        Some(r) => {
            let covers = need.province.as_ref().is_some_and(|c| r.provinces.contains(c));
            let s = if covers { 1.0 } else { 0.3 };
            reasons
                .push((WEIGHTS.registration * s, Reason::Registered { valid_to: r.valid_to, covers_province: covers }));
            s
        }
        None => 0.0,
    };

    let parts = [sector, place, activity, size, registration];
    let w = WEIGHTS;
    let total =
        w.sector * sector + w.place * place + w.activity * activity + w.size * size + w.registration * registration;
    reasons.sort_by(|a, b| b.0.total_cmp(&a.0));
    Candidate {
        organisation: p.organisation,
        score: total,
        parts,
        reasons: reasons.into_iter().map(|(_, r)| r).collect(),
    }
}

/// Baseline 1: the most active organisations overall (items funded, then id).
pub fn rank_by_activity(profiles: &BTreeMap<i64, Profile>) -> Vec<i64> {
    let mut list: Vec<&Profile> = profiles.values().collect();
    list.sort_by(|a, b| b.items.cmp(&a.items).then(a.organisation.cmp(&b.organisation)));
    list.into_iter().map(|p| p.organisation).collect()
}

/// Baseline 2: the most active organisations in the province (items there, then items overall, then id).
pub fn rank_by_activity_in(profiles: &BTreeMap<i64, Profile>, province: Option<&str>) -> Vec<i64> {
    let there = |p: &Profile| province.and_then(|c| p.provinces.get(c)).map(|e| e.0).unwrap_or(0);
    let mut list: Vec<&Profile> = profiles.values().collect();
    list.sort_by(|a, b| there(b).cmp(&there(a)).then(b.items.cmp(&a.items)).then(a.organisation.cmp(&b.organisation)));
    list.into_iter().map(|p| p.organisation).collect()
}

/// Hit rates and mean reciprocal rank over backtest cases.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct BacktestScore {
    /// Cases scored.
    pub cases: usize,
    /// Cases with a true funder among the first 5.
    pub hits_at_5: usize,
    /// … among the first 10.
    pub hits_at_10: usize,
    /// Sum of 1 / rank of the first true funder (0 when absent).
    pub reciprocal_rank_sum: f64,
}

impl BacktestScore {
    /// Adds one case: a ranking and the organisations that really funded the item.
    pub fn add(&mut self, ranking: &[i64], funders: &BTreeSet<i64>) {
        self.cases += 1;
        if let Some(position) = ranking.iter().position(|o| funders.contains(o)) {
            let rank = position + 1;
            self.hits_at_5 += usize::from(rank <= 5);
            self.hits_at_10 += usize::from(rank <= 10);
            self.reciprocal_rank_sum += 1.0 / rank as f64;
        }
    }

    /// Hit rate at 5, 0 to 1.
    pub fn hit_rate_at_5(&self) -> f64 {
        self.rate(self.hits_at_5)
    }

    /// Hit rate at 10, 0 to 1.
    pub fn hit_rate_at_10(&self) -> f64 {
        self.rate(self.hits_at_10)
    }

    /// Mean reciprocal rank, 0 to 1.
    pub fn mean_reciprocal_rank(&self) -> f64 {
        if self.cases == 0 { 0.0 } else { self.reciprocal_rank_sum / self.cases as f64 }
    }

    fn rate(&self, hits: usize) -> f64 {
        if self.cases == 0 { 0.0 } else { hits as f64 / self.cases as f64 }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn record(org: i64, item: i64, year: i32, sector: VnSector, province: &str, usd: i64) -> FundingRecord {
        FundingRecord {
            organisation: org,
            item,
            year,
            sector: Some(sector),
            province: Some(province.to_owned()),
            region: Some(if province == "04" || province == "20" { "north" } else { "south" }.to_owned()),
            usd_minor: usd,
        }
    }

    fn need(sector: VnSector, province: &str) -> Need {
        Need {
            sectors: vec![(sector, 1.0)],
            province: Some(province.to_owned()),
            region: Some("north".to_owned()),
            budget_usd_minor: Some(10_000_000),
        }
    }

    #[test]
    fn an_organisation_that_funded_the_sector_in_the_province_ranks_first() {
        let records = vec![
            record(1, 10, 2018, VnSector::Health, "04", 10_000_000),
            record(2, 11, 2018, VnSector::EducationTraining, "04", 10_000_000),
            record(2, 12, 2019, VnSector::EducationTraining, "79", 10_000_000),
            record(3, 13, 2019, VnSector::Health, "79", 10_000_000),
        ];
        let ranked = rank(&need(VnSector::Health, "04"), &profiles(&records, 2020), &[], 2020);
        let order: Vec<i64> = ranked.iter().map(|c| c.organisation).collect();
        assert_eq!(order, vec![1, 3, 2]);
        assert!(matches!(ranked[0].reasons[0], Reason::SectorFit { percent: 100, items: 1, .. }));
        assert!(ranked[0].reasons.iter().any(|r| matches!(r, Reason::SameProvince { items: 1, last_year: 2018 })));
    }

    #[test]
    fn the_proposals_an_organisation_fits_best_come_first_with_its_place_among_all() {
        let records = vec![
            record(1, 10, 2018, VnSector::Health, "04", 10_000_000),
            record(1, 11, 2019, VnSector::Health, "04", 10_000_000),
            record(2, 12, 2019, VnSector::EducationTraining, "04", 10_000_000),
        ];
        let needs = [need(VnSector::EducationTraining, "04"), need(VnSector::Health, "04")];
        let ranked = rank_needs(1, &needs, &profiles(&records, 2020), &[], 2020);
        let order: Vec<(usize, usize)> = ranked.iter().map(|(i, position, _)| (*i, *position)).collect();
        assert_eq!(order, vec![(1, 1), (0, 2)], "health first, where it is the best fit; education second of two");
        assert!(rank_needs(9, &needs, &profiles(&records, 2020), &[], 2020).is_empty(), "no evidence, no list");
    }

    #[test]
    fn older_work_weighs_less_than_recent_work() {
        assert!((recency(2020, 2020) - 1.0).abs() < 1e-9);
        assert!((recency(2017, 2020) - 0.5).abs() < 1e-9);
        let records =
            vec![record(1, 10, 2010, VnSector::Health, "79", 1), record(1, 11, 2020, VnSector::Environment, "79", 1)];
        let p = &profiles(&records, 2020)[&1];
        assert!(p.sectors[&VnSector::Environment] > p.sectors[&VnSector::Health]);
    }

    #[test]
    fn a_certificate_naming_the_province_counts_more_than_one_for_elsewhere() {
        let records = vec![
            record(1, 10, 2018, VnSector::Health, "79", 10_000_000),
            record(2, 11, 2018, VnSector::Health, "79", 10_000_000),
        ];
        let cert = |org: i64, province: &str| Registration {
            organisation: org,
            valid_to: NaiveDate::from_ymd_opt(2022, 1, 1).unwrap(),
            provinces: [province.to_owned()].into(),
            sectors: BTreeSet::new(),
        };
        let ranked =
            rank(&need(VnSector::Health, "04"), &profiles(&records, 2020), &[cert(1, "79"), cert(2, "04")], 2020);
        assert_eq!(ranked[0].organisation, 2);
    }

    #[test]
    fn the_backtest_score_counts_hits_and_reciprocal_ranks() {
        let mut s = BacktestScore::default();
        s.add(&[5, 6, 7], &[6].into());
        s.add(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], &[11].into());
        s.add(&[1], &[2].into());
        assert_eq!((s.cases, s.hits_at_5, s.hits_at_10), (3, 1, 1));
        assert!((s.mean_reciprocal_rank() - (0.5 + 1.0 / 11.0) / 3.0).abs() < 1e-9);
    }

    #[test]
    fn the_baselines_rank_by_items_overall_and_in_the_province() {
        let records = vec![
            record(1, 10, 2018, VnSector::Health, "79", 1),
            record(1, 11, 2018, VnSector::Health, "79", 1),
            record(2, 12, 2018, VnSector::Health, "04", 1),
        ];
        let p = profiles(&records, 2020);
        assert_eq!(rank_by_activity(&p), vec![1, 2]);
        assert_eq!(rank_by_activity_in(&p, Some("04")), vec![2, 1]);
    }
}
