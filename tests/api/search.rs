use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use kxc::config::Settings;
use kxc::search::SearchIndex;
use kxc::search::document::{DocKind, SearchDocument};
use kxc::search::engine::TantivyIndex;
use kxc::search::indexer::Indexer;
use kxc::service::records::{PracticeRecord, parse_record};
use sea_orm::{DatabaseConnection, EntityTrait, QuerySelect, TransactionTrait};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_apps};

const SEARCH: &str = r#"
query($query: String!, $types: [SearchType!], $filter: SearchFilter, $orderBy: SearchOrder,
      $first: Int, $after: String, $facets: [Facet!], $language: String) {
  search(query: $query, types: $types, filter: $filter, orderBy: $orderBy, first: $first,
         after: $after, facets: $facets, language: $language) {
    totalCount suggestion language
    pageInfo { hasNextPage endCursor }
    hits {
      score cursor distanceKm
      highlights { field language snippet }
      node {
        __typename
        ... on Practice { slug }
        ... on City { slug }
        ... on FundingOpportunity { externalId }
      }
    }
    facets { facet values { value label count children { value label count children { value count } } } }
  }
}"#;

/// The slug (or external id) of each hit, best first.
fn keys(search: &Value) -> Vec<String> {
    search["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|hit| {
            let node = &hit["node"];
            node["slug"]
                .as_str()
                .or(node["externalId"].as_str())
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

async fn search(app: &TestApp, query: &str, mut variables: Value) -> Value {
    variables["query"] = json!(query);
    app.data(SEARCH, variables).await["search"].clone()
}

async fn connect(app: &TestApp) -> DatabaseConnection {
    let mut settings = Settings::with_data_dir(app.data_dir());
    settings.database_url = Some(app.database_url.clone());
    kxc::db::connect(&settings).await.expect("connect")
}

enum Expect {
    /// Every one of these is among the first three hits.
    Top3(&'static [&'static str]),
    /// Every one of these is among the first ten hits.
    Top10(&'static [&'static str]),
    /// None of these is among the first ten hits (and there is at least one hit).
    Absent(&'static [&'static str]),
}

