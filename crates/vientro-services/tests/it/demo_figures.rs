//! The demo data set reproduces every figure of the seed articles (/work/shared/seeds/FACTS.md) through the
//! report engine, on SQLite and (when `VIENTRO_TEST_POSTGRES_URL` is set) PostgreSQL.
//!
//! Loading the demo takes seconds, so it is loaded once per backend per test run, on a thread with its own
//! runtime, into a SQLite file in the temp directory and a PostgreSQL schema; each test then opens its own
//! connection to it. The last test of a backend to finish removes the file or drops the schema; what a filtered
//! or killed run leaves behind is removed by the next run.

use std::future::Future;
use std::str::FromStr;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use vientro_domain::report::{Cell, ReportQueryInput, ReportResult, ReportRow};
use vientro_services::Services;
use vientro_services::demo::{self, DemoSummary};
use vientro_store::testing::POSTGRES_URL_VAR;
use vientro_store::{Db, Exec, Stmt};

// ---------------------------------------------------------------------------------------------------------
// The shared demo databases.

/// A loaded demo database: where it is and what the first load reported.
struct Shared {
    /// SQLite: the `sqlite://` URL. PostgreSQL: the schema name.
    target: String,
    /// The summary of the one real load.
    loaded: DemoSummary,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

static SQLITE: OnceLock<Result<Shared, String>> = OnceLock::new();
static POSTGRES: OnceLock<Result<Option<Shared>, String>> = OnceLock::new();
static FINISHED_SQLITE: AtomicUsize = AtomicUsize::new(0);
static FINISHED_POSTGRES: AtomicUsize = AtomicUsize::new(0);

fn unique() -> String {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{}_{}", std::process::id(), nanos)
}

/// Runs `f` to completion on a new thread with its own runtime, so the pools it opens die with it.
fn on_own_runtime<F, Fut, T>(f: F) -> T
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = T>,
    T: Send + 'static,
{
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(f())
    })
    .join()
    .expect("the demo loading thread does not panic")
}

fn postgres_url() -> Option<String> {
    std::env::var(POSTGRES_URL_VAR).ok().filter(|u| !u.trim().is_empty())
}

async fn postgres_db(schema: &str, connections: u32) -> Db {
    let url = postgres_url().expect("the PostgreSQL URL is set");
    let options = PgConnectOptions::from_str(&url).expect("VIENTRO_TEST_POSTGRES_URL is a valid PostgreSQL URL");
    let pool = PgPoolOptions::new()
        .max_connections(connections)
        .connect_with(options.options([("search_path", vientro_store::testing::search_path(schema).as_str())]))
        .await
        .expect("the demo schema accepts connections");
    Db::Postgres(pool)
}

/// True unless `/proc` shows the process is gone (where there is no `/proc`, every process counts as alive).
fn process_alive(pid: u32) -> bool {
    let proc = std::path::Path::new("/proc");
    !proc.exists() || proc.join(pid.to_string()).exists()
}

/// True for a leftover of a run that died before cleaning up: `rest` starts with the pid of a dead process.
fn left_by_a_dead_run(rest: &str) -> bool {
    rest.split('_').next().and_then(|p| p.parse::<u32>().ok()).is_some_and(|pid| !process_alive(pid))
}

/// Removes SQLite files left by runs that were filtered down or died (their last test never finished).
fn remove_stale_sqlite_files() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.strip_prefix("vientro-demo-").is_some_and(left_by_a_dead_run) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Drops demo schemas left by runs that were filtered down or died.
async fn drop_stale_schemas() {
    let url = postgres_url().expect("the PostgreSQL URL is set");
    let options = PgConnectOptions::from_str(&url).expect("VIENTRO_TEST_POSTGRES_URL is a valid PostgreSQL URL");
    let admin =
        PgPoolOptions::new().max_connections(1).connect_with(options).await.expect("PostgreSQL accepts connections");
    let schemas: Vec<(String,)> =
        sqlx::query_as("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'vt_demo_%'")
            .fetch_all(&admin)
            .await
            .expect("the schemas can be listed");
    admin.close().await;
    for (schema,) in schemas {
        if schema.strip_prefix("vt_demo_").is_some_and(left_by_a_dead_run) {
            postgres_admin(format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).await;
        }
    }
}

async fn postgres_admin(sql: String) {
    let url = postgres_url().expect("the PostgreSQL URL is set");
    let options = PgConnectOptions::from_str(&url).expect("VIENTRO_TEST_POSTGRES_URL is a valid PostgreSQL URL");
    let admin =
        PgPoolOptions::new().max_connections(1).connect_with(options).await.expect("PostgreSQL accepts connections");
    vientro_store::testing::install_shared_extensions(&admin).await;
    sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&admin).await.expect("an administrative statement runs");
    admin.close().await;
}

async fn load_into(db: Db) -> Result<DemoSummary, String> {
    db.migrate().await.map_err(|e| format!("migrations: {e}"))?;
    let started = std::time::Instant::now();
    let loaded = demo::load(&Services::new(db.clone())).await.map_err(|e| format!("demo load: {e:?}"))?;
    eprintln!("demo loaded in {:.1} s: {loaded:?}", started.elapsed().as_secs_f64());
    db.close().await;
    Ok(loaded)
}

fn shared_sqlite() -> &'static Shared {
    let shared = SQLITE.get_or_init(|| {
        on_own_runtime(|| async {
            remove_stale_sqlite_files();
            let path = std::env::temp_dir().join(format!("vientro-demo-{}.sqlite", unique()));
            let target = format!("sqlite://{}", path.display());
            let db = Db::connect(&target).await.map_err(|e| e.to_string())?;
            let loaded = load_into(db).await?;
            Ok(Shared { target, loaded })
        })
    });
    shared.as_ref().unwrap_or_else(|e| panic!("the SQLite demo database could not be loaded: {e}"))
}

