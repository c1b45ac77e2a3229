//! `vientro bench web`: the pages and the API at scale. Generates (or reuses) a SQLite database of synthetic
//! items, then renders each list page, dashboard and API list through the whole application (router,
//! middleware, session, templates) in-process, one warm-up and then timed runs, and prints a Markdown table
//! with the machine it ran on.
//!
//! In-process requests leave out the socket, so these are render times; `scripts/load-test` measures the
//! server over loopback. This module must not hold product rules; it only drives the application.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use axum::body::Body;
use axum::http::{Request, header};
use tower::ServiceExt;
use vientro_services::bench::{BenchConfig, generate, machine_description};
use vientro_services::{Actor, Services};

const BENCH_USER: &str = "bench-central";
const BENCH_PASSWORD: &str = "bench-password";

/// One page's timings, in milliseconds.
struct PageTiming {
    path: String,
    status: u16,
    bytes: usize,
    /// The warm-up request: the first after start, with nothing remembered.
    cold: f64,
    millis: Vec<f64>,
}

fn median(sorted: &[f64]) -> f64 {
    if sorted.is_empty() { 0.0 } else { sorted[sorted.len() / 2] }
}

/// Generates the database at `path` unless it already holds items, then times the pages.
pub(crate) async fn bench_web(items: usize, runs: usize, path: &Path) -> anyhow::Result<String> {
    let url = format!("sqlite://{}", path.display());
    let db = vientro_store::Db::connect(&url).await?;
    db.migrate().await?;
    let existing: Option<vientro_store::db::Scalar> =
        vientro_store::Exec::fetch_optional(&mut db.clone(), vientro_store::Stmt::new("SELECT COUNT(*) FROM aid_item"))
            .await?;
    let have = existing.map_or(0, |n| n.0);
    let cfg = BenchConfig { items, runs, ..BenchConfig::default() };
    let generated = if have == 0 {
        let stats = generate(&db, &cfg, |m| eprintln!("[generate] {m}")).await.map_err(crate::cli::user_error)?;
        format!("generated in {:.0} s", stats.total_seconds)
    } else {
        format!("reused {} (already {have} items)", path.display())
    };
    let services = Services::new(db.clone());
    if vientro_store::accounts::user_by_username(&mut db.clone(), BENCH_USER).await?.is_none() {
        let input = vientro_services::accounts::UserInput {
            username: BENCH_USER.into(),
            display_name: None,
            password: BENCH_PASSWORD.into(),
            role: "central".into(),
            province: None,
            organisation: None,
        };
        services.add_user(&Actor::system(), &input).await.map_err(crate::cli::user_error)?;
    }
    let login = services.login(BENCH_USER, BENCH_PASSWORD, "bench").await.map_err(crate::cli::user_error)?;
    let cookie = format!("vientro_session={}", login.session_token);
    let router = vientro_web::app(services.clone(), vientro_web::Options { demo: false, secure_cookies: true });

    let item_count: vientro_store::db::Scalar = vientro_store::ExecExt::fetch_one(
        &mut db.clone(),
        vientro_store::Stmt::new("SELECT COUNT(*) FROM aid_item"),
        "count",
    )
    .await?;
    let middle = (item_count.0 / 2).max(1);
    let pages = [
        "/aid-items".to_owned(),
        "/aid-items?province=19".to_owned(),
        "/aid-items?province=19&year=2021&status=implementing".to_owned(),
        "/aid-items?q=nuoc+sach".to_owned(),
        // Bench titles are "Khoản viện trợ thử nghiệm số N": a search that finds a handful of a million.
        "/aid-items?q=thu+nghiem+so+42424".to_owned(),
        "/aid-items?page=200".to_owned(),
        format!("/aid-items/{middle}"),
        "/organisations".to_owned(),
        "/approvals".to_owned(),
        "/dashboard/national?year=2021".to_owned(),
        "/dashboard/province/19?year=2021".to_owned(),
        // A provincial officer's home page: the province over all years.
        "/dashboard/province/19".to_owned(),
        "/dashboard/national".to_owned(),
        "/api/v1/aid-items?province=19".to_owned(),
        format!("/api/v1/aid-items/{middle}"),
    ];
    let mut timings = Vec::new();
    for path in pages {
        let mut millis = Vec::new();
        let (mut status, mut bytes, mut cold) = (0, 0, 0.0);
        for run in 0..=runs {
            let request =
                Request::get(&path).header(header::COOKIE, &cookie).header(header::HOST, "bench").body(Body::empty())?;
            let started = Instant::now();
            let response = router.clone().oneshot(request).await.context("the router failed")?;
            status = response.status().as_u16();
            bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await?.len();
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            if run > 0 {
                millis.push(ms);
            } else {
                cold = ms;
            }
        }
        millis.sort_by(f64::total_cmp);
        eprintln!("[pages] {path}: median {:.1} ms", median(&millis));
        timings.push(PageTiming { path, status, bytes, cold, millis });
    }
    db.close().await;

    let mut out = format!(
        "#### Pages and API: {} items (SQLite)\n\nMachine: {}  \nData: {generated}; debug or release: {}  \n\
         Each page: its first request (\"first ms\"; reports shared with an earlier page may already be remembered), then {runs} timed requests through \
         the whole application in-process (router, session, CSRF layer, services, templates), logged in as \
         central staff. Report results are remembered until the next recorded change, so repeated dashboard \
         requests are served from memory until someone saves something.\n\n\
         | page | status | KB | first ms | median ms | p90 ms | max ms | median ≤ 200 ms |\n|---|---:|---:|---:|---:|---:|---:|:-:|\n",
        group(item_count.0),
        machine_description(),
        if cfg!(debug_assertions) { "debug" } else { "release" },
    );
    for t in &timings {
        let p90 = t.millis.get((t.millis.len() * 9).div_ceil(10).saturating_sub(1)).copied().unwrap_or(0.0);
        let max = t.millis.last().copied().unwrap_or(0.0);
        let med = median(&t.millis);
        out.push_str(&format!(
            "| `{}` | {} | {:.0} | {:.1} | {med:.1} | {p90:.1} | {max:.1} | {} |\n",
            t.path,
            t.status,
            t.bytes as f64 / 1024.0,
            t.cold,
            if med <= 200.0 { "yes" } else { "**no**" }
        ));
    }
    Ok(out)
}

/// 1000000 → "1 000 000".
pub(crate) fn group(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}
