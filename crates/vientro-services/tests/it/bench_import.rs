//! The import benchmark on a small generated file: it imports whole, without a problem, on both backends.
//! `bench_import_full` (ignored) is the real measurement, sized by `VIENTRO_BENCH_ACTIVITIES`.

use std::path::PathBuf;

use vientro_interchange::iati::generate::generate;
use vientro_services::bench::machine_description;
use vientro_services::bench_import::{bench_import, render_import_timings, time_xmllint_stream};
use vientro_services::iati_import::ImportOptions;
use vientro_store::{Db, on_both_backends};

use crate::support::count;

fn generated_file(activities: usize, seed: u64) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("vientro-bench-import-{}-{activities}-{seed}.xml", std::process::id()));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    generate(activities, seed, &mut out).unwrap();
    drop(out);
    path
}

on_both_backends!(a_generated_file_imports_whole_without_a_problem);

async fn a_generated_file_imports_whole_without_a_problem(db: Db) {
    let file = generated_file(30, 11);
    let xmllint = time_xmllint_stream(&file);
    let t = bench_import(&db, &file, &ImportOptions::default(), xmllint).await.unwrap();
    let _ = std::fs::remove_file(&file);
    let s = &t.summary;
    assert_eq!((s.read, s.imported, s.skipped), (30, 30, 0), "{}", s.describe());
    assert!(s.problems.is_empty(), "{}", s.describe());
    assert_eq!(count(&db, "aid_item").await, 30);
    assert!(s.flows > 150, "{}", s.describe());
    let md = render_import_timings("test machine", 30, 11, &[t]);
    assert!(md.contains("| 30 | 30 |"), "{md}");
}

#[tokio::test]
async fn the_write_floor_copies_every_row_an_import_kept_into_an_empty_database() {
    let dir = std::env::temp_dir().join(format!("vientro-write-floor-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (source, target) = (dir.join("imported.sqlite"), dir.join("floor.sqlite"));
    let db = Db::connect(&format!("sqlite://{}", source.display())).await.unwrap();
    db.migrate().await.unwrap();
    let file = generated_file(20, 5);
    let t = bench_import(&db, &file, &ImportOptions::default(), None).await.unwrap();
    assert_eq!(t.summary.imported, 20);
    let copied = vientro_store::write_floor::copy_rows(&source, &target).await.unwrap();
    let floor = Db::connect(&format!("sqlite://{}", target.display())).await.unwrap();
    for table in ["aid_item", "flow", "flow_share", "flow_rollup_sector", "aid_item_narrative", "audit_event"] {
        assert_eq!(count(&floor, table).await, count(&db, table).await, "{table}");
    }
    assert!(copied.rows > count(&db, "flow_share").await as u64, "{copied:?}");
    let again = vientro_store::write_floor::copy_rows(&source, &target).await;
    assert!(again.is_err(), "an existing file is never written over");
    floor.close().await;
    db.close().await;
    let _ = std::fs::remove_file(file);
    let _ = std::fs::remove_dir_all(dir);
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.trim().replace('_', "").parse().ok()).unwrap_or(default)
}

/// The measurement: generates `VIENTRO_BENCH_ACTIVITIES` activities (default 10,000; seed
/// `VIENTRO_BENCH_SEED`, default 1) into a temp file, times `xmllint --stream` on it, imports it into a new
/// SQLite file under the temp dir and, when `VIENTRO_BENCH_POSTGRES_URL` names an empty database, into that
/// one (migrated here), and prints the Markdown table. `VIENTRO_BENCH_BACKENDS` (`sqlite,postgres`) narrows
/// the backends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "takes minutes; run with --release --ignored --nocapture"]
async fn bench_import_full() {
    let activities = env_number("VIENTRO_BENCH_ACTIVITIES", 10_000);
    let seed = env_number("VIENTRO_BENCH_SEED", 1) as u64;
    let backends = std::env::var("VIENTRO_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let machine = machine_description();

    let started = std::time::Instant::now();
    let file = generated_file(activities, seed);
    let size = std::fs::metadata(&file).unwrap().len();
    eprintln!("generated {} ({:.1} MB) in {:.1} s", file.display(), size as f64 / 1e6, started.elapsed().as_secs_f64());
    let xmllint = time_xmllint_stream(&file);
    eprintln!("xmllint --stream --noout: {xmllint:?}");
    let opts = ImportOptions::default();
    let mut timings = Vec::new();

    if backends.contains("sqlite") {
        let path = std::env::temp_dir().join(format!("vientro-bench-import-{}.sqlite", std::process::id()));
        let files = |p: &std::path::Path| ["", "-wal", "-shm"].map(|s| PathBuf::from(format!("{}{s}", p.display())));
        for f in files(&path) {
            let _ = std::fs::remove_file(f);
        }
        let db = Db::connect(&format!("sqlite://{}", path.display())).await.unwrap();
        db.migrate().await.unwrap();
        let mut t = bench_import(&db, &file, &opts, xmllint).await.unwrap();
        eprintln!("[sqlite] {}", t.summary.describe());
        db.close().await;
        let floor = path.with_extension("floor.sqlite");
        t.write_floor = Some(vientro_store::write_floor::copy_rows(&path, &floor).await.unwrap());
        for f in files(&path).into_iter().chain(files(&floor)) {
            let _ = std::fs::remove_file(f);
        }
        timings.push(t);
    }

    if backends.contains("postgres") {
        match std::env::var("VIENTRO_BENCH_POSTGRES_URL").ok().filter(|u| !u.trim().is_empty()) {
            Some(url) => {
                let db = Db::connect(&url).await.unwrap();
                db.migrate().await.unwrap();
                let t = bench_import(&db, &file, &opts, xmllint).await.unwrap();
                eprintln!("[postgres] {}", t.summary.describe());
                db.close().await;
                timings.push(t);
            }
            None => eprintln!("SKIPPED on PostgreSQL: set VIENTRO_BENCH_POSTGRES_URL to an empty database"),
        }
    }

    let _ = std::fs::remove_file(&file);
    println!("{}", render_import_timings(&machine, activities, seed, &timings));
}
