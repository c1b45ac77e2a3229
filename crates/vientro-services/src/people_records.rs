//! Recording and editing people-to-people records (associations, twinning pairs, delegations, scholarships,
//! support abroad, trainings and other events) and the lists they own (members, activities, participants).
//!
//! It owns who may write them: administrators and central staff anywhere, a provincial officer in their own
//! province only (a national association, with no province, is the centre's); anyone logged in reads them.
//! Every write is versioned and audited with what it was before. It must not count for a briefing (the
//! `people` module does) or lay anything out.

use std::collections::BTreeMap;

use vientro_domain::access::{Action, Principal, Resource, Role, can};
use vientro_domain::admin_units::ProvinceCode;
use vientro_domain::people::{Field, FieldValue, Part, PartRow, PeopleKind, PeopleRecord, stored_field};
use vientro_store::Tx;
use vientro_store::audit::{self, AuditEntry};
use vientro_store::people_records::{self as store, StoredRecord};

use crate::accounts::CurrentUser;
use crate::{Actor, ServiceError, Services};

/// A record with its fields read back, and the rows of each list it owns.
#[derive(Debug, Clone, PartialEq)]
pub struct PeopleRecordView {
    /// Its kind.
    pub kind: PeopleKind,
    /// Id.
    pub id: i64,
    /// Version, to send back with an edit.
    pub version: i64,
    /// Every field of the kind, in order.
    pub values: Vec<(&'static Field, FieldValue)>,
    /// Each list it owns with its rows (empty when listed without them).
    pub parts: Vec<PartView>,
}

impl PeopleRecordView {
    /// The value of a field by name.
    pub fn get(&self, name: &str) -> Option<&FieldValue> {
        self.values.iter().find(|(f, _)| f.name == name).map(|(_, v)| v)
    }

    /// The province it belongs to (none: a national association).
    pub fn province(&self) -> Option<ProvinceCode> {
        match self.get("province_code") {
            Some(FieldValue::Text(code)) => ProvinceCode::parse(code).ok(),
            _ => None,
        }
    }

    fn to_json(&self) -> serde_json::Value {
        PeopleRecord { kind: self.kind, values: self.values.clone() }.to_json()
    }
}

/// One list a record owns, with its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct PartView {
    /// The list.
    pub part: &'static Part,
    /// Its rows, each field in order.
    pub rows: Vec<Vec<(&'static Field, FieldValue)>>,
    /// Each row's key within the record (the same order as `rows`), to remove it by.
    pub keys: Vec<String>,
}

fn read_back(fields: &'static [Field], texts: &[Option<String>]) -> Vec<(&'static Field, FieldValue)> {
    fields.iter().zip(texts).map(|(f, t)| (f, stored_field(f, t.as_deref()))).collect()
}

fn view(kind: PeopleKind, stored: StoredRecord) -> PeopleRecordView {
    PeopleRecordView {
        kind,
        id: stored.id,
        version: stored.version,
        values: read_back(kind.fields(), &stored.texts),
        parts: Vec::new(),
    }
}

/// Whether a role records people-to-people work at all (in some province).
pub fn may_record_people(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Central | Role::ProvinceOfficer)
}

/// Refuses a user who may not record a province's work: administrators and central staff anywhere, a
/// provincial officer in their own province only; `province` none is a national record, the centre's. `what`
/// names the records in the refusal. The one rule for people-to-people records, aid-promotion events and the
/// call-for-aid list.
pub(crate) fn check_may_record_for(
    who: &CurrentUser,
    province: Option<&ProvinceCode>,
    what: &str,
) -> Result<(), ServiceError> {
    if may_record_for(who, province) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(format!("you may not record {what} for this province")))
    }
}

/// Whether `who` may record a province's work (see [`check_may_record_for`]); pages ask it to decide which forms
/// to show, and every write asks again.
pub fn may_record_for(who: &CurrentUser, province: Option<&ProvinceCode>) -> bool {
    let resource =
        Resource { provinces: province.into_iter().cloned().collect(), organisations: Vec::new(), published: true };
    may_record_people(who.role) && can(&who.principal(), Action::Edit, &resource)
}

fn check_may_write(who: &CurrentUser, province: Option<&ProvinceCode>) -> Result<(), ServiceError> {
    check_may_record_for(who, province, "people-to-people work")
}

fn check_may_read(who: &Principal) -> Result<(), ServiceError> {
    match who {
        Principal::Public => Err(ServiceError::Unauthenticated("log in to see this".into())),
        Principal::User { .. } => Ok(()),
    }
}

/// Records a new record, in the caller's transaction, audited.
pub async fn record_people_in(
    tx: &mut Tx,
    actor: &Actor,
    record: &PeopleRecord,
    illustrative: bool,
) -> Result<i64, ServiceError> {
    let id = store::insert_record(tx, record.kind, &record.values, illustrative, vientro_store::now()).await?;
    crate::organisations::audit_create(tx, actor, record.kind.table(), Some(id), Some(record.to_json())).await?;
    Ok(id)
}

/// Adds a row to a record's list, in the caller's transaction, audited under the list's table with the
/// record's id.
pub async fn add_part_row_in(tx: &mut Tx, actor: &Actor, parent: i64, row: &PartRow) -> Result<(), ServiceError> {
    store::insert_part_row(tx, row.part, parent, &row.values, vientro_store::now()).await?;
    crate::organisations::audit_create(tx, actor, row.part.table, Some(parent), Some(row.to_json())).await?;
    Ok(())
}

