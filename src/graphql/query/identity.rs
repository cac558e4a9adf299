//! Identity queries: `viewer` (anyone), `apiKeys` and `auditLog` (admins).

use async_graphql::{Context, Object};

use crate::error::AppResult;
use crate::graphql::exec::limits;
use crate::graphql::guard::Allowed;
use crate::graphql::inputs::audit::AuditLogFilter;
use crate::graphql::types::api_key::ApiKey;
use crate::graphql::types::audit::{AuditEvent, AuditEventConnection, AuditEventEdge};
use crate::graphql::types::pagination::{self, PageInfo};
use crate::graphql::types::viewer::ViewerInfo;
use crate::service;
use crate::service::permissions::Action;

#[derive(Default)]
pub struct IdentityQuery;

#[Object]
impl IdentityQuery {
    /// Who this request is: anonymous, or the account behind its API key or token.
    async fn viewer(&self, ctx: &Context<'_>) -> ViewerInfo {
        ViewerInfo::from(crate::graphql::viewer(ctx))
    }

    /// Every API key, newest first (admins).
    #[graphql(guard = "Allowed(Action::ManageApiKeys)")]
    async fn api_keys(&self, ctx: &Context<'_>) -> AppResult<Vec<ApiKey>> {
        let rows =
            service::api_keys::list(crate::graphql::db(ctx), crate::graphql::viewer(ctx)).await?;
        Ok(rows.into_iter().map(ApiKey::from).collect())
    }

    /// The audit log of privileged actions, newest first (admins). `first` or `last` (1..100)
    /// is required.
    #[graphql(
        guard = "Allowed(Action::ReadAuditLog)",
        complexity = "limits::connection_complexity(first, last, child_complexity)"
    )]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the newest, 1..100.")] first: Option<i32>,
        #[graphql(desc = "A cursor from this connection: events older than it.")] after: Option<
            String,
        >,
        #[graphql(desc = "Page size towards the newest, 1..100.")] last: Option<i32>,
        #[graphql(desc = "A cursor from this connection: events newer than it.")] before: Option<
            String,
        >,
        #[graphql(desc = "Which events; all when omitted.")] filter: Option<AuditLogFilter>,
    ) -> AppResult<AuditEventConnection> {
        let request = pagination::request(first, after, last, before)?;
        let filter = filter.unwrap_or_default().parse()?;
        let page = service::audit::page(
            crate::graphql::db(ctx),
            crate::graphql::viewer(ctx),
            &filter,
            &request,
        )
        .await?;
        let page_info = PageInfo::of(&page);
        let edges: Vec<AuditEventEdge> = page
            .items
            .into_iter()
            .map(|(cursor, row)| AuditEventEdge {
                cursor: cursor.encode(),
                node: AuditEvent::from(row),
            })
            .collect();
        Ok(AuditEventConnection {
            nodes: edges.iter().map(|edge| edge.node.clone()).collect(),
            edges,
            page_info,
        })
    }
}
