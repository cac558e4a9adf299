//! `campaigns` and `campaign(id:|slug:)`.

use async_graphql::{Context, ID, Object};

use crate::error::{AppError, AppResult};
use crate::graphql::exec::limits;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::types::campaign::{Campaign, CampaignConnection};
use crate::graphql::types::pagination;
use crate::service;

#[derive(Default)]
pub struct CampaignQuery;

#[Object]
impl CampaignQuery {
    /// Communication campaigns by name. `first` or `last` (1..100) is required.
    #[graphql(complexity = "limits::connection_complexity(first, last, child_complexity)")]
    async fn campaigns(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page forwards: at most this many campaigns (1..100) after `after`.")]
        first: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.endCursor`) to start after.")]
        after: Option<String>,
        #[graphql(desc = "Page backwards: at most this many campaigns (1..100) before `before`.")]
        last: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.startCursor`) to end before.")]
        before: Option<String>,
    ) -> AppResult<CampaignConnection> {
        let request = pagination::request(first, after, last, before)?;
        let page = service::campaigns::page(crate::graphql::db(ctx), &request).await?;
        Ok(CampaignConnection::new(page))
    }

    /// One campaign by global `id` or by `slug` (give exactly one), or null.
    async fn campaign(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The campaign's global ID, as `Campaign.id` gives it.")] id: Option<ID>,
        #[graphql(desc = "The campaign's slug, such as `race-to-zero-norway-2021`.")] slug: Option<
            String,
        >,
    ) -> AppResult<Option<Campaign>> {
        let db = crate::graphql::db(ctx);
        let row = match (id, slug) {
            (Some(id), None) => match GlobalId::decode(&id) {
                Some(GlobalId {
                    kind: RecordKind::Campaign,
                    id,
                }) => service::campaigns::by_id(db, id).await?,
                _ => None,
            },
            (None, Some(slug)) => service::campaigns::by_slug(db, &slug).await?,
            _ => {
                return Err(AppError::bad_input(
                    ["id"],
                    "give exactly one of `id` or `slug`",
                ));
            }
        };
        Ok(row.map(Campaign))
    }
}
