//! Every state-changing route, refused in each way it can be misused: without a session, by another
//! province's officer, by an NGO reporter of another organisation (and the other roles that may not), without
//! the CSRF proof (no token, or a cross-site origin) and with a stale version. Each refusal must leave every
//! record table exactly as it was. Each route is then sent once by a user who may, so every refusal is of a
//! request that would otherwise have succeeded.
//!
//! The last test reads the route table from the web crate's source: a state-changing route added without a
//! case here fails the suite.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use vientro_domain::ids::{AidItemId, OrganisationId};
use vientro_domain::organisation::OrganisationInput;
use vientro_domain::people::PeopleKind;
use vientro_services::accounts::{CurrentUser, UserInput};
use vientro_services::matching::ProposalMove;
use vientro_services::{Actor, Services};
use vientro_store::testing::table_contents;
use vientro_store::{Db, on_both_backends};

use crate::support::{Client, PASSWORD, Reply, TestApp, item, listed_proposal, upload};

/// Tables kept by logging in and using tokens: not records, and touched by every logged-in request.
const SESSION_TABLES: [&str; 3] = ["user_session", "login_attempt", "api_token"];

/// The records as text, table by table, without the session tables.
async fn records(db: &Db) -> BTreeMap<String, String> {
    let mut all = table_contents(db).await;
    all.retain(|table, _| !SESSION_TABLES.contains(&table.as_str()));
    all
}

/// The tables whose text differs.
fn changed(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) -> Vec<String> {
    after.iter().filter(|(t, text)| before.get(*t) != Some(text)).map(|(t, _)| t.clone()).collect()
}

/// What a request carries.
#[derive(Clone)]
enum Payload {
    /// A urlencoded form of a page (the CSRF token is one of its fields).
    Form(Vec<(String, String)>),
    /// An upload form (the CSRF token goes in the action's query string).
    Upload { file_name: &'static str, content_type: &'static str, bytes: Vec<u8> },
    /// A JSON body of the API.
    Json(serde_json::Value),
}

/// The record whose version a request names.
#[derive(Clone, Copy)]
enum Versioned {
    Item(AidItemId),
    Organisation(OrganisationId),
    Proposal(i64),
    People(PeopleKind, i64),
}

/// One state-changing route with a request its owner may send.
struct Case {
    /// The route as the router declares it, e.g. `POST /aid-items/{id}/status`.
    route: &'static str,
    /// The concrete path.
    path: String,
    /// A user who may send it.
    owner: &'static str,
    /// Users who must be refused: another province's officer, another organisation's reporter, and any other
    /// role the route is not for.
    outsiders: &'static [&'static str],
    /// The record whose version the request carries, if it carries one.
    versioned: Option<Versioned>,
    /// Whether the owner's request changes records (an upload's preview does not).
    writes: bool,
    /// The request for the record at `version` (ignored when not versioned).
    body: Box<dyn Fn(i64) -> Payload + Send + Sync>,
}

/// How a request tries to pass the CSRF rule.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Proof {
    /// The page's form token (or, for the API, a bearer token).
    Token,
    /// No token at all.
    Missing,
    /// The token, but sent from another site.
    CrossSite,
}

fn form(fields: &[(&str, &str)]) -> Payload {
    Payload::Form(fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect())
}

fn method_of(route: &str) -> &str {
    route.split_once(' ').map_or("POST", |(m, _)| m)
}

/// Everyone the suite acts as, each logged in once before any record is compared (logging in and making
/// tokens write the audit log).
struct People {
    browsers: BTreeMap<&'static str, Client>,
    tokens: BTreeMap<&'static str, Client>,
    anonymous: Client,
}

const EVERYONE: [&str; 8] = ["admin", "central", "caobang", "langson", "approver", "ngo", "ngo_b", "viewer"];

impl People {
    async fn log_in(app: &TestApp) -> People {
        let mut browsers = BTreeMap::new();
        let mut tokens = BTreeMap::new();
        for name in EVERYONE {
            browsers.insert(name, app.browser(name).await);
            tokens.insert(name, app.api(name).await);
        }
        People { browsers, tokens, anonymous: app.anonymous() }
    }
}

