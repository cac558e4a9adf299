//! Contributing practices through the public API: create a draft, submit it, publish it,
//! evaluate it, checking at each step what anonymous visitors, the owner, another member and a
//! moderator see through `practice`, `practices`, `node` and `search`; refused transitions,
//! stale versions, bad inputs, self- and double evaluation.

use std::time::Duration;

use kxc::entity::{audit_event, evaluation, practice};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_apps};

const PRACTICE_FIELDS: &str =
    "id slug status version reviewReason title themes { path } cities { slug } sdgs
     evaluation { count label score }";

fn create_document() -> String {
    format!(
        "mutation($input: CreatePracticeInput!) {{ createPractice(input: $input) {{
            practice {{ {PRACTICE_FIELDS} }} userErrors {{ field code message }} }} }}"
    )
}

const UPDATE: &str = "mutation($input: UpdatePracticeInput!) { updatePractice(input: $input) {
    practice { id status version title themes { path } cities { slug } sdgs }
    userErrors { field code message } } }";
const SUBMIT: &str = "mutation($input: SubmitPracticeInput!) { submitPractice(input: $input) {
    practice { id status version } userErrors { field code message } } }";
const PUBLISH: &str = "mutation($input: PublishPracticeInput!) { publishPractice(input: $input) {
    practice { id status version } userErrors { field code message } } }";
const REJECT: &str = "mutation($input: RejectPracticeInput!) { rejectPractice(input: $input) {
    practice { id status version reviewReason } userErrors { field code message } } }";
const ARCHIVE: &str =
    "mutation($input: PracticeTransitionInput!) { archivePractice(input: $input) {
    practice { id status version reviewReason } userErrors { field code message } } }";
const EVALUATE: &str =
    "mutation($input: EvaluatePracticeInput!) { evaluatePractice(input: $input) {
    practice { id version evaluation { count label score } }
    evaluation { evaluator mean scores { impact } }
    userErrors { field code message } } }";

fn scores(impact: i32) -> Value {
    json!({ "relevance": 5, "impact": impact, "evidenceQuality": 4, "replicability": 4,
            "costEffectiveness": 3, "coBenefits": 5, "participation": 4 })
}

/// A draft with only what the draft stage needs, created by `bearer`; returns the practice.
async fn create(app: &TestApp, bearer: &str, title: &str) -> Value {
    let data = app
        .data_as(
            bearer,
            &create_document(),
            json!({ "input": { "title": title, "summary": "A courtyard is unsealed and planted.",
                "body": "## Context\n\nThe yard was asphalt.", "language": "en" } }),
        )
        .await;
    assert_eq!(data["createPractice"]["userErrors"], json!([]), "{data}");
    data["createPractice"]["practice"].clone()
}

/// Sends `document` as `bearer` and returns the root field's payload; fails on GraphQL errors.
async fn payload(app: &TestApp, bearer: &str, document: &str, input: Value) -> Value {
    let data = app
        .data_as(bearer, document, json!({ "input": input }))
        .await;
    data.as_object()
        .and_then(|root| root.values().next())
        .cloned()
        .expect("a payload")
}

/// The first GraphQL error of `document` as `bearer`: its code and extensions.
async fn refusal(app: &TestApp, bearer: &str, document: &str, input: Value) -> Value {
    let response = app
        .graphql_as(bearer, document, json!({ "input": input }))
        .await;
    let error = &response["errors"][0];
    assert!(
        error.is_object(),
        "[{}] expected an error: {response}",
        app.backend
    );
    // A non-null payload field that fails nulls `data` as a whole.
    let root = response["data"]
        .as_object()
        .and_then(|root| root.values().next())
        .cloned()
        .unwrap_or(Value::Null);
    assert_eq!(root, Value::Null, "{response}");
    error["extensions"].clone()
}

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

/// Waits until anonymous search finds `word` as `expected` says (the indexer follows the
/// change log); the answer, not the time it took, is what the test checks.
async fn indexed(app: &TestApp, word: &str, expected: bool) {
    let found = crate::search::wait_for(app, word, Duration::from_secs(20), |found| {
        found.is_empty() != expected
    })
    .await;
    assert!(
        found.is_some(),
        "[{}] search for {word}: expected {expected}",
        app.backend
    );
}

async fn audit_actions(app: &TestApp, id: i32) -> Vec<String> {
    let db = app.db().await;
    let rows = audit_event::Entity::find()
        .filter(audit_event::Column::TargetType.eq("practice"))
        .filter(audit_event::Column::TargetId.eq(id))
        .all(&db)
        .await
        .unwrap();
    db.close().await.unwrap();
    rows.into_iter().map(|row| row.action).collect()
}

