//! Sectors of aid: OECD-DAC purpose codes and the Vietnamese national priority-sector list.
//!
//! This module owns the DAC 5-digit sector codes and 3-digit categories (IATI Sector vocabulary 1 and
//! SectorCategory, vendored under `data/iati/` and compiled in with `include_str!`), the national list of
//! priority areas for foreign non-governmental aid ([`VnSector`]), the mapping from DAC codes to that list, and
//! [`SectorRef`], the sector an aid item's percentage is attached to. It must not do any IO beyond
//! `include_str!`, and it knows nothing of percentages or aid items: splits live in `split`.

use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ValidationError;
use crate::text::fold;

const SECTOR_CSV: &str = include_str!("../data/iati/Sector.csv");
const SECTOR_CATEGORY_CSV: &str = include_str!("../data/iati/SectorCategory.csv");

const FIELD: &str = "sector";
const UNKNOWN: &str = "error-sector-unknown";

/// An OECD-DAC 5-digit purpose code that exists in the vendored IATI Sector codelist (withdrawn codes included).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DacCode(u32);

/// An OECD-DAC 3-digit sector category that exists in the vendored IATI SectorCategory codelist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DacCategoryCode(u32);

/// One row of the DAC 5-digit sector codelist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DacSector {
    /// The 5-digit purpose code.
    pub code: DacCode,
    /// The English name from the codelist (the only language vendored besides French).
    pub name_en: String,
    /// The 3-digit category the code belongs to.
    pub category: DacCategoryCode,
    /// True when the code is withdrawn; it is still accepted, because old data uses it.
    pub withdrawn: bool,
}

/// One row of the DAC 3-digit sector category codelist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DacCategory {
    /// The 3-digit category code.
    pub code: DacCategoryCode,
    /// The English name from the codelist (some are in capitals, as published).
    pub name_en: String,
    /// True when the category is withdrawn (230 and 920 in the vendored list).
    pub withdrawn: bool,
}

struct Tables {
    sectors: Vec<DacSector>,
    categories: Vec<DacCategory>,
}

#[derive(Deserialize)]
struct SectorRow {
    code: String,
    name: String,
    category: String,
    status: String,
}

#[derive(Deserialize)]
struct CategoryRow {
    code: String,
    name: String,
    status: String,
}

fn digits(s: &str, len: usize) -> Option<u32> {
    if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) { s.parse().ok() } else { None }
}

fn parse_sectors(csv_text: &str) -> Result<Vec<DacSector>, String> {
    let mut sectors = Vec::new();
    for (i, row) in csv::Reader::from_reader(csv_text.as_bytes()).deserialize::<SectorRow>().enumerate() {
        let row = row.map_err(|e| format!("Sector.csv row {}: {e}", i + 2))?;
        let code = digits(&row.code, 5).ok_or_else(|| format!("Sector.csv: bad code {:?}", row.code))?;
        let category =
            digits(&row.category, 3).ok_or_else(|| format!("Sector.csv: bad category {:?}", row.category))?;
        sectors.push(DacSector {
            code: DacCode(code),
            name_en: row.name,
            category: DacCategoryCode(category),
            withdrawn: row.status == "withdrawn",
        });
    }
    sectors.sort_by_key(|s| s.code);
    Ok(sectors)
}

fn parse_categories(csv_text: &str) -> Result<Vec<DacCategory>, String> {
    let mut categories = Vec::new();
    for (i, row) in csv::Reader::from_reader(csv_text.as_bytes()).deserialize::<CategoryRow>().enumerate() {
        let row = row.map_err(|e| format!("SectorCategory.csv row {}: {e}", i + 2))?;
        let code = digits(&row.code, 3).ok_or_else(|| format!("SectorCategory.csv: bad code {:?}", row.code))?;
        categories.push(DacCategory {
            code: DacCategoryCode(code),
            name_en: row.name,
            withdrawn: row.status == "withdrawn",
        });
    }
    categories.sort_by_key(|c| c.code);
    Ok(categories)
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| Tables {
        // Compiled-in data: `vendored_codelists_parse_completely` proves these cannot fail.
        sectors: parse_sectors(SECTOR_CSV).expect("vendored Sector.csv parses"),
        categories: parse_categories(SECTOR_CATEGORY_CSV).expect("vendored SectorCategory.csv parses"),
    })
}

