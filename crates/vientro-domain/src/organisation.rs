//! Organisations: the donors (foreign NGOs, individuals, foreign representative agencies, international
//! organisations) and the Vietnamese agencies that manage and own aid.
//!
//! This module parses an organisation as entered into a [`NewOrganisation`] that is valid by construction.
//! It must not look anything up in storage: uniqueness of names and identifiers is the store's to enforce.

use crate::admin_units::ProvinceCode;
use crate::country::CountryCode;
use crate::error::{ValidationError, ValidationErrors};
use crate::sector::SectorRef;
use crate::text;

/// What kind of body an organisation is; the first four are donor kinds counted in reports (FACTS C3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    /// Tổ chức phi chính phủ nước ngoài.
    ForeignNgo,
    /// Cá nhân (a foreign individual or overseas Vietnamese).
    Individual,
    /// Cơ quan đại diện nước ngoài (an embassy or consulate).
    ForeignAgency,
    /// Tổ chức quốc tế.
    InternationalOrg,
    /// Cơ quan chủ quản (managing agency, e.g. a provincial People's Committee).
    VnManagingAgency,
    /// Chủ khoản viện trợ (project owner).
    VnProjectOwner,
    /// Sở, ban, ngành (a provincial department).
    VnDepartment,
    /// Another Vietnamese body (association, school, commune People's Committee).
    VnOther,
}

impl OrganisationKind {
    /// Every kind, donors first.
    pub const ALL: [OrganisationKind; 8] = [
        Self::ForeignNgo,
        Self::Individual,
        Self::ForeignAgency,
        Self::InternationalOrg,
        Self::VnManagingAgency,
        Self::VnProjectOwner,
        Self::VnDepartment,
        Self::VnOther,
    ];

    /// Stable storage code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ForeignNgo => "foreign_ngo",
            Self::Individual => "individual",
            Self::ForeignAgency => "foreign_agency",
            Self::InternationalOrg => "international_org",
            Self::VnManagingAgency => "vn_managing_agency",
            Self::VnProjectOwner => "vn_project_owner",
            Self::VnDepartment => "vn_department",
            Self::VnOther => "vn_other",
        }
    }

    /// Parses a storage code or a common Vietnamese/English name ("ngo", "embassy", "tổ chức phi chính phủ").
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let f = text::fold(s).replace(['-', ' '], "_");
        let kind = match f.as_str() {
            "foreign_ngo" | "ngo" | "ingo" | "to_chuc_phi_chinh_phu_nuoc_ngoai" | "to_chuc_pcpnn" => Self::ForeignNgo,
            "individual" | "ca_nhan" => Self::Individual,
            "foreign_agency" | "embassy" | "co_quan_dai_dien_nuoc_ngoai" => Self::ForeignAgency,
            "international_org" | "international_organisation" | "to_chuc_quoc_te" => Self::InternationalOrg,
            "vn_managing_agency" | "managing_agency" | "co_quan_chu_quan" => Self::VnManagingAgency,
            "vn_project_owner" | "project_owner" | "chu_khoan_vien_tro" | "chu_du_an" => Self::VnProjectOwner,
            "vn_department" | "department" | "so_ban_nganh" => Self::VnDepartment,
            "vn_other" | "other" | "khac" => Self::VnOther,
            _ => {
                return Err(ValidationError::new(
                    "kind",
                    "error-organisation-kind-unknown",
                    format!(
                        "'{s}' is not an organisation kind; use one of {}",
                        Self::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
        };
        Ok(kind)
    }

    /// True for the kinds that give aid (counted as donors).
    pub fn is_donor(self) -> bool {
        matches!(self, Self::ForeignNgo | Self::Individual | Self::ForeignAgency | Self::InternationalOrg)
    }

    /// True for Vietnamese bodies.
    pub fn is_vietnamese(self) -> bool {
        !self.is_donor()
    }

    /// Vietnamese label as used in official reports.
    pub fn name_vi(self) -> &'static str {
        match self {
            Self::ForeignNgo => "tổ chức phi chính phủ nước ngoài",
            Self::Individual => "cá nhân",
            Self::ForeignAgency => "cơ quan đại diện nước ngoài",
            Self::InternationalOrg => "tổ chức quốc tế",
            Self::VnManagingAgency => "cơ quan chủ quản",
            Self::VnProjectOwner => "chủ khoản viện trợ",
            Self::VnDepartment => "sở, ban, ngành",
            Self::VnOther => "đơn vị khác",
        }
    }

    /// English label.
    pub fn name_en(self) -> &'static str {
        match self {
            Self::ForeignNgo => "foreign NGO",
            Self::Individual => "individual",
            Self::ForeignAgency => "foreign representative agency",
            Self::InternationalOrg => "international organisation",
            Self::VnManagingAgency => "managing agency",
            Self::VnProjectOwner => "project owner",
            Self::VnDepartment => "provincial department",
            Self::VnOther => "other Vietnamese body",
        }
    }
}

