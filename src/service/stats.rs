//! `stats(groupBy:, filter:, fundingFilter:)`: counts, total annual tCO2e and funding volume
//! per currency over exactly the records `practices(filter:)` and
//! `fundingOpportunities(filter:)` list, grouped by up to [`MAX_GROUP_BY`] dimensions.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sea_orm::{ConnectionTrait, EntityTrait, QueryFilter};

use super::ServiceError;
use super::funding::FundingFilter;
use super::practice_query::PracticeFilter;
use crate::domain::Viewer;
use crate::entity::{funding_opportunity, theme};

/// Most dimensions one `stats` request groups by.
pub const MAX_GROUP_BY: usize = 3;

/// What `stats` groups by. A record without a value for a dimension (a practice has no
/// instrument, a funding opportunity no network or evaluation label) is in none of its groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, async_graphql::Enum)]
pub enum StatsDimension {
    /// Top-level theme (`mobility`, `energy`, ...), of practices and funding.
    Theme,
    /// Practices: the region code of each of their cities (a subdivision, or the country);
    /// funding: each eligible region's code.
    Region,
    /// Practices: their cities' countries; funding: the provider's country.
    Country,
    /// Practices: the networks their cities belong to (slugs).
    Network,
    /// Practices: the year published; funding: the year it opens.
    Year,
    /// Funding: the instrument (`GRANT`, `LOAN`, ...).
    Instrument,
    /// Practices: their evaluation label (`EXEMPLARY`, `PROVEN`, ...).
    EvaluationLabel,
}

/// One group: its key and its totals.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Group {
    pub key: Vec<(StatsDimension, String)>,
    pub practice_count: u64,
    pub annual_tco2e: f64,
    pub funding_count: u64,
    /// Sum of each opportunity's largest amount (`amountMax`, else `amountMin`) per currency.
    pub funding_volume: BTreeMap<String, f64>,
}

fn root(path: &str) -> String {
    path.split('/').next().unwrap_or(path).to_owned()
}

/// Every combination of one value per dimension (none when a dimension has no value).
fn keys(values: &[BTreeSet<String>]) -> Vec<Vec<String>> {
    let mut keys = vec![Vec::new()];
    for set in values {
        keys = keys
            .into_iter()
            .flat_map(|key: Vec<String>| {
                set.iter().map(move |value| {
                    let mut next = key.clone();
                    next.push(value.clone());
                    next
                })
            })
            .collect();
    }
    keys
}