/// Every DAC 5-digit sector of the vendored codelist, withdrawn ones included, in code order.
pub fn dac_sectors() -> &'static [DacSector] {
    &tables().sectors
}

/// Every DAC 3-digit category of the vendored codelist, withdrawn ones included, in code order.
pub fn dac_categories() -> &'static [DacCategory] {
    &tables().categories
}

/// The codelist row of a DAC code; always `Some` for a code obtained from [`DacCode::parse`].
pub fn dac_sector(code: DacCode) -> Option<&'static DacSector> {
    let sectors = dac_sectors();
    sectors.binary_search_by_key(&code, |s| s.code).ok().and_then(|i| sectors.get(i))
}

/// The codelist row of a DAC category; always `Some` for a category obtained from this module.
pub fn dac_category(code: DacCategoryCode) -> Option<&'static DacCategory> {
    let categories = dac_categories();
    categories.binary_search_by_key(&code, |c| c.code).ok().and_then(|i| categories.get(i))
}

impl DacCode {
    /// Reads a 5-digit code (surrounding spaces ignored) that must exist in the codelist; withdrawn codes are
    /// accepted. Error: field `sector`, code `error-sector-unknown`.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let s = s.trim();
        digits(s, 5)
            .map(DacCode)
            .filter(|code| dac_sector(*code).is_some())
            .ok_or_else(|| ValidationError::new(FIELD, UNKNOWN, format!("unknown DAC sector code {s:?}")))
    }

    /// The code as a number, e.g. `11330`.
    pub fn as_u32(self) -> u32 {
        self.0
    }

    /// The 3-digit category: the code's first three digits, which is what the codelist's category column says.
    pub fn category(self) -> DacCategoryCode {
        DacCategoryCode(self.0 / 100)
    }

    /// The codelist's English name (empty only for a code not from the codelist, which cannot be built).
    pub fn name_en(self) -> &'static str {
        dac_sector(self).map_or("", |s| s.name_en.as_str())
    }

    /// True when the codelist marks the code withdrawn.
    pub fn is_withdrawn(self) -> bool {
        dac_sector(self).is_some_and(|s| s.withdrawn)
    }
}

impl fmt::Display for DacCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:05}", self.0)
    }
}

impl Serialize for DacCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DacCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        DacCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl DacCategoryCode {
    /// Reads a 3-digit category code that must exist in the codelist; withdrawn categories are accepted.
    /// Error: field `sector`, code `error-sector-unknown`.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let s = s.trim();
        digits(s, 3)
            .map(DacCategoryCode)
            .filter(|code| dac_category(*code).is_some())
            .ok_or_else(|| ValidationError::new(FIELD, UNKNOWN, format!("unknown DAC sector category {s:?}")))
    }

    /// The category as a number, e.g. `311`.
    pub fn as_u32(self) -> u32 {
        self.0
    }

    /// The codelist's English name (empty only for a category not from the codelist, which cannot be built).
    pub fn name_en(self) -> &'static str {
        dac_category(self).map_or("", |c| c.name_en.as_str())
    }
}

impl fmt::Display for DacCategoryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03}", self.0)
    }
}

