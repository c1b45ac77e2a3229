//! Each role reads and changes exactly what it may: a test per role, including guessed ids.

use axum::http::StatusCode;
use vientro_store::Db;
use vientro_store::on_both_backends;

use crate::support::TestApp;

async fn title_of(app: &TestApp, id: i64) -> String {
    app.services.aid_item(vientro_domain::ids::AidItemId(id)).await.unwrap().title
}

/// GET status of an item and PATCH status of a title change (with the right version) for `username`.
async fn read_and_change(app: &TestApp, username: &str, id: i64) -> (StatusCode, StatusCode) {
    let mut client = app.api(username).await;
    let read = client.get(&format!("/api/v1/aid-items/{id}")).await.status;
    let version = app.services.aid_item(vientro_domain::ids::AidItemId(id)).await.unwrap().version;
    let change = client
        .json(
            "PATCH",
            &format!("/api/v1/aid-items/{id}"),
            serde_json::json!({ "version": version, "title": format!("changed by {username}") }),
        )
        .await
        .status;
    (read, change)
}

async fn a_province_officer_reads_and_changes_only_their_province(db: Db) {
    let app = TestApp::new(db).await;
    let (cb, ls) = (app.cao_bang_item.0, app.lang_son_item.0);
    assert_eq!(read_and_change(&app, "caobang", cb).await, (StatusCode::OK, StatusCode::OK));
    assert_eq!(read_and_change(&app, "caobang", ls).await, (StatusCode::NOT_FOUND, StatusCode::FORBIDDEN));
    assert_eq!(title_of(&app, ls).await, "Trường học Tràng Định", "a refused change writes nothing");
    assert_eq!(read_and_change(&app, "langson", cb).await, (StatusCode::NOT_FOUND, StatusCode::FORBIDDEN));
    // A published item of another province is readable, never changeable.
    let published = app.cao_bang_published.0;
    assert_eq!(read_and_change(&app, "langson", published).await, (StatusCode::OK, StatusCode::FORBIDDEN));
    assert_eq!(title_of(&app, published).await, "Giếng nước Bảo Lạc");
}

