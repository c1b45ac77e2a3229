//! IATI import and export, end to end: real files in, records checked, files out validated against the 2.03
//! schema (with `xmllint`, when installed), and round trips that must give identical records.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use vientro_domain::ids::AidItemId;
use vientro_interchange::iati::ProblemKind;
use vientro_services::Services;
use vientro_services::iati_import::{ImportOptions, ImportSummary};
use vientro_store::iati::{self as store, Details};
use vientro_store::{Backend, Db, Exec, Stmt, aid_items, flows, on_both_backends};

use crate::support::{count, footprint};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/iati")
}

fn schema() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../vientro-interchange/schema/iati-2.03/iati-activities-schema.xsd")
}

fn xmllint_available() -> bool {
    std::process::Command::new("xmllint").arg("--version").output().is_ok_and(|o| o.status.success())
}

/// `Some(errors)` when the file does not validate; `None` when valid. Prints a loud line when xmllint is missing.
fn schema_errors(file: &Path) -> Option<String> {
    if !xmllint_available() {
        eprintln!(
            "SKIPPED schema validation of {}: xmllint is not installed (apt-get install libxml2-utils)",
            file.display()
        );
        return None;
    }
    let out =
        std::process::Command::new("xmllint").arg("--noout").arg("--schema").arg(schema()).arg(file).output().unwrap();
    (!out.status.success()).then(|| String::from_utf8_lossy(&out.stderr).chars().take(2000).collect())
}

/// Another fresh database of the same backend, for the second half of a round trip.
async fn fresh_like(db: &Db) -> (Db, Option<vientro_store::testing::PostgresSchema>) {
    match db.backend() {
        Backend::Sqlite => (vientro_store::testing::fresh_sqlite().await, None),
        Backend::Postgres => {
            let pg = vientro_store::testing::fresh_postgres().await.unwrap();
            (pg.db.clone(), Some(pg))
        }
    }
}

async fn import(db: &Db, paths: &[PathBuf]) -> ImportSummary {
    Services::new(db.clone()).import_iati(paths, &ImportOptions::default()).await.unwrap()
}

async fn export_to_file(db: &Db, name: &str) -> (PathBuf, usize) {
    let mut out = Vec::new();
    let summary = Services::new(db.clone()).export_iati(&[], &mut out).await.unwrap();
    let path = std::env::temp_dir().join(format!("vientro-iati-{}-{}-{name}.xml", std::process::id(), rand_suffix()));
    std::fs::write(&path, out).unwrap();
    (path, summary.activities)
}

fn rand_suffix() -> String {
    // The clock alone can repeat across the two backends' tests running at once; the counter cannot.
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{nanos}-{n}")
}

#[derive(sqlx::FromRow)]
struct ItemId {
    id: i64,
    iati_identifier: Option<String>,
}

/// Everything recorded for every imported activity, keyed by identifier, with database ids, timestamps and
/// provenance (file, line) left out: two databases that recorded the same activities give equal snapshots.
async fn snapshot(db: &Db) -> BTreeMap<String, String> {
    let mut ex = db.clone();
    let items: Vec<ItemId> =
        ex.fetch_all(Stmt::new("SELECT id, iati_identifier FROM aid_item ORDER BY id")).await.unwrap();
    let mut out = BTreeMap::new();
    for item in items {
        let id = AidItemId(item.id);
        let row = aid_items::get(&mut ex, id).await.unwrap();
        let donors = org_names_of(db, id).await;
        let sectors = aid_items::sectors(&mut ex, id).await.unwrap();
        let locations = aid_items::locations(&mut ex, id).await.unwrap();
        let flows: Vec<String> = flows::list_for_item(&mut ex, id)
            .await
            .unwrap()
            .into_iter()
            .map(|f| {
                format!(
                    "{} {} {} {} {} usd={} vnd={} rate={}/{} {}",
                    f.kind,
                    f.stage,
                    f.flow_date,
                    f.amount_minor,
                    f.currency,
                    f.usd_minor,
                    f.vnd_minor,
                    f.currency_per_usd,
                    f.vnd_per_usd,
                    f.rate_source
                )
            })
            .collect();
        let mut details: Details = store::load_details(&mut ex, id).await.unwrap().unwrap();
        details.activity.item_id = 0;
        details.activity.source_file = String::new();
        details.activity.source_line = 0;
        details.activity.reporting_organisation_id = None;
        details.activity.imported_at = chrono::DateTime::default();
        details.activity.updated_at = chrono::DateTime::default();
        for p in &mut details.participants {
            p.organisation_id = p.organisation_id.map(|_| 1);
        }
        for t in &mut details.transactions {
            t.flow_id = t.flow_id.map(|_| 1);
        }
        let text = format!(
            "title={:?} en={:?} desc={:?} kind={} status={} start={:?} end={:?}\ndonors={donors:?}\nsectors={sectors:?}\n\
             locations={locations:?}\nflows={flows:#?}\ndetails={details:#?}",
            row.title,
            row.title_en,
            description_of(db, id).await,
            row.kind,
            row.status,
            row.start_date,
            row.end_date
        );
        out.insert(item.iati_identifier.unwrap_or_default(), text);
    }
    out
}