/// The Vietnamese national list of priority sectors for foreign non-governmental aid (Decision 40/2013/QĐ-TTg
/// and Decision 1225/QĐ-TTg priority areas). Serialised as its [`code`](VnSector::code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VnSector {
    /// Nông, lâm, ngư nghiệp và phát triển nông thôn.
    AgricultureRuralDevelopment,
    /// Y tế.
    Health,
    /// Giáo dục và đào tạo.
    EducationTraining,
    /// Đào tạo, dạy nghề và hướng nghiệp.
    VocationalTraining,
    /// Giải quyết các vấn đề xã hội.
    SocialIssues,
    /// Môi trường (tài nguyên và môi trường).
    Environment,
    /// Khắc phục hậu quả chiến tranh (bom mìn, vật liệu nổ còn sót lại, chất độc da cam).
    WarLegacies,
    /// Phòng, chống, giảm nhẹ thiên tai và cứu trợ khẩn cấp.
    DisasterEmergency,
    /// Văn hoá, thể thao.
    CultureSport,
    /// Ứng phó với biến đổi khí hậu.
    ClimateChange,
    /// Phát triển kinh tế – xã hội tổng hợp.
    IntegratedDevelopment,
    /// Khác.
    Other,
}

impl VnSector {
    const ALL: [VnSector; 12] = [
        VnSector::AgricultureRuralDevelopment,
        VnSector::Health,
        VnSector::EducationTraining,
        VnSector::VocationalTraining,
        VnSector::SocialIssues,
        VnSector::Environment,
        VnSector::WarLegacies,
        VnSector::DisasterEmergency,
        VnSector::CultureSport,
        VnSector::ClimateChange,
        VnSector::IntegratedDevelopment,
        VnSector::Other,
    ];

    /// All national sectors, in the order of the national list.
    pub fn all() -> &'static [VnSector] {
        &Self::ALL
    }

    /// Stable snake_case English code, used in storage (after `vn:`) and serialisation.
    pub fn code(self) -> &'static str {
        match self {
            VnSector::AgricultureRuralDevelopment => "agriculture_rural_development",
            VnSector::Health => "health",
            VnSector::EducationTraining => "education_training",
            VnSector::VocationalTraining => "vocational_training",
            VnSector::SocialIssues => "social_issues",
            VnSector::Environment => "environment",
            VnSector::WarLegacies => "war_legacies",
            VnSector::DisasterEmergency => "disaster_emergency",
            VnSector::CultureSport => "culture_sport",
            VnSector::ClimateChange => "climate_change",
            VnSector::IntegratedDevelopment => "integrated_development",
            VnSector::Other => "other",
        }
    }

    /// The Vietnamese name, as in the national list.
    pub fn name_vi(self) -> &'static str {
        match self {
            VnSector::AgricultureRuralDevelopment => "Nông, lâm, ngư nghiệp và phát triển nông thôn",
            VnSector::Health => "Y tế",
            VnSector::EducationTraining => "Giáo dục và đào tạo",
            VnSector::VocationalTraining => "Đào tạo, dạy nghề và hướng nghiệp",
            VnSector::SocialIssues => "Giải quyết các vấn đề xã hội",
            VnSector::Environment => "Môi trường (tài nguyên và môi trường)",
            VnSector::WarLegacies => "Khắc phục hậu quả chiến tranh",
            VnSector::DisasterEmergency => "Phòng, chống, giảm nhẹ thiên tai và cứu trợ khẩn cấp",
            VnSector::CultureSport => "Văn hoá, thể thao",
            VnSector::ClimateChange => "Ứng phó với biến đổi khí hậu",
            VnSector::IntegratedDevelopment => "Phát triển kinh tế – xã hội tổng hợp",
            VnSector::Other => "Khác",
        }
    }

    /// The English name.
    pub fn name_en(self) -> &'static str {
        match self {
            VnSector::AgricultureRuralDevelopment => "Agriculture, forestry, fisheries and rural development",
            VnSector::Health => "Health",
            VnSector::EducationTraining => "Education and training",
            VnSector::VocationalTraining => "Vocational training",
            VnSector::SocialIssues => "Social issues",
            VnSector::Environment => "Environment and natural resources",
            VnSector::WarLegacies => "War legacies (UXO, Agent Orange)",
            VnSector::DisasterEmergency => "Disaster prevention, mitigation and emergency relief",
            VnSector::CultureSport => "Culture and sport",
            VnSector::ClimateChange => "Climate change",
            VnSector::IntegratedDevelopment => "Integrated socio-economic development",
            VnSector::Other => "Other",
        }
    }

    /// Reads a national sector from its code or its Vietnamese or English name, ignoring case, diacritics,
    /// spaces and punctuation ("y te", "Y TẾ", "Văn hóa thể thao"). Error: field `sector`, code
    /// `error-sector-unknown`.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let wanted = key(s);
        Self::ALL
            .into_iter()
            .find(|v| !wanted.is_empty() && [v.code(), v.name_vi(), v.name_en()].iter().any(|n| key(n) == wanted))
            .ok_or_else(|| ValidationError::new(FIELD, UNKNOWN, format!("unknown sector {:?}", s.trim())))
    }
}