/// Sends `case` as `who` (None: nobody logged in) with the given proof, for the record at `version`.
async fn send(people: &mut People, case: &Case, who: Option<&'static str>, proof: Proof, version: i64) -> Reply {
    let payload = (case.body)(version);
    let method = method_of(case.route);
    let cross_site = |mut request: Request<Body>| {
        if proof == Proof::CrossSite {
            request.headers_mut().insert(header::ORIGIN, "https://evil.example".parse().unwrap());
        }
        request
    };
    match payload {
        Payload::Json(json) => {
            // The API trusts a bearer token (a browser never attaches one by itself); a browser session
            // calling the API is held to the CSRF rule like a form.
            let client = match (who, proof) {
                (None, _) => &mut people.anonymous,
                (Some(name), Proof::Missing) => people.browsers.get_mut(name).unwrap(),
                (Some(name), _) => people.tokens.get_mut(name).unwrap(),
            };
            let request = Request::builder()
                .method(method)
                .uri(&case.path)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json.to_string()))
                .unwrap();
            client.send(cross_site(request)).await
        }
        Payload::Form(mut fields) => {
            let client = match who {
                None => &mut people.anonymous,
                Some(name) => people.browsers.get_mut(name).unwrap(),
            };
            if proof != Proof::Missing {
                let token = client.csrf(if who.is_none() { "/login" } else { "/aid-items" }).await;
                fields.push(("csrf".into(), token));
            }
            let body = serde_urlencoded::to_string(&fields).unwrap();
            let request = Request::builder()
                .method(method)
                .uri(&case.path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap();
            client.send(cross_site(request)).await
        }
        Payload::Upload { file_name, content_type, bytes } => {
            let client = match who {
                None => &mut people.anonymous,
                Some(name) => people.browsers.get_mut(name).unwrap(),
            };
            let path = if proof == Proof::Missing {
                case.path.clone()
            } else {
                let token = client.csrf(if who.is_none() { "/login" } else { "/aid-items" }).await;
                format!("{}?csrf={token}", case.path)
            };
            client.send(cross_site(upload(&path, file_name, content_type, &bytes, &[]))).await
        }
    }
}

/// The suite's records: two provinces' items (from [`TestApp`]), a Vietnamese partner agency located in
/// Cao Bằng, a reporter of the other NGO, and an administrator for the edits that make a version stale.
struct Rig {
    app: TestApp,
    partner: OrganisationId,
    admin: CurrentUser,
    /// A proposal on Cao Bằng's call-for-aid list.
    proposal: i64,
    /// A training held in Cao Bằng.
    event: i64,
    /// An aid-promotion conference of Cao Bằng.
    conference: i64,
    /// The key of a participant listed for the training.
    participant: String,
}

impl Rig {
    async fn new(db: Db) -> Rig {
        let app = TestApp::new(db).await;
        let partner_input = OrganisationInput {
            kind: "vn_department".into(),
            name: "Sở Y tế Cao Bằng".into(),
            province: Some("04".into()),
            ..Default::default()
        };
        let partner = app.services.create_organisation(&Actor::system(), &partner_input).await.unwrap();
        let reporter = UserInput {
            username: "ngo_b".into(),
            display_name: None,
            password: PASSWORD.into(),
            role: "ngo_reporter".into(),
            province: None,
            organisation: Some(app.ngo_b.0),
        };
        app.services.add_user(&Actor::system(), &reporter).await.unwrap();
        let token = app.services.create_token(&Actor::system(), "admin", "stale-maker").await.unwrap();
        let admin = app.services.token_user(&token).await.unwrap().unwrap();
        let proposal = listed_proposal(&app.services, "Nâng cấp trạm y tế xã biên giới").await;
        let event = app.services.create_people_record_as(&admin, PeopleKind::Event, &event_form(0)).await.unwrap();
        let conference = vientro_store::events::EventRow {
            id: 0,
            province_code: "04".into(),
            title: "Hội nghị xúc tiến vận động viện trợ".into(),
            held_on: chrono::NaiveDate::from_ymd_opt(2026, 10, 15).unwrap(),
            city: "01".into(),
            participants: Some(60),
            organisers: None,
        };
        let conference = app.services.create_event_as(&admin, &conference).await.unwrap();
        let listed: BTreeMap<String, String> = [("participant_kind", "person"), ("name", "Người dự sẵn")]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .into();
        app.services.add_people_part_row_as(&admin, PeopleKind::Event, event, "participants", &listed).await.unwrap();
        let training = app.services.people_record(&admin.principal(), PeopleKind::Event, event).await.unwrap();
        let participant = training.parts[0].keys[0].clone();
        Rig { app, partner, admin, proposal, event, conference, participant }
    }

