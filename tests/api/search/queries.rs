//! Input errors, highlights, facets, filters, paging, spelling suggestions and completions.

use serde_json::{Value, json};

use super::{SEARCH, keys, search};
use crate::helpers::{assert_discriminates, spawn_apps};

#[tokio::test]
async fn bad_input_is_rejected_with_a_code_and_the_offending_field() {
    for app in spawn_apps().await {
        let cases = [
            (json!({ "query": "-diesel" }), json!(["query"])),
            (
                json!({ "query": "bus", "filter": { "near": { "lat": 59.9, "lon": 10.7, "radiusKm": 0 } } }),
                json!(["filter", "near", "radiusKm"]),
            ),
            (
                json!({ "query": "bus", "filter": { "near": { "lat": 99, "lon": 10.7, "radiusKm": 5 } } }),
                json!(["filter", "near", "lat"]),
            ),
            (
                json!({ "query": "bus", "filter": { "bbox": { "south": 60, "west": 4, "north": 55, "east": 31 } } }),
                json!(["filter", "bbox"]),
            ),
            (
                json!({ "query": "bus", "filter": { "themes": ["mobility", "mobility/teleportation"] } }),
                json!(["filter", "themes", 1]),
            ),
            (
                json!({ "query": "bus", "filter": { "themes": ["Not A Path"] } }),
                json!(["filter", "themes", 0]),
            ),
            (
                json!({ "query": "bus", "filter": { "regions": ["XX-99"] } }),
                json!(["filter", "regions", 0]),
            ),
            (
                json!({ "query": "bus", "filter": { "cities": ["atlantis"] } }),
                json!(["filter", "cities", 0]),
            ),
            (
                json!({ "query": "bus", "filter": { "minScore": 9 } }),
                json!(["filter", "minScore"]),
            ),
            (
                json!({ "query": "bus", "orderBy": "DISTANCE" }),
                json!(["orderBy"]),
            ),
            (json!({ "query": "bus", "first": 101 }), json!(["first"])),
            (
                json!({ "query": "bus", "language": "xx" }),
                json!(["language"]),
            ),
            (
                json!({ "query": "bus", "after": "nonsense" }),
                json!(["after"]),
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
        let energy_count = energy["count"].as_u64().expect("a count for energy");
        assert!(energy_count > 0, "[{}] {energy}", app.backend);
        for child in children {
            let count = child["count"].as_u64().expect("a count for each child");
            assert!(
                count > 0 && count <= energy_count,
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

        // Filtering on Norway narrows every count to records located in Norway (funding open
        // to Norway may come from elsewhere: see `a_region_filter_on_funding_means_open_to_that_region`).
        let norway = search(
            &app,
            "heat",
            json!({ "facets": ["COUNTRY"], "types": ["PRACTICE", "CITY"], "filter": { "regions": ["NO"] } }),
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
        assert!(
            all["pageInfo"]["hasNextPage"] == false,
            "[{}] all on one page",
            app.backend
        );
        assert_discriminates(
            format!("[{}] themes: energy", app.backend),
            &keys(&all),
            &keys(&in_theme),
        );

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
        // Open on a day picks some funding opportunities, not all of them.
        let funding = search(
            &app,
            "climate",
            json!({ "first": 100, "types": ["FUNDING_OPPORTUNITY"] }),
        )
        .await;
        assert!(funding["pageInfo"]["hasNextPage"] == false);
        assert_discriminates(
            format!("[{}] openAt", app.backend),
            &keys(&funding),
            &keys(&open),
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
        assert_discriminates(
            format!("[{}] minScore", app.backend),
            &keys(&all),
            &keys(&proven),
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
        let query = "query($prefix: String!) { suggest(prefix: $prefix, first: 5) { text kind node { id ... on Organisation { slug } } } }";
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
        assert_eq!(
            funder[0]["node"]["slug"], "kfw",
            "[{}] {funder}",
            app.backend
        );
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

/// A practice suggested answers in `lang:` (then `Accept-Language`) like a search hit, while
/// the completion stays the title typed: Oslo's Norwegian climate budget, completed from
/// "Klimabudsj", in English.
#[tokio::test]
async fn suggest_answers_in_the_language_asked_for() {
    for app in spawn_apps().await {
        let query =
            "query($lang: String) { suggest(prefix: \"Klimabudsj\", lang: $lang) { text kind
            node { ... on Practice { slug language title } } } }";
        let oslo = |data: Value| -> Value {
            data["suggest"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["node"]["slug"] == "oslo-climate-budget")
                .cloned()
                .unwrap_or_else(|| panic!("{data}"))
        };
        let original = oslo(app.data(query, json!({})).await);
        assert_eq!(
            original["node"]["language"], "no",
            "[{}] {original}",
            app.backend
        );
        assert!(
            original["text"]
                .as_str()
                .unwrap()
                .starts_with("Klimabudsjett")
        );
        let english = oslo(app.data(query, json!({ "lang": "en" })).await);
        assert_eq!(
            english["node"]["language"], "en",
            "[{}] {english}",
            app.backend
        );
        assert_ne!(english["node"]["title"], original["node"]["title"]);
        assert_eq!(
            english["text"], original["text"],
            "the completion is what was typed"
        );
        let german = oslo(app.data(query, json!({ "lang": "de" })).await);
        assert_eq!(
            german["node"]["language"], "no",
            "no German text: the original"
        );
        let accepted: Value = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("accept-language", "en")
            .json(&json!({ "query": query, "variables": {} }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(oslo(accepted["data"].clone())["node"]["language"], "en");
    }
}

#[tokio::test]
async fn the_query_language_is_detected_or_taken_as_given() {
    for app in spawn_apps().await {
        let french = search(
            &app,
            "la campagne de rénovation énergétique des copropriétés",
            json!({}),
        )
        .await;
        assert_eq!(french["language"], "fr", "[{}] {french}", app.backend);
        assert_eq!(keys(&french)[0], "grenoble-mur-mur-renovation");

        let german = search(&app, "Fernwärme", json!({ "language": "de", "first": 1 })).await;
        assert_eq!(german["language"], "de", "[{}] {german}", app.backend);
        let highlight = &german["hits"][0]["highlights"][0];
        assert_eq!(highlight["language"], "de", "[{}] {highlight}", app.backend);
    }
}

#[tokio::test]
async fn exact_matches_rank_above_typo_tolerant_ones_and_both_are_marked() {
    for app in spawn_apps().await {
        // "parks" is in some records; "paris", one edit away, in others.
        let result = search(&app, "parks", json!({ "first": 50 })).await;
        let exact: Vec<bool> = result["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|hit| {
                let marked = hit["highlights"].to_string().to_lowercase();
                assert!(
                    marked.contains("<mark>"),
                    "[{}] unexplained hit {hit}",
                    app.backend
                );
                marked.contains("<mark>park")
            })
            .collect();
        assert!(
            exact.contains(&true) && exact.contains(&false),
            "[{}] {result}",
            app.backend
        );
        let first_typo = exact.iter().position(|exact| !exact).unwrap();
        assert!(
            exact[first_typo..].iter().all(|exact| !exact),
            "[{}] {exact:?}",
            app.backend
        );
        assert!(
            keys(&result)[first_typo..]
                .iter()
                .any(|key| key.starts_with("paris"))
        );
    }
}

#[tokio::test]
async fn the_instrument_filter_uses_the_same_values_as_the_funding_filter() {
    for app in spawn_apps().await {
        let data = app
            .data(
                r#"{ search(query: "city", types: [FUNDING_OPPORTUNITY], filter: { instruments: [LOAN] }, first: 50) {
                    totalCount hits { node { ... on FundingOpportunity { externalId instrument } } } } }"#,
                json!({}),
            )
            .await;
        let hits = data["search"]["hits"].as_array().unwrap();
        assert!(!hits.is_empty(), "[{}] {data}", app.backend);
        assert!(
            hits.iter().all(|hit| hit["node"]["instrument"] == "LOAN"),
            "[{}] {data}",
            app.backend
        );
        // Without the filter the same search finds the loans and other instruments too.
        let unfiltered = app
            .data(
                r#"{ search(query: "city", types: [FUNDING_OPPORTUNITY], first: 50) {
                    pageInfo { hasNextPage } hits { node { ... on FundingOpportunity { externalId instrument } } } } }"#,
                json!({}),
            )
            .await;
        assert_eq!(unfiltered["search"]["pageInfo"]["hasNextPage"], false);
        let external_ids = |data: &serde_json::Value| -> Vec<String> {
            data["search"]["hits"]
                .as_array()
                .unwrap()
                .iter()
                .map(|hit| hit["node"]["externalId"].as_str().unwrap().to_owned())
                .collect()
        };
        let loans: Vec<String> = unfiltered["search"]["hits"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|hit| hit["node"]["instrument"] == "LOAN")
            .map(|hit| hit["node"]["externalId"].as_str().unwrap().to_owned())
            .collect();
        assert_discriminates(
            format!("[{}] instruments: LOAN", app.backend),
            &external_ids(&unfiltered),
            &loans,
        );
        let mut found = external_ids(&data);
        found.sort();
        let mut loans = loans;
        loans.sort();
        assert_eq!(found, loans, "[{}] {data}", app.backend);
    }
}

#[tokio::test]
async fn queries_longer_than_the_limits_are_rejected_and_the_limit_itself_works() {
    let words = |count: usize| -> String {
        let short = ["bus", "car", "bike", "tram", "rail", "walk", "city", "park"];
        (0..count)
            .map(|index| short[index % short.len()])
            .collect::<Vec<_>>()
            .join(" ")
    };
    for app in spawn_apps().await {
        let too_long = "a".repeat(513);
        for (query, field) in [
            (words(33), "query"),
            (format!("{} -diesel", words(32)), "query"),
            (too_long.clone(), "query"),
        ] {
            let response = app.graphql(SEARCH, json!({ "query": query })).await;
            let error = &response["errors"][0];
            assert_eq!(
                error["extensions"]["code"], "BAD_USER_INPUT",
                "[{}] {response}",
                app.backend
            );
            assert_eq!(
                error["extensions"]["field"],
                json!([field]),
                "[{}] {response}",
                app.backend
            );
        }
        let response = app
            .graphql(
                "query($prefix: String!) { suggest(prefix: $prefix) { text } }",
                json!({ "prefix": too_long }),
            )
            .await;
        assert_eq!(
            response["errors"][0]["extensions"]["field"],
            json!(["prefix"]),
            "[{}] {response}",
            app.backend
        );
        // Exactly at both limits: answered.
        let at_limit = format!("{} {}", words(31), "c".repeat(512 - words(31).len() - 1));
        assert_eq!(at_limit.chars().count(), 512);
        for query in [words(32), at_limit] {
            let response = app.graphql(SEARCH, json!({ "query": query })).await;
            assert!(
                response.get("errors").is_none(),
                "[{}] {response}",
                app.backend
            );
            assert!(
                response["data"]["search"]["totalCount"].is_u64(),
                "[{}] {response}",
                app.backend
            );
        }
    }
}

#[tokio::test]
async fn hits_answer_in_the_language_asked_by_lang_or_accept_language() {
    const LOCALISED: &str = r#"
    query($query: String!, $lang: String) {
      search(query: $query, types: [PRACTICE], lang: $lang) {
        hits { node { ... on Practice { slug title language originalLanguage } } }
      }
    }"#;
    for app in spawn_apps().await {
        let ask = |lang: Option<&str>, accept: Option<&str>| {
            let mut request = app.client.post(format!("{}/graphql", app.address));
            if let Some(accept) = accept {
                request = request.header("accept-language", accept);
            }
            let variables = json!({ "query": "klimabudsjettet Oslo", "lang": lang });
            async move {
                let response: serde_json::Value = request
                    .json(&json!({ "query": LOCALISED, "variables": variables }))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                response["data"]["search"]["hits"]
                    .as_array()
                    .unwrap_or_else(|| panic!("[{}] {response}", app.backend))
                    .iter()
                    .map(|hit| hit["node"].clone())
                    .find(|node| node["slug"] == "oslo-climate-budget")
                    .unwrap_or_else(|| panic!("[{}] not found: {response}", app.backend))
            }
        };
        let original = ask(None, None).await;
        assert_eq!(original["language"], "no", "[{}] {original}", app.backend);
        assert!(
            original["title"]
                .as_str()
                .unwrap()
                .starts_with("Klimabudsjettet"),
            "{original}"
        );
        let english_title = "Oslo's climate budget: managing emission cuts like money";
        for (lang, accept) in [
            (Some("en"), None),
            (None, Some("en-GB, de;q=0.5")),
            (Some("en"), Some("fr")),
        ] {
            let node = ask(lang, accept).await;
            assert_eq!(
                (node["language"].as_str(), node["title"].as_str()),
                (Some("en"), Some(english_title)),
                "[{}] lang {lang:?}, Accept-Language {accept:?}: {node}",
                app.backend
            );
            assert_eq!(node["originalLanguage"], "no");
        }
        // No German text: the original answers, and says so.
        let german = ask(Some("de"), None).await;
        assert_eq!(german["language"], "no", "{german}");
    }
}

/// A region filter on funding in `search` means what `fundingOpportunities(filter:
/// {eligibleRegion})` means. Exact formulation: for a query Q, the funding `search` finds for Q
/// with `regions: [X]` is the funding it finds for Q without it, kept to those
/// `fundingOpportunities(filter: {eligibleRegion: X})` lists.
#[tokio::test]
async fn a_region_filter_on_funding_means_open_to_that_region() {
    use std::collections::BTreeSet;
    let broad = "funding OR grant OR grants OR support OR climate OR energy OR cities OR projects";
    for app in spawn_apps().await {
        let found = |filter: serde_json::Value| {
            let app = &app;
            async move {
                let result = search(
                    app,
                    broad,
                    json!({ "types": ["FUNDING_OPPORTUNITY"], "filter": filter, "first": 100 }),
                )
                .await;
                assert_eq!(result["pageInfo"]["hasNextPage"], false, "{result}");
                keys(&result).into_iter().collect::<BTreeSet<String>>()
            }
        };
        let everything = found(json!(null)).await;
        assert!(everything.len() > 10, "[{}] {everything:?}", app.backend);
        for region in ["NO-03", "NO", "154", "150"] {
            let mut eligible = BTreeSet::new();
            let mut after = serde_json::Value::Null;
            loop {
                let data = app
                    .data(
                        "query($region: String!, $after: String) {
                           fundingOpportunities(filter: { eligibleRegion: $region }, first: 50, after: $after) {
                             edges { node { externalId } } pageInfo { hasNextPage endCursor } } }",
                        json!({ "region": region, "after": after }),
                    )
                    .await;
                let connection = &data["fundingOpportunities"];
                for edge in connection["edges"].as_array().unwrap() {
                    eligible.insert(edge["node"]["externalId"].as_str().unwrap().to_owned());
                }
                if connection["pageInfo"]["hasNextPage"] != true {
                    break;
                }
                after = connection["pageInfo"]["endCursor"].clone();
            }
            let expected: BTreeSet<String> = everything.intersection(&eligible).cloned().collect();
            assert!(
                !expected.is_empty(),
                "[{}] {region}: nothing eligible",
                app.backend
            );
            assert_eq!(
                found(json!({ "regions": [region] })).await,
                expected,
                "[{}] region {region}",
                app.backend
            );
        }
    }
}

#[tokio::test]
async fn words_match_partially_unless_all_are_asked_for_and_phrases_stay_strict() {
    for app in spawn_apps().await {
        let practices = |extra: Value| {
            let mut variables = json!({ "types": ["PRACTICE"], "first": 20 });
            if let (Some(variables), Some(extra)) = (variables.as_object_mut(), extra.as_object()) {
                variables.extend(extra.clone());
            }
            variables
        };
        // "suburbs" is in no practice: every word required finds nothing, partial finds BRT.
        let query = "bus rapid transit corridors for suburbs";
        let all = search(&app, query, practices(json!({ "matching": "ALL" }))).await;
        assert_eq!(all["totalCount"], 0, "[{}] {all}", app.backend);
        let partial = keys(&search(&app, query, practices(json!({}))).await);
        assert!(
            partial
                .iter()
                .take(3)
                .any(|key| key == "bogota-transmilenio"),
            "[{}] {partial:?}",
            app.backend
        );
        // Hits matching every word come first, then the rest.
        let query = "district heating seawater";
        let all = keys(&search(&app, query, practices(json!({ "matching": "ALL" }))).await);
        let partial = keys(&search(&app, query, practices(json!({}))).await);
        assert!(
            !all.is_empty() && partial.len() > all.len(),
            "[{}] {all:?} {partial:?}",
            app.backend
        );
        assert_eq!(partial[..all.len()], all[..], "[{}]", app.backend);
        // A rare word outweighs a common one: the practices about Bogotá, none of which is
        // about heating, rank above the many about heating.
        let found = keys(&search(&app, "heating Bogota", practices(json!({}))).await);
        assert!(
            found[..2].iter().all(|key| key.starts_with("bogota-")),
            "[{}] {found:?}",
            app.backend
        );
        // A phrase stays required, the other words only rank.
        let phrase = keys(
            &search(
                &app,
                "\"district heating\"",
                practices(json!({ "matching": "ALL" })),
            )
            .await,
        );
        let with_word = keys(
            &search(
                &app,
                "\"district heating\" skyscrapers",
                practices(json!({})),
            )
            .await,
        );
        assert!(!with_word.is_empty(), "[{}]", app.backend);
        assert!(
            with_word.iter().all(|key| phrase.contains(key)),
            "[{}] {with_word:?} not all in {phrase:?}",
            app.backend
        );
        // An exclusion stays strict.
        let excluded = keys(
            &search(
                &app,
                "district heating skyscrapers -copenhagen",
                practices(json!({})),
            )
            .await,
        );
        assert!(!excluded.is_empty());
        assert!(
            !excluded.iter().any(|key| key.starts_with("copenhagen")),
            "[{}] {excluded:?}",
            app.backend
        );
    }
}

#[tokio::test]
async fn an_empty_query_browses_the_filtered_records_with_facets_newest_first() {
    for app in spawn_apps().await {
        let result = search(
            &app,
            "",
            json!({ "types": ["PRACTICE"], "filter": { "regions": ["NO"] }, "facets": ["THEME"], "first": 50 }),
        )
        .await;
        let mut found = keys(&result);
        assert_eq!(result["totalCount"], 6, "[{}] {result}", app.backend);
        let by_date = search(
            &app,
            "",
            json!({ "types": ["PRACTICE"], "filter": { "regions": ["NO"] }, "orderBy": "DATE", "first": 50 }),
        )
        .await;
        assert_eq!(
            keys(&by_date),
            found,
            "[{}] browsing is newest first",
            app.backend
        );
        assert!(
            result["facets"][0]["values"]
                .as_array()
                .is_some_and(|values| !values.is_empty()),
            "[{}] {result}",
            app.backend
        );
        found.sort();
        assert_eq!(
            found,
            [
                "asker-drammen-zero-emission-machinery-procurement",
                "bergen-bybanen-light-rail",
                "drammen-seawater-heat-pump-district-heating",
                "oslo-climate-budget",
                "oslo-fossil-free-construction-sites",
                "trondheim-miljopakken",
            ],
            "[{}]",
            app.backend
        );
        // Everything within 60 km of central Oslo, nearest first, without a query.
        let near = search(
            &app,
            "",
            json!({
                "filter": { "near": { "lat": 59.91, "lon": 10.75, "radiusKm": 60 } },
                "orderBy": "DISTANCE",
                "first": 50
            }),
        )
        .await;
        let distances: Vec<f64> = near["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|hit| hit["distanceKm"].as_f64().unwrap())
            .collect();
        assert!(distances.len() >= 3, "[{}] {near}", app.backend);
        assert!(distances.windows(2).all(|pair| pair[0] <= pair[1]));
        assert!(distances.iter().all(|km| *km <= 60.0));
        let near_keys = keys(&near);
        assert!(near_keys.iter().any(|key| key == "oslo-climate-budget"));
        assert!(
            !near_keys
                .iter()
                .any(|key| key == "bergen-bybanen-light-rail")
        );
        // Omitting the query browses too.
        let omitted = app
            .data(
                "{ search(types: [CITY], filter: { regions: [\"NO\"] }) { totalCount } }",
                json!({}),
            )
            .await;
        assert!(
            omitted["search"]["totalCount"].as_u64().unwrap() >= 3,
            "[{}] {omitted}",
            app.backend
        );
    }
}
