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

const UPDATE_CONCEPT: &str = "mutation($input: UpdateConceptInput!) { updateConcept(input: $input) {
    concept { id key altLabels(lang: \"de\") themes { path } } userErrors { field code message } } }";
const CREATE_CONCEPT: &str =
    "mutation($input: CreateConceptInput!) { createConcept(input: $input) {
    concept { id key prefLabel(lang: \"en\") altLabels languages themes { path } }
    userErrors { field code message } } }";

/// Hits of `query` as `(slug, matched concept keys)`.
async fn concept_hits(app: &crate::helpers::TestApp, query: &str) -> Vec<(Value, Value)> {
    let data = app
        .data(
            "query($q: String!) { search(query: $q, first: 50) { hits { matchedConcepts { key }
                node { ... on Practice { slug } } } } }",
            json!({ "q": query }),
        )
        .await;
    data["search"]["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hit| (hit["node"]["slug"].clone(), hit["matchedConcepts"].clone()))
        .collect()
}

/// An admin adds the Swiss "Wärmeverbund" to district heating's German labels: the audit log
/// says so, and a search for the new label finds Munich's practice, tagged with the concept,
/// once the indexer has followed the change. A new concept is created and deleted the same way.
#[tokio::test]
async fn an_admin_adds_an_alternative_label_and_search_finds_the_tagged_practice() {
    for app in spawn_apps().await {
        let admin = app.api_key("admin", None).await;
        let munich = json!("munich-geothermal-district-heating");
        let before = concept_hits(&app, "Wärmeverbund").await;
        assert!(
            before.iter().all(|(slug, _)| slug != &munich),
            "[{}] found before the label exists: {before:?}",
            app.backend
        );
        let stored = app
            .data(
                "{ concept(key: \"district-heating\") { id labels { language label preferred } } }",
                json!({}),
            )
            .await["concept"]
            .clone();
        let german: Vec<&Value> = stored["labels"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|label| label["language"] == "de")
            .collect();
        let pref = german
            .iter()
            .find(|label| label["preferred"] == true)
            .unwrap()["label"]
            .clone();
        let mut alt: Vec<Value> = german
            .iter()
            .filter(|label| label["preferred"] == false)
            .map(|label| label["label"].clone())
            .collect();
        alt.push(json!("Wärmeverbund"));
        let updated = app
            .data_as(
                &admin,
                UPDATE_CONCEPT,
                json!({ "input": { "id": stored["id"], "reason": "Swiss usage",
                    "labels": [{ "language": "de", "prefLabel": pref, "altLabels": alt }] } }),
            )
            .await;
        let payload = &updated["updateConcept"];
        assert_eq!(
            payload["userErrors"],
            json!([]),
            "[{}] {updated}",
            app.backend
        );
        assert_eq!(payload["concept"]["altLabels"], json!(alt), "{updated}");
        assert!(!payload["concept"]["themes"].as_array().unwrap().is_empty());
        // Other languages keep their labels.
        let labels = app
            .data(
                "{ concept(key: \"district-heating\") { labels { language } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            labels["concept"]["labels"].as_array().unwrap().len(),
            stored["labels"].as_array().unwrap().len() + 1,
            "{labels}"
        );

        let log = app
            .data_as(
                &admin,
                "{ auditLog(first: 5, filter: { actions: [\"concept.update\"] }) {
                    nodes { action targetType reason details } } }",
                json!({}),
            )
            .await;
        let entry = &log["auditLog"]["nodes"][0];
        assert_eq!(entry["action"], "concept.update", "{log}");
        assert_eq!(entry["reason"], "Swiss usage");
        assert_eq!(entry["details"]["key"], "district-heating");

        let mut found = None;
        for _ in 0..200 {
            found = concept_hits(&app, "Wärmeverbund")
                .await
                .into_iter()
                .find(|(slug, _)| slug == &munich);
            if found.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let (_, concepts) =
            found.unwrap_or_else(|| panic!("[{}] Munich not found by the new label", app.backend));
        assert_eq!(concepts, json!([{ "key": "district-heating" }]));

        // A new concept, then deleted: the audit log keeps both.
        let created = app
            .data_as(
                &admin,
                CREATE_CONCEPT,
                json!({ "input": { "key": "superblock-kxc", "themes": ["mobility"],
                    "labels": [{ "language": "en", "prefLabel": "superblock", "altLabels": ["super block"] },
                               { "language": "es", "prefLabel": "supermanzana" }] } }),
            )
            .await;
        let concept = &created["createConcept"]["concept"];
        assert_eq!(
            created["createConcept"]["userErrors"],
            json!([]),
            "[{}] {created}",
            app.backend
        );
        assert_eq!(concept["prefLabel"], "superblock");
        assert_eq!(concept["altLabels"], json!(["super block"]));
        assert_eq!(concept["languages"], json!(["en", "es"]));
        assert_eq!(concept["themes"], json!([{ "path": "mobility" }]));
        let deleted = app
            .data_as(
                &admin,
                "mutation($input: DeleteConceptInput!) { deleteConcept(input: $input) {
                    deletedId userErrors { field message } } }",
                json!({ "input": { "id": concept["id"] } }),
            )
            .await;
        assert_eq!(
            deleted["deleteConcept"]["deletedId"], concept["id"],
            "{deleted}"
        );
        let gone = app
            .data("{ concept(key: \"superblock-kxc\") { key } }", json!({}))
            .await;
        assert_eq!(gone["concept"], Value::Null);
        let log = app
            .data_as(
                &admin,
                "{ auditLog(first: 5, filter: { actions: [\"concept.create\", \"concept.delete\"] }) {
                    nodes { action } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            log["auditLog"]["nodes"],
            json!([{ "action": "concept.delete" }, { "action": "concept.create" }]),
            "{log}"
        );
    }
}

