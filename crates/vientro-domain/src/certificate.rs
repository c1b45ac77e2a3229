//! Registration certificates of foreign NGOs (Decree 58/2022/NĐ-CP, and legacy ones under Decree 12/2012),
//! and the per-year registration of an organisation in a province.
//!
//! This module owns the validity ceilings (operation ≤ 3 years, representative office ≤ 5 years), which
//! certificate kinds each decree allows, the certificate status lifecycle and the statuses derived from
//! dates. It must not store anything or decide who may issue a certificate.

use chrono::{Months, NaiveDate};

use crate::admin_units::{AdminUnits, ProvinceCode, UnitSet};
use crate::date::parse_date;
use crate::error::{ValidationError, ValidationErrors};
use crate::ids::OrganisationId;
use crate::organisation::{clean, required_text};
use crate::sector::SectorRef;
use crate::text;

/// The kind of certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateKind {
    /// Giấy đăng ký hoạt động (operation registration).
    Operation,
    /// Giấy đăng ký lập Văn phòng đại diện (representative office).
    RepresentativeOffice,
    /// Giấy đăng ký lập Văn phòng dự án (project office; Decree 12/2012 only, abolished by Decree 58).
    ProjectOffice,
}

impl CertificateKind {
    /// Every kind, in the order forms offer them.
    pub const ALL: [CertificateKind; 3] = [Self::Operation, Self::RepresentativeOffice, Self::ProjectOffice];

    /// Stable storage code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Operation => "operation",
            Self::RepresentativeOffice => "representative_office",
            Self::ProjectOffice => "project_office",
        }
    }

    /// Parses a storage code.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        match text::fold(s).replace([' ', '-'], "_").as_str() {
            "operation" | "dang_ky_hoat_dong" => Ok(Self::Operation),
            "representative_office" | "van_phong_dai_dien" => Ok(Self::RepresentativeOffice),
            "project_office" | "van_phong_du_an" => Ok(Self::ProjectOffice),
            _ => Err(ValidationError::new(
                "kind",
                "error-certificate-kind-unknown",
                format!("'{s}' is not a certificate kind; use operation, representative_office or project_office"),
            )),
        }
    }

    /// Vietnamese name.
    pub fn name_vi(self) -> &'static str {
        match self {
            Self::Operation => "Giấy đăng ký hoạt động",
            Self::RepresentativeOffice => "Giấy đăng ký lập Văn phòng đại diện",
            Self::ProjectOffice => "Giấy đăng ký lập Văn phòng dự án",
        }
    }

    /// The longest validity the decree allows, in years (Decree 58 Art. 9). Legacy project-office
    /// certificates carry the dates they were issued with; no ceiling is enforced on them ([I]: Decree 12's
    /// ceiling was not read in the sources).
    pub fn max_validity_years(self) -> Option<u32> {
        match self {
            Self::Operation => Some(3),
            Self::RepresentativeOffice => Some(5),
            Self::ProjectOffice => None,
        }
    }
}

/// The decree a certificate was issued under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateLegalBasis {
    /// Decree 58/2022/NĐ-CP (from 01/11/2022).
    Nd58_2022,
    /// Decree 12/2012/NĐ-CP (until 31/10/2022).
    Nd12_2012,
}

impl CertificateLegalBasis {
    /// Decree 58/2022 took effect on this date.
    pub fn decree_58_effective() -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, 11, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The decree in force on the issue date.
    pub fn for_issue_date(d: NaiveDate) -> Self {
        if d >= Self::decree_58_effective() { Self::Nd58_2022 } else { Self::Nd12_2012 }
    }

    /// Stable storage code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Nd58_2022 => "nd58_2022",
            Self::Nd12_2012 => "nd12_2012",
        }
    }

    /// Parses a storage code or "58/2022" / "12/2012".
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let f = text::fold(s);
        if f.contains("58") {
            Ok(Self::Nd58_2022)
        } else if f.contains("12") {
            Ok(Self::Nd12_2012)
        } else {
            Err(ValidationError::new(
                "legal_basis",
                "error-legal-basis-unknown",
                format!("'{s}' is not Decree 58/2022 or 12/2012"),
            ))
        }
    }
}

/// Where a certificate stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertificateStatus {
    /// In force.
    Active,
    /// Suspended (đình chỉ) for a period.
    Suspended,
    /// Validity ended without extension.
    Expired,
    /// Operation terminated (chấm dứt).
    Terminated,
    /// Certificate revoked (thu hồi).
    Revoked,
    /// The NGO ended its own operation.
    SelfTerminated,
}

