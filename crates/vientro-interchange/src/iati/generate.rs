//! Synthetic IATI 2.03 activity files of any size, for load tests and the import benchmark.
//!
//! This module owns a deterministic generator: the same activity count and seed give byte-identical output,
//! from its own splitmix64 generator (no dependency, no global state). Each activity has the shape of a real
//! NGO publication about Viet Nam — a publisher among a few dozen (`GB-CHC-…`, `NL-KVK-…`, `US-EIN-…`),
//! funding and implementing participants, three DAC sectors summing to 100 %, two named points inside
//! Viet Nam, about eight transactions in USD, EUR, GBP or VND dated 2015–2024, two yearly budgets, and titles
//! and descriptions in Vietnamese and English. Activities are built one at a time and written through
//! [`ActivityWriter`], so memory stays flat whatever the count. Everything it writes is invented: it must not
//! be published, mixed with real data or read from any outside source.

use std::io::Write;

use chrono::{Datelike, Days, NaiveDate};
use rust_decimal::Decimal;
use vientro_domain::sector::dac_sectors;

use super::model::{
    Budget, IatiActivity, Location, Narrative, OrgRef, ParticipatingOrg, Point, SectorRef, Transaction, Value,
};
use super::writer::{ActivityWriter, WriteError};

/// What [`generate`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenerateStats {
    /// Activities written.
    pub activities: usize,
    /// Participating organisations, over all activities.
    pub participating_orgs: usize,
    /// Activity-level sectors.
    pub sectors: usize,
    /// Locations.
    pub locations: usize,
    /// Transactions.
    pub transactions: usize,
    /// Budgets.
    pub budgets: usize,
    /// Bytes written to the output.
    pub bytes: u64,
}

/// The stamp written in `@generated-datetime`: fixed, so that output depends on the seed only.
const GENERATED: &str = "2026-01-01T00:00:00Z";

/// How many publishers the activities are spread over.
const PUBLISHERS: usize = 36;

/// Writes `activities` synthetic activities as one IATI 2.03 `iati-activities` document to `out`, derived from
/// `seed` only (see the module documentation). Fails only when `out` cannot be written to.
pub fn generate(activities: usize, seed: u64, out: &mut impl Write) -> Result<GenerateStats, WriteError> {
    let mut counted = Counting { inner: out, bytes: 0 };
    let mut stats = GenerateStats::default();
    {
        let mut rng = SplitMix64(seed);
        let publishers: Vec<Publisher> = (0..PUBLISHERS).map(|i| Publisher::new(i, &mut rng)).collect();
        let partners: Vec<OrgRef> = (0..PARTNERS.len()).map(|i| partner(i, &mut rng)).collect();
        let sectors: Vec<&str> = dac_sectors().iter().filter(|s| !s.withdrawn).map(|s| s.name_en.as_str()).collect();
        let codes: Vec<String> = dac_sectors().iter().filter(|s| !s.withdrawn).map(|s| s.code.to_string()).collect();
        let mut writer = ActivityWriter::start(&mut counted, Some(GENERATED))?;
        for n in 0..activities {
            // One generator per activity, derived from the seed and the position, so an activity does not
            // depend on how many draws the ones before it took.
            let mut rng = SplitMix64(seed ^ (n as u64).wrapping_mul(0xA24B_AED4_963E_E407));
            let a = activity(n, &mut rng, &publishers, &partners, &codes, &sectors);
            stats.activities += 1;
            stats.participating_orgs += a.participating_orgs.len();
            stats.sectors += a.sectors.len();
            stats.locations += a.locations.len();
            stats.transactions += a.transactions.len();
            stats.budgets += a.budgets.len();
            writer.write(&a)?;
        }
        writer.finish()?;
    }
    stats.bytes = counted.bytes;
    Ok(stats)
}

/// The splitmix64 generator (Steele, Lea and Flood 2014): tiny, fast and good enough for invented data.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0); the modulo bias is irrelevant at these sizes.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// A number in `lo..=hi`.
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A writer that counts the bytes going through.
struct Counting<'a, W: Write> {
    inner: &'a mut W,
    bytes: u64,
}

