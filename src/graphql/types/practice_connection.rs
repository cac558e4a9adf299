//! Practice queries: the `practices` connection and `practice(id:|slug:)`.

use async_graphql::{ComplexObject, Context, SimpleObject};

use crate::error::AppResult;
use crate::graphql::inputs::PracticeOrder;
use crate::graphql::types::pagination::{self, PageInfo};
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

/// The arguments `first`, `after`, `last` and `before` of a connection field.
pub type PageArguments = (Option<i32>, Option<String>, Option<i32>, Option<String>);

impl PracticeConnection {
    /// One page of the practices `filter` selects that the viewer may see, in `order_by`, by
    /// keyset: `practices(filter:)` and the practice lists of a city or a theme.
    pub async fn list(
        ctx: &Context<'_>,
        filter: practice_query::PracticeFilter,
        order_by: Option<PracticeOrder>,
        (first, after, last, before): PageArguments,
        lang: Option<String>,
    ) -> AppResult<Self> {
        let request = pagination::request(first, after, last, before)?;
        let order = PracticeOrder::parse(order_by);
        let page = service::practices::page(
            crate::graphql::db(ctx),
            &*crate::graphql::reference(ctx).await?,
            crate::graphql::viewer(ctx),
            &filter,
            order,
            &request,
        )
        .await?;
        Ok(Self {
            page_info: PageInfo::of(&page),
            edges: page
                .items
                .into_iter()
                .map(|(cursor, row)| PracticeEdge {
                    cursor: cursor.encode(),
                    node: Practice::new(row, ctx, lang.as_deref()),
                })
                .collect(),
            filter,
        })
    }
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
            &*crate::graphql::reference(ctx).await?,
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
