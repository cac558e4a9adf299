//! The role table: every mutation, run as every role (API key and token), anonymously, and
//! with credentials that must be refused. Exactly the allowed roles succeed.
//!
//! To add a mutation: add one [`MutationCase`] to [`cases`] with its document, a variables
//! builder (reading what it needs from [`Fixture`]; add a field there for records it acts on)
//! and the roles allowed to run it.

use serde_json::{Value, json};

use crate::helpers::{TestApp, accept_test_tokens, spawn_apps_with, tokens};

const ROLES: [&str; 5] = ["member", "evaluator", "moderator", "partner", "admin"];

/// Records the cases act on, made once per app before the table runs.
struct Fixture {
    /// A key nobody uses, for `revokeApiKey`.
    spare_key_prefix: String,
    /// A funding record of `test-source` (the partners' source), for
    /// `deleteFundingOpportunities`; deleting it again is no error.
    deletable_funding: &'static str,
    /// Practices of an owner none of the credentials is, for the practice mutations.
    practices: Practices,
    /// A webhook subscription an admin created and deleted, for `deleteWebhookSubscription`
    /// (deleting one that is gone changes nothing).
    deleted_webhook: String,
    /// Threads and posts of an author none of the credentials is, for the community mutations.
    community: Community,
    /// A seeded partnership to edit, and partnerships made for `deletePartnership` (one per run).
    partnership: String,
    deletable_partnerships: Vec<String>,
    /// A seeded event to edit.
    event: String,
    /// The global ID of a city, for `createExchangeRequest`.
    city: String,
    /// A delivery of a subscription an admin owns, for `redeliverWebhook` (owner-scoped:
    /// other partners get NOT_FOUND; admins may redeliver any).
    webhook_delivery: String,
    /// The global ID of the seeded campaign, for `updateCampaign`.
    campaign: String,
    /// A seeded concept to edit, and concepts made for `deleteConcept` (one per run).
    concept: String,
    deletable_concepts: Vec<String>,
}

/// Global IDs of community records in the states the community mutations start from.
struct Community {
    /// An open thread, for `createPost`.
    open_thread: String,
    /// An approved reply, for `editPost` and `flagPost`.
    post: String,
    /// An approved reply in a question thread, for `acceptAnswer`.
    answer: String,
    /// A new member's pending reply, for `approvePost`.
    pending: String,
    /// Approved and hidden replies, for `hidePost` and `restorePost`.
    to_hide: String,
    to_restore: String,
    /// Open and locked threads, for `lockThread` and `unlockThread`.
    to_lock: String,
    to_unlock: String,
    /// A member's account, for `suspendAccount`.
    account: String,
}

impl Community {
    fn placeholder() -> Self {
        let thread = "dGhyZWFkOjA".to_owned();
        let post = "cG9zdDow".to_owned();
        Self {
            open_thread: thread.clone(),
            post: post.clone(),
            answer: post.clone(),
            pending: post.clone(),
            to_hide: post.clone(),
            to_restore: post,
            to_lock: thread.clone(),
            to_unlock: thread,
            account: "YWNjb3VudDow".into(),
        }
    }

    /// Made through the API by a moderator and a new member of their own.
    async fn arrange(app: &TestApp) -> Self {
        let moderator = app.api_key("moderator", None).await;
        let newcomer = app.api_key("member", None).await;
        let run = |bearer: String, document: &'static str, input: Value| async move {
            let data = app
                .data_as(&bearer, document, json!({ "input": input }))
                .await;
            let payload = data.as_object().unwrap().values().next().unwrap().clone();
            assert_eq!(payload["userErrors"], json!([]), "{payload}");
            payload
        };
        let thread = |kind: &'static str| {
            run(
                moderator.clone(),
                "mutation($input: CreateThreadInput!) { createThread(input: $input) {
                    thread { id } userErrors { field code message } } }",
                json!({ "title": "Role table thread", "body": "Opening.", "kind": kind }),
            )
        };
        let reply = |bearer: String, thread: String| {
            run(
                bearer,
                "mutation($input: CreatePostInput!) { createPost(input: $input) {
                    post { id } userErrors { field code message } } }",
                json!({ "threadId": thread, "body": "A reply." }),
            )
        };
        let id = |payload: Value, field: &str| payload[field]["id"].as_str().unwrap().to_owned();
        let open_thread = id(thread("DISCUSSION").await, "thread");
        let question = id(thread("QUESTION").await, "thread");
        let to_lock = id(thread("DISCUSSION").await, "thread");
        let to_unlock = id(thread("DISCUSSION").await, "thread");
        let post = id(reply(moderator.clone(), open_thread.clone()).await, "post");
        let answer = id(reply(moderator.clone(), question).await, "post");
        let pending = id(reply(newcomer.clone(), open_thread.clone()).await, "post");
        let to_hide = id(reply(moderator.clone(), open_thread.clone()).await, "post");
        let to_restore = id(reply(moderator.clone(), open_thread.clone()).await, "post");
        run(
            moderator.clone(),
            "mutation($input: ModeratePostInput!) { hidePost(input: $input) {
                post { id } userErrors { field code message } } }",
            json!({ "postId": to_restore, "reason": "arranged" }),
        )
        .await;
        run(
            moderator.clone(),
            "mutation($input: ModerateThreadInput!) { lockThread(input: $input) {
                thread { id } userErrors { field code message } } }",
            json!({ "threadId": to_unlock, "reason": "arranged" }),
        )
        .await;
        let account = app.data_as(&newcomer, "{ viewer { id } }", json!({})).await["viewer"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        Self {
            open_thread,
            post,
            answer,
            pending,
            to_hide,
            to_restore,
            to_lock,
            to_unlock,
            account,
        }
    }
}

