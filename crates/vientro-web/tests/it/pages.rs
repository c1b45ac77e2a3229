//! The pages: every page renders for every role, forms create and edit, a stale edit shows the conflict
//! page, search finds without diacritics, titles are escaped, Vietnamese by default and English on request.

use axum::http::StatusCode;
use vientro_store::Db;
use vientro_store::on_both_backends;

use crate::support::{TestApp, item};

async fn every_page_renders_for_every_role(db: Db) {
    let app = TestApp::new(db).await;
    let id = app.cao_bang_item.0;
    let org = app.ngo_a.0;
    let pages = [
        "/dashboard/national".to_owned(),
        "/dashboard/national?year=2026".to_owned(),
        "/dashboard/national?year=2021".to_owned(),
        "/dashboard/province/04".to_owned(),
        "/aid-items".to_owned(),
        "/aid-items?province=04&status=draft&kind=project&year=2026&q=tram".to_owned(),
        format!("/aid-items/{}", app.cao_bang_published.0),
        "/approvals".to_owned(),
        "/organisations".to_owned(),
        format!("/organisations/{org}"),
        "/certificates".to_owned(),
        "/reports".to_owned(),
        "/reports?measures=committed_usd&measures=disbursed_usd&by=year&by=province".to_owned(),
        "/admin-units?q=cu+le".to_owned(),
        "/search?q=duc+long".to_owned(),
    ];
    for user in ["admin", "central", "caobang", "approver", "viewer"] {
        let reply = app.browser(user).await.get("/match?province=04").await;
        assert_eq!(reply.status, StatusCode::OK, "{user} GET /match");
    }
    for user in ["admin", "central", "caobang", "approver", "ngo", "viewer"] {
        let mut browser = app.browser(user).await;
        for page in &pages {
            let reply = browser.get(page).await;
            assert_eq!(reply.status, StatusCode::OK, "{user} GET {page}: {}", &reply.body[..reply.body.len().min(400)]);
            assert!(reply.body.contains("<html lang=\"vi\">"), "Vietnamese by default");
        }
    }
    let mut caobang = app.browser("caobang").await;
    assert_eq!(caobang.get(&format!("/aid-items/{id}")).await.status, StatusCode::OK);
    assert_eq!(caobang.get(&format!("/aid-items/{id}/edit")).await.status, StatusCode::OK);
    assert_eq!(caobang.get("/aid-items/new").await.status, StatusCode::OK);
    let mut admin = app.browser("admin").await;
    for page in ["/users", "/audit"] {
        assert_eq!(admin.get(page).await.status, StatusCode::OK, "{page}");
        assert_eq!(caobang.get(page).await.status, StatusCode::FORBIDDEN, "{page} is for administrators");
    }
}

