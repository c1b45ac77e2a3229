//! Countries: ISO 3166-1 alpha-2 codes, their English and Vietnamese names, and the coarse donor region.
//!
//! This module owns [`CountryCode`], checked against the IATI Country codelist (vendored under `data/iati/`
//! and compiled in with `include_str!`), a hand table of Vietnamese names for the countries whose NGOs fund aid
//! to Viet Nam, and the [`DonorRegion`] used in national statistics. It must not do any IO beyond
//! `include_str!`, and it knows nothing of organisations or addresses.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ValidationError;
use crate::text::fold;

const COUNTRY_CSV: &str = include_str!("../data/iati/Country.csv");

const FIELD: &str = "country";
const UNKNOWN: &str = "error-country-unknown";

/// An ISO 3166-1 alpha-2 country code, upper case, that exists in the vendored IATI Country codelist
/// (withdrawn codes included). Serialised as the code string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryCode(&'static str);

/// The coarse region of a donor country, as national statistics on foreign NGO aid group them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DonorRegion {
    /// Châu Âu: Europe, including the Russian Federation.
    Europe,
    /// Bắc Mỹ: the United States and Canada.
    NorthAmerica,
    /// Châu Á – Thái Bình Dương: East, South-East and South Asia, and Oceania.
    AsiaPacific,
    /// Khác: everywhere else (Latin America, Africa, West and Central Asia, the Middle East).
    Other,
}

struct Country {
    code: String,
    name_en: String,
    withdrawn: bool,
}

struct Tables {
    countries: Vec<Country>,
    by_name: HashMap<String, usize>,
}

#[derive(Deserialize)]
struct CountryRow {
    code: String,
    name: String,
    status: String,
}

// Vietnamese names (the Ministry of Foreign Affairs' spellings where they exist), then other Vietnamese names
// people write. Thuỵ/Thụy and Hoà/Hòa need no second spelling: names are compared without tones.
const VI_NAMES: &[(&str, &str, &[&str])] = &[
    ("US", "Hoa Kỳ", &["Mỹ", "Hợp chúng quốc Hoa Kỳ"]),
    ("GB", "Vương quốc Anh", &["Anh", "Liên hiệp Vương quốc Anh và Bắc Ai-len"]),
    ("FR", "Pháp", &["Cộng hoà Pháp"]),
    ("DE", "Đức", &["Cộng hoà Liên bang Đức"]),
    ("NL", "Hà Lan", &["Vương quốc Hà Lan"]),
    ("BE", "Bỉ", &["Vương quốc Bỉ"]),
    ("CH", "Thuỵ Sĩ", &[]),
    ("SE", "Thuỵ Điển", &[]),
    ("NO", "Na Uy", &[]),
    ("DK", "Đan Mạch", &[]),
    ("FI", "Phần Lan", &[]),
    ("IE", "Ai-len", &["Ireland"]),
    ("IT", "Ý (Italia)", &["Ý", "Italia", "I-ta-li-a"]),
    ("ES", "Tây Ban Nha", &[]),
    ("AT", "Áo", &[]),
    ("LU", "Lúc-xăm-bua", &["Luých-xăm-bua"]),
    ("CA", "Ca-na-đa", &[]),
    ("AU", "Ô-xtrây-li-a", &["Úc"]),
    ("NZ", "Niu Di-lân", &["Tân Tây Lan"]),
    ("JP", "Nhật Bản", &[]),
    ("KR", "Hàn Quốc", &["Đại Hàn Dân Quốc"]),
    ("CN", "Trung Quốc", &[]),
    ("TW", "Đài Loan (Trung Quốc)", &["Đài Loan"]),
    ("SG", "Xin-ga-po", &[]),
    ("TH", "Thái Lan", &[]),
    ("LA", "Lào", &[]),
    ("KH", "Cam-pu-chia", &[]),
    ("IN", "Ấn Độ", &[]),
    ("RU", "Liên bang Nga", &["Nga"]),
    ("VN", "Việt Nam", &[]),
    ("HK", "Hồng Kông (Trung Quốc)", &["Hồng Kông"]),
    ("MO", "Ma Cao (Trung Quốc)", &["Ma Cao"]),
    ("PH", "Phi-líp-pin", &[]),
    ("MY", "Ma-lai-xi-a", &[]),
    ("ID", "In-đô-nê-xi-a", &[]),
    ("IL", "I-xra-en", &[]),
    ("CZ", "Séc", &["Cộng hoà Séc"]),
    ("PL", "Ba Lan", &[]),
    ("HU", "Hung-ga-ri", &[]),
    ("PT", "Bồ Đào Nha", &[]),
    ("GR", "Hy Lạp", &[]),
    ("SK", "Xlô-va-ki-a", &[]),
    ("SI", "Xlô-ven-ni-a", &[]),
    ("IS", "Ai-xơ-len", &[]),
    ("LI", "Lích-tên-xtên", &[]),
    ("MC", "Mô-na-cô", &[]),
    ("RO", "Ru-ma-ni", &[]),
    ("BG", "Bun-ga-ri", &[]),
    ("UA", "U-crai-na", &[]),
    ("TR", "Thổ Nhĩ Kỳ", &[]),
    ("MM", "Mi-an-ma", &[]),
    ("BD", "Băng-la-đét", &[]),
    ("MN", "Mông Cổ", &[]),
    ("KP", "Triều Tiên", &[]),
    ("BN", "Bru-nây", &[]),
    ("TL", "Ti-mo Lét-xtê", &["Đông Ti-mo"]),
    ("AE", "Các Tiểu vương quốc Ả-rập Thống nhất", &[]),
    ("SA", "Ả-rập Xê-út", &[]),
    ("QA", "Ca-ta", &[]),
    ("KW", "Cô-oét", &[]),
    ("ZA", "Nam Phi", &[]),
    ("BR", "Bra-xin", &[]),
    ("MX", "Mê-hi-cô", &[]),
];

