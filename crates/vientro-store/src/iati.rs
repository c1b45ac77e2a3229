//! The IATI details of aid items: what an IATI activity carries that `aid_item` and `flow` do not (every
//! narrative, participants, recipients, sectors of every vocabulary, locations with their gazetteer codes,
//! budgets, planned disbursements and every transaction of every type), so an export reproduces the file.
//!
//! This module stores and reads those rows for the IATI importer and exporter, replaces an item's parts when
//! a newer publication is imported, and offers savepoints so one bad activity does not spoil its batch. It
//! must not decide anything: which organisation, sector or province an activity means, and whether a
//! transaction counts as a flow, are the services layer's decisions, taken before the rows arrive here.

use chrono::{DateTime, NaiveDate, Utc};
use sha2::{Digest, Sha256};
use vientro_domain::aid_item::NewAidItem;
use vientro_domain::ids::AidItemId;
use vientro_domain::report::Dimension;

use crate::db::{Exec, Stmt, Value};
use crate::error::StoreError;
use crate::reports::CodeFilter;

/// The `iati_activity` row of an item: identifier, provenance and the hash of what was read.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow, serde::Serialize)]
pub struct ActivityRow {
    /// The aid item.
    pub item_id: i64,
    /// `iati-identifier`.
    pub identifier: String,
    /// The file it was read from last.
    pub source_file: String,
    /// The line of its `<iati-activity>` there.
    pub source_line: i64,
    /// `iati-activities/@version` of that file.
    pub iati_version: Option<String>,
    /// `@default-currency` as published.
    pub default_currency: Option<String>,
    /// `@xml:lang` of the activity (or of its file).
    pub lang: Option<String>,
    /// `activity-status/@code` as published.
    pub status_code: Option<String>,
    /// `reporting-org/@ref`.
    pub reporting_org_ref: Option<String>,
    /// `reporting-org/@type`.
    pub reporting_org_type: Option<String>,
    /// The organisation the reporting org was matched to.
    pub reporting_organisation_id: Option<i64>,
    /// The recipient country the import was restricted to (`--country`), if any.
    pub country_filter: Option<String>,
    /// That country's share of the activity, in basis points (10000 without a restriction).
    pub country_share_bp: i64,
    /// Hash of everything read for the activity: equal hashes mean nothing changed.
    pub content_hash: String,
    /// First imported.
    pub imported_at: DateTime<Utc>,
    /// Last changed by an import.
    pub updated_at: DateTime<Utc>,
}

/// An `activity-date`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct DateRow {
    /// Order in the file.
    pub position: i64,
    /// ActivityDateType code.
    pub date_type: String,
    /// The date.
    pub iso_date: NaiveDate,
}

/// One narrative (a text in one language) of some element of the activity.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct NarrativeRow {
    /// The owning element: `title`, `description`, `participant`, `transaction_description`, … (see the
    /// migration's check).
    pub field: String,
    /// Which one of those elements (description, participant, sector, location or transaction number).
    pub part: i64,
    /// A second index inside it (a transaction's sector number), else 0.
    pub sub: i64,
    /// Order of the narrative inside its element.
    pub position: i64,
    /// `description/@type` for descriptions.
    pub kind: Option<String>,
    /// `@xml:lang`, `None` meaning the activity's language.
    pub lang: Option<String>,
    /// The text.
    pub content: String,
}

/// A `participating-org`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct ParticipantRow {
    /// Order in the file.
    pub position: i64,
    /// OrganisationRole code.
    pub role: Option<String>,
    /// `@ref`.
    pub org_ref: Option<String>,
    /// `@type`.
    pub org_type: Option<String>,
    /// `@activity-id`.
    pub activity_id: Option<String>,
    /// The organisation it was matched to.
    pub organisation_id: Option<i64>,
}

