//! The database handle: SQLite or PostgreSQL behind one type, chosen from the URL.
//!
//! Statements are written once in the portable SQL subset with `$1…$N` placeholders (both sqlx drivers
//! bind them by number) and run on either backend through [`Exec`]. This module owns connecting,
//! migrating and binding; it must not know any table. Backend quirks are flagged where they are handled.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{FromRow, PgPool, Postgres, Sqlite, SqlitePool, Transaction};

use crate::error::StoreError;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database engine a handle talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file (the default).
    Sqlite,
    /// PostgreSQL (and wire-compatible engines).
    Postgres,
}

/// A pool of connections to one database.
#[derive(Debug, Clone)]
pub enum Db {
    /// SQLite pool.
    Sqlite(SqlitePool),
    /// PostgreSQL pool.
    Postgres(PgPool),
}

/// One value bound to a statement placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A 64-bit integer (ids, minor units, counts, basis points).
    Int(Option<i64>),
    /// Text (codes, names, decimal rates kept exact as text).
    Text(Option<String>),
    /// A boolean.
    Bool(Option<bool>),
    /// A calendar date.
    Date(Option<NaiveDate>),
    /// A UTC timestamp.
    Time(Option<DateTime<Utc>>),
}

macro_rules! value_from {
    ($t:ty, $variant:ident) => {
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::$variant(Some(v.into()))
            }
        }
        impl From<Option<$t>> for Value {
            fn from(v: Option<$t>) -> Self {
                Value::$variant(v.map(Into::into))
            }
        }
    };
}
value_from!(i64, Int);
value_from!(i32, Int);
value_from!(u32, Int);
value_from!(String, Text);
value_from!(&str, Text);
value_from!(bool, Bool);
value_from!(NaiveDate, Date);
value_from!(DateTime<Utc>, Time);

/// Builds a query for one backend with every argument bound (both drivers encode the same Rust types).
macro_rules! bind_all {
    ($stmt:expr, $db:ty) => {{
        // The SQL text is written by this crate's modules; values are always bound, never interpolated.
        let mut q = sqlx::query::<$db>(sqlx::AssertSqlSafe($stmt.sql.as_str())).persistent($stmt.persistent);
        for a in &$stmt.args {
            q = match a {
                Value::Int(v) => q.bind(*v),
                Value::Text(v) => q.bind(v.clone()),
                Value::Bool(v) => q.bind(*v),
                Value::Date(v) => q.bind(*v),
                Value::Time(v) => q.bind(*v),
            };
        }
        q
    }};
}

/// A statement and its arguments, in the portable SQL subset.
#[derive(Debug, Clone)]
pub struct Stmt {
    sql: String,
    args: Vec<Value>,
    /// Kept prepared in the connection's statement cache for reuse (the default).
    persistent: bool,
}

impl Stmt {
    /// A statement with `$1…$N` placeholders.
    pub fn new(sql: impl Into<String>) -> Self {
        Self { sql: sql.into(), args: Vec::new(), persistent: true }
    }

    /// Not kept in the connection's statement cache: for statements whose text is unlikely to come again
    /// (multi-row inserts of varying length), which would otherwise fill the cache with large prepared
    /// statements and push out the ones that are reused.
    #[must_use]
    pub fn once(mut self) -> Self {
        self.persistent = false;
        self
    }

    /// Binds the next placeholder.
    #[must_use]
    pub fn bind(mut self, value: impl Into<Value>) -> Self {
        self.args.push(value.into());
        self
    }

    /// The SQL text (for logs and tests).
    pub fn sql(&self) -> &str {
        &self.sql
    }

    fn sqlite(&self) -> sqlx::query::Query<'_, Sqlite, sqlx::sqlite::SqliteArguments> {
        bind_all!(self, Sqlite)
    }

    fn postgres(&self) -> sqlx::query::Query<'_, Postgres, sqlx::postgres::PgArguments> {
        bind_all!(self, Postgres)
    }
}

/// A row type that both backends can decode (derive `sqlx::FromRow`; it is generic over the row).
pub trait DbRow: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> DbRow for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

