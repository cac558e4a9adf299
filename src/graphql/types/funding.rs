//! Funding and advising opportunities: `fundingOpportunities(filter:)`, `fundingOpportunity(id:)`.

use async_graphql::{ComplexObject, Context, Enum, ID, Object, SimpleObject};
use chrono::Utc;

use crate::domain;
use crate::entity::funding_opportunity;
use crate::error::AppResult;
use crate::graphql::ids::{GlobalId, RecordKind};
use crate::graphql::inputs::{ApplicantKind, Direction, Instrument, ProviderLevel};
use crate::graphql::scalars::{Date, DateTime};
use crate::graphql::types::organisation::Organisation;
use crate::graphql::types::pagination::PageInfo;
use crate::graphql::types::region::Region;
use crate::graphql::types::theme::Theme;
use crate::service;

/// A page of funding opportunities.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct FundingConnection {
    /// The opportunities on this page with their cursors.
    pub edges: Vec<FundingEdge>,
    /// Cursors and whether more pages exist either way.
    pub page_info: PageInfo,
    #[graphql(skip)]
    pub filter: service::funding::FundingFilter,
}

#[ComplexObject]
impl FundingConnection {
    /// The opportunities on this page.
    async fn nodes(&self) -> Vec<FundingOpportunity> {
        self.edges.iter().map(|edge| edge.node.clone()).collect()
    }

    /// How many opportunities match the filter, across all pages.
    async fn total_count(&self, ctx: &Context<'_>) -> AppResult<u64> {
        Ok(service::funding::count(
            crate::graphql::db(ctx),
            &*crate::graphql::reference(ctx).await?,
            &self.filter,
        )
        .await?)
    }
}

/// A funding opportunity and its cursor.
#[derive(SimpleObject)]
pub struct FundingEdge {
    /// Opaque cursor of this opportunity; pass it as `after` or `before` to page from here.
    pub cursor: String,
    /// The opportunity.
    pub node: FundingOpportunity,
}

/// Where an opportunity stands on a day, derived from its dates.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FundingStatus {
    /// Not open yet.
    Forthcoming,
    /// Open, with a deadline still ahead.
    Open,
    /// Every deadline has passed.
    Closed,
    /// Accepting applications continuously.
    Rolling,
}

/// The range of amounts an opportunity offers.
#[derive(SimpleObject)]
pub struct AmountRange {
    /// The smallest amount offered, in `currency`; null when no minimum is stated.
    pub min: Option<f64>,
    /// The largest amount offered, in `currency`; null when no maximum is stated.
    pub max: Option<f64>,
    /// ISO 4217 code.
    pub currency: String,
}

/// A grant, loan, guarantee, technical assistance or advisory programme.
#[derive(Clone)]
pub struct FundingOpportunity(pub funding_opportunity::Model);

impl FundingOpportunity {
    async fn links(&self, ctx: &Context<'_>) -> AppResult<service::batch::FundingLinks> {
        Ok(crate::graphql::loaders(ctx)
            .funding_links
            .load_one(self.0.id)
            .await?
            .unwrap_or_default())
    }
}

