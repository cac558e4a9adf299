//! Cost budgets: each request's cost is charged before it runs, to its API key, account or
//! client address, and every response says what is left.

use kxc::config::Budget;
use serde_json::{Value, json};

use crate::helpers::spawn_apps_with;

const QUERY: &str = "{ practices(first: 5) { totalCount nodes { slug } } }";

fn header(response: &reqwest::Response, name: &str) -> Option<u64> {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse().ok())
}

#[tokio::test]
async fn an_anonymous_client_that_spends_its_budget_gets_429_and_a_partner_key_is_unaffected() {
    let apps = spawn_apps_with(|settings| {
        settings.auth.budget_anonymous = Budget {
            capacity: 100,
            per_second: 1,
        };
    })
    .await;
    for app in apps {
        let partner = app.api_key("partner", None).await;
        let mut last_remaining = u64::MAX;
        let mut refused = None;
        for _ in 0..50 {
            let response = app.post_as(None, QUERY, json!({})).await;
            assert_eq!(
                header(&response, "ratelimit-limit"),
                Some(100),
                "[{}]",
                app.backend
            );
            let remaining = header(&response, "ratelimit-remaining").expect("RateLimit-Remaining");
            assert!(
                header(&response, "ratelimit-reset").is_some(),
                "RateLimit-Reset"
            );
            if response.status() == 429 {
                refused = Some(response);
                break;
            }
            assert_eq!(response.status(), 200, "[{}]", app.backend);
            let body: Value = response.json().await.unwrap();
            assert!(body.get("errors").is_none(), "{body}");
            assert_eq!(
                body["extensions"]["cost"]["remaining"].as_u64(),
                Some(remaining)
            );
            assert!(remaining < last_remaining, "each request costs something");
            last_remaining = remaining;
        }
        let refused = refused.expect("the budget ran out within 50 requests");
        let retry_after = header(&refused, "retry-after").expect("Retry-After");
        assert!(
            retry_after >= 1,
            "[{}] Retry-After {retry_after}",
            app.backend
        );
        let body: Value = refused.json().await.unwrap();
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "RATE_LIMITED",
            "{body}"
        );
        assert!(
            body.get("data").is_none(),
            "a refused request does not run: {body}"
        );

        let response = app.post_as(Some(&partner), QUERY, json!({})).await;
        assert_eq!(response.status(), 200, "[{}]", app.backend);
        let limit = header(&response, "ratelimit-limit").unwrap();
        let remaining = header(&response, "ratelimit-remaining").unwrap();
        assert_eq!(
            limit, 500_000,
            "[{}] the partner role's budget",
            app.backend
        );
        let body: Value = response.json().await.unwrap();
        let cost = body["extensions"]["cost"]["complexity"].as_u64().unwrap();
        assert_eq!(
            remaining,
            limit - cost,
            "[{}] only its own request was charged",
            app.backend
        );
    }
}

#[tokio::test]
async fn a_request_costing_more_than_the_whole_budget_is_refused_without_running() {
    let apps = spawn_apps_with(|settings| {
        settings.auth.budget_anonymous = Budget {
            capacity: 10,
            per_second: 1,
        };
    })
    .await;
    for app in apps {
        let response = app.post_as(None, QUERY, json!({})).await;
        assert_eq!(response.status(), 200, "[{}]", app.backend);
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX",
            "{body}"
        );
        assert!(body.get("data").is_none(), "{body}");
    }
}
