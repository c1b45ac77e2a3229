use vientro_domain::aid_item::{AidItemInput, DonorInput, LocationInput, SectorInput};
use vientro_domain::flow::FlowInput;
use vientro_domain::report::{Cell, ReportQueryInput, ReportResult};
use vientro_services::Services;
use vientro_store::{Db, on_both_backends};

use crate::support::{item_input, ngo, officer};

fn flow(kind: &str, date: &str, amount: &str, currency: &str) -> FlowInput {
    FlowInput {
        kind: kind.into(),
        stage: None,
        date: date.into(),
        amount: amount.into(),
        currency: currency.into(),
        note: None,
    }
}

async fn run(
    services: &Services,
    measures: &str,
    by: &str,
    filters: &[&str],
    from: Option<&str>,
    to: Option<&str>,
    as_of: Option<&str>,
) -> ReportResult {
    let q = ReportQueryInput {
        measures: measures.into(),
        by: by.into(),
        filters: filters.iter().map(|s| s.to_string()).collect(),
        from: from.map(Into::into),
        to: to.map(Into::into),
        as_of: as_of.map(Into::into),
    }
    .parse()
    .unwrap();
    services.report(&q).await.unwrap()
}

fn minor(c: &Cell) -> i64 {
    match c {
        Cell::Money { minor, .. } => *minor,
        Cell::Count(n) => *n,
        Cell::Percent(p) => *p,
        other => panic!("not a number: {other:?}"),
    }
}

/// Two items: one split 1/3 – 2/3 over Cao Bằng and old Bắc Kạn with two sectors, one in Lạng Sơn.
async fn seed(services: &Services) {
    let a = ngo(services, "Alpha Foundation").await;
    let b = ngo(services, "Beta Trust").await;
    let mut split = item_input(a);
    split.donors = vec![
        DonorInput { organisation: a.0, percent: Some("50".into()) },
        DonorInput { organisation: b.0, percent: Some("50".into()) },
    ];
    split.locations = vec![
        LocationInput { province: "Cao Bằng".into(), percent: Some("33,33".into()), ..Default::default() },
        LocationInput {
            province: "Bắc Kạn".into(),
            commune: Some("Cư Lễ".into()),
            percent: Some("66,67".into()),
            ..Default::default()
        },
    ];
    let id = services.create_aid_item(&officer(), &split).await.unwrap();
    services.add_flow(&officer(), id, &flow("commitment", "2021-04-01", "1000.01", "USD")).await.unwrap();
    services.add_flow(&officer(), id, &flow("disbursement", "2021-08-01", "777.77", "USD")).await.unwrap();
    services.add_flow(&officer(), id, &flow("disbursement", "2022-02-01", "100", "USD")).await.unwrap();
    let single = AidItemInput {
        sectors: vec![SectorInput { sector: "vn:health".into(), percent: None }],
        locations: vec![LocationInput { province: "20".into(), ..Default::default() }],
        end_date: Some("2021-12-31".into()),
        ..item_input(b)
    };
    let id = services.create_aid_item(&officer(), &single).await.unwrap();
    services.add_flow(&officer(), id, &flow("commitment", "2021-05-01", "500", "USD")).await.unwrap();
    services.add_flow(&officer(), id, &flow("disbursement", "2021-06-01", "250", "USD")).await.unwrap();
}

async fn totals_do_not_change_with_the_grouping(db: Db) {
    let services = Services::new(db);
    seed(&services).await;
    let total = run(&services, "committed_usd,disbursed_usd", "", &[], Some("2021"), Some("2021"), None).await;
    assert_eq!(minor(&total.total.values[0]), 150_001);
    assert_eq!(minor(&total.total.values[1]), 102_777);
    for by in [
        "province",
        "province_as_recorded",
        "region",
        "sector",
        "sector_category",
        "donor",
        "donor_kind",
        "kind",
        "year",
        "half_year",
        "commune,donor,sector",
    ] {
        let r = run(&services, "committed_usd,disbursed_usd", by, &[], Some("2021"), Some("2021"), None).await;
        let committed: i64 = r.rows.iter().map(|row| minor(&row.values[0])).sum();
        let disbursed: i64 = r.rows.iter().map(|row| minor(&row.values[1])).sum();
        assert_eq!((committed, disbursed), (150_001, 102_777), "grouping by {by}");
        assert_eq!(r.total, total.total, "total by {by}");
    }
}

async fn a_province_name_filters_today_s_map_and_an_old_name_the_recorded_one(db: Db) {
    let services = Services::new(db);
    seed(&services).await;
    let cao_bang = run(&services, "items,committed_usd", "", &["province=cao bang"], None, None, None).await;
    assert_eq!(minor(&cao_bang.total.values[0]), 1);
    assert_eq!(minor(&cao_bang.total.values[1]), 33_330);
    let bac_kan = run(&services, "committed_usd", "", &["province=Bắc Kạn"], None, None, None).await;
    let thai_nguyen = run(&services, "committed_usd", "", &["province=Thái Nguyên"], None, None, None).await;
    assert_eq!(minor(&bac_kan.total.values[0]), 66_671);
    assert_eq!(bac_kan.total, thai_nguyen.total);
    let by_province = run(&services, "committed_usd", "province", &[], None, None, None).await;
    let labels: Vec<&str> = by_province.rows.iter().map(|r| r.keys[0].1.as_str()).collect();
    assert_eq!(labels, vec!["Tỉnh Cao Bằng", "Tỉnh Thái Nguyên", "Tỉnh Lạng Sơn"]);
}