impl fmt::Display for VnSector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

// Names are compared on letters and digits only, so "Văn hoá, thể thao", "van hoa the thao" and
// "văn_hóa-thể_thao" are the same key.
fn key(s: &str) -> String {
    fold(s).chars().filter(|c| c.is_alphanumeric()).collect()
}

/// The national sector a DAC code is reported under.
///
/// \[I\]: inference, to confirm with COMINGO's list. The table, first match wins:
/// - a code whose English name mentions climate → climate change (none in the vendored list does yet);
/// - 11330 vocational training → vocational training;
/// - 14030–14032 basic (rural) drinking water and sanitation → agriculture and rural development, as provincial
///   reports usually file rural clean water under the national rural development programme;
/// - 15160 and 15162 human rights, 15164 and 15170 women's equality and rights, 15180 ending violence against
///   women and girls → social issues;
/// - 15250 removal of land mines and explosive remnants of war, 15261 child soldiers → war legacies (Agent Orange
///   has no DAC code: choose [`VnSector::WarLegacies`] directly);
/// - 16061 culture and recreation, 16065 recreation and sport, 16066 culture → culture and sport;
/// - 16062 statistical capacity building → other;
/// - 32161 agro-industries, 32162 forest industries → agriculture and rural development;
/// - 41050 flood prevention/control (withdrawn) → disaster prevention, as flood control is "phòng chống thiên
///   tai" in Viet Nam;
/// - 43040–43042 rural development → agriculture and rural development;
/// - 43060 disaster risk reduction → disaster prevention;
/// - then by category: 111–114 → education and training; 121–123 health, 130 population and reproductive
///   health, 140 the rest of water supply and sanitation → health; 160 other social infrastructure and
///   services (social protection, employment, housing, narcotics, labour rights, social dialogue) → social
///   issues; 311 agriculture, 312 forestry, 313 fishing → agriculture and rural development; 410 environment
///   protection → environment; 430 other multisector → integrated socio-economic development; 720 emergency
///   response, 730 reconstruction relief, 740 disaster prevention and preparedness → disaster prevention and
///   emergency relief;
/// - anything else (governance, infrastructure, energy, banking, trade, budget support, …) → other.
pub fn vn_sector_for_dac(code: &DacCode) -> VnSector {
    vn_sector_for(code.as_u32(), code.name_en())
}

fn vn_sector_for(code: u32, name_en: &str) -> VnSector {
    if fold(name_en).contains("climate") {
        return VnSector::ClimateChange;
    }
    match code {
        11330 => VnSector::VocationalTraining,
        14030..=14032 | 32161 | 32162 | 43040..=43042 => VnSector::AgricultureRuralDevelopment,
        15160 | 15162 | 15164 | 15170 | 15180 => VnSector::SocialIssues,
        15250 | 15261 => VnSector::WarLegacies,
        16061 | 16065 | 16066 => VnSector::CultureSport,
        16062 => VnSector::Other,
        41050 | 43060 => VnSector::DisasterEmergency,
        _ => match code / 100 {
            111..=114 => VnSector::EducationTraining,
            121..=123 | 130 | 140 => VnSector::Health,
            160 => VnSector::SocialIssues,
            311..=313 => VnSector::AgricultureRuralDevelopment,
            410 => VnSector::Environment,
            430 => VnSector::IntegratedDevelopment,
            720 | 730 | 740 => VnSector::DisasterEmergency,
            _ => VnSector::Other,
        },
    }
}

