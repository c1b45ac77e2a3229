//! The national picture (FACTS N1–N3): the certificates of every foreign NGO of the data set, NGOs that only
//! make up the national count, and large items spread over the other provinces that top the provinces' aid
//! up to the national yearly totals.
//!
//! The figures are the constants below. It runs last: each year's top-up is the national total less what the
//! provinces loaded before already disbursed (read back from the stored flows, so converted amounts count
//! exactly), split over the items running that year by fixed-seed weights. The provinces whose own figures are
//! exact (Cao Bằng, Bắc Kạn, old Thái Nguyên, Lạng Sơn, Quảng Ninh) get none of it. Items touching a year with
//! a figure are in USD; a few others are in EUR or GBP. Only the demo loader may use this module.

use chrono::{Days, Months};
use vientro_domain::admin_units::{AdminUnits, ProvinceCode, UnitSet};
use vientro_domain::certificate::CertificateInput;
use vientro_domain::ids::OrganisationId;
use vientro_domain::organisation::OrganisationInput;

use super::builder::{Day, Item, Loader, Money, NgoRecord, Place, Tenure, internal, split, vary};
use super::names;
use crate::ServiceError;

/// FACTS N1: foreign NGOs operating in Việt Nam, each holding an operation certificate valid on …
const CERTIFIED_NGOS: usize = 504;
/// … this day (the conference on 2019 met in March 2020).
const CERTIFIED_ON: Day = Day(2019, 12, 31);
/// FACTS N2 and N3: aid disbursed nationwide, USD: 2019 about 262 million, 24 million less than 2018.
const DISBURSED_USD: [(i32, i64); 2] = [(2018, 286_100_000), (2019, 262_100_000)];
/// Illustrative (no figure in the articles): aid disbursed nationwide in the other years, USD.
const OTHER_YEARS_DISBURSED_USD: [(i32, i64); 9] = [
    (2014, 268_000_000),
    (2015, 279_000_000),
    (2016, 291_000_000),
    (2017, 297_000_000),
    (2020, 243_000_000),
    (2021, 236_000_000),
    (2022, 241_000_000),
    (2023, 248_000_000),
    (2024, 252_000_000),
];

/// Illustrative: national items starting each year from the first to the last start year …
const ITEMS_PER_START_YEAR: usize = 12;
/// … the first start year …
const FIRST_START_YEAR: i32 = 2012;
/// … the last start year …
const LAST_START_YEAR: i32 = 2024;
/// … and how many years each runs.
const ITEM_YEARS: i32 = 3;
/// Illustrative: the NGOs that fund them, and international organisations that co-fund some.
const NATIONAL_NGOS: usize = 60;
/// Illustrative: international organisations co-funding every tenth national item.
const INTERNATIONAL_ORGS: usize = 3;
/// Illustrative: an item's commitment as a percentage of what it disburses.
const COMMITTED_PERCENT: i64 = 105;
/// Provinces (codes before 2025) with exact figures of their own, kept out of the top-up.
const KEEP_OUT: [&str; 5] = ["04", "06", "19", "20", "22"];
/// Illustrative (FACTS C8: Cao Bằng is among the first 20 provinces by aid and the first 4 of its region):
/// provinces (codes before 2025) where most of the nation's NGO aid goes; one national item in three goes
/// elsewhere, with a small weight.
const HUBS: [&str; 17] =
    ["01", "79", "46", "45", "44", "48", "49", "40", "38", "42", "14", "11", "89", "92", "66", "64", "31"];
/// Illustrative: the weight range of an item in a hub province (an item elsewhere weighs 1).
const HUB_WEIGHT: (i64, i64) = (20, 40);
/// The data set's last day of money (vendored VND rates end in 2024).
const LAST_MONEY_DAY: Day = Day(2024, 12, 31);

/// A province code and its name as written inside a sentence.
type Province = (String, String);

/// A national item before its money is known.
struct Plan {
    item: Item,
    years: Vec<i32>,
    weight_seed: u64,
    hub: bool,
    currency: &'static str,
    index: usize,
}

