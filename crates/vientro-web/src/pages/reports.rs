//! The report builder: pick measures, dimensions, filters and a period, see the table and a chart, export
//! the same figures as CSV or Excel. It runs the one report engine, so a figure here is the figure of the
//! CLI, the API and the dashboards.
//!
//! This module must not compute figures; it parses the pickers into a query and lays out the result.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use vientro_domain::report::{Dimension, Measure, ReportQueryInput};
use vientro_interchange::report_export::{self, ExportMeta};
use vientro_services::ServiceError;

use super::Chrome;
use super::charts::{ChartBox, bars, dimension_name, measure_name};
use crate::AppState;
use crate::context::RequestContext;
use crate::error::{PageError, render};
use crate::i18n::Lang;

pub(super) fn routes() -> Router<AppState> {
    Router::new().route("/reports", get(builder)).route("/reports/export", get(export))
}

/// The pickers, as the query string carries them (`measures` and `where` may repeat).
#[derive(Debug, Default, Clone)]
struct Pickers {
    measures: Vec<String>,
    by: Vec<String>,
    filters: Vec<String>,
    from: Option<String>,
    to: Option<String>,
    as_of: Option<String>,
    format: Option<String>,
}

impl Pickers {
    fn from_query(query: Option<&str>) -> Pickers {
        let pairs: Vec<(String, String)> = query.and_then(|q| serde_urlencoded::from_str(q).ok()).unwrap_or_default();
        let mut p = Pickers::default();
        for (k, v) in pairs {
            let v = v.trim().to_owned();
            if v.is_empty() {
                continue;
            }
            match k.as_str() {
                "measures" => p.measures.extend(v.split(',').map(|m| m.trim().to_owned()).filter(|m| !m.is_empty())),
                "by" => p.by.extend(v.split(',').map(|d| d.trim().to_owned()).filter(|d| !d.is_empty())),
                "where" => p.filters.extend(v.lines().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty())),
                "from" => p.from = Some(v),
                "to" => p.to = Some(v),
                "as_of" => p.as_of = Some(v),
                "format" => p.format = Some(v),
                _ => {}
            }
        }
        p
    }

    fn input(&self) -> ReportQueryInput {
        ReportQueryInput {
            measures: self.measures.join(","),
            by: self.by.join(","),
            filters: self.filters.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            as_of: self.as_of.clone(),
        }
    }

    fn export_query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = vec![("measures", self.measures.join(",")), ("by", self.by.join(","))];
        for f in &self.filters {
            pairs.push(("where", f.clone()));
        }
        for (k, v) in [("from", &self.from), ("to", &self.to), ("as_of", &self.as_of)] {
            if let Some(v) = v {
                pairs.push((k, v.clone()));
            }
        }
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportPage {
    c: Chrome,
    measures: Vec<(String, String, bool)>,
    dimensions: Vec<(String, String)>,
    by_first: String,
    by_second: String,
    filters: String,
    from: String,
    to: String,
    as_of: String,
    chart: Option<ChartBox>,
    errors: Vec<(String, String)>,
}

async fn builder(State(state): State<AppState>, ctx: RequestContext, uri: Uri) -> Response {
    if ctx.user.is_none() {
        return crate::error::unauthenticated(&ctx.tr, false);
    }
    let tr = &ctx.tr;
    let p = Pickers::from_query(uri.query());
    let (mut chart, mut errors) = (None, Vec::new());
    if !p.measures.is_empty() {
        let outcome = async {
            let query = p.input().parse()?;
            state.services.report_for(&ctx.principal(), &query).await
        }
        .await;
        match outcome {
            Ok(result) => {
                let title = result.query.measures.iter().map(|m| measure_name(tr, *m)).collect::<Vec<_>>().join(", ");
                chart = Some(bars(tr, "chart-report", title, "bars", &result, p.export_query(), 60));
            }
            Err(ServiceError::Invalid(e)) => {
                errors = e.0.iter().map(|v| (v.field.clone(), v.message.clone())).collect()
            }
            Err(e) => return PageError::new(&ctx, e).into_response(),
        }
    }
    let page = ReportPage {
        c: Chrome::new(&ctx, &uri, "reports-title"),
        measures: Measure::ALL
            .iter()
            .map(|m| (m.name().to_owned(), measure_name(tr, *m), p.measures.iter().any(|x| x == m.name())))
            .collect(),
        dimensions: Dimension::ALL.iter().map(|d| (d.name().to_owned(), dimension_name(tr, *d))).collect(),
        by_first: p.by.first().cloned().unwrap_or_default(),
        by_second: p.by.get(1).cloned().unwrap_or_default(),
        filters: p.filters.join("\n"),
        from: p.from.clone().unwrap_or_default(),
        to: p.to.clone().unwrap_or_default(),
        as_of: p.as_of.clone().unwrap_or_default(),
        chart,
        errors,
    };
    render(tr, &page)
}

async fn export(State(state): State<AppState>, ctx: RequestContext, uri: Uri) -> Response {
    let p = Pickers::from_query(uri.query());
    let lang = if ctx.lang() == Lang::En { report_export::Lang::En } else { report_export::Lang::Vi };
    let outcome = async {
        let query = p.input().parse()?;
        let result = state.services.report_for(&ctx.principal(), &query).await?;
        let note = state.services.illustrative_note(ctx.lang() == Lang::En).await?;
        let title = result.query.measures.iter().map(|m| measure_name(&ctx.tr, *m)).collect::<Vec<_>>().join(", ");
        let (bytes, content_type, extension) = if p.format.as_deref() == Some("xlsx") {
            let meta = ExportMeta {
                title,
                generated_at: chrono::Utc::now(),
                source_note: note.map(|n| format!("vientro. {n}")).unwrap_or_else(|| "vientro".to_owned()),
                lang,
            };
            let bytes = report_export::to_xlsx(&result, &meta).map_err(|e| ServiceError::Internal(e.into()))?;
            (bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
        } else {
            (report_export::to_csv(&result, lang), "text/csv; charset=utf-8", "csv")
        };
        Ok::<_, ServiceError>((bytes, content_type, extension))
    }
    .await;
    match outcome {
        Ok((bytes, content_type, extension)) => {
            super::download(bytes, content_type, &format!("vientro-report.{extension}"))
        }
        Err(e) => PageError::new(&ctx, e).into_response(),
    }
}
