//! A proposal on a province's call-for-aid list moves listed → matched → dossier → approved → funded, linked
//! to the aid item it became; every step is versioned, scoped to the province and audited.

use vientro_domain::access::Role;
use vientro_domain::admin_units::ProvinceCode;
use vientro_services::accounts::CurrentUser;
use vientro_services::matching::{ProposalMove, record_proposal_in};
use vientro_services::{Actor, ServiceError, Services};
use vientro_store::matching::NewProposal;
use vientro_store::{Db, on_both_backends};

use crate::support::{count, item, ngo};

fn officer(province: &str) -> CurrentUser {
    CurrentUser {
        id: 1,
        username: format!("officer-{province}"),
        display_name: String::new(),
        role: Role::ProvinceOfficer,
        province: Some(ProvinceCode::parse(province).unwrap()),
        organisation: None,
        csrf_token: None,
    }
}

async fn a_proposal_is_funded_step_by_step_and_names_the_aid_item_it_became(db: Db) {
    let services = Services::new(db.clone());
    let donor = ngo(&services, "Quỹ Nước sạch").await;
    let became = item(&services, donor).await;
    let mut tx = db.begin().await.unwrap();
    let new = NewProposal {
        province_code: "Cao Bằng".into(),
        title: "Cấp nước sạch cho điểm trường".into(),
        sector_code: "14030".into(),
        communes: None,
        beneficiaries: Some(900),
        estimated_usd_minor: Some(9_000_000),
        status: "listed".into(),
        aid_item_id: None,
        illustrative: false,
    };
    let id = record_proposal_in(&mut tx, &Actor::system(), &new).await.unwrap();
    tx.commit().await.unwrap();
    let caobang = officer("04");
    let step = |to: &str, version: i64, aid_item: Option<i64>| ProposalMove { to: to.into(), version, aid_item };

    let other = services.move_proposal_as(&officer("20"), id, &step("matched", 1, None)).await;
    assert!(matches!(other, Err(ServiceError::Forbidden(_))), "another province's officer: {other:?}");
    let audited = count(&db, "audit_event").await;
    let mut version = 1;
    for to in ["matched", "dossier", "approved"] {
        version = services.move_proposal_as(&caobang, id, &step(to, version, None)).await.unwrap();
    }
    let no_item = services.move_proposal_as(&caobang, id, &step("funded", version, None)).await;
    assert!(matches!(no_item, Err(ServiceError::Invalid(ref e)) if e.0[0].field == "aid_item"), "{no_item:?}");
    let unknown = services.move_proposal_as(&caobang, id, &step("funded", version, Some(999_999))).await;
    assert!(matches!(unknown, Err(ServiceError::Invalid(ref e)) if e.0[0].field == "aid_item"), "{unknown:?}");
    let stale = services.move_proposal_as(&caobang, id, &step("funded", version - 1, Some(became.0))).await;
    assert!(matches!(stale, Err(ServiceError::Conflict(_))), "{stale:?}");
    services.move_proposal_as(&caobang, id, &step("funded", version, Some(became.0))).await.unwrap();

    let funded = services.proposal(id).await.unwrap();
    assert_eq!((funded.status.as_str(), funded.aid_item_id, funded.version), ("funded", Some(became.0), 5));
    assert_eq!(count(&db, "audit_event").await - audited, 4, "one audit row per step");
    let done = services.move_proposal_as(&caobang, id, &step("listed", 5, None)).await;
    assert!(matches!(done, Err(ServiceError::Invalid(_))), "a funded proposal moves no further");
}

on_both_backends!(a_proposal_is_funded_step_by_step_and_names_the_aid_item_it_became);
