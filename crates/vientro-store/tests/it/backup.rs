//! Backups of a SQLite database taken while writers write, checked, restored, and compared table by table;
//! PostgreSQL is refused with the pg_dump advice.

use std::path::{Path, PathBuf};

use serde_json::json;
use vientro_store::audit::{self, AuditEntry};
use vientro_store::backup::{self, POSTGRES_ADVICE};
use vientro_store::{Backend, Db, Exec, Stmt, StoreError, now, on_both_backends};

fn temp_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("vientro-backup-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

async fn append(db: &Db, i: i64) {
    let mut tx = db.begin().await.unwrap();
    let entry = AuditEntry {
        actor: "tester",
        action: "create",
        entity: "organisation",
        entity_id: Some(i),
        before: None,
        after: Some(json!({ "name": format!("Tổ chức {i}") })),
    };
    audit::append(&mut tx, &entry, now()).await.unwrap();
    tx.execute(
        Stmt::new(
            "INSERT INTO organisation (kind, name, name_key, search_text, sort_key, version, created_at, updated_at) \
             VALUES ('foreign_ngo', $1, $1, $1, $1, 1, $2, $2)",
        )
        .bind(format!("Tổ chức {i}"))
        .bind(now()),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

/// Every row of every table, as SQLite's own literal text, by table: two databases with equal dumps hold
/// the same records.
async fn dump(file: &Path) -> Vec<(String, Vec<String>)> {
    #[derive(sqlx::FromRow)]
    struct Name {
        name: String,
    }
    #[derive(sqlx::FromRow)]
    struct Line {
        line: Option<String>,
    }
    let mut db = Db::connect_read_only_sqlite(file.to_str().unwrap()).await.unwrap();
    let tables: Vec<Name> = db
        .fetch_all(Stmt::new(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        ))
        .await
        .unwrap();
    let mut out = Vec::new();
    for t in tables {
        let columns: Vec<Name> =
            db.fetch_all(Stmt::new(format!("SELECT name FROM pragma_table_info('{}')", t.name))).await.unwrap();
        let row = columns.iter().map(|c| format!("quote(\"{}\")", c.name)).collect::<Vec<_>>().join(" || '|' || ");
        let lines: Vec<Line> =
            db.fetch_all(Stmt::new(format!("SELECT {row} AS line FROM \"{}\" ORDER BY line", t.name))).await.unwrap();
        out.push((t.name, lines.into_iter().map(|l| l.line.unwrap_or_default()).collect()));
    }
    db.close().await;
    out
}

async fn a_backup_taken_while_writers_write_is_consistent_and_restores_every_table(db: Db) {
    if db.backend() == Backend::Postgres {
        let refused = backup::backup(&db, &temp_dir().join("pg.db")).await.unwrap_err();
        assert!(matches!(refused, StoreError::Refused(ref m) if m == POSTGRES_ADVICE), "{refused}");
        return;
    }
    let dir = temp_dir();
    let source_path = dir.join("source.db");
    let source = Db::connect(&format!("sqlite://{}", source_path.display())).await.unwrap();
    source.migrate().await.unwrap();
    for i in 0..50 {
        append(&source, i).await;
    }
    // A writer keeps writing while the backup is taken.
    let writer = {
        let source = source.clone();
        tokio::spawn(async move {
            for i in 50..400 {
                append(&source, i).await;
            }
        })
    };
    while audit::appends(&mut source.clone()).await.unwrap() < 80 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let during = backup::backup(&source, &dir.join("during.db")).await.unwrap();
    writer.await.unwrap();
    assert!(during.audit_rows >= 80, "taken while the writer wrote: {during:?}");
    let organisations = during.tables.iter().find(|(t, _)| t == "organisation").map(|(_, n)| *n);
    assert_eq!(organisations, Some(i64::try_from(during.audit_rows).unwrap()), "each audit row with its change");

    let quiet = backup::backup(&source, &dir.join("quiet.db")).await.unwrap();
    assert_eq!(quiet.audit_rows, 400);
    let again = backup::backup(&source, &dir.join("quiet.db")).await.unwrap_err();
    assert!(again.to_string().contains("exists already"), "{again}");

    let target = dir.join("restored.db");
    let target_url = format!("sqlite://{}", target.display());
    backup::restore(&dir.join("quiet.db"), &target_url, false).await.unwrap();
    source.close().await;
    assert_eq!(dump(&target).await, dump(&source_path).await, "every table, every row");

    let holds = backup::restore(&dir.join("during.db"), &target_url, false).await.unwrap_err();
    assert!(holds.to_string().contains("--replace"), "{holds}");
    let open = Db::connect(&target_url).await.unwrap();
    let _ = open.clone().execute(Stmt::new("SELECT 1")).await.unwrap();
    let busy = backup::restore(&dir.join("during.db"), &target_url, true).await.unwrap_err();
    assert!(busy.to_string().contains("in use"), "{busy}");
    open.close().await;
    backup::restore(&dir.join("during.db"), &target_url, true).await.unwrap();
    assert_eq!(dump(&target).await, dump(&dir.join("during.db")).await);

    std::fs::write(dir.join("damaged.db"), b"not a database at all").unwrap();
    let damaged = backup::check(&dir.join("damaged.db")).await.unwrap_err();
    assert!(damaged.to_string().contains("damaged.db"), "{damaged}");
    let _ = std::fs::remove_dir_all(dir);
}

on_both_backends!(a_backup_taken_while_writers_write_is_consistent_and_restores_every_table);
