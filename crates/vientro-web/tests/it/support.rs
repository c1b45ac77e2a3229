//! A test application: a fresh database with two provinces' items, users of every role, and a client that
//! keeps cookies and the form token like a browser.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use tower::ServiceExt;
use vientro_domain::aid_item::{AidItemInput, DonorInput, LocationInput, SectorInput};
use vientro_domain::ids::{AidItemId, OrganisationId};
use vientro_domain::organisation::OrganisationInput;
use vientro_services::accounts::UserInput;
use vientro_services::{Actor, Services};
use vientro_store::Db;

/// The application with its fixture ids.
pub(crate) struct TestApp {
    pub(crate) router: Router,
    pub(crate) services: Services,
    pub(crate) ngo_a: OrganisationId,
    pub(crate) ngo_b: OrganisationId,
    /// Unpublished draft in Cao Bằng funded by NGO A.
    pub(crate) cao_bang_item: AidItemId,
    /// Published item in Cao Bằng funded by NGO B.
    pub(crate) cao_bang_published: AidItemId,
    /// Unpublished draft in Lạng Sơn funded by NGO B.
    pub(crate) lang_son_item: AidItemId,
}

pub(crate) const PASSWORD: &str = "secret-pass";

async fn org(services: &Services, name: &str) -> OrganisationId {
    let input = OrganisationInput {
        kind: "foreign_ngo".into(),
        name: name.into(),
        country: Some("US".into()),
        ..Default::default()
    };
    services.create_organisation(&Actor::system(), &input).await.unwrap()
}

pub(crate) async fn item(
    services: &Services,
    title: &str,
    province: &str,
    donor: OrganisationId,
    published: bool,
) -> AidItemId {
    let input = AidItemInput {
        title: title.into(),
        kind: "project".into(),
        donors: vec![DonorInput { organisation: donor.0, percent: None }],
        sectors: vec![SectorInput { sector: "vn:health".into(), percent: None }],
        locations: vec![LocationInput { province: province.into(), ..Default::default() }],
        unit_set: Some("from2025".into()),
        start_date: Some("2026-01-01".into()),
        published,
        ..Default::default()
    };
    services.create_aid_item(&Actor::system(), &input).await.unwrap()
}

impl TestApp {
    pub(crate) async fn new(db: Db) -> TestApp {
        let services = Services::new(db);
        // The vendored VND table ends in 2024; flows of 2026 need an entered rate, as in production.
        services.enter_rate(&Actor::system(), "VND", "2026", "26000", None).await.unwrap();
        let ngo_a = org(&services, "Nước Sạch Foundation").await;
        let ngo_b = org(&services, "Đà Nẵng Children Fund").await;
        let cao_bang_item = item(&services, "Trạm y tế xã Đức Long", "04", ngo_a, false).await;
        let cao_bang_published = item(&services, "Giếng nước Bảo Lạc", "04", ngo_b, true).await;
        let lang_son_item = item(&services, "Trường học Tràng Định", "20", ngo_b, false).await;
        let users: [(&str, &str, Option<&str>, Option<i64>); 7] = [
            ("admin", "admin", None, None),
            ("central", "central", None, None),
            ("caobang", "province_officer", Some("04"), None),
            ("langson", "province_officer", Some("20"), None),
            ("approver", "province_approver", Some("04"), None),
            ("ngo", "ngo_reporter", None, Some(ngo_a.0)),
            ("viewer", "viewer", None, None),
        ];
        for (username, role, province, organisation) in users {
            let input = UserInput {
                username: username.into(),
                display_name: None,
                password: PASSWORD.into(),
                role: role.into(),
                province: province.map(str::to_owned),
                organisation,
            };
            services.add_user(&Actor::system(), &input).await.unwrap();
        }
        let router = vientro_web::app(services.clone(), vientro_web::Options { demo: false, secure_cookies: true });
        TestApp { router, services, ngo_a, ngo_b, cao_bang_item, cao_bang_published, lang_son_item }
    }

    /// A client without cookies.
    pub(crate) fn anonymous(&self) -> Client {
        Client { router: self.router.clone(), cookies: Vec::new(), bearer: None }
    }