/// A `recipient-country` (scope `country`) or `recipient-region` (scope `region`).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct RecipientRow {
    /// Order: countries first, then regions, each in file order.
    pub position: i64,
    /// `country` or `region`.
    pub scope: String,
    /// The code.
    pub code: String,
    /// RegionVocabulary code (regions only).
    pub vocabulary: Option<String>,
    /// `@percentage`, exact decimal text.
    pub percentage: Option<String>,
}

/// A `sector` of the activity (`transaction_position` −1) or of a transaction.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct SectorRow {
    /// The transaction's position, −1 for the activity's sectors.
    pub transaction_position: i64,
    /// Order in its parent.
    pub position: i64,
    /// SectorVocabulary code.
    pub vocabulary: String,
    /// `@code` (none only for 1.0x free-text sectors).
    pub code: Option<String>,
    /// `@percentage`, exact decimal text.
    pub percentage: Option<String>,
}

/// A `location` with the province and commune it was resolved to.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct LocationRow {
    /// Order in the file.
    pub position: i64,
    /// `@ref`.
    pub location_ref: Option<String>,
    /// Latitude, exact decimal text.
    pub latitude: Option<String>,
    /// Longitude, exact decimal text.
    pub longitude: Option<String>,
    /// Province of today's 34 it lies in, when resolved.
    pub province_code: Option<String>,
    /// Commune of today's units, when resolved.
    pub commune_code: Option<String>,
    /// How it was resolved: `point` or `name`.
    pub resolved_by: Option<String>,
}

/// A `location-id` (scope `location_id`) or `administrative` code of a location.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct LocationCodeRow {
    /// The location's position.
    pub location_position: i64,
    /// Order: location ids first, then administrative codes.
    pub position: i64,
    /// `location_id` or `administrative`.
    pub scope: String,
    /// GeographicVocabulary code.
    pub vocabulary: Option<String>,
    /// `@level` (administrative codes).
    pub level: Option<i64>,
    /// `@code`.
    pub code: String,
}

/// A `budget`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct BudgetRow {
    /// Order in the file.
    pub position: i64,
    /// BudgetType code.
    pub budget_type: Option<String>,
    /// BudgetStatus code.
    pub status: Option<String>,
    /// Period start.
    pub period_start: NaiveDate,
    /// Period end.
    pub period_end: NaiveDate,
    /// The value, exact decimal text.
    pub value_text: String,
    /// `@currency` as published (none: the activity's default).
    pub currency: Option<String>,
    /// `@value-date`.
    pub value_date: Option<NaiveDate>,
    /// The value in minor units of the effective currency, rounded once.
    pub amount_minor: Option<i64>,
}

/// A `planned-disbursement`.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct PlannedRow {
    /// Order in the file.
    pub position: i64,
    /// BudgetType code.
    pub disbursement_type: Option<String>,
    /// Period start.
    pub period_start: NaiveDate,
    /// Period end.
    pub period_end: Option<NaiveDate>,
    /// The value, exact decimal text.
    pub value_text: String,
    /// `@currency` as published.
    pub currency: Option<String>,
    /// `@value-date`.
    pub value_date: Option<NaiveDate>,
    /// The value in minor units of the effective currency.
    pub amount_minor: Option<i64>,
    /// `provider-org/@ref`.
    pub provider_ref: Option<String>,
    /// `provider-org/@type`.
    pub provider_type: Option<String>,
    /// `provider-org/@provider-activity-id`.
    pub provider_activity_id: Option<String>,
    /// `receiver-org/@ref`.
    pub receiver_ref: Option<String>,
    /// `receiver-org/@type`.
    pub receiver_type: Option<String>,
    /// `receiver-org/@receiver-activity-id`.
    pub receiver_activity_id: Option<String>,
}

