//! The moderated community through the public API: threads and posts, the new-member queue,
//! flags and moderation with their audit rows, edit history, accepted answers, suspensions,
//! the post flood limit, bad inputs, search, and XSS payloads in every output.

use std::time::{Duration, Instant};

use kxc::entity::{audit_event, post, thread};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_apps, spawn_apps_with};

const CREATE_THREAD: &str = "mutation($input: CreateThreadInput!) { createThread(input: $input) {
    thread { id title kind approved } post { id status bodyHtml } userErrors { field code message } } }";
const CREATE_POST: &str = "mutation($input: CreatePostInput!) { createPost(input: $input) {
    post { id status bodyHtml } userErrors { field code message } } }";
const THREAD: &str = "query($id: ID!) { thread(id: $id) { id title status
    posts(first: 50) { nodes { id status body } } acceptedAnswer { id } } }";

async fn mutate(app: &TestApp, bearer: &str, document: &str, input: Value) -> Value {
    let data = app
        .data_as(bearer, document, json!({ "input": input }))
        .await;
    data.as_object().unwrap().values().next().unwrap().clone()
}

async fn ok(app: &TestApp, bearer: &str, document: &str, input: Value) -> Value {
    let payload = mutate(app, bearer, document, input).await;
    assert_eq!(
        payload["userErrors"],
        json!([]),
        "[{}] {payload}",
        app.backend
    );
    payload
}

async fn new_thread(app: &TestApp, bearer: &str, title: &str, body: &str) -> Value {
    ok(
        app,
        bearer,
        CREATE_THREAD,
        json!({ "title": title, "body": body }),
    )
    .await
}

async fn reply(app: &TestApp, bearer: &str, thread: &str, body: &str) -> Value {
    ok(
        app,
        bearer,
        CREATE_POST,
        json!({ "threadId": thread, "body": body }),
    )
    .await["post"]
        .clone()
}

async fn moderate(app: &TestApp, bearer: &str, field: &str, post: &str, reason: &str) -> Value {
    let document = format!(
        "mutation($input: ModeratePostInput!) {{ {field}(input: $input) {{
            post {{ id status }} userErrors {{ field code message }} }} }}"
    );
    ok(
        app,
        bearer,
        &document,
        json!({ "postId": post, "reason": reason }),
    )
    .await["post"]
        .clone()
}

async fn thread_as(app: &TestApp, bearer: Option<&str>, id: &str) -> Value {
    let variables = json!({ "id": id });
    let data = match bearer {
        Some(bearer) => app.data_as(bearer, THREAD, variables).await,
        None => app.data(THREAD, variables).await,
    };
    data["thread"].clone()
}

fn raw_id(id: &Value) -> i32 {
    kxc::graphql::GlobalId::decode(id.as_str().unwrap())
        .unwrap()
        .id
}

async fn audit_actions(app: &TestApp, target: &str, id: i32) -> Vec<String> {
    let db = app.db().await;
    let rows = audit_event::Entity::find()
        .filter(audit_event::Column::TargetType.eq(target))
        .filter(audit_event::Column::TargetId.eq(id))
        .all(&db)
        .await
        .unwrap();
    db.close().await.unwrap();
    rows.into_iter().map(|row| row.action).collect()
}

async fn rows(app: &TestApp) -> (u64, u64, u64) {
    let db = app.db().await;
    let threads = thread::Entity::find().count(&db).await.unwrap();
    let posts = post::Entity::find().count(&db).await.unwrap();
    let audits = audit_event::Entity::find().count(&db).await.unwrap();
    db.close().await.unwrap();
    (threads, posts, audits)
}

