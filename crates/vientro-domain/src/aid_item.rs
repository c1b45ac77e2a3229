//! Aid items (khoản viện trợ): programmes, projects, non-project aid and emergency aid, with their donors,
//! approval, lifecycle, sectors, locations and beneficiaries.
//!
//! This module owns the status lifecycle of DOMAIN.md §6.5 (only listed transitions are allowed), the rule
//! that an item at or past approval carries its approval record, and the resolution of locations as
//! recorded (63 provinces before 1 July 2025) to today's units. It must not store, convert money or check
//! who is acting: those are the store's, the fx module's and the services' jobs.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::admin_units::{AdminUnits, CommuneCode, DistrictCode, ProvinceCode, UnitSet};
use crate::date::parse_date;
use crate::error::{ValidationError, ValidationErrors};
use crate::ids::{AidItemId, OrganisationId};
use crate::organisation::{clean, required_text};
use crate::sector::SectorRef;
use crate::split::{Share, check_sums_to_whole};
use crate::text;

/// What form the aid takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AidKind {
    /// Chương trình.
    Programme,
    /// Dự án.
    Project,
    /// Phi dự án: one-off goods, cash, experts.
    NonProject,
    /// Cứu trợ khẩn cấp (Decree 50/2020).
    Emergency,
}

impl AidKind {
    /// Every kind.
    pub const ALL: [AidKind; 4] = [Self::Programme, Self::Project, Self::NonProject, Self::Emergency];

    /// Stable storage code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Programme => "programme",
            Self::Project => "project",
            Self::NonProject => "non_project",
            Self::Emergency => "emergency",
        }
    }

    /// Parses a code or a Vietnamese/English name.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        match text::fold(s).replace([' ', '-'], "_").as_str() {
            "programme" | "program" | "chuong_trinh" => Ok(Self::Programme),
            "project" | "du_an" => Ok(Self::Project),
            "non_project" | "phi_du_an" | "khoan_vien_tro_phi_du_an" => Ok(Self::NonProject),
            "emergency" | "cuu_tro_khan_cap" | "vien_tro_khan_cap" => Ok(Self::Emergency),
            _ => Err(ValidationError::new(
                "kind",
                "error-aid-kind-unknown",
                format!("'{s}' is not an aid kind; use programme, project, non_project or emergency"),
            )),
        }
    }

    /// Vietnamese name.
    pub fn name_vi(self) -> &'static str {
        match self {
            Self::Programme => "chương trình",
            Self::Project => "dự án",
            Self::NonProject => "phi dự án",
            Self::Emergency => "cứu trợ khẩn cấp",
        }
    }
}

/// Where an aid item stands in the approval and implementation lifecycle (DOMAIN.md §6.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AidStatus {
    /// Being mobilised (vận động); no dossier yet.
    Pipeline,
    /// Dossier being drafted.
    Draft,
    /// Dossier submitted.
    Submitted,
    /// Sent back for supplements.
    ReturnedForSupplement,
    /// Under appraisal (20-day clock under Decree 80).
    UnderAppraisal,
    /// PM-level: escalated to the centre.
    EscalatedToCentral,
    /// Appraisal finished.
    Appraised,
    /// Approval decision issued.
    Approved,
    /// Not accepted; the donor is told.
    Rejected,
    /// Being implemented.
    Implementing,
    /// An amendment is being appraised.
    AmendmentPending,
    /// Implementation suspended.
    Suspended,
    /// Ended before completion.
    TerminatedEarly,
    /// Approval revoked (e.g. not implemented within 6 months).
    Revoked,
    /// Implementation finished.
    Completed,
    /// Results handed over (bàn giao).
    HandedOver,
    /// Settled and closed (quyết toán).
    Closed,
}

