use serde_json::json;

use crate::helpers::spawn_apps;

#[tokio::test]
async fn at_least_sixty_cities_are_seeded_including_the_named_ones() {
    for app in spawn_apps().await {
        let data = app
            .data("{ cities(first: 100) { totalCount nodes { slug population latitude targets { netZeroYear } } } }", json!({}))
            .await;
        assert!(
            data["cities"]["totalCount"].as_u64().unwrap() >= 60,
            "[{}]",
            app.backend
        );
        let nodes = data["cities"]["nodes"].as_array().unwrap();
        for slug in [
            "tokyo",
            "kuala-lumpur",
            "asker",
            "drammen",
            "oslo",
            "copenhagen",
            "stockholm",
        ] {
            assert!(
                nodes.iter().any(|city| city["slug"] == slug),
                "[{}] missing {slug}",
                app.backend
            );
        }
        assert!(
            nodes
                .iter()
                .all(|city| city["population"].as_i64().unwrap_or(1) > 0)
        );
    }
}

#[tokio::test]
async fn the_theme_tree_has_three_levels_labelled_in_five_languages() {
    for app in spawn_apps().await {
        let query = r#"{ themes { path depth en: label(lang: "en") fr: label(lang: "fr") de: label(lang: "de") no: label(lang: "no") es: label(lang: "es") } }"#;
        let data = app.data(query, json!({})).await;
        let themes = data["themes"].as_array().unwrap();
        assert!(themes.len() >= 40, "[{}]", app.backend);
        assert!(themes.iter().any(|theme| theme["depth"] == 2));
        let solar = themes
            .iter()
            .find(|theme| theme["path"] == "energy/renewables/solar")
            .expect("solar theme");
        let labels: Vec<&str> = ["en", "fr", "de", "no", "es"]
            .iter()
            .map(|lang| solar[*lang].as_str().unwrap())
            .collect();
        let mut distinct = labels.clone();
        distinct.sort();
        distinct.dedup();
        assert!(distinct.len() >= 4, "labels look untranslated: {labels:?}");
        for path in [
            "governance/joint-procurement",
            "governance/city-to-city-partnerships",
            "adaptation",
            "finance",
            "citizen-engagement",
        ] {
            assert!(
                themes.iter().any(|theme| theme["path"] == path),
                "missing {path}"
            );
        }
    }
}