async fn items_and_donors_count_once_per_group_and_once_in_the_total(db: Db) {
    let services = Services::new(db);
    seed(&services).await;
    let r = run(&services, "items,organisations", "province", &[], Some("2021"), Some("2021"), None).await;
    let items: Vec<i64> = r.rows.iter().map(|row| minor(&row.values[0])).collect();
    assert_eq!(items, vec![1, 1, 1]);
    assert_eq!(minor(&r.total.values[0]), 2);
    assert_eq!(minor(&r.total.values[1]), 2);
}

async fn stock_counts_active_items_and_their_capital_up_to_the_date(db: Db) {
    let services = Services::new(db);
    seed(&services).await;
    let during = run(&services, "items,committed_usd,disbursed_usd", "", &[], None, None, Some("2021-09-30")).await;
    assert_eq!(minor(&during.total.values[0]), 2);
    assert_eq!(minor(&during.total.values[1]), 150_001);
    let later = run(&services, "items,committed_usd,disbursed_usd", "", &[], None, None, Some("2022-03-01")).await;
    assert_eq!(minor(&later.total.values[0]), 1, "the Lạng Sơn item ended on 2021-12-31");
    assert_eq!(minor(&later.total.values[1]), 100_001);
    assert_eq!(minor(&later.total.values[2]), 87_777);
}

async fn the_rate_is_disbursed_over_committed(db: Db) {
    let services = Services::new(db);
    seed(&services).await;
    let r = run(&services, "disbursement_rate", "", &["province=20"], Some("2021"), Some("2021"), None).await;
    assert_eq!(r.total.values[0], Cell::Percent(5000));
}

async fn the_summaries_give_what_the_facts_give_after_changes_and_archiving(db: Db) {
    let services = Services::new(db.clone());
    seed(&services).await;
    let items = vientro_store::aid_items::list(&mut db.clone(), 10, 0).await.unwrap();
    // A later flow rebuilds the item's facts: the summaries must take the old shares out and put the new in.
    let first = vientro_domain::ids::AidItemId(items.last().unwrap().id);
    services.add_flow(&officer(), first, &flow("disbursement", "2021-12-31", "0.03", "USD")).await.unwrap();
    services.add_flow(&officer(), first, &flow("commitment", "2023-03-01", "12", "EUR")).await.unwrap();
    // Archiving takes the Lạng Sơn item out of the reports: its keys are left with no shares.
    let archived = items.first().unwrap();
    let mut tx = db.begin().await.unwrap();
    let id = vientro_domain::ids::AidItemId(archived.id);
    vientro_store::aid_item_edits::archive(&mut tx, id, archived.version, vientro_store::now()).await.unwrap();
    vientro_store::facts::refresh_item(&mut tx, id).await.unwrap();
    tx.commit().await.unwrap();

    let measures = "committed_usd,disbursed_usd,disbursement_rate,committed_original,items,organisations";
    let mut compared = 0;
    for by in [
        "",
        "year",
        "half_year",
        "province",
        "year,province",
        "province_as_recorded,kind",
        "region,donor_kind,approval_level",
        "sector,sector_category",
        "donor_country",
        "donor",
    ] {
        for filters in [&[][..], &["province=Cao Bằng"][..], &["province=20"][..]] {
            for (from, to) in [(Some("2021"), Some("2021")), (Some("2021"), Some("2023")), (None, None)] {
                for asked in [measures, "committed_usd,disbursed_usd,committed_original"] {
                    let q = ReportQueryInput {
                        measures: asked.into(),
                        by: by.into(),
                        filters: filters.iter().map(|s| s.to_string()).collect(),
                        from: from.map(Into::into),
                        to: to.map(Into::into),
                        as_of: None,
                    }
                    .parse()
                    .unwrap();
                    let fast = services.compute_report(&q).await.unwrap();
                    let facts = services.compute_report_from_facts(&q).await.unwrap();
                    assert_eq!(fast, facts, "{asked} by {by} where {filters:?} from {from:?} to {to:?}");
                    compared += 1;
                }
            }
        }
    }
    assert_eq!(compared, 180);
    crate::support::assert_summaries_match_the_shares(&db).await;
    let lang_son = run(&services, "items,disbursed_usd", "", &["province=20"], None, None, None).await;
    assert_eq!(minor(&lang_son.total.values[0]), 0, "the archived item left the reports");
    let cao_bang = run(&services, "items,organisations", "year", &["province=Cao Bằng"], None, None, None).await;
    let counts: Vec<(String, i64, i64)> =
        cao_bang.rows.iter().map(|r| (r.keys[0].0.clone(), minor(&r.values[0]), minor(&r.values[1]))).collect();
    assert_eq!(counts, vec![("2021".into(), 1, 2), ("2022".into(), 1, 2), ("2023".into(), 1, 2)]);
}

on_both_backends!(
    the_summaries_give_what_the_facts_give_after_changes_and_archiving,
    totals_do_not_change_with_the_grouping,
    a_province_name_filters_today_s_map_and_an_old_name_the_recorded_one,
    items_and_donors_count_once_per_group_and_once_in_the_total,
    stock_counts_active_items_and_their_capital_up_to_the_date,
    the_rate_is_disbursed_over_committed,
);