impl AidStatus {
    /// Every status in lifecycle order.
    pub const ALL: [AidStatus; 17] = [
        Self::Pipeline,
        Self::Draft,
        Self::Submitted,
        Self::ReturnedForSupplement,
        Self::UnderAppraisal,
        Self::EscalatedToCentral,
        Self::Appraised,
        Self::Approved,
        Self::Rejected,
        Self::Implementing,
        Self::AmendmentPending,
        Self::Suspended,
        Self::TerminatedEarly,
        Self::Revoked,
        Self::Completed,
        Self::HandedOver,
        Self::Closed,
    ];

    /// Stable storage code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pipeline => "pipeline",
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::ReturnedForSupplement => "returned_for_supplement",
            Self::UnderAppraisal => "under_appraisal",
            Self::EscalatedToCentral => "escalated_to_central",
            Self::Appraised => "appraised",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
            Self::Implementing => "implementing",
            Self::AmendmentPending => "amendment_pending",
            Self::Suspended => "suspended",
            Self::TerminatedEarly => "terminated_early",
            Self::Revoked => "revoked",
            Self::Completed => "completed",
            Self::HandedOver => "handed_over",
            Self::Closed => "closed",
        }
    }

    /// Parses a storage code.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let t = s.trim();
        Self::ALL.into_iter().find(|k| k.as_str() == t).ok_or_else(|| {
            ValidationError::new("status", "error-status-unknown", format!("'{s}' is not an aid-item status"))
        })
    }

    /// Vietnamese label.
    pub fn name_vi(self) -> &'static str {
        match self {
            Self::Pipeline => "đang vận động",
            Self::Draft => "đang lập hồ sơ",
            Self::Submitted => "đã nộp hồ sơ",
            Self::ReturnedForSupplement => "yêu cầu bổ sung hồ sơ",
            Self::UnderAppraisal => "đang thẩm định",
            Self::EscalatedToCentral => "trình cấp trung ương",
            Self::Appraised => "đã thẩm định",
            Self::Approved => "đã phê duyệt",
            Self::Rejected => "không tiếp nhận",
            Self::Implementing => "đang triển khai",
            Self::AmendmentPending => "đang điều chỉnh",
            Self::Suspended => "tạm dừng",
            Self::TerminatedEarly => "chấm dứt trước hạn",
            Self::Revoked => "thu hồi quyết định phê duyệt",
            Self::Completed => "đã hoàn thành",
            Self::HandedOver => "đã bàn giao",
            Self::Closed => "đã quyết toán, đóng",
        }
    }

    /// The statuses reachable in one step from this one.
    pub fn allowed_next(self) -> &'static [AidStatus] {
        use AidStatus::*;
        match self {
            Pipeline => &[Draft],
            Draft => &[Submitted],
            Submitted => &[ReturnedForSupplement, UnderAppraisal],
            ReturnedForSupplement => &[Submitted],
            UnderAppraisal => &[EscalatedToCentral, Appraised, Approved, Rejected],
            EscalatedToCentral => &[UnderAppraisal, Approved, Rejected],
            Appraised => &[Approved, Rejected],
            Approved => &[Implementing, Revoked],
            Implementing => &[AmendmentPending, Suspended, Completed, TerminatedEarly],
            AmendmentPending => &[Implementing],
            Suspended => &[Implementing, TerminatedEarly],
            Completed => &[HandedOver, Closed],
            HandedOver => &[Closed],
            Rejected | TerminatedEarly | Revoked | Closed => &[],
        }
    }

    /// Checks one step of the lifecycle; the error names the allowed next statuses.
    pub fn check_transition(self, to: AidStatus) -> Result<(), ValidationError> {
        if self.allowed_next().contains(&to) {
            return Ok(());
        }
        let allowed: Vec<&str> = self.allowed_next().iter().map(|s| s.as_str()).collect();
        Err(crate::error::transition_error("an aid item", self.as_str(), to.as_str(), &allowed))
    }

    /// True once an approval decision exists for the item (approved and everything after it, except
    /// statuses reached without approval).
    pub fn has_approval(self) -> bool {
        matches!(
            self,
            Self::Approved
                | Self::Implementing
                | Self::AmendmentPending
                | Self::Suspended
                | Self::TerminatedEarly
                | Self::Revoked
                | Self::Completed
                | Self::HandedOver
                | Self::Closed
        )
    }

    /// True while money may actually be received and spent (Decree 80 principle: only after approval).
    pub fn accepts_actual_flows(self) -> bool {
        matches!(
            self,
            Self::Approved | Self::Implementing | Self::AmendmentPending | Self::Completed | Self::HandedOver
        )
    }
}

