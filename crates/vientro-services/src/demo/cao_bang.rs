//! Cao Bằng (province 04, unchanged by the 2025 reform): the donors, items and flows behind FACTS C1, C3–C7,
//! C11 and C12, 2011–2021.
//!
//! The figures are the constants below. A pool of donors is active in a year when its index is below that
//! year's donor count; each NGO's active years are cut into three-year project phases, with a commitment and
//! two disbursements (first and second half) per year; extra one-off non-project items make up the approval
//! count of C7 and the 2021 item count of C4. Each year's totals are split over its items by fixed-seed
//! weights, with the remainder on the last item. Only the demo loader may use this module.

use vientro_domain::ids::{AidItemId, OrganisationId};
use vientro_domain::organisation::OrganisationInput;

use super::builder::{Day, Item, Loader, Money, Place, Tenure, internal, split, vary};
use super::names;
use crate::ServiceError;

/// Cao Bằng's province code.
const PROVINCE: &str = "04";

/// FACTS C1 and C11: donors (organisations and individuals) with aid flowing in Cao Bằng each year. 2011–2016
/// add up to 126 (yearly average 21), 2016–2020 to 85 (yearly average 17).
const DONORS_BY_YEAR: [(i32, usize); 10] = [
    (2011, 21),
    (2012, 21),
    (2013, 21),
    (2014, 21),
    (2015, 22),
    (2016, 20),
    (2017, 17),
    (2018, 16),
    (2019, 16),
    (2020, 16),
];
/// FACTS C3: foreign NGOs funding activities in 2021 …
const NGOS_2021: usize = 10;
/// … and one foreign representative agency (an embassy), here with this many non-project items.
const EMBASSY_ITEMS_2021: usize = 2;
/// FACTS C4: projects and non-project items with aid flowing in 2021.
const ITEMS_2021: usize = 28;
/// FACTS C5: committed in 2021, USD.
const COMMITTED_2021_USD: i64 = 1_441_700;
/// FACTS C6: disbursed in 2021, USD (88,33 % of C5).
const DISBURSED_2021_USD: i64 = 1_273_388;
/// FACTS C7: projects and non-project items approved in 2016–2021.
const APPROVED_2016_2021: usize = 59;
/// FACTS C11 (2011–2016 add up to 17.400.000, a yearly average of 2,9 million) and C2 (2–3 million a year in
/// 2016–2020; 2016 is above because its first half alone is C12): disbursed per year, USD.
const DISBURSED_BY_YEAR_USD: [(i32, i64); 10] = [
    (2011, 2_600_000),
    (2012, 2_750_000),
    (2013, 2_800_000),
    (2014, 2_850_000),
    (2015, 2_900_000),
    (2016, 3_500_000),
    (2017, 2_900_000),
    (2018, 2_700_000),
    (2019, 2_500_000),
    (2020, 2_300_000),
];
/// FACTS C12: disbursed in the first six months of 2016, USD.
const DISBURSED_2016_H1_USD: i64 = 3_033_296;

/// Illustrative: the last donors of the pool are individuals (C1 counts "organisations and individuals").
const INDIVIDUALS: usize = 2;
/// Illustrative: an NGO's projects run in phases of this many years.
const PHASE_YEARS: i32 = 3;
/// Illustrative: a year's commitments as a percentage of its disbursements (2021 has its own figure, C5).
const COMMITTED_PERCENT: i64 = 108;
/// Illustrative: the share of a year's disbursements paid in its first half, in per cent (2016: C12).
const FIRST_HALF_PERCENT: i64 = 45;
/// Districts (codes before 2025) where the items are carried out.
const DISTRICTS: [(&str, &str); 10] = [
    ("040", "thành phố Cao Bằng"),
    ("042", "huyện Bảo Lâm"),
    ("043", "huyện Bảo Lạc"),
    ("045", "huyện Hà Quảng"),
    ("047", "huyện Trùng Khánh"),
    ("048", "huyện Hạ Lang"),
    ("049", "huyện Quảng Hòa"),
    ("051", "huyện Hoà An"),
    ("052", "huyện Nguyên Bình"),
    ("053", "huyện Thạch An"),
];

const FIRST_YEAR: i32 = 2011;
const LAST_YEAR: i32 = 2021;

/// True when pool donor `d` funds activities in year `y`.
fn active(d: usize, y: i32) -> bool {
    if y == LAST_YEAR {
        return d < NGOS_2021;
    }
    DONORS_BY_YEAR.iter().any(|&(year, n)| year == y && d < n)
}

/// One year of one item: its commitment and its disbursements in either half, and the weight it gets of the
/// year's totals.
struct Slot {
    year: i32,
    weight: i64,
    commit: Day,
    first_half: Option<Day>,
    second_half: Option<Day>,
}