fn shared_postgres() -> Option<&'static Shared> {
    let shared = POSTGRES.get_or_init(|| {
        if postgres_url().is_none() {
            return Ok(None);
        }
        on_own_runtime(|| async {
            drop_stale_schemas().await;
            let schema = format!("vt_demo_{}", unique());
            postgres_admin(format!("CREATE SCHEMA {schema}")).await;
            let loaded = load_into(postgres_db(&schema, 4).await).await?;
            Ok(Some(Shared { target: schema, loaded }))
        })
    });
    match shared {
        Ok(s) => s.as_ref(),
        Err(e) => panic!("the PostgreSQL demo database could not be loaded: {e}"),
    }
}

/// A test's view of the demo: its own connection, and what the first load reported.
struct Demo {
    services: Services,
    loaded: DemoSummary,
}

/// Runs one figure test on one backend, then counts it as finished; the last one cleans up.
async fn run<F, Fut>(backend: Backend, total: usize, test: F)
where
    F: FnOnce(Demo) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let shared = match backend {
        Backend::Sqlite => Some(tokio::task::block_in_place(shared_sqlite)),
        Backend::Postgres => tokio::task::block_in_place(shared_postgres),
    };
    let Some(shared) = shared else {
        eprintln!("SKIPPED on PostgreSQL: set {POSTGRES_URL_VAR} to run the demo figures there");
        return;
    };
    let db = match backend {
        Backend::Sqlite => Db::connect(&shared.target).await.expect("the SQLite demo database opens"),
        Backend::Postgres => postgres_db(&shared.target, 2).await,
    };
    let outcome = tokio::spawn(test(Demo { services: Services::new(db.clone()), loaded: shared.loaded })).await;
    db.close().await;
    let finished = match backend {
        Backend::Sqlite => &FINISHED_SQLITE,
        Backend::Postgres => &FINISHED_POSTGRES,
    };
    if finished.fetch_add(1, Ordering::SeqCst) + 1 == total {
        match backend {
            Backend::Sqlite => {
                let path = shared.target.trim_start_matches("sqlite://").to_owned();
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{path}{suffix}"));
                }
            }
            Backend::Postgres => postgres_admin(format!("DROP SCHEMA IF EXISTS {} CASCADE", shared.target)).await,
        }
    }
    if let Err(e) = outcome {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Declares each listed `async fn name(demo: Demo)` as `name::on_sqlite` and `name::on_postgres`, all sharing
/// one loaded demo per backend.
macro_rules! on_shared_demo {
    ($($name:ident),* $(,)?) => {
        const FIGURE_TESTS: usize = [$(stringify!($name)),*].len();
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn on_sqlite() {
                    super::run(super::Backend::Sqlite, super::FIGURE_TESTS, super::$name).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn on_postgres() {
                    super::run(super::Backend::Postgres, super::FIGURE_TESTS, super::$name).await;
                }
            }
        )*
    };
}

// ---------------------------------------------------------------------------------------------------------
// Asking the report engine.

/// A report request; empty strings are left out.
#[derive(Default)]
struct Ask {
    measures: &'static str,
    by: &'static str,
    filters: &'static [&'static str],
    from: &'static str,
    to: &'static str,
    as_of: &'static str,
}

fn some(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

async fn report(services: &Services, ask: Ask) -> ReportResult {
    let query = ReportQueryInput {
        measures: ask.measures.into(),
        by: ask.by.into(),
        filters: ask.filters.iter().map(|f| (*f).to_owned()).collect(),
        from: some(ask.from),
        to: some(ask.to),
        as_of: some(ask.as_of),
    }
    .parse()
    .expect("the request parses");
    services.report(&query).await.expect("the report runs")
}

fn count(c: &Cell) -> i64 {
    match c {
        Cell::Count(n) => *n,
        other => panic!("expected a count, got {other:?}"),
    }
}

fn minor(c: &Cell) -> i64 {
    match c {
        Cell::Money { minor, .. } => *minor,
        other => panic!("expected money, got {other:?}"),
    }
}

fn percent(c: &Cell) -> i64 {
    match c {
        Cell::Percent(p) => *p,
        other => panic!("expected a percentage, got {other:?}"),
    }
}

/// The row whose key codes are `keys`.
fn row<'a>(r: &'a ReportResult, keys: &[&str]) -> &'a ReportRow {
    r.rows
        .iter()
        .find(|row| row.keys.iter().map(|(code, _)| code.as_str()).eq(keys.iter().copied()))
        .unwrap_or_else(|| panic!("no row {keys:?} in {:?}", r.rows.iter().map(|r| &r.keys).collect::<Vec<_>>()))
}

/// USD cents of whole dollars.
const fn usd(dollars: i64) -> i64 {
    dollars * 100
}

// ---------------------------------------------------------------------------------------------------------
// Cao Bằng (FACTS C1, C3–C7, C11, C12).

async fn cao_bang_2016_2020_yearly_average_17_donors(d: Demo) {
    let r = report(
        &d.services,
        Ask {
            measures: "organisations",
            by: "year",
            filters: &["province=04"],
            from: "2016",
            to: "2020",
            ..Ask::default()
        },
    )
    .await;
    assert_eq!(r.rows.len(), 5);
    let sum: i64 = r.rows.iter().map(|row| count(&row.values[0])).sum();
    assert_eq!(sum, 85);
    assert_eq!(sum / 5, 17);
}

async fn cao_bang_2021_funded_by_10_ngos_and_01_embassy(d: Demo) {
    let r = report(
        &d.services,
        Ask {
            measures: "organisations",
            by: "donor_kind",
            filters: &["province=Cao Bằng"],
            from: "2021",
            to: "2021",
            ..Ask::default()
        },
    )
    .await;
    assert_eq!(r.rows.len(), 2);
    assert_eq!(count(&row(&r, &["foreign_ngo"]).values[0]), 10);
    assert_eq!(count(&row(&r, &["foreign_agency"]).values[0]), 1);
    assert_eq!(count(&r.total.values[0]), 11);
}

async fn cao_bang_2021_28_projects_and_non_project_items(d: Demo) {
    let r = report(
        &d.services,
        Ask { measures: "items", filters: &["province=04"], from: "2021", to: "2021", ..Ask::default() },
    )
    .await;
    assert_eq!(count(&r.total.values[0]), 28);
}

async fn cao_bang_2021_committed_1_441_700_usd(d: Demo) {
    let r = report(
        &d.services,
        Ask { measures: "committed_usd", filters: &["province=04"], from: "2021", to: "2021", ..Ask::default() },
    )
    .await;
    assert_eq!(minor(&r.total.values[0]), usd(1_441_700));
}

