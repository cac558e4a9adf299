//! The number of SQL statements a request runs does not grow with the page size.

use serde_json::json;

use crate::helpers::{practice_record, spawn_apps};

const PAGE: &str = "query($first: Int) { practices(first: $first) { edges { node {
    slug title language cities { name region { name } } themes { path label }
    evaluation { score label count criteria { impact } } translations { language title }
} } } }";

#[tokio::test]
async fn a_hundred_practice_page_with_relations_runs_a_small_constant_number_of_statements() {
    for app in spawn_apps().await {
        // Top the seed up so the page really holds 100 practices.
        let records: Vec<_> = (0..60)
            .map(|index| {
                practice_record(&format!("bulk-{index}"), &format!("Bulk practice {index}"))
            })
            .collect();
        app.import_practices(&records);
        // The server's theme and region snapshot is read once, by the first request.
        app.data(
            "{ practices(first: 1) { edges { node { slug } } } }",
            json!({}),
        )
        .await;

        let mut counts = Vec::new();
        for first in [1, 10, 100] {
            let response = app.graphql(PAGE, json!({ "first": first })).await;
            assert!(
                response.get("errors").is_none(),
                "[{}] {response}",
                app.backend
            );
            assert_eq!(
                response["data"]["practices"]["edges"]
                    .as_array()
                    .unwrap()
                    .len(),
                first as usize
            );
            counts.push(
                response["extensions"]["sqlStatements"]
                    .as_u64()
                    .expect("sqlStatements reported"),
            );
        }
        // The change-log tail, page, cities, regions, theme links (themes and their labels
        // come from the snapshot), evaluations, translations.
        assert!(
            counts.iter().all(|count| *count <= 7),
            "[{}] statements per page size 1/10/100: {counts:?}",
            app.backend
        );
        assert_eq!(
            counts[1], counts[2],
            "[{}] statements must not grow with the page: {counts:?}",
            app.backend
        );
    }
}

#[tokio::test]
async fn a_failed_non_null_field_nulls_its_nearest_nullable_parent() {
    for app in spawn_apps().await {
        // relatedPractices is non-null; first: 0 makes it fail.
        let response = app
            .graphql(r#"{ ok: practice(slug: "oslo-climate-budget") { slug } bad: practice(slug: "oslo-climate-budget") { slug relatedPractices(first: 0) { slug } } }"#, json!({}))
            .await;
        assert_eq!(
            response["data"]["ok"]["slug"], "oslo-climate-budget",
            "[{}] {response}",
            app.backend
        );
        assert!(
            response["data"]["bad"].is_null(),
            "[{}] the parent must be null, not missing a field: {response}",
            app.backend
        );
        assert_eq!(
            response["errors"][0]["path"],
            json!(["bad", "relatedPractices"])
        );

        // Inside a list of nullable items only the item becomes null.
        let practice_id = app
            .data(
                r#"{ practice(slug: "oslo-climate-budget") { id } }"#,
                json!({}),
            )
            .await["practice"]["id"]
            .clone();
        let city_id = app
            .data("{ cities(first: 1) { nodes { id } } }", json!({}))
            .await["cities"]["nodes"][0]["id"]
            .clone();
        assert!(city_id.is_string(), "[{}] {city_id}", app.backend);
        // The practice fails, the unknown id resolves to nothing, the city resolves in full: a
        // `nodes` that resolved nothing would not pass.
        let response = app
            .graphql("query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Practice { relatedPractices(first: 0) { slug } } } }", json!({ "ids": [city_id, practice_id, "bm9wZQ", city_id] }))
            .await;
        assert_eq!(
            response["data"]["nodes"],
            json!([{ "id": city_id }, null, null, { "id": city_id }]),
            "[{}] {response}",
            app.backend
        );
        assert_eq!(
            response["errors"][0]["path"],
            json!(["nodes", 1, "relatedPractices"]),
            "[{}] {response}",
            app.backend
        );

        // With no nullable ancestor, data itself is null.
        let response = app.graphql("{ practices(first: 1) { edges { node { relatedPractices(first: 0) { slug } } } } }", json!({})).await;
        assert!(response["data"].is_null(), "[{}] {response}", app.backend);
        assert_eq!(
            response["errors"][0]["extensions"]["code"],
            "BAD_USER_INPUT"
        );
    }
}

#[tokio::test]
async fn listing_every_country_with_its_tree_relations_stays_batched() {
    for app in spawn_apps().await {
        let response = app
            .graphql(
                "{ regions(kind: COUNTRY) { code parent { code } ancestors { code } children { code } cities(first: 100) { nodes { slug } } cityCount practiceCount } }",
                json!({}),
            )
            .await;
        assert!(
            response.get("errors").is_none(),
            "[{}] {response}",
            app.backend
        );
        assert!(response["data"]["regions"].as_array().unwrap().len() >= 240);
        let statements = response["extensions"]["sqlStatements"].as_u64().unwrap();
        assert!(
            statements <= 8,
            "[{}] {statements} statements for ~250 countries",
            app.backend
        );
    }
}
