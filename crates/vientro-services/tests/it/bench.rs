//! The report benchmark on a small generated set: its facts add up to its flows, and every timed report runs.
//! `bench_reports_full` (ignored) is the real measurement, sized by `VIENTRO_BENCH_ITEMS` and
//! `VIENTRO_BENCH_FLOWS`.

use vientro_services::Services;
use vientro_services::bench::{
    BenchConfig, generate, machine_description, render_comparison, render_timings, time_reports,
};
use vientro_store::db::Scalar;
use vientro_store::{Db, Exec, Stmt, on_both_backends};

async fn scalar(db: &Db, sql: &str) -> i64 {
    let rows: Vec<Scalar> = db.clone().fetch_all(Stmt::new(sql)).await.unwrap();
    rows[0].0
}

async fn a_small_generated_set_has_facts_that_add_up_to_its_flows(db: Db) {
    let cfg = BenchConfig { items: 200, flows_per_item: 5, organisations: 40, seed: 7, runs: 1 };
    let mut messages = Vec::new();
    let stats = generate(&db, &cfg, |m| messages.push(m.to_owned())).await.unwrap();
    assert!(!messages.is_empty());
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM aid_item").await, 200);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM flow").await, 1_000);
    assert_eq!(stats.flows, 1_000);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM flow WHERE stage = 'actual'").await as usize, stats.actual_flows);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM item_cell").await as usize, stats.item_cells);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM flow_share").await as usize, stats.flow_shares);
    assert!(stats.flow_shares > stats.actual_flows, "some items have several locations, sectors or donors");
    assert!(scalar(&db, "SELECT COUNT(*) FROM aid_item_status_change").await >= 200);
    assert!(scalar(&db, "SELECT COUNT(*) FROM province_registration").await > 0);
    assert!(scalar(&db, "SELECT COUNT(*) FROM certificate").await > 0);

    // The facts hold every actual flow exactly, in every unit, and nothing else.
    for column in ["usd_minor", "vnd_minor", "amount_minor"] {
        let flows =
            scalar(&db, &format!("SELECT CAST(COALESCE(SUM({column}), 0) AS BIGINT) FROM flow WHERE stage = 'actual'"))
                .await;
        let shares = scalar(&db, &format!("SELECT CAST(COALESCE(SUM({column}), 0) AS BIGINT) FROM flow_share")).await;
        assert!(flows > 0);
        assert_eq!(shares, flows, "{column}");
    }
    assert_eq!(
        scalar(
            &db,
            "SELECT COUNT(*) FROM flow f WHERE f.stage = 'actual' AND f.usd_minor <> \
             (SELECT CAST(SUM(s.usd_minor) AS BIGINT) FROM flow_share s WHERE s.flow_id = f.id)",
        )
        .await,
        0
    );
    // Stored conversions are consistent: USD is its own USD, VND its own VND, every rate entered.
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM flow WHERE currency = 'USD' AND usd_minor <> amount_minor").await, 0);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM flow WHERE currency = 'VND' AND vnd_minor <> amount_minor").await, 0);
    assert_eq!(scalar(&db, "SELECT COUNT(*) FROM flow WHERE rate_source <> 'entered'").await, 0);
    assert!(scalar(&db, "SELECT COUNT(DISTINCT currency) FROM flow").await >= 2);

    // Every report of the catalogue runs.
    let timings = time_reports(&Services::new(db.clone()), &cfg).await.unwrap();
    assert!(timings.len() >= 14);
    let failed: Vec<String> =
        timings.iter().filter_map(|t| t.error.as_ref().map(|e| format!("{}: {e}", t.name))).collect();
    assert!(failed.is_empty(), "reports failed: {failed:#?}");
    assert!(timings.iter().all(|t| t.median_ms >= 0.0 && t.max_ms >= t.median_ms));
    assert!(timings.iter().find(|t| t.name == "national_by_year").unwrap().rows > 10);
    let table = render_timings("test machine", "SQLite", &cfg, &stats, &timings);
    for t in &timings {
        assert!(table.contains(&format!("| {} |", t.name)), "{table}");
    }
}

