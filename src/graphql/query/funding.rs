//! Funding and advising opportunities: `fundingOpportunities(filter:)`, `fundingOpportunity(id:)`.

use async_graphql::{Context, ID, Object};

use crate::error::AppResult;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::inputs::FundingFilter;
use crate::graphql::types::funding::{FundingConnection, FundingEdge, FundingOpportunity};
use crate::graphql::types::pagination::{self, PageInfo};
use crate::service;

#[derive(Default)]
pub struct FundingQuery;

#[Object]
impl FundingQuery {
    /// Live funding opportunities, most recently updated first. `first` or `last` (1..100) is required.
    async fn funding_opportunities(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which opportunities to list; null lists every live opportunity.")]
        filter: Option<FundingFilter>,
        #[graphql(desc = "Page forwards: at most this many opportunities (1..100) after `after`.")]
        first: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.endCursor`) to start after.")]
        after: Option<String>,
        #[graphql(
            desc = "Page backwards: at most this many opportunities (1..100) before `before`."
        )]
        last: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.startCursor`) to end before.")]
        before: Option<String>,
    ) -> AppResult<FundingConnection> {
        let request = pagination::request(first, after, last, before)?;
        let filter = filter.unwrap_or_default().parse()?;
        let page = service::funding::page(
            crate::graphql::db(ctx),
            &*crate::graphql::reference(ctx).await?,
            &filter,
            &request,
        )
        .await?;
        Ok(FundingConnection {
            page_info: PageInfo::of(&page),
            edges: page
                .items
                .into_iter()
                .map(|(cursor, row)| FundingEdge {
                    cursor: cursor.encode(),
                    node: FundingOpportunity(row),
                })
                .collect(),
            filter,
        })
    }

    /// One live funding opportunity by global ID, or null.
    async fn funding_opportunity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The opportunity's global ID, as `FundingOpportunity.id` gives it.")]
        id: ID,
    ) -> AppResult<Option<FundingOpportunity>> {
        let Some(GlobalId {
            kind: RecordKind::FundingOpportunity,
            id,
        }) = GlobalId::decode(&id)
        else {
            return Ok(None);
        };
        Ok(service::funding::by_id(crate::graphql::db(ctx), id)
            .await?
            .map(FundingOpportunity))
    }
}
