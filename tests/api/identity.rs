//! Identity: API keys from the command line and over GraphQL, bearer tokens (HS256, ES256 and
//! RS256 from a JWKS), refusals that are never silently anonymous, suspended accounts, and the
//! audit rows privileged actions leave.

use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestApp, accept_test_tokens, spawn_apps, spawn_apps_with, tokens};

const VIEWER: &str = "{ viewer { id name role source } }";

async fn refusal(app: &TestApp, bearer: Option<&str>) -> (u16, Value, Option<String>) {
    let response = app.post_as(bearer, VIEWER, json!({})).await;
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|value| value.to_str().unwrap().to_owned());
    (status, response.json().await.unwrap(), challenge)
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

async fn execute(app: &TestApp, sql: &str) {
    let db = app.db().await;
    let backend = db.get_database_backend();
    db.execute_raw(Statement::from_string(backend, sql.to_owned()))
        .await
        .unwrap_or_else(|error| panic!("{sql}: {error}"));
    db.close().await.unwrap();
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let db = app.db().await;
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            sql.to_owned(),
        ))
        .await
        .unwrap()
        .unwrap();
    let value: i64 = row.try_get_by_index(0).unwrap();
    db.close().await.unwrap();
    let _ = DbBackend::Sqlite;
    value
}

#[tokio::test]
async fn a_key_made_on_the_command_line_is_shown_once_listed_and_fails_once_revoked() {
    for app in spawn_apps().await {
        let output = app.kxc(&[
            "keys",
            "create",
            "--role",
            "partner",
            "--name",
            "EU portal",
            "--source",
            "eu-portal",
        ]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let key = String::from_utf8(output.stdout).unwrap().trim().to_owned();
        assert!(
            key.starts_with("kxc_") && key.len() > 40,
            "[{}] {key}",
            app.backend
        );
        let prefix = &key[..12];

        let data = app.data_as(&key, VIEWER, json!({})).await;
        assert_eq!(
            data["viewer"],
            json!({ "id": data["viewer"]["id"], "name": "EU portal", "role": "PARTNER", "source": "eu-portal" }),
            "[{}]",
            app.backend
        );

        let list = String::from_utf8(app.kxc(&["keys", "list"]).stdout).unwrap();
        let line = list
            .lines()
            .find(|line| line.starts_with(prefix))
            .expect("listed");
        assert!(line.contains("EU portal\tpartner\teu-portal"), "{line}");
        assert!(!list.contains(&key), "the list never shows the key itself");
        let stored = count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM api_key WHERE key_hash LIKE '%{}%'",
                &key[13..]
            ),
        )
        .await;
        assert_eq!(stored, 0, "only a hash is stored");

        let revoke = app.kxc(&["keys", "revoke", prefix, "--reason", "rotated"]);
        assert!(
            revoke.status.success(),
            "{}",
            String::from_utf8_lossy(&revoke.stderr)
        );
        let (status, body, challenge) = refusal(&app, Some(&key)).await;
        assert_eq!(status, 401, "[{}] {body}", app.backend);
        assert_eq!(code(&body), "UNAUTHENTICATED");
        assert!(challenge.unwrap().starts_with("Bearer"));
        let list = String::from_utf8(app.kxc(&["keys", "list"]).stdout).unwrap();
        let line = list.lines().find(|line| line.starts_with(prefix)).unwrap();
        assert!(!line.ends_with("\t-"), "revoked time listed: {line}");
    }
}

