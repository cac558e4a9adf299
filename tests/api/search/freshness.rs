//! Writes reach the index (how fast is a benchmark's question, not a test's: the waits here
//! are generous bounds that only stop a hung indexer), a crashed indexer catches up without duplicates,
//! and a rebuild replaces the index under a running server.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kxc::search::SearchIndex;
use kxc::search::document::{RecordKind, SearchDocument};
use kxc::search::engine::TantivyIndex;
use kxc::search::indexer::Indexer;
use kxc::service::records::{PracticeRecord, parse_record};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, Statement, TransactionTrait};
use serde_json::{Value, json};

use super::{connect, keys, practice_line, search, wait_for};
use crate::helpers::{TestApp, spawn_apps};

#[tokio::test]
async fn a_published_practice_becomes_searchable_and_an_archived_one_disappears() {
    for app in spawn_apps().await {
        let db = connect(&app).await;
        let record: PracticeRecord = parse_record(&practice_line(
            "bergen-zeolite-heat",
            "Zeolite heat battery in Bergen",
            "published",
        ))
        .unwrap();
        let txn = db.begin().await.unwrap();
        kxc::service::practice_write::upsert(&txn, record)
            .await
            .unwrap();
        txn.commit().await.unwrap();
        let appeared = wait_for(&app, "zeolite", Duration::from_secs(30), |found| {
            found.iter().any(|slug| slug == "bergen-zeolite-heat")
        })
        .await;
        assert!(
            appeared.is_some(),
            "[{}] not searchable within 1 s of commit",
            app.backend
        );
        eprintln!(
            "[{}] searchable {:?} after commit",
            app.backend,
            appeared.unwrap_or_default()
        );

        let file = app.data_dir().join("archive.jsonl");
        std::fs::write(
            &file,
            practice_line(
                "bergen-zeolite-heat",
                "Zeolite heat battery in Bergen",
                "archived",
            ),
        )
        .unwrap();
        let output = app.kxc(&["import", "practices", file.to_str().unwrap()]);
        assert!(
            output.status.success(),
            "[{}] {}",
            app.backend,
            String::from_utf8_lossy(&output.stderr)
        );
        let gone = wait_for(&app, "zeolite", Duration::from_secs(30), |found| {
            found.is_empty()
        })
        .await;
        assert!(
            gone.is_some(),
            "[{}] archived practice still found after 1 s",
            app.backend
        );
    }
}

/// The ids of the practices matching `where_clause`, in id order.
async fn practice_ids(db: &DatabaseConnection, where_clause: &str) -> Vec<i32> {
    let rows = db
        .query_all_raw(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT id FROM practice WHERE {where_clause} ORDER BY id"),
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|row| row.try_get::<i32>("", "id").unwrap())
        .collect()
}

