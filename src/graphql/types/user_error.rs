//! `UserError`: a validation problem a mutation answers in its payload (nothing was stored),
//! with the path of the offending input field.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, SimpleObject, Value};

use crate::domain::FieldPath;
use crate::service::records::FieldError;

/// One step of a path into the input: a field name or a list index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathSegment {
    Field(String),
    Index(i64),
}

/// A field name (String) or a list index (Int) in a path such as
/// `["input", "records", 3, "amountMin"]`.
#[Scalar(name = "PathSegment")]
impl ScalarType for PathSegment {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(name) => Ok(Self::Field(name)),
            Value::Number(number) => number
                .as_i64()
                .map(Self::Index)
                .ok_or_else(|| InputValueError::custom("a list index is a whole number")),
            other => Err(InputValueError::expected_type(other)),
        }
    }

    fn to_value(&self) -> Value {
        match self {
            Self::Field(name) => Value::String(name.clone()),
            Self::Index(index) => Value::from(*index),
        }
    }
}

/// A problem with the input; the mutation stored nothing.
#[derive(SimpleObject, Clone, Debug)]
pub struct UserError {
    /// The path of the offending input field, starting at the argument: `["input", "name"]`.
    pub field: Vec<PathSegment>,
    /// A stable code clients may branch on: `BAD_USER_INPUT`.
    pub code: String,
    /// What is wrong, for people.
    pub message: String,
}

impl UserError {
    /// Each service field error under `prefix` (`["input"]`), in GraphQL's spelling:
    /// camelCase field names and numeric list indices.
    pub fn from_field_errors(prefix: &[&str], errors: Vec<FieldError>) -> Vec<Self> {
        let prefix = FieldPath::from(prefix);
        errors
            .into_iter()
            .map(|error| Self {
                field: match prefix.clone().join(&error.path).camel() {
                    serde_json::Value::Array(segments) => segments
                        .into_iter()
                        .map(|segment| match segment {
                            serde_json::Value::Number(index) => {
                                PathSegment::Index(index.as_i64().unwrap_or(i64::MAX))
                            }
                            other => PathSegment::Field(other.as_str().unwrap_or("").to_owned()),
                        })
                        .collect(),
                    _ => Vec::new(),
                },
                code: crate::error::ErrorCode::BadUserInput.as_str().to_owned(),
                message: error.message,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_paths_keep_list_indices_as_numbers() {
        let errors = UserError::from_field_errors(
            &["input"],
            vec![FieldError::new(
                FieldPath::root()
                    .field("records")
                    .index(3)
                    .field("amount_min"),
                "must not be negative",
            )],
        );
        assert_eq!(
            errors[0].field,
            vec![
                PathSegment::Field("input".into()),
                PathSegment::Field("records".into()),
                PathSegment::Index(3),
                PathSegment::Field("amountMin".into()),
            ]
        );
        assert_eq!(errors[0].code, "BAD_USER_INPUT");
    }
}