/// Calls of the role table so far, so each run gets its own slug or record.
static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

fn next_run() -> usize {
    RUNS.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
}

const DELETABLE_PARTNERSHIPS: usize = 24;

/// The seeded partnership to edit and fresh ones to delete, made through the API.
async fn arrange_partnerships(app: &TestApp) -> (String, Vec<String>) {
    let admin = app.api_key("admin", None).await;
    let seeded = app
        .data("{ partnership(slug: \"futurebuilt\") { id } }", json!({}))
        .await;
    let mut deletable = Vec::new();
    for index in 0..DELETABLE_PARTNERSHIPS {
        let data = app
            .data_as(
                &admin,
                "mutation($input: CreatePartnershipInput!) { createPartnership(input: $input) {
                    partnership { id } userErrors { field code message } } }",
                json!({ "input": { "slug": format!("role-table-delete-{index}"), "name": "To delete",
                    "kind": "PEER_LEARNING", "status": "PROPOSED",
                    "participants": [{ "city": "oslo" }, { "city": "asker" }] } }),
            )
            .await;
        deletable.push(
            data["createPartnership"]["partnership"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    (
        seeded["partnership"]["id"].as_str().unwrap().to_owned(),
        deletable,
    )
}

const DELETABLE_FUNDING: &str = "role-table-delete";

fn funding_record(external_id: &str) -> Value {
    json!({
        "externalId": external_id, "title": "Role table call", "summary": "A call.",
        "instrument": "GRANT", "providerLevel": "CITY", "url": "https://example.org/call",
        "language": "en"
    })
}

/// Global IDs of practices in the states the practice mutations start from.
struct Practices {
    /// A complete draft, for `submitPractice`.
    draft: String,
    /// Submitted ones, for `publishPractice` and `rejectPractice`.
    to_publish: String,
    to_reject: String,
    /// Published ones, for `archivePractice`, `evaluatePractice` and the edits.
    to_archive: String,
    to_evaluate: String,
    to_edit: String,
}

impl Practices {
    fn placeholder() -> Self {
        let id = "UHJhY3RpY2U6MA".to_owned();
        Self {
            draft: id.clone(),
            to_publish: id.clone(),
            to_reject: id.clone(),
            to_archive: id.clone(),
            to_evaluate: id.clone(),
            to_edit: id,
        }
    }

    /// Made through the API by a member and a moderator of their own.
    async fn arrange(app: &TestApp) -> Self {
        let owner = app.api_key("member", None).await;
        let moderator = app.api_key("moderator", None).await;
        let run = |bearer: String, document: &'static str, input: Value| async move {
            let data = app
                .data_as(&bearer, document, json!({ "input": input }))
                .await;
            let payload = data.as_object().unwrap().values().next().unwrap().clone();
            assert_eq!(payload["userErrors"], json!([]), "{payload}");
            payload["practice"]["id"].as_str().unwrap().to_owned()
        };
        let mut ids = Vec::new();
        for (index, stage) in [0, 1, 1, 2, 2, 2].into_iter().enumerate() {
            let id = run(
                owner.clone(),
                "mutation($input: CreatePracticeInput!) { createPractice(input: $input) {
                    practice { id } userErrors { field code message } } }",
                json!({ "title": format!("Role table practice {index}"), "summary": "S.",
                        "body": "B.", "language": "en", "themes": ["mobility/cycling"],
                        "cities": ["asker"], "sdgs": [11] }),
            )
            .await;
            if stage >= 1 {
                run(
                    owner.clone(),
                    "mutation($input: SubmitPracticeInput!) { submitPractice(input: $input) {
                        practice { id } userErrors { field code message } } }",
                    json!({ "id": id }),
                )
                .await;
            }
            if stage >= 2 {
                run(
                    moderator.clone(),
                    "mutation($input: PublishPracticeInput!) { publishPractice(input: $input) {
                        practice { id } userErrors { field code message } } }",
                    json!({ "id": id }),
                )
                .await;
            }
            ids.push(id);
        }
        let mut ids = ids.into_iter();
        let mut next = || ids.next().unwrap();
        Self {
            draft: next(),
            to_publish: next(),
            to_reject: next(),
            to_archive: next(),
            to_evaluate: next(),
            to_edit: next(),
        }
    }
}

/// Mutations on a record the caller may not see unless they own it: a signed-in caller who
/// neither owns nor reviews it gets `NOT_FOUND` (its existence is not revealed), not
/// `FORBIDDEN`. The owner's own run is in `contribute.rs`.
const OWNER_SCOPED: &[&str] = &["submitPractice", "redeliverWebhook"];

struct MutationCase {
    /// The root field, to find its payload.
    field: &'static str,
    document: &'static str,
    variables: fn(&Fixture) -> Value,
    allowed: &'static [&'static str],
}