async fn a_province_approver_approves_in_their_province_and_edits_nothing(db: Db) {
    let app = TestApp::new(db).await;
    let id = app.cao_bang_item.0;
    assert_eq!(read_and_change(&app, "approver", id).await, (StatusCode::OK, StatusCode::FORBIDDEN));
    let mut officer = app.api("caobang").await;
    let version = app.services.aid_item(app.cao_bang_item).await.unwrap().version;
    let submitted = officer
        .json(
            "POST",
            &format!("/api/v1/aid-items/{id}/status"),
            serde_json::json!({ "to": "submitted", "version": version }),
        )
        .await;
    assert_eq!(submitted.status, StatusCode::OK, "{}", submitted.body);
    let version = submitted.json()["version"].as_i64().unwrap();
    let refused = officer
        .json(
            "POST",
            &format!("/api/v1/aid-items/{id}/status"),
            serde_json::json!({ "to": "under_appraisal", "version": version }),
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "an officer does not take appraisal decisions");
    let mut approver = app.api("approver").await;
    let taken = approver
        .json(
            "POST",
            &format!("/api/v1/aid-items/{id}/status"),
            serde_json::json!({ "to": "under_appraisal", "version": version }),
        )
        .await;
    assert_eq!(taken.status, StatusCode::OK, "{}", taken.body);
    let version = taken.json()["version"].as_i64().unwrap();
    let approved = approver
        .json(
            "POST",
            &format!("/api/v1/aid-items/{id}/status"),
            serde_json::json!({ "to": "approved", "version": version,
            "decision_number": "12/QĐ-UBND", "decision_date": "2026-02-01", "approval_level": "province" }),
        )
        .await;
    assert_eq!(approved.status, StatusCode::OK, "{}", approved.body);
    assert_eq!(app.services.aid_item(app.cao_bang_item).await.unwrap().status, "approved");
    // Not in another province.
    let ls = app.lang_son_item.0;
    let mut ls_officer = app.api("langson").await;
    let v = app.services.aid_item(app.lang_son_item).await.unwrap().version;
    let s = ls_officer
        .json("POST", &format!("/api/v1/aid-items/{ls}/status"), serde_json::json!({ "to": "submitted", "version": v }))
        .await;
    assert_eq!(s.status, StatusCode::OK);
    let v = s.json()["version"].as_i64().unwrap();
    let r = approver
        .json(
            "POST",
            &format!("/api/v1/aid-items/{ls}/status"),
            serde_json::json!({ "to": "under_appraisal", "version": v }),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

async fn an_ngo_reporter_sees_and_changes_only_its_own_organisation_s_items(db: Db) {
    let app = TestApp::new(db).await;
    assert_eq!(read_and_change(&app, "ngo", app.cao_bang_item.0).await, (StatusCode::OK, StatusCode::OK));
    assert_eq!(read_and_change(&app, "ngo", app.lang_son_item.0).await, (StatusCode::NOT_FOUND, StatusCode::FORBIDDEN));
    let mut ngo = app.api("ngo").await;
    let list = ngo.get("/api/v1/aid-items").await.json();
    let ids: Vec<i64> = list["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert!(ids.contains(&app.cao_bang_item.0) && ids.contains(&app.cao_bang_published.0));
    assert!(!ids.contains(&app.lang_son_item.0), "another organisation's unpublished item is not listed");
}

async fn central_staff_read_and_change_everything_and_a_viewer_changes_nothing(db: Db) {
    let app = TestApp::new(db).await;
    assert_eq!(read_and_change(&app, "central", app.lang_son_item.0).await, (StatusCode::OK, StatusCode::OK));
    assert_eq!(read_and_change(&app, "admin", app.cao_bang_item.0).await, (StatusCode::OK, StatusCode::OK));
    assert_eq!(read_and_change(&app, "viewer", app.cao_bang_item.0).await, (StatusCode::OK, StatusCode::FORBIDDEN));
}

async fn the_public_reads_published_items_only_and_changes_nothing(db: Db) {
    let app = TestApp::new(db).await;
    let mut public = app.anonymous();
    assert_eq!(public.get(&format!("/api/v1/aid-items/{}", app.cao_bang_published.0)).await.status, StatusCode::OK);
    assert_eq!(public.get(&format!("/api/v1/aid-items/{}", app.cao_bang_item.0)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(public.get(&format!("/aid-items/{}", app.cao_bang_item.0)).await.status, StatusCode::NOT_FOUND);
    let list = public.get("/api/v1/aid-items").await.json();
    let ids: Vec<i64> = list["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![app.cao_bang_published.0]);
    let patch = public
        .json(
            "PATCH",
            &format!("/api/v1/aid-items/{}", app.cao_bang_published.0),
            serde_json::json!({ "version": 1, "title": "x" }),
        )
        .await;
    assert_eq!(patch.status, StatusCode::UNAUTHORIZED, "an API change without a token is refused");
    assert_eq!(app.services.aid_item(app.cao_bang_published).await.unwrap().version, 1, "nothing changed");
    // Aggregates (sums of approved aid) are public, as the provinces' own reports are; records are not.
    assert_eq!(public.get("/dashboard/national").await.status, StatusCode::OK);
    assert_eq!(public.get("/api/v1/reports?measures=committed_usd").await.status, StatusCode::OK);
    assert_eq!(public.get("/approvals").await.status, StatusCode::UNAUTHORIZED);
}

async fn guessing_ids_reveals_nothing(db: Db) {
    let app = TestApp::new(db).await;
    let mut langson = app.api("langson").await;
    let hidden = langson.get(&format!("/api/v1/aid-items/{}", app.cao_bang_item.0)).await;
    let missing = langson.get("/api/v1/aid-items/999999").await;
    assert_eq!((hidden.status, missing.status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(hidden.json()["detail"], missing.json()["detail"], "a hidden item looks exactly like a missing one");
    assert!(!hidden.body.contains("Đức Long"));
    let search = langson.get("/api/v1/aid-items?q=duc+long").await.json();
    assert!(search["items"].as_array().unwrap().is_empty(), "search applies the scope too");
}

on_both_backends!(
    a_province_officer_reads_and_changes_only_their_province,
    a_province_approver_approves_in_their_province_and_edits_nothing,
    an_ngo_reporter_sees_and_changes_only_its_own_organisation_s_items,
    central_staff_read_and_change_everything_and_a_viewer_changes_nothing,
    the_public_reads_published_items_only_and_changes_nothing,
    guessing_ids_reveals_nothing,
);