/// A `transaction` of any type, with the flow it became when it counts.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct TransactionRow {
    /// Order in the file (among the transactions kept).
    pub position: i64,
    /// The flow reports count, for types 2, 3 and 4 that could be converted.
    pub flow_id: Option<i64>,
    /// `flow`, or why there is no flow: `other_type`, `no_rate`, `other_country`.
    pub counted: String,
    /// `@ref`.
    pub transaction_ref: Option<String>,
    /// TransactionType code 1–13.
    pub transaction_type: String,
    /// `transaction-date/@iso-date`.
    pub transaction_date: NaiveDate,
    /// The value, exact decimal text.
    pub value_text: String,
    /// `@currency` as published.
    pub currency: Option<String>,
    /// `@value-date`.
    pub value_date: Option<NaiveDate>,
    /// The whole value in minor units of the effective currency.
    pub amount_minor: Option<i64>,
    /// `provider-org/@ref`.
    pub provider_ref: Option<String>,
    /// `provider-org/@type`.
    pub provider_type: Option<String>,
    /// `provider-org/@provider-activity-id`.
    pub provider_activity_id: Option<String>,
    /// `receiver-org/@ref`.
    pub receiver_ref: Option<String>,
    /// `receiver-org/@type`.
    pub receiver_type: Option<String>,
    /// `receiver-org/@receiver-activity-id`.
    pub receiver_activity_id: Option<String>,
    /// Transaction-level `recipient-country/@code`.
    pub recipient_country: Option<String>,
    /// Transaction-level `recipient-region/@code`.
    pub recipient_region: Option<String>,
    /// Its vocabulary.
    pub recipient_region_vocabulary: Option<String>,
}

/// Everything IATI-specific about one item.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Details {
    /// The activity row.
    pub activity: ActivityRow,
    /// Activity dates.
    pub dates: Vec<DateRow>,
    /// Narratives of every element.
    pub narratives: Vec<NarrativeRow>,
    /// Participating organisations.
    pub participants: Vec<ParticipantRow>,
    /// Recipient countries and regions.
    pub recipients: Vec<RecipientRow>,
    /// Sectors of the activity and of its transactions.
    pub sectors: Vec<SectorRow>,
    /// Locations.
    pub locations: Vec<LocationRow>,
    /// Gazetteer and administrative codes of the locations.
    pub location_codes: Vec<LocationCodeRow>,
    /// Budgets.
    pub budgets: Vec<BudgetRow>,
    /// Planned disbursements.
    pub planned: Vec<PlannedRow>,
    /// Transactions.
    pub transactions: Vec<TransactionRow>,
}

const ACTIVITY_COLUMNS: &str = "item_id, identifier, source_file, source_line, iati_version, default_currency, lang, \
    status_code, reporting_org_ref, reporting_org_type, reporting_organisation_id, country_filter, country_share_bp, \
    content_hash, imported_at, updated_at";

/// The SHA-256 of `text` in hex: the content hash of an activity as read.
pub fn content_hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// The activity row of an identifier, if it was imported before.
pub async fn find_activity(ex: &mut impl Exec, identifier: &str) -> Result<Option<ActivityRow>, StoreError> {
    ex.fetch_optional(
        Stmt::new(format!("SELECT {ACTIVITY_COLUMNS} FROM iati_activity WHERE identifier = $1")).bind(identifier),
    )
    .await
}

/// The activity rows of those identifiers that were imported before (any order).
pub async fn find_activities(ex: &mut impl Exec, identifiers: &[&str]) -> Result<Vec<ActivityRow>, StoreError> {
    let mut rows = Vec::new();
    // Few values per statement: SQLite looks numbered parameters up one by one.
    for chunk in identifiers.chunks(500) {
        let list: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
        let sql = format!("SELECT {ACTIVITY_COLUMNS} FROM iati_activity WHERE identifier IN ({})", list.join(", "));
        let stmt = chunk.iter().fold(Stmt::new(sql), |stmt, id| stmt.bind(*id));
        rows.extend(ex.fetch_all::<ActivityRow>(stmt).await?);
    }
    Ok(rows)
}