async fn cao_bang_2021_disbursed_1_273_388_usd_88_33_percent(d: Demo) {
    let r = report(
        &d.services,
        Ask {
            measures: "disbursed_usd,disbursement_rate",
            filters: &["province=04"],
            from: "2021",
            to: "2021",
            ..Ask::default()
        },
    )
    .await;
    assert_eq!(minor(&r.total.values[0]), usd(1_273_388));
    assert_eq!(percent(&r.total.values[1]), 8833);
}

async fn cao_bang_2016_2021_59_items_approved(d: Demo) {
    let r = report(
        &d.services,
        Ask { measures: "items_approved", filters: &["province=04"], from: "2016", to: "2021", ..Ask::default() },
    )
    .await;
    assert_eq!(count(&r.total.values[0]), 59);
}

async fn cao_bang_2011_2016_yearly_average_21_organisations_and_2_9_million_usd(d: Demo) {
    let r = report(
        &d.services,
        Ask {
            measures: "organisations,disbursed_usd",
            by: "year",
            filters: &["province=04"],
            from: "2011",
            to: "2016",
            ..Ask::default()
        },
    )
    .await;
    assert_eq!(r.rows.len(), 6);
    let organisations: i64 = r.rows.iter().map(|row| count(&row.values[0])).sum();
    assert_eq!(organisations, 126);
    assert_eq!(organisations / 6, 21);
    let disbursed = minor(&r.total.values[1]);
    assert!((disbursed - usd(17_400_000)).abs() <= usd(5_000), "{disbursed}");
    assert_eq!((disbursed / 6 + usd(50_000)) / usd(100_000), 29, "2,9 million a year");
}

async fn cao_bang_first_half_2016_aid_3_033_296_usd(d: Demo) {
    let r = report(
        &d.services,
        Ask {
            measures: "disbursed_usd",
            by: "half_year",
            filters: &["province=04"],
            from: "2016",
            to: "2016",
            ..Ask::default()
        },
    )
    .await;
    assert_eq!(minor(&row(&r, &["2016-H1"]).values[0]), usd(3_033_296));
}

async fn cao_bang_ranks_in_the_first_20_provinces_and_the_first_4_of_its_region(d: Demo) {
    for (from, to) in [("2016", "2020"), ("2021", "2021")] {
        let query = ReportQueryInput {
            measures: "disbursed_usd".into(),
            from: Some(from.into()),
            to: Some(to.into()),
            ..Default::default()
        }
        .parse()
        .unwrap();
        let ranks = d.services.rank_provinces(&query).await.unwrap();
        let cao_bang = ranks.iter().find(|r| r.province == "04").unwrap();
        assert!(cao_bang.national <= 20, "{from}–{to}: {cao_bang:?}");
        assert!(cao_bang.in_region <= 4, "{from}–{to}: {cao_bang:?}");
    }
}

// ---------------------------------------------------------------------------------------------------------
// The nation (FACTS N1–N3).

async fn vietnam_504_foreign_ngos_certified_at_the_end_of_2019(d: Demo) {
    let r = report(&d.services, Ask { measures: "certified_ngos", as_of: "2019-12-31", ..Ask::default() }).await;
    assert_eq!(count(&r.total.values[0]), 504);
}

async fn vietnam_2019_aid_262_1_million_usd_24_million_less_than_2018(d: Demo) {
    let r =
        report(&d.services, Ask { measures: "disbursed_usd", by: "year", from: "2018", to: "2019", ..Ask::default() })
            .await;
    let y2018 = minor(&row(&r, &["2018"]).values[0]);
    let y2019 = minor(&row(&r, &["2019"]).values[0]);
    assert_eq!(y2019, usd(262_100_000));
    assert_eq!(y2018, usd(286_100_000));
    assert_eq!(y2018 - y2019, usd(24_000_000));
}

// ---------------------------------------------------------------------------------------------------------
// Lạng Sơn (FACTS L1–L3).

async fn lang_son_2019_two_new_and_one_supplementary_project_worth_114_673_usd(d: Demo) {
    let approved = report(
        &d.services,
        Ask {
            measures: "items_approved",
            by: "kind",
            filters: &["province=20"],
            from: "2019",
            to: "2019",
            ..Ask::default()
        },
    )
    .await;
    assert_eq!(count(&row(&approved, &["project"]).values[0]), 2);
    assert_eq!(count(&row(&approved, &["supplementary"]).values[0]), 1);
    let committed = report(
        &d.services,
        Ask {
            measures: "committed_usd",
            filters: &["province=20", "kind=project|supplementary"],
            from: "2019",
            to: "2019",
            ..Ask::default()
        },
    )
    .await;
    assert_eq!(minor(&committed.total.values[0]), usd(114_673));
}

async fn lang_son_2019_seven_non_project_items_worth_161_180_usd(d: Demo) {
    let r = report(
        &d.services,
        Ask {
            measures: "items,committed_usd",
            by: "kind",
            filters: &["province=20"],
            from: "2019",
            to: "2019",
            ..Ask::default()
        },
    )
    .await;
    let non_project = row(&r, &["non_project"]);
    assert_eq!(count(&non_project.values[0]), 7);
    assert_eq!(minor(&non_project.values[1]), usd(161_180));
    // No other commitments in 2019: the total is L1 and L2 together.
    assert_eq!(minor(&r.total.values[1]), usd(114_673 + 161_180));
}

async fn lang_son_end_of_2019_six_active_projects_worth_273_567_usd(d: Demo) {
    let r = report(
        &d.services,
        Ask {
            measures: "items,committed_usd",
            by: "kind",
            filters: &["province=20"],
            as_of: "2019-12-31",
            ..Ask::default()
        },
    )
    .await;
    assert_eq!(count(&r.total.values[0]), 6);
    assert_eq!(minor(&r.total.values[1]), usd(273_567));
    let kinds: Vec<&str> = r.rows.iter().map(|row| row.keys[0].0.as_str()).collect();
    assert_eq!(kinds, vec!["project", "supplementary"]);
}

