//! `GET /export/practices.csv`, `.jsonl` and `.geojson`: the filtered practice exports for
//! researchers, through HTTP. Bodies are parsed back with independent parsers (the `csv` and
//! `geojson` crates); every export holds exactly the practices `practices(filter:)` lists for
//! the same filter, as many as its `totalCount`.

use std::collections::BTreeSet;
use std::str::FromStr;

use serde_json::{Value, json};

use kxc::config::Budget;

use crate::helpers::{TestApp, practice_record, spawn_apps, spawn_apps_with};

/// The status, content type and body of an export.
async fn get(app: &TestApp, path: &str) -> (u16, String, String) {
    let response = app
        .client
        .get(format!("{}{path}", app.address))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let media = response
        .headers()
        .get("content-type")
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert!(
        status != 200 || response.headers().contains_key("ratelimit-remaining"),
        "an export is charged to the caller's budget"
    );
    (status, media, response.text().await.unwrap())
}

/// The CSV export's rows as header → value maps, read with the `csv` crate.
async fn csv_rows(app: &TestApp, query: &str) -> Vec<std::collections::HashMap<String, String>> {
    let (status, media, body) = get(app, &format!("/export/practices.csv{query}")).await;
    assert_eq!(status, 200, "[{}] {body}", app.backend);
    assert!(media.starts_with("text/csv"), "{media}");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(&headers[0], "id");
    reader
        .records()
        .map(|record| {
            let record = record.expect("a well-formed CSV record");
            headers
                .iter()
                .zip(record.iter())
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect()
        })
        .collect()
}

async fn jsonl_lines(app: &TestApp, query: &str) -> Vec<Value> {
    let (status, media, body) = get(app, &format!("/export/practices.jsonl{query}")).await;
    assert_eq!(status, 200, "[{}] {body}", app.backend);
    assert!(media.starts_with("application/jsonl"), "{media}");
    body.lines()
        .map(|line| serde_json::from_str(line).expect("each line is one JSON value"))
        .collect()
}

/// The GeoJSON export, read with the `geojson` crate.
async fn features(app: &TestApp, query: &str) -> Vec<geojson::Feature> {
    let (status, media, body) = get(app, &format!("/export/practices.geojson{query}")).await;
    assert_eq!(status, 200, "[{}] {body}", app.backend);
    assert_eq!(media, "application/geo+json");
    match geojson::GeoJson::from_str(&body).expect("valid GeoJSON") {
        geojson::GeoJson::FeatureCollection(collection) => collection.features,
        other => panic!("not a FeatureCollection: {other:?}"),
    }
}

fn property<'a>(feature: &'a geojson::Feature, name: &str) -> &'a Value {
    feature
        .properties
        .as_ref()
        .and_then(|properties| properties.get(name))
        .unwrap_or(&Value::Null)
}

