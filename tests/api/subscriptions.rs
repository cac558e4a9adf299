//! Subscriptions over graphql-transport-ws at `/graphql/ws`, with a real websocket client:
//! `practicePublished` announces what a moderator publishes, once committed and only what the
//! filter and the subscriber's visibility allow; `moderationQueueChanged` is for moderators;
//! credentials are checked in `connection_init`; every bound an anonymous client meets.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_apps, spawn_apps_with};
use crate::ws::{Received, WsClient, open};

pub const PUBLISHED: &str = "subscription($filter: PracticePublishedFilter) {
    practicePublished(filter: $filter) { id slug status title themes { path } } }";

const CREATE: &str = "mutation($input: CreatePracticeInput!) { createPractice(input: $input) {
    practice { id } userErrors { field code message } } }";
const SUBMIT: &str = "mutation($input: SubmitPracticeInput!) { submitPractice(input: $input) {
    practice { status } userErrors { field code message } } }";
const PUBLISH: &str = "mutation($input: PublishPracticeInput!) { publishPractice(input: $input) {
    practice { status } userErrors { field code message } } }";

/// A submitted practice on `theme` by `owner`; returns its global ID.
pub async fn submitted(app: &TestApp, owner: &str, title: &str, theme: &str) -> String {
    let data = app
        .data_as(
            owner,
            CREATE,
            json!({ "input": { "title": title, "language": "en",
                "summary": "Announced live.", "body": "## Context\n\nA test.",
                "themes": [theme], "cities": ["asker"], "sdgs": [11] } }),
        )
        .await;
    assert_eq!(data["createPractice"]["userErrors"], json!([]), "{data}");
    let id = data["createPractice"]["practice"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let data = app
        .data_as(owner, SUBMIT, json!({ "input": { "id": id } }))
        .await;
    assert_eq!(
        data["submitPractice"]["practice"]["status"], "SUBMITTED",
        "{data}"
    );
    id
}

pub async fn publish(app: &TestApp, moderator: &str, id: &str) {
    let data = app
        .data_as(moderator, PUBLISH, json!({ "input": { "id": id } }))
        .await;
    assert_eq!(
        data["publishPractice"]["practice"]["status"], "PUBLISHED",
        "{data}"
    );
}

#[tokio::test]
async fn a_subscriber_receives_what_a_moderator_publishes_on_its_filter_and_nothing_else() {
    for app in spawn_apps().await {
        let owner = app.api_key("member", None).await;
        let moderator = app.api_key("moderator", None).await;
        let mut anonymous = WsClient::connect(&app, None).await;
        anonymous
            .subscribe(
                "cycling",
                PUBLISHED,
                json!({ "filter": { "themes": ["mobility"] } }),
            )
            .await;
        let mut everything = WsClient::connect(&app, Some(&owner)).await;
        everything.subscribe("all", PUBLISHED, json!({})).await;

        // A draft that is only submitted, and a published practice on another theme: neither
        // reaches the mobility subscriber; the unfiltered one gets the second.
        submitted(
            &app,
            &owner,
            "Quokka lane pending review",
            "mobility/cycling",
        )
        .await;
        let solar = submitted(
            &app,
            &owner,
            "Quokka rooftop solar",
            "energy/renewables/solar",
        )
        .await;
        publish(&app, &moderator, &solar).await;
        let cycling = submitted(&app, &owner, "Quokka lane cycle street", "mobility/cycling").await;
        publish(&app, &moderator, &cycling).await;

        let first = anonymous.next("cycling").await;
        assert_eq!(first["errors"], Value::Null, "[{}] {first}", app.backend);
        let practice = &first["data"]["practicePublished"];
        assert_eq!(practice["id"], json!(cycling), "[{}] {first}", app.backend);
        assert_eq!(practice["status"], "PUBLISHED");
        assert_eq!(practice["slug"], "quokka-lane-cycle-street");
        assert_eq!(practice["themes"], json!([{ "path": "mobility/cycling" }]));

        let ids = [
            everything.next("all").await["data"]["practicePublished"]["id"].clone(),
            everything.next("all").await["data"]["practicePublished"]["id"].clone(),
        ];
        assert_eq!(ids, [json!(solar), json!(cycling)], "[{}]", app.backend);

        // `complete` ends one subscription; the server confirms it.
        anonymous
            .send(json!({ "id": "cycling", "type": "complete" }))
            .await;
    }
}

#[tokio::test]
async fn the_moderation_queue_is_for_moderators_and_a_bad_filter_is_named() {
    for app in spawn_apps().await {
        let member = app.api_key("member", None).await;
        let moderator = app.api_key("moderator", None).await;
        let queue = "subscription { moderationQueueChanged { seq entityType entityId } }";

        let mut client = WsClient::connect(&app, Some(&member)).await;
        client.start("queue", queue, json!({})).await;
        let error = client.error("queue").await;
        assert_eq!(
            error["extensions"]["code"], "FORBIDDEN",
            "[{}] {error}",
            app.backend
        );

        let mut client = WsClient::connect(&app, None).await;
        client.start("queue", queue, json!({})).await;
        let error = client.error("queue").await;
        assert_eq!(
            error["extensions"]["code"], "UNAUTHENTICATED",
            "[{}] {error}",
            app.backend
        );

        // A moderator's subscription is accepted: it answers nothing until the queue moves.
        let mut client = WsClient::connect(&app, Some(&moderator)).await;
        client.subscribe("queue", queue, json!({})).await;

        let mut client = WsClient::connect(&app, None).await;
        client
            .start(
                "bad",
                PUBLISHED,
                json!({ "filter": { "themes": ["mobility", "no-such-theme"] } }),
            )
            .await;
        let error = client.error("bad").await;
        assert_eq!(
            error["extensions"]["code"], "BAD_USER_INPUT",
            "[{}] {error}",
            app.backend
        );
        assert_eq!(
            error["extensions"]["field"],
            json!(["filter", "themes", 1]),
            "{error}"
        );
    }
}

#[tokio::test]
async fn refused_credentials_close_the_socket_with_4403() {
    for app in spawn_apps().await {
        let revoked = app.api_key("member", None).await;
        let mut client = open(&app).await.expect("websocket opened");
        client.init(Some("kxc_00000000_not-a-real-key")).await;
        let (code, reason) = client.closed().await;
        assert_eq!(code, 4403, "[{}] {reason}", app.backend);
        assert!(reason.contains("not known"), "{reason}");

        let prefix = revoked.split('_').take(2).collect::<Vec<_>>().join("_");
        let output = app.kxc(&["keys", "revoke", &prefix, "--reason", "test"]);
        assert!(output.status.success(), "{output:?}");
        let mut client = open(&app).await.expect("websocket opened");
        client.init(Some(&revoked)).await;
        let (code, reason) = client.closed().await;
        assert_eq!(code, 4403, "[{}] {reason}", app.backend);
        assert!(reason.contains("revoked"), "{reason}");

        // Subscribing before connection_init is refused as the protocol says.
        let mut client = open(&app).await.expect("websocket opened");
        client.start("early", PUBLISHED, json!({})).await;
        assert_eq!(client.closed().await.0, 4401, "[{}]", app.backend);
    }
}

#[tokio::test]
async fn every_bound_of_the_websocket_endpoint_has_a_clear_error() {
    let apps = spawn_apps_with(|settings| {
        settings.live.ws_init_timeout_ms = 300;
        settings.live.ws_max_subscriptions = 2;
        settings.live.ws_max_message_bytes = 4096;
        settings.live.ws_max_connections = 3;
        settings.api.max_depth = 3;
    })
    .await;
    for app in apps {
        // No connection_init in time.
        let mut silent = open(&app).await.expect("websocket opened");
        let (code, reason) = silent.closed().await;
        assert_eq!(
            (code, reason.as_str()),
            (4408, "Connection initialisation timeout")
        );

        // Too large a message.
        let mut client = WsClient::connect(&app, None).await;
        client
            .start("big", PUBLISHED, json!({ "padding": "x".repeat(5000) }))
            .await;
        let (code, reason) = client.closed().await;
        assert_eq!(code, 1009, "[{}] {reason}", app.backend);
        assert!(reason.contains("4096 bytes"), "{reason}");

        // At most two operations at once on one connection; the same depth limit as HTTP.
        let mut client = WsClient::connect(&app, None).await;
        client.subscribe("one", PUBLISHED, json!({})).await;
        client.subscribe("two", PUBLISHED, json!({})).await;
        client.start("three", PUBLISHED, json!({})).await;
        let error = client.error("three").await;
        assert_eq!(
            error["extensions"]["code"], "RATE_LIMITED",
            "[{}] {error}",
            app.backend
        );
        assert!(
            error["message"].as_str().unwrap().contains("at most 2"),
            "{error}"
        );
        client
            .send(json!({ "id": "two", "type": "complete" }))
            .await;
        client
            .start(
                "deep",
                "subscription { practicePublished { cities { region { name } } } }",
                json!({}),
            )
            .await;
        let error = client.error("deep").await;
        assert_eq!(
            error["extensions"]["code"], "QUERY_TOO_COMPLEX",
            "[{}] {error}",
            app.backend
        );

        // At most three sockets at once: `client` and two more; the fourth is answered 503.
        let _second = WsClient::connect(&app, None).await;
        let _third = WsClient::connect(&app, None).await;
        assert_eq!(open(&app).await.err(), Some(503), "[{}]", app.backend);
        drop(client);
    }
}

const ACTIVITY: &str = "subscription($thread: ID!) {
    threadActivity(threadId: $thread) { threadId postId activity status bodyHtml } }";