on_both_backends!(a_small_generated_set_has_facts_that_add_up_to_its_flows);

#[test]
fn the_machine_is_described_in_one_line() {
    let m = machine_description();
    assert!(m.contains("cores") && !m.contains('\n'), "{m}");
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.trim().replace('_', "").parse().ok()).unwrap_or(default)
}

/// The measurement: generates `VIENTRO_BENCH_ITEMS` × `VIENTRO_BENCH_FLOWS` (default 100,000 × 10) into a file
/// SQLite database under the temp dir and, when `VIENTRO_TEST_POSTGRES_URL` is set, into a fresh PostgreSQL
/// schema, times every report and prints the Markdown tables. `VIENTRO_BENCH_BACKENDS` (`sqlite,postgres`)
/// narrows the backends; `VIENTRO_BENCH_RUNS` sets the timed runs; `VIENTRO_BENCH_KEEP=1` keeps the data.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "takes minutes; run with --release --ignored --nocapture"]
async fn bench_reports_full() {
    let cfg = BenchConfig {
        items: env_number("VIENTRO_BENCH_ITEMS", 100_000),
        flows_per_item: env_number("VIENTRO_BENCH_FLOWS", 10),
        runs: env_number("VIENTRO_BENCH_RUNS", 5),
        ..BenchConfig::default()
    };
    let backends = std::env::var("VIENTRO_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let keep = std::env::var("VIENTRO_BENCH_KEEP").is_ok_and(|v| v == "1");
    let machine = machine_description();
    let mut results = Vec::new();

    if backends.contains("sqlite") {
        let path = std::env::temp_dir().join(format!("vientro-bench-{}x{}.sqlite", cfg.items, cfg.flows_per_item));
        let files =
            |p: &std::path::Path| ["", "-wal", "-shm"].map(|s| std::path::PathBuf::from(format!("{}{s}", p.display())));
        for f in files(&path) {
            let _ = std::fs::remove_file(f);
        }
        let url = format!("sqlite://{}", path.display());
        let db = Db::connect(&url).await.unwrap();
        db.migrate().await.unwrap();
        let stats = generate(&db, &cfg, |m| eprintln!("[sqlite] {m}")).await.unwrap();
        db.close().await;
        let size: u64 = files(&path).iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
        eprintln!("[sqlite] {} ({:.2} GB)", path.display(), size as f64 / 1e9);
        // Timed on new connections, as a restarted server would answer.
        let db = Db::connect(&url).await.unwrap();
        let timings = time_reports(&Services::new(db.clone()), &cfg).await.unwrap();
        db.close().await;
        println!("{}", render_timings(&machine, "SQLite", &cfg, &stats, &timings));
        if !keep {
            for f in files(&path) {
                let _ = std::fs::remove_file(f);
            }
        }
        results.push(("SQLite", timings));
    }

    if backends.contains("postgres") {
        match vientro_store::testing::fresh_postgres().await {
            Some(pg) => {
                let stats = generate(&pg.db, &cfg, |m| eprintln!("[postgres] {m}")).await.unwrap();
                let timings = time_reports(&Services::new(pg.db.clone()), &cfg).await.unwrap();
                println!("{}", render_timings(&machine, "PostgreSQL", &cfg, &stats, &timings));
                if !keep {
                    pg.drop_schema().await;
                }
                results.push(("PostgreSQL", timings));
            }
            None => eprintln!("SKIPPED on PostgreSQL: set {} to run it", vientro_store::testing::POSTGRES_URL_VAR),
        }
    }

    if let [a, b] = results.as_slice() {
        println!("{}", render_comparison((a.0, &a.1), (b.0, &b.1)));
    }
}