// ---------------------------------------------------------------------------------------------------------
// Quảng Ninh (FACTS Q1–Q4).

async fn quang_ninh_31_organisations_registered_in_2019_and_20_in_2020(d: Demo) {
    let r = report(
        &d.services,
        Ask {
            measures: "registered_organisations",
            by: "year",
            filters: &["province=22"],
            from: "2019",
            to: "2020",
            ..Ask::default()
        },
    )
    .await;
    assert_eq!(count(&row(&r, &["2019"]).values[0]), 31);
    assert_eq!(count(&row(&r, &["2020"]).values[0]), 20);
}

async fn quang_ninh_march_2021_ten_projects_by_ten_ngos(d: Demo) {
    let r = report(
        &d.services,
        Ask {
            measures: "items,organisations",
            by: "donor_kind,kind",
            filters: &["province=22"],
            as_of: "2021-03-23",
            ..Ask::default()
        },
    )
    .await;
    assert_eq!(count(&r.total.values[0]), 10);
    assert_eq!(count(&r.total.values[1]), 10);
    let only = row(&r, &["foreign_ngo", "project"]);
    assert_eq!((count(&only.values[0]), count(&only.values[1])), (10, 10));
    assert_eq!(r.rows.len(), 1);
}

async fn quang_ninh_march_2021_capital_over_1_6_million_usd_and_35_billion_vnd(d: Demo) {
    let r = report(
        &d.services,
        Ask {
            measures: "committed_usd,committed_vnd",
            filters: &["province=22"],
            as_of: "2021-03-23",
            ..Ask::default()
        },
    )
    .await;
    let committed = minor(&r.total.values[0]);
    assert!((usd(1_600_000)..usd(1_700_000)).contains(&committed), "{committed}");
    assert!(minor(&r.total.values[1]) > 35_000_000_000, "{:?}", r.total.values[1]);
}

async fn quang_ninh_march_2021_eight_approved_by_the_province_two_by_the_centre(d: Demo) {
    let r = report(
        &d.services,
        Ask {
            measures: "items",
            by: "approval_level",
            filters: &["province=22"],
            as_of: "2021-03-23",
            ..Ask::default()
        },
    )
    .await;
    assert_eq!(count(&row(&r, &["province"]).values[0]), 8);
    assert_eq!(count(&row(&r, &["central_ministry"]).values[0]), 2);
}

// ---------------------------------------------------------------------------------------------------------
// Bắc Kạn (FACTS B1–B5).

async fn bac_kan_since_2019_35_items_about_5_million_usd_committed_2_8_million_disbursed(d: Demo) {
    let r = report(
        &d.services,
        Ask {
            measures: "items,committed_usd,disbursed_usd",
            filters: &["province=Bắc Kạn"],
            from: "2019",
            to: "2023",
            ..Ask::default()
        },
    )
    .await;
    assert_eq!(count(&r.total.values[0]), 35);
    let committed = minor(&r.total.values[1]);
    assert!((usd(4_950_000)..=usd(5_050_000)).contains(&committed), "{committed}");
    let disbursed = minor(&r.total.values[2]);
    assert!((usd(2_750_000)..=usd(2_850_000)).contains(&disbursed), "{disbursed}");
}

async fn bac_kan_mid_2023_nine_organisations_implementing_aid(d: Demo) {
    let r = report(
        &d.services,
        Ask { measures: "organisations", filters: &["province=06"], as_of: "2023-06-30", ..Ask::default() },
    )
    .await;
    assert_eq!(count(&r.total.values[0]), 9);
}

async fn childfund_16_projects_over_53_9_billion_vnd_in_six_communes_of_na_ri(d: Demo) {
    let r = report(
        &d.services,
        Ask {
            measures: "items,committed_vnd",
            by: "commune_as_recorded",
            filters: &["province=06", "donor=ChildFund", "kind=project"],
            from: "2015",
            to: "2023",
            ..Ask::default()
        },
    )
    .await;
    assert_eq!(count(&r.total.values[0]), 16);
    let committed = minor(&r.total.values[1]);
    assert!((53_900_000_000..53_950_000_000).contains(&committed), "{committed}");
    let communes: Vec<(&str, &str)> =
        r.rows.iter().map(|row| (row.keys[0].0.as_str(), row.keys[0].1.as_str())).collect();
    assert_eq!(
        communes,
        vec![
            ("02176", "Xã Cư Lễ"),
            ("02179", "Xã Trần Phú"),
            ("02185", "Xã Quang Phong"),
            ("02188", "Xã Dương Sơn"),
            ("02191", "Xã Xuân Dương"),
            ("02194", "Xã Đổng Xá"),
        ]
    );
}

async fn childfund_disbursed_over_48_9_billion_vnd_90_7_percent_by_june_2023(d: Demo) {
    let r = report(
        &d.services,
        Ask {
            measures: "committed_vnd,disbursed_vnd,disbursement_rate",
            filters: &["province=06", "donor=ChildFund"],
            from: "2015",
            to: "2023-06-30",
            ..Ask::default()
        },
    )
    .await;
    let (committed, disbursed) = (minor(&r.total.values[0]), minor(&r.total.values[1]));
    assert!((48_900_000_000..48_950_000_000).contains(&disbursed), "{disbursed}");
    let rate = percent(&r.total.values[2]);
    assert!((9070..9080).contains(&rate), "{rate}");
    // The rate is disbursed over committed in VND, the currency ChildFund's projects are recorded in.
    assert_eq!(rate, (disbursed * 20_000 + committed) / (2 * committed));
}

