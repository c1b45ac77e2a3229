//! People-to-people records: delegations in and out, and the trip report a delegation abroad owes after its
//! return.

use chrono::NaiveDate;
use vientro_domain::watch::AlertKind;
use vientro_services::people::record_delegation_in;
use vientro_services::{Actor, ServiceError, Services};
use vientro_store::people::DelegationRow;
use vientro_store::{Db, on_both_backends};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn delegation(direction: &str, starts: NaiveDate, ends: NaiveDate, report: Option<NaiveDate>) -> DelegationRow {
    DelegationRow {
        id: 0,
        province_code: "Quảng Ninh".into(),
        direction: direction.into(),
        country: "CN".into(),
        purpose: "Giao lưu kết nghĩa".into(),
        starts_on: starts,
        ends_on: ends,
        members: 7,
        leader: None,
        outcomes: None,
        report_on: report,
    }
}

async fn a_delegation_abroad_owes_its_trip_report_from_the_eleventh_day_after_its_return(db: Db) {
    let services = Services::new(db.clone());
    let mut tx = db.begin().await.unwrap();
    let out = delegation("out", day(2026, 11, 2), day(2026, 11, 5), None);
    record_delegation_in(&mut tx, &Actor::system(), &out, false).await.unwrap();
    let reported = delegation("out", day(2026, 10, 1), day(2026, 10, 3), Some(day(2026, 10, 10)));
    record_delegation_in(&mut tx, &Actor::system(), &reported, false).await.unwrap();
    let visitors = delegation("in", day(2026, 10, 20), day(2026, 10, 22), None);
    record_delegation_in(&mut tx, &Actor::system(), &visitors, false).await.unwrap();
    tx.commit().await.unwrap();

    let trips = |alerts: Vec<vientro_services::watch::ConcernedAlert>| {
        alerts.into_iter().filter(|a| a.alert.kind == AlertKind::TripReportMissing).collect::<Vec<_>>()
    };
    assert!(trips(services.watch_all(day(2026, 11, 15)).await.unwrap()).is_empty(), "due on the tenth day");
    let late = trips(services.watch_all(day(2026, 11, 16)).await.unwrap());
    assert_eq!(late.len(), 1, "only the delegation abroad without a report");
    assert_eq!((late[0].alert.days, late[0].alert.date), (1, day(2026, 11, 15)));
    assert_eq!(late[0].provinces, ["22".to_owned()].into());
    let listed = services.delegations("22", day(2026, 1, 1), day(2026, 12, 31)).await.unwrap();
    assert_eq!(listed.len(), 3);
    assert_eq!(listed[0].province_code, "22", "stored under today's code");
}

async fn a_bad_delegation_is_refused_with_every_field_named(db: Db) {
    let mut tx = db.begin().await.unwrap();
    let mut bad = delegation("sideways", day(2026, 11, 5), day(2026, 11, 2), Some(day(2026, 11, 1)));
    bad.purpose = " ".into();
    let Err(ServiceError::Invalid(errors)) = record_delegation_in(&mut tx, &Actor::system(), &bad, false).await else {
        panic!("refused");
    };
    let mut fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["direction", "ends_on", "purpose", "report_on"]);
}

on_both_backends!(
    a_delegation_abroad_owes_its_trip_report_from_the_eleventh_day_after_its_return,
    a_bad_delegation_is_refused_with_every_field_named,
);
