//! Files to and from vientro's domain: IATI activity XML, and report exports (Excel, CSV).
//!
//! Readers stream and report every problem with its place (file, line, element) instead of failing; writers
//! produce files an officer can use without retyping. This crate must not touch a database: the services
//! layer decides what to store.

pub mod iati;
pub mod report_export;
pub mod sheet;
