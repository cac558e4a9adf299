//! Use cases. Services take a connection (or transaction) and domain types, never GraphQL types.

pub mod accounts;
pub mod api_keys;
pub mod audit;
pub mod batch;
pub mod campaigns;
pub mod change_bus;
pub mod change_consumer;
pub mod change_log;
pub mod changes;
pub mod chunked;
pub mod cities;
pub mod commitments;
pub mod community;
pub mod concepts;
pub mod concurrency;
pub mod counts;
pub mod events;
pub mod exchange_requests;
pub mod export;
pub mod feeds;
pub mod funding;
pub mod funding_csv;
pub mod funding_sync;
pub mod funding_write;
pub mod import;
pub mod landscape;
pub mod live;
pub mod lookup;
pub mod memberships;
pub mod organisations;
pub mod paging;
pub mod partners;
pub mod partnerships;
pub mod permissions;
pub mod practice_export;
pub mod practice_lifecycle;
pub mod practice_query;
pub mod practice_write;
pub mod practices;
pub mod records;
pub mod reference;
pub mod regions;
pub mod search;
pub mod search_labels;
pub mod skos;
pub mod stats;
pub mod themes;
pub mod webhooks;

use records::FieldError;

/// Why a use case failed. Every variant but `Db` is the caller's to fix; nothing was stored.
#[derive(Debug)]
pub enum ServiceError {
    /// The input is invalid; each error names its field.
    Invalid(Vec<FieldError>),
    /// The action needs a signed-in viewer and there is none.
    Unauthenticated(String),
    /// The viewer is known but lacks the right.
    Forbidden(String),
    /// The record does not exist, or the viewer may not see it.
    NotFound(String),
    /// The record changed since the caller read it (`expectedVersion` did not match).
    Conflict {
        message: String,
        current_version: i64,
    },
    /// The viewer did this too often lately (the community's post flood limit).
    RateLimited(String),
    Db(sea_orm::DbErr),
}

impl ServiceError {
    pub fn not_found(what: &str) -> Self {
        Self::NotFound(format!("{what} not found"))
    }

    pub fn invalid(field: impl Into<crate::domain::FieldPath>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }
}

impl From<sea_orm::DbErr> for ServiceError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::Db(error)
    }
}

impl std::fmt::Display for ServiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Invalid(errors) => {
                let parts: Vec<String> = errors
                    .iter()
                    .map(|error| format!("{}: {}", error.path.snake(), error.message))
                    .collect();
                write!(f, "{}", parts.join("; "))
            }
            Self::Unauthenticated(message)
            | Self::Forbidden(message)
            | Self::NotFound(message)
            | Self::RateLimited(message) => f.write_str(message),
            Self::Conflict {
                message,
                current_version,
            } => write!(f, "{message} (current version {current_version})"),
            Self::Db(error) => write!(f, "database error: {error}"),
        }
    }
}

impl std::error::Error for ServiceError {}

/// `values` sorted with duplicates removed (link tables hold each pair once).
pub fn sorted_unique<T: Ord>(mut values: Vec<T>) -> Vec<T> {
    values.sort();
    values.dedup();
    values
}
