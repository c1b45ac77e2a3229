//! Crash safety: an IATI import killed with SIGKILL at several points leaves a database that is intact, whose
//! audit chain verifies and that holds no half-imported activity; running the import again completes it into
//! the same records as an import never interrupted. On SQLite always, on PostgreSQL when
//! `VIENTRO_TEST_POSTGRES_URL` names a server.

use std::collections::BTreeMap;
use std::process::Command;
use std::time::Duration;

use vientro_store::{Db, Exec, Stmt};

use crate::{Workspace, run_on, stdout};

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
    let done = run_on(clean, &["import", "iati", file]);
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
        let verify = run_on(crashed, &["audit", "verify"]);
        assert!(stdout(&verify).contains("audit log intact"), "after a kill at {delay} ms: {verify:?}");
        let (found, orphans) = shape(crashed).await;
        eprintln!("killed at {delay} ms: {} of {} activities recorded", found.len(), expected.len());
        assert_eq!(orphans, 0, "after a kill at {delay} ms: no item without its IATI details");
        for (identifier, counts) in &found {
            assert_eq!(Some(counts), expected.get(identifier), "after a kill at {delay} ms: {identifier} whole");
        }
    }
    let again = run_on(crashed, &["import", "iati", file]);
    assert!(again.status.success(), "{again:?}");
    assert_eq!(shape(crashed).await, (expected, 0), "the import completes into the same records");
    assert_eq!(fact_rows(crashed).await, fact_rows(clean).await, "and the same report facts");
    let verify = run_on(crashed, &["audit", "verify"]);
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
    let checked = run_on(&crashed, &["backup", "--out", backup.to_str().unwrap()]);
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
    let clean = PostgresDatabase::create(&server, "vt_crash_clean").await;
    let crashed = PostgresDatabase::create(&server, "vt_crash_killed").await;
    an_import_killed_at_any_point_leaves_consistent_records_and_completes_when_run_again(
        &clean.url,
        &crashed.url,
        &file,
    )
    .await;
    clean.drop().await;
    crashed.drop().await;
}

/// A database of its own on the test PostgreSQL server (the command under test migrates it).
struct PostgresDatabase {
    admin: Db,
    name: String,
    url: String,
}

impl PostgresDatabase {
    async fn create(server: &str, prefix: &str) -> Self {
        let base = server.rsplit_once('/').map_or(server, |(b, _)| b);
        let name = format!("{prefix}_{}", std::process::id());
        let mut admin = Db::connect(server).await.unwrap();
        admin.execute(Stmt::new(format!("DROP DATABASE IF EXISTS {name}"))).await.unwrap();
        admin.execute(Stmt::new(format!("CREATE DATABASE {name}"))).await.unwrap();
        Self { admin, url: format!("{base}/{name}"), name }
    }

    async fn drop(mut self) {
        let _ = self.admin.execute(Stmt::new(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name))).await;
        self.admin.close().await;
    }
}

/// One HTTP request on its own connection; `None` when the server is gone.
fn request(addr: &str, method: &str, path: &str, token: &str, body: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(body.as_bytes()).ok()?;
    let mut reply = String::new();
    stream.read_to_string(&mut reply).ok()?;
    let status = reply.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, reply.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned()))
}

