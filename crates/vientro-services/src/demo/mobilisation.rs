//! Mobilisation records of the illustrative data set: Cao Bằng's priority sectors (FACTS C9) and a
//! call-for-aid list of proposals seeking funding, which matching ranks organisations for.
//!
//! Loaded in its own transaction after the figures, also into a database that already holds them, so a demo
//! database made before these records existed gains them. The proposals are invented and say "(minh họa)".
//! Only the demo loader may use this module.

use vientro_store::matching::NewProposal;
use vientro_store::settings;

use crate::matching::{record_priorities_in, record_proposal_in};
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

/// Loads these records once; does nothing when the database holds this version.
pub(super) async fn load(services: &Services) -> Result<(), ServiceError> {
    let mut tx = services.db().begin().await?;
    if settings::get(&mut tx, SETTING_KEY).await?.is_some() {
        tx.rollback().await?;
        return Ok(());
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
    settings::set(&mut tx, SETTING_KEY, VERSION, vientro_store::now()).await?;
    tx.commit().await?;
    Ok(())
}
