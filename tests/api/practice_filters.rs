//! Every practice filter, checked against the same rule applied by the test to the unfiltered
//! data: the server must return exactly the practices the rule selects.

use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_discriminates, practice_record, spawn_apps};

const FIELDS: &str =
    "slug originalLanguage availableLanguages sdgs impactTco2e cost { amount currency }
    startDate endDate updatedAt evaluation { score label } themes { path }
    cities { slug region { code ancestors { code } } memberships { network { slug } } }";

fn slugs(nodes: &[Value]) -> Vec<String> {
    let mut slugs: Vec<String> = nodes
        .iter()
        .map(|node| node["slug"].as_str().unwrap().to_owned())
        .collect();
    slugs.sort();
    slugs
}

fn in_region(practice: &Value, code: &str) -> bool {
    practice["cities"].as_array().unwrap().iter().any(|city| {
        city["region"]["code"] == code
            || city["region"]["ancestors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|ancestor| ancestor["code"] == code)
    })
}

fn has_theme(practice: &Value, path: &str) -> bool {
    practice["themes"].as_array().unwrap().iter().any(|theme| {
        let candidate = theme["path"].as_str().unwrap();
        candidate == path || candidate.starts_with(&format!("{path}/"))
    })
}

/// `check_exact` for a rule that selects some of `all` and leaves some out.
async fn check(
    app: &TestApp,
    all: &[Value],
    filter: Value,
    rule: impl Fn(&Value) -> bool,
) -> usize {
    check_exact(app, all, filter, rule, true).await
}

/// The filter returns exactly what `rule` selects from `all`; with `discriminating`, the rule
/// must select something and leave something out.
async fn check_exact(
    app: &TestApp,
    all: &[Value],
    filter: Value,
    rule: impl Fn(&Value) -> bool,
    discriminating: bool,
) -> usize {
    let expected: Vec<Value> = all
        .iter()
        .filter(|practice| rule(practice))
        .cloned()
        .collect();
    if discriminating {
        assert_discriminates(
            format!("[{}] rule for {filter}", app.backend),
            &slugs(all),
            &slugs(&expected),
        );
    }
    let got = app
        .all_practices(filter.clone(), Value::Null, 100, "slug")
        .await;
    assert_eq!(
        slugs(&got),
        slugs(&expected),
        "[{}] filter {filter}",
        app.backend
    );
    expected.len()
}

#[tokio::test]
async fn each_practice_filter_selects_exactly_the_matching_practices() {
    for app in spawn_apps().await {
        app.import_practices(&[practice_record("filters-updated-later", "Updated later")]);
        let all = app
            .all_practices(Value::Null, Value::Null, 100, FIELDS)
            .await;
        let total = all.len();

        let mobility = check(&app, &all, json!({ "themes": ["mobility"] }), |p| {
            has_theme(p, "mobility")
        })
        .await;
        assert!(
            mobility > 0 && mobility < total,
            "the theme filter must select a proper subset"
        );
        let cycling = check(&app, &all, json!({ "themes": ["mobility/cycling"] }), |p| {
            has_theme(p, "mobility/cycling")
        })
        .await;
        assert!(
            cycling > 0 && cycling < mobility,
            "a subtree is smaller than its parent tree"
        );
        check(
            &app,
            &all,
            json!({ "themes": ["waste", "adaptation"] }),
            |p| has_theme(p, "waste") || has_theme(p, "adaptation"),
        )
        .await;

        let norway = check(&app, &all, json!({ "regions": ["NO"] }), |p| {
            in_region(p, "NO")
        })
        .await;
        let northern_europe = check(&app, &all, json!({ "regions": ["154"] }), |p| {
            in_region(p, "154")
        })
        .await;
        assert!(norway > 0 && northern_europe > norway);
        check(&app, &all, json!({ "regions": ["NO-03"] }), |p| {
            in_region(p, "NO-03")
        })
        .await;
        check(&app, &all, json!({ "regions": ["019", "142"] }), |p| {
            in_region(p, "019") || in_region(p, "142")
        })
        .await;

        let has_city = |p: &Value, slug: &str| {
            p["cities"]
                .as_array()
                .unwrap()
                .iter()
                .any(|city| city["slug"] == slug)
        };
        assert!(
            check(&app, &all, json!({ "cities": ["oslo"] }), |p| has_city(
                p, "oslo"
            ))
            .await
                >= 2
        );
        check(&app, &all, json!({ "cities": ["asker", "bogota"] }), |p| {
            has_city(p, "asker") || has_city(p, "bogota")
        })
        .await;

        let member_of = |p: &Value, network: &str| {
            p["cities"].as_array().unwrap().iter().any(|city| {
                city["memberships"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|membership| membership["network"]["slug"] == network)
            })
        };
        assert!(
            check(&app, &all, json!({ "networks": ["cnca"] }), |p| member_of(
                p, "cnca"
            ))
            .await
                > 0
        );
        check(&app, &all, json!({ "networks": ["eurocities"] }), |p| {
            member_of(p, "eurocities")
        })
        .await;

        let has_sdg = |p: &Value, goal: i64| {
            p["sdgs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|sdg| sdg.as_i64() == Some(goal))
        };
        assert!(check(&app, &all, json!({ "sdgs": [6] }), |p| has_sdg(p, 6)).await > 0);
        check(&app, &all, json!({ "sdgs": [3, 15] }), |p| {
            has_sdg(p, 3) || has_sdg(p, 15)
        })
        .await;

        let speaks = |p: &Value, lang: &str| {
            p["availableLanguages"]
                .as_array()
                .unwrap()
                .iter()
                .any(|code| code == lang)
        };
        let french = check(&app, &all, json!({ "languages": ["fr"] }), |p| {
            speaks(p, "fr")
        })
        .await;
        assert!(french >= 5);
        check(&app, &all, json!({ "languages": ["ja"] }), |p| {
            speaks(p, "ja")
        })
        .await;

        let score = |p: &Value| p["evaluation"]["score"].as_f64();
        let good = check(&app, &all, json!({ "minScore": 4.0 }), |p| {
            score(p).is_some_and(|s| s >= 4.0)
        })
        .await;
        assert!(good > 0 && good < total);
        for label in ["EXEMPLARY", "PROVEN", "PROMISING"] {
            check(&app, &all, json!({ "evaluationLabel": [label] }), |p| {
                p["evaluation"]["label"] == label
            })
            .await;
        }

        let impact = |p: &Value| p["impactTco2e"].as_f64();
        assert!(
            check(&app, &all, json!({ "impact": { "min": 10000 } }), |p| {
                impact(p).is_some_and(|v| v >= 10000.0)
            })
            .await
                > 0
        );
        check(
            &app,
            &all,
            json!({ "impact": { "min": 1000, "max": 100000 } }),
            |p| impact(p).is_some_and(|v| (1000.0..=100000.0).contains(&v)),
        )
        .await;

        let cost = |p: &Value, currency: &str| {
            if p["cost"]["currency"] == currency {
                p["cost"]["amount"].as_f64()
            } else {
                None
            }
        };
        assert!(
            check(&app, &all, json!({ "cost": { "currency": "EUR" } }), |p| {
                cost(p, "EUR").is_some()
            })
            .await
                > 0
        );
        check(
            &app,
            &all,
            json!({ "cost": { "max": 50000000, "currency": "EUR" } }),
            |p| cost(p, "EUR").is_some_and(|v| v <= 5e7),
        )
        .await;

        let overlaps = |p: &Value, from: &str, to: &str| {
            let Some(start) = p["startDate"].as_str() else {
                return false;
            };
            start <= to && p["endDate"].as_str().is_none_or(|end| end >= from)
        };
        let running = check(
            &app,
            &all,
            json!({ "implementedBetween": { "from": "2010-01-01", "to": "2012-12-31" } }),
            |p| overlaps(p, "2010-01-01", "2012-12-31"),
        )
        .await;
        assert!(running > 0 && running < total);

        // The practice imported by this test is newer than every seeded one: a moment between
        // them splits the practices.
        let updated = |p: &Value| {
            chrono::DateTime::parse_from_rfc3339(p["updatedAt"].as_str().unwrap()).unwrap()
        };
        let newest = all
            .iter()
            .find(|p| p["slug"] == "filters-updated-later")
            .map(updated)
            .expect("the imported practice");
        let seeded = all
            .iter()
            .filter(|p| p["slug"] != "filters-updated-later")
            .map(updated)
            .max()
            .unwrap();
        assert!(seeded < newest, "[{}] {seeded} {newest}", app.backend);
        let between = seeded + (newest - seeded) / 2;
        assert_eq!(
            check(
                &app,
                &all,
                json!({ "updatedSince": between.to_rfc3339() }),
                |p| updated(p) >= between
            )
            .await,
            1
        );
        assert_eq!(
            check_exact(
                &app,
                &all,
                json!({ "updatedSince": "2000-01-01T00:00:00Z" }),
                |_| true,
                false
            )
            .await,
            total
        );
        assert_eq!(
            check_exact(
                &app,
                &all,
                json!({ "updatedSince": "2999-01-01T00:00:00Z" }),
                |_| false,
                false
            )
            .await,
            0
        );

        check(
            &app,
            &all,
            json!({ "themes": ["mobility"], "regions": ["150"], "sdgs": [11] }),
            |p| has_theme(p, "mobility") && in_region(p, "150") && has_sdg(p, 11),
        )
        .await;
    }
}

#[tokio::test]
async fn a_bad_filter_value_is_rejected_with_its_field_path() {
    for app in spawn_apps().await {
        let query = "query($filter: PracticeFilter) { practices(filter: $filter, first: 5) { totalCount } }";
        for (filter, field) in [
            (
                json!({ "themes": ["energy", "no-such-theme"] }),
                json!(["filter", "themes", 1]),
            ),
            (
                json!({ "themes": ["Not A Path"] }),
                json!(["filter", "themes", 0]),
            ),
            (
                json!({ "regions": ["ATLANTIS"] }),
                json!(["filter", "regions", 0]),
            ),
            (
                json!({ "cities": ["gotham"] }),
                json!(["filter", "cities", 0]),
            ),
            (
                json!({ "networks": ["no-such-network"] }),
                json!(["filter", "networks", 0]),
            ),
            (json!({ "sdgs": [18] }), json!(["filter", "sdgs", 0])),
            (
                json!({ "languages": ["xx"] }),
                json!(["filter", "languages", 0]),
            ),
            (json!({ "minScore": 7 }), json!(["filter", "minScore"])),
            (
                json!({ "impact": { "min": 10, "max": 1 } }),
                json!(["filter", "impact", "min"]),
            ),
            (
                json!({ "cost": { "max": 10, "currency": "EURO" } }),
                json!(["filter", "cost", "currency"]),
            ),
            (
                json!({ "implementedBetween": { "from": "2020-01-01", "to": "2010-01-01" } }),
                json!(["filter", "implementedBetween", "from"]),
            ),
        ] {
            let response = app.graphql(query, json!({ "filter": filter })).await;
            let error = &response["errors"][0];
            assert_eq!(
                error["extensions"]["code"], "BAD_USER_INPUT",
                "[{}] {filter}: {response}",
                app.backend
            );
            assert_eq!(
                error["extensions"]["field"], field,
                "[{}] {filter}: {response}",
                app.backend
            );
            assert!(response["data"].is_null(), "[{}] {response}", app.backend);
        }
    }
}
