//! Reading a unit as an officer writes it (a code or a name, accents optional) within one unit set, as the
//! record forms, imports and the CLI need it.
//!
//! Only parsing lives here; searching across both sets is `lookup`, and the crosswalk is in `data`.

use super::codes::{CommuneCode, DistrictCode, ProvinceCode};
use super::data::AdminUnits;
use super::lookup::{MatchRank, UnitRef};
use super::units::UnitSet;
use crate::error::ValidationError;

impl UnitSet {
    /// Stable storage code: `pre2025` or `from2025`.
    pub fn as_str(self) -> &'static str {
        match self {
            UnitSet::Pre2025 => "pre2025",
            UnitSet::From2025 => "from2025",
        }
    }

    /// Parses a storage code (also `old`/`new`, `63`/`34`).
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pre2025" | "old" | "63" => Ok(UnitSet::Pre2025),
            "from2025" | "new" | "34" => Ok(UnitSet::From2025),
            _ => Err(ValidationError::new(
                "unit_set",
                "error-unit-set-unknown",
                format!("'{s}' is not a unit set; use pre2025 (63 provinces) or from2025 (34 provinces)"),
            )),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            UnitSet::Pre2025 => "the units in force until 30 June 2025",
            UnitSet::From2025 => "the units in force from 1 July 2025",
        }
    }
}

fn is_code(text: &str) -> bool {
    let t = text.trim();
    !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())
}

/// Picks the one unit a name means: a single exact match, else a single prefix match.
fn single<T>(candidates: Vec<(MatchRank, &T)>) -> Result<&T, usize> {
    for rank in [MatchRank::Exact, MatchRank::Prefix] {
        let hits: Vec<&T> = candidates.iter().filter(|(r, _)| *r == rank).map(|(_, t)| *t).collect();
        match hits.len() {
            1 => return Ok(hits[0]),
            0 => continue,
            n => return Err(n),
        }
    }
    Err(0)
}

impl AdminUnits {
    /// A province of `set`, given its code or its name.
    pub fn parse_province_in(&self, text: &str, set: UnitSet) -> Result<ProvinceCode, ValidationError> {
        let unknown = |detail: String| ValidationError::new("province", "error-province-unknown", detail);
        if is_code(text) {
            let code = ProvinceCode::parse(text)?;
            return match self.province(&code, set) {
                Some(p) => Ok(p.code.clone()),
                None => Err(unknown(format!("there is no province with code {code} in {}", set.describe()))),
            };
        }
        let candidates = self
            .lookup(text)
            .into_iter()
            .filter_map(|m| match m.unit {
                UnitRef::Province(p) if p.set == set => Some((m.rank, p)),
                _ => None,
            })
            .collect();
        match single(candidates) {
            Ok(p) => Ok(p.code.clone()),
            Err(0) => Err(unknown(format!("no province called '{}' in {}", text.trim(), set.describe()))),
            Err(n) => Err(unknown(format!("'{}' could be {n} provinces; give the code", text.trim()))),
        }
    }

    /// A province of today's units (from 1 July 2025), given its code or its name.
    pub fn parse_province(&self, text: &str) -> Result<ProvinceCode, ValidationError> {
        self.parse_province_in(text, UnitSet::From2025)
    }

    /// A pre-2025 district of `province`, given its code or its name.
    pub fn parse_district_in(&self, text: &str, province: &ProvinceCode) -> Result<DistrictCode, ValidationError> {
        let unknown = |detail: String| ValidationError::new("district", "error-district-unknown", detail);
        if is_code(text) {
            let code = DistrictCode::parse(text)?;
            return match self.district(&code) {
                Some(d) if &d.province_code == province => Ok(d.code.clone()),
                Some(d) => Err(unknown(format!("district {code} ({}) is not in province {province}", d.name))),
                None => Err(unknown(format!("there is no district with code {code}"))),
            };
        }
        let candidates = self
            .lookup(text)
            .into_iter()
            .filter_map(|m| match m.unit {
                UnitRef::District(d) if &d.province_code == province => Some((m.rank, d)),
                _ => None,
            })
            .collect();
        match single(candidates) {
            Ok(d) => Ok(d.code.clone()),
            Err(0) => Err(unknown(format!("no district called '{}' in province {province}", text.trim()))),
            Err(n) => {
                Err(unknown(format!("'{}' could be {n} districts of province {province}; give the code", text.trim())))
            }
        }
    }

