//! The lifecycle of a proposal on a province's call-for-aid list (danh mục dự án kêu gọi viện trợ): listed,
//! matched with an organisation, a dossier prepared, approved, funded (it became an aid item), or withdrawn.
//!
//! This module owns which steps are allowed and that a funded proposal names the aid item it became. It must
//! not store anything nor check who is acting.

use crate::ValidationError;

/// Where a proposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposalStatus {
    /// On the list, seeking funding.
    Listed,
    /// An organisation has been found for it.
    Matched,
    /// Its dossier is being prepared or appraised.
    Dossier,
    /// Approved.
    Approved,
    /// Funded: it became an aid item.
    Funded,
    /// Taken off the list.
    Withdrawn,
}

impl ProposalStatus {
    /// Every status, in lifecycle order.
    pub const ALL: [ProposalStatus; 6] =
        [Self::Listed, Self::Matched, Self::Dossier, Self::Approved, Self::Funded, Self::Withdrawn];

    /// Stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Listed => "listed",
            Self::Matched => "matched",
            Self::Dossier => "dossier",
            Self::Approved => "approved",
            Self::Funded => "funded",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL.iter().copied().find(|st| st.as_str() == s.trim()).ok_or_else(|| {
            ValidationError::new("to", "error-proposal-status", format!("'{}' is not a proposal status", s.trim()))
        })
    }

    /// The statuses a proposal may move to from this one (a step back is allowed until it is approved).
    pub fn allowed_next(self) -> &'static [ProposalStatus] {
        use ProposalStatus::*;
        match self {
            Listed => &[Matched, Withdrawn],
            Matched => &[Dossier, Listed, Withdrawn],
            Dossier => &[Approved, Matched, Withdrawn],
            Approved => &[Funded, Withdrawn],
            Funded => &[],
            Withdrawn => &[Listed],
        }
    }

    /// Checks one step; a move to `funded` must name the aid item the proposal became.
    pub fn check_move(self, to: ProposalStatus, aid_item: Option<i64>) -> Result<(), ValidationError> {
        if !self.allowed_next().contains(&to) {
            let allowed: Vec<&str> = self.allowed_next().iter().map(|s| s.as_str()).collect();
            return Err(ValidationError::new(
                "to",
                "error-proposal-transition",
                format!("a '{}' proposal can move to: {}", self.as_str(), allowed.join(", ")),
            ));
        }
        if to == ProposalStatus::Funded && aid_item.is_none() {
            return Err(ValidationError::new(
                "aid_item",
                "error-proposal-funded-item",
                "a funded proposal names the aid item it became",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_proposal_moves_only_along_its_lifecycle_and_funded_names_its_item() {
        use ProposalStatus::*;
        assert!(Listed.check_move(Matched, None).is_ok());
        assert!(Matched.check_move(Listed, None).is_ok(), "a match can fall through");
        assert_eq!(Listed.check_move(Funded, Some(1)).unwrap_err().field, "to");
        assert_eq!(Approved.check_move(Funded, None).unwrap_err().field, "aid_item");
        assert!(Approved.check_move(Funded, Some(7)).is_ok());
        assert!(Funded.allowed_next().is_empty());
        for s in ProposalStatus::ALL {
            assert_eq!(ProposalStatus::parse(s.as_str()).unwrap(), s);
        }
    }
}
