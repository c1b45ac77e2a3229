//! Report results remembered until the data changes.
//!
//! Every change to the records appends to the audit log in the transaction that makes it, so the audit
//! log's append counter is a version of the whole database: a result computed at version N is valid for
//! as long as the counter reads N. The counter is read before the report is computed, so a remembered
//! result is never older than its version. This module must not compute figures nor decide what a reader
//! may see (the scoped query is part of the key).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A lock per report being computed, so identical requests arriving together compute it once.
type Flights = HashMap<String, Arc<tokio::sync::Mutex<()>>>;

use vientro_domain::report::{ReportQuery, ReportResult};

/// How many distinct reports are remembered (dashboards ask for about ten each).
const CAPACITY: usize = 512;

/// Remembered results by query, each with the database version it was computed at.
#[derive(Debug, Default, Clone)]
pub struct ReportCache {
    entries: Arc<Mutex<HashMap<String, (i64, ReportResult)>>>,
    flights: Arc<Mutex<Flights>>,
}

impl ReportCache {
    fn key(query: &ReportQuery) -> String {
        format!("{query:?}")
    }

    /// The result remembered for `query` at `version`, if any.
    pub fn get(&self, query: &ReportQuery, version: i64) -> Option<ReportResult> {
        let entries = self.entries.lock().ok()?;
        entries.get(&Self::key(query)).filter(|(v, _)| *v == version).map(|(_, r)| r.clone())
    }

    /// The lock to hold while computing `query`: after a change, the dashboards' many readers would otherwise
    /// all compute the same reports at once. Holders check the cache again once they have it.
    pub fn flight(&self, query: &ReportQuery) -> Arc<tokio::sync::Mutex<()>> {
        let Ok(mut flights) = self.flights.lock() else { return Arc::default() };
        if flights.len() >= CAPACITY {
            // Only locks nobody holds or waits for are forgotten.
            flights.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        flights.entry(Self::key(query)).or_default().clone()
    }

    /// Remembers a result computed at `version`; forgets everything of older versions when full.
    pub fn put(&self, query: &ReportQuery, version: i64, result: &ReportResult) {
        let Ok(mut entries) = self.entries.lock() else { return };
        if entries.len() >= CAPACITY {
            entries.retain(|_, (v, _)| *v == version);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(Self::key(query), (version, result.clone()));
    }
}
