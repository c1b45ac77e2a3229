//! The IATI activity reader against real Viet Nam extracts, the official example, and broken inputs.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::str::FromStr;

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use vientro_interchange::iati::{
    IatiActivity, Narrative, Point, ProblemKind, ReadSummary, problems_csv, read_activities, read_file,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/iati").join(name)
}

fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).unwrap()
}

fn read_fixture(name: &str) -> (Vec<IatiActivity>, ReadSummary) {
    let mut activities = Vec::new();
    let summary = read_file(&fixture(name), |a| activities.push(a));
    (activities, summary)
}

fn read_bytes(bytes: &[u8]) -> (Vec<IatiActivity>, ReadSummary) {
    let mut activities = Vec::new();
    let summary = read_activities("test.xml", bytes, |a| activities.push(a));
    (activities, summary)
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// 1-based line of the first occurrence of `needle` in a fixture, so expectations follow the file.
fn line_of(name: &str, needle: &str) -> usize {
    let text = String::from_utf8_lossy(&fixture_bytes(name)).into_owned();
    let at = text.find(needle).unwrap_or_else(|| panic!("{needle:?} not in {name}"));
    text[..at].matches('\n').count() + 1
}

fn narrative(lang: Option<&str>, text: &str) -> Narrative {
    Narrative { lang: lang.map(str::to_owned), text: text.to_owned() }
}

fn ids(activities: &[IatiActivity]) -> Vec<&str> {
    activities.iter().map(|a| a.identifier.as_str()).collect()
}

const VN_EXTRACTS: [(&str, usize); 4] = [
    ("vn_from_csv2iati_tripleline-cscf.xml", 1),
    ("vn_from_dhsc-activities-ghs.xml", 2),
    ("vn_from_flattener_gdihub-activity.xml", 2),
    ("vn_from_hdx-covid-dportal.xml", 5),
];

#[test]
fn every_vn_extract_reads_without_problems_with_1_2_2_and_5_activities() {
    for (name, count) in VN_EXTRACTS {
        let (activities, summary) = read_fixture(name);
        assert_eq!(summary.problems, vec![], "{name}");
        assert_eq!(activities.len(), count, "{name}");
        assert_eq!((summary.activities_read, summary.activities_skipped), (count, 0), "{name}");
        assert!(activities.iter().all(|a| a.recipient_countries.iter().any(|(c, _)| c == "VN")), "{name}");
    }
}

#[test]
fn the_dhsc_fleming_fund_activity_has_gbp_its_sector_and_its_233_transactions_exactly() {
    let (activities, summary) = read_fixture("vn_from_dhsc-activities-ghs.xml");
    assert_eq!(summary.version.as_deref(), Some("2.03"));
    let ff = activities.iter().find(|a| a.identifier == "GB-GOV-10-FF_MA").unwrap();
    assert_eq!(ff.default_currency.as_deref(), Some("GBP"));
    assert_eq!(ff.lang.as_deref(), Some("en"));
    assert_eq!(ff.status.as_deref(), Some("2"));
    assert_eq!(
        ff.dates,
        vec![("1".into(), day(2016, 10, 10)), ("2".into(), day(2016, 10, 10)), ("3".into(), day(2026, 3, 31))]
    );
    assert_eq!(ff.reporting_org.as_ref().unwrap().reference.as_deref(), Some("GB-GOV-10"));
    let roles: Vec<_> = ff.participating_orgs.iter().map(|p| p.role.as_deref().unwrap()).collect();
    assert_eq!(roles, ["1", "2", "4"]);
    assert_eq!(ff.sectors.len(), 1);
    assert_eq!(ff.sectors[0].code.as_deref(), Some("12110"));
    assert_eq!(ff.sectors[0].vocabulary, "1");
    assert_eq!(ff.sectors[0].percentage, Some(dec("100")));
    assert_eq!(ff.recipient_countries.len(), 23);
    assert!(ff.recipient_countries.contains(&("VN".into(), Some(dec("5.1")))));
    assert_eq!(ff.recipient_regions, vec![("998".into(), Some("1".into()), Some(dec("27.45")))]);

    assert_eq!(ff.budgets.len(), 10);
    assert_eq!(ff.budgets.iter().map(|b| b.value.amount).sum::<Decimal>(), dec("336853543.49"));
    assert_eq!(ff.budgets[0].period_start, day(2025, 4, 1));
    assert_eq!(ff.budgets[0].period_end, day(2026, 3, 31));
    assert_eq!(ff.budgets[0].value.amount, dec("49282996"));

    let txs = &ff.transactions;
    assert_eq!(txs.len(), 233);
    assert_eq!(txs.iter().filter(|t| t.transaction_type == "3").count(), 232);
    assert_eq!(txs.iter().map(|t| t.value.amount).sum::<Decimal>(), dec("578353609.4100000001"));
    assert_eq!(txs.iter().filter(|t| t.value.amount.is_sign_negative()).count(), 4);
    // Float noise in the published file is kept exactly, not rounded.
    assert!(txs.iter().any(|t| t.value.amount == dec("2350965.3600000003")));

    let first = &txs[0];
    assert_eq!((first.transaction_type.as_str(), first.date), ("3", day(2025, 4, 7)));
    assert_eq!(first.value.amount, dec("398972.68"));
    assert_eq!(first.value.currency.as_deref(), Some("GBP"));
    assert_eq!(first.value.value_date, Some(day(2025, 4, 7)));
    assert_eq!(first.descriptions, vec![narrative(None, "Downstream country disbursement")]);
    let provider = first.provider_org.as_ref().unwrap();
    assert_eq!(provider.reference.as_deref(), Some("GB-GOV-10"));
    assert_eq!(provider.activity_id.as_deref(), Some("GB-GOV-10-FF_MA"));
    let receiver = first.receiver_org.as_ref().unwrap();
    assert_eq!(receiver.reference.as_deref(), Some("GB-COH-1110949"));
    assert_eq!(receiver.org_type.as_deref(), Some("70"));
    assert_eq!(receiver.narratives, vec![narrative(None, "Mott MacDonald Limited")]);

    let commitment = txs.iter().find(|t| t.transaction_type == "2").unwrap();
    assert_eq!((commitment.date, commitment.value.amount), (day(2016, 10, 1), dec("336853543.5")));
    let last = txs.last().unwrap();
    assert_eq!((last.date, last.value.amount), (day(2017, 8, 10), dec("-492.6")));
}

#[test]
fn the_vietnam_pilot_has_its_hanoi_point_five_transactions_and_the_line_of_its_start_tag() {
    let (activities, _) = read_fixture("vn_from_dhsc-activities-ghs.xml");
    let pilot = activities.iter().find(|a| a.identifier == "GB-GOV-10-FF_Vietnam_Pilot").unwrap();
    assert_eq!(
        pilot.line,
        line_of(
            "vn_from_dhsc-activities-ghs.xml",
            "<iati-activity default-currency=\"GBP\" xml:lang=\"en\">\n    <iati-identifier>GB-GOV-10-FF_Vietnam_Pilot"
        )
    );
    assert_eq!(pilot.line, 4202);
    assert_eq!(pilot.locations.len(), 1);
    assert_eq!(pilot.locations[0].names, vec![narrative(None, "Hanoi")]);
    assert_eq!(pilot.locations[0].point, Some(Point { latitude: dec("21.002280"), longitude: dec("105.838930") }));
    assert_eq!(pilot.transactions.len(), 5);
    assert_eq!(pilot.transactions.iter().map(|t| t.value.amount).sum::<Decimal>(), dec("4075488.00"));
    assert_eq!(pilot.dates.iter().find(|(t, _)| t == "4").map(|(_, d)| *d), Some(day(2019, 8, 31)));
}

#[test]
fn the_helpage_reversal_of_minus_737_is_kept_as_negative_incoming_funds() {
    let (activities, _) = read_fixture("vn_from_hdx-covid-dportal.xml");
    let helpage = activities.iter().find(|a| a.identifier == "GB-COH-1762840-VIE082-UN03-01").unwrap();
    let reversal = helpage.transactions.last().unwrap();
    assert_eq!(reversal.transaction_type, "1");
    assert_eq!(reversal.value.amount, dec("-737"));
    assert_eq!(reversal.provider_org.as_ref().unwrap().narratives, vec![narrative(Some("EN"), "Age International")]);
    let oxfam = activities.iter().find(|a| a.identifier == "NL-KVK-27108436-A-05001-22:VN").unwrap();
    assert_eq!(oxfam.default_currency.as_deref(), Some("EUR"));
    assert_eq!(oxfam.planned_disbursements.len(), 1);
    assert_eq!(oxfam.planned_disbursements[0].value.amount, dec("1592"));
    assert_eq!(oxfam.sectors[0].vocabulary, "99");
    let koica = activities.iter().find(|a| a.identifier == "KR-GOV-051-2020010102480").unwrap();
    assert_eq!(koica.transactions[0].sectors[0].code.as_deref(), Some("12264"));
    assert_eq!(koica.transactions[0].recipient_country.as_deref(), Some("VN"));
}

#[test]
fn the_cscf_1_03_activity_maps_if_and_d_and_its_role_names() {
    let (activities, summary) = read_fixture("vn_from_csv2iati_tripleline-cscf.xml");
    assert_eq!(summary.version.as_deref(), Some("1.03"));
    let a = &activities[0];
    assert_eq!(a.identifier, "GB-COH-03788027-CSCF-470");
    assert_eq!(
        a.titles,
        vec![narrative(Some("en"), "CSCF Grant: Habitat for Humanity")]
            .into_iter()
            .map(|mut n| {
                n.lang = None;
                n
            })
            .collect::<Vec<_>>()
    );
    assert_eq!(
        a.reporting_org.as_ref().unwrap().narratives,
        vec![narrative(None, "Triple Line & Crown Agents (Joint Venture)")]
    );
    let roles: Vec<_> = a.participating_orgs.iter().map(|p| p.role.as_deref()).collect();
    assert_eq!(roles, [Some("3"), Some("1")]);
    let types: Vec<_> = a.transactions.iter().map(|t| t.transaction_type.as_str()).collect();
    assert_eq!(types, ["1", "3"]);
    assert_eq!(a.transactions[1].value.amount, dec("29605"));
    assert_eq!(a.transactions[1].value.currency, None);
    assert_eq!(a.transactions[1].value.currency_or(a.default_currency.as_deref()), Some("GBP"));
    assert_eq!(a.sectors[0].code, None);
    assert_eq!(a.sectors[0].narratives, vec![narrative(None, "Health")]);
}

#[test]
fn the_official_annotated_example_reads_with_its_transactions_budgets_and_locations() {
    let (activities, summary) = read_fixture("activity-standard-example-annotated.xml");
    assert_eq!(summary.problems, vec![]);
    assert_eq!(activities.len(), 1);
    let a = &activities[0];
    assert_eq!(a.identifier, "AA-AAA-123456789-ABC123");
    assert_eq!((a.default_currency.as_deref(), a.lang.as_deref()), (Some("USD"), Some("en")));
    let reporting = a.reporting_org.as_ref().unwrap();
    assert_eq!((reporting.reference.as_deref(), reporting.org_type.as_deref()), (Some("AA-AAA-123456789"), Some("40")));
    assert_eq!(
        reporting.narratives,
        vec![narrative(None, "Organisation name"), narrative(Some("fr"), "Nom de l'organisme")]
    );
    // Titles of results and document links are not the activity's.
    assert_eq!(
        a.titles,
        vec![
            narrative(None, "Activity title"),
            narrative(Some("fr"), "Titre de l'activité"),
            narrative(Some("es"), "Título de la actividad")
        ]
    );
    let description_types: Vec<_> = a.descriptions.iter().map(|(t, n)| (t.as_deref(), n.len())).collect();
    assert_eq!(description_types, [(Some("1"), 2), (Some("2"), 2), (Some("3"), 2)]);
    let orgs: Vec<_> = a
        .participating_orgs
        .iter()
        .map(|p| (p.org.reference.as_deref(), p.role.as_deref(), p.org.activity_id.as_deref()))
        .collect();
    assert_eq!(
        orgs,
        [
            (Some("BB-BBB-123456789"), Some("1"), Some("BB-BBB-123456789-1234")),
            (Some("CC-CCC-123456789"), Some("2"), Some("CC-CCC-123456789-1234")),
            (Some("AA-AAA-123456789"), Some("3"), Some("AA-AAA-123456789-1234")),
        ]
    );
    assert_eq!(a.status.as_deref(), Some("2"));
    assert_eq!(
        a.dates,
        vec![("1".into(), day(2012, 4, 15)), ("2".into(), day(2012, 4, 28)), ("3".into(), day(2015, 12, 31))]
    );
    assert_eq!(a.recipient_countries, vec![("AF".into(), Some(dec("25"))), ("AG".into(), Some(dec("25")))]);
    assert_eq!(
        a.recipient_regions,
        vec![("489".into(), Some("1".into()), Some(dec("25"))), ("A1".into(), Some("99".into()), Some(dec("25")))]
    );
    let sectors: Vec<_> = a.sectors.iter().map(|s| (s.code.as_deref(), s.vocabulary.as_str(), s.percentage)).collect();
    assert_eq!(
        sectors,
        [
            (Some("111"), "2", Some(dec("50"))),
            (Some("112"), "2", Some(dec("50"))),
            (Some("A1"), "99", Some(dec("100")))
        ]
    );
    assert_eq!(a.sectors[2].narratives, vec![narrative(None, "A description of the sector")]);

    assert_eq!(a.locations.len(), 2);
    let kandahar = &a.locations[0];
    assert_eq!(kandahar.reference.as_deref(), Some("AF-KAN"));
    assert_eq!(kandahar.names, vec![narrative(None, "Location name")]);
    assert_eq!(kandahar.point, Some(Point { latitude: dec("31.616944"), longitude: dec("65.716944") }));
    assert_eq!(kandahar.administratives.len(), 1);
    let admin = &kandahar.administratives[0];
    assert_eq!((admin.vocabulary.as_deref(), admin.level, admin.code.as_str()), (Some("G1"), Some(1), "1453782"));
    assert_eq!(kandahar.location_ids.len(), 1);
    assert_eq!(
        (kandahar.location_ids[0].vocabulary.as_deref(), kandahar.location_ids[0].code.as_str()),
        (Some("G1"), "1453782")
    );
    let phnom_penh = &a.locations[1];
    assert_eq!(phnom_penh.reference.as_deref(), Some("KH-PNH"));
    assert_eq!(phnom_penh.point, Some(Point { latitude: dec("11.5500"), longitude: dec("104.9167") }));

    assert_eq!(a.budgets.len(), 1);
    let budget = &a.budgets[0];
    assert_eq!((budget.budget_type.as_deref(), budget.status.as_deref()), (Some("1"), Some("1")));
    assert_eq!((budget.period_start, budget.period_end), (day(2014, 1, 1), day(2014, 12, 31)));
    assert_eq!(budget.value.amount, dec("3000"));
    assert_eq!(budget.value.currency.as_deref(), Some("EUR"));
    assert_eq!(budget.value.value_date, Some(day(2014, 1, 1)));
    assert_eq!(budget.value.currency_or(a.default_currency.as_deref()), Some("EUR"));

    assert_eq!(a.planned_disbursements.len(), 2);
    let planned = &a.planned_disbursements[0];
    assert_eq!((planned.period_start, planned.period_end), (day(2014, 1, 1), Some(day(2014, 12, 31))));
    assert_eq!(planned.value.amount, dec("3000"));
    assert_eq!(planned.provider_org.as_ref().unwrap().reference.as_deref(), Some("BB-BBB-123456789"));
    assert_eq!(planned.receiver_org.as_ref().unwrap().org_type.as_deref(), Some("23"));
    assert_eq!(a.planned_disbursements[1].provider_org, None);

    assert_eq!(a.transactions.len(), 1);
    let t = &a.transactions[0];
    assert_eq!(t.reference.as_deref(), Some("1234"));
    assert_eq!((t.transaction_type.as_str(), t.date), ("1", day(2012, 1, 1)));
    assert_eq!((t.value.amount, t.value.currency.as_deref()), (dec("1000"), Some("EUR")));
    assert_eq!(t.value.value_date, Some(day(2012, 1, 1)));
    assert_eq!(t.descriptions, vec![narrative(None, "Transaction description text")]);
    let provider = t.provider_org.as_ref().unwrap();
    assert_eq!(provider.reference.as_deref(), Some("BB-BBB-123456789"));
    assert_eq!(provider.activity_id.as_deref(), Some("BB-BBB-123456789-1234AA"));
    assert_eq!(provider.narratives, vec![narrative(None, "Agency B")]);
    let receiver = t.receiver_org.as_ref().unwrap();
    assert_eq!(receiver.activity_id.as_deref(), Some("AA-AAA-123456789-1234"));
    assert_eq!(t.sectors.len(), 1);
    assert_eq!((t.sectors[0].code.as_deref(), t.sectors[0].vocabulary.as_str()), (Some("111"), "2"));
    assert_eq!(t.recipient_country.as_deref(), Some("TM"));
    assert_eq!(t.recipient_region, Some(("616".into(), Some("1".into()))));
}

#[test]
fn a_1_0x_file_maps_letter_transaction_codes_c_d_e_to_2_3_4() {
    let (activities, summary) = read_fixture("legacy-1.03-letter-codes.xml");
    assert_eq!(summary.problems, vec![]);
    assert_eq!(summary.version.as_deref(), Some("1.03"));
    let a = &activities[0];
    let types: Vec<_> = a.transactions.iter().map(|t| t.transaction_type.as_str()).collect();
    assert_eq!(types, ["2", "3", "4", "1"]);
    let amounts: Vec<_> = a.transactions.iter().map(|t| t.value.amount).collect();
    assert_eq!(amounts, [dec("50000"), dec("20000.50"), dec("1250"), dec("50000")]);
    assert_eq!(a.transactions[1].receiver_org.as_ref().unwrap().narratives, vec![narrative(None, "Local partner")]);
    assert_eq!(a.status.as_deref(), Some("2"));
    assert_eq!(a.dates, vec![("1".into(), day(2013, 1, 1)), ("4".into(), day(2014, 12, 31))]);
    let roles: Vec<_> = a.participating_orgs.iter().map(|p| p.role.as_deref()).collect();
    assert_eq!(roles, [Some("1"), Some("4")]);
    assert_eq!(
        a.titles,
        vec![narrative(None, "Clean water in Quang Tri"), narrative(Some("vi"), "Nước sạch ở Quảng Trị")]
    );
    assert_eq!(a.sectors[0].vocabulary, "1");
    assert_eq!(a.sectors[1].code, None);
    let quang_tri = &a.locations[0];
    assert_eq!(quang_tri.names, vec![narrative(None, "Quang Tri")]);
    assert_eq!(quang_tri.point, Some(Point { latitude: dec("16.75"), longitude: dec("107.18") }));
    assert_eq!(quang_tri.administratives[0].code, "1568733");
    assert_eq!(quang_tri.administratives[0].level, Some(1));
}

#[test]
fn a_truncated_file_reports_malformed_xml_at_its_last_line_and_keeps_the_activities_before() {
    let bytes = fixture_bytes("vn_from_dhsc-activities-ghs.xml");
    let cut = String::from_utf8_lossy(&bytes).find("<iati-identifier>GB-GOV-10-FF_Vietnam_Pilot").unwrap() + 500;
    let truncated = &bytes[..cut];
    let (activities, summary) = read_bytes(truncated);
    assert_eq!(ids(&activities), ["GB-GOV-10-FF_MA"]);
    assert_eq!((summary.activities_read, summary.activities_skipped), (1, 1));
    assert_eq!(summary.problems.len(), 1, "{:?}", summary.problems);
    let problem = &summary.problems[0];
    assert_eq!(problem.kind, ProblemKind::MalformedXml);
    assert_eq!(problem.line, truncated.iter().filter(|&&b| b == b'\n').count() + 1);
    assert!(problem.message.contains("GB-GOV-10-FF_Vietnam_Pilot"), "{}", problem.message);
}

#[test]
fn a_file_cut_inside_a_tag_reports_malformed_xml() {
    let (activities, summary) =
        read_bytes(b"<iati-activities>\n<iati-activity>\n<iati-identifier>A</iati-identifier>\n<transac");
    assert!(activities.is_empty());
    assert_eq!(summary.activities_skipped, 1);
    assert_eq!(summary.problems[0].kind, ProblemKind::MalformedXml);
    assert_eq!(summary.problems[0].line, 4);
    assert!(summary.problems[0].message.contains("activity A"), "{}", summary.problems[0].message);
}

#[test]
fn mismatched_end_tags_stop_reading_at_their_line() {
    let xml = "<iati-activities>\n<iati-activity><iati-identifier>A</iati-identifier></iati-activity>\n\
               <iati-activity><iati-identifier>B</iati-identifier>\n</title></iati-activity>\n\
               <iati-activity><iati-identifier>C</iati-identifier></iati-activity>\n</iati-activities>";
    let (activities, summary) = read_bytes(xml.as_bytes());
    assert_eq!(ids(&activities), ["A"]);
    assert_eq!(summary.problems.len(), 1);
    assert_eq!((summary.problems[0].kind, summary.problems[0].line), (ProblemKind::MalformedXml, 4));
}

#[test]
fn an_empty_file_reports_that_there_is_no_iati_activities_element() {
    for empty in [&b""[..], b"   \n", b"<?xml version=\"1.0\"?>\n"] {
        let (activities, summary) = read_bytes(empty);
        assert!(activities.is_empty());
        assert_eq!(summary.problems.len(), 1);
        assert_eq!(summary.problems[0].kind, ProblemKind::MalformedXml);
        assert!(summary.problems[0].line >= 1);
        assert!(summary.problems[0].message.contains("empty"));
    }
}

#[test]
fn a_utf16_file_is_refused_with_an_encoding_problem() {
    let text = String::from_utf8(fixture_bytes("vn_from_csv2iati_tripleline-cscf.xml")).unwrap();
    let mut with_bom = vec![0xFF, 0xFE];
    with_bom.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let without_bom: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    for bytes in [with_bom, without_bom] {
        let (activities, summary) = read_bytes(&bytes);
        assert!(activities.is_empty());
        assert_eq!(summary.problems.len(), 1);
        assert_eq!((summary.problems[0].kind, summary.problems[0].line), (ProblemKind::Encoding, 1));
        assert!(summary.problems[0].message.contains("UTF-16"));
    }
}

#[test]
fn latin1_bytes_in_a_file_declared_utf8_stop_reading_at_their_line_keeping_earlier_activities() {
    let (activities, summary) = read_fixture("latin1-declared-utf8.xml");
    assert_eq!(ids(&activities), ["XX-BEFORE-LATIN1"]);
    assert_eq!((summary.activities_read, summary.activities_skipped), (1, 1));
    assert_eq!(summary.problems.len(), 1);
    let problem = &summary.problems[0];
    assert_eq!(problem.kind, ProblemKind::Encoding);
    assert_eq!(problem.line, line_of("latin1-declared-utf8.xml", "Soci"));
    assert!(problem.message.contains("XX-LATIN1"), "{}", problem.message);
}

#[test]
fn a_declared_latin1_encoding_is_reported_as_unsupported_but_ascii_content_still_reads() {
    let xml = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<iati-activities>\n\
               <iati-activity><iati-identifier>A</iati-identifier></iati-activity>\n</iati-activities>\n";
    let (activities, summary) = read_bytes(xml.as_bytes());
    assert_eq!(ids(&activities), ["A"]);
    assert_eq!(summary.problems.len(), 1);
    assert_eq!((summary.problems[0].kind, summary.problems[0].line), (ProblemKind::Unsupported, 1));
}

fn read_mixed() -> (Vec<IatiActivity>, ReadSummary) {
    read_fixture("problems-mixed.xml")
}

#[test]
fn good_activities_around_broken_ones_are_all_delivered() {
    let (activities, summary) = read_mixed();
    assert_eq!(
        ids(&activities),
        ["XX-GOOD-1", "XX-BAD-VALUE", "XX-NEGATIVE-BUDGET", "XX-ODD-CURRENCY", "XX-BAD-CODES", "XX-GOOD-2"]
    );
    assert_eq!((summary.activities_read, summary.activities_skipped), (6, 1));
    assert!(summary.problems.iter().all(|p| p.line > 0 && p.source.ends_with("problems-mixed.xml")));
}

#[test]
fn an_unparseable_value_drops_its_transaction_with_a_bad_value_problem_on_its_line() {
    let (activities, summary) = read_mixed();
    let a = activities.iter().find(|a| a.identifier == "XX-BAD-VALUE").unwrap();
    assert_eq!(a.transactions.len(), 1);
    assert_eq!(a.transactions[0].value.amount, dec("1000.50"));
    let problem = summary.problems.iter().find(|p| p.message.contains("12,5OO")).unwrap();
    assert_eq!(problem.kind, ProblemKind::BadValue);
    assert_eq!(problem.element, "value");
    assert_eq!(problem.line, line_of("problems-mixed.xml", "12,5OO"));
    assert!(problem.message.starts_with("activity XX-BAD-VALUE: "), "{}", problem.message);
    assert!(problem.message.contains("transaction is dropped"), "{}", problem.message);
}

#[test]
fn a_negative_budget_is_dropped_with_a_bad_value_problem_but_a_negative_transaction_is_kept() {
    let (activities, summary) = read_mixed();
    let budgets = &activities.iter().find(|a| a.identifier == "XX-NEGATIVE-BUDGET").unwrap().budgets;
    assert_eq!(budgets.len(), 1);
    assert_eq!(budgets[0].value.amount, dec("5000"));
    let problem = summary.problems.iter().find(|p| p.message.contains("-5000")).unwrap();
    assert_eq!((problem.kind, problem.element.as_str()), (ProblemKind::BadValue, "budget"));
    assert_eq!(problem.line, line_of("problems-mixed.xml", "<budget"));
    // IATI uses negative transactions for reversals.
    let good = &activities[0];
    assert_eq!(good.transactions[0].value.amount, dec("-100"));
    assert!(!summary.problems.iter().any(|p| p.message.contains("XX-GOOD-1")));
}

#[test]
fn currency_codes_are_kept_as_text_and_only_misshapen_ones_are_reported() {
    let (activities, summary) = read_mixed();
    let a = activities.iter().find(|a| a.identifier == "XX-ODD-CURRENCY").unwrap();
    assert_eq!(a.default_currency.as_deref(), Some("Dollars"));
    let currencies: Vec<_> = a.transactions.iter().map(|t| t.value.currency.as_deref()).collect();
    // XYZ is shaped like ISO 4217: whether it exists is for the importer's codelist check.
    assert_eq!(currencies, [Some("XYZ"), Some("eur")]);
    let problems: Vec<_> = summary.problems.iter().filter(|p| p.message.contains("XX-ODD-CURRENCY")).collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(problems.iter().all(|p| p.kind == ProblemKind::UnknownCode && p.message.contains("kept as written")));
    assert_eq!(
        (problems[0].element.as_str(), problems[0].line),
        ("iati-activity", line_of("problems-mixed.xml", "default-currency=\"Dollars\""))
    );
    assert_eq!((problems[1].element.as_str(), problems[1].line), ("value", line_of("problems-mixed.xml", "\"eur\"")));
}

#[test]
fn an_activity_without_identifier_is_skipped_with_a_problem_on_its_start_line() {
    let (activities, summary) = read_mixed();
    assert!(activities.iter().all(|a| !a.titles.iter().any(|t| t.text.contains("forgot"))));
    let problem = summary.problems.iter().find(|p| p.kind == ProblemKind::MissingIdentifier).unwrap();
    assert_eq!(problem.element, "iati-activity");
    assert_eq!(problem.line, line_of("problems-mixed.xml", "forgot") - 1);
    assert_eq!(activities.last().unwrap().identifier, "XX-GOOD-2");
}

#[test]
fn an_unknown_transaction_type_a_bad_date_and_a_missing_date_drop_only_their_transaction() {
    let (activities, summary) = read_mixed();
    let a = activities.iter().find(|a| a.identifier == "XX-BAD-CODES").unwrap();
    assert!(a.transactions.is_empty());
    let kinds: Vec<_> = summary
        .problems
        .iter()
        .filter(|p| p.message.contains("XX-BAD-CODES"))
        .map(|p| (p.kind, p.element.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (ProblemKind::UnknownCode, "transaction-type"),
            (ProblemKind::BadValue, "transaction-date"),
            (ProblemKind::MissingValue, "transaction"),
            (ProblemKind::BadValue, "sector"),
            (ProblemKind::BadValue, "pos"),
        ]
    );
    assert_eq!(a.sectors.len(), 1);
    assert_eq!(a.sectors[0].code.as_deref(), Some("11220"));
    assert_eq!(a.locations[0].point, None);
    assert_eq!(a.locations[0].names, vec![narrative(None, "Swapped coordinates")]);
}

#[test]
fn titles_inside_results_and_unknown_elements_are_not_taken_for_the_activity_title() {
    let (activities, _) = read_mixed();
    assert_eq!(activities.last().unwrap().titles, vec![]);
}

#[test]
fn an_organisation_file_is_reported_as_unsupported() {
    let xml = "<?xml version=\"1.0\"?>\n<iati-organisations version=\"2.03\"><iati-organisation/></iati-organisations>";
    let (activities, summary) = read_bytes(xml.as_bytes());
    assert!(activities.is_empty());
    assert_eq!(summary.problems.len(), 1);
    assert_eq!((summary.problems[0].kind, summary.problems[0].line), (ProblemKind::Unsupported, 2));
}

#[test]
fn a_file_that_cannot_be_opened_is_an_io_problem_not_a_panic() {
    let summary = read_file(&fixture("does-not-exist.xml"), |_| panic!("no activity expected"));
    assert_eq!(summary.problems.len(), 1);
    assert_eq!((summary.problems[0].kind, summary.problems[0].line), (ProblemKind::Io, 0));
}

#[test]
fn problems_csv_has_the_header_and_one_row_per_problem() {
    let (_, summary) = read_mixed();
    let csv = problems_csv(&summary.problems);
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(rows.headers().unwrap(), vec!["source", "line", "element", "kind", "message"]);
    let records: Vec<_> = rows.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), summary.problems.len());
    let bad_value = records.iter().find(|r| r[4].contains("12,5OO")).unwrap();
    assert_eq!(&bad_value[1], line_of("problems-mixed.xml", "12,5OO").to_string());
    assert_eq!(&bad_value[3], "bad_value");
    assert_eq!(problems_csv(&[]), "source,line,element,kind,message\n");
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let (activities, summary) = read_bytes(&bytes);
        prop_assert_eq!(activities.len(), summary.activities_read);
    }

    #[test]
    fn damaged_real_files_never_panic_nor_deliver_more_activities_than_they_hold(
        cut in 0usize..20_000,
        flips in proptest::collection::vec((0usize..20_000, any::<u8>()), 0..8),
    ) {
        let mut bytes = fixture_bytes("vn_from_hdx-covid-dportal.xml");
        bytes.truncate(cut.max(1) * bytes.len() / 20_000);
        for (at, byte) in flips {
            if let Some(b) = bytes.get_mut(at) {
                *b = byte;
            }
        }
        let (activities, summary) = read_bytes(&bytes);
        prop_assert!(activities.len() <= 5);
        prop_assert_eq!(activities.len(), summary.activities_read);
    }
}
