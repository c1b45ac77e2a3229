//! Store errors: not found, a broken constraint named for the user, or a database failure.
//!
//! `on_constraint` turns unique and check violations into messages that name the field, so the services
//! layer never has to parse database error strings. This module must not decide what is a user error
//! beyond naming the constraint; the services layer makes that call.

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No row of this kind with that key.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A uniqueness, foreign-key or check rule of the schema refused the write.
    #[error("{message}")]
    Constraint {
        /// The field the rule is about (e.g. `number`).
        field: &'static str,
        /// Stable code, e.g. `error-certificate-number-taken`.
        code: &'static str,
        /// Plain sentence.
        message: String,
    },
    /// The record changed since it was read (optimistic concurrency).
    #[error("{what} was changed by someone else (you had version {expected})")]
    StaleVersion {
        /// The record kind.
        what: &'static str,
        /// The version the caller had.
        expected: i64,
    },
    /// An operation on a whole database was refused, with the reason (a backup that would overwrite a file,
    /// a damaged backup, a database in use).
    #[error("{0}")]
    Refused(String),
    /// The URL names no supported database.
    #[error("unsupported database URL '{0}': use sqlite://PATH or postgres://USER@HOST/DB")]
    BadUrl(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    /// A migration failed.
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A stored value could not be read back into the domain (a bug or a hand-edited row).
    #[error("stored {what} is invalid: {detail}")]
    Corrupt {
        /// What was being read.
        what: &'static str,
        /// Why it could not be read.
        detail: String,
    },
}

/// The user-facing meaning of each named constraint in the migrations: (constraint name, field, code, message).
const CONSTRAINTS: &[(&str, &str, &str, &str)] = &[
    ("app_user_username_key", "username", "error-username-taken", "a user with this name already exists"),
    (
        "organisation_name_kind_key",
        "name",
        "error-organisation-name-taken",
        "an organisation of this kind with this name already exists",
    ),
    (
        "organisation_iati_identifier_key",
        "iati_identifier",
        "error-iati-identifier-taken",
        "another organisation already has this IATI identifier",
    ),
    (
        "certificate_kind_number_key",
        "number",
        "error-certificate-number-taken",
        "a certificate of this kind with this number already exists",
    ),
    (
        "province_registration_key",
        "year",
        "error-registration-duplicate",
        "this organisation is already registered in this province for this year",
    ),
    ("aid_item_code_key", "code", "error-aid-item-code-taken", "another aid item already has this code"),
    (
        "aid_item_iati_identifier_key",
        "iati_identifier",
        "error-iati-identifier-taken",
        "another aid item already has this IATI identifier",
    ),
    ("exchange_rate_key", "period", "error-rate-duplicate", "a rate for this currency and period already exists"),
    ("flow_amount_non_negative", "amount", "error-amount-negative", "an amount cannot be negative"),
    (
        "province_priority_key",
        "sector",
        "error-priority-duplicate",
        "this sector is already a priority of this province from this year",
    ),
    (
        "ngo_annual_report_key",
        "year",
        "error-report-duplicate",
        "this organisation's report for this year is already recorded",
    ),
    (
        "province_report_key",
        "year",
        "error-report-duplicate",
        "this province's report for this period is already recorded",
    ),
    ("association_members_pkey", "as_of", "error-count-duplicate", "a member count for this day is already recorded"),
    (
        "promotion_event_organisation_pkey",
        "organisation",
        "error-guest-duplicate",
        "this organisation is already on the event's list",
    ),
    (
        "promotion_event_proposal_pkey",
        "proposal",
        "error-presented-duplicate",
        "this proposal is already listed as presented at the event",
    ),
];

impl StoreError {
    /// Maps a database constraint violation to a named, user-facing error; other errors pass through.
    pub fn on_constraint(self) -> StoreError {
        let StoreError::Db(sqlx::Error::Database(db)) = &self else { return self };
        let text = db.message().to_owned();
        let name = db.constraint().map(str::to_owned);
        for (constraint, field, code, message) in CONSTRAINTS {
            let hit = name.as_deref() == Some(*constraint)
                || text.contains(constraint)
                || sqlite_unique_hit(&text, constraint);
            if hit {
                return StoreError::Constraint { field, code, message: (*message).to_owned() };
            }
        }
        self
    }
}

// SQLite reports unique violations by column list ("UNIQUE constraint failed: certificate.kind,
// certificate.number"), not by index name, so the index names in the migrations are mirrored here.
fn sqlite_unique_hit(text: &str, constraint: &str) -> bool {
    sqlite_unique_columns(constraint).is_some_and(|columns| text.contains(columns))
}

/// The columns SQLite names for a unique index of the migrations.
fn sqlite_unique_columns(constraint: &str) -> Option<&'static str> {
    let columns = match constraint {
        "organisation_name_kind_key" => "organisation.name_key, organisation.kind",
        "organisation_iati_identifier_key" => "organisation.iati_identifier",
        "certificate_kind_number_key" => "certificate.kind, certificate.number",
        "province_registration_key" => {
            "province_registration.organisation_id, province_registration.province_code, province_registration.year"
        }
        "aid_item_code_key" => "aid_item.code",
        "app_user_username_key" => "app_user.username",
        "aid_item_iati_identifier_key" => "aid_item.iati_identifier",
        "exchange_rate_key" => "exchange_rate.currency, exchange_rate.period_kind, exchange_rate.period_start",
        "province_priority_key" => {
            "province_priority.province_code, province_priority.from_year, province_priority.sector_code"
        }
        "ngo_annual_report_key" => "ngo_annual_report.organisation_id, ngo_annual_report.year",
        "province_report_key" => "province_report.province_code, province_report.kind, province_report.year",
        "association_members_pkey" => "association_members.association_id, association_members.as_of",
        "promotion_event_organisation_pkey" => {
            "promotion_event_organisation.event_id, promotion_event_organisation.organisation_id"
        }
        "promotion_event_proposal_pkey" => "promotion_event_proposal.event_id, promotion_event_proposal.proposal_id",
        _ => return None,
    };
    Some(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unique_index_named_here_is_also_recognised_on_sqlite() {
        for (constraint, ..) in CONSTRAINTS.iter().filter(|(name, ..)| name.ends_with("_key")) {
            let table = constraint.trim_end_matches("_key");
            let columns =
                sqlite_unique_columns(constraint).unwrap_or_else(|| panic!("{constraint}: no SQLite columns"));
            assert!(columns.split(", ").all(|c| table.starts_with(c.split('.').next().unwrap_or(""))), "{constraint}");
        }
    }
}
