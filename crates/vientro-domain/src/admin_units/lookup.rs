//! Finding units by code or by name, and the one-line description the CLI prints.

use std::fmt;

use super::data::AdminUnits;
use super::units::{Commune, District, Province, REFORM_DATE, UnitSet};

/// The level of a unit in the hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnitLevel {
    /// Tỉnh / thành phố trực thuộc trung ương.
    Province,
    /// Huyện / quận / thị xã / thành phố thuộc tỉnh (pre-2025 only).
    District,
    /// Xã / phường / thị trấn / đặc khu.
    Commune,
}

/// A unit of any level, borrowed from [`AdminUnits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitRef<'a> {
    /// A province of either set.
    Province(&'a Province),
    /// A pre-2025 district.
    District(&'a District),
    /// A commune of either set.
    Commune(&'a Commune),
}

impl<'a> UnitRef<'a> {
    /// Province, district or commune.
    pub fn level(self) -> UnitLevel {
        match self {
            UnitRef::Province(_) => UnitLevel::Province,
            UnitRef::District(_) => UnitLevel::District,
            UnitRef::Commune(_) => UnitLevel::Commune,
        }
    }

    /// The set the unit belongs to (districts are always [`UnitSet::Pre2025`]).
    pub fn set(self) -> UnitSet {
        match self {
            UnitRef::Province(p) => p.set,
            UnitRef::District(_) => UnitSet::Pre2025,
            UnitRef::Commune(c) => c.set,
        }
    }

    /// The zero-padded code.
    pub fn code(self) -> &'a str {
        match self {
            UnitRef::Province(p) => p.code.as_str(),
            UnitRef::District(d) => d.code.as_str(),
            UnitRef::Commune(c) => c.code.as_str(),
        }
    }

    /// The full name with its prefix.
    pub fn name(self) -> &'a str {
        match self {
            UnitRef::Province(p) => &p.name,
            UnitRef::District(d) => &d.name,
            UnitRef::Commune(c) => &c.name,
        }
    }
}

/// How well a unit matched a query; better matches sort first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchRank {
    /// The query was this unit's code.
    Code,
    /// The name equals the query (ignoring prefix, case, diacritics and spelling variants).
    Exact,
    /// The name starts with the query.
    Prefix,
    /// The name contains the query.
    Contains,
}

/// One result of [`AdminUnits::lookup`]: the unit, how it matched, and the data set it came
/// from (so that it can be described without another look-up).
#[derive(Clone, Copy)]
pub struct UnitMatch<'a> {
    /// The unit found.
    pub unit: UnitRef<'a>,
    /// How it matched.
    pub rank: MatchRank,
    units: &'a AdminUnits,
}

impl fmt::Debug for UnitMatch<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The data set is left out: it is the same for every match and has 14,000 units.
        f.debug_struct("UnitMatch").field("unit", &self.unit).field("rank", &self.rank).finish()
    }
}

impl fmt::Display for UnitMatch<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe(self))
    }
}

/// A name prefix that says what kind of unit follows ("tỉnh", "xã", …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Tinh,
    ThanhPho,
    Huyen,
    Quan,
    ThiXa,
    Xa,
    Phuong,
    ThiTran,
    DacKhu,
}

/// The prefixes the brief lists, as folded words ("tp." folds to "tp").
const PREFIXES: [(&[&str], Kind); 10] = [
    (&["thanh", "pho"], Kind::ThanhPho),
    (&["thi", "xa"], Kind::ThiXa),
    (&["thi", "tran"], Kind::ThiTran),
    (&["dac", "khu"], Kind::DacKhu),
    (&["tp"], Kind::ThanhPho),
    (&["tinh"], Kind::Tinh),
    (&["huyen"], Kind::Huyen),
    (&["quan"], Kind::Quan),
    (&["xa"], Kind::Xa),
    (&["phuong"], Kind::Phuong),
];

/// A name reduced for comparison: its kind prefix, if any, and the rest as a search key.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Key {
    kind: Option<Kind>,
    rest: String,
    /// The whole name as a key, prefix included.
    whole: String,
}