/// Who approved the item (FACTS Q4; Decree 80 Art. 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalLevel {
    /// Chairman of the provincial People's Committee (head of the managing agency).
    Province,
    /// A central ministry or central body.
    CentralMinistry,
    /// The Prime Minister.
    PrimeMinister,
}

impl ApprovalLevel {
    /// Stable storage code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::CentralMinistry => "central_ministry",
            Self::PrimeMinister => "prime_minister",
        }
    }

    /// Parses a code or a Vietnamese name.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        match text::fold(s).replace([' ', '-'], "_").as_str() {
            "province" | "ubnd_tinh" | "tinh" => Ok(Self::Province),
            "central_ministry" | "central" | "bo" | "trung_uong" => Ok(Self::CentralMinistry),
            "prime_minister" | "thu_tuong" | "pm" => Ok(Self::PrimeMinister),
            _ => Err(ValidationError::new(
                "approval_level",
                "error-approval-level-unknown",
                format!("'{s}' is not an approval level; use province, central_ministry or prime_minister"),
            )),
        }
    }

    /// Vietnamese label.
    pub fn name_vi(self) -> &'static str {
        match self {
            Self::Province => "UBND tỉnh",
            Self::CentralMinistry => "cơ quan trung ương",
            Self::PrimeMinister => "Thủ tướng Chính phủ",
        }
    }
}

/// The decree an aid item was processed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AidLegalBasis {
    /// Decree 93/2009/NĐ-CP (until 16/09/2020).
    Nd93_2009,
    /// Decree 80/2020/NĐ-CP (17/09/2020 – 07/12/2025).
    Nd80_2020,
    /// Decree 313/2025/NĐ-CP (from 08/12/2025).
    Nd313_2025,
}

impl AidLegalBasis {
    /// The decree in force on a date.
    pub fn in_force_on(d: NaiveDate) -> Self {
        if d >= NaiveDate::from_ymd_opt(2025, 12, 8).unwrap_or(NaiveDate::MAX) {
            Self::Nd313_2025
        } else if d >= NaiveDate::from_ymd_opt(2020, 9, 17).unwrap_or(NaiveDate::MAX) {
            Self::Nd80_2020
        } else {
            Self::Nd93_2009
        }
    }

    /// Stable storage code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Nd93_2009 => "nd93_2009",
            Self::Nd80_2020 => "nd80_2020",
            Self::Nd313_2025 => "nd313_2025",
        }
    }

    /// Parses a code or "80/2020"-style reference.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let f = text::fold(s);
        if f.contains("313") {
            Ok(Self::Nd313_2025)
        } else if f.contains("80") {
            Ok(Self::Nd80_2020)
        } else if f.contains("93") {
            Ok(Self::Nd93_2009)
        } else {
            Err(ValidationError::new(
                "legal_basis",
                "error-legal-basis-unknown",
                format!("'{s}' is not Decree 93/2009, 80/2020 or 313/2025"),
            ))
        }
    }
}

/// An approval decision (quyết định phê duyệt).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Approval {
    /// Decision number, e.g. `1971/QĐ-UBND`.
    pub decision_number: String,
    /// Decision date.
    pub decision_date: NaiveDate,
    /// Approving level.
    pub level: ApprovalLevel,
}

/// A donor and its share of the item.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DonorShare {
    /// The donor organisation.
    pub organisation: OrganisationId,
    /// Its share.
    pub share: Share,
}

/// A sector and its share.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SectorShare {
    /// The sector.
    pub sector: SectorRef,
    /// Its share.
    pub share: Share,
}