/// Which payment day of a slot a half-year total goes to.
type DayOf = fn(&Slot) -> Option<Day>;

struct Plan {
    item: Item,
    slots: Vec<Slot>,
}

struct Donor {
    id: OrganisationId,
    theme: usize,
    individual: bool,
}

fn title_years(s: i32, e: i32) -> String {
    if s == e { format!("{s}") } else { format!("{s}–{e}") }
}

/// Loads Cao Bằng.
pub(super) async fn load(loader: &mut Loader) -> Result<(), ServiceError> {
    let agency = loader
        .organisation(OrganisationInput {
            kind: "vn_managing_agency".into(),
            name: "Ủy ban nhân dân tỉnh Cao Bằng".into(),
            acronym: Some("UBND tỉnh Cao Bằng".into()),
            province: Some(PROVINCE.into()),
            ..Default::default()
        })
        .await?;

    // The donor pool.
    let pool = DONORS_BY_YEAR.iter().map(|&(_, n)| n).max().unwrap_or(0).max(NGOS_2021);
    let mut donors = Vec::with_capacity(pool);
    for d in 0..pool {
        let individual = d >= pool.saturating_sub(INDIVIDUALS);
        if individual {
            let (name, name_vi) = names::individual(d + 1 - (pool - INDIVIDUALS));
            let id = loader
                .organisation(OrganisationInput {
                    kind: "individual".into(),
                    name,
                    name_vi: Some(name_vi),
                    country: Some(names::country(d).into()),
                    ..Default::default()
                })
                .await?;
            donors.push(Donor { id, theme: d, individual });
            continue;
        }
        let last = (FIRST_YEAR..=LAST_YEAR).filter(|&y| active(d, y)).max().unwrap_or(FIRST_YEAR);
        let tenure = if last >= 2020 { Tenure::Throughout } else { Tenure::LeftAfter(last) };
        let id = loader.invented_ngo(tenure, false).await?;
        donors.push(Donor { id, theme: loader.last_name_number(), individual });
    }
    if NGOS_2021 > pool - INDIVIDUALS {
        return Err(internal("Cao Bằng: more NGOs in 2021 than NGOs in the pool"));
    }
    let (name, name_vi) = names::embassy(1);
    let embassy = loader
        .organisation(OrganisationInput {
            kind: "foreign_agency".into(),
            name,
            name_vi: Some(name_vi),
            country: Some("NZ".into()),
            ..Default::default()
        })
        .await?;

    let mut plans: Vec<Plan> = Vec::new();

    // Phases of each donor's active years.
    for (d, donor) in donors.iter().enumerate() {
        let years: Vec<i32> = (FIRST_YEAR..=LAST_YEAR).filter(|&y| active(d, y)).collect();
        let mut phases: Vec<(i32, i32)> = Vec::new();
        for y in years {
            match phases.last_mut() {
                Some((_, e)) if *e + 1 == y && !donor.individual && (y + d as i32) % PHASE_YEARS != 0 => *e = y,
                _ => phases.push((y, y)),
            }
        }
        for (s, e) in phases {
            let n = loader.next_number();
            let theme = names::theme(donor.theme);
            let (district, district_name) = DISTRICTS[(d + s as usize) % DISTRICTS.len()];
            let seed = ((d as u64) << 16) | s as u64;
            let (item, slots) = if donor.individual {
                let (title, sector) = names::non_project(d + s as usize);
                let decision = Day(s, 3, 5 + (d % 10) as u32);
                let item = Item {
                    code: format!("MH-CB-{n:04}"),
                    title: format!("{title} tại {district_name}, tỉnh Cao Bằng ({s})"),
                    kind: "non_project",
                    managing_agency: Some(agency),
                    donors: vec![(donor.id, 100)],
                    status: "completed",
                    decision_number: names::decision_number(n, "province", sector),
                    decision,
                    level: "province",
                    start: decision,
                    end: Day(s, 11, 28),
                    sectors: vec![(sector.to_owned(), 100)],
                    places: vec![Place::district(PROVINCE, district)],
                    ..Default::default()
                };
                let slot = Slot {
                    year: s,
                    weight: vary(seed, 1, 3),
                    commit: Day(s, 3, 20 + (d % 5) as u32),
                    first_half: Some(Day(s, 5, 10)),
                    second_half: Some(Day(s, 10, 10)),
                };
                (item, vec![slot])
            } else {
                let level = if (d + s as usize).is_multiple_of(6) { "central_ministry" } else { "province" };
                let sectors = if (d + s as usize).is_multiple_of(2) {
                    vec![(theme.sectors[0].to_owned(), 70), (theme.sectors[1].to_owned(), 30)]
                } else {
                    vec![(theme.sectors[0].to_owned(), 100)]
                };
                let item = Item {
                    code: format!("MH-CB-{n:04}"),
                    title: format!("{} tại {district_name}, tỉnh Cao Bằng ({})", theme.title, title_years(s, e)),
                    kind: "project",
                    managing_agency: Some(agency),
                    donors: vec![(donor.id, 100)],
                    status: "completed",
                    decision_number: names::decision_number(n, level, theme.sectors[0]),
                    decision: Day(s, 1 + (d % 2) as u32, 5 + ((d * 3) % 20) as u32),
                    level,
                    start: Day(s, 3, 1),
                    end: Day(e, 12, 20),
                    sectors,
                    places: vec![Place::district(PROVINCE, district)],
                    ..Default::default()
                };
                let slots = (s..=e)
                    .map(|y| Slot {
                        year: y,
                        weight: vary(seed ^ ((y as u64) << 32), 3, 9),
                        commit: Day(y, 3, 2 + (d % 20) as u32),
                        first_half: Some(Day(y, 5, 2 + (d % 25) as u32)),
                        second_half: Some(Day(y, 10, 2 + (d % 25) as u32)),
                    })
                    .collect();
                (item, slots)
            };
            plans.push(Plan { item, slots });
        }
    }

    // How many one-off items make up C4 and C7.
    let starts = |p: &Plan| p.item.decision.0;
    let ends = |p: &Plan| p.slots.iter().map(|s| s.year).max().unwrap_or(0);
    let phases_approved_2016_2020 = plans.iter().filter(|p| (2016..=2020).contains(&starts(p))).count();
    let continuing_into_2021 = plans.iter().filter(|p| starts(p) < LAST_YEAR && ends(p) >= LAST_YEAR).count();
    let phases_from_2021 = plans.iter().filter(|p| starts(p) == LAST_YEAR).count();
    let extra_2021 = ITEMS_2021
        .checked_sub(continuing_into_2021 + phases_from_2021 + EMBASSY_ITEMS_2021)
        .ok_or_else(|| internal("Cao Bằng: more phases run in 2021 than C4 allows"))?;
    let extra_2016_2020 = APPROVED_2016_2021
        .checked_sub(phases_approved_2016_2020 + (ITEMS_2021 - continuing_into_2021))
        .ok_or_else(|| internal("Cao Bằng: more phases approved in 2016–2021 than C7 allows"))?;

    // One-off non-project items in 2016–2020, from donors active that year.
    for k in 0..extra_2016_2020 {
        let y = 2016 + (k % 5) as i32;
        let in_year = DONORS_BY_YEAR.iter().find(|&&(year, _)| year == y).map_or(0, |&(_, n)| n);
        let d = (k * 7 + 3) % in_year.max(1);
        let donor = &donors[d];
        if donor.individual {
            return Err(internal("Cao Bằng: an extra item fell on an individual"));
        }
        let (title, sector) = names::non_project(k + 3);
        let decision = Day(y, 7, 3 + (k % 20) as u32);
        let n = loader.next_number();
        let (district, district_name) = DISTRICTS[(k * 3) % DISTRICTS.len()];
        plans.push(Plan {
            item: Item {
                code: format!("MH-CB-{n:04}"),
                title: format!("{title} tại {district_name}, tỉnh Cao Bằng ({y})"),
                kind: "non_project",
                managing_agency: Some(agency),
                donors: vec![(donor.id, 100)],
                status: "completed",
                decision_number: names::decision_number(n, "province", sector),
                decision,
                level: "province",
                start: decision,
                end: Day(y, 9, 28),
                sectors: vec![(sector.to_owned(), 100)],
                places: vec![Place::district(PROVINCE, district)],
                ..Default::default()
            },
            slots: vec![Slot {
                year: y,
                weight: vary(1_000 + k as u64, 1, 3),
                commit: Day(y, 7, 4 + (k % 20) as u32),
                first_half: None,
                second_half: Some(Day(y, 8, 5 + (k % 20) as u32)),
            }],
        });
    }

    // 2021: one-off items of the NGOs still active, and the embassy's.
    let mut one_offs: Vec<(OrganisationId, usize)> = (0..extra_2021).map(|k| (donors[k % NGOS_2021].id, k)).collect();
    one_offs.extend((0..EMBASSY_ITEMS_2021).map(|e| (embassy, extra_2021 + e)));
    for (donor, k) in one_offs {
        let (title, sector) = if donor == embassy && k.is_multiple_of(2) {
            ("Trao tặng trang thiết bị y tế phòng, chống dịch COVID-19", "vn:health")
        } else {
            names::non_project(k)
        };
        let decision = Day(LAST_YEAR, 3 + (k % 6) as u32, 2 + (k % 20) as u32);
        let n = loader.next_number();
        let (district, district_name) = DISTRICTS[(k * 7) % DISTRICTS.len()];
        plans.push(Plan {
            item: Item {
                code: format!("MH-CB-{n:04}"),
                title: format!("{title} tại {district_name}, tỉnh Cao Bằng ({LAST_YEAR})"),
                kind: "non_project",
                managing_agency: Some(agency),
                donors: vec![(donor, 100)],
                status: "completed",
                decision_number: names::decision_number(n, "province", sector),
                decision,
                level: "province",
                start: decision,
                end: Day(LAST_YEAR, 12, 15),
                sectors: vec![(sector.to_owned(), 100)],
                places: vec![Place::district(PROVINCE, district)],
                ..Default::default()
            },
            slots: vec![Slot {
                year: LAST_YEAR,
                weight: vary(2_000 + k as u64, 1, 4),
                commit: Day(LAST_YEAR, 3 + (k % 6) as u32, 3 + (k % 20) as u32),
                first_half: None,
                second_half: Some(Day(LAST_YEAR, 9 + (k % 3) as u32, 5 + (k % 20) as u32)),
            }],
        });
    }

    // Each year's totals split over its slots.
    let mut amounts: Vec<Vec<(Money, Day, i64)>> = plans.iter().map(|_| Vec::new()).collect();
    for y in FIRST_YEAR..=LAST_YEAR {
        let (committed, disbursed, first_half) = if y == LAST_YEAR {
            (COMMITTED_2021_USD, DISBURSED_2021_USD, DISBURSED_2021_USD * FIRST_HALF_PERCENT / 100)
        } else {
            let t = DISBURSED_BY_YEAR_USD
                .iter()
                .find(|&&(year, _)| year == y)
                .map(|&(_, t)| t)
                .ok_or_else(|| internal(format!("Cao Bằng: no disbursement total for {y}")))?;
            let h1 = if y == 2016 { DISBURSED_2016_H1_USD } else { t * FIRST_HALF_PERCENT / 100 };
            (t * COMMITTED_PERCENT / 100, t, h1)
        };
        let in_year: Vec<(usize, &Slot)> = plans
            .iter()
            .enumerate()
            .flat_map(|(i, p)| p.slots.iter().map(move |s| (i, s)))
            .filter(|(_, s)| s.year == y)
            .collect();
        let weights: Vec<i64> = in_year.iter().map(|(_, s)| s.weight).collect();
        for ((i, s), part) in in_year.iter().zip(split(committed, &weights)) {
            amounts[*i].push((Money::Commitment, s.commit, part * 100));
        }
        let halves: [(i64, DayOf); 2] = [(first_half, |s| s.first_half), (disbursed - first_half, |s| s.second_half)];
        for (total, day_of) in halves {
            let paying: Vec<(usize, Day, i64)> =
                in_year.iter().filter_map(|(i, s)| day_of(s).map(|day| (*i, day, s.weight))).collect();
            let weights: Vec<i64> = paying.iter().map(|p| p.2).collect();
            for ((i, day, _), part) in paying.iter().zip(split(total, &weights)) {
                amounts[*i].push((Money::Disbursement, *day, part * 100));
            }
        }
    }

    for (plan, flows) in plans.into_iter().zip(amounts) {
        let id: AidItemId = loader.item(plan.item).await?;
        for (kind, day, cents) in flows {
            loader.flow(id, kind, day, cents, "USD").await?;
        }
    }

    // Registrations of the NGOs in the years they worked in the province.
    for y in 2016..=LAST_YEAR {
        for (d, donor) in donors.iter().enumerate() {
            if !donor.individual && active(d, y) {
                loader.register(donor.id, PROVINCE, y).await?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_constants_agree_with_the_averages_of_the_articles() {
        let donors = |from: i32, to: i32| -> usize {
            DONORS_BY_YEAR.iter().filter(|(y, _)| (from..=to).contains(y)).map(|(_, n)| n).sum()
        };
        assert_eq!(donors(2016, 2020), 17 * 5);
        assert_eq!(donors(2011, 2016), 21 * 6);
        let disbursed: i64 = DISBURSED_BY_YEAR_USD.iter().filter(|(y, _)| *y <= 2016).map(|(_, t)| t).sum();
        assert_eq!(disbursed, 17_400_000);
        assert!(DISBURSED_2016_H1_USD < DISBURSED_BY_YEAR_USD[5].1);
    }
}