impl CertificateStatus {
    /// Stable storage code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Suspended => "suspended",
            Self::Expired => "expired",
            Self::Terminated => "terminated",
            Self::Revoked => "revoked",
            Self::SelfTerminated => "self_terminated",
        }
    }

    /// Parses a storage code.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        [Self::Active, Self::Suspended, Self::Expired, Self::Terminated, Self::Revoked, Self::SelfTerminated]
            .into_iter()
            .find(|k| k.as_str() == s.trim())
            .ok_or_else(|| {
                ValidationError::new(
                    "status",
                    "error-certificate-status-unknown",
                    format!("'{s}' is not a certificate status"),
                )
            })
    }

    /// The statuses a certificate may move to from this one (Decree 58 Ch. IV, DOMAIN §6.5).
    pub fn allowed_next(self) -> &'static [CertificateStatus] {
        use CertificateStatus::*;
        match self {
            Active => &[Suspended, Expired, Terminated, Revoked, SelfTerminated],
            Suspended => &[Active, Terminated, Revoked],
            Expired => &[Active, Terminated],
            Terminated | Revoked | SelfTerminated => &[],
        }
    }

    /// Checks a status change, naming the allowed ones when it is refused.
    pub fn check_transition(self, to: CertificateStatus) -> Result<(), ValidationError> {
        if self.allowed_next().contains(&to) {
            return Ok(());
        }
        let allowed: Vec<&str> = self.allowed_next().iter().map(|s| s.as_str()).collect();
        Err(crate::error::transition_error("a certificate", self.as_str(), to.as_str(), &allowed))
    }
}

/// The cities where a representative office may be (Decree 58 Art. 8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OfficeCity {
    /// Hà Nội.
    HaNoi,
    /// Đà Nẵng.
    DaNang,
    /// Thành phố Hồ Chí Minh.
    HoChiMinh,
}

impl OfficeCity {
    /// Stable storage code.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::HaNoi => "ha_noi",
            Self::DaNang => "da_nang",
            Self::HoChiMinh => "ho_chi_minh",
        }
    }

    /// Parses a code or name, diacritic-insensitively.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let f = text::fold(s).replace([' ', '-', '.'], "_");
        match f.as_str() {
            "ha_noi" | "hanoi" | "01" => Ok(Self::HaNoi),
            "da_nang" | "danang" | "48" => Ok(Self::DaNang),
            "ho_chi_minh" | "tp_ho_chi_minh" | "thanh_pho_ho_chi_minh" | "hcm" | "79" => Ok(Self::HoChiMinh),
            _ => Err(ValidationError::new(
                "office_city",
                "error-office-city",
                "a representative office may only be in Hà Nội, Đà Nẵng or Thành phố Hồ Chí Minh",
            )),
        }
    }
}

/// A certificate as entered.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CertificateInput {
    /// Kind code.
    pub kind: String,
    /// Certificate number, e.g. `123/CNV-HĐ`.
    pub number: String,
    /// Decree; defaults to the one in force on the issue date.
    pub legal_basis: Option<String>,
    /// Issue date.
    pub issued_on: String,
    /// First day of validity; defaults to the issue date.
    pub valid_from: Option<String>,
    /// Last day of validity.
    pub valid_to: String,
    /// Status; defaults to active.
    pub status: Option<String>,
    /// Representative-office city.
    pub office_city: Option<String>,
    /// Permitted provinces (codes or names), in the units in force on the issue date.
    #[serde(default)]
    pub provinces: Vec<String>,
    /// Permitted sectors.
    #[serde(default)]
    pub sectors: Vec<String>,
    /// Illustrative demo record.
    #[serde(default)]
    pub illustrative: bool,
}

/// A valid certificate.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NewCertificate {
    /// Holder.
    pub organisation: OrganisationId,
    /// Kind.
    pub kind: CertificateKind,
    /// Number.
    pub number: String,
    /// Decree.
    pub legal_basis: CertificateLegalBasis,
    /// Issue date.
    pub issued_on: NaiveDate,
    /// First day of validity.
    pub valid_from: NaiveDate,
    /// Last day of validity.
    pub valid_to: NaiveDate,
    /// Status.
    pub status: CertificateStatus,
    /// Representative-office city.
    pub office_city: Option<OfficeCity>,
    /// Unit set the provinces are expressed in.
    pub unit_set: UnitSet,
    /// Permitted provinces.
    pub provinces: Vec<ProvinceCode>,
    /// Permitted sectors.
    pub sectors: Vec<SectorRef>,
    /// Illustrative demo record.
    pub illustrative: bool,
}

impl NewCertificate {
    /// The status on a date: an active certificate past its last day counts as expired.
    pub fn status_on(&self, on: NaiveDate) -> CertificateStatus {
        effective_status(self.status, self.valid_to, on)
    }
}

/// The status on a date: an active certificate past its last day counts as expired.
pub fn effective_status(stored: CertificateStatus, valid_to: NaiveDate, on: NaiveDate) -> CertificateStatus {
    if stored == CertificateStatus::Active && on > valid_to { CertificateStatus::Expired } else { stored }
}

