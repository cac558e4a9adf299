//! One client-facing error-code enum, and `AppError`, which carries a code, a safe message, an
//! optional input field path and (for internal errors) a cause that is logged but never sent.

use async_graphql::ErrorExtensions;

use crate::domain::FieldPath;
use crate::service::ServiceError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    BadUserInput,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    RateLimited,
    QueryTooComplex,
    Internal,
    /// The document is not valid GraphQL syntax.
    GraphqlParseFailed,
    /// The document does not validate against the schema.
    GraphqlValidationFailed,
    /// An automatic persisted query hash the server does not know (Apollo protocol).
    PersistedQueryNotFound,
    /// Execution took longer than the configured timeout.
    Timeout,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::QueryTooComplex => "QUERY_TOO_COMPLEX",
            ErrorCode::Internal => "INTERNAL",
            ErrorCode::GraphqlParseFailed => "GRAPHQL_PARSE_FAILED",
            ErrorCode::GraphqlValidationFailed => "GRAPHQL_VALIDATION_FAILED",
            ErrorCode::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            ErrorCode::Timeout => "TIMEOUT",
        }
    }
}

/// Deliberately not `Display`: async-graphql converts any `Display` type into an error without
/// extensions, so keeping this type out of that blanket impl lets `?` carry the code to clients.
#[derive(Clone, Debug)]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
    /// Path of the offending input field, sent as `extensions.field` in GraphQL's spelling
    /// (`["input", "cities", 2]`); empty when no one field is at fault.
    pub field: FieldPath,
    /// For `CONFLICT`: the record's version now, sent as `extensions.currentVersion`.
    pub current_version: Option<i64>,
    pub cause: Option<std::sync::Arc<anyhow::Error>>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: FieldPath::root(),
            current_version: None,
            cause: None,
        }
    }

    pub fn bad_input(field: impl Into<FieldPath>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            ..Self::new(ErrorCode::BadUserInput, message)
        }
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        Self {
            cause: Some(std::sync::Arc::new(cause.into())),
            ..Self::new(ErrorCode::Internal, "internal error")
        }
    }
}

impl AppError {
    /// The first field error as a client error at `prefix` + its path (`themes[1]` under
    /// `filter` becomes `["filter", "themes", 1]`); the message lists every problem, each at
    /// its path in GraphQL's spelling (`filter.themes[1]: unknown theme ...`).
    pub fn from_field_errors(
        prefix: impl Into<FieldPath>,
        errors: &[crate::service::records::FieldError],
    ) -> Self {
        let prefix = prefix.into();
        let Some(first) = errors.first() else {
            return Self::new(ErrorCode::BadUserInput, "invalid input");
        };
        let message = errors
            .iter()
            .map(|error| {
                let path = prefix.clone().join(&error.path);
                if path.is_empty() {
                    error.message.clone()
                } else {
                    format!("{}: {}", path.camel_text(), error.message)
                }
            })
            .collect::<Vec<_>>()
            .join("; ");
        Self {
            field: prefix.join(&first.path),
            ..Self::new(ErrorCode::BadUserInput, message)
        }
    }
}

impl From<ServiceError> for AppError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Invalid(errors) => Self::from_field_errors(FieldPath::root(), &errors),
            ServiceError::Unauthenticated(message) => {
                Self::new(ErrorCode::Unauthenticated, message)
            }
            ServiceError::Forbidden(message) => Self::new(ErrorCode::Forbidden, message),
            ServiceError::NotFound(message) => Self::new(ErrorCode::NotFound, message),
            ServiceError::RateLimited(message) => Self::new(ErrorCode::RateLimited, message),
            ServiceError::Conflict {
                message,
                current_version,
            } => Self {
                current_version: Some(current_version),
                ..Self::new(ErrorCode::Conflict, message)
            },
            ServiceError::Db(error) => Self::internal(error),
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(error: sea_orm::DbErr) -> Self {
        Self::internal(error)
    }
}

impl From<anyhow::Error> for AppError {
    fn from(error: anyhow::Error) -> Self {
        Self::internal(error)
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(error: AppError) -> Self {
        if let Some(cause) = &error.cause {
            tracing::error!(error = format!("{cause:#}"), "internal error");
        }
        let field = (!error.field.is_empty())
            .then(|| async_graphql::Value::from_json(error.field.camel()).ok())
            .flatten();
        let code = error.code.as_str();
        let current_version = error.current_version;
        async_graphql::Error::new(error.message).extend_with(|_, extensions| {
            extensions.set("code", code);
            if let Some(field) = &field {
                extensions.set("field", field.clone());
            }
            if let Some(version) = current_version {
                extensions.set("currentVersion", version);
            }
        })
    }
}
