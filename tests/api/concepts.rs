//! The multilingual concept vocabulary through the public API: `concepts`, `concept`, `node`,
//! and search finding a record written in another language through a concept it is tagged
//! with, ranked below direct matches and saying which concept matched.

use serde_json::{Value, json};

use crate::helpers::spawn_apps;

const CONCEPT_FIELDS: &str = "id key prefLabel(lang: \"de\") altLabels(lang: \"fr\")
    languages themes { path }";

#[tokio::test]
async fn concepts_are_listed_by_theme_label_and_language_and_found_by_id_and_key() {
    for app in spawn_apps().await {
        let data = app
            .data(
                &format!(
                    "{{ concepts(first: 100, filter: {{ theme: \"nature-based-solutions/green-roofs-walls\" }}) {{
                        nodes {{ {CONCEPT_FIELDS} }} pageInfo {{ hasNextPage endCursor }} }} }}"
                ),
                json!({}),
            )
            .await;
        let nodes = data["concepts"]["nodes"].as_array().unwrap();
        let green_roof = nodes
            .iter()
            .find(|node| node["key"] == "green-roof")
            .unwrap_or_else(|| panic!("[{}] {data}", app.backend));
        assert_eq!(green_roof["prefLabel"], "Dachbegrünung");
        assert!(
            green_roof["altLabels"]
                .as_array()
                .unwrap()
                .contains(&json!("toiture végétalisée")),
            "{green_roof}"
        );
        assert_eq!(green_roof["languages"].as_array().unwrap().len(), 11);
        assert!(
            nodes.iter().all(|node| node["themes"]
                .as_array()
                .unwrap()
                .iter()
                .any(|theme| theme["path"]
                    .as_str()
                    .unwrap()
                    .starts_with("nature-based-solutions/green-roofs-walls"))),
            "{data}"
        );

        // A label search in one language, paged.
        let page = |after: Value| {
            app.data(
                "query($after: String) { concepts(first: 1, after: $after,
                    filter: { query: \"FJERNVARME\", language: \"da\" }) {
                    edges { cursor node { key prefLabel(lang: \"en\") } } pageInfo { hasNextPage endCursor } } }",
                json!({ "after": after }),
            )
        };
        let first = page(Value::Null).await;
        assert_eq!(
            first["concepts"]["edges"][0]["node"]["key"], "district-heating",
            "[{}] {first}",
            app.backend
        );
        assert_eq!(
            first["concepts"]["edges"][0]["node"]["prefLabel"],
            "district heating"
        );
        let next = page(first["concepts"]["pageInfo"]["endCursor"].clone()).await;
        assert!(
            next["concepts"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .all(|edge| edge["node"]["key"] != "district-heating"),
            "{next}"
        );

        // Every seeded concept, over pages of 100.
        let all = app
            .data(
                "{ concepts(first: 100) { nodes { key } pageInfo { hasNextPage endCursor } } }",
                json!({}),
            )
            .await;
        assert_eq!(all["concepts"]["nodes"].as_array().unwrap().len(), 100);
        assert_eq!(all["concepts"]["pageInfo"]["hasNextPage"], true);

        // By global ID (concept and node) and by key.
        let id = green_roof["id"].clone();
        let by_id = app
            .data(
                "query($id: ID!) { concept(id: $id) { key } node(id: $id) { id ... on Concept { key prefLabel(lang: \"no\") } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(by_id["concept"]["key"], "green-roof");
        assert_eq!(by_id["node"]["prefLabel"], "grønne tak");
        let by_key = app
            .data(
                "{ concept(key: \"green-roof\") { id } missing: concept(key: \"no-such\") { id } }",
                json!({}),
            )
            .await;
        assert_eq!(by_key["concept"]["id"], id);
        assert_eq!(by_key["missing"], Value::Null);
    }
}

#[tokio::test]
async fn bad_concept_arguments_are_refused_with_their_path() {
    for app in spawn_apps().await {
        let long = "x".repeat(201);
        for (arguments, field) in [
            (format!("filter: {{ query: \"{long}\" }}"), json!(["filter", "query"])),
            ("filter: { language: \"xx\" }".to_owned(), json!(["filter", "language"])),
            ("filter: { theme: \"Not A Path\" }".to_owned(), json!(["filter", "theme"])),
            ("first: 101".to_owned(), json!(["first"])),
            ("after: \"garbage\"".to_owned(), json!(["after"])),
        ] {
            let response = app
                .graphql(&format!("{{ concepts({arguments}) {{ nodes {{ key }} }} }}"), json!({}))
                .await;
            let error = &response["errors"][0]["extensions"];
            assert_eq!(error["code"], "BAD_USER_INPUT", "[{}] {response}", app.backend);
            assert_eq!(error["field"], field, "{response}");
        }
        let response = app
            .graphql("{ concept { key } }", json!({}))
            .await;
        assert_eq!(response["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
}

/// A member's German-only draft about Dachbegrünung, searched in English by that member (who
/// sees their own drafts in search): found through the green-roof concept, below the
/// practices that say "green roofs" themselves.
#[tokio::test]
async fn an_english_query_finds_a_german_only_practice_through_a_concept() {
    for app in spawn_apps().await {
        let member = app.api_key("member", None).await;
        let created = app
            .data_as(
                &member,
                "mutation($input: CreatePracticeInput!) { createPractice(input: $input) {
                    practice { id } userErrors { field message } } }",
                json!({ "input": {
                    "title": "Kassel fördert Dachbegrünung auf Schulen",
                    "summary": "Die Stadt bezuschusst extensive Dachbegrünungen auf Schulgebäuden.",
                    "body": "## Ausgangslage\n\nViele Flachdächer in Kassel sind ungenutzt.",
                    "language": "de" } }),
            )
            .await;
        assert_eq!(created["createPractice"]["userErrors"], json!([]), "{created}");
        let id = created["createPractice"]["practice"]["id"].clone();

        let query = "query($q: String!) { search(query: $q, first: 20) { hits { score
            matchedConcepts { key prefLabel(lang: \"en\") }
            node { ... on Practice { id slug } } } } }";
        let data = app.data_as(&member, query, json!({ "q": "green roofs" })).await;
        let hits = data["search"]["hits"].as_array().unwrap();
        let position = |wanted: &Value| hits.iter().position(|hit| &hit["node"]["id"] == wanted);
        let kassel = position(&id).unwrap_or_else(|| panic!("[{}] not found: {data}", app.backend));
        assert_eq!(
            hits[kassel]["matchedConcepts"],
            json!([{ "key": "green-roof", "prefLabel": "green roof" }]),
            "{data}"
        );
        let hamburg = hits
            .iter()
            .position(|hit| hit["node"]["slug"] == "hamburg-green-roof-strategy")
            .unwrap_or_else(|| panic!("{data}"));
        assert!(hamburg < kassel, "a direct match ranks first: {data}");
        assert!(
            hits[hamburg]["score"].as_f64().unwrap() > hits[kassel]["score"].as_f64().unwrap(),
            "{data}"
        );

        // Without the vocabulary's words nothing is expanded: a query for the draft's own
        // German words finds it directly and names no concept it did not need.
        let direct = app
            .data_as(&member, query, json!({ "q": "Kassel Schulgebäuden" }))
            .await;
        let hit = &direct["search"]["hits"][0];
        assert_eq!(hit["node"]["id"], id, "{direct}");
        assert_eq!(hit["matchedConcepts"], json!([]), "{direct}");

        // Anonymous visitors do not see the draft, concept or not.
        let anonymous = app.data(query, json!({ "q": "green roofs" })).await;
        assert!(
            anonymous["search"]["hits"]
                .as_array()
                .unwrap()
                .iter()
                .all(|hit| hit["node"]["id"] != id),
            "{anonymous}"
        );
    }
}

/// Published practices are tagged when the index is built: a Norwegian query names the
/// district-heating concept a seeded German practice (Munich, Fernwärme) is tagged with, and a
/// phrase stays strict.
#[tokio::test]
async fn a_norwegian_query_finds_seeded_practices_through_their_concepts() {
    for app in spawn_apps().await {
        let query = "query($q: String!) { search(query: $q, first: 50) { hits {
            matchedConcepts { key } node { ... on Practice { slug } } } } }";
        let data = app.data(query, json!({ "q": "fjernvarme" })).await;
        let hits = data["search"]["hits"].as_array().unwrap();
        let munich = hits
            .iter()
            .find(|hit| hit["node"]["slug"] == "munich-geothermal-district-heating")
            .unwrap_or_else(|| panic!("[{}] {data}", app.backend));
        assert_eq!(munich["matchedConcepts"], json!([{ "key": "district-heating" }]));

        // A phrase stays strict: it is not expanded, so no hit names a concept.
        let phrase = app.data(query, json!({ "q": "\"fjernvarme\"" })).await;
        let hits = phrase["search"]["hits"].as_array().unwrap();
        assert!(!hits.is_empty(), "{phrase}");
        assert!(
            hits.iter().all(|hit| hit["matchedConcepts"] == json!([])),
            "{phrase}"
        );
    }
}
