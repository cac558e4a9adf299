//! `stats(groupBy:, filter:, fundingFilter:)`.

use async_graphql::{Context, Object, SimpleObject};

use crate::error::{AppError, AppResult};
use crate::graphql::inputs::{FundingFilter, PracticeFilter};
use crate::service;
use crate::service::stats::{MAX_GROUP_BY, StatsDimension};

#[derive(Default)]
pub struct StatsQuery;

/// One dimension's value in a group's key.
#[derive(SimpleObject)]
pub struct StatsKey {
    /// The dimension.
    pub dimension: StatsDimension,
    /// Its value: a top-level theme path, region or country code, network slug, year,
    /// instrument or evaluation label.
    pub value: String,
}

/// An amount in one currency.
#[derive(SimpleObject)]
pub struct CurrencyAmount {
    /// ISO 4217 code.
    pub currency: String,
    /// The sum, in that currency.
    pub amount: f64,
}

/// Totals of one group.
#[derive(SimpleObject)]
pub struct StatsGroup {
    /// One value per `groupBy` dimension, in its order; empty for the single group of an
    /// empty `groupBy`.
    pub key: Vec<StatsKey>,
    /// Practices of `practices(filter:)` in this group.
    pub practice_count: u64,
    /// Sum of those practices' annual reduction in tonnes of CO2-equivalent (practices
    /// without an impact estimate add 0).
    #[graphql(name = "annualTco2e")]
    pub annual_tco2e: f64,
    /// Funding opportunities of `fundingOpportunities(filter: fundingFilter)` in this group.
    pub funding_count: u64,
    /// Sum of those opportunities' largest amount (`amount.max`, else `amount.min`), per
    /// currency, by currency code.
    pub funding_volume: Vec<CurrencyAmount>,
}

#[Object]
impl StatsQuery {
    /// Counts, total annual tCO2e and funding volume per currency of the practices
    /// `practices(filter:)` lists and the opportunities `fundingOpportunities(filter:
    /// fundingFilter)` lists, grouped by up to three dimensions. A record is counted once in
    /// every group its values put it in (a practice with two themes is in both theme groups),
    /// and in none when it has no value for a dimension. Groups are ordered by key.
    async fn stats(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Dimensions to group by, at most three, each once; empty for one total.")]
        group_by: Vec<StatsDimension>,
        #[graphql(desc = "Which practices to count, as for `practices`.")] filter: Option<
            PracticeFilter,
        >,
        #[graphql(desc = "Which funding opportunities to count, as for `fundingOpportunities`.")]
        funding_filter: Option<FundingFilter>,
    ) -> AppResult<Vec<StatsGroup>> {
        if group_by.len() > MAX_GROUP_BY {
            return Err(AppError::bad_input(
                ["groupBy"],
                format!("at most {MAX_GROUP_BY} dimensions"),
            ));
        }
        for (index, dimension) in group_by.iter().enumerate() {
            if group_by[..index].contains(dimension) {
                return Err(AppError::bad_input(
                    crate::domain::FieldPath::from("groupBy").index(index),
                    "each dimension at most once",
                ));
            }
        }
        let filter = filter.unwrap_or_default().parse()?;
        let funding_filter = funding_filter.unwrap_or_default().parse()?;
        let groups = service::stats::stats(
            crate::graphql::db(ctx),
            &*crate::graphql::reference(ctx).await?,
            crate::graphql::viewer(ctx),
            &group_by,
            &filter,
            &funding_filter,
        )
        .await?;
        Ok(groups
            .into_iter()
            .map(|group| StatsGroup {
                key: group
                    .key
                    .into_iter()
                    .map(|(dimension, value)| StatsKey { dimension, value })
                    .collect(),
                practice_count: group.practice_count,
                annual_tco2e: group.annual_tco2e,
                funding_count: group.funding_count,
                funding_volume: group
                    .funding_volume
                    .into_iter()
                    .map(|(currency, amount)| CurrencyAmount { currency, amount })
                    .collect(),
            })
            .collect())
    }
}