/// A grant, loan, guarantee, technical assistance or advisory programme open to cities.
#[Object]
impl FundingOpportunity {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::new(RecordKind::FundingOpportunity, self.0.id).encode()
    }

    /// The partner platform the record comes from.
    async fn source(&self) -> &str {
        &self.0.source
    }

    /// The record's ID at its source.
    async fn external_id(&self) -> &str {
        &self.0.external_id
    }

    /// The opportunity's title in `language`.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// What the opportunity offers and to whom, plain text in `language`.
    async fn summary(&self) -> &str {
        &self.0.summary
    }

    /// ISO 639-1 code of the record's language.
    async fn language(&self) -> &str {
        &self.0.language
    }

    /// The organisation that provides the support; null when not linked to a known one.
    async fn provider(&self, ctx: &Context<'_>) -> AppResult<Option<Organisation>> {
        let Some(provider_id) = self.0.provider_id else {
            return Ok(None);
        };
        Ok(crate::graphql::loaders(ctx)
            .organisations
            .load_one(provider_id)
            .await?
            .map(Organisation))
    }

    /// The level of government or body that provides the support; null when not recorded.
    async fn provider_level(&self) -> Option<ProviderLevel> {
        ProviderLevel::from_wire(&self.0.provider_level)
    }

    /// ISO 3166-1 alpha-2 code of the provider's country.
    async fn provider_country(&self) -> Option<&str> {
        self.0.provider_country.as_deref()
    }

    /// The kind of support; null when not recorded.
    async fn instrument(&self) -> Option<Instrument> {
        Instrument::from_wire(&self.0.instrument)
    }

    /// Where the support flows (domestic, EU-internal, EU to non-EU, ...); null when not
    /// recorded.
    async fn direction(&self) -> Option<Direction> {
        Direction::from_wire(&self.0.direction)
    }

    /// Regions whose applicants are eligible (a region includes everything below it); empty means no restriction.
    async fn eligible_regions(&self, ctx: &Context<'_>) -> AppResult<Vec<Region>> {
        let ids = self.links(ctx).await?.region_ids;
        let regions = crate::graphql::loaders(ctx)
            .regions
            .load_many(ids.iter().copied())
            .await?;
        Ok(ids
            .iter()
            .filter_map(|id| regions.get(id).cloned())
            .map(Region)
            .collect())
    }

    /// Who may apply; empty when the source does not say.
    async fn eligible_applicants(&self, ctx: &Context<'_>) -> AppResult<Vec<ApplicantKind>> {
        Ok(self
            .links(ctx)
            .await?
            .applicants
            .iter()
            .filter_map(|kind| ApplicantKind::from_wire(kind))
            .collect())
    }

    /// Themes the opportunity funds.
    async fn themes(&self, ctx: &Context<'_>) -> AppResult<Vec<Theme>> {
        let ids = self.links(ctx).await?.theme_ids;
        let all = crate::graphql::loaders(ctx).all_themes().await?;
        Ok(all
            .iter()
            .filter(|theme| ids.contains(&theme.row.id))
            .cloned()
            .map(Theme)
            .collect())
    }

    /// The amounts offered; null when the source states none.
    async fn amount(&self) -> Option<AmountRange> {
        Some(AmountRange {
            min: self.0.amount_min,
            max: self.0.amount_max,
            currency: self.0.currency.clone()?,
        })
    }

    /// Share of the costs the provider covers, 0..1.
    async fn co_financing_rate(&self) -> Option<f64> {
        self.0.co_financing_rate
    }

    /// The day applications open; null when already open or unknown.
    async fn opens_at(&self) -> Option<Date> {
        self.0.opens_at.map(Date::from)
    }

    /// Every deadline, earliest first.
    async fn deadlines(&self, ctx: &Context<'_>) -> AppResult<Vec<Date>> {
        Ok(self
            .links(ctx)
            .await?
            .deadlines
            .into_iter()
            .map(Date::from)
            .collect())
    }

    /// The first deadline on or after today.
    async fn next_deadline(&self, ctx: &Context<'_>) -> AppResult<Option<Date>> {
        let today = Utc::now().date_naive();
        Ok(self
            .links(ctx)
            .await?
            .deadlines
            .into_iter()
            .find(|deadline| *deadline >= today)
            .map(Date::from))
    }

    /// Whether applications are accepted continuously.
    async fn rolling(&self) -> bool {
        self.0.rolling
    }

    /// The status on `on` (default: today).
    async fn status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The day to evaluate the status on; null for today (UTC).")] on: Option<
            Date,
        >,
    ) -> AppResult<FundingStatus> {
        let day = match on {
            Some(on) => on.day("on")?,
            None => Utc::now().date_naive(),
        };
        let deadlines = self.links(ctx).await?.deadlines;
        Ok(
            match domain::FundingStatus::on(day, self.0.opens_at, &deadlines, self.0.rolling) {
                domain::FundingStatus::Forthcoming => FundingStatus::Forthcoming,
                domain::FundingStatus::Open => FundingStatus::Open,
                domain::FundingStatus::Closed => FundingStatus::Closed,
                domain::FundingStatus::Rolling => FundingStatus::Rolling,
            },
        )
    }

    /// The opportunity's page at the provider, an absolute http(s) URL; null when unknown.
    async fn url(&self) -> Option<&str> {
        crate::graphql::types::safe_url(self.0.url.as_deref())
    }

    /// Increases with every change of the record.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// When the record last changed in kxc.
    async fn updated_at(&self) -> DateTime {
        self.0.updated_at.into()
    }
}
