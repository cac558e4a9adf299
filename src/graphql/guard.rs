//! Guards declared beside each mutation and non-public field
//! (`#[graphql(guard = "Allowed(Action::ManageApiKeys)")]`). They hold no logic of their own:
//! each asks `service::permissions`, so the rule a guard enforces is the rule services enforce.
//! No viewer is `UNAUTHENTICATED`, a known viewer without the right is `FORBIDDEN`.

use async_graphql::{Context, Guard};

use crate::error::AppError;
use crate::service::permissions::{self, Action};

/// Passes when the viewer may perform the action.
pub struct Allowed(pub Action);

impl Guard for Allowed {
    async fn check(&self, ctx: &Context<'_>) -> async_graphql::Result<()> {
        permissions::check(crate::graphql::viewer(ctx), self.0)
            .map_err(|error| AppError::from(error).into())
    }
}
