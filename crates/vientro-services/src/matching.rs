//! Matching organisations to what a province needs, and the backtest that measures the method.
//!
//! This module gathers the funding records, certificates, priorities and proposals from the store, turns
//! them into the domain's needs and profiles, and names the organisations ranked. The method itself (scores,
//! reasons, baselines) is `vientro_domain::matching`; it must not be restated here. Matching reads every
//! organisation's funding, so it is for staff (the command line runs as the operator).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use vientro_domain::access::{Principal, Role};
use vientro_domain::admin_units::{AdminUnits, ProvinceCode, UnitSet};
use vientro_domain::matching::{
    BacktestScore, Candidate, FundingRecord, Need, Registration, profiles, rank, rank_by_activity, rank_by_activity_in,
    rank_needs,
};
use vientro_domain::sector::{SectorRef, VnSector};
use vientro_domain::{ValidationError, ValidationErrors};
use vientro_store::Tx;
use vientro_store::audit::{self, AuditEntry};
use vientro_store::matching::{FundingRow, NewProposal, PriorityRow};

use crate::{Actor, ServiceError, Services};

/// Records a province's priority sectors for a period, in their order, in the caller's transaction and
/// audited. Sectors are DAC codes or national sectors; the province any code or name of either unit set.
pub async fn record_priorities_in(
    tx: &mut Tx,
    actor: &Actor,
    province: &str,
    years: (i32, i32),
    sectors: &[&str],
    source: Option<&str>,
    illustrative: bool,
) -> Result<(), ServiceError> {
    let code = current_province(province)?;
    if years.0 > years.1 {
        return Err(ValidationErrors::from(ValidationError::new(
            "to_year",
            "error-date-order",
            "the period ends before it starts",
        ))
        .into());
    }
    let mut errors = ValidationErrors::default();
    let parsed: Vec<String> =
        sectors.iter().filter_map(|s| errors.collect(SectorRef::parse(s)).map(|r| r.code())).collect();
    errors.into_result(())?;
    let now = vientro_store::now();
    for (i, sector) in parsed.iter().enumerate() {
        let row = PriorityRow {
            province_code: code.as_str().to_owned(),
            from_year: i64::from(years.0),
            to_year: i64::from(years.1),
            sector_code: sector.clone(),
            position: i as i64 + 1,
            source: source.map(str::to_owned),
        };
        vientro_store::matching::insert_priority(tx, &row, illustrative, now).await?;
        audit::append(
            tx,
            &AuditEntry {
                actor: &actor.name,
                action: "create",
                entity: "province_priority",
                entity_id: None,
                before: None,
                after: serde_json::to_value(&row).ok(),
            },
            now,
        )
        .await?;
    }
    Ok(())
}

/// Records a proposal on a province's call-for-aid list, in the caller's transaction and audited.
pub async fn record_proposal_in(tx: &mut Tx, actor: &Actor, proposal: &NewProposal) -> Result<i64, ServiceError> {
    let code = current_province(&proposal.province_code)?;
    let sector = SectorRef::parse(&proposal.sector_code).map_err(ValidationErrors::from)?;
    let proposal =
        NewProposal { province_code: code.as_str().to_owned(), sector_code: sector.code(), ..proposal.clone() };
    let now = vientro_store::now();
    let id = vientro_store::matching::insert_proposal(tx, &proposal, now).await?;
    let after = vientro_store::matching::proposal(tx, id).await?;
    crate::organisations::audit_create(tx, actor, "aid_proposal", Some(id), serde_json::to_value(&after).ok()).await?;
    Ok(id)
}

/// An organisation on a match list, with its name.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RankedOrganisation {
    /// Position, 1 first.
    pub rank: usize,
    /// Name (the Vietnamese one when recorded).
    pub name: String,
    /// Kind code.
    pub kind: String,
    /// Home country code.
    pub country: Option<String>,
    /// Score and reasons.
    #[serde(flatten)]
    pub candidate: Candidate,
}