impl CertificateInput {
    /// Parses every field, reporting all problems at once.
    pub fn parse(&self, organisation: OrganisationId) -> Result<NewCertificate, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let kind = errors.collect(CertificateKind::parse(&self.kind));
        let number = errors.collect(required_text("number", &self.number, 100));
        let issued_on = errors.collect(parse_date("issued_on", &self.issued_on));
        let valid_from = match clean(&self.valid_from) {
            Some(t) => errors.collect(parse_date("valid_from", &t)),
            None => issued_on,
        };
        let valid_to = errors.collect(parse_date("valid_to", &self.valid_to));
        let status = match clean(&self.status) {
            Some(s) => errors.collect(CertificateStatus::parse(&s)),
            None => Some(CertificateStatus::Active),
        };
        let legal_basis = match (clean(&self.legal_basis), issued_on) {
            (Some(l), _) => errors.collect(CertificateLegalBasis::parse(&l)),
            (None, Some(d)) => Some(CertificateLegalBasis::for_issue_date(d)),
            (None, None) => None,
        };
        let office_city = match clean(&self.office_city) {
            Some(c) => errors.collect(OfficeCity::parse(&c)),
            None => None,
        };
        let unit_set = UnitSet::for_date(valid_from.unwrap_or(NaiveDate::MIN));
        let units = AdminUnits::embedded();
        let mut provinces = Vec::new();
        for (i, p) in self.provinces.iter().enumerate() {
            let parsed = units.parse_province_in(p, unit_set).map_err(|e| e.under(&format!("provinces[{i}]")));
            if let Some(code) = errors.collect(parsed)
                && !provinces.contains(&code)
            {
                provinces.push(code);
            }
        }
        let mut sectors = Vec::new();
        for (i, s) in self.sectors.iter().enumerate() {
            if let Some(s) = errors.collect(SectorRef::parse(s).map_err(|e| e.under(&format!("sectors[{i}]"))))
                && !sectors.contains(&s)
            {
                sectors.push(s);
            }
        }
        if let (Some(from), Some(to)) = (valid_from, valid_to) {
            if to < from {
                errors.push(ValidationError::new(
                    "valid_to",
                    "error-date-order",
                    "the last day of validity is before the first",
                ));
            } else if let Some(years) = kind.and_then(CertificateKind::max_validity_years) {
                let ceiling = from.checked_add_months(Months::new(years * 12)).unwrap_or(NaiveDate::MAX);
                if to >= ceiling {
                    errors.push(ValidationError::new(
                        "valid_to",
                        "error-certificate-validity-too-long",
                        format!("this kind of certificate is valid for at most {years} years (Decree 58/2022 Art. 9)"),
                    ));
                }
            }
        }
        if let (Some(kind), Some(basis)) = (kind, legal_basis) {
            if kind == CertificateKind::ProjectOffice && basis == CertificateLegalBasis::Nd58_2022 {
                errors.push(ValidationError::new(
                    "kind",
                    "error-certificate-kind-abolished",
                    "project-office certificates were abolished by Decree 58/2022; record them under Decree 12/2012",
                ));
            }
            if kind == CertificateKind::RepresentativeOffice
                && basis == CertificateLegalBasis::Nd58_2022
                && office_city.is_none()
            {
                errors.push(ValidationError::new(
                    "office_city",
                    "error-required",
                    "a representative office certificate names its city (Hà Nội, Đà Nẵng or Thành phố Hồ Chí Minh)",
                ));
            }
        }
        let (
            Some(kind),
            Some(number),
            Some(legal_basis),
            Some(issued_on),
            Some(valid_from),
            Some(valid_to),
            Some(status),
        ) = (kind, number, legal_basis, issued_on, valid_from, valid_to, status)
        else {
            return Err(errors);
        };
        errors.into_result(NewCertificate {
            organisation,
            kind,
            number,
            legal_basis,
            issued_on,
            valid_from,
            valid_to,
            status,
            office_city,
            unit_set,
            provinces,
            sectors,
            illustrative: self.illustrative,
        })
    }
}

/// An organisation registered to operate in a province in a year (FACTS Q1).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ProvinceRegistration {
    /// The organisation.
    pub organisation: OrganisationId,
    /// The province as recorded (units in force in that year).
    pub province: ProvinceCode,
    /// The province today.
    pub current_province: ProvinceCode,
    /// The year.
    pub year: i32,
    /// The day of registration, if known.
    pub registered_on: Option<NaiveDate>,
    /// Free note.
    pub note: Option<String>,
    /// Illustrative demo record.
    pub illustrative: bool,
}

impl ProvinceRegistration {
    /// Parses a registration: the province is read in the units in force on 1 January of `year`.
    pub fn parse(
        organisation: OrganisationId,
        province: &str,
        year: i32,
        registered_on: Option<&str>,
        note: Option<String>,
        illustrative: bool,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if !(1980..=2200).contains(&year) {
            errors.push(ValidationError::new("year", "error-year-range", format!("{year} is not a plausible year")));
        }
        let first_day = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN);
        let units = AdminUnits::embedded();
        let set = UnitSet::for_date(first_day);
        let province = errors.collect(units.parse_province_in(province, set));
        let registered_on = match registered_on.map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => errors.collect(parse_date("registered_on", t)),
            None => None,
        };
        let Some(province) = province else { return Err(errors) };
        let current_province = units.current_province_code(&province, set);
        errors.into_result(Self { organisation, province, current_province, year, registered_on, note, illustrative })
    }
}