async fn description_of(db: &Db, id: AidItemId) -> Option<String> {
    #[derive(sqlx::FromRow)]
    struct D {
        description: Option<String>,
    }
    let rows: Vec<D> =
        db.clone().fetch_all(Stmt::new("SELECT description FROM aid_item WHERE id = $1").bind(id.0)).await.unwrap();
    rows.into_iter().next().and_then(|d| d.description)
}

async fn org_names_of(db: &Db, id: AidItemId) -> Vec<(String, Option<String>, String, i64)> {
    #[derive(sqlx::FromRow)]
    struct D {
        name: String,
        iati_identifier: Option<String>,
        kind: String,
        share_bp: i64,
    }
    let rows: Vec<D> = db
        .clone()
        .fetch_all(
            Stmt::new(
                "SELECT o.name, o.iati_identifier, o.kind, d.share_bp FROM aid_item_donor d \
                 JOIN organisation o ON o.id = d.organisation_id WHERE d.item_id = $1 ORDER BY o.name",
            )
            .bind(id.0),
        )
        .await
        .unwrap();
    rows.into_iter().map(|r| (r.name, r.iati_identifier, r.kind, r.share_bp)).collect()
}

/// Per activity, the sum of transaction values by (transaction type, currency), from the exact decimal text.
async fn sums(db: &Db) -> BTreeMap<(String, String, String), Decimal> {
    #[derive(sqlx::FromRow)]
    struct T {
        identifier: String,
        transaction_type: String,
        currency: Option<String>,
        default_currency: Option<String>,
        value_text: String,
    }
    let rows: Vec<T> = db
        .clone()
        .fetch_all(Stmt::new(
            "SELECT a.identifier, t.transaction_type, t.currency, a.default_currency, t.value_text \
             FROM iati_transaction t JOIN iati_activity a ON a.item_id = t.item_id",
        ))
        .await
        .unwrap();
    let mut out = BTreeMap::new();
    for r in rows {
        let currency = r.currency.or(r.default_currency).unwrap_or_default();
        let value: Decimal = r.value_text.parse().unwrap();
        *out.entry((r.identifier, r.transaction_type, currency)).or_insert(Decimal::ZERO) += value;
    }
    out
}

async fn round_trip_holds_exactly(db: Db, file: &str) {
    let first = import(&db, &[fixtures().join(file)]).await;
    assert!(first.imported > 0, "{}", first.describe());
    let (exported, n) = export_to_file(&db, "first").await;
    assert_eq!(n, first.imported);
    if let Some(errors) = schema_errors(&exported) {
        panic!("the export of {file} does not validate against the 2.03 schema:\n{errors}");
    }
    let (other, pg) = fresh_like(&db).await;
    let second = import(&other, std::slice::from_ref(&exported)).await;
    assert_eq!(
        (second.read, second.imported, second.skipped),
        (first.imported, first.imported, 0),
        "{}",
        second.describe()
    );
    let (a, b) = (snapshot(&db).await, snapshot(&other).await);
    assert_eq!(a.len(), b.len());
    for (id, record) in &a {
        let other = b.get(id).map(String::as_str).unwrap_or_default();
        if record != other {
            let first = record.lines().zip(other.lines()).position(|(x, y)| x != y).unwrap_or(0);
            let near = |t: &str| t.lines().skip(first.saturating_sub(8)).take(12).collect::<Vec<_>>().join("\n");
            panic!("activity {id} differs after the round trip:\n{}\n---- after ----\n{}", near(record), near(other));
        }
    }
    assert_eq!(sums(&db).await, sums(&other).await);
    // Re-importing the export into the first database changes nothing either.
    let before = footprint(&db).await;
    let again = import(&db, std::slice::from_ref(&exported)).await;
    assert_eq!((again.unchanged, again.updated, again.imported), (first.imported, 0, 0), "{}", again.describe());
    assert_eq!(footprint(&db).await, before);
    let _ = std::fs::remove_file(exported);
    if let Some(pg) = pg {
        pg.drop_schema().await;
    }
}

