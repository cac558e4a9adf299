//! The Relay `Node` interface and `node(id:)`.

use async_graphql::{Context, ID, Interface, Object};

use super::cities::City;
use super::funding::FundingOpportunity;
use super::ids::{GlobalId, NodeType};
use super::practices::Practice;
use super::themes::Theme;
use crate::error::AppResult;
use crate::service;

/// An object with a global ID.
// Values live for one response only; boxing variants would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID"))]
pub enum Node {
    Practice(Practice),
    City(City),
    Theme(Theme),
    FundingOpportunity(FundingOpportunity),
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Any object by its global ID; null when it does not exist or is not visible.
    async fn node(&self, ctx: &Context<'_>, id: ID) -> AppResult<Option<Node>> {
        let Some(global) = GlobalId::decode(&id) else {
            return Ok(None);
        };
        let db = super::db(ctx);
        Ok(match global.kind {
            NodeType::Practice => service::practices::by_id(db, global.id)
                .await?
                .map(|row| Node::Practice(Practice(row))),
            NodeType::City => service::cities::by_id(db, global.id)
                .await?
                .map(|row| Node::City(City(row))),
            NodeType::Theme => service::themes::by_ids(db, &[global.id])
                .await?
                .into_iter()
                .next()
                .map(|theme| Node::Theme(Theme(theme))),
            NodeType::FundingOpportunity => service::funding::by_id(db, global.id)
                .await?
                .map(|row| Node::FundingOpportunity(FundingOpportunity(row))),
        })
    }
}