/// The sector an aid item's percentage is attached to: a DAC purpose code or a national sector.
///
/// Stored and serialised as [`code`](SectorRef::code): the 5-digit DAC code, or `vn:` and the national code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SectorRef {
    /// An OECD-DAC 5-digit purpose code.
    Dac(DacCode),
    /// A sector of the Vietnamese national list.
    Vn(VnSector),
}

const VN_PREFIX: &str = "vn:";

// The stored prefix, read in any case ("VN:health" from a hand-edited spreadsheet is still ours).
fn strip_vn_prefix(s: &str) -> Option<&str> {
    let prefix = s.get(..VN_PREFIX.len())?;
    if prefix.eq_ignore_ascii_case(VN_PREFIX) { s.get(VN_PREFIX.len()..) } else { None }
}

impl SectorRef {
    /// Reads a sector: five digits are a DAC code that must exist in the codelist (withdrawn accepted); `vn:`
    /// and a code is the stored form of a national sector; anything else goes to [`VnSector::parse`]. Error:
    /// field `sector`, code `error-sector-unknown`.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let t = s.trim();
        if t.len() == 5 && t.bytes().all(|b| b.is_ascii_digit()) {
            return DacCode::parse(t).map(SectorRef::Dac);
        }
        let national = strip_vn_prefix(t).unwrap_or(t);
        VnSector::parse(national).map(SectorRef::Vn).map_err(|_| {
            ValidationError::new(FIELD, UNKNOWN, format!("unknown sector {t:?}: not a DAC code nor a national sector"))
        })
    }

    /// The storage form: `"11330"` or `"vn:health"`.
    pub fn code(&self) -> String {
        match self {
            SectorRef::Dac(code) => code.to_string(),
            SectorRef::Vn(sector) => format!("{VN_PREFIX}{}", sector.code()),
        }
    }

    /// The category reports group by (`sector_category`): the DAC 3-digit category, or the national sector.
    pub fn category(&self) -> SectorCategoryRef {
        match self {
            SectorRef::Dac(code) => SectorCategoryRef::Dac(code.category()),
            SectorRef::Vn(sector) => SectorCategoryRef::Vn(*sector),
        }
    }

    /// The national sector, through [`vn_sector_for_dac`] for a DAC code.
    pub fn vn_sector(&self) -> VnSector {
        match self {
            SectorRef::Dac(code) => vn_sector_for_dac(code),
            SectorRef::Vn(sector) => *sector,
        }
    }

    /// The Vietnamese name; for a DAC code, the English name, because no Vietnamese DAC names are vendored.
    pub fn name_vi(&self) -> &'static str {
        match self {
            SectorRef::Dac(code) => code.name_en(),
            SectorRef::Vn(sector) => sector.name_vi(),
        }
    }

    /// The English name.
    pub fn name_en(&self) -> &'static str {
        match self {
            SectorRef::Dac(code) => code.name_en(),
            SectorRef::Vn(sector) => sector.name_en(),
        }
    }
}

impl fmt::Display for SectorRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

impl Serialize for SectorRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.code())
    }
}

impl<'de> Deserialize<'de> for SectorRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        SectorRef::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// The group a [`SectorRef`] is reported under as `sector_category`: a DAC 3-digit category or a national
/// sector. Stored and serialised as [`code`](SectorCategoryRef::code).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SectorCategoryRef {
    /// An OECD-DAC 3-digit category.
    Dac(DacCategoryCode),
    /// A sector of the Vietnamese national list, which is its own category.
    Vn(VnSector),
}