async fn childfund_is_the_largest_donor_of_bac_kan_and_of_todays_thai_nguyen(d: Demo) {
    let provinces: [&'static [&'static str]; 2] = [&["province=06"], &["province=19"]];
    for filters in provinces {
        let r = report(
            &d.services,
            Ask {
                measures: "committed_usd,disbursed_usd",
                by: "donor",
                filters,
                from: "2015",
                to: "2023",
                ..Ask::default()
            },
        )
        .await;
        for measure in 0..2 {
            let top = r.rows.iter().max_by_key(|row| minor(&row.values[measure])).expect("donors");
            assert_eq!(top.keys[0].1, "ChildFund Việt Nam", "{filters:?}, measure {measure}");
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// The data set itself.

async fn count_rows(db: &Db, table: &str) -> i64 {
    #[derive(sqlx::FromRow)]
    struct N {
        n: i64,
    }
    let rows: Vec<N> = db.clone().fetch_all(Stmt::new(format!("SELECT COUNT(*) AS n FROM {table}"))).await.unwrap();
    rows[0].n
}

const TABLES: [&str; 10] = [
    "organisation",
    "certificate",
    "province_registration",
    "aid_item",
    "aid_item_location",
    "flow",
    "flow_share",
    "item_cell",
    "audit_event",
    "app_setting",
];

async fn loading_the_demo_twice_changes_nothing(d: Demo) {
    let db = d.services.db().clone();
    let mut before = Vec::new();
    for t in TABLES {
        before.push(count_rows(&db, t).await);
    }
    let again = demo::load(&d.services).await.unwrap();
    assert_eq!(again, DemoSummary { organisations: 0, items: 0, flows: 0, already_loaded: true });
    let mut after = Vec::new();
    for t in TABLES {
        after.push(count_rows(&db, t).await);
    }
    assert_eq!(after, before);
}

async fn the_demo_is_small_illustrative_and_says_so_in_every_invented_name(d: Demo) {
    let db = d.services.db().clone();
    let loaded = d.loaded;
    assert!(!loaded.already_loaded);
    assert_eq!(count_rows(&db, "organisation").await, i64::try_from(loaded.organisations).unwrap());
    assert_eq!(count_rows(&db, "aid_item").await, i64::try_from(loaded.items).unwrap());
    assert_eq!(count_rows(&db, "flow").await, i64::try_from(loaded.flows).unwrap());
    assert!(loaded.items <= 1_500 && loaded.flows <= 6_000, "{loaded:?}");
    #[derive(sqlx::FromRow)]
    struct Org {
        name: String,
        kind: String,
        illustrative: bool,
        iati_identifier: Option<String>,
    }
    let orgs: Vec<Org> = db
        .clone()
        .fetch_all(Stmt::new("SELECT name, kind, illustrative, iati_identifier FROM organisation"))
        .await
        .unwrap();
    for o in &orgs {
        // The publishers of the real IATI activities are real records, named as they publish.
        if !o.illustrative {
            assert!(o.iati_identifier.is_some(), "{} is neither illustrative nor an IATI publisher", o.name);
            continue;
        }
        let real = o.name == "ChildFund Australia" || o.kind == "vn_managing_agency";
        assert!(real || o.name.contains("(minh họa)"), "{}", o.name);
    }
    for table in [
        "certificate",
        "province_registration",
        "province_priority",
        "aid_proposal",
        "ngo_annual_report",
        "province_report",
    ] {
        let n: Vec<(i64,)> = db
            .clone()
            .fetch_all(Stmt::new(format!("SELECT COUNT(*) FROM {table} WHERE illustrative = $1")).bind(false))
            .await
            .unwrap();
        assert_eq!(n[0].0, 0, "{table}");
    }
    // Only the real IATI activities are not illustrative, and they say where they come from.
    let n: Vec<(i64,)> = db
        .clone()
        .fetch_all(
            Stmt::new("SELECT COUNT(*) FROM aid_item WHERE illustrative = $1 AND imported_from IS NULL").bind(false),
        )
        .await
        .unwrap();
    assert_eq!(n[0].0, 0);
    let real: Vec<(i64,)> = db
        .clone()
        .fetch_all(Stmt::new("SELECT COUNT(*) FROM aid_item WHERE imported_from LIKE 'iati:%'"))
        .await
        .unwrap();
    assert_eq!(real[0].0, 10, "the ten real Viet Nam activities of the vendored IATI extracts");
}

on_shared_demo!(
    cao_bang_2016_2020_yearly_average_17_donors,
    cao_bang_2021_funded_by_10_ngos_and_01_embassy,
    cao_bang_2021_28_projects_and_non_project_items,
    cao_bang_2021_committed_1_441_700_usd,
    cao_bang_2021_disbursed_1_273_388_usd_88_33_percent,
    cao_bang_2016_2021_59_items_approved,
    cao_bang_2011_2016_yearly_average_21_organisations_and_2_9_million_usd,
    cao_bang_first_half_2016_aid_3_033_296_usd,
    cao_bang_ranks_in_the_first_20_provinces_and_the_first_4_of_its_region,
    vietnam_504_foreign_ngos_certified_at_the_end_of_2019,
    vietnam_2019_aid_262_1_million_usd_24_million_less_than_2018,
    lang_son_2019_two_new_and_one_supplementary_project_worth_114_673_usd,
    lang_son_2019_seven_non_project_items_worth_161_180_usd,
    lang_son_end_of_2019_six_active_projects_worth_273_567_usd,
    quang_ninh_31_organisations_registered_in_2019_and_20_in_2020,
    quang_ninh_march_2021_ten_projects_by_ten_ngos,
    quang_ninh_march_2021_capital_over_1_6_million_usd_and_35_billion_vnd,
    quang_ninh_march_2021_eight_approved_by_the_province_two_by_the_centre,
    bac_kan_since_2019_35_items_about_5_million_usd_committed_2_8_million_disbursed,
    bac_kan_mid_2023_nine_organisations_implementing_aid,
    childfund_16_projects_over_53_9_billion_vnd_in_six_communes_of_na_ri,
    childfund_disbursed_over_48_9_billion_vnd_90_7_percent_by_june_2023,
    childfund_is_the_largest_donor_of_bac_kan_and_of_todays_thai_nguyen,
    loading_the_demo_twice_changes_nothing,
    the_demo_is_small_illustrative_and_says_so_in_every_invented_name,
    cao_bang_matching_ranks_organisations_for_its_priority_sectors_with_reasons,
    a_proposal_is_matched_on_its_sector_province_and_budget,
    the_matching_backtest_before_2020_beats_both_baselines,
    the_watch_list_on_26_november_2026_has_every_kind_of_alert,
    a_provincial_officer_watches_only_the_province,
    quang_ninh_six_friendship_associations_with_1_797_members,
    quang_ninh_eight_twinning_pairs_seven_village_village_and_one_commune_township,
    people_to_people_records_own_their_members_activities_and_participants,
    quang_ninh_2011_2020_407_scholarship_turns_over_74_billion_vnd_for_three_lao_provinces,
    quang_ninh_56_billion_vnd_of_public_works_in_laos_and_200_million_of_equipment_in_june_2020,
    cao_bang_four_promotion_events_in_the_term_the_2014_conference_with_over_60_participants,
    cao_bang_s_annual_report_for_2021_carries_the_year_s_figures_in_every_section,
    the_centre_s_board_shows_which_provinces_sent_their_reports,
);

// ---------------------------------------------------------------------------------------------------------
// Periodic reports to the centre.

async fn cao_bang_s_annual_report_for_2021_carries_the_year_s_figures_in_every_section(d: Demo) {
    use vientro_domain::access::{Principal, Role};
    use vientro_services::periodic_report::ReportPeriodKind;
    let central = Principal::User { role: Role::Central, province: None, organisation: None };
    let report = d.services.periodic_report(&central, "Cao Bằng", ReportPeriodKind::Annual, 2021).await.unwrap();
    assert_eq!((report.province_code.as_str(), report.province_name.as_str()), ("04", "Tỉnh Cao Bằng"));
    let keys: Vec<&str> = report.sections.iter().map(|s| s.key).collect();
    assert_eq!(
        keys,
        ["summary", "donor_kinds", "donors", "kinds", "sectors", "communes", "approvals", "registrations"]
    );
    let section = |key: &str| &report.sections.iter().find(|s| s.key == key).unwrap().result;
    let summary = &section("summary").total.values;
    assert_eq!(count(&summary[0]), 11, "10 NGOs and 1 embassy");
    assert_eq!(count(&summary[1]), 28, "28 projects and non-project items");
    assert_eq!(minor(&summary[2]), usd(1_441_700));
    assert_eq!(minor(&summary[4]), usd(1_273_388));
    assert_eq!(percent(&summary[6]), 8833);
    let kinds = section("donor_kinds");
    assert_eq!(count(&row(kinds, &["foreign_ngo"]).values[0]), 10);
    assert_eq!(count(&row(kinds, &["foreign_agency"]).values[0]), 1);
    for key in ["donors", "kinds", "sectors", "communes"] {
        let r = section(key);
        assert!(!r.rows.is_empty(), "{key} has rows");
        assert_eq!(minor(&r.total.values[2]), usd(1_273_388), "{key}: the same disbursement in every breakdown");
    }
    let six = d.services.periodic_report(&central, "04", ReportPeriodKind::SixMonth, 2016).await.unwrap();
    assert_eq!((six.from.to_string(), six.to.to_string()), ("2016-01-01".to_owned(), "2016-06-30".to_owned()));
    let first_half = &six.sections[0].result.total.values;
    assert_eq!(minor(&first_half[4]), usd(3_033_296), "FACTS: 3,033,296 USD in the first half of 2016");
    assert!(d.services.periodic_report(&central, "Atlantis", ReportPeriodKind::Annual, 2021).await.is_err());
    let quang_ninh = d.services.periodic_report(&central, "Quảng Ninh", ReportPeriodKind::Annual, 2019).await.unwrap();
    let registered = &quang_ninh.sections.iter().find(|s| s.key == "registrations").unwrap().result;
    assert_eq!(count(&registered.total.values[0]), 31, "FACTS: 31 organisations registered in Quảng Ninh in 2019");
    let public = d.services.periodic_report(&Principal::Public, "04", ReportPeriodKind::Annual, 2026).await.unwrap();
    assert!(public.problems.is_empty(), "the public sees the figures, not the watch list");
    let officer = d.services.periodic_report(&central, "04", ReportPeriodKind::Annual, 2026).await.unwrap();
    assert!(!officer.problems.is_empty(), "the year's problems in Cao Bằng are listed for central staff");
}

async fn the_centre_s_board_shows_which_provinces_sent_their_reports(d: Demo) {
    use vientro_services::periodic_report::SubmissionState;
    let board = d.services.report_submissions(2025, watch_day()).await.unwrap();
    assert_eq!(board.len(), 34, "every province of today's map");
    let missing: Vec<&str> = board
        .iter()
        .filter(|l| matches!(l.reports["annual"], SubmissionState::Missing { .. }))
        .map(|l| l.province_name.as_str())
        .collect();
    assert_eq!(missing, ["Tỉnh Lai Châu"], "the annual report for 2025 is missing from Lai Châu only");
    let cao_bang = board.iter().find(|l| l.province_code == "04").unwrap();
    assert_eq!(
        cao_bang.reports["annual"],
        SubmissionState::Received { on: chrono::NaiveDate::from_ymd_opt(2026, 1, 12).unwrap() }
    );
    let next = d.services.report_submissions(2026, watch_day()).await.unwrap();
    let due = chrono::NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
    assert!(next.iter().all(|l| l.reports["annual"] == SubmissionState::NotYetDue { due }), "2026's is due next year");
    let late: Vec<&str> = next
        .iter()
        .filter(|l| matches!(l.reports["six_month"], SubmissionState::Missing { .. }))
        .map(|l| l.province_code.as_str())
        .collect();
    assert_eq!(late, ["11", "20"], "Điện Biên and Lạng Sơn have not sent their six-month report");
}

async fn quang_ninh_2011_2020_407_scholarship_turns_over_74_billion_vnd_for_three_lao_provinces(d: Demo) {
    let s = d.services.scholarships("Quảng Ninh", 2011, 2020).await.unwrap();
    assert_eq!(s.students, 407);
    assert!(s.amount_vnd > 74_000_000_000 && s.amount_vnd < 75_000_000_000, "over 74 billion VND: {}", s.amount_vnd);
    assert_eq!(s.origins, vec!["Hủa Phăn", "Luông Pha Băng", "Xay Nhạ By Ly"]);
}

async fn quang_ninh_56_billion_vnd_of_public_works_in_laos_and_200_million_of_equipment_in_june_2020(d: Demo) {
    let day = |y, m, dd| chrono::NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    let all = d.services.outbound_support("Quảng Ninh", day(2011, 1, 1), day(2026, 11, 26)).await.unwrap();
    let works: i64 = all.iter().filter(|s| s.purpose == "public_works").map(|s| s.amount_vnd).sum();
    assert_eq!(works, 56_000_000_000);
    assert!(all.iter().all(|s| s.partner_country == "LA"));
    let june = d.services.outbound_support("22", day(2020, 6, 1), day(2020, 6, 30)).await.unwrap();
    assert_eq!(june.len(), 1);
    assert_eq!((june[0].recipient.as_str(), june[0].amount_vnd), ("Luông Pha Băng", 200_000_000));
}

async fn cao_bang_four_promotion_events_in_the_term_the_2014_conference_with_over_60_participants(d: Demo) {
    let day = |y, m, dd| chrono::NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    let events = d.services.events("Cao Bằng", day(2011, 1, 1), day(2016, 12, 31)).await.unwrap();
    assert_eq!(events.len(), 4);
    assert!(events.iter().all(|e| e.event.city == "04" || e.event.city == "01"), "held in Cao Bằng and Hà Nội");
    let conference = events.iter().find(|e| e.event.held_on.to_string().starts_with("2014")).unwrap();
    assert_eq!(conference.event.city, "01");
    assert!(conference.event.participants.unwrap() > 60);
    assert_eq!((conference.guests.len(), conference.attended()), (5, 3), "five organisations invited, three came");
    assert_eq!(conference.presented.len(), 2, "two proposals of the call-for-aid list presented");
    // Pledged, then committed and disbursed by the items the pledges became; a pledge is never aid itself.
    assert_eq!(conference.pledged_usd, usd(530_000));
    assert_eq!(conference.pledges.iter().filter(|p| p.aid_item_id.is_none()).count(), 1);
    let unfollowed = conference.pledges.iter().find(|p| p.aid_item_id.is_none()).unwrap();
    assert_eq!((unfollowed.committed_usd, unfollowed.disbursed_usd), (0, 0));
    assert!(conference.committed_usd > 0 && conference.disbursed_usd > 0);
    assert_ne!(conference.committed_usd, conference.pledged_usd);
}

// ---------------------------------------------------------------------------------------------------------
// People-to-people diplomacy (FACTS Q5, Q6).

async fn quang_ninh_six_friendship_associations_with_1_797_members(d: Demo) {
    let day = |y, m, dd| chrono::NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    let p = d.services.people_on("Quảng Ninh", day(2021, 12, 31)).await.unwrap();
    assert_eq!((p.associations.len(), p.members), (6, 1_797));
    // Member counts over time: the end-2018 counts stand until the next count.
    let earlier = d.services.people_on("22", day(2019, 6, 30)).await.unwrap();
    assert_eq!((earlier.associations.len(), earlier.members), (6, 1_630));
    let before_the_last = d.services.people_on("22", day(2010, 1, 1)).await.unwrap();
    assert_eq!(before_the_last.associations.len(), 5, "one was founded in 2012");
}

async fn quang_ninh_eight_twinning_pairs_seven_village_village_and_one_commune_township(d: Demo) {
    let day = chrono::NaiveDate::from_ymd_opt(2021, 12, 31).unwrap();
    let p = d.services.people_on("Quảng Ninh", day).await.unwrap();
    assert_eq!(p.twinnings.len(), 8);
    let level = |a: &str, b: &str| p.twinnings_by_level.get(&(a.to_owned(), b.to_owned())).copied();
    assert_eq!(level("village", "village"), Some(7));
    assert_eq!(level("commune", "township"), Some(1));
    assert_eq!(p.twinnings_by_country.get("CN"), Some(&8), "all with Guangxi, China");
}

async fn people_to_people_records_own_their_members_activities_and_participants(d: Demo) {
    use vientro_domain::access::{Principal, Role};
    use vientro_domain::people::PeopleKind;
    let day = |y, m, dd| chrono::NaiveDate::from_ymd_opt(y, m, dd).unwrap();
    let p = d.services.people_on("Quảng Ninh", day(2021, 12, 31)).await.unwrap();
    assert_eq!((p.events, p.event_participants), (2, 8), "a training and a youth exchange in 2021");
    assert_eq!(p.members, 1_797, "listing members does not change the counted members");
    assert_eq!((p.delegations_in, p.delegations_out), (0, 0));
    let y2025 = d.services.people_on("22", day(2025, 12, 31)).await.unwrap();
    assert_eq!((y2025.delegations_in, y2025.delegations_out), (1, 1));
    let central = Principal::User { role: Role::Central, province: None, organisation: None };
    let first = p.associations[0].id;
    let association = d.services.people_record(&central, PeopleKind::Association, first).await.unwrap();
    let members = &association.parts[0].rows;
    assert_eq!(members.len(), 3, "two officers and one member organisation");
    assert_eq!(association.parts[1].rows.len(), 2, "the end-2018 and end-2020 counts");
    let twinning = d.services.people_record(&central, PeopleKind::Twinning, p.twinnings[0].id).await.unwrap();
    assert_eq!(twinning.parts[0].rows.len(), 1);
}

// ---------------------------------------------------------------------------------------------------------
// Watching deadlines.

fn watch_day() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
}

async fn the_watch_list_on_26_november_2026_has_every_kind_of_alert(d: Demo) {
    use vientro_domain::access::{Principal, Role};
    use vientro_domain::watch::AlertKind;
    let central = Principal::User { role: Role::Central, province: None, organisation: None };
    let alerts = d.services.watch(&central, watch_day()).await.unwrap();
    for kind in AlertKind::ALL {
        assert!(alerts.iter().any(|a| a.kind == kind), "no {kind:?} alert");
    }
    let of = |kind: AlertKind| alerts.iter().filter(move |a| a.kind == kind);
    let days: Vec<i64> = of(AlertKind::CertificateExpiring).map(|a| a.days).collect();
    assert_eq!(days, vec![24, 44, 80], "certificates ending in 24, 44 and 80 days (30-, 60- and 90-day warnings)");
    let thresholds: Vec<&str> = of(AlertKind::CertificateExpiring).map(|a| a.args["threshold"].as_str()).collect();
    assert_eq!(thresholds, vec!["30", "60", "90"]);
    let appraisal: Vec<i64> = of(AlertKind::AppraisalOverdue).map(|a| a.days).collect();
    assert_eq!(appraisal, vec![37], "in appraisal since 20/10/2026");
    assert_eq!(of(AlertKind::ApprovedWithoutDisbursement).count(), 1);
    let missing: Vec<(String, String, String)> = of(AlertKind::ProvinceReportMissing)
        .map(|a| (a.subject.clone(), a.args["report"].clone(), a.args["year"].clone()))
        .collect();
    assert_eq!(
        missing,
        vec![
            ("Tỉnh Lai Châu".to_owned(), "annual".to_owned(), "2025".to_owned()),
            ("Tỉnh Điện Biên".to_owned(), "six_month".to_owned(), "2026".to_owned()),
            ("Tỉnh Lạng Sơn".to_owned(), "six_month".to_owned(), "2026".to_owned()),
        ]
    );
    assert!(of(AlertKind::NgoReportMissing).all(|a| a.args["year"] == "2025"));
    let trips: Vec<(String, i64)> = of(AlertKind::TripReportMissing).map(|a| (a.subject.clone(), a.days)).collect();
    assert_eq!(
        trips,
        vec![("Tỉnh Quảng Ninh: Đoàn giao lưu kết nghĩa thôn bản với Quảng Tây (minh họa)".to_owned(), 11)],
        "back on 05/11/2026, its report was due on 15/11"
    );
}

async fn a_provincial_officer_watches_only_the_province(d: Demo) {
    use vientro_domain::access::{Principal, Role};
    use vientro_domain::admin_units::ProvinceCode;
    use vientro_domain::watch::AlertKind;
    let officer = Principal::User {
        role: Role::ProvinceOfficer,
        province: Some(ProvinceCode::parse("04").unwrap()),
        organisation: None,
    };
    let alerts = d.services.watch(&officer, watch_day()).await.unwrap();
    assert_eq!(alerts.iter().filter(|a| a.kind == AlertKind::CertificateExpiring).count(), 3);
    assert_eq!(alerts.iter().filter(|a| a.kind == AlertKind::AppraisalOverdue).count(), 1);
    assert!(alerts.iter().all(|a| a.kind != AlertKind::ProvinceReportMissing), "Cao Bằng sent its reports");
    assert!(alerts.iter().all(|a| !a.subject.contains("Bắc Kạn")), "nothing of other provinces");
    let public = d.services.watch(&Principal::Public, watch_day()).await.unwrap();
    assert!(public.is_empty());
}

// ---------------------------------------------------------------------------------------------------------
// Matching (FACTS C9: Cao Bằng's priority sectors).

async fn cao_bang_matching_ranks_organisations_for_its_priority_sectors_with_reasons(d: Demo) {
    use vientro_domain::matching::Reason;
    use vientro_domain::sector::VnSector;
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let list = d.services.match_for_province("Cao Bằng", &[], None, day, 10).await.unwrap();
    assert_eq!(
        list.sectors,
        vec![
            VnSector::AgricultureRuralDevelopment,
            VnSector::Health,
            VnSector::VocationalTraining,
            VnSector::EducationTraining,
            VnSector::SocialIssues,
            VnSector::Environment,
            VnSector::DisasterEmergency,
        ],
        "the seven priority sectors of C9, in order"
    );
    assert_eq!(list.organisations.len(), 10);
    let scores: Vec<f64> = list.organisations.iter().map(|o| o.candidate.score).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "best first: {scores:?}");
    for o in &list.organisations {
        assert!(
            o.candidate.reasons.iter().any(|r| matches!(r, Reason::SectorFit { .. })),
            "{} is listed for a priority sector it funded",
            o.name
        );
    }
    // The province's own donors lead, and everyone listed worked in the province or its region.
    let in_province = |o: &vientro_services::matching::RankedOrganisation| {
        o.candidate.reasons.iter().any(|r| matches!(r, Reason::SameProvince { .. }))
    };
    assert!(list.organisations[..5].iter().filter(|o| in_province(o)).count() >= 4);
    for o in &list.organisations {
        assert!(
            in_province(o) || o.candidate.reasons.iter().any(|r| matches!(r, Reason::SameRegion { .. })),
            "{} worked in Cao Bằng or its region",
            o.name
        );
    }
    let unknown = d.services.match_for_province("Cao Bằng", &["vn:nothing".to_owned()], None, day, 10).await;
    assert!(unknown.is_err(), "an unknown sector is refused");
}

