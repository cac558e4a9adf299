//! City-to-city partnerships: the `Partnership` type, its participants and its connection.

use async_graphql::{ComplexObject, Context, ID, Object, SimpleObject};

use crate::domain::{PartnershipKind, PartnershipRole, PartnershipStatus};
use crate::entity::{partnership, partnership_city};
use crate::error::AppResult;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::scalars::Date;
use crate::graphql::types::city::City;
use crate::graphql::types::pagination::PageInfo;
use crate::graphql::types::theme::Theme;
use crate::service;
use crate::service::paging::Page;

/// How a connection knows its total: from the filter of a root list, or counted already
/// (a parent's list, loaded whole in one batch).
#[derive(Clone)]
pub enum Total<F> {
    Filter(F),
    Known(u64),
}

/// A page of partnerships.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct PartnershipConnection {
    /// The partnerships on this page with their cursors, in name order.
    pub edges: Vec<PartnershipEdge>,
    /// Cursors and whether more pages exist either way.
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub total: Total<service::partnerships::PartnershipFilter>,
}

impl PartnershipConnection {
    pub fn new(
        page: Page<partnership::Model>,
        total: Total<service::partnerships::PartnershipFilter>,
    ) -> Self {
        Self {
            page_info: PageInfo::of(&page),
            edges: page
                .items
                .into_iter()
                .map(|(cursor, row)| PartnershipEdge {
                    cursor: cursor.encode(),
                    node: Partnership(row),
                })
                .collect(),
            total,
        }
    }
}

#[ComplexObject]
impl PartnershipConnection {
    /// The partnerships on this page.
    async fn nodes(&self) -> Vec<Partnership> {
        self.edges.iter().map(|edge| edge.node.clone()).collect()
    }

    /// How many partnerships match, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> AppResult<u64> {
        Ok(match &self.total {
            Total::Known(count) => *count,
            Total::Filter(filter) => {
                service::partnerships::count(crate::graphql::db(ctx), filter).await?
            }
        })
    }
}

/// A partnership and its cursor.
#[derive(SimpleObject)]
pub struct PartnershipEdge {
    /// Opaque cursor of this partnership; pass it as `after` or `before` to page from here.
    pub cursor: String,
    /// The partnership.
    pub node: Partnership,
}

/// A city taking part in a partnership, with its role.
pub struct Participant(pub partnership_city::Model);

/// A city taking part in a partnership, with its role.
#[Object]
impl Participant {
    /// The city; null only if it has been removed.
    async fn city(&self, ctx: &Context<'_>) -> AppResult<Option<City>> {
        Ok(crate::graphql::loaders(ctx)
            .cities
            .load_one(self.0.city_id)
            .await?
            .map(City))
    }

    /// What the city does in the partnership (`MENTOR`, `LEARNER`, `LEAD`, `MEMBER`, ...).
    async fn role(&self) -> AppResult<PartnershipRole> {
        super::stored(
            &self.0.role,
            PartnershipRole::from_stored,
            "partnership_city.role",
        )
    }
}

/// A partnership between cities: peer learning, a metropolitan area, joint procurement or
/// infrastructure, collective advocacy.
#[derive(Clone)]
pub struct Partnership(pub partnership::Model);

/// A partnership between cities: peer learning, a metropolitan area, joint procurement or
/// infrastructure, collective advocacy.
#[Object]
impl Partnership {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::new(RecordKind::Partnership, self.0.id).encode()
    }

    /// Stable lower-case identifier, such as `tokyo-kuala-lumpur-building-energy-efficiency`.
    async fn slug(&self) -> &str {
        &self.0.slug
    }

    /// The partnership's name in English.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What the partnership does.
    async fn kind(&self) -> AppResult<PartnershipKind> {
        super::stored(
            &self.0.kind,
            PartnershipKind::from_stored,
            "partnership.kind",
        )
    }

    /// Where the partnership stands.
    async fn status(&self) -> AppResult<PartnershipStatus> {
        super::stored(
            &self.0.status,
            PartnershipStatus::from_stored,
            "partnership.status",
        )
    }

    /// What the partners do together, in English plain text.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// What the partnership has achieved so far, in English plain text; null when not recorded.
    async fn outcomes(&self) -> Option<&str> {
        self.0.outcomes.as_deref()
    }

    /// The day the partnership started, when known.
    async fn started_on(&self) -> Option<Date> {
        self.0.started_on.map(Date::from)
    }

    /// The day the partnership ended; null while it runs or when unknown.
    async fn ended_on(&self) -> Option<Date> {
        self.0.ended_on.map(Date::from)
    }

    /// The record's version, for `expectedVersion` in `updatePartnership`.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The participating cities with their roles, in city order.
    async fn participants(&self, ctx: &Context<'_>) -> AppResult<Vec<Participant>> {
        let rows = crate::graphql::loaders(ctx)
            .partnership_participants
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(rows.into_iter().map(Participant).collect())
    }

    /// The themes the partnership works on, in taxonomy order.
    async fn themes(&self, ctx: &Context<'_>) -> AppResult<Vec<Theme>> {
        let loaders = crate::graphql::loaders(ctx);
        let ids = loaders
            .partnership_themes
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        let all = loaders.all_themes().await?;
        Ok(all
            .iter()
            .filter(|theme| ids.contains(&theme.row.id))
            .cloned()
            .map(Theme)
            .collect())
    }
}