impl<W: Write> Write for Counting<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// A publishing organisation: its identifier, type, name and usual currency.
struct Publisher {
    org: OrgRef,
    currency: &'static str,
}

/// Registration agencies of publishers: prefix, digits of the number, organisation type, currency, the name
/// pattern.
const AGENCIES: &[(&str, u32, &str, &str, &str)] = &[
    ("GB-CHC", 7, "21", "GBP", "Trust"),
    ("GB-COH", 8, "21", "GBP", "Foundation UK"),
    ("NL-KVK", 8, "21", "EUR", "Stichting"),
    ("DE-CR", 6, "21", "EUR", "e.V."),
    ("FR-RNA", 9, "21", "EUR", "Association"),
    ("US-EIN", 9, "21", "USD", "International"),
    ("US-EIN", 9, "60", "USD", "Foundation"),
    ("AU-ABN", 11, "21", "USD", "Australia"),
    ("CH-FDJP", 8, "21", "EUR", "Stiftung"),
];

const NAME_WORDS: &[&str] = &[
    "Mekong", "Lotus", "Bamboo", "River", "Harvest", "Bridge", "Hope", "Horizon", "Green", "Children", "Water",
    "Health", "Literacy", "Mountain", "Delta", "Sunrise", "Unity", "Village", "Rice", "Compass",
];

impl Publisher {
    fn new(i: usize, rng: &mut SplitMix64) -> Self {
        let (prefix, digits, org_type, currency, suffix) = AGENCIES[i % AGENCIES.len()];
        let number = rng.below(10u64.pow(digits));
        let reference = format!("{prefix}-{number:0width$}", width = digits as usize);
        let name = format!("{} {} {suffix}", rng.pick(NAME_WORDS), rng.pick(NAME_WORDS));
        let org = OrgRef {
            reference: Some(reference),
            org_type: Some(org_type.to_owned()),
            activity_id: None,
            narratives: vec![en(&name)],
        };
        Self { org, currency }
    }
}

/// Vietnamese implementing partners: provincial departments, associations and local NGOs.
const PARTNERS: &[(&str, &str)] = &[
    ("Sở Y tế", "10"),
    ("Sở Giáo dục và Đào tạo", "10"),
    ("Sở Nông nghiệp và Môi trường", "10"),
    ("Hội Liên hiệp Phụ nữ", "22"),
    ("Hội Chữ thập đỏ", "22"),
    ("Trung tâm Phát triển Cộng đồng", "22"),
    ("Hội Nông dân", "22"),
    ("Đoàn Thanh niên", "22"),
    ("Trung tâm Hỗ trợ Sáng kiến Phát triển", "22"),
    ("Hội Người khuyết tật", "22"),
];

fn partner(i: usize, rng: &mut SplitMix64) -> OrgRef {
    let (name, org_type) = PARTNERS[i % PARTNERS.len()];
    let place = rng.pick(PLACES).0;
    // Half the partners carry an identifier, as in real files, where local partners often have none.
    let reference = i.is_multiple_of(2).then(|| format!("VN-MST-{:010}", rng.below(10_000_000_000)));
    OrgRef {
        reference,
        org_type: Some(org_type.to_owned()),
        activity_id: None,
        narratives: vec![vi(&format!("{name} {place}"))],
    }
}

