//! Bắc Kạn (province 06 before 1 July 2025, today part of Thái Nguyên, 19): ChildFund's projects in six
//! communes of Na Rì district and the other donors' items behind FACTS B1–B5, as reported in June 2023; and
//! old Thái Nguyên's own small data.
//!
//! The figures are the constants below. ChildFund's projects are recorded in VND under the units of their
//! time (province 06, district 066, communes before 2025); the older ones are fully disbursed and the ones
//! still running carry all that is not yet disbursed. The other donors' 2019–2023 money is what the B2 totals
//! leave after ChildFund's converted share, read back from the flows just stored, so the totals hold whatever
//! the exchange rates. ChildFund stays the largest donor of Bắc Kạn and of today's Thái Nguyên (FACTS B4).
//! Only the demo loader may use this module.

use vientro_domain::ids::OrganisationId;
use vientro_domain::organisation::OrganisationInput;

use super::builder::{Day, Item, Loader, Money, Place, Tenure, internal, payment_days, split, vary};
use super::names;
use crate::ServiceError;

/// Bắc Kạn's province code before the 2025 reform.
const PROVINCE: &str = "06";
/// Old Thái Nguyên's province code, also today's Thái Nguyên's.
const OLD_THAI_NGUYEN: &str = "19";

/// FACTS B4: the years ChildFund's 16 projects in Bắc Kạn started (2015–2023).
const CHILDFUND_START_YEARS: [i32; 16] =
    [2015, 2015, 2016, 2016, 2017, 2017, 2018, 2018, 2019, 2019, 2020, 2020, 2021, 2021, 2022, 2023];
/// FACTS B4: Na Rì district (code before 2025) …
const NA_RI: &str = "066";
/// … and its six communes where ChildFund works (codes before 2025).
const CHILDFUND_COMMUNES: [(&str, &str); 6] = [
    ("02176", "Cư Lễ"),
    ("02179", "Trần Phú"),
    ("02185", "Quang Phong"),
    ("02188", "Dương Sơn"),
    ("02191", "Xuân Dương"),
    ("02194", "Đổng Xá"),
];
/// FACTS B4: ChildFund's commitments, VND (over 53,9 billion).
// Under 53,95 billion so that officers' one-decimal rounding still reads "53,9 tỷ đồng".
const CHILDFUND_COMMITTED_VND: i64 = 53_912_000_000;
/// FACTS B5: ChildFund's disbursements by the end of June 2023, VND (over 48,9 billion, 90,7 % of B4).
const CHILDFUND_DISBURSED_VND: i64 = 48_912_000_000;
/// FACTS B3 and B5: "now", the end of June 2023.
const NOW: Day = Day(2023, 6, 30);
/// FACTS B1: aid items with aid flowing from 2019 to 2023.
const ITEMS_2019_2023: usize = 35;
/// FACTS B2: their commitments, USD (about 5 million) …
const COMMITTED_2019_2023_USD: i64 = 5_000_000;
/// … and disbursements, USD (about 2,8 million).
const DISBURSED_2019_2023_USD: i64 = 2_800_000;
/// FACTS B3: organisations implementing aid now (ChildFund and the others).
const ACTIVE_ORGANISATIONS: usize = 9;

/// Illustrative: other donors whose items all ended before now.
const FINISHED_DONORS: usize = 4;
/// Illustrative: of the other donors active now, how many arrived after 2019.
const NEWCOMERS: usize = 2;
/// Illustrative: the share of the other donors' 2019–2023 commitments in items finished before now (those are
/// fully disbursed), in per cent.
const FINISHED_SHARE_PERCENT: i64 = 30;
/// Illustrative: small items of other donors before 2019.
const EARLY_ITEMS: usize = 3;
/// Illustrative: old Thái Nguyên's own items, kept small.
const THAI_NGUYEN_ITEMS: usize = 2;
/// Districts of Bắc Kạn (codes before 2025) for the other donors' items.
const DISTRICTS: [(&str, &str); 7] = [
    ("058", "thành phố Bắc Kạn"),
    ("060", "huyện Pác Nặm"),
    ("061", "huyện Ba Bể"),
    ("062", "huyện Ngân Sơn"),
    ("063", "huyện Bạch Thông"),
    ("064", "huyện Chợ Đồn"),
    ("065", "huyện Chợ Mới"),
];
/// What ChildFund's projects do (FACTS B6, B7): main and second sector, and the title.
const CHILDFUND_WORK: [(&str, &str, &str); 6] = [
    ("43040", "vn:education_training", "Xây dựng đường giao thông nông thôn, nhà vệ sinh và phòng học hòa nhập"),
    ("vn:education_training", "vn:social_issues", "Giáo dục hòa nhập và bảo vệ trẻ em"),
    ("vn:agriculture_rural_development", "15170", "Sinh kế nông nghiệp bền vững và bình đẳng giới"),
    ("vn:health", "vn:social_issues", "Chăm sóc sức khỏe và dinh dưỡng trẻ em"),
    ("14030", "vn:health", "Nước sạch và vệ sinh môi trường"),
    ("vn:social_issues", "15150", "Nâng cao năng lực cộng đồng vì trẻ em"),
];