/// Thread search hits for `query` as anonymous, once `condition` holds (the indexer follows
/// the change log), or the last answer after 20 seconds.
async fn thread_hits(
    app: &TestApp,
    query: &str,
    condition: impl Fn(&[Value]) -> bool,
) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let data = app
            .data(
                "query($q: String!) { search(query: $q, types: [THREAD], first: 20) {
                    hits { highlights { field snippet } node { ... on Thread { id title } } } } }",
                json!({ "q": query }),
            )
            .await;
        let hits = data["search"]["hits"].as_array().unwrap().clone();
        if condition(&hits) || started.elapsed() > Duration::from_secs(20) {
            return hits;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn trusted_after_two(settings: &mut kxc::config::Settings) {
    settings.community.moderation_trusted_after = 2;
}

#[tokio::test]
async fn a_new_members_posts_wait_in_the_queue_until_a_moderator_approves_them() {
    for app in spawn_apps_with(trusted_after_two).await {
        let newcomer = app.api_key("member", None).await;
        let other = app.api_key("member", None).await;
        let moderator = app.api_key("moderator", None).await;

        let created = new_thread(
            &app,
            &newcomer,
            "Wind turbines on school roofs?",
            "First post.",
        )
        .await;
        assert_eq!(created["thread"]["approved"], json!(false));
        assert_eq!(created["post"]["status"], json!("PENDING"));
        let thread = created["thread"]["id"].as_str().unwrap().to_owned();
        let first = created["post"]["id"].as_str().unwrap().to_owned();

        // Invisible to others: thread(id), node, threads; visible to its author and moderators.
        assert_eq!(thread_as(&app, None, &thread).await, Value::Null);
        assert_eq!(thread_as(&app, Some(&other), &thread).await, Value::Null);
        let node = app
            .data(
                "query($id: ID!) { node(id: $id) { id } }",
                json!({ "id": first }),
            )
            .await;
        assert_eq!(node["node"], Value::Null);
        let listed = app
            .data("{ threads(first: 10) { nodes { id } } }", json!({}))
            .await;
        assert_eq!(listed["threads"]["nodes"], json!([]));
        let own = thread_as(&app, Some(&newcomer), &thread).await;
        assert_eq!(own["posts"]["nodes"][0]["status"], json!("PENDING"));

        let queue = "{ moderationQueue { pendingPosts { id body } openFlags { id } } }";
        let waiting = app.data_as(&moderator, queue, json!({})).await;
        assert_eq!(
            waiting["moderationQueue"]["pendingPosts"][0]["id"],
            json!(first)
        );
        let refused = app.graphql_as(&other, queue, json!({})).await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"],
            json!("FORBIDDEN")
        );

        moderate(&app, &moderator, "approvePost", &first, "on topic").await;
        let public = thread_as(&app, None, &thread).await;
        assert_eq!(public["id"], json!(thread));
        assert_eq!(public["posts"]["nodes"].as_array().unwrap().len(), 1);

        // A second post still waits (one approved post, the threshold is two) ...
        let second = reply(&app, &newcomer, &thread, "Second post.").await;
        assert_eq!(second["status"], json!("PENDING"));
        let public = thread_as(&app, None, &thread).await;
        assert_eq!(public["posts"]["nodes"].as_array().unwrap().len(), 1);
        moderate(
            &app,
            &moderator,
            "approvePost",
            second["id"].as_str().unwrap(),
            "fine",
        )
        .await;
        // ... the third does not: two approved posts make a trusted member.
        let third = reply(&app, &newcomer, &thread, "Third post.").await;
        assert_eq!(third["status"], json!("APPROVED"));
        let waiting = app.data_as(&moderator, queue, json!({})).await;
        assert_eq!(waiting["moderationQueue"]["pendingPosts"], json!([]));
        // A moderator's post never waits.
        let answer = reply(&app, &moderator, &thread, "Moderator's reply.").await;
        assert_eq!(answer["status"], json!("APPROVED"));
        assert_eq!(
            audit_actions(&app, "post", raw_id(&json!(first))).await,
            ["post.approve"]
        );
    }
}