/// Folds `text` into a comparison key: diacritics, case and tone placement go (via
/// [`crate::text::fold`]), apostrophes go ("M'Gar" = "Mgar"), other punctuation becomes a space,
/// a leading administrative prefix is split off and a syllable-final "y" after a consonant or "qu"
/// becomes "i" ("Quy" = "Qui", "Kỳ" = "Kì"), the two spellings in use.
fn key(text: &str) -> Key {
    let folded: String = crate::text::fold(text)
        .chars()
        .filter(|c| !matches!(c, '\'' | '’' | '‘' | 'ʼ' | '`'))
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let words: Vec<String> = folded.split_whitespace().map(loosen_final_y).collect();
    let whole = words.join(" ");
    for (prefix, kind) in PREFIXES {
        // A prefix alone is a name, not a prefix ("Xã" typed on its own searches for "xa").
        if words.len() > prefix.len() && words.iter().zip(prefix).all(|(w, p)| w == p) {
            return Key { kind: Some(kind), rest: words[prefix.len()..].join(" "), whole };
        }
    }
    Key { kind: None, rest: whole.clone(), whole }
}

fn loosen_final_y(word: &str) -> String {
    let bytes = word.as_bytes();
    let loosen = match bytes {
        [.., b'q', b'u', b'y'] => true,
        [.., before, b'y'] => before.is_ascii_alphabetic() && !b"aeiouy".contains(before),
        _ => false,
    };
    match word.strip_suffix('y') {
        Some(stem) if loosen => format!("{stem}i"),
        _ => word.to_owned(),
    }
}

/// Which unit a search entry points at: level, set and index into the matching list.
#[derive(Debug, Clone, Copy)]
enum Slot {
    Province(UnitSet, usize),
    District(usize),
    Commune(UnitSet, usize),
}

#[derive(Debug)]
struct Entry {
    slot: Slot,
    key: Key,
}

/// Precomputed search keys for every unit of both sets.
#[derive(Debug, Default)]
pub(crate) struct SearchIndex {
    entries: Vec<Entry>,
}

impl SearchIndex {
    /// Folds every name once; called when the data set is parsed.
    pub(crate) fn build(units: &AdminUnits) -> SearchIndex {
        let mut entries = Vec::new();
        for set in [UnitSet::Pre2025, UnitSet::From2025] {
            for (i, p) in units.provinces(set).iter().enumerate() {
                entries.push(Entry { slot: Slot::Province(set, i), key: key(&p.name) });
            }
        }
        for (i, d) in units.districts().iter().enumerate() {
            entries.push(Entry { slot: Slot::District(i), key: key(&d.name) });
        }
        for set in [UnitSet::Pre2025, UnitSet::From2025] {
            for (i, c) in units.communes(set).iter().enumerate() {
                entries.push(Entry { slot: Slot::Commune(set, i), key: key(&c.name) });
            }
        }
        SearchIndex { entries }
    }
}

impl AdminUnits {
    /// Finds units of both sets by code or by name.
    ///
    /// A query of 2, 3 or 5 digits is a province, district or commune code. Anything else is a
    /// name, compared without diacritics, case, tone placement, apostrophes, i/y final spelling
    /// and the administrative prefix ("bac kan", "Bắc Kạn" and "tỉnh bắc kạn" all find Tỉnh Bắc
    /// Kạn). Results are ordered: code match, exact name, name prefix, name contains; within a
    /// rank, units whose prefix agrees with one typed in the query ("phường 1" → Phường 1 before
    /// Quận 1), then provinces, districts, communes, then pre-2025 before From2025, then by code.
    pub fn lookup(&self, query: &str) -> Vec<UnitMatch<'_>> {
        let trimmed = query.trim();
        if trimmed.is_empty() {
            return Vec::new();
        }
        if trimmed.bytes().all(|b| b.is_ascii_digit()) && matches!(trimmed.len(), 2 | 3 | 5) {
            return self.lookup_code(trimmed);
        }
        let query = key(trimmed);
        if query.whole.is_empty() {
            return Vec::new();
        }
        let mut found: Vec<(MatchRank, bool, UnitMatch<'_>)> = Vec::new();
        for entry in &self.search.entries {
            // With a prefix typed, also try the query whole: "Quan Hóa" is a name, not "quận Hóa".
            let stripped = query.kind.and_then(|_| name_rank(&entry.key.rest, &query.rest));
            let rank = match (stripped, name_rank(&entry.key.rest, &query.whole)) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let (Some(rank), Some(unit)) = (rank, self.unit_at(entry.slot)) else {
                continue;
            };
            let agrees = query.kind.is_some() && entry.key.kind == query.kind;
            found.push((rank, !agrees, UnitMatch { unit, rank, units: self }));
        }
        found.sort_by(|(rank_a, disagree_a, a), (rank_b, disagree_b, b)| {
            (rank_a, disagree_a, a.unit.level(), a.unit.set(), a.unit.code()).cmp(&(
                rank_b,
                disagree_b,
                b.unit.level(),
                b.unit.set(),
                b.unit.code(),
            ))
        });
        found.into_iter().map(|(_, _, m)| m).collect()
    }

