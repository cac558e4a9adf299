//! Revoking an API key (admins, and `kxc keys revoke`): permission check, then one transaction
//! that marks the key revoked with its `change_log` and audit rows. Revoking a revoked key
//! changes nothing and writes nothing.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};

use crate::auth::api_key;
use crate::domain::{RecordKind, Viewer};
use crate::entity::api_key as key_entity;
use crate::service::change_log::{self, Operation};
use crate::service::permissions::{self, Action};
use crate::service::{ServiceError, audit};

pub async fn run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    prefix: &str,
    reason: Option<String>,
) -> Result<key_entity::Model, ServiceError> {
    permissions::check(viewer, Action::ManageApiKeys)?;
    let prefix = api_key::normalise_prefix(prefix).ok_or_else(|| {
        ServiceError::invalid("prefix", "is not a key prefix such as kxc_1a2b3c4d")
    })?;
    if reason
        .as_ref()
        .is_some_and(|reason| reason.chars().count() > super::create::MAX_REASON_CHARS)
    {
        return Err(ServiceError::invalid(
            "reason",
            format!(
                "must be at most {} characters",
                super::create::MAX_REASON_CHARS
            ),
        ));
    }
    let txn = crate::service::change_log::begin_write(db).await?;
    let key = super::by_prefix(&txn, &prefix)
        .await?
        .ok_or_else(|| ServiceError::not_found("API key"))?;
    if key.revoked_at.is_some() {
        return Ok(key);
    }
    let mut model: key_entity::ActiveModel = key.into();
    model.revoked_at = Set(Some(Utc::now().fixed_offset()));
    let key = model.update(&txn).await?;
    let seq = change_log::append(&txn, RecordKind::ApiKey, key.id, Operation::Upsert).await?;
    audit::record(
        &txn,
        viewer,
        audit::Entry {
            action: "api_key.revoke",
            target: RecordKind::ApiKey,
            target_id: key.id,
            reason,
            details: serde_json::json!({ "prefix": key.prefix, "name": key.name }),
            change_seq: Some(seq),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(key)
}
