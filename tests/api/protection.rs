//! Introspection and field suggestions switches, the production profile, CORS, compression,
//! and internal errors that reveal nothing.

use kxc::config::{CorsOrigins, Profile};
use reqwest::header::{
    ACCEPT_ENCODING, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_REQUEST_METHOD, CONTENT_ENCODING,
    ORIGIN,
};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{spawn_apps, spawn_apps_with};

const INTROSPECTION: &str = "{ __schema { queryType { name } } }";
const MISSPELT: &str = "{ practicez(first: 1) { totalCount } }";

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

fn message(body: &Value) -> &str {
    body["errors"][0]["message"].as_str().unwrap_or("")
}

#[tokio::test]
async fn introspection_and_suggestions_are_on_by_default() {
    for app in spawn_apps().await {
        let schema = app.data(INTROSPECTION, json!({})).await;
        assert_eq!(schema["__schema"]["queryType"]["name"], "Query");
        let misspelt = app.graphql(MISSPELT, json!({})).await;
        assert!(
            message(&misspelt).contains("Did you mean"),
            "[{}] {misspelt}",
            app.backend
        );
    }
}

#[tokio::test]
async fn introspection_can_be_switched_off() {
    for app in spawn_apps_with(|settings| settings.introspection = Some(false)).await {
        for query in [INTROSPECTION, r#"{ __type(name: "Practice") { name } }"#] {
            let response = app.graphql(query, json!({})).await;
            assert_eq!(
                code(&response),
                "GRAPHQL_VALIDATION_FAILED",
                "[{}] {response}",
                app.backend
            );
            assert!(message(&response).contains("introspection"));
            assert!(response.get("data").is_none());
        }
        // __typename is not introspection of the schema; clients rely on it.
        assert_eq!(
            app.data("{ __typename }", json!({})).await["__typename"],
            "Query"
        );
        let misspelt = app.graphql(MISSPELT, json!({})).await;
        assert!(message(&misspelt).contains("Did you mean"));
    }
}

#[tokio::test]
async fn the_production_profile_switches_introspection_and_suggestions_off() {
    for app in spawn_apps_with(|settings| settings.profile = Profile::Production).await {
        let schema = app.graphql(INTROSPECTION, json!({})).await;
        assert_eq!(
            code(&schema),
            "GRAPHQL_VALIDATION_FAILED",
            "[{}] {schema}",
            app.backend
        );
        let misspelt = app.graphql(MISSPELT, json!({})).await;
        assert_eq!(code(&misspelt), "GRAPHQL_VALIDATION_FAILED");
        assert!(!message(&misspelt).contains("Did you mean"), "{misspelt}");
        assert!(!message(&misspelt).contains("practices"), "{misspelt}");
    }
    // An explicit setting wins over the profile.
    for app in spawn_apps_with(|settings| {
        settings.profile = Profile::Production;
        settings.introspection = Some(true);
    })
    .await
    {
        assert_eq!(
            app.data(INTROSPECTION, json!({})).await["__schema"]["queryType"]["name"],
            "Query"
        );
    }
}

#[tokio::test]
async fn cors_lets_only_listed_origins_read_responses() {
    let allowed = "https://portal.example.org";
    for app in spawn_apps_with(|settings| {
        settings.api.cors_origins = CorsOrigins(vec![allowed.parse().unwrap()]);
    })
    .await
    {
        let endpoint = format!("{}/graphql", app.address);
        let preflight = app
            .client
            .request(reqwest::Method::OPTIONS, &endpoint)
            .header(ORIGIN, allowed)
            .header(ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header("access-control-request-headers", "content-type")
            .send()
            .await
            .unwrap();
        assert!(
            preflight.status().is_success(),
            "[{}] {}",
            app.backend,
            preflight.status()
        );
        assert_eq!(preflight.headers()[ACCESS_CONTROL_ALLOW_ORIGIN], allowed);

        for (origin, expected) in [(allowed, Some(allowed)), ("https://evil.example", None)] {
            let response = app
                .client
                .post(&endpoint)
                .header(ORIGIN, origin)
                .json(&json!({ "query": "{ __typename }" }))
                .send()
                .await
                .unwrap();
            let header = response
                .headers()
                .get(ACCESS_CONTROL_ALLOW_ORIGIN)
                .map(|value| value.to_str().unwrap().to_owned());
            assert_eq!(header.as_deref(), expected, "{origin}");
        }
    }
}

#[tokio::test]
async fn without_configured_origins_no_cors_headers_are_sent() {
    for app in spawn_apps().await {
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .header(ORIGIN, "https://portal.example.org")
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap();
        // The request itself is served; only the CORS permission is absent.
        assert_eq!(response.status(), 200, "[{}]", app.backend);
        assert!(
            response
                .headers()
                .get(ACCESS_CONTROL_ALLOW_ORIGIN)
                .is_none(),
            "[{}]",
            app.backend
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body["data"],
            json!({ "__typename": "Query" }),
            "[{}]",
            app.backend
        );
    }
}

#[tokio::test]
async fn responses_are_gzip_compressed_when_the_client_asks() {
    for app in spawn_apps().await {
        let query =
            json!({ "query": "{ cities(first: 100) { nodes { name slug countryCode } } }" });
        let plain = app
            .client
            .post(format!("{}/graphql", app.address))
            .json(&query)
            .send()
            .await
            .unwrap();
        assert!(plain.headers().get(CONTENT_ENCODING).is_none());
        let plain_length = plain.bytes().await.unwrap().len();

        let compressed = app
            .client
            .post(format!("{}/graphql", app.address))
            .header(ACCEPT_ENCODING, "gzip")
            .json(&query)
            .send()
            .await
            .unwrap();
        assert_eq!(
            compressed.headers()[CONTENT_ENCODING],
            "gzip",
            "[{}]",
            app.backend
        );
        let bytes = compressed.bytes().await.unwrap();
        assert_eq!(&bytes[..2], &[0x1f, 0x8b], "gzip magic number");
        assert!(
            bytes.len() * 2 < plain_length,
            "{} vs {plain_length}",
            bytes.len()
        );
    }
}

#[tokio::test]
async fn a_database_failure_is_internal_and_reveals_nothing_of_the_driver() {
    for app in spawn_apps().await {
        let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
        db.execute_unprepared("DROP TABLE practice_city")
            .await
            .unwrap();
        db.close().await.unwrap();

        let response = app
            .graphql(
                "{ practices(first: 3) { nodes { title cities { name } } } }",
                json!({}),
            )
            .await;
        let errors = response["errors"].as_array().expect("errors");
        assert!(!errors.is_empty());
        for error in errors {
            assert_eq!(
                error["extensions"]["code"], "INTERNAL",
                "[{}] {error}",
                app.backend
            );
            assert_eq!(error["message"], "internal error");
        }
        let text = response.to_string().to_lowercase();
        for leak in [
            "practice_city",
            "no such table",
            "does not exist",
            "relation",
            "sqlx",
            "sqlite",
            "postgres",
        ] {
            assert!(
                !text.contains(leak),
                "[{}] `{leak}` leaked: {text}",
                app.backend
            );
        }
    }
}
