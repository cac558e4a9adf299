//! The importer refuses unsafe URLs and oversized text at the field that holds them, stores
//! nothing of such a line, and URLs stored before this check are never served.

use serde_json::{Value, json};

use crate::helpers::{practice_record, spawn_apps};

fn practice(slug: &str, change: impl FnOnce(&mut Value)) -> Value {
    let mut record = practice_record(slug, &format!("Practice {slug}"));
    change(&mut record);
    record
}

fn link(url: &str) -> Value {
    json!({ "title": "More", "url": url })
}

#[tokio::test]
async fn unsafe_urls_and_oversized_text_are_refused_at_their_field() {
    for app in spawn_apps().await {
        let lines = [
            practice("script-link", |p| {
                p["links"] = json!([link("javascript:alert(1)")])
            }),
            practice("huge-title", |p| p["title"] = json!("x".repeat(100_000))),
            practice("huge-body", |p| p["body"] = json!("x".repeat(100_001))),
            practice("bad-email", |p| {
                p["contacts"] = json!([{ "name": "Klimaetaten", "email": "not an address" }])
            }),
            practice("many-links", |p| {
                p["links"] = json!(vec![link("https://example.org"); 31])
            }),
            practice("relative-link", |p| p["links"] = json!([link("/about")])),
            practice("data-link", |p| {
                p["links"] = json!([
                    link("https://example.org"),
                    link("data:text/html,<script>alert(1)</script>")
                ])
            }),
            practice("long-summary", |p| p["summary"] = json!("y".repeat(2_001))),
            practice("good-link", |p| {
                p["links"] = json!([link("https://www.klimaoslo.no")])
            }),
        ];
        let file = app.data_dir().join("unsafe.jsonl");
        let text: Vec<String> = lines.iter().map(Value::to_string).collect();
        std::fs::write(&file, text.join("\n")).unwrap();

        let output = app.kxc(&["import", "practices", file.to_str().unwrap()]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(!output.status.success(), "[{}] {stdout}", app.backend);
        for expected in [
            "line 1: links[0].url: `javascript:alert(1)` is not an http or https URL",
            "line 2: title: must be at most 300 characters (this one has 100000)",
            "line 3: body: must be at most 100000 characters",
            "line 4: contacts[0].email: `not an address` is not an e-mail address",
            "line 5: links: at most 30 elements (this list has 31)",
            "line 6: links[0].url: `/about` is not an absolute URL",
            "line 7: links[1].url:",
            "line 8: summary: must be at most 2000 characters",
            "1 stored, 0 unchanged, 8 rejected",
        ] {
            assert!(
                stdout.contains(expected),
                "[{}] missing {expected:?} in:\n{stdout}",
                app.backend
            );
        }
        assert!(
            stdout.len() < 2_000,
            "[{}] the report must not echo the oversized values",
            app.backend
        );

        for slug in [
            "script-link",
            "huge-title",
            "huge-body",
            "bad-email",
            "many-links",
            "relative-link",
            "data-link",
            "long-summary",
        ] {
            let data = app
                .data(
                    "query($slug: String!) { practice(slug: $slug) { slug } }",
                    json!({ "slug": slug }),
                )
                .await;
            assert!(
                data["practice"].is_null(),
                "[{}] {slug} must not be stored",
                app.backend
            );
        }
        let data = app
            .data(
                r#"{ practice(slug: "good-link") { links { url } } }"#,
                json!({}),
            )
            .await;
        assert_eq!(
            data["practice"]["links"],
            json!([{ "url": "https://www.klimaoslo.no/" }]),
            "[{}]",
            app.backend
        );
    }
}

#[tokio::test]
async fn a_funding_line_with_a_script_url_or_a_huge_title_is_refused() {
    for app in spawn_apps().await {
        let good = json!({
            "external_id": "call-1", "title": "Heat pump grant", "summary": "Grants for heat pumps.",
            "provider_level": "national", "instrument": "grant", "direction": "domestic",
            "language": "no", "url": "https://www.enova.no"
        });
        let mut script = good.clone();
        script["external_id"] = json!("call-2");
        script["url"] = json!("javascript:alert(document.cookie)");
        let mut huge = good.clone();
        huge["external_id"] = json!("call-3");
        huge["title"] = json!("t".repeat(100_000));
        let file = app.data_dir().join("funding.jsonl");
        std::fs::write(&file, format!("{good}\n{script}\n{huge}\n")).unwrap();

        let output = app.kxc(&[
            "import",
            "funding",
            file.to_str().unwrap(),
            "--source",
            "partner-x",
        ]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.contains(
                "line 2: url: `javascript:alert(document.cookie)` is not an http or https URL"
            ),
            "[{}] {stdout}",
            app.backend
        );
        assert!(
            stdout.contains("line 3: title: must be at most 300 characters"),
            "[{}] {stdout}",
            app.backend
        );
        // A funding file is stored all or nothing, like one push.
        assert!(stdout.contains("0 stored"), "[{}] {stdout}", app.backend);
        assert!(!output.status.success(), "[{}] {stdout}", app.backend);
        let data = app
            .data(
                r#"{ fundingOpportunities(first: 5, filter: { sources: ["partner-x"] }) { nodes { externalId url } } }"#,
                json!({}),
            )
            .await;
        assert_eq!(
            data["fundingOpportunities"]["nodes"],
            json!([]),
            "[{}]",
            app.backend
        );
    }
}

#[tokio::test]
async fn urls_stored_before_validation_are_never_served_unless_http() {
    for app in spawn_apps().await {
        let db = sea_orm::Database::connect(&app.database_url)
            .await
            .expect("connect");
        let links = json!([link("javascript:alert(1)"), link("https://example.org/")]).to_string();
        for sql in [
            format!("UPDATE practice SET links = '{links}' WHERE slug = 'oslo-climate-budget'"),
            "UPDATE organisation SET url = 'javascript:alert(1)' WHERE slug = 'c40'".to_owned(),
            "UPDATE funding_opportunity SET url = 'data:text/html,x' WHERE id = (SELECT MIN(id) FROM funding_opportunity)".to_owned(),
        ] {
            sea_orm::ConnectionTrait::execute_unprepared(&db, &sql)
                .await
                .unwrap_or_else(|error| panic!("{sql}: {error}"));
        }
        db.close().await.expect("close");

        let data = app
            .data(
                r#"{ practice(slug: "oslo-climate-budget") { links { url } }
                     organisation(slug: "c40") { url }
                     fundingOpportunities(first: 100) { nodes { url } } }"#,
                json!({}),
            )
            .await;
        assert_eq!(
            data["practice"]["links"],
            json!([{ "url": "https://example.org/" }]),
            "[{}]",
            app.backend
        );
        assert!(data["organisation"]["url"].is_null(), "[{}]", app.backend);
        for node in data["fundingOpportunities"]["nodes"].as_array().unwrap() {
            let url = &node["url"];
            assert!(
                url.is_null() || url.as_str().unwrap().starts_with("http"),
                "[{}] {url}",
                app.backend
            );
        }
    }
}

