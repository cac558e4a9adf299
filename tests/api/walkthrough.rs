//! The walk-through: one practice from draft to submitted to published to evaluated, checking
//! at each step what an anonymous visitor, its owner, another member and a moderator see
//! through `practice`, `practices`, `node`, `search` and the `practicePublished` subscription
//! (each of the four subscribed over a real websocket before the practice is written).

use std::time::Duration;

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_apps};
use crate::subscriptions::{PUBLISHED, publish, submitted};
use crate::ws::WsClient;

/// Which read paths show the practice `id` to `bearer` (anonymous when `None`):
/// `[practice(id:), node(id:), practices(filter: {updatedSince}), search]`.
async fn seen(app: &TestApp, bearer: Option<&str>, id: &str, since: &str, word: &str) -> [bool; 4] {
    let query = "query($id: ID!, $since: DateTime!, $word: String!) {
        practice(id: $id) { id }
        node(id: $id) { id }
        practices(first: 100, filter: { updatedSince: $since }) { nodes { id } }
        search(query: $word, first: 20) { hits { node { ... on Practice { id } } } }
    }";
    let response: Value = app
        .post_as(
            bearer,
            query,
            json!({ "id": id, "since": since, "word": word }),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(response.get("errors").is_none(), "{response}");
    let data = &response["data"];
    let listed = |list: &Value, pointer: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .any(|item| item.pointer(pointer) == Some(&json!(id)))
    };
    [
        data["practice"]["id"] == json!(id),
        data["node"]["id"] == json!(id),
        listed(&data["practices"]["nodes"], "/id"),
        listed(&data["search"]["hits"], "/node/id"),
    ]
}

/// What the four viewers see, in the order anonymous, owner, other member, moderator.
async fn everyone(
    app: &TestApp,
    keys: [Option<&str>; 4],
    id: &str,
    since: &str,
    word: &str,
) -> [[bool; 4]; 4] {
    let mut views = [[false; 4]; 4];
    for (view, key) in views.iter_mut().zip(keys) {
        *view = seen(app, key, id, since, word).await;
    }
    views
}

const CREATE: &str = "mutation($input: CreatePracticeInput!) { createPractice(input: $input) {
    practice { id status } userErrors { field code message } } }";
const SUBMIT: &str = "mutation($input: SubmitPracticeInput!) { submitPractice(input: $input) {
    practice { status } userErrors { field code message } } }";
const EVALUATE: &str =
    "mutation($input: EvaluatePracticeInput!) { evaluatePractice(input: $input) {
    practice { evaluation { count label } } userErrors { field code message } } }";

#[tokio::test]
async fn a_practice_goes_from_draft_to_evaluated_and_each_viewer_sees_and_hears_what_its_state_allows()
 {
    for app in spawn_apps().await {
        let since = chrono::Utc::now().to_rfc3339();
        let owner = app.api_key("member", None).await;
        let other = app.api_key("member", None).await;
        let moderator = app.api_key("moderator", None).await;
        let evaluator = app.api_key("evaluator", None).await;
        let keys = [
            None,
            Some(owner.as_str()),
            Some(other.as_str()),
            Some(moderator.as_str()),
        ];
        let word = "numbatweg";
        let mut listeners = Vec::new();
        for key in keys {
            let mut client = WsClient::connect(&app, key).await;
            client.subscribe("published", PUBLISHED, json!({})).await;
            listeners.push(client);
        }

        // Draft: the owner and moderators see it; anonymous visitors and other members do not.
        let data = app
            .data_as(
                &owner,
                CREATE,
                json!({ "input": { "title": "Numbatweg school street",
                "language": "en", "summary": "A street closes to cars at school times.",
                "body": "## Context\n\nParents asked.", "themes": ["mobility/walking"],
                "cities": ["asker"], "sdgs": [3, 11] } }),
            )
            .await;
        assert_eq!(
            data["createPractice"]["practice"]["status"], "DRAFT",
            "{data}"
        );
        let id = data["createPractice"]["practice"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let hidden = [[false; 4], [true; 4], [false; 4], [true; 4]];
        assert_eq!(
            everyone(&app, keys, &id, &since, word).await,
            hidden,
            "[{}] draft",
            app.backend
        );

        // Submitted: still only the owner and moderators.
        let data = app
            .data_as(&owner, SUBMIT, json!({ "input": { "id": id } }))
            .await;
        assert_eq!(
            data["submitPractice"]["practice"]["status"], "SUBMITTED",
            "{data}"
        );
        assert_eq!(
            everyone(&app, keys, &id, &since, word).await,
            hidden,
            "[{}] submitted",
            app.backend
        );

        // Published: every subscriber hears of it (its first announcement: nothing before), and
        // once the indexer has it every read path shows it to everybody.
        publish(&app, &moderator, &id).await;
        for listener in &mut listeners {
            let payload = listener.next("published").await;
            assert_eq!(
                payload["data"]["practicePublished"]["id"],
                json!(id),
                "[{}] {payload}",
                app.backend
            );
            assert_eq!(payload["data"]["practicePublished"]["status"], "PUBLISHED");
        }
        let found = crate::search::wait_for(&app, word, Duration::from_secs(20), |found| {
            !found.is_empty()
        })
        .await;
        assert!(
            found.is_some(),
            "[{}] the published practice is never indexed",
            app.backend
        );
        assert_eq!(
            everyone(&app, keys, &id, &since, word).await,
            [[true; 4]; 4],
            "[{}] published",
            app.backend
        );

        // Evaluated: still visible to all, with its label; an evaluation is no new publication,
        // so the next announcement every subscriber hears is the next practice published.
        let data = app
            .data_as(
                &evaluator,
                EVALUATE,
                json!({ "input": { "practiceId": id,
                "summary": "Measured before and after.",
                "scores": { "relevance": 5, "impact": 4, "evidenceQuality": 4, "replicability": 5,
                            "costEffectiveness": 4, "coBenefits": 5, "participation": 4 } } }),
            )
            .await;
        assert_eq!(
            data["evaluatePractice"]["practice"]["evaluation"]["count"], 1,
            "{data}"
        );
        assert_eq!(
            everyone(&app, keys, &id, &since, word).await,
            [[true; 4]; 4],
            "[{}] evaluated",
            app.backend
        );
        let next = submitted(&app, &owner, "Numbatweg second street", "mobility/walking").await;
        publish(&app, &moderator, &next).await;
        for listener in &mut listeners {
            let payload = listener.next("published").await;
            assert_eq!(
                payload["data"]["practicePublished"]["id"],
                json!(next),
                "[{}] {payload}",
                app.backend
            );
        }
    }
}
