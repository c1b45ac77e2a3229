//! Quảng Ninh (province 22, unchanged by the 2025 reform): the registrations and projects behind FACTS Q1–Q4,
//! as reported at the working visit of 23 March 2021.
//!
//! The figures are the constants below. Each of the active projects has its own NGO; two are recorded in EUR
//! and GBP, converted at the dated vendored rates, so their capital is about (not exactly) the USD planned.
//! Projects that ended before 2021 and non-project items of 2019–2020 are completed, so they are not active
//! on the day of the visit. Only the demo loader may use this module.

use vientro_domain::organisation::OrganisationInput;

use super::builder::{Day, Item, Loader, Money, Place, Tenure, internal, payment_days, split, vary};
use super::names;
use crate::ServiceError;

/// Quảng Ninh's province code.
const PROVINCE: &str = "22";

/// FACTS Q1: organisations registered to operate in the province in 2019 …
const REGISTERED_2019: usize = 31;
/// … and in 2020.
const REGISTERED_2020: usize = 20;
/// FACTS Q2: "now", the day of the working visit.
const NOW: Day = Day(2021, 3, 23);
/// FACTS Q4: active projects approved by the provincial People's Committee …
const APPROVED_BY_PROVINCE: usize = 8;
/// … and by a central body (together the 10 projects of 10 NGOs of FACTS Q2).
const APPROVED_BY_CENTRE: usize = 2;
/// FACTS Q3: their capital (commitments up to the visit), USD: over 1,6 million USD, over 35 billion VND.
const ACTIVE_CAPITAL_USD: i64 = 1_650_000;

/// Illustrative: projects that ended before the visit.
const FINISHED_PROJECTS: usize = 5;
/// Illustrative: non-project items of 2019–2020.
const NON_PROJECT_ITEMS: usize = 4;
/// Illustrative: active projects recorded in another currency (index, currency).
const OTHER_CURRENCIES: [(usize, &str); 2] = [(3, "EUR"), (7, "GBP")];
/// Illustrative: the share of a project's commitment it disburses, in per cent.
const DISBURSED_PERCENT: i64 = 90;
/// Districts (codes before 2025).
const DISTRICTS: [(&str, &str); 8] = [
    ("193", "thành phố Hạ Long"),
    ("194", "thành phố Móng Cái"),
    ("195", "thành phố Cẩm Phả"),
    ("196", "thành phố Uông Bí"),
    ("198", "huyện Bình Liêu"),
    ("199", "huyện Tiên Yên"),
    ("201", "huyện Hải Hà"),
    ("202", "huyện Ba Chẽ"),
];
/// What the province's NGOs work on (FACTS Q10).
const SECTORS: [(&str, &str); 8] = [
    ("12250", "Nghiên cứu phòng, chống bệnh truyền nhiễm"),
    ("13040", "Chăm sóc, điều trị cho người nhiễm HIV"),
    ("16063", "Hỗ trợ cai nghiện ma túy dựa vào cộng đồng"),
    ("16010", "Trợ giúp nhóm yếu thế"),
    ("15170", "Nâng cao vị thế phụ nữ"),
    ("vn:social_issues", "Bảo vệ trẻ em có hoàn cảnh đặc biệt"),
    ("15180", "Phòng, chống mua bán người"),
    ("vn:environment", "Bảo vệ môi trường vùng ven biển"),
];

