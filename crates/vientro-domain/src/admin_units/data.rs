//! The vendored data set: parsing the CSVs once, look-ups by code, and the 2025 crosswalk.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::codes::{CommuneCode, DistrictCode, ProvinceCode};
use super::lookup::SearchIndex;
use super::region::Region;
use super::units::{Commune, CommuneKind, District, Province, REFORM_DATE, UnitSet};
use crate::error::ValidationError;

/// The text of every vendored CSV; [`Sources::EMBEDDED`] is the copy compiled into the binary.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sources<'a> {
    pub(crate) old_provinces: &'a str,
    pub(crate) old_districts: &'a str,
    pub(crate) old_communes: &'a str,
    pub(crate) new_provinces: &'a str,
    pub(crate) new_communes: &'a str,
    pub(crate) crosswalk_communes: &'a str,
    pub(crate) crosswalk_provinces: &'a str,
}

impl Sources<'static> {
    pub(crate) const EMBEDDED: Sources<'static> = Sources {
        old_provinces: include_str!("../../data/vn-admin/old_provinces_pre2025.csv"),
        old_districts: include_str!("../../data/vn-admin/old_districts_pre2025.csv"),
        old_communes: include_str!("../../data/vn-admin/old_communes_pre2025.csv"),
        new_provinces: include_str!("../../data/vn-admin/new_provinces_2025.csv"),
        new_communes: include_str!("../../data/vn-admin/new_communes_2025.csv"),
        crosswalk_communes: include_str!("../../data/vn-admin/crosswalk_commune_2025.csv"),
        crosswalk_provinces: include_str!("../../data/vn-admin/crosswalk_province_2025.csv"),
    };
}

/// One new commune that (part of) an old commune went into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrosswalkTarget {
    /// The From2025 commune.
    pub new_commune_code: CommuneCode,
    /// The relation as the NSO table words it, e.g. "Nhập toàn bộ" (merged whole) or
    /// "Nhập một phần" (merged in part).
    pub relation_vi: String,
    /// True for exactly one target of each old commune: the one used when nobody chose.
    pub is_default: bool,
}

/// The outcome of [`AdminUnits::resolve_commune`]: where an old commune is now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedCommune {
    /// The pre-2025 commune that was resolved.
    pub old_commune_code: CommuneCode,
    /// The From2025 commune chosen.
    pub new_commune_code: CommuneCode,
    /// The From2025 province of that commune.
    pub new_province_code: ProvinceCode,
    /// The crosswalk relation of the chosen target, e.g. "Nhập toàn bộ".
    pub relation_vi: String,
    /// True when the chosen target is the crosswalk's default.
    pub is_default_target: bool,
    /// True when a person chose the target (even if they chose the default).
    pub manual_override: bool,
    /// How many targets the old commune has; more than one means it was split.
    pub n_targets: usize,
}

/// Every administrative unit before and after the 2025 reform, and the crosswalk between them.
///
/// Built once from the vendored CSVs; every list is sorted by code and looked up by binary search.
#[derive(Debug)]
pub struct AdminUnits {
    old_provinces: Vec<Province>,
    new_provinces: Vec<Province>,
    districts: Vec<District>,
    old_communes: Vec<Commune>,
    new_communes: Vec<Commune>,
    /// Index into `new_provinces` of the successor of `old_provinces[i]`.
    province_successors: Vec<usize>,
    /// Old commune code → its targets (default first, then by code), sorted by old code.
    commune_crosswalk: Vec<(CommuneCode, Vec<CrosswalkTarget>)>,
    pub(super) search: SearchIndex,
}

static EMBEDDED: OnceLock<AdminUnits> = OnceLock::new();

