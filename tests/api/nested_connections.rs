//! The lists on types that can grow without bound are Relay connections like the root lists:
//! `City.practices`, `Theme.practices`, `Region.cities` and `Organisation.members` page with
//! `first`/`after` (each page's items once, in order) and their `totalCount` is what the
//! matching root list or count says; they are costed as connections.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_apps};

/// Walks a connection page by page (`query` passes `$after` to it, with `first` at most 2) and
/// returns every node and its `totalCount`.
async fn walk(app: &TestApp, query: &str, pick: impl Fn(&Value) -> &Value) -> (Vec<Value>, u64) {
    let mut nodes = Vec::new();
    let mut after = Value::Null;
    let mut total = None;
    for _ in 0..100 {
        let data = app.data(query, json!({ "after": after })).await;
        let connection = pick(&data);
        total.get_or_insert(connection["totalCount"].as_u64().expect("totalCount"));
        assert_eq!(
            connection["totalCount"].as_u64(),
            total,
            "[{}] totalCount is stable",
            app.backend
        );
        let page = connection["nodes"].as_array().unwrap();
        assert!(page.len() <= 2, "[{}] first: 2", app.backend);
        nodes.extend(page.iter().cloned());
        if connection["pageInfo"]["hasNextPage"] != json!(true) {
            return (nodes, total.unwrap());
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
    panic!("[{}] paging does not end", app.backend);
}

fn slugs(nodes: &[Value], field: impl Fn(&Value) -> &Value) -> Vec<String> {
    nodes
        .iter()
        .map(|node| field(node).as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_citys_and_a_themes_practices_page_like_the_filtered_root_list() {
    for app in spawn_apps().await {
        let (nodes, total) = walk(
            &app,
            r#"query($after: String) { city(slug: "oslo") {
                practices(first: 1, after: $after) { totalCount nodes { slug } pageInfo { hasNextPage endCursor } } } }"#,
            |data| &data["city"]["practices"],
        )
        .await;
        let listed = app
            .all_practices(json!({ "cities": ["oslo"] }), Value::Null, 100, "slug")
            .await;
        assert!(nodes.len() >= 2, "[{}] more than one page", app.backend);
        assert_eq!(total as usize, nodes.len());
        assert_eq!(
            slugs(&nodes, |node| &node["slug"]),
            slugs(&listed, |node| &node["slug"]),
            "[{}] same practices in the same (newest first) order",
            app.backend
        );

        let (nodes, total) = walk(
            &app,
            r#"query($after: String) { theme(path: "energy") { practiceCount
                practices(first: 2, after: $after, orderBy: { field: TITLE, direction: ASC }) {
                    totalCount nodes { slug } pageInfo { hasNextPage endCursor } } } }"#,
            |data| &data["theme"]["practices"],
        )
        .await;
        let listed = app
            .all_practices(
                json!({ "themes": ["energy"] }),
                json!({ "field": "TITLE", "direction": "ASC" }),
                100,
                "slug",
            )
            .await;
        assert!(nodes.len() > 2, "[{}] more than one page", app.backend);
        assert_eq!(total as usize, nodes.len());
        assert_eq!(
            slugs(&nodes, |node| &node["slug"]),
            slugs(&listed, |node| &node["slug"]),
            "[{}] the theme's subtree, by title",
            app.backend
        );
        let count = app
            .data(r#"{ theme(path: "energy") { practiceCount } }"#, json!({}))
            .await;
        assert_eq!(count["theme"]["practiceCount"].as_u64(), Some(total));
    }
}

#[tokio::test]
async fn a_regions_cities_and_a_networks_members_page_in_order() {
    for app in spawn_apps().await {
        let (nodes, total) = walk(
            &app,
            r#"query($after: String) { region(code: "NO") { cityCount
                cities(first: 2, after: $after) { totalCount nodes { slug name } pageInfo { hasNextPage endCursor } } } }"#,
            |data| &data["region"]["cities"],
        )
        .await;
        let listed = app
            .data(
                r#"{ cities(first: 100, filter: { regions: ["NO"] }) { totalCount nodes { slug } } }"#,
                json!({}),
            )
            .await;
        assert!(nodes.len() > 2, "[{}] more than one page", app.backend);
        assert_eq!(json!(total), listed["cities"]["totalCount"]);
        let mut by_name = slugs(
            &listed["cities"]["nodes"].as_array().unwrap().clone(),
            |n| &n["slug"],
        );
        by_name.sort();
        let mut walked = slugs(&nodes, |node| &node["slug"]);
        let names = slugs(&nodes, |node| &node["name"]);
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "[{}] by name", app.backend);
        walked.sort();
        assert_eq!(walked, by_name, "[{}]", app.backend);

        let (nodes, total) = walk(
            &app,
            r#"query($after: String) { organisation(slug: "cnca") {
                members(first: 2, after: $after) { totalCount nodes { city { slug } role } pageInfo { hasNextPage endCursor } } } }"#,
            |data| &data["organisation"]["members"],
        )
        .await;
        let cities = app
            .data(
                r#"{ cities(first: 100, filter: { networks: ["cnca"] }) { totalCount } }"#,
                json!({}),
            )
            .await;
        assert_eq!(
            json!(total),
            cities["cities"]["totalCount"],
            "[{}]",
            app.backend
        );
        assert_eq!(total as usize, nodes.len());
        let mut members = slugs(&nodes, |node| &node["city"]["slug"]);
        members.sort();
        members.dedup();
        assert_eq!(
            members.len(),
            nodes.len(),
            "[{}] each member once",
            app.backend
        );
    }
}

#[tokio::test]
async fn nested_connections_need_a_page_size_and_are_costed_as_connections() {
    for app in spawn_apps().await {
        for query in [
            r#"{ city(slug: "oslo") { practices { totalCount } } }"#,
            r#"{ region(code: "NO") { cities { totalCount } } }"#,
            r#"{ organisation(slug: "cnca") { members { totalCount } } }"#,
            r#"{ theme(path: "energy") { practices { totalCount } } }"#,
        ] {
            let response = app.graphql(query, json!({})).await;
            assert_eq!(
                response["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
                "[{}] {query}: {response}",
                app.backend
            );
        }
        // 100 cities × 100 practices × 2 fields is far over the default limit of 10 000.
        let response = app
            .graphql(
                "{ cities(first: 100) { nodes { practices(first: 100) { nodes { slug title } } } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            response["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX",
            "[{}] {response}",
            app.backend
        );
        let response = app
            .graphql(
                "{ cities(first: 10) { nodes { practices(first: 10) { nodes { slug } } } } }",
                json!({}),
            )
            .await;
        assert!(
            response.get("errors").is_none(),
            "[{}] {response}",
            app.backend
        );
        // slug 1, nodes 1 + 1, ten of them 20; a city's nodes 1 + 20, ten cities 210.
        assert_eq!(response["extensions"]["cost"]["complexity"], 210);
    }
}