/// Runs statements: implemented by a pool (autocommit) and by a transaction.
pub trait Exec: Send {
    /// Which backend, for the few statements that must differ.
    fn backend(&self) -> Backend;
    /// Runs a statement and returns the rows it affected.
    fn execute(&mut self, stmt: Stmt) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Runs a query and decodes every row.
    fn fetch_all<T: DbRow>(&mut self, stmt: Stmt) -> impl Future<Output = Result<Vec<T>, StoreError>> + Send;
    /// Runs a query and decodes the first row, if any.
    fn fetch_optional<T: DbRow>(&mut self, stmt: Stmt) -> impl Future<Output = Result<Option<T>, StoreError>> + Send;
}

/// A single `i64` column, for `RETURNING id` and counts.
#[derive(Debug, sqlx::FromRow)]
pub struct Scalar(pub i64);

/// Helpers built on [`Exec`].
pub trait ExecExt: Exec {
    /// Decodes exactly one row, or `NotFound` naming `what`.
    fn fetch_one<T: DbRow>(
        &mut self,
        stmt: Stmt,
        what: &'static str,
    ) -> impl Future<Output = Result<T, StoreError>> + Send {
        async move { self.fetch_optional(stmt).await?.ok_or(StoreError::NotFound(what)) }
    }

    /// Runs an `INSERT … RETURNING id` and returns the id.
    fn insert_returning_id(&mut self, stmt: Stmt) -> impl Future<Output = Result<i64, StoreError>> + Send {
        async move {
            let row: Scalar = self.fetch_one(stmt, "inserted row").await?;
            Ok(row.0)
        }
    }
}
impl<E: Exec + ?Sized> ExecExt for E {}

impl Exec for Db {
    fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    async fn execute(&mut self, stmt: Stmt) -> Result<u64, StoreError> {
        Ok(match self {
            Db::Sqlite(p) => stmt.sqlite().execute(&*p).await?.rows_affected(),
            Db::Postgres(p) => stmt.postgres().execute(&*p).await?.rows_affected(),
        })
    }

    async fn fetch_all<T: DbRow>(&mut self, stmt: Stmt) -> Result<Vec<T>, StoreError> {
        Ok(match self {
            Db::Sqlite(p) => stmt.sqlite().try_map(|r| T::from_row(&r)).fetch_all(&*p).await?,
            Db::Postgres(p) => stmt.postgres().try_map(|r| T::from_row(&r)).fetch_all(&*p).await?,
        })
    }

    async fn fetch_optional<T: DbRow>(&mut self, stmt: Stmt) -> Result<Option<T>, StoreError> {
        Ok(match self {
            Db::Sqlite(p) => stmt.sqlite().try_map(|r| T::from_row(&r)).fetch_optional(&*p).await?,
            Db::Postgres(p) => stmt.postgres().try_map(|r| T::from_row(&r)).fetch_optional(&*p).await?,
        })
    }
}

/// An open transaction on either backend; dropped without [`Tx::commit`] it rolls back.
#[derive(Debug)]
pub enum Tx {
    /// SQLite transaction.
    Sqlite(Transaction<'static, Sqlite>),
    /// PostgreSQL transaction.
    Postgres(Transaction<'static, Postgres>),
}

impl Tx {
    /// Makes every change of the transaction durable.
    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    /// Discards every change of the transaction.
    pub async fn rollback(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(t) => t.rollback().await?,
            Tx::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }
}

impl Exec for Tx {
    fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    async fn execute(&mut self, stmt: Stmt) -> Result<u64, StoreError> {
        Ok(match self {
            Tx::Sqlite(t) => stmt.sqlite().execute(&mut **t).await?.rows_affected(),
            Tx::Postgres(t) => stmt.postgres().execute(&mut **t).await?.rows_affected(),
        })
    }

    async fn fetch_all<T: DbRow>(&mut self, stmt: Stmt) -> Result<Vec<T>, StoreError> {
        Ok(match self {
            Tx::Sqlite(t) => stmt.sqlite().try_map(|r| T::from_row(&r)).fetch_all(&mut **t).await?,
            Tx::Postgres(t) => stmt.postgres().try_map(|r| T::from_row(&r)).fetch_all(&mut **t).await?,
        })
    }

    async fn fetch_optional<T: DbRow>(&mut self, stmt: Stmt) -> Result<Option<T>, StoreError> {
        Ok(match self {
            Tx::Sqlite(t) => stmt.sqlite().try_map(|r| T::from_row(&r)).fetch_optional(&mut **t).await?,
            Tx::Postgres(t) => stmt.postgres().try_map(|r| T::from_row(&r)).fetch_optional(&mut **t).await?,
        })
    }
}

impl Db {
    /// Connects to `sqlite://PATH` (created if missing), `sqlite::memory:` or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            return Ok(Db::Postgres(pool));
        }
        if url.starts_with("sqlite:") {
            let memory = url.contains(":memory:") || url.contains("mode=memory");
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .foreign_keys(true)
                // WAL lets readers work while one writer writes; busy_timeout turns lock contention into
                // waiting rather than an error a user would see.
                .journal_mode(if memory { SqliteJournalMode::Memory } else { SqliteJournalMode::Wal })
                .synchronous(SqliteSynchronous::Full)
                // 32 MB of page cache per connection instead of SQLite's 2 MB: bulk writes touch many index
                // pages, and re-reading them through the kernel cost a fifth of an import's time.
                .pragma("cache_size", "-32768")
                .busy_timeout(Duration::from_secs(30));
            let pool = SqlitePoolOptions::new()
                // An in-memory database exists per connection: keep exactly one.
                .max_connections(if memory { 1 } else { 8 })
                .min_connections(if memory { 1 } else { 0 })
                .idle_timeout(if memory { None } else { Some(Duration::from_secs(600)) })
                .max_lifetime(if memory { None } else { Some(Duration::from_secs(3600)) })
                .connect_with(options)
                .await?;
            return Ok(Db::Sqlite(pool));
        }
        Err(StoreError::BadUrl(redact_url(url)))
    }