fn first(days: &[Day]) -> Day {
    days.first().copied().unwrap_or_default()
}

/// Loads Bắc Kạn and old Thái Nguyên.
pub(super) async fn load(loader: &mut Loader) -> Result<(), ServiceError> {
    let agency = loader
        .organisation(OrganisationInput {
            kind: "vn_managing_agency".into(),
            name: "Ủy ban nhân dân tỉnh Bắc Kạn".into(),
            acronym: Some("UBND tỉnh Bắc Kạn".into()),
            ..Default::default()
        })
        .await?;
    let childfund = loader
        .ngo(
            OrganisationInput {
                name: "ChildFund Australia".into(),
                name_vi: Some("ChildFund Việt Nam".into()),
                acronym: Some("ChildFund".into()),
                country: Some("AU".into()),
                sectors: vec![
                    "vn:education_training".into(),
                    "vn:social_issues".into(),
                    "vn:health".into(),
                    "vn:agriculture_rural_development".into(),
                ],
                ..Default::default()
            },
            Tenure::Throughout,
            false,
        )
        .await?;

    // FACTS B4, B5: ChildFund's projects, each for two years; the ones still running now are implementing.
    let ends: Vec<Day> = CHILDFUND_START_YEARS.iter().map(|&s| Day(s + 1, 12, 31)).collect();
    let running: Vec<bool> = ends.iter().map(|&e| e >= NOW).collect();
    let weights: Vec<i64> = CHILDFUND_START_YEARS
        .iter()
        .zip(&running)
        .enumerate()
        .map(|(j, (_, r))| if *r { 45 } else { vary(1_100 + j as u64, 28, 36) })
        .collect();
    let committed = split(CHILDFUND_COMMITTED_VND, &weights);
    let running_commitments: Vec<i64> = committed.iter().zip(&running).map(|(c, r)| if *r { *c } else { 0 }).collect();
    let undisbursed = split(CHILDFUND_COMMITTED_VND - CHILDFUND_DISBURSED_VND, &running_commitments);
    for (j, &start_year) in CHILDFUND_START_YEARS.iter().enumerate() {
        let n = loader.next_number();
        let (main, second, title) = CHILDFUND_WORK[j % CHILDFUND_WORK.len()];
        let communes: Vec<(&str, &str)> = if j.is_multiple_of(2) {
            vec![CHILDFUND_COMMUNES[j % 6], CHILDFUND_COMMUNES[(j + 1) % 6]]
        } else {
            vec![CHILDFUND_COMMUNES[j % 6]]
        };
        let places: Vec<Place> = communes.iter().map(|(c, _)| Place::commune(PROVINCE, NA_RI, c).share(50)).collect();
        let where_ = communes.iter().map(|(_, name)| format!("xã {name}")).collect::<Vec<_>>().join(" và ");
        let end = ends[j];
        let id = loader
            .item(Item {
                code: format!("MH-BK-{n:04}"),
                title: format!("ChildFund: {title} tại {where_}, huyện Na Rì, tỉnh Bắc Kạn ({start_year}–{})", end.0),
                kind: "project",
                managing_agency: Some(agency),
                donors: vec![(childfund, 100)],
                status: if running[j] { "implementing" } else { "completed" },
                decision_number: names::decision_number(n, "province", main),
                decision: Day(start_year, 1 + (j % 2) as u32, 10 + (j % 10) as u32),
                level: "province",
                start: Day(start_year, 3, 1),
                end,
                sectors: vec![(main.to_owned(), 60), (second.to_owned(), 40)],
                places,
                ..Default::default()
            })
            .await?;
        let commit_on = Day(start_year, 3, 5);
        let disbursed = committed[j] - if running[j] { undisbursed[j] } else { 0 };
        let days = payment_days(commit_on, if end < NOW { end } else { NOW });
        let ones: Vec<i64> = days.iter().map(|_| 1).collect();
        let mut flows = vec![(Money::Commitment, commit_on, committed[j])];
        flows.extend(days.iter().zip(split(disbursed, &ones)).map(|(d, p)| (Money::Disbursement, *d, p)));
        loader.flows(id, "VND", &flows).await?;
    }
    let childfund_since_2019 = CHILDFUND_START_YEARS.iter().filter(|&&s| s + 1 >= 2019).count();

    // What the other donors committed and disbursed in 2019–2023: the B2 totals less ChildFund's USD value.
    let (from, to) = (Day(2019, 1, 1), Day(2023, 12, 31));
    let cf_committed = loader.usd_cents(Money::Commitment, from, to, Some(childfund)).await?;
    let cf_disbursed = loader.usd_cents(Money::Disbursement, from, to, Some(childfund)).await?;
    let others_committed = COMMITTED_2019_2023_USD * 100 - cf_committed;
    let others_disbursed = DISBURSED_2019_2023_USD * 100 - cf_disbursed;
    let finished_committed = others_committed * FINISHED_SHARE_PERCENT / 100;
    let active_committed = others_committed - finished_committed;
    let active_disbursed = others_disbursed - finished_committed;
    if active_disbursed <= 0 || active_disbursed >= active_committed {
        return Err(internal("Bắc Kạn: the other donors' 2019–2023 money does not fit B2"));
    }

    // The other donors: active now (some arrived after 2019) and finished.
    let active_others = ACTIVE_ORGANISATIONS - 1;
    let mut active_donors: Vec<(OrganisationId, bool)> = Vec::with_capacity(active_others);
    for a in 0..active_others {
        let newcomer = a >= active_others - NEWCOMERS;
        let tenure = if newcomer { Tenure::ArrivedIn(2021) } else { Tenure::Throughout };
        active_donors.push((loader.invented_ngo(tenure, false).await?, newcomer));
    }
    let mut finished_donors = Vec::with_capacity(FINISHED_DONORS);
    for _ in 0..FINISHED_DONORS {
        finished_donors.push(loader.invented_ngo(Tenure::Throughout, false).await?);
    }
    // Finished items may be funded by any donor that was there before 2021.
    let mut veterans: Vec<OrganisationId> = finished_donors.clone();
    veterans.extend(active_donors.iter().filter(|(_, newcomer)| !newcomer).map(|(id, _)| *id));

    // Items active now, one per active donor, and items finished before now.
    let finished_items = ITEMS_2019_2023
        .checked_sub(childfund_since_2019 + active_others)
        .ok_or_else(|| internal("Bắc Kạn: more items than B1 allows"))?;
    let weights: Vec<i64> = (0..active_others).map(|a| vary(1_200 + a as u64, 4, 9)).collect();
    let commitments = split(active_committed, &weights);
    let disbursements = split(active_disbursed, &weights);
    for (a, (donor, newcomer)) in active_donors.iter().enumerate() {
        let n = loader.next_number();
        let theme = names::theme(n);
        let year = if *newcomer { 2021 + (a % 2) as i32 } else { 2020 + (a % 3) as i32 };
        let month = 3 + (a % 6) as u32;
        let (district, district_name) = DISTRICTS[a % DISTRICTS.len()];
        let end = Day(2024 + (a % 2) as i32, 12, 31);
        let id = loader
            .item(Item {
                code: format!("MH-BK-{n:04}"),
                title: format!("{} tại {district_name}, tỉnh Bắc Kạn ({year}–{})", theme.title, end.0),
                kind: "project",
                managing_agency: Some(agency),
                donors: vec![(*donor, 100)],
                status: "implementing",
                decision_number: names::decision_number(
                    n,
                    if a == 0 { "central_ministry" } else { "province" },
                    theme.sectors[0],
                ),
                decision: Day(year, month, 12),
                level: if a == 0 { "central_ministry" } else { "province" },
                start: Day(year, month, 20),
                end,
                sectors: vec![(theme.sectors[0].to_owned(), 100)],
                places: vec![Place::district(PROVINCE, district)],
                ..Default::default()
            })
            .await?;
        let commit_on = Day(year, month, 21);
        let days = payment_days(commit_on, NOW);
        let ones: Vec<i64> = days.iter().map(|_| 1).collect();
        let mut flows = vec![(Money::Commitment, commit_on, commitments[a])];
        flows.extend(days.iter().zip(split(disbursements[a], &ones)).map(|(d, p)| (Money::Disbursement, *d, p)));
        loader.flows(id, "USD", &flows).await?;
    }
    let weights: Vec<i64> = (0..finished_items).map(|f| vary(1_300 + f as u64, 2, 8)).collect();
    for (f, cents) in split(finished_committed, &weights).into_iter().enumerate() {
        let n = loader.next_number();
        let year = 2019 + (f % 4) as i32;
        let month = 2 + (f % 8) as u32;
        let decision = Day(year, month, 6);
        let (district, district_name) = DISTRICTS[(f * 3 + 1) % DISTRICTS.len()];
        let donor = veterans[f % veterans.len()];
        let one_off = f.is_multiple_of(2);
        let (kind, title, sector, end) = if one_off {
            let (title, sector) = names::non_project(f);
            ("non_project", title.to_owned(), sector.to_owned(), Day(year, month + 1, 28))
        } else {
            let theme = names::theme(f + 5);
            let end = Day(year + 1, 3, 31).min(Day(2023, 5, 31));
            ("project", theme.title.to_owned(), theme.sectors[0].to_owned(), end)
        };
        let id = loader
            .item(Item {
                code: format!("MH-BK-{n:04}"),
                title: format!("{title} tại {district_name}, tỉnh Bắc Kạn ({year})"),
                kind,
                managing_agency: Some(agency),
                donors: vec![(donor, 100)],
                status: "completed",
                decision_number: names::decision_number(n, "province", &sector),
                decision,
                level: "province",
                start: decision,
                end,
                sectors: vec![(sector, 100)],
                places: vec![Place::district(PROVINCE, district)],
                ..Default::default()
            })
            .await?;
        let commit_on = Day(year, month, 10);
        let days = if one_off { vec![Day(year, month + 1, 15)] } else { payment_days(commit_on, end) };
        let ones: Vec<i64> = days.iter().map(|_| 1).collect();
        let mut flows = vec![(Money::Commitment, commit_on, cents)];
        flows.extend(days.iter().zip(split(cents, &ones)).map(|(d, p)| (Money::Disbursement, *d, p)));
        if first(&days) < commit_on {
            return Err(internal("Bắc Kạn: a disbursement before its commitment"));
        }
        loader.flows(id, "USD", &flows).await?;
    }

    // Small items of other donors before 2019 (not among B1's items).
    for e in 0..EARLY_ITEMS {
        let n = loader.next_number();
        let year = 2016 + e as i32;
        let (title, sector) = names::non_project(e + 4);
        let (district, district_name) = DISTRICTS[(e + 2) % DISTRICTS.len()];
        let decision = Day(year, 5, 15);
        let id = loader
            .item(Item {
                code: format!("MH-BK-{n:04}"),
                title: format!("{title} tại {district_name}, tỉnh Bắc Kạn ({year})"),
                kind: "non_project",
                managing_agency: Some(agency),
                donors: vec![(finished_donors[e % finished_donors.len()], 100)],
                status: "completed",
                decision_number: names::decision_number(n, "province", sector),
                decision,
                level: "province",
                start: decision,
                end: Day(year, 8, 31),
                sectors: vec![(sector.to_owned(), 100)],
                places: vec![Place::district(PROVINCE, district)],
                ..Default::default()
            })
            .await?;
        let cents = vary(1_400 + e as u64, 30, 60) * 100_000;
        let flows = [(Money::Commitment, Day(year, 5, 20), cents), (Money::Disbursement, Day(year, 7, 10), cents)];
        loader.flows(id, "USD", &flows).await?;
    }

    // Old Thái Nguyên's own items, small.
    for t in 0..THAI_NGUYEN_ITEMS {
        let n = loader.next_number();
        let year = 2020 + t as i32;
        let (title, sector) = names::non_project(t + 1);
        let decision = Day(year, 6, 9);
        let id = loader
            .item(Item {
                code: format!("MH-TN-{n:04}"),
                title: format!("{title} tại tỉnh Thái Nguyên ({year})"),
                kind: "non_project",
                donors: vec![(active_donors[t % active_donors.len()].0, 100)],
                status: "completed",
                decision_number: names::decision_number(n, "province", sector),
                decision,
                level: "province",
                start: decision,
                end: Day(year, 10, 31),
                sectors: vec![(sector.to_owned(), 100)],
                places: vec![Place::province(OLD_THAI_NGUYEN)],
                ..Default::default()
            })
            .await?;
        let cents = vary(1_500 + t as u64, 20, 45) * 100_000;
        let flows = [(Money::Commitment, Day(year, 6, 12), cents), (Money::Disbursement, Day(year, 9, 15), cents)];
        loader.flows(id, "USD", &flows).await?;
    }

    // The organisations implementing aid now registered for the year.
    loader.register(childfund, PROVINCE, 2023).await?;
    for (donor, _) in active_donors {
        loader.register(donor, PROVINCE, 2023).await?;
    }
    Ok(())
}