fn relevance_cases() -> Vec<(&'static str, Value, Expect)> {
    use Expect::*;
    let none = json!({});
    vec![
        // English theme words
        (
            "cycling",
            none.clone(),
            Top3(&["copenhagen-cycle-superhighways"]),
        ),
        (
            "heat pumps",
            none.clone(),
            Top3(&["drammen-seawater-heat-pump-district-heating"]),
        ),
        (
            "green roofs",
            none.clone(),
            Top3(&["hamburg-green-roof-strategy"]),
        ),
        (
            "green bonds",
            none.clone(),
            Top3(&["gothenburg-green-bonds"]),
        ),
        (
            "congestion charge",
            none.clone(),
            Top3(&["milan-area-c", "stockholm-congestion-tax"]),
        ),
        (
            "carbon trading",
            none.clone(),
            Top3(&["lahti-citicap-personal-carbon-trading"]),
        ),
        (
            "light rail",
            none.clone(),
            Top3(&["bergen-bybanen-light-rail"]),
        ),
        (
            "reforestation",
            none.clone(),
            Top3(&["durban-buffelsdraai-reforestation"]),
        ),
        (
            "bus rapid transit",
            none.clone(),
            Top3(&["bogota-transmilenio", "curitiba-bus-rapid-transit"]),
        ),
        (
            "zero emission construction machinery",
            none.clone(),
            Top3(&[
                "oslo-fossil-free-construction-sites",
                "asker-drammen-zero-emission-machinery-procurement",
            ]),
        ),
        (
            "wind power purchasing",
            none.clone(),
            Top3(&["melbourne-renewable-energy-project"]),
        ),
        // Other languages, found through the original text or a translation
        ("sykkel", none.clone(), Top3(&["trondheim-miljopakken"])),
        (
            "klimabudsjett",
            none.clone(),
            Top3(&["oslo-climate-budget"]),
        ),
        (
            "fjernvarme",
            none.clone(),
            Top3(&["drammen-seawater-heat-pump-district-heating"]),
        ),
        (
            "Fernwärme",
            none.clone(),
            Top3(&[
                "copenhagen-district-heating",
                "munich-geothermal-district-heating",
            ]),
        ),
        (
            "Wärmepumpe",
            none.clone(),
            Top3(&["drammen-seawater-heat-pump-district-heating"]),
        ),
        ("vélo", none.clone(), Top3(&["paris-plan-velo"])),
        (
            "quart d'heure",
            none.clone(),
            Top3(&["paris-15-minute-city"]),
        ),
        (
            "cours d'école",
            none.clone(),
            Top3(&["paris-oasis-schoolyards"]),
        ),
        (
            "rénovation énergétique",
            none.clone(),
            Top3(&["grenoble-mur-mur-renovation"]),
        ),
        (
            "Supermanzanas",
            none.clone(),
            Top3(&["barcelona-superblocks"]),
        ),
        (
            "agricultura urbana",
            none.clone(),
            Top3(&["valencia-agri-food-strategy"]),
        ),
        (
            "corredores verdes",
            none.clone(),
            Top3(&["medellin-green-corridors", "lisbon-green-corridors"]),
        ),
        (
            "energía solar",
            none.clone(),
            Top10(&["seoul-one-less-nuclear-power-plant"]),
        ),
        (
            "waterpleinen",
            none.clone(),
            Top3(&["rotterdam-water-squares"]),
        ),
        (
            "trängselskatt",
            none.clone(),
            Top3(&["stockholm-congestion-tax"]),
        ),
        (
            "Stadtteil ohne Autos",
            none.clone(),
            Top3(&["freiburg-vauban"]),
        ),
        (
            "Geothermie",
            none.clone(),
            Top3(&["munich-geothermal-district-heating"]),
        ),
        // Accents folded away
        ("velo", none.clone(), Top3(&["paris-plan-velo"])),
        (
            "Fernwarme",
            none.clone(),
            Top3(&["munich-geothermal-district-heating"]),
        ),
        (
            "Trangselskatten",
            none.clone(),
            Top3(&["stockholm-congestion-tax"]),
        ),
        // Typos
        (
            "Copenhagn",
            none.clone(),
            Top3(&["copenhagen-district-heating"]),
        ),
        (
            "renovaton",
            none.clone(),
            Top3(&["grenoble-mur-mur-renovation"]),
        ),
        (
            "referendumm",
            none.clone(),
            Top10(&["gothenburg-congestion-tax", "stockholm-congestion-tax"]),
        ),
        // Place names, in English and local spellings
        ("Malmo", none.clone(), Top3(&["malmo-western-harbour"])),
        ("Zurich", none.clone(), Top3(&["zurich-2000-watt-society"])),
        (
            "Munchen",
            none.clone(),
            Top3(&["munich-geothermal-district-heating"]),
        ),
        (
            "Kopenhagen",
            none.clone(),
            Top3(&["copenhagen-district-heating"]),
        ),
        (
            "Bogota",
            none.clone(),
            Top3(&["bogota-ciclovia", "bogota-transmilenio"]),
        ),
        (
            "Norway",
            none.clone(),
            Top10(&[
                "oslo-climate-budget",
                "drammen-seawater-heat-pump-district-heating",
            ]),
        ),
        (
            "København",
            json!({ "types": ["CITY"] }),
            Top3(&["copenhagen"]),
        ),
        // Syntax: phrases, exclusion, OR
        (
            "\"district heating\"",
            none.clone(),
            Top3(&["copenhagen-district-heating"]),
        ),
        (
            "district heating -copenhagen",
            none.clone(),
            Absent(&["copenhagen-district-heating"]),
        ),
        ("bus OR tram", none.clone(), Top3(&["bogota-transmilenio"])),
        // Funding
        (
            "technical assistance",
            json!({ "types": ["FUNDING_OPPORTUNITY"] }),
            Top3(&["eib-elena"]),
        ),
        (
            "loan",
            json!({ "types": ["FUNDING_OPPORTUNITY"] }),
            Top3(&["eib-global-urban-climate-loans"]),
        ),
        // A radius search: within 50 km of central Oslo
        (
            "climate",
            json!({ "filter": { "near": { "lat": 59.91, "lon": 10.75, "radiusKm": 50 } } }),
            Top3(&["oslo-climate-budget"]),
        ),
        (
            "climate",
            json!({ "filter": { "near": { "lat": 59.91, "lon": 10.75, "radiusKm": 50 } } }),
            Absent(&["bergen-bybanen-light-rail", "trondheim-miljopakken"]),
        ),
    ]
}