async fn an_officer_creates_an_item_with_the_form_and_adds_flows(db: Db) {
    let app = TestApp::new(db).await;
    let mut caobang = app.browser("caobang").await;
    let csrf = caobang.csrf("/aid-items/new").await;
    let donor = app.ngo_a.0.to_string();
    let created = caobang
        .form(
            "/aid-items",
            &[
                ("csrf", &csrf),
                ("title", "Nhà văn hóa bản Khuổi"),
                ("kind", "project"),
                ("donor", &donor),
                ("sector", "vn:culture_sport"),
                ("province", "04"),
                ("start_date", "01/03/2026"),
                ("end_date", "28/02/2027"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let location = created.headers["location"].to_str().unwrap().to_owned();
    let path = location.split('?').next().unwrap().to_owned();
    for (kind, amount) in [("commitment", "12.000"), ("disbursement", "5000")] {
        let flow = caobang
            .form(
                &format!("{path}/flows"),
                &[
                    ("csrf", &csrf),
                    ("kind", kind),
                    ("stage", "planned"),
                    ("date", "15/03/2026"),
                    ("amount", amount),
                    ("currency", "USD"),
                ],
            )
            .await;
        assert_eq!(flow.status, StatusCode::SEE_OTHER, "{}", flow.body);
    }
    let page = caobang.get(&path).await;
    assert!(page.body.contains("Nhà văn hóa bản Khuổi") && page.body.contains("12.000") && page.body.contains("5.000"));
    let bad =
        caobang.form("/aid-items", &[("csrf", &csrf), ("title", ""), ("kind", "project"), ("province", "04")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "a bad form comes back with its errors");
    assert!(bad.body.contains("class=\"errors\""));
}

async fn a_stale_edit_shows_both_versions_and_overwrites_nothing(db: Db) {
    let app = TestApp::new(db).await;
    let id = app.cao_bang_item.0;
    let mut first = app.browser("caobang").await;
    let mut second = app.browser("central").await;
    let csrf1 = first.csrf(&format!("/aid-items/{id}/edit")).await;
    let csrf2 = second.csrf(&format!("/aid-items/{id}/edit")).await;
    let save = |title: &'static str| [("title", title), ("kind", "project"), ("version", "1")];
    let mut fields: Vec<(&str, &str)> = vec![("csrf", &csrf2)];
    fields.extend(save("Bản của trung ương"));
    assert_eq!(second.form(&format!("/aid-items/{id}"), &fields).await.status, StatusCode::SEE_OTHER);
    let mut fields: Vec<(&str, &str)> = vec![("csrf", &csrf1)];
    fields.extend(save("Bản của tỉnh"));
    let conflict = first.form(&format!("/aid-items/{id}"), &fields).await;
    assert_eq!(conflict.status, StatusCode::CONFLICT);
    assert!(
        conflict.body.contains("Bản của tỉnh") && conflict.body.contains("Bản của trung ương"),
        "both versions are shown"
    );
    assert_eq!(app.services.aid_item(app.cao_bang_item).await.unwrap().title, "Bản của trung ương");
}

async fn a_title_with_markup_is_shown_as_text(db: Db) {
    let app = TestApp::new(db).await;
    let id = item(&app.services, "<script>alert(1)</script>", "04", app.ngo_a, true).await;
    let mut public = app.anonymous();
    for path in [format!("/aid-items/{}", id.0), "/aid-items".to_owned(), "/search?q=alert".to_owned()] {
        let page = public.get(&path).await;
        assert!(!page.body.contains("<script>alert(1)</script>"), "{path} must escape the title");
        assert!(
            page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || page.body.contains("&#60;script&#62;"),
            "{path} shows it as text"
        );
    }
}

async fn search_finds_places_organisations_and_items_without_diacritics(db: Db) {
    let app = TestApp::new(db).await;
    let mut central = app.browser("central").await;
    let places = central.get("/search?q=bac+kan").await;
    assert!(places.body.contains("Bắc Kạn"), "bac kan finds Bắc Kạn");
    let da_nang = central.get("/search?q=da+nang").await;
    assert!(da_nang.body.contains("Thành phố Đà Nẵng"), "da nang finds the city");
    assert!(da_nang.body.contains("Đà Nẵng Children Fund"), "and the organisation");
    let items = central.get("/search?q=truong+hoc+trang+dinh").await;
    assert!(items.body.contains("Trường học Tràng Định"));
    let people = central.get("/search?q=caobang").await;
    assert!(people.body.contains("search-people"), "central staff find people");
}

async fn central_staff_record_a_certificate_on_an_ngo_s_page_and_officers_may_not(db: Db) {
    let app = TestApp::new(db).await;
    let page = format!("/organisations/{}", app.ngo_a.0);
    let action = format!("{page}/certificates");
    let mut officer = app.browser("caobang").await;
    assert!(!officer.get(&page).await.body.contains("certificate-form"), "officers are not offered the form");
    let csrf = officer.csrf(&page).await;
    let refused = officer
        .form(
            &action,
            &[
                ("csrf", &csrf),
                ("kind", "operation"),
                ("number", "1/CNV"),
                ("issued_on", "2026-01-05"),
                ("valid_to", "2029-01-04"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let mut central = app.browser("central").await;
    let csrf = central.csrf(&page).await;
    let bad = central
        .form(
            &action,
            &[
                ("csrf", &csrf),
                ("kind", "operation"),
                ("number", "85/CNV-HĐ"),
                ("issued_on", "05/13/2026"),
                ("valid_to", "2029-01-04"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains("issued_on") && bad.body.contains("value=\"85/CNV-HĐ\""),
        "names the field, keeps the typing"
    );
    let ok = central
        .form(
            &action,
            &[
                ("csrf", &csrf),
                ("kind", "operation"),
                ("number", "85/CNV-HĐ"),
                ("issued_on", "2026-01-05"),
                ("valid_to", "2029-01-04"),
                ("provinces", "Cao Bằng, Lạng Sơn"),
            ],
        )
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let shown = central.get(&page).await.body;
    assert!(shown.contains("85/CNV-HĐ") && shown.contains("Giấy đăng ký hoạt động") && shown.contains("Còn hiệu lực"));
    let listed = central.get("/certificates").await.body;
    assert!(listed.contains("85/CNV-HĐ"), "the certificate is in the register");
    assert!(!officer.get("/certificates").await.body.contains("1/CNV"), "the refused one was not recorded");
}

async fn an_organisation_is_edited_with_its_version_and_its_items_report_the_new_country(db: Db) {
    let app = TestApp::new(db).await;
    let id = app.ngo_a.0;
    let (page, action) = (format!("/organisations/{id}/edit"), format!("/organisations/{id}"));
    let mut central = app.browser("central").await;
    let form = central.get(&page).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("value=\"Nước Sạch Foundation\"") && form.body.contains("name=\"version\" value=\"1\""));
    let csrf = central.csrf(&page).await;
    let fields = |version: &'static str, name: &'static str, country: &'static str| {
        vec![("kind", "foreign_ngo"), ("name", name), ("country", country), ("version", version)]
    };
    let mut with_csrf = fields("1", "Nước Sạch Foundation International", "JP");
    with_csrf.push(("csrf", &csrf));
    let saved = central.form(&action, &with_csrf).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert!(central.get(&action).await.body.contains("Nước Sạch Foundation International"));
    let mut stale = fields("1", "lost update", "US");
    stale.push(("csrf", &csrf));
    assert_eq!(central.form(&action, &stale).await.status, StatusCode::CONFLICT, "a stale save changes nothing");
    assert!(!central.get(&action).await.body.contains("lost update"));

    // The report facts of the item it funds now carry its new country.
    #[derive(sqlx::FromRow)]
    struct Country {
        donor_country: Option<String>,
    }
    let cells: Vec<Country> = vientro_store::Exec::fetch_all(
        &mut app.services.db().clone(),
        vientro_store::Stmt::new("SELECT donor_country FROM item_cell WHERE donor_id = $1").bind(id),
    )
    .await
    .unwrap();
    assert!(!cells.is_empty() && cells.iter().all(|c| c.donor_country.as_deref() == Some("JP")));

    let mut officer = app.browser("caobang").await;
    let csrf = officer.csrf(&page).await;
    let mut refused = fields("2", "taken over", "US");
    refused.push(("csrf", &csrf));
    assert_eq!(
        officer.form(&action, &refused).await.status,
        StatusCode::FORBIDDEN,
        "a foreign NGO is not the province's"
    );

    let mut ngo = app.browser("ngo").await;
    let csrf = ngo.csrf(&page).await;
    let own = [
        ("kind", "individual"),
        ("name", "Nước Sạch Foundation International"),
        ("country", "JP"),
        ("version", "2"),
        ("csrf", &csrf),
    ];
    let kind_change = ngo.form(&action, &own).await;
    assert_eq!(kind_change.status, StatusCode::UNPROCESSABLE_ENTITY, "only central staff change the kind");
    assert!(kind_change.body.contains("kind"));
}

async fn english_is_a_switch_and_vietnamese_the_default(db: Db) {
    let app = TestApp::new(db).await;
    let mut browser = app.browser("caobang").await;
    let vi = browser.get("/aid-items").await;
    assert!(vi.body.contains("Dự án, phi dự án"));
    let switched = browser.get("/lang/en?back=/aid-items").await;
    assert_eq!(switched.status, StatusCode::SEE_OTHER);
    let en = browser.get("/aid-items").await;
    assert!(en.body.contains("<html lang=\"en\">") && en.body.contains("Aid items"));
    let outside = browser.get("/lang/vi?back=https://evil.example/").await;
    assert_eq!(outside.headers["location"], "/", "the switch never redirects off-site");
}

async fn dashboards_show_the_watch_list_each_reader_is_responsible_for(db: Db) {
    let app = TestApp::new(db).await;
    // No province has sent a periodic report in this database, so every province owes one whatever today is.
    let mut admin = app.browser("admin").await;
    let national = admin.get("/dashboard/national").await;
    assert!(national.body.contains("data-testid=\"watch\""), "{}", national.body);
    assert!(national.body.contains("data-testid=\"watch-province_report_missing\""));
    assert!(national.body.contains("Tỉnh Lai Châu") && national.body.contains("Tỉnh Cao Bằng"));
    let mut caobang = app.browser("caobang").await;
    let own = caobang.get("/dashboard/province/04").await;
    assert!(own.body.contains("Tỉnh Cao Bằng: chưa gửi báo cáo"), "{}", own.body);
    assert!(!own.body.contains("Tỉnh Lai Châu: chưa gửi"), "an officer sees only the province's alerts");
    let elsewhere = caobang.get("/dashboard/national").await;
    assert!(!elsewhere.body.contains("Tỉnh Lai Châu: chưa gửi"), "not even on the national dashboard");
    let public = app.anonymous().get("/dashboard/national").await;
    assert!(!public.body.contains("data-testid=\"watch\""), "the public sees no alerts");
}

async fn the_matching_page_ranks_donors_for_the_province_s_priorities_for_staff_only(db: Db) {
    use vientro_domain::flow::FlowInput;
    use vientro_services::Actor;
    use vientro_services::aid_items::StatusChangeInput;
    let app = TestApp::new(db).await;
    let mut caobang = app.browser("caobang").await;
    let before = caobang.get("/match").await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(before.body.contains("Chưa ghi nhận lĩnh vực ưu tiên"), "no priorities yet: {}", before.body);
    // Priorities for Cao Bằng, and money through the published item of NGO B.
    let mut tx = app.services.db().begin().await.unwrap();
    vientro_services::matching::record_priorities_in(
        &mut tx,
        &Actor::system(),
        "04",
        (2026, 2030),
        &["vn:health"],
        None,
        false,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let id = app.cao_bang_published;
    let mut version = 1;
    for to in ["submitted", "under_appraisal", "approved"] {
        let input = StatusChangeInput {
            to: to.into(),
            version,
            on: Some("2026-02-01".into()),
            decision_number: Some("12/QĐ-UBND".into()),
            decision_date: None,
            approval_level: Some("province".into()),
            note: None,
        };
        version = app.services.change_aid_item_status(&Actor::system(), id, &input).await.unwrap();
    }
    let flow = FlowInput {
        kind: "commitment".into(),
        stage: None,
        date: "2026-03-01".into(),
        amount: "50000".into(),
        currency: "USD".into(),
        note: None,
    };
    app.services.add_flow(&Actor::system(), id, &flow).await.unwrap();
    let after = caobang.get("/match?province=04").await;
    assert!(after.body.contains("data-testid=\"matches\""), "{}", after.body);
    assert!(after.body.contains("Đà Nẵng Children Fund"));
    assert!(after.body.contains("lĩnh vực phù hợp: 100 %"), "{}", after.body);
    assert!(after.body.contains("đã tài trợ 1 khoản tại tỉnh"));
    assert_eq!(app.browser("ngo").await.get("/match").await.status, StatusCode::FORBIDDEN);
    assert_ne!(app.anonymous().get("/match").await.status, StatusCode::OK);
}

on_both_backends!(
    the_matching_page_ranks_donors_for_the_province_s_priorities_for_staff_only,
    dashboards_show_the_watch_list_each_reader_is_responsible_for,
    an_organisation_is_edited_with_its_version_and_its_items_report_the_new_country,
    central_staff_record_a_certificate_on_an_ngo_s_page_and_officers_may_not,
    every_page_renders_for_every_role,
    an_officer_creates_an_item_with_the_form_and_adds_flows,
    a_stale_edit_shows_both_versions_and_overwrites_nothing,
    a_title_with_markup_is_shown_as_text,
    search_finds_places_organisations_and_items_without_diacritics,
    english_is_a_switch_and_vietnamese_the_default,
);