impl AdminUnits {
    /// The data set compiled into this binary, parsed on first use.
    ///
    /// # Panics
    /// Only if the vendored CSVs are inconsistent, which the test
    /// `vendored_files_parse_with_the_documented_counts` rules out before release.
    pub fn embedded() -> &'static AdminUnits {
        EMBEDDED.get_or_init(|| match AdminUnits::parse(&Sources::EMBEDDED) {
            Ok(units) => units,
            Err(problem) => panic!("vendored data/vn-admin CSVs are invalid: {problem}"),
        })
    }

    /// Parses and cross-checks the CSVs; the error names the file and line of the first problem.
    pub(crate) fn parse(sources: &Sources<'_>) -> Result<AdminUnits, String> {
        let old_provinces = parse_old_provinces(sources.old_provinces)?;
        let new_provinces = parse_new_provinces(sources.new_provinces, &old_provinces)?;
        let districts = parse_districts(sources.old_districts, &old_provinces)?;
        let old_communes = parse_old_communes(sources.old_communes, &districts)?;
        let new_communes = parse_new_communes(sources.new_communes, &new_provinces.provinces)?;
        let province_successors =
            parse_province_crosswalk(sources.crosswalk_provinces, &old_provinces, &new_provinces)?;
        let mut units = AdminUnits {
            old_provinces,
            new_provinces: new_provinces.provinces,
            districts,
            old_communes,
            new_communes,
            province_successors,
            commune_crosswalk: Vec::new(),
            search: SearchIndex::default(),
        };
        units.commune_crosswalk = parse_commune_crosswalk(sources.crosswalk_communes, &units)?;
        units.search = SearchIndex::build(&units);
        Ok(units)
    }

    /// The province with `code` in `set`.
    pub fn province(&self, code: &ProvinceCode, set: UnitSet) -> Option<&Province> {
        find(self.provinces(set), code, |p| &p.code)
    }

    /// The pre-2025 province with `code`.
    pub fn old_province(&self, code: &ProvinceCode) -> Option<&Province> {
        self.province(code, UnitSet::Pre2025)
    }

    /// The From2025 province with `code`.
    pub fn new_province(&self, code: &ProvinceCode) -> Option<&Province> {
        self.province(code, UnitSet::From2025)
    }

    /// The provinces of `set`, sorted by code (63 before the reform, 34 after).
    pub fn provinces(&self, set: UnitSet) -> &[Province] {
        match set {
            UnitSet::Pre2025 => &self.old_provinces,
            UnitSet::From2025 => &self.new_provinces,
        }
    }

    /// The pre-2025 district with `code`.
    pub fn district(&self, code: &DistrictCode) -> Option<&District> {
        find(&self.districts, code, |d| &d.code)
    }

    /// All 696 pre-2025 districts, sorted by code.
    pub fn districts(&self) -> &[District] {
        &self.districts
    }

    /// The commune with `code` in `set`.
    pub fn commune(&self, code: &CommuneCode, set: UnitSet) -> Option<&Commune> {
        find(self.communes(set), code, |c| &c.code)
    }

    /// The pre-2025 commune with `code`.
    pub fn old_commune(&self, code: &CommuneCode) -> Option<&Commune> {
        self.commune(code, UnitSet::Pre2025)
    }

    /// The From2025 commune with `code`.
    pub fn new_commune(&self, code: &CommuneCode) -> Option<&Commune> {
        self.commune(code, UnitSet::From2025)
    }

    /// The communes of `set`, sorted by code.
    pub fn communes(&self, set: UnitSet) -> &[Commune] {
        match set {
            UnitSet::Pre2025 => &self.old_communes,
            UnitSet::From2025 => &self.new_communes,
        }
    }

    /// The communes of the province `code` of `set`, sorted by code; empty for an unknown province.
    pub fn communes_of_province(&self, code: &ProvinceCode, set: UnitSet) -> Vec<&Commune> {
        self.communes(set).iter().filter(|c| &c.province_code == code).collect()
    }

    /// The From2025 province a pre-2025 province became part of (63 → 34; no province was split).
    pub fn successor_province(&self, old: &ProvinceCode) -> Result<&Province, ValidationError> {
        self.old_provinces
            .binary_search_by(|p| p.code.cmp(old))
            .ok()
            .and_then(|i| self.province_successors.get(i))
            .and_then(|&j| self.new_provinces.get(j))
            .ok_or_else(|| {
                ValidationError::new(
                    "province",
                    "error-province-unknown",
                    format!("no province had code {old} before 2025-07-01"),
                )
            })
    }

    /// The pre-2025 provinces merged into the From2025 province `new`: the one that kept its code
    /// first, then the others by code. Empty for an unknown code.
    pub fn predecessor_provinces(&self, new: &ProvinceCode) -> Vec<&Province> {
        let Ok(target) = self.new_provinces.binary_search_by(|p| p.code.cmp(new)) else {
            return Vec::new();
        };
        let mut members: Vec<&Province> = self
            .old_provinces
            .iter()
            .zip(&self.province_successors)
            .filter(|&(_, &successor)| successor == target)
            .map(|(old, _)| old)
            .collect();
        members.sort_by_key(|p| (&p.code != new, p.code.clone()));
        members
    }

    /// The From2025 communes an old commune went into, the default first; empty for a code that
    /// is not a pre-2025 commune.
    pub fn commune_targets(&self, old: &CommuneCode) -> &[CrosswalkTarget] {
        self.commune_crosswalk
            .binary_search_by(|(code, _)| code.cmp(old))
            .ok()
            .and_then(|i| self.commune_crosswalk.get(i))
            .map_or(&[], |(_, targets)| targets.as_slice())
    }

    /// Where the pre-2025 commune `old` is now: the crosswalk's default target, or
    /// `override_target` when a person chose one, which must then be one of the listed targets.
    pub fn resolve_commune(
        &self,
        old: &CommuneCode,
        override_target: Option<&CommuneCode>,
    ) -> Result<ResolvedCommune, ValidationError> {
        let targets = self.commune_targets(old);
        if targets.is_empty() {
            return Err(ValidationError::new(
                "commune",
                "error-commune-unknown",
                format!("no commune had code {old} before 2025-07-01"),
            ));
        }
        let chosen = match override_target {
            None => targets.iter().find(|t| t.is_default),
            Some(wanted) => {
                let found = targets.iter().find(|t| &t.new_commune_code == wanted);
                if found.is_none() {
                    let listed: Vec<&str> = targets.iter().map(|t| t.new_commune_code.as_str()).collect();
                    return Err(ValidationError::new(
                        "commune_override",
                        "error-commune-override-not-a-target",
                        format!("commune {wanted} is not a successor of {old}; choose one of {}", listed.join(", ")),
                    ));
                }
                found
            }
        };
        // Parsing guarantees one default per old commune and that every target exists; the error
        // below is for a data set that somehow broke that, not for user input.
        let target = chosen.ok_or_else(|| missing_successor(old))?;
        let new_commune = self.new_commune(&target.new_commune_code).ok_or_else(|| missing_successor(old))?;
        Ok(ResolvedCommune {
            old_commune_code: old.clone(),
            new_commune_code: target.new_commune_code.clone(),
            new_province_code: new_commune.province_code.clone(),
            relation_vi: target.relation_vi.clone(),
            is_default_target: target.is_default,
            manual_override: override_target.is_some(),
            n_targets: targets.len(),
        })
    }

    /// The current (From2025) province for a province code as it was recorded on `recorded_on`:
    /// before the reform the code is read as a pre-2025 code and mapped to its successor, from the
    /// reform on it must already be a From2025 code.
    pub fn resolve_province_for_date(
        &self,
        code: &ProvinceCode,
        recorded_on: NaiveDate,
    ) -> Result<&Province, ValidationError> {
        match UnitSet::for_date(recorded_on) {
            UnitSet::Pre2025 => self.successor_province(code).map_err(|_| {
                ValidationError::new(
                    "province",
                    "error-province-unknown",
                    format!("no province had code {code} on {recorded_on}"),
                )
            }),
            UnitSet::From2025 => self.new_province(code).ok_or_else(|| {
                let message = match (self.old_province(code), self.successor_province(code)) {
                    (Some(old), Ok(new)) => format!(
                        "province code {code} ({}) was abolished on {REFORM_DATE}; it is now part \
                         of {} ({})",
                        old.name, new.name, new.code
                    ),
                    _ => format!("no province has code {code} since {REFORM_DATE}"),
                };
                ValidationError::new("province", "error-province-unknown", message)
            }),
        }
    }
}

