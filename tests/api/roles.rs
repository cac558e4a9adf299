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
}

const DELETABLE_FUNDING: &str = "role-table-delete";

fn funding_record(external_id: &str) -> Value {
    json!({
        "externalId": external_id, "title": "Role table call", "summary": "A call.",
        "instrument": "GRANT", "providerLevel": "CITY", "url": "https://example.org/call",
        "language": "en"
    })
}

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
    ]
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
    let revoke = app.kxc(&["keys", "revoke", prefix, "--reason", "test"]);
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
        let spare = app.api_key("member", None).await;
        let fixture = Fixture {
            spare_key_prefix: spare[..12].to_owned(),
            deletable_funding: DELETABLE_FUNDING,
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
                        assert_eq!(code, Some(expected), "{what}: {body}");
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
