use vientro_domain::aid_item::{AidItemInput, DonorInput, LocationInput, SectorInput};
use vientro_domain::ids::{AidItemId, OrganisationId};
use vientro_domain::organisation::OrganisationInput;
use vientro_services::{Actor, ServiceError, Services};
use vientro_store::{Db, Exec, Stmt};

pub(crate) fn officer() -> Actor {
    Actor::named("caobang")
}

pub(crate) async fn count(db: &Db, table: &str) -> i64 {
    #[derive(sqlx::FromRow)]
    struct N {
        n: i64,
    }
    let row: Vec<N> = db.clone().fetch_all(Stmt::new(format!("SELECT COUNT(*) AS n FROM {table}"))).await.unwrap();
    row[0].n
}

/// Row counts of every table a refused write could have touched.
pub(crate) async fn footprint(db: &Db) -> Vec<i64> {
    let mut out = Vec::new();
    for t in [
        "organisation",
        "certificate",
        "aid_item",
        "aid_item_donor",
        "aid_item_sector",
        "aid_item_location",
        "aid_item_status_change",
        "flow",
        "exchange_rate",
        "audit_event",
    ] {
        out.push(count(db, t).await);
    }
    out
}

pub(crate) async fn ngo(services: &Services, name: &str) -> OrganisationId {
    services
        .create_organisation(
            &officer(),
            &OrganisationInput {
                kind: "foreign_ngo".into(),
                name: name.into(),
                country: Some("US".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap()
}

pub(crate) fn item_input(donor: OrganisationId) -> AidItemInput {
    AidItemInput {
        title: "Xây dựng lớp học hoà nhập".into(),
        kind: "project".into(),
        donors: vec![DonorInput { organisation: donor.0, percent: None }],
        status: Some("implementing".into()),
        decision_number: Some("123/QĐ-UBND".into()),
        decision_date: Some("15/03/2021".into()),
        approval_level: Some("province".into()),
        start_date: Some("2021-04-01".into()),
        end_date: Some("2022-03-31".into()),
        sectors: vec![
            SectorInput { sector: "11120".into(), percent: Some("60".into()) },
            SectorInput { sector: "vn:health".into(), percent: Some("40".into()) },
        ],
        locations: vec![LocationInput { province: "06".into(), commune: Some("02176".into()), ..Default::default() }],
        ..Default::default()
    }
}

pub(crate) async fn item(services: &Services, donor: OrganisationId) -> AidItemId {
    services.create_aid_item(&officer(), &item_input(donor)).await.unwrap()
}

/// The field names of a validation failure.
pub(crate) fn invalid_fields(e: ServiceError) -> Vec<(String, &'static str)> {
    match e {
        ServiceError::Invalid(errors) => errors.0.into_iter().map(|e| (e.field, e.code)).collect(),
        other => panic!("expected a validation error, got {other:?}"),
    }
}

/// Asserts that every summary table holds what grouping the rows of `flow_share` gives (keys whose shares
/// were all taken out again aside), and that the membership tables list exactly the items, donors, years
/// and provinces that have shares.
pub(crate) async fn assert_summaries_match_the_shares(db: &Db) {
    #[derive(sqlx::FromRow)]
    struct Line {
        line: String,
    }
    async fn lines(db: &Db, sql: String) -> Vec<String> {
        let rows: Vec<Line> = db.clone().fetch_all(Stmt::new(sql)).await.unwrap();
        let mut out: Vec<String> = rows.into_iter().map(|l| l.line).collect();
        out.sort();
        out
    }
    let joined = |exprs: Vec<String>| exprs.join(" || '|' || ");
    let as_text = |c: &str| format!("CAST({c} AS TEXT)");
    let key_of_share = |c: &str| {
        if matches!(c, "year" | "half" | "donor_id" | "item_id") { as_text(c) } else { format!("COALESCE({c}, '')") }
    };
    let summed = |kind: &str, col: &str| format!("CAST(SUM(CASE WHEN kind = '{kind}' THEN {col} ELSE 0 END) AS TEXT)");
    for r in &vientro_store::summaries::ROLLUPS {
        let keys = r.key_columns();
        let stored = joined(
            keys.iter()
                .map(|c| as_text(c))
                .chain(
                    ["committed_usd", "committed_vnd", "disbursed_usd", "disbursed_vnd"]
                        .iter()
                        .chain(&["committed_amount", "disbursed_amount", "shares"])
                        .map(|c| as_text(c)),
                )
                .collect(),
        );
        let grouped_keys: Vec<String> = keys.iter().map(|c| key_of_share(c)).collect();
        let grouped = joined(
            grouped_keys
                .iter()
                .cloned()
                .chain([
                    summed("commitment", "usd_minor"),
                    summed("commitment", "vnd_minor"),
                    summed("disbursement", "usd_minor"),
                    summed("disbursement", "vnd_minor"),
                    summed("commitment", "amount_minor"),
                    summed("disbursement", "amount_minor"),
                    "CAST(COUNT(*) AS TEXT)".to_owned(),
                ])
                .collect(),
        );
        let table = lines(db, format!("SELECT {stored} AS line FROM {} WHERE shares <> 0", r.table)).await;
        let facts =
            lines(db, format!("SELECT {grouped} AS line FROM flow_share GROUP BY {}", grouped_keys.join(", "))).await;
        assert_eq!(table, facts, "{} holds the grouping of flow_share", r.table);
    }
    for (table, key) in [("item_year", "item_id"), ("donor_year", "donor_id")] {
        let stored = lines(
            db,
            format!(
                "SELECT {} AS line FROM {table}",
                joined(vec![as_text("year"), "province".into(), as_text(key), as_text("shares"),])
            ),
        )
        .await;
        let grouped = lines(
            db,
            format!(
                "SELECT {} AS line FROM flow_share GROUP BY year, COALESCE(province, ''), {key}",
                joined(vec![as_text("year"), key_of_share("province"), as_text(key), "CAST(COUNT(*) AS TEXT)".into()])
            ),
        )
        .await;
        assert_eq!(stored, grouped, "{table} holds the grouping of flow_share");
    }
    let with_shares = lines(db, "SELECT CAST(item_id AS TEXT) AS line FROM item_with_shares".into()).await;
    let items = lines(db, "SELECT DISTINCT CAST(item_id AS TEXT) AS line FROM flow_share".into()).await;
    assert_eq!(with_shares, items, "item_with_shares lists the items with shares");
}
