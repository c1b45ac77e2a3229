//! The audit log: an append-only, hash-chained record of every change (who, when, what, before, after).
//!
//! Each row's hash covers its own fields and the previous row's hash, so editing, deleting or reordering
//! any row breaks the chain and [`verify`] finds the first broken row. Rows are written in the same
//! transaction as the change they record. This module must never update or delete an audit row.

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

use crate::db::{Exec, Stmt, Value};
use crate::error::StoreError;

/// The hash that precedes the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One change to record.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry<'a> {
    /// Who acted (user name, `cli:<user>`, `system`).
    pub actor: &'a str,
    /// What was done: `create`, `update`, `status`, `archive`, …
    pub action: &'a str,
    /// Which kind of record.
    pub entity: &'a str,
    /// Which record.
    pub entity_id: Option<i64>,
    /// The record before, as JSON.
    pub before: Option<serde_json::Value>,
    /// The record after, as JSON.
    pub after: Option<serde_json::Value>,
}

/// An audit row as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct AuditRow {
    /// Position in the chain.
    pub id: i64,
    /// When.
    pub occurred_at: DateTime<Utc>,
    /// Who.
    pub actor: String,
    /// What.
    pub action: String,
    /// Record kind.
    pub entity: String,
    /// Record id.
    pub entity_id: Option<i64>,
    /// Before (JSON text).
    pub before_json: Option<String>,
    /// After (JSON text).
    pub after_json: Option<String>,
    /// Previous row's hash.
    pub prev_hash: String,
    /// This row's hash.
    pub hash: String,
}

