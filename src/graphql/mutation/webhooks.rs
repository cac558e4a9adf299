//! `createWebhookSubscription`, `deleteWebhookSubscription` and `redeliverWebhook` (partners
//! and admins).

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};

use super::answer;
use crate::config::WebhookSettings;
use crate::domain::RecordKind;
use crate::error::AppResult;
use crate::graphql::guard::Allowed;
use crate::graphql::ids::GlobalId;
use crate::graphql::types::change::ChangeEntityType;
use crate::graphql::types::user_error::UserError;
use crate::graphql::types::webhook::{WebhookDelivery, WebhookSubscription};
use crate::service::ServiceError;
use crate::service::permissions::Action;
use crate::service::webhooks::{create, delete, redeliver};

#[derive(Default)]
pub struct WebhookMutation;

/// A webhook to subscribe.
#[derive(InputObject)]
pub struct CreateWebhookSubscriptionInput {
    /// Where to POST deliveries: an absolute http(s) URL (at most 2,048 characters) on a
    /// public address.
    pub url: String,
    /// The key of the `webhook-signature` HMAC-SHA256 (24..256 characters, no whitespace); it
    /// cannot be read back.
    pub secret: String,
    /// The kinds of record whose changes to deliver (at most 6); every kind when empty or
    /// omitted.
    pub entity_types: Option<Vec<ChangeEntityType>>,
}

/// What `createWebhookSubscription` did.
#[derive(SimpleObject)]
pub struct CreateWebhookSubscriptionPayload {
    /// The new subscription; null when `userErrors` is not empty.
    pub webhook_subscription: Option<WebhookSubscription>,
    /// What is wrong with the input; when not empty, nothing was stored.
    pub user_errors: Vec<UserError>,
}

/// A subscription to end.
#[derive(InputObject)]
pub struct DeleteWebhookSubscriptionInput {
    /// The subscription's global ID.
    pub id: ID,
}

/// What `deleteWebhookSubscription` did.
#[derive(SimpleObject)]
pub struct DeleteWebhookSubscriptionPayload {
    /// The ID of the deleted subscription; null when `userErrors` is not empty.
    pub deleted_id: Option<ID>,
    /// What is wrong with the input; when not empty, nothing was changed.
    pub user_errors: Vec<UserError>,
}

/// A delivery to send again.
#[derive(InputObject)]
pub struct RedeliverWebhookInput {
    /// The delivery's global ID (`webhookDeliveries`).
    pub delivery_id: ID,
}

/// What `redeliverWebhook` did.
#[derive(SimpleObject)]
pub struct RedeliverWebhookPayload {
    /// The delivery, pending again; null when `userErrors` is not empty.
    pub delivery: Option<WebhookDelivery>,
    /// What is wrong with the input; when not empty, nothing was changed.
    pub user_errors: Vec<UserError>,
}

fn parse_id(id: &ID, kind: RecordKind, field: &'static str) -> Result<i32, ServiceError> {
    GlobalId::decode(id)
        .filter(|global| global.kind == kind)
        .map(|global| global.id)
        .ok_or_else(|| ServiceError::invalid(field, format!("not the ID of a {kind}")))
}

#[Object]
impl WebhookMutation {
    /// Subscribes a URL to changes (partners and admins). Every change committed afterwards
    /// to a chosen kind of record is POSTed there once, signed with the Standard Webhooks
    /// headers, and retried with backoff until it is received.
    #[graphql(guard = "Allowed(Action::ManageWebhooks)")]
    async fn create_webhook_subscription(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The target, its secret and the kinds of record.")]
        input: CreateWebhookSubscriptionInput,
    ) -> AppResult<CreateWebhookSubscriptionPayload> {
        let settings = ctx.data_unchecked::<WebhookSettings>();
        let new = create::NewSubscription {
            url: input.url,
            secret: input.secret,
            entity_types: input
                .entity_types
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
        };
        let outcome = create::run(
            crate::graphql::db(ctx),
            crate::graphql::viewer(ctx),
            new,
            settings.allow_private_targets,
        )
        .await;
        Ok(match answer(outcome)? {
            Ok(row) => CreateWebhookSubscriptionPayload {
                webhook_subscription: Some(row.into()),
                user_errors: Vec::new(),
            },
            Err(user_errors) => CreateWebhookSubscriptionPayload {
                webhook_subscription: None,
                user_errors,
            },
        })
    }

    /// Ends a subscription (its owner, or an admin): nothing more is sent to it. Deleting
    /// one that is already gone changes nothing.
    #[graphql(guard = "Allowed(Action::ManageWebhooks)")]
    async fn delete_webhook_subscription(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The subscription to end.")] input: DeleteWebhookSubscriptionInput,
    ) -> AppResult<DeleteWebhookSubscriptionPayload> {
        let outcome = match parse_id(&input.id, RecordKind::WebhookSubscription, "id") {
            Ok(id) => delete::run(crate::graphql::db(ctx), crate::graphql::viewer(ctx), id).await,
            Err(error) => Err(error),
        };
        Ok(match answer(outcome)? {
            Ok(id) => DeleteWebhookSubscriptionPayload {
                deleted_id: Some(GlobalId::new(RecordKind::WebhookSubscription, id).encode()),
                user_errors: Vec::new(),
            },
            Err(user_errors) => DeleteWebhookSubscriptionPayload {
                deleted_id: None,
                user_errors,
            },
        })
    }

    /// Sends a delivery again with the same event id and a fresh set of attempts (the
    /// subscription's owner, or an admin).
    #[graphql(guard = "Allowed(Action::ManageWebhooks)")]
    async fn redeliver_webhook(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The delivery to send again.")] input: RedeliverWebhookInput,
    ) -> AppResult<RedeliverWebhookPayload> {
        let outcome = match parse_id(
            &input.delivery_id,
            RecordKind::WebhookDelivery,
            "deliveryId",
        ) {
            Ok(id) => {
                redeliver::run(crate::graphql::db(ctx), crate::graphql::viewer(ctx), id).await
            }
            Err(error) => Err(error),
        };
        Ok(match answer(outcome)? {
            Ok(row) => RedeliverWebhookPayload {
                delivery: Some(row.into()),
                user_errors: Vec::new(),
            },
            Err(user_errors) => RedeliverWebhookPayload {
                delivery: None,
                user_errors,
            },
        })
    }
}