#[tokio::test]
async fn an_admin_creates_and_revokes_keys_over_graphql_and_each_action_is_audited() {
    for app in spawn_apps().await {
        let admin = app.api_key("admin", None).await;
        let created = app
            .data_as(
                &admin,
                "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) {
                    apiKey { prefix name role source } secret userErrors { field } } }",
                json!({ "input": { "name": "Funding sync", "role": "PARTNER", "source": "eu-funding", "reason": "onboarding" } }),
            )
            .await;
        let payload = &created["createApiKey"];
        let secret = payload["secret"].as_str().unwrap();
        let prefix = payload["apiKey"]["prefix"].as_str().unwrap();
        assert!(secret.starts_with(prefix));
        assert_eq!(payload["apiKey"]["source"], "eu-funding");
        let viewer = app.data_as(secret, VIEWER, json!({})).await;
        assert_eq!(viewer["viewer"]["role"], "PARTNER");

        let revoked = app
            .data_as(
                &admin,
                "mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { revokedAt } } }",
                json!({ "input": { "prefix": prefix, "reason": "test over" } }),
            )
            .await;
        assert!(revoked["revokeApiKey"]["apiKey"]["revokedAt"].is_string());
        assert_eq!(refusal(&app, Some(secret)).await.0, 401);

        let log = app
            .data_as(
                &admin,
                "{ auditLog(first: 10, filter: { actions: [\"api_key.create\", \"api_key.revoke\"] }) {
                    nodes { action actorRole actorCredential targetType reason details } } }",
                json!({}),
            )
            .await;
        let nodes = log["auditLog"]["nodes"].as_array().unwrap();
        let revoke = &nodes[0];
        assert_eq!(revoke["action"], "api_key.revoke", "newest first: {log}");
        assert_eq!(revoke["reason"], "test over");
        assert_eq!(revoke["actorRole"], "ADMIN");
        assert_eq!(
            revoke["actorCredential"],
            format!("api_key:{}", &admin[..12])
        );
        let create = nodes
            .iter()
            .find(|node| {
                node["details"]["prefix"] == json!(prefix) && node["action"] == "api_key.create"
            })
            .expect("the creation is audited");
        assert_eq!(create["reason"], "onboarding");
        assert_eq!(create["details"]["role"], "partner");
        assert_eq!(create["targetType"], "api_key");
        let logged = count(
            &app,
            "SELECT COUNT(*) FROM audit_event a JOIN change_log c ON c.seq = a.change_seq \
             WHERE c.entity_type = 'api_key' AND c.entity_id = a.target_id",
        )
        .await;
        let audited = count(&app, "SELECT COUNT(*) FROM audit_event").await;
        assert_eq!(
            logged, audited,
            "[{}] every audit row has its change_log row",
            app.backend
        );
    }
}

#[tokio::test]
async fn invalid_key_input_is_a_user_error_and_stores_nothing() {
    for app in spawn_apps().await {
        let admin = app.api_key("admin", None).await;
        let keys_before = count(&app, "SELECT COUNT(*) FROM api_key").await;
        let answer = app
            .data_as(
                &admin,
                "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) {
                    apiKey { prefix } secret userErrors { field code message } } }",
                json!({ "input": { "name": "No source", "role": "PARTNER" } }),
            )
            .await;
        let payload = &answer["createApiKey"];
        assert_eq!(payload["apiKey"], Value::Null);
        assert_eq!(payload["secret"], Value::Null);
        assert_eq!(
            payload["userErrors"][0]["field"],
            json!(["input", "source"])
        );
        assert_eq!(payload["userErrors"][0]["code"], "BAD_USER_INPUT");
        let bad_source = app
            .data_as(
                &admin,
                "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { userErrors { field } } }",
                json!({ "input": { "name": "Bad", "role": "PARTNER", "source": "Not A Slug!" } }),
            )
            .await;
        assert_eq!(
            bad_source["createApiKey"]["userErrors"][0]["field"],
            json!(["input", "source"])
        );
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM api_key").await,
            keys_before
        );

        let missing = app
            .graphql_as(
                &admin,
                "mutation { revokeApiKey(input: { prefix: \"kxc_00000000\" }) { apiKey { prefix } } }",
                json!({}),
            )
            .await;
        assert_eq!(code(&missing), "NOT_FOUND", "{missing}");
    }
}

#[tokio::test]
async fn non_public_fields_need_their_role() {
    for app in spawn_apps().await {
        let member = app.api_key("member", None).await;
        let admin = app.api_key("admin", None).await;
        for query in [
            "{ apiKeys { prefix } }",
            "{ auditLog(first: 5) { nodes { action } } }",
        ] {
            assert_eq!(
                code(&app.graphql(query, json!({})).await),
                "UNAUTHENTICATED",
                "{query}"
            );
            assert_eq!(
                code(&app.graphql_as(&member, query, json!({})).await),
                "FORBIDDEN",
                "{query}"
            );
            app.data_as(&admin, query, json!({})).await;
        }
    }
}

#[tokio::test]
async fn tokens_signed_with_each_accepted_algorithm_sign_in_and_make_an_account_once() {
    for app in spawn_apps_with(accept_test_tokens).await {
        let claims = tokens::claims("alice", Some("evaluator"));
        let mut ids = Vec::new();
        for token in [
            tokens::hs256(&claims),
            tokens::es256(&claims),
            tokens::rs256(&claims),
        ] {
            let data = app.data_as(&token, VIEWER, json!({})).await;
            assert_eq!(
                data["viewer"]["role"], "EVALUATOR",
                "[{}] {data}",
                app.backend
            );
            assert_eq!(data["viewer"]["name"], "Test alice");
            ids.push(data["viewer"]["id"].clone());
        }
        assert!(
            ids.iter().all(|id| *id == ids[0]),
            "one account per subject: {ids:?}"
        );

        let member = app
            .data_as(
                &tokens::hs256(&tokens::claims("bob", None)),
                VIEWER,
                json!({}),
            )
            .await;
        assert_eq!(
            member["viewer"]["role"], "MEMBER",
            "no role claim is a member"
        );
        let partner = app
            .data_as(
                &tokens::es256(&tokens::claims("carol", Some("partner"))),
                VIEWER,
                json!({}),
            )
            .await;
        assert_eq!(partner["viewer"]["source"], "test-source");
    }
}

