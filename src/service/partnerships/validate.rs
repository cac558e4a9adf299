//! The checks `createPartnership` and `updatePartnership` share: dates in order, at least two
//! distinct participants, known cities and themes, bounded lists.

use chrono::NaiveDate;
use sea_orm::ConnectionTrait;

use crate::domain::{
    Description, FieldPath, Name, PartnershipKind, PartnershipRole, PartnershipStatus, Slug,
    ThemePath,
};
use crate::service::lookup;
use crate::service::records::FieldError;

/// Most participants one partnership may list.
pub const MAX_PARTICIPANTS: usize = 200;
/// Most themes one partnership may carry.
pub const MAX_THEMES: usize = 20;

/// A city taking part, with its role.
#[derive(Clone, Debug)]
pub struct Participant {
    pub city: Slug,
    pub role: PartnershipRole,
}

/// A whole partnership as written by `createPartnership` (and, merged with the stored one, by
/// `updatePartnership`). Field errors name these fields in camelCase.
#[derive(Clone, Debug)]
pub struct NewPartnership {
    pub slug: Slug,
    pub name: Name,
    pub kind: PartnershipKind,
    pub status: PartnershipStatus,
    pub description: Description,
    pub started_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub outcomes: Option<Description>,
    pub participants: Vec<Participant>,
    pub themes: Vec<ThemePath>,
}

/// The resolved ids of a valid partnership.
pub struct Resolved {
    /// `(city_id, role)` per participant, in input order.
    pub participants: Vec<(i32, PartnershipRole)>,
    pub theme_ids: Vec<i32>,
}

/// Collects every problem of `new`; `Ok(Err(errors))` when there are any.
pub async fn check(
    db: &impl ConnectionTrait,
    new: &NewPartnership,
) -> Result<Result<Resolved, Vec<FieldError>>, sea_orm::DbErr> {
    let mut errors = shape_errors(new);
    let cities: Vec<&str> = new
        .participants
        .iter()
        .take(MAX_PARTICIPANTS)
        .map(|participant| participant.city.as_str())
        .collect();
    let before = errors.len();
    let city_ids = lookup::city_ids(db, &cities, "participants", &mut errors).await?;
    // `participants[i]` → `participants[i].city`.
    for error in &mut errors[before..] {
        error.path = error.path.clone().field("city");
    }
    let themes: Vec<&str> = new
        .themes
        .iter()
        .take(MAX_THEMES)
        .map(ThemePath::as_str)
        .collect();
    let theme_ids = lookup::theme_ids(db, &themes, "themes", &mut errors).await?;
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    Ok(Ok(Resolved {
        participants: city_ids
            .into_iter()
            .zip(new.participants.iter().map(|participant| participant.role))
            .collect(),
        theme_ids: crate::service::sorted_unique(theme_ids),
    }))
}

/// The checks that need no database.
fn shape_errors(new: &NewPartnership) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let (Some(started), Some(ended)) = (new.started_on, new.ended_on)
        && ended < started
    {
        errors.push(FieldError::new(
            "endedOn",
            format!("must not be before startedOn ({started})"),
        ));
    }
    if new.participants.len() > MAX_PARTICIPANTS {
        errors.push(FieldError::new(
            "participants",
            format!("must list at most {MAX_PARTICIPANTS} cities"),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (index, participant) in new.participants.iter().enumerate() {
        if !seen.insert(participant.city.as_str()) {
            errors.push(FieldError::new(
                FieldPath::from("participants").index(index).field("city"),
                format!("`{}` is listed twice", participant.city),
            ));
        }
    }
    if seen.len() < 2 {
        errors.push(FieldError::new(
            "participants",
            "a partnership needs at least two different cities",
        ));
    }
    if new.themes.len() > MAX_THEMES {
        errors.push(FieldError::new(
            "themes",
            format!("must list at most {MAX_THEMES} themes"),
        ));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new() -> NewPartnership {
        let participant = |city: &str, role| Participant {
            city: Slug::parse(city).unwrap(),
            role,
        };
        NewPartnership {
            slug: Slug::parse("x").unwrap(),
            name: Name::parse("X").unwrap(),
            kind: PartnershipKind::PeerLearning,
            status: PartnershipStatus::Active,
            description: Description::default(),
            started_on: NaiveDate::from_ymd_opt(2020, 1, 1),
            ended_on: NaiveDate::from_ymd_opt(2021, 1, 1),
            outcomes: None,
            participants: vec![
                participant("tokyo", PartnershipRole::Mentor),
                participant("kuala-lumpur", PartnershipRole::Learner),
            ],
            themes: Vec::new(),
        }
    }

    #[test]
    fn a_valid_partnership_has_no_shape_errors() {
        assert!(shape_errors(&new()).is_empty());
    }

    #[test]
    fn dates_must_be_in_order_and_two_distinct_cities_take_part() {
        let mut backwards = new();
        backwards.ended_on = NaiveDate::from_ymd_opt(2019, 1, 1);
        assert_eq!(shape_errors(&backwards)[0].path.snake(), "ended_on");
        let mut alone = new();
        alone.participants[1].city = Slug::parse("tokyo").unwrap();
        let paths: Vec<String> = shape_errors(&alone)
            .iter()
            .map(|error| error.path.snake())
            .collect();
        assert_eq!(paths, ["participants[1].city", "participants"]);
    }
}