impl SectorCategoryRef {
    /// Reads the storage form: three digits for a DAC category that exists in the codelist, or `vn:` and a
    /// national code. Error: field `sector`, code `error-sector-unknown`.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let t = s.trim();
        if let Some(code) = strip_vn_prefix(t) {
            return VnSector::ALL
                .into_iter()
                .find(|v| v.code() == code)
                .map(SectorCategoryRef::Vn)
                .ok_or_else(|| ValidationError::new(FIELD, UNKNOWN, format!("unknown sector category {t:?}")));
        }
        DacCategoryCode::parse(t).map(SectorCategoryRef::Dac)
    }

    /// The storage form: `"311"` or `"vn:health"`.
    pub fn code(&self) -> String {
        match self {
            SectorCategoryRef::Dac(code) => code.to_string(),
            SectorCategoryRef::Vn(sector) => format!("{VN_PREFIX}{}", sector.code()),
        }
    }

    /// The Vietnamese name; for a DAC category, the English name, because no Vietnamese DAC names are vendored.
    pub fn name_vi(&self) -> &'static str {
        match self {
            SectorCategoryRef::Dac(code) => code.name_en(),
            SectorCategoryRef::Vn(sector) => sector.name_vi(),
        }
    }

    /// The English name.
    pub fn name_en(&self) -> &'static str {
        match self {
            SectorCategoryRef::Dac(code) => code.name_en(),
            SectorCategoryRef::Vn(sector) => sector.name_en(),
        }
    }
}

impl fmt::Display for SectorCategoryRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code())
    }
}

impl Serialize for SectorCategoryRef {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.code())
    }
}