/// A proposal on the list ranked for one organisation.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RankedProposal {
    /// Position on this list, 1 first.
    pub rank: usize,
    /// The proposal.
    pub proposal: vientro_store::matching::ProposalRow,
    /// The organisation's place among all organisations ranked for the proposal (1: the best fit of all).
    pub position: usize,
    /// Its score and reasons for the proposal.
    pub candidate: Candidate,
}

/// A ranked list for a need.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MatchList {
    /// What was matched for, in words.
    pub need_label: String,
    /// Today's province code.
    pub province: Option<String>,
    /// The sectors needed.
    pub sectors: Vec<VnSector>,
    /// Estimated budget, USD minor units.
    pub budget_usd_minor: Option<i64>,
    /// The day certificates were checked on.
    pub as_of: NaiveDate,
    /// The organisations, best first.
    pub organisations: Vec<RankedOrganisation>,
}

/// What `vientro match backtest` measures.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Backtest {
    /// Items first funded after this year were hidden.
    pub before: i32,
    /// Items hidden and ranked for.
    pub cases: usize,
    /// Of those, items with at least one funder known before (the others no method can find).
    pub with_known_funder: usize,
    /// Organisations that could be ranked.
    pub candidates: usize,
    /// The method.
    pub method: BacktestScore,
    /// The method without the registration part (certificates are often written from the work an NGO
    /// later did, which would flatter the method).
    pub method_without_registration: BacktestScore,
    /// Baseline: most active organisations overall.
    pub most_active: BacktestScore,
    /// Baseline: most active organisations in the item's province.
    pub most_active_in_province: BacktestScore,
}

/// Today's province code for a name or code of either unit set.
fn current_province(text: &str) -> Result<ProvinceCode, ServiceError> {
    let units = AdminUnits::embedded();
    match units.parse_province_in(text, UnitSet::From2025) {
        Ok(code) => Ok(code),
        Err(_) => match units.parse_province_in(text, UnitSet::Pre2025) {
            Ok(old) => Ok(units.current_province_code(&old, UnitSet::Pre2025)),
            Err(e) => Err(ValidationErrors::from(e).into()),
        },
    }
}

fn region_of(province: &ProvinceCode) -> Option<String> {
    AdminUnits::embedded().new_province(province).map(|p| p.region.code().to_owned())
}

fn vn_sector(code: &str) -> Option<VnSector> {
    SectorRef::parse(code).ok().map(|s| s.vn_sector())
}

fn records(rows: &[FundingRow]) -> Vec<FundingRecord> {
    rows.iter()
        .map(|r| FundingRecord {
            organisation: r.donor_id,
            item: r.item_id,
            year: i32::try_from(r.first_year).unwrap_or(i32::MAX),
            sector: r.sector.as_deref().and_then(vn_sector),
            province: r.province.clone(),
            region: r.region.clone(),
            // What the organisation put in: its commitment, or what it disbursed when it committed nothing.
            usd_minor: if r.committed_usd > 0 { r.committed_usd } else { r.disbursed_usd },
        })
        .collect()
}

/// Matching reads every organisation's funding, published or not: staff only (not the public, not NGO staff).
pub fn may_match(who: &Principal) -> Result<(), ServiceError> {
    match who {
        Principal::Public => Err(ServiceError::Unauthenticated("log in to see this".to_owned())),
        Principal::User { role: Role::NgoReporter, .. } => {
            Err(ServiceError::Forbidden("matching is for provincial and central staff".to_owned()))
        }
        Principal::User { .. } => Ok(()),
    }
}

impl Services {
    /// A province's call-for-aid list, newest first (today's code).
    pub async fn proposals(&self, province: &str) -> Result<Vec<vientro_store::matching::ProposalRow>, ServiceError> {
        let code = current_province(province)?;
        Ok(vientro_store::matching::proposals(&mut self.db.clone(), Some(code.as_str())).await?)
    }

