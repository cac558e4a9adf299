//! Use cases. Services take a connection (or transaction) and domain types, never GraphQL types.

pub mod batch;
pub mod change_log;
pub mod cities;
pub mod counts;
pub mod funding;
pub mod funding_write;
pub mod import;
pub mod lookup;
pub mod organisations;
pub mod paging;
pub mod practice_query;
pub mod practice_write;
pub mod practices;
pub mod records;
pub mod regions;
pub mod search;
pub mod search_labels;
pub mod themes;

use records::FieldError;

/// Why a use case failed: the input was invalid (nothing was stored), or the database failed.
#[derive(Debug)]
pub enum ServiceError {
    Invalid(Vec<FieldError>),
    Db(sea_orm::DbErr),
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
                    .map(|error| format!("{}: {}", error.field, error.message))
                    .collect();
                write!(f, "{}", parts.join("; "))
            }
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
