use serde_json::json;
use vientro_store::audit::{self, AuditEntry};
use vientro_store::{Db, Exec, Stmt, now, on_both_backends};

async fn append_three(db: &Db) {
    for i in 0..3 {
        let mut tx = db.begin().await.unwrap();
        audit::append(
            &mut tx,
            &AuditEntry {
                actor: "tester",
                action: "create",
                entity: "organisation",
                entity_id: Some(i),
                before: None,
                after: Some(json!({ "name": format!("Tổ chức {i}") })),
            },
            now(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
    }
}

async fn an_untouched_audit_chain_verifies(db: Db) {
    append_three(&db).await;
    let report = audit::verify(&mut db.clone()).await.unwrap();
    assert_eq!(report.rows, 3);
    assert_eq!(report.first_broken, None);
}

async fn an_edited_audit_row_is_detected(db: Db) {
    append_three(&db).await;
    db.clone()
        .execute(Stmt::new("UPDATE audit_event SET actor = 'mallory' WHERE id = (SELECT MIN(id) + 1 FROM audit_event)"))
        .await
        .unwrap();
    let report = audit::verify(&mut db.clone()).await.unwrap();
    let (_, why) = report.first_broken.expect("tampering is found");
    assert!(why.contains("edited"), "{why}");
}

async fn a_deleted_audit_row_is_detected(db: Db) {
    append_three(&db).await;
    db.clone()
        .execute(Stmt::new("DELETE FROM audit_event WHERE id = (SELECT MIN(id) + 1 FROM audit_event)"))
        .await
        .unwrap();
    let report = audit::verify(&mut db.clone()).await.unwrap();
    let (_, why) = report.first_broken.expect("a missing row is found");
    assert!(why.contains("link"), "{why}");
}

async fn concurrent_appends_keep_one_unbroken_chain(db: Db) {
    let mut tasks = Vec::new();
    for i in 0..8 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let mut tx = db.begin().await.unwrap();
            audit::append(
                &mut tx,
                &AuditEntry {
                    actor: "t",
                    action: "create",
                    entity: "x",
                    entity_id: Some(i),
                    before: None,
                    after: None,
                },
                now(),
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let report = audit::verify(&mut db.clone()).await.unwrap();
    assert_eq!(report.rows, 8);
    assert_eq!(report.first_broken, None);
}

async fn many_entries_appended_at_once_chain_in_order_and_each_id_names_its_own_row(db: Db) {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        entity_id: Option<i64>,
    }
    // More rows than one statement holds (9 values each), so the ids of two statements are matched.
    let entries: Vec<AuditEntry<'_>> = (0..3_500)
        .map(|i| AuditEntry {
            actor: "tester",
            action: "create",
            entity: "flow",
            entity_id: Some(i),
            before: None,
            after: Some(json!({ "n": i })),
        })
        .collect();
    let mut tx = db.begin().await.unwrap();
    let ids = audit::append_many(&mut tx, &entries, now()).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(ids.len(), 3_500);
    let rows: Vec<Row> =
        db.clone().fetch_all(Stmt::new("SELECT id, entity_id FROM audit_event ORDER BY id")).await.unwrap();
    let stored: Vec<(i64, Option<i64>)> = rows.iter().map(|r| (r.id, r.entity_id)).collect();
    let expected: Vec<(i64, Option<i64>)> = ids.iter().zip(0..).map(|(id, i)| (*id, Some(i))).collect();
    assert_eq!(stored, expected);
    let report = audit::verify(&mut db.clone()).await.unwrap();
    assert_eq!((report.rows, report.first_broken), (3_500, None));
}

on_both_backends!(
    many_entries_appended_at_once_chain_in_order_and_each_id_names_its_own_row,
    an_untouched_audit_chain_verifies,
    an_edited_audit_row_is_detected,
    a_deleted_audit_row_is_detected,
    concurrent_appends_keep_one_unbroken_chain,
);
