//! Use cases for aid items: record one, move it through its lifecycle, record its money flows.
//!
//! Cross-record rules live here because they need the database: donors must be donor organisations, the
//! managing agency and project owner Vietnamese bodies, a supplementary item must add to an existing one,
//! and a flow is converted once, with the rate the rule picks, when it is stored.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use vientro_domain::aid_item::{AidItemInput, AidStatus, Approval, ApprovalLevel, NewAidItem};
use vientro_domain::date::parse_date;
use vientro_domain::flow::{FlowInput, NewFlow};
use vientro_domain::fx::{Conversion, RateTable, convert};
use vientro_domain::ids::{AidItemId, FlowId, OrganisationId};
use vientro_domain::organisation::OrganisationKind;
use vientro_domain::{ValidationError, ValidationErrors};
use vientro_store::audit::{self, AuditEntry};
use vientro_store::{Tx, aid_items, flows, now, organisations};

use crate::{Actor, ServiceError, Services};

/// A status change as requested.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct StatusChangeInput {
    /// Target status code.
    pub to: String,
    /// The version the actor saw.
    pub version: i64,
    /// Effective date (default today).
    pub on: Option<String>,
    /// Approval decision number (required when approving).
    pub decision_number: Option<String>,
    /// Approval decision date (default: the effective date).
    pub decision_date: Option<String>,
    /// Approval level (required when approving).
    pub approval_level: Option<String>,
    /// Note.
    pub note: Option<String>,
}

async fn organisation_kind(tx: &mut Tx, field: &str, id: OrganisationId) -> Result<OrganisationKind, ServiceError> {
    let row = organisations::get(tx, id).await.map_err(|e| match e {
        vientro_store::StoreError::NotFound(_) => ServiceError::Invalid(
            ValidationError::new(field, "error-organisation-unknown", format!("there is no organisation {id}")).into(),
        ),
        other => other.into(),
    })?;
    Ok(OrganisationKind::parse(&row.kind)?)
}