async fn the_dhsc_file_round_trips_through_export_to_identical_records(db: Db) {
    round_trip_holds_exactly(db, "dhsc-activities-ghs.xml").await;
}

async fn the_annotated_standard_example_round_trips_through_export_to_identical_records(db: Db) {
    round_trip_holds_exactly(db, "activity-standard-example-annotated.xml").await;
}

async fn the_dhsc_file_imports_whole_and_a_second_import_changes_nothing(db: Db) {
    let first = import(&db, &[fixtures().join("dhsc-activities-ghs.xml")]).await;
    println!("DHSC: {}", first.describe());
    assert_eq!(first.read, 67);
    assert_eq!(first.imported, 67, "{}", first.problems_csv());
    assert_eq!(first.transactions, count(&db, "iati_transaction").await as usize);
    assert_eq!(count(&db, "iati_activity").await, 67);
    let counted = count(&db, "flow").await;
    assert_eq!(first.flows, counted as usize);
    let before = footprint(&db).await;
    let second = import(&db, &[fixtures().join("dhsc-activities-ghs.xml")]).await;
    assert_eq!((second.unchanged, second.updated, second.imported), (67, 0, 0));
    assert_eq!(footprint(&db).await, before, "a re-import of the same file must write nothing");
}

const SMALL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03">
 <iati-activity default-currency="USD" xml:lang="en">
  <iati-identifier>XX-TEST-1</iati-identifier>
  <reporting-org ref="GB-CHC-1076235" type="21"><narrative>ChildFund Test</narrative></reporting-org>
  <title><narrative>Clean water in Hà Giang</narrative><narrative xml:lang="vi">Nước sạch</narrative></title>
  <description><narrative>Wells.</narrative></description>
  <participating-org ref="GB-CHC-1076235" type="21" role="1"><narrative>ChildFund Test</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date type="2" iso-date="2021-01-01"/>
  <recipient-country code="VN" percentage="100"/>
  <location><name><narrative>Hanoi</narrative></name><point srsName="http://www.opengis.net/def/crs/EPSG/0/4326"><pos>21.0285 105.8542</pos></point></location>
  <sector vocabulary="1" code="14030" percentage="100"/>
  <transaction><transaction-type code="2"/><transaction-date iso-date="2021-02-01"/><value value-date="2021-02-01">1000.50</value></transaction>
  <transaction><transaction-type code="3"/><transaction-date iso-date="2021-03-01"/><value value-date="2021-03-01">AMOUNT</value></transaction>
  <transaction><transaction-type code="3"/><transaction-date iso-date="2021-04-01"/><value value-date="2021-04-01">-50</value></transaction>
  <transaction><transaction-type code="3"/><transaction-date iso-date="2021-04-01"/><value currency="XYZ" value-date="2021-04-01">50</value></transaction>
  <transaction><transaction-type code="11"/><transaction-date iso-date="2021-01-15"/><value value-date="2021-01-15">5000</value></transaction>
 </iati-activity>
</iati-activities>
"#;

fn write_temp(name: &str, content: &[u8]) -> PathBuf {
    let path = std::env::temp_dir().join(format!("vientro-iati-{}-{}-{name}", std::process::id(), rand_suffix()));
    std::fs::write(&path, content).unwrap();
    path
}

