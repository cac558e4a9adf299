//! GraphQL over HTTP: status codes and media types of the GraphQL-over-HTTP spec.

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, ALLOW, CONTENT_TYPE};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_apps};

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

fn endpoint(app: &TestApp) -> String {
    format!("{}/graphql", app.address)
}

/// POSTs `body` as JSON with `accept`; returns status, content type and the JSON body.
async fn post(app: &TestApp, accept: &str, body: &Value) -> (StatusCode, String, Value) {
    let response = app
        .client
        .post(endpoint(app))
        .header(ACCEPT, accept)
        .json(body)
        .send()
        .await
        .unwrap();
    split(response).await
}

async fn split(response: reqwest::Response) -> (StatusCode, String, Value) {
    let status = response.status();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, content_type, body)
}

fn first_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

#[tokio::test]
async fn health_and_readiness_probes_answer() {
    for app in spawn_apps().await {
        let health = app
            .client
            .get(format!("{}/healthz", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(health.status(), 200);
        let ready = app
            .client
            .get(format!("{}/readyz", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(ready.status(), 200, "[{}]", app.backend);
        let body: serde_json::Value = ready.json().await.unwrap();
        assert_eq!(body["migrations_current"], true);
    }
}

#[tokio::test]
async fn a_query_can_be_sent_with_get() {
    for app in spawn_apps().await {
        let response: serde_json::Value = app
            .client
            .get(endpoint(&app))
            .query(&[("query", "{ practices(first: 1) { totalCount } }")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            response["data"]["practices"]["totalCount"]
                .as_u64()
                .unwrap()
                >= 30
        );
    }
}

#[tokio::test]
async fn a_mutation_over_get_is_405_and_names_post_as_allowed() {
    for app in spawn_apps().await {
        let response = app
            .client
            .get(endpoint(&app))
            .query(&[
                (
                    "query",
                    "query Read { __typename } mutation Write { __typename }",
                ),
                ("operationName", "Write"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405, "[{}]", app.backend);
        assert_eq!(response.headers()[ALLOW], "POST");
        let (_, _, body) = split(response).await;
        assert_eq!(first_code(&body), "BAD_USER_INPUT");
        assert!(body.get("data").is_none(), "{body}");

        // The query of the same document is not refused for its method.
        let read = app
            .client
            .get(endpoint(&app))
            .query(&[
                (
                    "query",
                    "query Read { __typename } mutation Write { __typename }",
                ),
                ("operationName", "Read"),
            ])
            .send()
            .await
            .unwrap();
        let (status, _, body) = split(read).await;
        assert_eq!(status, 200, "[{}] {body}", app.backend);
        assert!(body.get("errors").is_none(), "[{}] {body}", app.backend);
        assert_eq!(
            body["data"],
            json!({ "__typename": "Query" }),
            "[{}] the query operation runs, and only it",
            app.backend
        );
    }
}

#[tokio::test]
async fn operation_name_selects_the_operation_in_camel_case() {
    for app in spawn_apps().await {
        let (status, _, body) = post(
            &app,
            "application/json",
            &json!({
                "query": "query A { a: __typename } query B { b: __typename }",
                "operationName": "B",
            }),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(body["data"], json!({ "b": "Query" }), "{body}");
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_content_is_415() {
    for app in spawn_apps().await {
        let response = app
            .client
            .post(endpoint(&app))
            .header(CONTENT_TYPE, "text/plain")
            .body(r#"{"query":"{ __typename }"}"#)
            .send()
            .await
            .unwrap();
        let (status, _, body) = split(response).await;
        assert_eq!(status, 415, "[{}]", app.backend);
        assert_eq!(first_code(&body), "BAD_USER_INPUT");
    }
}

#[tokio::test]
async fn an_accept_header_without_a_json_media_type_is_406() {
    for app in spawn_apps().await {
        let (status, _, body) =
            post(&app, "text/plain", &json!({ "query": "{ __typename }" })).await;
        assert_eq!(status, 406, "[{}]", app.backend);
        assert_eq!(first_code(&body), "BAD_USER_INPUT");
    }
}

#[tokio::test]
async fn malformed_json_is_400_with_a_graphql_shaped_error() {
    for app in spawn_apps().await {
        for accept in ["application/json", GRAPHQL_RESPONSE] {
            let response = app
                .client
                .post(endpoint(&app))
                .header(CONTENT_TYPE, "application/json")
                .header(ACCEPT, accept)
                .body(r#"{"query": "{ __typename }""#)
                .send()
                .await
                .unwrap();
            let (status, content_type, body) = split(response).await;
            assert_eq!(status, 400, "[{}] {accept}", app.backend);
            assert!(content_type.starts_with(accept), "{content_type}");
            assert_eq!(first_code(&body), "BAD_USER_INPUT", "{body}");
        }
        let (status, _, body) = post(&app, "application/json", &json!({ "variables": {} })).await;
        assert_eq!(status, 400);
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("query")
        );
    }
}

#[tokio::test]
async fn graphql_response_json_answers_documents_that_fail_to_parse_or_validate_with_400() {
    for app in spawn_apps().await {
        let (status, content_type, body) = post(
            &app,
            GRAPHQL_RESPONSE,
            &json!({ "query": "{ practices(first: 1 { totalCount } }" }),
        )
        .await;
        assert_eq!(status, 400, "[{}] {body}", app.backend);
        assert!(content_type.starts_with(GRAPHQL_RESPONSE), "{content_type}");
        assert_eq!(first_code(&body), "GRAPHQL_PARSE_FAILED");
        assert!(
            body.get("data").is_none(),
            "a request error has no data: {body}"
        );

        let (status, _, body) = post(
            &app,
            GRAPHQL_RESPONSE,
            &json!({ "query": "{ practicez(first: 1) { totalCount } }" }),
        )
        .await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(first_code(&body), "GRAPHQL_VALIDATION_FAILED");
        assert!(body.get("data").is_none());

        let (status, content_type, body) = post(
            &app,
            GRAPHQL_RESPONSE,
            &json!({ "query": "{ practices(first: 1) { totalCount } }" }),
        )
        .await;
        assert_eq!(status, 200);
        assert!(content_type.starts_with(GRAPHQL_RESPONSE));
        assert!(body["data"]["practices"]["totalCount"].as_u64().unwrap() > 0);
    }
}

#[tokio::test]
async fn an_unknown_operation_name_is_a_request_error() {
    for app in spawn_apps().await {
        let (status, _, body) = post(
            &app,
            GRAPHQL_RESPONSE,
            &json!({ "query": "query A { __typename }", "operationName": "B" }),
        )
        .await;
        assert_eq!(status, 400, "[{}] {body}", app.backend);
        assert_eq!(first_code(&body), "GRAPHQL_VALIDATION_FAILED");
        assert!(body.get("data").is_none());
    }
}

#[tokio::test]
async fn application_json_answers_request_errors_with_200_and_no_data() {
    for app in spawn_apps().await {
        let (status, content_type, body) = post(
            &app,
            "application/json",
            &json!({ "query": "{ practicez }" }),
        )
        .await;
        assert_eq!(status, 200, "[{}]", app.backend);
        assert!(content_type.starts_with("application/json"));
        assert_eq!(first_code(&body), "GRAPHQL_VALIDATION_FAILED");
        assert!(body.get("data").is_none(), "{body}");
    }
}

#[tokio::test]
async fn a_field_error_during_execution_keeps_200_and_data() {
    for app in spawn_apps().await {
        let (status, _, body) = post(
            &app,
            GRAPHQL_RESPONSE,
            &json!({ "query": "{ practices(first: 0) { totalCount } }" }),
        )
        .await;
        assert_eq!(status, 200, "[{}] {body}", app.backend);
        assert!(
            body.get("data").is_some(),
            "execution started, so data is present: {body}"
        );
        assert_eq!(first_code(&body), "BAD_USER_INPUT");
    }
}

#[tokio::test]
async fn no_accept_header_means_application_json() {
    for app in spawn_apps().await {
        let response = app
            .client
            .post(endpoint(&app))
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap();
        let (status, content_type, _) = split(response).await;
        assert_eq!(status, 200);
        assert!(
            content_type.starts_with("application/json"),
            "{content_type}"
        );
    }
}

#[tokio::test]
async fn every_response_carries_nosniff_and_no_referrer_and_graphiql_allows_no_forms() {
    for app in spawn_apps().await {
        let ok = app
            .client
            .post(endpoint(&app))
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap();
        let unsupported = app
            .client
            .post(endpoint(&app))
            .header(CONTENT_TYPE, "text/plain")
            .body("{ __typename }")
            .send()
            .await
            .unwrap();
        let missing = app
            .client
            .get(format!("{}/graphiql/none.js", app.address))
            .send()
            .await
            .unwrap();
        let graphiql = app
            .client
            .get(endpoint(&app))
            .header(ACCEPT, "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), StatusCode::OK);
        assert_eq!(unsupported.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert_eq!(graphiql.status(), StatusCode::OK);
        for response in [&ok, &unsupported, &missing, &graphiql] {
            let headers = response.headers();
            assert_eq!(
                headers
                    .get("x-content-type-options")
                    .map(|v| v.to_str().unwrap()),
                Some("nosniff"),
                "[{}] {} {headers:?}",
                app.backend,
                response.url()
            );
            assert_eq!(
                headers.get("referrer-policy").map(|v| v.to_str().unwrap()),
                Some("no-referrer"),
                "[{}] {} {headers:?}",
                app.backend,
                response.url()
            );
        }
        let policy = graphiql.headers()["content-security-policy"]
            .to_str()
            .unwrap();
        assert!(
            policy
                .split(';')
                .any(|directive| directive.trim() == "form-action 'none'"),
            "[{}] {policy}",
            app.backend
        );
    }
}
