//! Crash safety: an IATI import killed with SIGKILL at several points leaves a database that is intact, whose
//! audit chain verifies and that holds no half-imported activity; running the import again completes it into
//! the same records as an import never interrupted. On SQLite always, on PostgreSQL when
//! `VIENTRO_TEST_POSTGRES_URL` names a server.

use std::collections::BTreeMap;
use std::process::{Command, Output};
use std::time::Duration;

use vientro_store::{Db, Exec, Stmt};

use crate::{Workspace, stdout};

fn vientro(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vientro"))
        .args(args)
        .arg("--database-url")
        .arg(url)
        .env_remove("VIENTRO_DATABASE_URL")
        .output()
        .unwrap()
}

/// Per activity: its flows and its kept transactions; plus the items imported from IATI without their
/// details (a half-imported activity), which must be none.
async fn shape(url: &str) -> (BTreeMap<String, (i64, i64)>, i64) {
    #[derive(sqlx::FromRow)]
    struct Row {
        identifier: String,
        flows: i64,
        transactions: i64,
    }
    #[derive(sqlx::FromRow)]
    struct N {
        n: i64,
    }
    let mut db = Db::connect(url).await.unwrap();
    let rows: Vec<Row> = db
        .fetch_all(Stmt::new(
            "SELECT a.identifier, \
             CAST((SELECT COUNT(*) FROM flow f WHERE f.item_id = a.item_id) AS BIGINT) AS flows, \
             CAST((SELECT COUNT(*) FROM iati_transaction t WHERE t.item_id = a.item_id) AS BIGINT) AS transactions \
             FROM iati_activity a",
        ))
        .await
        .unwrap();
    let orphans: Vec<N> = db
        .fetch_all(Stmt::new(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM aid_item WHERE imported_from LIKE 'iati:%' \
             AND id NOT IN (SELECT item_id FROM iati_activity)",
        ))
        .await
        .unwrap();
    db.close().await;
    (rows.into_iter().map(|r| (r.identifier, (r.flows, r.transactions))).collect(), orphans[0].n)
}

/// Rows of the report facts and sums, which the import keeps current batch by batch.
async fn fact_rows(url: &str) -> Vec<i64> {
    #[derive(sqlx::FromRow)]
    struct N {
        n: i64,
    }
    let mut db = Db::connect(url).await.unwrap();
    let mut out = Vec::new();
    for table in ["flow_share", "item_cell", "flow_rollup", "flow_rollup_national", "item_year"] {
        let n: Vec<N> =
            db.fetch_all(Stmt::new(format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table}"))).await.unwrap();
        out.push(n[0].n);
    }
    db.close().await;
    out
}

async fn an_import_killed_at_any_point_leaves_consistent_records_and_completes_when_run_again(
    clean: &str,
    crashed: &str,
    file: &str,
) {
    let done = vientro(clean, &["import", "iati", file]);
    assert!(done.status.success(), "{done:?}");
    let (expected, orphans) = shape(clean).await;
    assert_eq!((expected.len(), orphans), (800, 0));

    for delay in [300_u64, 700, 1_000, 1_300, 1_600, 1_900, 2_300, 2_800] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vientro"))
            .args(["import", "iati", file, "--database-url", crashed])
            .env_remove("VIENTRO_DATABASE_URL")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay));
        // SIGKILL: no destructor, no rollback, no flush runs.
        let _ = child.kill();
        let _ = child.wait();
        let verify = vientro(crashed, &["audit", "verify"]);
        assert!(stdout(&verify).contains("audit log intact"), "after a kill at {delay} ms: {verify:?}");
        let (found, orphans) = shape(crashed).await;
        eprintln!("killed at {delay} ms: {} of {} activities recorded", found.len(), expected.len());
        assert_eq!(orphans, 0, "after a kill at {delay} ms: no item without its IATI details");
        for (identifier, counts) in &found {
            assert_eq!(Some(counts), expected.get(identifier), "after a kill at {delay} ms: {identifier} whole");
        }
    }
    let again = vientro(crashed, &["import", "iati", file]);
    assert!(again.status.success(), "{again:?}");
    assert_eq!(shape(crashed).await, (expected, 0), "the import completes into the same records");
    assert_eq!(fact_rows(crashed).await, fact_rows(clean).await, "and the same report facts");
    let verify = vientro(crashed, &["audit", "verify"]);
    assert!(stdout(&verify).contains("audit log intact"), "{verify:?}");
}

fn generated(ws: &Workspace) -> String {
    let file = ws.path("activities.xml");
    let file = file.to_str().unwrap().to_owned();
    let out = ws.run(&["gen", "iati", "--activities", "800", "--seed", "5", "--out", &file]);
    assert!(out.status.success(), "{out:?}");
    file
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_import_on_sqlite_leaves_consistent_records_and_completes_when_run_again() {
    let ws = Workspace::new();
    let file = generated(&ws);
    let clean = format!("sqlite://{}", ws.path("clean.db").display());
    let crashed = format!("sqlite://{}", ws.path("crashed.db").display());
    an_import_killed_at_any_point_leaves_consistent_records_and_completes_when_run_again(&clean, &crashed, &file).await;
    let backup = ws.path("after-crashes.db");
    let checked = vientro(&crashed, &["backup", "--out", backup.to_str().unwrap()]);
    assert!(stdout(&checked).contains("integrity: ok"), "SQLite finds the file intact: {checked:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_import_on_postgres_leaves_consistent_records_and_completes_when_run_again() {
    let Some(server) = std::env::var("VIENTRO_TEST_POSTGRES_URL").ok().filter(|u| !u.trim().is_empty()) else {
        eprintln!("SKIPPED on PostgreSQL: set VIENTRO_TEST_POSTGRES_URL to run it");
        return;
    };
    let ws = Workspace::new();
    let file = generated(&ws);
    let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b).to_owned();
    let names = [format!("vt_crash_clean_{}", std::process::id()), format!("vt_crash_killed_{}", std::process::id())];
    let mut admin = Db::connect(&server).await.unwrap();
    for name in &names {
        admin.execute(Stmt::new(format!("DROP DATABASE IF EXISTS {name}"))).await.unwrap();
        admin.execute(Stmt::new(format!("CREATE DATABASE {name}"))).await.unwrap();
    }
    let clean = format!("{base}/{}", names[0]);
    let crashed = format!("{base}/{}", names[1]);
    an_import_killed_at_any_point_leaves_consistent_records_and_completes_when_run_again(&clean, &crashed, &file).await;
    for name in &names {
        let _ = admin.execute(Stmt::new(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).await;
    }
    admin.close().await;
}
