//! `partnerSuggestions` on the seed data: ranking, explanations and bounds.

use serde_json::{Value, json};

use crate::helpers::spawn_apps;

const SUGGEST: &str = r#"query($city: ID!, $themes: [String!], $first: Int!) {
  partnerSuggestions(city: $city, themes: $themes, first: $first) {
    totalCount
    nodes { city { slug name } score
      reasons { kind weight evidence { description theme practice { slug cities { slug } evaluation { count } }
                network { slug } partnership { slug status } } } } } }"#;

fn slugs(data: &Value) -> Vec<String> {
    data["partnerSuggestions"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|node| node["city"]["slug"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn suggestions_rank_by_explained_reasons_and_skip_self_and_current_partners() {
    for app in spawn_apps().await {
        let data = app
            .data(
                SUGGEST,
                json!({ "city": "oslo", "themes": null, "first": 100 }),
            )
            .await;
        let nodes = data["partnerSuggestions"]["nodes"].as_array().unwrap();
        let found = slugs(&data);
        // Nordic neighbours with net zero by 2030 and evaluated practices on themes Oslo has
        // none on come first; Malmö shares three networks with Oslo (Eurocities, the Covenant
        // of Mayors Oslo signed, the EU Cities Mission), Stockholm three others.
        assert_eq!(
            found[..4],
            ["gothenburg", "malmo", "stockholm", "paris"],
            "[{}]",
            app.backend
        );
        let gothenburg: Vec<&str> = nodes[0]["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|reason| reason["kind"].as_str().unwrap())
            .collect();
        for kind in [
            "PRACTICE",
            "SHARED_AMBITION",
            "SIMILAR_SIZE",
            "NEARBY_REGION",
            "SHARED_NETWORK",
        ] {
            assert!(gothenburg.contains(&kind), "{kind} in {gothenburg:?}");
        }
        assert_eq!(
            nodes[0]["reasons"][2]["evidence"]["description"],
            "net zero by 2030, against 2030"
        );
        // Oslo's active partnerships: Copenhagen, Helsinki (statement of demand), Asker,
        // Drammen (FutureBuilt); never itself.
        for excluded in ["oslo", "copenhagen", "helsinki", "asker", "drammen"] {
            assert!(
                !found.contains(&excluded.to_owned()),
                "[{}] {excluded} in {found:?}",
                app.backend
            );
        }
        assert_eq!(data["partnerSuggestions"]["totalCount"], nodes.len());
        let mut previous: Option<(f64, String)> = None;
        for node in nodes {
            let score = node["score"].as_f64().unwrap();
            let name = node["city"]["name"].as_str().unwrap().to_owned();
            if let Some((last_score, last_name)) = &previous {
                assert!(
                    *last_score > score || (*last_score == score && *last_name <= name),
                    "order at {name}"
                );
            }
            previous = Some((score, name));
            let reasons = node["reasons"].as_array().unwrap();
            assert!(!reasons.is_empty());
            let sum: f64 = reasons.iter().map(|r| r["weight"].as_f64().unwrap()).sum();
            assert!((sum - score).abs() < 0.002, "{node}");
            for reason in reasons {
                assert!(reason["weight"].as_f64().unwrap() > 0.0);
                let evidence = &reason["evidence"];
                assert!(!evidence["description"].as_str().unwrap().is_empty());
                match reason["kind"].as_str().unwrap() {
                    "PRACTICE" => {
                        assert!(
                            evidence["practice"]["evaluation"]["count"]
                                .as_i64()
                                .unwrap()
                                > 0,
                            "{reason}"
                        );
                        assert!(
                            evidence["practice"]["cities"]
                                .as_array()
                                .unwrap()
                                .iter()
                                .any(|c| c["city"] == node["city"]["slug"]
                                    || c["slug"] == node["city"]["slug"]),
                            "{reason}"
                        );
                        assert!(evidence["theme"].is_string());
                    }
                    "SHARED_NETWORK" => {
                        assert!(evidence["network"]["slug"].is_string(), "{reason}")
                    }
                    "EXISTING_PARTNERSHIP" => {
                        assert!(evidence["partnership"]["slug"].is_string(), "{reason}")
                    }
                    _ => {}
                }
            }
        }
        let practice_themes: Vec<&str> = nodes
            .iter()
            .flat_map(|node| node["reasons"].as_array().unwrap())
            .filter(|reason| reason["kind"] == "PRACTICE")
            .map(|reason| reason["evidence"]["theme"].as_str().unwrap())
            .collect();
        assert!(
            practice_themes.contains(&"mobility"),
            "Oslo has no mobility practice"
        );
        assert!(
            !practice_themes.contains(&"buildings"),
            "Oslo has building practices"
        );
        let mobility = app
            .data(
                SUGGEST,
                json!({ "city": "oslo", "themes": ["mobility/cycling"], "first": 5 }),
            )
            .await;
        for node in mobility["partnerSuggestions"]["nodes"].as_array().unwrap() {
            for reason in node["reasons"].as_array().unwrap() {
                if reason["kind"] == "PRACTICE" {
                    assert_eq!(reason["evidence"]["theme"], "mobility/cycling", "{reason}");
                }
            }
        }
        let again = app
            .data(
                SUGGEST,
                json!({ "city": "oslo", "themes": null, "first": 3 }),
            )
            .await;
        assert_eq!(slugs(&again), found[..3].to_vec(), "deterministic");
    }
}

#[tokio::test]
async fn bad_suggestion_arguments_name_their_field() {
    for app in spawn_apps().await {
        for (vars, field) in [
            (json!({ "city": "oslo", "first": 0 }), json!(["first"])),
            (json!({ "city": "oslo", "first": 101 }), json!(["first"])),
            (json!({ "city": "atlantis", "first": 5 }), json!(["city"])),
            (
                json!({ "city": "oslo", "first": 5, "themes": ["no/such/theme"] }),
                json!(["themes", 0]),
            ),
            (
                json!({ "city": "oslo", "first": 5, "themes": vec!["mobility"; 21] }),
                json!(["themes"]),
            ),
        ] {
            let response = app.graphql(SUGGEST, vars.clone()).await;
            let error = &response["errors"][0];
            assert_eq!(
                error["extensions"]["code"], "BAD_USER_INPUT",
                "[{}] {vars}: {response}",
                app.backend
            );
            assert_eq!(error["extensions"]["field"], field, "{vars}: {response}");
        }
    }
}