// English names people write that differ from the codelist's ISO short names.
const EN_ALIASES: &[(&str, &[&str])] = &[
    ("VN", &["Vietnam"]),
    ("US", &["United States", "USA", "U.S.A."]),
    ("GB", &["United Kingdom", "UK", "Great Britain", "Britain"]),
    ("KR", &["South Korea", "Republic of Korea"]),
    ("KP", &["North Korea"]),
    ("LA", &["Laos", "Lao PDR"]),
    ("RU", &["Russia"]),
    ("CZ", &["Czech Republic"]),
    ("TR", &["Turkey"]),
    ("NL", &["Holland", "The Netherlands"]),
    ("MO", &["Macau"]),
    ("BN", &["Brunei"]),
    ("TL", &["East Timor"]),
    ("CI", &["Ivory Coast"]),
    ("SZ", &["Swaziland"]),
    ("MK", &["Macedonia"]),
];

fn parse_countries(csv_text: &str) -> Result<Vec<Country>, String> {
    let mut countries = Vec::new();
    for (i, row) in csv::Reader::from_reader(csv_text.as_bytes()).deserialize::<CountryRow>().enumerate() {
        let row = row.map_err(|e| format!("Country.csv row {}: {e}", i + 2))?;
        if row.code.len() != 2 || !row.code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(format!("Country.csv: bad code {:?}", row.code));
        }
        countries.push(Country { code: row.code, name_en: row.name, withdrawn: row.status == "withdrawn" });
    }
    countries.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(countries)
}

// Names are compared on letters and digits only, without tones: "Ai-len", "ai len" and "Ailen" are one key.
fn key(s: &str) -> String {
    fold(s).chars().filter(|c| c.is_alphanumeric()).collect()
}

