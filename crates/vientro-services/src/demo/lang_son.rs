//! Lạng Sơn (province 20, unchanged by the 2025 reform): the projects and non-project items behind FACTS
//! L1–L3, as reported to the national conference on the results of 2019.
//!
//! The figures are the constants below. The projects active at the end of 2019 are the new and supplementary
//! projects of 2019 plus projects approved in 2017–2018, whose commitments all date from before 2019, so the
//! only 2019 commitments are those of L1 and L2. The non-project items of 2019 are delivered and completed
//! within the year. Projects that ended before 2019 and projects approved after it complete the picture.
//! Only the demo loader may use this module.

use vientro_domain::ids::{AidItemId, OrganisationId};
use vientro_domain::organisation::OrganisationInput;

use super::builder::{Day, Item, Loader, Money, Place, Tenure, internal, payment_days, split, vary};
use super::names;
use crate::ServiceError;

/// Lạng Sơn's province code.
const PROVINCE: &str = "20";

/// FACTS L1: new projects received in 2019 …
const NEW_PROJECTS_2019: usize = 2;
/// … supplementary projects received in 2019 (adding funds to an earlier Lạng Sơn project) …
const SUPPLEMENTARY_PROJECTS_2019: usize = 1;
/// … and what they committed in 2019 together, USD.
const PROJECTS_COMMITTED_2019_USD: i64 = 114_673;
/// FACTS L2: non-project items received in 2019 …
const NON_PROJECT_ITEMS_2019: usize = 7;
/// … and what they committed in 2019, USD.
const NON_PROJECT_COMMITTED_2019_USD: i64 = 161_180;
/// FACTS L3: "now" in the report on 2019.
const NOW: Day = Day(2019, 12, 31);
/// FACTS L3: projects (new and supplementary) active then …
const ACTIVE_PROJECTS: usize = 6;
/// … and their total capital: commitments up to then, USD.
const ACTIVE_CAPITAL_USD: i64 = 273_567;

/// Illustrative: projects that ended before 2019, and projects approved after it.
const EARLIER_PROJECTS: usize = 3;
/// Illustrative: projects approved after 2019.
const LATER_PROJECTS: usize = 4;
/// Illustrative: foreign NGOs working in the province.
const NGOS: usize = 8;
/// Illustrative: the share of a project's commitment it disburses, in per cent.
const DISBURSED_PERCENT: i64 = 92;
/// Districts (codes before 2025).
const DISTRICTS: [(&str, &str); 8] = [
    ("180", "huyện Tràng Định"),
    ("181", "huyện Bình Gia"),
    ("182", "huyện Văn Lãng"),
    ("184", "huyện Văn Quan"),
    ("185", "huyện Bắc Sơn"),
    ("187", "huyện Chi Lăng"),
    ("188", "huyện Lộc Bình"),
    ("189", "huyện Đình Lập"),
];
/// The province's priority sectors (FACTS L4): school infrastructure in ethnic-minority areas, health,
/// environment and natural resources, education and training.
const SECTORS: [(&str, &str); 4] = [
    ("11120", "Xây dựng cơ sở hạ tầng thiết yếu tại trường học vùng đồng bào dân tộc thiểu số"),
    ("vn:health", "Nâng cao năng lực y tế cơ sở"),
    ("vn:environment", "Bảo vệ môi trường và tài nguyên thiên nhiên"),
    ("vn:education_training", "Nâng cao chất lượng giáo dục và đào tạo"),
];

/// Loader state shared by the kinds of items below.
struct LangSon {
    agency: OrganisationId,
    ngos: Vec<OrganisationId>,
}