/// A location as recorded, resolved to today's units.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Location {
    /// The unit set the record used.
    pub recorded_set: UnitSet,
    /// Province as recorded.
    pub recorded_province: ProvinceCode,
    /// District as recorded (pre-2025 only).
    pub recorded_district: Option<DistrictCode>,
    /// Commune as recorded.
    pub recorded_commune: Option<CommuneCode>,
    /// Province today.
    pub current_province: ProvinceCode,
    /// Commune today (the crosswalk's default target unless overridden).
    pub current_commune: Option<CommuneCode>,
    /// True when an officer chose the target of a split commune.
    pub commune_override: bool,
    /// Its share of the item.
    pub share: Share,
}

/// Beneficiary counts by group.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Beneficiaries {
    /// Ethnic-minority people.
    pub ethnic_minority: Option<u32>,
    /// Women.
    pub women: Option<u32>,
    /// Children.
    pub children: Option<u32>,
    /// People with disabilities.
    pub disabled: Option<u32>,
    /// Poor households.
    pub poor_households: Option<u32>,
}

/// A rate fixed in the approval decision, used for every flow of the item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DecisionRate {
    /// Units of the item's currency per USD (None when the item is in USD or VND only).
    pub currency_per_usd: Option<Decimal>,
    /// VND per USD.
    pub vnd_per_usd: Decimal,
}

/// A donor as entered: organisation id and percentage (empty = 100 % for a single donor).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct DonorInput {
    /// The donor's id.
    pub organisation: i64,
    /// Percentage.
    pub percent: Option<String>,
}

/// A sector as entered.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct SectorInput {
    /// DAC code or national sector.
    pub sector: String,
    /// Percentage (empty = 100 % for a single sector).
    pub percent: Option<String>,
}

/// A location as entered: province (code or name) and optionally district and commune codes or names.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct LocationInput {
    /// Province code or name.
    pub province: String,
    /// District code or name (pre-2025 units).
    pub district: Option<String>,
    /// Commune code or name.
    pub commune: Option<String>,
    /// For a split commune: the chosen new commune code.
    pub commune_override: Option<String>,
    /// Percentage (empty = 100 % for a single location).
    pub percent: Option<String>,
}

/// An aid item as entered.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct AidItemInput {
    /// Local code.
    pub code: Option<String>,
    /// IATI activity identifier.
    pub iati_identifier: Option<String>,
    /// Title (Vietnamese).
    pub title: String,
    /// English title.
    pub title_en: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Kind.
    pub kind: String,
    /// The item this one adds to (dự án bổ sung).
    pub supplements: Option<i64>,
    /// Managing agency id.
    pub managing_agency: Option<i64>,
    /// Project owner id.
    pub project_owner: Option<i64>,
    /// Donors.
    #[serde(default)]
    pub donors: Vec<DonorInput>,
    /// Status at creation (default `draft`); items recorded after the fact may start later in the lifecycle.
    pub status: Option<String>,
    /// Decree; default: the one in force on the decision (or start) date.
    pub legal_basis: Option<String>,
    /// Approval decision number.
    pub decision_number: Option<String>,
    /// Approval decision date.
    pub decision_date: Option<String>,
    /// Approval level.
    pub approval_level: Option<String>,
    /// Rate fixed in the decision: VND per USD.
    pub decision_vnd_per_usd: Option<String>,
    /// Rate fixed in the decision: item currency per USD.
    pub decision_currency_per_usd: Option<String>,
    /// Start date.
    pub start_date: Option<String>,
    /// End date.
    pub end_date: Option<String>,
    /// Units the locations are written in: `pre2025` or `from2025` (default: by the item's date).
    pub unit_set: Option<String>,
    /// Sectors.
    #[serde(default)]
    pub sectors: Vec<SectorInput>,
    /// Locations.
    #[serde(default)]
    pub locations: Vec<LocationInput>,
    /// Beneficiaries.
    #[serde(default)]
    pub beneficiaries: Beneficiaries,
    /// Illustrative demo record.
    #[serde(default)]
    pub illustrative: bool,
    /// Visible to the public.
    #[serde(default)]
    pub published: bool,
    /// Where the record was imported from (e.g. `iati:GB-GOV-10-FF_MA`) when it comes from a donor's
    /// publication rather than a Vietnamese dossier; its approval decision is then not known, and the
    /// approval requirement does not apply.
    pub imported_from: Option<String>,
}

