//! Reading and writing people-to-people records and the lists they own, for any kind the domain describes
//! ([`PeopleKind`]): one code path for associations, twinning pairs, delegations, scholarships, support abroad
//! and events, so a new field is added to the description and a migration, not to five copies of the SQL.
//!
//! Table and column names come only from the domain's static descriptions, never from input; values are always
//! bound. Every column is read back as text and parsed by the domain. This module must not validate or
//! authorise (the services do); it refuses a stale version.

use chrono::{DateTime, Utc};
use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, Row};
use vientro_domain::people::{Field, FieldType, FieldValue, Part, PeopleKind};

use crate::db::{Exec, ExecExt, Stmt, Value};
use crate::error::StoreError;

/// A row of any shape, every column read as text (the statements cast them).
struct TextRow(Vec<Option<String>>);

impl<'r> FromRow<'r, SqliteRow> for TextRow {
    fn from_row(row: &'r SqliteRow) -> sqlx::Result<Self> {
        (0..row.len()).map(|i| row.try_get::<Option<String>, _>(i)).collect::<sqlx::Result<_>>().map(TextRow)
    }
}

impl<'r> FromRow<'r, PgRow> for TextRow {
    fn from_row(row: &'r PgRow) -> sqlx::Result<Self> {
        (0..row.len()).map(|i| row.try_get::<Option<String>, _>(i)).collect::<sqlx::Result<_>>().map(TextRow)
    }
}

/// A record as stored: its id, version and each field's text in the order of [`PeopleKind::fields`].
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    /// Id.
    pub id: i64,
    /// Version (1 when created, one more with each edit).
    pub version: i64,
    /// Each field's stored text (`None`: empty).
    pub texts: Vec<Option<String>>,
}

/// A row of a part as stored: its key (see [`Part::key`]) and its fields' texts in the order of [`Part::fields`].
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPartRow {
    /// The row's key within its record, as text.
    pub key: String,
    /// Each field's stored text.
    pub texts: Vec<Option<String>>,
}

fn stored_part_row(row: TextRow) -> Result<StoredPartRow, StoreError> {
    let mut texts = row.0.into_iter();
    let key = texts.next().flatten().ok_or_else(|| StoreError::Refused("a list row without its key".into()))?;
    Ok(StoredPartRow { key, texts: texts.collect() })
}

fn text_columns(fields: &[Field]) -> String {
    fields.iter().map(|f| format!("CAST({} AS TEXT)", f.name)).collect::<Vec<_>>().join(", ")
}

fn value(f: &Field, v: &FieldValue) -> Value {
    match (v, f.ty) {
        (FieldValue::Text(t), _) => Value::Text(Some(t.clone())),
        (FieldValue::Int(n), _) => Value::Int(Some(*n)),
        (FieldValue::Date(d), _) => Value::Date(Some(*d)),
        (FieldValue::Empty, FieldType::Date) => Value::Date(None),
        (FieldValue::Empty, FieldType::Count | FieldType::AmountVnd | FieldType::Year) => Value::Int(None),
        (FieldValue::Empty, _) => Value::Text(None),
    }
}

fn stored_record(row: TextRow) -> Result<StoredRecord, StoreError> {
    let mut texts = row.0.into_iter();
    let mut number = || {
        texts
            .next()
            .flatten()
            .and_then(|t| t.parse::<i64>().ok())
            .ok_or_else(|| StoreError::Refused("a people record without its id or version".into()))
    };
    let (id, version) = (number()?, number()?);
    Ok(StoredRecord { id, version, texts: texts.collect() })
}

/// One record of `kind`.
pub async fn record(ex: &mut impl Exec, kind: PeopleKind, id: i64) -> Result<StoredRecord, StoreError> {
    let sql = format!(
        "SELECT CAST(id AS TEXT), CAST(version AS TEXT), {} FROM {} WHERE id = $1",
        text_columns(kind.fields()),
        kind.table()
    );
    let row: TextRow = ex.fetch_one(Stmt::new(sql).bind(id), "the record").await?;
    stored_record(row)
}

/// The records of `kind` in a province, ordered by `order_by` (a column list of the kind's table).
pub async fn records_of_province(
    ex: &mut impl Exec,
    kind: PeopleKind,
    province: &str,
    order_by: &'static str,
) -> Result<Vec<StoredRecord>, StoreError> {
    let sql = format!(
        "SELECT CAST(id AS TEXT), CAST(version AS TEXT), {} FROM {} WHERE province_code = $1 ORDER BY {order_by}, id",
        text_columns(kind.fields()),
        kind.table()
    );
    let rows: Vec<TextRow> = ex.fetch_all(Stmt::new(sql).bind(province)).await?;
    rows.into_iter().map(stored_record).collect()
}

/// Records a new record of `kind` and returns its id.
pub async fn insert_record(
    ex: &mut impl Exec,
    kind: PeopleKind,
    values: &[(&'static Field, FieldValue)],
    illustrative: bool,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let columns: Vec<&str> = values.iter().map(|(f, _)| f.name).collect();
    let n = values.len();
    let bind_marks: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}, illustrative, version, created_at, updated_at) VALUES ({}, ${}, 1, ${}, ${}) RETURNING id",
        kind.table(),
        columns.join(", "),
        bind_marks.join(", "),
        n + 1,
        n + 2,
        n + 2
    );
    let mut stmt = Stmt::new(sql);
    for (f, v) in values {
        stmt = stmt.bind(value(f, v));
    }
    ex.insert_returning_id(stmt.bind(illustrative).bind(now)).await.map_err(StoreError::on_constraint)
}

