//! The search box and the organisation directory: one query that finds organisations, aid items, places and
//! people, diacritic-insensitively ("da nang" finds "Đà Nẵng", "bac kan" finds "Bắc Kạn"), on both backends.
//!
//! Records are matched on their stored folded search text, places through the administrative-unit index,
//! people (user accounts) only for administrators and central staff. Aid items go through the reader's scope
//! like every list. This module must not rank beyond "best first per kind" nor render.

use vientro_domain::access::{Principal, Role};
use vientro_domain::admin_units::{AdminUnits, describe};
use vientro_store::listing::{self, ItemFilter, ItemListRow, OrganisationListRow};

use crate::{ServiceError, Services};

/// What the search box found, per kind.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct SearchResults {
    /// Organisations.
    pub organisations: Vec<OrganisationListRow>,
    /// Aid items the reader may see.
    pub items: Vec<ItemListRow>,
    /// Administrative units, old and new, described with their successor.
    pub places: Vec<String>,
    /// User accounts (login name, display name), for administrators and central staff.
    pub people: Vec<(String, String)>,
}

impl Services {
    /// Organisations in Vietnamese alphabetical order, optionally of some kinds and matching words; one row
    /// more than `limit` is returned when another page follows.
    pub async fn list_organisations(
        &self,
        text: Option<&str>,
        kinds: &[&str],
        limit: i64,
        offset: i64,
    ) -> Result<Vec<OrganisationListRow>, ServiceError> {
        let mut db = self.db.clone();
        Ok(listing::organisations(&mut db, text, kinds, limit, offset).await?)
    }

    /// Searches everything `who` may see for `text`, at most `per_kind` hits of each kind.
    pub async fn search(&self, who: &Principal, text: &str, per_kind: usize) -> Result<SearchResults, ServiceError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(SearchResults::default());
        }
        let limit = i64::try_from(per_kind).unwrap_or(20);
        let mut organisations = self.list_organisations(Some(text), &[], limit, 0).await?;
        organisations.truncate(per_kind);
        let filter = ItemFilter { text: Some(text.to_owned()), ..Default::default() };
        let mut items = self.list_aid_items(who, &filter, 1, limit).await?.rows;
        items.truncate(per_kind);
        let places = AdminUnits::embedded().lookup(text).iter().take(per_kind).map(describe).collect();
        let people = match who {
            Principal::User { role: Role::Admin | Role::Central, .. } => {
                let folded = vientro_domain::text::fold(text);
                let mut db = self.db.clone();
                vientro_store::accounts::users(&mut db)
                    .await?
                    .into_iter()
                    .filter(|u| {
                        vientro_domain::text::fold(&u.display_name).contains(&folded) || u.username.contains(&folded)
                    })
                    .take(per_kind)
                    .map(|u| (u.username, u.display_name))
                    .collect()
            }
            _ => Vec::new(),
        };
        Ok(SearchResults { organisations, items, places, people })
    }
}