/// A valid aid item, ready to store.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NewAidItem {
    /// Local code.
    pub code: Option<String>,
    /// IATI identifier.
    pub iati_identifier: Option<String>,
    /// Title.
    pub title: String,
    /// English title.
    pub title_en: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Kind.
    pub kind: AidKind,
    /// The item this one adds to.
    pub supplements: Option<AidItemId>,
    /// Managing agency.
    pub managing_agency: Option<OrganisationId>,
    /// Project owner.
    pub project_owner: Option<OrganisationId>,
    /// Donors with shares summing to 100 %.
    pub donors: Vec<DonorShare>,
    /// Status.
    pub status: AidStatus,
    /// Decree.
    pub legal_basis: AidLegalBasis,
    /// Approval (present when the status needs it).
    pub approval: Option<Approval>,
    /// Rate fixed in the decision.
    pub decision_rate: Option<DecisionRate>,
    /// Start date.
    pub start_date: Option<NaiveDate>,
    /// End date.
    pub end_date: Option<NaiveDate>,
    /// Sectors with shares summing to 100 % (or none).
    pub sectors: Vec<SectorShare>,
    /// Locations with shares summing to 100 % (or none).
    pub locations: Vec<Location>,
    /// Beneficiaries.
    pub beneficiaries: Beneficiaries,
    /// Illustrative demo record.
    pub illustrative: bool,
    /// Visible to the public.
    pub published: bool,
    /// The publication the record was imported from, if any.
    pub imported_from: Option<String>,
}

impl NewAidItem {
    /// Folded text for diacritic-insensitive search.
    pub fn search_text(&self) -> String {
        let mut s = text::fold(&self.title);
        for extra in [&self.title_en, &self.code, &self.iati_identifier].into_iter().flatten() {
            s.push(' ');
            s.push_str(&text::fold(extra));
        }
        s
    }
}

fn parse_share(field: &str, percent: &Option<String>, single: bool) -> Result<Share, ValidationError> {
    match percent.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => Share::parse_percent(p).map_err(|e| ValidationError { field: format!("{field}.percent"), ..e }),
        None if single => Ok(Share::WHOLE),
        None => Err(ValidationError::new(
            format!("{field}.percent"),
            "error-required",
            "give a percentage for each entry when there are several",
        )),
    }
}

fn parse_opt_date(errors: &mut ValidationErrors, field: &str, value: &Option<String>) -> Option<NaiveDate> {
    clean(value).and_then(|t| errors.collect(parse_date(field, &t)))
}

fn parse_rate(errors: &mut ValidationErrors, field: &str, value: &Option<String>) -> Option<Decimal> {
    let t = clean(value)?;
    let parsed = t.replace(',', ".").parse::<Decimal>().ok().filter(|d| *d > Decimal::ZERO);
    if parsed.is_none() {
        errors.push(ValidationError::new(field, "error-rate-not-positive", format!("'{t}' is not a positive rate")));
    }
    parsed
}

