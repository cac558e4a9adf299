//! `AuditEvent` and its connection: the audit log as admins read it.

use async_graphql::{ID, Json, SimpleObject};

use crate::domain::{self, RecordKind};
use crate::entity::audit_event;
use crate::graphql::ids::GlobalId;
use crate::graphql::scalars::DateTime;
use crate::graphql::types::pagination::PageInfo;
use crate::graphql::types::viewer::Role;

/// One privileged action: who did what to which record, why and when.
#[derive(SimpleObject, Clone)]
pub struct AuditEvent {
    /// When the action was committed.
    pub occurred_at: DateTime,
    /// The acting account's global ID; null for the operator at the command line.
    pub actor_id: Option<ID>,
    /// The actor's role at the time.
    pub actor_role: Role,
    /// How the actor signed in: `api_key:kxc_1a2b3c4d`, `token` or `cli`.
    pub actor_credential: String,
    /// A stable dotted name such as `api_key.create`.
    pub action: String,
    /// The kind of the record acted on (`api_key`, `practice`, ...).
    pub target_type: String,
    /// The global ID of the record acted on.
    pub target_id: ID,
    /// Why, as the actor gave it.
    pub reason: Option<String>,
    /// Facts kept with the action (a role granted, a name).
    pub details: Json<serde_json::Value>,
}

impl From<audit_event::Model> for AuditEvent {
    fn from(row: audit_event::Model) -> Self {
        let target_id = match RecordKind::parse(&row.target_type) {
            Some(kind) => GlobalId::new(kind, row.target_id).encode(),
            None => ID(row.target_id.to_string()),
        };
        Self {
            occurred_at: row.occurred_at.into(),
            actor_id: row
                .actor_account_id
                .map(|id| GlobalId::new(RecordKind::Account, id).encode()),
            actor_role: domain::Role::parse(&row.actor_role)
                .unwrap_or(domain::Role::Anonymous)
                .into(),
            actor_credential: row.actor_credential,
            action: row.action,
            target_type: row.target_type,
            target_id,
            reason: row.reason,
            details: Json(row.details),
        }
    }
}

/// A page of the audit log, newest first.
#[derive(SimpleObject)]
pub struct AuditEventConnection {
    /// The events on this page with their cursors.
    pub edges: Vec<AuditEventEdge>,
    /// The events on this page.
    pub nodes: Vec<AuditEvent>,
    /// Where this page sits in the log.
    pub page_info: PageInfo,
}

/// An audit event and its cursor.
#[derive(SimpleObject)]
pub struct AuditEventEdge {
    /// Pass as `after` (or `before`) to page on from this event.
    pub cursor: String,
    /// The event.
    pub node: AuditEvent,
}
