//! The services error policy: user errors name the field; everything else is `Internal`.
//!
//! Store constraint violations become `Invalid` with the field the constraint is about; a stale version
//! becomes `Conflict`; anything unexpected becomes `Internal` carrying the cause for the log, never for the
//! user. The web and CLI faces turn these into pages, problem+json or messages.

use vientro_domain::{ValidationError, ValidationErrors};
use vientro_store::StoreError;

/// What a use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No such record (or not visible to the actor).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The actor may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The input broke one or more rules; nothing was written.
    #[error("{0}")]
    Invalid(ValidationErrors),
    /// The credentials were wrong, or the session or token is not (or no longer) valid.
    #[error("{0}")]
    Unauthenticated(String),
    /// Too many failed logins; try again later.
    #[error("too many failed logins; wait {minutes} minutes and try again")]
    Throttled {
        /// How long to wait.
        minutes: i64,
    },
    /// Someone else changed the record since it was read.
    #[error("{0}")]
    Conflict(String),
    /// A bug or an infrastructure failure.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<ValidationErrors> for ServiceError {
    fn from(e: ValidationErrors) -> Self {
        ServiceError::Invalid(e)
    }
}

impl From<ValidationError> for ServiceError {
    fn from(e: ValidationError) -> Self {
        ServiceError::Invalid(e.into())
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ServiceError::NotFound(what),
            StoreError::Constraint { field, code, message } => {
                ServiceError::Invalid(ValidationError::new(field, code, message).into())
            }
            e @ (StoreError::StaleVersion { .. } | StoreError::Refused(_)) => ServiceError::Conflict(e.to_string()),
            other => ServiceError::Internal(anyhow::Error::new(other)),
        }
    }
}
