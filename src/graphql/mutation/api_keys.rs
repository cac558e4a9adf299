//! `createApiKey` and `revokeApiKey` (admins). The model for every mutation: input type,
//! payload type, guard beside the field, input parsed into a domain value (a parse failure is
//! a user error), one service call, [`answer`](super::answer) to shape the payload.

use async_graphql::{Context, InputObject, Object, SimpleObject};

use super::answer;
use crate::domain::Slug;
use crate::error::AppResult;
use crate::graphql::guard::Allowed;
use crate::graphql::types::api_key::ApiKey;
use crate::graphql::types::user_error::UserError;
use crate::graphql::types::viewer::Role;
use crate::service::api_keys::create;
use crate::service::permissions::Action;
use crate::service::records::FieldError;
use crate::service::{self, ServiceError};

#[derive(Default)]
pub struct ApiKeyMutation;

/// A key to create.
#[derive(InputObject)]
pub struct CreateApiKeyInput {
    /// Who the key is for, as listings show it (1..100 characters).
    pub name: String,
    /// The role requests with the key will have (not ANONYMOUS).
    pub role: Role,
    /// The funding source a partner key may write; required for partners, refused otherwise.
    pub source: Option<String>,
    /// Why the key is created, kept in the audit log.
    pub reason: Option<String>,
}

/// What `createApiKey` did.
#[derive(SimpleObject)]
pub struct CreateApiKeyPayload {
    /// The new key; null when `userErrors` is not empty.
    pub api_key: Option<ApiKey>,
    /// The whole key, to send as `Authorization: Bearer <secret>`. Shown this once: only its
    /// hash is stored.
    pub secret: Option<String>,
    /// What is wrong with the input; when not empty, nothing was stored.
    pub user_errors: Vec<UserError>,
}

/// A key to revoke.
#[derive(InputObject)]
pub struct RevokeApiKeyInput {
    /// The key's prefix, such as `kxc_1a2b3c4d`.
    pub prefix: String,
    /// Why the key is revoked, kept in the audit log.
    pub reason: Option<String>,
}

/// What `revokeApiKey` did.
#[derive(SimpleObject)]
pub struct RevokeApiKeyPayload {
    /// The revoked key; null when `userErrors` is not empty.
    pub api_key: Option<ApiKey>,
    /// What is wrong with the input; when not empty, nothing was changed.
    pub user_errors: Vec<UserError>,
}

impl CreateApiKeyInput {
    fn parse(self) -> Result<create::NewKey, ServiceError> {
        let source = self
            .source
            .map(|text| Slug::parse(&text))
            .transpose()
            .map_err(|message| ServiceError::Invalid(vec![FieldError::new("source", message)]))?;
        Ok(create::NewKey {
            name: self.name,
            role: self.role.into(),
            source,
            reason: self.reason,
        })
    }
}

#[Object]
impl ApiKeyMutation {
    /// Issues an API key (admins). The payload carries the secret once.
    #[graphql(guard = "Allowed(Action::ManageApiKeys)")]
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The key to create.")] input: CreateApiKeyInput,
    ) -> AppResult<CreateApiKeyPayload> {
        let db = crate::graphql::db(ctx);
        let viewer = crate::graphql::viewer(ctx);
        let outcome = match input.parse() {
            Ok(new) => create::run(db, viewer, new).await,
            Err(error) => Err(error),
        };
        Ok(match answer(outcome)? {
            Ok(created) => CreateApiKeyPayload {
                api_key: Some(created.key.into()),
                secret: Some(created.secret),
                user_errors: Vec::new(),
            },
            Err(user_errors) => CreateApiKeyPayload {
                api_key: None,
                secret: None,
                user_errors,
            },
        })
    }

    /// Revokes an API key (admins): its next request is refused. Revoking a revoked key
    /// changes nothing.
    #[graphql(guard = "Allowed(Action::ManageApiKeys)")]
    async fn revoke_api_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The key to revoke.")] input: RevokeApiKeyInput,
    ) -> AppResult<RevokeApiKeyPayload> {
        let outcome = service::api_keys::revoke::run(
            crate::graphql::db(ctx),
            crate::graphql::viewer(ctx),
            &input.prefix,
            input.reason,
        )
        .await;
        Ok(match answer(outcome)? {
            Ok(key) => RevokeApiKeyPayload {
                api_key: Some(key.into()),
                user_errors: Vec::new(),
            },
            Err(user_errors) => RevokeApiKeyPayload {
                api_key: None,
                user_errors,
            },
        })
    }
}