fn cases() -> Vec<MutationCase> {
    vec![
        MutationCase {
            field: "createPartnership",
            document: "mutation($input: CreatePartnershipInput!) {
                createPartnership(input: $input) { partnership { id } userErrors { field code message } } }",
            variables: |_| {
                json!({ "input": { "slug": format!("role-table-{}", next_run()), "name": "Role table",
                    "kind": "PEER_LEARNING", "status": "PROPOSED",
                    "participants": [{ "city": "oslo", "role": "MENTOR" }, { "city": "asker", "role": "LEARNER" }] } })
            },
            allowed: &["admin"],
        },
        MutationCase {
            field: "updatePartnership",
            document: "mutation($input: UpdatePartnershipInput!) {
                updatePartnership(input: $input) { partnership { id } userErrors { field code message } } }",
            variables: |fixture| {
                json!({ "input": { "id": fixture.partnership, "outcomes": "Edited by the role table." } })
            },
            allowed: &["admin"],
        },
        MutationCase {
            field: "createEvent",
            document: "mutation($input: CreateEventInput!) {
                createEvent(input: $input) { event { id } userErrors { field code message } } }",
            variables: |_| {
                json!({ "input": { "slug": format!("role-table-event-{}", next_run()), "title": "Role table",
                    "startsOn": "2027-01-01", "endsOn": "2027-01-01", "city": "oslo" } })
            },
            allowed: &["admin"],
        },
        MutationCase {
            field: "updateEvent",
            document: "mutation($input: UpdateEventInput!) {
                updateEvent(input: $input) { event { id } userErrors { field code message } } }",
            variables: |fixture| {
                json!({ "input": { "id": fixture.event, "description": "Edited by the role table." } })
            },
            allowed: &["admin"],
        },
        MutationCase {
            field: "deletePartnership",
            document: "mutation($input: DeletePartnershipInput!) {
                deletePartnership(input: $input) { deletedId userErrors { field code message } } }",
            variables: |fixture| {
                let index = next_run() % fixture.deletable_partnerships.len();
                json!({ "input": { "id": fixture.deletable_partnerships[index] } })
            },
            allowed: &["admin"],
        },
        MutationCase {
            field: "createApiKey",
            document: "mutation($input: CreateApiKeyInput!) {
                createApiKey(input: $input) { apiKey { prefix role } secret userErrors { field code message } } }",
            variables: |_| json!({ "input": { "name": "made by the role table", "role": "MEMBER" } }),
            allowed: &["admin"],
        },
        MutationCase {
            field: "revokeApiKey",
            document: "mutation($input: RevokeApiKeyInput!) {
                revokeApiKey(input: $input) { apiKey { prefix revokedAt } userErrors { field code message } } }",
            variables: |fixture| {
                json!({ "input": { "prefix": fixture.spare_key_prefix, "reason": "role table" } })
            },
            allowed: &["admin"],
        },
        MutationCase {
            field: "upsertFundingOpportunities",
            document: "mutation($input: UpsertFundingOpportunitiesInput!) {
                upsertFundingOpportunities(input: $input) { results { externalId outcome } userErrors { field code message } } }",
            variables: |_| {
                json!({ "input": { "source": "test-source", "records": [funding_record("role-table-push")] } })
            },
            allowed: &["partner", "admin"],
        },
        MutationCase {
            field: "deleteFundingOpportunities",
            document: "mutation($input: DeleteFundingOpportunitiesInput!) {
                deleteFundingOpportunities(input: $input) { results { externalId outcome } userErrors { field code message } } }",
            variables: |fixture| {
                json!({ "input": { "source": "test-source", "externalIds": [fixture.deletable_funding] } })
            },
            allowed: &["partner", "admin"],
        },
        MutationCase {
            field: "createPractice",
            document: "mutation($input: CreatePracticeInput!) {
                createPractice(input: $input) { practice { id status } userErrors { field code message } } }",
            variables: |_| {
                json!({ "input": { "title": "Made by the role table", "summary": "S.",
                                   "body": "B.", "language": "en" } })
            },
            allowed: &["member", "evaluator", "moderator", "admin"],
        },
        MutationCase {
            field: "updatePractice",
            document: "mutation($input: UpdatePracticeInput!) {
                updatePractice(input: $input) { practice { id status } userErrors { field code message } } }",
            variables: |fixture| {
                json!({ "input": { "id": fixture.practices.to_edit, "summary": "Edited by the role table." } })
            },
            allowed: &["moderator", "admin"],
        },
        MutationCase {
            field: "submitPractice",
            document: "mutation($input: SubmitPracticeInput!) {
                submitPractice(input: $input) { practice { id status } userErrors { field code message } } }",
            variables: |fixture| json!({ "input": { "id": fixture.practices.draft } }),
            allowed: &["moderator", "admin"],
        },
        MutationCase {
            field: "publishPractice",
            document: "mutation($input: PublishPracticeInput!) {
                publishPractice(input: $input) { practice { id status } userErrors { field code message } } }",
            variables: |fixture| json!({ "input": { "id": fixture.practices.to_publish } }),
            allowed: &["moderator", "admin"],
        },
        MutationCase {
            field: "rejectPractice",
            document: "mutation($input: RejectPracticeInput!) {
                rejectPractice(input: $input) { practice { id status } userErrors { field code message } } }",
            variables: |fixture| {
                json!({ "input": { "id": fixture.practices.to_reject, "reason": "role table" } })
            },
            allowed: &["moderator", "admin"],
        },
        MutationCase {
            field: "archivePractice",
            document: "mutation($input: PracticeTransitionInput!) {
                archivePractice(input: $input) { practice { id status } userErrors { field code message } } }",
            variables: |fixture| {
                json!({ "input": { "id": fixture.practices.to_archive, "reason": "role table" } })
            },
            allowed: &["moderator", "admin"],
        },
        MutationCase {
            field: "evaluatePractice",
            document: "mutation($input: EvaluatePracticeInput!) {
                evaluatePractice(input: $input) { practice { id } userErrors { field code message } } }",
            variables: |fixture| {
                json!({ "input": { "practiceId": fixture.practices.to_evaluate, "summary": "Role table.",
                    "scores": { "relevance": 3, "impact": 3, "evidenceQuality": 3, "replicability": 3,
                                "costEffectiveness": 3, "coBenefits": 3, "participation": 3 } } })
            },
            allowed: &["evaluator", "admin"],
        },
        MutationCase {
            field: "upsertPracticeTranslation",
            document: "mutation($input: UpsertPracticeTranslationInput!) {
                upsertPracticeTranslation(input: $input) { practice { id } userErrors { field code message } } }",
            variables: |fixture| {
                json!({ "input": { "practiceId": fixture.practices.to_edit, "language": "de",
                                   "title": "T", "summary": "S.", "body": "B." } })
            },
            allowed: &["moderator", "admin"],
        },
        MutationCase {
            field: "removePracticeTranslation",
            document: "mutation($input: RemovePracticeTranslationInput!) {
                removePracticeTranslation(input: $input) { practice { id } userErrors { field code message } } }",
            variables: |fixture| {
                json!({ "input": { "practiceId": fixture.practices.to_edit, "language": "de" } })
            },
            allowed: &["moderator", "admin"],
        },
        MutationCase {
            field: "createExchangeRequest",
            document: "mutation($input: CreateExchangeRequestInput!) {
                createExchangeRequest(input: $input) { exchangeRequest { id kind } userErrors { field code message } } }",
            variables: |fixture| {
                json!({ "input": { "cityId": fixture.city, "kind": "NEED", "theme": "mobility/cycling",
                                   "title": "Role table need", "body": "Help." } })
            },
            allowed: &["member", "evaluator", "moderator", "admin"],
        },
        MutationCase {
            field: "createThread",
            document: "mutation($input: CreateThreadInput!) {
                createThread(input: $input) { thread { id } userErrors { field code message } } }",
            variables: |_| json!({ "input": { "title": "Made by the role table", "body": "B." } }),
            allowed: &["member", "evaluator", "moderator", "admin"],
        },
        MutationCase {
            field: "createPost",
            document: "mutation($input: CreatePostInput!) {
                createPost(input: $input) { post { id } userErrors { field code message } } }",
            variables: |fixture| {
                json!({ "input": { "threadId": fixture.community.open_thread, "body": "Role table." } })
            },
            allowed: &["member", "evaluator", "moderator", "admin"],
        },
        MutationCase {
            field: "editPost",
            document: "mutation($input: EditPostInput!) {
                editPost(input: $input) { post { id } userErrors { field code message } } }",
            variables: |fixture| {
                json!({ "input": { "postId": fixture.community.post, "body": "Edited by the role table." } })
            },
            allowed: &["moderator", "admin"],
        },
        MutationCase {
            field: "acceptAnswer",
            document: "mutation($input: AcceptAnswerInput!) {
                acceptAnswer(input: $input) { thread { id } userErrors { field code message } } }",
            variables: |fixture| json!({ "input": { "postId": fixture.community.answer } }),
            allowed: &["moderator", "admin"],
        },
        MutationCase {
            field: "flagPost",
            document: "mutation($input: FlagPostInput!) {
                flagPost(input: $input) { flag { id } userErrors { field code message } } }",
            variables: |fixture| {
                json!({ "input": { "postId": fixture.community.post, "reason": "role table" } })
            },
            allowed: &["member", "evaluator", "moderator", "admin"],
        },
        MutationCase {
            field: "approvePost",
            document: "mutation($input: ModeratePostInput!) {
                approvePost(input: $input) { post { id } userErrors { field code message } } }",
            variables: |fixture| {
                json!({ "input": { "postId": fixture.community.pending, "reason": "role table" } })
            },
            allowed: &["moderator", "admin"],
        },
        MutationCase {
            field: "hidePost",
            document: "mutation($input: ModeratePostInput!) {
                hidePost(input: $input) { post { id } userErrors { field code message } } }",
            variables: |fixture| {
                json!({ "input": { "postId": fixture.community.to_hide, "reason": "role table" } })
            },
            allowed: &["moderator", "admin"],
        },
        MutationCase {
            field: "restorePost",
            document: "mutation($input: ModeratePostInput!) {
                restorePost(input: $input) { post { id } userErrors { field code message } } }",
            variables: |fixture| {
                json!({ "input": { "postId": fixture.community.to_restore, "reason": "role table" } })
            },
            allowed: &["moderator", "admin"],
        },
        MutationCase {
            field: "lockThread",
            document: "mutation($input: ModerateThreadInput!) {
                lockThread(input: $input) { thread { id } userErrors { field code message } } }",
            variables: |fixture| {
                json!({ "input": { "threadId": fixture.community.to_lock, "reason": "role table" } })
            },
            allowed: &["moderator", "admin"],
        },
        MutationCase {
            field: "unlockThread",
            document: "mutation($input: ModerateThreadInput!) {
                unlockThread(input: $input) { thread { id } userErrors { field code message } } }",
            variables: |fixture| {
                json!({ "input": { "threadId": fixture.community.to_unlock, "reason": "role table" } })
            },
            allowed: &["moderator", "admin"],
        },
        MutationCase {
            field: "suspendAccount",
            document: "mutation($input: SuspendAccountInput!) {
                suspendAccount(input: $input) { account { id } userErrors { field code message } } }",
            variables: |fixture| {
                json!({ "input": { "accountId": fixture.community.account, "reason": "role table" } })
            },
            allowed: &["moderator", "admin"],
        },
        // Last: live subscriptions make the dispatcher write deliveries while later cases run.
        MutationCase {
            field: "createWebhookSubscription",
            document: "mutation($input: CreateWebhookSubscriptionInput!) {
                createWebhookSubscription(input: $input) { webhookSubscription { id } userErrors { field code message } } }",
            variables: |_| {
                json!({ "input": { "url": "https://hooks.example.org/kxc", "secret": "role-table-secret-0123456789" } })
            },
            allowed: &["partner", "admin"],
        },
        MutationCase {
            field: "deleteWebhookSubscription",
            document: "mutation($input: DeleteWebhookSubscriptionInput!) {
                deleteWebhookSubscription(input: $input) { deletedId userErrors { field code message } } }",
            variables: |fixture| json!({ "input": { "id": fixture.deleted_webhook } }),
            allowed: &["partner", "admin"],
        },
        MutationCase {
            field: "createCity",
            document: "mutation($input: CreateCityInput!) {
                createCity(input: $input) { city { id } userErrors { field code message } } }",
            variables: |_| {
                json!({ "input": { "slug": format!("role-table-new-city-{}", next_run()), "name": "Role table",
                    "region": "NO-03", "latitude": 59.9, "longitude": 10.7 } })
            },
            allowed: &["admin"],
        },
        MutationCase {
            field: "updateCity",
            document: "mutation($input: UpdateCityInput!) {
                updateCity(input: $input) { city { id } userErrors { field code message } } }",
            variables: |fixture| {
                json!({ "input": { "id": fixture.city, "population": 100000, "populationYear": 2025 } })
            },
            allowed: &["admin"],
        },
        MutationCase {
            field: "createCommitment",
            document: "mutation($input: CreateCommitmentInput!) {
                createCommitment(input: $input) { commitment { joinedOn } userErrors { field code message } } }",
            variables: |_| {
                json!({ "input": { "city": role_table_city(next_run()), "initiative": "race-to-zero" } })
            },
            allowed: &["admin"],
        },
        MutationCase {
            field: "updateCommitment",
            document: "mutation($input: UpdateCommitmentInput!) {
                updateCommitment(input: $input) { commitment { joinedOn } userErrors { field code message } } }",
            variables: |_| {
                json!({ "input": { "city": ROLE_TABLE_LINKED, "initiative": "race-to-zero", "joinedOn": "2024-01-01" } })
            },
            allowed: &["admin"],
        },
        MutationCase {
            field: "recordCommitmentReport",
            document: "mutation($input: RecordCommitmentReportInput!) {
                recordCommitmentReport(input: $input) { commitment { lastReportedOn } userErrors { field code message } } }",
            variables: |_| {
                json!({ "input": { "city": ROLE_TABLE_LINKED, "initiative": "race-to-zero",
                    "platform": "CDP-ICLEI Track", "reportedOn": "2025-06-01" } })
            },
            allowed: &["admin"],
        },
        MutationCase {
            field: "deleteCommitment",
            document: "mutation($input: DeleteCommitmentInput!) {
                deleteCommitment(input: $input) { city { id } userErrors { field code message } } }",
            variables: |_| {
                json!({ "input": { "city": role_table_city(next_run()), "initiative": "eurocities" } })
            },
            allowed: &["admin"],
        },
        MutationCase {
            field: "addMembership",
            document: "mutation($input: AddMembershipInput!) {
                addMembership(input: $input) { membership { role } userErrors { field code message } } }",
            variables: |_| {
                json!({ "input": { "city": role_table_city(next_run()), "network": "c40", "since": 2020 } })
            },
            allowed: &["admin"],
        },
        MutationCase {
            field: "updateMembership",
            document: "mutation($input: UpdateMembershipInput!) {
                updateMembership(input: $input) { membership { role } userErrors { field code message } } }",
            variables: |_| {
                json!({ "input": { "city": ROLE_TABLE_LINKED, "network": "c40", "role": "FOUNDING_MEMBER" } })
            },
            allowed: &["admin"],
        },
        MutationCase {
            field: "removeMembership",
            document: "mutation($input: RemoveMembershipInput!) {
                removeMembership(input: $input) { city { id } userErrors { field code message } } }",
            variables: |_| {
                json!({ "input": { "city": role_table_city(next_run()), "network": "eurocities" } })
            },
            allowed: &["admin"],
        },
        MutationCase {
            field: "createCampaign",
            document: "mutation($input: CreateCampaignInput!) {
                createCampaign(input: $input) { campaign { id } userErrors { field code message } } }",
            variables: |_| {
                json!({ "input": { "slug": format!("role-table-campaign-{}", next_run()), "name": "Role table",
                    "joiningSteps": ["Sign the pledge."] } })
            },
            allowed: &["admin"],
        },
        MutationCase {
            field: "updateCampaign",
            document: "mutation($input: UpdateCampaignInput!) {
                updateCampaign(input: $input) { campaign { id } userErrors { field code message } } }",
            variables: |fixture| {
                json!({ "input": { "id": fixture.campaign, "description": "Edited by the role table." } })
            },
            allowed: &["admin"],
        },
        MutationCase {
            field: "createConcept",
            document: "mutation($input: CreateConceptInput!) {
                createConcept(input: $input) { concept { id } userErrors { field code message } } }",
            variables: |_| {
                json!({ "input": { "key": format!("role-table-{}", next_run()),
                    "labels": [{ "language": "en", "prefLabel": "role table concept" }] } })
            },
            allowed: &["admin"],
        },
        MutationCase {
            field: "updateConcept",
            document: "mutation($input: UpdateConceptInput!) {
                updateConcept(input: $input) { concept { id } userErrors { field code message } } }",
            variables: |fixture| {
                json!({ "input": { "id": fixture.concept,
                    "labels": [{ "language": "la", "prefLabel": "tabula rolarum" }] } })
            },
            allowed: &["admin"],
        },
        MutationCase {
            field: "deleteConcept",
            document: "mutation($input: DeleteConceptInput!) {
                deleteConcept(input: $input) { deletedId userErrors { field code message } } }",
            variables: |fixture| {
                let index = next_run() % fixture.deletable_concepts.len();
                json!({ "input": { "id": fixture.deletable_concepts[index] } })
            },
            allowed: &["admin"],
        },
        MutationCase {
            field: "redeliverWebhook",
            document: "mutation($input: RedeliverWebhookInput!) {
                redeliverWebhook(input: $input) { delivery { id } userErrors { field code message } } }",
            variables: |fixture| json!({ "input": { "deliveryId": fixture.webhook_delivery } }),
            // Partners only for their own subscriptions: see
            // `a_partner_redelivers_only_its_own_subscriptions_deliveries`.
            allowed: &["admin"],
        },
    ]
}