impl Services {
    /// A record with every list it owns, for anyone logged in.
    pub async fn people_record(
        &self,
        who: &Principal,
        kind: PeopleKind,
        id: i64,
    ) -> Result<PeopleRecordView, ServiceError> {
        check_may_read(who)?;
        let mut db = self.db.clone();
        let mut record = view(kind, store::record(&mut db, kind, id).await?);
        for part in kind.parts() {
            let rows = store::part_rows(&mut db, part, id).await?;
            record.parts.push(PartView {
                part,
                rows: rows.iter().map(|r| read_back(part.fields, &r.texts)).collect(),
                keys: rows.into_iter().map(|r| r.key).collect(),
            });
        }
        Ok(record)
    }

    /// The records of `kind` in a province (without their lists), ordered by `order_by` columns.
    pub async fn people_records_of_province(
        &self,
        who: &Principal,
        kind: PeopleKind,
        province: &ProvinceCode,
        order_by: &'static str,
    ) -> Result<Vec<PeopleRecordView>, ServiceError> {
        check_may_read(who)?;
        let rows = store::records_of_province(&mut self.db.clone(), kind, province.as_str(), order_by).await?;
        Ok(rows.into_iter().map(|r| view(kind, r)).collect())
    }

    /// The rows of one list of every record of `kind` in a province, each with its record's id.
    pub async fn people_part_rows_of_province(
        &self,
        who: &Principal,
        kind: PeopleKind,
        part: &'static Part,
        province: &ProvinceCode,
    ) -> Result<Vec<(i64, Vec<(&'static Field, FieldValue)>)>, ServiceError> {
        check_may_read(who)?;
        let rows = store::part_rows_of_province(&mut self.db.clone(), kind, part, province.as_str()).await?;
        Ok(rows.into_iter().map(|(id, r)| (id, read_back(part.fields, &r.texts))).collect())
    }

    /// Records a new record of `kind` from a form's fields; returns its id.
    pub async fn create_people_record_as(
        &self,
        who: &CurrentUser,
        kind: PeopleKind,
        form: &BTreeMap<String, String>,
    ) -> Result<i64, ServiceError> {
        if !may_record_people(who.role) {
            return Err(ServiceError::Forbidden("you may not record people-to-people work".into()));
        }
        let record = PeopleRecord::parse(kind, form)?;
        check_may_write(who, record.province().as_ref())?;
        let mut tx = self.db.begin().await?;
        let id = record_people_in(&mut tx, &who.actor(), &record, false).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Saves a form's fields over the record at `version` (stale: refused); returns the new version. The
    /// writer must be allowed in the record's province and, if the edit moves it, in the new one.
    pub async fn save_people_record_as(
        &self,
        who: &CurrentUser,
        kind: PeopleKind,
        id: i64,
        version: i64,
        form: &BTreeMap<String, String>,
    ) -> Result<i64, ServiceError> {
        let mut tx = self.db.begin().await?;
        let before = view(kind, store::record(&mut tx, kind, id).await?);
        check_may_write(who, before.province().as_ref())?;
        if version != before.version {
            return Err(ServiceError::Conflict(format!(
                "the record is at version {}, not {version}: someone else changed it",
                before.version
            )));
        }
        let record = PeopleRecord::parse(kind, form)?;
        check_may_write(who, record.province().as_ref())?;
        let now = vientro_store::now();
        let new_version = store::update_record(&mut tx, kind, id, version, &record.values, now).await?;
        audit::append(
            &mut tx,
            &AuditEntry {
                actor: &who.username,
                action: "update",
                entity: kind.table(),
                entity_id: Some(id),
                before: Some(before.to_json()),
                after: Some(record.to_json()),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(new_version)
    }

    /// Removes the row `key` (see [`Part::key`]) from a record's list `part`, audited with what it held.
    pub async fn remove_people_part_row_as(
        &self,
        who: &CurrentUser,
        kind: PeopleKind,
        id: i64,
        part: &str,
        key: &str,
    ) -> Result<(), ServiceError> {
        let part = kind.part(part).map_err(vientro_domain::ValidationErrors::from)?;
        let mut tx = self.db.begin().await?;
        let parent = view(kind, store::record(&mut tx, kind, id).await?);
        check_may_write(who, parent.province().as_ref())?;
        let removed = store::delete_part_row(&mut tx, part, id, key).await?;
        let before = PartRow { part, values: read_back(part.fields, &removed.texts) }.to_json();
        audit::append(
            &mut tx,
            &AuditEntry {
                actor: &who.username,
                action: "delete",
                entity: part.table,
                entity_id: Some(id),
                before: Some(before),
                after: None,
            },
            vientro_store::now(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Adds a row (a member, an activity, a participant) to a record's list `part`.
    pub async fn add_people_part_row_as(
        &self,
        who: &CurrentUser,
        kind: PeopleKind,
        id: i64,
        part: &str,
        form: &BTreeMap<String, String>,
    ) -> Result<(), ServiceError> {
        let part = kind.part(part).map_err(vientro_domain::ValidationErrors::from)?;
        let mut tx = self.db.begin().await?;
        let parent = view(kind, store::record(&mut tx, kind, id).await?);
        check_may_write(who, parent.province().as_ref())?;
        let row = PartRow::parse(part, form)?;
        add_part_row_in(&mut tx, &who.actor(), id, &row).await?;
        tx.commit().await?;
        Ok(())
    }
}
