//! The write floor: how long SQLite itself takes to write the rows an import kept, with nothing of vientro
//! in the way.
//!
//! [`copy_rows`] copies every row of a SQLite database into a freshly migrated one, table by table with
//! `INSERT … SELECT` inside the engine, in one transaction: the same tables, indexes, triggers (the word
//! index) and foreign keys, but no parsing, mapping, binding or statement handed over. The import benchmark
//! reports it beside the import, so the part of an import's time that is the database's own work on what is
//! kept is measured in the same run, not assumed. It must only write to the empty file it is given.

use std::path::Path;
use std::time::{Duration, Instant};

use sqlx::AssertSqlSafe;

use crate::db::Db;
use crate::error::StoreError;

/// What a copy wrote and how long it took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Copied {
    /// Rows copied, over every table.
    pub rows: u64,
    /// Wall time of the copy (the transaction, commit included; not the migration before it).
    pub wall: Duration,
}

/// Copies every row of the SQLite file `source` into the new SQLite file `target` (created and migrated
/// first; refused when it exists), timing the copy alone.
pub async fn copy_rows(source: &Path, target: &Path) -> Result<Copied, StoreError> {
    if target.exists() {
        return Err(StoreError::Refused(format!("{} exists; the copy is made into a new file", target.display())));
    }
    let db = Db::connect(&format!("sqlite://{}", target.display())).await?;
    db.migrate().await?;
    let copied = copy_into(&db, source).await;
    db.close().await;
    copied
}

async fn copy_into(db: &Db, source: &Path) -> Result<Copied, StoreError> {
    let Db::Sqlite(pool) = db else {
        return Err(StoreError::Refused("the write floor is measured on SQLite".into()));
    };
    let mut conn = pool.acquire().await?;
    let source = source.display().to_string();
    sqlx::query("ATTACH DATABASE ? AS source").bind(&source).execute(&mut *conn).await?;
    // The word index's own tables are written by the triggers on aid_item, as in an import.
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM source.sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT LIKE '_sqlx_%' AND name NOT LIKE 'aid_item_search%' ORDER BY rowid",
    )
    .fetch_all(&mut *conn)
    .await?;
    let started = Instant::now();
    let mut rows = 0;
    sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
    // Rows come in table order, not in the order an import wrote them: foreign keys are checked at commit.
    sqlx::query("PRAGMA defer_foreign_keys = ON").execute(&mut *conn).await?;
    for (table,) in &tables {
        // A name read from the schema, quoted as an identifier (a quote inside is doubled).
        let table = table.replace('"', "\"\"");
        // Reference rows the migrations wrote are replaced by the source's, so both files end up equal.
        sqlx::query(AssertSqlSafe(format!("DELETE FROM main.\"{table}\""))).execute(&mut *conn).await?;
        let copy = format!("INSERT INTO main.\"{table}\" SELECT * FROM source.\"{table}\"");
        rows += sqlx::query(AssertSqlSafe(copy)).execute(&mut *conn).await?.rows_affected();
    }
    sqlx::query("COMMIT").execute(&mut *conn).await?;
    let wall = started.elapsed();
    sqlx::query("DETACH DATABASE source").execute(&mut *conn).await?;
    Ok(Copied { rows, wall })
}
