use serde_json::json;

use crate::helpers::spawn_apps;

fn practice_line(slug: &str, title: &str) -> String {
    json!({
        "slug": slug,
        "original_language": "en",
        "title": title,
        "summary": "A district swaps diesel buses for electric ones.",
        "body": "## Context\n\nThe district ran diesel buses.",
        "published_at": "2026-01-15",
        "cities": ["asker"],
        "themes": ["mobility/public-transport/bus-electrification"],
        "sdgs": [11, 13],
        "cost": { "amount": 1000000, "currency": "NOK" },
        "translations": [{ "language": "no", "title": "Elektriske busser", "summary": "Kort.", "body": "Tekst." }],
        "evaluations": [{ "evaluator": "Test panel", "date": "2026-02-01", "summary": "Solid.",
            "scores": { "relevance": 4, "impact": 4, "evidence_quality": 3, "replicability": 5,
                        "cost_effectiveness": 4, "co_benefits": 4, "participation": 3 } }]
    })
    .to_string()
}

#[tokio::test]
async fn importing_practices_stores_the_good_lines_and_names_the_bad_line_and_field() {
    for app in spawn_apps().await {
        let mut bad =
            serde_json::from_str::<serde_json::Value>(&practice_line("import-bad", "Bad")).unwrap();
        bad["cost"]["currency"] = json!("EURO");
        let unknown_city = practice_line("import-unknown-city", "Unknown city")
            .replace("\"asker\"", "\"atlantis\"");
        let file = app.data_dir().join("practices.jsonl");
        std::fs::write(
            &file,
            [
                practice_line("import-first", "First imported"),
                bad.to_string(),
                String::new(),
                practice_line("import-second", "Second imported"),
                unknown_city,
                "{not json".to_owned(),
            ]
            .join("\n"),
        )
        .unwrap();

        let output = app.kxc(&["import", "practices", file.to_str().unwrap()]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            !output.status.success(),
            "[{}] a file with bad lines exits non-zero",
            app.backend
        );
        assert!(
            stdout.contains("line 2: cost.currency:"),
            "[{}] {stdout}",
            app.backend
        );
        assert!(
            stdout.contains("line 5: cities[0]: unknown city `atlantis`"),
            "[{}] {stdout}",
            app.backend
        );
        assert!(
            stdout.contains("line 6: (line): invalid JSON"),
            "[{}] {stdout}",
            app.backend
        );
        assert!(stdout.contains("2 stored"), "[{}] {stdout}", app.backend);

        for slug in ["import-first", "import-second"] {
            let data = app
                .data(
                    "query($slug: String!) { practice(slug: $slug) { title cities { slug } } }",
                    json!({ "slug": slug }),
                )
                .await;
            assert_eq!(
                data["practice"]["cities"][0]["slug"], "asker",
                "[{}] {slug}",
                app.backend
            );
        }
        for slug in ["import-bad", "import-unknown-city"] {
            let data = app
                .data(
                    "query($slug: String!) { practice(slug: $slug) { title } }",
                    json!({ "slug": slug }),
                )
                .await;
            assert!(
                data["practice"].is_null(),
                "[{}] {slug} must not be stored",
                app.backend
            );
        }
    }
}

#[tokio::test]
async fn reimporting_a_funding_file_is_idempotent_and_a_bad_line_stores_nothing() {
    for app in spawn_apps().await {
        let good = json!({
            "external_id": "call-1", "title": "Heat pump grant", "summary": "Grants for heat pumps.",
            "provider": "enova", "provider_level": "national", "provider_country": "NO",
            "instrument": "grant", "direction": "domestic", "eligible_regions": ["NO"],
            "eligible_applicants": ["city_government"], "themes": ["buildings/energy-retrofit/heat-pumps"],
            "amount_min": 10000, "amount_max": 500000, "currency": "NOK",
            "opens_at": "2026-01-01", "deadlines": ["2027-03-01"], "language": "no"
        });
        let mut bad = good.clone();
        bad["external_id"] = json!("call-2");
        bad["instrument"] = json!("lottery");
        let file = app.data_dir().join("funding.jsonl");
        std::fs::write(&file, format!("{good}\n{bad}\n")).unwrap();

        let first = app.kxc(&[
            "import",
            "funding",
            file.to_str().unwrap(),
            "--source",
            "partner-x",
        ]);
        let stdout = String::from_utf8_lossy(&first.stdout);
        assert!(
            stdout.contains("line 2: instrument:"),
            "[{}] {stdout}",
            app.backend
        );
        // All or nothing: the good line is not stored either.
        assert!(
            stdout.contains("0 stored, 0 unchanged, 1 rejected"),
            "[{}] {stdout}",
            app.backend
        );

        std::fs::write(&file, format!("{good}\n")).unwrap();
        let stored = app.kxc(&[
            "import",
            "funding",
            file.to_str().unwrap(),
            "--source",
            "partner-x",
        ]);
        let stdout = String::from_utf8_lossy(&stored.stdout);
        assert!(
            stdout.contains("1 stored, 0 unchanged, 0 rejected"),
            "[{}] {stdout}",
            app.backend
        );
        let second = app.kxc(&[
            "import",
            "funding",
            file.to_str().unwrap(),
            "--source",
            "partner-x",
        ]);
        let stdout = String::from_utf8_lossy(&second.stdout);
        assert!(second.status.success(), "[{}] {stdout}", app.backend);
        assert!(
            stdout.contains("0 stored, 1 unchanged, 0 rejected"),
            "[{}] {stdout}",
            app.backend
        );
    }
}
