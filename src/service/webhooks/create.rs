//! `createWebhookSubscription` (partners and admins): checks the target, the secret and the
//! kinds, then one transaction with the subscription, its `change_log` row and its audit row.
//! The subscription receives the changes committed after it.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    Set,
};

use super::{MAX_SECRET_CHARS, MAX_SUBSCRIPTIONS_PER_ACCOUNT, MIN_SECRET_CHARS, target};
use crate::domain::{RecordKind, Viewer};
use crate::entity::webhook_subscription;
use crate::service::change_log::{self, Operation};
use crate::service::changes::FEED_KINDS;
use crate::service::permissions::{self, Action};
use crate::service::records::FieldError;
use crate::service::{ServiceError, audit};

/// What to subscribe. Field errors name `url`, `secret`, `entityTypes`.
#[derive(Clone, Debug)]
pub struct NewSubscription {
    pub url: String,
    pub secret: String,
    /// Kinds of the change feed; empty for all of them.
    pub entity_types: Vec<RecordKind>,
}

pub async fn run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    new: NewSubscription,
    allow_private: bool,
) -> Result<webhook_subscription::Model, ServiceError> {
    permissions::check(viewer, Action::ManageWebhooks)?;
    let Some(account) = viewer.account_id() else {
        return Err(ServiceError::Forbidden(
            "a webhook subscription belongs to an account; use an API key or a token".into(),
        ));
    };
    let mut errors = Vec::new();
    let url = match target::check_url(&new.url, allow_private) {
        Ok(url) => match target::check_resolved(&url, allow_private).await {
            Ok(()) => Some(url),
            Err(message) => {
                errors.push(FieldError::new("url", message));
                None
            }
        },
        Err(message) => {
            errors.push(FieldError::new("url", message));
            None
        }
    };
    let secret_chars = new.secret.chars().count();
    if !(MIN_SECRET_CHARS..=MAX_SECRET_CHARS).contains(&secret_chars) {
        errors.push(FieldError::new(
            "secret",
            format!("must be {MIN_SECRET_CHARS} to {MAX_SECRET_CHARS} characters"),
        ));
    } else if new.secret.chars().any(char::is_whitespace) {
        errors.push(FieldError::new("secret", "must not contain whitespace"));
    }
    if new.entity_types.len() > FEED_KINDS.len() {
        errors.push(FieldError::new(
            "entityTypes",
            format!("at most {} kinds", FEED_KINDS.len()),
        ));
    }
    let mut kinds: Vec<&str> = new.entity_types.iter().map(|kind| kind.name()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let live = webhook_subscription::Entity::find()
        .filter(webhook_subscription::Column::AccountId.eq(account))
        .filter(webhook_subscription::Column::DeletedAt.is_null())
        .count(db)
        .await?;
    if live >= MAX_SUBSCRIPTIONS_PER_ACCOUNT {
        errors.push(FieldError::new(
            "url",
            format!(
                "an account may have at most {MAX_SUBSCRIPTIONS_PER_ACCOUNT} subscriptions; delete one first"
            ),
        ));
    }
    let Some(url) = url.filter(|_| errors.is_empty()) else {
        return Err(ServiceError::Invalid(errors));
    };
    let now = Utc::now().fixed_offset();
    let txn = crate::service::change_log::begin_write(db).await?;
    let row = webhook_subscription::ActiveModel {
        account_id: Set(account),
        url: Set(url.as_str().to_owned()),
        secret: Set(new.secret.clone()),
        entity_types: Set(serde_json::json!(kinds)),
        active: Set(true),
        checkpoint_seq: Set(i64::MAX),
        created_at: Set(now),
        updated_at: Set(now),
        failing_since: Set(None),
        deleted_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let seq = change_log::append(
        &txn,
        RecordKind::WebhookSubscription,
        row.id,
        Operation::Upsert,
    )
    .await?;
    // Deliveries start after this subscription's own change: every later change reaches it.
    let mut active: webhook_subscription::ActiveModel = row.into();
    active.checkpoint_seq = Set(seq);
    let row = active.update(&txn).await?;
    audit::record(
        &txn,
        viewer,
        audit::Entry {
            action: "webhook.create",
            target: RecordKind::WebhookSubscription,
            target_id: row.id,
            reason: None,
            details: serde_json::json!({ "url": row.url, "entityTypes": kinds }),
            change_seq: Some(seq),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}
