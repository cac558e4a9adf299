//! `redeliverWebhook`: sends a delivery again, with the same event id (receivers that
//! de-duplicate by it apply it once) and a fresh set of attempts.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};

use super::DeliveryStatus;
use crate::domain::{RecordKind, Viewer};
use crate::entity::{webhook_delivery, webhook_subscription};
use crate::service::change_log::{self, Operation};
use crate::service::permissions::{self, Action};
use crate::service::{ServiceError, audit};

pub async fn run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
) -> Result<webhook_delivery::Model, ServiceError> {
    permissions::check(viewer, Action::ManageWebhooks)?;
    let found = webhook_delivery::Entity::find_by_id(id)
        .find_also_related(webhook_subscription::Entity)
        .one(db)
        .await?;
    let Some((delivery, Some(subscription))) = found else {
        return Err(ServiceError::not_found("webhook delivery"));
    };
    if !super::may_act_on(viewer, &subscription) {
        return Err(ServiceError::not_found("webhook delivery"));
    }
    if subscription.deleted_at.is_some() {
        return Err(ServiceError::invalid(
            "deliveryId",
            "its subscription was deleted",
        ));
    }
    let now = Utc::now().fixed_offset();
    let txn = crate::service::change_log::begin_write(db).await?;
    let mut active: webhook_delivery::ActiveModel = delivery.into();
    active.status = Set(DeliveryStatus::Pending.as_str().to_owned());
    active.attempts = Set(0);
    active.next_attempt_at = Set(Some(now));
    active.delivered_at = Set(None);
    let delivery = active.update(&txn).await?;
    let seq = change_log::append(
        &txn,
        RecordKind::WebhookDelivery,
        delivery.id,
        Operation::Upsert,
    )
    .await?;
    audit::record(
        &txn,
        viewer,
        audit::Entry {
            action: "webhook.redeliver",
            target: RecordKind::WebhookDelivery,
            target_id: delivery.id,
            reason: None,
            details: serde_json::json!({
                "subscription": subscription.id,
                "eventId": delivery.event_id,
            }),
            change_seq: Some(seq),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(delivery)
}
