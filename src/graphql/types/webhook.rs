//! `WebhookSubscription` and `WebhookDelivery`: a partner's or admin's webhooks and the log of
//! what was sent to them. The signing secret is never readable.

use async_graphql::{Enum, ID, SimpleObject};

use crate::domain::RecordKind;
use crate::entity::{webhook_delivery, webhook_subscription};
use crate::graphql::ids::GlobalId;
use crate::graphql::scalars::DateTime;
use crate::graphql::types::change::{ChangeEntityType, encode_cursor};
use crate::graphql::types::pagination::PageInfo;
use crate::service::webhooks::{self, DeliveryStatus};

/// Whether a subscription's deliveries get through.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookSubscriptionStatus {
    /// Deliveries are sent and, lately, received.
    Active,
    /// A delivery used up every attempt; new deliveries are still tried, and the next one
    /// received makes the subscription `ACTIVE` again.
    Failing,
}

/// A URL that receives a signed POST for every change to the chosen kinds of record.
#[derive(SimpleObject, Clone)]
pub struct WebhookSubscription {
    /// The subscription's global ID.
    pub id: ID,
    /// Where deliveries are POSTed (normalised).
    pub url: String,
    /// The kinds of record whose changes are delivered; empty for every kind.
    pub entity_types: Vec<ChangeEntityType>,
    /// Whether deliveries get through.
    pub status: WebhookSubscriptionStatus,
    /// Since when a delivery has run out of attempts; null while `ACTIVE`.
    pub failing_since: Option<DateTime>,
    /// Deliveries cover the changes after this cursor (the subscription's creation).
    pub starts_after: String,
    /// When it was created.
    pub created_at: DateTime,
}

impl From<webhook_subscription::Model> for WebhookSubscription {
    fn from(row: webhook_subscription::Model) -> Self {
        Self {
            id: GlobalId::new(RecordKind::WebhookSubscription, row.id).encode(),
            entity_types: webhooks::entity_kinds(&row)
                .into_iter()
                .filter_map(ChangeEntityType::of)
                .collect(),
            status: if row.failing_since.is_some() {
                WebhookSubscriptionStatus::Failing
            } else {
                WebhookSubscriptionStatus::Active
            },
            failing_since: row.failing_since.map(Into::into),
            starts_after: encode_cursor(row.checkpoint_seq),
            created_at: row.created_at.into(),
            url: row.url,
        }
    }
}

/// Where a delivery stands.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookDeliveryStatus {
    /// Waiting for its first or next attempt (`nextAttemptAt`).
    Pending,
    /// The receiver answered with a 2xx status.
    Delivered,
    /// Every attempt failed; `redeliverWebhook` sends it again.
    Failed,
}

impl From<WebhookDeliveryStatus> for DeliveryStatus {
    fn from(status: WebhookDeliveryStatus) -> Self {
        match status {
            WebhookDeliveryStatus::Pending => Self::Pending,
            WebhookDeliveryStatus::Delivered => Self::Delivered,
            WebhookDeliveryStatus::Failed => Self::Failed,
        }
    }
}

impl From<DeliveryStatus> for WebhookDeliveryStatus {
    fn from(status: DeliveryStatus) -> Self {
        match status {
            DeliveryStatus::Pending => Self::Pending,
            DeliveryStatus::Delivered => Self::Delivered,
            DeliveryStatus::Failed => Self::Failed,
        }
    }
}

/// One change sent (or to be sent) to one subscription, with its attempts.
#[derive(SimpleObject, Clone)]
pub struct WebhookDelivery {
    /// The delivery's global ID, as `redeliverWebhook` takes it.
    pub id: ID,
    /// The `webhook-id` header: the same on every attempt and redelivery, so a receiver
    /// applies each event once.
    pub event_id: String,
    /// The subscription's global ID.
    pub subscription_id: ID,
    /// The change's cursor in the `changes` feed.
    pub cursor: String,
    /// Where the delivery stands.
    pub status: WebhookDeliveryStatus,
    /// Attempts made so far.
    pub attempts: i32,
    /// The receiver's HTTP status at the last attempt; null when there was no answer.
    pub last_status_code: Option<i32>,
    /// Why the last attempt failed; null after a success.
    pub last_error: Option<String>,
    /// When the next attempt is due; null once delivered or failed.
    pub next_attempt_at: Option<DateTime>,
    /// When the receiver accepted it.
    pub delivered_at: Option<DateTime>,
    /// The JSON body POSTed (the signature covers exactly this text).
    pub payload: String,
    /// When it was stored.
    pub created_at: DateTime,
}

impl From<webhook_delivery::Model> for WebhookDelivery {
    fn from(row: webhook_delivery::Model) -> Self {
        Self {
            id: GlobalId::new(RecordKind::WebhookDelivery, row.id).encode(),
            event_id: row.event_id.unwrap_or_default(),
            subscription_id: GlobalId::new(RecordKind::WebhookSubscription, row.subscription_id)
                .encode(),
            cursor: encode_cursor(row.change_seq),
            status: DeliveryStatus::parse(&row.status)
                .unwrap_or(DeliveryStatus::Pending)
                .into(),
            attempts: row.attempts,
            last_status_code: row.last_status,
            last_error: row.last_error,
            next_attempt_at: row.next_attempt_at.map(Into::into),
            delivered_at: row.delivered_at.map(Into::into),
            payload: row.payload.unwrap_or_default(),
            created_at: row.created_at.into(),
        }
    }
}

/// A delivery and its cursor.
#[derive(SimpleObject)]
pub struct WebhookDeliveryEdge {
    /// The delivery's position, as `after` takes it.
    pub cursor: String,
    /// The delivery.
    pub node: WebhookDelivery,
}

/// A page of deliveries, newest first.
#[derive(SimpleObject)]
pub struct WebhookDeliveryConnection {
    /// The deliveries with their cursors.
    pub edges: Vec<WebhookDeliveryEdge>,
    /// The deliveries, without cursors.
    pub nodes: Vec<WebhookDelivery>,
    /// Whether older deliveries follow (`after: endCursor`).
    pub page_info: PageInfo,
}
