//! `webhookSubscriptions` and `webhookDeliveries`: a partner's or admin's own webhooks and
//! their delivery log.

use async_graphql::{Context, ID, InputObject, Object};

use crate::domain::RecordKind;
use crate::error::{AppError, AppResult};
use crate::graphql::guard::Allowed;
use crate::graphql::ids::GlobalId;
use crate::graphql::types::pagination::PageInfo;
use crate::graphql::types::webhook::{
    WebhookDelivery, WebhookDeliveryConnection, WebhookDeliveryEdge, WebhookDeliveryStatus,
    WebhookSubscription,
};
use crate::service::permissions::Action;
use crate::service::webhooks::{self, DeliveryFilter, MAX_DELIVERY_PAGE};

#[derive(Default)]
pub struct WebhookQuery;

/// Which deliveries to list.
#[derive(InputObject, Default)]
pub struct WebhookDeliveryFilter {
    /// Only deliveries of this subscription (its global ID).
    pub subscription: Option<ID>,
    /// Only deliveries in these states (at most 3).
    pub statuses: Option<Vec<WebhookDeliveryStatus>>,
}

#[Object]
impl WebhookQuery {
    /// The viewer's webhook subscriptions (partners and admins), oldest first.
    #[graphql(guard = "Allowed(Action::ManageWebhooks)")]
    async fn webhook_subscriptions(
        &self,
        ctx: &Context<'_>,
    ) -> AppResult<Vec<WebhookSubscription>> {
        let rows =
            webhooks::subscriptions(crate::graphql::db(ctx), crate::graphql::viewer(ctx)).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The deliveries of the viewer's subscriptions, newest first, with every attempt's
    /// outcome (partners and admins).
    #[graphql(
        guard = "Allowed(Action::ManageWebhooks)",
        complexity = "first.clamp(1, 100) as usize * child_complexity.max(1)"
    )]
    async fn webhook_deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many deliveries to return, 1..100.", default = 20)] first: i32,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
        #[graphql(desc = "Which deliveries to list.")] filter: Option<WebhookDeliveryFilter>,
    ) -> AppResult<WebhookDeliveryConnection> {
        if !(1..=MAX_DELIVERY_PAGE as i32).contains(&first) {
            return Err(AppError::bad_input(
                ["first"],
                format!("`first` must be between 1 and {MAX_DELIVERY_PAGE}"),
            ));
        }
        let before_id = match after.as_deref() {
            None => None,
            Some(cursor) => Some(
                GlobalId::decode(cursor)
                    .filter(|id| id.kind == RecordKind::WebhookDelivery)
                    .ok_or_else(|| {
                        AppError::bad_input(
                            ["after"],
                            "`after` is not a cursor of `webhookDeliveries`",
                        )
                    })?
                    .id,
            ),
        };
        let filter = filter.unwrap_or_default();
        let subscription = match filter.subscription {
            None => None,
            Some(id) => Some(
                GlobalId::decode(&id)
                    .filter(|id| id.kind == RecordKind::WebhookSubscription)
                    .ok_or_else(|| {
                        AppError::bad_input(
                            ["filter", "subscription"],
                            "not the ID of a webhook subscription",
                        )
                    })?
                    .id,
            ),
        };
        let statuses = filter.statuses.unwrap_or_default();
        if statuses.len() > 3 {
            return Err(AppError::bad_input(
                ["filter", "statuses"],
                "at most 3 statuses",
            ));
        }
        let (rows, more) = webhooks::deliveries(
            crate::graphql::db(ctx),
            crate::graphql::viewer(ctx),
            &DeliveryFilter {
                subscription,
                statuses: statuses.into_iter().map(Into::into).collect(),
            },
            before_id,
            first as u64,
        )
        .await?;
        let nodes: Vec<WebhookDelivery> = rows.into_iter().map(Into::into).collect();
        let edges: Vec<WebhookDeliveryEdge> = nodes
            .iter()
            .map(|node| WebhookDeliveryEdge {
                cursor: node.id.to_string(),
                node: node.clone(),
            })
            .collect();
        Ok(WebhookDeliveryConnection {
            page_info: PageInfo {
                has_next_page: more,
                has_previous_page: before_id.is_some(),
                start_cursor: edges.first().map(|edge| edge.cursor.clone()),
                end_cursor: edges.last().map(|edge| edge.cursor.clone()),
            },
            edges,
            nodes,
        })
    }
}
