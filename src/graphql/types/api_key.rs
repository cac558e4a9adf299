//! `ApiKey`: an issued key as admins list it. The secret itself is never readable.

use async_graphql::SimpleObject;

use crate::domain;
use crate::entity::api_key;
use crate::graphql::scalars::DateTime;
use crate::graphql::types::viewer::Role;

/// An API key of a service or partner platform.
#[derive(SimpleObject, Clone)]
pub struct ApiKey {
    /// The public start of the key (`kxc_1a2b3c4d`) that names it in listings and logs.
    pub prefix: String,
    /// Who the key is for.
    pub name: String,
    /// The role requests with this key have.
    pub role: Role,
    /// The funding source of a partner key.
    pub source: Option<String>,
    /// When the key was issued.
    pub created_at: DateTime,
    /// When the key was last used, to the minute.
    pub last_used_at: Option<DateTime>,
    /// When the key was revoked; a revoked key is refused.
    pub revoked_at: Option<DateTime>,
}

impl From<api_key::Model> for ApiKey {
    fn from(row: api_key::Model) -> Self {
        Self {
            prefix: row.prefix,
            name: row.name,
            role: domain::Role::parse(&row.role)
                .unwrap_or(domain::Role::Anonymous)
                .into(),
            source: row.source_scope,
            created_at: row.created_at.into(),
            last_used_at: row.last_used_at.map(Into::into),
            revoked_at: row.revoked_at.map(Into::into),
        }
    }
}