// "Netherlands (the)" → "Netherlands"; "Korea (the Republic of)" → "Korea" (then dropped as ambiguous).
fn without_brackets(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut depth = 0_u32;
    for c in name.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

// The name index, most authoritative first; a later source never overrides an earlier key. Bracket-free
// English names are added only when no two countries share one ("Congo", "Korea", "Virgin Islands").
fn index_names(countries: &[Country]) -> HashMap<String, usize> {
    let position = |code: &str| countries.binary_search_by(|c| c.code.as_str().cmp(code)).ok();
    let mut by_name = HashMap::new();
    for (i, country) in countries.iter().enumerate() {
        by_name.entry(key(&country.name_en)).or_insert(i);
    }
    let vietnamese = VI_NAMES
        .iter()
        .flat_map(|(code, name, also)| std::iter::once(name).chain(also.iter()).map(move |n| (*code, *n)));
    let english = EN_ALIASES.iter().flat_map(|(code, also)| also.iter().map(move |n| (*code, *n)));
    for (code, name) in vietnamese.chain(english) {
        if let Some(i) = position(code) {
            by_name.entry(key(name)).or_insert(i);
        }
    }
    let mut short: HashMap<String, Option<usize>> = HashMap::new();
    for (i, country) in countries.iter().enumerate() {
        short.entry(key(&without_brackets(&country.name_en))).and_modify(|seen| *seen = None).or_insert(Some(i));
    }
    for (name, i) in short {
        if let Some(i) = i {
            by_name.entry(name).or_insert(i);
        }
    }
    by_name.remove("");
    by_name
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        // Compiled-in data: `vendored_country_codelist_parses_completely` proves this cannot fail.
        let countries = parse_countries(COUNTRY_CSV).expect("vendored Country.csv parses");
        let by_name = index_names(&countries);
        Tables { countries, by_name }
    })
}

fn country(i: usize) -> Option<CountryCode> {
    tables().countries.get(i).map(|c| CountryCode(c.code.as_str()))
}

fn row_of(code: &str) -> Option<&'static Country> {
    let countries = &tables().countries;
    countries.binary_search_by(|c| c.code.as_str().cmp(code)).ok().and_then(|i| countries.get(i))
}

fn row(code: CountryCode) -> Option<&'static Country> {
    row_of(code.0)
}

fn by_code(upper: &str) -> Option<CountryCode> {
    row_of(upper).map(|c| CountryCode(c.code.as_str()))
}

