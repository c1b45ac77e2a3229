//! Validation errors: what was wrong, in which field, as a stable code and a plain sentence.
//!
//! Every parse in the domain returns these instead of panicking. `code` is a stable key (also the Fluent
//! message id used by the web layer); `field` names the input, with a path such as `sectors[2].percent`.

use std::fmt;

/// One problem with one field of an input.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ValidationError {
    /// The input field, e.g. `amount` or `locations[1].commune`.
    pub field: String,
    /// Stable machine code, e.g. `error-amount-negative`.
    pub code: &'static str,
    /// A plain English sentence for logs and the CLI; the web layer localises by `code`.
    pub message: String,
}

impl ValidationError {
    /// Builds an error for `field` with a stable `code` and a human message.
    pub fn new(field: impl Into<String>, code: &'static str, message: impl Into<String>) -> Self {
        Self { field: field.into(), code, message: message.into() }
    }

    /// The same error, with its field nested under `prefix` (`prefix.field`).
    #[must_use]
    pub fn under(mut self, prefix: &str) -> Self {
        self.field = if self.field.is_empty() { prefix.to_owned() } else { format!("{prefix}.{}", self.field) };
        self
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for ValidationError {}

/// The error for a status change a lifecycle does not allow, naming the statuses that are allowed next.
pub fn transition_error(what: &str, from: &str, to: &str, allowed: &[&str]) -> ValidationError {
    let next = if allowed.is_empty() { "none (final)".to_owned() } else { allowed.join(", ") };
    ValidationError::new(
        "status",
        "error-status-transition",
        format!("{what} cannot go from '{from}' to '{to}'; allowed next: {next}"),
    )
}

/// Every problem found in one input; never empty when returned as an error.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct ValidationErrors(pub Vec<ValidationError>);

impl ValidationErrors {
    /// No errors yet.
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// Records one error.
    pub fn push(&mut self, error: ValidationError) {
        self.0.push(error);
    }

    /// Runs a parse and keeps its value, or records its error and returns `None`.
    pub fn collect<T>(&mut self, result: Result<T, ValidationError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.push(error);
                None
            }
        }
    }

    /// Records every error of a nested input under `prefix`.
    pub fn extend_under(&mut self, prefix: &str, errors: ValidationErrors) {
        self.0.extend(errors.0.into_iter().map(|e| e.under(prefix)));
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when nothing was recorded, otherwise all the errors.
    pub fn into_result<T>(self, value: T) -> Result<T, ValidationErrors> {
        if self.0.is_empty() { Ok(value) } else { Err(self) }
    }
}

impl From<ValidationError> for ValidationErrors {
    fn from(error: ValidationError) -> Self {
        Self(vec![error])
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ValidationErrors {}