#[tokio::test]
async fn a_governance_level_outside_the_set_is_refused_at_its_field() {
    for app in spawn_apps().await {
        let lines = [
            practice("municipal-level", |p| {
                p["governance_level"] = json!("municipal")
            }),
            practice("enum-spelling", |p| {
                p["governance_level"] = json!("MULTI_LEVEL")
            }),
            practice("multi-level", |p| {
                p["governance_level"] = json!("multi-level")
            }),
        ];
        let file = app.data_dir().join("levels.jsonl");
        let text: Vec<String> = lines.iter().map(Value::to_string).collect();
        std::fs::write(&file, text.join("\n")).unwrap();

        let output = app.kxc(&["import", "practices", file.to_str().unwrap()]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        for expected in [
            "line 1: governance_level: unknown variant `municipal`",
            "line 2: governance_level: unknown variant `MULTI_LEVEL`",
            "1 stored, 0 unchanged, 2 rejected",
        ] {
            assert!(
                stdout.contains(expected),
                "[{}] missing {expected:?} in:\n{stdout}",
                app.backend
            );
        }
        let data = app
            .data(
                r#"{ practice(slug: "multi-level") { governanceLevel } }"#,
                json!({}),
            )
            .await;
        assert_eq!(
            data["practice"]["governanceLevel"], "MULTI_LEVEL",
            "[{}]",
            app.backend
        );
    }
}
