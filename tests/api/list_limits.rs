//! Every list argument holds at most 100 items (`domain::limits::LIST_ARGUMENT`); a longer one
//! is BAD_USER_INPUT naming the argument, before any lookup runs.

use serde_json::{Value, json};

use crate::helpers::spawn_apps;

fn many(value: &str, count: usize) -> Value {
    json!(vec![value; count])
}

#[tokio::test]
async fn a_list_argument_over_100_items_is_refused_naming_it() {
    let practices =
        "query($filter: PracticeFilter) { practices(first: 1, filter: $filter) { totalCount } }";
    let cities = "query($filter: CityFilter) { cities(first: 1, filter: $filter) { totalCount } }";
    let funding = "query($filter: FundingFilter) { fundingOpportunities(first: 1, filter: $filter) { totalCount } }";
    let search = "query($filter: SearchFilter) { search(query: \"energy\", first: 1, filter: $filter) { __typename } }";
    let cases = [
        (practices, "themes", "energy"),
        (practices, "regions", "NO"),
        (practices, "cities", "oslo"),
        (practices, "languages", "en"),
        (cities, "countries", "NO"),
        (cities, "regions", "150"),
        (funding, "themes", "energy"),
        (funding, "sources", "kxc-seed"),
        (search, "regions", "NO"),
        (search, "themes", "energy"),
    ];
    for app in spawn_apps().await {
        for (query, field, value) in cases {
            let within = app
                .graphql(query, json!({ "filter": { field: many(value, 100) } }))
                .await;
            assert!(
                within.get("errors").is_none(),
                "[{}] 100 {field}: {within}",
                app.backend
            );

            let over = app
                .graphql(query, json!({ "filter": { field: many(value, 101) } }))
                .await;
            let error = &over["errors"][0];
            assert_eq!(
                error["extensions"]["code"], "BAD_USER_INPUT",
                "101 {field}: {over}"
            );
            assert_eq!(
                error["extensions"]["field"],
                json!(["filter", field]),
                "{over}"
            );
            assert!(
                error["message"].as_str().unwrap().contains("at most 100"),
                "{over}"
            );
            assert!(over["data"].is_null(), "{over}");
        }

        let sdgs = app
            .graphql(practices, json!({ "filter": { "sdgs": vec![11; 101] } }))
            .await;
        assert_eq!(
            sdgs["errors"][0]["extensions"]["field"],
            json!(["filter", "sdgs"]),
            "{sdgs}"
        );

        let nodes = app
            .graphql(
                "query($ids: [ID!]!) { nodes(ids: $ids) { __typename } }",
                json!({ "ids": many("x", 101) }),
            )
            .await;
        assert_eq!(
            nodes["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{nodes}"
        );
        assert_eq!(
            nodes["errors"][0]["extensions"]["field"],
            json!(["ids"]),
            "{nodes}"
        );
    }
}