/// The ID of a delivery of a live subscription `bearer` creates: one change is made after it
/// (a funding record pushed by an admin) and the dispatcher's delivery row awaited.
async fn webhook_delivery(app: &TestApp, bearer: &str) -> String {
    let created = app
        .data_as(
            bearer,
            "mutation($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) {
                webhookSubscription { id } userErrors { field code message } } }",
            json!({ "input": { "url": "https://hooks.example.org/redeliver",
                "secret": "role-table-secret-0123456789", "entityTypes": ["FUNDING_OPPORTUNITY"] } }),
        )
        .await;
    let subscription = created["createWebhookSubscription"]["webhookSubscription"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_owned();
    let admin = app.api_key("admin", None).await;
    let pushed = app
        .data_as(
            &admin,
            "mutation($input: UpsertFundingOpportunitiesInput!) {
                upsertFundingOpportunities(input: $input) { userErrors { message } } }",
            json!({ "input": { "source": "test-source",
                "records": [funding_record(&format!("role-table-hook-{}", next_run()))] } }),
        )
        .await;
    assert_eq!(
        pushed["upsertFundingOpportunities"]["userErrors"],
        json!([])
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let data = app
            .data_as(
                bearer,
                "query($filter: WebhookDeliveryFilter) { webhookDeliveries(first: 1, filter: $filter) { nodes { id } } }",
                json!({ "filter": { "subscription": subscription } }),
            )
            .await;
        if let Some(id) = data["webhookDeliveries"]["nodes"][0]["id"].as_str() {
            return id.to_owned();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "[{}] no delivery for {subscription}",
            app.backend
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

const REDELIVER: &str = "mutation($input: RedeliverWebhookInput!) {
    redeliverWebhook(input: $input) { delivery { id status } userErrors { field code message } } }";

#[tokio::test]
async fn a_partner_redelivers_only_its_own_subscriptions_deliveries() {
    for app in spawn_apps_with(accept_test_tokens).await {
        let owner = app.api_key("partner", Some("test-source")).await;
        let delivery = webhook_delivery(&app, &owner).await;
        let input = json!({ "input": { "deliveryId": delivery } });

        let other = app.api_key("partner", Some("test-source")).await;
        let refused = app.graphql_as(&other, REDELIVER, input.clone()).await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "[{}] another partner: {refused}",
            app.backend
        );
        assert_eq!(refused["data"]["redeliverWebhook"], Value::Null);

        for bearer in [owner, app.api_key("admin", None).await] {
            let done = app.data_as(&bearer, REDELIVER, input.clone()).await;
            assert_eq!(
                done["redeliverWebhook"]["userErrors"],
                json!([]),
                "[{}] {done}",
                app.backend
            );
            assert_eq!(done["redeliverWebhook"]["delivery"]["id"], json!(delivery));
        }
    }
}

