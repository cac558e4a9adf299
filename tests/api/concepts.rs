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
            nodes.iter().all(
                |node| node["themes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|theme| theme["path"]
                        .as_str()
                        .unwrap()
                        .starts_with("nature-based-solutions/green-roofs-walls"))
            ),
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
            (
                format!("filter: {{ query: \"{long}\" }}"),
                json!(["filter", "query"]),
            ),
            (
                "filter: { language: \"xx\" }".to_owned(),
                json!(["filter", "language"]),
            ),
            (
                "filter: { theme: \"Not A Path\" }".to_owned(),
                json!(["filter", "theme"]),
            ),
            ("first: 101".to_owned(), json!(["first"])),
            ("after: \"garbage\"".to_owned(), json!(["after"])),
        ] {
            let response = app
                .graphql(
                    &format!("{{ concepts({arguments}) {{ nodes {{ key }} }} }}"),
                    json!({}),
                )
                .await;
            let error = &response["errors"][0]["extensions"];
            assert_eq!(
                error["code"], "BAD_USER_INPUT",
                "[{}] {response}",
                app.backend
            );
            assert_eq!(error["field"], field, "{response}");
        }
        let response = app.graphql("{ concept { key } }", json!({})).await;
        assert_eq!(
            response["errors"][0]["extensions"]["code"],
            "BAD_USER_INPUT"
        );
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
        assert_eq!(
            created["createPractice"]["userErrors"],
            json!([]),
            "{created}"
        );
        let id = created["createPractice"]["practice"]["id"].clone();

        let query = "query($q: String!) { search(query: $q, first: 20) { hits { score
            matchedConcepts { key prefLabel(lang: \"en\") }
            node { ... on Practice { id slug } } } } }";
        let data = app
            .data_as(&member, query, json!({ "q": "green roofs" }))
            .await;
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
        assert_eq!(
            munich["matchedConcepts"],
            json!([{ "key": "district-heating" }])
        );

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

const ALL_CONCEPTS: &str = "query($after: String) { concepts(first: 100, after: $after) {
    nodes { key uri labels { language label preferred } themes { path } broader { key } }
    pageInfo { hasNextPage endCursor } } }";

async fn every_concept(app: &crate::helpers::TestApp) -> Vec<Value> {
    let mut nodes = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = app.data(ALL_CONCEPTS, json!({ "after": after })).await;
        for mut node in data["concepts"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .cloned()
        {
            // Label order carries no meaning (SKOS has none); compare them as a set.
            let mut labels = node["labels"].as_array().unwrap().clone();
            labels.sort_by_key(|label| label.to_string());
            node["labels"] = Value::Array(labels);
            nodes.push(node);
        }
        if data["concepts"]["pageInfo"]["hasNextPage"] != true {
            return nodes;
        }
        after = data["concepts"]["pageInfo"]["endCursor"].clone();
    }
}

/// `GET /vocabulary.ttl` is SKOS Turtle; importing it again (`kxc vocabulary import`) leaves
/// every concept as it was, labels, themes and all.
#[tokio::test]
async fn the_skos_export_imports_back_to_the_same_concepts() {
    for app in spawn_apps().await {
        let response = reqwest::get(format!("{}/vocabulary.ttl", app.address))
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "text/turtle; charset=utf-8"
        );
        let turtle = response.text().await.unwrap();
        assert!(turtle.contains("skos:ConceptScheme"), "{}", &turtle[..500]);
        assert!(turtle.contains("\"Dachbegrünung\"@de"));
        assert!(turtle.contains("<urn:kxc:theme:nature-based-solutions/green-roofs-walls>"));

        let before = every_concept(&app).await;
        assert!(before.len() >= 150);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("vocabulary.ttl");
        std::fs::write(&file, &turtle).unwrap();
        let import = app.kxc(&["vocabulary", "import", file.to_str().unwrap()]);
        assert!(
            import.status.success(),
            "[{}] {}",
            app.backend,
            String::from_utf8_lossy(&import.stderr)
        );
        assert!(
            String::from_utf8_lossy(&import.stdout)
                .contains(&format!("imported {} concepts", before.len())),
            "{}",
            String::from_utf8_lossy(&import.stdout)
        );
        let after = every_concept(&app).await;
        assert!(
            after == before,
            "[{}] concepts changed on a round trip",
            app.backend
        );

        // The CLI export is the same document.
        let export = app.kxc(&["vocabulary", "export"]);
        assert!(export.status.success());
        assert_eq!(String::from_utf8_lossy(&export.stdout), turtle);
    }
}