impl<'de> Deserialize<'de> for SectorCategoryRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        SectorCategoryRef::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dac(s: &str) -> DacCode {
        DacCode::parse(s).unwrap()
    }

    #[test]
    fn vendored_codelists_parse_completely() {
        let sectors = parse_sectors(SECTOR_CSV).unwrap();
        let categories = parse_categories(SECTOR_CATEGORY_CSV).unwrap();
        assert_eq!(sectors.len(), SECTOR_CSV.lines().count() - 1);
        assert_eq!(categories.len(), SECTOR_CATEGORY_CSV.lines().count() - 1);
        assert_eq!(dac_sectors().len(), 325);
        assert_eq!(dac_sectors().iter().filter(|s| s.withdrawn).count(), 30);
        assert_eq!(dac_categories().len(), 44);
        assert_eq!(dac_categories().iter().filter(|c| c.withdrawn).count(), 2);
    }

    #[test]
    fn every_sector_belongs_to_a_known_category_named_by_its_first_three_digits() {
        for sector in dac_sectors() {
            assert_eq!(sector.code.category(), sector.category, "{}", sector.code);
            assert!(dac_category(sector.category).is_some(), "{}", sector.code);
            assert!(!sector.name_en.is_empty(), "{}", sector.code);
        }
    }

    #[test]
    fn known_dac_code_is_looked_up_with_its_name_and_category() {
        let code = dac("11330");
        let sector = dac_sector(code).unwrap();
        assert_eq!(sector.name_en, "Vocational training");
        assert_eq!(sector.category.to_string(), "113");
        assert!(!sector.withdrawn);
        assert_eq!(dac_category(sector.category).unwrap().name_en, "Secondary Education");
        assert_eq!(code.to_string(), "11330");
        assert_eq!(code.as_u32(), 11330);
    }

    #[test]
    fn withdrawn_dac_codes_are_accepted() {
        let code = dac("15162");
        assert!(code.is_withdrawn());
        assert_eq!(code.name_en(), "Human rights");
        assert_eq!(SectorRef::parse("23067").unwrap(), SectorRef::Dac(dac("23067")));
        assert!(DacCategoryCode::parse("920").is_ok());
    }

    #[test]
    fn unknown_or_malformed_dac_codes_are_refused_on_the_sector_field() {
        for bad in ["99999", "1111", "111100", "1133a", "", "   "] {
            let err = SectorRef::parse(bad).unwrap_err();
            assert_eq!(err.field, "sector", "{bad:?}");
            assert_eq!(err.code, "error-sector-unknown", "{bad:?}");
        }
        assert!(DacCode::parse("00000").is_err());
        assert!(DacCategoryCode::parse("999").is_err());
    }

    #[test]
    fn national_sector_is_understood_by_code_or_name_without_diacritics() {
        assert_eq!(VnSector::parse("health").unwrap(), VnSector::Health);
        assert_eq!(VnSector::parse("Y tế").unwrap(), VnSector::Health);
        assert_eq!(VnSector::parse("y te").unwrap(), VnSector::Health);
        assert_eq!(VnSector::parse("Văn hóa, thể thao").unwrap(), VnSector::CultureSport);
        assert_eq!(VnSector::parse("VAN HOA THE THAO").unwrap(), VnSector::CultureSport);
        assert_eq!(VnSector::parse("phat trien kinh te - xa hoi tong hop").unwrap(), VnSector::IntegratedDevelopment);
        assert_eq!(VnSector::parse("Khắc phục hậu quả chiến tranh").unwrap(), VnSector::WarLegacies);
        assert_eq!(VnSector::parse("Climate change").unwrap(), VnSector::ClimateChange);
        assert_eq!(VnSector::parse(" khac ").unwrap(), VnSector::Other);
        let err = VnSector::parse("giao thong").unwrap_err();
        assert_eq!((err.field.as_str(), err.code), ("sector", "error-sector-unknown"));
        assert!(VnSector::parse("").is_err());
    }

    #[test]
    fn every_national_sector_round_trips_through_code_names_and_serde() {
        assert_eq!(VnSector::all().len(), 12);
        for &v in VnSector::all() {
            assert_eq!(VnSector::parse(v.code()).unwrap(), v);
            assert_eq!(VnSector::parse(v.name_vi()).unwrap(), v);
            assert_eq!(VnSector::parse(v.name_en()).unwrap(), v);
            assert_eq!(VnSector::parse(&fold(v.name_vi())).unwrap(), v);
            assert_eq!(to_text(&v), v.code());
            assert_eq!(VnSector::deserialize(text(v.code())).unwrap(), v);
        }
    }

    // serde_json is not a dependency of this crate; csv (a dependency) serialises one string field plainly.
    fn to_text<T: Serialize>(value: &T) -> String {
        let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
        writer.serialize((value,)).unwrap();
        String::from_utf8(writer.into_inner().unwrap()).unwrap().trim_end().to_owned()
    }

    fn text(s: &str) -> serde::de::value::StrDeserializer<'_, serde::de::value::Error> {
        serde::de::value::StrDeserializer::new(s)
    }

    #[test]
    fn stored_sector_codes_round_trip_for_every_dac_code_and_national_sector() {
        let all = dac_sectors()
            .iter()
            .map(|s| SectorRef::Dac(s.code))
            .chain(VnSector::all().iter().map(|&v| SectorRef::Vn(v)));
        for sector in all {
            let code = sector.code();
            assert_eq!(SectorRef::parse(&code).unwrap(), sector, "{code}");
            assert_eq!(to_text(&sector), code);
            assert_eq!(SectorRef::deserialize(text(&code)).unwrap(), sector);
            let category = sector.category();
            assert_eq!(SectorCategoryRef::parse(&category.code()).unwrap(), category);
            assert_eq!(SectorCategoryRef::deserialize(text(&category.code())).unwrap(), category);
            assert!(!sector.name_en().is_empty() && !sector.name_vi().is_empty(), "{code}");
        }
    }

    #[test]
    fn national_sector_is_stored_with_a_vn_prefix_and_read_back() {
        let sector = SectorRef::parse("Giáo dục và đào tạo").unwrap();
        assert_eq!(sector, SectorRef::Vn(VnSector::EducationTraining));
        assert_eq!(sector.code(), "vn:education_training");
        assert_eq!(SectorRef::parse("vn:education_training").unwrap(), sector);
        assert_eq!(SectorRef::parse("VN:health").unwrap(), SectorRef::Vn(VnSector::Health));
        assert_eq!(sector.category(), SectorCategoryRef::Vn(VnSector::EducationTraining));
        assert_eq!(sector.category().code(), "vn:education_training");
        assert_eq!(sector.name_vi(), "Giáo dục và đào tạo");
        assert_eq!(sector.vn_sector(), VnSector::EducationTraining);
        assert!(SectorRef::parse("vn:").is_err());
        assert!(SectorRef::parse("vn:khong co").is_err());
    }

    #[test]
    fn dac_sector_reports_its_category_and_falls_back_to_english_for_the_vietnamese_name() {
        let sector = SectorRef::parse(" 12220 ").unwrap();
        assert_eq!(sector.code(), "12220");
        assert_eq!(sector.category(), SectorCategoryRef::Dac(DacCategoryCode::parse("122").unwrap()));
        assert_eq!(sector.category().code(), "122");
        assert_eq!(sector.category().name_en(), "Basic Health");
        assert_eq!(sector.name_en(), "Basic health care");
        assert_eq!(sector.name_vi(), "Basic health care");
        assert_eq!(sector.vn_sector(), VnSector::Health);
    }

    #[test]
    fn dac_codes_map_to_the_national_list_as_documented() {
        let cases = [
            ("31161", VnSector::AgricultureRuralDevelopment),
            ("31220", VnSector::AgricultureRuralDevelopment),
            ("31320", VnSector::AgricultureRuralDevelopment),
            ("32161", VnSector::AgricultureRuralDevelopment),
            ("43042", VnSector::AgricultureRuralDevelopment),
            ("14031", VnSector::AgricultureRuralDevelopment),
            ("14032", VnSector::AgricultureRuralDevelopment),
            ("14021", VnSector::Health),
            ("12220", VnSector::Health),
            ("12340", VnSector::Health),
            ("13040", VnSector::Health),
            ("11220", VnSector::EducationTraining),
            ("11420", VnSector::EducationTraining),
            ("11321", VnSector::EducationTraining),
            ("11330", VnSector::VocationalTraining),
            ("16010", VnSector::SocialIssues),
            ("16070", VnSector::SocialIssues),
            ("15160", VnSector::SocialIssues),
            ("15170", VnSector::SocialIssues),
            ("41030", VnSector::Environment),
            ("41082", VnSector::Environment),
            ("15250", VnSector::WarLegacies),
            ("72010", VnSector::DisasterEmergency),
            ("73010", VnSector::DisasterEmergency),
            ("74020", VnSector::DisasterEmergency),
            ("43060", VnSector::DisasterEmergency),
            ("16061", VnSector::CultureSport),
            ("16065", VnSector::CultureSport),
            ("43010", VnSector::IntegratedDevelopment),
            ("15110", VnSector::Other),
            ("21020", VnSector::Other),
            ("23067", VnSector::Other),
            ("99810", VnSector::Other),
        ];
        for (code, expected) in cases {
            assert_eq!(vn_sector_for_dac(&dac(code)), expected, "{code}");
        }
    }

    #[test]
    fn a_dac_code_whose_name_mentions_climate_maps_to_climate_change() {
        assert_eq!(vn_sector_for(41010, "Climate change adaptation"), VnSector::ClimateChange);
        assert_eq!(vn_sector_for(41010, "Environmental policy and administrative management"), VnSector::Environment);
    }

    #[test]
    fn every_national_sector_but_climate_change_is_reached_from_some_dac_code() {
        for &v in VnSector::all() {
            let reached = dac_sectors().iter().any(|s| vn_sector_for_dac(&s.code) == v);
            assert_eq!(reached, v != VnSector::ClimateChange, "{v}");
        }
    }

    proptest! {
        #[test]
        fn parsing_any_text_never_panics(s in "\\PC*") {
            let _ = SectorRef::parse(&s);
            let _ = SectorCategoryRef::parse(&s);
        }
    }
}
