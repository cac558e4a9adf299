//! Every practice ordering, walked page by page in both directions, and keyset cursors that stay
//! correct while practices are added between page requests.

use serde_json::{Value, json};

use crate::helpers::{TestApp, practice_record, spawn_apps};

const FIELDS: &str = "slug title publishedAt updatedAt impactTco2e evaluation { score }";

fn key(node: &Value, field: &str) -> Value {
    match field {
        "PUBLISHED_AT" => node["publishedAt"].clone(),
        "UPDATED_AT" => node["updatedAt"].clone(),
        "TITLE" => node["title"].clone(),
        "SCORE" => json!(node["evaluation"]["score"].as_f64().unwrap_or(-1.0)),
        "IMPACT" => json!(node["impactTco2e"].as_f64().unwrap_or(-1.0)),
        _ => unreachable!(),
    }
}

fn not_after(field: &str, a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x <= y,
        _ => match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) if field.ends_with("_AT") => {
                chrono::DateTime::parse_from_rfc3339(x).unwrap()
                    <= chrono::DateTime::parse_from_rfc3339(y).unwrap()
            }
            // Titles follow the database's collation: code point order (UTF-8 bytes) on SQLite
            // and on a PostgreSQL database with the C collation, which
            // `assert_code_point_collation` makes sure of. `Zürich` sorts after `zero`, `B` before `a`.
            (Some(x), Some(y)) => x <= y,
            _ => panic!("incomparable {a} {b}"),
        },
    }
}

/// Title order is the database's: the exact expectations above hold for code point order, which
/// SQLite always uses and PostgreSQL uses under the C collation (the test server's default).
async fn assert_code_point_collation(app: &TestApp) {
    if app.backend != "postgres" {
        return;
    }
    let db = app.db().await;
    let row = sea_orm::ConnectionTrait::query_one_raw(
        &db,
        sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT datcollate FROM pg_database WHERE datname = current_database()",
        ),
    )
    .await
    .unwrap()
    .unwrap();
    let collation: String = row.try_get("", "datcollate").unwrap();
    assert!(
        matches!(collation.as_str(), "C" | "POSIX" | "C.UTF-8" | "C.utf8"),
        "the title order expectations need a PostgreSQL server with the C collation, not {collation}"
    );
    db.close().await.unwrap();
}

async fn walk_backwards(app: &TestApp, order: &Value, page: u32) -> Vec<String> {
    let query = "query($orderBy: PracticeOrder, $last: Int, $before: String) {
        practices(orderBy: $orderBy, last: $last, before: $before) {
          edges { node { slug } } pageInfo { hasPreviousPage startCursor } } }";
    let mut slugs: Vec<String> = Vec::new();
    let mut before = Value::Null;
    loop {
        let data = app
            .data(
                query,
                json!({ "orderBy": order, "last": page, "before": before }),
            )
            .await;
        let edges = data["practices"]["edges"].as_array().unwrap();
        let mut chunk: Vec<String> = edges
            .iter()
            .map(|edge| edge["node"]["slug"].as_str().unwrap().to_owned())
            .collect();
        chunk.extend(slugs);
        slugs = chunk;
        if !data["practices"]["pageInfo"]["hasPreviousPage"]
            .as_bool()
            .unwrap()
        {
            return slugs;
        }
        before = data["practices"]["pageInfo"]["startCursor"].clone();
    }
}

