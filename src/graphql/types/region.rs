//! The region tree: `regions`, `region(code:)` and the `Region` type.

use async_graphql::{Context, Enum, ID, Object};

use crate::entity::region;
use crate::error::AppResult;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::types::city::CityConnection;
use crate::graphql::types::partnership::Total;

/// The levels of the region tree.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionKind {
    /// The whole world (UN M49 `001`), the root of the tree.
    World,
    /// A continent (UN M49 region), such as Europe (`150`).
    Continent,
    /// A UN M49 sub-region or intermediate region, such as Northern Europe or Sub-Saharan Africa.
    Subregion,
    /// A country or territory, coded ISO 3166-1 alpha-2.
    Country,
    /// An ISO 3166-2 subdivision, such as a Norwegian county.
    Subdivision,
}

impl RegionKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::World => "world",
            Self::Continent => "continent",
            Self::Subregion => "subregion",
            Self::Country => "country",
            Self::Subdivision => "subdivision",
        }
    }

    fn parse(value: &str) -> Self {
        [
            Self::World,
            Self::Continent,
            Self::Subregion,
            Self::Country,
            Self::Subdivision,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == value)
        .unwrap_or(Self::Subdivision)
    }
}

/// A node of the region tree: world > continent > subregion > country > subdivision.
#[derive(Clone)]
pub struct Region(pub region::Model);

/// A node of the region tree: world > continent > subregion > country > subdivision.
#[Object]
impl Region {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::new(RecordKind::Region, self.0.id).encode()
    }

    /// UN M49 code for world, continents and subregions; ISO 3166-1 alpha-2 for countries;
    /// ISO 3166-2 for subdivisions.
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// The region's level in the tree.
    async fn kind(&self) -> RegionKind {
        RegionKind::parse(&self.0.kind)
    }

    /// The region's English name, e.g. "Northern Europe" or "Oslo".
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// UN M49 numeric code (countries too), when it has one.
    async fn m49_code(&self) -> Option<&str> {
        self.0.m49_code.as_deref()
    }

    /// ISO 3166-1 alpha-3 code of a country.
    async fn alpha3(&self) -> Option<&str> {
        self.0.alpha3.as_deref()
    }

    /// Latitude of the region's representative point in WGS84 degrees (-90..90); null when
    /// not recorded.
    async fn latitude(&self) -> Option<f64> {
        self.0.lat
    }

    /// Longitude of the region's representative point in WGS84 degrees (-180..180); null
    /// when not recorded.
    async fn longitude(&self) -> Option<f64> {
        self.0.lon
    }

    /// The region one level up; null for the world.
    async fn parent(&self, ctx: &Context<'_>) -> AppResult<Option<Region>> {
        let Some(parent_id) = self.0.parent_id else {
            return Ok(None);
        };
        Ok(crate::graphql::loaders(ctx)
            .regions
            .load_one(parent_id)
            .await?
            .map(Region))
    }

    /// From the world down to the parent.
    async fn ancestors(&self, ctx: &Context<'_>) -> AppResult<Vec<Region>> {
        let codes: Vec<String> = self
            .0
            .path
            .split('/')
            .filter(|code| !code.is_empty() && *code != self.0.code)
            .map(str::to_owned)
            .collect();
        let found = crate::graphql::loaders(ctx)
            .regions_by_code
            .load_many(codes.iter().cloned())
            .await?;
        Ok(codes
            .iter()
            .filter_map(|code| found.get(code).cloned())
            .map(Region)
            .collect())
    }

    /// The regions one level down, by name; empty for subdivisions.
    async fn children(&self, ctx: &Context<'_>) -> AppResult<Vec<Region>> {
        let rows = crate::graphql::loaders(ctx)
            .region_children
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Region).collect())
    }

    /// Cities anywhere in this region, by name. `first` or `last` (1..100) is required.
    #[graphql(
        complexity = "crate::graphql::exec::limits::connection_complexity(first, last, child_complexity)"
    )]
    async fn cities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page forwards: at most this many cities (1..100) after `after`.")]
        first: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.endCursor`) to start after.")]
        after: Option<String>,
        #[graphql(desc = "Page backwards: at most this many cities (1..100) before `before`.")]
        last: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.startCursor`) to end before.")]
        before: Option<String>,
    ) -> AppResult<CityConnection> {
        let request = crate::graphql::types::pagination::request(first, after, last, before)?;
        // Every city of every region asked for in one batch: cities are a bounded set.
        let rows = crate::graphql::loaders(ctx)
            .cities_within
            .load_one(self.0.path.clone())
            .await?
            .unwrap_or_default();
        let total = rows.len() as u64;
        let page = crate::service::paging::page_in_memory(rows, &request, |row| {
            (row.name.clone(), row.id)
        });
        Ok(CityConnection::new(page, Total::Known(total)))
    }

    /// Number of cities anywhere in this region.
    async fn city_count(&self, ctx: &Context<'_>) -> AppResult<i64> {
        Ok(crate::graphql::loaders(ctx)
            .region_city_counts
            .load_one(self.0.path.clone())
            .await?
            .unwrap_or(0))
    }

    /// Number of published practices of cities anywhere in this region.
    async fn practice_count(&self, ctx: &Context<'_>) -> AppResult<i64> {
        Ok(crate::graphql::loaders(ctx)
            .region_practice_counts
            .load_one(self.0.path.clone())
            .await?
            .unwrap_or(0))
    }
}