async fn a_proposal_is_matched_on_its_sector_province_and_budget(d: Demo) {
    use vientro_domain::matching::Reason;
    let proposals = vientro_store::matching::proposals(&mut d.services.db().clone(), Some("04")).await.unwrap();
    assert_eq!(proposals.len(), 4);
    let health = proposals.iter().find(|p| p.sector_code == "vn:health").expect("the health proposal");
    let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
    let list = d.services.match_for_proposal(health.id, day, 5).await.unwrap();
    assert_eq!(list.budget_usd_minor, Some(usd(150_000)));
    let first = &list.organisations[0];
    assert!(
        first
            .candidate
            .reasons
            .iter()
            .any(|r| matches!(r, Reason::TypicalSize { budget_usd_minor, .. } if *budget_usd_minor == usd(150_000)))
    );
    assert!(first.candidate.reasons.iter().any(|r| matches!(r, Reason::SectorFit { .. })));
}

async fn the_matching_backtest_before_2020_beats_both_baselines(d: Demo) {
    let b = d.services.match_backtest(2020).await.unwrap();
    eprintln!("{b:?}");
    assert!(b.cases > 40, "items first funded after 2020 are hidden: {}", b.cases);
    for baseline in [&b.most_active, &b.most_active_in_province] {
        assert!(b.method.hits_at_5 > baseline.hits_at_5, "hit@5: {b:?}");
        assert!(b.method.hits_at_10 > baseline.hits_at_10, "hit@10: {b:?}");
        assert!(b.method.mean_reciprocal_rank() > baseline.mean_reciprocal_rank(), "MRR: {b:?}");
    }
}
