//! Webhooks through the public API: a local receiver (axum on port 0) that fails the first
//! deliveries, signature checks done here with hmac + sha2, de-duplication by `webhook-id`,
//! a restart mid-retry, redelivery, and the bounds of `createWebhookSubscription`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{TestApp, spawn_apps, spawn_apps_with};

const SECRET: &str = "receiver-secret-0123456789abcdef";

#[derive(Default)]
struct Received {
    /// Every request: its `webhook-id` and whether its signature verified.
    requests: Vec<(String, bool)>,
    /// Effects applied, once per event id: event id -> the record's global ID.
    applied: HashMap<String, String>,
    /// How many more requests to refuse with 500.
    fail_next: usize,
}

type Receiver = Arc<Mutex<Received>>;

async fn receive(State(state): State<Receiver>, headers: HeaderMap, body: String) -> StatusCode {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let id = header("webhook-id");
    let timestamp = header("webhook-timestamp");
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    let expected = format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    );
    let valid = header("webhook-signature")
        .split(' ')
        .any(|entry| entry == expected);
    let mut state = state.lock().unwrap();
    state.requests.push((id.clone(), valid));
    if state.fail_next > 0 {
        state.fail_next -= 1;
        return StatusCode::INTERNAL_SERVER_ERROR;
    }
    if valid {
        // The receiver's effect, applied once per event id.
        let event: Value = serde_json::from_str(&body).unwrap();
        state
            .applied
            .entry(id)
            .or_insert_with(|| event["data"]["id"].as_str().unwrap().to_owned());
    }
    StatusCode::NO_CONTENT
}

