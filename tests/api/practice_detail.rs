//! A practice's full record, language choice and fallback, rendered markdown and relations.

use serde_json::json;

use crate::helpers::{practice_record, spawn_apps};

const DETAIL: &str = r#"query($slug: String, $lang: String) { practice(slug: $slug, lang: $lang) {
    slug language originalLanguage availableLanguages title summary body bodyHtml
    governanceLevel startDate cost { amount currency } impact { annualTco2e baseline method }
    coBenefits replicabilityNotes contacts { name role email } links { title url }
    evaluation { score label count criteria { relevance impact evidenceQuality replicability costEffectiveness coBenefits participation } }
    evaluations { evaluator evaluatedOn summary mean scores { relevance } }
    translations { language title machineTranslated }
    replicatedFrom { slug } replications { slug } relatedPractices(first: 3) { slug }
    cities { slug } themes { path } sdgs
} }"#;

#[tokio::test]
async fn a_practice_answers_in_the_language_asked_for_and_falls_back_to_the_original() {
    for app in spawn_apps().await {
        // Oslo's climate budget is written in Norwegian and translated to English only.
        let original = app
            .data(DETAIL, json!({ "slug": "oslo-climate-budget" }))
            .await["practice"]
            .clone();
        assert_eq!(original["language"], "no", "[{}]", app.backend);
        assert_eq!(original["originalLanguage"], "no");
        assert!(
            original["availableLanguages"]
                .as_array()
                .unwrap()
                .contains(&json!("en"))
        );

        let english = app
            .data(
                DETAIL,
                json!({ "slug": "oslo-climate-budget", "lang": "en" }),
            )
            .await["practice"]
            .clone();
        assert_eq!(english["language"], "en");
        assert_ne!(english["title"], original["title"]);
        let translation = english["translations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["language"] == "en")
            .unwrap()
            .clone();
        assert_eq!(english["title"], translation["title"]);

        let german = app
            .data(
                DETAIL,
                json!({ "slug": "oslo-climate-budget", "lang": "de" }),
            )
            .await["practice"]
            .clone();
        assert_eq!(
            german["language"], "no",
            "no German text: the original is returned and says so"
        );
        assert_eq!(german["title"], original["title"]);

        // Accept-Language, quality-ordered, with a region subtag; `lang:` wins over it.
        let response: serde_json::Value = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("accept-language", "de-DE, en-GB;q=0.8, fr;q=0.5")
            .json(&json!({ "query": DETAIL, "variables": { "slug": "oslo-climate-budget" } }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            response["data"]["practice"]["language"], "en",
            "[{}] {response}",
            app.backend
        );
        let response: serde_json::Value = app
            .client
            .post(format!("{}/graphql", app.address))
            .header("accept-language", "en")
            .json(&json!({ "query": DETAIL, "variables": { "slug": "oslo-climate-budget", "lang": "no" } }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(response["data"]["practice"]["language"], "no");
    }
}

#[tokio::test]
async fn a_practice_exposes_every_field_of_its_record() {
    for app in spawn_apps().await {
        let practice = app
            .data(
                DETAIL,
                json!({ "slug": "asker-drammen-zero-emission-machinery-procurement" }),
            )
            .await["practice"]
            .clone();
        assert_eq!(
            practice["replicatedFrom"]["slug"], "oslo-fossil-free-construction-sites",
            "[{}] {practice}",
            app.backend
        );
        assert_eq!(practice["cities"].as_array().unwrap().len(), 2);
        let evaluation = &practice["evaluation"];
        assert_eq!(
            evaluation["count"].as_i64().unwrap() as usize,
            practice["evaluations"].as_array().unwrap().len()
        );
        for criterion in [
            "relevance",
            "impact",
            "evidenceQuality",
            "replicability",
            "costEffectiveness",
            "coBenefits",
            "participation",
        ] {
            let mean = evaluation["criteria"][criterion].as_f64().unwrap();
            assert!((1.0..=5.0).contains(&mean), "{criterion}");
        }
        let label = evaluation["label"].as_str().unwrap();
        assert!(["EXEMPLARY", "PROVEN", "PROMISING", "EMERGING"].contains(&label));
        assert!(!practice["contacts"].as_array().unwrap().is_empty());
        assert!(
            practice["links"][0]["url"]
                .as_str()
                .unwrap()
                .starts_with("https://")
        );
        assert!(practice["bodyHtml"].as_str().unwrap().contains("<h2>"));

        let oslo = app
            .data(
                DETAIL,
                json!({ "slug": "oslo-fossil-free-construction-sites" }),
            )
            .await["practice"]
            .clone();
        let replications: Vec<&str> = oslo["replications"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["slug"].as_str().unwrap())
            .collect();
        assert!(
            replications.contains(&"asker-drammen-zero-emission-machinery-procurement"),
            "{replications:?}"
        );
        let related = oslo["relatedPractices"].as_array().unwrap();
        assert_eq!(related.len(), 3);
        assert!(
            related
                .iter()
                .all(|p| p["slug"] != "oslo-fossil-free-construction-sites")
        );
    }
}

#[tokio::test]
async fn markdown_is_rendered_to_sanitized_html() {
    for app in spawn_apps().await {
        let mut record = practice_record("markdown-test", "Markdown test");
        record["body"] = json!(
            "## Heading\n\nSome *emphasis*.\n\n<script>alert('x')</script>\n\n<a href=\"javascript:alert(1)\" onclick=\"steal()\">link</a>"
        );
        app.import_practices(&[record]);
        let html =
            app.data(DETAIL, json!({ "slug": "markdown-test" })).await["practice"]["bodyHtml"]
                .as_str()
                .unwrap()
                .to_owned();
        assert!(
            html.contains("<h2>Heading</h2>") && html.contains("<em>emphasis</em>"),
            "[{}] {html}",
            app.backend
        );
        assert!(
            !html.contains("<script") && !html.contains("javascript:") && !html.contains("onclick"),
            "[{}] {html}",
            app.backend
        );
    }
}

#[tokio::test]
async fn markdown_loads_no_remote_images_and_links_nowhere_protocol_relative() {
    for app in spawn_apps().await {
        let mut record = practice_record("tracking-test", "Tracking test");
        record["body"] = json!(
            "## Pixels\n\n![x](https://t.example/p.png)\n\n[a](//evil.example) and [b](https://ok.example/)"
        );
        app.import_practices(&[record]);
        let html =
            app.data(DETAIL, json!({ "slug": "tracking-test" })).await["practice"]["bodyHtml"]
                .as_str()
                .unwrap()
                .to_owned();
        assert!(
            !html.contains("<img") && !html.contains("t.example"),
            "[{}] {html}",
            app.backend
        );
        assert!(!html.contains("evil.example"), "[{}] {html}", app.backend);
        assert!(
            html.contains("href=\"https://ok.example/\""),
            "[{}] {html}",
            app.backend
        );
    }
}

#[tokio::test]
async fn unpublished_practices_are_invisible_through_every_path() {
    for app in spawn_apps().await {
        let mut draft = practice_record("a-draft-practice", "A draft");
        draft["status"] = json!("draft");
        let mut archived = practice_record("an-archived-practice", "Archived");
        archived["status"] = json!("archived");
        app.import_practices(&[
            draft,
            archived,
            practice_record("a-published-practice", "Published"),
        ]);

        let total = app
            .all_practices(
                serde_json::Value::Null,
                serde_json::Value::Null,
                100,
                "slug",
            )
            .await;
        let slugs: Vec<&str> = total.iter().map(|p| p["slug"].as_str().unwrap()).collect();
        assert!(slugs.contains(&"a-published-practice"));
        assert!(!slugs.contains(&"a-draft-practice") && !slugs.contains(&"an-archived-practice"));
        for slug in ["a-draft-practice", "an-archived-practice"] {
            let data = app
                .data(
                    "query($slug: String) { practice(slug: $slug) { slug } }",
                    json!({ "slug": slug }),
                )
                .await;
            assert!(data["practice"].is_null(), "[{}] {slug}", app.backend);
        }
        // Every id the database could hold: only the published ones resolve.
        let ids: Vec<String> = (1..=100)
            .map(|id| base64_url(&format!("practice:{id}")))
            .collect();
        let data = app
            .data(
                "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Practice { slug } } }",
                json!({ "ids": ids }),
            )
            .await;
        let found: Vec<&str> = data["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|node| node["slug"].as_str())
            .collect();
        assert_eq!(found.len(), total.len(), "[{}]", app.backend);
        assert!(!found.contains(&"a-draft-practice") && !found.contains(&"an-archived-practice"));
        let asker = app
            .data(
                r#"{ city(slug: "asker") { practices(first: 100) { nodes { slug } } } }"#,
                json!({}),
            )
            .await;
        assert!(!asker.to_string().contains("a-draft-practice"));
    }
}

fn base64_url(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}