pub async fn stats(
    db: &impl ConnectionTrait,
    reference: &super::reference::Reference,
    viewer: &Viewer,
    group_by: &[StatsDimension],
    practice_filter: &PracticeFilter,
    funding_filter: &FundingFilter,
) -> Result<Vec<Group>, ServiceError> {
    let mut groups: BTreeMap<Vec<String>, Group> = BTreeMap::new();
    let practices = super::practices::filtered(db, reference, viewer, practice_filter)
        .await?
        .all(db)
        .await?;
    let funding = super::funding::live()
        .filter(funding_filter.condition(db, reference).await?)
        .all(db)
        .await?;

    // Practices.
    let ids: Vec<i32> = practices.iter().map(|row| row.id).collect();
    let themes = super::batch::practice_themes(db, reference, &ids).await?;
    let cities = super::batch::practice_cities(db, &ids).await?;
    let city_ids: Vec<i32> = cities
        .values()
        .flatten()
        .map(|city| city.id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let memberships = super::batch::city_memberships(db, &city_ids).await?;
    let organisation_ids: Vec<i32> = memberships
        .values()
        .flatten()
        .map(|row| row.organisation_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let organisations = super::batch::organisations(db, &organisation_ids).await?;
    let region_ids: Vec<i32> = cities
        .values()
        .flatten()
        .map(|city| city.region_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut regions = super::batch::regions(db, &region_ids).await?;
    for row in &practices {
        let city_rows = cities.get(&row.id).map(Vec::as_slice).unwrap_or_default();
        let values: Vec<BTreeSet<String>> = group_by
            .iter()
            .map(|dimension| match dimension {
                StatsDimension::Theme => themes
                    .get(&row.id)
                    .into_iter()
                    .flatten()
                    .map(|theme| root(&theme.row.path))
                    .collect(),
                StatsDimension::Region => city_rows
                    .iter()
                    .filter_map(|city| regions.get(&city.region_id).map(|r| r.code.clone()))
                    .collect(),
                StatsDimension::Country => city_rows
                    .iter()
                    .map(|city| city.country_code.clone())
                    .collect(),
                StatsDimension::Network => city_rows
                    .iter()
                    .flat_map(|city| memberships.get(&city.id).into_iter().flatten())
                    .filter_map(|m| {
                        organisations
                            .get(&m.organisation_id)
                            .map(|o| o.slug.clone())
                    })
                    .collect(),
                StatsDimension::Year => row
                    .published_at
                    .map(|at| chrono::Datelike::year(&at).to_string())
                    .into_iter()
                    .collect(),
                StatsDimension::Instrument => BTreeSet::new(),
                StatsDimension::EvaluationLabel => row
                    .evaluation_label
                    .as_deref()
                    .map(|label| label.to_ascii_uppercase())
                    .into_iter()
                    .collect(),
            })
            .collect();
        for key in keys(&values) {
            let group = groups.entry(key).or_default();
            group.practice_count += 1;
            group.annual_tco2e += row.impact_tco2e.unwrap_or(0.0);
        }
    }

    // Funding.
    let funding_ids: Vec<i32> = funding.iter().map(|row| row.id).collect();
    let links = super::batch::funding_links(db, &funding_ids).await?;
    let theme_ids: BTreeSet<i32> = links.values().flat_map(|l| l.theme_ids.clone()).collect();
    let theme_paths: HashMap<i32, String> = theme::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter(|row| theme_ids.contains(&row.id))
        .map(|row| (row.id, row.path))
        .collect();
    let eligible: Vec<i32> = links
        .values()
        .flat_map(|l| l.region_ids.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter(|id| !regions.contains_key(id))
        .collect();
    regions.extend(super::batch::regions(db, &eligible).await?);
    for row in &funding {
        let link = links.get(&row.id).cloned().unwrap_or_default();
        let values: Vec<BTreeSet<String>> = group_by
            .iter()
            .map(|dimension| match dimension {
                StatsDimension::Theme => link
                    .theme_ids
                    .iter()
                    .filter_map(|id| theme_paths.get(id).map(|path| root(path)))
                    .collect(),
                StatsDimension::Region => link
                    .region_ids
                    .iter()
                    .filter_map(|id| regions.get(id).map(|r| r.code.clone()))
                    .collect(),
                StatsDimension::Country => row.provider_country.clone().into_iter().collect(),
                StatsDimension::Year => row
                    .opens_at
                    .map(|day| chrono::Datelike::year(&day).to_string())
                    .into_iter()
                    .collect(),
                StatsDimension::Instrument => std::iter::once(instrument(&row.clone())).collect(),
                StatsDimension::Network | StatsDimension::EvaluationLabel => BTreeSet::new(),
            })
            .collect();
        for key in keys(&values) {
            let group = groups.entry(key).or_default();
            group.funding_count += 1;
            if let (Some(currency), Some(amount)) =
                (row.currency.clone(), row.amount_max.or(row.amount_min))
            {
                *group.funding_volume.entry(currency).or_default() += amount;
            }
        }
    }
    Ok(groups
        .into_iter()
        .map(|(key, mut group)| {
            group.key = group_by.iter().copied().zip(key).collect();
            group.annual_tco2e = (group.annual_tco2e * 1000.0).round() / 1000.0;
            group
        })
        .collect())
}

/// The GraphQL name of a stored instrument (`technical_assistance` → `TECHNICAL_ASSISTANCE`).
fn instrument(row: &funding_opportunity::Model) -> String {
    row.instrument.to_ascii_uppercase()
}
