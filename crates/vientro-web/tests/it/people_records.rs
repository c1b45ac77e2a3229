//! People-to-people records through the pages: an officer enters a training with its participants, edits it
//! with its version, finds it on the people page and in its CSV; another province's officer sees the record
//! without forms and is refused when sending one anyway; a bad form keeps what was typed and names the field.

use axum::http::{StatusCode, header};
use vientro_store::{Db, on_both_backends};

use crate::support::{Reply, TestApp};

fn location(reply: &Reply) -> String {
    reply.headers.get(header::LOCATION).and_then(|l| l.to_str().ok()).unwrap_or_default().to_owned()
}

async fn an_officer_records_a_training_with_participants_and_edits_it(db: Db) {
    let app = TestApp::new(db).await;
    let mut caobang = app.browser("caobang").await;
    let new = caobang.get("/people/events/new").await;
    assert_eq!(new.status, StatusCode::OK);
    assert!(new.body.contains("<option value=\"04\" selected>"), "the officer's province is picked");
    let csrf = caobang.csrf("/people/events/new").await;
    let created = caobang
        .form(
            "/people/events",
            &[
                ("csrf", &csrf),
                ("province_code", "04"),
                ("kind", "training"),
                ("title", "Tập huấn công tác đối ngoại nhân dân"),
                ("starts_on", "12/05/2026"),
                ("ends_on", "2026-05-13"),
                ("place", "Thành phố Cao Bằng"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let page_path = location(&created).split('?').next().unwrap().to_owned();
    assert!(page_path.starts_with("/people/events/"), "{page_path}");

    for (kind, name) in [("person", "Lò Văn Cường"), ("organisation", "Liên hiệp các tổ chức hữu nghị tỉnh")]
    {
        let added = caobang
            .form(&format!("{page_path}/participants"), &[("csrf", &csrf), ("participant_kind", kind), ("name", name)])
            .await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    }
    let bad =
        caobang.form(&format!("{page_path}/participants"), &[("csrf", &csrf), ("participant_kind", "tổ chức")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Cần điền mục này."), "the missing name is named in Vietnamese");

    let detail = caobang.get(&page_path).await;
    assert!(detail.body.contains("Lò Văn Cường") && detail.body.contains("tổ chức"));
    assert!(detail.body.contains("name=\"version\" value=\"1\""));
    assert!(detail.body.contains("value=\"12/05/2026\""), "dates are shown the Vietnamese way in the form");
    assert!(detail.body.contains("Tập huấn công tác đối ngoại nhân dân</h1>"), "the page is titled with the record");

    let edit = [
        ("csrf", csrf.as_str()),
        ("version", "1"),
        ("province_code", "04"),
        ("kind", "training"),
        ("title", "Tập huấn kỹ năng đối ngoại nhân dân"),
        ("starts_on", "2026-05-12"),
        ("ends_on", "2026-05-11"),
    ];
    let refused = caobang.form(&page_path, &edit).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("Tập huấn kỹ năng đối ngoại nhân dân"), "what was typed is kept");
    let mut fixed = edit.to_vec();
    fixed.retain(|(k, _)| *k != "ends_on");
    let saved = caobang.form(&page_path, &fixed).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let stale = caobang.form(&page_path, &fixed).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "the second save carries an old version");

    let people = caobang.get("/people?province=04&year=2026").await;
    let events = people.body.split("data-testid=\"people-events\"").nth(1).unwrap_or_default();
    assert!(events.contains(&format!("<a href=\"{page_path}\">tập huấn</a>")), "the row opens the record");
    assert!(events.contains("Tập huấn kỹ năng đối ngoại nhân dân") && events.contains("<td>2</td>"));
    let csv = caobang.get("/people/export.csv?province=04&year=2026&table=events").await;
    assert!(csv.body.contains("tập huấn,Tập huấn kỹ năng đối ngoại nhân dân,12/05/2026,,2"), "{}", csv.body);
    let participants = caobang.get(&format!("{page_path}/export.csv?part=participants")).await;
    assert_eq!(participants.status, StatusCode::OK);
    assert!(participants.body.contains("cá nhân,Lò Văn Cường"), "{}", participants.body);

    // A participant entered by mistake is removed; the other stays.
    let key = detail
        .body
        .split("data-testid=\"people-remove-participants\"")
        .nth(1)
        .and_then(|f| f.split("name=\"key\" value=\"").nth(1))
        .and_then(|v| v.split('"').next())
        .unwrap()
        .to_owned();
    let removed = caobang.form(&format!("{page_path}/participants/remove"), &[("csrf", &csrf), ("key", &key)]).await;
    assert_eq!(removed.status, StatusCode::SEE_OTHER, "{}", removed.body);
    let after = caobang.get(&page_path).await;
    let rows = after.body.split("data-testid=\"people-part-participants\"").nth(1).unwrap_or_default();
    assert_eq!(rows.matches("data-testid=\"people-remove-participants\"").count(), 1, "one participant left");
    let again = caobang.form(&format!("{page_path}/participants/remove"), &[("csrf", &csrf), ("key", &key)]).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "a row removed is gone");
    let added = caobang
        .form(
            &format!("{page_path}/participants"),
            &[("csrf", &csrf), ("participant_kind", "organisation"), ("name", "Liên hiệp các tổ chức hữu nghị tỉnh")],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "put back for the counts below");

    let mut langson = app.browser("langson").await;
    let seen = langson.get(&page_path).await;
    assert_eq!(seen.status, StatusCode::OK, "anyone logged in reads it");
    assert!(!seen.body.contains("data-testid=\"people-add-participants\""), "but gets no forms");
    assert!(seen.body.contains(" disabled"));
    let csrf = langson.csrf("/people").await;
    let sneaked = langson
        .form(&format!("{page_path}/participants"), &[("csrf", &csrf), ("participant_kind", "person"), ("name", "X")])
        .await;
    assert_eq!(sneaked.status, StatusCode::FORBIDDEN);
    assert_eq!(app.anonymous().get(&page_path).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(caobang.get("/people/secrets/1").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(caobang.get("/people/events/999999").await.status, StatusCode::NOT_FOUND);
}

async fn the_people_page_offers_new_records_only_to_those_who_may_write(db: Db) {
    let app = TestApp::new(db).await;
    let mut caobang = app.browser("caobang").await;
    let page = caobang.get("/people?province=04").await;
    for kind in ["associations", "twinnings", "scholarships", "support", "delegations", "events"] {
        assert!(page.body.contains(&format!("data-testid=\"people-new-{kind}\"")), "{kind}");
    }
    let mut viewer = app.browser("viewer").await;
    let page = viewer.get("/people?province=04").await;
    assert!(!page.body.contains("data-testid=\"people-new-"));
    assert_eq!(viewer.get("/people/events/new").await.status, StatusCode::FORBIDDEN);
}

on_both_backends!(
    an_officer_records_a_training_with_participants_and_edits_it,
    the_people_page_offers_new_records_only_to_those_who_may_write,
);
