//! Multi-row `INSERT`s: many rows of one table in a few statements instead of one statement per row.
//!
//! Every statement is a round trip to the database (a thread hand-over for SQLite, a network exchange for
//! PostgreSQL), and for bulk loads such as an IATI import those round trips, not the database's own work, were
//! most of the time. This module owns writing a list of rows as `INSERT … VALUES (…), (…), …` statements of
//! at most [`PARAMETERS_PER_STATEMENT`] bound values, and reading back the ids the rows received. It must not
//! know any table: callers name the table and columns, and bind every value (nothing is interpolated).

use crate::db::{Backend, Exec, Scalar, Stmt, Value};
use crate::error::StoreError;

/// Bound values per statement: below SQLite's limit (32,766) and PostgreSQL's (65,535).
pub const PARAMETERS_PER_STATEMENT: usize = 30_000;

/// The most rows of `width` values one statement may hold.
pub fn rows_per_statement(width: usize) -> usize {
    (PARAMETERS_PER_STATEMENT / width.max(1)).max(1)
}

/// `INSERT INTO table (columns) VALUES (…), …` for `rows` rows, followed by `tail` (a `RETURNING` or
/// `ON CONFLICT` clause, or nothing).
fn insert_sql(backend: Backend, table: &str, columns: &[&str], rows: usize, tail: &str) -> String {
    // SQLite finds a numbered parameter ($N) by a linear scan of the statement's names, so binding thousands
    // of them takes quadratic time; on SQLite these statements use anonymous `?`, bound in order.
    let anonymous = backend == Backend::Sqlite;
    let width = columns.len();
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..width {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            if anonymous {
                sql.push('?');
            } else {
                sql.push('$');
                sql.push_str(&n.to_string());
            }
        }
        sql.push(')');
    }
    if !tail.is_empty() {
        sql.push(' ');
        sql.push_str(tail);
    }
    sql
}

fn bound(sql: String, rows: &[Vec<Value>]) -> Stmt {
    // A statement of many rows is kept in the statement cache only when it is small (the one-row and
    // few-row forms recur); a long one is prepared, run and forgotten.
    let stmt = if rows.len() > 64 { Stmt::new(sql).once() } else { Stmt::new(sql) };
    rows.iter().flatten().fold(stmt, |stmt, v| stmt.bind(v.clone()))
}

/// Inserts `rows` (each with one value per column, in column order), `per_statement` rows per statement
/// (capped so no statement binds more than [`PARAMETERS_PER_STATEMENT`] values). Unique and check
/// violations come back as [`StoreError::Constraint`] where the schema's rule is known.
pub async fn insert_rows(
    ex: &mut impl Exec,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
    per_statement: usize,
) -> Result<(), StoreError> {
    insert_rows_then(ex, table, columns, rows, per_statement, "").await
}

/// Inserts `rows` like [`insert_rows`], each statement ending with `tail`: an `ON CONFLICT (…) DO UPDATE …`
/// clause turns the inserts into upserts (no two rows of `rows` may have the same conflict key, which
/// PostgreSQL refuses within one statement).
pub async fn insert_rows_then(
    ex: &mut impl Exec,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
    per_statement: usize,
    tail: &str,
) -> Result<(), StoreError> {
    let per_statement = per_statement.clamp(1, rows_per_statement(columns.len()));
    for chunk in rows.chunks(per_statement) {
        let sql = insert_sql(ex.backend(), table, columns, chunk.len(), tail);
        ex.execute(bound(sql, chunk)).await.map_err(StoreError::on_constraint)?;
    }
    Ok(())
}

/// Inserts `rows` like [`insert_rows`] and returns the `id` each row received, in the order of `rows`.
///
/// Both engines number the rows of one `INSERT … VALUES` in the order the rows are written (SQLite's rowid
/// and PostgreSQL's sequence are increasing within a statement), but neither promises the order in which
/// `RETURNING` hands them back; so the ids of each statement are sorted before they are matched to its rows.
pub async fn insert_rows_returning_ids(
    ex: &mut impl Exec,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Value>],
) -> Result<Vec<i64>, StoreError> {
    let mut ids = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(rows_per_statement(columns.len())) {
        let sql = insert_sql(ex.backend(), table, columns, chunk.len(), "RETURNING id");
        let returned: Vec<Scalar> = ex.fetch_all(bound(sql, chunk)).await.map_err(StoreError::on_constraint)?;
        if returned.len() != chunk.len() {
            return Err(StoreError::NotFound("inserted row"));
        }
        let mut chunk_ids: Vec<i64> = returned.into_iter().map(|s| s.0).collect();
        chunk_ids.sort_unstable();
        ids.extend(chunk_ids);
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_statements_bind_anonymously_and_postgres_ones_by_number() {
        let sql = insert_sql(Backend::Sqlite, "t", &["a", "b"], 2, "");
        assert_eq!(sql, "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)");
        let sql = insert_sql(Backend::Postgres, "t", &["a", "b"], 2, "RETURNING id");
        assert_eq!(sql, "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) RETURNING id");
    }

    #[test]
    fn no_statement_binds_more_values_than_both_engines_allow() {
        assert_eq!(rows_per_statement(23), 1304);
        assert!(rows_per_statement(23) * 23 <= PARAMETERS_PER_STATEMENT);
        assert_eq!(rows_per_statement(0), PARAMETERS_PER_STATEMENT);
    }
}
