//! The checks `createCity` and `updateCity` share: a known country or subdivision (the
//! country follows from it), a point on the globe, a plausible population, distinct local
//! names, and climate targets that hold together.

use chrono::Datelike;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::domain::{FieldPath, GeoPoint, Language, Name, Slug, TargetSector, TargetStatus};
use crate::entity::region;
use crate::service::records::FieldError;

/// The earliest base year accepted (emission inventories start well after it).
pub const EARLIEST_YEAR: i32 = 1850;
/// The latest target or net-zero year accepted.
pub const LATEST_TARGET_YEAR: i32 = 2100;
/// The earliest net-zero year accepted (cities that reached it report `ACHIEVED`).
pub const EARLIEST_NET_ZERO_YEAR: i32 = 2000;
/// Most local names one city may carry.
pub const MAX_LOCAL_NAMES: usize = 20;

/// A city's climate targets as a write gives them; every part is optional.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Targets {
    pub base_year: Option<i32>,
    pub target_year: Option<i32>,
    pub reduction_pct: Option<f64>,
    pub net_zero_year: Option<i32>,
    pub status: Option<TargetStatus>,
    pub sectors: Vec<TargetSector>,
}

/// A whole city as `createCity` writes it (and `updateCity`, merged with the stored one).
#[derive(Clone, Debug)]
pub struct NewCity {
    pub slug: Slug,
    pub name: Name,
    /// `(language, name)` pairs.
    pub local_names: Vec<(Language, Name)>,
    /// The code of the most specific region the city lies in (`NO-03`, or a country `NO`).
    pub region: String,
    pub latitude: f64,
    pub longitude: f64,
    pub population: Option<i64>,
    pub population_year: Option<i32>,
    pub targets: Targets,
}

/// The resolved region of a valid city.
pub struct Resolved {
    pub region_id: i32,
    pub country_code: String,
}

pub async fn check(
    db: &impl ConnectionTrait,
    new: &NewCity,
) -> Result<Result<Resolved, Vec<FieldError>>, sea_orm::DbErr> {
    let this_year = chrono::Utc::now().year();
    let mut errors = shape_errors(new, this_year);
    errors.extend(
        target_errors(&new.targets, this_year)
            .into_iter()
            .map(|error| error.under("targets")),
    );
    let region = region::Entity::find()
        .filter(region::Column::Code.eq(new.region.as_str()))
        .one(db)
        .await?;
    let resolved = match region {
        None => {
            errors.push(FieldError::new(
                "region",
                format!(
                    "unknown region `{}` (an ISO 3166-1 country or 3166-2 subdivision code)",
                    crate::domain::excerpt(&new.region)
                ),
            ));
            None
        }
        Some(row) => match row.kind.as_str() {
            "country" => Some(Resolved {
                region_id: row.id,
                country_code: row.code,
            }),
            "subdivision" => Some(Resolved {
                region_id: row.id,
                country_code: row.code.split('-').next().unwrap_or_default().to_owned(),
            }),
            kind => {
                errors.push(FieldError::new(
                    "region",
                    format!("must be a country or a subdivision, not a {kind}"),
                ));
                None
            }
        },
    };
    match resolved {
        Some(resolved) if errors.is_empty() => Ok(Ok(resolved)),
        _ => Ok(Err(errors)),
    }
}

