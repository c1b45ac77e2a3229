//! The IATI export use case: aid items imported from IATI back out as one IATI 2.03 activity file.
//!
//! This module picks the items (every item with IATI details, narrowed by report filters such as
//! `province=Hà Nội` or `donor=…`), rebuilds each activity from the stored IATI details exactly as it was
//! read (values from their exact decimal text, every narrative in every language, transactions of every
//! type) and streams them through the interchange writer, one at a time. It must not change any record and
//! must not format XML itself: the writer owns the element order and what the schema requires.

use std::io::Write;

use rust_decimal::Decimal;
use vientro_domain::ValidationError;
use vientro_domain::admin_units::{AdminUnits, UnitSet};
use vientro_domain::ids::AidItemId;
use vientro_domain::report::{Dimension, Filter};
use vientro_domain::sector::SectorRef;
use vientro_domain::text;
use vientro_interchange::iati::{
    ActivityWriter, AdministrativeCode, Budget, IatiActivity, Location, LocationId, Narrative, OrgRef,
    ParticipatingOrg, PlannedDisbursement, Point, SectorRef as IatiSector, Transaction, Value,
};
use vientro_store::iati::{self as store, Details, NarrativeRow};
use vientro_store::reports::{CodeFilter, organisation_ids_matching};

use crate::{ServiceError, Services};

/// What an export wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Activities written.
    pub activities: usize,
    /// Transactions written.
    pub transactions: usize,
}

fn decimal(text: &str) -> Option<Decimal> {
    Decimal::from_str_exact(text.trim()).ok()
}

/// The narratives of one element, in order.
fn narratives_of(rows: &[NarrativeRow], field: &str, part: i64, sub: i64) -> Vec<Narrative> {
    rows.iter()
        .filter(|n| n.field == field && n.part == part && n.sub == sub)
        .map(|n| Narrative { lang: n.lang.clone(), text: n.content.clone() })
        .collect()
}

/// An organisation reference from its stored columns and narratives; `None` when nothing was published.
fn org(
    reference: &Option<String>,
    org_type: &Option<String>,
    activity_id: &Option<String>,
    narratives: Vec<Narrative>,
) -> Option<OrgRef> {
    let org = OrgRef {
        reference: reference.clone(),
        org_type: org_type.clone(),
        activity_id: activity_id.clone(),
        narratives,
    };
    (org != OrgRef::default()).then_some(org)
}

/// Rebuilds the activity as it was read from its stored details.
pub(crate) fn activity_from(d: &Details) -> IatiActivity {
    let n = &d.narratives;
    let a = &d.activity;
    let mut descriptions: Vec<(Option<String>, Vec<Narrative>)> = Vec::new();
    let mut parts: Vec<i64> = n.iter().filter(|r| r.field == "description").map(|r| r.part).collect();
    parts.dedup();
    for part in parts {
        let kind = n.iter().find(|r| r.field == "description" && r.part == part).and_then(|r| r.kind.clone());
        descriptions.push((kind, narratives_of(n, "description", part, 0)));
    }
    let sectors_of = |transaction: i64| -> Vec<IatiSector> {
        d.sectors
            .iter()
            .filter(|s| s.transaction_position == transaction)
            .map(|s| IatiSector {
                code: s.code.clone(),
                vocabulary: s.vocabulary.clone(),
                percentage: s.percentage.as_deref().and_then(decimal),
                narratives: if transaction < 0 {
                    narratives_of(n, "sector", s.position, 0)
                } else {
                    narratives_of(n, "transaction_sector", transaction, s.position)
                },
            })
            .collect()
    };
    let value = |text: &str, currency: &Option<String>, value_date| Value {
        amount: decimal(text).unwrap_or_default(),
        currency: currency.clone(),
        value_date,
    };
    IatiActivity {
        identifier: a.identifier.clone(),
        line: 0,
        file_version: None,
        default_currency: a.default_currency.clone(),
        lang: a.lang.clone(),
        reporting_org: org(&a.reporting_org_ref, &a.reporting_org_type, &None, narratives_of(n, "reporting_org", 0, 0)),
        participating_orgs: d
            .participants
            .iter()
            .map(|p| ParticipatingOrg {
                org: OrgRef {
                    reference: p.org_ref.clone(),
                    org_type: p.org_type.clone(),
                    activity_id: p.activity_id.clone(),
                    narratives: narratives_of(n, "participant", p.position, 0),
                },
                role: p.role.clone(),
            })
            .collect(),
        titles: narratives_of(n, "title", 0, 0),
        descriptions,
        status: a.status_code.clone(),
        dates: d.dates.iter().map(|x| (x.date_type.clone(), x.iso_date)).collect(),
        recipient_countries: d
            .recipients
            .iter()
            .filter(|r| r.scope == "country")
            .map(|r| (r.code.clone(), r.percentage.as_deref().and_then(decimal)))
            .collect(),
        recipient_regions: d
            .recipients
            .iter()
            .filter(|r| r.scope == "region")
            .map(|r| (r.code.clone(), r.vocabulary.clone(), r.percentage.as_deref().and_then(decimal)))
            .collect(),
        sectors: sectors_of(-1),
        locations: d
            .locations
            .iter()
            .map(|l| {
                let codes = d.location_codes.iter().filter(|c| c.location_position == l.position);
                let point = match (l.latitude.as_deref().and_then(decimal), l.longitude.as_deref().and_then(decimal)) {
                    (Some(latitude), Some(longitude)) => Some(Point { latitude, longitude }),
                    _ => None,
                };
                Location {
                    reference: l.location_ref.clone(),
                    names: narratives_of(n, "location_name", l.position, 0),
                    point,
                    administratives: codes
                        .clone()
                        .filter(|c| c.scope == "administrative")
                        .map(|c| AdministrativeCode {
                            vocabulary: c.vocabulary.clone(),
                            level: c.level.and_then(|x| u8::try_from(x).ok()),
                            code: c.code.clone(),
                        })
                        .collect(),
                    location_ids: codes
                        .filter(|c| c.scope == "location_id")
                        .map(|c| LocationId { vocabulary: c.vocabulary.clone(), code: c.code.clone() })
                        .collect(),
                }
            })
            .collect(),
        budgets: d
            .budgets
            .iter()
            .map(|b| Budget {
                budget_type: b.budget_type.clone(),
                status: b.status.clone(),
                period_start: b.period_start,
                period_end: b.period_end,
                value: value(&b.value_text, &b.currency, b.value_date),
            })
            .collect(),
        planned_disbursements: d
            .planned
            .iter()
            .map(|p| PlannedDisbursement {
                disbursement_type: p.disbursement_type.clone(),
                period_start: p.period_start,
                period_end: p.period_end,
                value: value(&p.value_text, &p.currency, p.value_date),
                provider_org: org(
                    &p.provider_ref,
                    &p.provider_type,
                    &p.provider_activity_id,
                    narratives_of(n, "planned_provider", p.position, 0),
                ),
                receiver_org: org(
                    &p.receiver_ref,
                    &p.receiver_type,
                    &p.receiver_activity_id,
                    narratives_of(n, "planned_receiver", p.position, 0),
                ),
            })
            .collect(),
        transactions: d
            .transactions
            .iter()
            .map(|t| Transaction {
                reference: t.transaction_ref.clone(),
                transaction_type: t.transaction_type.clone(),
                date: t.transaction_date,
                value: value(&t.value_text, &t.currency, t.value_date),
                descriptions: narratives_of(n, "transaction_description", t.position, 0),
                provider_org: org(
                    &t.provider_ref,
                    &t.provider_type,
                    &t.provider_activity_id,
                    narratives_of(n, "transaction_provider", t.position, 0),
                ),
                receiver_org: org(
                    &t.receiver_ref,
                    &t.receiver_type,
                    &t.receiver_activity_id,
                    narratives_of(n, "transaction_receiver", t.position, 0),
                ),
                sectors: sectors_of(t.position),
                recipient_country: t.recipient_country.clone(),
                recipient_region: t.recipient_region.clone().map(|c| (c, t.recipient_region_vocabulary.clone())),
            })
            .collect(),
    }
}