/// Saves new values over the record at `version`; returns the new version. A record someone else changed
/// since (another version) is refused with [`StoreError::StaleVersion`]; an unknown one with `NotFound`.
pub async fn update_record(
    ex: &mut impl Exec,
    kind: PeopleKind,
    id: i64,
    version: i64,
    values: &[(&'static Field, FieldValue)],
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let n = values.len();
    let sets: Vec<String> = values.iter().enumerate().map(|(i, (f, _))| format!("{} = ${}", f.name, i + 1)).collect();
    let sql = format!(
        "UPDATE {} SET {}, version = version + 1, updated_at = ${} WHERE id = ${} AND version = ${}",
        kind.table(),
        sets.join(", "),
        n + 1,
        n + 2,
        n + 3
    );
    let mut stmt = Stmt::new(sql);
    for (f, v) in values {
        stmt = stmt.bind(value(f, v));
    }
    let changed = ex.execute(stmt.bind(now).bind(id).bind(version)).await.map_err(StoreError::on_constraint)?;
    if changed == 0 {
        record(ex, kind, id).await?;
        return Err(StoreError::StaleVersion { what: "record", expected: version });
    }
    Ok(version + 1)
}

/// Adds a row to a record's part.
pub async fn insert_part_row(
    ex: &mut impl Exec,
    part: &Part,
    parent: i64,
    values: &[(&'static Field, FieldValue)],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let columns: Vec<&str> = values.iter().map(|(f, _)| f.name).collect();
    let n = values.len();
    let bind_marks: Vec<String> = (2..=n + 1).map(|i| format!("${i}")).collect();
    let sql = format!(
        "INSERT INTO {} ({}, {}, created_at) VALUES ($1, {}, ${})",
        part.table,
        part.parent_column,
        columns.join(", "),
        bind_marks.join(", "),
        n + 2
    );
    let mut stmt = Stmt::new(sql).bind(parent);
    for (f, v) in values {
        stmt = stmt.bind(value(f, v));
    }
    ex.execute(stmt.bind(now)).await.map_err(StoreError::on_constraint)?;
    Ok(())
}

/// The rows of a record's part, in the part's order.
pub async fn part_rows(ex: &mut impl Exec, part: &Part, parent: i64) -> Result<Vec<StoredPartRow>, StoreError> {
    let sql = format!(
        "SELECT CAST({} AS TEXT), {} FROM {} WHERE {} = $1 ORDER BY {}",
        part.key,
        text_columns(part.fields),
        part.table,
        part.parent_column,
        part.order_by
    );
    let rows: Vec<TextRow> = ex.fetch_all(Stmt::new(sql).bind(parent)).await?;
    rows.into_iter().map(stored_part_row).collect()
}

/// Removes the row of a record's part whose key is `key`, returning it; `NotFound` when there is none.
pub async fn delete_part_row(
    ex: &mut impl Exec,
    part: &Part,
    parent: i64,
    key: &str,
) -> Result<StoredPartRow, StoreError> {
    let sql = format!(
        "SELECT CAST({key} AS TEXT), {} FROM {} WHERE {} = $1 AND CAST({key} AS TEXT) = $2",
        text_columns(part.fields),
        part.table,
        part.parent_column,
        key = part.key
    );
    let row: TextRow = ex.fetch_one(Stmt::new(sql).bind(parent).bind(key), "the list row").await?;
    let sql = format!(
        "DELETE FROM {} WHERE {} = $1 AND CAST({key} AS TEXT) = $2",
        part.table,
        part.parent_column,
        key = part.key
    );
    ex.execute(Stmt::new(sql).bind(parent).bind(key)).await?;
    stored_part_row(row)
}

/// The rows of one part of every record of `kind` in a province, each with its record's id.
pub async fn part_rows_of_province(
    ex: &mut impl Exec,
    kind: PeopleKind,
    part: &Part,
    province: &str,
) -> Result<Vec<(i64, StoredPartRow)>, StoreError> {
    let columns: Vec<String> = part.fields.iter().map(|f| format!("CAST(p.{} AS TEXT)", f.name)).collect();
    let order: Vec<String> = part.order_by.split(", ").map(|c| format!("p.{c}")).collect();
    let sql = format!(
        "SELECT CAST(r.id AS TEXT), CAST(p.{} AS TEXT), {} FROM {} p JOIN {} r ON r.id = p.{} \
         WHERE r.province_code = $1 ORDER BY r.id, {}",
        part.key,
        columns.join(", "),
        part.table,
        kind.table(),
        part.parent_column,
        order.join(", ")
    );
    let rows: Vec<TextRow> = ex.fetch_all(Stmt::new(sql).bind(province)).await?;
    rows.into_iter()
        .map(|r| {
            let mut texts = r.0.into_iter();
            let id = texts.next().flatten().and_then(|t| t.parse::<i64>().ok());
            let key = texts.next().flatten().unwrap_or_default();
            id.map(|id| (id, StoredPartRow { key, texts: texts.collect() }))
                .ok_or_else(|| StoreError::Refused("a part row without its record".into()))
        })
        .collect()
}