/// Cities made for the city-link cases: each has a commitment to and a membership of
/// `eurocities` (for the deletes), none to `race-to-zero` or `c40` (for the creates).
const ROLE_TABLE_CITIES: usize = 24;
/// A city with a `race-to-zero` commitment and a `c40` membership, for the edits.
const ROLE_TABLE_LINKED: &str = "role-table-linked";

fn role_table_city(run: usize) -> String {
    format!("role-table-city-{}", run % ROLE_TABLE_CITIES)
}

/// The cities, commitments and memberships the city-link cases act on, made through the API.
async fn arrange_city_links(app: &TestApp) {
    let admin = app.api_key("admin", None).await;
    let run = |document: &'static str, input: Value| {
        let admin = admin.clone();
        async move {
            let data = app
                .data_as(&admin, document, json!({ "input": input }))
                .await;
            let payload = data.as_object().unwrap().values().next().unwrap().clone();
            assert_eq!(payload["userErrors"], json!([]), "{payload}");
        }
    };
    let city = "mutation($input: CreateCityInput!) { createCity(input: $input) {
        city { id } userErrors { field code message } } }";
    let commit = "mutation($input: CreateCommitmentInput!) { createCommitment(input: $input) {
        commitment { joinedOn } userErrors { field code message } } }";
    let join = "mutation($input: AddMembershipInput!) { addMembership(input: $input) {
        membership { role } userErrors { field code message } } }";
    let slugs: Vec<String> = (0..ROLE_TABLE_CITIES)
        .map(role_table_city)
        .chain([ROLE_TABLE_LINKED.to_owned()])
        .collect();
    for slug in &slugs {
        run(city, json!({ "slug": slug, "name": slug, "region": "NO-03", "latitude": 59.9, "longitude": 10.7 })).await;
        let (initiative, network) = if slug == ROLE_TABLE_LINKED {
            ("race-to-zero", "c40")
        } else {
            ("eurocities", "eurocities")
        };
        run(commit, json!({ "city": slug, "initiative": initiative })).await;
        run(join, json!({ "city": slug, "network": network })).await;
    }
}

