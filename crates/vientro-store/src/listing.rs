//! Scoped lists and search: the one place where a reader's [`ReadScope`] becomes SQL.
//!
//! Every list of aid items, the approval queue and the search box go through [`item_scope`], so a record a
//! reader may not see is never fetched (guessing ids does not help either: single reads check the same rule
//! through [`item_access`]). Filters are bound as values, never interpolated. This module must not decide
//! the scope (the domain's access rule does) nor render anything.

use chrono::{DateTime, NaiveDate, Utc};
use vientro_domain::access::{ReadScope, Resource};
use vientro_domain::admin_units::ProvinceCode;
use vientro_domain::ids::{AidItemId, OrganisationId};

use crate::db::{Backend, Exec, ExecExt, Stmt, Value};
use crate::error::StoreError;

/// A WHERE clause under construction with its bound values, numbered `$1…$N` in order.
#[derive(Debug, Default)]
pub(crate) struct Where {
    clauses: Vec<String>,
    args: Vec<Value>,
}

impl Where {
    /// Binds a value and returns its placeholder.
    pub(crate) fn arg(&mut self, v: impl Into<Value>) -> String {
        self.args.push(v.into());
        format!("${}", self.args.len())
    }

    /// Adds a condition.
    pub(crate) fn and(&mut self, clause: String) {
        self.clauses.push(clause);
    }

    /// ` WHERE …` (or nothing).
    pub(crate) fn sql(&self) -> String {
        if self.clauses.is_empty() { String::new() } else { format!(" WHERE {}", self.clauses.join(" AND ")) }
    }

    /// A statement with every bound value.
    pub(crate) fn stmt(self, sql: String) -> Stmt {
        self.args.into_iter().fold(Stmt::new(sql), Stmt::bind)
    }
}

/// Adds the reader's scope for aid items aliased `i`.
pub(crate) fn item_scope(scope: &ReadScope, w: &mut Where) {
    match scope {
        ReadScope::Everything => {}
        ReadScope::PublishedOnly => w.and("i.published".to_owned()),
        ReadScope::ProvincesOrPublished(ps) if !ps.is_empty() => {
            let list: Vec<String> = ps.iter().map(|p| w.arg(p.as_str())).collect();
            // An IN over the province's items, not a correlated EXISTS: SQLite would answer the EXISTS through
            // the province index for every item (a full province scan per row: a minute at 1M items).
            w.and(format!(
                "(i.published OR i.id IN (SELECT sl.item_id FROM aid_item_location sl \
                 WHERE sl.current_province_code IN ({})))",
                list.join(", ")
            ));
        }
        ReadScope::OrganisationsOrPublished(os) if !os.is_empty() => {
            let list: Vec<String> = os.iter().map(|o| w.arg(o.0)).collect();
            w.and(format!(
                "(i.published OR EXISTS (SELECT 1 FROM aid_item_donor sd WHERE sd.item_id = i.id \
                 AND sd.organisation_id IN ({})))",
                list.join(", ")
            ));
        }
        ReadScope::ProvincesOrPublished(_) | ReadScope::OrganisationsOrPublished(_) => w.and("i.published".to_owned()),
    }
}

/// What a list of aid items is narrowed to, beyond the reader's scope.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    /// Words to find, matched diacritic-insensitively against the item's search text.
    pub text: Option<String>,
    /// Status codes (any of).
    pub statuses: Vec<String>,
    /// Kind code.
    pub kind: Option<String>,
    /// Located in this province of today's map.
    pub province: Option<ProvinceCode>,
    /// Funded by this organisation.
    pub donor: Option<OrganisationId>,
    /// Running at some time in this year (start on or before its end, end on or after its start).
    pub year: Option<i32>,
    /// Include archived items.
    pub include_archived: bool,
}