impl Services {
    /// Turns report filters into codes: provinces by code or name (today's units, else as recorded), donors
    /// by id or name, sectors by code or national name; other dimensions take their codes as given.
    async fn iati_export_filters(&self, filters: &[Filter]) -> Result<Vec<CodeFilter>, ServiceError> {
        let units = AdminUnits::embedded();
        let mut out = Vec::new();
        for f in filters {
            let mut dimension = f.dimension;
            let mut codes = Vec::new();
            for v in &f.values {
                match f.dimension {
                    Dimension::Province => {
                        if let Ok(p) = units.parse_province_in(v, UnitSet::From2025) {
                            codes.push(p.as_str().to_owned());
                        } else {
                            let p = units.parse_province_in(v, UnitSet::Pre2025)?;
                            dimension = Dimension::ProvinceAsRecorded;
                            codes.push(p.as_str().to_owned());
                        }
                    }
                    Dimension::Donor => {
                        if v.bytes().all(|b| b.is_ascii_digit()) {
                            codes.push(v.clone());
                        } else {
                            let mut db = self.db.clone();
                            let ids = organisation_ids_matching(&mut db, &text::fold(v)).await?;
                            codes.extend(ids.into_iter().map(|i| i.to_string()));
                        }
                    }
                    Dimension::Sector => {
                        codes.push(SectorRef::parse(v).map(|s| s.code()).unwrap_or_else(|_| v.clone()))
                    }
                    Dimension::Year | Dimension::HalfYear => {
                        return Err(ValidationError::new(
                            "where",
                            "error-dimension-not-applicable",
                            format!("'{}' does not select aid items; filter by what the items are", f.dimension.name()),
                        )
                        .into());
                    }
                    _ => codes.push(v.clone()),
                }
            }
            out.push(CodeFilter { dimension, codes });
        }
        Ok(out)
    }

    /// Writes every aid item imported from IATI that matches `filters` to `out` as one IATI 2.03 activity file.
    /// Nothing is written when nothing matches (`NotFound`): an activity file needs at least one activity.
    pub async fn export_iati(&self, filters: &[Filter], out: &mut impl Write) -> Result<ExportSummary, ServiceError> {
        let codes = self.iati_export_filters(filters).await?;
        let mut db = self.db.clone();
        let items = store::exportable_items(&mut db, &codes).await?;
        if items.is_empty() {
            return Err(ServiceError::NotFound("imported IATI activity matching the filters"));
        }
        let generated = vientro_store::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let mut writer = ActivityWriter::start(out, Some(&generated)).map_err(anyhow::Error::new)?;
        let mut summary = ExportSummary::default();
        for item in items {
            let Some(details) = store::load_details(&mut db, item).await? else { continue };
            let activity = activity_from(&details);
            summary.transactions += activity.transactions.len();
            writer.write(&activity).map_err(anyhow::Error::new)?;
            summary.activities += 1;
        }
        writer.finish().map_err(anyhow::Error::new)?;
        Ok(summary)
    }

    /// The stored IATI details of an item, `None` when it was not imported from IATI.
    pub async fn iati_details(&self, item: AidItemId) -> Result<Option<Details>, ServiceError> {
        let mut db = self.db.clone();
        Ok(store::load_details(&mut db, item).await?)
    }
}