#[tokio::test]
async fn a_flagged_post_is_hidden_and_restored_with_reasons_in_the_audit_and_moderation_logs() {
    for app in spawn_apps().await {
        let moderator = app.api_key("moderator", None).await;
        let member = app.api_key("member", None).await;
        let created = new_thread(&app, &moderator, "Quokka cycling lanes", "Opening post.").await;
        let thread = created["thread"]["id"].as_str().unwrap().to_owned();
        let post = reply(&app, &moderator, &thread, "Buy zeppelinpills now").await;
        let post_id = post["id"].as_str().unwrap().to_owned();
        let hits = thread_hits(&app, "zeppelinpills", |hits| !hits.is_empty()).await;
        assert_eq!(
            hits.len(),
            1,
            "[{}] the approved post is searchable",
            app.backend
        );

        let flag = ok(
            &app,
            &member,
            "mutation($input: FlagPostInput!) { flagPost(input: $input) {
                flag { id status reason post { id } } userErrors { field code message } } }",
            json!({ "postId": post_id, "reason": "spam" }),
        )
        .await;
        assert_eq!(flag["flag"]["status"], json!("open"));
        let queue = app
            .data_as(
                &moderator,
                "{ moderationQueue { openFlags { reason post { id } } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            queue["moderationQueue"]["openFlags"],
            json!([{ "reason": "spam", "post": { "id": post_id } }])
        );

        let hidden = moderate(&app, &moderator, "hidePost", &post_id, "advertising").await;
        assert_eq!(hidden["status"], json!("HIDDEN"));
        let public = thread_as(&app, Some(&member), &thread).await;
        assert_eq!(
            public["posts"]["nodes"].as_array().unwrap().len(),
            1,
            "hidden for others"
        );
        let hits = thread_hits(&app, "zeppelinpills", |hits| hits.is_empty()).await;
        assert_eq!(
            hits,
            Vec::<Value>::new(),
            "[{}] a hidden post leaves search",
            app.backend
        );
        let queue = app
            .data_as(
                &moderator,
                "{ moderationQueue { openFlags { id } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            queue["moderationQueue"]["openFlags"],
            json!([]),
            "the flag is resolved"
        );

        let restored = moderate(&app, &moderator, "restorePost", &post_id, "appeal upheld").await;
        assert_eq!(restored["status"], json!("APPROVED"));
        let hits = thread_hits(&app, "zeppelinpills", |hits| !hits.is_empty()).await;
        assert_eq!(
            hits.len(),
            1,
            "[{}] a restored post is searchable again",
            app.backend
        );

        assert_eq!(
            audit_actions(&app, "post", raw_id(&json!(post_id))).await,
            ["post.create", "post.flag", "post.hide", "post.restore"]
        );
        let log = app
            .data_as(
                &moderator,
                "query($id: ID!) { moderationLog(targetId: $id, first: 10) {
                    edges { node { action reason targetId } } } }",
                json!({ "id": post_id }),
            )
            .await;
        assert_eq!(
            log["moderationLog"]["edges"],
            json!([
                { "node": { "action": "post.restore", "reason": "appeal upheld", "targetId": post_id } },
                { "node": { "action": "post.hide", "reason": "advertising", "targetId": post_id } },
            ])
        );

        // Moderation needs a reason, and a member may not moderate.
        let missing = mutate(
            &app,
            &moderator,
            "mutation($input: ModeratePostInput!) { hidePost(input: $input) { post { id } userErrors { field code message } } }",
            json!({ "postId": post_id, "reason": "  " }),
        )
        .await;
        assert_eq!(
            missing["userErrors"][0]["field"],
            json!(["input", "reason"])
        );
        let refused = app
            .graphql_as(
                &member,
                "mutation($input: ModeratePostInput!) { hidePost(input: $input) { post { id } } }",
                json!({ "input": { "postId": post_id, "reason": "mine" } }),
            )
            .await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"],
            json!("FORBIDDEN")
        );
    }
}

#[tokio::test]
async fn an_edit_keeps_the_old_body_readable_and_a_question_gets_one_accepted_answer() {
    for app in spawn_apps().await {
        let asker = app.api_key("moderator", None).await;
        let helper = app.api_key("moderator", None).await;
        let member = app.api_key("member", None).await;
        let created = ok(
            &app,
            &asker,
            CREATE_THREAD,
            json!({ "title": "How to tender heat pumps?", "body": "Any templates?", "kind": "QUESTION" }),
        )
        .await;
        assert_eq!(created["thread"]["kind"], json!("QUESTION"));
        let thread = created["thread"]["id"].as_str().unwrap().to_owned();
        let answer = reply(&app, &helper, &thread, "See *Oslo*.").await;
        let answer_id = answer["id"].as_str().unwrap().to_owned();

        let edit = "mutation($input: EditPostInput!) { editPost(input: $input) {
            post { body bodyHtml editedAt revisions { body bodyHtml editor { id } } } userErrors { field code message } } }";
        let edited = ok(
            &app,
            &helper,
            edit,
            json!({ "postId": answer_id, "body": "See **Asker**." }),
        )
        .await;
        assert_eq!(edited["post"]["body"], json!("See **Asker**."));
        assert_eq!(
            edited["post"]["bodyHtml"],
            json!("<p>See <strong>Asker</strong>.</p>\n")
        );
        assert!(edited["post"]["editedAt"].is_string());
        assert_eq!(edited["post"]["revisions"][0]["body"], json!("See *Oslo*."));
        assert_eq!(
            edited["post"]["revisions"][0]["bodyHtml"],
            json!("<p>See <em>Oslo</em>.</p>\n")
        );
        // Nobody else edits it.
        let refused = app
            .graphql_as(
                &member,
                edit,
                json!({ "input": { "postId": answer_id, "body": "Mine now." } }),
            )
            .await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"],
            json!("FORBIDDEN")
        );

        let accept = "mutation($input: AcceptAnswerInput!) { acceptAnswer(input: $input) {
            thread { acceptedAnswer { id } } userErrors { field code message } } }";
        let refused = app
            .graphql_as(&member, accept, json!({ "input": { "postId": answer_id } }))
            .await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"],
            json!("FORBIDDEN")
        );
        let accepted = ok(&app, &asker, accept, json!({ "postId": answer_id })).await;
        assert_eq!(accepted["thread"]["acceptedAnswer"]["id"], json!(answer_id));
        let question = created["post"]["id"].as_str().unwrap();
        let itself = mutate(&app, &asker, accept, json!({ "postId": question })).await;
        assert_eq!(itself["userErrors"][0]["field"], json!(["input", "postId"]));
        let answered = app
            .data("{ threads(first: 5, filter: { kind: QUESTION, answered: true }) { nodes { id } } }", json!({}))
            .await;
        assert_eq!(answered["threads"]["nodes"], json!([{ "id": thread }]));
        assert_eq!(
            audit_actions(&app, "thread", raw_id(&json!(thread))).await,
            ["thread.create", "thread.accept_answer"]
        );
    }
}

