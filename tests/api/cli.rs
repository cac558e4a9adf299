use serde_json::json;

use crate::helpers::{run_bounded, spawn_apps, spawn_empty_apps};

#[tokio::test]
async fn migrations_roll_down_to_zero_and_up_again() {
    for app in spawn_empty_apps().await {
        let down = app.kxc(&["migrate", "down", "--all"]);
        assert!(
            down.status.success(),
            "[{}] {}",
            app.backend,
            String::from_utf8_lossy(&down.stderr)
        );
        let status = String::from_utf8_lossy(&app.kxc(&["migrate", "status"]).stdout).to_string();
        assert!(!status.contains("Applied"), "[{}] {status}", app.backend);
        assert!(
            status.contains("Pending\tm0001_regions"),
            "[{}] {status}",
            app.backend
        );

        let up = app.kxc(&["migrate", "up"]);
        assert!(
            up.status.success(),
            "[{}] {}",
            app.backend,
            String::from_utf8_lossy(&up.stderr)
        );
        let status = String::from_utf8_lossy(&app.kxc(&["migrate", "status"]).stdout).to_string();
        assert!(!status.contains("Pending"), "[{}] {status}", app.backend);

        let seed = app.kxc(&["seed"]);
        assert!(
            seed.status.success(),
            "[{}] {}",
            app.backend,
            String::from_utf8_lossy(&seed.stderr)
        );
        let data = app
            .data("{ practices(first: 1) { totalCount } }", json!({}))
            .await;
        assert!(data["practices"]["totalCount"].as_u64().unwrap() >= 30);
    }
}

#[tokio::test]
async fn seeding_twice_changes_nothing() {
    for app in spawn_apps().await {
        let query = "{ practices(first: 1) { totalCount } cities(first: 1) { totalCount } themes { path } }";
        let before = app.data(query, json!({})).await;
        let seed = app.kxc(&["seed"]);
        assert!(
            seed.status.success(),
            "[{}] {}",
            app.backend,
            String::from_utf8_lossy(&seed.stderr)
        );
        assert!(String::from_utf8_lossy(&seed.stdout).contains("0 new regions"));
        assert_eq!(
            app.data(query, json!({})).await,
            before,
            "[{}]",
            app.backend
        );
    }
}

#[tokio::test]
async fn a_database_migrated_by_a_newer_binary_is_refused() {
    for app in spawn_empty_apps().await {
        let connection = sea_orm::Database::connect(&app.database_url).await.unwrap();
        sea_orm::ConnectionTrait::execute_unprepared(
            &connection,
            "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m9999_from_the_future', 0)",
        )
        .await
        .unwrap();
        connection.close().await.unwrap();
        let output = app.kxc(&["migrate", "up"]);
        assert!(!output.status.success(), "[{}]", app.backend);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("newer kxc") && stderr.contains("m9999_from_the_future"),
            "[{}] {stderr}",
            app.backend
        );
    }
}

#[test]
fn a_bad_setting_fails_fast_and_names_the_variable() {
    // A `serve` that got past its settings would run until killed; the bound turns that into a
    // failure instead of a hung suite.
    let data_dir = tempfile::tempdir().unwrap();
    let output = run_bounded(
        std::process::Command::new(env!("CARGO_BIN_EXE_kxc"))
            .arg("serve")
            .env("KXC_BIND", "not-an-address")
            .env("KXC_DATA_DIR", data_dir.path()),
        std::time::Duration::from_secs(30),
    );
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("KXC_BIND"));
}

#[tokio::test]
async fn sqlite_runs_in_wal_mode_with_a_busy_timeout_and_more_than_one_connection() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement, TransactionTrait};
    let dir = tempfile::tempdir().unwrap();
    let settings = kxc::config::Settings::with_data_dir(dir.path());
    let db = kxc::db::connect(&settings).await.unwrap();
    let pragma = |name: &str| Statement::from_string(DbBackend::Sqlite, format!("PRAGMA {name}"));
    let mode = db
        .query_one_raw(pragma("journal_mode"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(mode.try_get_by_index::<String>(0).unwrap(), "wal");
    let timeout = db
        .query_one_raw(pragma("busy_timeout"))
        .await
        .unwrap()
        .unwrap();
    assert!(timeout.try_get_by_index::<i64>(0).unwrap() >= 1000);
    // Two transactions open at once need two pooled connections (sea-orm's SQLite default is one).
    let first = db.begin().await.unwrap();
    let second = tokio::time::timeout(std::time::Duration::from_secs(5), db.begin()).await;
    assert!(
        second.is_ok_and(|txn| txn.is_ok()),
        "a second connection was available"
    );
    drop(first);
}
