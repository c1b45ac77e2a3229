//! vientro's use cases: register an organisation, record a certificate, record an aid item, move it through
//! its lifecycle, record money flows, enter exchange rates, verify the audit log.
//!
//! This is the only layer that opens transactions and writes audit rows, and the only one that decides
//! whether a failure is the user's (a [`ServiceError`] naming the field) or a bug (`Internal`). Every face
//! (web pages, JSON API, CLI) calls these functions, so a rule is enforced the same way everywhere. It must
//! not render anything or know about HTTP.

pub mod accounts;
pub mod aid_items;
pub mod bench;
pub mod bench_import;
pub mod briefing;
pub mod demo;
pub mod directory;
pub mod error;
pub mod events;
pub mod iati_export;
pub mod iati_import;
pub mod matching;
pub mod organisations;
pub mod people;
pub mod people_records;
pub mod periodic_report;
pub mod rates;
pub mod report_cache;
pub mod reports;
pub mod scoped_items;
pub mod scoped_reports;
pub mod search;
pub mod sheet_import;
pub mod sheet_mappings;
pub mod watch;

pub use error::ServiceError;

use vientro_store::Db;

/// The highest page number a list accepts: a larger one is read as this one (an empty page), so that no
/// offset or "next page" link computed from a page number a client sent can overflow.
pub const MAX_PAGE: i64 = 1_000_000_000;

/// The page a client asked for, 1 when it asked for none, within 1..=[`MAX_PAGE`].
pub fn page_number(requested: Option<i64>) -> i64 {
    requested.unwrap_or(1).clamp(1, MAX_PAGE)
}

/// Who is acting, as recorded in the audit log and status history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Name written into audit rows (`admin`, `cli:root`, `system`).
    pub name: String,
}

impl Actor {
    /// An actor with the given name.
    pub fn named(name: impl Into<String>) -> Self {
        Self { name: name.into() }
    }

    /// The system itself (migrations, demo loading).
    pub fn system() -> Self {
        Self::named("system")
    }
}

/// The handle every use case runs on: the database.
#[derive(Debug, Clone)]
pub struct Services {
    db: Db,
    report_cache: report_cache::ReportCache,
    watch_cache: watch::WatchCache,
}

impl Services {
    /// Services over a connected, migrated database.
    pub fn new(db: Db) -> Self {
        Self { db, report_cache: report_cache::ReportCache::default(), watch_cache: watch::WatchCache::default() }
    }

    /// The database (for read models such as reports that live in the store).
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Checks the whole audit chain.
    pub async fn verify_audit(&self) -> Result<vientro_store::audit::VerifyReport, ServiceError> {
        let mut db = self.db.clone();
        Ok(vientro_store::audit::verify(&mut db).await?)
    }
}