    /// Opens a SQLite file read-only (one connection), to check a backup without changing it.
    pub async fn connect_read_only_sqlite(path: &str) -> Result<Db, StoreError> {
        let options = SqliteConnectOptions::new().filename(path).read_only(true).create_if_missing(false);
        let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await?;
        Ok(Db::Sqlite(pool))
    }

    /// Refreshes PostgreSQL's planner statistics of every table (`ANALYZE`, which samples a fixed number of
    /// rows whatever a table's size). Bulk loads call it now and then: a planner that still believes the
    /// tables small scans all of `flow_share` for every batch once it holds millions of rows (autovacuum does
    /// the same, but only where it is on and only after its nap). SQLite needs nothing: without statistics
    /// its planner assumes indexes are selective.
    pub async fn refresh_planner_statistics(&self) -> Result<(), StoreError> {
        if let Db::Postgres(p) = self {
            sqlx::query("ANALYZE").execute(p).await?;
        }
        Ok(())
    }

    /// The versions of this backend's migrations, in order (the schema versions vientro has had).
    pub fn migration_versions(&self) -> Vec<i64> {
        let migrator = match self {
            Db::Sqlite(_) => &SQLITE_MIGRATIONS,
            Db::Postgres(_) => &POSTGRES_MIGRATIONS,
        };
        migrator.iter().map(|m| m.version).collect()
    }

    /// Applies the pending migrations up to and including `version` (upgrade tests start from each older
    /// schema this way).
    pub async fn migrate_to(&self, version: i64) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(p) => SQLITE_MIGRATIONS.run_to(version, p).await?,
            Db::Postgres(p) => POSTGRES_MIGRATIONS.run_to(version, p).await?,
        }
        Ok(())
    }

    /// Applies every pending migration of this backend.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match self {
            Db::Sqlite(p) => SQLITE_MIGRATIONS.run(p).await?,
            Db::Postgres(p) => POSTGRES_MIGRATIONS.run(p).await?,
        }
        Ok(())
    }

    /// The migrations this backend has applied, newest last (version, description).
    pub async fn applied_migrations(&self) -> Result<Vec<(i64, String)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Applied {
            version: i64,
            description: String,
        }
        let rows: Vec<Applied> = self
            .clone()
            .fetch_all(Stmt::new("SELECT version, description FROM _sqlx_migrations ORDER BY version"))
            .await?;
        Ok(rows.into_iter().map(|r| (r.version, r.description)).collect())
    }

    /// Opens a transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), so two writers
    /// queue on `busy_timeout` instead of failing half-way with SQLITE_BUSY.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Closes every connection (flushes the SQLite WAL).
    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Postgres(p) => p.close().await,
        }
    }
}

/// The URL with any password replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme_end + 3], user, &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}
