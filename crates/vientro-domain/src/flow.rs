//! Money flows of an aid item: commitments and disbursements, planned or actual, each dated and in the
//! currency it was recorded in.
//!
//! This module parses a flow and checks it may exist for an item in a given status (no actual receipt
//! before approval, Decree 80 Art. 4). It must not pick exchange rates; `fx::convert` does that, once, when
//! the services layer stores the flow.

use chrono::NaiveDate;

use crate::aid_item::AidStatus;
use crate::date::parse_date;
use crate::error::{ValidationError, ValidationErrors};
use crate::money::{CurrencyCode, Money};
use crate::organisation::clean;
use crate::text;

/// Commitment (cam kết) or disbursement (giải ngân).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowKind {
    /// Committed value.
    Commitment,
    /// Disbursed value.
    Disbursement,
}

impl FlowKind {
    /// Stable storage code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Commitment => "commitment",
            Self::Disbursement => "disbursement",
        }
    }

    /// Parses a code or Vietnamese name.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        match text::fold(s).replace(' ', "_").as_str() {
            "commitment" | "cam_ket" => Ok(Self::Commitment),
            "disbursement" | "giai_ngan" => Ok(Self::Disbursement),
            _ => Err(ValidationError::new(
                "kind",
                "error-flow-kind-unknown",
                format!("'{s}' is not commitment or disbursement"),
            )),
        }
    }
}

/// Planned (kế hoạch) or actual (thực tế).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowStage {
    /// Planned.
    Planned,
    /// Actual.
    Actual,
}

impl FlowStage {
    /// Stable storage code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Actual => "actual",
        }
    }

    /// Parses a code or Vietnamese name.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        match text::fold(s).replace(' ', "_").as_str() {
            "planned" | "plan" | "ke_hoach" => Ok(Self::Planned),
            "actual" | "thuc_te" => Ok(Self::Actual),
            _ => Err(ValidationError::new(
                "stage",
                "error-flow-stage-unknown",
                format!("'{s}' is not planned or actual"),
            )),
        }
    }
}

/// A flow as entered.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct FlowInput {
    /// commitment or disbursement.
    pub kind: String,
    /// planned or actual (default actual).
    pub stage: Option<String>,
    /// Value date.
    pub date: String,
    /// Amount as a plain decimal ("1441700", "12.50").
    pub amount: String,
    /// ISO 4217 currency.
    pub currency: String,
    /// Free note.
    pub note: Option<String>,
}

/// A valid flow, not yet converted.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NewFlow {
    /// Kind.
    pub kind: FlowKind,
    /// Stage.
    pub stage: FlowStage,
    /// Value date.
    pub date: NaiveDate,
    /// Amount in its own currency, never negative.
    pub money: Money,
    /// Free note.
    pub note: Option<String>,
}

impl FlowInput {
    /// Parses every field, reporting all problems at once.
    pub fn parse(&self) -> Result<NewFlow, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let kind = errors.collect(FlowKind::parse(&self.kind));
        let stage = match clean(&self.stage) {
            Some(s) => errors.collect(FlowStage::parse(&s)),
            None => Some(FlowStage::Actual),
        };
        let date = errors.collect(parse_date("date", &self.date));
        let currency = errors.collect(CurrencyCode::parse(&self.currency));
        let money = currency.and_then(|c| errors.collect(Money::parse(&self.amount, c).and_then(Money::non_negative)));
        let (Some(kind), Some(stage), Some(date), Some(money)) = (kind, stage, date, money) else { return Err(errors) };
        errors.into_result(NewFlow { kind, stage, date, money, note: clean(&self.note) })
    }
}

impl NewFlow {
    /// Checks the flow may be recorded on an item in `status`: actual flows need an approved item.
    pub fn check_allowed_for(&self, status: AidStatus) -> Result<(), ValidationError> {
        if self.stage == FlowStage::Actual && !status.accepts_actual_flows() {
            return Err(ValidationError::new(
                "stage",
                "error-flow-before-approval",
                format!(
                    "aid may only be received after approval; this item is '{}' (record it as planned, or approve the item first)",
                    status.as_str()
                ),
            ));
        }
        Ok(())
    }
}
