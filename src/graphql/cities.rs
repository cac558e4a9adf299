//! Cities: the `cities` connection and the `City` type.

use async_graphql::{ComplexObject, Context, ID, Object, SimpleObject};

use super::ids::{GlobalId, NodeType};
use super::limits;
use super::pagination::{self, PageInfo};
use crate::entity::city;
use crate::error::AppResult;
use crate::service;

#[derive(Default)]
pub struct CityQuery;

#[Object]
impl CityQuery {
    /// Cities by name. `first` or `last` (1..100) is required.
    #[graphql(complexity = "limits::connection_complexity(first, last, child_complexity)")]
    async fn cities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
    ) -> AppResult<CityConnection> {
        let request = pagination::request(first, after, last, before)?;
        let page = service::cities::page(super::db(ctx), &request).await?;
        Ok(CityConnection {
            page_info: PageInfo::of(&page),
            edges: page
                .items
                .into_iter()
                .map(|(cursor, row)| CityEdge {
                    cursor: cursor.encode(),
                    node: City(row),
                })
                .collect(),
        })
    }
}

/// A page of cities.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CityConnection {
    pub edges: Vec<CityEdge>,
    pub page_info: PageInfo,
}

#[ComplexObject]
impl CityConnection {
    async fn nodes(&self) -> Vec<City> {
        self.edges.iter().map(|edge| edge.node.clone()).collect()
    }

    /// How many cities match, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> AppResult<u64> {
        Ok(service::cities::count(super::db(ctx)).await?)
    }
}

#[derive(SimpleObject)]
pub struct CityEdge {
    pub cursor: String,
    pub node: City,
}

/// A city with its location and climate targets.
#[derive(Clone)]
pub struct City(pub city::Model);

/// A city's public climate targets.
#[derive(SimpleObject)]
pub struct ClimateTargets {
    pub base_year: Option<i32>,
    pub target_year: Option<i32>,
    /// Emission reduction by `target_year` against `base_year`, in percent.
    pub reduction_percent: Option<f64>,
    pub net_zero_year: Option<i32>,
    /// pledge, in-policy, in-law or achieved.
    pub status: Option<String>,
}

#[Object]
impl City {
    pub async fn id(&self) -> ID {
        GlobalId::new(NodeType::City, self.0.id).encode()
    }

    async fn slug(&self) -> &str {
        &self.0.slug
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// ISO 3166-1 alpha-2 code of the city's country.
    async fn country_code(&self) -> &str {
        &self.0.country_code
    }

    async fn latitude(&self) -> f64 {
        self.0.lat
    }

    async fn longitude(&self) -> f64 {
        self.0.lon
    }

    async fn population(&self) -> Option<i64> {
        self.0.population
    }

    /// The year `population` was counted.
    async fn population_year(&self) -> Option<i32> {
        self.0.population_year
    }

    async fn targets(&self) -> ClimateTargets {
        ClimateTargets {
            base_year: self.0.target_base_year,
            target_year: self.0.target_year,
            reduction_percent: self.0.target_reduction_pct,
            net_zero_year: self.0.net_zero_year,
            status: self.0.target_status.clone(),
        }
    }
}