fn missing_successor(old: &CommuneCode) -> ValidationError {
    ValidationError::new(
        "commune",
        "error-commune-no-successor",
        format!("the crosswalk has no usable successor for commune {old}"),
    )
}

/// Binary search in a list sorted by code.
fn find<'a, T, K: Ord>(items: &'a [T], key: &K, code_of: impl Fn(&T) -> &K) -> Option<&'a T> {
    items.binary_search_by(|item| code_of(item).cmp(key)).ok().and_then(|i| items.get(i))
}

/// Sorts by code and rejects duplicates.
fn sort_unique<T, K: Ord + std::fmt::Display>(
    file: &str,
    items: &mut [T],
    code_of: impl Fn(&T) -> &K,
) -> Result<(), String> {
    items.sort_by(|a, b| code_of(a).cmp(code_of(b)));
    match items.windows(2).find(|w| code_of(&w[0]) == code_of(&w[1])) {
        Some(w) => Err(format!("{file}: code {} appears twice", code_of(&w[0]))),
        None => Ok(()),
    }
}

/// Reads every row of `text` as `R`, passing each with its 1-based line number to `convert`.
fn read_rows<R, T>(file: &str, text: &str, mut convert: impl FnMut(R) -> Result<T, String>) -> Result<Vec<T>, String>
where
    R: for<'de> Deserialize<'de>,
{
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let mut out = Vec::new();
    for row in reader.deserialize::<R>() {
        let line = out.len() + 2;
        let row = row.map_err(|e| format!("{file}: line {line}: {e}"))?;
        out.push(convert(row).map_err(|e| format!("{file}: line {line}: {e}"))?);
    }
    Ok(out)
}

fn parse_code<C>(parse: fn(&str) -> Result<C, ValidationError>, text: &str) -> Result<C, String> {
    parse(text).map_err(|e| e.message)
}