const CREATE_THREAD: &str = "mutation($input: CreateThreadInput!) { createThread(input: $input) {
    thread { id } post { id status } userErrors { field code message } } }";
const CREATE_POST: &str = "mutation($input: CreatePostInput!) { createPost(input: $input) {
    post { id status } userErrors { field code message } } }";
const EDIT_POST: &str = "mutation($input: EditPostInput!) { editPost(input: $input) {
    post { id } userErrors { field code message } } }";

async fn run(app: &TestApp, bearer: &str, document: &str, input: Value, field: &str) -> Value {
    let data = app
        .data_as(bearer, document, json!({ "input": input }))
        .await;
    assert_eq!(data[field]["userErrors"], json!([]), "{data}");
    data[field].clone()
}

#[tokio::test]
async fn thread_activity_streams_the_posts_a_subscriber_may_see_and_never_a_pending_one() {
    for app in spawn_apps().await {
        let moderator = app.api_key("moderator", None).await;
        let newcomer = app.api_key("member", None).await;
        let created = run(
            &app,
            &moderator,
            CREATE_THREAD,
            json!({ "title": "Heat pumps in old schools", "body": "Who has tried?" }),
            "createThread",
        )
        .await;
        let thread = created["thread"]["id"].as_str().unwrap().to_owned();
        // The first post was committed just before subscribing; the bus may still announce it.
        let opening = created["post"]["id"].clone();
        let mut anonymous = WsClient::connect(&app, None).await;
        follow(&mut anonymous, &thread, &opening).await;
        let mut watching = WsClient::connect(&app, Some(&moderator)).await;
        follow(&mut watching, &thread, &opening).await;

        // A new member's reply waits for moderation: only moderators (and its author) see it.
        let pending = run(
            &app,
            &newcomer,
            CREATE_POST,
            json!({ "threadId": thread, "body": "Pending <script>alert(1)</script> reply" }),
            "createPost",
        )
        .await;
        assert_eq!(pending["post"]["status"], "PENDING", "[{}]", app.backend);
        let seen = next_activity(&mut watching, &opening).await;
        assert_eq!(
            seen["data"]["threadActivity"]["postId"], pending["post"]["id"],
            "[{}] {seen}",
            app.backend
        );
        assert!(
            !seen["data"]["threadActivity"]["bodyHtml"]
                .as_str()
                .unwrap()
                .contains("<script"),
            "[{}] {seen}",
            app.backend
        );

        // A moderator's reply, then its edit: the anonymous subscriber's first message is the
        // visible reply, so the pending one never reached it.
        let reply = run(
            &app,
            &moderator,
            CREATE_POST,
            json!({ "threadId": thread, "body": "We did, in **Asker**." }),
            "createPost",
        )
        .await["post"]["id"]
            .clone();
        let first = next_activity(&mut anonymous, &opening).await;
        assert_eq!(
            first["data"]["threadActivity"],
            json!({ "threadId": thread, "postId": reply, "activity": "POSTED", "status": "approved",
                    "bodyHtml": "<p>We did, in <strong>Asker</strong>.</p>\n" }),
            "[{}] {first}",
            app.backend
        );
        run(
            &app,
            &moderator,
            EDIT_POST,
            json!({ "postId": reply, "body": "We did, in Asker and Drammen." }),
            "editPost",
        )
        .await;
        let edited = anonymous.next("activity").await;
        assert_eq!(
            edited["data"]["threadActivity"]["activity"], "EDITED",
            "[{}] {edited}",
            app.backend
        );
        assert_eq!(
            edited["data"]["threadActivity"]["postId"], reply,
            "[{}] {edited}",
            app.backend
        );

        // A thread nobody but its author and moderators may see yet cannot be followed.
        let hidden_thread = run(
            &app,
            &newcomer,
            CREATE_THREAD,
            json!({ "title": "Still in the queue", "body": "Waiting." }),
            "createThread",
        )
        .await["thread"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let mut stranger = WsClient::connect(&app, None).await;
        stranger
            .start("hidden", ACTIVITY, json!({ "thread": hidden_thread }))
            .await;
        let refused = stranger.error("hidden").await;
        assert_eq!(
            refused["extensions"]["code"], "NOT_FOUND",
            "[{}] {refused}",
            app.backend
        );
    }
}

/// The next `threadActivity` payload about another post than `skip`.
async fn next_activity(client: &mut WsClient, skip: &Value) -> Value {
    loop {
        let payload = client.next("activity").await;
        if payload["data"]["threadActivity"]["postId"] != *skip {
            return payload;
        }
    }
}

/// Subscribes to `thread`'s activity and waits until the server has read the subscription (a
/// ping it answers after every earlier message), passing over the announcement of `skip`.
async fn follow(client: &mut WsClient, thread: &str, skip: &Value) {
    client
        .start("activity", ACTIVITY, json!({ "thread": thread }))
        .await;
    client.send(json!({ "type": "ping" })).await;
    loop {
        match client.receive().await {
            Received::Json(message) if message["type"] == "pong" => return,
            Received::Json(message)
                if message["type"] == "next"
                    && message["payload"]["data"]["threadActivity"]["postId"] == *skip => {}
            other => panic!("unexpected {other:?} before any change"),
        }
    }
}
