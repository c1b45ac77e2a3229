//! Aid items on behalf of a reader or an editor: every read and change here asks the access rule first.
//!
//! Lists apply the reader's [`ReadScope`] in SQL; a single item a reader may not see is "not found" (so
//! guessing ids reveals nothing); a change the user may not make is `Forbidden` and writes nothing; a change
//! made on a stale version is a `Conflict`. Every change writes its audit row (before and after) in the same
//! transaction. This module must not render or know HTTP; the faces map the errors.

use chrono::NaiveDate;
use vientro_domain::access::{Action, Principal, ReadScope, Resource, action_for_transition, can};
use vientro_domain::admin_units::{AdminUnits, UnitSet};
use vientro_domain::aid_item::{AidItemInput, AidStatus, DonorInput, LocationInput, SectorInput};
use vientro_domain::flow::FlowInput;
use vientro_domain::ids::{AidItemId, FlowId, OrganisationId};
use vientro_domain::{ValidationError, ValidationErrors};
use vientro_store::aid_items::{self, AidItemRow, DonorRow, LocationRow, SectorRow, StatusChangeRow};
use vientro_store::audit::{self, AuditEntry, AuditRow};
use vientro_store::flows::FlowRow;
use vientro_store::listing::{self, ItemFilter, ItemListRow};
use vientro_store::{Tx, aid_item_edits, flows, now};

use crate::accounts::CurrentUser;
use crate::aid_items::StatusChangeInput;
use crate::{ServiceError, Services};

/// Statuses that wait on an appraisal decision: the approval queue.
pub const WAITING_STATUSES: [AidStatus; 5] = [
    AidStatus::Submitted,
    AidStatus::ReturnedForSupplement,
    AidStatus::UnderAppraisal,
    AidStatus::EscalatedToCentral,
    AidStatus::Appraised,
];

/// Working days are not modelled yet: the appraisal clock counts calendar days (Decree 80: 20 days).
pub const APPRAISAL_DAYS: i64 = 20;

/// One page of a list, with whether another follows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Page<T> {
    /// The rows.
    pub rows: Vec<T>,
    /// 1-based page number.
    pub page: i64,
    /// Rows per page.
    pub per_page: i64,
    /// True when a next page exists.
    pub has_next: bool,
}

/// An item with everything its page shows, and what the reader may do with it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ItemView {
    /// The item.
    pub item: AidItemRow,
    /// Donors.
    pub donors: Vec<DonorRow>,
    /// Sectors.
    pub sectors: Vec<SectorRow>,
    /// Locations.
    pub locations: Vec<LocationRow>,
    /// Flows.
    pub flows: Vec<FlowRow>,
    /// Status history.
    pub history: Vec<StatusChangeRow>,
    /// May the reader edit it (content, flows, management steps)?
    pub can_edit: bool,
    /// May the reader record appraisal decisions on it?
    pub can_approve: bool,
}

/// An entry of the approval queue.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QueueEntry {
    /// The item.
    pub item: ItemListRow,
    /// When it entered its current status.
    pub since: Option<NaiveDate>,
    /// Days since then.
    pub days_waiting: Option<i64>,
    /// The appraisal clock has run out (more than 20 days under appraisal or submitted).
    pub overdue: bool,
    /// Who must act next: `approver` (appraisal decision) or `officer` (supplement the dossier).
    pub waits_on: &'static str,
}

fn forbidden(what: &str) -> ServiceError {
    ServiceError::Forbidden(what.to_owned())
}

/// Reads the access facts of an item, or "not found" when the reader may not see it.
async fn readable(tx: &mut Tx, who: &Principal, id: AidItemId) -> Result<Resource, ServiceError> {
    let resource = listing::item_access(tx, id).await?;
    if can(who, Action::Read, &resource) { Ok(resource) } else { Err(ServiceError::NotFound("aid item")) }
}

/// Reads the access facts of an item someone wants to change: it must exist (else "not found"); whether
/// they may change it is the caller's check, answered with `Forbidden` even when they may not read it, so a
/// refused change says "not allowed" and never hints at the content.
async fn existing(tx: &mut Tx, id: AidItemId) -> Result<Resource, ServiceError> {
    Ok(listing::item_access(tx, id).await?)
}

fn percent(bp: i64) -> Option<String> {
    Some(format!("{}.{:02}", bp / 100, bp % 100))
}