/// The source has a few stray double spaces ("Huyện  Vũng Liêm"); names are displayed, so tidy.
fn tidy_name(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// "Tỉnh Bắc Kạn" → "Bắc Kạn", "Thành phố Hà Nội" → "Hà Nội".
fn short_province_name(name: &str) -> String {
    ["Tỉnh ", "Thành phố "].iter().find_map(|prefix| name.strip_prefix(prefix)).unwrap_or(name).to_owned()
}

#[derive(Deserialize)]
struct OldProvinceRow {
    code: String,
    name: String,
}

fn parse_old_provinces(text: &str) -> Result<Vec<Province>, String> {
    const FILE: &str = "old_provinces_pre2025.csv";
    let mut provinces = read_rows(FILE, text, |row: OldProvinceRow| {
        let code = parse_code(ProvinceCode::parse, &row.code)?;
        let region =
            Region::of_old_province(&code).ok_or_else(|| format!("province {code} has no socio-economic region"))?;
        let name = tidy_name(&row.name);
        Ok(Province { short_name: short_province_name(&name), name, code, set: UnitSet::Pre2025, region })
    })?;
    sort_unique(FILE, &mut provinces, |p| &p.code)?;
    Ok(provinces)
}

#[derive(Deserialize)]
struct NewProvinceRow {
    code: String,
    name: String,
    old_province_codes: String,
}

/// New provinces with the members their CSV row lists, kept to cross-check the crosswalk.
struct NewProvinces {
    provinces: Vec<Province>,
    members: BTreeMap<ProvinceCode, BTreeSet<ProvinceCode>>,
}

fn parse_new_provinces(text: &str, old: &[Province]) -> Result<NewProvinces, String> {
    const FILE: &str = "new_provinces_2025.csv";
    let mut members = BTreeMap::new();
    let mut provinces = read_rows(FILE, text, |row: NewProvinceRow| {
        let code = parse_code(ProvinceCode::parse, &row.code)?;
        let olds =
            row.old_province_codes.split(';').map(|c| code_of_known_old(c, old)).collect::<Result<Vec<_>, _>>()?;
        let name = tidy_name(&row.name);
        let region = new_province_region(&code, &short_province_name(&name), &olds)
            .ok_or_else(|| format!("new province {code} lists no old provinces"))?;
        members.insert(code.clone(), olds.iter().map(|p| p.code.clone()).collect());
        Ok(Province { short_name: short_province_name(&name), name, code, set: UnitSet::From2025, region })
    })?;
    sort_unique(FILE, &mut provinces, |p| &p.code)?;
    Ok(NewProvinces { provinces, members })
}

fn code_of_known_old<'a>(text: &str, old: &'a [Province]) -> Result<&'a Province, String> {
    let code = parse_code(ProvinceCode::parse, text)?;
    find(old, &code, |p| &p.code).ok_or_else(|| format!("unknown old province {code}"))
}

/// The region rule for new provinces (documented in data/vn-admin/README.md): the region of the
/// old province that gives the new one its name (new Gia Lai is in the Central Highlands although it
/// kept Bình Định's code), else of the old province that kept its code, else the most common region
/// among the old members (ties go to the member with the lowest code).
pub(crate) fn new_province_region(code: &ProvinceCode, short_name: &str, members: &[&Province]) -> Option<Region> {
    let folded = crate::text::fold(short_name);
    if let Some(namesake) = members.iter().find(|p| crate::text::fold(&p.short_name) == folded) {
        return Some(namesake.region);
    }
    if let Some(host) = members.iter().find(|p| &p.code == code) {
        return Some(host.region);
    }
    let mut sorted: Vec<&&Province> = members.iter().collect();
    sorted.sort_by(|a, b| a.code.cmp(&b.code));
    let count = |region: Region| members.iter().filter(|p| p.region == region).count();
    let best = sorted.iter().map(|p| count(p.region)).max()?;
    sorted.iter().find(|p| count(p.region) == best).map(|p| p.region)
}

#[derive(Deserialize)]
struct DistrictRow {
    code: String,
    name: String,
    province_code: String,
}

fn parse_districts(text: &str, old_provinces: &[Province]) -> Result<Vec<District>, String> {
    const FILE: &str = "old_districts_pre2025.csv";
    let mut districts = read_rows(FILE, text, |row: DistrictRow| {
        let province = code_of_known_old(&row.province_code, old_provinces)?;
        Ok(District {
            code: parse_code(DistrictCode::parse, &row.code)?,
            name: tidy_name(&row.name),
            province_code: province.code.clone(),
        })
    })?;
    sort_unique(FILE, &mut districts, |d| &d.code)?;
    Ok(districts)
}

#[derive(Deserialize)]
struct OldCommuneRow {
    code: String,
    name: String,
    #[serde(rename = "type")]
    kind: String,
    district_code: String,
    province_code: String,
}

fn parse_old_communes(text: &str, districts: &[District]) -> Result<Vec<Commune>, String> {
    const FILE: &str = "old_communes_pre2025.csv";
    let mut communes = read_rows(FILE, text, |row: OldCommuneRow| {
        let district_code = parse_code(DistrictCode::parse, &row.district_code)?;
        let district =
            find(districts, &district_code, |d| &d.code).ok_or_else(|| format!("unknown district {district_code}"))?;
        let province_code = parse_code(ProvinceCode::parse, &row.province_code)?;
        if district.province_code != province_code {
            return Err(format!(
                "district {district_code} is in province {}, not {province_code}",
                district.province_code
            ));
        }
        Ok(Commune {
            code: parse_code(CommuneCode::parse, &row.code)?,
            name: tidy_name(&row.name),
            kind: commune_kind(&row.kind)?,
            district_code: Some(district_code),
            province_code,
            set: UnitSet::Pre2025,
        })
    })?;
    sort_unique(FILE, &mut communes, |c| &c.code)?;
    Ok(communes)
}