impl LangSon {
    /// A project of `ngo`, with the title of sector `k`.
    #[allow(clippy::too_many_arguments)]
    fn project(
        &self,
        n: usize,
        ngo: usize,
        k: usize,
        status: &'static str,
        decision: Day,
        start: Day,
        end: Day,
        level: &'static str,
    ) -> Item {
        let (sector, title) = SECTORS[k % SECTORS.len()];
        let (district, district_name) = DISTRICTS[(k * 3 + ngo) % DISTRICTS.len()];
        Item {
            code: format!("MH-LS-{n:04}"),
            title: format!("{title} tại {district_name}, tỉnh Lạng Sơn ({}–{})", start.0, end.0),
            kind: "project",
            managing_agency: Some(self.agency),
            donors: vec![(self.ngos[ngo % self.ngos.len()], 100)],
            status,
            decision_number: names::decision_number(n, level, sector),
            decision,
            level,
            start,
            end,
            sectors: vec![(sector.to_owned(), 100)],
            places: vec![Place::district(PROVINCE, district)],
            ..Default::default()
        }
    }
}

/// A commitment on `commit_on` and disbursements of `percent` of it on the payment days up to `last`.
fn project_flows(commit_on: Day, cents: i64, percent: i64, last: Day) -> Vec<(Money, Day, i64)> {
    let mut flows = vec![(Money::Commitment, commit_on, cents)];
    let days = payment_days(commit_on, last);
    let weights: Vec<i64> = days.iter().map(|_| 1).collect();
    for (day, part) in days.iter().zip(split(cents * percent / 100, &weights)) {
        flows.push((Money::Disbursement, *day, part));
    }
    flows
}

