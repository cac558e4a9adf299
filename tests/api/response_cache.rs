//! The response cache for anonymous queries: a repeated query is answered without running its
//! resolvers (one statement, the change-log tail, instead of the page's), and a write, from
//! the API or from another process, is visible to the very next request. The apps here keep
//! entries for an hour, so only exact invalidation can make a test see a change.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{TestApp, practice_record, spawn_apps_with};

const LIST: &str = "query($first: Int) { practices(first: $first) {
    totalCount edges { node { slug title cities { name } themes { label } } } } }";

const SEARCH: &str = r#"query($q: String!) { search(query: $q, types: [PRACTICE], first: 5) {
    totalCount hits { node { ... on Practice { slug } } } } }"#;

async fn cached_apps() -> Vec<TestApp> {
    spawn_apps_with(|settings| settings.api.response_cache_ttl_ms = 3_600_000).await
}

fn statements(response: &Value) -> u64 {
    response["extensions"]["sqlStatements"]
        .as_u64()
        .unwrap_or_else(|| panic!("sqlStatements reported: {response}"))
}

/// Waits until the search index reflects the last committed change: the index checkpoint is
/// part of every entry's version, so until then a repeated query may be computed again.
async fn caught_up(app: &TestApp) {
    let started = Instant::now();
    loop {
        let ready: Value = app
            .client
            .get(format!("{}/readyz", app.address))
            .send()
            .await
            .expect("readyz")
            .json()
            .await
            .expect("readyz JSON");
        if ready["search"]["lag"] == 0 {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "[{}] the index does not catch up: {ready}",
            app.backend
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_repeated_anonymous_query_is_answered_from_the_cache_until_a_write_commits() {
    for app in cached_apps().await {
        caught_up(&app).await;
        let variables = json!({ "first": 100 });
        let first = app.graphql_ok(LIST, variables.clone()).await;
        assert!(statements(&first) > 1, "[{}] {first}", app.backend);
        let again = app.graphql_ok(LIST, variables.clone()).await;
        assert_eq!(again["data"], first["data"], "[{}]", app.backend);
        assert_eq!(
            statements(&again),
            1,
            "[{}] a hit reads only the change-log tail",
            app.backend
        );
        // Other variables are another entry.
        let fewer = app.graphql_ok(LIST, json!({ "first": 2 })).await;
        assert!(statements(&fewer) > 1, "[{}]", app.backend);
        assert_eq!(
            fewer["data"]["practices"]["edges"]
                .as_array()
                .unwrap()
                .len(),
            2
        );

        // A write by another process (`kxc import`) is seen by the very next request.
        app.import_practices(&[practice_record("cached-write", "Cached write")]);
        let after = app.graphql_ok(LIST, variables.clone()).await;
        assert!(statements(&after) > 1, "[{}] {after}", app.backend);
        let total = |response: &Value| response["data"]["practices"]["totalCount"].as_u64();
        assert_eq!(
            total(&after),
            total(&first).map(|count| count + 1),
            "[{}]",
            app.backend
        );
        let slugs: Vec<&Value> = after["data"]["practices"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|edge| &edge["node"]["slug"])
            .collect();
        assert!(
            slugs.contains(&&json!("cached-write")),
            "[{}] {after}",
            app.backend
        );
        // Once the index has caught up with the import too, the answer is kept again.
        caught_up(&app).await;
        app.graphql_ok(LIST, variables.clone()).await;
        let again = app.graphql_ok(LIST, variables).await;
        assert_eq!(statements(&again), 1, "[{}]", app.backend);
        assert_eq!(again["data"], after["data"], "[{}]", app.backend);
    }
}

#[tokio::test]
async fn a_cached_search_follows_the_index_not_only_the_database() {
    for app in cached_apps().await {
        let variables = json!({ "q": "zanzibarish" });
        let before = app.graphql_ok(SEARCH, variables.clone()).await;
        assert_eq!(
            before["data"]["search"]["totalCount"], 0,
            "[{}]",
            app.backend
        );
        let mut record = practice_record("zanzibarish-ferries", "Zanzibarish ferries");
        record["summary"] = json!("Electric ferries across the zanzibarish strait.");
        app.import_practices(&[record]);
        // The database has the practice at once; the index a moment later. Whatever was
        // answered in between must not outlive the index catching up.
        let started = Instant::now();
        loop {
            let found = app.graphql_ok(SEARCH, variables.clone()).await;
            if found["data"]["search"]["totalCount"] == 1 {
                assert_eq!(
                    found["data"]["search"]["hits"][0]["node"]["slug"],
                    "zanzibarish-ferries"
                );
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "[{}] the new practice never became searchable: {found}",
                app.backend
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test]
async fn signed_in_viewers_and_other_languages_get_their_own_answers() {
    for app in cached_apps().await {
        // Creating the key is a write: let the index catch up with it before counting hits.
        let key = app.api_key("admin", None).await;
        caught_up(&app).await;
        let variables = json!({ "first": 5 });
        app.graphql_ok(LIST, variables.clone()).await;
        assert_eq!(
            statements(&app.graphql_ok(LIST, variables.clone()).await),
            1,
            "[{}]",
            app.backend
        );
        // A signed-in viewer may see more than the public: never answered from the cache.
        for _ in 0..2 {
            let response = app.graphql_as(&key, LIST, variables.clone()).await;
            assert!(
                response.get("errors").is_none(),
                "[{}] {response}",
                app.backend
            );
            assert!(statements(&response) > 1, "[{}] {response}", app.backend);
        }
        // Each accepted language is its own entry.
        let in_french = |app: &TestApp| {
            app.client
                .post(format!("{}/graphql", app.address))
                .header("accept-language", "fr")
                .json(&json!({ "query": LIST, "variables": variables }))
                .send()
        };
        let french: Value = in_french(&app).await.unwrap().json().await.unwrap();
        assert!(statements(&french) > 1, "[{}] {french}", app.backend);
        let french_again: Value = in_french(&app).await.unwrap().json().await.unwrap();
        assert_eq!(statements(&french_again), 1, "[{}]", app.backend);
        assert_eq!(french_again["data"], french["data"]);
    }
}

#[tokio::test]
async fn a_budget_of_zero_bytes_switches_the_cache_off() {
    for app in spawn_apps_with(|settings| settings.api.response_cache_bytes = 0).await {
        // The server's theme and region snapshot is read once, by the first request.
        app.graphql_ok(LIST, json!({ "first": 4 })).await;
        let variables = json!({ "first": 5 });
        let first = app.graphql_ok(LIST, variables.clone()).await;
        let again = app.graphql_ok(LIST, variables).await;
        assert_eq!(statements(&again), statements(&first), "[{}]", app.backend);
        assert!(statements(&again) > 1, "[{}]", app.backend);
    }
}