async fn receiver(fail_first: usize) -> (String, Receiver) {
    let state: Receiver = Arc::new(Mutex::new(Received {
        fail_next: fail_first,
        ..Received::default()
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = axum::Router::new()
        .route("/hook", axum::routing::post(receive))
        .with_state(state.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{address}/hook"), state)
}

const CREATE: &str = "mutation($input: CreateWebhookSubscriptionInput!) {
    createWebhookSubscription(input: $input) {
        webhookSubscription { id url entityTypes status startsAfter }
        userErrors { field code message } } }";

const PUSH: &str = "mutation($input: UpsertFundingOpportunitiesInput!) {
    upsertFundingOpportunities(input: $input) { results { externalId outcome node { id } } userErrors { message } } }";

const DELIVERIES: &str = "query($filter: WebhookDeliveryFilter) {
    webhookDeliveries(first: 50, filter: $filter) {
        nodes { id eventId subscriptionId cursor status attempts lastStatusCode lastError payload } } }";

fn record(external_id: &str) -> Value {
    json!({
        "externalId": external_id, "title": "Webhook test call", "summary": "A call.",
        "instrument": "GRANT", "providerLevel": "CITY", "url": "https://example.org/call",
        "language": "en"
    })
}

async fn push(app: &TestApp, key: &str, external_id: &str) -> String {
    let data = app
        .data_as(
            key,
            PUSH,
            json!({ "input": { "source": "test-source", "records": [record(external_id)] } }),
        )
        .await;
    data["upsertFundingOpportunities"]["results"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn subscribe(app: &TestApp, key: &str, url: &str) -> String {
    let data = app
        .data_as(
            key,
            CREATE,
            json!({ "input": { "url": url, "secret": SECRET, "entityTypes": ["FUNDING_OPPORTUNITY"] } }),
        )
        .await;
    let payload = &data["createWebhookSubscription"];
    assert_eq!(
        payload["userErrors"],
        json!([]),
        "[{}] {payload}",
        app.backend
    );
    assert_eq!(payload["webhookSubscription"]["status"], "ACTIVE");
    payload["webhookSubscription"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Waits until `done` holds for the receiver's state (at most 30 s).
async fn wait_for(state: &Receiver, what: &str, done: impl Fn(&Received) -> bool) {
    for _ in 0..600 {
        if done(&state.lock().unwrap()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let state = state.lock().unwrap();
    panic!(
        "timed out waiting for {what}: {:?} {:?}",
        state.requests, state.applied
    );
}

fn fast_retries(settings: &mut kxc::config::Settings) {
    settings.webhooks.allow_private_targets = true;
    settings.webhooks.retry_base_ms = 100;
    settings.webhooks.retry_max_ms = 400;
    settings.webhooks.max_attempts = 8;
}

#[tokio::test]
async fn a_receiver_that_fails_twice_applies_each_signed_event_once() {
    for app in spawn_apps_with(fast_retries).await {
        let (url, state) = receiver(2).await;
        let partner = app.api_key("partner", None).await;
        let subscription = subscribe(&app, &partner, &url).await;
        let funding_id = push(&app, &partner, "hook-1").await;

        wait_for(&state, "the third attempt", |state| {
            state.applied.len() == 1
        })
        .await;
        tokio::time::sleep(Duration::from_millis(600)).await;
        {
            let state = state.lock().unwrap();
            assert_eq!(
                state.requests.len(),
                3,
                "[{}] {:?}",
                app.backend,
                state.requests
            );
            let ids: HashSet<&str> = state.requests.iter().map(|(id, _)| id.as_str()).collect();
            assert_eq!(ids.len(), 1, "every attempt carries the same event id");
            assert!(
                state.requests.iter().all(|(_, valid)| *valid),
                "signatures verify"
            );
            assert_eq!(
                state.applied.values().collect::<Vec<_>>(),
                vec![&funding_id]
            );
        }

        let data = app
            .data_as(
                &partner,
                DELIVERIES,
                json!({ "filter": { "subscription": subscription } }),
            )
            .await;
        let deliveries = data["webhookDeliveries"]["nodes"]
            .as_array()
            .unwrap()
            .clone();
        assert_eq!(deliveries.len(), 1, "{deliveries:?}");
        let delivery = &deliveries[0];
        assert_eq!(delivery["status"], "DELIVERED");
        assert_eq!(delivery["attempts"], 3);
        assert_eq!(delivery["lastStatusCode"], 204);
        let body: Value = serde_json::from_str(delivery["payload"].as_str().unwrap()).unwrap();
        assert_eq!(body["type"], "funding_opportunity.upsert");
        assert_eq!(body["data"]["operation"], "UPSERT");
        assert_eq!(body["data"]["id"], json!(funding_id));

        // The change feed and the delivery agree on the change's position.
        let feed = app
            .data(
                "query($after: String) { changes(first: 1, after: $after, entityTypes: [FUNDING_OPPORTUNITY]) { nodes { cursor id } } }",
                json!({ "after": Value::Null }),
            )
            .await;
        assert!(feed["changes"]["nodes"].is_array());

        // A redelivery is sent with the same event id, so the receiver applies nothing new.
        let redelivered = app
            .data_as(
                &partner,
                "mutation($input: RedeliverWebhookInput!) { redeliverWebhook(input: $input) {
                    delivery { status attempts eventId } userErrors { field message } } }",
                json!({ "input": { "deliveryId": delivery["id"] } }),
            )
            .await;
        assert_eq!(
            redelivered["redeliverWebhook"]["delivery"]["status"],
            "PENDING"
        );
        wait_for(&state, "the redelivery", |state| state.requests.len() == 4).await;
        {
            let state = state.lock().unwrap();
            assert_eq!(state.requests[3].0, delivery["eventId"].as_str().unwrap());
            assert_eq!(state.applied.len(), 1);
        }

        // Another partner sees neither the subscription nor its deliveries.
        let other = app.api_key("partner", Some("other-source")).await;
        let theirs = app.data_as(&other, DELIVERIES, json!({})).await;
        assert_eq!(theirs["webhookDeliveries"]["nodes"], json!([]));
        let listed = app
            .data_as(&other, "{ webhookSubscriptions { id } }", json!({}))
            .await;
        assert_eq!(listed["webhookSubscriptions"], json!([]));
        let refused = app
            .graphql_as(
                &other,
                "mutation($input: DeleteWebhookSubscriptionInput!) { deleteWebhookSubscription(input: $input) { deletedId } }",
                json!({ "input": { "id": subscription } }),
            )
            .await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{refused}"
        );

        // The owner deletes it: later changes are not delivered; the audit log has every step.
        let deleted = app
            .data_as(
                &partner,
                "mutation($input: DeleteWebhookSubscriptionInput!) { deleteWebhookSubscription(input: $input) { deletedId userErrors { message } } }",
                json!({ "input": { "id": subscription } }),
            )
            .await;
        assert_eq!(
            deleted["deleteWebhookSubscription"]["deletedId"],
            json!(subscription)
        );
        push(&app, &partner, "hook-after-delete").await;
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(state.lock().unwrap().requests.len(), 4);
        let admin = app.api_key("admin", None).await;
        let audit = app
            .data_as(
                &admin,
                "{ auditLog(first: 10, filter: { actions: [\"webhook.create\", \"webhook.redeliver\", \"webhook.delete\"] }) { nodes { action } } }",
                json!({}),
            )
            .await;
        let actions: Vec<&str> = audit["auditLog"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|node| node["action"].as_str().unwrap())
            .collect();
        assert_eq!(
            actions,
            ["webhook.delete", "webhook.redeliver", "webhook.create"]
        );
    }
}

#[tokio::test]
async fn a_restart_mid_retry_loses_no_delivery() {
    let slow_retries = |settings: &mut kxc::config::Settings| {
        settings.webhooks.allow_private_targets = true;
        settings.webhooks.retry_base_ms = 1_500;
        settings.webhooks.retry_max_ms = 1_500;
        settings.webhooks.max_attempts = 8;
    };
    for mut app in spawn_apps_with(slow_retries).await {
        let (url, state) = receiver(2).await;
        let partner = app.api_key("partner", None).await;
        subscribe(&app, &partner, &url).await;
        let first = push(&app, &partner, "restart-1").await;
        wait_for(&state, "the first failed attempt", |state| {
            !state.requests.is_empty()
        })
        .await;
        // A second change committed just before the stop may not be fanned out yet.
        let second = push(&app, &partner, "restart-2").await;
        app.restart().await;

        wait_for(&state, "both deliveries after the restart", |state| {
            state.applied.len() == 2
        })
        .await;
        let state = state.lock().unwrap();
        let mut applied: Vec<&String> = state.applied.values().collect();
        applied.sort();
        let mut expected = vec![&first, &second];
        expected.sort();
        assert_eq!(applied, expected, "[{}] {:?}", app.backend, state.requests);
        assert!(state.requests.iter().all(|(_, valid)| *valid));
        let ids: HashSet<&str> = state.requests.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(
            ids.len(),
            2,
            "one event id per change: {:?}",
            state.requests
        );
    }
}

#[tokio::test]
async fn bad_subscriptions_are_user_errors_and_store_nothing() {
    for app in spawn_apps().await {
        let partner = app.api_key("partner", None).await;
        let cases = [
            (
                json!({ "url": "ftp://example.org/hook", "secret": SECRET }),
                "url",
            ),
            (
                json!({ "url": "http://127.0.0.1:9/hook", "secret": SECRET }),
                "url",
            ),
            (
                json!({ "url": "http://[::1]/hook", "secret": SECRET }),
                "url",
            ),
            (
                json!({ "url": "http://localhost:9/hook", "secret": SECRET }),
                "url",
            ),
            (
                json!({ "url": "http://169.254.169.254/latest", "secret": SECRET }),
                "url",
            ),
            (
                json!({ "url": format!("https://example.org/{}", "a".repeat(2100)), "secret": SECRET }),
                "url",
            ),
            (
                json!({ "url": "https://example.org/hook", "secret": "short" }),
                "secret",
            ),
            (
                json!({ "url": "https://example.org/hook", "secret": "x".repeat(300) }),
                "secret",
            ),
            (
                json!({ "url": "https://example.org/hook", "secret": SECRET,
                        "entityTypes": ["PRACTICE", "CITY", "THEME", "REGION", "ORGANISATION", "FUNDING_OPPORTUNITY", "CITY"] }),
                "entityTypes",
            ),
        ];
        for (input, field) in cases {
            let data = app
                .data_as(&partner, CREATE, json!({ "input": input }))
                .await;
            let payload = &data["createWebhookSubscription"];
            assert_eq!(
                payload["webhookSubscription"],
                Value::Null,
                "{input}: {payload}"
            );
            assert_eq!(
                payload["userErrors"][0]["field"],
                json!(["input", field]),
                "[{}] {input}: {payload}",
                app.backend
            );
            assert_eq!(payload["userErrors"][0]["code"], "BAD_USER_INPUT");
        }
        let db = app.db().await;
        use sea_orm::{EntityTrait, PaginatorTrait};
        let stored = kxc::entity::webhook_subscription::Entity::find()
            .count(&db)
            .await
            .unwrap();
        assert_eq!(stored, 0, "nothing stored");

        // A public target is accepted; the eleventh subscription of one account is not.
        for index in 0..10 {
            let data = app
                .data_as(
                    &partner,
                    CREATE,
                    json!({ "input": { "url": format!("https://203.0.113.{index}.example.org/hook"), "secret": SECRET } }),
                )
                .await;
            assert_eq!(
                data["createWebhookSubscription"]["userErrors"],
                json!([]),
                "{data}"
            );
        }
        let data = app
            .data_as(
                &partner,
                CREATE,
                json!({ "input": { "url": "https://example.org/hook", "secret": SECRET } }),
            )
            .await;
        assert_eq!(
            data["createWebhookSubscription"]["userErrors"][0]["field"],
            json!(["input", "url"])
        );
        let stored = kxc::entity::webhook_subscription::Entity::find()
            .count(&db)
            .await
            .unwrap();
        assert_eq!(stored, 10);
    }
}
