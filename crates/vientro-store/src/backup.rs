//! Backups of the embedded SQLite database, taken while it serves, and restoring one.
//!
//! A backup is one SQLite file written by `VACUUM INTO`, which reads the database inside one read
//! transaction: it is a consistent snapshot however many writers are at work, and it never blocks them
//! (WAL mode). Before a file is trusted, as a fresh backup or as the source of a restore, it is checked:
//! SQLite's `integrity_check`, the schema version it was written at, and the audit chain. Restoring writes
//! the checked file next to the target and renames it into place, so the target is either the old database
//! or the restored one, never a mix. This module owns those steps; it must not know any table beyond the
//! migrations table and the audit log. PostgreSQL is backed up with its own tools (`pg_dump`), as the
//! README explains; these functions refuse it with that advice.

use std::path::{Path, PathBuf};

use crate::db::{Backend, Db, Exec, ExecExt, Scalar, Stmt};
use crate::error::StoreError;

/// What a check of a backup file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupCheck {
    /// The file checked.
    pub file: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Schema migrations applied in it.
    pub migrations: usize,
    /// Audit rows, all verified.
    pub audit_rows: u64,
    /// Tables and their row counts, by name.
    pub tables: Vec<(String, i64)>,
}

/// The advice given when a backup or restore is asked of PostgreSQL.
pub const POSTGRES_ADVICE: &str = "PostgreSQL is backed up with its own tools: \
    pg_dump --format=custom --file=vientro.dump DATABASE_URL, and restored into an empty database with \
    pg_restore --no-owner --dbname=DATABASE_URL vientro.dump (see the README)";

fn refused(message: impl Into<String>) -> StoreError {
    StoreError::Refused(message.into())
}

/// Writes a consistent copy of the SQLite database behind `db` to `out` (which must not exist) while it
/// keeps serving, then checks the copy.
pub async fn backup(db: &Db, out: &Path) -> Result<BackupCheck, StoreError> {
    if db.backend() == Backend::Postgres {
        return Err(refused(POSTGRES_ADVICE));
    }
    if out.exists() {
        return Err(refused(format!("{} exists already; a backup never overwrites a file", out.display())));
    }
    let target = out.to_str().ok_or_else(|| refused(format!("{} is not a UTF-8 path", out.display())))?;
    db.clone().execute(Stmt::new("VACUUM INTO $1").bind(target)).await?;
    check(out).await
}

/// Checks a backup file: it opens read-only, SQLite finds it intact, it carries vientro's schema, and its
/// audit chain verifies. Returns what it holds.
pub async fn check(file: &Path) -> Result<BackupCheck, StoreError> {
    let bytes = std::fs::metadata(file).map_err(|e| refused(format!("{} cannot be read: {e}", file.display())))?.len();
    let path = file.to_str().ok_or_else(|| refused(format!("{} is not a UTF-8 path", file.display())))?;
    let db = Db::connect_read_only_sqlite(path).await?;
    let result = check_open(&db, file, bytes).await;
    db.close().await;
    result
}

async fn check_open(db: &Db, file: &Path, bytes: u64) -> Result<BackupCheck, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Line {
        integrity_check: String,
    }
    #[derive(sqlx::FromRow)]
    struct Name {
        name: String,
    }
    let mut ex = db.clone();
    let lines: Vec<Line> = ex
        .fetch_all(Stmt::new("PRAGMA integrity_check"))
        .await
        .map_err(|e| refused(format!("{} is not a readable SQLite database: {e}", file.display())))?;
    let problems: Vec<String> = lines.into_iter().map(|l| l.integrity_check).filter(|l| l != "ok").collect();
    if !problems.is_empty() {
        return Err(refused(format!("{} is damaged: {}", file.display(), problems.join("; "))));
    }
    let migrations = db
        .applied_migrations()
        .await
        .map_err(|e| refused(format!("{} is not a vientro database: {e}", file.display())))?
        .len();
    let report = crate::audit::verify(&mut ex).await?;
    if let Some((id, why)) = report.first_broken {
        return Err(refused(format!("{}: the audit chain is broken at row {id} ({why})", file.display())));
    }
    let names: Vec<Name> = ex
        .fetch_all(Stmt::new(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        ))
        .await?;
    let mut tables = Vec::with_capacity(names.len());
    for n in names {
        // Table names come from the file's own catalogue, quoted as identifiers.
        let quoted = format!("\"{}\"", n.name.replace('"', "\"\""));
        let count: Scalar = ex.fetch_one(Stmt::new(format!("SELECT COUNT(*) FROM {quoted}")), "row count").await?;
        tables.push((n.name, count.0));
    }
    Ok(BackupCheck { file: file.to_path_buf(), bytes, migrations, audit_rows: report.rows, tables })
}

