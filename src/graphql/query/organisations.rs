//! Organisations and networks.

use async_graphql::{Context, Object};

use crate::domain::initiatives;
use crate::error::AppResult;
use crate::graphql::types::initiative::Initiative;
use crate::graphql::types::organisation::{Organisation, OrganisationFilter};
use crate::service;

#[derive(Default)]
pub struct OrganisationQuery;

#[Object]
impl OrganisationQuery {
    /// Organisations by name.
    async fn organisations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which organisations to list; null lists every organisation.")]
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
            crate::graphql::db(ctx),
            &filter.kinds.unwrap_or_default(),
            &countries,
        )
        .await?;
        Ok(rows.into_iter().map(Organisation).collect())
    }

    /// City networks and initiatives (C40, Carbon Neutral Cities Alliance, ICLEI, Eurocities,
    /// Covenant of Mayors, UN Race to Zero, EU Cities Mission, ...), with their members.
    async fn networks(&self, ctx: &Context<'_>) -> AppResult<Vec<Organisation>> {
        let rows = service::organisations::list(
            crate::graphql::db(ctx),
            &service::organisations::NETWORK_KINDS,
            &[],
        )
        .await?;
        Ok(rows.into_iter().map(Organisation).collect())
    }

    /// One organisation by slug, such as `c40`.
    async fn organisation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation's slug, such as `c40`.")] slug: String,
    ) -> AppResult<Option<Organisation>> {
        Ok(
            service::organisations::by_slug(crate::graphql::db(ctx), &slug)
                .await?
                .map(Organisation),
        )
    }

    /// Initiatives kxc holds public criteria for (UN Race to Zero, the EU Covenant of Mayors,
    /// the EU Cities Mission), each with its criteria and joining steps.
    async fn initiatives(&self) -> Vec<Initiative> {
        initiatives::INITIATIVES.iter().map(Initiative).collect()
    }

    /// One initiative by its organisation slug, such as `race-to-zero`, or null when kxc holds
    /// no criteria for it.
    async fn initiative(
        &self,
        #[graphql(desc = "The initiative's organisation slug, such as `race-to-zero`.")]
        slug: String,
    ) -> Option<Initiative> {
        initiatives::initiative(&slug).map(Initiative)
    }
}