/// An organisation as entered, all text (a form, a CLI, an import row).
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct OrganisationInput {
    /// Kind code or name.
    pub kind: String,
    /// Name in its own language (required).
    pub name: String,
    /// Vietnamese name.
    pub name_vi: Option<String>,
    /// Acronym.
    pub acronym: Option<String>,
    /// Home country (code or name); required for foreign NGOs and agencies.
    pub country: Option<String>,
    /// Province a Vietnamese agency belongs to (code or name).
    pub province: Option<String>,
    /// IATI organisation identifier, e.g. `GB-CHC-1076235`.
    pub iati_identifier: Option<String>,
    /// Sectors of interest (codes or names).
    #[serde(default)]
    pub sectors: Vec<String>,
    /// True for the illustrative demo records ("minh họa").
    #[serde(default)]
    pub illustrative: bool,
}

/// A valid new organisation.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NewOrganisation {
    /// Kind.
    pub kind: OrganisationKind,
    /// Name, trimmed.
    pub name: String,
    /// Vietnamese name.
    pub name_vi: Option<String>,
    /// Acronym.
    pub acronym: Option<String>,
    /// Home country.
    pub country: Option<CountryCode>,
    /// Province (for Vietnamese agencies).
    pub province: Option<ProvinceCode>,
    /// IATI identifier.
    pub iati_identifier: Option<String>,
    /// Sectors of interest.
    pub sectors: Vec<SectorRef>,
    /// Illustrative demo record.
    pub illustrative: bool,
}

impl NewOrganisation {
    /// Folded text used for diacritic-insensitive search and for the one-name-per-kind rule.
    pub fn search_text(&self) -> String {
        let mut s = text::fold(&self.name);
        for extra in [&self.name_vi, &self.acronym].into_iter().flatten() {
            s.push(' ');
            s.push_str(&text::fold(extra));
        }
        s
    }

    /// The key that sorts organisations in Vietnamese alphabetical order.
    pub fn sort_key(&self) -> String {
        text::sort_key(self.name_vi.as_deref().unwrap_or(&self.name))
    }
}

/// Trims optional text; empty becomes `None`.
pub(crate) fn clean(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned)
}

/// A required name: trimmed, not empty, at most `max` characters.
pub(crate) fn required_text(field: &str, value: &str, max: usize) -> Result<String, ValidationError> {
    let t = value.trim();
    if t.is_empty() {
        return Err(ValidationError::new(field, "error-required", format!("{field} is required")));
    }
    if t.chars().count() > max {
        return Err(ValidationError::new(field, "error-too-long", format!("{field} is longer than {max} characters")));
    }
    Ok(t.to_owned())
}

impl OrganisationInput {
    /// Parses every field, reporting all problems at once.
    pub fn parse(&self) -> Result<NewOrganisation, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let kind = errors.collect(OrganisationKind::parse(&self.kind));
        let name = errors.collect(required_text("name", &self.name, 300));
        let country = match clean(&self.country) {
            Some(c) => errors.collect(CountryCode::parse(&c)),
            None => None,
        };
        if let Some(k) = kind
            && matches!(k, OrganisationKind::ForeignNgo | OrganisationKind::ForeignAgency)
            && clean(&self.country).is_none()
        {
            errors.push(ValidationError::new(
                "country",
                "error-required",
                format!("a {} needs its home country", k.name_en()),
            ));
        }
        let province = match clean(&self.province) {
            Some(p) => errors.collect(crate::admin_units::AdminUnits::embedded().parse_province(&p)),
            None => None,
        };
        let mut sectors = Vec::new();
        for (i, s) in self.sectors.iter().enumerate() {
            if let Some(sector) = errors.collect(SectorRef::parse(s).map_err(|e| e.under(&format!("sectors[{i}]"))))
                && !sectors.contains(&sector)
            {
                sectors.push(sector);
            }
        }
        let (Some(kind), Some(name)) = (kind, name) else { return Err(errors) };
        errors.into_result(NewOrganisation {
            kind,
            name,
            name_vi: clean(&self.name_vi),
            acronym: clean(&self.acronym),
            country,
            province,
            iati_identifier: clean(&self.iati_identifier),
            sectors,
            illustrative: self.illustrative,
        })
    }
}
