//! The schema's own date scalars, named as front-end tooling expects (`Date`, `DateTime`)
//! rather than after Rust types. Input values arrive as text and are parsed where the argument
//! is read ([`Date::day`], [`DateTime::instant`]), so a bad value is `BAD_USER_INPUT` at the
//! argument's field path, like every other input.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::{FixedOffset, NaiveDate};

use crate::domain::FieldPath;
use crate::error::{AppError, AppResult};

/// A calendar date as sent or served: ISO 8601 `YYYY-MM-DD`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Date(String);

/// An ISO 8601 calendar date without a time zone, `YYYY-MM-DD`, such as `2026-03-01`.
#[Scalar(
    name = "Date",
    specified_by_url = "https://www.iso.org/iso-8601-date-and-time-format.html"
)]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(text) => Ok(Self(text)),
            other => Err(InputValueError::expected_type(other)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(_))
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

impl From<NaiveDate> for Date {
    fn from(day: NaiveDate) -> Self {
        Self(day.format("%Y-%m-%d").to_string())
    }
}

impl Date {
    /// The day, or `BAD_USER_INPUT` at `field` when the text is no `YYYY-MM-DD` date.
    pub fn day(&self, field: impl Into<FieldPath>) -> AppResult<NaiveDate> {
        self.to_day()
            .map_err(|message| AppError::bad_input(field, message))
    }

    /// The day, or the message saying why the text is no `YYYY-MM-DD` date (for mutation
    /// inputs, where it becomes a user error).
    pub fn to_day(&self) -> Result<NaiveDate, String> {
        let text = self.0.trim();
        let day = (text.len() == 10)
            .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
            .flatten();
        day.ok_or_else(|| {
            format!(
                "`{}` is not a calendar date (YYYY-MM-DD, such as 2026-03-01)",
                crate::domain::excerpt(text)
            )
        })
    }
}

/// A moment as sent or served: RFC 3339.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateTime(String);

/// A date and time with a UTC offset in RFC 3339 format, such as `2026-03-01T09:30:00Z` or
/// `2026-03-01T10:30:00+01:00`. kxc serves UTC times (`+00:00`).
#[Scalar(
    name = "DateTime",
    specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339"
)]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(text) => Ok(Self(text)),
            other => Err(InputValueError::expected_type(other)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::String(_))
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.clone())
    }
}

impl From<chrono::DateTime<FixedOffset>> for DateTime {
    fn from(instant: chrono::DateTime<FixedOffset>) -> Self {
        Self(instant.to_rfc3339())
    }
}

impl DateTime {
    /// The moment, or `BAD_USER_INPUT` at `field` when the text is not RFC 3339.
    pub fn instant(&self, field: impl Into<FieldPath>) -> AppResult<chrono::DateTime<FixedOffset>> {
        chrono::DateTime::parse_from_rfc3339(self.0.trim()).map_err(|_| {
            AppError::bad_input(
                field,
                format!(
                    "`{}` is not an RFC 3339 date and time (such as 2026-03-01T09:30:00Z)",
                    crate::domain::excerpt(self.0.trim())
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_calendar_date_parses_and_prints_as_iso_8601() {
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(
            Date::from(day).to_value(),
            Value::String("2026-03-01".into())
        );
        assert_eq!(Date("2026-03-01".into()).day("on").unwrap(), day);
    }

    #[test]
    fn a_bad_date_is_bad_user_input_at_its_field() {
        for bad in ["2026-13-01", "2026-3-1", "01.03.2026", "2026-02-30", ""] {
            let error = Date(bad.into()).day(["filter", "openAt"]).unwrap_err();
            assert_eq!(error.code, crate::error::ErrorCode::BadUserInput, "{bad}");
            assert_eq!(error.field, FieldPath::from(["filter", "openAt"]));
        }
    }

    #[test]
    fn date_times_are_rfc_3339() {
        let instant = DateTime("2026-03-01T10:30:00+01:00".into())
            .instant("updatedSince")
            .unwrap();
        assert_eq!(
            DateTime::from(instant).to_value(),
            Value::String("2026-03-01T10:30:00+01:00".into())
        );
        assert!(DateTime("2026-03-01".into()).instant("x").is_err());
    }
}
