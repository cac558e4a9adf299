//! Serving while the first index build runs, and `/metrics`.

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_apps, spawn_apps_unready};

const SEARCH: &str =
    r#"query FindHeating { search(query: "heating", types: [PRACTICE], first: 3) { totalCount } }"#;

async fn status(app: &TestApp, path: &str) -> (u16, String) {
    let response = app
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

#[tokio::test]
async fn the_server_listens_while_the_first_index_build_runs() {
    // A file where the index directory belongs makes the first build fail and retry, so the
    // test sees the not-ready window for as long as it keeps the file there.
    let apps = spawn_apps_unready(|settings| {
        std::fs::write(settings.index_dir(), b"not a directory").expect("block the index dir");
    })
    .await;
    for app in apps {
        let (health, _) = status(&app, "/healthz").await;
        assert_eq!(health, 200, "[{}] /healthz while building", app.backend);
        let (ready, body) = status(&app, "/readyz").await;
        assert_eq!(
            ready, 503,
            "[{}] /readyz while building: {body}",
            app.backend
        );
        let body: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["search"]["ready"], false, "[{}]", app.backend);
        assert_eq!(body["database"], true, "[{}]", app.backend);
        // Queries that need no search are served; searches fail with a clear error.
        let listed = app
            .data("{ practices(first: 1) { totalCount } }", json!({}))
            .await;
        assert!(listed["practices"]["totalCount"].as_u64().unwrap() > 0);
        let searched = app.graphql(SEARCH, json!({})).await;
        let message = searched["errors"][0]["message"]
            .as_str()
            .unwrap_or_default();
        assert!(
            message.contains("being built"),
            "[{}] search while building: {searched}",
            app.backend
        );

        std::fs::remove_file(app.data_dir().join("index")).unwrap();
        app.wait_until_ready(Duration::from_secs(60)).await;
        let searched = app.data(SEARCH, json!({})).await;
        assert!(
            searched["search"]["totalCount"].as_u64().unwrap() > 0,
            "[{}] {searched}",
            app.backend
        );
    }
}

/// The value of the first sample of `metric` whose labels contain every one of `labels`.
fn sample(text: &str, metric: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter(|line| {
            line.strip_prefix(metric)
                .is_some_and(|rest| rest.starts_with('{') || rest.starts_with(' '))
        })
        .find(|line| labels.iter().all(|label| line.contains(label)))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
}

#[tokio::test]
async fn metrics_are_scraped_in_the_prometheus_format() {
    for app in spawn_apps().await {
        app.data(SEARCH, json!({})).await;
        let failed = app
            .graphql(
                "query BrokenOne { practices(first: 1) { noSuchField } }",
                json!({}),
            )
            .await;
        assert!(failed.get("errors").is_some());
        // Client-chosen names beyond the bound fold into `other`.
        let long_name = format!("Q{}", "x".repeat(100));
        app.data(
            &format!("query {long_name} {{ practices(first: 1) {{ totalCount }} }}"),
            json!({}),
        )
        .await;

        let (code, text) = status(&app, "/metrics").await;
        assert_eq!(code, 200);
        let backend = app.backend;
        for (metric, labels) in [
            (
                "kxc_graphql_requests_total",
                &[r#"operation="FindHeating""#, r#"outcome="ok""#][..],
            ),
            (
                "kxc_graphql_requests_total",
                &[r#"operation="BrokenOne""#, r#"outcome="error""#],
            ),
            (
                "kxc_graphql_requests_total",
                &[r#"operation="other""#, r#"outcome="ok""#],
            ),
            (
                "kxc_graphql_request_duration_seconds_count",
                &[r#"operation="FindHeating""#],
            ),
            (
                "kxc_search_duration_seconds_count",
                &[r#"kind="search""#, r#"outcome="ok""#],
            ),
        ] {
            let value = sample(&text, metric, labels);
            assert!(
                value.is_some_and(|value| value >= 1.0),
                "[{backend}] {metric} {labels:?} missing in:\n{text}"
            );
        }
        assert!(!text.contains(&long_name), "[{backend}] long name kept");
        assert!(
            sample(
                &text,
                "kxc_graphql_request_duration_seconds_bucket",
                &[r#"le="0.005""#]
            )
            .is_some(),
            "[{backend}] histogram buckets"
        );
        for gauge in [
            "kxc_db_pool_max_connections",
            "kxc_search_ready",
            "kxc_search_index_lag_changes",
            "kxc_search_index_lag_seconds",
        ] {
            assert!(
                sample(&text, gauge, &[]).is_some(),
                "[{backend}] {gauge} missing"
            );
        }
        assert_eq!(sample(&text, "kxc_search_ready", &[]), Some(1.0));
        assert!(sample(&text, "kxc_db_pool_connections", &[r#"state="in_use""#]).is_some());
    }
}
