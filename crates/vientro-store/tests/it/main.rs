//! Store contract tests: every test runs on SQLite and, when `VIENTRO_TEST_POSTGRES_URL` is set, on
//! PostgreSQL, through `on_both_backends!`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod backup;
mod migrations;
