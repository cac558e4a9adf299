//! Themes, regions, cities, organisations and networks.

use serde_json::json;

use crate::helpers::spawn_apps;

#[tokio::test]
async fn the_theme_tree_links_parents_children_and_counts_whole_subtrees() {
    for app in spawn_apps().await {
        let data = app
            .data(r#"{ theme(path: "energy/renewables") { path label(lang: "fr") labels { language label }
                 parent { path } ancestors { path } children { path practiceCount } practiceCount }
                 roots: themes(roots: true) { path depth } }"#, json!({}))
            .await;
        let theme = &data["theme"];
        assert_eq!(
            theme["parent"]["path"], "energy",
            "[{}] {data}",
            app.backend
        );
        assert_eq!(theme["ancestors"], json!([{ "path": "energy" }]));
        let children: Vec<&str> = theme["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["path"].as_str().unwrap())
            .collect();
        assert!(children.contains(&"energy/renewables/solar"));
        assert_eq!(theme["labels"].as_array().unwrap().len(), 5);
        let subtree = theme["practiceCount"].as_i64().unwrap();
        let largest_child = theme["children"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["practiceCount"].as_i64().unwrap())
            .max()
            .unwrap();
        assert!(subtree >= largest_child && subtree > 0);
        let filtered = app.data(r#"{ practices(first: 1, filter: { themes: ["energy/renewables"] }) { totalCount } }"#, json!({})).await;
        assert_eq!(
            filtered["practices"]["totalCount"].as_i64().unwrap(),
            subtree,
            "[{}] count = filter",
            app.backend
        );
        assert!(
            data["roots"]
                .as_array()
                .unwrap()
                .iter()
                .all(|root| root["depth"] == 0)
        );
        assert!(data["roots"].as_array().unwrap().len() >= 9);
    }
}

#[tokio::test]
async fn the_region_tree_runs_from_continents_to_subdivisions_with_cities_and_counts() {
    for app in spawn_apps().await {
        let data = app
            .data(r#"{ continents: regions { code name }
                 countries: regions(kind: COUNTRY) { code }
                 norway: region(code: "NO") { name kind alpha3 m49Code ancestors { code } parent { code }
                     children { code kind } cities(first: 100) { totalCount nodes { slug } } cityCount practiceCount } }"#, json!({}))
            .await;
        assert_eq!(
            data["continents"].as_array().unwrap().len(),
            5,
            "[{}] {data}",
            app.backend
        );
        assert!(
            data["countries"].as_array().unwrap().len() >= 240,
            "every ISO 3166-1 country"
        );
        let norway = &data["norway"];
        assert_eq!(norway["kind"], "COUNTRY");
        assert_eq!(norway["alpha3"], "NOR");
        assert_eq!(
            norway["ancestors"],
            json!([{ "code": "001" }, { "code": "150" }, { "code": "154" }])
        );
        assert!(
            norway["children"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["code"] == "NO-03" && c["kind"] == "SUBDIVISION")
        );
        let cities: Vec<&str> = norway["cities"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["slug"].as_str().unwrap())
            .collect();
        for slug in ["oslo", "asker", "drammen", "bergen", "trondheim"] {
            assert!(cities.contains(&slug), "{slug}");
        }
        assert_eq!(norway["cityCount"].as_u64().unwrap() as usize, cities.len());
        assert_eq!(norway["cities"]["totalCount"], norway["cityCount"]);
        let practices = app
            .data(
                r#"{ practices(first: 1, filter: { regions: ["NO"] }) { totalCount } }"#,
                json!({}),
            )
            .await;
        assert_eq!(
            norway["practiceCount"],
            practices["practices"]["totalCount"]
        );
    }
}

#[tokio::test]
async fn cities_can_be_filtered_and_show_memberships_commitments_and_practices() {
    for app in spawn_apps().await {
        let data = app
            .data(r#"{ nordic: cities(first: 100, filter: { regions: ["154"] }) { totalCount nodes { countryCode } }
                 c40: cities(first: 100, filter: { networks: ["c40"], countries: ["NO", "DK"] }) { nodes { slug } }
                 oslo: city(slug: "oslo") { name localNames { language name } region { code }
                     memberships { network { slug kind } since role }
                     commitments { initiative { slug } joinedOn criteriaMet reportingPlatform }
                     practices(first: 100) { totalCount nodes { slug } } targets { netZeroYear } } }"#, json!({}))
            .await;
        let nordic = data["nordic"]["nodes"].as_array().unwrap();
        assert!(nordic.len() >= 10, "[{}] {data}", app.backend);
        assert!(nordic.iter().all(|c| {
            ["NO", "SE", "DK", "FI", "IS", "GB", "IE", "EE", "LV", "LT"]
                .contains(&c["countryCode"].as_str().unwrap())
        }));
        let c40: Vec<&str> = data["c40"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["slug"].as_str().unwrap())
            .collect();
        assert!(
            c40.contains(&"oslo") && c40.contains(&"copenhagen") && !c40.contains(&"asker"),
            "{c40:?}"
        );
        let oslo = &data["oslo"];
        assert_eq!(oslo["region"]["code"], "NO-03");
        assert!(
            oslo["memberships"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["network"]["slug"] == "cnca"
                    && m["role"] == "FOUNDING_MEMBER"
                    && m["network"]["kind"] == "NETWORK")
        );
        assert!(
            oslo["commitments"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["initiative"]["slug"] == "eu-cities-mission")
        );
        assert!(oslo["practices"]["nodes"].as_array().unwrap().len() >= 2);
        assert_eq!(
            oslo["practices"]["totalCount"].as_u64().unwrap() as usize,
            oslo["practices"]["nodes"].as_array().unwrap().len()
        );

        let by_id = app.data("query($id: ID) { city(id: $id) { slug } }", json!({ "id": app.data(r#"{ city(slug: "oslo") { id } }"#, json!({})).await["city"]["id"] })).await;
        assert_eq!(by_id["city"]["slug"], "oslo");
    }
}

#[tokio::test]
async fn networks_list_their_members() {
    for app in spawn_apps().await {
        let data = app
            .data(
                r#"{ networks { slug kind members(first: 100) { totalCount nodes { city { slug } role } } }
                 funders: organisations(filter: { kinds: [FUNDER] }) { slug kind } }"#,
                json!({}),
            )
            .await;
        let networks = data["networks"].as_array().unwrap();
        for slug in [
            "c40",
            "cnca",
            "iclei",
            "eurocities",
            "covenant-of-mayors",
            "race-to-zero",
            "eu-cities-mission",
        ] {
            assert!(
                networks.iter().any(|n| n["slug"] == slug),
                "[{}] missing {slug}",
                app.backend
            );
        }
        let cnca = networks.iter().find(|n| n["slug"] == "cnca").unwrap();
        let founders = cnca["members"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["role"] == "FOUNDING_MEMBER")
            .count();
        assert_eq!(founders, 17);
        assert!(
            data["funders"]
                .as_array()
                .unwrap()
                .iter()
                .all(|o| o["kind"] == "FUNDER")
        );
    }
}

#[tokio::test]
async fn closed_sets_answer_as_enum_values() {
    for app in spawn_apps().await {
        let data = app
            .data(
                r#"{ berlin: city(slug: "berlin") { targets { status }
                        commitments { initiative { slug } criteriaMet }
                        memberships { network { slug kind } role } }
                     kinds: organisations { kind }
                     practice(slug: "oslo-climate-budget") { governanceLevel } }"#,
                json!({}),
            )
            .await;
        let berlin = &data["berlin"];
        let race_to_zero = berlin["commitments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["initiative"]["slug"] == "race-to-zero")
            .unwrap();
        assert_eq!(
            race_to_zero["criteriaMet"],
            json!(["PLEDGE", "PLAN", "PUBLISH"]),
            "[{}] {data}",
            app.backend
        );
        assert_eq!(
            berlin["targets"]["status"], "IN_LAW",
            "[{}] {data}",
            app.backend
        );
        let roles: Vec<(&str, &str)> = berlin["memberships"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["network"]["slug"].as_str().unwrap(),
                    m["role"].as_str().unwrap(),
                )
            })
            .collect();
        assert!(roles.contains(&("cnca", "FOUNDING_MEMBER")), "{roles:?}");
        assert!(roles.contains(&("c40", "MEMBER")), "{roles:?}");
        let kinds: std::collections::BTreeSet<&str> = data["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["kind"].as_str().unwrap())
            .collect();
        for kind in [
            "NETWORK",
            "INITIATIVE",
            "FUNDER",
            "INTERNATIONAL_BODY",
            "CITY_GOVERNMENT",
        ] {
            assert!(kinds.contains(kind), "[{}] {kinds:?}", app.backend);
        }
        assert_eq!(data["practice"]["governanceLevel"], "CITY");

        let initiatives = app
            .data(
                r#"{ organisations(filter: { kinds: [INITIATIVE, INTERNATIONAL_BODY] }) { slug kind } }"#,
                json!({}),
            )
            .await;
        let found = initiatives["organisations"].as_array().unwrap();
        assert!(
            found.iter().any(|o| o["slug"] == "race-to-zero"),
            "{initiatives}"
        );
        assert!(
            found
                .iter()
                .all(|o| o["kind"] == "INITIATIVE" || o["kind"] == "INTERNATIONAL_BODY")
        );
    }
}

#[tokio::test]
async fn an_unknown_enum_value_in_a_filter_is_a_validation_error() {
    for app in spawn_apps().await {
        for query in [
            r#"{ organisations(filter: { kinds: [UNIVERSITY] }) { slug } }"#,
            r#"{ organisations(filter: { kinds: ["funder"] }) { slug } }"#,
        ] {
            let body = app.graphql(query, json!({})).await;
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED",
                "[{}] {query}: {body}",
                app.backend
            );
            assert!(body["data"].is_null(), "{body}");
        }
        let body = app
            .graphql(
                "query($kinds: [OrganisationKind!]) { organisations(filter: { kinds: $kinds }) { slug } }",
                json!({ "kinds": ["city_government"] }),
            )
            .await;
        assert!(
            body["errors"][0]["message"].as_str().is_some(),
            "[{}] {body}",
            app.backend
        );
        assert!(body["data"].is_null(), "{body}");
    }
}
