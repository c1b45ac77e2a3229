//! The watch list (kiểm tra, giám sát): alerts from the configured deadline rules, narrowed to what the reader
//! is responsible for, and the records of periodic reports received.
//!
//! It applies `vientro_domain::watch` rules to what `vientro_store::watch` returns. It must not hold a deadline
//! itself: rules live in the `watch_rules` setting (defaults in the domain), because the decrees change.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};
use vientro_domain::access::{Principal, ReadScope};
use vientro_domain::admin_units::{AdminUnits, ProvinceCode, UnitSet};
use vientro_domain::ids::OrganisationId;
use vientro_domain::watch::{Alert, AlertKind, WatchRules, elapsed_percent};
use vientro_domain::{ValidationError, ValidationErrors};
use vientro_store::Tx;
use vientro_store::audit::{self, AuditEntry};
use vientro_store::watch::{ItemLinkRow, WatchedItemRow};

use crate::{Actor, ServiceError, Services};

/// The setting holding the rules as JSON.
pub const RULES_SETTING: &str = "watch_rules";

/// How old a dashboard's watch list may grow before it is refreshed in the background; `vientro watch` always
/// computes afresh.
const DASHBOARD_REUSE: Duration = Duration::from_secs(300);

/// An alert with the provinces and organisations it concerns, for narrowing to a reader.
#[derive(Debug, Clone, PartialEq)]
pub struct ConcernedAlert {
    /// The alert.
    pub alert: Alert,
    /// Provinces (today's codes) it concerns.
    pub provinces: BTreeSet<String>,
    /// Organisations it concerns.
    pub organisations: BTreeSet<i64>,
}

/// A watch list: the day it is for, when it was computed, the alerts.
type Computed = (NaiveDate, Instant, Arc<Vec<ConcernedAlert>>);

/// A watch list computed once, remembered for dashboards.
#[derive(Debug, Default, Clone)]
pub struct WatchCache {
    last: Arc<Mutex<Option<Computed>>>,
    refreshing: Arc<AtomicBool>,
    /// Held while the list is computed, so dashboards arriving together compute it once.
    computing: Arc<tokio::sync::Mutex<()>>,
}

impl WatchCache {
    fn remembered(&self, as_of: NaiveDate) -> Option<(Instant, Arc<Vec<ConcernedAlert>>)> {
        self.last
            .lock()
            .ok()
            .and_then(|last| last.as_ref().filter(|(day, _, _)| *day == as_of).map(|(_, at, list)| (*at, list.clone())))
    }

    fn remember(&self, as_of: NaiveDate, list: Arc<Vec<ConcernedAlert>>) {
        if let Ok(mut last) = self.last.lock() {
            *last = Some((as_of, Instant::now(), list));
        }
    }
}

fn current_code(code: &str, set: &str) -> Option<String> {
    let code = ProvinceCode::parse(code).ok()?;
    let set = if set == "pre2025" { UnitSet::Pre2025 } else { UnitSet::From2025 };
    Some(AdminUnits::embedded().current_province_code(&code, set).as_str().to_owned())
}

fn grouped(rows: Vec<ItemLinkRow>) -> BTreeMap<i64, BTreeSet<String>> {
    let mut out: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
    for r in rows {
        out.entry(r.item_id).or_default().insert(r.value);
    }
    out
}

