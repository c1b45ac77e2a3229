//! People-to-people records entered and edited through forms: every kind is recorded, read back as it was
//! entered and edited with its version; the lists a record owns grow row by row; a provincial officer writes
//! only in their province; each write is in the audit log with what it was before.

use std::collections::BTreeMap;

use vientro_domain::access::Role;
use vientro_domain::admin_units::ProvinceCode;
use vientro_domain::people::{FieldValue, PeopleKind};
use vientro_services::accounts::CurrentUser;
use vientro_services::{ServiceError, Services};
use vientro_store::{Db, on_both_backends};

fn user(role: Role, province: Option<&str>) -> CurrentUser {
    CurrentUser {
        id: 1,
        username: format!("{role:?}-{}", province.unwrap_or("all")).to_lowercase(),
        display_name: String::new(),
        role,
        province: province.map(|p| ProvinceCode::parse(p).unwrap()),
        organisation: None,
        csrf_token: None,
    }
}

fn form(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

/// A valid form of each kind, in Cao Bằng.
fn sample(kind: PeopleKind) -> BTreeMap<String, String> {
    form(match kind {
        PeopleKind::Association => &[
            ("province_code", "Cao Bằng"),
            ("name", "Hội hữu nghị Việt – Trung tỉnh Cao Bằng"),
            ("partner_country", "CN"),
            ("founded_on", "15/10/2010"),
            ("leaders", "Chủ tịch: Nông Văn A\nPhó chủ tịch: Bế Thị B"),
        ],
        PeopleKind::Twinning => &[
            ("province_code", "04"),
            ("local_name", "Xóm Pò Peo"),
            ("local_level", "village"),
            ("partner_country", "CN"),
            ("partner_name", "Thôn Na Pô"),
            ("partner_level", "village"),
            ("signed_on", "2019-03-01"),
        ],
        PeopleKind::Delegation => &[
            ("province_code", "04"),
            ("direction", "out"),
            ("country", "CN"),
            ("purpose", "Giao lưu hữu nghị"),
            ("starts_on", "2026-10-01"),
            ("ends_on", "2026-10-03"),
            ("members", "12"),
        ],
        PeopleKind::Scholarship => &[
            ("province_code", "04"),
            ("partner_country", "LA"),
            ("origin", "Hủa Phăn"),
            ("year", "2024"),
            ("students", "20"),
            ("amount_vnd", "1.200.000.000"),
        ],
        PeopleKind::Support => &[
            ("province_code", "04"),
            ("partner_country", "LA"),
            ("recipient", "Tỉnh Hủa Phăn"),
            ("purpose", "Khắc phục hậu quả bão"),
            ("given_on", "2024-09-20"),
            ("amount_vnd", "500.000.000"),
        ],
        PeopleKind::Event => &[
            ("province_code", "04"),
            ("kind", "training"),
            ("title", "Tập huấn công tác đối ngoại nhân dân"),
            ("starts_on", "2026-05-12"),
            ("ends_on", "2026-05-13"),
            ("place", "Thành phố Cao Bằng"),
        ],
    })
}

async fn audit_rows(db: &Db, entity: &str) -> i64 {
    use vientro_store::db::{ExecExt, Scalar, Stmt};
    let stmt = Stmt::new("SELECT COUNT(*) FROM audit_event WHERE entity = $1").bind(entity);
    let n: Scalar = db.clone().fetch_one(stmt, "count").await.unwrap();
    n.0
}

async fn every_kind_is_recorded_read_back_and_edited_with_its_version(db: Db) {
    let services = Services::new(db.clone());
    let officer = user(Role::ProvinceOfficer, Some("04"));
    for kind in PeopleKind::ALL {
        let id = services.create_people_record_as(&officer, kind, &sample(kind)).await.unwrap();
        let read = services.people_record(&officer.principal(), kind, id).await.unwrap();
        assert_eq!((read.version, read.province().unwrap().as_str()), (1, "04"), "{kind:?}");
        assert_eq!(read.parts.len(), kind.parts().len());

        let mut changed = sample(kind);
        let first_text = kind.fields().iter().find(|f| f.ty == vientro_domain::people::FieldType::Text).unwrap();
        changed.insert(first_text.name.to_owned(), "Tên đã sửa".into());
        let version = services.save_people_record_as(&officer, kind, id, 1, &changed).await.unwrap();
        assert_eq!(version, 2);
        let read = services.people_record(&officer.principal(), kind, id).await.unwrap();
        assert_eq!(read.get(first_text.name), Some(&FieldValue::Text("Tên đã sửa".into())), "{kind:?}");

        let stale = services.save_people_record_as(&officer, kind, id, 1, &changed).await;
        assert!(matches!(stale, Err(ServiceError::Conflict(_))), "{kind:?}: a stale edit is refused");
        assert_eq!(audit_rows(&db, kind.table()).await, 2, "{kind:?}: created and updated, audited");
    }
}

async fn values_read_back_exactly_as_entered(db: Db) {
    let services = Services::new(db.clone());
    let central = user(Role::Central, None);
    let id = services
        .create_people_record_as(&central, PeopleKind::Scholarship, &sample(PeopleKind::Scholarship))
        .await
        .unwrap();
    let read = services.people_record(&central.principal(), PeopleKind::Scholarship, id).await.unwrap();
    assert_eq!(read.get("amount_vnd"), Some(&FieldValue::Int(1_200_000_000)));
    assert_eq!(read.get("year"), Some(&FieldValue::Int(2024)));
    assert_eq!(read.get("partner_country"), Some(&FieldValue::Text("LA".into())));
    let id = services
        .create_people_record_as(&central, PeopleKind::Association, &sample(PeopleKind::Association))
        .await
        .unwrap();
    let read = services.people_record(&central.principal(), PeopleKind::Association, id).await.unwrap();
    assert_eq!(read.get("founded_on"), Some(&FieldValue::Date(chrono::NaiveDate::from_ymd_opt(2010, 10, 15).unwrap())));
    assert_eq!(read.get("term"), Some(&FieldValue::Empty));
    assert_eq!(read.get("leaders"), Some(&FieldValue::Text("Chủ tịch: Nông Văn A\nPhó chủ tịch: Bế Thị B".into())));
    // The same scholarship figures the people page and the briefing count.
    let totals = services.scholarships("04", 2024, 2024).await.unwrap();
    assert_eq!((totals.students, totals.amount_vnd), (20, 1_200_000_000));
}

async fn an_association_lists_its_members_people_and_organisations_and_its_counts(db: Db) {
    let services = Services::new(db.clone());
    let officer = user(Role::ProvinceOfficer, Some("04"));
    let kind = PeopleKind::Association;
    let id = services.create_people_record_as(&officer, kind, &sample(kind)).await.unwrap();
    let members = [
        form(&[("member_kind", "person"), ("name", "Nông Văn A"), ("role", "Chủ tịch"), ("joined_on", "2010-10-15")]),
        form(&[("member_kind", "organisation"), ("name", "Sở Ngoại vụ Cao Bằng"), ("role", "hội viên tập thể")]),
    ];
    for m in &members {
        services.add_people_part_row_as(&officer, kind, id, "members", m).await.unwrap();
    }
    services
        .add_people_part_row_as(&officer, kind, id, "counts", &form(&[("as_of", "2024-12-31"), ("members", "1.250")]))
        .await
        .unwrap();
    let duplicate = services
        .add_people_part_row_as(&officer, kind, id, "counts", &form(&[("as_of", "2024-12-31"), ("members", "9")]))
        .await;
    let Err(ServiceError::Invalid(e)) = duplicate else {
        panic!("a second count for the same day is refused: {duplicate:?}")
    };
    assert_eq!(e.0[0].field, "as_of");

    let read = services.people_record(&officer.principal(), kind, id).await.unwrap();
    let names: Vec<String> = read.parts[0].rows.iter().map(|r| r[1].1.form_text()).collect();
    assert_eq!(names, ["Sở Ngoại vụ Cao Bằng", "Nông Văn A"], "organisations first, then people");
    assert_eq!(read.parts[1].rows[0][1].1, FieldValue::Int(1250));
    let on = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    assert_eq!(services.people_on("04", on).await.unwrap().members, 1250, "the briefing's count follows");

    // A count entered by mistake is removed by its day, a member by its key; both audited with what they held.
    let count_key = read.parts[1].keys[0].clone();
    assert_eq!(count_key, "2024-12-31");
    services.remove_people_part_row_as(&officer, kind, id, "counts", &count_key).await.unwrap();
    let member_key = read.parts[0].keys[0].clone();
    let langson = user(Role::ProvinceOfficer, Some("15"));
    let refused = services.remove_people_part_row_as(&langson, kind, id, "members", &member_key).await;
    assert!(matches!(refused, Err(ServiceError::Forbidden(_))), "another province's officer removes nothing");
    services.remove_people_part_row_as(&officer, kind, id, "members", &member_key).await.unwrap();
    let gone = services.remove_people_part_row_as(&officer, kind, id, "members", &member_key).await;
    assert!(matches!(gone, Err(ServiceError::NotFound(_))));
    let read = services.people_record(&officer.principal(), kind, id).await.unwrap();
    assert_eq!((read.parts[0].rows.len(), read.parts[1].rows.len()), (1, 0));
    assert_eq!(services.people_on("04", on).await.unwrap().members, 0, "no count left to add up");
    assert_eq!(audit_rows(&db, "association_members").await, 2, "the count's entry and its removal");

    let bad = services.add_people_part_row_as(&officer, kind, id, "members", &form(&[("member_kind", "robot")])).await;
    let Err(ServiceError::Invalid(e)) = bad else { panic!("refused") };
    let fields: Vec<&str> = e.0.iter().map(|v| v.field.as_str()).collect();
    assert_eq!(fields, ["member_kind", "name"]);
    let unknown = services.add_people_part_row_as(&officer, kind, id, "activities", &form(&[])).await;
    assert!(matches!(unknown, Err(ServiceError::Invalid(_))), "associations have no activities");
}

async fn an_officer_writes_only_in_their_province_and_a_viewer_nowhere(db: Db) {
    let services = Services::new(db.clone());
    let caobang = user(Role::ProvinceOfficer, Some("04"));
    let langson = user(Role::ProvinceOfficer, Some("15"));
    let viewer = user(Role::Viewer, None);
    let kind = PeopleKind::Event;
    let id = services.create_people_record_as(&caobang, kind, &sample(kind)).await.unwrap();
    for who in [&langson, &viewer] {
        let created = services.create_people_record_as(who, kind, &sample(kind)).await;
        assert!(matches!(created, Err(ServiceError::Forbidden(_))), "{}", who.username);
        let saved = services.save_people_record_as(who, kind, id, 1, &sample(kind)).await;
        assert!(matches!(saved, Err(ServiceError::Forbidden(_))), "{}", who.username);
        let part = form(&[("participant_kind", "person"), ("name", "Lò Văn C")]);
        let added = services.add_people_part_row_as(who, kind, id, "participants", &part).await;
        assert!(matches!(added, Err(ServiceError::Forbidden(_))), "{}", who.username);
    }
    let mut moved = sample(kind);
    moved.insert("province_code".into(), "15".into());
    let moving = services.save_people_record_as(&caobang, kind, id, 1, &moved).await;
    assert!(matches!(moving, Err(ServiceError::Forbidden(_))), "an officer cannot move a record to another province");
    let national = form(&[("name", "Hội hữu nghị Việt Nam – Lào"), ("partner_country", "LA")]);
    let refused = services.create_people_record_as(&caobang, PeopleKind::Association, &national).await;
    assert!(matches!(refused, Err(ServiceError::Forbidden(_))), "a national association is the centre's");
    services.create_people_record_as(&user(Role::Central, None), PeopleKind::Association, &national).await.unwrap();
    let public = services.people_record(&vientro_domain::access::Principal::Public, kind, id).await;
    assert!(matches!(public, Err(ServiceError::Unauthenticated(_))));
    assert_eq!(audit_rows(&db, "people_event").await, 1, "only the one write that was allowed");
}

on_both_backends!(
    every_kind_is_recorded_read_back_and_edited_with_its_version,
    values_read_back_exactly_as_entered,
    an_association_lists_its_members_people_and_organisations_and_its_counts,
    an_officer_writes_only_in_their_province_and_a_viewer_nowhere,
);