impl CountryCode {
    /// Reads a country: a two-letter code in any case (`vn`, `VN`), else an English name (the codelist's, with
    /// or without its bracketed part, or a common form such as "Vietnam" or "UK") or a Vietnamese name from
    /// the hand table, ignoring case, diacritics, spaces and punctuation. Two ASCII letters that are a code are
    /// always read as the code: "Ao" is Angola, "Áo" is Austria. Error: field `country`, code
    /// `error-country-unknown`.
    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        let t = s.trim();
        if t.len() == 2
            && t.bytes().all(|b| b.is_ascii_alphabetic())
            && let Some(code) = by_code(&t.to_ascii_uppercase())
        {
            return Ok(code);
        }
        tables()
            .by_name
            .get(&key(t))
            .and_then(|&i| country(i))
            .ok_or_else(|| ValidationError::new(FIELD, UNKNOWN, format!("unknown country {t:?}")))
    }

    /// Every country of the vendored codelist, withdrawn ones included, in code order.
    pub fn all() -> impl Iterator<Item = CountryCode> {
        tables().countries.iter().map(|c| CountryCode(c.code.as_str()))
    }

    /// The two-letter upper-case code, e.g. `"VN"`.
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// The codelist's English name (ISO short name, e.g. "Netherlands (the)").
    pub fn name_en(self) -> &'static str {
        row(self).map_or(self.0, |c| c.name_en.as_str())
    }

    /// The Vietnamese name from the hand table, or the English name for a country not in it.
    pub fn name_vi(self) -> &'static str {
        VI_NAMES.iter().find(|(code, _, _)| *code == self.0).map_or_else(|| self.name_en(), |(_, name, _)| name)
    }

    /// True when the codelist marks the code withdrawn (only `AN`, Netherlands Antilles).
    pub fn is_withdrawn(self) -> bool {
        row(self).is_some_and(|c| c.withdrawn)
    }

    /// The coarse donor region, from a hand table (\[I\]: inference, to confirm with the national statistics):
    /// Europe is every European country including the Russian Federation, Belarus, Ukraine and Cyprus; North
    /// America is the United States and Canada only; Asia–Pacific is East Asia (with Hong Kong, Macao and
    /// Taiwan), South-East Asia, South Asia and the independent states of Oceania; everything else (Latin
    /// America, Africa, Central and West Asia including Türkiye and Israel, the Gulf, dependent territories)
    /// is Other.
    pub fn region(self) -> DonorRegion {
        match self.0 {
            "AD" | "AL" | "AT" | "AX" | "BA" | "BE" | "BG" | "BY" | "CH" | "CY" | "CZ" | "DE" | "DK" | "EE" | "ES"
            | "FI" | "FO" | "FR" | "GB" | "GG" | "GI" | "GR" | "HR" | "HU" | "IE" | "IM" | "IS" | "IT" | "JE"
            | "LI" | "LT" | "LU" | "LV" | "MC" | "MD" | "ME" | "MK" | "MT" | "NL" | "NO" | "PL" | "PT" | "RO"
            | "RS" | "RU" | "SE" | "SI" | "SK" | "SM" | "UA" | "VA" | "XK" => DonorRegion::Europe,
            "US" | "CA" => DonorRegion::NorthAmerica,
            "CN" | "HK" | "MO" | "TW" | "JP" | "KR" | "KP" | "MN" | "VN" | "LA" | "KH" | "TH" | "MM" | "MY" | "SG"
            | "ID" | "PH" | "BN" | "TL" | "IN" | "BD" | "NP" | "BT" | "LK" | "MV" | "PK" | "AF" | "AU" | "NZ"
            | "PG" | "FJ" | "SB" | "VU" | "WS" | "TO" | "KI" | "TV" | "NR" | "PW" | "FM" | "MH" => {
                DonorRegion::AsiaPacific
            }
            _ => DonorRegion::Other,
        }
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for CountryCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for CountryCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        CountryCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl DonorRegion {
    /// All regions, in the order national statistics list them.
    pub fn all() -> &'static [DonorRegion] {
        &[DonorRegion::Europe, DonorRegion::NorthAmerica, DonorRegion::AsiaPacific, DonorRegion::Other]
    }

    /// The Vietnamese name: "Châu Âu", "Bắc Mỹ", "Châu Á – Thái Bình Dương", "Khác".
    pub fn name_vi(self) -> &'static str {
        match self {
            DonorRegion::Europe => "Châu Âu",
            DonorRegion::NorthAmerica => "Bắc Mỹ",
            DonorRegion::AsiaPacific => "Châu Á – Thái Bình Dương",
            DonorRegion::Other => "Khác",
        }
    }

    /// The English name.
    pub fn name_en(self) -> &'static str {
        match self {
            DonorRegion::Europe => "Europe",
            DonorRegion::NorthAmerica => "North America",
            DonorRegion::AsiaPacific => "Asia–Pacific",
            DonorRegion::Other => "Other",
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(s: &str) -> CountryCode {
        CountryCode::parse(s).unwrap()
    }

    #[test]
    fn vendored_country_codelist_parses_completely() {
        let countries = parse_countries(COUNTRY_CSV).unwrap();
        assert_eq!(countries.len(), COUNTRY_CSV.lines().count() - 1);
        assert_eq!(CountryCode::all().count(), 251);
        assert_eq!(CountryCode::all().filter(|c| c.is_withdrawn()).count(), 1);
    }

    #[test]
    fn country_code_is_read_in_any_case() {
        assert_eq!(c("vn").as_str(), "VN");
        assert_eq!(c(" Us ").as_str(), "US");
        assert_eq!(c("VN").name_en(), "Viet Nam");
        assert!(c("AN").is_withdrawn());
    }

    #[test]
    fn english_name_is_understood_without_case_or_diacritics() {
        assert_eq!(c("viet nam"), c("VN"));
        assert_eq!(c("Vietnam"), c("VN"));
        assert_eq!(c("NETHERLANDS"), c("NL"));
        assert_eq!(c("Netherlands (the)"), c("NL"));
        assert_eq!(c("Cote d'Ivoire"), c("CI"));
        assert_eq!(c("turkiye"), c("TR"));
        assert_eq!(c("United Kingdom of Great Britain and Northern Ireland"), c("GB"));
        assert_eq!(c("UK"), c("GB"));
        assert_eq!(c("Taiwan"), c("TW"));
        assert_eq!(c("Bolivia"), c("BO"));
    }

    #[test]
    fn vietnamese_country_name_is_understood() {
        assert_eq!(c("Hoa Kỳ"), c("US"));
        assert_eq!(c("Mỹ"), c("US"));
        assert_eq!(c("Đức"), c("DE"));
        assert_eq!(c("duc"), c("DE"));
        assert_eq!(c("Thụy Sĩ"), c("CH"));
        assert_eq!(c("Thuỵ Điển"), c("SE"));
        assert_eq!(c("Ai Len"), c("IE"));
        assert_eq!(c("Ý"), c("IT"));
        assert_eq!(c("Italia"), c("IT"));
        assert_eq!(c("Đài Loan (Trung Quốc)"), c("TW"));
        assert_eq!(c("Trung Quốc"), c("CN"));
        assert_eq!(c("úc"), c("AU"));
        assert_eq!(c("Việt Nam"), c("VN"));
    }

    #[test]
    fn two_ascii_letters_are_a_code_but_vietnamese_letters_are_a_name() {
        assert_eq!(c("Áo"), c("AT"));
        assert_eq!(c("ao"), c("AO"));
        assert_eq!(c("Bỉ"), c("BE"));
        assert_eq!(c("bi"), c("BI"));
    }

    #[test]
    fn unknown_or_ambiguous_country_is_refused_on_the_country_field() {
        for bad in ["ZZ", "XX", "Atlantis", "Korea", "Congo", "", "   ", "V"] {
            let err = CountryCode::parse(bad).unwrap_err();
            assert_eq!(err.field, "country", "{bad:?}");
            assert_eq!(err.code, "error-country-unknown", "{bad:?}");
        }
    }

    #[test]
    fn vietnamese_name_falls_back_to_english() {
        assert_eq!(c("GB").name_vi(), "Vương quốc Anh");
        assert_eq!(c("KR").name_vi(), "Hàn Quốc");
        assert_eq!(c("KE").name_vi(), "Kenya");
    }

    #[test]
    fn every_hand_table_name_belongs_to_a_known_country_and_reads_back_to_it() {
        assert!(VI_NAMES.len() >= 45);
        for (code, name, also) in VI_NAMES {
            let country = c(code);
            assert_eq!(country.name_vi(), *name);
            for n in std::iter::once(name).chain(also.iter()) {
                assert_eq!(c(n), country, "{n}");
            }
        }
        for (code, also) in EN_ALIASES {
            for n in *also {
                assert_eq!(c(n), c(code), "{n}");
            }
        }
    }

    #[test]
    fn every_country_reads_back_from_its_code_and_english_name() {
        for country in CountryCode::all() {
            assert_eq!(c(country.as_str()), country);
            assert_eq!(c(&country.as_str().to_ascii_lowercase()), country);
            assert_eq!(c(country.name_en()), country, "{}", country.name_en());
            assert_eq!(c(country.name_vi()), country, "{}", country.name_vi());
        }
    }

    #[test]
    fn common_donors_fall_in_their_statistical_region() {
        for code in [
            "GB", "FR", "DE", "NL", "BE", "CH", "SE", "NO", "DK", "FI", "IE", "IT", "ES", "AT", "LU", "CZ", "PL", "HU",
            "RU",
        ] {
            assert_eq!(c(code).region(), DonorRegion::Europe, "{code}");
        }
        for code in ["US", "CA"] {
            assert_eq!(c(code).region(), DonorRegion::NorthAmerica, "{code}");
        }
        for code in ["JP", "KR", "CN", "TW", "SG", "TH", "LA", "KH", "IN", "AU", "NZ", "HK", "PH", "MY", "ID", "VN"] {
            assert_eq!(c(code).region(), DonorRegion::AsiaPacific, "{code}");
        }
        for code in ["IL", "BR", "ZA", "AE", "MX"] {
            assert_eq!(c(code).region(), DonorRegion::Other, "{code}");
        }
        assert_eq!(DonorRegion::AsiaPacific.name_vi(), "Châu Á – Thái Bình Dương");
        assert_eq!(DonorRegion::all().len(), 4);
    }

    #[test]
    fn country_serialises_as_its_code_and_deserialises_from_it() {
        let mut writer = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
        writer.serialize((c("de"),)).unwrap();
        assert_eq!(String::from_utf8(writer.into_inner().unwrap()).unwrap(), "DE\n");
        let text = serde::de::value::StrDeserializer::<serde::de::value::Error>::new("DE");
        assert_eq!(CountryCode::deserialize(text).unwrap(), c("DE"));
        let bad = serde::de::value::StrDeserializer::<serde::de::value::Error>::new("QQ");
        assert!(CountryCode::deserialize(bad).is_err());
    }

    proptest! {
        #[test]
        fn parsing_any_text_never_panics(s in "\\PC*") {
            let _ = CountryCode::parse(&s);
        }
    }
}