fn shape_errors(new: &NewCity, this_year: i32) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Err(message) = GeoPoint::new(new.latitude, 0.0) {
        errors.push(FieldError::new("latitude", message));
    }
    if let Err(message) = GeoPoint::new(0.0, new.longitude) {
        errors.push(FieldError::new("longitude", message));
    }
    if new.population.is_some_and(|population| population <= 0) {
        errors.push(FieldError::new(
            "population",
            "must be a positive number of persons",
        ));
    }
    match (new.population, new.population_year) {
        (Some(_), None) => errors.push(FieldError::new(
            "populationYear",
            "give the year the population was counted",
        )),
        (None, Some(_)) => errors.push(FieldError::new(
            "population",
            "give the population counted in populationYear",
        )),
        (_, Some(year)) if !(EARLIEST_YEAR..=this_year).contains(&year) => {
            errors.push(FieldError::new(
                "populationYear",
                format!("must be in {EARLIEST_YEAR}..{this_year}"),
            ));
        }
        _ => {}
    }
    if new.local_names.len() > MAX_LOCAL_NAMES {
        errors.push(FieldError::new(
            "localNames",
            format!("must list at most {MAX_LOCAL_NAMES} names"),
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (index, (language, _)) in new.local_names.iter().enumerate() {
        if !seen.insert(language.as_str()) {
            errors.push(FieldError::new(
                FieldPath::from("localNames").index(index).field("language"),
                format!("`{language}` is listed twice"),
            ));
        }
    }
    errors
}

/// The problems of `targets`, at paths inside the targets input (`targetYear`, ...).
pub fn target_errors(targets: &Targets, this_year: i32) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Some(base) = targets.base_year
        && !(EARLIEST_YEAR..=this_year).contains(&base)
    {
        errors.push(FieldError::new(
            "baseYear",
            format!("must be in {EARLIEST_YEAR}..{this_year} (a year already measured)"),
        ));
    }
    if let Some(year) = targets.target_year {
        if year > LATEST_TARGET_YEAR {
            errors.push(FieldError::new(
                "targetYear",
                format!("must be {LATEST_TARGET_YEAR} or earlier"),
            ));
        }
        if let Some(base) = targets.base_year
            && year < base
        {
            errors.push(FieldError::new(
                "targetYear",
                format!("must not be before baseYear ({base})"),
            ));
        }
    }
    if targets.reduction_pct.is_some() && targets.target_year.is_none() {
        errors.push(FieldError::new(
            "targetYear",
            "give the year reductionPercent is to be reached",
        ));
    }
    if let Some(pct) = targets.reduction_pct
        && !(pct.is_finite() && (0.0..=100.0).contains(&pct))
    {
        errors.push(FieldError::new(
            "reductionPercent",
            format!("must be in 0..100 (percent), not {pct}"),
        ));
    }
    if let Some(year) = targets.net_zero_year {
        if !(EARLIEST_NET_ZERO_YEAR..=LATEST_TARGET_YEAR).contains(&year) {
            errors.push(FieldError::new(
                "netZeroYear",
                format!("must be in {EARLIEST_NET_ZERO_YEAR}..{LATEST_TARGET_YEAR}"),
            ));
        } else if let Some(base) = targets.base_year
            && year < base
        {
            errors.push(FieldError::new(
                "netZeroYear",
                format!("must not be before baseYear ({base})"),
            ));
        }
    }
    let anything = targets.target_year.is_some()
        || targets.net_zero_year.is_some()
        || !targets.sectors.is_empty();
    if targets.status.is_some() && !anything {
        errors.push(FieldError::new(
            "status",
            "a status needs a target: give targetYear with reductionPercent, or netZeroYear",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    for (index, sector) in targets.sectors.iter().enumerate() {
        if !seen.insert(*sector) {
            errors.push(FieldError::new(
                FieldPath::from("sectors").index(index),
                format!("`{}` is listed twice", sector.as_str()),
            ));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(targets: &Targets) -> Vec<String> {
        target_errors(targets, 2026)
            .iter()
            .map(|error| error.path.snake())
            .collect()
    }

    fn oslo() -> Targets {
        Targets {
            base_year: Some(2009),
            target_year: Some(2030),
            reduction_pct: Some(95.0),
            net_zero_year: None,
            status: Some(TargetStatus::InPolicy),
            sectors: vec![TargetSector::Transport, TargetSector::Buildings],
        }
    }

    #[test]
    fn plausible_targets_pass_and_no_targets_pass() {
        assert!(paths(&oslo()).is_empty());
        assert!(paths(&Targets::default()).is_empty());
    }

    #[test]
    fn each_implausible_part_is_named() {
        let mut backwards = oslo();
        backwards.target_year = Some(2000);
        assert_eq!(paths(&backwards), ["target_year"]);
        let mut too_much = oslo();
        too_much.reduction_pct = Some(120.0);
        assert_eq!(paths(&too_much), ["reduction_percent"]);
        let mut future_base = oslo();
        future_base.base_year = Some(2031);
        assert_eq!(paths(&future_base), ["base_year", "target_year"]);
        let mut late = oslo();
        late.net_zero_year = Some(2150);
        assert_eq!(paths(&late), ["net_zero_year"]);
        let mut twice = oslo();
        twice.sectors.push(TargetSector::Transport);
        assert_eq!(paths(&twice), ["sectors[2]"]);
        let alone = Targets {
            reduction_pct: Some(50.0),
            ..Targets::default()
        };
        assert_eq!(paths(&alone), ["target_year"]);
    }
}
