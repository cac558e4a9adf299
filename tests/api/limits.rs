//! Request limits: depth, complexity, aliases, batch size, body size and execution time, each
//! configurable and each failing with its own code.

use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{TestApp, spawn_apps, spawn_apps_with};

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

async fn post_raw(app: &TestApp, body: impl Into<reqwest::Body>) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header(CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_query_nested_deeper_than_the_limit_is_too_complex() {
    for app in spawn_apps_with(|settings| settings.api.max_depth = 3).await {
        let within = app
            .graphql("{ practices(first: 1) { nodes { title } } }", json!({}))
            .await;
        assert!(within.get("errors").is_none(), "[{}] {within}", app.backend);
        assert_eq!(within["extensions"]["cost"]["depth"], 3);

        let deep = app
            .graphql(
                "{ practices(first: 1) { nodes { cities { name } } } }",
                json!({}),
            )
            .await;
        assert_eq!(code(&deep), "QUERY_TOO_COMPLEX", "{deep}");
        assert!(deep.get("data").is_none());
        assert_eq!(deep["extensions"]["cost"]["depth"], 4);
        assert_eq!(deep["extensions"]["cost"]["maxDepth"], 3);
    }
}

#[tokio::test]
async fn a_connection_costs_first_times_its_selection() {
    for app in spawn_apps_with(|settings| settings.api.max_complexity = 100).await {
        // `nodes { title }` costs 2 per item, so 50 items cost exactly the limit.
        let query = "query ($first: Int) { practices(first: $first) { nodes { title } } }";
        let within = app.graphql(query, json!({ "first": 50 })).await;
        assert!(within.get("errors").is_none(), "[{}] {within}", app.backend);
        assert_eq!(within["extensions"]["cost"]["complexity"], 100);

        let over = app.graphql(query, json!({ "first": 51 })).await;
        assert_eq!(code(&over), "QUERY_TOO_COMPLEX", "{over}");
        assert_eq!(over["extensions"]["cost"]["complexity"], 102);

        let backwards = app
            .graphql("{ cities(last: 60) { nodes { name } } }", json!({}))
            .await;
        assert_eq!(code(&backwards), "QUERY_TOO_COMPLEX", "{backwards}");
        assert_eq!(backwards["extensions"]["cost"]["complexity"], 120);
    }
}

#[tokio::test]
async fn every_response_reports_its_cost() {
    for app in spawn_apps().await {
        let response = app
            .graphql(
                "{ practices(first: 10) { totalCount edges { node { title } } } }",
                json!({}),
            )
            .await;
        let cost = &response["extensions"]["cost"];
        assert_eq!(
            cost["complexity"],
            10 * (1 + 1 + 1 + 1),
            "[{}] {cost}",
            app.backend
        );
        assert_eq!(cost["maxComplexity"], 10_000);
        assert_eq!(cost["aliases"], 0);
    }
}

#[tokio::test]
async fn more_aliases_than_the_limit_are_too_complex() {
    for app in spawn_apps_with(|settings| settings.api.max_aliases = 2).await {
        let two = app
            .graphql("{ a: __typename b: __typename }", json!({}))
            .await;
        assert!(two.get("errors").is_none(), "[{}] {two}", app.backend);

        let three = app
            .graphql(
                "{ a: __typename ...F } fragment F on Query { b: __typename c: __typename }",
                json!({}),
            )
            .await;
        assert_eq!(code(&three), "QUERY_TOO_COMPLEX", "{three}");
        assert!(
            three["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("3 aliases")
        );
    }
}

#[tokio::test]
async fn a_batch_runs_each_request_and_a_larger_batch_is_refused() {
    for app in spawn_apps_with(|settings| settings.api.max_batch = 2).await {
        let two = json!([
            { "query": "{ practices(first: 1) { totalCount } }" },
            { "query": "query Q($first: Int) { cities(first: $first) { nodes { name } } }", "variables": { "first": 2 } },
        ]);
        let (status, body) = post_raw(&app, two.to_string()).await;
        assert_eq!(status, 200, "[{}] {body}", app.backend);
        assert!(body[0]["data"]["practices"]["totalCount"].as_u64().unwrap() > 0);
        assert_eq!(
            body[1]["data"]["cities"]["nodes"].as_array().unwrap().len(),
            2
        );

        let three = json!([{ "query": "{ __typename }" }, { "query": "{ __typename }" }, { "query": "{ __typename }" }]);
        let (status, body) = post_raw(&app, three.to_string()).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(code(&body), "BAD_USER_INPUT");
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    for app in spawn_apps_with(|settings| settings.api.max_body_bytes = 4096).await {
        let padding = " ".repeat(8192);
        let body = format!(r#"{{"query": "{{ __typename }}{padding}"}}"#);
        let (status, response) = post_raw(&app, body).await;
        assert_eq!(status, 413, "[{}]", app.backend);
        assert_eq!(code(&response), "BAD_USER_INPUT");

        let (status, _) = post_raw(&app, r#"{"query": "{ __typename }"}"#).await;
        assert_eq!(status, 200);
    }
}

#[tokio::test]
async fn a_huge_body_is_413_by_default() {
    for app in spawn_apps().await {
        let padding = " ".repeat(2 * 1024 * 1024);
        let (status, response) =
            post_raw(&app, format!(r#"{{"query": "{{ __typename }}{padding}"}}"#)).await;
        assert_eq!(status, 413, "[{}]", app.backend);
        assert_eq!(code(&response), "BAD_USER_INPUT");
    }
}

/// Without `Content-Length` the limit must hold too: the body is counted as it streams in.
#[tokio::test]
async fn a_chunked_body_over_the_limit_is_413() {
    for app in spawn_apps_with(|settings| settings.api.max_body_bytes = 4096).await {
        let host = app.address.trim_start_matches("http://");
        let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
        let head = format!(
            "POST /graphql HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
             Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let chunk = " ".repeat(1000);
        // The server may answer and close before the whole body is sent; write errors are fine.
        for _ in 0..10 {
            let frame = format!("{:x}\r\n{chunk}\r\n", chunk.len());
            if stream.write_all(frame.as_bytes()).await.is_err() {
                break;
            }
        }
        let _ = stream.write_all(b"0\r\n\r\n").await;
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer).await;
        assert!(
            answer.starts_with("HTTP/1.1 413"),
            "[{}] {}",
            app.backend,
            answer.lines().next().unwrap_or("")
        );
    }
}

/// `KXC_EXECUTION_TIMEOUT_MS` / `--execution-timeout-ms` as the server parses it.
fn execution_timeout_setting(value: &str) -> Result<u64, clap::Error> {
    #[derive(clap::Parser)]
    struct Flags {
        #[command(flatten)]
        api: kxc::config::ApiSettings,
    }
    <Flags as clap::Parser>::try_parse_from(["kxc", "--execution-timeout-ms", value])
        .map(|flags| flags.api.execution_timeout_ms)
}

/// Practices, their related practices, theirs and so on, `levels` deep: every level waits for
/// the database after the one above it answered, so the execution waits many times in a row.
fn deeply_related_query(levels: usize) -> String {
    let mut selection = "title".to_owned();
    for _ in 0..levels {
        selection = format!("title relatedPractices(first: 2) {{ {selection} }}");
    }
    format!("{{ practices(first: 2) {{ nodes {{ {selection} }} }} }}")
}

#[tokio::test]
async fn execution_longer_than_the_timeout_is_stopped() {
    let query = deeply_related_query(8);
    // Under the default limit the query completes, after more than a thousand statements.
    for app in spawn_apps().await {
        let response = app.graphql(&query, json!({})).await;
        assert!(
            response.get("errors").is_none(),
            "[{}] {response}",
            app.backend
        );
        let statements = response["extensions"]["sqlStatements"].as_u64().unwrap();
        assert!(
            statements >= 1000,
            "[{}] {statements} statements",
            app.backend
        );
    }

    // The smallest timeout the setting accepts; zero is refused at start-up.
    assert!(execution_timeout_setting("0").is_err());
    let timeout_ms = execution_timeout_setting("1").expect("1 ms is a valid setting");
    for app in spawn_apps_with(move |settings| settings.api.execution_timeout_ms = timeout_ms).await
    {
        // Some 1000 statements, most waiting for the level above: no machine runs them in
        // 1 ms (each is a round trip to a database thread or server), so a working timeout
        // always stops this execution, and a machine's speed could only make the test fail.
        let response = app.graphql(&query, json!({})).await;
        assert_eq!(code(&response), "TIMEOUT", "[{}] {response}", app.backend);
        assert_eq!(response["data"], Value::Null);
        assert!(
            response["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("longer than 1 ms"),
            "[{}] {response}",
            app.backend
        );
    }
}

/// `query { ...F0 }` where each `Fi` spreads `Fi+1` twice and the last selects `__typename`:
/// a few hundred bytes that make 3 × 2^levels - 1 selections once expanded.
fn doubling_fragments(levels: usize) -> String {
    let mut document = String::from("query { ...F0 }");
    for level in 0..levels {
        let next = level + 1;
        document.push_str(&format!(
            " fragment F{level} on Query {{ ...F{next} ...F{next} }}"
        ));
    }
    document.push_str(&format!(" fragment F{levels} on Query {{ __typename }}"));
    document
}

#[tokio::test]
async fn fragments_that_expand_past_the_limit_are_refused_before_validation() {
    for app in spawn_apps().await {
        let document = doubling_fragments(24);
        let posted = app.graphql(&document, json!({})).await;
        assert_eq!(
            code(&posted),
            "QUERY_TOO_COMPLEX",
            "[{}] {posted}",
            app.backend
        );
        assert!(
            posted["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("50331647 selections"),
            "{posted}"
        );
        assert!(posted.get("data").is_none());

        let (status, fetched) = {
            let response = app
                .client
                .get(format!("{}/graphql", app.address))
                .query(&[("query", document.as_str())])
                .send()
                .await
                .unwrap();
            (
                response.status().as_u16(),
                response.json::<Value>().await.unwrap(),
            )
        };
        assert_eq!(code(&fetched), "QUERY_TOO_COMPLEX", "{status} {fetched}");

        // A fragment that spreads itself is refused before anything walks it; spread twice,
        // async-graphql's own nesting check would take 2^32 steps.
        for cyclic in [
            "{ ...A } fragment A on Query { __typename ...B } fragment B on Query { ...A }",
            "{ ...A } fragment A on Query { ...A ...A }",
        ] {
            let cyclic = app.graphql(cyclic, json!({})).await;
            assert_eq!(code(&cyclic), "GRAPHQL_VALIDATION_FAILED", "{cyclic}");
            assert!(
                cyclic["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("`A` spreads itself"),
                "{cyclic}"
            );
            assert!(cyclic.get("data").is_none(), "{cyclic}");
        }
    }
}

#[tokio::test]
async fn the_expanded_selection_limit_is_configurable() {
    for app in spawn_apps_with(|settings| settings.api.max_expanded_selections = 23).await {
        let within = app.graphql(&doubling_fragments(3), json!({})).await;
        assert!(within.get("errors").is_none(), "[{}] {within}", app.backend);
        let over = app.graphql(&doubling_fragments(4), json!({})).await;
        assert_eq!(code(&over), "QUERY_TOO_COMPLEX", "{over}");
        assert!(
            over["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("at most 23"),
            "{over}"
        );
    }
}

#[tokio::test]
async fn more_directives_than_the_limit_are_too_complex() {
    for app in spawn_apps().await {
        let directives =
            |count: usize| format!("{{ __typename {} }}", "@include(if: true) ".repeat(count));
        let within = app.graphql(&directives(50), json!({})).await;
        // 50 directives pass the count; validation then refuses the repeated directive.
        assert_ne!(
            code(&within),
            "QUERY_TOO_COMPLEX",
            "[{}] {within}",
            app.backend
        );
        let fifty = format!("{{ {} }}", "__typename @include(if: true) ".repeat(50));
        let fine = app.graphql(&fifty, json!({})).await;
        assert!(fine.get("errors").is_none(), "{fine}");

        let over = app.graphql(&directives(51), json!({})).await;
        assert_eq!(code(&over), "QUERY_TOO_COMPLEX", "{over}");
        assert!(
            over["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("51 directives"),
            "{over}"
        );
    }
}

#[tokio::test]
async fn a_batch_shares_one_execution_deadline() {
    // With a zero timeout the batch's deadline has passed once its first operation is done, so
    // whatever comes after answers TIMEOUT without running, however fast it would be.
    // Without the response cache: with it, every anonymous query waits for one statement
    // (the change-log tail), and nothing that waits fits in a zero timeout.
    for app in spawn_apps_with(|settings| {
        settings.api.execution_timeout_ms = 0;
        settings.api.response_cache_bytes = 0;
    })
    .await
    {
        // Alone, an operation that never waits finishes within even a zero timeout.
        let alone = app.graphql("{ __typename }", json!({})).await;
        assert_eq!(
            alone["data"]["__typename"], "Query",
            "[{}] {alone}",
            app.backend
        );

        let batch = json!([
            { "query": "{ practices(first: 100) { nodes { title cities { name } } } }" },
            { "query": "{ __typename }" },
            { "query": "{ __typename }" },
        ]);
        let (status, body) = post_raw(&app, batch.to_string()).await;
        assert_eq!(status, 200, "{body}");
        for (index, answer) in body.as_array().unwrap().iter().enumerate() {
            assert_eq!(code(answer), "TIMEOUT", "operation {index}: {body}");
            assert_eq!(answer["data"], Value::Null, "operation {index}: {body}");
        }
    }
}
