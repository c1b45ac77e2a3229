//! Viet Nam's administrative units before and after the 1 July 2025 reform, and the crosswalk
//! between them.
//!
//! This module owns the unit codes (parsed, zero-padded strings), the units of both sets (63
//! provinces, 696 districts and 10,035 communes until 2025-06-30; 34 provinces and 3,321 communes
//! from 2025-07-01), their socio-economic regions, the old → new crosswalk, search by code or name
//! and the one-line description the CLI prints. The data is vendored in `data/vn-admin/` (see its
//! README for provenance, licences and how to refresh it) and compiled in with `include_str!`:
//! this module must do no other IO, hold no database handle and never panic on user input.

mod codes;
mod data;
mod lookup;
mod parse;
mod region;
mod units;

pub use codes::{CommuneCode, DistrictCode, ProvinceCode};
pub use data::{AdminUnits, CrosswalkTarget, ResolvedCommune};
pub use lookup::{MatchRank, UnitLevel, UnitMatch, UnitRef, describe};
pub use region::Region;
pub use units::{Commune, CommuneKind, District, LAST_PRE_REFORM_DATE, Province, REFORM_DATE, UnitSet};