async fn a_small_activity_maps_to_an_item_with_flows_a_province_and_its_problems(db: Db) {
    let file = write_temp("small.xml", SMALL.replace("AMOUNT", "400").as_bytes());
    let s = import(&db, std::slice::from_ref(&file)).await;
    assert_eq!((s.read, s.imported), (1, 1), "{}", s.describe());
    let kinds: Vec<ProblemKind> = s.problems.iter().map(|p| p.kind).collect();
    assert!(kinds.contains(&ProblemKind::BadValue), "the negative value is reported: {kinds:?}");
    assert!(kinds.contains(&ProblemKind::UnknownCode), "the unknown currency is reported: {kinds:?}");
    assert!(s.problems.iter().all(|p| p.line == 3 && p.source.ends_with("small.xml")), "{:?}", s.problems);
    let item = AidItemId(1);
    let row = aid_items::get(&mut db.clone(), item).await.unwrap();
    assert_eq!(row.title, "Nước sạch");
    assert_eq!(row.title_en.as_deref(), Some("Clean water in Hà Giang"));
    let fl = flows::list_for_item(&mut db.clone(), item).await.unwrap();
    let amounts: Vec<(String, i64)> = fl.iter().map(|f| (f.kind.clone(), f.amount_minor)).collect();
    assert_eq!(amounts, vec![("commitment".to_owned(), 100_050), ("disbursement".to_owned(), 40_000)]);
    let loc = aid_items::locations(&mut db.clone(), item).await.unwrap();
    assert_eq!(loc[0].current_province_code, "01");
    let details = store::load_details(&mut db.clone(), item).await.unwrap().unwrap();
    let kept: Vec<(&str, &str)> =
        details.transactions.iter().map(|t| (t.transaction_type.as_str(), t.counted.as_str())).collect();
    assert_eq!(kept, vec![("2", "flow"), ("3", "flow"), ("11", "other_type")]);
    assert_eq!(details.locations[0].resolved_by.as_deref(), Some("point"));
    let csv = s.problems_csv();
    assert!(csv.starts_with("source,line,element,kind,message\n"), "{csv}");
    let _ = std::fs::remove_file(file);
}

async fn a_changed_activity_is_updated_in_place_and_the_change_is_audited(db: Db) {
    let v1 = write_temp("v1.xml", SMALL.replace("AMOUNT", "400").as_bytes());
    let v2 = write_temp("v2.xml", SMALL.replace("AMOUNT", "700").as_bytes());
    import(&db, std::slice::from_ref(&v1)).await;
    let audits = count(&db, "audit_event").await;
    let s = import(&db, std::slice::from_ref(&v2)).await;
    assert_eq!((s.updated, s.imported, s.unchanged), (1, 0, 0), "{}", s.describe());
    assert_eq!(count(&db, "aid_item").await, 1);
    let fl = flows::list_for_item(&mut db.clone(), AidItemId(1)).await.unwrap();
    assert_eq!(fl.iter().map(|f| f.amount_minor).collect::<Vec<_>>(), vec![100_050, 70_000]);
    #[derive(sqlx::FromRow)]
    struct A {
        action: String,
        before_json: Option<String>,
    }
    let rows: Vec<A> = db
        .clone()
        .fetch_all(Stmt::new("SELECT action, before_json FROM audit_event WHERE id > $1 ORDER BY id").bind(audits))
        .await
        .unwrap();
    assert!(rows.iter().any(|r| r.action == "update" && r.before_json.is_some()), "the update is in the audit log");
    let report = Services::new(db.clone()).verify_audit().await.unwrap();
    assert_eq!(report.first_broken, None, "the audit chain stays intact");
    crate::support::assert_summaries_match_the_shares(&db).await;
    let _ = (std::fs::remove_file(v1), std::fs::remove_file(v2));
}

async fn a_batch_written_together_records_exactly_what_one_activity_per_batch_records(db: Db) {
    let mut xml = Vec::new();
    vientro_interchange::iati::generate::generate(40, 7, &mut xml).unwrap();
    let file = write_temp("generated-40.xml", &xml);
    let together = import(&db, std::slice::from_ref(&file)).await;
    let (alone_db, _keep) = fresh_like(&db).await;
    let options = ImportOptions { batch_size: 1, ..ImportOptions::default() };
    let alone = Services::new(alone_db.clone()).import_iati(std::slice::from_ref(&file), &options).await.unwrap();
    assert_eq!((together.imported, together.flows, together.problems.len()), (40, alone.flows, 0));
    assert_eq!(alone.imported, 40);
    assert_eq!(footprint(&db).await, footprint(&alone_db).await, "the same rows in every table");
    let (a, b) = (snapshot(&db).await, snapshot(&alone_db).await);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (key, text) in &a {
        let differing = text.lines().zip(b[key].lines()).find(|(x, y)| x != y);
        assert_eq!(differing, None, "{key}: the same records");
        assert_eq!(text, &b[key], "{key}: the same records");
    }
    for d in [&db, &alone_db] {
        let report = Services::new(d.clone()).verify_audit().await.unwrap();
        assert_eq!(report.first_broken, None, "the audit chain stays intact");
        crate::support::assert_summaries_match_the_shares(d).await;
    }
    let _ = std::fs::remove_file(file);
}

