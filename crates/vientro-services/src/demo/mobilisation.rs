//! Mobilisation and supervision records of the illustrative data set: Cao Bằng's priority sectors (FACTS C9),
//! a call-for-aid list of proposals seeking funding (which matching ranks organisations for), and the state of
//! supervision in late 2026 that the watch list reports on: NGOs' annual reports and provinces' periodic reports
//! received (with a few missing), certificates about to end, an item approved in March 2026 with
//! nothing disbursed and an appraisal running since October 2026; and Quảng Ninh's friendship associations and
//! border twinning pairs (FACTS Q5, Q6).
//!
//! Loaded in its own transaction after the figures, also into a database that already holds them, so a demo
//! database made before these records existed gains them. The proposals are invented and say "(minh họa)".
//! Only the demo loader may use this module.

use chrono::NaiveDate;
use vientro_domain::aid_item::{AidItemInput, DonorInput, LocationInput, SectorInput};
use vientro_domain::certificate::CertificateInput;
use vientro_domain::ids::{AidItemId, OrganisationId};
use vientro_domain::organisation::OrganisationInput;
use vientro_domain::watch::WatchRules;
use vientro_store::matching::NewProposal;
use vientro_store::{Tx, settings};

use super::builder::internal;
use super::names;
use crate::aid_items::StatusChangeInput;
use crate::matching::{record_priorities_in, record_proposal_in};
use crate::watch::{record_ngo_report_in, record_province_report_in};
use crate::{Actor, ServiceError, Services};

/// The setting that records which version of these records a database holds.
pub(super) const SETTING_KEY: &str = "demo_mobilisation";
/// This version.
pub(super) const VERSION: &str = "vientro-demo-mobilisation-v1";

/// FACTS C9: the sectors Cao Bằng asks foreign NGOs to support, in the article's order …
const CAO_BANG_PRIORITIES: [&str; 7] = [
    "vn:agriculture_rural_development",
    "vn:health",
    "vn:vocational_training",
    "vn:education_training",
    "vn:social_issues",
    "vn:environment",
    "vn:disaster_emergency",
];
/// … for the period the 2022 meeting looked ahead to (illustrative: the article gives no period).
const CAO_BANG_PRIORITY_YEARS: (i32, i32) = (2021, 2025);

/// Illustrative proposals on Cao Bằng's call-for-aid list: title, sector, beneficiaries, budget (USD), status.
const CAO_BANG_PROPOSALS: [(&str, &str, i64, i64, &str); 4] = [
    ("Nâng cấp trạm y tế các xã biên giới (minh họa)", "vn:health", 12_000, 150_000, "listed"),
    ("Cấp nước sạch cho điểm trường vùng cao (minh họa)", "14030", 2_400, 90_000, "listed"),
    ("Dạy nghề cho thanh niên dân tộc thiểu số (minh họa)", "vn:vocational_training", 600, 60_000, "matched"),
    (
        "Phòng, chống sạt lở đất và lũ quét tại các xã vùng cao (minh họa)",
        "vn:disaster_emergency",
        8_000,
        250_000,
        "listed",
    ),
];

/// Illustrative: the year of NGOs' annual reports received, and one NGO in this many (by id) that has not sent it.
const NGO_REPORT_YEAR: i32 = 2025;
const NGO_REPORT_MISSING_ONE_IN: i64 = 40;
/// Illustrative: provinces' reports received for these periods, except from the provinces listed beside them.
const PROVINCE_REPORTS: [(&str, i32, &str, &[&str]); 2] =
    [("annual", 2025, "2026-01-12", &["12"]), ("six_month", 2026, "2026-07-10", &["11", "20"])];
/// Illustrative: NGOs (name numbers past the rest of the data set's) newly working in Cao Bằng whose operation
/// certificates end soon after 26/11/2026.
const ENDING_CERTIFICATES: [(usize, &str, &str); 3] =
    [(901, "2023-12-21", "2026-12-20"), (902, "2024-01-10", "2027-01-09"), (903, "2024-02-15", "2027-02-14")];