/// The seeded concept to edit and fresh ones to delete, made through the API.
async fn arrange_concepts(app: &TestApp) -> (String, Vec<String>) {
    let admin = app.api_key("admin", None).await;
    let seeded = app
        .data("{ concept(key: \"green-roof\") { id } }", json!({}))
        .await;
    let mut deletable = Vec::new();
    for index in 0..DELETABLE_PARTNERSHIPS {
        let data = app
            .data_as(
                &admin,
                "mutation($input: CreateConceptInput!) { createConcept(input: $input) {
                    concept { id } userErrors { field code message } } }",
                json!({ "input": { "key": format!("role-table-delete-{index}"),
                    "labels": [{ "language": "en", "prefLabel": "to delete" }] } }),
            )
            .await;
        deletable.push(
            data["createConcept"]["concept"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    (
        seeded["concept"]["id"].as_str().unwrap().to_owned(),
        deletable,
    )
}

/// A subscription made and deleted by an admin of its own.
async fn deleted_webhook(app: &TestApp) -> String {
    let admin = app.api_key("admin", None).await;
    let created = app
        .data_as(
            &admin,
            "mutation($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) {
                webhookSubscription { id } userErrors { field code message } } }",
            json!({ "input": { "url": "https://hooks.example.org/gone", "secret": "role-table-secret-0123456789" } }),
        )
        .await;
    let id = created["createWebhookSubscription"]["webhookSubscription"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let deleted = app
        .data_as(
            &admin,
            "mutation($input: DeleteWebhookSubscriptionInput!) { deleteWebhookSubscription(input: $input) {
                deletedId userErrors { field code message } } }",
            json!({ "input": { "id": id } }),
        )
        .await;
    assert_eq!(deleted["deleteWebhookSubscription"]["deletedId"], json!(id));
    id
}

