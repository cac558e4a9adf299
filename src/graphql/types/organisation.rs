//! Organisations and networks.

use async_graphql::{Context, ID, InputObject, Object};

use crate::domain::OrganisationKind;
use crate::entity::organisation;
use crate::error::AppResult;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::types::city::MembershipConnection;

/// Which organisations to list.
#[derive(InputObject, Default)]
pub struct OrganisationFilter {
    /// Organisations of any of these kinds; null or empty for every kind.
    pub kinds: Option<Vec<OrganisationKind>>,
    /// ISO 3166-1 alpha-2 codes.
    pub countries: Option<Vec<String>>,
}

/// A network, initiative, funder or other organisation.
#[derive(Clone)]
pub struct Organisation(pub organisation::Model);

/// A network, initiative, funder or other organisation.
#[Object]
impl Organisation {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::new(RecordKind::Organisation, self.0.id).encode()
    }

    /// Stable lower-case identifier used in URLs and filters, such as `c40` or `eib`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// The organisation's name in English, e.g. "C40 Cities Climate Leadership Group".
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What sort of organisation this is.
    async fn kind(&self) -> AppResult<OrganisationKind> {
        super::stored(
            &self.0.kind,
            OrganisationKind::from_stored,
            "organisation.kind",
        )
    }

    /// ISO 3166-1 alpha-2 code of the seat; null for international bodies.
    async fn country_code(&self) -> Option<&str> {
        self.0.country_code.as_deref()
    }

    /// The organisation's website, an absolute http(s) URL; null when unknown.
    async fn url(&self) -> Option<&str> {
        crate::graphql::types::safe_url(self.0.url.as_deref())
    }

    /// What the organisation does, in English plain text (may be empty).
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Member cities, for networks, in the order they were recorded. `first` or `last`
    /// (1..100) is required.
    #[graphql(
        complexity = "crate::graphql::exec::limits::connection_complexity(first, last, child_complexity)"
    )]
    async fn members(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page forwards: at most this many members (1..100) after `after`.")]
        first: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.endCursor`) to start after.")]
        after: Option<String>,
        #[graphql(desc = "Page backwards: at most this many members (1..100) before `before`.")]
        last: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.startCursor`) to end before.")]
        before: Option<String>,
    ) -> AppResult<MembershipConnection> {
        let request = crate::graphql::types::pagination::request(first, after, last, before)?;
        // Every membership of every network asked for in one batch: members are cities, a
        // bounded set.
        let rows = crate::graphql::loaders(ctx)
            .organisation_members
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(MembershipConnection::page(rows, &request))
    }
}
