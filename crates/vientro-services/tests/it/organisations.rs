use vientro_domain::certificate::{CertificateInput, CertificateStatus};
use vientro_domain::organisation::OrganisationInput;
use vientro_services::{ServiceError, Services};
use vientro_store::{Db, on_both_backends};

use crate::support::{footprint, invalid_fields, ngo, officer};

async fn an_organisation_is_stored_and_read_back(db: Db) {
    let services = Services::new(db);
    let id = services
        .create_organisation(
            &officer(),
            &OrganisationInput {
                kind: "tổ chức phi chính phủ nước ngoài".into(),
                name: "ChildFund Australia".into(),
                name_vi: Some("Quỹ Nhi đồng Úc".into()),
                country: Some("Ô-xtrây-li-a".into()),
                sectors: vec!["11220".into(), "vn:health".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let row = services.organisation(id).await.unwrap();
    assert_eq!(row.kind, "foreign_ngo");
    assert_eq!(row.country_code.as_deref(), Some("AU"));
    assert_eq!(row.version, 1);
}

async fn the_same_name_twice_for_one_kind_is_refused_by_name(db: Db) {
    let services = Services::new(db.clone());
    ngo(&services, "Oxfam Novib").await;
    let before = footprint(&db).await;
    let err = services
        .create_organisation(
            &officer(),
            &OrganisationInput {
                kind: "foreign_ngo".into(),
                name: "OXFAM  novib".into(),
                country: Some("NL".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(invalid_fields(err), vec![("name".to_owned(), "error-organisation-name-taken")]);
    assert_eq!(footprint(&db).await, before);
}

async fn an_unknown_country_names_the_country_field_and_writes_nothing(db: Db) {
    let services = Services::new(db.clone());
    let before = footprint(&db).await;
    let err = services
        .create_organisation(
            &officer(),
            &OrganisationInput {
                kind: "foreign_ngo".into(),
                name: "X".into(),
                country: Some("Atlantis".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(invalid_fields(err), vec![("country".to_owned(), "error-country-unknown")]);
    assert_eq!(footprint(&db).await, before);
}

async fn an_operation_certificate_longer_than_three_years_is_refused(db: Db) {
    let services = Services::new(db.clone());
    let org = ngo(&services, "HelpAge International").await;
    let before = footprint(&db).await;
    let err = services
        .add_certificate(
            &officer(),
            org,
            &CertificateInput {
                kind: "operation".into(),
                number: "25/CNV-HĐ".into(),
                issued_on: "2023-01-10".into(),
                valid_to: "2026-01-10".into(),
                provinces: vec!["Cao Bằng".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(invalid_fields(err), vec![("valid_to".to_owned(), "error-certificate-validity-too-long")]);
    assert_eq!(footprint(&db).await, before);
}

async fn a_certificate_moves_only_along_its_lifecycle_and_checks_the_version(db: Db) {
    let services = Services::new(db.clone());
    let org = ngo(&services, "HelpAge International").await;
    let cert = services
        .add_certificate(
            &officer(),
            org,
            &CertificateInput {
                kind: "operation".into(),
                number: "25/CNV-HĐ".into(),
                issued_on: "2023-01-10".into(),
                valid_to: "2026-01-09".into(),
                provinces: vec!["cao bang".into(), "Bắc Kạn".into()],
                sectors: vec!["vn:health".into()],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let v2 = services.change_certificate_status(&officer(), cert, 1, CertificateStatus::Suspended).await.unwrap();
    assert_eq!(v2, 2);
    let stale = services.change_certificate_status(&officer(), cert, 1, CertificateStatus::Active).await.unwrap_err();
    assert!(matches!(stale, ServiceError::Conflict(_)), "{stale:?}");
    let revoked = services.change_certificate_status(&officer(), cert, 2, CertificateStatus::Revoked).await.unwrap();
    let err =
        services.change_certificate_status(&officer(), cert, revoked, CertificateStatus::Active).await.unwrap_err();
    assert_eq!(invalid_fields(err), vec![("status".to_owned(), "error-status-transition")]);
}

async fn a_registration_in_a_province_is_kept_once_per_year(db: Db) {
    let services = Services::new(db.clone());
    let org = ngo(&services, "Marie Stopes International").await;
    services.register_in_province(&officer(), org, "Quảng Ninh", 2019, None, false).await.unwrap();
    services.register_in_province(&officer(), org, "quang ninh", 2020, Some("05/02/2020"), false).await.unwrap();
    let err = services.register_in_province(&officer(), org, "22", 2020, None, false).await.unwrap_err();
    assert_eq!(invalid_fields(err), vec![("year".to_owned(), "error-registration-duplicate")]);
}

async fn the_audit_log_records_every_change_and_verifies(db: Db) {
    let services = Services::new(db.clone());
    ngo(&services, "A").await;
    ngo(&services, "B").await;
    let report = services.verify_audit().await.unwrap();
    assert_eq!(report.rows, 2);
    assert_eq!(report.first_broken, None);
}

on_both_backends!(
    an_organisation_is_stored_and_read_back,
    the_same_name_twice_for_one_kind_is_refused_by_name,
    an_unknown_country_names_the_country_field_and_writes_nothing,
    an_operation_certificate_longer_than_three_years_is_refused,
    a_certificate_moves_only_along_its_lifecycle_and_checks_the_version,
    a_registration_in_a_province_is_kept_once_per_year,
    the_audit_log_records_every_change_and_verifies,
);
