//! Who may do what, where: the roles of vientro, the scope each role works in, and the one rule [`can`] that
//! every face asks before reading or changing a record, plus the [`ReadScope`] that every list query applies.
//!
//! Access follows responsibility (ARCHITECTURE principle 6): a province officer sees and edits their province,
//! an NGO reporter its own organisation's items, central staff everything, the public only what is published.
//! This module decides; it must not look anything up: the caller describes the record with [`Resource`].

use crate::admin_units::ProvinceCode;
use crate::aid_item::AidStatus;
use crate::error::ValidationError;
use crate::ids::OrganisationId;

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Administers users and settings; may do everything.
    Admin,
    /// VUFO/PACCOM or the Committee for Foreign NGO Affairs: reads and edits everything, records decisions.
    Central,
    /// A provincial officer: reads and edits the records of their province.
    ProvinceOfficer,
    /// Approves in their province (the provincial People's Committee's approval).
    ProvinceApprover,
    /// Staff of one donor organisation: its own items and reports.
    NgoReporter,
    /// Reads everything, changes nothing.
    Viewer,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 6] =
        [Self::Admin, Self::Central, Self::ProvinceOfficer, Self::ProvinceApprover, Self::NgoReporter, Self::Viewer];

    /// Stable storage code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Central => "central",
            Self::ProvinceOfficer => "province_officer",
            Self::ProvinceApprover => "province_approver",
            Self::NgoReporter => "ngo_reporter",
            Self::Viewer => "viewer",
        }
    }

    /// Parses a storage code.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let t = s.trim();
        Self::ALL.into_iter().find(|r| r.as_str() == t).ok_or_else(|| {
            ValidationError::new(
                "role",
                "error-role-unknown",
                format!("'{t}' is not a role; use one of {}", Self::ALL.map(Self::as_str).join(", ")),
            )
        })
    }
}

/// Who is asking: a role with the province or organisation it is bound to, or the anonymous public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// Not logged in.
    Public,
    /// A user.
    User {
        /// The role.
        role: Role,
        /// The province a provincial role works in.
        province: Option<ProvinceCode>,
        /// The organisation an NGO reporter works for.
        organisation: Option<OrganisationId>,
    },
}

impl Principal {
    /// A user, checking that provincial roles name their province and NGO reporters their organisation.
    pub fn user(
        role: Role,
        province: Option<ProvinceCode>,
        organisation: Option<OrganisationId>,
    ) -> Result<Self, ValidationError> {
        match role {
            Role::ProvinceOfficer | Role::ProvinceApprover if province.is_none() => Err(ValidationError::new(
                "province",
                "error-required",
                format!("a {} works in one province: give it", role.as_str()),
            )),
            Role::NgoReporter if organisation.is_none() => Err(ValidationError::new(
                "organisation",
                "error-required",
                "an NGO reporter reports for one organisation: give it",
            )),
            _ => Ok(Principal::User { role, province, organisation }),
        }
    }
}

/// What someone wants to do with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See it.
    Read,
    /// Create it or change its content (including its flows).
    Edit,
    /// Record an approval decision or a rejection.
    Approve,
    /// Manage users, tokens and settings.
    Administer,
}

/// What a record is about, as far as access is concerned.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resource {
    /// Today's provinces the record is located in (empty: not located).
    pub provinces: Vec<ProvinceCode>,
    /// The organisations the record belongs to (an item's donors; an organisation itself).
    pub organisations: Vec<OrganisationId>,
    /// Visible to the public.
    pub published: bool,
}

impl Resource {
    fn in_province(&self, province: Option<&ProvinceCode>) -> bool {
        province.is_some_and(|p| self.provinces.contains(p))
    }

    fn of_organisation(&self, organisation: Option<OrganisationId>) -> bool {
        organisation.is_some_and(|o| self.organisations.contains(&o))
    }
}