    /// A client logged in through the login form.
    pub(crate) async fn browser(&self, username: &str) -> Client {
        let mut client = self.anonymous();
        let csrf = client.csrf("/login").await;
        let response =
            client.form("/login", &[("csrf", csrf.as_str()), ("username", username), ("password", PASSWORD)]).await;
        assert_eq!(response.status, StatusCode::SEE_OTHER, "{username} logs in: {}", response.body);
        client
    }

    /// An API client with a bearer token of `username`.
    pub(crate) async fn api(&self, username: &str) -> Client {
        let token = self.services.create_token(&Actor::system(), username, "test").await.unwrap();
        Client { router: self.router.clone(), cookies: Vec::new(), bearer: Some(token) }
    }
}

/// A response, read whole.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: axum::http::HeaderMap,
    pub(crate) body: String,
}

impl Reply {
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

/// A client that keeps cookies like a browser.
#[derive(Clone)]
pub(crate) struct Client {
    router: Router,
    pub(crate) cookies: Vec<(String, String)>,
    bearer: Option<String>,
}

impl Client {
    pub(crate) async fn send(&mut self, request: Request<Body>) -> Reply {
        let (status, headers, bytes) = self.exchange(request).await;
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    /// A GET whose body is kept as bytes (a download).
    pub(crate) async fn send_bytes(&mut self, path: &str) -> (StatusCode, Vec<u8>) {
        let (status, _, bytes) = self.exchange(Request::get(path).body(Body::empty()).unwrap()).await;
        (status, bytes)
    }

    /// Sends `request` with this client's cookies and token, keeps the cookies it sets, reads the body whole.
    async fn exchange(&mut self, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let mut request = request;
        if !self.cookies.is_empty() {
            let cookie = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
            request.headers_mut().insert(header::COOKIE, cookie.parse().unwrap());
        }
        if let Some(token) = &self.bearer {
            request.headers_mut().insert(header::AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
        }
        request.headers_mut().insert(header::HOST, "vientro.test".parse().unwrap());
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        for set in headers.get_all(header::SET_COOKIE) {
            let text = set.to_str().unwrap();
            let (pair, _) = text.split_once(';').unwrap_or((text, ""));
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.retain(|(name, _)| name != k);
            if !v.is_empty() {
                self.cookies.push((k.to_owned(), v.to_owned()));
            }
        }
        let bytes = axum::body::to_bytes(response.into_body(), 64 * 1024 * 1024).await.unwrap();
        (status, headers, bytes.to_vec())
    }

    pub(crate) async fn get(&mut self, path: &str) -> Reply {
        self.send(Request::get(path).body(Body::empty()).unwrap()).await
    }

    /// The form token of the page at `path`.
    pub(crate) async fn csrf(&mut self, path: &str) -> String {
        let page = self.get(path).await;
        let marker = "name=\"csrf-token\" content=\"";
        let start =
            page.body.find(marker).unwrap_or_else(|| panic!("{path} has a form token: {}", page.body)) + marker.len();
        page.body[start..start + 64].to_owned()
    }

    pub(crate) async fn form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    pub(crate) async fn json(&mut self, method: &str, path: &str, body: serde_json::Value) -> Reply {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(request).await
    }
}

/// A `multipart/form-data` POST to `path` of one file (the form field `file`) and some plain fields, as the
/// upload forms send it.
pub(crate) fn upload(
    path: &str,
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
    fields: &[(&str, &str)],
) -> Request<Body> {
    let boundary = "vientro-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
             Content-Type: {content_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Request::post(path)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
        .body(Body::from(body))
        .unwrap()
}

/// A proposal on Cao Bằng's call-for-aid list (health, 4,000 people, 90,000 USD), listed; returns its id.
pub(crate) async fn listed_proposal(services: &Services, title: &str) -> i64 {
    let proposal = vientro_store::matching::NewProposal {
        province_code: "04".into(),
        title: title.into(),
        sector_code: "vn:health".into(),
        communes: None,
        beneficiaries: Some(4_000),
        estimated_usd_minor: Some(9_000_000),
        status: "listed".into(),
        aid_item_id: None,
        illustrative: false,
    };
    let mut tx = services.db().begin().await.unwrap();
    let id = vientro_services::matching::record_proposal_in(&mut tx, &Actor::system(), &proposal).await.unwrap();
    tx.commit().await.unwrap();
    id
}
