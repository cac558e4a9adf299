//! The Relay `Node` interface, `node(id:)` and `nodes(ids:)`.

use async_graphql::{Context, ID, Interface, Object};

use super::cities::City;
use super::funding::FundingOpportunity;
use super::ids::{GlobalId, NodeType};
use super::organisations::Organisation;
use super::practice::Practice;
use super::regions::Region;
use super::themes::Theme;
use crate::error::{AppError, AppResult};
use crate::service;

/// An object with a global ID.
// Values live for one response only; boxing variants would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "Opaque global ID."))]
pub enum Node {
    Practice(Practice),
    City(City),
    Theme(Theme),
    Region(Region),
    Organisation(Organisation),
    FundingOpportunity(FundingOpportunity),
}

#[derive(Default)]
pub struct NodeQuery;

/// Resolves one ID; unknown, malformed, unpublished or deleted objects are `None`.
async fn load(ctx: &Context<'_>, id: &ID) -> AppResult<Option<Node>> {
    let Some(global) = GlobalId::decode(id) else {
        return Ok(None);
    };
    let db = super::db(ctx);
    Ok(match global.kind {
        NodeType::Practice => service::practices::by_id(db, global.id)
            .await?
            .map(|row| Node::Practice(Practice::new(row, ctx, None))),
        NodeType::City => service::cities::by_id(db, global.id)
            .await?
            .map(|row| Node::City(City(row))),
        NodeType::Theme => {
            let all = super::loaders(ctx).all_themes(db).await?;
            all.iter()
                .find(|theme| theme.row.id == global.id)
                .cloned()
                .map(|theme| Node::Theme(Theme(theme)))
        }
        NodeType::Region => service::regions::by_id(db, global.id)
            .await?
            .map(|row| Node::Region(Region(row))),
        NodeType::Organisation => service::organisations::by_id(db, global.id)
            .await?
            .map(|row| Node::Organisation(Organisation(row))),
        NodeType::FundingOpportunity => service::funding::by_id(db, global.id)
            .await?
            .map(|row| Node::FundingOpportunity(FundingOpportunity(row))),
    })
}

#[Object]
impl NodeQuery {
    /// Any object by its global ID; null when it does not exist or is not visible.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<Node>> {
        load(ctx, &id).await
    }

    /// Objects by global ID, in the order asked (null where not found). At most 100 IDs.
    async fn nodes(&self, ctx: &Context<'_>, ids: Vec<ID>) -> AppResult<Vec<Option<Node>>> {
        if ids.len() > 100 {
            return Err(AppError::bad_input(&["ids"], "at most 100 IDs"));
        }
        let mut nodes = Vec::with_capacity(ids.len());
        for id in &ids {
            nodes.push(load(ctx, id).await?);
        }
        Ok(nodes)
    }
}