fn raw_id(id: &Value) -> i32 {
    kxc::graphql::GlobalId::decode(id.as_str().unwrap())
        .unwrap()
        .id
}

#[tokio::test]
async fn a_practice_walks_from_draft_to_evaluated_and_every_viewer_sees_what_its_state_allows() {
    for app in spawn_apps().await {
        let since = chrono::Utc::now().to_rfc3339();
        let owner = app.api_key("member", None).await;
        let other = app.api_key("member", None).await;
        let moderator = app.api_key("moderator", None).await;
        let evaluator = app.api_key("evaluator", None).await;
        let word = "wombatgarten";

        // Draft: the owner and moderators see it; anonymous visitors and other members do not.
        let draft = create(&app, &owner, "Wombatgarten courtyard unsealing").await;
        assert_eq!(draft["status"], "DRAFT");
        assert_eq!(draft["version"], 1);
        assert_eq!(draft["slug"], "wombatgarten-courtyard-unsealing");
        let id = draft["id"].as_str().unwrap().to_owned();
        assert_eq!(seen(&app, None, &id, &since, word).await, [false; 4]);
        assert_eq!(
            seen(&app, Some(&other), &id, &since, word).await,
            [false; 4]
        );
        assert_eq!(seen(&app, Some(&owner), &id, &since, word).await, [true; 4]);
        assert_eq!(
            seen(&app, Some(&moderator), &id, &since, word).await,
            [true; 4]
        );

        // Another member cannot touch it: to them it does not exist.
        let code = refusal(&app, &other, SUBMIT, json!({ "id": id })).await;
        assert_eq!(code["code"], "NOT_FOUND");

        // Submitting needs a theme, a city and an SDG: each missing one is named.
        let submitted = payload(&app, &owner, SUBMIT, json!({ "id": id })).await;
        assert_eq!(submitted["practice"], Value::Null);
        let fields: Vec<&Value> = submitted["userErrors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|error| &error["field"])
            .collect();
        assert_eq!(
            fields,
            [
                &json!(["input", "themes"]),
                &json!(["input", "cities"]),
                &json!(["input", "sdgs"])
            ],
            "{submitted}"
        );
        let updated = payload(
            &app,
            &owner,
            UPDATE,
            json!({ "id": id, "expectedVersion": 1, "themes": ["mobility/cycling"],
                    "cities": ["asker"], "sdgs": [11, 13] }),
        )
        .await;
        assert_eq!(updated["userErrors"], json!([]), "{updated}");
        assert_eq!(updated["practice"]["version"], 2);
        assert_eq!(updated["practice"]["status"], "DRAFT");
        assert_eq!(updated["practice"]["cities"], json!([{ "slug": "asker" }]));

        let submitted = payload(&app, &owner, SUBMIT, json!({ "id": id })).await;
        assert_eq!(submitted["userErrors"], json!([]), "{submitted}");
        assert_eq!(submitted["practice"]["status"], "SUBMITTED");
        assert_eq!(seen(&app, None, &id, &since, word).await, [false; 4]);
        assert_eq!(
            seen(&app, Some(&other), &id, &since, word).await,
            [false; 4]
        );
        assert_eq!(seen(&app, Some(&owner), &id, &since, word).await, [true; 4]);
        assert_eq!(
            seen(&app, Some(&moderator), &id, &since, word).await,
            [true; 4]
        );

        // Only reviewers publish.
        let code = refusal(&app, &owner, PUBLISH, json!({ "id": id })).await;
        assert_eq!(code["code"], "FORBIDDEN");
        let published = payload(&app, &moderator, PUBLISH, json!({ "id": id })).await;
        assert_eq!(published["userErrors"], json!([]), "{published}");
        assert_eq!(published["practice"]["status"], "PUBLISHED");
        indexed(&app, word, true).await;
        for viewer in [None, Some(&other), Some(&owner), Some(&moderator)] {
            assert_eq!(
                seen(&app, viewer.map(String::as_str), &id, &since, word).await,
                [true; 4],
                "{viewer:?}"
            );
        }

        // Evaluated: the score and label are there at once.
        let evaluated = payload(
            &app,
            &evaluator,
            EVALUATE,
            json!({ "practiceId": id, "scores": scores(5), "summary": "Convincing." }),
        )
        .await;
        assert_eq!(evaluated["userErrors"], json!([]), "{evaluated}");
        let mean = (5.0 + 5.0 + 4.0 + 4.0 + 3.0 + 5.0 + 4.0) / 7.0;
        assert_eq!(evaluated["evaluation"]["mean"], json!(mean));
        assert_eq!(
            evaluated["practice"]["evaluation"]["count"],
            json!(1),
            "{evaluated}"
        );
        let anonymous = app
            .data(
                "query($id: ID!) { practice(id: $id) { evaluation { count score label } evaluations { evaluator } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(anonymous["practice"]["evaluation"]["count"], json!(1));
        assert_eq!(anonymous["practice"]["evaluation"]["score"], json!(mean));
        assert!(anonymous["practice"]["evaluation"]["label"].is_string());

        // The owner edits the published practice: back to review, gone from public view.
        let edited = payload(
            &app,
            &owner,
            UPDATE,
            json!({ "id": id, "title": "Wombatgarten courtyard, unsealed" }),
        )
        .await;
        assert_eq!(edited["userErrors"], json!([]), "{edited}");
        assert_eq!(edited["practice"]["status"], "SUBMITTED");
        assert_eq!(seen(&app, None, &id, &since, word).await[..3], [false; 3]);
        indexed(&app, word, false).await;
        assert_eq!(seen(&app, Some(&owner), &id, &since, word).await, [true; 4]);

        // Every step left its audit row.
        assert_eq!(
            audit_actions(&app, raw_id(&json!(id))).await,
            [
                "practice.create",
                "practice.update",
                "practice.submit",
                "practice.publish",
                "practice.evaluate",
                "practice.update"
            ]
        );
    }
}

#[tokio::test]
async fn transitions_the_state_does_not_allow_are_conflicts_and_change_nothing() {
    for app in spawn_apps().await {
        let owner = app.api_key("member", None).await;
        let moderator = app.api_key("moderator", None).await;
        let evaluator = app.api_key("evaluator", None).await;
        let admin = app.api_key("admin", None).await;
        let draft = create(&app, &owner, "Kangaroo crossing lights").await;
        let id = draft["id"].clone();

        for (bearer, document, input) in [
            (&moderator, PUBLISH, json!({ "id": id })),
            (&moderator, REJECT, json!({ "id": id, "reason": "not yet" })),
            (&owner, ARCHIVE, json!({ "id": id })),
        ] {
            let extensions = refusal(&app, bearer, document, input).await;
            assert_eq!(extensions["code"], "CONFLICT", "{document}");
            assert_eq!(extensions["currentVersion"], 1, "{document}");
        }
        // An evaluator cannot see a draft; an admin (who evaluates too) sees it and is refused.
        let evaluation = json!({ "practiceId": id, "scores": scores(3), "summary": "Early." });
        let extensions = refusal(&app, &evaluator, EVALUATE, evaluation.clone()).await;
        assert_eq!(extensions["code"], "NOT_FOUND");
        let extensions = refusal(&app, &admin, EVALUATE, evaluation).await;
        assert_eq!(extensions["code"], "CONFLICT");

        // Rejecting needs a reason; a rejected practice goes back to review when edited.
        payload(
            &app,
            &owner,
            UPDATE,
            json!({ "id": id, "themes": ["mobility/cycling"], "cities": ["asker"], "sdgs": [11] }),
        )
        .await;
        payload(&app, &owner, SUBMIT, json!({ "id": id })).await;
        let without = payload(&app, &moderator, REJECT, json!({ "id": id, "reason": " " })).await;
        assert_eq!(
            without["userErrors"][0]["field"],
            json!(["input", "reason"])
        );
        let rejected = payload(
            &app,
            &moderator,
            REJECT,
            json!({ "id": id, "reason": "Say what it cost." }),
        )
        .await;
        assert_eq!(rejected["practice"]["status"], "REJECTED");
        assert_eq!(rejected["practice"]["reviewReason"], "Say what it cost.");
        let extensions = refusal(&app, &moderator, PUBLISH, json!({ "id": id })).await;
        assert_eq!(extensions["code"], "CONFLICT");
        let archived = payload(
            &app,
            &owner,
            ARCHIVE,
            json!({ "id": id, "reason": "moved on" }),
        )
        .await;
        assert_eq!(archived["practice"]["status"], "ARCHIVED");
        let extensions = refusal(&app, &owner, UPDATE, json!({ "id": id, "title": "Again" })).await;
        assert_eq!(extensions["code"], "CONFLICT");
        let extensions = refusal(&app, &owner, SUBMIT, json!({ "id": id })).await;
        assert_eq!(extensions["code"], "CONFLICT");
        assert_eq!(
            audit_actions(&app, raw_id(&id)).await,
            [
                "practice.create",
                "practice.update",
                "practice.submit",
                "practice.reject",
                "practice.archive"
            ]
        );
    }
}

#[tokio::test]
async fn a_stale_expected_version_is_a_conflict_with_the_current_version() {
    for app in spawn_apps().await {
        let owner = app.api_key("member", None).await;
        let draft = create(&app, &owner, "Platypus pond restoration").await;
        let id = draft["id"].clone();
        let first = payload(
            &app,
            &owner,
            UPDATE,
            json!({ "id": id, "expectedVersion": 1, "summary": "A pond returns." }),
        )
        .await;
        assert_eq!(first["practice"]["version"], 2);
        let extensions = refusal(
            &app,
            &owner,
            UPDATE,
            json!({ "id": id, "expectedVersion": 1, "title": "Lost update" }),
        )
        .await;
        assert_eq!(extensions["code"], "CONFLICT");
        assert_eq!(extensions["currentVersion"], 2);
        let data = app
            .data_as(
                &owner,
                "query($id: ID!) { practice(id: $id) { title version } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(
            data["practice"],
            json!({ "title": "Platypus pond restoration", "version": 2 })
        );
    }
}

async fn counts(app: &TestApp) -> (u64, u64) {
    let db = app.db().await;
    let practices = practice::Entity::find().count(&db).await.unwrap();
    let audits = audit_event::Entity::find().count(&db).await.unwrap();
    db.close().await.unwrap();
    (practices, audits)
}

#[tokio::test]
async fn a_bad_input_is_answered_at_its_path_and_stores_nothing() {
    for app in spawn_apps().await {
        let member = app.api_key("member", None).await;
        let before = counts(&app).await;
        let good = json!({ "title": "Echidna", "summary": "S.", "body": "B.", "language": "en" });
        let cases = [
            ("title", json!(""), json!(["input", "title"])),
            (
                "title",
                json!("x".repeat(100_000)),
                json!(["input", "title"]),
            ),
            ("language", json!("english"), json!(["input", "language"])),
            (
                "links",
                json!([{ "title": "Run me", "url": "javascript:alert(1)" }]),
                json!(["input", "links", 0, "url"]),
            ),
            ("cities", json!(["atlantis"]), json!(["input", "cities", 0])),
            ("sdgs", json!([18]), json!(["input", "sdgs", 0])),
        ];
        for (field, value, path) in cases {
            let mut input = good.clone();
            input[field] = value;
            let answer = payload(&app, &member, &create_document(), input).await;
            assert_eq!(answer["practice"], Value::Null, "{field}: {answer}");
            let errors = answer["userErrors"].as_array().unwrap();
            assert!(
                errors
                    .iter()
                    .any(|error| error["field"] == path && error["code"] == "BAD_USER_INPUT"),
                "[{}] {field}: {answer}",
                app.backend
            );
        }
        // Two bad fields at once: both are named.
        let mut input = good.clone();
        input["title"] = json!("");
        input["links"] = json!([{ "title": "x", "url": "javascript:void(0)" }]);
        let answer = payload(&app, &member, &create_document(), input).await;
        assert_eq!(
            answer["userErrors"].as_array().unwrap().len(),
            2,
            "{answer}"
        );
        // No title at all is refused by the schema before anything runs.
        let response = app
            .graphql_as(
                &member,
                &create_document(),
                json!({ "input": { "summary": "S.", "body": "B.", "language": "en" } }),
            )
            .await;
        assert!(response["errors"][0]["message"].is_string(), "{response}");
        assert_eq!(
            counts(&app).await,
            before,
            "[{}] nothing stored",
            app.backend
        );

        // An edit with a bad link changes nothing either.
        let draft = create(&app, &member, "Echidna burrow survey").await;
        let answer = payload(
            &app,
            &member,
            UPDATE,
            json!({ "id": draft["id"], "title": "Changed",
                    "links": [{ "title": "x", "url": "javascript:alert(1)" }] }),
        )
        .await;
        assert_eq!(
            answer["userErrors"][0]["field"],
            json!(["input", "links", 0, "url"])
        );
        let data = app
            .data_as(
                &member,
                "query($id: ID!) { practice(id: $id) { title version } }",
                json!({ "id": draft["id"] }),
            )
            .await;
        assert_eq!(
            data["practice"],
            json!({ "title": "Echidna burrow survey", "version": 1 })
        );
    }
}

#[tokio::test]
async fn nobody_evaluates_their_own_practice_or_one_practice_twice() {
    for app in spawn_apps().await {
        let author = app.api_key("evaluator", None).await;
        let evaluator = app.api_key("evaluator", None).await;
        let moderator = app.api_key("moderator", None).await;
        let draft = create(&app, &author, "Bilby night bus").await;
        let id = draft["id"].clone();
        payload(
            &app,
            &author,
            UPDATE,
            json!({ "id": id, "themes": ["mobility/cycling"], "cities": ["asker"], "sdgs": [11] }),
        )
        .await;
        payload(&app, &author, SUBMIT, json!({ "id": id })).await;
        payload(&app, &moderator, PUBLISH, json!({ "id": id })).await;
        let evaluations = || async {
            let db = app.db().await;
            let count = evaluation::Entity::find()
                .filter(evaluation::Column::PracticeId.eq(raw_id(&id)))
                .count(&db)
                .await
                .unwrap();
            db.close().await.unwrap();
            count
        };

        let own = refusal(
            &app,
            &author,
            EVALUATE,
            json!({ "practiceId": id, "scores": scores(5), "summary": "Mine is great." }),
        )
        .await;
        assert_eq!(own["code"], "FORBIDDEN");
        let out_of_range = payload(
            &app,
            &evaluator,
            EVALUATE,
            json!({ "practiceId": id, "scores": scores(6), "summary": "Too kind." }),
        )
        .await;
        assert_eq!(
            out_of_range["userErrors"][0]["field"],
            json!(["input", "scores", "impact"]),
            "{out_of_range}"
        );
        assert_eq!(evaluations().await, 0);
        let first = payload(
            &app,
            &evaluator,
            EVALUATE,
            json!({ "practiceId": id, "scores": scores(2), "summary": "Modest." }),
        )
        .await;
        assert_eq!(first["userErrors"], json!([]), "{first}");
        let again = refusal(
            &app,
            &evaluator,
            EVALUATE,
            json!({ "practiceId": id, "scores": scores(5), "summary": "Changed my mind." }),
        )
        .await;
        assert_eq!(again["code"], "CONFLICT");
        assert_eq!(evaluations().await, 1);
        let member = app.api_key("member", None).await;
        let code = refusal(
            &app,
            &member,
            EVALUATE,
            json!({ "practiceId": id, "scores": scores(5), "summary": "I like it." }),
        )
        .await;
        assert_eq!(code["code"], "FORBIDDEN");
    }
}

#[tokio::test]
async fn translations_are_added_replaced_and_removed_by_the_owner() {
    for app in spawn_apps().await {
        let owner = app.api_key("member", None).await;
        let other = app.api_key("member", None).await;
        let draft = create(&app, &owner, "Numbat hedgerows").await;
        let id = draft["id"].clone();
        let upsert = "mutation($input: UpsertPracticeTranslationInput!) {
            upsertPracticeTranslation(input: $input) {
              practice { version availableLanguages translations { language title machineTranslated } }
              userErrors { field code message } } }";
        let remove = "mutation($input: RemovePracticeTranslationInput!) {
            removePracticeTranslation(input: $input) {
              practice { version availableLanguages } userErrors { field code message } } }";
        let german = json!({ "practiceId": id, "language": "de", "title": "Numbat-Hecken",
            "summary": "Hecken.", "body": "Text.", "machineTranslated": true });
        let added = payload(&app, &owner, upsert, german.clone()).await;
        assert_eq!(added["userErrors"], json!([]), "{added}");
        assert_eq!(added["practice"]["version"], 2);
        let mut replaced = german.clone();
        replaced["title"] = json!("Numbat-Heckenstreifen");
        replaced["machineTranslated"] = json!(false);
        let replaced = payload(&app, &owner, upsert, replaced).await;
        assert_eq!(
            replaced["practice"]["translations"],
            json!([{ "language": "de", "title": "Numbat-Heckenstreifen", "machineTranslated": false }])
        );
        let mut original = german.clone();
        original["language"] = json!("en");
        let refused = payload(&app, &owner, upsert, original).await;
        assert_eq!(
            refused["userErrors"][0]["field"],
            json!(["input", "language"])
        );
        let code = refusal(&app, &other, upsert, german.clone()).await;
        assert_eq!(code["code"], "NOT_FOUND");
        let removed = payload(
            &app,
            &owner,
            remove,
            json!({ "practiceId": id, "language": "de" }),
        )
        .await;
        assert_eq!(
            removed["practice"]["availableLanguages"],
            json!(["en"]),
            "{removed}"
        );
        assert_eq!(removed["practice"]["version"], 4);
    }
}