#[tokio::test]
async fn an_indexer_that_dies_before_committing_catches_up_without_duplicates() {
    for app in spawn_apps().await {
        let db = connect(&app).await;
        // Practices this test writes, one per way of being (not) public.
        let txn = db.begin().await.unwrap();
        for (slug, status) in [
            ("fresh-published", "published"),
            ("fresh-draft", "draft"),
            ("fresh-archived", "archived"),
            ("fresh-deleted", "published"),
        ] {
            let record: PracticeRecord =
                parse_record(&practice_line(slug, "Written by the test", status)).unwrap();
            kxc::service::practice_write::upsert(&txn, record)
                .await
                .unwrap();
        }
        txn.commit().await.unwrap();
        db.execute_unprepared(
            "UPDATE practice SET deleted_at = CURRENT_TIMESTAMP WHERE slug = 'fresh-deleted'",
        )
        .await
        .unwrap();
        let root = tempfile::tempdir().unwrap();
        TantivyIndex::start_build(root.path())
            .unwrap()
            .publish()
            .unwrap();
        let index = Arc::new(TantivyIndex::open(root.path()).unwrap().expect("published"));
        let latest = kxc::service::change_consumer::latest_seq(&db)
            .await
            .unwrap();

        let mut indexer = Indexer::new(db.clone(), index.clone());
        assert!(indexer.apply_next(400).await.unwrap() > 0);
        let committed = indexer.commit().await.unwrap();
        assert!(
            committed > 0 && committed < latest,
            "[{}] {committed} of {latest}",
            app.backend
        );
        assert!(indexer.apply_next(800).await.unwrap() > 0);
        drop(indexer); // dies with a batch applied but not committed
        assert_eq!(
            index.checkpoint(),
            committed,
            "[{}] uncommitted work must not count",
            app.backend
        );

        let mut restarted = Indexer::new(db.clone(), index.clone());
        assert_eq!(
            restarted.catch_up().await.unwrap(),
            latest,
            "[{}]",
            app.backend
        );

        let keys = index.doc_keys().unwrap();
        let mut seen = HashMap::new();
        for key in &keys {
            *seen.entry(*key).or_insert(0) += 1;
        }
        let duplicates: Vec<_> = seen.iter().filter(|(_, count)| **count > 1).collect();
        assert!(
            duplicates.is_empty(),
            "[{}] duplicates: {duplicates:?}",
            app.backend
        );
        let mut practices: Vec<i32> = keys
            .iter()
            .filter(|key| key.kind() == Some(RecordKind::Practice))
            .map(|key| key.id())
            .collect();
        practices.sort();
        // The public practices, by the rule written out here rather than the indexer's own
        // (`service::practices::visible`), so a bug the two share cannot pass.
        let visible = practice_ids(&db, "status = 'published' AND deleted_at IS NULL").await;
        let written = |slug: &str| {
            let db = db.clone();
            let slug = slug.to_owned();
            async move { practice_ids(&db, &format!("slug = '{slug}'")).await[0] }
        };
        assert!(visible.contains(&written("fresh-published").await));
        for hidden in ["fresh-draft", "fresh-archived", "fresh-deleted"] {
            let id = written(hidden).await;
            assert!(!visible.contains(&id), "[{}] {hidden}", app.backend);
            assert!(
                !practices.contains(&id),
                "[{}] {hidden} must not be indexed",
                app.backend
            );
        }
        assert_eq!(practices, visible, "[{}]", app.backend);
        let cities = kxc::entity::city::Entity::find()
            .all(&db)
            .await
            .unwrap()
            .len();
        assert_eq!(
            keys.iter()
                .filter(|key| key.kind() == Some(RecordKind::City))
                .count(),
            cities
        );

        // Applying the same change again (as after a crash between commits) replaces, never adds.
        drop(restarted);
        let mut session = index.session().unwrap();
        let document = SearchDocument::new(RecordKind::Practice, visible[0]);
        session.upsert(&document).unwrap();
        session.commit(latest).unwrap();
        session.upsert(&document).unwrap();
        session.commit(latest).unwrap();
        let again = index.doc_keys().unwrap();
        assert_eq!(again.len(), keys.len(), "[{}]", app.backend);
    }
}

