//! Practice queries: the `practices` connection and `practice(id:|slug:)`.

use async_graphql::{ComplexObject, Context, SimpleObject};

use crate::error::AppResult;
use crate::graphql::types::pagination::PageInfo;
use crate::graphql::types::practice::Practice;
use crate::service::{self, practice_query};

/// A page of practices.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct PracticeConnection {
    /// The practices on this page with their cursors, in the order asked for.
    pub edges: Vec<PracticeEdge>,
    /// Cursors and whether more pages exist either way.
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub filter: practice_query::PracticeFilter,
}

#[ComplexObject]
impl PracticeConnection {
    /// The practices on this page.
    async fn nodes(&self) -> Vec<Practice> {
        self.edges.iter().map(|edge| edge.node.clone()).collect()
    }

    /// How many practices match the filter, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> AppResult<u64> {
        Ok(service::practices::count(
            crate::graphql::db(ctx),
            crate::graphql::viewer(ctx),
            &self.filter,
        )
        .await?)
    }
}

/// A practice and its cursor.
#[derive(SimpleObject)]
pub struct PracticeEdge {
    /// Opaque cursor of this practice; pass it as `after` or `before` to page from here.
    pub cursor: String,
    /// The practice.
    pub node: Practice,
}