/// The aid items holding those IATI identifiers: (identifier, id, `imported_from`), any order.
pub async fn items_with_identifiers(
    ex: &mut impl Exec,
    identifiers: &[&str],
) -> Result<Vec<(String, i64, Option<String>)>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        iati_identifier: String,
        id: i64,
        imported_from: Option<String>,
    }
    let mut rows = Vec::new();
    for chunk in identifiers.chunks(500) {
        let list: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT iati_identifier, id, imported_from FROM aid_item WHERE iati_identifier IN ({})",
            list.join(", ")
        );
        let stmt = chunk.iter().fold(Stmt::new(sql), |stmt, id| stmt.bind(*id));
        let found: Vec<Row> = ex.fetch_all(stmt).await?;
        rows.extend(found.into_iter().map(|r| (r.iati_identifier, r.id, r.imported_from)));
    }
    Ok(rows)
}

/// The id and `imported_from` of the aid item that holds an IATI identifier, if any.
pub async fn item_with_identifier(
    ex: &mut impl Exec,
    identifier: &str,
) -> Result<Option<(i64, Option<String>)>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        imported_from: Option<String>,
    }
    let row: Option<Row> = ex
        .fetch_optional(Stmt::new("SELECT id, imported_from FROM aid_item WHERE iati_identifier = $1").bind(identifier))
        .await?;
    Ok(row.map(|r| (r.id, r.imported_from)))
}

/// Stores every detail row of an item (the item and its flows exist already).
pub async fn insert_details(ex: &mut impl Exec, details: &Details) -> Result<(), StoreError> {
    insert_details_many(ex, std::slice::from_ref(details)).await
}

/// Stores the detail rows of many items, a few statements per table for all of them.
pub async fn insert_details_many(ex: &mut impl Exec, many: &[Details]) -> Result<(), StoreError> {
    let mut tables = Tables::default();
    for details in many {
        insert_details_rows(&mut tables, details);
    }
    for (table, (columns, rows)) in &tables.0 {
        crate::bulk::insert_rows(ex, table, columns, rows, usize::MAX).await?;
    }
    Ok(())
}