/// Loads the national data: top-up items, filler NGOs and every NGO's certificates.
pub(super) async fn load(loader: &mut Loader) -> Result<(), ServiceError> {
    let units = AdminUnits::embedded();
    let provinces: Vec<(String, String)> = units
        .provinces(UnitSet::Pre2025)
        .iter()
        .filter(|p| !KEEP_OUT.contains(&p.code.as_str()))
        .map(|p| (p.code.as_str().to_owned(), vientro_domain::text::lower_first(&p.name)))
        .collect();
    let (hubs, elsewhere): (Vec<Province>, Vec<Province>) =
        provinces.iter().cloned().partition(|(code, _)| HUBS.contains(&code.as_str()));
    if hubs.is_empty() || elsewhere.is_empty() {
        return Err(internal("no provinces to spread the national items over"));
    }

    let mut ngos: Vec<(OrganisationId, usize)> = Vec::with_capacity(NATIONAL_NGOS);
    for _ in 0..NATIONAL_NGOS {
        let id = loader.invented_ngo(Tenure::Throughout, false).await?;
        ngos.push((id, loader.last_name_number()));
    }
    let mut internationals = Vec::with_capacity(INTERNATIONAL_ORGS);
    for k in 1..=INTERNATIONAL_ORGS {
        let (name, name_vi) = names::international(k);
        internationals.push(
            loader
                .organisation(OrganisationInput {
                    kind: "international_org".into(),
                    name,
                    name_vi: Some(name_vi),
                    country: Some(names::country(k + 3).into()),
                    ..Default::default()
                })
                .await?,
        );
    }

    // Yearly targets and what the provinces already disbursed.
    let mut targets: Vec<(i32, i64)> = DISBURSED_USD.iter().chain(OTHER_YEARS_DISBURSED_USD.iter()).copied().collect();
    targets.sort_unstable();
    let exact_years: Vec<i32> = DISBURSED_USD.iter().map(|(y, _)| *y).collect();

    let mut plans: Vec<Plan> = Vec::new();
    for s in FIRST_START_YEAR..=LAST_START_YEAR {
        for k in 0..ITEMS_PER_START_YEAR {
            let i = plans.len();
            let n = loader.next_number();
            let (donor, theme_number) = ngos[(i * 7) % ngos.len()];
            let theme = names::theme(theme_number);
            let e = s + ITEM_YEARS - 1;
            let years: Vec<i32> =
                (s..=e).filter(|y| targets.iter().any(|(t, _)| t == y) && *y <= LAST_MONEY_DAY.0).collect();
            let currency = if years.iter().any(|y| exact_years.contains(y)) || i % 4 != 1 {
                "USD"
            } else if i % 8 == 1 {
                "EUR"
            } else {
                "GBP"
            };
            let hub = i % 3 != 2;
            let pool = if hub { &hubs } else { &elsewhere };
            let (code, name) = &pool[(i * 7 + k) % pool.len()];
            let mut places = vec![Place::province(code)];
            let mut where_ = name.clone();
            if i % 7 == 3 {
                let (code2, name2) = &pool[(i * 7 + k + 1) % pool.len()];
                places = vec![Place::province(code).share(50), Place::province(code2).share(50)];
                where_ = format!("{name} và {name2}");
            }
            let donors = if i % 10 == 5 {
                vec![(donor, 60), (internationals[i % internationals.len()], 40)]
            } else {
                vec![(donor, 100)]
            };
            let level = if i.is_multiple_of(3) { "central_ministry" } else { "province" };
            plans.push(Plan {
                item: Item {
                    code: format!("MH-QG-{n:04}"),
                    title: format!("{} tại {where_} ({s}–{e})", theme.title),
                    kind: if i % 9 == 4 { "programme" } else { "project" },
                    donors,
                    status: if e >= 2026 { "implementing" } else { "completed" },
                    decision_number: names::decision_number(n, level, theme.sectors[0]),
                    decision: Day(s, 1 + (i % 2) as u32, 5 + (i % 20) as u32),
                    level,
                    start: Day(s, 2, 25),
                    end: Day(e, 12, 20),
                    sectors: vec![(theme.sectors[0].to_owned(), 60), (theme.sectors[1].to_owned(), 40)],
                    places,
                    ..Default::default()
                },
                years,
                weight_seed: 2_000 + i as u64,
                hub,
                currency,
                index: i,
            });
        }
    }

    // Each year's top-up, split over the items running that year.
    let mut money: Vec<Vec<(Money, Day, i64)>> = plans.iter().map(|_| Vec::new()).collect();
    for &(y, target) in &targets {
        let already = loader.usd_cents(Money::Disbursement, Day(y, 1, 1), Day(y, 12, 31), None).await?;
        let top_up = target * 100 - already;
        let running: Vec<usize> = (0..plans.len()).filter(|&p| plans[p].years.contains(&y)).collect();
        if top_up <= 0 || running.is_empty() {
            return Err(internal(format!("national: nothing left to top up in {y}")));
        }
        let weights: Vec<i64> = running
            .iter()
            .map(|&p| {
                let (lo, hi) = if plans[p].hub { HUB_WEIGHT } else { (1, 1) };
                vary(plans[p].weight_seed ^ ((y as u64) << 20), lo, hi)
            })
            .collect();
        for (&p, cents) in running.iter().zip(split(top_up, &weights)) {
            let i = plans[p].index as u32;
            let halves = split(cents, &[1, 1]);
            money[p].push((Money::Disbursement, Day(y, 4 + i % 3, 10 + i % 15), halves[0]));
            money[p].push((Money::Disbursement, Day(y, 9 + i % 3, 10 + i % 15), halves[1]));
        }
    }

    for (plan, mut flows) in plans.into_iter().zip(money) {
        let commit_on = Day(plan.item.start.0, 3, 1);
        let disbursed: i64 = flows.iter().map(|f| f.2).sum();
        flows.insert(0, (Money::Commitment, commit_on, disbursed * COMMITTED_PERCENT / 100));
        if plan.currency != "USD" {
            for f in &mut flows {
                f.2 = loader.usd_in(f.2, plan.currency, f.1)?;
            }
        }
        let id = loader.item(plan.item).await?;
        loader.flows(id, plan.currency, &flows).await?;
    }

    // FACTS N1: NGOs that only make up the national count.
    let certified = loader.ngos().iter().filter(|r| r.tenure == Tenure::Throughout).count();
    let filler = CERTIFIED_NGOS
        .checked_sub(certified)
        .ok_or_else(|| internal("national: more NGOs operating in 2019 than N1 allows"))?;
    for _ in 0..filler {
        loader.invented_ngo(Tenure::Throughout, true).await?;
    }

    let records: Vec<NgoRecord> = loader.ngos().to_vec();
    for (r, record) in records.iter().enumerate() {
        certificates(loader, r, record, &provinces).await?;
    }
    Ok(())
}