    fn lookup_code(&self, digits: &str) -> Vec<UnitMatch<'_>> {
        let matched = |unit| UnitMatch { unit, rank: MatchRank::Code, units: self };
        let sets = [UnitSet::Pre2025, UnitSet::From2025];
        match digits.len() {
            2 => sets
                .iter()
                .flat_map(|&set| self.provinces(set).iter().filter(|p| p.code.as_str() == digits))
                .map(|p| matched(UnitRef::Province(p)))
                .collect(),
            3 => self
                .districts()
                .iter()
                .filter(|d| d.code.as_str() == digits)
                .map(|d| matched(UnitRef::District(d)))
                .collect(),
            _ => sets
                .iter()
                .flat_map(|&set| self.communes(set).iter().filter(|c| c.code.as_str() == digits))
                .map(|c| matched(UnitRef::Commune(c)))
                .collect(),
        }
    }

    fn unit_at(&self, slot: Slot) -> Option<UnitRef<'_>> {
        match slot {
            Slot::Province(set, i) => self.provinces(set).get(i).map(UnitRef::Province),
            Slot::District(i) => self.districts().get(i).map(UnitRef::District),
            Slot::Commune(set, i) => self.communes(set).get(i).map(UnitRef::Commune),
        }
    }
}

fn name_rank(name: &str, query: &str) -> Option<MatchRank> {
    if query.is_empty() {
        None
    } else if name == query {
        Some(MatchRank::Exact)
    } else if name.starts_with(query) {
        Some(MatchRank::Prefix)
    } else if name.contains(query) {
        Some(MatchRank::Contains)
    } else {
        None
    }
}

/// The line `vientro admin-units lookup` prints for a match, e.g.
/// `Xã Cư Lễ (02176), Huyện Na Rì, Tỉnh Bắc Kạn (06) → Xã Trần Phú (02176), Tỉnh Thái Nguyên (19)`
/// for an old commune, or `Tỉnh Thái Nguyên (19) [from 2025-07-01], formerly: Tỉnh Thái Nguyên
/// (19), Tỉnh Bắc Kạn (06)` for a new province. Old units show where they went after the arrow; a
/// split commune shows its default target, marked `[default]`, and the others under "(also: …)".
pub fn describe(m: &UnitMatch<'_>) -> String {
    let units = m.units;
    match m.unit {
        UnitRef::Province(p) if p.set == UnitSet::Pre2025 => {
            format!("{} → {}", labelled(p), successor_label(units, p))
        }
        UnitRef::Province(p) => {
            let formerly: Vec<String> = units.predecessor_provinces(&p.code).into_iter().map(labelled).collect();
            format!("{} [from {REFORM_DATE}], formerly: {}", labelled(p), formerly.join(", "))
        }
        UnitRef::District(d) => {
            let province = units.old_province(&d.province_code);
            format!(
                "{} ({}), {} → {}",
                d.name,
                d.code,
                province.map_or_else(|| format!("({})", d.province_code), labelled),
                province.map_or_else(|| "?".to_owned(), |p| successor_label(units, p)),
            )
        }
        UnitRef::Commune(c) if c.set == UnitSet::Pre2025 => describe_old_commune(units, c),
        UnitRef::Commune(c) => format!("{} ({}), {} [from {REFORM_DATE}]", c.name, c.code, province_label(units, c)),
    }
}