/// Illustrative delegations: (province, direction, country, purpose, first day, last day, members, trip report
/// received). The Quảng Ninh delegation to Quảng Tây came back on 05/11/2026 and has not reported.
type Delegation =
    (&'static str, &'static str, &'static str, &'static str, &'static str, &'static str, i64, Option<&'static str>);
const DELEGATIONS: [Delegation; 4] = [
    (
        "22",
        "in",
        "LA",
        "Đoàn Liên hiệp hữu nghị tỉnh Luông Pha Băng thăm và làm việc (minh họa)",
        "2025-09-08",
        "2025-09-11",
        9,
        None,
    ),
    (
        "22",
        "out",
        "LA",
        "Đoàn trao học bổng tại tỉnh Hủa Phăn (minh họa)",
        "2025-10-14",
        "2025-10-18",
        6,
        Some("2025-10-24"),
    ),
    (
        "22",
        "out",
        "CN",
        "Đoàn giao lưu kết nghĩa thôn bản với Quảng Tây (minh họa)",
        "2026-11-02",
        "2026-11-05",
        8,
        None,
    ),
    (
        "04",
        "out",
        "CN",
        "Đoàn xúc tiến vận động viện trợ tại Nam Ninh (minh họa)",
        "2026-05-20",
        "2026-05-23",
        5,
        Some("2026-05-29"),
    ),
];

/// FACTS Q5: Quảng Ninh's friendship associations under the provincial union — 06 associations, 1.797
/// members. Illustrative: names, partner countries, founding days and the split of members (counted at the end
/// of 2018 and of 2020; the 2020 counts add up to 1.797).
const QUANG_NINH_ASSOCIATIONS: [(&str, &str, &str, i64, i64); 6] = [
    ("Hội Hữu nghị Việt Nam – Trung Quốc tỉnh Quảng Ninh (minh họa)", "CN", "1993-05-10", 480, 520),
    ("Hội Hữu nghị Việt Nam – Lào tỉnh Quảng Ninh (minh họa)", "LA", "1996-09-02", 380, 410),
    ("Hội Hữu nghị Việt Nam – Nhật Bản tỉnh Quảng Ninh (minh họa)", "JP", "2004-03-15", 260, 300),
    ("Hội Hữu nghị Việt Nam – Hàn Quốc tỉnh Quảng Ninh (minh họa)", "KR", "2008-11-20", 220, 260),
    ("Hội Hữu nghị Việt Nam – Nga tỉnh Quảng Ninh (minh họa)", "RU", "2001-06-12", 170, 177),
    ("Hội Hữu nghị Việt Nam – Campuchia tỉnh Quảng Ninh (minh họa)", "KH", "2012-12-24", 120, 130),
];
/// FACTS Q6: border twinning pairs with Guangxi (China), 08 in all: 07 village–village and 01 commune–township.
/// Illustrative: the sides' names and the signing days.
const QUANG_NINH_VILLAGE_PAIRS: usize = 7;

/// FACTS Q7: Quảng Ninh's scholarships for students from three northern Lao provinces, 2011–2020: 407
/// student-turns, over 74 billion VND. Illustrative: the yearly split and the yearly amount per student-turn
/// (from 162 million VND in 2011, 4,5 million more each year).
const LAO_ORIGINS: [&str; 3] = ["Hủa Phăn", "Luông Pha Băng", "Xay Nhạ By Ly"];
const STUDENTS_BY_YEAR: [(i32, i64); 10] = [
    (2011, 35),
    (2012, 38),
    (2013, 40),
    (2014, 40),
    (2015, 41),
    (2016, 42),
    (2017, 42),
    (2018, 43),
    (2019, 43),
    (2020, 43),
];
const VND_PER_STUDENT_2011: i64 = 162_000_000;
const VND_PER_STUDENT_STEP: i64 = 4_500_000;
/// FACTS Q8: from its own budget Quảng Ninh helped build public works in Laos since 2011 (56 billion VND in all;
/// illustrative: the split over years) and gave medical equipment to Luang Prabang in June 2020 (200 million VND).
const LAO_PUBLIC_WORKS: [(&str, i64); 6] = [
    ("2011-09-02", 12_000_000_000),
    ("2013-09-02", 10_000_000_000),
    ("2015-09-02", 9_000_000_000),
    ("2017-09-02", 10_000_000_000),
    ("2018-09-02", 8_000_000_000),
    ("2019-09-02", 7_000_000_000),
];
const LUANG_PRABANG_EQUIPMENT: (&str, i64) = ("2020-06-15", 200_000_000);
/// FACTS C13: Cao Bằng's aid-promotion events in the 2011–2016 term, four in Cao Bằng and Hà Nội; the end-2014
/// conference in Hà Nội drew more than 60 participants. Illustrative: the days, titles and other counts.
const CAO_BANG_EVENTS: [(&str, &str, &str, i64); 4] = [
    ("2012-05-18", "Hội nghị vận động viện trợ phi chính phủ nước ngoài tỉnh Cao Bằng (minh họa)", "04", 45),
    ("2013-10-10", "Gặp mặt các tổ chức phi chính phủ nước ngoài tại Cao Bằng (minh họa)", "04", 50),
    ("2014-12-12", "Hội nghị xúc tiến vận động viện trợ cho tỉnh Cao Bằng tại Hà Nội (minh họa)", "01", 65),
    ("2016-03-24", "Hội nghị tổng kết công tác vận động viện trợ nhiệm kỳ 2011–2016 (minh họa)", "04", 40),
];
/// Illustrative: pledges at the 2014 conference (USD), two followed by items of 2015 (codes) and one never
/// committed.
const CONFERENCE_2014_PLEDGES: [(&str, i64); 3] = [("MH-CB-0007", 300_000), ("MH-CB-0020", 150_000), ("", 80_000)];

/// Loads these records once and returns how many organisations and aid items it created; does nothing when
/// the database holds them.
pub(super) async fn load(services: &Services) -> Result<(usize, usize), ServiceError> {
    let mut tx = services.db().begin().await?;
    if settings::get(&mut tx, SETTING_KEY).await?.is_some() {
        tx.rollback().await?;
        return Ok((0, 0));
    }
    let actor = Actor::system();
    record_priorities_in(
        &mut tx,
        &actor,
        "04",
        CAO_BANG_PRIORITY_YEARS,
        &CAO_BANG_PRIORITIES,
        Some("Báo cáo tại buổi làm việc đầu năm 2022 (FACTS C9)"),
        true,
    )
    .await?;
    for (title, sector, beneficiaries, usd, status) in CAO_BANG_PROPOSALS {
        record_proposal_in(
            &mut tx,
            &actor,
            &NewProposal {
                province_code: "04".into(),
                title: title.into(),
                sector_code: sector.into(),
                communes: None,
                beneficiaries: Some(beneficiaries),
                estimated_usd_minor: Some(usd * 100),
                status: status.into(),
                aid_item_id: None,
                illustrative: true,
            },
        )
        .await?;
    }
    let created = supervision(&mut tx, &actor).await?;
    people_to_people(&mut tx, &actor).await?;
    laos_and_events(&mut tx, &actor).await?;
    super::people_records::load(&mut tx, &actor, day("2026-11-26")?).await?;
    settings::set(&mut tx, SETTING_KEY, VERSION, vientro_store::now()).await?;
    tx.commit().await?;
    Ok(created)
}

fn day(text: &str) -> Result<NaiveDate, ServiceError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| internal(format!("{text}: {e}")))
}