#[tokio::test]
async fn threads_attach_to_a_subject_and_locked_threads_take_no_posts() {
    for app in spawn_apps().await {
        let moderator = app.api_key("moderator", None).await;
        let city =
            app.data("{ city(slug: \"oslo\") { id } }", json!({})).await["city"]["id"].clone();
        let created = ok(
            &app,
            &moderator,
            CREATE_THREAD,
            json!({ "title": "Oslo's climate budget", "body": "Questions here.", "subjectId": city }),
        )
        .await;
        let thread = created["thread"]["id"].as_str().unwrap().to_owned();
        let about = app
            .data(
                "query($id: ID!) { threads(first: 5, filter: { subjectId: $id }) { nodes { id subject { ... on City { slug } } } } }",
                json!({ "id": city }),
            )
            .await;
        assert_eq!(
            about["threads"]["nodes"],
            json!([{ "id": thread, "subject": { "slug": "oslo" } }])
        );

        let lock = "mutation($input: ModerateThreadInput!) { lockThread(input: $input) { thread { status } userErrors { field code message } } }";
        let locked = ok(
            &app,
            &moderator,
            lock,
            json!({ "threadId": thread, "reason": "resolved" }),
        )
        .await;
        assert_eq!(locked["thread"]["status"], json!("LOCKED"));
        let member = app.api_key("member", None).await;
        let refused = app
            .graphql_as(
                &member,
                CREATE_POST,
                json!({ "input": { "threadId": thread, "body": "Late." } }),
            )
            .await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"],
            json!("CONFLICT"),
            "{refused}"
        );
        let unlock = "mutation($input: ModerateThreadInput!) { unlockThread(input: $input) { thread { status } userErrors { field code message } } }";
        let open = ok(
            &app,
            &moderator,
            unlock,
            json!({ "threadId": thread, "reason": "reopened" }),
        )
        .await;
        assert_eq!(open["thread"]["status"], json!("OPEN"));
        reply(&app, &member, &thread, "Now it works.").await;
    }
}

#[tokio::test]
async fn a_suspended_account_cannot_post_and_is_told_why() {
    for app in spawn_apps().await {
        let moderator = app.api_key("moderator", None).await;
        let member = app.api_key("member", None).await;
        let account =
            app.data_as(&member, "{ viewer { id } }", json!({})).await["viewer"]["id"].clone();
        let suspend = "mutation($input: SuspendAccountInput!) { suspendAccount(input: $input) {
            account { id } until userErrors { field code message } } }";
        let past = mutate(
            &app,
            &moderator,
            suspend,
            json!({ "accountId": account, "reason": "spam", "until": "2020-01-01T00:00:00Z" }),
        )
        .await;
        assert_eq!(past["userErrors"][0]["field"], json!(["input", "until"]));
        let garbled = mutate(
            &app,
            &moderator,
            suspend,
            json!({ "accountId": account, "reason": "spam", "until": "next week" }),
        )
        .await;
        assert_eq!(garbled["userErrors"][0]["field"], json!(["input", "until"]));
        let done = ok(
            &app,
            &moderator,
            suspend,
            json!({ "accountId": account, "reason": "repeated spam", "until": "2999-01-01T00:00:00Z" }),
        )
        .await;
        assert_eq!(done["account"]["id"], account);
        let refused = app
            .graphql_as(
                &member,
                CREATE_THREAD,
                json!({ "input": { "title": "Hello", "body": "Again." } }),
            )
            .await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"],
            json!("FORBIDDEN")
        );
        let message = refused["errors"][0]["message"].as_str().unwrap();
        assert!(
            message.contains("suspended") && message.contains("repeated spam"),
            "{message}"
        );
        assert_eq!(
            audit_actions(&app, "account", raw_id(&account)).await,
            ["account.suspend"]
        );
    }
}