/// The ids `practices(filter:)` lists (every page), checked against its `totalCount`.
async fn listed(app: &TestApp, filter: Value) -> BTreeSet<String> {
    app.all_practices(filter, Value::Null, 100, "id")
        .await
        .iter()
        .map(|node| node["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Each export of `query` holds exactly the ids listed for `filter`, each once.
async fn assert_exports_match(app: &TestApp, query: &str, filter: Value) -> usize {
    let expected = listed(app, filter.clone()).await;
    let rows = csv_rows(app, query).await;
    let lines = jsonl_lines(app, query).await;
    let features = features(app, query).await;
    let csv_ids: Vec<String> = rows.iter().map(|row| row["id"].clone()).collect();
    let line_ids: Vec<String> = lines
        .iter()
        .map(|line| line["id"].as_str().unwrap().to_owned())
        .collect();
    let feature_ids: Vec<String> = features
        .iter()
        .map(|feature| property(feature, "id").as_str().unwrap().to_owned())
        .collect();
    for (format, ids) in [
        ("csv", &csv_ids),
        ("jsonl", &line_ids),
        ("geojson", &feature_ids),
    ] {
        assert_eq!(
            ids.len(),
            expected.len(),
            "[{}] {format} {query}: as many as totalCount",
            app.backend
        );
        assert_eq!(
            ids.iter().cloned().collect::<BTreeSet<_>>(),
            expected,
            "[{}] {format} {query} = practices({filter})",
            app.backend
        );
    }
    expected.len()
}

#[tokio::test]
async fn practice_exports_hold_exactly_the_filtered_list() {
    for app in spawn_apps().await {
        let all = assert_exports_match(&app, "", Value::Null).await;
        assert!(all > 5, "[{}] the seed's practices: {all}", app.backend);
        let cases = [
            ("?themes=energy", json!({ "themes": ["energy"] })),
            (
                "?regions=NO,SE&languages=en",
                json!({ "regions": ["NO", "SE"], "languages": ["en"] }),
            ),
            (
                "?evaluationLabel=PROVEN,exemplary",
                json!({ "evaluationLabel": ["PROVEN", "EXEMPLARY"] }),
            ),
            (
                "?networks=c40&impactMin=100",
                json!({ "networks": ["c40"], "impact": { "min": 100.0 } }),
            ),
            (
                "?implementedFrom=2020-01-01&implementedTo=2022-12-31&sdgs=11,7",
                json!({
                    "implementedBetween": { "from": "2020-01-01", "to": "2022-12-31" },
                    "sdgs": [11, 7],
                }),
            ),
        ];
        let mut narrowed = 0;
        for (query, filter) in cases {
            let count = assert_exports_match(&app, query, filter).await;
            assert!(count < all, "[{}] {query} narrows: {count}", app.backend);
            narrowed += usize::from(count > 0);
        }
        assert!(narrowed >= 3, "[{}] most filters select some", app.backend);
    }
}

#[tokio::test]
async fn exported_practices_carry_the_fields_the_api_shows() {
    for app in spawn_apps().await {
        let data = app
            .data(
                "{ practices(first: 100, filter: { themes: [\"energy\"] }) { nodes {
                    id slug title impactTco2e
                    evaluation { label score }
                    themes { path }
                    cities { slug latitude longitude } } } }",
                json!({}),
            )
            .await;
        let nodes = data["practices"]["nodes"].as_array().unwrap().clone();
        assert!(!nodes.is_empty());
        let rows = csv_rows(&app, "?themes=energy").await;
        let lines = jsonl_lines(&app, "?themes=energy").await;
        let features = features(&app, "?themes=energy").await;
        for node in &nodes {
            let id = node["id"].as_str().unwrap();
            let row = rows.iter().find(|row| row["id"] == id).unwrap();
            let line = lines.iter().find(|line| line["id"] == id).unwrap();
            let feature = features
                .iter()
                .find(|feature| property(feature, "id") == id)
                .unwrap();
            assert_eq!(row["slug"], node["slug"].as_str().unwrap());
            assert_eq!(line["title"], node["title"]);
            assert_eq!(property(feature, "title"), &node["title"]);
            assert_eq!(line["impactTco2e"], node["impactTco2e"]);
            assert_eq!(property(feature, "impactTco2e"), &node["impactTco2e"]);
            assert_eq!(line["evaluationLabel"], node["evaluation"]["label"]);
            assert_eq!(
                property(feature, "evaluationLabel"),
                &node["evaluation"]["label"]
            );
            assert_eq!(
                row["evaluation_label"],
                node["evaluation"]["label"].as_str().unwrap_or("")
            );
            let themes: Vec<&str> = node["themes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|theme| theme["path"].as_str().unwrap())
                .collect();
            assert_eq!(row["themes"], themes.join(";"));
            assert_eq!(property(feature, "themes"), &json!(themes));
            let cities = node["cities"].as_array().unwrap();
            let slugs: Vec<&str> = cities
                .iter()
                .map(|city| city["slug"].as_str().unwrap())
                .collect();
            assert_eq!(row["cities"], slugs.join(";"));
            assert_eq!(property(feature, "cities"), &json!(slugs));
            // GeoJSON positions are [longitude, latitude].
            let points: Vec<Vec<f64>> = cities
                .iter()
                .map(|city| {
                    vec![
                        city["longitude"].as_f64().unwrap(),
                        city["latitude"].as_f64().unwrap(),
                    ]
                })
                .collect();
            match &feature.geometry.as_ref().expect("a geometry").value {
                geojson::GeometryValue::MultiPoint { coordinates } => {
                    let positions: Vec<Vec<f64>> = coordinates
                        .iter()
                        .map(|position| position.as_slice().to_vec())
                        .collect();
                    assert_eq!(positions, points, "{id}");
                }
                other => panic!("not a MultiPoint: {other:?}"),
            }
            assert_eq!(
                line["cities"][0]["lon"].as_f64(),
                cities[0]["longitude"].as_f64()
            );
        }
    }
}

#[tokio::test]
async fn bad_export_parameters_are_refused_naming_the_parameter() {
    // Each refused export is still charged; these are many.
    let apps = spawn_apps_with(|settings| {
        settings.auth.budget_anonymous = Budget {
            capacity: 1_000_000,
            per_second: 10_000,
        };
    })
    .await;
    for app in apps {
        let cases = [
            ("?themes=energy,Not%20A%20Path", "themes[1]"),
            ("?themes=no-such-theme", "themes[0]"),
            ("?regions=NO,XX-99", "regions[1]"),
            ("?cities=nowhere-at-all", "cities[0]"),
            ("?minScore=9", "minScore"),
            ("?minScore=high", "minScore"),
            ("?impactMin=5&impactMax=1", "impactMin"),
            ("?costMin=5", "costCurrency"),
            ("?costMin=5&costCurrency=EURO", "costCurrency"),
            ("?evaluationLabel=GREAT", "evaluationLabel[0]"),
            ("?sdgs=11,18", "sdgs[1]"),
            ("?sdgs=eleven", "sdgs[0]"),
            ("?languages=klingon", "languages[0]"),
            ("?implementedFrom=2020-01-01", "implementedTo"),
            (
                "?implementedFrom=2021-01-01&implementedTo=2020-01-01",
                "implementedFrom",
            ),
            (
                "?implementedFrom=yesterday&implementedTo=2020-01-01",
                "implementedFrom",
            ),
            ("?updatedSince=2026-13-01", "updatedSince"),
        ];
        for (query, parameter) in cases {
            for format in ["csv", "jsonl", "geojson"] {
                let (status, media, body) =
                    get(&app, &format!("/export/practices.{format}{query}")).await;
                assert_eq!(status, 400, "[{}] {format}{query}: {body}", app.backend);
                assert!(media.starts_with("application/json"), "{media}");
                let body: Value = serde_json::from_str(&body).unwrap();
                let error = &body["errors"][0];
                assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{body}");
                assert_eq!(
                    error["extensions"]["parameter"], parameter,
                    "{query}: {body}"
                );
                let message = error["message"].as_str().unwrap();
                assert!(
                    message.starts_with(&format!("`{parameter}`")),
                    "{query}: {message}"
                );
            }
        }
        let (status, _, body) = get(&app, "/export/practices.csv?theme=energy").await;
        assert_eq!(status, 400, "an unknown parameter: {body}");
        assert!(body.contains("theme"), "{body}");
    }
}

#[tokio::test]
async fn a_practice_export_longer_than_one_batch_holds_every_practice_once() {
    for app in spawn_apps().await {
        let records: Vec<Value> = (0..230)
            .map(|n| {
                let mut record =
                    practice_record(&format!("bulk-practice-{n:03}"), &format!("Bulk {n}"));
                record["themes"] = json!(["energy"]);
                record
            })
            .collect();
        app.import_practices(&records);
        let lines = jsonl_lines(&app, "?themes=energy").await;
        let ids: BTreeSet<&str> = lines
            .iter()
            .map(|line| line["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids.len(),
            lines.len(),
            "[{}] each practice once",
            app.backend
        );
        assert!(lines.len() > 230, "[{}] {}", app.backend, lines.len());
        let count =
            assert_exports_match(&app, "?themes=energy", json!({ "themes": ["energy"] })).await;
        assert_eq!(count, lines.len());
    }
}
