//! The region tree: `regions`, `region(code:)` and the `Region` type.

use async_graphql::{Context, Object};

use crate::error::AppResult;
use crate::graphql::types::region::{Region, RegionKind};
use crate::service;

#[derive(Default)]
pub struct RegionQuery;

#[Object]
impl RegionQuery {
    /// Regions of one `kind`, by name; without `kind`, the continents (the top of the tree).
    async fn regions(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The kind of region to list; null for the continents.")] kind: Option<
            RegionKind,
        >,
    ) -> AppResult<Vec<Region>> {
        let kind = kind.unwrap_or(RegionKind::Continent);
        let rows =
            service::regions::list(crate::graphql::db(ctx), Some(kind.as_str()), None).await?;
        Ok(rows.into_iter().map(Region).collect())
    }

    /// One region by code: UN M49 (`150`, `154`), ISO 3166-1 alpha-2 (`NO`) or ISO 3166-2 (`NO-03`).
    async fn region(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A UN M49, ISO 3166-1 alpha-2 or ISO 3166-2 code, such as `NO-03`.")]
        code: String,
    ) -> AppResult<Option<Region>> {
        Ok(service::regions::by_code(crate::graphql::db(ctx), &code)
            .await?
            .map(Region))
    }
}
