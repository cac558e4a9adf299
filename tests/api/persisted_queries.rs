//! Automatic persisted queries, Apollo protocol: a client first sends only the hash; on
//! PersistedQueryNotFound it sends query and hash, and afterwards the hash alone works, over
//! POST and GET.

use reqwest::header::ACCEPT;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{TestApp, spawn_apps};

const QUERY: &str = "query Count($first: Int) { practices(first: $first) { totalCount } }";

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

async fn post(app: &TestApp, body: Value) -> Value {
    app.client
        .post(format!("{}/graphql", app.address))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn get(app: &TestApp, hash: &str) -> (u16, Value) {
    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .header(ACCEPT, "application/json")
        .query(&[
            ("extensions", persisted(hash).to_string()),
            ("variables", json!({ "first": 1 }).to_string()),
        ])
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn an_unknown_hash_asks_for_the_query_then_the_hash_alone_works_over_post_and_get() {
    for app in spawn_apps().await {
        let hash = format!("{:x}", Sha256::digest(QUERY.as_bytes()));

        let (status, unknown) = get(&app, &hash).await;
        assert_eq!(status, 200, "[{}] {unknown}", app.backend);
        assert_eq!(unknown["errors"][0]["message"], "PersistedQueryNotFound");
        assert_eq!(
            unknown["errors"][0]["extensions"]["code"],
            "PERSISTED_QUERY_NOT_FOUND"
        );

        let registered = post(
            &app,
            json!({ "query": QUERY, "variables": { "first": 1 }, "extensions": persisted(&hash) }),
        )
        .await;
        let total = registered["data"]["practices"]["totalCount"].clone();
        assert!(total.as_u64().unwrap() > 0, "{registered}");

        let by_post = post(
            &app,
            json!({ "variables": { "first": 1 }, "extensions": persisted(&hash) }),
        )
        .await;
        assert_eq!(
            by_post["data"]["practices"]["totalCount"], total,
            "{by_post}"
        );

        let (status, by_get) = get(&app, &hash).await;
        assert_eq!(status, 200);
        assert_eq!(by_get["data"]["practices"]["totalCount"], total, "{by_get}");
    }
}

#[tokio::test]
async fn a_hash_that_does_not_match_the_query_is_refused() {
    for app in spawn_apps().await {
        let response = post(
            &app,
            json!({ "query": QUERY, "extensions": persisted(&"0".repeat(64)) }),
        )
        .await;
        assert_eq!(
            response["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "[{}] {response}",
            app.backend
        );
        assert!(response.get("data").is_none());
    }
}

#[tokio::test]
async fn a_persisted_query_that_does_not_parse_says_so() {
    for app in spawn_apps().await {
        let broken = "{ practices(first: 1 { totalCount } }";
        let hash = format!("{:x}", Sha256::digest(broken.as_bytes()));
        let response = post(
            &app,
            json!({ "query": broken, "extensions": persisted(&hash) }),
        )
        .await;
        assert_eq!(
            response["errors"][0]["extensions"]["code"], "GRAPHQL_PARSE_FAILED",
            "[{}] {response}",
            app.backend
        );
    }
}

async fn register_then_ask_by_hash(app: &TestApp, query: &str) -> (Value, Value) {
    let hash = format!("{:x}", Sha256::digest(query.as_bytes()));
    let registered = post(
        app,
        json!({ "query": query, "extensions": persisted(&hash) }),
    )
    .await;
    let by_hash = post(app, json!({ "extensions": persisted(&hash) })).await;
    (registered, by_hash)
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

#[tokio::test]
async fn only_small_documents_that_pass_validation_are_kept() {
    for app in spawn_apps().await {
        let (registered, by_hash) = register_then_ask_by_hash(&app, "{ __typename }").await;
        assert_eq!(
            registered["data"]["__typename"], "Query",
            "[{}] {registered}",
            app.backend
        );
        assert_eq!(by_hash["data"]["__typename"], "Query", "{by_hash}");

        // Valid and well within the body limit, but larger than the cache keeps (16 KiB).
        let large = format!("{{ __typename }}{}", " ".repeat(20 * 1024));
        let (registered, by_hash) = register_then_ask_by_hash(&app, &large).await;
        assert_eq!(registered["data"]["__typename"], "Query", "{registered}");
        assert_eq!(code(&by_hash), "PERSISTED_QUERY_NOT_FOUND", "{by_hash}");

        let invalid = "{ noSuchField }";
        let (registered, by_hash) = register_then_ask_by_hash(&app, invalid).await;
        assert_eq!(
            code(&registered),
            "GRAPHQL_VALIDATION_FAILED",
            "{registered}"
        );
        assert_eq!(code(&by_hash), "PERSISTED_QUERY_NOT_FOUND", "{by_hash}");

        let unparsable = "{ __typename";
        let (registered, by_hash) = register_then_ask_by_hash(&app, unparsable).await;
        assert_eq!(code(&registered), "GRAPHQL_PARSE_FAILED", "{registered}");
        assert_eq!(code(&by_hash), "PERSISTED_QUERY_NOT_FOUND", "{by_hash}");
    }
}