/// How a request identifies itself, and the role it should be treated as.
struct Credential {
    label: String,
    bearer: Option<String>,
    /// `None`: the credential itself must be refused (401) whatever it asks.
    role: Option<&'static str>,
}

async fn credentials(app: &TestApp) -> Vec<Credential> {
    let mut all = vec![Credential {
        label: "anonymous".into(),
        bearer: None,
        role: Some("anonymous"),
    }];
    for role in ROLES {
        all.push(Credential {
            label: format!("{role} key"),
            bearer: Some(app.api_key(role, None).await),
            role: Some(role),
        });
        all.push(Credential {
            label: format!("{role} token"),
            bearer: Some(tokens::hs256(&tokens::claims(
                &format!("{role}-1"),
                Some(role),
            ))),
            role: Some(role),
        });
    }
    let revoked = app.api_key("admin", None).await;
    let prefix = &revoked[..12];
    // Known defect (see the closing note): beside the running server the CLI's write sometimes
    // meets `database is locked` on SQLite; retried a few times until it is found.
    let mut revoke = app.kxc(&["keys", "revoke", prefix, "--reason", "test"]);
    for _ in 0..5 {
        if revoke.status.success()
            || !String::from_utf8_lossy(&revoke.stderr).contains("database is locked")
        {
            break;
        }
        eprintln!(
            "kxc keys revoke met a locked database, retrying: {}",
            String::from_utf8_lossy(&revoke.stderr)
        );
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        revoke = app.kxc(&["keys", "revoke", prefix, "--reason", "test"]);
    }
    assert!(
        revoke.status.success(),
        "{}",
        String::from_utf8_lossy(&revoke.stderr)
    );
    all.push(Credential {
        label: "revoked admin key".into(),
        bearer: Some(revoked),
        role: None,
    });
    all.push(Credential {
        label: "expired admin token".into(),
        bearer: Some(tokens::hs256(&tokens::expired(tokens::claims(
            "admin-2",
            Some("admin"),
        )))),
        role: None,
    });
    let mut foreign = tokens::claims("admin-3", Some("admin"));
    foreign["iss"] = json!("https://someone-else.example");
    all.push(Credential {
        label: "admin token from another issuer".into(),
        bearer: Some(tokens::es256(&foreign)),
        role: None,
    });
    all
}

