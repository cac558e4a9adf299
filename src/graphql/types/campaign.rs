//! Communication campaigns and their milestones.

use async_graphql::{ComplexObject, Context, ID, Object, SimpleObject};

use crate::domain::Slug;
use crate::entity::campaign;
use crate::error::AppResult;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::scalars::Date;
use crate::graphql::types::event::EventConnection;
use crate::graphql::types::organisation::Organisation;
use crate::graphql::types::pagination::{self, PageInfo};
use crate::graphql::types::partnership::Total;
use crate::service;

/// A page of campaigns.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CampaignConnection {
    /// The campaigns on this page with their cursors, in name order.
    pub edges: Vec<CampaignEdge>,
    /// Cursors and whether more pages exist either way.
    pub page_info: PageInfo,
}

#[ComplexObject]
impl CampaignConnection {
    /// The campaigns on this page.
    async fn nodes(&self) -> Vec<Campaign> {
        self.edges.iter().map(|edge| edge.node.clone()).collect()
    }

    /// How many campaigns there are, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> AppResult<u64> {
        Ok(service::campaigns::count(crate::graphql::db(ctx)).await?)
    }
}

/// A campaign and its cursor.
#[derive(SimpleObject)]
pub struct CampaignEdge {
    /// Opaque cursor of this campaign; pass it as `after` or `before` to page from here.
    pub cursor: String,
    /// The campaign.
    pub node: Campaign,
}

/// A communication campaign, such as Race to Zero for Norwegian municipalities: its
/// milestones and deadlines are events, and it may publish the steps to join.
#[derive(Clone)]
pub struct Campaign(pub campaign::Model);

/// A communication campaign, such as Race to Zero for Norwegian municipalities: its
/// milestones and deadlines are events, and it may publish the steps to join.
#[Object]
impl Campaign {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::new(RecordKind::Campaign, self.0.id).encode()
    }

    /// Stable lower-case identifier, such as `race-to-zero-norway-2021`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// The campaign's name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Bumped by every change; pass it as `expectedVersion` to `updateCampaign`.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// What the campaign is for, in English plain text.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// ISO 3166-1 alpha-2 code of the country a national campaign addresses; null otherwise.
    async fn country_code(&self) -> Option<&str> {
        self.0.country_code.as_deref()
    }

    /// The campaign's web page, an absolute http(s) URL; null when unknown.
    async fn url(&self) -> Option<&str> {
        crate::graphql::types::safe_url(self.0.url.as_deref())
    }

    /// The first day of the campaign, when known.
    async fn starts_on(&self) -> Option<Date> {
        self.0.starts_on.map(Date::from)
    }

    /// The last day of the campaign, when known.
    async fn ends_on(&self) -> Option<Date> {
        self.0.ends_on.map(Date::from)
    }

    /// The steps by which a member (a municipality) joins, in order; empty when none are published.
    async fn joining_steps(&self) -> Vec<String> {
        self.0
            .joining_steps
            .clone()
            .and_then(|steps| serde_json::from_value(steps).ok())
            .unwrap_or_default()
    }

    /// Who runs the campaign; null when not recorded.
    async fn organiser(&self, ctx: &Context<'_>) -> AppResult<Option<Organisation>> {
        let Some(id) = self.0.organiser_id else {
            return Ok(None);
        };
        Ok(crate::graphql::loaders(ctx)
            .organisations
            .load_one(id)
            .await?
            .map(Organisation))
    }

    /// The campaign's milestones and deadlines, earliest first. `first` or `last` (1..100) is required.
    #[graphql(
        complexity = "crate::graphql::exec::limits::connection_complexity(first, last, child_complexity)"
    )]
    async fn events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page forwards: at most this many events (1..100) after `after`.")]
        first: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.endCursor`) to start after.")]
        after: Option<String>,
        #[graphql(desc = "Page backwards: at most this many events (1..100) before `before`.")]
        last: Option<i32>,
        #[graphql(desc = "Cursor (an edge's `cursor` or `pageInfo.startCursor`) to end before.")]
        before: Option<String>,
    ) -> AppResult<EventConnection> {
        let request = pagination::request(first, after, last, before)?;
        let filter = service::events::EventFilter {
            campaigns: Slug::parse(&self.0.slug).into_iter().collect(),
            ..Default::default()
        };
        let page = service::events::page(crate::graphql::db(ctx), &filter, &request).await?;
        Ok(EventConnection::new(page, Total::Filter(filter)))
    }
}

impl CampaignConnection {
    pub fn new(page: service::paging::Page<campaign::Model>) -> Self {
        Self {
            page_info: PageInfo::of(&page),
            edges: page
                .items
                .into_iter()
                .map(|(cursor, row)| CampaignEdge {
                    cursor: cursor.encode(),
                    node: Campaign(row),
                })
                .collect(),
        }
    }
}