/// Towns well inside Viet Nam: Vietnamese name, English name, latitude and longitude in 1e-4 degrees. Points
/// are drawn within about 3 km of them, which keeps them on land and in the country.
const PLACES: &[(&str, &str, i64, i64)] = &[
    ("Hà Nội", "Ha Noi", 210_285, 1_058_542),
    ("Thành phố Hồ Chí Minh", "Ho Chi Minh City", 107_769, 1_067_009),
    ("Đà Nẵng", "Da Nang", 160_544, 1_082_022),
    ("Huế", "Hue", 164_637, 1_075_909),
    ("Cần Thơ", "Can Tho", 100_452, 1_057_469),
    ("Hải Phòng", "Hai Phong", 208_449, 1_066_881),
    ("Cao Bằng", "Cao Bang", 226_657, 1_062_570),
    ("Lào Cai", "Lao Cai", 224_856, 1_039_707),
    ("Điện Biên Phủ", "Dien Bien Phu", 213_860, 1_030_230),
    ("Đông Hà", "Dong Ha", 168_163, 1_071_003),
    ("Quảng Ngãi", "Quang Ngai", 151_214, 1_088_044),
    ("Pleiku", "Pleiku", 139_833, 1_080_000),
    ("Buôn Ma Thuột", "Buon Ma Thuot", 126_667, 1_080_500),
    ("Long Xuyên", "Long Xuyen", 103_861, 1_054_350),
    ("Cà Mau", "Ca Mau", 91_769, 1_051_524),
    ("Vinh", "Vinh", 186_796, 1_056_813),
    ("Thanh Hóa", "Thanh Hoa", 198_067, 1_057_852),
    ("Lạng Sơn", "Lang Son", 218_537, 1_067_615),
    ("Hà Giang", "Ha Giang", 228_233, 1_049_836),
    ("Sơn La", "Son La", 213_256, 1_039_188),
];

/// Themes: Vietnamese and English title parts.
const THEMES: &[(&str, &str)] = &[
    ("Nâng cao năng lực y tế cộng đồng", "Strengthening community health"),
    ("Nước sạch và vệ sinh trường học", "Clean water and sanitation in schools"),
    ("Sinh kế bền vững cho phụ nữ dân tộc thiểu số", "Sustainable livelihoods for ethnic minority women"),
    ("Giáo dục hòa nhập cho trẻ khuyết tật", "Inclusive education for children with disabilities"),
    ("Thích ứng với biến đổi khí hậu", "Climate change adaptation"),
    ("Phòng chống thiên tai dựa vào cộng đồng", "Community-based disaster risk reduction"),
    ("Dinh dưỡng cho trẻ em dưới năm tuổi", "Nutrition for children under five"),
    ("Nông nghiệp hữu cơ và chuỗi giá trị", "Organic farming and value chains"),
];

