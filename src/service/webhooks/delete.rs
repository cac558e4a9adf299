//! `deleteWebhookSubscription`: the owner (or an admin) ends a subscription; its pending
//! deliveries are no longer sent, its delivery log stays readable. Deleting one that is
//! already gone changes nothing.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};

use crate::domain::{RecordKind, Viewer};
use crate::entity::webhook_subscription;
use crate::service::change_log::{self, Operation};
use crate::service::permissions::{self, Action};
use crate::service::{ServiceError, audit};

/// Returns the subscription's id; `NOT_FOUND` for a live one the viewer may not act on.
pub async fn run(db: &DatabaseConnection, viewer: &Viewer, id: i32) -> Result<i32, ServiceError> {
    permissions::check(viewer, Action::ManageWebhooks)?;
    let Some(row) = webhook_subscription::Entity::find_by_id(id).one(db).await? else {
        return Ok(id);
    };
    if row.deleted_at.is_some() {
        return Ok(id);
    }
    if !super::may_act_on(viewer, &row) {
        return Err(ServiceError::not_found("webhook subscription"));
    }
    let now = Utc::now().fixed_offset();
    let txn = crate::service::change_log::begin_write(db).await?;
    let url = row.url.clone();
    let mut active: webhook_subscription::ActiveModel = row.into();
    active.deleted_at = Set(Some(now));
    active.active = Set(false);
    active.updated_at = Set(now);
    active.update(&txn).await?;
    let seq =
        change_log::append(&txn, RecordKind::WebhookSubscription, id, Operation::Delete).await?;
    audit::record(
        &txn,
        viewer,
        audit::Entry {
            action: "webhook.delete",
            target: RecordKind::WebhookSubscription,
            target_id: id,
            reason: None,
            details: serde_json::json!({ "url": url }),
            change_seq: Some(seq),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}
