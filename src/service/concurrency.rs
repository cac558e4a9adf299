//! Optimistic concurrency for records that are edited (`expectedVersion` in mutation inputs).
//! A writer reads the record, calls [`check_version`] inside its transaction, and bumps the
//! version with its change; a stale caller gets `CONFLICT` with the current version in
//! `extensions.currentVersion`, re-reads, and tries again.

use super::ServiceError;

/// `Ok` when the caller expected the version the record has now, or expected none.
pub fn check_version(what: &str, expected: Option<i64>, current: i64) -> Result<(), ServiceError> {
    match expected {
        Some(expected) if expected != current => Err(ServiceError::Conflict {
            message: format!(
                "the {what} changed since version {expected}; read it again and retry"
            ),
            current_version: current,
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stale_version_is_a_conflict_that_names_the_current_one() {
        assert!(check_version("funding opportunity", Some(3), 3).is_ok());
        assert!(check_version("funding opportunity", None, 3).is_ok());
        let error = check_version("funding opportunity", Some(2), 3).unwrap_err();
        let graphql: async_graphql::Error = crate::error::AppError::from(error).into();
        let extensions = graphql.extensions.expect("extensions");
        assert_eq!(
            extensions.get("code"),
            Some(&async_graphql::Value::from("CONFLICT"))
        );
        assert_eq!(
            extensions.get("currentVersion"),
            Some(&async_graphql::Value::from(3))
        );
    }
}
