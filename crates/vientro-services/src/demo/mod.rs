//! The illustrative demonstration data set ("minh họa"): organisations, certificates, registrations, aid items
//! and flows from which the report engine reproduces, by the definitions of docs/adr/0003, every figure the
//! seed articles quote (/work/shared/seeds/FACTS.md: Cao Bằng C1, C3–C7, C9, C11, C12; the nation N1–N3; Lạng Sơn
//! L1–L3; Quảng Ninh Q1–Q4; Bắc Kạn B1–B5).
//!
//! Beside the illustrative records it enters the real Viet Nam activities published in IATI (`real`), which are
//! not illustrative.
//!
//! This module owns the data set and its one-transaction, idempotent loading. Each province's figures are the
//! visible constants at the top of its submodule; everything else is generated from them deterministically
//! (no randomness). Every record is marked illustrative and every invented name says "(minh họa)". It must be
//! used only in demo mode, never to seed or change a database that holds real records.

mod bac_kan;
mod builder;
mod cao_bang;
mod lang_son;
mod mobilisation;
mod names;
mod national;
mod people_records;
mod quang_ninh;
mod real;
pub mod users;

use crate::{Actor, ServiceError, Services};

/// The setting that records which demo data set a database holds.
pub const SETTING_KEY: &str = "demo_dataset";

/// The version of this data set; loading is skipped when the database already holds it.
pub const DATASET_VERSION: &str = "vientro-demo-2026-11-figures-v1";

/// What [`load`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct DemoSummary {
    /// Organisations created (0 when already loaded).
    pub organisations: usize,
    /// Aid items created (0 when already loaded).
    pub items: usize,
    /// Flows created (0 when already loaded).
    pub flows: usize,
    /// True when the database already held this data set and nothing was written.
    pub already_loaded: bool,
}

/// Loads the illustrative data set in one transaction, or does nothing if this version is already loaded.
///
/// A database holding another version of the demo data is refused (`Conflict`): the two would collide on
/// names and double every figure, so start from an empty database instead.
pub async fn load(services: &Services) -> Result<DemoSummary, ServiceError> {
    let mut tx = services.db().begin().await?;
    match vientro_store::settings::get(&mut tx, SETTING_KEY).await? {
        Some(v) if v == DATASET_VERSION => {
            tx.rollback().await?;
            // A database loaded before the mobilisation records existed gains them now.
            let (organisations, items) = mobilisation::load(services).await?;
            return Ok(DemoSummary { organisations, items, flows: 0, already_loaded: true });
        }
        Some(other) => {
            tx.rollback().await?;
            return Err(ServiceError::Conflict(format!(
                "this database holds the demo data set '{other}'; load '{DATASET_VERSION}' into an empty database"
            )));
        }
        None => {}
    }
    let existing: Option<vientro_store::db::Scalar> =
        vientro_store::Exec::fetch_optional(&mut tx, vientro_store::Stmt::new("SELECT COUNT(*) FROM aid_item")).await?;
    if existing.is_some_and(|c| c.0 > 0) {
        tx.rollback().await?;
        return Err(ServiceError::Conflict(
            "this database already holds aid items; load the demonstration data into an empty database".to_owned(),
        ));
    }
    let rates = Services::rate_table_in(&mut tx).await?;
    let mut loader = builder::Loader::new(tx, Actor::system(), rates);
    cao_bang::load(&mut loader).await?;
    lang_son::load(&mut loader).await?;
    quang_ninh::load(&mut loader).await?;
    bac_kan::load(&mut loader).await?;
    // The real IATI activities come before the national top-up, which fills up to the national totals.
    loader.real_activities().await?;
    // Last: the national top-up fills the gap between the provinces above and the national totals, and
    // certificates go to every foreign NGO created before.
    national::load(&mut loader).await?;
    let (mut tx, summary) = loader.finish();
    vientro_store::settings::set(&mut tx, SETTING_KEY, DATASET_VERSION, vientro_store::now()).await?;
    tx.commit().await?;
    let (organisations, items) = mobilisation::load(services).await?;
    Ok(DemoSummary { organisations: summary.organisations + organisations, items: summary.items + items, ..summary })
}
