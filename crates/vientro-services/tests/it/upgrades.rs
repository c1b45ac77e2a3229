//! Upgrades: a database at any schema version vientro has had, holding records, migrates to the current
//! version and then holds exactly what the current version keeps for the same records, including the sums
//! and indexes that later versions derive from the older tables.
//!
//! The records are the demonstration data (every kind of record, figures checked by the figure tests). For
//! each older version: a new database is migrated to it, the tables it has are filled with the demonstration
//! records as the current version wrote them (the columns that version has; a column a later migration adds
//! must be derived by that migration), the upgrade runs, and every table is compared with the current version's.

use vientro_services::Services;
use vientro_store::testing::{fresh_postgres, fresh_unmigrated_postgres, table_contents, table_names};
use vientro_store::{Backend, Db, Exec, Stmt, on_both_backends};

/// Tables that later migrations fill from older ones (sums and item lists derived from the report facts):
/// after an upgrade they must equal what the current version maintains.
const DERIVED: [&str; 10] = [
    "flow_rollup_sector",
    "flow_rollup_donor",
    "item_year",
    "donor_year",
    "flow_rollup_sector_national",
    "flow_rollup_donor_national",
    "flow_rollup_national",
    "flow_rollup_place",
    "flow_rollup_country",
    "item_with_shares",
];

fn summary(text: &str) -> String {
    format!("{} rows", if text.is_empty() { 0 } else { text.lines().count() })
}

/// The columns an (older) database's table has, quoted and comma-separated.
async fn columns_of(db: &Db, table: &str) -> String {
    #[derive(sqlx::FromRow)]
    struct Column {
        name: String,
    }
    let stmt = match db.backend() {
        Backend::Sqlite => Stmt::new("SELECT name FROM pragma_table_info($1) ORDER BY cid").bind(table),
        Backend::Postgres => Stmt::new(
            "SELECT CAST(column_name AS TEXT) AS name FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        )
        .bind(table),
    };
    let columns: Vec<Column> = db.clone().fetch_all(stmt).await.unwrap();
    assert!(!columns.is_empty(), "{table} has columns");
    columns.iter().map(|c| format!("\"{}\"", c.name)).collect::<Vec<_>>().join(", ")
}

async fn every_older_schema_with_records_in_it_upgrades_to_the_current_records(db: Db) {
    let backend = db.backend();
    let dir = tempfile::tempdir().unwrap();
    // The reference: the current schema with the demonstration records.
    let (reference, reference_schema, _keep) = match backend {
        Backend::Sqlite => {
            let path = dir.path().join("current.db");
            let db = Db::connect(&format!("sqlite://{}", path.display())).await.unwrap();
            db.migrate().await.unwrap();
            (db, None, None)
        }
        Backend::Postgres => {
            let pg = fresh_postgres().await.unwrap();
            let schema = pg.schema().to_owned();
            (pg.db.clone(), Some(schema), Some(pg))
        }
    };
    vientro_services::demo::load(&Services::new(reference.clone())).await.unwrap();
    let current = table_contents(&reference).await;
    assert!(current.get("flow_share").is_some_and(|t| !t.is_empty()), "the demonstration records have facts");

    let versions = reference.migration_versions();
    for version in &versions[..versions.len() - 1] {
        let (old, _keep_old) = match backend {
            Backend::Sqlite => {
                let path = dir.path().join(format!("v{version}.db"));
                (Db::connect(&format!("sqlite://{}", path.display())).await.unwrap(), None)
            }
            Backend::Postgres => {
                let pg = fresh_unmigrated_postgres().await.unwrap();
                (pg.db.clone(), Some(pg))
            }
        };
        old.migrate_to(*version).await.unwrap();
        let then = table_names(&old).await;
        match (&old, &reference_schema) {
            (Db::Sqlite(pool), _) => {
                let mut conn = pool.acquire().await.unwrap();
                // Tables are copied in name order, not in the order their references need.
                sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut *conn).await.unwrap();
                let current_path = dir.path().join("current.db");
                sqlx::query("ATTACH DATABASE ? AS current")
                    .bind(current_path.display().to_string())
                    .execute(&mut *conn)
                    .await
                    .unwrap();
                for table in &then {
                    // The migrations' own rows (the audit head) give way to the records'.
                    let clear = format!("DELETE FROM main.\"{table}\"");
                    sqlx::query(sqlx::AssertSqlSafe(clear)).execute(&mut *conn).await.unwrap();
                    let columns = columns_of(&old, table).await;
                    let copy =
                        format!("INSERT INTO main.\"{table}\" ({columns}) SELECT {columns} FROM current.\"{table}\"");
                    sqlx::query(sqlx::AssertSqlSafe(copy)).execute(&mut *conn).await.unwrap();
                }
                sqlx::query("DETACH DATABASE current").execute(&mut *conn).await.unwrap();
                sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await.unwrap();
            }
            (Db::Postgres(_), Some(from)) => {
                let mut tx = old.begin().await.unwrap();
                // Tables are copied in name order, not in the order their references need.
                tx.execute(Stmt::new("SET LOCAL session_replication_role = replica")).await.unwrap();
                for table in &then {
                    tx.execute(Stmt::new(format!("DELETE FROM \"{table}\""))).await.unwrap();
                    let columns = columns_of(&old, table).await;
                    let copy = format!("INSERT INTO \"{table}\" ({columns}) SELECT {columns} FROM {from}.\"{table}\"");
                    tx.execute(Stmt::new(copy)).await.unwrap();
                }
                tx.commit().await.unwrap();
            }
            _ => unreachable!("the reference and the old database share a backend"),
        }
        old.migrate().await.unwrap_or_else(|e| panic!("upgrading from {version}: {e}"));
        let upgraded = table_contents(&old).await;
        assert_eq!(
            upgraded.keys().collect::<Vec<_>>(),
            current.keys().collect::<Vec<_>>(),
            "from {version}: the same tables"
        );
        for (table, text) in &current {
            let after = &upgraded[table];
            if then.contains(table) || DERIVED.contains(&table.as_str()) {
                assert!(
                    after == text,
                    "from {version}: {table} differs after the upgrade ({} against {})",
                    summary(after),
                    summary(text)
                );
            } else {
                assert!(after.is_empty(), "from {version}: {table} is new and starts empty");
            }
        }
        old.close().await;
    }
    reference.close().await;
}

on_both_backends!(every_older_schema_with_records_in_it_upgrades_to_the_current_records);
