use vientro_domain::aid_item::{AidItemInput, DonorInput, LocationInput};
use vientro_domain::flow::FlowInput;
use vientro_services::aid_items::StatusChangeInput;
use vientro_services::{ServiceError, Services};
use vientro_store::aid_items;
use vientro_store::{Db, on_both_backends};

use crate::support::{footprint, invalid_fields, item, item_input, ngo, officer};

fn flow(kind: &str, date: &str, amount: &str, currency: &str) -> FlowInput {
    FlowInput {
        kind: kind.into(),
        stage: None,
        date: date.into(),
        amount: amount.into(),
        currency: currency.into(),
        note: None,
    }
}

async fn an_item_recorded_under_old_units_resolves_to_current_ones(db: Db) {
    let services = Services::new(db.clone());
    let donor = ngo(&services, "ChildFund Australia").await;
    let id = item(&services, donor).await;
    let locations = aid_items::locations(&mut db.clone(), id).await.unwrap();
    assert_eq!(locations.len(), 1);
    let l = &locations[0];
    assert_eq!((l.recorded_unit_set.as_str(), l.recorded_province_code.as_str()), ("pre2025", "06"));
    assert_eq!(l.recorded_commune_code.as_deref(), Some("02176"));
    assert_eq!(l.current_province_code, "19");
    assert_eq!(l.current_commune_code.as_deref(), Some("02176"));
    let sectors = aid_items::sectors(&mut db.clone(), id).await.unwrap();
    assert_eq!(sectors.iter().map(|s| s.share_bp).sum::<i64>(), 10_000);
}

async fn a_split_that_does_not_sum_to_100_names_the_field_and_writes_nothing(db: Db) {
    let services = Services::new(db.clone());
    let donor = ngo(&services, "ChildFund Australia").await;
    let before = footprint(&db).await;
    let mut input = item_input(donor);
    input.sectors[1].percent = Some("30".into());
    let err = services.create_aid_item(&officer(), &input).await.unwrap_err();
    assert_eq!(invalid_fields(err), vec![("sectors".to_owned(), "error-split-not-whole")]);
    assert_eq!(footprint(&db).await, before);
}

async fn an_unknown_commune_code_names_the_location_and_writes_nothing(db: Db) {
    let services = Services::new(db.clone());
    let donor = ngo(&services, "ChildFund Australia").await;
    let before = footprint(&db).await;
    let mut input = item_input(donor);
    input.locations =
        vec![LocationInput { province: "06".into(), commune: Some("99999".into()), ..Default::default() }];
    let err = services.create_aid_item(&officer(), &input).await.unwrap_err();
    let fields = invalid_fields(err);
    assert_eq!(fields.len(), 1);
    assert!(fields[0].0.starts_with("locations[0].commune"), "{fields:?}");
    assert_eq!(footprint(&db).await, before);
}

async fn an_unknown_province_code_names_the_location_and_writes_nothing(db: Db) {
    let services = Services::new(db.clone());
    let donor = ngo(&services, "ChildFund Australia").await;
    let before = footprint(&db).await;
    let mut input = item_input(donor);
    input.locations = vec![LocationInput { province: "98".into(), ..Default::default() }];
    let err = services.create_aid_item(&officer(), &input).await.unwrap_err();
    let fields = invalid_fields(err);
    assert_eq!(fields.len(), 1);
    assert!(fields[0].0.starts_with("locations[0].province"), "{fields:?}");
    assert_eq!(footprint(&db).await, before);
}

