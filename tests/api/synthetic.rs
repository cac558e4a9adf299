//! `kxc seed --synthetic N --rng-seed S`: the benchmark corpus, through the public API.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::spawn_empty_apps;

const SYNTHETIC: &str = r#"query($first: Int, $after: String) {
  practices(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { slug title originalLanguage
      cities { slug countryCode region { ancestors { code kind } } }
      themes { path }
      translations { language }
      evaluations { evaluator } } }
  }
}"#;

#[tokio::test]
async fn a_synthetic_corpus_of_200_practices_is_queryable_and_deterministic() {
    let mut titles: Option<Vec<(String, String)>> = None;
    for app in spawn_empty_apps().await {
        let backend = app.backend;
        // A smaller run, then the full size: the second run writes only what is missing
        // (its batch holds stored and missing practices), then a third writes nothing.
        for (size, written) in [("150", 150), ("200", 50), ("200", 0)] {
            let seeded = app.kxc(&["seed", "--synthetic", size, "--rng-seed", "3"]);
            assert!(seeded.status.success(), "[{backend}] {seeded:?}");
            let stdout = String::from_utf8_lossy(&seeded.stdout);
            assert!(
                stdout.contains(&format!("synthetic: {written} practices")),
                "[{backend}] size {size}: {stdout}"
            );
        }

        let mut nodes: Vec<Value> = Vec::new();
        let mut after = Value::Null;
        loop {
            let data = app
                .data(SYNTHETIC, json!({ "first": 100, "after": after }))
                .await;
            let page = &data["practices"];
            nodes.extend(
                page["edges"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["node"].clone()),
            );
            if !page["pageInfo"]["hasNextPage"].as_bool().unwrap() {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        let synthetic: Vec<&Value> = nodes
            .iter()
            .filter(|node| node["slug"].as_str().unwrap().starts_with("syn3-"))
            .collect();
        assert_eq!(synthetic.len(), 200, "[{backend}] synthetic practices");
        let mut languages = std::collections::BTreeSet::new();
        let mut continents = std::collections::BTreeSet::new();
        for node in &synthetic {
            languages.insert(node["originalLanguage"].as_str().unwrap().to_owned());
            assert!(
                !node["cities"].as_array().unwrap().is_empty(),
                "[{backend}] {node}"
            );
            assert!(
                !node["themes"].as_array().unwrap().is_empty(),
                "[{backend}] {node}"
            );
            assert!(
                !node["translations"].as_array().unwrap().is_empty(),
                "[{backend}] {node}"
            );
            for city in node["cities"].as_array().unwrap() {
                for ancestor in city["region"]["ancestors"].as_array().unwrap() {
                    if ancestor["kind"] == "CONTINENT" {
                        continents.insert(ancestor["code"].as_str().unwrap().to_owned());
                    }
                }
            }
        }
        assert!(languages.len() >= 5, "[{backend}] languages {languages:?}");
        assert!(
            continents.len() >= 4,
            "[{backend}] continents {continents:?}"
        );
        assert!(
            synthetic
                .iter()
                .any(|node| !node["evaluations"].as_array().unwrap().is_empty()),
            "[{backend}] some evaluated"
        );

        let mut these: Vec<(String, String)> = synthetic
            .iter()
            .map(|node| {
                (
                    node["slug"].as_str().unwrap().to_owned(),
                    node["title"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        these.sort();
        match &titles {
            Some(first) => assert_eq!(first, &these, "[{backend}] same seed, same corpus"),
            None => titles = Some(these.clone()),
        }

        // The batches' change-log rows reach the index.
        let title = these[0].1.clone();
        let started = Instant::now();
        loop {
            let found = app
                .data(
                    "query($q: String!) { search(query: $q, types: [PRACTICE], first: 5) { hits { node { ... on Practice { slug } } } } }",
                    json!({ "q": title }),
                )
                .await;
            let hit = found["search"]["hits"]
                .as_array()
                .unwrap()
                .iter()
                .any(|hit| hit["node"]["slug"] == json!(these[0].0));
            if hit {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "[{backend}] not searchable: {found}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}
