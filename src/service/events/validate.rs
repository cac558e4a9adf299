//! The checks `createEvent` and `updateEvent` share: days and times in order, a real IANA
//! time zone, online (with its address) or in a city, known city, organiser, campaign and themes.

use chrono::{NaiveDate, NaiveTime};
use sea_orm::ConnectionTrait;

use crate::domain::{Description, HttpUrl, Slug, ThemePath, Title};
use crate::service::lookup;
use crate::service::records::FieldError;

/// Most themes one event may carry.
pub const MAX_THEMES: usize = 20;

/// A local time as events store and clients send it: `HH:MM` (24-hour).
pub fn parse_time(text: &str) -> Result<NaiveTime, String> {
    (text.len() == 5)
        .then(|| NaiveTime::parse_from_str(text, "%H:%M").ok())
        .flatten()
        .ok_or_else(|| {
            format!(
                "`{}` is not a time of day (HH:MM, such as 09:30)",
                crate::domain::excerpt(text)
            )
        })
}

/// An IANA time zone name, such as `Europe/Oslo` or `UTC`.
pub fn parse_time_zone(text: &str) -> Result<chrono_tz::Tz, String> {
    text.parse::<chrono_tz::Tz>().map_err(|_| {
        format!(
            "`{}` is not an IANA time zone (such as Europe/Oslo or UTC)",
            crate::domain::excerpt(text)
        )
    })
}

/// A whole event as `createEvent` writes it (and `updateEvent`, merged with the stored one).
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub slug: Slug,
    pub title: Title,
    pub description: Description,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub start_time: Option<NaiveTime>,
    pub end_time: Option<NaiveTime>,
    pub time_zone: chrono_tz::Tz,
    pub online: bool,
    pub url: Option<HttpUrl>,
    pub city: Option<Slug>,
    pub organiser: Option<Slug>,
    pub campaign: Option<Slug>,
    pub themes: Vec<ThemePath>,
}

pub struct Resolved {
    pub city_id: Option<i32>,
    pub organiser_id: Option<i32>,
    pub campaign_id: Option<i32>,
    pub theme_ids: Vec<i32>,
}

pub async fn check(
    db: &impl ConnectionTrait,
    new: &NewEvent,
) -> Result<Result<Resolved, Vec<FieldError>>, sea_orm::DbErr> {
    let mut errors = shape_errors(new);
    let city_id = single(db, &new.city, "city", &mut errors, Kind::City).await?;
    let organiser_id = single(
        db,
        &new.organiser,
        "organiser",
        &mut errors,
        Kind::Organisation,
    )
    .await?;
    let campaign_id = single(db, &new.campaign, "campaign", &mut errors, Kind::Campaign).await?;
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
        city_id,
        organiser_id,
        campaign_id,
        theme_ids: crate::service::sorted_unique(theme_ids),
    }))
}

enum Kind {
    City,
    Organisation,
    Campaign,
}

/// The id of one optional reference; an unknown one is an error at `field`.
async fn single(
    db: &impl ConnectionTrait,
    slug: &Option<Slug>,
    field: &str,
    errors: &mut Vec<FieldError>,
    kind: Kind,
) -> Result<Option<i32>, sea_orm::DbErr> {
    let Some(slug) = slug else { return Ok(None) };
    let keys = [slug.as_str()];
    let before = errors.len();
    let ids = match kind {
        Kind::City => lookup::city_ids(db, &keys, field, errors).await?,
        Kind::Organisation => lookup::organisation_ids(db, &keys, field, errors).await?,
        Kind::Campaign => lookup::campaign_ids(db, &keys, field, errors).await?,
    };
    lookup::as_single_field(errors, before, field);
    Ok(ids.first().copied())
}

fn shape_errors(new: &NewEvent) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if new.ends_on < new.starts_on {
        errors.push(FieldError::new(
            "endsOn",
            format!("must not be before startsOn ({})", new.starts_on),
        ));
    }
    match (new.start_time, new.end_time) {
        (Some(_), None) => errors.push(FieldError::new(
            "endTime",
            "give both startTime and endTime, or neither for an all-day event",
        )),
        (None, Some(_)) => errors.push(FieldError::new(
            "startTime",
            "give both startTime and endTime, or neither for an all-day event",
        )),
        (Some(start), Some(end)) if new.ends_on == new.starts_on && end <= start => {
            errors.push(FieldError::new(
                "endTime",
                format!("must be after startTime ({})", start.format("%H:%M")),
            ));
        }
        _ => {}
    }
    if !new.online && new.city.is_none() {
        errors.push(FieldError::new(
            "city",
            "an event takes place in a city, online, or both",
        ));
    }
    if new.online && new.url.is_none() {
        errors.push(FieldError::new(
            "url",
            "an online event needs the address to join or register",
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

    fn new() -> NewEvent {
        NewEvent {
            slug: Slug::parse("x").unwrap(),
            title: Title::parse("X").unwrap(),
            description: Description::default(),
            starts_on: NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
            ends_on: NaiveDate::from_ymd_opt(2026, 5, 1).unwrap(),
            start_time: NaiveTime::from_hms_opt(9, 0, 0),
            end_time: NaiveTime::from_hms_opt(10, 0, 0),
            time_zone: chrono_tz::Tz::UTC,
            online: false,
            url: None,
            city: Some(Slug::parse("oslo").unwrap()),
            organiser: None,
            campaign: None,
            themes: Vec::new(),
        }
    }

    #[test]
    fn times_and_zones_parse_strictly() {
        assert!(parse_time("09:30").is_ok());
        assert!(parse_time("9:30").is_err());
        assert!(parse_time("24:00").is_err());
        assert!(parse_time_zone("Europe/Oslo").is_ok());
        assert!(parse_time_zone("Mars/Olympus").is_err());
    }

    #[test]
    fn an_event_ends_after_it_starts_and_is_somewhere() {
        assert!(shape_errors(&new()).is_empty());
        let mut backwards = new();
        backwards.end_time = NaiveTime::from_hms_opt(8, 0, 0);
        assert_eq!(shape_errors(&backwards)[0].path.snake(), "end_time");
        let mut nowhere = new();
        nowhere.city = None;
        assert_eq!(shape_errors(&nowhere)[0].path.snake(), "city");
        let mut online = new();
        online.online = true;
        assert_eq!(shape_errors(&online)[0].path.snake(), "url");
    }
}