/// One table's columns and the rows to insert into it.
type TableRows = (Vec<&'static str>, Vec<Vec<Value>>);

/// Rows to insert, by table, in the order tables were first met (parents before children).
#[derive(Default)]
struct Tables(Vec<(&'static str, TableRows)>);

impl Tables {
    fn add(&mut self, table: &'static str, columns: &[&'static str], row: Vec<Value>) {
        match self.0.iter_mut().find(|(t, _)| *t == table) {
            Some((_, (_, rows))) => rows.push(row),
            None => self.0.push((table, (columns.to_vec(), vec![row]))),
        }
    }
}

fn insert_details_rows(tables: &mut Tables, details: &Details) {
    let a = &details.activity;
    let item = a.item_id;
    tables.add(
        "iati_activity",
        &ACTIVITY_COLUMNS.split(", ").collect::<Vec<_>>(),
        vec![
            item.into(),
            a.identifier.as_str().into(),
            a.source_file.as_str().into(),
            a.source_line.into(),
            a.iati_version.clone().into(),
            a.default_currency.clone().into(),
            a.lang.clone().into(),
            a.status_code.clone().into(),
            a.reporting_org_ref.clone().into(),
            a.reporting_org_type.clone().into(),
            a.reporting_organisation_id.into(),
            a.country_filter.clone().into(),
            a.country_share_bp.into(),
            a.content_hash.as_str().into(),
            a.imported_at.into(),
            a.updated_at.into(),
        ],
    );
    for d in &details.dates {
        tables.add(
            "aid_item_iati_date",
            &["item_id", "position", "date_type", "iso_date"],
            vec![item.into(), d.position.into(), d.date_type.as_str().into(), d.iso_date.into()],
        );
    }
    for n in &details.narratives {
        tables.add(
            "aid_item_narrative",
            &["item_id", "field", "part", "sub", "position", "kind", "lang", "content"],
            vec![
                item.into(),
                n.field.as_str().into(),
                n.part.into(),
                n.sub.into(),
                n.position.into(),
                n.kind.clone().into(),
                n.lang.clone().into(),
                n.content.as_str().into(),
            ],
        );
    }
    for p in &details.participants {
        tables.add(
            "aid_item_participant",
            &["item_id", "position", "role", "org_ref", "org_type", "activity_id", "organisation_id"],
            vec![
                item.into(),
                p.position.into(),
                p.role.clone().into(),
                p.org_ref.clone().into(),
                p.org_type.clone().into(),
                p.activity_id.clone().into(),
                p.organisation_id.into(),
            ],
        );
    }
    for r in &details.recipients {
        tables.add(
            "aid_item_recipient",
            &["item_id", "position", "scope", "code", "vocabulary", "percentage"],
            vec![
                item.into(),
                r.position.into(),
                r.scope.as_str().into(),
                r.code.as_str().into(),
                r.vocabulary.clone().into(),
                r.percentage.clone().into(),
            ],
        );
    }
    for s in &details.sectors {
        tables.add(
            "aid_item_iati_sector",
            &["item_id", "transaction_position", "position", "vocabulary", "code", "percentage"],
            vec![
                item.into(),
                s.transaction_position.into(),
                s.position.into(),
                s.vocabulary.as_str().into(),
                s.code.clone().into(),
                s.percentage.clone().into(),
            ],
        );
    }
    for l in &details.locations {
        tables.add(
            "aid_item_iati_location",
            &[
                "item_id",
                "position",
                "location_ref",
                "latitude",
                "longitude",
                "province_code",
                "commune_code",
                "resolved_by",
            ],
            vec![
                item.into(),
                l.position.into(),
                l.location_ref.clone().into(),
                l.latitude.clone().into(),
                l.longitude.clone().into(),
                l.province_code.clone().into(),
                l.commune_code.clone().into(),
                l.resolved_by.clone().into(),
            ],
        );
    }
    for c in &details.location_codes {
        tables.add(
            "aid_item_iati_location_code",
            &["item_id", "location_position", "position", "scope", "vocabulary", "level", "code"],
            vec![
                item.into(),
                c.location_position.into(),
                c.position.into(),
                c.scope.as_str().into(),
                c.vocabulary.clone().into(),
                c.level.into(),
                c.code.as_str().into(),
            ],
        );
    }
    for b in &details.budgets {
        tables.add(
            "aid_item_budget",
            &[
                "item_id",
                "position",
                "budget_type",
                "status",
                "period_start",
                "period_end",
                "value_text",
                "currency",
                "value_date",
                "amount_minor",
            ],
            vec![
                item.into(),
                b.position.into(),
                b.budget_type.clone().into(),
                b.status.clone().into(),
                b.period_start.into(),
                b.period_end.into(),
                b.value_text.as_str().into(),
                b.currency.clone().into(),
                b.value_date.into(),
                b.amount_minor.into(),
            ],
        );
    }
    for p in &details.planned {
        tables.add(
            "aid_item_planned_disbursement",
            &[
                "item_id",
                "position",
                "disbursement_type",
                "period_start",
                "period_end",
                "value_text",
                "currency",
                "value_date",
                "amount_minor",
                "provider_ref",
                "provider_type",
                "provider_activity_id",
                "receiver_ref",
                "receiver_type",
                "receiver_activity_id",
            ],
            vec![
                item.into(),
                p.position.into(),
                p.disbursement_type.clone().into(),
                p.period_start.into(),
                p.period_end.into(),
                p.value_text.as_str().into(),
                p.currency.clone().into(),
                p.value_date.into(),
                p.amount_minor.into(),
                p.provider_ref.clone().into(),
                p.provider_type.clone().into(),
                p.provider_activity_id.clone().into(),
                p.receiver_ref.clone().into(),
                p.receiver_type.clone().into(),
                p.receiver_activity_id.clone().into(),
            ],
        );
    }
    for t in &details.transactions {
        tables.add(
            "iati_transaction",
            &TRANSACTION_COLUMNS.split(", ").chain(["item_id"]).collect::<Vec<_>>(),
            vec![
                t.position.into(),
                t.flow_id.into(),
                t.counted.as_str().into(),
                t.transaction_ref.clone().into(),
                t.transaction_type.as_str().into(),
                t.transaction_date.into(),
                t.value_text.as_str().into(),
                t.currency.clone().into(),
                t.value_date.into(),
                t.amount_minor.into(),
                t.provider_ref.clone().into(),
                t.provider_type.clone().into(),
                t.provider_activity_id.clone().into(),
                t.receiver_ref.clone().into(),
                t.receiver_type.clone().into(),
                t.receiver_activity_id.clone().into(),
                t.recipient_country.clone().into(),
                t.recipient_region.clone().into(),
                t.recipient_region_vocabulary.clone().into(),
                item.into(),
            ],
        );
    }
}

const TRANSACTION_COLUMNS: &str = "position, flow_id, counted, transaction_ref, transaction_type, transaction_date, \
    value_text, currency, value_date, amount_minor, provider_ref, provider_type, provider_activity_id, receiver_ref, \
    receiver_type, receiver_activity_id, recipient_country, recipient_region, recipient_region_vocabulary";

/// Tables holding an item's parts that a newer import replaces, children before parents.
const ITEM_PARTS: [&str; 15] = [
    "iati_transaction",
    "aid_item_narrative",
    "aid_item_iati_date",
    "aid_item_participant",
    "aid_item_recipient",
    "aid_item_iati_sector",
    "aid_item_iati_location_code",
    "aid_item_iati_location",
    "aid_item_budget",
    "aid_item_planned_disbursement",
    "iati_activity",
    "item_cell",
    "aid_item_donor",
    "aid_item_sector",
    "aid_item_location",
];

/// Replaces an item's base record with `item` (status set to `status`, version incremented) and removes its
/// flows, their report facts and every IATI detail, so the caller can add the newer ones in the same
/// transaction and re-run the facts. Status history, audit rows and the item's id are kept.
pub async fn replace_item(
    ex: &mut impl Exec,
    id: AidItemId,
    item: &NewAidItem,
    status: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    // The old shares leave the summaries with the shares themselves (the facts are rebuilt afterwards).
    crate::facts::clear_items(ex, &[id]).await?;
    for table in ITEM_PARTS {
        ex.execute(Stmt::new(format!("DELETE FROM {table} WHERE item_id = $1")).bind(id.0)).await?;
    }
    ex.execute(Stmt::new("DELETE FROM flow WHERE item_id = $1").bind(id.0)).await?;
    ex.execute(
        Stmt::new(
            "UPDATE aid_item SET title = $1, title_en = $2, description = $3, kind = $4, status = $5, start_date = $6, \
             end_date = $7, search_text = $8, imported_from = $9, version = version + 1, updated_at = $10 WHERE id = $11",
        )
        .bind(item.title.as_str())
        .bind(item.title_en.clone())
        .bind(item.description.clone())
        .bind(item.kind.as_str())
        .bind(status)
        .bind(item.start_date)
        .bind(item.end_date)
        .bind(item.search_text())
        .bind(item.imported_from.clone())
        .bind(now)
        .bind(id.0),
    )
    .await
    .map_err(StoreError::on_constraint)?;
    crate::aid_items::insert_parts(ex, id.0, item).await
}

/// Sets an imported item's status as its publication states it, recording the move in the status history
/// when `from` differs from `to` (an import restates a fact; it is not an officer's lifecycle step).
#[allow(clippy::too_many_arguments)]
pub async fn set_imported_status(
    ex: &mut impl Exec,
    id: AidItemId,
    from: &str,
    to: &str,
    on: NaiveDate,
    actor: &str,
    note: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    ex.execute(Stmt::new("UPDATE aid_item SET status = $1 WHERE id = $2").bind(to).bind(id.0)).await?;
    if from != to {
        ex.execute(
            Stmt::new(
                "INSERT INTO aid_item_status_change (item_id, from_status, to_status, changed_on, actor, note, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id.0)
            .bind(from)
            .bind(to)
            .bind(on)
            .bind(actor)
            .bind(note)
            .bind(now),
        )
        .await?;
    }
    Ok(())
}

async fn rows_of<T: crate::db::DbRow>(ex: &mut impl Exec, sql: &str, item: i64) -> Result<Vec<T>, StoreError> {
    ex.fetch_all(Stmt::new(sql).bind(item)).await
}

/// Every IATI detail of an item, in file order; `None` when the item did not come from IATI.
pub async fn load_details(ex: &mut impl Exec, id: AidItemId) -> Result<Option<Details>, StoreError> {
    let item = id.0;
    let activity: Option<ActivityRow> = ex
        .fetch_optional(
            Stmt::new(format!("SELECT {ACTIVITY_COLUMNS} FROM iati_activity WHERE item_id = $1")).bind(item),
        )
        .await?;
    let Some(activity) = activity else { return Ok(None) };
    Ok(Some(Details {
        activity,
        dates: rows_of(
            ex,
            "SELECT position, date_type, iso_date FROM aid_item_iati_date WHERE item_id = $1 ORDER BY position",
            item,
        )
        .await?,
        narratives: rows_of(
            ex,
            "SELECT field, part, sub, position, kind, lang, content FROM aid_item_narrative WHERE item_id = $1 \
             ORDER BY field, part, sub, position",
            item,
        )
        .await?,
        participants: rows_of(
            ex,
            "SELECT position, role, org_ref, org_type, activity_id, organisation_id FROM aid_item_participant \
             WHERE item_id = $1 ORDER BY position",
            item,
        )
        .await?,
        recipients: rows_of(
            ex,
            "SELECT position, scope, code, vocabulary, percentage FROM aid_item_recipient WHERE item_id = $1 \
             ORDER BY position",
            item,
        )
        .await?,
        sectors: rows_of(
            ex,
            "SELECT transaction_position, position, vocabulary, code, percentage FROM aid_item_iati_sector \
             WHERE item_id = $1 ORDER BY transaction_position, position",
            item,
        )
        .await?,
        locations: rows_of(
            ex,
            "SELECT position, location_ref, latitude, longitude, province_code, commune_code, resolved_by \
             FROM aid_item_iati_location WHERE item_id = $1 ORDER BY position",
            item,
        )
        .await?,
        location_codes: rows_of(
            ex,
            "SELECT location_position, position, scope, vocabulary, level, code FROM aid_item_iati_location_code \
             WHERE item_id = $1 ORDER BY location_position, position",
            item,
        )
        .await?,
        budgets: rows_of(
            ex,
            "SELECT position, budget_type, status, period_start, period_end, value_text, currency, value_date, \
             amount_minor FROM aid_item_budget WHERE item_id = $1 ORDER BY position",
            item,
        )
        .await?,
        planned: rows_of(
            ex,
            "SELECT position, disbursement_type, period_start, period_end, value_text, currency, value_date, \
             amount_minor, provider_ref, provider_type, provider_activity_id, receiver_ref, receiver_type, \
             receiver_activity_id FROM aid_item_planned_disbursement WHERE item_id = $1 ORDER BY position",
            item,
        )
        .await?,
        transactions: rows_of(
            ex,
            &format!("SELECT {TRANSACTION_COLUMNS} FROM iati_transaction WHERE item_id = $1 ORDER BY position"),
            item,
        )
        .await?,
    }))
}

/// The column of `item_cell` (or `aid_item`) a filter dimension reads, `None` when it does not apply to items.
fn filter_column(d: Dimension) -> Option<&'static str> {
    Some(match d {
        Dimension::Province => "ic.province",
        Dimension::ProvinceAsRecorded => "ic.province_recorded",
        Dimension::Region => "ic.region",
        Dimension::Commune => "ic.commune",
        Dimension::CommuneAsRecorded => "ic.commune_recorded",
        Dimension::Sector => "ic.sector",
        Dimension::SectorCategory => "ic.sector_category",
        Dimension::Donor => "CAST(ic.donor_id AS TEXT)",
        Dimension::DonorKind => "ic.donor_kind",
        Dimension::DonorCountry => "ic.donor_country",
        Dimension::Kind => "ic.item_kind",
        Dimension::ApprovalLevel => "ic.approval_level",
        Dimension::Status => "ai.status",
        Dimension::Year | Dimension::HalfYear => return None,
    })
}

/// The items imported from IATI that match every filter (by their report cells), in import order.
pub async fn exportable_items(ex: &mut impl Exec, filters: &[CodeFilter]) -> Result<Vec<AidItemId>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Id {
        item_id: i64,
    }
    let mut sql = "SELECT ia.item_id FROM iati_activity ia JOIN aid_item ai ON ai.id = ia.item_id \
                   WHERE ai.archived_at IS NULL"
        .to_owned();
    let mut args: Vec<Value> = Vec::new();
    for f in filters {
        let col = filter_column(f.dimension).ok_or(StoreError::Constraint {
            field: "where",
            code: "error-dimension-not-applicable",
            message: format!("'{}' does not apply to aid items", f.dimension.name()),
        })?;
        if f.codes.is_empty() {
            sql.push_str(" AND 1 = 0");
            continue;
        }
        let mut placeholders = Vec::new();
        for code in &f.codes {
            args.push(Value::from(code.as_str()));
            placeholders.push(format!("${}", args.len()));
        }
        sql.push_str(&format!(
            " AND ia.item_id IN (SELECT ic.item_id FROM item_cell ic JOIN aid_item ai ON ai.id = ic.item_id \
             WHERE {col} IN ({}))",
            placeholders.join(", ")
        ));
    }
    sql.push_str(" ORDER BY ia.item_id");
    let mut stmt = Stmt::new(sql);
    for a in args {
        stmt = stmt.bind(a);
    }
    let rows: Vec<Id> = ex.fetch_all(stmt).await?;
    Ok(rows.into_iter().map(|r| AidItemId(r.item_id)).collect())
}

/// Marks a point inside the open transaction that [`rollback_to_savepoint`] can return to, so one activity
/// that fails half-way is undone without losing the rest of its batch. `name` must be a plain identifier.
pub async fn savepoint(ex: &mut impl Exec, name: &'static str) -> Result<(), StoreError> {
    ex.execute(Stmt::new(format!("SAVEPOINT {name}"))).await?;
    Ok(())
}

/// Undoes everything since the savepoint `name` and forgets it.
pub async fn rollback_to_savepoint(ex: &mut impl Exec, name: &'static str) -> Result<(), StoreError> {
    ex.execute(Stmt::new(format!("ROLLBACK TO SAVEPOINT {name}"))).await?;
    ex.execute(Stmt::new(format!("RELEASE SAVEPOINT {name}"))).await?;
    Ok(())
}

/// Keeps everything since the savepoint `name` and forgets it.
pub async fn release_savepoint(ex: &mut impl Exec, name: &'static str) -> Result<(), StoreError> {
    ex.execute(Stmt::new(format!("RELEASE SAVEPOINT {name}"))).await?;
    Ok(())
}

/// How many items carry IATI details (for summaries and tests).
pub async fn count_activities(ex: &mut impl Exec) -> Result<i64, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Count {
        n: i64,
    }
    let row: Option<Count> =
        ex.fetch_optional(Stmt::new("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM iati_activity")).await?;
    Ok(row.map_or(0, |r| r.n))
}