fn activity(
    n: usize,
    rng: &mut SplitMix64,
    publishers: &[Publisher],
    partners: &[OrgRef],
    codes: &[String],
    sector_names: &[&str],
) -> IatiActivity {
    let publisher = rng.pick(publishers);
    let publisher_ref = publisher.org.reference.clone().unwrap_or_default();
    let identifier = format!("{publisher_ref}-VN-{n:06}");
    let (theme_vi, theme_en) = *rng.pick(THEMES);
    let places = [*rng.pick(PLACES), *rng.pick(PLACES)];

    let start = date(rng.between(2015, 2022) as i32, rng.between(1, 12) as u32, 1);
    let months = rng.between(18, 48) as u32;
    let end = start
        .checked_add_months(chrono::Months::new(months))
        .and_then(|d| d.pred_opt())
        .unwrap_or(start)
        .min(date(2024, 12, 31));
    let status = if end < date(2024, 6, 30) {
        "4"
    } else if end < date(2024, 12, 31) {
        "3"
    } else {
        "2"
    };

    let mut participating_orgs = vec![ParticipatingOrg { org: publisher.org.clone(), role: Some("1".to_owned()) }];
    if rng.chance(40) {
        let co_funder = rng.pick(publishers);
        if co_funder.org.reference != publisher.org.reference {
            participating_orgs.push(ParticipatingOrg { org: co_funder.org.clone(), role: Some("1".to_owned()) });
        }
    }
    participating_orgs.push(ParticipatingOrg { org: publisher.org.clone(), role: Some("3".to_owned()) });
    let implementer = rng.pick(partners).clone();
    participating_orgs.push(ParticipatingOrg { org: implementer.clone(), role: Some("4".to_owned()) });
    if rng.chance(50) {
        participating_orgs.push(ParticipatingOrg { org: rng.pick(partners).clone(), role: Some("4".to_owned()) });
    }

    let mut sectors = Vec::with_capacity(3);
    let first = rng.between(34, 60);
    let second = rng.between(10, 100 - first - 10);
    for percentage in [first, second, 100 - first - second] {
        let mut i = rng.below(codes.len() as u64) as usize;
        while sectors.iter().any(|s: &SectorRef| s.code.as_deref() == Some(codes[i].as_str())) {
            i = (i + 1) % codes.len();
        }
        sectors.push(SectorRef {
            code: Some(codes[i].clone()),
            vocabulary: "1".to_owned(),
            percentage: Some(Decimal::from(percentage)),
            narratives: if rng.chance(30) { vec![en(sector_names[i])] } else { Vec::new() },
        });
    }

    let locations = places
        .iter()
        .enumerate()
        .map(|(i, (name_vi, name_en, lat, lon))| Location {
            reference: Some(format!("{identifier}-L{}", i + 1)),
            names: vec![vi(name_vi), en(name_en)],
            point: Some(Point {
                latitude: Decimal::new((lat + rng.between(-250, 250)) * 10 + rng.between(0, 9), 5),
                longitude: Decimal::new((lon + rng.between(-250, 250)) * 10 + rng.between(0, 9), 5),
            }),
            administratives: Vec::new(),
            location_ids: Vec::new(),
        })
        .collect();

    let budgets = (0..2)
        .map(|i| {
            let year = (start.year() + i).min(2024);
            Budget {
                budget_type: Some("1".to_owned()),
                status: Some(if i == 0 { "2" } else { "1" }.to_owned()),
                period_start: date(year, 1, 1),
                period_end: date(year, 12, 31),
                value: Value {
                    amount: Decimal::from(rng.between(20, 600) * 1_000),
                    currency: None,
                    value_date: Some(date(year, 1, 1)),
                },
            }
        })
        .collect();

    let days = (end - start).num_days().max(1);
    let count = rng.between(4, 12);
    let transactions = (0..count)
        .map(|i| {
            let kind = match (i, rng.below(100)) {
                (0, _) => "2",
                (_, 0..=49) => "3",
                (_, 50..=84) => "4",
                (_, 85..=93) => "2",
                (_, 94..=96) => "1",
                _ => "11",
            };
            let day = start.checked_add_days(Days::new(rng.below(days as u64))).unwrap_or(start);
            let value_date = day.checked_sub_days(Days::new(rng.below(5))).unwrap_or(day);
            let (amount, currency) = if kind == "4" && rng.chance(40) {
                (Decimal::from(rng.between(5_000, 2_500_000) * 10_000), Some("VND".to_owned()))
            } else {
                let explicit = rng.chance(30).then(|| rng.pick(&["USD", "EUR", "GBP"]).to_string());
                (Decimal::new(rng.between(100_000, 25_000_000), 2), explicit)
            };
            let incoming = kind == "1" || kind == "11";
            Transaction {
                reference: Some(format!("{identifier}-T{}", i + 1)),
                transaction_type: kind.to_owned(),
                date: day,
                value: Value { amount, currency, value_date: Some(value_date) },
                descriptions: if rng.chance(50) {
                    vec![en(&format!("{theme_en}: tranche {}", i + 1)), vi(&format!("{theme_vi}: đợt {}", i + 1))]
                } else {
                    Vec::new()
                },
                provider_org: incoming.then(|| publisher.org.clone()),
                receiver_org: (!incoming).then(|| implementer.clone()),
                sectors: Vec::new(),
                recipient_country: None,
                recipient_region: None,
            }
        })
        .collect();

    let description_en = format!(
        "{theme_en} in {} and {}, with local authorities and community groups ({} to {}).",
        places[0].1, places[1].1, start, end
    );
    let description_vi = format!(
        "Dự án {} tại {} và {}, phối hợp với chính quyền địa phương và các tổ chức cộng đồng.",
        theme_vi.to_lowercase(),
        places[0].0,
        places[1].0
    );

    IatiActivity {
        identifier,
        line: 0,
        file_version: None,
        default_currency: Some(publisher.currency.to_owned()),
        lang: Some("en".to_owned()),
        reporting_org: Some(publisher.org.clone()),
        participating_orgs,
        titles: vec![en(&format!("{theme_en} in {}", places[0].1)), vi(&format!("{theme_vi} tại {}", places[0].0))],
        descriptions: vec![(Some("1".to_owned()), vec![en(&description_en), vi(&description_vi)])],
        status: Some(status.to_owned()),
        dates: vec![
            ("1".to_owned(), start),
            ("2".to_owned(), start.checked_add_days(Days::new(rng.below(60))).unwrap_or(start)),
            ("3".to_owned(), end),
        ],
        recipient_countries: vec![("VN".to_owned(), Some(Decimal::from(100)))],
        recipient_regions: Vec::new(),
        sectors,
        locations,
        budgets,
        planned_disbursements: Vec::new(),
        transactions,
    }
}

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