    fn services(&self) -> &Services {
        &self.app.services
    }

    /// A new draft in Cao Bằng funded by NGO A, for a case of its own.
    async fn draft(&self, title: &str) -> AidItemId {
        item(self.services(), title, "04", self.app.ngo_a, false).await
    }

    async fn version(&self, of: Versioned) -> i64 {
        match of {
            Versioned::Item(id) => self.services().aid_item(id).await.unwrap().version,
            Versioned::Organisation(id) => self.services().organisation(id).await.unwrap().version,
            Versioned::Proposal(id) => self.services().proposal(id).await.unwrap().version,
            Versioned::People(kind, id) => {
                self.services().people_record(&self.admin.principal(), kind, id).await.unwrap().version
            }
        }
    }

    /// Someone else saves the record, so the version the caller read is stale.
    async fn edit_elsewhere(&self, of: Versioned) {
        let version = self.version(of).await;
        match of {
            Versioned::Item(id) => {
                let patch = serde_json::json!({ "version": version, "description": "sửa ở nơi khác" });
                self.services().patch_aid_item(&self.admin, id, patch.as_object().unwrap()).await.unwrap();
            }
            Versioned::Organisation(id) => {
                let row = self.services().organisation(id).await.unwrap();
                let input = OrganisationInput {
                    kind: row.kind.clone(),
                    name: row.name.clone(),
                    province: row.province_code.clone(),
                    acronym: Some(format!("E{version}")),
                    ..Default::default()
                };
                self.services().update_organisation_as(&self.admin, id, version, &input).await.unwrap();
            }
            Versioned::Proposal(id) => {
                let step = ProposalMove { to: "matched".into(), version, aid_item: None };
                self.services().move_proposal_as(&self.admin, id, &step).await.unwrap();
            }
            Versioned::People(kind, id) => {
                let form: BTreeMap<String, String> = event_form(version).into_iter().collect();
                self.services().save_people_record_as(&self.admin, kind, id, version, &form).await.unwrap();
            }
        }
    }
}

const ITEM_OUTSIDERS: &[&str] = &["langson", "ngo_b", "approver", "viewer"];
const PEOPLE_OUTSIDERS: &[&str] = &["langson", "approver", "ngo", "ngo_b", "viewer"];

