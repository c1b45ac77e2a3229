//! Watching deadlines (kiểm tra, giám sát): the rules, read from configuration because the decrees change, and
//! the alerts they raise.
//!
//! This module owns the deadline arithmetic: which annual and six-month reports are due by a day, how far a
//! certificate is from its end, how much of an item's money should be out by now. It must not read records;
//! the services layer applies these rules to what the store returns.

use chrono::{Datelike, Months, NaiveDate};

use crate::{ValidationError, ValidationErrors};

/// The deadlines and tolerances the watch list applies. Stored as JSON (setting `watch_rules`); every field
/// has the default of the decrees as read in 2026 (see each field).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WatchRules {
    /// Warn this many days before a certificate ends (largest first or any order): 90, 60, 30.
    pub certificate_days: Vec<i64>,
    /// Foreign NGOs' annual report (Decree 58/2022, Mẫu 05): due on this month and day of the year it covers
    /// (18 December; its data run from 15 December of the year before).
    pub ngo_report_due: MonthDay,
    /// Approved items with no actual disbursement this many months after the approval decision are
    /// revocation candidates (Decree 80/2020: not implemented within 6 months).
    pub months_without_disbursement: u32,
    /// Appraisal time limit, calendar days from entering appraisal (Decree 80/2020: 20 days).
    pub appraisal_days: i64,
    /// An implementing item lags when its disbursement rate is this many percentage points below the share of
    /// its duration already elapsed.
    pub lag_points: i64,
    /// Provinces' reports on foreign NGO aid to the centre.
    pub province_reports: Vec<ProvinceReportRule>,
    /// A delegation abroad reports on its trip within this many days of its return (10).
    pub trip_report_days: i64,
}

/// A day of the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MonthDay {
    /// 1–12.
    pub month: u32,
    /// 1–31.
    pub day: u32,
}

/// A periodic report a province owes the centre.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvinceReportRule {
    /// `six_month` or `annual`.
    pub kind: String,
    /// The last month the report covers (6 for six-month, 12 for annual).
    pub period_end_month: u32,
    /// Due this many months after the period ends, on `due_day` (1 and 15: by 15 July, by 15 January).
    pub due_months_after: u32,
    /// Day of the month it is due.
    pub due_day: u32,
}

impl ProvinceReportRule {
    /// The day the report covering `year` is due.
    pub fn due_date(&self, year: i32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(year, self.period_end_month, 1)?
            .checked_add_months(Months::new(self.due_months_after))?
            .with_day(self.due_day)
    }
}

impl Default for WatchRules {
    fn default() -> Self {
        Self {
            certificate_days: vec![90, 60, 30],
            ngo_report_due: MonthDay { month: 12, day: 18 },
            months_without_disbursement: 6,
            appraisal_days: 20,
            lag_points: 25,
            province_reports: vec![
                // Older provincial rules (under Decree 12/2012): six-monthly by 15 July, annual by 15 January.
                ProvinceReportRule { kind: "six_month".into(), period_end_month: 6, due_months_after: 1, due_day: 15 },
                ProvinceReportRule { kind: "annual".into(), period_end_month: 12, due_months_after: 1, due_day: 15 },
            ],
            trip_report_days: 10,
        }
    }
}

impl WatchRules {
    /// Reads rules from JSON; every field may be left out (its default applies). Errors name the field.
    pub fn parse(json: &str) -> Result<Self, ValidationErrors> {
        let rules: WatchRules = serde_json::from_str(json)
            .map_err(|e| ValidationError::new("watch_rules", "error-watch-rules", format!("not valid rules: {e}")))?;
        rules.check()?;
        Ok(rules)
    }

