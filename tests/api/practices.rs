use serde_json::json;

use crate::helpers::spawn_apps;

const PAGE: &str = r#"query($first: Int, $after: String, $last: Int, $before: String) {
  practices(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { id slug } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}"#;

fn slugs(data: &serde_json::Value) -> Vec<String> {
    data["practices"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| edge["node"]["slug"].as_str().expect("slug").to_owned())
        .collect()
}

#[tokio::test]
async fn the_seeded_repository_holds_at_least_thirty_published_practices() {
    for app in spawn_apps().await {
        let data = app
            .data(
                "{ practices(first: 5) { totalCount edges { node { slug } } } }",
                json!({}),
            )
            .await;
        assert!(
            data["practices"]["totalCount"].as_u64().unwrap() >= 30,
            "[{}] {data}",
            app.backend
        );
        assert_eq!(data["practices"]["edges"].as_array().unwrap().len(), 5);
    }
}

#[tokio::test]
async fn paging_forward_then_backward_visits_every_practice_once() {
    for app in spawn_apps().await {
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let data = app.data(PAGE, json!({ "first": 7, "after": after })).await;
            seen.extend(slugs(&data));
            let info = &data["practices"]["pageInfo"];
            if !info["hasNextPage"].as_bool().unwrap() {
                break;
            }
            after = info["endCursor"].as_str().map(str::to_owned);
        }
        let total = app.data(PAGE, json!({ "first": 1 })).await["practices"]["totalCount"]
            .as_u64()
            .unwrap();
        assert_eq!(seen.len() as u64, total, "[{}]", app.backend);
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            seen.len(),
            "[{}] a practice appeared twice",
            app.backend
        );

        // The last page, read backwards, ends where the forward walk ended.
        let last = app.data(PAGE, json!({ "last": 3 })).await;
        assert_eq!(
            slugs(&last),
            seen[seen.len() - 3..].to_vec(),
            "[{}]",
            app.backend
        );
        let before = last["practices"]["pageInfo"]["startCursor"]
            .as_str()
            .unwrap()
            .to_owned();
        let previous = app.data(PAGE, json!({ "last": 3, "before": before })).await;
        assert_eq!(
            slugs(&previous),
            seen[seen.len() - 6..seen.len() - 3].to_vec(),
            "[{}]",
            app.backend
        );
        assert!(
            previous["practices"]["pageInfo"]["hasNextPage"]
                .as_bool()
                .unwrap()
        );
    }
}

#[tokio::test]
async fn page_sizes_outside_one_to_one_hundred_are_rejected_with_a_code_and_field() {
    for app in spawn_apps().await {
        for (variables, field) in [
            (json!({ "first": 0 }), "first"),
            (json!({ "first": 101 }), "first"),
            (json!({ "last": -5 }), "last"),
            (json!({}), "first"),
            (json!({ "first": 5, "after": "garbage" }), "after"),
        ] {
            let response = app.graphql(PAGE, variables.clone()).await;
            let error = &response["errors"][0];
            assert_eq!(
                error["extensions"]["code"], "BAD_USER_INPUT",
                "[{}] {variables}: {response}",
                app.backend
            );
            assert_eq!(
                error["extensions"]["field"][0], field,
                "[{}] {variables}: {response}",
                app.backend
            );
        }
    }
}

#[tokio::test]
async fn a_practice_is_found_by_slug_and_by_its_global_id() {
    for app in spawn_apps().await {
        let query = r#"{ practice(slug: "oslo-climate-budget") {
            id slug title originalLanguage sdgs
            evaluation { score label count }
            cities { slug name countryCode }
            themes { path label(lang: "de") }
        } }"#;
        let data = app.data(query, json!({})).await;
        let practice = &data["practice"];
        assert_eq!(
            practice["slug"], "oslo-climate-budget",
            "[{}] {data}",
            app.backend
        );
        assert_eq!(practice["cities"][0]["slug"], "oslo");
        assert!(practice["evaluation"]["count"].as_i64().unwrap() >= 1);
        let score = practice["evaluation"]["score"].as_f64().unwrap();
        assert!((1.0..=5.0).contains(&score));
        assert!(!practice["themes"].as_array().unwrap().is_empty());

        let id = practice["id"].as_str().unwrap();
        let node = app
            .data(
                "query($id: ID!) { node(id: $id) { id ... on Practice { slug } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(node["node"]["slug"], "oslo-climate-budget");

        let missing = app
            .data(
                r#"{ practice(slug: "no-such-practice") { id } }"#,
                json!({}),
            )
            .await;
        assert!(missing["practice"].is_null());
        let garbage = app
            .data(r#"{ node(id: "bm90LWFuLWlk") { id } }"#, json!({}))
            .await;
        assert!(garbage["node"].is_null());
    }
}
