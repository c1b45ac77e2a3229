//! The web suite: the real router (pages and API) over a fresh database, on SQLite and (when
//! `VIENTRO_TEST_POSTGRES_URL` is set) PostgreSQL. Requests go through the whole middleware stack (CSRF,
//! sessions, security headers) without a socket; the CLI suite starts the real server on a port.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod access;
mod api;
mod call_for_aid;
mod hostile_input;
mod pages;
mod people;
mod people_records;
mod periodic;
mod promotion;
mod route_security;
mod security;
mod sheet;
mod support;
mod transfer;
