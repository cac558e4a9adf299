//! `createCity` (admins) and `updateCity` (admins, and a city's own account), with the city's
//! climate targets as typed values.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, SimpleObject};

use super::answer;
use super::partnerships::{Errors, check_reason};
use crate::domain::{FieldPath, Language, Name, Slug, TargetSector, TargetStatus};
use crate::error::AppResult;
use crate::graphql::guard::Allowed;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::types::city::City;
use crate::graphql::types::user_error::UserError;
use crate::service::ServiceError;
use crate::service::cities::{self, NewCity, Targets, update::Changes};
use crate::service::permissions::Action;

#[derive(Default)]
pub struct CityMutation;

/// A name of the city in one language.
#[derive(InputObject)]
pub struct LocalNameInput {
    /// ISO 639-1 code, such as `nb`; each language once.
    pub language: String,
    /// The city's name in that language, such as "København".
    pub name: String,
}

/// A city's climate targets. Every part is optional; what is given must hold together.
#[derive(InputObject, Default)]
pub struct ClimateTargetsInput {
    /// The year emissions are measured against (1850 up to this year).
    pub base_year: Option<i32>,
    /// The year `reductionPercent` is to be reached; not before `baseYear`, 2100 at the latest.
    pub target_year: Option<i32>,
    /// Emission reduction by `targetYear` against `baseYear`, in percent (0..100); needs
    /// `targetYear`.
    pub reduction_percent: Option<f64>,
    /// The year the city aims to reach net-zero emissions (2000..2100, not before `baseYear`).
    pub net_zero_year: Option<i32>,
    /// How firmly the target is set; needs a target year, a net-zero year or sectors.
    pub status: Option<TargetStatus>,
    /// The sectors the targets cover, each once.
    pub sectors: Option<Vec<TargetSector>>,
}

/// A city to create.
#[derive(InputObject)]
pub struct CreateCityInput {
    /// Stable lower-case identifier (letters, digits, hyphens), unique among cities; it
    /// cannot be changed later.
    pub slug: String,
    /// The city's name in English.
    pub name: String,
    /// Names in local languages.
    pub local_names: Option<Vec<LocalNameInput>>,
    /// The code of the most specific region the city lies in: an ISO 3166-2 subdivision
    /// (`NO-03`) or, without one, the ISO 3166-1 country (`NO`). The city's country follows.
    pub region: String,
    /// Latitude of the city centre in WGS84 degrees (-90..90).
    pub latitude: f64,
    /// Longitude of the city centre in WGS84 degrees (-180..180).
    pub longitude: f64,
    /// Population in persons; give `populationYear` with it.
    pub population: Option<i64>,
    /// The year `population` was counted.
    pub population_year: Option<i32>,
    /// The city's climate targets.
    pub targets: Option<ClimateTargetsInput>,
    /// Why the city is recorded, kept in the audit log.
    pub reason: Option<String>,
}

/// Changes to a city; a field left out keeps its value.
#[derive(InputObject)]
pub struct UpdateCityInput {
    /// The city's global ID.
    pub id: ID,
    /// The version read (`City.version`); when given and the city changed since, nothing is
    /// written and the answer is `CONFLICT` with `extensions.currentVersion`.
    pub expected_version: Option<i64>,
    /// A new English name; search finds the city, and its practices, by it at once.
    pub name: Option<String>,
    /// The whole new list of local names (replaces the stored one).
    pub local_names: Option<Vec<LocalNameInput>>,
    /// A new region code (subdivision or country); the country follows.
    pub region: Option<String>,
    /// A new latitude.
    pub latitude: Option<f64>,
    /// A new longitude.
    pub longitude: Option<f64>,
    /// A new population; null clears it (and then `populationYear` must be cleared too).
    pub population: MaybeUndefined<i64>,
    /// A new population year; null clears it.
    pub population_year: MaybeUndefined<i32>,
    /// The whole new climate targets (replace the stored ones); null clears them.
    pub targets: MaybeUndefined<ClimateTargetsInput>,
    /// Why, kept in the audit log.
    pub reason: Option<String>,
}

/// What `createCity` or `updateCity` did.
#[derive(SimpleObject)]
pub struct CityPayload {
    /// The city as stored; null when `userErrors` is not empty.
    pub city: Option<City>,
    /// What is wrong with the input; when not empty, nothing was stored.
    pub user_errors: Vec<UserError>,
}

pub(super) fn city_id(id: &ID) -> Result<i32, ServiceError> {
    match GlobalId::decode(id) {
        Some(GlobalId {
            kind: RecordKind::City,
            id,
        }) => Ok(id),
        _ => Err(ServiceError::not_found("city")),
    }
}