#[derive(Deserialize)]
struct NewCommuneRow {
    code: String,
    name: String,
    #[serde(rename = "type")]
    kind: String,
    province_code: String,
}

fn parse_new_communes(text: &str, new_provinces: &[Province]) -> Result<Vec<Commune>, String> {
    const FILE: &str = "new_communes_2025.csv";
    let mut communes = read_rows(FILE, text, |row: NewCommuneRow| {
        let province_code = parse_code(ProvinceCode::parse, &row.province_code)?;
        if find(new_provinces, &province_code, |p| &p.code).is_none() {
            return Err(format!("unknown new province {province_code}"));
        }
        Ok(Commune {
            code: parse_code(CommuneCode::parse, &row.code)?,
            name: tidy_name(&row.name),
            kind: commune_kind(&row.kind)?,
            district_code: None,
            province_code,
            set: UnitSet::From2025,
        })
    })?;
    sort_unique(FILE, &mut communes, |c| &c.code)?;
    Ok(communes)
}

fn commune_kind(text: &str) -> Result<CommuneKind, String> {
    CommuneKind::from_vi(text).ok_or_else(|| format!("unknown commune type {text:?}"))
}

#[derive(Deserialize)]
struct ProvinceCrosswalkRow {
    old_province_code: String,
    new_province_code: String,
}

/// Returns, for each old province (in order), the index of its successor among the new ones.
fn parse_province_crosswalk(text: &str, old: &[Province], new: &NewProvinces) -> Result<Vec<usize>, String> {
    const FILE: &str = "crosswalk_province_2025.csv";
    let mut successors: Vec<Option<usize>> = vec![None; old.len()];
    read_rows(FILE, text, |row: ProvinceCrosswalkRow| {
        let old_code = parse_code(ProvinceCode::parse, &row.old_province_code)?;
        let new_code = parse_code(ProvinceCode::parse, &row.new_province_code)?;
        let i =
            old.binary_search_by(|p| p.code.cmp(&old_code)).map_err(|_| format!("unknown old province {old_code}"))?;
        let j = new
            .provinces
            .binary_search_by(|p| p.code.cmp(&new_code))
            .map_err(|_| format!("unknown new province {new_code}"))?;
        if !new.members.get(&new_code).is_some_and(|m| m.contains(&old_code)) {
            return Err(format!("{old_code} → {new_code} disagrees with new_provinces_2025.csv"));
        }
        match successors.get_mut(i) {
            Some(slot @ None) => {
                *slot = Some(j);
                Ok(())
            }
            _ => Err(format!("old province {old_code} is mapped twice")),
        }
    })?;
    old.iter()
        .zip(successors)
        .map(|(p, s)| s.ok_or_else(|| format!("{FILE}: old province {} has no successor", p.code)))
        .collect()
}

#[derive(Deserialize)]
struct CommuneCrosswalkRow {
    old_commune_code: String,
    new_commune_code: String,
    relation_vi: String,
    n_targets: usize,
    is_default_target: String,
}

