use std::collections::BTreeSet;

use vientro_store::Db;
use vientro_store::on_both_backends;

fn migration_names(dir: &str) -> BTreeSet<String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(dir);
    std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

#[test]
fn both_backends_have_the_same_migration_files() {
    let sqlite = migration_names("sqlite");
    let postgres = migration_names("postgres");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, postgres, "every migration must exist for both backends under the same name");
}

#[test]
fn both_migration_sets_create_the_same_tables_and_columns() {
    fn columns(dir: &str) -> BTreeSet<String> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(dir);
        let mut out = BTreeSet::new();
        for entry in std::fs::read_dir(&path).unwrap() {
            let sql = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let mut table = String::new();
            for line in sql.lines() {
                let t = line.trim();
                if let Some(rest) = t.strip_prefix("CREATE TABLE ") {
                    table = rest.split_whitespace().next().unwrap().to_owned();
                } else if !table.is_empty() && t.starts_with(|c: char| c.is_ascii_lowercase()) {
                    out.insert(format!("{table}.{}", t.split_whitespace().next().unwrap()));
                } else if t.starts_with(')') {
                    table.clear();
                }
            }
        }
        out
    }
    assert_eq!(columns("sqlite"), columns("postgres"));
}

async fn migrating_twice_changes_nothing(db: Db) {
    let before = db.applied_migrations().await.unwrap();
    db.migrate().await.unwrap();
    assert_eq!(db.applied_migrations().await.unwrap(), before);
    assert!(!before.is_empty());
}

on_both_backends!(migrating_twice_changes_nothing);
