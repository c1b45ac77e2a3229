//! The national and province dashboards: headline figures, aid by year, by sector, by donor country, the top
//! organisations, the choropleth map of provinces (34 from 1 July 2025, 63 for earlier years) and the
//! rankings. Every figure comes from the report engine, every chart has its table and its exports.
//!
//! This module must not compute figures; it asks the report engine and lays out the answers.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::Datelike;
use vientro_domain::access::Principal;
use vientro_domain::admin_units::{AdminUnits, UnitSet};
use vientro_domain::report::{ReportQueryInput, ReportResult};
use vientro_services::ServiceError;
use vientro_services::reports::ProvinceRank;

use super::Chrome;
use super::charts::{ChartBox, bars, cell_number, cell_text, largest_first, script_json};
use crate::AppState;
use crate::context::RequestContext;
use crate::error::{PageError, render};

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/dashboard/national", get(national))
        .route("/dashboard/province/{code}", get(province))
}

#[derive(Debug, Default, serde::Deserialize)]
struct YearChoice {
    year: Option<String>,
}

impl YearChoice {
    fn year(&self) -> Option<i32> {
        self.year.as_deref().and_then(|y| y.trim().parse().ok()).filter(|y| (1990..=2100).contains(y))
    }
}

/// A headline figure.
struct Card {
    label: String,
    value: String,
    testid: &'static str,
}

/// Alerts of one kind on a dashboard: the first few, and how many more.
struct WatchGroup {
    heading: String,
    kind: &'static str,
    lines: Vec<(String, String)>,
    more: String,
}

/// How many alerts of a kind a dashboard lists before "and N more".
const ALERTS_SHOWN: usize = 10;

struct RankRow {
    code: String,
    name: String,
    value: String,
    national: String,
    in_region: String,
    highlight: bool,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    c: Chrome,
    heading: String,
    province_code: Option<String>,
    years: Vec<(i32, bool)>,
    cards: Vec<Card>,
    charts: Vec<ChartBox>,
    map: ChartBox,
    ranks: Vec<RankRow>,
    rank_note: Option<String>,
    illustrative_note: Option<String>,
    watch: Vec<WatchGroup>,
    watch_as_of: String,
    watch_shown: bool,
}

async fn home(ctx: RequestContext) -> Response {
    match &ctx.principal() {
        Principal::User { province: Some(p), .. } => {
            Redirect::to(&format!("/dashboard/province/{}", p.as_str())).into_response()
        }
        Principal::User { .. } => Redirect::to("/dashboard/national").into_response(),
        Principal::Public => Redirect::to("/dashboard/national").into_response(),
    }
}

async fn national(
    State(state): State<AppState>,
    ctx: RequestContext,
    uri: Uri,
    Query(q): Query<YearChoice>,
) -> Response {
    dashboard(&state, &ctx, &uri, None, q.year()).await.unwrap_or_else(|e| PageError::new(&ctx, e).into_response())
}

async fn province(
    State(state): State<AppState>,
    ctx: RequestContext,
    uri: Uri,
    Path(code): Path<String>,
    Query(q): Query<YearChoice>,
) -> Response {
    dashboard(&state, &ctx, &uri, Some(code), q.year())
        .await
        .unwrap_or_else(|e| PageError::new(&ctx, e).into_response())
}