/// The input that would recreate an item as it is now (for edit forms and partial updates).
pub fn input_of(
    item: &AidItemRow,
    donors: &[DonorRow],
    sectors: &[SectorRow],
    locations: &[LocationRow],
) -> AidItemInput {
    let to_u32 = |v: Option<i64>| v.and_then(|n| u32::try_from(n).ok());
    AidItemInput {
        code: item.code.clone(),
        iati_identifier: item.iati_identifier.clone(),
        title: item.title.clone(),
        title_en: item.title_en.clone(),
        description: item.description.clone(),
        kind: item.kind.clone(),
        supplements: item.supplements_item_id,
        managing_agency: item.managing_agency_id,
        project_owner: item.project_owner_id,
        donors: donors
            .iter()
            .map(|d| DonorInput { organisation: d.organisation_id, percent: percent(d.share_bp) })
            .collect(),
        status: Some(item.status.clone()),
        legal_basis: item.legal_basis.clone(),
        decision_number: item.approval_decision_number.clone(),
        decision_date: item.approval_decision_date.map(|d| d.to_string()),
        approval_level: item.approval_level.clone(),
        decision_vnd_per_usd: item.decision_vnd_per_usd.clone(),
        decision_currency_per_usd: item.decision_currency_per_usd.clone(),
        start_date: item.start_date.map(|d| d.to_string()),
        end_date: item.end_date.map(|d| d.to_string()),
        unit_set: locations.first().map(|l| l.recorded_unit_set.clone()),
        sectors: sectors
            .iter()
            .map(|s| SectorInput { sector: s.sector_code.clone(), percent: percent(s.share_bp) })
            .collect(),
        locations: locations
            .iter()
            .map(|l| LocationInput {
                province: l.recorded_province_code.clone(),
                district: l.recorded_district_code.clone(),
                commune: l.recorded_commune_code.clone(),
                commune_override: l.commune_override.then(|| l.current_commune_code.clone()).flatten(),
                percent: percent(l.share_bp),
            })
            .collect(),
        beneficiaries: vientro_domain::aid_item::Beneficiaries {
            ethnic_minority: to_u32(item.beneficiaries_ethnic_minority),
            women: to_u32(item.beneficiaries_women),
            children: to_u32(item.beneficiaries_children),
            disabled: to_u32(item.beneficiaries_disabled),
            poor_households: to_u32(item.beneficiaries_poor_households),
        },
        illustrative: item.illustrative,
        published: item.published,
        imported_from: item.imported_from.clone(),
    }
}

/// The access facts of an item that does not exist yet, from its input.
fn resource_of_input(input: &AidItemInput) -> Resource {
    let units = AdminUnits::embedded();
    let provinces = input
        .locations
        .iter()
        .filter_map(|l| {
            let set = match input.unit_set.as_deref() {
                Some("pre2025") => UnitSet::Pre2025,
                Some("from2025") => UnitSet::From2025,
                _ => {
                    let date = input.start_date.as_deref().and_then(|d| d.parse::<NaiveDate>().ok());
                    date.map_or(UnitSet::From2025, UnitSet::for_date)
                }
            };
            let code = units.parse_province_in(&l.province, set).ok()?;
            Some(units.current_province_code(&code, set))
        })
        .collect();
    Resource {
        provinces,
        organisations: input.donors.iter().map(|d| OrganisationId(d.organisation)).collect(),
        published: input.published,
    }
}

impl Services {
    /// A page of the items `who` may see, narrowed by `filter`, newest first.
    pub async fn list_aid_items(
        &self,
        who: &Principal,
        filter: &ItemFilter,
        page: i64,
        per_page: i64,
    ) -> Result<Page<ItemListRow>, ServiceError> {
        let (page, per_page) = (page.clamp(1, crate::MAX_PAGE), per_page.clamp(1, 500));
        let mut db = self.db.clone();
        let mut rows = listing::items(&mut db, &ReadScope::of(who), filter, per_page, (page - 1) * per_page).await?;
        let has_next = rows.len() as i64 > per_page;
        rows.truncate(usize::try_from(per_page).unwrap_or(0));
        Ok(Page { rows, page, per_page, has_next })
    }

    /// How many items `who` may see under `filter`.
    pub async fn count_aid_items(&self, who: &Principal, filter: &ItemFilter) -> Result<i64, ServiceError> {
        let mut db = self.db.clone();
        Ok(listing::count_items(&mut db, &ReadScope::of(who), filter).await?)
    }

    /// One item with its parts, if `who` may see it.
    pub async fn aid_item_view(&self, who: &Principal, id: AidItemId) -> Result<ItemView, ServiceError> {
        let mut tx = self.db.begin().await?;
        let resource = readable(&mut tx, who, id).await?;
        let view = ItemView {
            item: aid_items::get(&mut tx, id).await?,
            donors: aid_items::donors(&mut tx, id).await?,
            sectors: aid_items::sectors(&mut tx, id).await?,
            locations: aid_items::locations(&mut tx, id).await?,
            flows: flows::list_for_item(&mut tx, id).await?,
            history: aid_items::status_history(&mut tx, id).await?,
            can_edit: can(who, Action::Edit, &resource),
            can_approve: can(who, Action::Approve, &resource),
        };
        tx.commit().await?;
        Ok(view)
    }

