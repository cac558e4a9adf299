//! `AuditLogFilter`, parsed into the audit service's filter.

use async_graphql::{ID, InputObject};

use crate::domain::RecordKind;
use crate::error::{AppError, AppResult};
use crate::graphql::ids::GlobalId;
use crate::graphql::scalars::DateTime;
use crate::service::audit::AuditFilter;

/// Most actions one filter may name.
const MAX_ACTIONS: usize = 50;

/// Which audit events to list; every given part must match.
#[derive(InputObject, Default)]
pub struct AuditLogFilter {
    /// Action names such as `api_key.create` (any of them).
    pub actions: Option<Vec<String>>,
    /// The global ID of the acting account.
    pub actor: Option<ID>,
    /// The global ID of the record acted on.
    pub target: Option<ID>,
    /// Only events at or after this time.
    pub since: Option<DateTime>,
}

impl AuditLogFilter {
    pub fn parse(self) -> AppResult<AuditFilter> {
        let actions = self.actions.unwrap_or_default();
        if actions.len() > MAX_ACTIONS {
            return Err(AppError::bad_input(
                ["filter", "actions"],
                format!("at most {MAX_ACTIONS} actions"),
            ));
        }
        let actor_account_id = match self.actor {
            Some(id) => match GlobalId::decode(&id) {
                Some(GlobalId {
                    kind: RecordKind::Account,
                    id,
                }) => Some(id),
                _ => {
                    return Err(AppError::bad_input(
                        ["filter", "actor"],
                        "is not the global ID of an account",
                    ));
                }
            },
            None => None,
        };
        let target = match self.target {
            Some(id) => Some(
                GlobalId::decode(&id)
                    .map(|global| (global.kind, Some(global.id)))
                    .ok_or_else(|| {
                        AppError::bad_input(["filter", "target"], "is not a global ID")
                    })?,
            ),
            None => None,
        };
        let since = self
            .since
            .map(|since| since.instant(["filter", "since"]))
            .transpose()?;
        Ok(AuditFilter {
            actions,
            actor_account_id,
            target,
            since,
        })
    }
}