#[tokio::test]
async fn a_bad_expired_or_foreign_token_is_refused_never_anonymous() {
    for app in spawn_apps_with(accept_test_tokens).await {
        let valid = tokens::claims("dave", Some("member"));
        let mut foreign = valid.clone();
        foreign["iss"] = json!("https://elsewhere.example");
        let mut other_audience = valid.clone();
        other_audience["aud"] = json!("another-api");
        let mut not_yet = valid.clone();
        not_yet["nbf"] = json!(chrono::Utc::now().timestamp() + 3600);
        let mut no_subject = valid.clone();
        no_subject.as_object_mut().unwrap().remove("sub");
        let mut bad_role = valid.clone();
        bad_role["role"] = json!("root");
        let mut partner_without_source = valid.clone();
        partner_without_source["role"] = json!("partner");
        let forged = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &valid,
            &jsonwebtoken::EncodingKey::from_secret(b"some other secret of 32 bytes or more")
                .unwrap(),
        )
        .unwrap();
        let cases = [
            (
                "expired",
                tokens::hs256(&tokens::expired(valid.clone())),
                "expired",
            ),
            ("another issuer", tokens::es256(&foreign), "issuer"),
            (
                "another audience",
                tokens::rs256(&other_audience),
                "audience",
            ),
            ("not valid yet", tokens::hs256(&not_yet), "not valid yet"),
            ("no subject", tokens::hs256(&no_subject), "sub"),
            ("unknown role", tokens::hs256(&bad_role), "not a role"),
            (
                "partner without source",
                tokens::hs256(&partner_without_source),
                "source",
            ),
            ("forged signature", forged, "signature"),
            ("garbage", "not.a.token".to_owned(), "well-formed"),
            (
                "unknown key",
                format!("kxc_00000000_{}", "A".repeat(43)),
                "not known",
            ),
        ];
        for (what, token, says) in cases {
            let (status, body, challenge) = refusal(&app, Some(&token)).await;
            assert_eq!(status, 401, "[{}] {what}: {body}", app.backend);
            assert_eq!(code(&body), "UNAUTHENTICATED", "{what}");
            let message = body["errors"][0]["message"].as_str().unwrap();
            assert!(message.contains(says), "{what}: {message}");
            assert!(body.get("data").is_none(), "{what}: {body}");
            assert!(challenge.is_some(), "{what}: WWW-Authenticate");
        }
        let basic = app
            .client
            .post(format!("{}/graphql", app.address))
            .basic_auth("user", Some("password"))
            .json(&json!({ "query": VIEWER }))
            .send()
            .await
            .unwrap();
        assert_eq!(basic.status(), 401, "only bearer credentials are read");
    }
}

#[tokio::test]
async fn a_server_without_jwt_settings_refuses_tokens() {
    for app in spawn_apps().await {
        let token = tokens::hs256(&tokens::claims("erin", None));
        let (status, body, _) = refusal(&app, Some(&token)).await;
        assert_eq!(status, 401, "[{}] {body}", app.backend);
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("API keys")
        );
    }
}

#[tokio::test]
async fn a_suspended_account_is_refused_with_its_key_or_its_token() {
    for app in spawn_apps_with(accept_test_tokens).await {
        let key = app.api_key("moderator", None).await;
        let token = tokens::hs256(&tokens::claims("frank", Some("member")));
        app.data_as(&key, VIEWER, json!({})).await;
        app.data_as(&token, VIEWER, json!({})).await;
        execute(
            &app,
            &format!(
                "UPDATE account SET disabled_at = '2026-01-01T00:00:00+00:00' \
                 WHERE subject = 'frank' OR id = (SELECT account_id FROM api_key WHERE prefix = '{}')",
                &key[..12]
            ),
        )
        .await;
        for bearer in [&key, &token] {
            let (status, body, _) = refusal(&app, Some(bearer)).await;
            assert_eq!(status, 403, "[{}] {body}", app.backend);
            assert_eq!(code(&body), "FORBIDDEN");
            assert!(
                body["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("suspended")
            );
        }
    }
}
