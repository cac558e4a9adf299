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

        app.kxc_ok(&["seed"]);
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
        let seed = app.kxc_ok(&["seed"]);
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

/// `kxc import funding FILE.csv` reads what `GET /export/funding.csv` writes: an export
/// re-imports as all UNCHANGED (no `change_log` row), an edited row updates, and a bad row
/// (named by its line and field) stores nothing of the file.
#[tokio::test]
async fn a_csv_export_reimports_unchanged_and_a_bad_row_stores_nothing() {
    const SOURCE: &str = "city-portal";
    const UPSERT: &str = "mutation($input: UpsertFundingOpportunitiesInput!) {
        upsertFundingOpportunities(input: $input) { results { outcome } userErrors { message } } }";
    let titles = "query { fundingOpportunities(first: 10, filter: { sources: [\"city-portal\"] }) {
        nodes { externalId title summary version } } }";
    for app in spawn_apps().await {
        let partner = app.api_key("partner", Some(SOURCE)).await;
        let record = |external_id: &str, summary: &str| {
            json!({
                "externalId": external_id, "title": format!("Call {external_id}, \"quoted\""),
                "summary": summary, "instrument": "TECHNICAL_ASSISTANCE", "providerLevel": "EU",
                "eligibleRegions": ["DE", "FR-IDF"], "eligibleApplicants": ["NGO", "RESEARCH"],
                "themes": ["buildings"], "amountMin": 1500.5, "currency": "EUR", "rolling": true,
                "deadlines": ["2026-03-31", "2026-09-30"], "opensAt": "2026-01-15",
                "url": "https://portal.example.org/calls", "language": "de"
            })
        };
        let data = app
            .data_as(
                &partner,
                UPSERT,
                json!({ "input": { "source": SOURCE, "records": [
                    record("a", "One line."),
                    record("b", "Two\nlines."),
                    record("c", "Last one."),
                ] } }),
            )
            .await;
        assert_eq!(
            data["upsertFundingOpportunities"]["userErrors"],
            json!([]),
            "{data}"
        );
        let before = app.data(titles, json!({})).await;
        let csv = app
            .client
            .get(format!(
                "{}/export/funding.csv?source={SOURCE}",
                app.address
            ))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let file = app.data_dir().join("funding.csv");
        std::fs::write(&file, &csv).unwrap();
        let import = |path: &std::path::Path, extra: &[&str]| {
            let mut args = vec![
                "import",
                "funding",
                path.to_str().unwrap(),
                "--source",
                SOURCE,
            ];
            args.extend_from_slice(extra);
            app.kxc(&args)
        };
        let changes = || async {
            use sea_orm::{EntityTrait, PaginatorTrait};
            let db = app.db().await;
            let count = kxc::entity::change_log::Entity::find()
                .count(&db)
                .await
                .unwrap();
            db.close().await.unwrap();
            count
        };
        let changes_before = changes().await;

        let again = import(&file, &[]);
        let stdout = String::from_utf8_lossy(&again.stdout);
        assert!(again.status.success(), "[{}] {stdout}", app.backend);
        assert!(
            stdout.contains("0 stored, 3 unchanged, 0 rejected"),
            "[{}] {stdout}",
            app.backend
        );
        assert_eq!(changes().await, changes_before, "no change_log row");
        assert_eq!(app.data(titles, json!({})).await, before);

        // Bad rows: an amount that is not a number (row `b` starts on line 3 and spans two
        // lines, so `c` is on line 5) and an unknown instrument. Nothing is stored, not even
        // the edited title on line 2.
        let edited = csv.replacen("Call a, \"\"quoted\"\"", "Call a (edited)", 1);
        assert_ne!(edited, csv);
        let mut lines: Vec<String> = edited.lines().map(str::to_owned).collect();
        assert!(lines[2].starts_with("city-portal,b,"), "{lines:?}");
        assert!(lines[4].starts_with("city-portal,c,"), "{lines:?}");
        lines[3] = lines[3].replacen(",1500.5,", ",lots,", 1);
        lines[4] = lines[4].replacen("technical_assistance", "lottery", 1);
        let bad = lines.join("\n");
        let bad_file = app.data_dir().join("bad.txt");
        std::fs::write(&bad_file, &bad).unwrap();
        let refused = import(&bad_file, &["--format", "csv"]);
        let stdout = String::from_utf8_lossy(&refused.stdout);
        assert!(!refused.status.success(), "[{}] {stdout}", app.backend);
        assert!(
            stdout.contains("line 3: amount_min: `lots` is not a number"),
            "[{}] {stdout}",
            app.backend
        );
        assert!(
            stdout.contains("line 5: instrument:"),
            "[{}] {stdout}",
            app.backend
        );
        assert!(
            stdout.contains("0 stored, 0 unchanged, 2 rejected"),
            "[{}] {stdout}",
            app.backend
        );
        assert_eq!(app.data(titles, json!({})).await, before, "nothing stored");
        assert_eq!(changes().await, changes_before);

        // An unknown column is named with the header line.
        std::fs::write(&bad_file, csv.replacen("source,", "colour,", 1)).unwrap();
        let refused = import(&bad_file, &["--format", "csv"]);
        let stdout = String::from_utf8_lossy(&refused.stdout);
        assert!(
            stdout.contains("line 1: colour: unknown column"),
            "[{}] {stdout}",
            app.backend
        );

        // The edited export updates the one edited record.
        let edited_file = app.data_dir().join("edited.csv");
        std::fs::write(&edited_file, &edited).unwrap();
        let updated = import(&edited_file, &[]);
        let stdout = String::from_utf8_lossy(&updated.stdout);
        assert!(
            stdout.contains("1 stored, 2 unchanged, 0 rejected"),
            "[{}] {stdout}",
            app.backend
        );
        let after = app.data(titles, json!({})).await;
        let nodes = after["fundingOpportunities"]["nodes"].as_array().unwrap();
        let a = nodes.iter().find(|node| node["externalId"] == "a").unwrap();
        assert_eq!(a["title"], "Call a (edited)");
        assert_eq!(a["version"], 2);
        assert_eq!(changes().await, changes_before + 1);
    }
}

/// After `kxc seed` (a bulk load) the planner has statistics: PostgreSQL's `last_analyze` is
/// set by a manual `ANALYZE` (not by autovacuum), SQLite's `sqlite_stat1` exists only after one.
#[tokio::test]
async fn a_bulk_load_leaves_the_planner_statistics_of_what_it_wrote() {
    use sea_orm::{ConnectionTrait, Statement};
    for app in spawn_apps().await {
        app.kxc_ok(&["seed"]);
        let db = app.db().await;
        let backend = db.get_database_backend();
        let sql = if app.backend == "postgres" {
            "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'practice' AND last_analyze IS NOT NULL"
        } else {
            "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'practice'"
        };
        let row = db
            .query_one_raw(Statement::from_string(backend, sql))
            .await
            .unwrap()
            .unwrap();
        let count: i64 = row.try_get_by_index(0).unwrap();
        assert!(count > 0, "[{}] no statistics for practice", app.backend);
        db.close().await.unwrap();
    }
}
