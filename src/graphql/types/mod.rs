//! The object types of the schema (and their connections), wrapping service models. Field
//! resolvers load relations through the request's DataLoaders.

pub mod api_key;
pub mod audit;
pub mod campaign;
pub mod change;
pub mod city;
pub mod community;
pub mod concept;
pub mod event;
pub mod exchange_request;
pub mod funding;
pub mod initiative;
pub mod node;
pub mod organisation;
pub mod pagination;
pub mod partner;
pub mod partnership;
pub mod practice;
pub mod practice_connection;
pub mod region;
pub mod search;
pub mod theme;
pub mod user_error;
pub mod viewer;

/// A stored URL when it is an absolute http(s) URL; rows written before URLs were validated
/// may hold any scheme, and a `javascript:` link must never reach a portal.
pub fn safe_url(url: Option<&str>) -> Option<&str> {
    url.filter(|url| crate::domain::HttpUrl::parse(url).is_ok())
}

/// A stored closed-set value (`organisation.kind`, ...) read back as its enum with
/// `from_stored`; a string outside the set is a defect in the data, reported as INTERNAL.
pub fn stored<T>(
    value: &str,
    from_stored: impl Fn(&str) -> Option<T>,
    column: &str,
) -> crate::error::AppResult<T> {
    from_stored(value).ok_or_else(|| {
        crate::error::AppError::internal(anyhow::anyhow!(
            "{column} holds {value:?}, which is not one of its values"
        ))
    })
}
pub mod webhook;
