//! Use cases for aid items: record one, move it through its lifecycle, record its money flows.
//!
//! Cross-record rules live here because they need the database: donors must be donor organisations, the
//! managing agency and project owner Vietnamese bodies, a supplementary item must add to an existing one,
//! and a flow is converted once, with the rate the rule picks, when it is stored.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use vientro_domain::aid_item::{AidItemInput, AidStatus, Approval, ApprovalLevel};
use vientro_domain::date::parse_date;
use vientro_domain::flow::FlowInput;
use vientro_domain::fx::{RateTable, convert};
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
        let now = now();
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
        let recorded_on =
            item.approval.as_ref().map(|a| a.decision_date).or(item.start_date).unwrap_or_else(|| now.date_naive());
        let id = aid_items::insert(tx, &item, &actor.name, recorded_on, now).await?;
        crate::organisations::audit_create(tx, actor, "aid_item", id.0, serde_json::to_value(&item).ok()).await?;
        Ok(id)
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
        audit::append(
            tx,
            &AuditEntry {
                actor: &actor.name,
                action: "status",
                entity: "aid_item",
                entity_id: Some(id.0),
                before: Some(serde_json::json!({ "status": from.as_str(), "version": input.version })),
                after: Some(
                    serde_json::json!({ "status": to.as_str(), "version": version, "on": on, "approval": approval }),
                ),
            },
            now,
        )
        .await?;
        Ok(version)
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
        let now = now();
        let row = aid_items::get(tx, item).await?;
        let status = AidStatus::parse(&row.status)?;
        flow.check_allowed_for(status)?;
        let fixed_vnd = decimal_opt(row.decision_vnd_per_usd.as_deref());
        let fixed_cur = decimal_opt(row.decision_currency_per_usd.as_deref());
        let conversion = convert(&flow.money, flow.date, rates, fixed_vnd, fixed_cur)?;
        let id = flows::insert(tx, item, &flow, &conversion, now).await?;
        let after = serde_json::json!({ "item": item, "flow": flow, "usd_minor": conversion.usd, "vnd_minor": conversion.vnd,
            "currency_per_usd": conversion.currency_per_usd.to_string(), "vnd_per_usd": conversion.vnd_per_usd.to_string(),
            "rate_date": conversion.rate_date, "rate_source": conversion.source.as_str() });
        crate::organisations::audit_create(tx, actor, "flow", id.0, Some(after)).await?;
        Ok(id)
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