#[allow(clippy::too_many_arguments)]
fn chain_hash(
    prev: &str,
    occurred_at: DateTime<Utc>,
    actor: &str,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    before: Option<&str>,
    after: Option<&str>,
) -> String {
    let mut h = Sha256::new();
    // Length-prefixing every field keeps "ab|c" and "a|bc" from hashing alike.
    for part in [
        prev,
        &occurred_at.to_rfc3339_opts(SecondsFormat::Micros, true),
        actor,
        action,
        entity,
        &entity_id.map(|i| i.to_string()).unwrap_or_default(),
        before.unwrap_or("\u{0}"),
        after.unwrap_or("\u{0}"),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends one entry, chained to the last row, and returns its id. Call inside the transaction that makes the
/// change.
pub async fn append(ex: &mut impl Exec, entry: &AuditEntry<'_>, now: DateTime<Utc>) -> Result<i64, StoreError> {
    let ids = append_many(ex, std::slice::from_ref(entry), now).await?;
    ids.first().copied().ok_or(StoreError::NotFound("audit row"))
}

const COLUMNS: [&str; 9] =
    ["occurred_at", "actor", "action", "entity", "entity_id", "before_json", "after_json", "prev_hash", "hash"];

/// Appends entries in order, each chained to the one before it, in a few statements; returns their ids. Call
/// inside the transaction that makes the changes.
pub async fn append_many(
    ex: &mut impl Exec,
    entries: &[AuditEntry<'_>],
    now: DateTime<Utc>,
) -> Result<Vec<i64>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Last {
        hash: String,
    }
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    // Lock the head row first so concurrent appenders on PostgreSQL queue here.
    let count = i64::try_from(entries.len()).unwrap_or(i64::MAX);
    ex.execute(Stmt::new("UPDATE audit_head SET appends = appends + $1 WHERE id = 1").bind(count)).await?;
    let last: Option<Last> =
        ex.fetch_optional(Stmt::new("SELECT hash FROM audit_event ORDER BY id DESC LIMIT 1")).await?;
    let mut prev = last.map(|l| l.hash).unwrap_or_else(|| GENESIS.to_owned());
    let mut rows = Vec::with_capacity(entries.len());
    for entry in entries {
        let before = entry.before.as_ref().map(serde_json::Value::to_string);
        let after = entry.after.as_ref().map(serde_json::Value::to_string);
        let hash = chain_hash(
            &prev,
            now,
            entry.actor,
            entry.action,
            entry.entity,
            entry.entity_id,
            before.as_deref(),
            after.as_deref(),
        );
        rows.push(vec![
            Value::from(now),
            Value::from(entry.actor),
            Value::from(entry.action),
            Value::from(entry.entity),
            Value::from(entry.entity_id),
            Value::from(before),
            Value::from(after),
            Value::from(prev),
            Value::from(hash.clone()),
        ]);
        prev = hash;
    }
    // Ids follow the order of the rows (see `bulk`), so the chain reads in id order as it was hashed.
    crate::bulk::insert_rows_returning_ids(ex, "audit_event", &COLUMNS, &rows).await
}

/// What [`verify`] found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    /// Rows checked.
    pub rows: u64,
    /// The first row whose hash or link is wrong, with the reason; `None` when the chain is intact.
    pub first_broken: Option<(i64, String)>,
}

/// Recomputes the whole chain, in batches, and reports the first broken row.
pub async fn verify(ex: &mut impl Exec) -> Result<VerifyReport, StoreError> {
    let mut prev = GENESIS.to_owned();
    let mut after_id = i64::MIN;
    let mut rows = 0u64;
    loop {
        let batch: Vec<AuditRow> = ex
            .fetch_all(
                Stmt::new(
                    "SELECT id, occurred_at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash \
                     FROM audit_event WHERE id > $1 ORDER BY id LIMIT 1000",
                )
                .bind(after_id),
            )
            .await?;
        let Some(last) = batch.last() else { break };
        after_id = last.id;
        for row in batch {
            rows += 1;
            if row.prev_hash != prev {
                return Ok(VerifyReport {
                    rows,
                    first_broken: Some((
                        row.id,
                        "its link to the previous row is broken (a row was removed or reordered)".into(),
                    )),
                });
            }
            let expected = chain_hash(
                &prev,
                row.occurred_at,
                &row.actor,
                &row.action,
                &row.entity,
                row.entity_id,
                row.before_json.as_deref(),
                row.after_json.as_deref(),
            );
            if expected != row.hash {
                return Ok(VerifyReport {
                    rows,
                    first_broken: Some((row.id, "its content does not match its hash (the row was edited)".into())),
                });
            }
            prev = row.hash;
        }
    }
    Ok(VerifyReport { rows, first_broken: None })
}

/// The most recent entries for one record, newest first.
pub async fn history(ex: &mut impl Exec, entity: &str, entity_id: i64) -> Result<Vec<AuditRow>, StoreError> {
    ex.fetch_all(
        Stmt::new(
            "SELECT id, occurred_at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash \
             FROM audit_event WHERE entity = $1 AND entity_id = $2 ORDER BY id DESC",
        )
        .bind(entity)
        .bind(entity_id),
    )
    .await
}

/// The most recent entries of the whole log, newest first, optionally of one actor.
pub async fn recent(
    ex: &mut impl Exec,
    actor: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Vec<AuditRow>, StoreError> {
    ex.fetch_all(
        Stmt::new(
            "SELECT id, occurred_at, actor, action, entity, entity_id, before_json, after_json, prev_hash, hash \
             FROM audit_event WHERE ($1 IS NULL OR actor = $1) ORDER BY id DESC LIMIT $2 OFFSET $3",
        )
        .bind(actor)
        .bind(limit)
        .bind(offset),
    )
    .await
}

/// How many entries have ever been appended: it changes with every recorded change, so it tells a cache
/// whether anything changed since it computed something.
pub async fn appends(ex: &mut impl Exec) -> Result<i64, StoreError> {
    let row: crate::db::Scalar =
        crate::db::ExecExt::fetch_one(ex, Stmt::new("SELECT appends FROM audit_head WHERE id = 1"), "audit head")
            .await?;
    Ok(row.0)
}
