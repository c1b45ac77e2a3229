//! vientro's domain: the rules of foreign non-governmental aid in Viet Nam, with no IO.
//!
//! This crate owns money and exchange rates, administrative units (before and after the 2025 reform) and
//! their crosswalk, organisations, registration certificates, aid items with their lifecycle, sectors,
//! percentage splits and the validation errors that name the offending field. It must not touch a database,
//! a file system (vendored data is compiled in) or the network: every function here is deterministic.

pub mod access;
pub mod admin_units;
pub mod aid_item;
pub mod certificate;
pub mod country;
pub mod date;
pub mod error;
pub mod flow;
pub mod fx;
pub mod ids;
pub mod matching;
pub mod money;
pub mod organisation;
pub mod people;
pub mod proposal;
pub mod report;
pub mod sector;
pub mod split;
pub mod text;
pub mod watch;

pub use error::{ValidationError, ValidationErrors};