    async fn registrations_on(&self, day: NaiveDate) -> Result<Vec<Registration>, ServiceError> {
        let rows = vientro_store::matching::certificates_valid_on(&mut self.db.clone(), day).await?;
        let units = AdminUnits::embedded();
        let mut by_id: BTreeMap<i64, Registration> = BTreeMap::new();
        for row in rows {
            let reg = by_id.entry(row.id).or_insert_with(|| Registration {
                organisation: row.organisation_id,
                valid_to: row.valid_to,
                provinces: BTreeSet::new(),
                sectors: BTreeSet::new(),
            });
            if let (Some(code), Some(set)) = (row.province_code.as_deref(), row.unit_set.as_deref())
                && let Ok(code) = ProvinceCode::parse(code)
            {
                let set = if set == "pre2025" { UnitSet::Pre2025 } else { UnitSet::From2025 };
                reg.provinces.insert(units.current_province_code(&code, set).as_str().to_owned());
            }
            if let Some(sector) = row.sector_code.as_deref().and_then(vn_sector) {
                reg.sectors.insert(sector);
            }
        }
        Ok(by_id.into_values().collect())
    }

    async fn ranked(
        &self,
        need: &Need,
        as_of: NaiveDate,
        limit: usize,
    ) -> Result<Vec<RankedOrganisation>, ServiceError> {
        let year = as_of.year();
        let rows = vientro_store::matching::funding(&mut self.db.clone(), Some(year)).await?;
        let profiles = profiles(&records(&rows), year);
        let registrations = self.registrations_on(as_of).await?;
        let mut out = Vec::new();
        for (i, candidate) in rank(need, &profiles, &registrations, year).into_iter().take(limit).enumerate() {
            let org = vientro_store::organisations::get(
                &mut self.db.clone(),
                vientro_domain::ids::OrganisationId(candidate.organisation),
            )
            .await?;
            out.push(RankedOrganisation {
                rank: i + 1,
                name: org.name_vi.unwrap_or(org.name),
                kind: org.kind,
                country: org.country_code,
                candidate,
            });
        }
        Ok(out)
    }

    /// Organisations ranked for a province's priority sectors in force on `as_of` (or for `sectors` when
    /// given), with the reasons for each.
    pub async fn match_for_province(
        &self,
        province: &str,
        sectors: &[String],
        budget_usd_minor: Option<i64>,
        as_of: NaiveDate,
        limit: usize,
    ) -> Result<MatchList, ServiceError> {
        let code = current_province(province)?;
        let wanted: Vec<VnSector> = if sectors.is_empty() {
            vientro_store::matching::priorities(&mut self.db.clone(), code.as_str(), as_of.year())
                .await?
                .iter()
                .filter_map(|p| vn_sector(&p.sector_code))
                .collect()
        } else {
            let mut errors = ValidationErrors::default();
            let mut out = Vec::new();
            for s in sectors {
                match SectorRef::parse(s) {
                    Ok(r) => out.push(r.vn_sector()),
                    Err(e) => errors.push(e),
                }
            }
            errors.into_result(out)?
        };
        let mut distinct: Vec<VnSector> = Vec::new();
        for s in wanted {
            if !distinct.contains(&s) {
                distinct.push(s);
            }
        }
        if distinct.is_empty() {
            return Err(ValidationErrors::from(ValidationError::new(
                "sector",
                "error-priorities-missing",
                format!("no priority sectors are recorded for province {code} in {}; give --sector", as_of.year()),
            ))
            .into());
        }
        // In running text the unit type is lower case ("tỉnh Cao Bằng").
        let name = AdminUnits::embedded()
            .new_province(&code)
            .map(|p| vientro_domain::text::lower_first(&p.name))
            .unwrap_or_default();
        let need = Need {
            sectors: distinct.iter().map(|s| (*s, 1.0)).collect(),
            province: Some(code.as_str().to_owned()),
            region: region_of(&code),
            budget_usd_minor,
        };
        Ok(MatchList {
            need_label: name,
            province: need.province.clone(),
            sectors: distinct,
            budget_usd_minor,
            as_of,
            organisations: self.ranked(&need, as_of, limit).await?,
        })
    }

