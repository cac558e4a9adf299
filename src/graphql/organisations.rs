//! Organisations and networks.

use async_graphql::{Context, ID, InputObject, Object};

use super::cities::Membership;
use super::ids::{GlobalId, NodeType};
use crate::entity::organisation;
use crate::error::AppResult;
use crate::service;

#[derive(Default)]
pub struct OrganisationQuery;

/// Which organisations to list.
#[derive(InputObject, Default)]
pub struct OrganisationFilter {
    /// network, initiative, funder, international-body, ngo, research, company, city-government.
    pub kinds: Option<Vec<String>>,
    /// ISO 3166-1 alpha-2 codes.
    pub countries: Option<Vec<String>>,
}

#[Object]
impl OrganisationQuery {
    /// Organisations by name.
    async fn organisations(
        &self,
        ctx: &Context<'_>,
        filter: Option<OrganisationFilter>,
    ) -> AppResult<Vec<Organisation>> {
        let filter = filter.unwrap_or_default();
        let countries: Vec<String> = filter
            .countries
            .unwrap_or_default()
            .iter()
            .map(|code| code.to_ascii_uppercase())
            .collect();
        let rows = service::organisations::list(
            super::db(ctx),
            &filter.kinds.unwrap_or_default(),
            &countries,
        )
        .await?;
        Ok(rows.into_iter().map(Organisation).collect())
    }

    /// City networks and initiatives (C40, Carbon Neutral Cities Alliance, ICLEI, Eurocities,
    /// Covenant of Mayors, UN Race to Zero, EU Cities Mission, ...), with their members.
    async fn networks(&self, ctx: &Context<'_>) -> AppResult<Vec<Organisation>> {
        let kinds: Vec<String> = service::organisations::NETWORK_KINDS
            .iter()
            .map(|kind| (*kind).to_owned())
            .collect();
        let rows = service::organisations::list(super::db(ctx), &kinds, &[]).await?;
        Ok(rows.into_iter().map(Organisation).collect())
    }

    /// One organisation by slug, such as `c40`.
    async fn organisation(
        &self,
        ctx: &Context<'_>,
        slug: String,
    ) -> AppResult<Option<Organisation>> {
        Ok(service::organisations::by_slug(super::db(ctx), &slug)
            .await?
            .map(Organisation))
    }
}

/// A network, initiative, funder or other organisation.
#[derive(Clone)]
pub struct Organisation(pub organisation::Model);

#[Object]
impl Organisation {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::new(NodeType::Organisation, self.0.id).encode()
    }

    async fn slug(&self) -> &str {
        &self.0.slug
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// network, initiative, funder, international-body, ngo, research, company or city-government.
    async fn kind(&self) -> &str {
        &self.0.kind
    }

    /// ISO 3166-1 alpha-2 code of the seat; null for international bodies.
    async fn country_code(&self) -> Option<&str> {
        self.0.country_code.as_deref()
    }

    async fn url(&self) -> Option<&str> {
        self.0.url.as_deref()
    }

    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Member cities, for networks.
    async fn members(&self, ctx: &Context<'_>) -> AppResult<Vec<Membership>> {
        let rows = super::loaders(ctx)
            .organisation_members
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Membership).collect())
    }
}