async fn an_activity_met_twice_in_one_batch_is_created_then_updated_and_the_audit_chain_holds(db: Db) {
    let activity = |identifier: &str, amount: &str| {
        let xml = SMALL.replace("AMOUNT", amount).replace("XX-TEST-1", identifier);
        let start = xml.find("<iati-activity ").unwrap();
        let end = xml.find("</iati-activities>").unwrap();
        xml[start..end].to_owned()
    };
    let xml = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<iati-activities version=\"2.03\">\n{}{}{}</iati-activities>\n",
        activity("XX-TEST-1", "400"),
        activity("XX-TEST-2", "300"),
        activity("XX-TEST-1", "700")
    );
    let file = write_temp("twice.xml", xml.as_bytes());
    let s = import(&db, std::slice::from_ref(&file)).await;
    assert_eq!((s.imported, s.updated, s.skipped), (2, 1, 0), "{}", s.describe());
    assert_eq!(count(&db, "aid_item").await, 2);
    let fl = flows::list_for_item(&mut db.clone(), AidItemId(1)).await.unwrap();
    assert_eq!(fl.iter().map(|f| f.amount_minor).collect::<Vec<_>>(), vec![100_050, 70_000], "the later one wins");
    let report = Services::new(db.clone()).verify_audit().await.unwrap();
    assert_eq!(report.first_broken, None, "the audit chain stays intact");
    let _ = std::fs::remove_file(file);
}

async fn bad_files_give_clear_problems_and_never_a_panic(db: Db) {
    let cases: [(&str, Vec<u8>, ProblemKind); 4] = [
        ("empty.xml", Vec::new(), ProblemKind::MalformedXml),
        ("truncated.xml", SMALL.replace("AMOUNT", "1").as_bytes()[..900].to_vec(), ProblemKind::MalformedXml),
        ("utf16.xml", {
            let mut v = vec![0xFF, 0xFE];
            v.extend(SMALL.encode_utf16().flat_map(|u| u.to_le_bytes()));
            v
        }, ProblemKind::Encoding),
        ("latin1.xml", b"<?xml version=\"1.0\"?><iati-activities version=\"2.03\"><iati-activity><iati-identifier>X-\xe9</iati-identifier></iati-activity></iati-activities>".to_vec(), ProblemKind::Encoding),
    ];
    for (name, bytes, kind) in cases {
        let file = write_temp(name, &bytes);
        let s = import(&db, std::slice::from_ref(&file)).await;
        assert!(s.nothing_read(), "{name}: {}", s.describe());
        assert!(s.problems.iter().any(|p| p.kind == kind), "{name}: {:?}", s.problems);
        assert!(s.problems.iter().all(|p| !p.message.is_empty() && p.source.ends_with(name)));
        let _ = std::fs::remove_file(file);
    }
    let missing = import(&db, &[PathBuf::from("/nonexistent/file.xml")]).await;
    assert!(missing.nothing_read() && missing.problems[0].kind == ProblemKind::Io);
}

async fn a_dry_run_reports_everything_and_keeps_nothing(db: Db) {
    let before = footprint(&db).await;
    let opts = ImportOptions { dry_run: true, ..ImportOptions::default() };
    let s = Services::new(db.clone()).import_iati(&[fixtures().join("dhsc-activities-ghs.xml")], &opts).await.unwrap();
    assert_eq!(s.imported, 67);
    assert_eq!(footprint(&db).await, before);
}