#[tokio::test]
async fn relevance_over_the_seed_data_meets_expectations() {
    for app in spawn_apps().await {
        let mut failures = Vec::new();
        let cases = relevance_cases();
        assert!(cases.len() >= 30);
        for (query, variables, expect) in cases {
            let mut variables = variables;
            variables["first"] = json!(10);
            let found = keys(&search(&app, query, variables).await);
            let ok = match &expect {
                Expect::Top3(wanted) => wanted
                    .iter()
                    .all(|slug| found.iter().take(3).any(|key| key == slug)),
                Expect::Top10(wanted) => wanted
                    .iter()
                    .all(|slug| found.iter().any(|key| key == slug)),
                Expect::Absent(unwanted) => {
                    !found.is_empty()
                        && unwanted
                            .iter()
                            .all(|slug| !found.iter().any(|key| key == slug))
                }
            };
            if !ok {
                failures.push(format!("{query:?}: got {found:?}"));
            }
        }
        assert!(failures.is_empty(), "[{}] {failures:#?}", app.backend);
    }
}

fn practice_line(slug: &str, title: &str, status: &str) -> String {
    json!({
        "slug": slug,
        "original_language": "en",
        "title": title,
        "summary": "A harbour district heats its homes with a zeolite battery.",
        "body": "## Context\n\nThe quayside needed heat without fuel.",
        "status": status,
        "published_at": "2026-01-15",
        "cities": ["bergen"],
        "themes": ["energy/storage-and-grids"],
        "sdgs": [7, 13]
    })
    .to_string()
}

