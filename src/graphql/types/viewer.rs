//! `viewer`: who the request is, and the `Role` enum.

use async_graphql::{Enum, ID, SimpleObject};

use crate::domain::{self, RecordKind};
use crate::graphql::ids::GlobalId;

/// What a viewer may do; see the roles table in the README.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "Role")]
pub enum Role {
    /// No credentials: sees what is public.
    Anonymous,
    /// A signed-in member of the community.
    Member,
    /// Rates practices.
    Evaluator,
    /// Reviews unpublished practices and moderates the community.
    Moderator,
    /// A partner platform, scoped to one funding source.
    Partner,
    /// Runs the service: keys, accounts, the audit log.
    Admin,
}

impl From<domain::Role> for Role {
    fn from(role: domain::Role) -> Self {
        match role {
            domain::Role::Anonymous => Role::Anonymous,
            domain::Role::Member => Role::Member,
            domain::Role::Evaluator => Role::Evaluator,
            domain::Role::Moderator => Role::Moderator,
            domain::Role::Partner => Role::Partner,
            domain::Role::Admin => Role::Admin,
        }
    }
}

impl From<Role> for domain::Role {
    fn from(role: Role) -> Self {
        match role {
            Role::Anonymous => domain::Role::Anonymous,
            Role::Member => domain::Role::Member,
            Role::Evaluator => domain::Role::Evaluator,
            Role::Moderator => domain::Role::Moderator,
            Role::Partner => domain::Role::Partner,
            Role::Admin => domain::Role::Admin,
        }
    }
}

/// Who the request is, as its credentials prove.
#[derive(SimpleObject)]
#[graphql(name = "Viewer")]
pub struct ViewerInfo {
    /// The global ID of the viewer's account; null when anonymous.
    pub id: Option<ID>,
    /// The account's name (the key's name for API keys); null when anonymous.
    pub name: Option<String>,
    /// What the viewer may do.
    pub role: Role,
    /// The funding source a partner is scoped to; null for everyone else.
    pub source: Option<String>,
}

impl From<&domain::Viewer> for ViewerInfo {
    fn from(viewer: &domain::Viewer) -> Self {
        Self {
            id: viewer
                .account_id()
                .map(|id| GlobalId::new(RecordKind::Account, id).encode()),
            name: viewer.account().map(|account| account.name.clone()),
            role: viewer.role().into(),
            source: viewer.source().map(ToString::to_string),
        }
    }
}