#[tokio::test]
async fn reindex_swaps_the_index_while_serving_and_readyz_reports_the_lag() {
    for app in spawn_apps().await {
        let ready = |app: &TestApp| {
            let request = app.client.get(format!("{}/readyz", app.address));
            async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
        };
        // A burst of changes the indexer works through in batches: right after their commit the
        // index trails the log, and readiness must say so before it says the lag is gone.
        let db = connect(&app).await;
        let oslo = practice_ids(&db, "slug = 'oslo-climate-budget'").await[0];
        let txn = db.begin().await.unwrap();
        for _ in 0..3000 {
            kxc::service::change_log::append(
                &txn,
                kxc::service::change_log::RecordKind::Practice,
                oslo,
                kxc::service::change_log::Operation::Upsert,
            )
            .await
            .unwrap();
        }
        txn.commit().await.unwrap();
        let behind = ready(&app).await;
        assert!(
            behind["search"]["lag"].as_i64().unwrap() > 0,
            "[{}] {behind}",
            app.backend
        );
        let deadline = Instant::now() + Duration::from_secs(60);
        let before = loop {
            let now = ready(&app).await;
            if now["search"]["lag"] == 0 {
                break now;
            }
            assert!(
                Instant::now() < deadline,
                "[{}] the indexer never caught up: {now}",
                app.backend
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(
            before["search"]["checkpoint"], before["search"]["latest_change"],
            "[{}] {before}",
            app.backend
        );

        let output = app.kxc(&["reindex"]);
        assert!(
            output.status.success(),
            "[{}] {}",
            app.backend,
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("reindexed"), "[{}] {stdout}", app.backend);

        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let now = ready(&app).await;
            if now["search"]["generation"] != before["search"]["generation"] {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "[{}] server never switched: {now}",
                app.backend
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // A phrase, so the vocabulary's climate-budget concept does not widen the answer.
        let found = keys(&search(&app, "\"klimabudsjett\"", json!({})).await);
        assert_eq!(found, vec!["oslo-climate-budget"], "[{}]", app.backend);

        // The new generation keeps tailing the change log.
        let file = app.data_dir().join("after-reindex.jsonl");
        std::fs::write(
            &file,
            practice_line(
                "bergen-zeolite-heat",
                "Zeolite heat battery in Bergen",
                "published",
            ),
        )
        .unwrap();
        assert!(
            app.kxc(&["import", "practices", file.to_str().unwrap()])
                .status
                .success()
        );
        let appeared = wait_for(&app, "zeolite", Duration::from_secs(30), |found| {
            !found.is_empty()
        })
        .await;
        assert!(
            appeared.is_some(),
            "[{}] a write after the swap was not indexed",
            app.backend
        );
    }
}

/// Renames `table`'s row `id` (setting `column` to `value`) and logs the change as the
/// admin mutations do, in one transaction.
async fn rename(
    db: &DatabaseConnection,
    sql: &str,
    kind: kxc::service::change_log::RecordKind,
    id: i32,
) {
    let txn = db.begin().await.unwrap();
    txn.execute_unprepared(sql).await.unwrap();
    kxc::service::change_log::append(&txn, kind, id, kxc::service::change_log::Operation::Upsert)
        .await
        .unwrap();
    txn.commit().await.unwrap();
}

async fn id_of(db: &DatabaseConnection, sql: &str) -> i32 {
    let rows = db
        .query_all_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap();
    rows[0].try_get::<i32>("", "id").unwrap()
}

#[tokio::test]
async fn renaming_a_city_a_theme_or_a_funder_refreshes_the_documents_that_embed_its_name() {
    use kxc::service::change_log::RecordKind as Kind;
    for app in spawn_apps().await {
        let db = connect(&app).await;
        let wait = Duration::from_secs(20);
        let has = |slug: &'static str| move |found: &[String]| found.iter().any(|key| key == slug);

        let bergen = id_of(&db, "SELECT id FROM city WHERE slug = 'bergen'").await;
        assert!(
            wait_for(
                &app,
                "Zyxbergia",
                Duration::ZERO,
                has("bergen-bybanen-light-rail")
            )
            .await
            .is_none()
        );
        rename(
            &db,
            "UPDATE city SET name = 'Zyxbergia' WHERE slug = 'bergen'",
            Kind::City,
            bergen,
        )
        .await;
        assert!(
            wait_for(&app, "Zyxbergia", wait, has("bergen-bybanen-light-rail"))
                .await
                .is_some(),
            "[{}] the city's practices still carry its old name",
            app.backend
        );

        let roofs = id_of(
            &db,
            "SELECT id FROM theme WHERE path = 'nature-based-solutions/green-roofs-walls'",
        )
        .await;
        rename(
            &db,
            &format!("UPDATE theme_label SET label = 'Quuxgarden' WHERE theme_id = {roofs} AND language = 'en'"),
            Kind::Theme,
            roofs,
        )
        .await;
        assert!(
            wait_for(&app, "Quuxgarden", wait, has("hamburg-green-roof-strategy"))
                .await
                .is_some(),
            "[{}] the theme's practices still carry its old label",
            app.backend
        );

        let provider = id_of(
            &db,
            "SELECT provider_id AS id FROM funding_opportunity WHERE external_id = 'eib-elena'",
        )
        .await;
        rename(
            &db,
            &format!("UPDATE organisation SET name = 'Flimflam Bank' WHERE id = {provider}"),
            Kind::Organisation,
            provider,
        )
        .await;
        assert!(
            wait_for(&app, "Flimflam", wait, has("eib-elena"))
                .await
                .is_some(),
            "[{}] the funder's opportunities still carry its old name",
            app.backend
        );
    }
}