async fn ngo_id(tx: &mut Tx, number: usize) -> Result<OrganisationId, ServiceError> {
    let (name, _) = names::ngo(number);
    let row = vientro_store::organisations::find_by_name(tx, "foreign_ngo", &name)
        .await?
        .ok_or_else(|| internal(format!("no NGO named {name}")))?;
    Ok(OrganisationId(row.id))
}

/// A Cao Bằng item of one donor, one sector, the whole province.
fn cao_bang_item(code: &str, title: &str, donor: OrganisationId, sector: &str, start: &str, end: &str) -> AidItemInput {
    AidItemInput {
        code: Some(code.into()),
        title: title.into(),
        kind: "project".into(),
        donors: vec![DonorInput { organisation: donor.0, percent: None }],
        status: Some("draft".into()),
        start_date: Some(start.into()),
        end_date: Some(end.into()),
        sectors: vec![SectorInput { sector: sector.into(), percent: None }],
        locations: vec![LocationInput { province: "04".into(), ..Default::default() }],
        illustrative: true,
        published: true,
        ..Default::default()
    }
}

async fn step(
    tx: &mut Tx,
    actor: &Actor,
    id: AidItemId,
    version: i64,
    to: &str,
    on: &str,
) -> Result<i64, ServiceError> {
    let approving = to == "approved";
    let input = StatusChangeInput {
        to: to.into(),
        version,
        on: Some(on.into()),
        decision_number: approving.then(|| format!("{}/QĐ-UBND (minh họa)", 400 + id.0 % 100)),
        decision_date: None,
        approval_level: approving.then(|| "province".into()),
        note: None,
    };
    Services::change_aid_item_status_in(tx, actor, id, &input).await
}

