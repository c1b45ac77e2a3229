//! The `vientro` command as a user runs it: the real binary, a fresh database file per test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli;
mod crash;
mod figures;
mod serve;

use std::path::PathBuf;
use std::process::{Command, Output};

/// A temporary folder with an SQLite database URL inside it.
pub(crate) struct Workspace {
    pub(crate) dir: tempfile::TempDir,
}

impl Workspace {
    pub(crate) fn new() -> Self {
        Self { dir: tempfile::tempdir().unwrap() }
    }

    pub(crate) fn url(&self) -> String {
        format!("sqlite://{}", self.dir.path().join("vientro.db").display())
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `vientro ARGS --database-url <this workspace>`.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        run_on(&self.url(), args)
    }
}

/// Runs `vientro ARGS --database-url URL`.
pub(crate) fn run_on(url: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vientro"))
        .args(args)
        .arg("--database-url")
        .arg(url)
        .env_remove("VIENTRO_DATABASE_URL")
        .output()
        .unwrap()
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