    /// The open proposals of every province's call-for-aid list (listed, matched or in dossier) ranked for one
    /// organisation, by how well it fits each, with its reasons and its place among all organisations for that
    /// proposal: the reverse of [`Services::match_for_proposal`].
    pub async fn proposals_for_organisation(
        &self,
        organisation: i64,
        as_of: NaiveDate,
        limit: usize,
    ) -> Result<Vec<RankedProposal>, ServiceError> {
        let mut db = self.db.clone();
        vientro_store::organisations::get(&mut db, vientro_domain::ids::OrganisationId(organisation)).await?;
        let open: Vec<vientro_store::matching::ProposalRow> = vientro_store::matching::proposals(&mut db, None)
            .await?
            .into_iter()
            .filter(|p| matches!(p.status.as_str(), "listed" | "matched" | "dossier"))
            .collect();
        let mut needs = Vec::new();
        let mut kept = Vec::new();
        for p in open {
            let (Ok(code), Some(sector)) = (ProvinceCode::parse(&p.province_code), vn_sector(&p.sector_code)) else {
                continue;
            };
            needs.push(Need {
                sectors: vec![(sector, 1.0)],
                province: Some(code.as_str().to_owned()),
                region: region_of(&code),
                budget_usd_minor: p.estimated_usd_minor,
            });
            kept.push(p);
        }
        let year = as_of.year();
        let rows = vientro_store::matching::funding(&mut db, Some(year)).await?;
        let profiles = profiles(&records(&rows), year);
        let registrations = self.registrations_on(as_of).await?;
        Ok(rank_needs(organisation, &needs, &profiles, &registrations, year)
            .into_iter()
            .take(limit)
            .enumerate()
            .map(|(i, (need, position, candidate))| RankedProposal {
                rank: i + 1,
                proposal: kept[need].clone(),
                position,
                candidate,
            })
            .collect())
    }

    /// Organisations ranked for a proposal on a call-for-aid list.
    pub async fn match_for_proposal(&self, id: i64, as_of: NaiveDate, limit: usize) -> Result<MatchList, ServiceError> {
        let p = vientro_store::matching::proposal(&mut self.db.clone(), id).await?;
        let code = ProvinceCode::parse(&p.province_code)?;
        let sector = vn_sector(&p.sector_code).ok_or_else(|| {
            ServiceError::Internal(anyhow::anyhow!("proposal {id} has an unknown sector {}", p.sector_code))
        })?;
        let need = Need {
            sectors: vec![(sector, 1.0)],
            province: Some(code.as_str().to_owned()),
            region: region_of(&code),
            budget_usd_minor: p.estimated_usd_minor,
        };
        Ok(MatchList {
            need_label: p.title,
            province: need.province.clone(),
            sectors: vec![sector],
            budget_usd_minor: p.estimated_usd_minor,
            as_of,
            organisations: self.ranked(&need, as_of, limit).await?,
        })
    }

