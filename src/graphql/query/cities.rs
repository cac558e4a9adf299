//! Cities: `cities(filter:)`, `city(id:|slug:)` and the `City` type with its memberships,
//! commitments and practices.

use async_graphql::{Context, ID, Object};

use crate::error::{AppError, AppResult};
use crate::graphql::exec::limits;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::inputs::CityFilter;
use crate::graphql::types::city::{City, CityConnection};
use crate::graphql::types::pagination;
use crate::graphql::types::partnership::Total;
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
        #[graphql(desc = "Which cities to list; null lists every city.")] filter: Option<
            CityFilter,
        >,
        #[graphql(desc = "Page forwards: at most this many cities (1..100) after `after`.")]
        first: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.endCursor`) to start after.")]
        after: Option<String>,
        #[graphql(desc = "Page backwards: at most this many cities (1..100) before `before`.")]
        last: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.startCursor`) to end before.")]
        before: Option<String>,
    ) -> AppResult<CityConnection> {
        let request = pagination::request(first, after, last, before)?;
        let filter = filter.unwrap_or_default().parse()?;
        let page = service::cities::page(crate::graphql::db(ctx), &filter, &request).await?;
        Ok(CityConnection::new(page, Total::Filter(filter)))
    }

    /// One city by global `id` or by `slug` (give exactly one), or null.
    async fn city(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city's global ID, as `City.id` gives it.")] id: Option<ID>,
        #[graphql(desc = "The city's slug, such as `oslo`.")] slug: Option<String>,
    ) -> AppResult<Option<City>> {
        let db = crate::graphql::db(ctx);
        let row = match (id, slug) {
            (Some(id), None) => match GlobalId::decode(&id) {
                Some(GlobalId {
                    kind: RecordKind::City,
                    id,
                }) => service::cities::by_id(db, id).await?,
                _ => None,
            },
            (None, Some(slug)) => service::cities::by_slug(db, &slug).await?,
            _ => {
                return Err(AppError::bad_input(
                    ["id"],
                    "give exactly one of `id` or `slug`",
                ));
            }
        };
        Ok(row.map(City))
    }
}
