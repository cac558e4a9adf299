//! The Relay `Node` interface, `node(id:)` and `nodes(ids:)`.

use async_graphql::{Context, ID, Object};

use crate::error::AppResult;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::types::campaign::Campaign;
use crate::graphql::types::city::City;
use crate::graphql::types::community::{Post, Thread};
use crate::graphql::types::concept::Concept;
use crate::graphql::types::event::Event;
use crate::graphql::types::funding::FundingOpportunity;
use crate::graphql::types::node::Node;
use crate::graphql::types::organisation::Organisation;
use crate::graphql::types::partnership::Partnership;
use crate::graphql::types::practice::Practice;
use crate::graphql::types::region::Region;
use crate::graphql::types::theme::Theme;
use crate::service;

#[derive(Default)]
pub struct NodeQuery;

/// Resolves one ID; unknown, malformed, unpublished or deleted objects are `None`.
pub(crate) async fn load(ctx: &Context<'_>, id: &ID) -> AppResult<Option<Node>> {
    let Some(global) = GlobalId::decode(id) else {
        return Ok(None);
    };
    let db = crate::graphql::db(ctx);
    Ok(match global.kind {
        RecordKind::Practice => {
            service::practices::by_id(db, crate::graphql::viewer(ctx), global.id)
                .await?
                .map(|row| Node::Practice(Practice::new(row, ctx, None)))
        }
        RecordKind::City => service::cities::by_id(db, global.id)
            .await?
            .map(|row| Node::City(City(row))),
        RecordKind::Theme => {
            let all = crate::graphql::loaders(ctx).all_themes().await?;
            all.iter()
                .find(|theme| theme.row.id == global.id)
                .cloned()
                .map(|theme| Node::Theme(Theme(theme)))
        }
        RecordKind::Region => service::regions::by_id(db, global.id)
            .await?
            .map(|row| Node::Region(Region(row))),
        RecordKind::Organisation => service::organisations::by_id(db, global.id)
            .await?
            .map(|row| Node::Organisation(Organisation(row))),
        RecordKind::FundingOpportunity => service::funding::by_id(db, global.id)
            .await?
            .map(|row| Node::FundingOpportunity(FundingOpportunity(row))),
        RecordKind::Thread => {
            service::community::reads::thread(db, crate::graphql::viewer(ctx), global.id)
                .await?
                .map(|row| Node::Thread(Thread(row)))
        }
        RecordKind::Post => {
            service::community::reads::post(db, crate::graphql::viewer(ctx), global.id)
                .await?
                .map(|row| Node::Post(Post(row)))
        }
        RecordKind::Partnership => service::partnerships::by_id(db, global.id)
            .await?
            .map(|row| Node::Partnership(Partnership(row))),
        RecordKind::Event => service::events::by_id(db, global.id)
            .await?
            .map(|row| Node::Event(Event(row))),
        RecordKind::Concept => service::concepts::by_ids(db, &[global.id])
            .await?
            .into_iter()
            .next()
            .map(|concept| Node::Concept(Concept(concept))),
        RecordKind::Campaign => service::campaigns::by_id(db, global.id)
            .await?
            .map(|row| Node::Campaign(Campaign(row))),
        // Kinds without a `Node` type yet.
        _ => None,
    })
}

#[Object]
impl NodeQuery {
    /// Any object by its global ID; null when it does not exist or is not visible.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global ID, as any `id` field gives it.")] id: ID,
    ) -> AppResult<Option<Node>> {
        load(ctx, &id).await
    }

    /// Objects by global ID, in the order asked (null where not found). At most 100 IDs.
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global IDs, at most 100; answers follow their order.")] ids: Vec<ID>,
    ) -> AppResult<Vec<Option<Node>>> {
        let ids = crate::graphql::inputs::bounded_list(Some(ids), ["ids"])?;
        let mut nodes = Vec::with_capacity(ids.len());
        for id in &ids {
            nodes.push(load(ctx, id).await?);
        }
        Ok(nodes)
    }
}