    /// The audit trail of an item, if `who` may see the item.
    pub async fn aid_item_audit(&self, who: &Principal, id: AidItemId) -> Result<Vec<AuditRow>, ServiceError> {
        let mut tx = self.db.begin().await?;
        readable(&mut tx, who, id).await?;
        let rows = audit::history(&mut tx, "aid_item", id.0).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// Records a new item if `user` may record items there (own province, own organisation, or anywhere).
    pub async fn create_aid_item_as(
        &self,
        user: &CurrentUser,
        input: &AidItemInput,
    ) -> Result<AidItemId, ServiceError> {
        input.parse()?;
        if !can(&user.principal(), Action::Edit, &resource_of_input(input)) {
            return Err(forbidden("you may record aid items only in your own province or for your own organisation"));
        }
        let mut tx = self.db.begin().await?;
        let id = Self::create_aid_item_in(&mut tx, &user.actor(), input).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Changes an item's content from a partial object that must carry the `version` the user saw: the
    /// fields given replace the current ones; the status and decision move only through the lifecycle.
    /// Returns the new version.
    pub async fn patch_aid_item(
        &self,
        user: &CurrentUser,
        id: AidItemId,
        patch: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<i64, ServiceError> {
        let version = match patch.get("version").and_then(serde_json::Value::as_i64) {
            Some(v) => v,
            None => {
                return Err(ValidationError::new(
                    "version",
                    "error-version-required",
                    "give the version you are changing (the `version` you read)",
                )
                .into());
            }
        };
        let who = user.principal();
        let mut tx = self.db.begin().await?;
        let resource = existing(&mut tx, id).await?;
        if !can(&who, Action::Edit, &resource) {
            return Err(forbidden("you may not change this aid item"));
        }
        let before = aid_items::get(&mut tx, id).await?;
        let current = input_of(
            &before,
            &aid_items::donors(&mut tx, id).await?,
            &aid_items::sectors(&mut tx, id).await?,
            &aid_items::locations(&mut tx, id).await?,
        );
        let mut merged = serde_json::to_value(&current).map_err(|e| ServiceError::Internal(e.into()))?;
        let mut errors = ValidationErrors::new();
        for (key, value) in patch {
            match key.as_str() {
                "version" | "id" => {}
                "status" | "decision_number" | "decision_date" | "approval_level" | "imported_from"
                | "illustrative" => errors.push(ValidationError::new(
                    key.clone(),
                    "error-field-read-only",
                    "this field changes only through the lifecycle (status changes), not by editing",
                )),
                _ if merged.get(key).is_some() => merged[key] = value.clone(),
                _ => errors.push(ValidationError::new(
                    key.clone(),
                    "error-field-unknown",
                    "an aid item has no such field",
                )),
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let input: AidItemInput = serde_json::from_value(merged).map_err(|e| {
            ServiceError::from(ValidationError::new("body", "error-json-shape", format!("the fields do not fit: {e}")))
        })?;
        let after_resource = resource_of_input(&input);
        if !can(&who, Action::Edit, &after_resource) {
            return Err(forbidden("the change would move the item outside what you may edit"));
        }
        self.save_content(&mut tx, user, id, version, &before, &input).await?;
        tx.commit().await?;
        Ok(version + 1)
    }

    /// Replaces an item's content from a full input (the edit form); `version` is the one the user saw.
    pub async fn update_aid_item(
        &self,
        user: &CurrentUser,
        id: AidItemId,
        version: i64,
        input: &AidItemInput,
    ) -> Result<i64, ServiceError> {
        let who = user.principal();
        let mut tx = self.db.begin().await?;
        let resource = existing(&mut tx, id).await?;
        if !can(&who, Action::Edit, &resource) || !can(&who, Action::Edit, &resource_of_input(input)) {
            return Err(forbidden("you may not change this aid item"));
        }
        let before = aid_items::get(&mut tx, id).await?;
        let mut input = input.clone();
        // The lifecycle fields are not the form's to change.
        input.status = Some(before.status.clone());
        input.decision_number = before.approval_decision_number.clone();
        input.decision_date = before.approval_decision_date.map(|d| d.to_string());
        input.approval_level = before.approval_level.clone();
        input.imported_from = before.imported_from.clone();
        input.illustrative = before.illustrative;
        self.save_content(&mut tx, user, id, version, &before, &input).await?;
        tx.commit().await?;
        Ok(version + 1)
    }

    async fn save_content(
        &self,
        tx: &mut Tx,
        user: &CurrentUser,
        id: AidItemId,
        version: i64,
        before: &AidItemRow,
        input: &AidItemInput,
    ) -> Result<(), ServiceError> {
        let item = input.parse()?;
        let before_input = input_of(
            before,
            &aid_items::donors(tx, id).await?,
            &aid_items::sectors(tx, id).await?,
            &aid_items::locations(tx, id).await?,
        );
        let new_version = aid_item_edits::update_content(tx, id, version, &item, now()).await?;
        vientro_store::facts::refresh_item(tx, id).await?;
        audit::append(
            tx,
            &AuditEntry {
                actor: &user.username,
                action: "update",
                entity: "aid_item",
                entity_id: Some(id.0),
                before: Some(serde_json::json!({ "version": before.version, "item": before_input })),
                after: Some(serde_json::json!({ "version": new_version, "item": input })),
            },
            now(),
        )
        .await?;
        Ok(())
    }

    /// Moves an item along its lifecycle if `user` may take that step (appraisal decisions need approval
    /// rights in the item's province; the other steps editing rights).
    pub async fn change_status_as(
        &self,
        user: &CurrentUser,
        id: AidItemId,
        input: &StatusChangeInput,
    ) -> Result<i64, ServiceError> {
        let who = user.principal();
        let to = AidStatus::parse(&input.to)?;
        let mut tx = self.db.begin().await?;
        let resource = existing(&mut tx, id).await?;
        if !can(&who, action_for_transition(to), &resource) {
            return Err(forbidden(&format!("you may not move this aid item to '{}'", to.as_str())));
        }
        let version = Self::change_aid_item_status_in(&mut tx, &user.actor(), id, input).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Records a flow on an item `user` may edit.
    pub async fn add_flow_as(
        &self,
        user: &CurrentUser,
        id: AidItemId,
        input: &FlowInput,
    ) -> Result<FlowId, ServiceError> {
        let who = user.principal();
        let mut tx = self.db.begin().await?;
        let resource = existing(&mut tx, id).await?;
        if !can(&who, Action::Edit, &resource) {
            return Err(forbidden("you may not record money on this aid item"));
        }
        let rates = Self::rate_table_in(&mut tx).await?;
        let flow = Self::add_flow_in(&mut tx, &user.actor(), id, input, &rates).await?;
        tx.commit().await?;
        Ok(flow)
    }

    /// Archives an item `user` may edit (nothing is deleted; the item leaves lists and reports).
    pub async fn archive_aid_item_as(
        &self,
        user: &CurrentUser,
        id: AidItemId,
        version: i64,
    ) -> Result<i64, ServiceError> {
        let who = user.principal();
        let mut tx = self.db.begin().await?;
        let resource = existing(&mut tx, id).await?;
        if !can(&who, Action::Edit, &resource) {
            return Err(forbidden("you may not archive this aid item"));
        }
        let now = now();
        let new_version = aid_item_edits::archive(&mut tx, id, version, now).await?;
        vientro_store::facts::refresh_item(&mut tx, id).await?;
        audit::append(
            &mut tx,
            &AuditEntry {
                actor: &user.username,
                action: "archive",
                entity: "aid_item",
                entity_id: Some(id.0),
                before: Some(serde_json::json!({ "version": version })),
                after: Some(serde_json::json!({ "version": new_version, "archived_at": now })),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(new_version)
    }

    /// The approval queue: items waiting on an appraisal step that `who` may see, oldest first, with the
    /// appraisal clock.
    pub async fn approval_queue(&self, who: &Principal, today: NaiveDate) -> Result<Vec<QueueEntry>, ServiceError> {
        let filter = ItemFilter {
            statuses: WAITING_STATUSES.iter().map(|s| s.as_str().to_owned()).collect(),
            ..Default::default()
        };
        let mut db = self.db.clone();
        let rows = listing::items(&mut db, &ReadScope::of(who), &filter, 500, 0).await?;
        let mut entries = Vec::with_capacity(rows.len());
        for item in rows {
            let history = aid_items::status_history(&mut db, AidItemId(item.id)).await?;
            let since = history.iter().rev().find(|h| h.to_status == item.status).map(|h| h.changed_on);
            let days_waiting = since.map(|s| (today - s).num_days());
            let status = AidStatus::parse(&item.status)?;
            let clock_runs = matches!(status, AidStatus::Submitted | AidStatus::UnderAppraisal | AidStatus::Appraised);
            let waits_on = if status == AidStatus::ReturnedForSupplement { "officer" } else { "approver" };
            entries.push(QueueEntry {
                overdue: clock_runs && days_waiting.is_some_and(|d| d > APPRAISAL_DAYS),
                item,
                since,
                days_waiting,
                waits_on,
            });
        }
        entries.sort_by_key(|e| e.since);
        Ok(entries)
    }
}