/// The day before the same day `years` later: the last day of a certificate of that many years.
fn years_later_less_a_day(from: Day, years: u32) -> Result<Day, ServiceError> {
    let d = from
        .date()?
        .checked_add_months(Months::new(12 * years))
        .and_then(|d| d.checked_sub_days(Days::new(1)))
        .ok_or_else(|| internal("a certificate's last day is out of range"))?;
    Ok(Day(chrono::Datelike::year(&d), chrono::Datelike::month(&d), chrono::Datelike::day(&d)))
}

/// The day after `d`.
fn next_day(d: Day) -> Result<Day, ServiceError> {
    let n = d.date()?.checked_add_days(Days::new(1)).ok_or_else(|| internal("a day is out of range"))?;
    Ok(Day(chrono::Datelike::year(&n), chrono::Datelike::month(&n), chrono::Datelike::day(&n)))
}

/// Gives NGO number `r` its operation certificates: for one operating throughout, a certificate valid on
/// 31/12/2019 (with, for most, the one before and the renewal after); for one that left, a certificate that ran
/// out before; for a newcomer, one from its arrival.
async fn certificates(
    loader: &mut Loader,
    r: usize,
    record: &NgoRecord,
    provinces: &[(String, String)],
) -> Result<(), ServiceError> {
    let mut where_: Vec<String> = record.provinces.iter().cloned().collect();
    if where_.is_empty() {
        where_ = vec![provinces[r % provinces.len()].0.clone(), provinces[(r * 13 + 5) % provinces.len()].0.clone()];
    }
    let mut periods: Vec<(Day, Day, &'static str)> = Vec::new();
    match record.tenure {
        Tenure::Throughout => {
            let from = Day(2017 + (r % 3) as i32, 1 + (r * 5 % 12) as u32, 1 + (r * 7 % 28) as u32);
            let to = years_later_less_a_day(from, 3)?;
            if from > CERTIFIED_ON || to < CERTIFIED_ON {
                return Err(internal("national: a certificate does not cover the N1 day"));
            }
            if !record.filler || r.is_multiple_of(4) {
                let before = Day(from.0 - 3, from.1, from.2);
                periods.push((before, years_later_less_a_day(before, 3)?, "expired"));
            }
            periods.push((from, to, "expired"));
            if !record.filler || r.is_multiple_of(3) {
                let renewal = next_day(to)?;
                let renewal_to = years_later_less_a_day(renewal, 3)?;
                periods.push((renewal, renewal_to, "expired"));
                // NGOs with aid in the data set are still operating today (under Decree 58/2022).
                if !record.filler {
                    let again = next_day(renewal_to)?;
                    periods.push((again, years_later_less_a_day(again, 3)?, "active"));
                }
            }
        }
        Tenure::LeftAfter(year) => {
            let from = Day(year - 2, 4, 1);
            let to = years_later_less_a_day(from, 3)?;
            if to >= CERTIFIED_ON {
                return Err(internal("national: an NGO that left still holds a certificate on the N1 day"));
            }
            periods.push((from, to, "expired"));
        }
        Tenure::ArrivedIn(year) => {
            let from = Day(year, 2, 1);
            if from <= CERTIFIED_ON {
                return Err(internal("national: a newcomer arrived before the N1 day"));
            }
            periods.push((from, years_later_less_a_day(from, 3)?, "active"));
        }
    }
    let units = AdminUnits::embedded();
    for (from, to, status) in periods {
        let number = loader.next_number();
        // Permitted provinces are written in the units in force when the certificate starts.
        let mut permitted: Vec<String> = Vec::new();
        for code in &where_ {
            let code = match UnitSet::for_date(from.date()?) {
                UnitSet::Pre2025 => code.clone(),
                UnitSet::From2025 => {
                    units.current_province_code(&ProvinceCode::parse(code)?, UnitSet::Pre2025).as_str().to_owned()
                }
            };
            if !permitted.contains(&code) {
                permitted.push(code);
            }
        }
        loader
            .certificate(
                record.id,
                CertificateInput {
                    kind: "operation".into(),
                    number: format!("{number:05}/MH-CNV-HĐ"),
                    issued_on: from.iso(),
                    valid_to: to.iso(),
                    status: Some(status.into()),
                    provinces: permitted,
                    sectors: record.sectors.clone(),
                    ..Default::default()
                },
            )
            .await?;
    }
    Ok(())
}
