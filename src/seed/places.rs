//! Seed loaders for cities (with memberships and commitments), partnerships and events.

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, Set};
use serde::Deserialize;

use super::regions;
use crate::domain::{
    CommitmentCriterion, CountryCode, Description, GeoPoint, HttpUrl, Language, MembershipRole,
    Name, PartnershipKind, PartnershipRole, PartnershipStatus, ShortText, Slug, TargetStatus,
    ThemePath, Title,
};
use crate::entity::{
    campaign, city, commitment, event, event_theme, membership, partnership, partnership_city,
    partnership_theme,
};
use crate::service::change_log::{self, Operation, RecordKind};
use crate::service::lookup;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CitySeed {
    pub slug: Slug,
    pub name: Name,
    #[serde(default)]
    pub local_names: BTreeMap<Language, Name>,
    pub country: CountryCode,
    pub subdivision: Option<SubdivisionSeed>,
    pub lat: f64,
    pub lon: f64,
    pub population: Option<i64>,
    pub population_year: Option<i32>,
    pub targets: Option<TargetsSeed>,
    #[serde(default)]
    pub memberships: Vec<MembershipSeed>,
    #[serde(default)]
    pub commitments: Vec<CommitmentSeed>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubdivisionSeed {
    pub code: String,
    pub name: Name,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetsSeed {
    pub base_year: Option<i32>,
    pub target_year: Option<i32>,
    pub reduction_pct: Option<f64>,
    pub net_zero_year: Option<i32>,
    pub status: Option<TargetStatus>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MembershipSeed {
    pub network: Slug,
    pub since: Option<i32>,
    pub role: MembershipRole,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommitmentSeed {
    pub initiative: Slug,
    pub joined_on: Option<NaiveDate>,
    #[serde(default)]
    pub criteria_met: Vec<CommitmentCriterion>,
    pub reporting_platform: Option<ShortText>,
    /// The day the city last reported through `reporting_platform`, when known.
    #[serde(default)]
    pub last_reported_on: Option<NaiveDate>,
    /// The organisation that reports on the city's behalf (a county for its municipalities).
    #[serde(default)]
    pub reporting_organisation: Option<Slug>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnershipSeed {
    pub slug: Slug,
    pub name: Name,
    pub cities: Vec<Slug>,
    pub kind: PartnershipKind,
    pub status: PartnershipStatus,
    #[serde(default)]
    pub themes: Vec<ThemePath>,
    pub started_on: Option<NaiveDate>,
    #[serde(default)]
    pub ended_on: Option<NaiveDate>,
    pub description: Description,
    /// Roles of participants other than `member`, by city slug (`{"tokyo": "mentor"}`).
    #[serde(default)]
    pub roles: BTreeMap<Slug, PartnershipRole>,
    #[serde(default)]
    pub outcomes: Option<Description>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSeed {
    pub slug: Slug,
    pub title: Title,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub city: Option<Slug>,
    #[serde(default)]
    pub online: bool,
    pub organiser: Option<Slug>,
    #[serde(default)]
    pub themes: Vec<ThemePath>,
    pub url: Option<HttpUrl>,
    pub description: Description,
    /// Local start and end times (`HH:MM`) in `time_zone`; none for an all-day event.
    #[serde(default)]
    pub start_time: Option<String>,
    #[serde(default)]
    pub end_time: Option<String>,
    /// IANA time zone; `UTC` when left out.
    #[serde(default = "utc")]
    pub time_zone: String,
    /// The campaign (campaigns.json) this event is a milestone of.
    #[serde(default)]
    pub campaign: Option<Slug>,
}

fn utc() -> String {
    "UTC".to_owned()
}

/// Fails the seed with the collected field errors, naming the record.
fn ensure_resolved(
    what: &str,
    key: &str,
    errors: Vec<crate::service::records::FieldError>,
) -> anyhow::Result<()> {
    if errors.is_empty() {
        return Ok(());
    }
    let details: Vec<String> = errors
        .iter()
        .map(|error| format!("{}: {}", error.path.snake(), error.message))
        .collect();
    anyhow::bail!("{what} {key}: {}", details.join("; "))
}

pub async fn load_cities(txn: &DatabaseTransaction, cities: &[CitySeed]) -> anyhow::Result<usize> {
    let codes: Vec<String> = cities
        .iter()
        .flat_map(|city| {
            [
                Some(city.country.to_string()),
                city.subdivision.as_ref().map(|s| s.code.clone()),
            ]
        })
        .flatten()
        .collect();
    let region_ids = regions::ids_by_code(txn, &codes).await?;
    let now = Utc::now().fixed_offset();
    for seed in cities {
        let point = GeoPoint::new(seed.lat, seed.lon)
            .map_err(|message| anyhow::anyhow!("city {}: {message}", seed.slug))?;
        let region_code = seed
            .subdivision
            .as_ref()
            .map(|subdivision| subdivision.code.clone())
            .unwrap_or_else(|| seed.country.to_string());
        let region_id = *region_ids
            .get(&region_code)
            .ok_or_else(|| anyhow::anyhow!("city {}: unknown region {region_code}", seed.slug))?;
        let targets = seed.targets.as_ref();
        let existing = city::Entity::find()
            .filter(city::Column::Slug.eq(seed.slug.as_str()))
            .one(txn)
            .await?;
        let mut model = city::ActiveModel {
            slug: Set(seed.slug.to_string()),
            name: Set(seed.name.to_string()),
            local_names: Set(serde_json::to_value(&seed.local_names)?),
            region_id: Set(region_id),
            country_code: Set(seed.country.to_string()),
            lat: Set(point.lat()),
            lon: Set(point.lon()),
            population: Set(seed.population),
            population_year: Set(seed.population_year),
            target_base_year: Set(targets.and_then(|t| t.base_year)),
            target_year: Set(targets.and_then(|t| t.target_year)),
            target_reduction_pct: Set(targets.and_then(|t| t.reduction_pct)),
            net_zero_year: Set(targets.and_then(|t| t.net_zero_year)),
            target_status: Set(targets
                .and_then(|t| t.status)
                .map(|status| status.as_str().to_owned())),
            updated_at: Set(now),
            ..Default::default()
        };
        let city_id = match existing {
            Some(row) => {
                model.id = Set(row.id);
                model.update(txn).await?.id
            }
            None => {
                model.created_at = Set(now);
                model.insert(txn).await?.id
            }
        };

        let mut errors = Vec::new();
        let networks: Vec<&str> = seed
            .memberships
            .iter()
            .map(|m| m.network.as_str())
            .collect();
        let network_ids =
            lookup::organisation_ids(txn, &networks, "memberships", &mut errors).await?;
        let initiatives: Vec<&str> = seed
            .commitments
            .iter()
            .map(|c| c.initiative.as_str())
            .collect();
        let initiative_ids =
            lookup::organisation_ids(txn, &initiatives, "commitments", &mut errors).await?;
        let mut reporters = Vec::new();
        for (index, commitment) in seed.commitments.iter().enumerate() {
            let Some(slug) = &commitment.reporting_organisation else {
                reporters.push(None);
                continue;
            };
            let field = format!("commitments[{index}].reporting_organisation");
            let found =
                lookup::organisation_ids(txn, &[slug.as_str()], &field, &mut errors).await?;
            reporters.push(found.first().copied());
        }
        ensure_resolved("city", seed.slug.as_str(), errors)?;

        membership::Entity::delete_many()
            .filter(membership::Column::CityId.eq(city_id))
            .exec(txn)
            .await?;
        for (seed, organisation_id) in seed.memberships.iter().zip(network_ids) {
            membership::ActiveModel {
                city_id: Set(city_id),
                organisation_id: Set(organisation_id),
                since_year: Set(seed.since),
                role: Set(seed.role.as_str().to_owned()),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
        commitment::Entity::delete_many()
            .filter(commitment::Column::CityId.eq(city_id))
            .exec(txn)
            .await?;
        for ((seed, organisation_id), reporter) in
            seed.commitments.iter().zip(initiative_ids).zip(reporters)
        {
            commitment::ActiveModel {
                city_id: Set(city_id),
                organisation_id: Set(organisation_id),
                joined_on: Set(seed.joined_on),
                criteria_met: Set(serde_json::json!(
                    seed.criteria_met
                        .iter()
                        .map(|criterion| criterion.as_str())
                        .collect::<Vec<_>>()
                )),
                evidence: Set(None),
                reporting_platform: Set(seed.reporting_platform.as_ref().map(ToString::to_string)),
                last_reported_on: Set(seed.last_reported_on),
                reporting_organisation_id: Set(reporter),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
        change_log::append(txn, RecordKind::City, city_id, Operation::Upsert).await?;
    }
    Ok(cities.len())
}

pub async fn load_partnerships(
    txn: &DatabaseTransaction,
    partnerships: &[PartnershipSeed],
) -> anyhow::Result<usize> {
    let now = Utc::now().fixed_offset();
    for seed in partnerships {
        let mut errors = Vec::new();
        let cities: Vec<&str> = seed.cities.iter().map(|slug| slug.as_str()).collect();
        let city_ids = lookup::city_ids(txn, &cities, "cities", &mut errors).await?;
        let themes: Vec<&str> = seed.themes.iter().map(|path| path.as_str()).collect();
        let theme_ids = lookup::theme_ids(txn, &themes, "themes", &mut errors).await?;
        for (index, city) in seed.roles.keys().enumerate() {
            if !seed.cities.contains(city) {
                errors.push(crate::service::records::FieldError::new(
                    crate::domain::FieldPath::from("roles").index(index),
                    format!("`{city}` is not one of the cities"),
                ));
            }
        }
        ensure_resolved("partnership", seed.slug.as_str(), errors)?;
        let roles: std::collections::HashMap<i32, PartnershipRole> = city_ids
            .iter()
            .zip(&seed.cities)
            .filter_map(|(id, slug)| Some((*id, *seed.roles.get(slug)?)))
            .collect();
        let existing = partnership::Entity::find()
            .filter(partnership::Column::Slug.eq(seed.slug.as_str()))
            .one(txn)
            .await?;
        let mut model = partnership::ActiveModel {
            slug: Set(seed.slug.to_string()),
            name: Set(seed.name.to_string()),
            kind: Set(seed.kind.as_str().to_owned()),
            status: Set(seed.status.as_str().to_owned()),
            description: Set(seed.description.to_string()),
            started_on: Set(seed.started_on),
            ended_on: Set(seed.ended_on),
            outcomes: Set(seed.outcomes.as_ref().map(ToString::to_string)),
            updated_at: Set(now),
            ..Default::default()
        };
        let id = match existing {
            Some(row) => {
                model.id = Set(row.id);
                model.update(txn).await?.id
            }
            None => {
                model.created_at = Set(now);
                model.version = Set(1);
                model.insert(txn).await?.id
            }
        };
        partnership_city::Entity::delete_many()
            .filter(partnership_city::Column::PartnershipId.eq(id))
            .exec(txn)
            .await?;
        partnership_theme::Entity::delete_many()
            .filter(partnership_theme::Column::PartnershipId.eq(id))
            .exec(txn)
            .await?;
        for city_id in crate::service::sorted_unique(city_ids) {
            partnership_city::ActiveModel {
                partnership_id: Set(id),
                city_id: Set(city_id),
                role: Set(roles
                    .get(&city_id)
                    .copied()
                    .unwrap_or(PartnershipRole::Member)
                    .as_str()
                    .to_owned()),
            }
            .insert(txn)
            .await?;
        }
        for theme_id in crate::service::sorted_unique(theme_ids) {
            partnership_theme::ActiveModel {
                partnership_id: Set(id),
                theme_id: Set(theme_id),
            }
            .insert(txn)
            .await?;
        }
        change_log::append(txn, RecordKind::Partnership, id, Operation::Upsert).await?;
    }
    Ok(partnerships.len())
}

pub async fn load_events(txn: &DatabaseTransaction, events: &[EventSeed]) -> anyhow::Result<usize> {
    let now = Utc::now().fixed_offset();
    for seed in events {
        let mut errors = Vec::new();
        let city: Vec<&str> = seed.city.iter().map(|slug| slug.as_str()).collect();
        let city_id = lookup::city_ids(txn, &city, "city", &mut errors)
            .await?
            .first()
            .copied();
        let organiser: Vec<&str> = seed.organiser.iter().map(|slug| slug.as_str()).collect();
        let organiser_id = lookup::organisation_ids(txn, &organiser, "organiser", &mut errors)
            .await?
            .first()
            .copied();
        let themes: Vec<&str> = seed.themes.iter().map(|path| path.as_str()).collect();
        let theme_ids = lookup::theme_ids(txn, &themes, "themes", &mut errors).await?;
        let campaign: Vec<&str> = seed.campaign.iter().map(|slug| slug.as_str()).collect();
        let campaign_id = lookup::campaign_ids(txn, &campaign, "campaign", &mut errors)
            .await?
            .first()
            .copied();
        for (field, time) in [
            ("start_time", &seed.start_time),
            ("end_time", &seed.end_time),
        ] {
            if let Some(Err(message)) = time.as_deref().map(crate::service::events::parse_time) {
                errors.push(crate::service::records::FieldError::new(field, message));
            }
        }
        if let Err(message) = crate::service::events::parse_time_zone(&seed.time_zone) {
            errors.push(crate::service::records::FieldError::new(
                "time_zone",
                message,
            ));
        }
        ensure_resolved("event", seed.slug.as_str(), errors)?;
        let existing = event::Entity::find()
            .filter(event::Column::Slug.eq(seed.slug.as_str()))
            .one(txn)
            .await?;
        let mut model = event::ActiveModel {
            slug: Set(seed.slug.to_string()),
            title: Set(seed.title.to_string()),
            description: Set(seed.description.to_string()),
            starts_on: Set(seed.starts_on),
            ends_on: Set(seed.ends_on),
            city_id: Set(city_id),
            online: Set(seed.online),
            organiser_id: Set(organiser_id),
            url: Set(seed.url.as_ref().map(ToString::to_string)),
            start_time: Set(seed.start_time.clone()),
            end_time: Set(seed.end_time.clone()),
            time_zone: Set(seed.time_zone.clone()),
            campaign_id: Set(campaign_id),
            updated_at: Set(now),
            ..Default::default()
        };
        let id = match existing {
            Some(row) => {
                model.id = Set(row.id);
                model.update(txn).await?.id
            }
            None => {
                model.created_at = Set(now);
                model.version = Set(1);
                model.insert(txn).await?.id
            }
        };
        event_theme::Entity::delete_many()
            .filter(event_theme::Column::EventId.eq(id))
            .exec(txn)
            .await?;
        for theme_id in crate::service::sorted_unique(theme_ids) {
            event_theme::ActiveModel {
                event_id: Set(id),
                theme_id: Set(theme_id),
            }
            .insert(txn)
            .await?;
        }
        change_log::append(txn, RecordKind::Event, id, Operation::Upsert).await?;
    }
    Ok(events.len())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CampaignSeed {
    pub slug: Slug,
    pub name: Name,
    pub organiser: Option<Slug>,
    pub country: Option<CountryCode>,
    pub url: Option<HttpUrl>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub description: Description,
    #[serde(default)]
    pub joining_steps: Vec<Description>,
}

pub async fn load_campaigns(
    txn: &DatabaseTransaction,
    campaigns: &[CampaignSeed],
) -> anyhow::Result<usize> {
    let now = Utc::now().fixed_offset();
    for seed in campaigns {
        let mut errors = Vec::new();
        let organiser: Vec<&str> = seed.organiser.iter().map(|slug| slug.as_str()).collect();
        let organiser_id = lookup::organisation_ids(txn, &organiser, "organiser", &mut errors)
            .await?
            .first()
            .copied();
        ensure_resolved("campaign", seed.slug.as_str(), errors)?;
        let existing = campaign::Entity::find()
            .filter(campaign::Column::Slug.eq(seed.slug.as_str()))
            .one(txn)
            .await?;
        let steps: Vec<&str> = seed.joining_steps.iter().map(Description::as_str).collect();
        let mut model = campaign::ActiveModel {
            slug: Set(seed.slug.to_string()),
            name: Set(seed.name.to_string()),
            description: Set(seed.description.to_string()),
            organiser_id: Set(organiser_id),
            country_code: Set(seed.country.as_ref().map(ToString::to_string)),
            url: Set(seed.url.as_ref().map(ToString::to_string)),
            starts_on: Set(seed.starts_on),
            ends_on: Set(seed.ends_on),
            joining_steps: Set(Some(serde_json::json!(steps))),
            updated_at: Set(now),
            ..Default::default()
        };
        let id = match existing {
            Some(row) => {
                model.id = Set(row.id);
                model.update(txn).await?.id
            }
            None => {
                model.created_at = Set(now);
                model.insert(txn).await?.id
            }
        };
        change_log::append(txn, RecordKind::Campaign, id, Operation::Upsert).await?;
    }
    Ok(campaigns.len())
}