#[tokio::test]
async fn posting_too_fast_is_rate_limited_and_stores_nothing() {
    let two_per_minute = |settings: &mut kxc::config::Settings| {
        settings.community.post_flood = "2/1".parse().unwrap();
    };
    for app in spawn_apps_with(two_per_minute).await {
        let member = app.api_key("moderator", None).await;
        let thread = new_thread(&app, &member, "Flood test", "One.").await["thread"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        reply(&app, &member, &thread, "Two.").await;
        let before = rows(&app).await;
        let response = app
            .graphql_as(
                &member,
                CREATE_POST,
                json!({ "input": { "threadId": thread, "body": "Three." } }),
            )
            .await;
        assert_eq!(
            response["errors"][0]["extensions"]["code"],
            json!("RATE_LIMITED"),
            "{response}"
        );
        assert_eq!(rows(&app).await, before);
        // Another account has its own bucket.
        let other = app.api_key("member", None).await;
        reply(&app, &other, &thread, "Mine.").await;
    }
}

#[tokio::test]
async fn bad_inputs_are_user_errors_at_their_paths_and_store_nothing() {
    for app in spawn_apps().await {
        let member = app.api_key("member", None).await;
        let thread = new_thread(&app, &member, "A fine title", "Body.").await["thread"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let before = rows(&app).await;
        let cases = [
            (
                CREATE_THREAD,
                json!({ "title": "", "body": "x".repeat(20_001) }),
                vec![json!(["input", "title"]), json!(["input", "body"])],
            ),
            (
                CREATE_THREAD,
                json!({ "title": "x".repeat(301), "body": "B.", "language": "xx-nope" }),
                vec![json!(["input", "title"]), json!(["input", "language"])],
            ),
            (
                CREATE_THREAD,
                json!({ "title": "Tagged <b>bold</b>", "body": "B." }),
                vec![json!(["input", "title"])],
            ),
            (
                CREATE_THREAD,
                json!({ "title": "About nothing", "body": "B.", "subjectId": thread }),
                vec![json!(["input", "subjectId"])],
            ),
            (
                CREATE_THREAD,
                json!({ "title": "About a missing city", "body": "B.", "subjectId": kxc::graphql::GlobalId::new(kxc::domain::RecordKind::City, 999_999).encode().0 }),
                vec![json!(["input", "subjectId"])],
            ),
            (
                CREATE_POST,
                json!({ "threadId": thread, "body": "   " }),
                vec![json!(["input", "body"])],
            ),
            (
                CREATE_POST,
                json!({ "threadId": "bm90LWFuLWlk", "body": "B." }),
                vec![json!(["input", "threadId"])],
            ),
            (
                "mutation($input: FlagPostInput!) { flagPost(input: $input) { flag { id } userErrors { field code message } } }",
                json!({ "postId": thread, "reason": "x" }),
                vec![json!(["input", "postId"])],
            ),
        ];
        for (document, input, fields) in cases {
            let payload = mutate(&app, &member, document, input.clone()).await;
            let got: Vec<Value> = payload["userErrors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|error| {
                    assert_eq!(error["code"], json!("BAD_USER_INPUT"));
                    error["field"].clone()
                })
                .collect();
            assert_eq!(got, fields, "[{}] {input}", app.backend);
            assert_eq!(
                rows(&app).await,
                before,
                "[{}] nothing stored for {input}",
                app.backend
            );
        }
    }
}

/// Payloads that must never come out executable.
const XSS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">click</a>",
    "<a href=\"&#106;avascript:alert(1)\">click</a>",
    "<a href=\"javascript&#58;alert(1)\">click</a>",
    "<a href=\"&#x6A;&#x61;vascript:alert(1)\">click</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "[click](javascript:alert(1))",
    "[click](JAVASCRIPT:alert(1))",
    "[click](data:text/html,<script>alert(1)</script>)",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<p style=\"width: expression(alert(1))\">x</p>",
    "<b onmouseover=alert(1)>bold</b>",
    "<body onload=alert(1)>",
    "<object data=\"https://evil.example/x.swf\"></object>",
    "<embed src=\"https://evil.example/x.swf\">",
    "<form action=\"javascript:alert(1)\"><input type=submit></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
];