async fn an_interrupted_import_resumes_by_running_it_again(db: Db) {
    // A file cut off in the middle stands for a run killed half-way: what was read is committed batch by
    // batch; running the whole file again adds the rest and leaves the rest unchanged.
    let full = std::fs::read(fixtures().join("dhsc-activities-ghs.xml")).unwrap();
    let cut = write_temp("cut.xml", &full[..full.len() / 2]);
    let opts = ImportOptions { batch_size: 10, ..ImportOptions::default() };
    let services = Services::new(db.clone());
    let first = services.import_iati(std::slice::from_ref(&cut), &opts).await.unwrap();
    assert!(first.imported > 10 && first.imported < 67, "{}", first.describe());
    assert!(first.problems.iter().any(|p| p.kind == ProblemKind::MalformedXml));
    let second = services.import_iati(&[fixtures().join("dhsc-activities-ghs.xml")], &opts).await.unwrap();
    assert_eq!(second.unchanged, first.imported);
    assert_eq!(second.imported, 67 - first.imported);
    assert_eq!(count(&db, "iati_activity").await, 67);
    let _ = std::fs::remove_file(cut);
}

async fn only_viet_nam_is_kept_when_asked_and_amounts_are_its_share(db: Db) {
    let opts = ImportOptions { country: Some("VN".into()), ..ImportOptions::default() };
    let s = Services::new(db.clone()).import_iati(&[fixtures().join("dhsc-activities-ghs.xml")], &opts).await.unwrap();
    println!("DHSC for VN: {}", s.describe());
    assert!(s.imported >= 1 && s.not_for_country > 0, "{}", s.describe());
    assert_eq!(s.imported + s.not_for_country + s.skipped, 67);
}

/// The activity-file tests (organisation and registry-record files are other schemas).
fn is_activity_test(p: &Path) -> bool {
    let p = p.to_string_lossy();
    !p.contains("organisation") && !p.contains("registry")
}

fn xml_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(xml_files(&p));
        } else if p.extension().is_some_and(|x| x == "xml") {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The schema's should-pass files test structure, not content: every one has an empty `iati-identifier` (so
/// the reader skips its activities, as it must: an activity cannot be upserted without one) and placeholder
/// codes (`xx`). Each file is imported as it is (no panic, the skip reported), then with the identifiers filled
/// and placeholder activity-date types made real, so every element it holds goes through import and export;
/// that export must validate against the 2.03 schema.
async fn every_should_pass_file_imports_and_the_export_of_what_it_produced_validates(db: Db) {
    let tests = fixtures().join("schema-tests");
    let files: Vec<PathBuf> = xml_files(&tests)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("should-pass") && is_activity_test(p))
        .collect();
    assert!(files.len() > 200);
    let (mut as_is_skipped, mut with_activities, mut exported_valid) = (0, 0, 0);
    let mut not_imported: Vec<String> = Vec::new();
    let mut invalid = Vec::new();
    for (n, file) in files.iter().enumerate() {
        let s = import(&db, std::slice::from_ref(file)).await;
        if s.problems.iter().any(|p| p.kind == ProblemKind::MissingIdentifier) {
            as_is_skipped += 1;
        }
        let text = std::fs::read_to_string(file).unwrap();
        let mut k = 0;
        let filled = text
            .split("<iati-identifier></iati-identifier>")
            .enumerate()
            .map(|(i, part)| {
                if i == 0 {
                    part.to_owned()
                } else {
                    k += 1;
                    format!("<iati-identifier>XX-TEST-{n}-{k}</iati-identifier>{part}")
                }
            })
            .collect::<String>()
            .replace("<activity-date type=\"xx\"", "<activity-date type=\"1\"");
        let filled_file = write_temp("filled.xml", filled.as_bytes());
        let (fresh, pg) = fresh_like(&db).await;
        let s = import(&fresh, std::slice::from_ref(&filled_file)).await;
        if s.imported == 0 {
            not_imported.push(format!("{}: {}", file.display(), s.describe()));
        }
        if s.imported > 0 {
            with_activities += 1;
            let (out, _) = export_to_file(&fresh, "should-pass").await;
            match schema_errors(&out) {
                None => exported_valid += 1,
                Some(e) => invalid.push(format!("{}: {e}", file.display())),
            }
            let _ = std::fs::remove_file(out);
        }
        let _ = std::fs::remove_file(filled_file);
        fresh.close().await;
        if let Some(pg) = pg {
            pg.drop_schema().await;
        }
    }
    println!(
        "should-pass: {} files; as published {as_is_skipped} have their activities skipped for the empty identifier; \
         filled: {with_activities} with activities recorded, {exported_valid} exports valid, {} invalid",
        files.len(),
        invalid.len()
    );
    assert!(invalid.is_empty(), "{}", invalid.join("\n"));
    assert!(not_imported.is_empty(), "{}", not_imported.join("\n"));
    assert_eq!(with_activities, files.len());
}