#[tokio::test]
async fn exactly_the_allowed_roles_can_run_each_mutation() {
    for app in spawn_apps_with(accept_test_tokens).await {
        let partnerships = arrange_partnerships(&app).await;
        let concepts = arrange_concepts(&app).await;
        arrange_city_links(&app).await;
        let spare = app.api_key("member", None).await;
        let fixture = Fixture {
            spare_key_prefix: spare[..12].to_owned(),
            deletable_funding: DELETABLE_FUNDING,
            practices: Practices::arrange(&app).await,
            deleted_webhook: deleted_webhook(&app).await,
            community: Community::arrange(&app).await,
            partnership: partnerships.0,
            deletable_partnerships: partnerships.1,
            event: app
                .data(
                    "{ event(slug: \"c40-world-mayors-summit-2019\") { id } }",
                    json!({}),
                )
                .await["event"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
            city: app
                .data(r#"{ city(slug: "asker") { id } }"#, json!({}))
                .await["city"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
            webhook_delivery: webhook_delivery(&app, &app.api_key("admin", None).await).await,
            campaign: app
                .data(
                    r#"{ campaign(slug: "race-to-zero-norway-2021") { id } }"#,
                    json!({}),
                )
                .await["campaign"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
            concept: concepts.0,
            deletable_concepts: concepts.1,
        };
        let operator = app.api_key("admin", None).await;
        app.data_as(
            &operator,
            "mutation($input: UpsertFundingOpportunitiesInput!) {
                upsertFundingOpportunities(input: $input) { userErrors { message } } }",
            json!({ "input": { "source": "test-source", "records": [funding_record(DELETABLE_FUNDING)] } }),
        )
        .await;
        let credentials = credentials(&app).await;
        for case in cases() {
            for credential in &credentials {
                let variables = (case.variables)(&fixture);
                let response = app
                    .post_as(credential.bearer.as_deref(), case.document, variables)
                    .await;
                let status = response.status();
                let body: Value = response.json().await.expect("JSON");
                let what = format!("[{}] {} as {}", app.backend, case.field, credential.label);
                let code = body["errors"][0]["extensions"]["code"].as_str();
                match credential.role {
                    None => {
                        assert_eq!(status, 401, "{what}: {body}");
                        assert_eq!(code, Some("UNAUTHENTICATED"), "{what}: {body}");
                    }
                    Some(role) if case.allowed.contains(&role) => {
                        assert_eq!(status, 200, "{what}: {body}");
                        assert!(body.get("errors").is_none(), "{what}: {body}");
                        assert_eq!(
                            body["data"][case.field]["userErrors"],
                            json!([]),
                            "{what}: {body}"
                        );
                    }
                    Some(role) => {
                        let expected = if role == "anonymous" {
                            "UNAUTHENTICATED"
                        } else {
                            "FORBIDDEN"
                        };
                        let hidden = OWNER_SCOPED.contains(&case.field)
                            && role != "anonymous"
                            && code == Some("NOT_FOUND");
                        if !hidden {
                            assert_eq!(code, Some(expected), "{what}: {body}");
                        }
                        assert_eq!(body["data"][case.field], Value::Null, "{what}: {body}");
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn every_mutation_over_get_is_405() {
    for app in spawn_apps_with(accept_test_tokens).await {
        let admin = app.api_key("admin", None).await;
        let fixture = Fixture {
            spare_key_prefix: "kxc_00000000".into(),
            deletable_funding: DELETABLE_FUNDING,
            practices: Practices::placeholder(),
            deleted_webhook: "d2ViaG9va19zdWJzY3JpcHRpb246MA".into(),
            community: Community::placeholder(),
            partnership: "UGFydG5lcnNoaXA6MA".into(),
            deletable_partnerships: vec!["UGFydG5lcnNoaXA6MA".into()],
            event: "RXZlbnQ6MA".into(),
            city: "Y2l0eTox".into(),
            webhook_delivery: "d2ViaG9va19kZWxpdmVyeTow".into(),
            campaign: "Y2FtcGFpZ246MQ".into(),
            concept: "Y29uY2VwdDow".into(),
            deletable_concepts: vec!["Y29uY2VwdDow".into()],
        };
        for case in cases() {
            let response = app
                .client
                .get(format!("{}/graphql", app.address))
                .bearer_auth(&admin)
                .query(&[
                    ("query", case.document),
                    ("variables", &(case.variables)(&fixture).to_string()),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 405, "[{}] {}", app.backend, case.field);
        }
    }
}