/// The supervision state the watch list reports on (as of late 2026); returns the organisations and items it
/// created.
async fn supervision(tx: &mut Tx, actor: &Actor) -> Result<(usize, usize), ServiceError> {
    let mut created = (0, 0);
    // NGOs working in Cao Bằng whose operation certificates end soon, with no renewal recorded.
    for (number, from, to) in ENDING_CERTIFICATES {
        let (name, name_vi) = names::ngo(number);
        let ngo = Services::create_organisation_in(
            tx,
            actor,
            &OrganisationInput {
                kind: "foreign_ngo".into(),
                name,
                name_vi: Some(name_vi),
                country: Some(names::country(number).into()),
                illustrative: true,
                ..Default::default()
            },
        )
        .await?;
        let input = CertificateInput {
            kind: "operation".into(),
            number: format!("{number:05}/MH-CNV-HĐ-2024"),
            issued_on: from.into(),
            valid_to: to.into(),
            status: Some("active".into()),
            provinces: vec!["04".into()],
            illustrative: true,
            ..Default::default()
        };
        Services::add_certificate_in(tx, actor, ngo, &input).await?;
        created.0 += 1;
    }
    // NGOs' annual reports for 2025, from every NGO that owed one but a few.
    let (from, to) = WatchRules::ngo_report_period(NGO_REPORT_YEAR).ok_or_else(|| internal("report period"))?;
    for ngo in vientro_store::watch::ngos_without_report(tx, NGO_REPORT_YEAR, from, to).await? {
        if ngo.organisation_id % NGO_REPORT_MISSING_ONE_IN == 7 {
            continue;
        }
        let on = day("2025-12-01")? + chrono::Days::new(u64::try_from(ngo.organisation_id % 17).unwrap_or(0));
        record_ngo_report_in(tx, actor, OrganisationId(ngo.organisation_id), NGO_REPORT_YEAR, on, true).await?;
    }
    // Provinces' periodic reports.
    let units = vientro_domain::admin_units::AdminUnits::embedded();
    for (kind, year, on, missing) in PROVINCE_REPORTS {
        for p in units.provinces(vientro_domain::admin_units::UnitSet::From2025) {
            if !missing.contains(&p.code.as_str()) {
                record_province_report_in(tx, actor, p.code.as_str(), kind, year, day(on)?, true).await?;
            }
        }
    }
    // Approved in March 2026, nothing disbursed since: a revocation candidate.
    let women = ngo_id(tx, 6).await?;
    let input = cao_bang_item(
        "MH-CB-2026-01",
        "Hỗ trợ sinh kế cho phụ nữ dân tộc thiểu số các xã biên giới (minh họa)",
        women,
        "vn:social_issues",
        "2026-04-01",
        "2028-03-31",
    );
    let id = Services::create_aid_item_in(tx, actor, &input).await?;
    created.1 += 1;
    let mut v = 1;
    for (to, on) in [("submitted", "2026-01-20"), ("under_appraisal", "2026-01-26"), ("approved", "2026-03-16")] {
        v = step(tx, actor, id, v, to, on).await?;
    }
    // In appraisal since 20 October 2026.
    let education = ngo_id(tx, 4).await?;
    let input = cao_bang_item(
        "MH-CB-2026-02",
        "Xây dựng điểm trường mầm non vùng cao (minh họa)",
        education,
        "vn:education_training",
        "2027-01-01",
        "2028-12-31",
    );
    let id = Services::create_aid_item_in(tx, actor, &input).await?;
    created.1 += 1;
    let mut v = 1;
    for (to, on) in [("submitted", "2026-10-12"), ("under_appraisal", "2026-10-20")] {
        v = step(tx, actor, id, v, to, on).await?;
    }
    Ok(created)
}

