//! Funding opportunity filters and derived status, checked against the rule applied by the test
//! to the unfiltered data.

use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_discriminates, spawn_apps};

const FIELDS: &str = "id externalId source instrument providerLevel direction eligibleApplicants rolling opensAt deadlines
    amount { min max currency } eligibleRegions { code } themes { path } status(on: \"2026-11-22\") provider { slug }";

async fn all_funding(app: &TestApp, filter: Value) -> Vec<Value> {
    let query = format!(
        "query($filter: FundingFilter, $after: String) {{ fundingOpportunities(filter: $filter, first: 10, after: $after) {{
            totalCount edges {{ node {{ {FIELDS} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
    );
    let mut nodes = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = app
            .data(&query, json!({ "filter": filter, "after": after }))
            .await;
        let connection = &data["fundingOpportunities"];
        nodes.extend(
            connection["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|edge| edge["node"].clone()),
        );
        if !connection["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            assert_eq!(
                connection["totalCount"].as_u64().unwrap() as usize,
                nodes.len()
            );
            return nodes;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
}

fn ids(nodes: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = nodes
        .iter()
        .map(|node| node["externalId"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

async fn check(
    app: &TestApp,
    all: &[Value],
    filter: Value,
    rule: impl Fn(&Value) -> bool,
) -> usize {
    let expected: Vec<Value> = all.iter().filter(|node| rule(node)).cloned().collect();
    assert_discriminates(
        format!("[{}] rule for {filter}", app.backend),
        &ids(all),
        &ids(&expected),
    );
    let got = all_funding(app, filter.clone()).await;
    assert_eq!(
        ids(&got),
        ids(&expected),
        "[{}] filter {filter}",
        app.backend
    );
    expected.len()
}

/// Imports one funding opportunity per external id under `source`, as a partner's feed would.
fn import_partner_funding(app: &TestApp, source: &str, external_ids: &[&str]) {
    let lines: Vec<String> = external_ids
        .iter()
        .map(|external_id| {
            json!({
                "external_id": external_id, "title": format!("Partner call {external_id}"),
                "summary": "A partner's call.", "provider": "enova", "provider_level": "national",
                "provider_country": "NO", "instrument": "grant", "direction": "domestic",
                "eligible_regions": ["NO"], "eligible_applicants": ["city_government"],
                "themes": ["buildings/energy-retrofit/heat-pumps"], "amount_min": 10000,
                "amount_max": 500000, "currency": "NOK", "opens_at": "2026-01-01",
                "deadlines": ["2027-03-01"], "language": "no"
            })
            .to_string()
        })
        .collect();
    let file = app.data_dir().join(format!("funding-{source}.jsonl"));
    std::fs::write(&file, lines.join("\n")).unwrap();
    let output = app.kxc(&[
        "import",
        "funding",
        file.to_str().unwrap(),
        "--source",
        source,
    ]);
    assert!(
        output.status.success(),
        "[{}] {}{}",
        app.backend,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn list_has(node: &Value, field: &str, value: &str) -> bool {
    node[field]
        .as_array()
        .unwrap()
        .iter()
        .any(|item| item == value)
}

#[tokio::test]
async fn each_funding_filter_selects_exactly_the_matching_opportunities() {
    for app in spawn_apps().await {
        // Every seeded record has the source `kxc-seed`; a second source makes `sources` choose.
        import_partner_funding(&app, "partner-x", &["partner-call-1", "partner-call-2"]);
        let all = all_funding(&app, Value::Null).await;
        assert!(all.len() >= 20, "[{}]", app.backend);

        assert!(
            check(
                &app,
                &all,
                json!({ "instruments": ["LOAN"] }),
                |n| n["instrument"] == "LOAN"
            )
            .await
                > 0
        );
        check(
            &app,
            &all,
            json!({ "instruments": ["TECHNICAL_ASSISTANCE", "ADVISORY"] }),
            |n| n["instrument"] == "TECHNICAL_ASSISTANCE" || n["instrument"] == "ADVISORY",
        )
        .await;
        assert!(
            check(
                &app,
                &all,
                json!({ "providerLevels": ["CITY"] }),
                |n| n["providerLevel"] == "CITY"
            )
            .await
                >= 2
        );
        assert!(
            check(&app, &all, json!({ "directions": ["EU_TO_NON_EU"] }), |n| n
                ["direction"]
                == "EU_TO_NON_EU")
            .await
                >= 4
        );
        check(&app, &all, json!({ "applicantKinds": ["NGO"] }), |n| {
            list_has(n, "eligibleApplicants", "NGO")
        })
        .await;
        assert_eq!(
            check(&app, &all, json!({ "sources": ["partner-x"] }), |n| {
                n["source"] == "partner-x"
            })
            .await,
            2
        );
        assert_eq!(
            check(&app, &all, json!({ "sources": ["kxc-seed"] }), |n| {
                n["source"] == "kxc-seed"
            })
            .await,
            all.len() - 2
        );

        let has_theme = |n: &Value, path: &str| {
            n["themes"].as_array().unwrap().iter().any(|t| {
                let candidate = t["path"].as_str().unwrap();
                candidate == path || candidate.starts_with(&format!("{path}/"))
            })
        };
        assert!(
            check(&app, &all, json!({ "themes": ["energy"] }), |n| has_theme(
                n, "energy"
            ))
            .await
                > 0
        );

        // Open on a day: started (or no start) and rolling, or a deadline on/after the day, or no deadlines.
        let day = "2026-12-01";
        let open_on = |n: &Value| {
            let started = n["opensAt"].as_str().is_none_or(|opens| opens <= day);
            let deadlines = n["deadlines"].as_array().unwrap();
            started
                && (n["rolling"] == true
                    || deadlines.is_empty()
                    || deadlines.iter().any(|d| d.as_str().unwrap() >= day))
        };
        let open = check(&app, &all, json!({ "openAt": day }), open_on).await;
        assert!(open > 0 && open < all.len());

        let in_2027 = |n: &Value| {
            n["deadlines"]
                .as_array()
                .unwrap()
                .iter()
                .any(|d| d.as_str().unwrap().starts_with("2027"))
        };
        assert!(
            check(
                &app,
                &all,
                json!({ "deadlineBetween": { "from": "2027-01-01", "to": "2027-12-31" } }),
                in_2027
            )
            .await
                > 0
        );

        let offers = |n: &Value, currency: &str, min: f64, max: f64| {
            n["amount"]["currency"] == currency
                && n["amount"]["max"].as_f64().is_none_or(|m| m >= min)
                && n["amount"]["min"].as_f64().is_none_or(|m| m <= max)
        };
        assert!(
            check(
                &app,
                &all,
                json!({ "amount": { "min": 1000000, "max": 5000000, "currency": "EUR" } }),
                |n| offers(n, "EUR", 1e6, 5e6)
            )
            .await
                > 0
        );
        check(
            &app,
            &all,
            json!({ "amount": { "min": 100000, "currency": "NOK" } }),
            |n| offers(n, "NOK", 1e5, f64::MAX),
        )
        .await;
    }
}

#[tokio::test]
async fn a_city_is_eligible_where_its_region_or_any_region_containing_it_is_listed() {
    for app in spawn_apps().await {
        let all = all_funding(&app, Value::Null).await;
        for (city, chain) in [
            ("nairobi", vec!["001", "002", "202", "014", "KE"]),
            ("oslo", vec!["001", "150", "154", "NO", "NO-03"]),
        ] {
            let eligible = |n: &Value| {
                let regions = n["eligibleRegions"].as_array().unwrap();
                regions.is_empty()
                    || regions
                        .iter()
                        .any(|r| chain.contains(&r["code"].as_str().unwrap()))
            };
            let count = check(&app, &all, json!({ "eligibleCity": city }), eligible).await;
            assert!(count > 0, "[{}] {city}", app.backend);
            let by_region =
                all_funding(&app, json!({ "eligibleRegion": chain.last().unwrap() })).await;
            assert_eq!(
                by_region.len(),
                count,
                "[{}] eligibleRegion and eligibleCity agree for {city}",
                app.backend
            );
        }
        let nairobi = ids(&all_funding(&app, json!({ "eligibleCity": "nairobi" })).await);
        assert!(
            nairobi.contains(&"comssa-project-preparation".to_owned()),
            "{nairobi:?}"
        );
        assert!(
            !nairobi.iter().any(|id| id.starts_with("enova")),
            "{nairobi:?}"
        );

        let response = app.graphql("{ fundingOpportunities(first: 5, filter: { eligibleCity: \"gotham\" }) { totalCount } }", json!({})).await;
        assert_eq!(
            response["errors"][0]["extensions"]["field"],
            json!(["filter", "eligibleCity"]),
            "[{}] {response}",
            app.backend
        );
        let response = app.graphql("{ fundingOpportunities(first: 5, filter: { eligibleRegion: \"XX-99\" }) { totalCount } }", json!({})).await;
        assert_eq!(
            response["errors"][0]["extensions"]["field"],
            json!(["filter", "eligibleRegion"]),
            "[{}] {response}",
            app.backend
        );
    }
}

#[tokio::test]
async fn status_is_derived_from_the_dates() {
    for app in spawn_apps().await {
        let all = all_funding(&app, Value::Null).await;
        for node in &all {
            let day = "2026-11-22";
            let deadlines: Vec<&str> = node["deadlines"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_str().unwrap())
                .collect();
            let expected = if node["opensAt"].as_str().is_some_and(|opens| day < opens) {
                "FORTHCOMING"
            } else if node["rolling"] == true {
                "ROLLING"
            } else if deadlines.iter().max().is_none_or(|last| day <= *last) {
                "OPEN"
            } else {
                "CLOSED"
            };
            assert_eq!(node["status"], expected, "[{}] {node}", app.backend);
        }
        for status in ["FORTHCOMING", "OPEN", "CLOSED", "ROLLING"] {
            assert!(
                all.iter().any(|n| n["status"] == status),
                "the seed has a {status} opportunity"
            );
        }
        let id = all[0]["id"].clone();
        let one = app.data("query($id: ID!) { fundingOpportunity(id: $id) { externalId } node(id: $id) { id } }", json!({ "id": id })).await;
        assert_eq!(
            one["fundingOpportunity"]["externalId"],
            all[0]["externalId"]
        );
        assert_eq!(one["node"]["id"], id);
    }
}
