//! Commitment criteria: initiatives with their criteria and joining steps, each city's
//! commitment assessed criterion by criterion with evidence, and cities missing a criterion.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};

use crate::helpers::{spawn_apps, spawn_apps_with};

const CITY_CRITERIA: &str = r#"query($slug: String!) { city(slug: $slug) { commitments {
    initiative { slug } lastReportedOn
    criteria { criterion { code number } met explanation
      evidence { kind joinedOn reference targets { netZeroYear reductionPercent targetYear }
                 practice { slug } reportingPlatform lastReportedOn } } } } }"#;

fn race_to_zero(data: &Value) -> Value {
    data["city"]["commitments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|commitment| commitment["initiative"]["slug"] == "race-to-zero")
        .expect("a Race to Zero commitment")
        .clone()
}

fn met(commitment: &Value) -> Vec<(String, bool)> {
    commitment["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["criterion"]["code"].as_str().unwrap().to_owned(),
                c["met"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn missing_list(data: &Value) -> Vec<String> {
    data["cities"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|city| city["slug"].as_str().unwrap().to_owned())
        .collect()
}

const MISSING: &str = r#"query($initiative: String, $criterion: String) {
    cities(first: 100, filter: { commitment: $initiative, missingCriterion: $criterion }) {
      totalCount nodes { slug } } }"#;

#[tokio::test]
async fn initiatives_list_their_criteria_and_joining_steps() {
    for app in spawn_apps().await {
        let data = app
            .data(
                r#"{ initiatives { slug organisation { name } criteria { number code title description evidenceKind }
                     joiningSteps { number title description } }
                     initiative(slug: "race-to-zero") { criteria { code } }
                     unknown: initiative(slug: "c40") { slug } }"#,
                json!({}),
            )
            .await;
        let slugs: Vec<&str> = data["initiatives"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["slug"].as_str().unwrap())
            .collect();
        assert_eq!(
            slugs,
            ["race-to-zero", "covenant-of-mayors", "eu-cities-mission"],
            "[{}]",
            app.backend
        );
        let r2z = &data["initiatives"][0];
        assert_eq!(r2z["organisation"]["name"], "Race to Zero");
        let kinds: Vec<&str> = r2z["criteria"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["evidenceKind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            ["DECLARATION", "TARGETS", "TARGETS", "PRACTICE", "REPORT"]
        );
        assert_eq!(r2z["joiningSteps"].as_array().unwrap().len(), 5);
        assert_eq!(r2z["joiningSteps"][0]["number"], 1);
        assert_eq!(data["initiative"]["criteria"][1]["code"], "net-zero-target");
        assert_eq!(data["unknown"], Value::Null);
    }
}

#[tokio::test]
async fn a_commitment_shows_each_race_to_zero_criterion_met_or_missing_with_evidence() {
    // The test sets `last_reported_on` in the database, around the API and without a
    // `change_log` row, so the response cache could not know; it runs without one.
    for app in spawn_apps_with(|settings| settings.api.response_cache_bytes = 0).await {
        let berlin = race_to_zero(&app.data(CITY_CRITERIA, json!({ "slug": "berlin" })).await);
        assert_eq!(
            met(&berlin),
            [
                ("climate-emergency".to_owned(), true),
                ("net-zero-target".to_owned(), true),
                ("interim-target".to_owned(), true),
                ("implementation".to_owned(), true),
                ("annual-reporting".to_owned(), false),
            ],
            "[{}] {berlin}",
            app.backend
        );
        let criteria = &berlin["criteria"];
        assert_eq!(criteria[1]["evidence"]["kind"], "TARGETS");
        assert_eq!(criteria[1]["evidence"]["targets"]["netZeroYear"], 2045);
        assert_eq!(criteria[2]["evidence"]["targets"]["reductionPercent"], 70.0);
        assert_eq!(criteria[3]["evidence"]["kind"], "PRACTICE");
        assert!(
            criteria[3]["evidence"]["practice"]["slug"].is_string(),
            "{berlin}"
        );
        assert_eq!(criteria[3]["evidence"]["targets"], Value::Null);
        assert_eq!(
            criteria[4]["evidence"]["reportingPlatform"],
            "CDP-ICLEI Track"
        );
        assert_eq!(criteria[4]["evidence"]["lastReportedOn"], Value::Null);
        assert!(
            criteria[4]["explanation"]
                .as_str()
                .unwrap()
                .contains("no report date"),
            "{berlin}"
        );

        // Rotterdam targets 49 % by 2030 (short of half); Boston has no published practice.
        let rotterdam = race_to_zero(
            &app.data(CITY_CRITERIA, json!({ "slug": "rotterdam" }))
                .await,
        );
        assert!(!met(&rotterdam)[2].1, "{rotterdam}");
        let boston = race_to_zero(&app.data(CITY_CRITERIA, json!({ "slug": "boston" })).await);
        assert!(met(&boston)[2].1 && !met(&boston)[3].1, "{boston}");
        assert_eq!(boston["criteria"][3]["evidence"]["practice"], Value::Null);

        // A report within the last 15 months meets the reporting criterion.
        let db = app.db().await;
        let berlin_id: i32 = kxc::entity::city::Entity::find()
            .filter(kxc::entity::city::Column::Slug.eq("berlin"))
            .one(&db)
            .await
            .unwrap()
            .unwrap()
            .id;
        let recent = chrono::Utc::now().date_naive() - chrono::Days::new(60);
        kxc::entity::commitment::Entity::update_many()
            .col_expr(
                kxc::entity::commitment::Column::LastReportedOn,
                Expr::value(recent),
            )
            .filter(kxc::entity::commitment::Column::CityId.eq(berlin_id))
            .exec(&db)
            .await
            .unwrap();
        db.close().await.unwrap();
        let berlin = race_to_zero(&app.data(CITY_CRITERIA, json!({ "slug": "berlin" })).await);
        assert!(
            met(&berlin).iter().all(|(_, met)| *met),
            "[{}] {berlin}",
            app.backend
        );
        assert_eq!(
            berlin["criteria"][4]["evidence"]["lastReportedOn"],
            recent.to_string()
        );
        let missing = missing_list(
            &app.data(
                MISSING,
                json!({ "initiative": "race-to-zero", "criterion": "annual-reporting" }),
            )
            .await,
        );
        assert!(!missing.contains(&"berlin".to_owned()), "{missing:?}");
        assert!(missing.contains(&"boston".to_owned()), "{missing:?}");
    }
}

#[tokio::test]
async fn cities_missing_a_criterion_are_exactly_those_whose_commitment_misses_it() {
    for app in spawn_apps().await {
        let committed = app
            .data(
                MISSING,
                json!({ "initiative": "race-to-zero", "criterion": null }),
            )
            .await;
        let committed = missing_list(&committed);
        assert!(committed.len() > 10, "{committed:?}");
        let mut expected = Vec::new();
        for slug in &committed {
            let commitment = race_to_zero(&app.data(CITY_CRITERIA, json!({ "slug": slug })).await);
            if !met(&commitment)[2].1 {
                expected.push(slug.clone());
            }
        }
        let data = app
            .data(
                MISSING,
                json!({ "initiative": "race-to-zero", "criterion": "interim-target" }),
            )
            .await;
        let missing = missing_list(&data);
        assert_eq!(missing, expected, "[{}]", app.backend);
        assert_eq!(data["cities"]["totalCount"], missing.len());
        for slug in ["rotterdam", "new-york", "milan"] {
            assert!(missing.contains(&slug.to_owned()), "{slug} in {missing:?}");
        }
        assert!(!missing.contains(&"berlin".to_owned()));
    }
}

#[tokio::test]
async fn a_bad_commitment_filter_names_its_field() {
    for app in spawn_apps().await {
        for (initiative, criterion, field) in [
            (json!(null), json!("interim-target"), "missingCriterion"),
            (
                json!("race-to-zero"),
                json!("no-such-criterion"),
                "missingCriterion",
            ),
            (json!("c40"), json!("interim-target"), "commitment"),
            (json!("no-such-initiative"), json!(null), "commitment"),
            (json!("Not A Slug"), json!(null), "commitment"),
            (
                json!("race-to-zero"),
                json!("x".repeat(65)),
                "missingCriterion",
            ),
        ] {
            let response = app
                .graphql(
                    MISSING,
                    json!({ "initiative": initiative, "criterion": criterion }),
                )
                .await;
            let error = &response["errors"][0];
            assert_eq!(
                error["extensions"]["code"], "BAD_USER_INPUT",
                "[{}] {initiative} {criterion}: {response}",
                app.backend
            );
            assert_eq!(
                error["extensions"]["field"],
                json!(["filter", field]),
                "{response}"
            );
        }
    }
}