/// Quảng Ninh's friendship associations and border twinning pairs (FACTS Q5, Q6).
async fn people_to_people(tx: &mut Tx, actor: &Actor) -> Result<(), ServiceError> {
    use vientro_store::people::{NewAssociation, NewTwinning};
    for (name, country, founded, members_2018, members_2020) in QUANG_NINH_ASSOCIATIONS {
        let association = NewAssociation {
            province_code: Some("22".into()),
            name: name.into(),
            partner_country: country.into(),
            founded_on: Some(day(founded)?),
            term: Some("2019–2024".into()),
            leaders: None,
            illustrative: true,
        };
        let counts = [(day("2018-12-31")?, members_2018), (day("2020-12-31")?, members_2020)];
        crate::people::record_association_in(tx, actor, &association, &counts).await?;
    }
    let mut pairs: Vec<(String, &str, String, &str)> = (1..=QUANG_NINH_VILLAGE_PAIRS)
        .map(|k| {
            (
                format!("Thôn biên giới số {k}, tỉnh Quảng Ninh (minh họa)"),
                "village",
                format!("Thôn đối diện số {k}, Khu tự trị dân tộc Choang Quảng Tây (minh họa)"),
                "village",
            )
        })
        .collect();
    pairs.push((
        "Xã Hoành Mô, tỉnh Quảng Ninh (minh họa)".into(),
        "commune",
        "Trấn Động Trung, Khu tự trị dân tộc Choang Quảng Tây (minh họa)".into(),
        "township",
    ));
    for (k, (local, local_level, partner, partner_level)) in pairs.into_iter().enumerate() {
        let signed = day(&format!("{}-0{}-15", 2015 + k % 6, 3 + k % 6))?;
        let twinning = NewTwinning {
            province_code: "22".into(),
            local_name: local,
            local_level: local_level.into(),
            partner_country: "CN".into(),
            partner_name: partner,
            partner_level: partner_level.into(),
            signed_on: signed,
            agreed_points: Some("Giữ gìn an ninh trật tự biên giới; giao lưu văn hóa, thể thao; hỗ trợ nhau khi thiên tai, dịch bệnh (minh họa)".into()),
            illustrative: true,
        };
        crate::people::record_twinning_in(tx, actor, &twinning).await?;
    }
    Ok(())
}