fn parse_commune_crosswalk(text: &str, units: &AdminUnits) -> Result<Vec<(CommuneCode, Vec<CrosswalkTarget>)>, String> {
    const FILE: &str = "crosswalk_commune_2025.csv";
    let mut grouped: BTreeMap<CommuneCode, (usize, Vec<CrosswalkTarget>)> = BTreeMap::new();
    read_rows(FILE, text, |row: CommuneCrosswalkRow| {
        // Six NSO rows have a whole island district or a coastal area, not a commune, as their
        // source (e.g. Huyện Côn Đảo → Đặc khu Côn Đảo); there is no old commune to key them by.
        if row.old_commune_code.trim().is_empty() {
            return Ok(());
        }
        let old = parse_code(CommuneCode::parse, &row.old_commune_code)?;
        let new = parse_code(CommuneCode::parse, &row.new_commune_code)?;
        let old_commune = units.old_commune(&old).ok_or_else(|| format!("unknown old commune {old}"))?;
        let new_commune = units.new_commune(&new).ok_or_else(|| format!("unknown new commune {new}"))?;
        let successor = units.successor_province(&old_commune.province_code).map_err(|e| e.message)?;
        // This is what makes "no province was split" true at commune level too, so that a
        // resolved commune always lies in the successor province.
        if successor.code != new_commune.province_code {
            return Err(format!(
                "{old} → {new} crosses from province {} to {}, not to its successor {}",
                old_commune.province_code, new_commune.province_code, successor.code
            ));
        }
        let is_default = match row.is_default_target.trim() {
            "1" => true,
            "0" => false,
            other => return Err(format!("is_default_target must be 0 or 1, got {other:?}")),
        };
        let entry = grouped.entry(old.clone()).or_insert_with(|| (row.n_targets, Vec::new()));
        if entry.0 != row.n_targets {
            return Err(format!("old commune {old} has inconsistent n_targets"));
        }
        if entry.1.iter().any(|t| t.new_commune_code == new) {
            return Err(format!("{old} → {new} is listed twice"));
        }
        entry.1.push(CrosswalkTarget { new_commune_code: new, relation_vi: tidy_name(&row.relation_vi), is_default });
        Ok(())
    })?;
    grouped
        .into_iter()
        .map(|(old, (n_targets, mut targets))| {
            if targets.len() != n_targets {
                return Err(format!("{FILE}: old commune {old} says {n_targets} targets but has {}", targets.len()));
            }
            if targets.iter().filter(|t| t.is_default).count() != 1 {
                return Err(format!("{FILE}: old commune {old} needs exactly one default target"));
            }
            targets.sort_by(|a, b| {
                b.is_default.cmp(&a.is_default).then_with(|| a.new_commune_code.cmp(&b.new_commune_code))
            });
            Ok((old, targets))
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn units() -> &'static AdminUnits {
        AdminUnits::embedded()
    }

    fn p(code: &str) -> ProvinceCode {
        ProvinceCode::parse(code).unwrap()
    }

    fn c(code: &str) -> CommuneCode {
        CommuneCode::parse(code).unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn vendored_files_parse_with_the_documented_counts() {
        let units = AdminUnits::parse(&Sources::EMBEDDED).unwrap();
        assert_eq!(units.provinces(UnitSet::Pre2025).len(), 63);
        assert_eq!(units.districts().len(), 696);
        assert_eq!(units.communes(UnitSet::Pre2025).len(), 10_035);
        assert_eq!(units.provinces(UnitSet::From2025).len(), 34);
        assert_eq!(units.communes(UnitSet::From2025).len(), 3_321);
        assert!(units.provinces(UnitSet::Pre2025).iter().all(|p| p.set == UnitSet::Pre2025));
        assert!(units.communes(UnitSet::From2025).iter().all(|c| c.district_code.is_none()));
    }

    #[test]
    fn every_list_is_sorted_by_code() {
        let units = units();
        for set in [UnitSet::Pre2025, UnitSet::From2025] {
            assert!(units.provinces(set).windows(2).all(|w| w[0].code < w[1].code));
            assert!(units.communes(set).windows(2).all(|w| w[0].code < w[1].code));
        }
        assert!(units.districts().windows(2).all(|w| w[0].code < w[1].code));
    }

    #[test]
    fn every_province_of_both_sets_has_a_region_with_the_computed_counts_per_region() {
        let units = units();
        let counts = |set| -> Vec<(&'static str, usize)> {
            Region::ALL
                .iter()
                .map(|&r| (r.code(), units.provinces(set).iter().filter(|p| p.region == r).count()))
                .collect()
        };
        let old = counts(UnitSet::Pre2025);
        let new = counts(UnitSet::From2025);
        assert_eq!(old.iter().map(|(_, n)| n).sum::<usize>(), 63);
        assert_eq!(new.iter().map(|(_, n)| n).sum::<usize>(), 34);
        assert_eq!(
            old,
            vec![
                ("northern_midlands_mountains", 14),
                ("red_river_delta", 11),
                ("north_central_central_coast", 14),
                ("central_highlands", 5),
                ("southeast", 6),
                ("mekong_delta", 13),
            ],
            "region counts of the 63 pre-2025 provinces: {old:?}"
        );
        assert_eq!(
            new,
            vec![
                ("northern_midlands_mountains", 9),
                ("red_river_delta", 6),
                ("north_central_central_coast", 8),
                ("central_highlands", 3),
                ("southeast", 3),
                ("mekong_delta", 5),
            ],
            "region counts of the 34 From2025 provinces: {new:?}"
        );
    }

    #[test]
    fn every_new_province_kept_the_code_of_one_of_its_old_provinces() {
        // The region rule's fallback (majority of members) is therefore unused with this data.
        let units = units();
        for new in units.provinces(UnitSet::From2025) {
            let members = units.predecessor_provinces(&new.code);
            assert_eq!(members.first().map(|p| &p.code), Some(&new.code), "{}", new.name);
        }
    }

    #[test]
    fn a_new_province_takes_the_region_of_its_namesake_before_the_code_keeper() {
        let units = units();
        for (code, region) in
            [("24", Region::RedRiverDelta), ("52", Region::CentralHighlands), ("80", Region::Southeast)]
        {
            let p = units.new_province(&p(code)).unwrap();
            assert_eq!(p.region, region, "{}", p.name);
        }
    }

    #[test]
    fn a_new_province_without_a_host_takes_the_majority_region_then_the_lowest_code() {
        let old = |code: &str, region| Province {
            code: p(code),
            name: String::new(),
            short_name: String::new(),
            set: UnitSet::Pre2025,
            region,
        };
        let (a, b, c) = (
            old("30", Region::RedRiverDelta),
            old("24", Region::NorthernMidlandsMountains),
            old("34", Region::RedRiverDelta),
        );
        assert_eq!(new_province_region(&p("99"), "Mới", &[&a, &b, &c]), Some(Region::RedRiverDelta));
        assert_eq!(new_province_region(&p("99"), "Mới", &[&a, &b]), Some(Region::NorthernMidlandsMountains));
        assert_eq!(new_province_region(&p("30"), "Mới", &[&a, &b]), Some(Region::RedRiverDelta));
        assert_eq!(new_province_region(&p("99"), "Mới", &[]), None);
    }

    #[test]
    fn bac_kan_is_succeeded_by_thai_nguyen_and_no_new_province_is_left_without_predecessors() {
        let units = units();
        let successor = units.successor_province(&p("06")).unwrap();
        assert_eq!((successor.code.as_str(), successor.name.as_str()), ("19", "Tỉnh Thái Nguyên"));
        let formerly: Vec<&str> = units.predecessor_provinces(&p("19")).iter().map(|p| p.code.as_str()).collect();
        assert_eq!(formerly, ["19", "06"]);
        let merged: usize =
            units.provinces(UnitSet::From2025).iter().map(|new| units.predecessor_provinces(&new.code).len()).sum();
        assert_eq!(merged, 63, "each old province has exactly one successor");
        let e = units.successor_province(&p("03")).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("province", "error-province-unknown"));
    }

    #[test]
    fn old_and_new_province_names_and_short_names_are_read() {
        let units = units();
        let bac_kan = units.old_province(&p("06")).unwrap();
        assert_eq!((bac_kan.name.as_str(), bac_kan.short_name.as_str()), ("Tỉnh Bắc Kạn", "Bắc Kạn"));
        assert_eq!(bac_kan.region, Region::NorthernMidlandsMountains);
        assert_eq!(units.new_province(&p("79")).unwrap().short_name, "Hồ Chí Minh");
        assert!(units.new_province(&p("06")).is_none());
        assert_eq!(units.province(&p("06"), UnitSet::Pre2025), Some(bac_kan));
    }

    #[test]
    fn communes_of_a_province_are_those_of_its_own_set() {
        let units = units();
        assert_eq!(units.communes_of_province(&p("06"), UnitSet::Pre2025).len(), 108);
        assert_eq!(units.communes_of_province(&p("19"), UnitSet::From2025).len(), 92);
        assert!(units.communes_of_province(&p("06"), UnitSet::From2025).is_empty());
        let total: usize = units
            .provinces(UnitSet::From2025)
            .iter()
            .map(|p| units.communes_of_province(&p.code, UnitSet::From2025).len())
            .sum();
        assert_eq!(total, 3_321);
    }

    #[test]
    fn every_old_commune_has_one_default_target_inside_its_successor_province() {
        let units = units();
        for old in units.communes(UnitSet::Pre2025) {
            let targets = units.commune_targets(&old.code);
            assert!(!targets.is_empty(), "{} has no target", old.code);
            assert!(targets[0].is_default, "{}: default target is not listed first", old.code);
            assert_eq!(targets.iter().filter(|t| t.is_default).count(), 1);
            let resolved = units.resolve_commune(&old.code, None).unwrap();
            let successor = units.successor_province(&old.province_code).unwrap();
            assert_eq!(resolved.new_province_code, successor.code);
        }
    }

    #[test]
    fn every_new_commune_receives_at_least_one_old_commune() {
        let units = units();
        let mut targeted: BTreeSet<&CommuneCode> = BTreeSet::new();
        for old in units.communes(UnitSet::Pre2025) {
            targeted.extend(units.commune_targets(&old.code).iter().map(|t| &t.new_commune_code));
        }
        let islands = ["11948", "19742", "20333", "21548", "26732"];
        let untargeted: Vec<&str> = units
            .communes(UnitSet::From2025)
            .iter()
            .filter(|c| !targeted.contains(&c.code))
            .map(|c| c.code.as_str())
            .collect();
        // The island special zones came from whole districts that had no communes.
        assert!(untargeted.iter().all(|code| islands.contains(code)), "{untargeted:?}");
    }

    #[test]
    fn cu_le_resolves_to_tran_phu_in_thai_nguyen() {
        let units = units();
        let cu_le = units.old_commune(&c("02176")).unwrap();
        assert_eq!(cu_le.name, "Xã Cư Lễ");
        assert_eq!(cu_le.kind, CommuneKind::Xa);
        assert_eq!(cu_le.district_code.as_ref().map(DistrictCode::as_str), Some("066"));
        assert_eq!(units.district(cu_le.district_code.as_ref().unwrap()).unwrap().name, "Huyện Na Rì");
        let resolved = units.resolve_commune(&c("02176"), None).unwrap();
        assert_eq!(resolved.new_commune_code.as_str(), "02176");
        assert_eq!(resolved.new_province_code.as_str(), "19");
        assert_eq!(resolved.relation_vi, "Nhập toàn bộ");
        assert!(resolved.is_default_target && !resolved.manual_override);
        assert_eq!(units.new_commune(&resolved.new_commune_code).unwrap().name, "Xã Trần Phú");
    }

    #[test]
    fn a_split_commune_lists_its_default_first_and_accepts_an_override_among_its_targets() {
        let units = units();
        // Phường Ngọc Hà (00016) was split between Phường Ba Đình (00004, default) and Phường
        // Ngọc Hà (00008).
        let targets: Vec<(&str, bool)> =
            units.commune_targets(&c("00016")).iter().map(|t| (t.new_commune_code.as_str(), t.is_default)).collect();
        assert_eq!(targets, [("00004", true), ("00008", false)]);
        let default = units.resolve_commune(&c("00016"), None).unwrap();
        assert_eq!((default.new_commune_code.as_str(), default.n_targets), ("00004", 2));
        let chosen = units.resolve_commune(&c("00016"), Some(&c("00008"))).unwrap();
        assert_eq!(chosen.new_commune_code.as_str(), "00008");
        assert!(chosen.manual_override && !chosen.is_default_target);
        assert_eq!(chosen.relation_vi, "Nhập một phần");
    }

    #[test]
    fn an_override_that_is_not_a_target_is_rejected_on_the_override_field() {
        let e = units().resolve_commune(&c("00016"), Some(&c("02176"))).unwrap_err();
        assert_eq!(e.field, "commune_override");
        assert_eq!(e.code, "error-commune-override-not-a-target");
        assert!(e.message.contains("00004, 00008"), "{}", e.message);
    }

    #[test]
    fn an_unknown_old_commune_is_rejected_and_has_no_targets() {
        let units = units();
        assert!(units.commune_targets(&c("99999")).is_empty());
        let e = units.resolve_commune(&c("99999"), None).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("commune", "error-commune-unknown"));
    }

    #[test]
    fn a_province_recorded_before_the_reform_is_read_as_an_old_code() {
        let units = units();
        let now = units.resolve_province_for_date(&p("06"), day(2025, 6, 30)).unwrap();
        assert_eq!(now.code.as_str(), "19");
        assert_eq!(now.set, UnitSet::From2025);
        // Old 19 (Thái Nguyên) and new 19 share a code; either way the answer is new 19.
        let same = units.resolve_province_for_date(&p("19"), day(2020, 1, 1)).unwrap();
        assert_eq!(same.code.as_str(), "19");
        let hcm = units.resolve_province_for_date(&p("74"), day(2024, 3, 1)).unwrap();
        assert_eq!(hcm.name, "Thành phố Hồ Chí Minh");
    }

    #[test]
    fn a_province_recorded_from_the_reform_on_must_be_a_new_code() {
        let units = units();
        let now = units.resolve_province_for_date(&p("19"), day(2025, 7, 1)).unwrap();
        assert_eq!(now.name, "Tỉnh Thái Nguyên");
        let e = units.resolve_province_for_date(&p("06"), day(2025, 7, 1)).unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("province", "error-province-unknown"));
        assert!(e.message.contains("Tỉnh Thái Nguyên (19)"), "{}", e.message);
        assert!(units.resolve_province_for_date(&p("03"), day(2024, 1, 1)).is_err());
    }

    #[test]
    fn malformed_rows_are_reported_with_file_and_line_instead_of_panicking() {
        let bad_code = Sources::EMBEDDED.old_provinces.replacen("06,Tỉnh Bắc Kạn", "6x,Tỉnh Bắc Kạn", 1);
        let e = AdminUnits::parse(&Sources { old_provinces: &bad_code, ..Sources::EMBEDDED }).unwrap_err();
        assert!(e.starts_with("old_provinces_pre2025.csv: line 5:"), "{e}");

        let missing_column = "code\n01\n";
        let e = AdminUnits::parse(&Sources { old_provinces: missing_column, ..Sources::EMBEDDED }).unwrap_err();
        assert!(e.contains("old_provinces_pre2025.csv"), "{e}");

        let two_defaults = Sources::EMBEDDED.crosswalk_communes.replacen(
            "00016,Phường Ngọc Hà,001,01,00008,Phường Ngọc Hà,01,Nhập một phần,nso_2025,2,0",
            "00016,Phường Ngọc Hà,001,01,00008,Phường Ngọc Hà,01,Nhập một phần,nso_2025,2,1",
            1,
        );
        assert_ne!(two_defaults, Sources::EMBEDDED.crosswalk_communes);
        let e = AdminUnits::parse(&Sources { crosswalk_communes: &two_defaults, ..Sources::EMBEDDED }).unwrap_err();
        assert!(e.contains("00016 needs exactly one default"), "{e}");

        let unknown_target =
            Sources::EMBEDDED.crosswalk_communes.replacen(",02176,Xã Trần Phú,", ",99999,Xã Trần Phú,", 1);
        let e = AdminUnits::parse(&Sources { crosswalk_communes: &unknown_target, ..Sources::EMBEDDED }).unwrap_err();
        assert!(e.contains("unknown new commune 99999"), "{e}");
    }
}
