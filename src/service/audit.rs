//! The audit log: one `audit_event` row per privileged action, written by [`record`] inside
//! the action's transaction, after its `change_log` row, so the change, its log entry and its
//! audit row commit together or not at all. Only admins read it ([`page`]).

use chrono::{DateTime, FixedOffset, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Set,
};

use super::ServiceError;
use super::paging::{Page, PageRequest, page_by_id};
use super::permissions::{self, Action};
use crate::domain::{RecordKind, Viewer};
use crate::entity::audit_event;

/// What happened, to which record and why.
#[derive(Clone, Debug)]
pub struct Entry {
    /// A stable dotted name: `api_key.create`, `api_key.revoke`, `practice.publish`, ...
    pub action: &'static str,
    pub target: RecordKind,
    pub target_id: i32,
    pub reason: Option<String>,
    /// Facts worth keeping that the target row may later lose (a role granted, a name).
    pub details: serde_json::Value,
    /// The `change_log` row of the same transaction.
    pub change_seq: Option<i64>,
}

/// Appends the audit row of an action `viewer` performed. Call inside the action's
/// transaction, after `change_log::append`.
pub async fn record(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    entry: Entry,
) -> Result<audit_event::Model, sea_orm::DbErr> {
    audit_event::ActiveModel {
        occurred_at: Set(Utc::now().fixed_offset()),
        actor_account_id: Set(viewer.account_id()),
        actor_role: Set(viewer.role().as_str().to_owned()),
        actor_credential: Set(viewer.credential().describe()),
        action: Set(entry.action.to_owned()),
        target_type: Set(entry.target.name().to_owned()),
        target_id: Set(entry.target_id),
        reason: Set(entry.reason),
        details: Set(entry.details),
        change_seq: Set(entry.change_seq),
        ..Default::default()
    }
    .insert(txn)
    .await
}

/// Which audit rows to list; every given part must match.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub actions: Vec<String>,
    pub actor_account_id: Option<i32>,
    pub target: Option<(RecordKind, Option<i32>)>,
    pub since: Option<DateTime<FixedOffset>>,
}

/// Newest first, keyset-paged by id. Admins only.
pub async fn page(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    filter: &AuditFilter,
    request: &PageRequest,
) -> Result<Page<audit_event::Model>, ServiceError> {
    permissions::check(viewer, Action::ReadAuditLog)?;
    let mut query = audit_event::Entity::find();
    if !filter.actions.is_empty() {
        query = query.filter(audit_event::Column::Action.is_in(filter.actions.iter().cloned()));
    }
    if let Some(actor) = filter.actor_account_id {
        query = query.filter(audit_event::Column::ActorAccountId.eq(actor));
    }
    if let Some((kind, id)) = filter.target {
        query = query.filter(audit_event::Column::TargetType.eq(kind.name()));
        if let Some(id) = id {
            query = query.filter(audit_event::Column::TargetId.eq(id));
        }
    }
    if let Some(since) = filter.since {
        query = query.filter(audit_event::Column::OccurredAt.gte(since));
    }
    Ok(page_by_id(
        db,
        query,
        audit_event::Column::Id,
        true,
        request,
        "audit",
        |row| row.id,
    )
    .await?)
}