impl Services {
    /// Records an aid item with its donors, sectors and locations.
    pub async fn create_aid_item(&self, actor: &Actor, input: &AidItemInput) -> Result<AidItemId, ServiceError> {
        let mut tx = self.db.begin().await?;
        let id = Self::create_aid_item_in(&mut tx, actor, input).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records an aid item inside the caller's transaction, with its report facts.
    pub async fn create_aid_item_in(
        tx: &mut Tx,
        actor: &Actor,
        input: &AidItemInput,
    ) -> Result<AidItemId, ServiceError> {
        let id = Self::record_aid_item_in(tx, actor, input).await?;
        vientro_store::facts::refresh_item(tx, id).await?;
        Ok(id)
    }

    /// Records an aid item inside the caller's transaction without building its report facts: the caller
    /// must rebuild them (`facts::refresh_items`) before the transaction commits. For bulk loads.
    pub(crate) async fn record_aid_item_in(
        tx: &mut Tx,
        actor: &Actor,
        input: &AidItemInput,
    ) -> Result<AidItemId, ServiceError> {
        let item = input.parse()?;
        let mut errors = ValidationErrors::new();
        for (i, d) in item.donors.iter().enumerate() {
            let field = format!("donors[{i}]");
            match organisation_kind(tx, &field, d.organisation).await {
                Ok(k) if !k.is_donor() => errors.push(ValidationError::new(
                    field,
                    "error-donor-kind",
                    format!("organisation {} is a {}, not a donor", d.organisation, k.name_en()),
                )),
                Ok(_) => {}
                Err(ServiceError::Invalid(e)) => errors.0.extend(e.0),
                Err(other) => return Err(other),
            }
        }
        for (field, id) in [("managing_agency", item.managing_agency), ("project_owner", item.project_owner)] {
            let Some(id) = id else { continue };
            match organisation_kind(tx, field, id).await {
                Ok(k) if !k.is_vietnamese() => errors.push(ValidationError::new(
                    field,
                    "error-agency-kind",
                    format!("organisation {id} is a {}, not a Vietnamese agency", k.name_en()),
                )),
                Ok(_) => {}
                Err(ServiceError::Invalid(e)) => errors.0.extend(e.0),
                Err(other) => return Err(other),
            }
        }
        if let Some(parent) = item.supplements
            && let Err(vientro_store::StoreError::NotFound(_)) = aid_items::get(tx, parent).await
        {
            errors.push(ValidationError::new(
                "supplements",
                "error-aid-item-unknown",
                format!("there is no aid item {parent}"),
            ));
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let ids = Self::record_checked_aid_items_in(tx, actor, &[item]).await?;
        ids.first().copied().ok_or(ServiceError::NotFound("aid item"))
    }

    /// Records new items whose input is parsed and whose donors and agencies are known to be of the right
    /// kind (what [`Self::record_aid_item_in`] checks first), in a few statements, each with its audit row.
    pub(crate) async fn record_checked_aid_items_in(
        tx: &mut Tx,
        actor: &Actor,
        items: &[NewAidItem],
    ) -> Result<Vec<AidItemId>, ServiceError> {
        let now = now();
        let records: Vec<(&NewAidItem, NaiveDate)> = items
            .iter()
            .map(|item| {
                let recorded_on = item
                    .approval
                    .as_ref()
                    .map(|a| a.decision_date)
                    .or(item.start_date)
                    .unwrap_or_else(|| now.date_naive());
                (item, recorded_on)
            })
            .collect();
        let ids = aid_items::insert_many(tx, &records, &actor.name, now).await?;
        let entries: Vec<AuditEntry<'_>> = ids
            .iter()
            .zip(items)
            .map(|(id, item)| AuditEntry {
                actor: &actor.name,
                action: "create",
                entity: "aid_item",
                entity_id: Some(id.0),
                before: None,
                after: serde_json::to_value(item).ok(),
            })
            .collect();
        audit::append_many(tx, &entries, now).await?;
        Ok(ids)
    }

    /// Reads an aid item.
    pub async fn aid_item(&self, id: AidItemId) -> Result<aid_items::AidItemRow, ServiceError> {
        let mut db = self.db.clone();
        Ok(aid_items::get(&mut db, id).await?)
    }

    /// Moves an aid item one step along its lifecycle; approving records the decision. Returns the new version.
    pub async fn change_aid_item_status(
        &self,
        actor: &Actor,
        id: AidItemId,
        input: &StatusChangeInput,
    ) -> Result<i64, ServiceError> {
        let mut tx = self.db.begin().await?;
        let version = Self::change_aid_item_status_in(&mut tx, actor, id, input).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Moves an aid item one step along its lifecycle inside the caller's transaction.
    pub async fn change_aid_item_status_in(
        tx: &mut Tx,
        actor: &Actor,
        id: AidItemId,
        input: &StatusChangeInput,
    ) -> Result<i64, ServiceError> {
        let now = now();
        let mut errors = ValidationErrors::new();
        let to = errors.collect(AidStatus::parse(&input.to));
        let on = match input.on.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => errors.collect(parse_date("on", t)),
            None => Some(now.date_naive()),
        };
        let before = aid_items::get(tx, id).await?;
        let from = AidStatus::parse(&before.status)?;
        if let Some(to) = to {
            errors.collect(from.check_transition(to));
        }
        let approval = match (to, on) {
            (Some(AidStatus::Approved), Some(on)) => approval_from(&mut errors, input, on),
            _ => None,
        };
        let (Some(to), Some(on)) = (to, on) else { return Err(errors.into()) };
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let version = aid_items::set_status(
            tx,
            id,
            input.version,
            from,
            to,
            on,
            approval.as_ref(),
            &actor.name,
            input.note.as_deref(),
            now,
        )
        .await?;
        if approval.is_some() {
            vientro_store::facts::refresh_item(tx, id).await?;
        }
        let moved = aid_items::StatusMove { id, version: input.version, from, to, on };
        audit::append(tx, &status_audit_entry(actor, &moved, approval.as_ref()), now).await?;
        Ok(version)
    }

    /// Moves items along their lifecycle in a few statements, each move already checked
    /// (`from.check_transition(to)`) and none an approval; each gets its status-history and audit rows as
    /// [`Self::change_aid_item_status_in`] writes them.
    pub(crate) async fn change_checked_statuses_in(
        tx: &mut Tx,
        actor: &Actor,
        moves: &[aid_items::StatusMove],
        note: Option<&str>,
    ) -> Result<(), ServiceError> {
        let now = now();
        aid_items::set_statuses(tx, moves, &actor.name, note, now).await?;
        let entries: Vec<AuditEntry<'_>> = moves.iter().map(|m| status_audit_entry(actor, m, None)).collect();
        audit::append_many(tx, &entries, now).await?;
        Ok(())
    }

    /// Records a commitment or disbursement, converted to USD and VND by the rate rule of `fx`.
    pub async fn add_flow(&self, actor: &Actor, item: AidItemId, input: &FlowInput) -> Result<FlowId, ServiceError> {
        let mut tx = self.db.begin().await?;
        let table = Self::rate_table_in(&mut tx).await?;
        let id = Self::add_flow_in(&mut tx, actor, item, input, &table).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records a flow inside the caller's transaction, converting with `rates` (see [`Self::rate_table_in`]).
    pub async fn add_flow_in(
        tx: &mut Tx,
        actor: &Actor,
        item: AidItemId,
        input: &FlowInput,
        rates: &RateTable,
    ) -> Result<FlowId, ServiceError> {
        let id = Self::record_flow_in(tx, actor, item, input, rates).await?;
        vientro_store::facts::refresh_item(tx, item).await?;
        Ok(id)
    }

    /// Records a flow inside the caller's transaction without rebuilding the item's report facts: the caller
    /// must rebuild them (`facts::refresh_items`) before the transaction commits. For bulk loads.
    pub(crate) async fn record_flow_in(
        tx: &mut Tx,
        actor: &Actor,
        item: AidItemId,
        input: &FlowInput,
        rates: &RateTable,
    ) -> Result<FlowId, ServiceError> {
        let flow = input.parse()?;
        let row = aid_items::get(tx, item).await?;
        let status = AidStatus::parse(&row.status)?;
        let fixed =
            (decimal_opt(row.decision_vnd_per_usd.as_deref()), decimal_opt(row.decision_currency_per_usd.as_deref()));
        let conversion = checked_flow(&flow, status, fixed, rates)?;
        let ids = Self::record_checked_flows_in(tx, actor, &[(item, flow, conversion)]).await?;
        ids.first().copied().ok_or(ServiceError::NotFound("flow"))
    }

    /// Records flows already checked against their items with [`checked_flow`] (what
    /// [`Self::record_flow_in`] does first), in a few statements, each with its audit row.
    pub(crate) async fn record_checked_flows_in(
        tx: &mut Tx,
        actor: &Actor,
        flows: &[(AidItemId, NewFlow, Conversion)],
    ) -> Result<Vec<FlowId>, ServiceError> {
        let now = now();
        let rows: Vec<(AidItemId, &NewFlow, &Conversion)> = flows.iter().map(|(i, f, c)| (*i, f, c)).collect();
        let ids = flows::insert_many(tx, &rows, now).await?;
        let entries: Vec<AuditEntry<'_>> = ids
            .iter()
            .zip(flows)
            .map(|(id, (item, flow, conversion))| AuditEntry {
                actor: &actor.name,
                action: "create",
                entity: "flow",
                entity_id: Some(id.0),
                before: None,
                after: Some(serde_json::json!({ "item": item, "flow": flow, "usd_minor": conversion.usd,
                    "vnd_minor": conversion.vnd, "currency_per_usd": conversion.currency_per_usd.to_string(),
                    "vnd_per_usd": conversion.vnd_per_usd.to_string(), "rate_date": conversion.rate_date,
                    "rate_source": conversion.source.as_str() })),
            })
            .collect();
        audit::append_many(tx, &entries, now).await?;
        Ok(ids)
    }

    /// The flows of an item.
    pub async fn flows(&self, item: AidItemId) -> Result<Vec<flows::FlowRow>, ServiceError> {
        let mut db = self.db.clone();
        aid_items::get(&mut db, item).await?;
        Ok(flows::list_for_item(&mut db, item).await?)
    }

    /// The rate table flows are converted with: the vendored tables with the entered rates on top.
    pub async fn rate_table_in(tx: &mut Tx) -> Result<RateTable, ServiceError> {
        let entered = crate::rates::entered_rates(tx).await?;
        Ok(RateTable::with_overrides(RateTable::embedded(), entered))
    }
}

/// The audit row of a status move.
fn status_audit_entry<'a>(actor: &'a Actor, m: &aid_items::StatusMove, approval: Option<&Approval>) -> AuditEntry<'a> {
    AuditEntry {
        actor: &actor.name,
        action: "status",
        entity: "aid_item",
        entity_id: Some(m.id.0),
        before: Some(serde_json::json!({ "status": m.from.as_str(), "version": m.version })),
        after: Some(
            serde_json::json!({ "status": m.to.as_str(), "version": m.version + 1, "on": m.on, "approval": approval }),
        ),
    }
}

/// Checks that `flow` may be recorded on an item in `status` and converts it (with the item's decision rates
/// `fixed` = (VND per USD, currency per USD) where it has them).
pub(crate) fn checked_flow(
    flow: &NewFlow,
    status: AidStatus,
    fixed: (Option<Decimal>, Option<Decimal>),
    rates: &RateTable,
) -> Result<Conversion, ServiceError> {
    flow.check_allowed_for(status)?;
    Ok(convert(&flow.money, flow.date, rates, fixed.0, fixed.1)?)
}

fn decimal_opt(s: Option<&str>) -> Option<Decimal> {
    s.and_then(|t| t.parse::<Decimal>().ok())
}

fn approval_from(errors: &mut ValidationErrors, input: &StatusChangeInput, on: NaiveDate) -> Option<Approval> {
    let number = input.decision_number.as_deref().map(str::trim).filter(|t| !t.is_empty());
    if number.is_none() {
        errors.push(ValidationError::new(
            "decision_number",
            "error-required",
            "approving an item needs the decision number",
        ));
    }
    let level = match input.approval_level.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(l) => errors.collect(ApprovalLevel::parse(l)),
        None => {
            errors.push(ValidationError::new(
                "approval_level",
                "error-required",
                "approving an item needs the approving level",
            ));
            None
        }
    };
    let date = match input.decision_date.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(d) => errors.collect(parse_date("decision_date", d)),
        None => Some(on),
    };
    Some(Approval { decision_number: number?.to_owned(), decision_date: date?, level: level? })
}
