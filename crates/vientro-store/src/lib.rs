//! vientro's storage: SQLite (embedded default) and PostgreSQL through one code path.
//!
//! This crate owns the schema (one migration directory per backend, same file names), the statements that
//! read and write records, and the append-only, hash-chained audit log. It must not parse user input or
//! decide permissions: it stores what the domain has already validated, and the services layer decides
//! who may do what and opens the transactions.

pub mod accounts;
pub mod aid_item_edits;
pub mod aid_items;
pub mod audit;
pub mod backup;
pub mod bulk;
pub mod certificates;
pub mod db;
pub mod error;
pub mod events;
pub mod facts;
pub mod flows;
pub mod iati;
pub mod listing;
pub mod matching;
pub mod organisations;
pub mod people;
pub mod people_records;
pub mod rates;
pub mod reports;
pub mod settings;
pub mod sheet_mappings;
pub mod summaries;
#[cfg(feature = "test-support")]
pub mod testing;
pub mod watch;
pub mod write_floor;

pub use db::{Backend, Db, Exec, ExecExt, Stmt, Tx};
pub use error::StoreError;

/// The current time, truncated to microseconds so it reads back identically from both backends.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::{DurationRound, TimeDelta};
    let now = chrono::Utc::now();
    now.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(now)
}