async fn every_should_fail_file_gives_problems_never_a_crash(db: Db) {
    let tests = fixtures().join("schema-tests");
    let files: Vec<PathBuf> = xml_files(&tests)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("should-fail") && is_activity_test(p))
        .collect();
    let mut with_problems = 0;
    let mut silent = Vec::new();
    for file in &files {
        let s = import(&db, std::slice::from_ref(file)).await;
        if s.problems.is_empty() {
            silent.push(file.strip_prefix(&tests).unwrap().display().to_string());
        } else {
            with_problems += 1;
        }
    }
    println!("should-fail: {} files, {with_problems} with problems reported, {} silent:", files.len(), silent.len());
    for f in &silent {
        println!("  silent: {f}");
    }
    assert!(silent.is_empty(), "every invalid file gets at least one problem");
}

async fn every_vendored_real_file_imports_without_a_panic(db: Db) {
    let mut files = xml_files(&fixtures().join("messy"));
    files.extend(
        [
            "vn_from_csv2iati_tripleline-cscf.xml",
            "vn_from_dhsc-activities-ghs.xml",
            "vn_from_flattener_gdihub-activity.xml",
            "vn_from_hdx-covid-dportal.xml",
        ]
        .map(|f| fixtures().join(f)),
    );
    for file in &files {
        let s = import(&db, std::slice::from_ref(file)).await;
        println!("{}: {}", file.file_name().unwrap().to_string_lossy(), s.describe().replace('\n', "; "));
        assert!(s.problems.iter().all(|p| p.line > 0 || p.kind == ProblemKind::Io));
    }
    if let Some(errors) = export_to_file(&db, "real").await.0.to_str().and_then(|p| schema_errors(Path::new(p))) {
        println!(
            "note: the export of the messy real files has schema errors (their input lacked required parts):\n{errors}"
        );
    }
}

/// Every file of the shared IATI fixtures (`/work/shared/data/iati/fixtures`, or the folder named by
/// `VIENTRO_IATI_SHARED_FIXTURES`), when present: no panic, every problem placed.
async fn every_shared_fixture_file_imports_without_a_panic(db: Db) {
    let dir = std::env::var("VIENTRO_IATI_SHARED_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from("/work/shared/data/iati/fixtures"));
    if !dir.is_dir() {
        eprintln!("SKIPPED: {} is not there (set VIENTRO_IATI_SHARED_FIXTURES)", dir.display());
        return;
    }
    for file in xml_files(&dir) {
        let s = import(&db, std::slice::from_ref(&file)).await;
        println!("{}: {}", file.strip_prefix(&dir).unwrap().display(), s.describe().replace('\n', "; "));
        assert!(s.problems.iter().all(|p| !p.source.is_empty() && !p.element.is_empty()));
    }
}

on_both_backends!(
    every_shared_fixture_file_imports_without_a_panic,
    the_dhsc_file_round_trips_through_export_to_identical_records,
    the_annotated_standard_example_round_trips_through_export_to_identical_records,
    the_dhsc_file_imports_whole_and_a_second_import_changes_nothing,
    a_small_activity_maps_to_an_item_with_flows_a_province_and_its_problems,
    a_changed_activity_is_updated_in_place_and_the_change_is_audited,
    a_batch_written_together_records_exactly_what_one_activity_per_batch_records,
    an_activity_met_twice_in_one_batch_is_created_then_updated_and_the_audit_chain_holds,
    bad_files_give_clear_problems_and_never_a_panic,
    a_dry_run_reports_everything_and_keeps_nothing,
    an_interrupted_import_resumes_by_running_it_again,
    only_viet_nam_is_kept_when_asked_and_amounts_are_its_share,
    every_should_pass_file_imports_and_the_export_of_what_it_produced_validates,
    every_should_fail_file_gives_problems_never_a_crash,
    every_vendored_real_file_imports_without_a_panic,
);