/// An English narrative (the activity's language, so without `xml:lang`).
fn en(text: &str) -> Narrative {
    Narrative { lang: None, text: text.to_owned() }
}

fn vi(text: &str) -> Narrative {
    Narrative { lang: Some("vi".to_owned()), text: text.to_owned() }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::path::PathBuf;
    use std::process::Command;

    use super::*;
    use crate::iati::read_activities;

    fn schema() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("schema/iati-2.03/iati-activities-schema.xsd")
    }

    #[test]
    fn generate_the_same_seed_gives_the_same_bytes_and_another_seed_does_not() {
        let (mut a, mut b, mut c) = (Vec::new(), Vec::new(), Vec::new());
        let stats = generate(20, 42, &mut a).unwrap();
        generate(20, 42, &mut b).unwrap();
        generate(20, 43, &mut c).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(stats.bytes, a.len() as u64);
    }

    #[test]
    fn generate_50_activities_validate_and_read_back_without_problems() {
        let mut bytes = Vec::new();
        let stats = generate(50, 7, &mut bytes).unwrap();
        assert_eq!(stats.activities, 50);
        assert_eq!(stats.sectors, 150);
        assert_eq!(stats.locations, 100);
        assert_eq!(stats.budgets, 100);
        let per_activity = stats.transactions as f64 / 50.0;
        assert!((6.5..=9.5).contains(&per_activity), "{per_activity} transactions per activity");

        let mut read = Vec::new();
        let summary = read_activities("generated.xml", bytes.as_slice(), |a| read.push(a));
        assert!(summary.problems.is_empty(), "{:#?}", summary.problems);
        assert_eq!(summary.activities_read, 50);
        assert_eq!(summary.version.as_deref(), Some("2.03"));
        assert_eq!(read.iter().map(|a| a.transactions.len()).sum::<usize>(), stats.transactions);
        assert_eq!(read.iter().map(|a| a.participating_orgs.len()).sum::<usize>(), stats.participating_orgs);
        for a in &read {
            let total: Decimal = a.sectors.iter().filter_map(|s| s.percentage).sum();
            assert_eq!(total, Decimal::from(100), "{}", a.identifier);
            assert!(a.titles.iter().any(|t| t.lang.as_deref() == Some("vi")));
            for l in &a.locations {
                let p = l.point.unwrap();
                assert!((Decimal::new(85, 1)..Decimal::new(234, 1)).contains(&p.latitude), "{p:?}");
                assert!((Decimal::new(1020, 1)..Decimal::new(1095, 1)).contains(&p.longitude), "{p:?}");
            }
        }
        let publishers: std::collections::BTreeSet<_> =
            read.iter().filter_map(|a| a.reporting_org.as_ref()?.reference.clone()).collect();
        assert!(publishers.len() >= 15, "{publishers:?}");

        if Command::new("xmllint").arg("--version").output().is_err() {
            eprintln!("SKIPPED the schema check: xmllint is not installed (apt-get install libxml2-utils)");
            return;
        }
        let file = std::env::temp_dir().join(format!("vientro-generate-{}.xml", std::process::id()));
        std::fs::write(&file, &bytes).unwrap();
        let out = Command::new("xmllint").arg("--noout").arg("--schema").arg(schema()).arg(&file).output().unwrap();
        let _ = std::fs::remove_file(&file);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
}