async fn a_donor_that_is_a_vietnamese_agency_is_refused(db: Db) {
    let services = Services::new(db.clone());
    let agency = services
        .create_organisation(
            &officer(),
            &vientro_domain::organisation::OrganisationInput {
                kind: "vn_managing_agency".into(),
                name: "UBND tỉnh Cao Bằng".into(),
                province: Some("04".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let input =
        AidItemInput { donors: vec![DonorInput { organisation: agency.0, percent: None }], ..item_input(agency) };
    let err = services.create_aid_item(&officer(), &input).await.unwrap_err();
    assert_eq!(invalid_fields(err), vec![("donors[0]".to_owned(), "error-donor-kind")]);
}

async fn an_illegal_status_transition_names_the_status_and_writes_nothing(db: Db) {
    let services = Services::new(db.clone());
    let donor = ngo(&services, "ChildFund Australia").await;
    let input = AidItemInput {
        status: None,
        decision_number: None,
        decision_date: None,
        approval_level: None,
        ..item_input(donor)
    };
    let id = services.create_aid_item(&officer(), &input).await.unwrap();
    let before = footprint(&db).await;
    let err = services
        .change_aid_item_status(
            &officer(),
            id,
            &StatusChangeInput { to: "approved".into(), version: 1, ..Default::default() },
        )
        .await
        .unwrap_err();
    let fields = invalid_fields(err);
    assert_eq!(fields[0], ("status".to_owned(), "error-status-transition"));
    assert_eq!(footprint(&db).await, before);
    assert_eq!(services.aid_item(id).await.unwrap().status, "draft");
}

async fn an_item_goes_from_draft_to_implementing_with_its_approval_recorded(db: Db) {
    let services = Services::new(db.clone());
    let donor = ngo(&services, "ChildFund Australia").await;
    let input = AidItemInput {
        status: None,
        decision_number: None,
        decision_date: None,
        approval_level: None,
        ..item_input(donor)
    };
    let id = services.create_aid_item(&officer(), &input).await.unwrap();
    let mut version = 1;
    for to in ["submitted", "under_appraisal"] {
        version = services
            .change_aid_item_status(&officer(), id, &StatusChangeInput { to: to.into(), version, ..Default::default() })
            .await
            .unwrap();
    }
    let missing = services
        .change_aid_item_status(
            &officer(),
            id,
            &StatusChangeInput { to: "approved".into(), version, ..Default::default() },
        )
        .await
        .unwrap_err();
    let fields: Vec<String> = invalid_fields(missing).into_iter().map(|f| f.0).collect();
    assert_eq!(fields, vec!["decision_number", "approval_level"]);
    version = services
        .change_aid_item_status(
            &officer(),
            id,
            &StatusChangeInput {
                to: "approved".into(),
                version,
                on: Some("2021-03-15".into()),
                decision_number: Some("456/QĐ-UBND".into()),
                approval_level: Some("province".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    version = services
        .change_aid_item_status(
            &officer(),
            id,
            &StatusChangeInput { to: "implementing".into(), version, ..Default::default() },
        )
        .await
        .unwrap();
    let row = services.aid_item(id).await.unwrap();
    assert_eq!((row.status.as_str(), row.version), ("implementing", version));
    assert_eq!(row.approval_level.as_deref(), Some("province"));
    let history = aid_items::status_history(&mut db.clone(), id).await.unwrap();
    assert_eq!(
        history.iter().map(|h| h.to_status.as_str()).collect::<Vec<_>>(),
        vec!["draft", "submitted", "under_appraisal", "approved", "implementing"]
    );
}

async fn a_stale_version_is_a_conflict(db: Db) {
    let services = Services::new(db.clone());
    let donor = ngo(&services, "ChildFund Australia").await;
    let id = item(&services, donor).await;
    services
        .change_aid_item_status(
            &officer(),
            id,
            &StatusChangeInput { to: "suspended".into(), version: 1, ..Default::default() },
        )
        .await
        .unwrap();
    let err = services
        .change_aid_item_status(
            &officer(),
            id,
            &StatusChangeInput { to: "completed".into(), version: 1, ..Default::default() },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Invalid(_) | ServiceError::Conflict(_)), "{err:?}");
    let err = services
        .change_aid_item_status(
            &officer(),
            id,
            &StatusChangeInput { to: "implementing".into(), version: 1, ..Default::default() },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, ServiceError::Conflict(_)), "{err:?}");
}

async fn a_negative_amount_names_the_amount_and_writes_nothing(db: Db) {
    let services = Services::new(db.clone());
    let donor = ngo(&services, "ChildFund Australia").await;
    let id = item(&services, donor).await;
    let before = footprint(&db).await;
    let err = services.add_flow(&officer(), id, &flow("disbursement", "2021-06-15", "-100", "USD")).await.unwrap_err();
    assert_eq!(invalid_fields(err), vec![("amount".to_owned(), "error-amount-negative")]);
    assert_eq!(footprint(&db).await, before);
}

async fn an_unknown_currency_names_the_currency_and_writes_nothing(db: Db) {
    let services = Services::new(db.clone());
    let donor = ngo(&services, "ChildFund Australia").await;
    let id = item(&services, donor).await;
    let before = footprint(&db).await;
    let err = services.add_flow(&officer(), id, &flow("commitment", "2021-06-15", "100", "XYZ")).await.unwrap_err();
    assert_eq!(invalid_fields(err), vec![("currency".to_owned(), "error-currency-unknown")]);
    assert_eq!(footprint(&db).await, before);
}

async fn an_actual_disbursement_before_approval_is_refused(db: Db) {
    let services = Services::new(db.clone());
    let donor = ngo(&services, "ChildFund Australia").await;
    let input = AidItemInput {
        status: None,
        decision_number: None,
        decision_date: None,
        approval_level: None,
        ..item_input(donor)
    };
    let id = services.create_aid_item(&officer(), &input).await.unwrap();
    let err = services.add_flow(&officer(), id, &flow("disbursement", "2021-06-15", "100", "USD")).await.unwrap_err();
    assert_eq!(invalid_fields(err), vec![("stage".to_owned(), "error-flow-before-approval")]);
    let planned = FlowInput { stage: Some("planned".into()), ..flow("commitment", "2021-06-15", "100", "USD") };
    services.add_flow(&officer(), id, &planned).await.unwrap();
}

async fn flows_are_stored_with_exact_usd_and_vnd_and_the_rate_used(db: Db) {
    let services = Services::new(db.clone());
    let donor = ngo(&services, "ChildFund Australia").await;
    let id = item(&services, donor).await;
    services.add_flow(&officer(), id, &flow("commitment", "2021-04-01", "1441700", "USD")).await.unwrap();
    services.add_flow(&officer(), id, &flow("disbursement", "2021-06-15", "23178000", "VND")).await.unwrap();
    let flows = services.flows(id).await.unwrap();
    assert_eq!(flows[0].usd_minor, 144_170_000);
    assert_eq!(flows[0].currency_per_usd, "1");
    assert_eq!(flows[1].vnd_minor, 23_178_000);
    assert_eq!(flows[1].amount_minor, 23_178_000);
    assert!(flows[1].usd_minor > 0);
    assert_eq!(flows[1].rate_source, "vendored_monthly");
}

async fn an_entered_rate_takes_precedence_over_the_vendored_one(db: Db) {
    let services = Services::new(db.clone());
    services.enter_rate(&officer(), "VND", "2025-03", "25000", Some("SBV central rate".into())).await.unwrap();
    let donor = ngo(&services, "ChildFund Australia").await;
    let id = item(&services, donor).await;
    services.add_flow(&officer(), id, &flow("disbursement", "2025-03-10", "25000000", "VND")).await.unwrap();
    let flows = services.flows(id).await.unwrap();
    assert_eq!(flows[0].usd_minor, 100_000);
    assert_eq!(flows[0].rate_source, "entered");
    let dup = services.enter_rate(&officer(), "VND", "2025-03", "25100", None).await.unwrap_err();
    assert_eq!(invalid_fields(dup), vec![("period".to_owned(), "error-rate-duplicate")]);
}

on_both_backends!(
    an_item_recorded_under_old_units_resolves_to_current_ones,
    a_split_that_does_not_sum_to_100_names_the_field_and_writes_nothing,
    an_unknown_commune_code_names_the_location_and_writes_nothing,
    an_unknown_province_code_names_the_location_and_writes_nothing,
    a_donor_that_is_a_vietnamese_agency_is_refused,
    an_illegal_status_transition_names_the_status_and_writes_nothing,
    an_item_goes_from_draft_to_implementing_with_its_approval_recorded,
    a_stale_version_is_a_conflict,
    a_negative_amount_names_the_amount_and_writes_nothing,
    an_unknown_currency_names_the_currency_and_writes_nothing,
    an_actual_disbursement_before_approval_is_refused,
    flows_are_stored_with_exact_usd_and_vnd_and_the_rate_used,
    an_entered_rate_takes_precedence_over_the_vendored_one,
);