/// A training in Cao Bằng, its title naming `n` so each save differs.
fn event_form(n: i64) -> BTreeMap<String, String> {
    [
        ("province_code", "04".to_owned()),
        ("kind", "training".to_owned()),
        ("title", format!("Tập huấn đối ngoại nhân dân, lần {n}")),
        ("starts_on", "2026-05-12".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}
const CENTRAL_ONLY: &[&str] = &["caobang", "langson", "approver", "ngo", "ngo_b", "viewer"];
const ADMIN_ONLY: &[&str] = &["central", "caobang", "langson", "approver", "ngo", "ngo_b", "viewer"];

const IATI_FILE: &str =
    include_str!("../../../vientro-interchange/tests/fixtures/iati/vn_from_csv2iati_tripleline-cscf.xml");
const SHEET: &str = "Mã dự án;Tên dự án;Loại hình;Nhà tài trợ;Quốc gia;Tỉnh;Số quyết định;Ngày phê duyệt;Cấp phê duyệt;Loại tiền;Giá trị cam kết\n\
    SEC-01;Nước sạch Trùng Khánh;dự án;Oxfam;GB;Cao Bằng;11/QĐ-UBND;15/10/2020;UBND tỉnh;USD;1.441.700\n";

/// Every state-changing route of the pages and the API, each with a record of its own.
async fn cases(rig: &Rig, people: &mut People) -> Vec<Case> {
    let app = &rig.app;
    let ngo_a = app.ngo_a.0.to_string();
    let partner = rig.partner;
    let mut out = Vec::new();

    let new_item = ngo_a.clone();
    out.push(Case {
        route: "POST /aid-items",
        path: "/aid-items".into(),
        owner: "caobang",
        outsiders: ITEM_OUTSIDERS,
        versioned: None,
        writes: true,
        body: Box::new(move |_| {
            form(&[
                ("title", "Nhà văn hoá xã Quang Hán"),
                ("kind", "project"),
                ("donor", &new_item),
                ("sector", "vn:health"),
                ("province", "04"),
                ("start_date", "2026-02-01"),
            ])
        }),
    });
    let saved = rig.draft("Trạm y tế để sửa").await;
    out.push(Case {
        route: "POST /aid-items/{id}",
        path: format!("/aid-items/{}", saved.0),
        owner: "caobang",
        outsiders: ITEM_OUTSIDERS,
        versioned: Some(Versioned::Item(saved)),
        writes: true,
        body: Box::new(|v| {
            form(&[
                ("title", "Trạm y tế (đã sửa)"),
                ("kind", "project"),
                ("start_date", "2026-01-01"),
                ("version", &v.to_string()),
            ])
        }),
    });
    let funded = rig.draft("Trạm y tế nhận tiền").await;
    out.push(Case {
        route: "POST /aid-items/{id}/flows",
        path: format!("/aid-items/{}/flows", funded.0),
        owner: "caobang",
        outsiders: ITEM_OUTSIDERS,
        versioned: None,
        writes: true,
        body: Box::new(|_| {
            form(&[
                ("kind", "commitment"),
                ("stage", "planned"),
                ("date", "2026-03-01"),
                ("amount", "12.000"),
                ("currency", "USD"),
            ])
        }),
    });
    let submitted = rig.draft("Trạm y tế để nộp").await;
    out.push(Case {
        route: "POST /aid-items/{id}/status",
        path: format!("/aid-items/{}/status", submitted.0),
        owner: "caobang",
        outsiders: ITEM_OUTSIDERS,
        versioned: Some(Versioned::Item(submitted)),
        writes: true,
        body: Box::new(|v| form(&[("to", "submitted"), ("version", &v.to_string())])),
    });
    let archived = rig.draft("Trạm y tế để lưu trữ").await;
    out.push(Case {
        route: "POST /aid-items/{id}/archive",
        path: format!("/aid-items/{}/archive", archived.0),
        owner: "caobang",
        outsiders: ITEM_OUTSIDERS,
        versioned: Some(Versioned::Item(archived)),
        writes: true,
        body: Box::new(|v| form(&[("version", &v.to_string())])),
    });
    out.push(Case {
        route: "POST /organisations",
        path: "/organisations".into(),
        owner: "caobang",
        outsiders: &["langson", "ngo_b", "approver", "viewer"],
        versioned: None,
        writes: true,
        body: Box::new(|_| form(&[("kind", "vn_department"), ("name", "Sở Giáo dục Cao Bằng"), ("province", "04")])),
    });
    out.push(Case {
        route: "POST /organisations/{id}",
        path: format!("/organisations/{}", partner.0),
        owner: "caobang",
        outsiders: &["langson", "ngo", "ngo_b", "approver", "viewer"],
        versioned: Some(Versioned::Organisation(partner)),
        writes: true,
        body: Box::new(|v| {
            form(&[
                ("kind", "vn_department"),
                ("name", "Sở Y tế tỉnh Cao Bằng"),
                ("province", "04"),
                ("version", &v.to_string()),
            ])
        }),
    });
    out.push(Case {
        route: "POST /organisations/{id}/certificates",
        path: format!("/organisations/{}/certificates", app.ngo_a.0),
        owner: "central",
        outsiders: CENTRAL_ONLY,
        versioned: None,
        writes: true,
        body: Box::new(|_| {
            form(&[
                ("kind", "operation"),
                ("number", "77/BNG-GĐK"),
                ("issued_on", "2026-01-10"),
                ("valid_to", "2029-01-09"),
                ("provinces", "04"),
                ("sectors", ""),
            ])
        }),
    });
    out.push(Case {
        route: "POST /reports/submissions/receive",
        path: "/reports/submissions/receive".into(),
        owner: "central",
        outsiders: CENTRAL_ONLY,
        versioned: None,
        writes: true,
        body: Box::new(|_| form(&[("province", "04"), ("period", "annual"), ("year", "2025")])),
    });
    let proposal = rig.proposal;
    out.push(Case {
        route: "POST /match/proposals/{id}/status",
        path: format!("/match/proposals/{proposal}/status"),
        owner: "caobang",
        outsiders: ITEM_OUTSIDERS,
        versioned: Some(Versioned::Proposal(proposal)),
        writes: true,
        // Withdrawn is a step from both listed and matched, where someone else's step leaves it.
        body: Box::new(|v| form(&[("to", "withdrawn"), ("version", &v.to_string()), ("aid_item", "")])),
    });
    out.push(Case {
        route: "POST /people/{kind}",
        path: "/people/events".into(),
        owner: "caobang",
        outsiders: PEOPLE_OUTSIDERS,
        versioned: None,
        writes: true,
        body: Box::new(|_| Payload::Form(event_form(1).into_iter().collect())),
    });
    let event = rig.event;
    out.push(Case {
        route: "POST /people/{kind}/{id}",
        path: format!("/people/events/{event}"),
        owner: "caobang",
        outsiders: PEOPLE_OUTSIDERS,
        versioned: Some(Versioned::People(PeopleKind::Event, event)),
        writes: true,
        body: Box::new(|v| {
            let mut fields: Vec<(String, String)> = event_form(v + 100).into_iter().collect();
            fields.push(("version".into(), v.to_string()));
            Payload::Form(fields)
        }),
    });
    out.push(Case {
        route: "POST /people/{kind}/{id}/{part}",
        path: format!("/people/events/{event}/participants"),
        owner: "caobang",
        outsiders: PEOPLE_OUTSIDERS,
        versioned: None,
        writes: true,
        body: Box::new(|_| form(&[("participant_kind", "person"), ("name", "Lò Văn Cường")])),
    });
    out.push(Case {
        route: "POST /match/proposals",
        path: "/match/proposals".into(),
        owner: "caobang",
        outsiders: PEOPLE_OUTSIDERS,
        versioned: None,
        writes: true,
        body: Box::new(|_| {
            form(&[("province", "04"), ("title", "Cấp nước sạch cho điểm trường"), ("sector", "vn:health")])
        }),
    });
    out.push(Case {
        route: "POST /match/priorities",
        path: "/match/priorities".into(),
        owner: "caobang",
        outsiders: PEOPLE_OUTSIDERS,
        versioned: None,
        writes: true,
        body: Box::new(|_| {
            form(&[("province", "04"), ("from_year", "2026"), ("to_year", "2030"), ("sector", "vn:health")])
        }),
    });
    let participant = rig.participant.clone();
    out.push(Case {
        route: "POST /people/{kind}/{id}/{part}/remove",
        path: format!("/people/events/{event}/participants/remove"),
        owner: "caobang",
        outsiders: PEOPLE_OUTSIDERS,
        versioned: None,
        writes: true,
        body: Box::new(move |_| form(&[("key", &participant)])),
    });
    out.push(Case {
        route: "POST /events",
        path: "/events".into(),
        owner: "caobang",
        outsiders: PEOPLE_OUTSIDERS,
        versioned: None,
        writes: true,
        body: Box::new(|_| {
            form(&[("province", "04"), ("title", "Gặp mặt các tổ chức"), ("held_on", "2026-11-20"), ("city", "04")])
        }),
    });
    let (conference, donor) = (rig.conference, rig.app.ngo_a.0.to_string());
    out.push(Case {
        route: "POST /events/{id}/{what}",
        path: format!("/events/{conference}/pledges"),
        owner: "caobang",
        outsiders: PEOPLE_OUTSIDERS,
        versioned: None,
        writes: true,
        body: Box::new(move |_| form(&[("organisation", &donor), ("amount", "50000")])),
    });
    out.push(Case {
        route: "POST /users",
        path: "/users".into(),
        owner: "admin",
        outsiders: ADMIN_ONLY,
        versioned: None,
        writes: true,
        body: Box::new(|_| {
            form(&[("username", "moi"), ("password", "mật-khẩu-đủ-dài"), ("role", "viewer"), ("province", "")])
        }),
    });
    out.push(Case {
        route: "POST /transfer/import",
        path: "/transfer/import".into(),
        owner: "central",
        outsiders: CENTRAL_ONLY,
        versioned: None,
        writes: true,
        body: Box::new(|_| Payload::Upload {
            file_name: "cscf.xml",
            content_type: "application/xml",
            bytes: IATI_FILE.as_bytes().to_vec(),
        }),
    });
    out.push(Case {
        route: "POST /transfer/sheet",
        path: "/transfer/sheet".into(),
        owner: "central",
        outsiders: CENTRAL_ONLY,
        versioned: None,
        writes: false,
        body: Box::new(|_| Payload::Upload {
            file_name: "danh-sach.csv",
            content_type: "text/csv",
            bytes: SHEET.as_bytes().to_vec(),
        }),
    });
    // The import of an uploaded sheet needs an upload of the owner's first.
    let central = people.browsers.get_mut("central").unwrap();
    let token = central.csrf("/transfer/sheet").await;
    let uploaded = central
        .send(upload(&format!("/transfer/sheet?csrf={token}"), "danh-sach.csv", "text/csv", SHEET.as_bytes(), &[]))
        .await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.body);
    let preview = uploaded.headers["location"].to_str().unwrap().to_owned();
    // Mapping again gets an upload of its own (its owner's request leaves the sheet unreadable for an import).
    let uploaded = central
        .send(upload(&format!("/transfer/sheet?csrf={token}"), "danh-sach.csv", "text/csv", SHEET.as_bytes(), &[]))
        .await;
    let to_map = uploaded.headers["location"].to_str().unwrap().to_owned();
    out.push(Case {
        route: "POST /transfer/sheet/{key}/mapping",
        path: format!("{to_map}/mapping"),
        owner: "central",
        outsiders: CENTRAL_ONLY,
        versioned: None,
        // Read again with every column ignored: it does not fit, so nothing is saved.
        writes: false,
        body: Box::new(|_| form(&[("save_as", "mẫu")])),
    });
    out.push(Case {
        route: "POST /transfer/sheet/{key}/import",
        path: format!("{preview}/import"),
        owner: "central",
        outsiders: CENTRAL_ONLY,
        versioned: None,
        writes: true,
        body: Box::new(|_| form(&[("only_valid_rows", "on")])),
    });

    out.push(Case {
        route: "POST /api/v1/organisations",
        path: "/api/v1/organisations".into(),
        owner: "caobang",
        outsiders: &["langson", "ngo_b", "approver", "viewer"],
        versioned: None,
        writes: true,
        body: Box::new(|_| {
            Payload::Json(
                serde_json::json!({ "kind": "vn_department", "name": "Sở Nông nghiệp Cao Bằng", "province": "04" }),
            )
        }),
    });
    let api_item = ngo_a.clone();
    out.push(Case {
        route: "POST /api/v1/aid-items",
        path: "/api/v1/aid-items".into(),
        owner: "caobang",
        outsiders: ITEM_OUTSIDERS,
        versioned: None,
        writes: true,
        body: Box::new(move |_| {
            Payload::Json(serde_json::json!({
                "title": "Cầu treo Hà Quảng",
                "kind": "project",
                "donors": [{ "organisation": api_item.parse::<i64>().unwrap() }],
                "sectors": [{ "sector": "vn:health" }],
                "locations": [{ "province": "04" }],
                "unit_set": "from2025",
                "start_date": "2026-01-01"
            }))
        }),
    });
    let patched = rig.draft("Trạm y tế qua API").await;
    out.push(Case {
        route: "PATCH /api/v1/aid-items/{id}",
        path: format!("/api/v1/aid-items/{}", patched.0),
        owner: "caobang",
        outsiders: ITEM_OUTSIDERS,
        versioned: Some(Versioned::Item(patched)),
        writes: true,
        body: Box::new(|v| Payload::Json(serde_json::json!({ "version": v, "title": "Trạm y tế (API)" }))),
    });
    let api_status = rig.draft("Trạm y tế nộp qua API").await;
    out.push(Case {
        route: "POST /api/v1/aid-items/{id}/status",
        path: format!("/api/v1/aid-items/{}/status", api_status.0),
        owner: "caobang",
        outsiders: ITEM_OUTSIDERS,
        versioned: Some(Versioned::Item(api_status)),
        writes: true,
        body: Box::new(|v| Payload::Json(serde_json::json!({ "to": "submitted", "version": v }))),
    });
    let api_flow = rig.draft("Trạm y tế nhận tiền qua API").await;
    out.push(Case {
        route: "POST /api/v1/aid-items/{id}/flows",
        path: format!("/api/v1/aid-items/{}/flows", api_flow.0),
        owner: "caobang",
        outsiders: ITEM_OUTSIDERS,
        versioned: None,
        writes: true,
        body: Box::new(|_| {
            Payload::Json(
                serde_json::json!({ "kind": "commitment", "stage": "planned", "date": "2026-03-01", "amount": "12000", "currency": "USD" }),
            )
        }),
    });
    out
}

/// What a reply says went wrong: the page's alert, else the start of the body.
fn alert(body: &str) -> &str {
    match body.split_once("role=\"alert\"") {
        Some((_, rest)) => &rest[..rest.len().min(600)],
        None => &body[..body.len().min(600)],
    }
}

fn refused_as_outsider(status: StatusCode) -> bool {
    // A record outside the user's scope looks missing (404); a route not for the user's role is forbidden.
    status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND
}

/// Sends one misuse of `case` and checks it is refused with an expected status and changes no record.
async fn expect_refused(
    rig: &Rig,
    people: &mut People,
    case: &Case,
    who: Option<&'static str>,
    proof: Proof,
    version: i64,
    expected: fn(StatusCode) -> bool,
) {
    let db = rig.services().db();
    let before = records(db).await;
    let reply = send(people, case, who, proof, version).await;
    let what = format!("{} as {} with {proof:?}", case.route, who.unwrap_or("nobody"));
    assert!(expected(reply.status), "{what}: refused, not {} {}", reply.status, alert(&reply.body));
    let after = records(db).await;
    assert!(changed(&before, &after).is_empty(), "{what}: changed {:?}", changed(&before, &after));
}

async fn every_state_changing_route_refuses_each_misuse_and_changes_nothing(db: Db) {
    let rig = Rig::new(db).await;
    let mut people = People::log_in(&rig.app).await;
    let all = cases(&rig, &mut people).await;
    for case in &all {
        let version = match case.versioned {
            Some(of) => rig.version(of).await,
            None => 0,
        };
        let unauthenticated = |s: StatusCode| s == StatusCode::UNAUTHORIZED;
        let forbidden = |s: StatusCode| s == StatusCode::FORBIDDEN;
        expect_refused(&rig, &mut people, case, None, Proof::Token, version, unauthenticated).await;
        for outsider in case.outsiders {
            expect_refused(&rig, &mut people, case, Some(outsider), Proof::Token, version, refused_as_outsider).await;
        }
        expect_refused(&rig, &mut people, case, Some(case.owner), Proof::Missing, version, forbidden).await;
        expect_refused(&rig, &mut people, case, Some(case.owner), Proof::CrossSite, version, forbidden).await;
        if let Some(of) = case.versioned {
            rig.edit_elsewhere(of).await;
            let conflict = |s: StatusCode| s == StatusCode::CONFLICT;
            expect_refused(&rig, &mut people, case, Some(case.owner), Proof::Token, version, conflict).await;
        }

        let db = rig.services().db();
        let before = records(db).await;
        let current = match case.versioned {
            Some(of) => rig.version(of).await,
            None => 0,
        };
        let reply = send(&mut people, case, Some(case.owner), Proof::Token, current).await;
        assert!(
            reply.status.is_success() || reply.status.is_redirection(),
            "{} as its owner {} succeeds: {} {}",
            case.route,
            case.owner,
            reply.status,
            alert(&reply.body)
        );
        let after = records(db).await;
        assert_eq!(!changed(&before, &after).is_empty(), case.writes, "{}: records written as expected", case.route);
    }
}

async fn the_session_routes_need_the_form_token_from_this_site(db: Db) {
    let rig = Rig::new(db).await;
    let app = &rig.app;
    // Logging in: a forged login (into the attacker's account) is refused without the token or from elsewhere.
    let mut visitor = app.anonymous();
    let token = visitor.csrf("/login").await;
    let missing = visitor.form("/login", &[("username", "caobang"), ("password", PASSWORD)]).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    let body = serde_urlencoded::to_string([("csrf", token.as_str()), ("username", "caobang"), ("password", PASSWORD)])
        .unwrap();
    let forged = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::ORIGIN, "https://evil.example")
        .body(Body::from(body))
        .unwrap();
    assert_eq!(visitor.send(forged).await.status, StatusCode::FORBIDDEN);
    assert!(!visitor.cookies.iter().any(|(k, _)| k == "vientro_session"), "no session was opened");

    // Logging out: a cross-site or token-less logout leaves the session working.
    for route in ["/logout", "/logout-everywhere"] {
        let mut officer = app.browser("caobang").await;
        let session = officer.cookies.iter().find(|(k, _)| k == "vientro_session").unwrap().1.clone();
        let token = officer.csrf("/aid-items").await;
        assert_eq!(officer.form(route, &[]).await.status, StatusCode::FORBIDDEN, "{route} without the token");
        let forged = Request::post(route)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("sec-fetch-site", "cross-site")
            .body(Body::from(format!("csrf={token}")))
            .unwrap();
        assert_eq!(officer.send(forged).await.status, StatusCode::FORBIDDEN, "{route} from another site");
        assert!(app.services.session_user(&session).await.unwrap().is_some(), "{route}: the session still works");
        assert_eq!(officer.form(route, &[("csrf", &token)]).await.status, StatusCode::SEE_OTHER);
        assert!(app.services.session_user(&session).await.unwrap().is_none(), "{route}: the session ended");
    }
}