/// A small GEMET-style file (foreign IRIs, language tags with regions, a hierarchy, a theme
/// given by `skos:exactMatch` on the top concept only): the concepts are stored with their
/// IRIs, the narrower one inherits the theme, and search expands with the new labels at once,
/// tagging documents that already mention them.
#[tokio::test]
async fn a_gemet_style_skos_file_is_loaded_and_search_uses_it() {
    let gemet = r#"
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<http://example.org/gemet/concept/100> a skos:Concept ;
    skos:prefLabel "heat supply"@en, "Wärmeversorgung"@de-DE ;
    skos:exactMatch <urn:kxc:theme:energy/district-heating-cooling> ;
    skos:narrower <http://example.org/gemet/concept/101> .
<http://example.org/gemet/concept/101> a skos:Concept ;
    skos:prefLabel "heat grid"@en ;
    skos:altLabel "Fernwärme"@de, "kaukolämpöverkko"@fi .
"#;
    for app in spawn_apps().await {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("gemet.ttl");
        std::fs::write(&file, gemet).unwrap();
        let import = app.kxc(&["vocabulary", "import", file.to_str().unwrap()]);
        assert!(
            import.status.success(),
            "[{}] {}",
            app.backend,
            String::from_utf8_lossy(&import.stderr)
        );
        let data = app
            .data(
                "{ concept(key: \"101\") { uri prefLabel(lang: \"en\") altLabels(lang: \"de\")
                    themes { path } broader { key prefLabel(lang: \"de\") } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            data["concept"],
            json!({ "uri": "http://example.org/gemet/concept/101", "prefLabel": "heat grid",
                    "altLabels": ["Fernwärme"],
                    "themes": [{ "path": "energy/district-heating-cooling" }],
                    "broader": { "key": "100", "prefLabel": "Wärmeversorgung" } }),
            "[{}] {data}",
            app.backend
        );

        // The indexer re-tags documents with the new vocabulary (it follows the change log).
        let query = "{ search(query: \"heat grid\", first: 50) { hits { matchedConcepts { key }
            node { ... on Practice { slug } } } } }";
        let mut found = None;
        for _ in 0..200 {
            let data = app.data(query, json!({})).await;
            found = data["search"]["hits"]
                .as_array()
                .unwrap()
                .iter()
                .find(|hit| {
                    // Partial matching finds Munich by "heat" at once; wait for the new tag.
                    hit["node"]["slug"] == "munich-geothermal-district-heating"
                        && hit["matchedConcepts"]
                            .as_array()
                            .is_some_and(|concepts| concepts.contains(&json!({ "key": "101" })))
                })
                .cloned();
            if found.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let munich =
            found.unwrap_or_else(|| panic!("[{}] Munich not found by `heat grid`", app.backend));
        assert_eq!(munich["matchedConcepts"], json!([{ "key": "101" }]));
    }
}

/// Bounds of an import: labels per concept, file size, Turtle syntax. Nothing is stored.
#[tokio::test]
async fn a_bad_skos_file_is_refused_and_nothing_is_stored() {
    for app in spawn_apps().await {
        let dir = tempfile::tempdir().unwrap();
        let before = every_concept(&app).await.len();
        let labels: Vec<String> = (0..201).map(|n| format!("\"label {n}\"@en")).collect();
        let too_many = format!(
            "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
             <http://example.org/ok> a skos:Concept ; skos:prefLabel \"fine\"@en .
             <http://example.org/big> a skos:Concept ; skos:prefLabel \"big\"@en ; skos:altLabel {} .",
            labels.join(", ")
        );
        let huge = dir.path().join("huge.ttl");
        // A sparse file: its size is what is checked, before anything is read.
        std::fs::File::create(&huge)
            .unwrap()
            .set_len(kxc::service::skos::MAX_FILE_BYTES + 1)
            .unwrap();
        for (name, content, message) in [
            ("labels.ttl", Some(too_many), "at most 200 labels"),
            (
                "syntax.ttl",
                Some("<a> <b> .".to_owned()),
                "not valid Turtle",
            ),
            ("huge.ttl", None, "may have at most"),
        ] {
            let file = dir.path().join(name);
            if let Some(content) = content {
                std::fs::write(&file, content).unwrap();
            }
            let import = app.kxc(&["vocabulary", "import", file.to_str().unwrap()]);
            assert!(
                !import.status.success(),
                "[{}] {name} was accepted",
                app.backend
            );
            let stderr = String::from_utf8_lossy(&import.stderr);
            assert!(
                stderr.contains(message),
                "[{}] {name}: {stderr}",
                app.backend
            );
        }
        assert_eq!(every_concept(&app).await.len(), before);
        let data = app
            .data("{ concept(key: \"ok\") { key } }", json!({}))
            .await;
        assert_eq!(data["concept"], Value::Null, "all or nothing");
    }
}
