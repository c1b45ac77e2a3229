use vientro_domain::aid_item::{AidItemInput, DonorInput, LocationInput, SectorInput};
use vientro_domain::ids::{AidItemId, OrganisationId};
use vientro_domain::organisation::OrganisationInput;
use vientro_services::{Actor, ServiceError, Services};
use vientro_store::{Db, Exec, Stmt};

pub(crate) fn officer() -> Actor {
    Actor::named("caobang")
}

pub(crate) async fn count(db: &Db, table: &str) -> i64 {
    #[derive(sqlx::FromRow)]
    struct N {
        n: i64,
    }
    let row: Vec<N> = db.clone().fetch_all(Stmt::new(format!("SELECT COUNT(*) AS n FROM {table}"))).await.unwrap();
    row[0].n
}

/// Row counts of every table a refused write could have touched.
pub(crate) async fn footprint(db: &Db) -> Vec<i64> {
    let mut out = Vec::new();
    for t in [
        "organisation",
        "certificate",
        "aid_item",
        "aid_item_donor",
        "aid_item_sector",
        "aid_item_location",
        "aid_item_status_change",
        "flow",
        "exchange_rate",
        "audit_event",
    ] {
        out.push(count(db, t).await);
    }
    out
}

pub(crate) async fn ngo(services: &Services, name: &str) -> OrganisationId {
    services
        .create_organisation(
            &officer(),
            &OrganisationInput {
                kind: "foreign_ngo".into(),
                name: name.into(),
                country: Some("US".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
}

pub(crate) fn item_input(donor: OrganisationId) -> AidItemInput {
    AidItemInput {
        title: "Xây dựng lớp học hoà nhập".into(),
        kind: "project".into(),
        donors: vec![DonorInput { organisation: donor.0, percent: None }],
        status: Some("implementing".into()),
        decision_number: Some("123/QĐ-UBND".into()),
        decision_date: Some("15/03/2021".into()),
        approval_level: Some("province".into()),
        start_date: Some("2021-04-01".into()),
        end_date: Some("2022-03-31".into()),
        sectors: vec![
            SectorInput { sector: "11120".into(), percent: Some("60".into()) },
            SectorInput { sector: "vn:health".into(), percent: Some("40".into()) },
        ],
        locations: vec![LocationInput { province: "06".into(), commune: Some("02176".into()), ..Default::default() }],
        ..Default::default()
    }
}

pub(crate) async fn item(services: &Services, donor: OrganisationId) -> AidItemId {
    services.create_aid_item(&officer(), &item_input(donor)).await.unwrap()
}

/// The field names of a validation failure.
pub(crate) fn invalid_fields(e: ServiceError) -> Vec<(String, &'static str)> {
    match e {
        ServiceError::Invalid(errors) => errors.0.into_iter().map(|e| (e.field, e.code)).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}