/// Whether `line` calls `call` (`post(`) as a whole name: `.post(`, ` post(`, `::post(`, not `repost(`.
fn calls(line: &str, call: &str) -> bool {
    line.match_indices(call)
        .any(|(at, _)| line[..at].chars().next_back().is_none_or(|c| !(c.is_alphanumeric() || c == '_')))
}

/// The state-changing routes the web crate declares, read from its source (`.route("PATH", …post(…))`,
/// with the API's under `/api/v1`).
fn declared_state_changing_routes() -> Vec<String> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for dir in ["pages", "api"] {
        for entry in std::fs::read_dir(src.join(dir)).unwrap() {
            files.push((dir, entry.unwrap().path()));
        }
    }
    let mut routes = Vec::new();
    for (dir, file) in files {
        let text = std::fs::read_to_string(&file).unwrap();
        // Each `.route("PATH", …)` up to the next one: rustfmt may chain several on one line.
        for declaration in text.split(".route(\"").skip(1) {
            let (path, rest) = declaration.split_once('"').unwrap();
            // …and no further than the end of the function that builds the router.
            let rest = rest.split(".route(").next().unwrap_or(rest);
            let rest = rest.split("\n}").next().unwrap_or(rest);
            let prefix = if dir == "api" { "/api/v1" } else { "" };
            for (call, method) in [("post(", "POST"), ("patch(", "PATCH"), ("put(", "PUT"), ("delete(", "DELETE")] {
                if calls(rest, call) {
                    routes.push(format!("{method} {prefix}{path}"));
                }
            }
        }
    }
    routes.sort();
    routes
}

#[tokio::test]
async fn every_declared_state_changing_route_has_a_case_in_this_suite() {
    let db = vientro_store::testing::fresh_sqlite().await;
    let rig = Rig::new(db).await;
    let mut people = People::log_in(&rig.app).await;
    let mut covered: Vec<String> = cases(&rig, &mut people).await.iter().map(|c| c.route.to_owned()).collect();
    covered.extend(["POST /login", "POST /logout", "POST /logout-everywhere"].map(str::to_owned));
    covered.sort();
    let declared = declared_state_changing_routes();
    assert!(declared.len() >= 15, "the route table was read: {declared:?}");
    let missing: Vec<&String> = declared.iter().filter(|r| !covered.contains(r)).collect();
    assert!(missing.is_empty(), "state-changing routes without a security case: {missing:?}");
    let stale: Vec<&String> = covered.iter().filter(|r| !declared.contains(r)).collect();
    assert!(stale.is_empty(), "cases for routes that no longer exist: {stale:?}");
}

on_both_backends!(
    every_state_changing_route_refuses_each_misuse_and_changes_nothing,
    the_session_routes_need_the_form_token_from_this_site,
);
