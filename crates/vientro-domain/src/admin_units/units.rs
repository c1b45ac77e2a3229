//! The units themselves and the two sets they belong to (before and after the 2025 reform).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::codes::{CommuneCode, DistrictCode, ProvinceCode};
use super::region::Region;

/// The day the 2025 reform took effect: 34 provinces and 3,321 communes, no districts.
pub const REFORM_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2025, 7, 1) {
    Some(date) => date,
    None => panic!("2025-07-01 is a valid date"),
};

/// The last day the pre-2025 units (63 provinces, 696 districts, 10,035 communes) were in force.
pub const LAST_PRE_REFORM_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2025, 6, 30) {
    Some(date) => date,
    None => panic!("2025-06-30 is a valid date"),
};

/// Which generation of administrative units a unit belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitSet {
    /// Units in force until 2025-06-30 (three levels: province, district, commune).
    Pre2025,
    /// Units in force from 2025-07-01 (two levels: province, commune).
    From2025,
}

impl UnitSet {
    /// The set in force on `date`.
    pub fn for_date(date: NaiveDate) -> UnitSet {
        if date < REFORM_DATE { UnitSet::Pre2025 } else { UnitSet::From2025 }
    }

    /// First day the set was in force; `None` for the pre-2025 set (in force since before any
    /// date this system records).
    pub fn valid_from(self) -> Option<NaiveDate> {
        match self {
            UnitSet::Pre2025 => None,
            UnitSet::From2025 => Some(REFORM_DATE),
        }
    }

    /// Last day the set was in force; `None` while it still is.
    pub fn valid_until(self) -> Option<NaiveDate> {
        match self {
            UnitSet::Pre2025 => Some(LAST_PRE_REFORM_DATE),
            UnitSet::From2025 => None,
        }
    }

    /// True when the set was in force on `date`.
    pub fn is_valid_on(self, date: NaiveDate) -> bool {
        UnitSet::for_date(date) == self
    }
}

/// The kind of a commune-level unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommuneKind {
    /// Xã: rural commune.
    Xa,
    /// Phường: urban ward.
    Phuong,
    /// Thị trấn: township (pre-2025 only).
    ThiTran,
    /// Đặc khu: special zone, the 13 island units created in 2025.
    DacKhu,
}

impl CommuneKind {
    /// The Vietnamese name as used in unit names, e.g. "Thị trấn".
    pub fn name_vi(self) -> &'static str {
        match self {
            CommuneKind::Xa => "Xã",
            CommuneKind::Phuong => "Phường",
            CommuneKind::ThiTran => "Thị trấn",
            CommuneKind::DacKhu => "Đặc khu",
        }
    }

    /// Reads the `type` column of the vendored CSVs ("Xã", "phường", "Thị trấn", "đặc khu", …),
    /// ignoring case and diacritics.
    pub fn from_vi(text: &str) -> Option<CommuneKind> {
        match crate::text::fold(text).as_str() {
            "xa" => Some(CommuneKind::Xa),
            "phuong" => Some(CommuneKind::Phuong),
            "thi tran" => Some(CommuneKind::ThiTran),
            "dac khu" => Some(CommuneKind::DacKhu),
            _ => None,
        }
    }
}

/// A province or centrally-run city (tỉnh / thành phố trực thuộc trung ương).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Province {
    /// GSO code, unique within its set.
    pub code: ProvinceCode,
    /// Full name with its prefix, e.g. "Tỉnh Bắc Kạn", "Thành phố Hà Nội".
    pub name: String,
    /// Name without the "Tỉnh" / "Thành phố" prefix, e.g. "Bắc Kạn".
    pub short_name: String,
    /// Before or after the 2025 reform.
    pub set: UnitSet,
    /// Socio-economic region (for new provinces: see the data README, "Socio-economic regions").
    pub region: Region,
}

/// A district (huyện, quận, thị xã or provincial city); districts were abolished in 2025, so every
/// district belongs to [`UnitSet::Pre2025`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct District {
    /// GSO code, e.g. `066`.
    pub code: DistrictCode,
    /// Full name with its prefix, e.g. "Huyện Na Rì".
    pub name: String,
    /// The pre-2025 province it belonged to.
    pub province_code: ProvinceCode,
}

/// A commune-level unit (xã, phường, thị trấn or đặc khu).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commune {
    /// GSO code, unique within its set (old and new codes overlap: 02176 is Xã Cư Lễ before the
    /// reform and Xã Trần Phú after it).
    pub code: CommuneCode,
    /// Full name with its prefix, e.g. "Xã Cư Lễ".
    pub name: String,
    /// Xã, phường, thị trấn or đặc khu.
    pub kind: CommuneKind,
    /// The district, for pre-2025 communes; `None` from 2025.
    pub district_code: Option<DistrictCode>,
    /// The province in the same set.
    pub province_code: ProvinceCode,
    /// Before or after the 2025 reform.
    pub set: UnitSet,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn june_thirtieth_2025_is_the_last_day_of_the_old_units() {
        assert_eq!(UnitSet::for_date(day(2025, 6, 30)), UnitSet::Pre2025);
        assert_eq!(UnitSet::for_date(day(2025, 7, 1)), UnitSet::From2025);
        assert_eq!(UnitSet::for_date(day(2019, 1, 1)), UnitSet::Pre2025);
        assert_eq!(UnitSet::Pre2025.valid_until(), Some(day(2025, 6, 30)));
        assert_eq!(UnitSet::From2025.valid_from(), Some(REFORM_DATE));
        assert!(UnitSet::From2025.is_valid_on(day(2026, 1, 1)));
        assert!(!UnitSet::Pre2025.is_valid_on(day(2026, 1, 1)));
    }

    #[test]
    fn commune_kinds_are_read_regardless_of_case() {
        assert_eq!(CommuneKind::from_vi("Thị Trấn"), Some(CommuneKind::ThiTran));
        assert_eq!(CommuneKind::from_vi("đặc khu"), Some(CommuneKind::DacKhu));
        assert_eq!(CommuneKind::from_vi("Phường"), Some(CommuneKind::Phuong));
        assert_eq!(CommuneKind::from_vi("huyện"), None);
    }
}