/// One row of an aid-item list.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct ItemListRow {
    /// Id.
    pub id: i64,
    /// Local code.
    pub code: Option<String>,
    /// Title.
    pub title: String,
    /// Kind code.
    pub kind: String,
    /// Status code.
    pub status: String,
    /// Start.
    pub start_date: Option<NaiveDate>,
    /// End.
    pub end_date: Option<NaiveDate>,
    /// Published.
    pub published: bool,
    /// Illustrative.
    pub illustrative: bool,
    /// Version.
    pub version: i64,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// Words folded for matching `search_text` (which is stored folded).
fn like_pattern(text: &str) -> String {
    let folded = vientro_domain::text::fold(text);
    let escaped: String = folded.chars().filter(|c| !matches!(c, '%' | '_' | '\\')).collect();
    format!("%{}%", escaped.split_whitespace().collect::<Vec<_>>().join("%"))
}

fn item_filters(backend: Backend, scope: &ReadScope, f: &ItemFilter) -> Where {
    let mut w = Where::default();
    item_scope(scope, &mut w);
    if !f.include_archived {
        w.and("i.archived_at IS NULL".to_owned());
    }
    if let Some(t) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let p = w.arg(like_pattern(t));
        // Both answer from a trigram index: SQLite's FTS5 table beside aid_item, PostgreSQL's pg_trgm index
        // on the column itself.
        match backend {
            Backend::Sqlite => {
                w.and(format!("i.id IN (SELECT s.rowid FROM aid_item_search s WHERE s.search_text LIKE {p})"))
            }
            Backend::Postgres => w.and(format!("i.search_text LIKE {p}")),
        }
    }
    if !f.statuses.is_empty() {
        let list: Vec<String> = f.statuses.iter().map(|s| w.arg(s.as_str())).collect();
        w.and(format!("i.status IN ({})", list.join(", ")));
    }
    if let Some(k) = &f.kind {
        let p = w.arg(k.as_str());
        w.and(format!("i.kind = {p}"));
    }
    if let Some(p) = &f.province {
        let p = w.arg(p.as_str());
        // IN, not a correlated EXISTS: see `item_scope`.
        w.and(format!("i.id IN (SELECT fl.item_id FROM aid_item_location fl WHERE fl.current_province_code = {p})"));
    }
    if let Some(d) = f.donor {
        let p = w.arg(d.0);
        w.and(format!("EXISTS (SELECT 1 FROM aid_item_donor fd WHERE fd.item_id = i.id AND fd.organisation_id = {p})"));
    }
    if let Some(y) = f.year {
        let (first, last) = (NaiveDate::from_ymd_opt(y, 1, 1), NaiveDate::from_ymd_opt(y, 12, 31));
        if let (Some(first), Some(last)) = (first, last) {
            let (a, b) = (w.arg(last), w.arg(first));
            w.and(format!(
                "(i.start_date IS NULL OR i.start_date <= {a}) AND (i.end_date IS NULL OR i.end_date >= {b})"
            ));
        }
    }
    w
}

