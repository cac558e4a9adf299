//! `stats`: totals equal sums over the filtered `practices` and `fundingOpportunities` lists.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::helpers::spawn_apps;

const STATS: &str = r#"query($groupBy: [StatsDimension!]!, $filter: PracticeFilter, $funding: FundingFilter) {
  stats(groupBy: $groupBy, filter: $filter, fundingFilter: $funding) {
    key { dimension value } practiceCount annualTco2e fundingCount fundingVolume { currency amount } } }"#;

const LISTS: &str = r#"query($filter: PracticeFilter, $funding: FundingFilter) {
  practices(first: 100, filter: $filter) { totalCount nodes { impact { annualTco2e } } }
  fundingOpportunities(first: 100, filter: $funding) { totalCount nodes { amount { min max currency } } } }"#;

fn sums(lists: &Value) -> (u64, f64, u64, BTreeMap<String, f64>) {
    let practices = lists["practices"]["nodes"].as_array().unwrap();
    let tco2e: f64 = practices
        .iter()
        .map(|p| p["impact"]["annualTco2e"].as_f64().unwrap_or(0.0))
        .sum();
    let mut volume = BTreeMap::new();
    for node in lists["fundingOpportunities"]["nodes"].as_array().unwrap() {
        let amount = &node["amount"];
        if let (Some(currency), Some(value)) = (
            amount["currency"].as_str(),
            amount["max"].as_f64().or(amount["min"].as_f64()),
        ) {
            *volume.entry(currency.to_owned()).or_insert(0.0) += value;
        }
    }
    (
        lists["practices"]["totalCount"].as_u64().unwrap(),
        tco2e,
        lists["fundingOpportunities"]["totalCount"]
            .as_u64()
            .unwrap(),
        volume,
    )
}

fn volume(group: &Value) -> BTreeMap<String, f64> {
    group["fundingVolume"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["currency"].as_str().unwrap().to_owned(),
                v["amount"].as_f64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn stats_equal_sums_over_the_filtered_lists() {
    for app in spawn_apps().await {
        for (filter, funding) in [
            (json!(null), json!(null)),
            (
                json!({ "themes": ["mobility"] }),
                json!({ "instruments": ["GRANT"] }),
            ),
            (
                json!({ "regions": ["150"], "minScore": 3.5 }),
                json!({ "themes": ["energy"] }),
            ),
        ] {
            let vars = json!({ "groupBy": [], "filter": filter, "funding": funding });
            let stats = app.data(STATS, vars.clone()).await;
            let total = &stats["stats"][0];
            let (practices, tco2e, opportunities, expected_volume) =
                sums(&app.data(LISTS, vars).await);
            assert!(practices > 0 && opportunities > 0, "{filter} {funding}");
            assert_eq!(
                total["practiceCount"], practices,
                "[{}] {filter}",
                app.backend
            );
            assert!(
                (total["annualTco2e"].as_f64().unwrap() - tco2e).abs() < 0.01,
                "{total} vs {tco2e}"
            );
            assert_eq!(total["fundingCount"], opportunities, "{funding}");
            let found = volume(total);
            assert_eq!(
                found.keys().collect::<Vec<_>>(),
                expected_volume.keys().collect::<Vec<_>>()
            );
            for (currency, amount) in expected_volume {
                assert!((found[&currency] - amount).abs() < 0.01, "{currency}");
            }
        }

        // Per country: each group equals the list filtered to that country.
        let by_country = app
            .data(STATS, json!({ "groupBy": ["COUNTRY"], "filter": { "themes": ["mobility"] }, "funding": { "sources": ["nobody"] } }))
            .await;
        let groups = by_country["stats"].as_array().unwrap();
        assert!(groups.len() > 3, "{by_country}");
        for group in groups {
            let country = group["key"][0]["value"].as_str().unwrap();
            assert_eq!(group["key"][0]["dimension"], "COUNTRY");
            let (practices, tco2e, _, _) = sums(
                &app.data(LISTS, json!({ "filter": { "themes": ["mobility"], "regions": [country] }, "funding": null }))
                    .await,
            );
            assert_eq!(
                group["practiceCount"], practices,
                "[{}] {country}",
                app.backend
            );
            assert!(
                (group["annualTco2e"].as_f64().unwrap() - tco2e).abs() < 0.01,
                "{country}"
            );
        }

        // Per instrument: each group equals the list of that instrument.
        let by_instrument = app
            .data(STATS, json!({ "groupBy": ["INSTRUMENT"], "filter": { "cities": ["oslo"] }, "funding": null }))
            .await;
        let groups = by_instrument["stats"].as_array().unwrap();
        assert!(groups.len() >= 3, "{by_instrument}");
        let mut counted = 0;
        for group in groups {
            let instrument = group["key"][0]["value"].as_str().unwrap();
            assert_eq!(group["practiceCount"], 0, "practices have no instrument");
            let (_, _, opportunities, expected_volume) = sums(
                &app.data(
                    LISTS,
                    json!({ "filter": null, "funding": { "instruments": [instrument] } }),
                )
                .await,
            );
            assert_eq!(
                group["fundingCount"], opportunities,
                "[{}] {instrument}",
                app.backend
            );
            assert_eq!(volume(group).len(), expected_volume.len());
            counted += opportunities;
        }
        let all = app.data(LISTS, json!({})).await;
        assert_eq!(
            all["fundingOpportunities"]["totalCount"], counted,
            "each opportunity has one instrument"
        );
    }
}

#[tokio::test]
async fn bad_stats_arguments_name_their_field() {
    for app in spawn_apps().await {
        for (vars, field) in [
            (
                json!({ "groupBy": ["THEME", "REGION", "COUNTRY", "YEAR"] }),
                json!(["groupBy"]),
            ),
            (
                json!({ "groupBy": ["THEME", "THEME"] }),
                json!(["groupBy", 1]),
            ),
            (
                json!({ "groupBy": [], "filter": { "themes": ["no/such"] } }),
                json!(["filter", "themes", 0]),
            ),
        ] {
            let response = app.graphql(STATS, vars.clone()).await;
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