/// Error paths in one order, to compare them as sets.
fn sorted(mut fields: Vec<Value>) -> Vec<Value> {
    fields.sort_by_key(Value::to_string);
    fields
}

/// Every bad input of `createConcept` and `updateConcept` answers `userErrors` at its path and
/// stores nothing; an unknown concept is `NOT_FOUND`.
#[tokio::test]
async fn bad_concept_input_answers_user_errors_at_their_paths_and_stores_nothing() {
    for app in spawn_apps().await {
        let admin = app.api_key("admin", None).await;
        let errors = |data: &Value, field: &str| -> Vec<Value> {
            let payload = &data[field];
            assert_eq!(payload["concept"], Value::Null, "{data}");
            let fields: Vec<Value> = payload["userErrors"]
                .as_array()
                .unwrap_or_else(|| panic!("{data}"))
                .iter()
                .inspect(|error| assert_eq!(error["code"], "BAD_USER_INPUT"))
                .map(|error| error["field"].clone())
                .collect();
            sorted(fields)
        };
        // What the input itself gets wrong.
        let parsed = app
            .data_as(
                &admin,
                CREATE_CONCEPT,
                json!({ "input": { "key": "Not A Slug", "themes": ["Not A Path"],
                    "labels": [{ "language": "xx", "prefLabel": "fine" },
                               { "language": "en", "prefLabel": "  ", "altLabels": ["ok", ""] }] } }),
            )
            .await;
        assert_eq!(
            errors(&parsed, "createConcept"),
            sorted(vec![
                json!(["input", "key"]),
                json!(["input", "labels", 0, "language"]),
                json!(["input", "labels", 1, "altLabels", 1]),
                json!(["input", "labels", 1, "prefLabel"]),
                json!(["input", "themes", 0]),
            ]),
            "[{}] {parsed}",
            app.backend
        );
        // What only the stored vocabulary can tell.
        let checked = app
            .data_as(
                &admin,
                CREATE_CONCEPT,
                json!({ "input": { "key": "green-roof", "themes": ["no-such-theme"],
                    "labels": [{ "language": "en", "altLabels": ["a", "A"] },
                               { "language": "EN", "altLabels": ["b"] }] } }),
            )
            .await;
        assert_eq!(
            errors(&checked, "createConcept"),
            sorted(vec![
                json!(["input", "key"]),
                json!(["input", "labels"]),
                json!(["input", "labels", 0, "altLabels", 1]),
                json!(["input", "labels", 1, "language"]),
                json!(["input", "themes", 0]),
            ]),
            "[{}] {checked}",
            app.backend
        );
        let fresh = app
            .data_as(
                &admin,
                CREATE_CONCEPT,
                json!({ "input": { "key": "kxc-never-stored",
                    "labels": [{ "language": "en", "altLabels": ["only alternative"] }] } }),
            )
            .await;
        assert_eq!(
            errors(&fresh, "createConcept"),
            vec![json!(["input", "labels"])],
            "{fresh}"
        );
        let none = app
            .data("{ concept(key: \"kxc-never-stored\") { key } }", json!({}))
            .await;
        assert_eq!(none["concept"], Value::Null);

        // Removing the only preferred labels leaves none: refused, the labels stay.
        let stored = app
            .data(
                "{ concept(key: \"green-roof\") { id languages labels { label } } }",
                json!({}),
            )
            .await["concept"]
            .clone();
        let every_language: Vec<Value> = stored["languages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|language| json!({ "language": language }))
            .collect();
        let emptied = app
            .data_as(
                &admin,
                UPDATE_CONCEPT,
                json!({ "input": { "id": stored["id"], "labels": every_language,
                    "themes": ["energy", "energy/unknown-leaf"] } }),
            )
            .await;
        assert_eq!(
            errors(&emptied, "updateConcept"),
            sorted(vec![
                json!(["input", "labels"]),
                json!(["input", "themes", 1])
            ]),
            "[{}] {emptied}",
            app.backend
        );
        let after = app
            .data(
                "{ concept(key: \"green-roof\") { id languages labels { label } } }",
                json!({}),
            )
            .await["concept"]
            .clone();
        assert_eq!(after, stored);

        let missing = app
            .graphql_as(
                &admin,
                UPDATE_CONCEPT,
                json!({ "input": { "id": "Y29uY2VwdDo5OTk5OTk", "themes": [] } }),
            )
            .await;
        assert_eq!(
            missing["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{missing}"
        );
    }
}

/// `GET /vocabulary.ttl` draws on the caller's budget like the other plain-HTTP reads: a small
/// anonymous budget is spent after two reads, then 429 with `Retry-After`.
#[tokio::test]
async fn the_vocabulary_file_is_charged_to_the_callers_budget() {
    let apps = crate::helpers::spawn_apps_with(|settings| {
        settings.auth.budget_anonymous = kxc::config::Budget {
            capacity: 1000,
            per_second: 1,
        };
    })
    .await;
    for app in apps {
        let url = format!("{}/vocabulary.ttl", app.address);
        let first = app.client.get(&url).send().await.unwrap();
        assert_eq!(first.status(), 200);
        assert_eq!(first.headers()["ratelimit-limit"], "1000");
        let remaining: u64 = first.headers()["ratelimit-remaining"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(remaining <= 500, "a read costs 500: {remaining}");
        assert_eq!(app.client.get(&url).send().await.unwrap().status(), 200);
        let refused = app.client.get(&url).send().await.unwrap();
        assert_eq!(refused.status(), 429, "[{}]", app.backend);
        assert!(refused.headers().contains_key("retry-after"));
        let admin = app.api_key("admin", None).await;
        let keyed = app
            .client
            .get(&url)
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(keyed.status(), 200, "a key draws on its own budget");
    }
}