    /// A commune of `set` inside `province` (and `district`, when given), by code or name.
    pub fn parse_commune_in(
        &self,
        text: &str,
        province: &ProvinceCode,
        set: UnitSet,
        district: Option<&DistrictCode>,
    ) -> Result<CommuneCode, ValidationError> {
        let unknown = |detail: String| ValidationError::new("commune", "error-commune-unknown", detail);
        let fits = |c: &super::units::Commune| {
            &c.province_code == province && district.is_none_or(|d| c.district_code.as_ref() == Some(d))
        };
        if is_code(text) {
            let code = CommuneCode::parse(text)?;
            return match self.commune(&code, set) {
                Some(c) if fits(c) => Ok(c.code.clone()),
                Some(c) => Err(unknown(format!("commune {code} ({}) is not in province {province}", c.name))),
                None => Err(unknown(format!("there is no commune with code {code} in {}", set.describe()))),
            };
        }
        let candidates = self
            .lookup(text)
            .into_iter()
            .filter_map(|m| match m.unit {
                UnitRef::Commune(c) if c.set == set && fits(c) => Some((m.rank, c)),
                _ => None,
            })
            .collect();
        match single(candidates) {
            Ok(c) => Ok(c.code.clone()),
            Err(0) => Err(unknown(format!("no commune called '{}' in province {province}", text.trim()))),
            Err(n) => {
                Err(unknown(format!("'{}' could be {n} communes of province {province}; give the code", text.trim())))
            }
        }
    }

    /// The province of today's units that a province of `set` is now part of.
    pub fn current_province_code(&self, code: &ProvinceCode, set: UnitSet) -> ProvinceCode {
        match set {
            UnitSet::From2025 => code.clone(),
            UnitSet::Pre2025 => self.successor_province(code).map(|p| p.code.clone()).unwrap_or_else(|_| code.clone()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn units() -> &'static AdminUnits {
        AdminUnits::embedded()
    }

    #[test]
    fn a_province_is_read_by_code_or_name_in_its_own_set() {
        assert_eq!(units().parse_province_in("bac kan", UnitSet::Pre2025).unwrap().as_str(), "06");
        assert_eq!(units().parse_province_in("6", UnitSet::Pre2025).unwrap().as_str(), "06");
        assert_eq!(units().parse_province_in("Thái Nguyên", UnitSet::From2025).unwrap().as_str(), "19");
        let e = units().parse_province_in("Bắc Kạn", UnitSet::From2025).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("province", "error-province-unknown"));
        assert_eq!(units().parse_province_in("98", UnitSet::Pre2025).unwrap_err().code, "error-province-unknown");
    }

    #[test]
    fn a_commune_is_read_within_its_province_and_district() {
        let bk = ProvinceCode::parse("06").unwrap();
        let na_ri = units().parse_district_in("Na Rì", &bk).unwrap();
        assert_eq!(units().parse_commune_in("Cư Lễ", &bk, UnitSet::Pre2025, Some(&na_ri)).unwrap().as_str(), "02176");
        assert_eq!(units().parse_commune_in("02176", &bk, UnitSet::Pre2025, None).unwrap().as_str(), "02176");
        let cb = ProvinceCode::parse("04").unwrap();
        assert_eq!(units().parse_commune_in("02176", &cb, UnitSet::Pre2025, None).unwrap_err().field, "commune");
    }

    #[test]
    fn an_old_province_is_now_part_of_its_successor() {
        let bk = ProvinceCode::parse("06").unwrap();
        assert_eq!(units().current_province_code(&bk, UnitSet::Pre2025).as_str(), "19");
        assert_eq!(UnitSet::parse(UnitSet::Pre2025.as_str()).unwrap(), UnitSet::Pre2025);
    }
}