    /// Hides every item first funded after `before`, ranks organisations for it from the records up to the end
    /// of `before` alone, and scores the method against two baselines.
    pub async fn match_backtest(&self, before: i32) -> Result<Backtest, ServiceError> {
        let cutoff = NaiveDate::from_ymd_opt(before, 12, 31)
            .ok_or_else(|| ValidationErrors::from(ValidationError::new("before", "error-year-range", "not a year")))?;
        let mut db = self.db.clone();
        let earlier = profiles(&records(&vientro_store::matching::funding(&mut db, Some(before)).await?), before);
        let everything = records(&vientro_store::matching::funding(&mut db, None).await?);
        let registrations = self.registrations_on(cutoff).await?;

        // Each item as a need: its sectors by money, its main province, its size, and who funded it.
        #[derive(Default)]
        struct Hidden {
            year: i32,
            sectors: BTreeMap<VnSector, i64>,
            provinces: BTreeMap<String, i64>,
            money: i64,
            funders: BTreeSet<i64>,
        }
        let mut items: BTreeMap<i64, Hidden> = BTreeMap::new();
        for r in &everything {
            let h = items.entry(r.item).or_insert_with(|| Hidden { year: r.year, ..Default::default() });
            h.year = h.year.min(r.year);
            let money = r.usd_minor.max(0);
            if let Some(s) = r.sector {
                *h.sectors.entry(s).or_default() += money;
            }
            if let Some(p) = &r.province {
                *h.provinces.entry(p.clone()).or_default() += money;
            }
            h.money += money;
            h.funders.insert(r.organisation);
        }

        let overall = rank_by_activity(&earlier);
        let mut result = Backtest {
            before,
            cases: 0,
            with_known_funder: 0,
            candidates: earlier.len(),
            method: BacktestScore::default(),
            method_without_registration: BacktestScore::default(),
            most_active: BacktestScore::default(),
            most_active_in_province: BacktestScore::default(),
        };
        for h in items.values().filter(|h| h.year > before) {
            let province = h.provinces.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))).map(|(p, _)| p.clone());
            let total: i64 = h.sectors.values().sum();
            let need = Need {
                sectors: h
                    .sectors
                    .iter()
                    .map(|(s, m)| (*s, if total > 0 { *m as f64 / total as f64 } else { 1.0 }))
                    .collect(),
                region: province.as_deref().and_then(|p| ProvinceCode::parse(p).ok()).and_then(|p| region_of(&p)),
                province,
                budget_usd_minor: (h.money > 0).then_some(h.money),
            };
            let ids = |c: Vec<Candidate>| c.into_iter().map(|c| c.organisation).collect::<Vec<i64>>();
            result.cases += 1;
            result.with_known_funder += usize::from(h.funders.iter().any(|f| earlier.contains_key(f)));
            result.method.add(&ids(rank(&need, &earlier, &registrations, before)), &h.funders);
            result.method_without_registration.add(&ids(rank(&need, &earlier, &[], before)), &h.funders);
            result.most_active.add(&overall, &h.funders);
            result.most_active_in_province.add(&rank_by_activity_in(&earlier, need.province.as_deref()), &h.funders);
        }
        Ok(result)
    }
}

/// A step of a proposal along its lifecycle, as a form or the command line sends it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ProposalMove {
    /// Target status code.
    pub to: String,
    /// The version the actor saw.
    pub version: i64,
    /// The aid item it became (required for `funded`).
    pub aid_item: Option<i64>,
}

impl Services {
    /// Reads one proposal.
    pub async fn proposal(&self, id: i64) -> Result<vientro_store::matching::ProposalRow, ServiceError> {
        Ok(vientro_store::matching::proposal(&mut self.db.clone(), id).await?)
    }