/// Polls `search` until `condition` holds; returns how long it took, or `None` at `deadline`.
async fn wait_for(
    app: &TestApp,
    query: &str,
    deadline: Duration,
    condition: impl Fn(&[String]) -> bool,
) -> Option<Duration> {
    let started = Instant::now();
    loop {
        let found = keys(&search(app, query, json!({})).await);
        if condition(&found) {
            return Some(started.elapsed());
        }
        if started.elapsed() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_published_practice_is_searchable_within_a_second_and_an_archived_one_disappears() {
    for app in spawn_apps().await {
        let db = connect(&app).await;
        let record: PracticeRecord = parse_record(&practice_line(
            "bergen-zeolite-heat",
            "Zeolite heat battery in Bergen",
            "published",
        ))
        .unwrap();
        let txn = db.begin().await.unwrap();
        kxc::service::practice_write::upsert(&txn, record)
            .await
            .unwrap();
        txn.commit().await.unwrap();
        let appeared = wait_for(&app, "zeolite", Duration::from_secs(1), |found| {
            found.iter().any(|slug| slug == "bergen-zeolite-heat")
        })
        .await;
        assert!(
            appeared.is_some(),
            "[{}] not searchable within 1 s of commit",
            app.backend
        );

        let file = app.data_dir().join("archive.jsonl");
        std::fs::write(
            &file,
            practice_line(
                "bergen-zeolite-heat",
                "Zeolite heat battery in Bergen",
                "archived",
            ),
        )
        .unwrap();
        let output = app.kxc(&["import", "practices", file.to_str().unwrap()]);
        assert!(
            output.status.success(),
            "[{}] {}",
            app.backend,
            String::from_utf8_lossy(&output.stderr)
        );
        let gone = wait_for(&app, "zeolite", Duration::from_secs(1), |found| {
            found.is_empty()
        })
        .await;
        assert!(
            gone.is_some(),
            "[{}] archived practice still found after 1 s",
            app.backend
        );
    }
}

#[tokio::test]
async fn an_indexer_that_dies_before_committing_catches_up_without_duplicates() {
    for app in spawn_apps().await {
        let db = connect(&app).await;
        let root = tempfile::tempdir().unwrap();
        TantivyIndex::start_build(root.path())
            .unwrap()
            .publish()
            .unwrap();
        let index = Arc::new(TantivyIndex::open(root.path()).unwrap().expect("published"));
        let latest = kxc::search::rebuild::latest_seq(&db).await.unwrap();

        let mut indexer = Indexer::new(db.clone(), index.clone());
        assert!(indexer.apply_next(400).await.unwrap() > 0);
        let committed = indexer.commit().await.unwrap();
        assert!(
            committed > 0 && committed < latest,
            "[{}] {committed} of {latest}",
            app.backend
        );
        assert!(indexer.apply_next(800).await.unwrap() > 0);
        drop(indexer); // dies with a batch applied but not committed
        assert_eq!(
            index.checkpoint(),
            committed,
            "[{}] uncommitted work must not count",
            app.backend
        );

        let mut restarted = Indexer::new(db.clone(), index.clone());
        assert_eq!(
            restarted.catch_up().await.unwrap(),
            latest,
            "[{}]",
            app.backend
        );

        let keys = index.doc_keys().unwrap();
        let mut seen = HashMap::new();
        for key in &keys {
            *seen.entry(*key).or_insert(0) += 1;
        }
        let duplicates: Vec<_> = seen.iter().filter(|(_, count)| **count > 1).collect();
        assert!(
            duplicates.is_empty(),
            "[{}] duplicates: {duplicates:?}",
            app.backend
        );
        let mut practices: Vec<i32> = keys
            .iter()
            .filter(|key| key.kind() == Some(DocKind::Practice))
            .map(|key| key.id())
            .collect();
        practices.sort();
        let mut visible: Vec<i32> = kxc::service::practices::visible()
            .select_only()
            .column(kxc::entity::practice::Column::Id)
            .into_tuple()
            .all(&db)
            .await
            .unwrap();
        visible.sort();
        assert_eq!(practices, visible, "[{}]", app.backend);
        let cities = kxc::entity::city::Entity::find()
            .all(&db)
            .await
            .unwrap()
            .len();
        assert_eq!(
            keys.iter()
                .filter(|key| key.kind() == Some(DocKind::City))
                .count(),
            cities
        );

        // Applying the same change again (as after a crash between commits) replaces, never adds.
        drop(restarted);
        let mut session = index.session().unwrap();
        let document = SearchDocument::new(DocKind::Practice, visible[0]);
        session.upsert(&document).unwrap();
        session.commit(latest).unwrap();
        session.upsert(&document).unwrap();
        session.commit(latest).unwrap();
        let again = index.doc_keys().unwrap();
        assert_eq!(again.len(), keys.len(), "[{}]", app.backend);
    }
}

#[tokio::test]
async fn bad_input_is_rejected_with_a_code_and_the_offending_field() {
    for app in spawn_apps().await {
        let cases = [
            (json!({ "query": "  " }), vec!["query"]),
            (json!({ "query": "-diesel" }), vec!["query"]),
            (
                json!({ "query": "bus", "filter": { "near": { "lat": 59.9, "lon": 10.7, "radiusKm": 0 } } }),
                vec!["filter", "near", "radiusKm"],
            ),
            (
                json!({ "query": "bus", "filter": { "near": { "lat": 99, "lon": 10.7, "radiusKm": 5 } } }),
                vec!["filter", "near", "lat"],
            ),
            (
                json!({ "query": "bus", "filter": { "bbox": { "south": 60, "west": 4, "north": 55, "east": 31 } } }),
                vec!["filter", "bbox"],
            ),
            (
                json!({ "query": "bus", "filter": { "themes": ["mobility", "mobility/teleportation"] } }),
                vec!["filter", "themes", "1"],
            ),
            (
                json!({ "query": "bus", "filter": { "themes": ["Not A Path"] } }),
                vec!["filter", "themes", "0"],
            ),
            (
                json!({ "query": "bus", "filter": { "regions": ["XX-99"] } }),
                vec!["filter", "regions", "0"],
            ),
            (
                json!({ "query": "bus", "filter": { "cities": ["atlantis"] } }),
                vec!["filter", "cities", "0"],
            ),
            (
                json!({ "query": "bus", "filter": { "instruments": ["lottery"] } }),
                vec!["filter", "instruments", "0"],
            ),
            (
                json!({ "query": "bus", "filter": { "minScore": 9 } }),
                vec!["filter", "minScore"],
            ),
            (
                json!({ "query": "bus", "orderBy": "DISTANCE" }),
                vec!["orderBy"],
            ),
            (json!({ "query": "bus", "first": 101 }), vec!["first"]),
            (
                json!({ "query": "bus", "after": "nonsense" }),
                vec!["after"],
            ),
        ];
        for (variables, field) in cases {
            let response = app.graphql(SEARCH, variables.clone()).await;
            let error = &response["errors"][0];
            assert_eq!(
                error["extensions"]["code"], "BAD_USER_INPUT",
                "[{}] {variables}: {response}",
                app.backend
            );
            assert_eq!(
                error["extensions"]["field"],
                json!(field),
                "[{}] {variables}: {response}",
                app.backend
            );
        }
    }
}

#[tokio::test]
async fn hits_explain_themselves_with_marked_snippets() {
    for app in spawn_apps().await {
        let result = search(&app, "district heating", json!({ "first": 3 })).await;
        let hit = &result["hits"][0];
        let snippets: Vec<&str> = hit["highlights"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|highlight| highlight["snippet"].as_str())
            .collect();
        assert!(
            snippets.iter().any(|snippet| snippet.contains("<mark>")),
            "[{}] {hit}",
            app.backend
        );
        assert!(hit["score"].as_f64().unwrap() > 0.0);

        let result = search(&app, "fjernvarme", json!({ "first": 1 })).await;
        let highlight = &result["hits"][0]["highlights"][0];
        assert_eq!(highlight["language"], "no", "[{}] {highlight}", app.backend);
        assert!(
            highlight["snippet"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("<mark>fjernvarme")
        );
    }
}

#[tokio::test]
async fn facets_count_theme_and_region_trees_for_the_query_and_filters() {
    for app in spawn_apps().await {
        let result = search(
            &app,
            "heat",
            json!({ "facets": ["THEME", "REGION", "COUNTRY", "LANGUAGE", "INSTRUMENT", "SDG", "EVALUATION_LABEL", "PROVIDER_LEVEL", "CITY"] }),
        )
        .await;
        let facets = result["facets"].as_array().unwrap();
        assert_eq!(facets.len(), 9);
        let theme = &facets[0];
        assert_eq!(theme["facet"], "THEME");
        let energy = theme["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|value| value["value"] == "energy")
            .unwrap();
        assert_eq!(energy["label"], "Energy");
        let children = energy["children"].as_array().unwrap();
        assert!(
            children
                .iter()
                .any(|child| child["value"] == "energy/district-heating-cooling")
        );
        for child in children {
            assert!(
                child["count"].as_u64() <= energy["count"].as_u64(),
                "[{}] {energy}",
                app.backend
            );
        }
        let world = &facets[1]["values"][0];
        assert_eq!(world["value"], "001", "[{}] {world}", app.backend);
        let europe = world["children"]
            .as_array()
            .unwrap()
            .iter()
            .find(|value| value["value"] == "150")
            .unwrap();
        assert_eq!(europe["label"], "Europe");

        // Filtering on Norway narrows every count to Norwegian records.
        let norway = search(
            &app,
            "heat",
            json!({ "facets": ["COUNTRY"], "filter": { "regions": ["NO"] } }),
        )
        .await;
        let countries = norway["facets"][0]["values"].as_array().unwrap();
        assert_eq!(countries.len(), 1, "[{}] {countries:?}", app.backend);
        assert_eq!(countries[0]["value"], "NO");
        assert_eq!(countries[0]["count"], norway["totalCount"]);
    }
}

#[tokio::test]
async fn filters_narrow_results_and_distance_orders_them() {
    for app in spawn_apps().await {
        let all = search(&app, "climate", json!({ "first": 100 })).await;
        let in_theme = search(
            &app,
            "climate",
            json!({ "first": 100, "filter": { "themes": ["energy"] } }),
        )
        .await;
        assert!(in_theme["totalCount"].as_u64() < all["totalCount"].as_u64());
        assert!(in_theme["totalCount"].as_u64().unwrap() > 0);

        let open = search(
            &app,
            "climate",
            json!({ "first": 100, "filter": { "openAt": "2026-11-22" } }),
        )
        .await;
        assert!(
            open["hits"]
                .as_array()
                .unwrap()
                .iter()
                .all(|hit| hit["node"]["__typename"] == "FundingOpportunity")
        );
        assert!(
            open["totalCount"].as_u64().unwrap() > 0,
            "[{}]",
            app.backend
        );

        let proven = search(
            &app,
            "climate",
            json!({ "first": 100, "filter": { "minScore": 4.1 } }),
        )
        .await;
        assert_eq!(
            keys(&proven),
            vec!["durban-buffelsdraai-reforestation"],
            "[{}]",
            app.backend
        );

        let near = search(
            &app,
            "energy OR climate",
            json!({ "orderBy": "DISTANCE", "filter": { "near": { "lat": 59.91, "lon": 10.75, "radiusKm": 60 } } }),
        )
        .await;
        let distances: Vec<f64> = near["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|hit| hit["distanceKm"].as_f64().unwrap())
            .collect();
        assert!(distances.len() >= 2, "[{}] {near}", app.backend);
        assert!(
            distances.windows(2).all(|pair| pair[0] <= pair[1]),
            "[{}] {distances:?}",
            app.backend
        );
        assert!(distances.iter().all(|km| *km <= 60.0));

        // A box across the antimeridian holds Auckland and nothing else.
        let pacific = search(
            &app,
            "Auckland OR Sydney OR climate",
            json!({ "filter": { "bbox": { "south": -50, "west": 170, "north": -30, "east": -170 } } }),
        )
        .await;
        assert_eq!(
            keys(&pacific),
            vec!["auckland"],
            "[{}] {pacific}",
            app.backend
        );
    }
}

#[tokio::test]
async fn pages_follow_each_other_without_repeats() {
    for app in spawn_apps().await {
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        let total = loop {
            let page = search(&app, "city", json!({ "first": 7, "after": after })).await;
            seen.extend(keys(&page));
            if page["pageInfo"]["hasNextPage"] != true {
                break page["totalCount"].as_u64().unwrap() as usize;
            }
            after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
        };
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), seen.len(), "[{}] repeated hits", app.backend);
        assert_eq!(seen.len(), total, "[{}]", app.backend);
        assert!(total > 7);
    }
}

#[tokio::test]
async fn a_misspelt_query_with_few_hits_gets_a_suggestion() {
    for app in spawn_apps().await {
        let result = search(&app, "geothermul heating", json!({})).await;
        assert_eq!(
            result["suggestion"], "geothermal heating",
            "[{}] {result}",
            app.backend
        );
        let fine = search(&app, "district heating", json!({})).await;
        assert!(fine["suggestion"].is_null());
    }
}

#[tokio::test]
async fn suggest_completes_titles_cities_themes_and_funders() {
    for app in spawn_apps().await {
        let query = "query($prefix: String!) { suggest(prefix: $prefix, first: 5) { text kind node { id } } }";
        let complete = |prefix: &'static str| {
            let app = &app;
            async move { app.data(query, json!({ "prefix": prefix })).await["suggest"].clone() }
        };
        let copenhagen = complete("cop").await;
        assert_eq!(
            copenhagen[0]["text"], "Copenhagen",
            "[{}] {copenhagen}",
            app.backend
        );
        assert_eq!(copenhagen[0]["kind"], "CITY");
        assert!(copenhagen[0]["node"]["id"].is_string());
        let theme = complete("heat p").await;
        assert!(
            theme
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["kind"] == "THEME" && s["text"] == "Heat pumps"),
            "[{}] {theme}",
            app.backend
        );
        let funder = complete("kf").await;
        assert_eq!(funder[0]["kind"], "FUNDER", "[{}] {funder}", app.backend);
        assert!(funder[0]["node"].is_null());
        let practice = complete("superbl").await;
        assert!(
            practice
                .as_array()
                .unwrap()
                .iter()
                .any(|s| s["kind"] == "PRACTICE"),
            "[{}] {practice}",
            app.backend
        );
    }
}

#[tokio::test]
async fn reindex_swaps_the_index_while_serving_and_readyz_reports_the_lag() {
    for app in spawn_apps().await {
        let ready = |app: &TestApp| {
            let request = app.client.get(format!("{}/readyz", app.address));
            async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
        };
        let before = ready(&app).await;
        assert_eq!(before["search"]["lag"], 0, "[{}] {before}", app.backend);

        let output = app.kxc(&["reindex"]);
        assert!(
            output.status.success(),
            "[{}] {}",
            app.backend,
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("reindexed"), "[{}] {stdout}", app.backend);

        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let now = ready(&app).await;
            if now["search"]["generation"] != before["search"]["generation"] {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "[{}] server never switched: {now}",
                app.backend
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let found = keys(&search(&app, "klimabudsjett", json!({})).await);
        assert_eq!(found, vec!["oslo-climate-budget"], "[{}]", app.backend);

        // The new generation keeps tailing the change log.
        let file = app.data_dir().join("after-reindex.jsonl");
        std::fs::write(
            &file,
            practice_line(
                "bergen-zeolite-heat",
                "Zeolite heat battery in Bergen",
                "published",
            ),
        )
        .unwrap();
        assert!(
            app.kxc(&["import", "practices", file.to_str().unwrap()])
                .status
                .success()
        );
        let appeared = wait_for(&app, "zeolite", Duration::from_secs(5), |found| {
            !found.is_empty()
        })
        .await;
        assert!(
            appeared.is_some(),
            "[{}] a write after the swap was not indexed",
            app.backend
        );
    }
}
