//! The `FundingOpportunity` type (a minimal one: what search hits need).

use async_graphql::{ID, Object};

use super::ids::{GlobalId, NodeType};
use crate::entity::funding_opportunity;

/// A grant, loan, guarantee, advisory or other support programme that cities can apply for.
#[derive(Clone)]
pub struct FundingOpportunity(pub funding_opportunity::Model);

#[Object]
impl FundingOpportunity {
    pub async fn id(&self) -> ID {
        GlobalId::new(NodeType::FundingOpportunity, self.0.id).encode()
    }

    /// The partner platform the record comes from.
    async fn source(&self) -> &str {
        &self.0.source
    }

    /// The record's identifier at its source.
    async fn external_id(&self) -> &str {
        &self.0.external_id
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn summary(&self) -> &str {
        &self.0.summary
    }

    /// grant, loan, guarantee, equity, technical_assistance, advisory, prize or other.
    async fn instrument(&self) -> &str {
        &self.0.instrument
    }

    /// international, eu, national, regional or city.
    async fn provider_level(&self) -> &str {
        &self.0.provider_level
    }
}
