//! Test support: a fresh, migrated database per test on SQLite (in memory) and on PostgreSQL (a new schema
//! in the server named by `VIENTRO_TEST_POSTGRES_URL`, dropped afterwards).
//!
//! Compiled only with the `test-support` feature, which only dev-dependencies turn on. It must never be
//! used by the product itself.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use crate::db::{Backend, Db, Exec, Stmt};

/// The environment variable that names the PostgreSQL server for tests.
pub const POSTGRES_URL_VAR: &str = "VIENTRO_TEST_POSTGRES_URL";

/// A migrated in-memory SQLite database.
pub async fn fresh_sqlite() -> Db {
    let db = Db::connect("sqlite::memory:").await.expect("an in-memory SQLite database opens");
    db.migrate().await.expect("SQLite migrations apply");
    db
}

/// A fresh schema on the test PostgreSQL server; `None` when no server is configured.
pub struct PostgresSchema {
    /// The database, with `search_path` set to the schema.
    pub db: Db,
    admin: sqlx::PgPool,
    schema: String,
}

impl PostgresSchema {
    /// The schema's name.
    pub fn schema(&self) -> &str {
        &self.schema
    }

    /// Drops the schema and everything in it.
    pub async fn drop_schema(self) {
        self.db.close().await;
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema)))
            .execute(&self.admin)
            .await;
        self.admin.close().await;
    }
}

fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{prefix}_{}_{}_{}", std::process::id(), nanos, COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A migrated database in a new schema on the configured PostgreSQL server, or `None` when
/// `VIENTRO_TEST_POSTGRES_URL` is not set.
pub async fn fresh_postgres() -> Option<PostgresSchema> {
    let pg = fresh_unmigrated_postgres().await?;
    pg.db.migrate().await.expect("PostgreSQL migrations apply");
    Some(pg)
}

/// A new, empty schema on the configured PostgreSQL server (no migration applied), or `None` when
/// `VIENTRO_TEST_POSTGRES_URL` is not set.
pub async fn fresh_unmigrated_postgres() -> Option<PostgresSchema> {
    let url = std::env::var(POSTGRES_URL_VAR).ok().filter(|u| !u.trim().is_empty())?;
    let options = PgConnectOptions::from_str(&url).expect("VIENTRO_TEST_POSTGRES_URL is a valid PostgreSQL URL");
    let admin = PgPoolOptions::new()
        .max_connections(1)
        .connect_with(options.clone())
        .await
        .expect("the test PostgreSQL server accepts connections");
    install_shared_extensions(&admin).await;
    let schema = unique_name("vt");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&admin)
        .await
        .expect("a test schema can be created");
    let pool = PgPoolOptions::new()
        .max_connections(4)
        .connect_with(options.options([("search_path", search_path(&schema).as_str())]))
        .await
        .expect("the test schema accepts connections");
    let db = Db::Postgres(pool);
    Some(PostgresSchema { db, admin, schema })
}

/// Installs the extensions the migrations use (pg_trgm) once for the whole test database, in `public`.
///
/// Test schemas share one database, and an extension belongs to a database: created by a test's migration it
/// would land in that test's schema and be dropped with it, taking other schemas' indexes along. Two tests
/// may race here; the loser's error only means the other one installed it. One left in a test schema by an
/// older run is moved to `public`.
pub async fn install_shared_extensions(admin: &sqlx::PgPool) {
    let _ = sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public").execute(admin).await;
    let _ = sqlx::query("ALTER EXTENSION pg_trgm SET SCHEMA public").execute(admin).await;
}

/// The `search_path` of a test schema: the schema, then `public` for the shared extensions.
pub fn search_path(schema: &str) -> String {
    format!("{schema}, public")
}

/// Kept by the database itself or by the migration tool: not records, never compared.
fn is_machinery(table: &str) -> bool {
    table == "_sqlx_migrations" || table.starts_with("aid_item_search")
}

#[derive(sqlx::FromRow)]
struct Name {
    name: String,
}

/// The names of the record tables of `db` (its current schema on PostgreSQL), sorted.
pub async fn table_names(db: &Db) -> Vec<String> {
    let stmt = match db.backend() {
        Backend::Sqlite => {
            Stmt::new("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        }
        Backend::Postgres => Stmt::new(
            "SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = current_schema() \
             AND table_type = 'BASE TABLE' ORDER BY table_name",
        ),
    };
    let names: Vec<Name> = db.clone().fetch_all(stmt).await.expect("the table names can be read");
    names.into_iter().map(|n| n.name).filter(|n| !is_machinery(n)).collect()
}

/// Every record table's rows as text, one sorted line per row: equal texts, equal records.
pub async fn table_contents(db: &Db) -> BTreeMap<String, String> {
    #[derive(sqlx::FromRow)]
    struct Text {
        text: Option<String>,
    }
    let mut out = BTreeMap::new();
    for table in table_names(db).await {
        let sql = match db.backend() {
            Backend::Sqlite => {
                let columns: Vec<Name> = db
                    .clone()
                    .fetch_all(Stmt::new(format!("SELECT name FROM pragma_table_info('{table}')")))
                    .await
                    .expect("the columns can be read");
                let line =
                    columns.iter().map(|c| format!("quote(\"{}\")", c.name)).collect::<Vec<_>>().join(" || '|' || ");
                format!(
                    "SELECT group_concat(line, char(10)) AS text FROM (SELECT {line} AS line FROM \"{table}\" ORDER BY line)"
                )
            }
            Backend::Postgres => {
                format!("SELECT string_agg(t::text, E'\\n' ORDER BY t::text) AS text FROM \"{table}\" t")
            }
        };
        let text: Vec<Text> = db.clone().fetch_all(Stmt::new(sql)).await.expect("a table can be read");
        out.insert(table, text.into_iter().next().and_then(|t| t.text).unwrap_or_default());
    }
    out
}

/// Declares each listed `async fn name(db: Db)` as two tests, `name::on_sqlite` and `name::on_postgres`.
/// The PostgreSQL one says loudly that it was skipped when no server is configured.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn on_sqlite() {
                    let db = $crate::testing::fresh_sqlite().await;
                    super::$name(db.clone()).await;
                    db.close().await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn on_postgres() {
                    match $crate::testing::fresh_postgres().await {
                        Some(pg) => {
                            super::$name(pg.db.clone()).await;
                            pg.drop_schema().await;
                        }
                        None => eprintln!("SKIPPED on PostgreSQL: set {} to run it", $crate::testing::POSTGRES_URL_VAR),
                    }
                }
            }
        )*
    };
}