/// What must not appear in any HTML output (lower-cased).
fn executable(html: &str) -> Option<&'static str> {
    let lower = html.to_lowercase();
    let forbidden = [
        "<script",
        "<iframe",
        "<svg",
        "<object",
        "<embed",
        "<form",
        "<style",
        "<link",
        "<meta",
        "<img",
        "<math",
        "javascript:",
        "data:",
        "expression(",
        "style=",
        "onerror",
        "onload",
        "onmouseover",
        "<body",
    ];
    forbidden.into_iter().find(|needle| lower.contains(needle))
}

#[tokio::test]
async fn xss_payloads_never_come_out_executable() {
    let roomy = |settings: &mut kxc::config::Settings| {
        settings.community.post_flood = "1000/1000".parse().unwrap();
    };
    for app in spawn_apps_with(roomy).await {
        let moderator = app.api_key("moderator", None).await;
        let thread =
            new_thread(&app, &moderator, "Sanitizer checks", "Opening.").await["thread"]["id"]
                .as_str()
                .unwrap()
                .to_owned();
        for (index, payload) in XSS.iter().enumerate() {
            let body = format!("xsscanary{index} {payload}");
            // As a post body: sanitized in bodyHtml at creation, on read and after an edit.
            let post = reply(&app, &moderator, &thread, &body).await;
            let html = post["bodyHtml"].as_str().unwrap();
            assert_eq!(
                executable(html),
                None,
                "[{}] post {payload}: {html}",
                app.backend
            );
            let edited = ok(
                &app,
                &moderator,
                "mutation($input: EditPostInput!) { editPost(input: $input) { post { bodyHtml revisions { bodyHtml } } userErrors { field code message } } }",
                json!({ "postId": post["id"], "body": format!("{body} {payload}") }),
            )
            .await;
            let html = edited["post"].to_string();
            assert_eq!(
                executable(&html),
                None,
                "[{}] edit {payload}: {html}",
                app.backend
            );

            // As a thread title: refused when it holds markup; otherwise it is plain text.
            let titled = mutate(
                &app,
                &moderator,
                CREATE_THREAD,
                json!({ "title": payload, "body": "B." }),
            )
            .await;
            if payload.contains('<') {
                assert_eq!(
                    titled["userErrors"][0]["field"],
                    json!(["input", "title"]),
                    "{payload}"
                );
                assert_eq!(titled["thread"], Value::Null);
            } else {
                assert_eq!(titled["thread"]["title"], json!(payload));
            }

            // As a practice body.
            let practice = ok(
                &app,
                &moderator,
                "mutation($input: CreatePracticeInput!) { createPractice(input: $input) {
                    practice { bodyHtml } userErrors { field code message } } }",
                json!({ "title": format!("Sanitizer practice {index}"), "summary": "S.",
                        "body": payload, "language": "en" }),
            )
            .await;
            let html = practice["practice"]["bodyHtml"].as_str().unwrap();
            assert_eq!(
                executable(html),
                None,
                "[{}] practice {payload}: {html}",
                app.backend
            );
        }
        // Search highlights of the posts are escaped text with <mark> only.
        let hits = thread_hits(&app, "xsscanary0 alert", |hits| !hits.is_empty()).await;
        assert!(
            !hits.is_empty(),
            "[{}] the thread is searchable",
            app.backend
        );
        for hit in &hits {
            for highlight in hit["highlights"].as_array().unwrap() {
                let snippet = highlight["snippet"].as_str().unwrap();
                let without_marks = snippet.replace("<mark>", "").replace("</mark>", "");
                assert!(!without_marks.contains('<'), "[{}] {snippet}", app.backend);
            }
        }
        // Every stored post, read back through the thread.
        let all = app
            .data_as(
                &moderator,
                "query($id: ID!) { thread(id: $id) { posts(first: 100) { nodes { bodyHtml revisions { bodyHtml } } } } }",
                json!({ "id": thread }),
            )
            .await;
        let text = all.to_string();
        assert_eq!(executable(&text), None, "[{}] {text}", app.backend);
    }
}