/// Replaces the SQLite database at `target` (a `sqlite://` URL) with the backup `from`, after checking it.
/// Refuses while another process holds the target open for writing, and refuses to replace a database
/// that holds records unless `replace` is set. The server must be stopped first.
pub async fn restore(from: &Path, target_url: &str, replace: bool) -> Result<BackupCheck, StoreError> {
    if target_url.starts_with("postgres://") || target_url.starts_with("postgresql://") {
        return Err(refused(POSTGRES_ADVICE));
    }
    let target = sqlite_path(target_url)?;
    let checked = check(from).await?;
    if target.exists() {
        // In WAL mode SQLite keeps a `-shm` file beside the database while any connection has it open (the
        // last one to close removes it): a server still running would go on writing to the replaced file.
        let shm = PathBuf::from(format!("{}-shm", target.display()));
        if shm.exists() {
            return Err(refused(format!(
                "{} is in use (or was not closed cleanly): stop the server; if it is stopped, run `vientro \
                 migrate` once to close it cleanly, then restore",
                target.display()
            )));
        }
        // Every change is in the audit log: a database with audit rows holds records.
        let db = Db::connect(&format!("sqlite://{}", target.display())).await?;
        let holds: Result<Scalar, _> =
            db.clone().fetch_one(Stmt::new("SELECT COUNT(*) FROM audit_event"), "row count").await;
        db.close().await;
        if holds.is_ok_and(|n| n.0 > 0) && !replace {
            return Err(refused(format!(
                "{} holds records; add --replace to replace them with the backup",
                target.display()
            )));
        }
    }
    let staged = target.with_extension("restoring");
    std::fs::copy(from, &staged).map_err(|e| refused(format!("cannot write {}: {e}", staged.display())))?;
    std::fs::File::open(&staged)
        .and_then(|f| f.sync_all())
        .map_err(|e| refused(format!("cannot write {}: {e}", staged.display())))?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", target.display()));
        if side.exists() {
            std::fs::remove_file(&side).map_err(|e| refused(format!("cannot remove {}: {e}", side.display())))?;
        }
    }
    std::fs::rename(&staged, &target).map_err(|e| refused(format!("cannot replace {}: {e}", target.display())))?;
    Ok(BackupCheck { file: target, ..checked })
}

/// The file path of a `sqlite://PATH` URL (query string dropped).
fn sqlite_path(url: &str) -> Result<PathBuf, StoreError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| StoreError::BadUrl(crate::db::redact_url(url)))?;
    let path = rest.split('?').next().unwrap_or_default();
    if path.is_empty() || path.contains(":memory:") {
        return Err(refused("restore needs a database file, not an in-memory database"));
    }
    Ok(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_of_a_sqlite_url_drops_its_options() {
        assert_eq!(
            sqlite_path("sqlite:///var/lib/vientro.db?mode=rwc").ok(),
            Some(PathBuf::from("/var/lib/vientro.db"))
        );
        assert_eq!(sqlite_path("sqlite://vientro.db").ok(), Some(PathBuf::from("vientro.db")));
        assert!(sqlite_path("sqlite::memory:").is_err());
    }
}