/// The rule: may `who` do `action` on `what`?
pub fn can(who: &Principal, action: Action, what: &Resource) -> bool {
    let Principal::User { role, province, organisation } = who else {
        return action == Action::Read && what.published;
    };
    let (province, organisation) = (province.as_ref(), *organisation);
    match (role, action) {
        (Role::Admin, _) => true,
        (Role::Central, Action::Administer) => false,
        (Role::Central, _) => true,
        (Role::Viewer, Action::Read) => true,
        (Role::ProvinceOfficer, Action::Read) => what.published || what.in_province(province),
        (Role::ProvinceOfficer, Action::Edit) => what.in_province(province),
        (Role::ProvinceApprover, Action::Read) => what.published || what.in_province(province),
        (Role::ProvinceApprover, Action::Approve) => what.in_province(province),
        (Role::NgoReporter, Action::Read) => what.published || what.of_organisation(organisation),
        (Role::NgoReporter, Action::Edit) => what.of_organisation(organisation),
        // Reading published records is open to everyone; changing them never is.
        _ => false,
    }
}

/// The action a move to `to` needs: the decisions of the appraisal (taking a dossier into appraisal,
/// returning it, escalating, approving, rejecting, revoking) need [`Action::Approve`]; every other step
/// (submitting, starting, completing, closing) is part of managing the item and needs [`Action::Edit`].
pub fn action_for_transition(to: AidStatus) -> Action {
    match to {
        AidStatus::UnderAppraisal
        | AidStatus::ReturnedForSupplement
        | AidStatus::EscalatedToCentral
        | AidStatus::Appraised
        | AidStatus::Approved
        | AidStatus::Rejected
        | AidStatus::Revoked => Action::Approve,
        _ => Action::Edit,
    }
}

/// What a list query must keep for a reader: the one scope filter every list applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadScope {
    /// Everything.
    Everything,
    /// Records in one of these provinces, or published.
    ProvincesOrPublished(Vec<ProvinceCode>),
    /// Records of one of these organisations, or published.
    OrganisationsOrPublished(Vec<OrganisationId>),
    /// Published records only.
    PublishedOnly,
}

impl ReadScope {
    /// The scope of `who` for reading lists.
    pub fn of(who: &Principal) -> Self {
        match who {
            Principal::Public => Self::PublishedOnly,
            Principal::User { role: Role::Admin | Role::Central | Role::Viewer, .. } => Self::Everything,
            Principal::User { role: Role::ProvinceOfficer | Role::ProvinceApprover, province, .. } => {
                Self::ProvincesOrPublished(province.iter().cloned().collect())
            }
            Principal::User { role: Role::NgoReporter, organisation, .. } => {
                Self::OrganisationsOrPublished(organisation.iter().copied().collect())
            }
        }
    }

