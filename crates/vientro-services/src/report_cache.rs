//! Report results remembered until the data changes.
//!
//! Every change to the records appends to the audit log in the transaction that makes it, so the audit
//! log's append counter is a version of the whole database. A request reads the counter when it arrives; any
//! result computed from a version at least that new reflects every change acknowledged before the request
//! arrived, which is all a reader can ask of a figure. Results are computed after their version is read, so a
//! remembered result is never older than its version. This module must not compute figures nor decide what a
//! reader may see (the scoped query is part of the key).

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

    /// The result remembered for `query` if it was computed at version `at_least` or later.
    ///
    /// Readers pass the version they read on arrival: while a report is being computed, writes go on, and
    /// the readers queued behind the computation take its result rather than each computing the report
    /// again at the newest version (which, under steady writes, made every queued reader compute in turn).
    pub fn get(&self, query: &ReportQuery, at_least: i64) -> Option<ReportResult> {
        let entries = self.entries.lock().ok()?;
        entries.get(&Self::key(query)).filter(|(v, _)| *v >= at_least).map(|(_, r)| r.clone())
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

    /// Remembers a result computed at `version`, unless a newer one is already remembered; forgets
    /// everything of older versions when full.
    pub fn put(&self, query: &ReportQuery, version: i64, result: &ReportResult) {
        let Ok(mut entries) = self.entries.lock() else { return };
        let key = Self::key(query);
        if entries.get(&key).is_some_and(|(v, _)| *v > version) {
            return;
        }
        if entries.len() >= CAPACITY {
            entries.retain(|_, (v, _)| *v >= version);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(key, (version, result.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vientro_domain::report::{Measure, Period, ReportRow};

    fn query() -> ReportQuery {
        ReportQuery {
            measures: vec![Measure::CommittedUsd],
            by: Vec::new(),
            filters: Vec::new(),
            period: Period { from: None, to: None },
            as_of: None,
        }
    }

    fn result() -> ReportResult {
        ReportResult { query: query(), rows: Vec::new(), total: ReportRow { keys: Vec::new(), values: Vec::new() } }
    }

    #[test]
    fn a_result_serves_readers_who_arrived_at_its_version_or_before() {
        let cache = ReportCache::default();
        cache.put(&query(), 7, &result());
        assert!(cache.get(&query(), 6).is_some());
        assert!(cache.get(&query(), 7).is_some());
        assert!(cache.get(&query(), 8).is_none(), "a reader who arrived after a later change needs a new result");
    }

    #[test]
    fn an_older_result_never_replaces_a_newer_one() {
        let cache = ReportCache::default();
        cache.put(&query(), 9, &result());
        cache.put(&query(), 8, &result());
        assert!(cache.get(&query(), 9).is_some());
    }
}
