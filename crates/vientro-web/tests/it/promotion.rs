//! Aid-promotion events through the pages: an officer records an event, the organisations invited (and who
//! came), a pledge followed to the aid item it became, and a proposal presented; the list shows pledged beside
//! committed and disbursed (a pledge never counted as aid); bad additions name their field; another province's
//! officer reads but may not write.

use axum::http::{StatusCode, header};
use vientro_store::{Db, on_both_backends};

use crate::support::{TestApp, item, listed_proposal};

async fn an_officer_records_an_event_its_guests_a_pledge_and_a_proposal_presented(db: Db) {
    let app = TestApp::new(db).await;
    let funded = item(&app.services, "Trạm y tế xã Đức Long", "04", app.ngo_a, false).await;
    let proposal = listed_proposal(&app.services, "Nâng cấp trạm y tế xã biên giới").await;

    let mut caobang = app.browser("caobang").await;
    let list = caobang.get("/events").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("data-testid=\"event-form\""), "an officer may record an event");
    let csrf = caobang.csrf("/events").await;
    let created = caobang
        .form(
            "/events",
            &[
                ("csrf", &csrf),
                ("province", "04"),
                ("title", "Hội nghị xúc tiến vận động viện trợ 2026"),
                ("held_on", "15/10/2026"),
                ("city", "01"),
                ("participants", "65"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let location = created.headers.get(header::LOCATION).unwrap().to_str().unwrap().to_owned();
    let page = location.split('?').next().unwrap().to_owned();
    let (a, b, item_id) = (app.ngo_a.0.to_string(), app.ngo_b.0.to_string(), funded.0.to_string());
    for (what, fields) in [
        ("guests", vec![("organisation", a.as_str()), ("attended", "yes")]),
        ("guests", vec![("organisation", b.as_str())]),
        ("pledges", vec![("organisation", a.as_str()), ("amount", "150.000"), ("aid_item", item_id.as_str())]),
        ("pledges", vec![("organisation", b.as_str()), ("amount", "80000")]),
        ("proposals", vec![("proposal", &proposal.to_string())]),
    ] {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(fields.iter().copied());
        let added = caobang.form(&format!("{page}/{what}"), &form).await;
        assert_eq!(added.status, StatusCode::SEE_OTHER, "{what}: {}", added.body);
    }
    for (what, fields, named) in [
        ("pledges", vec![("organisation", a.as_str()), ("amount", "-5")], "amount"),
        ("pledges", vec![("organisation", "999999"), ("amount", "5")], "organisation"),
        ("guests", vec![("organisation", a.as_str())], "organisation"),
        ("proposals", vec![("proposal", "999999")], "proposal"),
    ] {
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(fields.iter().copied());
        let refused = caobang.form(&format!("{page}/{what}"), &form).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{what} {fields:?}");
        assert!(refused.body.contains(&format!("{named}: ")), "{what}: the field is named: {}", refused.body);
    }

    let detail = caobang.get(&page).await;
    let pledges = detail.body.split("data-testid=\"event-pledges\"").nth(1).unwrap_or_default();
    assert!(pledges.contains("150.000") && pledges.contains("80.000") && pledges.contains("230.000"));
    assert!(pledges.contains(&format!("href=\"/aid-items/{}\"", funded.0)), "the pledge links the item it became");
    assert!(pledges.contains("chưa thành khoản viện trợ"), "the other pledge is not aid yet");
    let guests = detail.body.split("data-testid=\"event-guests\"").nth(1).unwrap_or_default();
    assert!(guests.contains("có dự") && guests.contains("không dự"));
    assert!(detail.body.contains("Nâng cấp trạm y tế xã biên giới"));
    let list = caobang.get("/events?province=04").await;
    let table = list.body.split("data-testid=\"events-table\"").nth(1).unwrap_or_default();
    assert!(table.contains("2 mời, 1 dự"), "{table}");
    assert!(table.contains("data-testid=\"events-pledged\">230.000<"), "pledged in all");
    assert!(table.contains("data-testid=\"events-committed\">0<"), "a pledge is not a commitment");

    let mut langson = app.browser("langson").await;
    assert_eq!(langson.get(&page).await.status, StatusCode::OK);
    assert!(!langson.get(&page).await.body.contains("data-testid=\"event-add-pledge\""));
    let csrf = langson.csrf("/events").await;
    let sneaked = langson.form(&format!("{page}/guests"), &[("csrf", &csrf), ("organisation", &b)]).await;
    assert_eq!(sneaked.status, StatusCode::FORBIDDEN);
    let elsewhere = langson
        .form(
            "/events",
            &[("csrf", &csrf), ("province", "04"), ("title", "X"), ("held_on", "2026-01-01"), ("city", "04")],
        )
        .await;
    assert_eq!(elsewhere.status, StatusCode::FORBIDDEN);
    assert_eq!(app.anonymous().get("/events").await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(caobang.get("/events/999999").await.status, StatusCode::NOT_FOUND);
}

on_both_backends!(an_officer_records_an_event_its_guests_a_pledge_and_a_proposal_presented);
