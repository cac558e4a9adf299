//! The checks `createCampaign` and `updateCampaign` share: days in order, a known organiser,
//! non-empty joining steps, bounded lists.

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;

use crate::domain::{CountryCode, Description, FieldPath, HttpUrl, Name, Slug};
use crate::service::lookup;
use crate::service::records::FieldError;

/// Most joining steps one campaign may list.
pub const MAX_STEPS: usize = 20;

/// A whole campaign as `createCampaign` writes it (and `updateCampaign`, merged with the
/// stored one).
#[derive(Clone, Debug)]
pub struct NewCampaign {
    pub slug: Slug,
    pub name: Name,
    pub description: Description,
    pub organiser: Option<Slug>,
    pub country: Option<CountryCode>,
    pub url: Option<HttpUrl>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub joining_steps: Vec<Description>,
}

/// Collects every problem of `new`; `Ok(Err(errors))` when there are any, else the
/// organiser's id.
pub async fn check(
    db: &impl ConnectionTrait,
    new: &NewCampaign,
) -> Result<Result<Option<i32>, Vec<FieldError>>, sea_orm::DbErr> {
    let mut errors = Vec::new();
    if let (Some(starts), Some(ends)) = (new.starts_on, new.ends_on)
        && ends < starts
    {
        errors.push(FieldError::new(
            "endsOn",
            format!("must not be before startsOn ({starts})"),
        ));
    }
    if new.joining_steps.len() > MAX_STEPS {
        errors.push(FieldError::new(
            "joiningSteps",
            format!("must list at most {MAX_STEPS} steps"),
        ));
    }
    for (index, step) in new.joining_steps.iter().enumerate() {
        if step.as_str().trim().is_empty() {
            errors.push(FieldError::new(
                FieldPath::from("joiningSteps").index(index),
                "must not be empty",
            ));
        }
    }
    let organiser = match &new.organiser {
        Some(slug) => {
            let before = errors.len();
            let ids =
                lookup::organisation_ids(db, &[slug.as_str()], "organiser", &mut errors).await?;
            lookup::as_single_field(&mut errors, before, "organiser");
            ids.first().copied()
        }
        None => None,
    };
    if errors.is_empty() {
        Ok(Ok(organiser))
    } else {
        Ok(Err(errors))
    }
}
