//! Webhooks: partners and admins subscribe a URL to kinds of change; the dispatcher
//! (`dispatch.rs`) follows `change_log` on the shared change consumer, stores one delivery
//! per change and subscription (before sending anything), and POSTs each one signed with the
//! Standard Webhooks headers, retrying with exponential backoff and jitter. A delivery that
//! runs out of attempts marks its subscription failing. Deliveries carry what the public
//! change feed carries: the record's global ID and whether it is now visible (`UPSERT`) or
//! gone (`DELETE`), so nobody receives more than the public data.

pub mod create;
pub mod delete;
pub mod dispatch;
pub mod redeliver;
pub mod signature;
pub mod target;

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::ServiceError;
use super::permissions::{self, Action};
use crate::domain::{RecordKind, Viewer};
use crate::entity::{webhook_delivery, webhook_subscription};

/// Longest target URL, in characters.
pub const MAX_URL_CHARS: usize = crate::domain::limits::URL;
/// Shortest and longest signing secret, in characters.
pub const MIN_SECRET_CHARS: usize = 24;
pub const MAX_SECRET_CHARS: usize = 256;
/// Most live subscriptions one account may have.
pub const MAX_SUBSCRIPTIONS_PER_ACCOUNT: u64 = 10;
/// Most deliveries one page of `webhookDeliveries` holds.
pub const MAX_DELIVERY_PAGE: u64 = 100;

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Waiting for its first or next attempt.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt failed; `redeliverWebhook` starts it again.
    Failed,
}

impl DeliveryStatus {
    pub const ALL: [Self; 3] = [Self::Pending, Self::Delivered, Self::Failed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == text)
    }
}

/// The kinds a subscription receives (empty: every kind of the change feed).
pub fn entity_kinds(row: &webhook_subscription::Model) -> Vec<RecordKind> {
    row.entity_types
        .as_array()
        .map(|names| {
            names
                .iter()
                .filter_map(|name| name.as_str().and_then(RecordKind::parse))
                .collect()
        })
        .unwrap_or_default()
}

/// The live subscriptions `viewer` owns, oldest first.
pub async fn subscriptions(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
) -> Result<Vec<webhook_subscription::Model>, ServiceError> {
    permissions::check(viewer, Action::ManageWebhooks)?;
    let Some(account) = viewer.account_id() else {
        return Ok(Vec::new());
    };
    Ok(webhook_subscription::Entity::find()
        .filter(webhook_subscription::Column::AccountId.eq(account))
        .filter(webhook_subscription::Column::DeletedAt.is_null())
        .order_by_asc(webhook_subscription::Column::Id)
        .all(db)
        .await?)
}

/// A live subscription `viewer` may act on: its own; admins any.
pub async fn owned_subscription(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i32,
) -> Result<Option<webhook_subscription::Model>, ServiceError> {
    let found = webhook_subscription::Entity::find_by_id(id)
        .filter(webhook_subscription::Column::DeletedAt.is_null())
        .one(db)
        .await?;
    Ok(found.filter(|row| may_act_on(viewer, row)))
}

pub fn may_act_on(viewer: &Viewer, row: &webhook_subscription::Model) -> bool {
    viewer.role() == crate::domain::Role::Admin || viewer.account_id() == Some(row.account_id)
}

/// What `webhookDeliveries` lists.
#[derive(Clone, Debug, Default)]
pub struct DeliveryFilter {
    pub subscription: Option<i32>,
    pub statuses: Vec<DeliveryStatus>,
}

/// Deliveries of `viewer`'s own subscriptions, newest first, after delivery `before_id`
/// (keyset), at most `first`; and whether more follow.
pub async fn deliveries(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    filter: &DeliveryFilter,
    before_id: Option<i32>,
    first: u64,
) -> Result<(Vec<webhook_delivery::Model>, bool), ServiceError> {
    permissions::check(viewer, Action::ManageWebhooks)?;
    let Some(account) = viewer.account_id() else {
        return Ok((Vec::new(), false));
    };
    let owned: Vec<i32> = webhook_subscription::Entity::find()
        .select_only()
        .column(webhook_subscription::Column::Id)
        .filter(webhook_subscription::Column::AccountId.eq(account))
        .into_tuple()
        .all(db)
        .await?;
    let mut ids = owned;
    if let Some(wanted) = filter.subscription {
        ids.retain(|id| *id == wanted);
    }
    if ids.is_empty() {
        return Ok((Vec::new(), false));
    }
    let mut query = webhook_delivery::Entity::find()
        .filter(webhook_delivery::Column::SubscriptionId.is_in(ids));
    if !filter.statuses.is_empty() {
        query = query.filter(
            webhook_delivery::Column::Status
                .is_in(filter.statuses.iter().map(|status| status.as_str())),
        );
    }
    if let Some(before) = before_id {
        query = query.filter(Condition::all().add(webhook_delivery::Column::Id.lt(before)));
    }
    let first = first.clamp(1, MAX_DELIVERY_PAGE);
    let mut rows = query
        .order_by_desc(webhook_delivery::Column::Id)
        .limit(first + 1)
        .all(db)
        .await?;
    let more = rows.len() as u64 > first;
    rows.truncate(first as usize);
    Ok((rows, more))
}