fn export_query(measures: &str, by: &str, filters: &[String], year: Option<i32>) -> String {
    let mut pairs: Vec<(&str, String)> = vec![("measures", measures.to_owned()), ("by", by.to_owned())];
    for f in filters {
        pairs.push(("where", f.clone()));
    }
    if let Some(y) = year {
        pairs.push(("from", y.to_string()));
        pairs.push(("to", y.to_string()));
    }
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

async fn run(
    state: &AppState,
    who: &Principal,
    measures: &str,
    by: &str,
    filters: &[String],
    year: Option<i32>,
) -> Result<ReportResult, ServiceError> {
    let input = ReportQueryInput {
        measures: measures.to_owned(),
        by: by.to_owned(),
        filters: filters.to_vec(),
        from: year.map(|y| y.to_string()),
        to: year.map(|y| y.to_string()),
        as_of: None,
    };
    let query = input.parse()?;
    state.services.report_for(who, &query).await
}

async fn dashboard(
    state: &AppState,
    ctx: &RequestContext,
    uri: &Uri,
    province: Option<String>,
    year: Option<i32>,
) -> Result<Response, ServiceError> {
    let who = ctx.principal();
    let tr = &ctx.tr;
    let units = AdminUnits::embedded();
    let province = match province {
        Some(code) => {
            let code = units.parse_province_in(&code, UnitSet::From2025)?;
            Some(units.province(&code, UnitSet::From2025).cloned().ok_or(ServiceError::NotFound("province"))?)
        }
        None => None,
    };
    let filters: Vec<String> = province.iter().map(|p| format!("province={}", p.code.as_str())).collect();
    let heading = match &province {
        // In running text the unit type is lower case: "tại tỉnh Cao Bằng"; English says the short name.
        Some(p) => {
            let name = match tr.lang {
                crate::i18n::Lang::Vi => p.name.replacen("Tỉnh ", "tỉnh ", 1).replacen("Thành phố ", "thành phố ", 1),
                crate::i18n::Lang::En => p.short_name.clone(),
            };
            tr.t1("dash-province-title", "province", name)
        }
        None => tr.t("dash-national-title"),
    };

    let totals =
        run(state, &who, "items,organisations,committed_usd,disbursed_usd,disbursement_rate", "", &filters, year)
            .await?;
    let t = &totals.total.values;
    let card = |i: usize, key: &str, testid: &'static str| Card {
        label: tr.t(key),
        value: t.get(i).map(|v| cell_text(tr, v)).unwrap_or_default(),
        testid,
    };
    let mut cards = vec![
        card(0, "dash-items", "card-items"),
        card(1, "dash-donors", "card-donors"),
        card(2, "dash-committed", "card-committed"),
        card(3, "dash-disbursed", "card-disbursed"),
        card(4, "dash-rate", "card-rate"),
    ];
    // A province's people-to-people records, as the year ended (or today): the briefing's own counts.
    if let Some(p) = &province {
        let today = crate::i18n::today_in_viet_nam();
        let day = year.and_then(|y| chrono::NaiveDate::from_ymd_opt(y, 12, 31)).unwrap_or(today).min(today);
        let people = state.services.people_on(p.code.as_str(), day).await?;
        cards.push(Card {
            label: tr.t("dash-associations"),
            value: tr.t2(
                "dash-associations-value",
                "count",
                tr.count(&people.associations.len()),
                "members",
                tr.int(people.members),
            ),
            testid: "card-associations",
        });
        cards.push(Card {
            label: tr.t("dash-twinnings"),
            value: tr.count(&people.twinnings.len()),
            testid: "card-twinnings",
        });
        let scholarships = state
            .services
            .scholarships(p.code.as_str(), vientro_services::people::FIRST_SCHOLARSHIP_YEAR, day.year())
            .await?;
        cards.push(Card {
            label: tr.t("dash-scholarships"),
            value: tr.t2(
                "dash-scholarships-value",
                "students",
                tr.int(scholarships.students),
                "amount",
                tr.int(scholarships.amount_vnd),
            ),
            testid: "card-scholarships",
        });
        cards.push(Card {
            label: tr.t("dash-people-events"),
            value: tr.t2(
                "dash-people-events-value",
                "count",
                tr.count(&people.events),
                "participants",
                tr.count(&people.event_participants),
            ),
            testid: "card-people-events",
        });
        cards.push(Card {
            label: tr.t("dash-delegations"),
            value: tr.t2(
                "dash-delegations-value",
                "in",
                tr.count(&people.delegations_in),
                "out",
                tr.count(&people.delegations_out),
            ),
            testid: "card-delegations",
        });
    }

    let mut charts = Vec::new();
    let by_year = run(state, &who, "committed_usd,disbursed_usd", "year", &filters, None).await?;
    charts.push(bars(
        tr,
        "chart-by-year",
        tr.t("dash-by-year"),
        "bars",
        &by_year,
        export_query("committed_usd,disbursed_usd", "year", &filters, None),
        100,
    ));
    for (id, key, by) in [
        ("chart-by-sector", "dash-by-sector", "sector_category"),
        ("chart-by-country", "dash-by-country", "donor_country"),
        ("chart-top-organisations", "dash-top-organisations", "donor"),
    ] {
        let mut result = run(state, &who, "disbursed_usd", by, &filters, year).await?;
        largest_first(&mut result);
        result.rows.truncate(15);
        charts.push(bars(tr, id, tr.t(key), "hbars", &result, export_query("disbursed_usd", by, &filters, year), 15));
    }

    // The map: today's 34 provinces, or the 63 of the old map for years before the reform.
    let old_map = year.is_some_and(|y| y < 2025);
    let (map_by, map_name, map_set) = if old_map {
        ("province_as_recorded", "provinces-63", UnitSet::Pre2025)
    } else {
        ("province", "provinces-34", UnitSet::From2025)
    };
    let map_result = run(state, &who, "disbursed_usd", map_by, &[], year).await?;
    let map_values: Vec<serde_json::Value> = map_result
        .rows
        .iter()
        .filter_map(|r| {
            let (code, label) = r.keys.first()?;
            units.province(&vientro_domain::admin_units::ProvinceCode::parse(code).ok()?, map_set)?;
            Some(serde_json::json!({ "code": code, "name": label, "value": r.values.first().map_or(0.0, cell_number) }))
        })
        .collect();
    let map_data = serde_json::json!({
        "map": map_name,
        "values": map_values,
        "unit": "USD",
        "label": tr.t("dash-disbursed"),
        "highlight": province.as_ref().map(|p| p.code.as_str()),
        "link": if old_map { serde_json::Value::Null } else { serde_json::json!("/dashboard/province/{code}") },
    });
    let (headers, rows) = super::charts::table(tr, &map_result);
    let map = ChartBox {
        id: "chart-map".to_owned(),
        title: tr.t("dash-map"),
        kind: "map",
        json: script_json(&map_data),
        headers,
        rows,
        export_query: export_query("disbursed_usd", map_by, &[], year),
        note: Some(tr.t1("dash-map-note", "count", units.provinces(map_set).len())),
    };

    let rank_query = ReportQueryInput {
        measures: "disbursed_usd".into(),
        by: String::new(),
        filters: Vec::new(),
        from: year.map(|y| y.to_string()),
        to: year.map(|y| y.to_string()),
        as_of: None,
    }
    .parse()?;
    let ranking: Vec<ProvinceRank> = state.services.rank_provinces_for(&who, &rank_query).await?;
    let region = province.as_ref().map(|p| p.region.code().to_owned());
    let mut ranks: Vec<RankRow> = ranking
        .iter()
        .filter(|r| region.as_ref().is_none_or(|reg| &r.region == reg))
        .map(|r| RankRow {
            code: r.province.clone(),
            name: r.name.clone(),
            value: tr.minor(r.value),
            national: format!("{}/{}", r.national, r.of_national),
            in_region: format!("{}/{}", r.in_region, r.of_region),
            highlight: province.as_ref().is_some_and(|p| p.code.as_str() == r.province),
        })
        .collect();
    ranks.sort_by_key(|r| r.national.split('/').next().and_then(|n| n.parse::<usize>().ok()).unwrap_or(usize::MAX));
    let rank_note = province.as_ref().and_then(|p| ranking.iter().find(|r| r.province == p.code.as_str())).map(|r| {
        format!(
            "{}: {} {}/{}, {} {}/{}",
            r.name,
            tr.t("dash-rank-national"),
            r.national,
            r.of_national,
            tr.t("dash-rank-region"),
            r.in_region,
            r.of_region
        )
    });
    let this_year = chrono::Utc::now().year();
    let c = Chrome::new(ctx, uri, "nav-home").titled(heading.clone());
    let illustrative_note = state.services.illustrative_note(tr.lang == crate::i18n::Lang::En).await?;
    let today = crate::i18n::today_in_viet_nam();
    let watch_shown = !matches!(who, Principal::Public);
    let watch = if watch_shown {
        let groups = state
            .services
            .watch_for_dashboard(&who, today, province.as_ref().map(|p| p.code.as_str()), ALERTS_SHOWN)
            .await?;
        groups
            .iter()
            .map(|g| WatchGroup {
                heading: format!("{} ({})", tr.alert_kind(&g.kind), tr.count(&g.count)),
                kind: g.kind.code(),
                lines: g.first.iter().map(|a| (a.link.clone(), tr.alert(a))).collect(),
                more: if g.count > g.first.len() {
                    tr.t1("watch-more", "count", tr.count(&(g.count - g.first.len())))
                } else {
                    String::new()
                },
            })
            .collect()
    } else {
        Vec::new()
    };
    let watch_as_of = tr.t1("watch-as-of", "date", tr.date(&today));
    Ok(render(
        tr,
        &DashboardPage {
            c,
            heading,
            province_code: province.as_ref().map(|p| p.code.as_str().to_owned()),
            years: (2010..=this_year).rev().map(|y| (y, year == Some(y))).collect(),
            cards,
            charts,
            map,
            ranks,
            rank_note,
            illustrative_note,
            watch,
            watch_as_of,
            watch_shown,
        },
    ))
}