fn describe_old_commune(units: &AdminUnits, c: &Commune) -> String {
    let mut line = format!("{} ({})", c.name, c.code);
    if let Some(district) = c.district_code.as_ref().and_then(|d| units.district(d)) {
        line.push_str(", ");
        line.push_str(&district.name);
    }
    line.push_str(", ");
    line.push_str(&province_label(units, c));
    line.push_str(" → ");
    let targets = units.commune_targets(&c.code);
    let mut targets = targets.iter().filter_map(|t| units.new_commune(&t.new_commune_code));
    let Some(default) = targets.next() else {
        line.push_str("no successor in the crosswalk");
        return line;
    };
    let others: Vec<String> = targets.map(|t| format!("{} ({})", t.name, t.code)).collect();
    line.push_str(&format!("{} ({})", default.name, default.code));
    if !others.is_empty() {
        line.push_str(" [default]");
    }
    line.push_str(", ");
    line.push_str(&province_label(units, default));
    if !others.is_empty() {
        line.push_str(&format!(" (also: {})", others.join(", ")));
    }
    line
}

/// "Tỉnh Bắc Kạn (06)".
fn labelled(p: &Province) -> String {
    format!("{} ({})", p.name, p.code)
}

/// The commune's province in its own set, or just its code if the data lacks it.
fn province_label(units: &AdminUnits, c: &Commune) -> String {
    units.province(&c.province_code, c.set).map_or_else(|| format!("({})", c.province_code), labelled)
}