fn args(pairs: &[(&'static str, String)]) -> BTreeMap<&'static str, String> {
    pairs.iter().cloned().collect()
}

impl Services {
    /// The rules in force: the stored ones, or the defaults.
    pub async fn watch_rules(&self) -> Result<WatchRules, ServiceError> {
        match vientro_store::settings::get(&mut self.db.clone(), RULES_SETTING).await? {
            Some(json) => Ok(WatchRules::parse(&json)?),
            None => Ok(WatchRules::default()),
        }
    }

    /// Replaces the rules with `json` (fields left out take their defaults); refused with the field named when
    /// a rule is wrong. Audited.
    pub async fn set_watch_rules(&self, actor: &Actor, json: &str) -> Result<WatchRules, ServiceError> {
        let rules = WatchRules::parse(json)?;
        let before = self.watch_rules().await?;
        let stored = serde_json::to_string(&rules).map_err(anyhow::Error::from)?;
        let now = vientro_store::now();
        let mut tx = self.db.begin().await?;
        vientro_store::settings::set(&mut tx, RULES_SETTING, &stored, now).await?;
        audit::append(
            &mut tx,
            &AuditEntry {
                actor: &actor.name,
                action: "update",
                entity: "watch_rules",
                entity_id: None,
                before: serde_json::to_value(&before).ok(),
                after: serde_json::to_value(&rules).ok(),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(rules)
    }

    /// Every alert on `as_of`, with what each concerns (for the operator; readers use [`Services::watch`]).
    pub async fn watch_all(&self, as_of: NaiveDate) -> Result<Vec<ConcernedAlert>, ServiceError> {
        let rules = self.watch_rules().await?;
        let mut db = self.db.clone();
        let mut out = Vec::new();

        // Certificates ending within the largest warning window.
        let horizon = rules.certificate_days.iter().copied().max().unwrap_or(0);
        let last = as_of + chrono::Days::new(u64::try_from(horizon).unwrap_or(0));
        let ending = vientro_store::watch::certificates_ending(&mut db, as_of, last).await?;
        let holders: Vec<i64> = ending.iter().map(|c| c.organisation_id).collect();
        let permitted = vientro_store::watch::permitted_provinces(&mut db, &holders, as_of, last).await?;
        for c in ending {
            let days = (c.valid_to - as_of).num_days();
            let Some(threshold) = rules.certificate_threshold(days) else { continue };
            out.push(ConcernedAlert {
                alert: Alert {
                    kind: AlertKind::CertificateExpiring,
                    subject: c.organisation_name,
                    link: format!("/organisations/{}", c.organisation_id),
                    date: c.valid_to,
                    days,
                    args: args(&[("number", c.number), ("threshold", threshold.to_string())]),
                },
                provinces: permitted
                    .iter()
                    .filter(|p| p.certificate_id == c.id)
                    .filter_map(|p| current_code(&p.province_code, &p.unit_set))
                    .collect(),
                organisations: [c.organisation_id].into(),
            });
        }

        // Foreign NGOs' annual reports.
        if let Some((year, due)) = rules.ngo_report_due_by(as_of)
            && let Some((from, to)) = WatchRules::ngo_report_period(year)
        {
            let owing = vientro_store::watch::ngos_without_report(&mut db, year, from, to).await?;
            let ids: Vec<i64> = owing.iter().map(|o| o.organisation_id).collect();
            let permitted = vientro_store::watch::permitted_provinces(&mut db, &ids, from, to).await?;
            for o in owing {
                out.push(ConcernedAlert {
                    alert: Alert {
                        kind: AlertKind::NgoReportMissing,
                        subject: o.organisation_name,
                        link: format!("/organisations/{}", o.organisation_id),
                        date: due,
                        days: (as_of - due).num_days(),
                        args: args(&[("year", year.to_string())]),
                    },
                    provinces: permitted
                        .iter()
                        .filter(|p| p.organisation_id == o.organisation_id)
                        .filter_map(|p| current_code(&p.province_code, &p.unit_set))
                        .collect(),
                    organisations: [o.organisation_id].into(),
                });
            }
        }

        // Items: approved without disbursement, appraisals past the limit, disbursement behind schedule.
        let mut items: Vec<(AlertKind, WatchedItemRow, BTreeMap<&'static str, String>, i64)> = Vec::new();
        let approved_by = as_of
            .checked_sub_months(chrono::Months::new(rules.months_without_disbursement))
            .ok_or_else(|| ServiceError::Internal(anyhow::anyhow!("{as_of} minus the months is out of range")))?;
        for row in vientro_store::watch::approved_without_disbursement(&mut db, approved_by).await? {
            let Some(since) = row.since else { continue };
            let months = rules.months_without_disbursement.to_string();
            items.push((
                AlertKind::ApprovedWithoutDisbursement,
                row,
                args(&[("months", months)]),
                (as_of - since).num_days(),
            ));
        }
        for row in vientro_store::watch::waiting_appraisal(&mut db).await? {
            let Some(since) = row.since else { continue };
            let days = (as_of - since).num_days();
            if days > rules.appraisal_days {
                let status = row.status.clone();
                let limit = rules.appraisal_days.to_string();
                items.push((AlertKind::AppraisalOverdue, row, args(&[("status", status), ("limit", limit)]), days));
            }
        }
        for row in vientro_store::watch::implementing_with_money(&mut db).await? {
            let (Some(start), Some(end)) = (row.start_date, row.end_date) else { continue };
            if row.committed_usd <= 0 || start > as_of {
                continue;
            }
            let expected = elapsed_percent(start, end, as_of);
            let actual =
                i64::try_from(i128::from(row.disbursed_usd) * 100 / i128::from(row.committed_usd)).unwrap_or(i64::MAX);
            if actual + rules.lag_points < expected {
                let a = args(&[("actual", actual.to_string()), ("expected", expected.to_string())]);
                items.push((AlertKind::DisbursementLagging, row, a, (end - as_of).num_days()));
            }
        }
        let ids: Vec<i64> = items.iter().map(|(_, r, _, _)| r.id).collect();
        let provinces = grouped(vientro_store::watch::item_provinces(&mut db, &ids).await?);
        let donors = grouped(vientro_store::watch::item_donors(&mut db, &ids).await?);
        for (kind, row, a, days) in items {
            let date = match kind {
                AlertKind::DisbursementLagging => row.end_date,
                _ => row.since,
            };
            let Some(date) = date else { continue };
            out.push(ConcernedAlert {
                alert: Alert { kind, subject: row.title, link: format!("/aid-items/{}", row.id), date, days, args: a },
                provinces: provinces.get(&row.id).cloned().unwrap_or_default(),
                organisations: donors
                    .get(&row.id)
                    .map(|d| d.iter().filter_map(|v| v.parse().ok()).collect())
                    .unwrap_or_default(),
            });
        }

        // Delegations abroad back without their trip report.
        let units = AdminUnits::embedded();
        let report_days = chrono::Days::new(u64::try_from(rules.trip_report_days).unwrap_or(0));
        // Late from the day after the due day: back on or before `as_of` minus the days and one more.
        let returned_by = as_of - report_days - chrono::Days::new(1);
        for d in vientro_store::people::delegations_without_report(&mut db, returned_by).await? {
            let due = d.ends_on + report_days;
            let province = ProvinceCode::parse(&d.province_code)
                .ok()
                .and_then(|c| units.province(&c, UnitSet::From2025))
                .map_or_else(|| d.province_code.clone(), |p| p.name.clone());
            out.push(ConcernedAlert {
                alert: Alert {
                    kind: AlertKind::TripReportMissing,
                    subject: format!("{province}: {}", d.purpose),
                    link: format!("/people?province={}&year={}", d.province_code, d.ends_on.year()),
                    date: due,
                    days: (as_of - due).num_days(),
                    args: args(&[
                        ("country", d.country.clone()),
                        ("returned", vientro_domain::date::format_date_vi(d.ends_on)),
                    ]),
                },
                provinces: [d.province_code.clone()].into(),
                organisations: BTreeSet::new(),
            });
        }

        // Provinces' periodic reports to the centre.
        for (kind, year, due) in rules.province_reports_due_by(as_of) {
            let received: BTreeSet<String> = vientro_store::watch::province_reports_received(&mut db, &kind, year)
                .await?
                .into_iter()
                .map(|r| r.province_code)
                .collect();
            for p in units.provinces(UnitSet::From2025) {
                if received.contains(p.code.as_str()) {
                    continue;
                }
                out.push(ConcernedAlert {
                    alert: Alert {
                        kind: AlertKind::ProvinceReportMissing,
                        subject: p.name.clone(),
                        link: format!("/dashboard/province/{}", p.code.as_str()),
                        date: due,
                        days: (as_of - due).num_days(),
                        args: args(&[("report", kind.clone()), ("year", year.to_string())]),
                    },
                    provinces: [p.code.as_str().to_owned()].into(),
                    organisations: BTreeSet::new(),
                });
            }
        }
        out.sort_by(|a, b| a.alert.kind.cmp(&b.alert.kind).then(a.alert.date.cmp(&b.alert.date)));
        Ok(out)
    }

    /// The alerts `who` is responsible for on `as_of`: everything for central staff and viewers, their
    /// province's for provincial staff, their organisation's for an NGO reporter, nothing for the public.
    pub async fn watch(&self, who: &Principal, as_of: NaiveDate) -> Result<Vec<Alert>, ServiceError> {
        let all = self.watch_all(as_of).await?;
        Ok(narrow(who, &all))
    }

    /// [`Services::watch`] for dashboards, optionally narrowed to one province (today's code): per kind, how
    /// many and the `first` few. The list is computed once per day and then refreshed in the background when
    /// older than five minutes, so a dashboard never waits for it except the first of the day; it may be up to a
    /// refresh old.
    pub async fn watch_for_dashboard(
        &self,
        who: &Principal,
        as_of: NaiveDate,
        province: Option<&str>,
        first: usize,
    ) -> Result<Vec<AlertGroup>, ServiceError> {
        let cache = &self.watch_cache;
        let list = match cache.remembered(as_of) {
            Some((at, list)) => {
                if at.elapsed() >= DASHBOARD_REUSE && !cache.refreshing.swap(true, Ordering::SeqCst) {
                    let services = self.clone();
                    tokio::spawn(async move {
                        let cache = &services.watch_cache;
                        let _computing = cache.computing.lock().await;
                        if let Ok(fresh) = services.watch_all(as_of).await {
                            cache.remember(as_of, Arc::new(fresh));
                        }
                        cache.refreshing.store(false, Ordering::SeqCst);
                    });
                }
                list
            }
            None => {
                let _computing = cache.computing.lock().await;
                match cache.remembered(as_of) {
                    Some((_, list)) => list,
                    None => {
                        let list = Arc::new(self.watch_all(as_of).await?);
                        cache.remember(as_of, list.clone());
                        list
                    }
                }
            }
        };
        let scope = ReadScope::of(who);
        let mut groups: Vec<AlertGroup> = Vec::new();
        for kind in AlertKind::ALL {
            let mut group = AlertGroup { kind, count: 0, first: Vec::new() };
            for a in list.iter().filter(|a| a.alert.kind == kind) {
                if province.is_some_and(|p| !a.provinces.contains(p)) || !concerns(&scope, a) {
                    continue;
                }
                group.count += 1;
                if group.first.len() < first {
                    group.first.push(a.alert.clone());
                }
            }
            if group.count > 0 {
                groups.push(group);
            }
        }
        Ok(groups)
    }
}

/// The alerts of one kind a dashboard shows: how many, and the first few.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertGroup {
    /// The kind.
    pub kind: AlertKind,
    /// How many the reader is responsible for.
    pub count: usize,
    /// The first of them, by date.
    pub first: Vec<Alert>,
}

/// True when the alert concerns a reader of `scope`.
fn concerns(scope: &ReadScope, a: &ConcernedAlert) -> bool {
    match scope {
        ReadScope::Everything => true,
        ReadScope::ProvincesOrPublished(ps) => ps.iter().any(|p| a.provinces.contains(p.as_str())),
        ReadScope::OrganisationsOrPublished(os) => os.iter().any(|o: &OrganisationId| a.organisations.contains(&o.0)),
        ReadScope::PublishedOnly => false,
    }
}

/// The alerts of `all` that concern `province` (today's code) and that `who` is responsible for.
pub(crate) fn narrow_to_province(who: &Principal, all: &[ConcernedAlert], province: &str) -> Vec<Alert> {
    let scope = ReadScope::of(who);
    all.iter().filter(|a| a.provinces.contains(province) && concerns(&scope, a)).map(|a| a.alert.clone()).collect()
}

fn narrow(who: &Principal, all: &[ConcernedAlert]) -> Vec<Alert> {
    let scope = ReadScope::of(who);
    all.iter().filter(|a| concerns(&scope, a)).map(|a| a.alert.clone()).collect()
}

/// Records that a foreign NGO's annual report (Mẫu 05) for `year` was received, in the caller's transaction,
/// audited.
pub async fn record_ngo_report_in(
    tx: &mut Tx,
    actor: &Actor,
    organisation: OrganisationId,
    year: i32,
    submitted_on: NaiveDate,
    illustrative: bool,
) -> Result<(), ServiceError> {
    let now = vientro_store::now();
    vientro_store::watch::insert_ngo_report(tx, organisation.0, year, submitted_on, illustrative, now).await?;
    crate::organisations::audit_create(
        tx,
        actor,
        "ngo_annual_report",
        Some(organisation.0),
        Some(serde_json::json!({ "organisation": organisation.0, "year": year, "submitted_on": submitted_on })),
    )
    .await?;
    Ok(())
}

/// Records that a province's periodic report (`kind` as in the rules) for `year` was received, in the caller's
/// transaction, audited. The province is any code or name of today's map.
pub async fn record_province_report_in(
    tx: &mut Tx,
    actor: &Actor,
    province: &str,
    kind: &str,
    year: i32,
    submitted_on: NaiveDate,
    illustrative: bool,
) -> Result<(), ServiceError> {
    let code = AdminUnits::embedded().parse_province(province).map_err(ValidationErrors::from)?;
    if kind.trim().is_empty() {
        return Err(
            ValidationErrors::from(ValidationError::new("kind", "error-report-kind", "a report needs a kind")).into()
        );
    }
    let now = vientro_store::now();
    vientro_store::watch::insert_province_report(tx, code.as_str(), kind, year, submitted_on, illustrative, now)
        .await?;
    crate::organisations::audit_create(
        tx,
        actor,
        "province_report",
        None,
        Some(
            serde_json::json!({ "province": code.as_str(), "kind": kind, "year": year, "submitted_on": submitted_on }),
        ),
    )
    .await?;
    Ok(())
}