#[tokio::test]
async fn every_order_is_sorted_complete_and_the_same_both_ways() {
    for app in spawn_apps().await {
        assert_code_point_collation(&app).await;
        // Mixed case, so a case-insensitive order would differ from the one expected.
        app.import_practices(&[
            practice_record("mixed-case-upper", "Bz mixed case"),
            practice_record("mixed-case-lower", "ba mixed case"),
        ]);
        let total = app
            .all_practices(Value::Null, Value::Null, 100, "slug")
            .await
            .len();
        for field in ["PUBLISHED_AT", "UPDATED_AT", "SCORE", "IMPACT", "TITLE"] {
            for direction in ["ASC", "DESC"] {
                let order = json!({ "field": field, "direction": direction });
                let nodes = app
                    .all_practices(Value::Null, order.clone(), 7, FIELDS)
                    .await;
                assert_eq!(nodes.len(), total, "[{}] {order}", app.backend);
                for pair in nodes.windows(2) {
                    let (a, b) = (key(&pair[0], field), key(&pair[1], field));
                    let sorted = if direction == "ASC" {
                        not_after(field, &a, &b)
                    } else {
                        not_after(field, &b, &a)
                    };
                    assert!(sorted, "[{}] {order}: {a} then {b}", app.backend);
                }
                if field == "TITLE" {
                    let position = |slug: &str| {
                        nodes
                            .iter()
                            .position(|node| node["slug"] == slug)
                            .unwrap_or_else(|| panic!("[{}] {slug} missing", app.backend))
                    };
                    let (upper, lower) =
                        (position("mixed-case-upper"), position("mixed-case-lower"));
                    assert_eq!(
                        upper < lower,
                        direction == "ASC",
                        "[{}] {order}: `Bz` sorts before `ba` in code point order",
                        app.backend
                    );
                }
                let forward: Vec<String> = nodes
                    .iter()
                    .map(|node| node["slug"].as_str().unwrap().to_owned())
                    .collect();
                assert_eq!(
                    walk_backwards(&app, &order, 6).await,
                    forward,
                    "[{}] {order} backwards",
                    app.backend
                );
            }
        }
    }
}

#[tokio::test]
async fn a_cursor_keeps_its_place_while_practices_are_added() {
    for app in spawn_apps().await {
        let order = json!({ "field": "TITLE", "direction": "ASC" });
        let before_inserts = app
            .all_practices(Value::Null, order.clone(), 100, "slug title")
            .await;
        let query = "query($orderBy: PracticeOrder, $first: Int, $after: String) {
            practices(orderBy: $orderBy, first: $first, after: $after) {
              edges { node { slug title } } pageInfo { hasNextPage endCursor } } }";
        let first_page = app
            .data(query, json!({ "orderBy": order, "first": 10 }))
            .await;
        let cursor = first_page["practices"]["pageInfo"]["endCursor"].clone();
        let last_title = first_page["practices"]["edges"][9]["node"]["title"]
            .as_str()
            .unwrap()
            .to_owned();

        // One practice sorts before the cursor (already passed), one after it (still to come).
        app.import_practices(&[
            practice_record("inserted-before-cursor", "AAAA inserted before the cursor"),
            practice_record(
                "inserted-after-cursor",
                &format!("{last_title} zz inserted after"),
            ),
        ]);

        let mut rest = Vec::new();
        let mut after = cursor;
        loop {
            let data = app
                .data(
                    query,
                    json!({ "orderBy": order, "first": 10, "after": after }),
                )
                .await;
            rest.extend(
                data["practices"]["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|edge| edge["node"]["slug"].as_str().unwrap().to_owned()),
            );
            if !data["practices"]["pageInfo"]["hasNextPage"]
                .as_bool()
                .unwrap()
            {
                break;
            }
            after = data["practices"]["pageInfo"]["endCursor"].clone();
        }
        let mut expected: Vec<String> = before_inserts[10..]
            .iter()
            .map(|node| node["slug"].as_str().unwrap().to_owned())
            .collect();
        expected.insert(0, "inserted-after-cursor".to_owned());
        assert_eq!(
            rest, expected,
            "[{}] nothing skipped, nothing repeated",
            app.backend
        );
    }
}

#[tokio::test]
async fn a_cursor_from_another_ordering_is_rejected() {
    for app in spawn_apps().await {
        let query = "query($orderBy: PracticeOrder, $after: String) {
            practices(orderBy: $orderBy, first: 2, after: $after) { pageInfo { endCursor } } }";
        let page = app
            .data(
                query,
                json!({ "orderBy": { "field": "TITLE", "direction": "ASC" } }),
            )
            .await;
        let cursor = page["practices"]["pageInfo"]["endCursor"].clone();
        let response = app
            .graphql(
                query,
                json!({ "orderBy": { "field": "SCORE", "direction": "DESC" }, "after": cursor }),
            )
            .await;
        assert_eq!(
            response["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "[{}] {response}",
            app.backend
        );
        assert_eq!(
            response["errors"][0]["extensions"]["field"],
            json!(["after"])
        );
    }
}
