//! Practice queries: the `practices` connection and `practice(id:|slug:)`.

use async_graphql::{Context, ID, Object};

use crate::error::{AppError, AppResult};
use crate::graphql::exec::limits;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::inputs::{PracticeFilter, PracticeOrder};
use crate::graphql::types::practice::Practice;
use crate::graphql::types::practice_connection::PracticeConnection;
use crate::service::{self};

#[derive(Default)]
pub struct PracticeQuery;

#[Object]
impl PracticeQuery {
    /// Practices the viewer may see (published ones; an author also sees their own, a
    /// moderator every one), newest first unless `orderBy` says otherwise. `first` or `last`
    /// (1..100) is required; cursors are keyset cursors that stay valid while rows are added.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "limits::connection_complexity(first, last, child_complexity)")]
    async fn practices(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which practices to list; null lists every practice the viewer sees.")]
        filter: Option<PracticeFilter>,
        #[graphql(desc = "The order; null for newest published first (PUBLISHED_AT DESC).")]
        order_by: Option<PracticeOrder>,
        #[graphql(desc = "Page forwards: at most this many practices (1..100) after `after`.")]
        first: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.endCursor`) to start after.")]
        after: Option<String>,
        #[graphql(desc = "Page backwards: at most this many practices (1..100) before `before`.")]
        last: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.startCursor`) to end before.")]
        before: Option<String>,
        #[graphql(desc = "ISO 639-1 language to answer in, falling back to the original")]
        lang: Option<String>,
    ) -> AppResult<PracticeConnection> {
        let filter = filter.unwrap_or_default().parse()?;
        PracticeConnection::list(ctx, filter, order_by, (first, after, last, before), lang).await
    }

    /// One practice the viewer may see, by global `id` or by `slug` (give exactly one), or null.
    async fn practice(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The practice's global ID, as `Practice.id` gives it.")] id: Option<ID>,
        #[graphql(desc = "The practice's slug, such as `barcelona-superblocks`.")] slug: Option<
            String,
        >,
        #[graphql(desc = "ISO 639-1 language to answer in, falling back to the original")]
        lang: Option<String>,
    ) -> AppResult<Option<Practice>> {
        let db = crate::graphql::db(ctx);
        let viewer = crate::graphql::viewer(ctx);
        let row = match (id, slug) {
            (Some(id), None) => match GlobalId::decode(&id) {
                Some(GlobalId {
                    kind: RecordKind::Practice,
                    id,
                }) => service::practices::by_id(db, viewer, id).await?,
                _ => None,
            },
            (None, Some(slug)) => service::practices::by_slug(db, viewer, &slug).await?,
            _ => {
                return Err(AppError::bad_input(
                    ["id"],
                    "give exactly one of `id` or `slug`",
                ));
            }
        };
        Ok(row.map(|row| Practice::new(row, ctx, lang.as_deref())))
    }
}