/// Quảng Ninh's scholarships and support for Laos (FACTS Q7, Q8) and Cao Bằng's aid-promotion events (C13).
async fn laos_and_events(tx: &mut Tx, actor: &Actor) -> Result<(), ServiceError> {
    use vientro_store::events::EventRow;
    use vientro_store::people::{DelegationRow, OutboundSupportRow, ScholarshipRow};
    for (year, students) in STUDENTS_BY_YEAR {
        let per_student = VND_PER_STUDENT_2011 + VND_PER_STUDENT_STEP * i64::from(year - 2011);
        let third = students / 3;
        for (k, origin) in LAO_ORIGINS.iter().enumerate() {
            let n = if k == 0 { students - 2 * third } else { third };
            let row = ScholarshipRow {
                id: 0,
                province_code: "22".into(),
                partner_country: "LA".into(),
                origin: (*origin).into(),
                year: i64::from(year),
                students: n,
                amount_vnd: n * per_student,
            };
            crate::people::record_scholarship_in(tx, actor, &row, true).await?;
        }
    }
    let support = |on: &str, recipient: &str, purpose: &str, vnd: i64| -> Result<OutboundSupportRow, ServiceError> {
        Ok(OutboundSupportRow {
            id: 0,
            province_code: "22".into(),
            partner_country: "LA".into(),
            recipient: recipient.into(),
            purpose: purpose.into(),
            given_on: day(on)?,
            amount_vnd: vnd,
        })
    };
    for (k, (on, vnd)) in LAO_PUBLIC_WORKS.iter().enumerate() {
        let recipient = LAO_ORIGINS[k % LAO_ORIGINS.len()];
        crate::people::record_outbound_support_in(tx, actor, &support(on, recipient, "public_works", *vnd)?, true)
            .await?;
    }
    let (on, vnd) = LUANG_PRABANG_EQUIPMENT;
    crate::people::record_outbound_support_in(
        tx,
        actor,
        &support(on, "Luông Pha Băng", "medical_equipment", vnd)?,
        true,
    )
    .await?;

    // Delegations in and out (illustrative): one back from abroad whose trip report is late on 26/11/2026.
    for (province, direction, country, purpose, starts, ends, members, report) in DELEGATIONS {
        let delegation = DelegationRow {
            id: 0,
            province_code: province.into(),
            direction: direction.into(),
            country: country.into(),
            purpose: purpose.into(),
            starts_on: day(starts)?,
            ends_on: day(ends)?,
            members,
            leader: None,
            outcomes: None,
            report_on: report.map(day).transpose()?,
        };
        crate::people::record_delegation_in(tx, actor, &delegation, true).await?;
    }

    for (held_on, title, city, participants) in CAO_BANG_EVENTS {
        let event = EventRow {
            id: 0,
            province_code: "04".into(),
            title: title.into(),
            held_on: day(held_on)?,
            city: city.into(),
            participants: Some(participants),
            organisers: Some("UBND tỉnh Cao Bằng; Liên hiệp các tổ chức hữu nghị tỉnh (minh họa)".into()),
        };
        let mut pledges = Vec::new();
        if held_on.starts_with("2014") {
            for (k, (code, usd)) in CONFERENCE_2014_PLEDGES.iter().enumerate() {
                let item = if code.is_empty() {
                    None
                } else {
                    vientro_store::aid_items::find_by_code(tx, code).await?.map(|i| i.id)
                };
                let donor = match item {
                    Some(id) => {
                        vientro_store::aid_items::donors(tx, AidItemId(id)).await?.first().map(|d| d.organisation_id)
                    }
                    None => Some(ngo_id(tx, 16 + k).await?.0),
                };
                let donor = donor.ok_or_else(|| internal(format!("no donor for the pledge {code}")))?;
                pledges.push((donor, usd * 100, item));
            }
        }
        let id = crate::events::record_event_in(tx, actor, &event, &pledges, true).await?;
        if held_on.starts_with("2014") {
            // The pledging organisations came; two more were invited and did not. Two proposals were presented.
            let mut invited: std::collections::BTreeMap<i64, bool> =
                pledges.iter().map(|(donor, _, _)| (*donor, true)).collect();
            for k in [21, 22] {
                invited.entry(ngo_id(tx, k).await?.0).or_insert(false);
            }
            for (organisation, attended) in invited {
                vientro_store::events::insert_guest(tx, id, organisation, attended, vientro_store::now()).await?;
            }
            let proposals = vientro_store::matching::proposals(tx, Some("04")).await?;
            for proposal in proposals.iter().rev().take(2) {
                vientro_store::events::insert_presented(tx, id, proposal.id, vientro_store::now()).await?;
            }
        }
    }
    Ok(())
}
