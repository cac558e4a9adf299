//! The checks `createCommitment`, `updateCommitment` and `recordCommitmentReport` share: days
//! not in the future and in order, a reporting platform named with its report date, a known
//! reporting organisation, each criterion once.

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;

use crate::domain::{CommitmentCriterion, Description, FieldPath, ShortText, Slug};
use crate::service::lookup;
use crate::service::records::FieldError;

/// A whole commitment as written (for an update, merged with the stored one).
#[derive(Clone, Debug, Default)]
pub struct NewCommitment {
    pub joined_on: Option<NaiveDate>,
    pub criteria_met: Vec<CommitmentCriterion>,
    /// Where the commitment is documented (a URL or a reference).
    pub evidence: Option<Description>,
    pub reporting_platform: Option<ShortText>,
    pub last_reported_on: Option<NaiveDate>,
    /// The organisation that reports on the city's behalf.
    pub reporting_organisation: Option<Slug>,
}

/// Collects every problem of `new`, judged on `today`; `Ok(Err(errors))` when there are any,
/// else the reporting organisation's id.
pub async fn check(
    db: &impl ConnectionTrait,
    new: &NewCommitment,
    today: NaiveDate,
) -> Result<Result<Option<i32>, Vec<FieldError>>, sea_orm::DbErr> {
    let mut errors = shape_errors(new, today);
    let reporter = match &new.reporting_organisation {
        Some(slug) => {
            let before = errors.len();
            let field = "reportingOrganisation";
            let ids = lookup::organisation_ids(db, &[slug.as_str()], field, &mut errors).await?;
            lookup::as_single_field(&mut errors, before, field);
            ids.first().copied()
        }
        None => None,
    };
    if errors.is_empty() {
        Ok(Ok(reporter))
    } else {
        Ok(Err(errors))
    }
}

fn shape_errors(new: &NewCommitment, today: NaiveDate) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (field, day) in [
        ("joinedOn", new.joined_on),
        ("lastReportedOn", new.last_reported_on),
    ] {
        if let Some(day) = day
            && day > today
        {
            errors.push(FieldError::new(
                field,
                format!("must not be in the future (today is {today})"),
            ));
        }
    }
    if let (Some(joined), Some(reported)) = (new.joined_on, new.last_reported_on)
        && reported < joined
    {
        errors.push(FieldError::new(
            "lastReportedOn",
            format!("must not be before joinedOn ({joined})"),
        ));
    }
    if new.last_reported_on.is_some() && new.reporting_platform.is_none() {
        errors.push(FieldError::new(
            "reportingPlatform",
            "name the platform the city reported through",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (index, criterion) in new.criteria_met.iter().enumerate() {
        if !seen.insert(*criterion) {
            errors.push(FieldError::new(
                FieldPath::from("criteriaMet").index(index),
                format!("`{}` is listed twice", criterion.as_str()),
            ));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn reports_need_a_platform_and_days_are_in_order_and_past() {
        let today = day("2026-12-01");
        let fine = NewCommitment {
            joined_on: Some(day("2021-06-01")),
            reporting_platform: Some(ShortText::parse("CDP-ICLEI Track").unwrap()),
            last_reported_on: Some(day("2026-06-30")),
            ..NewCommitment::default()
        };
        assert!(shape_errors(&fine, today).is_empty());
        let mut early = fine.clone();
        early.last_reported_on = Some(day("2020-01-01"));
        let mut future = fine.clone();
        future.joined_on = Some(day("2027-01-01"));
        let mut nowhere = fine.clone();
        nowhere.reporting_platform = None;
        let paths = |new: &NewCommitment| -> Vec<String> {
            shape_errors(new, today)
                .iter()
                .map(|error| error.path.snake())
                .collect()
        };
        assert_eq!(paths(&early), ["last_reported_on"]);
        assert_eq!(paths(&future), ["joined_on", "last_reported_on"]);
        assert_eq!(paths(&nowhere), ["reporting_platform"]);
    }
}
