//! `partnerSuggestions`: the profiles [`domain::partners::suggest`] scores, read in a fixed
//! number of statements (cities, memberships, commitments, partnerships, published practices
//! with their themes), whatever the number of cities.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};

use super::ServiceError;
use super::records::FieldError;
use crate::domain::partners::{self, CityProfile, PartnershipFact, PracticeFact, Suggestion};
use crate::domain::{GeoPoint, PartnershipStatus, Viewer};
use crate::entity::{
    city, commitment, membership, partnership, partnership_city, practice, practice_city,
    practice_theme, theme,
};

/// Most suggestions one request returns, and most themes it names.
pub const MAX_FIRST: usize = 100;
pub const MAX_THEMES: usize = 20;

/// The suggestions for `city_id`, best first, at most `first`, with the number there are.
pub async fn suggest(
    db: &impl ConnectionTrait,
    city_id: i32,
    themes: &[String],
    first: usize,
) -> Result<(usize, Vec<Suggestion>), ServiceError> {
    let mut errors = Vec::new();
    let keys: Vec<&str> = themes.iter().map(String::as_str).collect();
    super::lookup::theme_ids(db, &keys, "themes", &mut errors).await?;
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let profiles = profiles(db).await?;
    let Some(city) = profiles.iter().find(|profile| profile.id == city_id) else {
        return Err(ServiceError::Invalid(vec![FieldError::new(
            "city",
            "unknown city",
        )]));
    };
    let all = partners::suggest(city, &profiles, themes);
    let total = all.len();
    Ok((
        total,
        all.into_iter()
            .take(first)
            .map(|(suggestion, _)| suggestion)
            .collect(),
    ))
}

async fn profiles(db: &impl ConnectionTrait) -> Result<Vec<CityProfile>, ServiceError> {
    let cities = city::Entity::find().all(db).await?;
    let mut networks: HashMap<i32, Vec<i32>> = HashMap::new();
    let member_rows: Vec<(i32, i32)> = membership::Entity::find()
        .select_only()
        .column(membership::Column::CityId)
        .column(membership::Column::OrganisationId)
        .into_tuple()
        .all(db)
        .await?;
    let commitment_rows: Vec<(i32, i32)> = commitment::Entity::find()
        .select_only()
        .column(commitment::Column::CityId)
        .column(commitment::Column::OrganisationId)
        .into_tuple()
        .all(db)
        .await?;
    for (city_id, organisation_id) in member_rows.into_iter().chain(commitment_rows) {
        networks.entry(city_id).or_default().push(organisation_id);
    }
    let statuses: HashMap<i32, String> = partnership::Entity::find()
        .select_only()
        .column(partnership::Column::Id)
        .column(partnership::Column::Status)
        .into_tuple::<(i32, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut partnerships: HashMap<i32, Vec<PartnershipFact>> = HashMap::new();
    for row in partnership_city::Entity::find().all(db).await? {
        let status = statuses.get(&row.partnership_id).map(String::as_str);
        partnerships
            .entry(row.city_id)
            .or_default()
            .push(PartnershipFact {
                id: row.partnership_id,
                active: status == Some(PartnershipStatus::Active.as_str()),
                completed: status == Some(PartnershipStatus::Completed.as_str()),
            });
    }
    let published: Vec<(i32, Option<f64>, i32)> = practice::Entity::find()
        .select_only()
        .column(practice::Column::Id)
        .column(practice::Column::Score)
        .column(practice::Column::EvaluationCount)
        .filter(
            practice::Column::Id.in_subquery(super::practices::visible_ids(&Viewer::anonymous())),
        )
        .into_tuple()
        .all(db)
        .await?;
    let published_ids: std::collections::HashSet<i32> =
        published.iter().map(|(id, _, _)| *id).collect();
    let paths: HashMap<i32, String> = theme::Entity::find()
        .select_only()
        .column(theme::Column::Id)
        .column(theme::Column::Path)
        .into_tuple::<(i32, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut practice_themes: HashMap<i32, Vec<String>> = HashMap::new();
    for row in practice_theme::Entity::find().all(db).await? {
        if let Some(path) = paths.get(&row.theme_id) {
            practice_themes
                .entry(row.practice_id)
                .or_default()
                .push(path.clone());
        }
    }
    let mut city_practices: HashMap<i32, Vec<i32>> = HashMap::new();
    for row in practice_city::Entity::find().all(db).await? {
        if published_ids.contains(&row.practice_id) {
            city_practices
                .entry(row.city_id)
                .or_default()
                .push(row.practice_id);
        }
    }
    let scores: HashMap<i32, (Option<f64>, i32)> = published
        .into_iter()
        .map(|(id, score, count)| (id, (score, count)))
        .collect();
    let mut profiles = Vec::with_capacity(cities.len());
    for row in cities {
        let Ok(point) = GeoPoint::new(row.lat, row.lon) else {
            continue;
        };
        let mut ids = city_practices.remove(&row.id).unwrap_or_default();
        ids.sort_unstable();
        let themes_of = |id: &i32| practice_themes.get(id).cloned().unwrap_or_default();
        profiles.push(CityProfile {
            id: row.id,
            name: row.name,
            country: row.country_code,
            region_id: row.region_id,
            point,
            population: row.population,
            net_zero_year: row.net_zero_year,
            target_year: row.target_year,
            reduction_pct: row.target_reduction_pct,
            networks: networks.remove(&row.id).unwrap_or_default(),
            partnerships: partnerships.remove(&row.id).unwrap_or_default(),
            practice_themes: ids.iter().flat_map(themes_of).collect(),
            evaluated: ids
                .iter()
                .filter_map(|id| match scores.get(id) {
                    Some((Some(score), count)) if *count > 0 => Some(PracticeFact {
                        id: *id,
                        themes: themes_of(id),
                        score: *score,
                    }),
                    _ => None,
                })
                .collect(),
        });
    }
    Ok(profiles)
}