    fn check(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let bad = |field: &str, detail: &str| ValidationError::new(field, "error-watch-rules", detail.to_owned());
        if self.certificate_days.iter().any(|d| *d <= 0) {
            errors.push(bad("certificate_days", "warning days must be positive"));
        }
        if NaiveDate::from_ymd_opt(2023, self.ngo_report_due.month, self.ngo_report_due.day).is_none() {
            errors.push(bad("ngo_report_due", "not a day of the year"));
        }
        if self.appraisal_days <= 0 {
            errors.push(bad("appraisal_days", "must be positive"));
        }
        if self.trip_report_days <= 0 {
            errors.push(bad("trip_report_days", "must be positive"));
        }
        if !(0..=100).contains(&self.lag_points) {
            errors.push(bad("lag_points", "must be 0 to 100"));
        }
        for r in &self.province_reports {
            if !(1..=12).contains(&r.period_end_month) || !(1..=28).contains(&r.due_day) {
                errors.push(bad("province_reports", "period_end_month is 1–12 and due_day 1–28"));
            }
            if r.kind.trim().is_empty() {
                errors.push(bad("province_reports", "every report needs a kind"));
            }
        }
        errors.into_result(())
    }

    /// The warning threshold a certificate ending in `days_left` days falls under (the smallest that still
    /// covers it), if any.
    pub fn certificate_threshold(&self, days_left: i64) -> Option<i64> {
        self.certificate_days.iter().copied().filter(|t| days_left >= 0 && days_left <= *t).min()
    }

    /// The last NGO annual report due on or before `as_of`: its year and due day.
    pub fn ngo_report_due_by(&self, as_of: NaiveDate) -> Option<(i32, NaiveDate)> {
        let due = |y: i32| NaiveDate::from_ymd_opt(y, self.ngo_report_due.month, self.ngo_report_due.day);
        let this_year = due(as_of.year())?;
        if this_year <= as_of {
            Some((as_of.year(), this_year))
        } else {
            due(as_of.year() - 1).map(|d| (as_of.year() - 1, d))
        }
    }

    /// The first and last day of data an NGO annual report for `year` covers (15 December of the year before
    /// to 14 December).
    pub fn ngo_report_period(year: i32) -> Option<(NaiveDate, NaiveDate)> {
        Some((NaiveDate::from_ymd_opt(year - 1, 12, 15)?, NaiveDate::from_ymd_opt(year, 12, 14)?))
    }

    /// For each province report rule, the last report due on or before `as_of`: kind, year covered, due day.
    pub fn province_reports_due_by(&self, as_of: NaiveDate) -> Vec<(String, i32, NaiveDate)> {
        let mut out = Vec::new();
        for rule in &self.province_reports {
            // Walk back from this year's period to the first whose due day has passed.
            for year in [as_of.year(), as_of.year() - 1, as_of.year() - 2] {
                let Some(due) = rule.due_date(year) else { continue };
                if due <= as_of {
                    out.push((rule.kind.clone(), year, due));
                    break;
                }
            }
        }
        out
    }

    /// The day from which an item approved on `approved_on` without a disbursement is a revocation candidate.
    pub fn disbursement_deadline(&self, approved_on: NaiveDate) -> Option<NaiveDate> {
        approved_on.checked_add_months(Months::new(self.months_without_disbursement))
    }
}

/// The share of an item's duration elapsed on `as_of`, in per cent (0 before it starts, 100 after it ends).
pub fn elapsed_percent(start: NaiveDate, end: NaiveDate, as_of: NaiveDate) -> i64 {
    if as_of <= start {
        return 0;
    }
    if as_of >= end || end <= start {
        return 100;
    }
    (as_of - start).num_days() * 100 / (end - start).num_days()
}

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A certificate ends within the warning days and no renewal is recorded.
    CertificateExpiring,
    /// A foreign NGO's annual report (Mẫu 05) is due and not recorded.
    NgoReportMissing,
    /// An approved item has had no disbursement for the months the rules allow.
    ApprovedWithoutDisbursement,
    /// An appraisal has run past its time limit.
    AppraisalOverdue,
    /// An implementing item's disbursement lags its schedule.
    DisbursementLagging,
    /// A province's periodic report to the centre is due and not recorded.
    ProvinceReportMissing,
    /// A delegation abroad is back and its trip report is overdue.
    TripReportMissing,
}

impl AlertKind {
    /// Every kind, in the order lists show them.
    pub const ALL: [AlertKind; 7] = [
        Self::CertificateExpiring,
        Self::NgoReportMissing,
        Self::ApprovedWithoutDisbursement,
        Self::AppraisalOverdue,
        Self::DisbursementLagging,
        Self::ProvinceReportMissing,
        Self::TripReportMissing,
    ];