/// Resolves one location in the given unit set to its recorded and current units.
pub fn resolve_location(input: &LocationInput, set: UnitSet, share: Share) -> Result<Location, ValidationErrors> {
    let units = AdminUnits::embedded();
    let mut errors = ValidationErrors::new();
    let province = errors.collect(units.parse_province_in(&input.province, set));
    let Some(province) = province else { return Err(errors) };
    let district = match clean(&input.district) {
        Some(d) if set == UnitSet::Pre2025 => errors.collect(units.parse_district_in(&d, &province)),
        Some(_) => {
            errors.push(ValidationError::new(
                "district",
                "error-district-after-reform",
                "districts were abolished on 1 July 2025; give the commune only",
            ));
            None
        }
        None => None,
    };
    let commune = match clean(&input.commune) {
        Some(c) => errors.collect(units.parse_commune_in(&c, &province, set, district.as_ref())),
        None => None,
    };
    let override_code = match clean(&input.commune_override) {
        Some(c) => errors
            .collect(CommuneCode::parse(&c).map_err(|e| ValidationError { field: "commune_override".into(), ..e })),
        None => None,
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let current_province = units.current_province_code(&province, set);
    let (current_commune, commune_override) = match (&commune, set) {
        (Some(c), UnitSet::Pre2025) => match units.resolve_commune(c, override_code.as_ref()) {
            Ok(resolved) => (Some(resolved.new_commune_code), override_code.is_some()),
            Err(e) => {
                errors.push(e);
                (None, false)
            }
        },
        (Some(c), UnitSet::From2025) => (Some(c.clone()), false),
        (None, _) => (None, false),
    };
    errors.into_result(Location {
        recorded_set: set,
        recorded_province: province,
        recorded_district: district,
        recorded_commune: commune,
        current_province,
        current_commune,
        commune_override,
        share,
    })
}

impl AidItemInput {
    /// Parses and checks every field, reporting all problems at once.
    pub fn parse(&self) -> Result<NewAidItem, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let title = errors.collect(required_text("title", &self.title, 500));
        let kind = errors.collect(AidKind::parse(&self.kind));
        let status = match clean(&self.status) {
            Some(s) => errors.collect(AidStatus::parse(&s)),
            None => Some(AidStatus::Draft),
        };
        let start_date = parse_opt_date(&mut errors, "start_date", &self.start_date);
        let end_date = parse_opt_date(&mut errors, "end_date", &self.end_date);
        if let (Some(s), Some(e)) = (start_date, end_date)
            && e < s
        {
            errors.push(ValidationError::new("end_date", "error-date-order", "the end date is before the start date"));
        }
        let decision_date = parse_opt_date(&mut errors, "decision_date", &self.decision_date);
        let level = clean(&self.approval_level).and_then(|l| errors.collect(ApprovalLevel::parse(&l)));
        let decision_number = clean(&self.decision_number);
        let approval = match (decision_number, decision_date, level) {
            (Some(decision_number), Some(decision_date), Some(level)) => {
                Some(Approval { decision_number, decision_date, level })
            }
            (None, None, None) => None,
            (n, d, l) => {
                for (missing, field) in
                    [(n.is_none(), "decision_number"), (d.is_none(), "decision_date"), (l.is_none(), "approval_level")]
                {
                    if missing && !errors.0.iter().any(|e| e.field == field) {
                        errors.push(ValidationError::new(
                            field,
                            "error-required",
                            "an approval needs its decision number, date and level",
                        ));
                    }
                }
                None
            }
        };
        if let Some(st) = status
            && st.has_approval()
            && approval.is_none()
            && clean(&self.imported_from).is_none()
            && !errors.0.iter().any(|e| e.field.starts_with("decision") || e.field == "approval_level")
        {
            errors.push(ValidationError::new(
                "decision_number",
                "error-approval-required",
                format!("an item that is '{}' needs its approval decision (number, date and level)", st.as_str()),
            ));
        }
        let reference_date = approval.as_ref().map(|a| a.decision_date).or(start_date);
        let legal_basis = match clean(&self.legal_basis) {
            Some(l) => errors.collect(AidLegalBasis::parse(&l)),
            None => Some(AidLegalBasis::in_force_on(
                reference_date.unwrap_or_else(|| NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or(NaiveDate::MIN)),
            )),
        };
        let vnd_rate = parse_rate(&mut errors, "decision_vnd_per_usd", &self.decision_vnd_per_usd);
        let cur_rate = parse_rate(&mut errors, "decision_currency_per_usd", &self.decision_currency_per_usd);
        let decision_rate = match (vnd_rate, cur_rate) {
            (Some(v), c) => Some(DecisionRate { currency_per_usd: c, vnd_per_usd: v }),
            (None, Some(_)) => {
                errors.push(ValidationError::new(
                    "decision_vnd_per_usd",
                    "error-required",
                    "a fixed rate needs the VND per USD rate too",
                ));
                None
            }
            (None, None) => None,
        };
        if self.supplements.is_some() && matches!(kind, Some(AidKind::NonProject | AidKind::Emergency)) {
            errors.push(ValidationError::new(
                "supplements",
                "error-supplement-kind",
                "only a programme or project can supplement another item",
            ));
        }

        // Donors.
        let mut donors = Vec::new();
        if self.donors.is_empty() {
            errors.push(ValidationError::new("donors", "error-required", "an aid item needs at least one donor"));
        }
        let single = self.donors.len() == 1;
        for (i, d) in self.donors.iter().enumerate() {
            let field = format!("donors[{i}]");
            if donors.iter().any(|x: &DonorShare| x.organisation.0 == d.organisation) {
                errors.push(ValidationError::new(field.clone(), "error-duplicate", "the same donor is listed twice"));
            }
            if let Some(share) = errors.collect(parse_share(&field, &d.percent, single)) {
                donors.push(DonorShare { organisation: OrganisationId(d.organisation), share });
            }
        }
        if donors.len() == self.donors.len() {
            errors.collect(check_sums_to_whole("donors", &donors.iter().map(|d| d.share).collect::<Vec<_>>()));
        }

        // Sectors.
        let mut sectors = Vec::new();
        let single = self.sectors.len() == 1;
        for (i, s) in self.sectors.iter().enumerate() {
            let field = format!("sectors[{i}]");
            let sector = errors.collect(
                SectorRef::parse(&s.sector).map_err(|e| ValidationError { field: format!("{field}.sector"), ..e }),
            );
            let share = errors.collect(parse_share(&field, &s.percent, single));
            if let (Some(sector), Some(share)) = (sector, share) {
                if sectors.iter().any(|x: &SectorShare| x.sector == sector) {
                    errors.push(ValidationError::new(field, "error-duplicate", "the same sector is listed twice"));
                } else {
                    sectors.push(SectorShare { sector, share });
                }
            }
        }
        if sectors.len() == self.sectors.len() {
            errors.collect(check_sums_to_whole("sectors", &sectors.iter().map(|s| s.share).collect::<Vec<_>>()));
        }

        // Locations, in the units in force when the item was recorded.
        let set = match clean(&self.unit_set) {
            Some(s) => errors.collect(UnitSet::parse(&s)),
            None => Some(UnitSet::for_date(
                reference_date.unwrap_or_else(|| NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or(NaiveDate::MIN)),
            )),
        };
        let mut locations = Vec::new();
        let single = self.locations.len() == 1;
        if let Some(set) = set {
            for (i, l) in self.locations.iter().enumerate() {
                let field = format!("locations[{i}]");
                let Some(share) = errors.collect(parse_share(&field, &l.percent, single)) else { continue };
                match resolve_location(l, set, share) {
                    Ok(loc) => locations.push(loc),
                    Err(e) => errors.extend_under(&field, e),
                }
            }
        }
        if locations.len() == self.locations.len() {
            errors.collect(check_sums_to_whole("locations", &locations.iter().map(|l| l.share).collect::<Vec<_>>()));
        }

        let (Some(title), Some(kind), Some(status), Some(legal_basis)) = (title, kind, status, legal_basis) else {
            return Err(errors);
        };
        errors.into_result(NewAidItem {
            code: clean(&self.code),
            iati_identifier: clean(&self.iati_identifier),
            title,
            title_en: clean(&self.title_en),
            description: clean(&self.description),
            kind,
            supplements: self.supplements.map(AidItemId),
            managing_agency: self.managing_agency.map(OrganisationId),
            project_owner: self.project_owner.map(OrganisationId),
            donors,
            status,
            legal_basis,
            approval,
            decision_rate,
            start_date,
            end_date,
            sectors,
            locations,
            beneficiaries: self.beneficiaries,
            illustrative: self.illustrative,
            published: self.published,
            imported_from: clean(&self.imported_from),
        })
    }
}