/// Loads Quảng Ninh.
pub(super) async fn load(loader: &mut Loader) -> Result<(), ServiceError> {
    let agency = loader
        .organisation(OrganisationInput {
            kind: "vn_managing_agency".into(),
            name: "Ủy ban nhân dân tỉnh Quảng Ninh".into(),
            acronym: Some("UBND tỉnh Quảng Ninh".into()),
            province: Some(PROVINCE.into()),
            ..Default::default()
        })
        .await?;
    let active = APPROVED_BY_PROVINCE + APPROVED_BY_CENTRE;
    let pool = REGISTERED_2019.max(REGISTERED_2020);
    if pool < active + FINISHED_PROJECTS + NON_PROJECT_ITEMS || REGISTERED_2020 < active {
        return Err(internal("Quảng Ninh: too few registered NGOs for the items"));
    }
    let mut ngos = Vec::with_capacity(pool);
    for _ in 0..pool {
        ngos.push(loader.invented_ngo(Tenure::Throughout, false).await?);
    }

    // FACTS Q2–Q4: the projects active on the day of the visit, one per NGO.
    let weights: Vec<i64> = (0..active).map(|i| vary(800 + i as u64, 3, 8)).collect();
    for (i, usd) in split(ACTIVE_CAPITAL_USD, &weights).into_iter().enumerate() {
        let n = loader.next_number();
        let level = if i < APPROVED_BY_PROVINCE { "province" } else { "central_ministry" };
        let (sector, title) = SECTORS[i % SECTORS.len()];
        let (district, district_name) = DISTRICTS[i % DISTRICTS.len()];
        let year = 2018 + (i % 3) as i32;
        let month = 2 + (i % 10) as u32;
        let decision = Day(year, month, 12);
        let end = Day(2021 + (i % 3) as i32, 12, 31);
        if decision > NOW || end < NOW {
            return Err(internal("Quảng Ninh: an active project must span the day of the visit"));
        }
        let id = loader
            .item(Item {
                code: format!("MH-QN-{n:04}"),
                title: format!("{title} tại {district_name}, tỉnh Quảng Ninh ({year}–{})", end.0),
                kind: "project",
                managing_agency: Some(agency),
                donors: vec![(ngos[i], 100)],
                status: "implementing",
                decision_number: names::decision_number(n, level, sector),
                decision,
                level,
                start: Day(year, month, 20),
                end,
                sectors: vec![(sector.to_owned(), 100)],
                places: vec![Place::district(PROVINCE, district)],
                ..Default::default()
            })
            .await?;
        let commit_on = Day(year, month, 21);
        let currency = OTHER_CURRENCIES.iter().find(|(k, _)| *k == i).map_or("USD", |(_, c)| *c);
        let mut flows = vec![(Money::Commitment, commit_on, usd * 100)];
        let days = payment_days(commit_on, Day(end.0.min(2022), 12, 31));
        let ones: Vec<i64> = days.iter().map(|_| 1).collect();
        for (day, part) in days.iter().zip(split(usd * DISBURSED_PERCENT, &ones)) {
            flows.push((Money::Disbursement, *day, part));
        }
        if currency != "USD" {
            for f in &mut flows {
                f.2 = loader.usd_in(f.2, currency, f.1)?;
            }
        }
        loader.flows(id, currency, &flows).await?;
    }

    // Projects that ended before the visit.
    for i in 0..FINISHED_PROJECTS {
        let n = loader.next_number();
        let k = active + i;
        let (sector, title) = SECTORS[k % SECTORS.len()];
        let (district, district_name) = DISTRICTS[k % DISTRICTS.len()];
        let year = 2015 + i as i32;
        let end = Day(year + 1, 12, 15);
        let id = loader
            .item(Item {
                code: format!("MH-QN-{n:04}"),
                title: format!("{title} tại {district_name}, tỉnh Quảng Ninh ({year}–{})", end.0),
                kind: "project",
                managing_agency: Some(agency),
                donors: vec![(ngos[k], 100)],
                status: "completed",
                decision_number: names::decision_number(n, "province", sector),
                decision: Day(year, 4, 8),
                level: "province",
                start: Day(year, 5, 1),
                end,
                sectors: vec![(sector.to_owned(), 100)],
                places: vec![Place::district(PROVINCE, district)],
                ..Default::default()
            })
            .await?;
        let usd = vary(900 + i as u64, 60, 180) * 1_000;
        let days = payment_days(Day(year, 5, 2), end);
        let ones: Vec<i64> = days.iter().map(|_| 1).collect();
        let mut flows = vec![(Money::Commitment, Day(year, 5, 2), usd * 100)];
        flows.extend(days.iter().zip(split(usd * 100, &ones)).map(|(d, p)| (Money::Disbursement, *d, p)));
        loader.flows(id, "USD", &flows).await?;
    }

    // Non-project items of 2019–2020, delivered within weeks.
    for k in 0..NON_PROJECT_ITEMS {
        let n = loader.next_number();
        let (title, sector) = names::non_project(k + 2);
        let year = 2019 + (k / 2) as i32;
        let month = 3 + 4 * (k % 2) as u32;
        let decision = Day(year, month, 10);
        let (district, district_name) = DISTRICTS[(k * 3) % DISTRICTS.len()];
        let id = loader
            .item(Item {
                code: format!("MH-QN-{n:04}"),
                title: format!("{title} tại {district_name}, tỉnh Quảng Ninh ({year})"),
                kind: "non_project",
                managing_agency: Some(agency),
                donors: vec![(ngos[active + FINISHED_PROJECTS + k], 100)],
                status: "completed",
                decision_number: names::decision_number(n, "province", sector),
                decision,
                level: "province",
                start: decision,
                end: Day(year, month + 1, 28),
                sectors: vec![(sector.to_owned(), 100)],
                places: vec![Place::district(PROVINCE, district)],
                ..Default::default()
            })
            .await?;
        let usd = vary(950 + k as u64, 8, 30) * 1_000;
        let flows = [
            (Money::Commitment, Day(year, month, 14), usd * 100),
            (Money::Disbursement, Day(year, month + 1, 5), usd * 100),
        ];
        loader.flows(id, "USD", &flows).await?;
    }

    // FACTS Q1: registrations; the NGOs of the active projects are registered again in 2021.
    for (i, ngo) in ngos.iter().enumerate() {
        if i < REGISTERED_2019 {
            loader.register(*ngo, PROVINCE, 2019).await?;
        }
        if i < REGISTERED_2020 {
            loader.register(*ngo, PROVINCE, 2020).await?;
        }
        if i < active {
            loader.register(*ngo, PROVINCE, 2021).await?;
        }
    }
    Ok(())
}