/// A page of items the reader may see, newest first; fetches `limit + 1` rows so the caller knows whether
/// another page follows.
pub async fn items(
    ex: &mut impl Exec,
    scope: &ReadScope,
    filter: &ItemFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<ItemListRow>, StoreError> {
    let mut w = item_filters(ex.backend(), scope, filter);
    let (l, o) = (w.arg(limit + 1), w.arg(offset));
    let sql = format!(
        "SELECT i.id, i.code, i.title, i.kind, i.status, i.start_date, i.end_date, i.published, i.illustrative, \
         i.version, i.updated_at FROM aid_item i{} ORDER BY i.id DESC LIMIT {l} OFFSET {o}",
        w.sql()
    );
    ex.fetch_all(w.stmt(sql)).await
}

/// How many items the reader may see under a filter.
pub async fn count_items(ex: &mut impl Exec, scope: &ReadScope, filter: &ItemFilter) -> Result<i64, StoreError> {
    let w = item_filters(ex.backend(), scope, filter);
    let sql = format!("SELECT COUNT(*) FROM aid_item i{}", w.sql());
    let n: crate::db::Scalar = ex.fetch_one(w.stmt(sql), "count").await?;
    Ok(n.0)
}

#[derive(sqlx::FromRow)]
struct ProvinceCell {
    current_province_code: String,
}

#[derive(sqlx::FromRow)]
struct DonorCell {
    organisation_id: i64,
}

#[derive(sqlx::FromRow)]
struct PublishedCell {
    published: bool,
}

/// What the access rule needs to know about one item: its provinces today, its donors, whether published.
pub async fn item_access(ex: &mut impl Exec, id: AidItemId) -> Result<Resource, StoreError> {
    let published: PublishedCell =
        ex.fetch_one(Stmt::new("SELECT published FROM aid_item WHERE id = $1").bind(id.0), "aid item").await?;
    let provinces: Vec<ProvinceCell> = ex
        .fetch_all(
            Stmt::new("SELECT DISTINCT current_province_code FROM aid_item_location WHERE item_id = $1").bind(id.0),
        )
        .await?;
    let donors: Vec<DonorCell> =
        ex.fetch_all(Stmt::new("SELECT organisation_id FROM aid_item_donor WHERE item_id = $1").bind(id.0)).await?;
    Ok(Resource {
        provinces: provinces.into_iter().filter_map(|p| ProvinceCode::parse(&p.current_province_code).ok()).collect(),
        organisations: donors.into_iter().map(|d| OrganisationId(d.organisation_id)).collect(),
        published: published.published,
    })
}

/// One organisation found by the search box or listed.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct OrganisationListRow {
    /// Id.
    pub id: i64,
    /// Kind code.
    pub kind: String,
    /// Name.
    pub name: String,
    /// Vietnamese name.
    pub name_vi: Option<String>,
    /// Acronym.
    pub acronym: Option<String>,
    /// Country.
    pub country_code: Option<String>,
    /// Province (Vietnamese bodies).
    pub province_code: Option<String>,
    /// Illustrative.
    pub illustrative: bool,
    /// Version.
    pub version: i64,
}

/// Organisations in Vietnamese alphabetical order, optionally of some kinds and matching words.
pub async fn organisations(
    ex: &mut impl Exec,
    text: Option<&str>,
    kinds: &[&str],
    limit: i64,
    offset: i64,
) -> Result<Vec<OrganisationListRow>, StoreError> {
    let mut w = Where::default();
    w.and("archived_at IS NULL".to_owned());
    if let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) {
        let p = w.arg(like_pattern(t));
        w.and(format!("search_text LIKE {p}"));
    }
    if !kinds.is_empty() {
        let list: Vec<String> = kinds.iter().map(|k| w.arg(*k)).collect();
        w.and(format!("kind IN ({})", list.join(", ")));
    }
    let (l, o) = (w.arg(limit + 1), w.arg(offset));
    let sql = format!(
        "SELECT id, kind, name, name_vi, acronym, country_code, province_code, illustrative, version FROM organisation{} \
         ORDER BY sort_key, id LIMIT {l} OFFSET {o}",
        w.sql()
    );
    ex.fetch_all(w.stmt(sql)).await
}

/// One registration certificate in the directory.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct CertificateListRow {
    /// Id.
    pub id: i64,
    /// Organisation id.
    pub organisation_id: i64,
    /// Organisation name.
    pub organisation_name: String,
    /// Kind code.
    pub kind: String,
    /// Number.
    pub number: String,
    /// Issued.
    pub issued_on: NaiveDate,
    /// Valid until.
    pub valid_to: NaiveDate,
    /// Status code.
    pub status: String,
}

/// Registration certificates, the latest issued first.
pub async fn certificates(ex: &mut impl Exec, limit: i64, offset: i64) -> Result<Vec<CertificateListRow>, StoreError> {
    ex.fetch_all(
        Stmt::new(
            "SELECT c.id, c.organisation_id, o.name AS organisation_name, c.kind, c.number, c.issued_on, c.valid_to, c.status \
             FROM certificate c JOIN organisation o ON o.id = c.organisation_id \
             ORDER BY c.issued_on DESC, c.id DESC LIMIT $1 OFFSET $2",
        )
        .bind(limit + 1)
        .bind(offset),
    )
    .await
}