fn local_names(errors: &mut Errors, input: Vec<LocalNameInput>) -> Vec<(Language, Name)> {
    let mut parsed = Vec::with_capacity(input.len());
    for (index, entry) in input.into_iter().enumerate() {
        let at = |field: &str| FieldPath::from("localNames").index(index).field(field);
        let language = errors.take(at("language"), Language::parse(&entry.language));
        let name = errors.take(at("name"), Name::parse(entry.name));
        if let (Some(language), Some(name)) = (language, name) {
            parsed.push((language, name));
        }
    }
    parsed
}

impl From<ClimateTargetsInput> for Targets {
    fn from(input: ClimateTargetsInput) -> Self {
        Targets {
            base_year: input.base_year,
            target_year: input.target_year,
            reduction_pct: input.reduction_percent,
            net_zero_year: input.net_zero_year,
            status: input.status,
            sectors: input.sectors.unwrap_or_default(),
        }
    }
}

impl CreateCityInput {
    fn parse(self) -> Result<NewCity, ServiceError> {
        let mut errors = Errors::default();
        let slug = errors.take("slug", Slug::parse(&self.slug));
        let name = errors.take("name", Name::parse(self.name));
        let local_names = local_names(&mut errors, self.local_names.unwrap_or_default());
        errors.finish(|| NewCity {
            slug: slug.expect("checked"),
            name: name.expect("checked"),
            local_names,
            region: self.region.trim().to_owned(),
            latitude: self.latitude,
            longitude: self.longitude,
            population: self.population,
            population_year: self.population_year,
            targets: self.targets.map(Targets::from).unwrap_or_default(),
        })
    }
}

impl UpdateCityInput {
    fn parse(self) -> Result<(i32, Option<i64>, Changes, Option<String>), ServiceError> {
        let id = city_id(&self.id)?;
        let mut errors = Errors::default();
        let name = self
            .name
            .and_then(|text| errors.take("name", Name::parse(text)));
        let local_names = self
            .local_names
            .map(|input| local_names(&mut errors, input));
        let maybe = |value: MaybeUndefined<_>| match value {
            MaybeUndefined::Undefined => None,
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Value(value) => Some(Some(value)),
        };
        let changes = Changes {
            name,
            local_names,
            region: self.region.map(|code| code.trim().to_owned()),
            latitude: self.latitude,
            longitude: self.longitude,
            population: maybe(self.population),
            population_year: match self.population_year {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(year) => Some(Some(year)),
            },
            targets: match self.targets {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(Targets::default()),
                MaybeUndefined::Value(targets) => Some(targets.into()),
            },
        };
        errors.finish(|| (id, self.expected_version, changes, self.reason))
    }
}

fn payload(outcome: Result<crate::entity::city::Model, ServiceError>) -> AppResult<CityPayload> {
    Ok(match answer(outcome)? {
        Ok(row) => CityPayload {
            city: Some(City(row)),
            user_errors: Vec::new(),
        },
        Err(user_errors) => CityPayload {
            city: None,
            user_errors,
        },
    })
}

#[Object]
impl CityMutation {
    /// Records a city (admins).
    #[graphql(guard = "Allowed(Action::ManageLandscape)")]
    async fn create_city(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city, its place, population and climate targets.")]
        input: CreateCityInput,
    ) -> AppResult<CityPayload> {
        let reason = input.reason.clone();
        let outcome = match check_reason(&reason).and_then(|()| input.parse()) {
            Ok(new) => {
                cities::create::run(
                    crate::graphql::db(ctx),
                    crate::graphql::viewer(ctx),
                    new,
                    reason,
                )
                .await
            }
            Err(error) => Err(error),
        };
        payload(outcome)
    }

    /// Changes a city's profile and climate targets: admins any city, other accounts only the
    /// city they belong to (anyone else is `FORBIDDEN`). Fields left out keep their values.
    #[graphql(guard = "Allowed(Action::EditCity)")]
    async fn update_city(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city and the fields to change.")] input: UpdateCityInput,
    ) -> AppResult<CityPayload> {
        let outcome = match check_reason(&input.reason).and_then(|()| input.parse()) {
            Ok((id, expected, changes, reason)) => {
                cities::update::run(
                    crate::graphql::db(ctx),
                    crate::graphql::viewer(ctx),
                    id,
                    expected,
                    changes,
                    reason,
                )
                .await
            }
            Err(error) => Err(error),
        };
        payload(outcome)
    }
}