fn successor_label(units: &AdminUnits, old: &Province) -> String {
    units.successor_province(&old.code).map_or_else(|_| "?".to_owned(), labelled)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn first(query: &str) -> UnitMatch<'static> {
        *AdminUnits::embedded().lookup(query).first().unwrap()
    }

    fn lines(query: &str) -> Vec<String> {
        AdminUnits::embedded().lookup(query).iter().map(describe).collect()
    }

    #[test]
    fn bac_kan_is_found_without_diacritics() {
        for query in ["bac kan", "Bắc Kạn", "tỉnh bắc kạn", "  TỈNH   BẮC KẠN "] {
            let m = first(query);
            assert_eq!(m.unit.name(), "Tỉnh Bắc Kạn", "query {query:?}");
            assert_eq!(m.rank, MatchRank::Exact);
        }
    }

    #[test]
    fn cu_le_is_found_by_name_and_described_with_its_successor() {
        assert_eq!(
            lines("Cư Lễ"),
            ["Xã Cư Lễ (02176), Huyện Na Rì, Tỉnh Bắc Kạn (06) → Xã Trần Phú (02176), Tỉnh Thái Nguyên (19)"]
        );
        assert_eq!(first("xã cu le").unit.code(), "02176");
    }

    #[test]
    fn each_kind_of_unit_is_described_in_the_cli_shape() {
        let units = AdminUnits::embedded();
        let describe_code = |query: &str, set: UnitSet| -> String {
            units.lookup(query).iter().find(|m| m.unit.set() == set).unwrap().to_string()
        };
        assert_eq!(describe_code("06", UnitSet::Pre2025), "Tỉnh Bắc Kạn (06) → Tỉnh Thái Nguyên (19)");
        assert_eq!(
            describe_code("066", UnitSet::Pre2025),
            "Huyện Na Rì (066), Tỉnh Bắc Kạn (06) → Tỉnh Thái Nguyên (19)"
        );
        assert_eq!(
            describe_code("02176", UnitSet::From2025),
            "Xã Trần Phú (02176), Tỉnh Thái Nguyên (19) [from 2025-07-01]"
        );
        assert_eq!(
            describe_code("19", UnitSet::From2025),
            "Tỉnh Thái Nguyên (19) [from 2025-07-01], formerly: Tỉnh Thái Nguyên (19), Tỉnh Bắc Kạn (06)"
        );
    }

    #[test]
    fn a_split_commune_is_described_with_its_default_first_and_the_others_after() {
        let m = AdminUnits::embedded().lookup("00016").into_iter().find(|m| m.unit.set() == UnitSet::Pre2025).unwrap();
        assert_eq!(
            describe(&m),
            "Phường Ngọc Hà (00016), Quận Ba Đình, Thành phố Hà Nội (01) → Phường Ba Đình (00004) \
             [default], Thành phố Hà Nội (01) (also: Phường Ngọc Hà (00008))"
        );
    }

    #[test]
    fn a_code_query_finds_the_old_and_the_new_unit_with_that_code() {
        let found: Vec<(&str, UnitSet, MatchRank)> =
            AdminUnits::embedded().lookup("02176").iter().map(|m| (m.unit.name(), m.unit.set(), m.rank)).collect();
        assert_eq!(
            found,
            [("Xã Cư Lễ", UnitSet::Pre2025, MatchRank::Code), ("Xã Trần Phú", UnitSet::From2025, MatchRank::Code),]
        );
        assert_eq!(AdminUnits::embedded().lookup("066").len(), 1);
        assert!(AdminUnits::embedded().lookup("03").is_empty());
    }

    #[test]
    fn hoa_matches_either_tone_placement() {
        // The old province is spelt "Hoà Bình"; many communes are spelt "Hòa Bình".
        for query in ["hoa binh", "Hòa Bình", "Hoà Bình", "tinh hoa binh"] {
            assert_eq!(first(query).unit.name(), "Tỉnh Hoà Bình", "query {query:?}");
        }
        let names: Vec<&str> = AdminUnits::embedded().lookup("Hoà Bình").iter().map(|m| m.unit.name()).collect();
        assert!(names.contains(&"Xã Hòa Bình"), "{names:?}");
        assert_eq!(first("Thanh Hoá").unit.name(), "Tỉnh Thanh Hóa");
    }

    #[test]
    fn i_and_y_spellings_and_apostrophes_find_the_same_unit() {
        assert_eq!(first("Qui Nhơn").unit.name(), "Thành phố Quy Nhơn");
        assert_eq!(first("thị xã Kì Anh").unit.name(), "Thị xã Kỳ Anh");
        assert_eq!(first("huyện Cư Mgar").unit.name(), "Huyện Cư M'gar");
        assert_eq!(first("Cư M’gar").unit.name(), "Huyện Cư M'gar");
        // "uy" is a vowel pair, not a final y: Huy is not Hui.
        assert_eq!(key("Thủy").rest, "thuy");
        assert_eq!(key("Xã Quý Lộc").rest, "qui loc");
    }

    #[test]
    fn a_leading_word_that_looks_like_a_prefix_still_matches_as_part_of_the_name() {
        assert_eq!(first("Quan Hóa").unit.name(), "Huyện Quan Hóa");
        // Read as "tỉnh Gia" this would also find every "Gia …"; the whole name ranks first.
        assert_eq!(first("Tĩnh Gia").unit.name(), "Phường Tĩnh Gia");
    }

    #[test]
    fn exact_matches_come_before_prefix_and_contains_matches_and_provinces_before_communes() {
        let found = AdminUnits::embedded().lookup("Thái Nguyên");
        let ranks: Vec<MatchRank> = found.iter().map(|m| m.rank).collect();
        assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
        let levels: Vec<(UnitLevel, UnitSet)> = found.iter().take(2).map(|m| (m.unit.level(), m.unit.set())).collect();
        assert_eq!(levels, [(UnitLevel::Province, UnitSet::Pre2025), (UnitLevel::Province, UnitSet::From2025)]);
        let exact_levels: Vec<UnitLevel> =
            found.iter().filter(|m| m.rank == MatchRank::Exact).map(|m| m.unit.level()).collect();
        assert!(exact_levels.windows(2).all(|w| w[0] <= w[1]), "{exact_levels:?}");

        let found: Vec<(&str, MatchRank)> =
            AdminUnits::embedded().lookup("Quy Nhơn").iter().map(|m| (m.unit.name(), m.rank)).collect();
        assert_eq!(
            found[..3],
            [
                ("Thành phố Quy Nhơn", MatchRank::Exact),
                ("Phường Quy Nhơn", MatchRank::Exact),
                ("Phường Quy Nhơn Bắc", MatchRank::Prefix),
            ]
        );
    }

    #[test]
    fn a_typed_prefix_puts_units_of_that_kind_first() {
        assert_eq!(first("quận 1").unit.name(), "Quận 1");
        assert!(first("phường 1").unit.name().starts_with("Phường 1"));
        assert_eq!(first("thành phố hồ chí minh").unit.level(), UnitLevel::Province);
        assert_eq!(first("TP. Hồ Chí Minh").unit.name(), "Thành phố Hồ Chí Minh");
    }

    #[test]
    fn an_empty_or_unknown_query_finds_nothing() {
        let units = AdminUnits::embedded();
        assert!(units.lookup("").is_empty());
        assert!(units.lookup("  - ").is_empty());
        assert!(units.lookup("zzzz qqqq").is_empty());
    }
}