/// Loads Lạng Sơn.
pub(super) async fn load(loader: &mut Loader) -> Result<(), ServiceError> {
    let agency = loader
        .organisation(OrganisationInput {
            kind: "vn_managing_agency".into(),
            name: "Ủy ban nhân dân tỉnh Lạng Sơn".into(),
            acronym: Some("UBND tỉnh Lạng Sơn".into()),
            province: Some(PROVINCE.into()),
            ..Default::default()
        })
        .await?;
    let mut ngos = Vec::with_capacity(NGOS);
    for _ in 0..NGOS {
        ngos.push(loader.invented_ngo(Tenure::Throughout, false).await?);
    }
    let ls = LangSon { agency, ngos };
    let older = ACTIVE_PROJECTS
        .checked_sub(NEW_PROJECTS_2019 + SUPPLEMENTARY_PROJECTS_2019)
        .ok_or_else(|| internal("Lạng Sơn: more projects in 2019 than active at its end"))?;
    if older == 0 && SUPPLEMENTARY_PROJECTS_2019 > 0 {
        return Err(internal("Lạng Sơn: a supplementary project needs an earlier active project"));
    }

    // Projects approved in 2017–2018, still active at the end of 2019; they committed before 2019.
    let older_capital = ACTIVE_CAPITAL_USD - PROJECTS_COMMITTED_2019_USD;
    let weights: Vec<i64> = (0..older).map(|i| vary(300 + i as u64, 4, 8)).collect();
    let mut older_ids: Vec<(AidItemId, usize)> = Vec::with_capacity(older);
    for (i, usd) in split(older_capital, &weights).into_iter().enumerate() {
        let n = loader.next_number();
        let decision = Day(2017 + (i % 2) as i32, 3 + (i * 3 % 9) as u32, 10 + i as u32);
        let end = Day(2020 + (i % 2) as i32, 12, 31);
        let item = ls.project(n, i, i, "implementing", decision, Day(decision.0, decision.1, 25), end, "province");
        let id = loader.item(item).await?;
        loader
            .flows(id, "USD", &project_flows(Day(decision.0, decision.1, 26), usd * 100, DISBURSED_PERCENT, end))
            .await?;
        older_ids.push((id, i));
    }

    // L1: new and supplementary projects of 2019, committed in 2019.
    let count = NEW_PROJECTS_2019 + SUPPLEMENTARY_PROJECTS_2019;
    let weights: Vec<i64> = (0..count).map(|i| vary(400 + i as u64, 3, 6)).collect();
    for (i, usd) in split(PROJECTS_COMMITTED_2019_USD, &weights).into_iter().enumerate() {
        let n = loader.next_number();
        let decision = Day(2019, 3 + (i * 3) as u32, 15);
        let start = Day(2019, 4 + (i * 3) as u32, 1);
        let end = Day(2021, 6, 30);
        let mut item = ls.project(n, older + i, older + i, "implementing", decision, start, end, "province");
        if i >= NEW_PROJECTS_2019 {
            let (parent, parent_ngo) = older_ids[(i - NEW_PROJECTS_2019) % older_ids.len()];
            item.supplements = Some(parent);
            item.donors = vec![(ls.ngos[parent_ngo], 100)];
            item.title = format!("Bổ sung: {}", item.title);
        }
        let id = loader.item(item).await?;
        loader.flows(id, "USD", &project_flows(Day(2019, start.1, 5), usd * 100, DISBURSED_PERCENT, end)).await?;
    }

    // L2: non-project items of 2019, delivered and completed within the year.
    let weights: Vec<i64> = (0..NON_PROJECT_ITEMS_2019).map(|k| vary(500 + k as u64, 2, 7)).collect();
    for (k, usd) in split(NON_PROJECT_COMMITTED_2019_USD, &weights).into_iter().enumerate() {
        let n = loader.next_number();
        let (title, sector) = names::non_project(k);
        let month = 2 + (k % 9) as u32;
        let decision = Day(2019, month, 8);
        let (district, district_name) = DISTRICTS[k % DISTRICTS.len()];
        let item = Item {
            code: format!("MH-LS-{n:04}"),
            title: format!("{title} tại {district_name}, tỉnh Lạng Sơn (2019)"),
            kind: "non_project",
            managing_agency: Some(agency),
            donors: vec![(ls.ngos[(k % 4) + 4], 100)],
            status: "completed",
            decision_number: names::decision_number(n, "province", sector),
            decision,
            level: "province",
            start: decision,
            end: Day(2019, month + 1, 28),
            sectors: vec![(sector.to_owned(), 100)],
            places: vec![Place::district(PROVINCE, district)],
            ..Default::default()
        };
        if item.end >= NOW {
            return Err(internal("Lạng Sơn: a non-project item of 2019 must end before the end of 2019"));
        }
        let id = loader.item(item).await?;
        let flows = [
            (Money::Commitment, Day(2019, month, 12), usd * 100),
            (Money::Disbursement, Day(2019, month, 25), usd * 100),
        ];
        loader.flows(id, "USD", &flows).await?;
    }

    // Projects that ended before 2019.
    for i in 0..EARLIER_PROJECTS {
        let n = loader.next_number();
        let decision = Day(2014 + i as i32, 5, 6);
        let end = Day(2016 + i as i32, 12, 15);
        let item = ls.project(n, 5 + i, i + 1, "completed", decision, Day(decision.0, 6, 1), end, "province");
        let id = loader.item(item).await?;
        let usd = vary(600 + i as u64, 40, 90) * 1_000;
        loader.flows(id, "USD", &project_flows(Day(decision.0, 6, 2), usd * 100, 100, end)).await?;
    }

    // Projects approved after 2019; one in EUR, one approved centrally, the last still running.
    for i in 0..LATER_PROJECTS {
        let n = loader.next_number();
        let year = 2020 + i as i32 + i as i32 / 3;
        let decision = Day(year, 4, 10);
        let last = i + 1 == LATER_PROJECTS;
        let end = Day(year + 2, 12, 15);
        let (status, level) =
            (if last { "implementing" } else { "completed" }, if i == 2 { "central_ministry" } else { "province" });
        let item = ls.project(n, i + 2, i + 2, status, decision, Day(year, 5, 1), end, level);
        let id = loader.item(item).await?;
        let usd = vary(700 + i as u64, 50, 120) * 1_000;
        let paid_until = if end < Day(2024, 12, 31) { end } else { Day(2024, 12, 31) };
        let currency = if i == 1 { "EUR" } else { "USD" };
        let mut flows =
            project_flows(Day(year, 5, 2), usd * 100, if last { 60 } else { DISBURSED_PERCENT }, paid_until);
        if currency != "USD" {
            for f in &mut flows {
                f.2 = loader.usd_in(f.2, currency, f.1)?;
            }
        }
        loader.flows(id, currency, &flows).await?;
    }

    // Every NGO of the province registered for the year of the report.
    for ngo in ls.ngos.clone() {
        loader.register(ngo, PROVINCE, 2019).await?;
    }
    Ok(())
}
