//! The records suite: use cases run end to end against a real database, on SQLite and (when
//! `VIENTRO_TEST_POSTGRES_URL` is set) PostgreSQL. Each test checks the behaviour a user sees, including that
//! nothing is written when input is refused.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod aid_items;
mod bench;
mod bench_import;
mod demo_figures;
mod iati;
mod organisations;
mod people;
mod people_records;
mod proposals;
mod reports;
mod sheet_import;
mod support;
mod upgrades;