    /// True when a record described by `what` is inside the scope (the same answer as `can(.., Read, ..)`).
    pub fn keeps(&self, what: &Resource) -> bool {
        match self {
            Self::Everything => true,
            Self::ProvincesOrPublished(ps) => what.published || ps.iter().any(|p| what.provinces.contains(p)),
            Self::OrganisationsOrPublished(os) => what.published || os.iter().any(|o| what.organisations.contains(o)),
            Self::PublishedOnly => what.published,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn p(code: &str) -> ProvinceCode {
        ProvinceCode::parse(code).unwrap()
    }

    fn item(province: &str, donor: i64, published: bool) -> Resource {
        Resource { provinces: vec![p(province)], organisations: vec![OrganisationId(donor)], published }
    }

    fn officer(province: &str) -> Principal {
        Principal::user(Role::ProvinceOfficer, Some(p(province)), None).unwrap()
    }

    #[test]
    fn a_province_officer_reads_and_edits_only_their_province() {
        let caobang = officer("04");
        assert!(can(&caobang, Action::Read, &item("04", 1, false)));
        assert!(can(&caobang, Action::Edit, &item("04", 1, false)));
        assert!(!can(&caobang, Action::Read, &item("20", 1, false)));
        assert!(!can(&caobang, Action::Edit, &item("20", 1, true)), "published elsewhere is readable, not editable");
        assert!(can(&caobang, Action::Read, &item("20", 1, true)));
        assert!(!can(&caobang, Action::Approve, &item("04", 1, false)));
        assert!(!can(&caobang, Action::Administer, &Resource::default()));
    }

    #[test]
    fn a_province_approver_approves_only_in_their_province_and_edits_nothing() {
        let approver = Principal::user(Role::ProvinceApprover, Some(p("04")), None).unwrap();
        assert!(can(&approver, Action::Approve, &item("04", 1, false)));
        assert!(!can(&approver, Action::Approve, &item("20", 1, false)));
        assert!(!can(&approver, Action::Edit, &item("04", 1, false)));
    }

    #[test]
    fn an_ngo_reporter_sees_and_edits_only_its_own_organisation_s_items() {
        let ngo = Principal::user(Role::NgoReporter, None, Some(OrganisationId(7))).unwrap();
        assert!(can(&ngo, Action::Edit, &item("04", 7, false)));
        assert!(!can(&ngo, Action::Read, &item("04", 8, false)));
        assert!(!can(&ngo, Action::Edit, &item("04", 8, true)));
        assert!(!can(&ngo, Action::Approve, &item("04", 7, false)));
    }

    #[test]
    fn central_staff_read_edit_and_approve_everything_but_do_not_administer() {
        let central = Principal::user(Role::Central, None, None).unwrap();
        for action in [Action::Read, Action::Edit, Action::Approve] {
            assert!(can(&central, action, &item("20", 1, false)));
        }
        assert!(!can(&central, Action::Administer, &Resource::default()));
        let admin = Principal::user(Role::Admin, None, None).unwrap();
        assert!(can(&admin, Action::Administer, &Resource::default()));
    }

    #[test]
    fn a_viewer_reads_everything_and_changes_nothing() {
        let viewer = Principal::user(Role::Viewer, None, None).unwrap();
        assert!(can(&viewer, Action::Read, &item("20", 1, false)));
        assert!(!can(&viewer, Action::Edit, &item("20", 1, false)));
    }

    #[test]
    fn the_public_reads_published_records_only() {
        assert!(can(&Principal::Public, Action::Read, &item("04", 1, true)));
        assert!(!can(&Principal::Public, Action::Read, &item("04", 1, false)));
        assert!(!can(&Principal::Public, Action::Edit, &item("04", 1, true)));
    }

    #[test]
    fn provincial_roles_must_name_their_province_and_reporters_their_organisation() {
        assert_eq!(Principal::user(Role::ProvinceOfficer, None, None).unwrap_err().field, "province");
        assert_eq!(Principal::user(Role::NgoReporter, None, None).unwrap_err().field, "organisation");
        assert_eq!(Role::parse("auditor").unwrap_err().code, "error-role-unknown");
    }

    #[test]
    fn appraisal_decisions_need_approval_rights_and_the_other_steps_editing_rights() {
        assert_eq!(action_for_transition(AidStatus::Approved), Action::Approve);
        assert_eq!(action_for_transition(AidStatus::UnderAppraisal), Action::Approve);
        assert_eq!(action_for_transition(AidStatus::Submitted), Action::Edit);
        assert_eq!(action_for_transition(AidStatus::Closed), Action::Edit);
    }

    #[test]
    fn the_list_scope_keeps_exactly_what_the_rule_lets_a_role_read() {
        let principals = [
            Principal::Public,
            officer("04"),
            Principal::user(Role::ProvinceApprover, Some(p("20")), None).unwrap(),
            Principal::user(Role::NgoReporter, None, Some(OrganisationId(7))).unwrap(),
            Principal::user(Role::Viewer, None, None).unwrap(),
            Principal::user(Role::Central, None, None).unwrap(),
            Principal::user(Role::Admin, None, None).unwrap(),
        ];
        let records = [
            item("04", 7, false),
            item("04", 8, true),
            item("20", 7, false),
            item("20", 8, false),
            Resource { provinces: vec![], organisations: vec![OrganisationId(7)], published: false },
            Resource::default(),
        ];
        for who in &principals {
            let scope = ReadScope::of(who);
            for what in &records {
                assert_eq!(scope.keeps(what), can(who, Action::Read, what), "{who:?} reading {what:?}");
            }
        }
    }
}
