use crate::{Workspace, stdout};

#[test]
fn migrate_creates_the_database_file_and_says_so() {
    let ws = Workspace::new();
    let out = ws.run(&["migrate"]);
    assert!(out.status.success(), "{out:?}");
    assert!(stdout(&out).contains("up to date"));
    assert!(ws.path("vientro.db").exists());
}

#[test]
fn cu_le_is_shown_with_its_old_district_and_province_and_what_it_became() {
    let ws = Workspace::new();
    let out = ws.run(&["admin-units", "lookup", "Cư Lễ"]);
    assert!(out.status.success());
    assert!(
        stdout(&out)
            .contains("Xã Cư Lễ (02176), Huyện Na Rì, Tỉnh Bắc Kạn (06) → Xã Trần Phú (02176), Tỉnh Thái Nguyên (19)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn bac_kan_is_found_without_accents() {
    let ws = Workspace::new();
    let out = ws.run(&["admin-units", "lookup", "bac kan"]);
    assert!(
        stdout(&out).lines().next().unwrap_or("").contains("Tỉnh Bắc Kạn (06) → Tỉnh Thái Nguyên (19)"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_unknown_place_exits_non_zero_with_a_sentence() {
    let ws = Workspace::new();
    let out = ws.run(&["admin-units", "lookup", "Atlantis"]);
    assert!(!out.status.success());
    assert!(stdout(&out).contains("no administrative unit matches"));
}

#[test]
fn the_database_url_may_come_before_the_command_or_from_the_environment() {
    let ws = Workspace::new();
    let before = std::process::Command::new(env!("CARGO_BIN_EXE_vientro"))
        .args(["--database-url", &ws.url(), "migrate"])
        .output()
        .unwrap();
    assert!(before.status.success());
    let env = std::process::Command::new(env!("CARGO_BIN_EXE_vientro"))
        .arg("migrate")
        .env("VIENTRO_DATABASE_URL", ws.url())
        .output()
        .unwrap();
    assert!(env.status.success());
    assert!(stdout(&env).contains(&ws.url()));
}

#[test]
fn help_explains_every_command() {
    let ws = Workspace::new();
    let out = ws.run(&["--help"]);
    let text = stdout(&out);
    for command in
        ["serve", "migrate", "admin-units", "audit", "demo", "report", "briefing", "match", "watch", "periodic"]
    {
        assert!(text.contains(command), "--help lacks {command}: {text}");
    }
}

#[test]
fn a_bad_report_request_names_the_field() {
    let ws = Workspace::new();
    let out = ws.run(&["report", "--measures", "money", "--by", "year"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("measures: 'money' is not a measure"), "{out:?}");
}

#[test]
fn a_backup_is_written_checked_and_restored_and_never_overwrites() {
    let ws = Workspace::new();
    let on = crate::run_on;
    assert!(ws.run(&["demo"]).status.success());
    let backup = ws.path("backup.db");
    let backup = backup.to_str().unwrap();
    let out = ws.run(&["backup", "--out", backup]);
    assert!(out.status.success(), "{out:?}");
    assert!(stdout(&out).contains("audit chain:") && stdout(&out).contains("verified"), "{}", stdout(&out));
    let again = ws.run(&["backup", "--out", backup]);
    assert!(!again.status.success(), "a backup never overwrites a file");
    let restored = format!("sqlite://{}", ws.path("restored.db").display());
    let done = on(&restored, &["restore", "--from", backup]);
    assert!(done.status.success(), "{done:?}");
    let refused = on(&restored, &["restore", "--from", backup]);
    assert!(!refused.status.success(), "a database that holds records is replaced only with --replace");
    assert!(on(&restored, &["restore", "--from", backup, "--replace"]).status.success());
    let report = on(&restored, &["report", "--measures", "committed_usd", "--by", "year"]);
    let original = ws.run(&["report", "--measures", "committed_usd", "--by", "year"]);
    assert!(report.status.success(), "{report:?}");
    assert_eq!(stdout(&report), stdout(&original), "the restored database gives the same figures");
}

#[test]
fn a_report_received_by_the_centre_is_recorded_once_and_shown_on_the_board() {
    let ws = Workspace::new();
    let receive =
        ["periodic", "receive", "--province", "Lai Châu", "--year", "2025", "--period", "annual", "--on", "2026-02-01"];
    let out = ws.run(&receive);
    assert!(out.status.success(), "{out:?}");
    let board = stdout(&ws.run(&["periodic", "board", "--year", "2025", "--as-of", "2026-11-26"]));
    let lai_chau = board.lines().find(|l| l.contains("Lai Châu")).unwrap_or_default();
    assert!(lai_chau.contains("năm: đã nhận 01/02/2026"), "{board}");
    assert!(board.contains("Số báo cáo quá hạn chưa nhận: 67"), "the other 33 annual and all 34 six-month reports");
    let again = ws.run(&receive);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already recorded"), "{again:?}");
}