fn version_in(json: &str) -> Option<i64> {
    let rest = json.split("\"version\":").nth(1)?;
    rest.trim_start().split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// Edits an item's title again and again until the server is gone, counting each acknowledged edit in
/// `done`; returns the titles it acknowledged, in order, and the one in flight when it went.
fn edit_until_gone(
    addr: &str,
    token: &str,
    item: i64,
    done: &std::sync::atomic::AtomicUsize,
) -> (Vec<String>, Option<String>) {
    let path = format!("/api/v1/aid-items/{item}");
    let Some((200, current)) = request(addr, "GET", &path, token, "") else { return (Vec::new(), None) };
    let mut version = version_in(&current).unwrap();
    let mut acknowledged = Vec::new();
    for n in 0.. {
        let title = format!("Sửa lần {n} của khoản {item}");
        let body = format!("{{\"version\": {version}, \"title\": \"{title}\"}}");
        match request(addr, "PATCH", &path, token, &body) {
            Some((200, reply)) => {
                version = version_in(&reply).unwrap();
                acknowledged.push(title);
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            }
            Some((status, reply)) => panic!("edit {n} of item {item}: {status} {reply}"),
            None => return (acknowledged, Some(title)),
        }
    }
    unreachable!()
}

async fn a_server_killed_while_officers_edit_keeps_every_acknowledged_edit(url: &str) {
    use std::io::BufRead;
    assert!(run_on(url, &["demo"]).status.success());
    let added = Command::new(env!("CARGO_BIN_EXE_vientro"))
        .args(["user", "add", "editor", "--role", "central", "--database-url", url])
        .env("VIENTRO_PASSWORD", "a long enough password 2026")
        .env_remove("VIENTRO_DATABASE_URL")
        .output()
        .unwrap();
    assert!(added.status.success(), "{added:?}");
    let token =
        stdout(&run_on(url, &["token", "create", "--user", "editor"])).lines().next().unwrap().trim().to_owned();
    let mut server = Command::new(env!("CARGO_BIN_EXE_vientro"))
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", url])
        .env_remove("VIENTRO_DATABASE_URL")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(server.stdout.take().unwrap()).lines();
    let line = lines.find_map(|l| l.ok().filter(|l| l.contains("serving on"))).expect("the address is printed");
    let addr = line.split("http://").nth(1).unwrap().split('/').next().unwrap().to_owned();
    let counts: Vec<std::sync::Arc<std::sync::atomic::AtomicUsize>> = (0..3).map(|_| Default::default()).collect();
    let editors: Vec<_> = [1_i64, 2, 3]
        .into_iter()
        .zip(counts.iter().cloned())
        .map(|(item, done)| {
            let (addr, token) = (addr.clone(), token.clone());
            std::thread::spawn(move || (item, edit_until_gone(&addr, &token, item, &done)))
        })
        .collect();
    // Kill once every editor has had a few edits acknowledged (a busy machine may take a while), then a
    // little later, so the kill lands in the middle of the stream of edits.
    let started = std::time::Instant::now();
    while counts.iter().any(|c| c.load(std::sync::atomic::Ordering::SeqCst) < 3)
        && started.elapsed() < Duration::from_secs(60)
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    // SIGKILL while the edits go on: no graceful shutdown, no flush.
    server.kill().unwrap();
    server.wait().unwrap();
    let mut db = Db::connect(url).await.unwrap();
    for editor in editors {
        let (item, (acknowledged, in_flight)) = editor.join().unwrap();
        assert!(!acknowledged.is_empty(), "item {item}: some edits were acknowledged before the kill");
        #[derive(sqlx::FromRow)]
        struct Title {
            title: String,
        }
        let stored: Vec<Title> =
            db.fetch_all(Stmt::new("SELECT title FROM aid_item WHERE id = $1").bind(item)).await.unwrap();
        let stored = &stored[0].title;
        // The last acknowledged edit is there; the one in flight may or may not have committed.
        assert!(
            Some(stored) == acknowledged.last() || Some(stored) == in_flight.as_ref(),
            "item {item}: stored {stored:?}, last acknowledged {:?} ({} edits), in flight {in_flight:?}",
            acknowledged.last(),
            acknowledged.len()
        );
        eprintln!("item {item}: {} edits acknowledged before the kill; stored: {stored}", acknowledged.len());
    }
    db.close().await;
    let verify = run_on(url, &["audit", "verify"]);
    assert!(stdout(&verify).contains("audit log intact"), "{verify:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_while_officers_edit_on_sqlite_keeps_every_acknowledged_edit() {
    let ws = Workspace::new();
    a_server_killed_while_officers_edit_keeps_every_acknowledged_edit(&ws.url()).await;
    let backup = ws.path("after-kill.db");
    let checked = ws.run(&["backup", "--out", backup.to_str().unwrap()]);
    assert!(stdout(&checked).contains("integrity: ok"), "SQLite finds the file intact: {checked:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_killed_while_officers_edit_on_postgres_keeps_every_acknowledged_edit() {
    let Some(server) = std::env::var("VIENTRO_TEST_POSTGRES_URL").ok().filter(|u| !u.trim().is_empty()) else {
        eprintln!("SKIPPED on PostgreSQL: set VIENTRO_TEST_POSTGRES_URL to run it");
        return;
    };
    let database = PostgresDatabase::create(&server, "vt_editkill").await;
    a_server_killed_while_officers_edit_keeps_every_acknowledged_edit(&database.url).await;
    database.drop().await;
}