    /// Lists a new proposal on a province's call-for-aid list, for a user who may edit the province: it starts
    /// `listed`, funded by nothing yet. The title is needed; beneficiaries and budget are zero or more.
    pub async fn create_proposal_as(
        &self,
        user: &crate::accounts::CurrentUser,
        proposal: &NewProposal,
    ) -> Result<i64, ServiceError> {
        let code = current_province(&proposal.province_code)?;
        check_may_edit_list(user, &code)?;
        let mut errors = ValidationErrors::default();
        if proposal.title.trim().is_empty() {
            errors.push(ValidationError::new("title", "error-required", "a proposal needs a title"));
        }
        if proposal.beneficiaries.is_some_and(|n| n < 0) || proposal.estimated_usd_minor.is_some_and(|n| n < 0) {
            errors.push(ValidationError::new(
                "beneficiaries",
                "error-count-negative",
                "counts and budgets are zero or more",
            ));
        }
        errors.into_result(())?;
        let listed = NewProposal {
            title: proposal.title.trim().to_owned(),
            status: "listed".into(),
            aid_item_id: None,
            illustrative: false,
            ..proposal.clone()
        };
        let mut tx = self.db.begin().await?;
        let id = record_proposal_in(&mut tx, &user.actor(), &listed).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Records a province's priority sectors for a period (years inclusive), in order, for a user who may edit
    /// the province.
    pub async fn record_priorities_as(
        &self,
        user: &crate::accounts::CurrentUser,
        province: &str,
        years: (i32, i32),
        sectors: &[String],
        source: Option<&str>,
    ) -> Result<(), ServiceError> {
        let code = current_province(province)?;
        check_may_edit_list(user, &code)?;
        if sectors.is_empty() {
            return Err(
                ValidationErrors::from(ValidationError::new("sectors", "error-required", "choose a sector")).into()
            );
        }
        let sectors: Vec<&str> = sectors.iter().map(String::as_str).collect();
        let mut tx = self.db.begin().await?;
        record_priorities_in(&mut tx, &user.actor(), code.as_str(), years, &sectors, source, false).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves a proposal of a province `user` may edit one step along its lifecycle, if it is still at the
    /// version the user saw (a stale step is refused before anything else is judged), linking the aid item it
    /// became; audited. Returns the new version.
    pub async fn move_proposal_as(
        &self,
        user: &crate::accounts::CurrentUser,
        id: i64,
        step: &ProposalMove,
    ) -> Result<i64, ServiceError> {
        use vientro_domain::access::{Action, Resource, can};
        use vientro_domain::proposal::ProposalStatus;
        let mut tx = self.db.begin().await?;
        let before = vientro_store::matching::proposal(&mut tx, id).await?;
        let province = ProvinceCode::parse(&before.province_code).map_err(ValidationErrors::from)?;
        let resource = Resource { provinces: vec![province], organisations: Vec::new(), published: true };
        if !can(&user.principal(), Action::Edit, &resource) {
            return Err(ServiceError::Forbidden("you may not change this province's call-for-aid list".into()));
        }
        if step.version != before.version {
            return Err(ServiceError::Conflict(format!(
                "the proposal is at version {}, not {}: someone else changed it",
                before.version, step.version
            )));
        }
        let from = ProposalStatus::parse(&before.status).map_err(ValidationErrors::from)?;
        let to = ProposalStatus::parse(&step.to).map_err(ValidationErrors::from)?;
        from.check_move(to, step.aid_item).map_err(ValidationErrors::from)?;
        if let Some(item) = step.aid_item
            && vientro_store::aid_items::get(&mut tx, vientro_domain::ids::AidItemId(item)).await.is_err()
        {
            return Err(ValidationErrors::from(ValidationError::new(
                "aid_item",
                "error-aid-item-unknown",
                format!("there is no aid item {item}"),
            ))
            .into());
        }
        let now = vientro_store::now();
        let version =
            vientro_store::matching::set_proposal_status(&mut tx, id, step.version, to.as_str(), step.aid_item, now)
                .await?;
        let after = vientro_store::matching::proposal(&mut tx, id).await?;
        audit::append(
            &mut tx,
            &AuditEntry {
                actor: &user.username,
                action: "update",
                entity: "aid_proposal",
                entity_id: Some(id),
                before: serde_json::to_value(&before).ok(),
                after: serde_json::to_value(&after).ok(),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(version)
    }
}

/// Refuses a user who may not change a province's priorities and call-for-aid list.
fn check_may_edit_list(user: &crate::accounts::CurrentUser, province: &ProvinceCode) -> Result<(), ServiceError> {
    crate::people_records::check_may_record_for(user, Some(province), "priorities or call-for-aid proposals")
}