    /// Stable code (`certificate_expiring`, …), also the suffix of its message keys.
    pub fn code(self) -> &'static str {
        match self {
            Self::CertificateExpiring => "certificate_expiring",
            Self::NgoReportMissing => "ngo_report_missing",
            Self::ApprovedWithoutDisbursement => "approved_without_disbursement",
            Self::AppraisalOverdue => "appraisal_overdue",
            Self::DisbursementLagging => "disbursement_lagging",
            Self::ProvinceReportMissing => "province_report_missing",
            Self::TripReportMissing => "trip_report_missing",
        }
    }
}

/// One alert.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Alert {
    /// What it is about.
    pub kind: AlertKind,
    /// The organisation, item or province, by name.
    pub subject: String,
    /// Where to act on it in the web application.
    pub link: String,
    /// The deadline or the date that started the clock.
    pub date: NaiveDate,
    /// Days left before the deadline (certificates) or days past it (everything else).
    pub days: i64,
    /// What else its message names: `number` and `threshold` (certificates), `year` (and `report`, the kind of a
    /// province's report), `months`, `status` and `limit` (items waiting), `actual` and `expected` (per cent
    /// disbursed and per cent of the duration elapsed).
    pub args: std::collections::BTreeMap<&'static str, String>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_certificate_falls_under_the_smallest_threshold_that_covers_it() {
        let r = WatchRules::default();
        assert_eq!(r.certificate_threshold(24), Some(30));
        assert_eq!(r.certificate_threshold(45), Some(60));
        assert_eq!(r.certificate_threshold(81), Some(90));
        assert_eq!(r.certificate_threshold(91), None);
        assert_eq!(r.certificate_threshold(-1), None);
    }

    #[test]
    fn the_ngo_report_due_by_a_day_is_the_last_18_december_before_it() {
        let r = WatchRules::default();
        assert_eq!(r.ngo_report_due_by(day(2026, 11, 26)), Some((2025, day(2025, 12, 18))));
        assert_eq!(r.ngo_report_due_by(day(2026, 12, 18)), Some((2026, day(2026, 12, 18))));
        assert_eq!(WatchRules::ngo_report_period(2025), Some((day(2024, 12, 15), day(2025, 12, 14))));
    }

    #[test]
    fn province_reports_due_are_the_last_six_month_and_annual_ones() {
        let due = WatchRules::default().province_reports_due_by(day(2026, 11, 26));
        assert_eq!(
            due,
            vec![("six_month".to_owned(), 2026, day(2026, 7, 15)), ("annual".to_owned(), 2025, day(2026, 1, 15))]
        );
        let early = WatchRules::default().province_reports_due_by(day(2026, 1, 10));
        assert_eq!(
            early,
            vec![("six_month".to_owned(), 2025, day(2025, 7, 15)), ("annual".to_owned(), 2024, day(2025, 1, 15))]
        );
    }

    #[test]
    fn elapsed_share_runs_from_0_to_100_over_the_item() {
        assert_eq!(elapsed_percent(day(2024, 1, 1), day(2025, 1, 1), day(2023, 6, 1)), 0);
        assert_eq!(elapsed_percent(day(2024, 1, 1), day(2025, 1, 1), day(2024, 7, 2)), 50);
        assert_eq!(elapsed_percent(day(2024, 1, 1), day(2025, 1, 1), day(2026, 1, 1)), 100);
    }

    #[test]
    fn rules_come_from_json_with_defaults_and_bad_ones_name_the_field() {
        let r = WatchRules::parse(r#"{"appraisal_days": 15}"#).unwrap();
        assert_eq!(r.appraisal_days, 15);
        assert_eq!(r.certificate_days, vec![90, 60, 30]);
        let e = WatchRules::parse(r#"{"lag_points": 300}"#).unwrap_err();
        assert_eq!(e.0[0].field, "lag_points");
        assert!(WatchRules::parse(r#"{"appraisal_dayz": 15}"#).is_err(), "a misspelt rule is refused");
        assert_eq!(WatchRules::default().disbursement_deadline(day(2024, 8, 20)), Some(day(2025, 2, 20)));
    }
}
