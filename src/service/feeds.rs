//! What the Atom feeds list: the newest opened funding opportunities (open today, by opening
//! date) and the newest published practices (by publication date), public data only, at most
//! [`MAX_ENTRIES`], narrowed by a theme (its subtree) and a region (as the list queries mean
//! it: practices in the region or below, funding open to it).

use chrono::Utc;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect};

use super::ServiceError;
use super::funding::FundingFilter;
use super::paging::PageRequest;
use super::practice_query::{PracticeFilter, PracticeOrder, PracticeSort};
use super::reference::ReferenceCache;
use crate::domain::{ThemePath, Viewer};
use crate::entity::{funding_opportunity, practice};

/// Most entries one feed holds.
pub const MAX_ENTRIES: u64 = 50;

/// A feed's query parameters, checked.
#[derive(Clone, Debug, Default)]
pub struct FeedFilter {
    pub theme: Option<ThemePath>,
    /// A region code (UN M49, ISO 3166-1 or -2).
    pub region: Option<String>,
}

/// Newest opened first: open today, by `opens_at` descending.
pub async fn funding(
    db: &impl ConnectionTrait,
    reference: &ReferenceCache,
    filter: &FeedFilter,
) -> Result<Vec<funding_opportunity::Model>, ServiceError> {
    let today = Utc::now().date_naive();
    let condition = FundingFilter {
        themes: filter.theme.iter().cloned().collect(),
        eligible_region: filter.region.clone(),
        open_at: Some(today),
        ..FundingFilter::default()
    }
    .condition(db, &*reference.current(db).await?)
    .await?;
    Ok(super::funding::live()
        .filter(condition)
        .filter(funding_opportunity::Column::OpensAt.is_not_null())
        .order_by_desc(funding_opportunity::Column::OpensAt)
        .order_by_desc(funding_opportunity::Column::Id)
        .limit(MAX_ENTRIES)
        .all(db)
        .await?)
}

/// Newest published first.
pub async fn practices(
    db: &impl ConnectionTrait,
    reference: &ReferenceCache,
    filter: &FeedFilter,
) -> Result<Vec<practice::Model>, ServiceError> {
    let request = PageRequest::parse(Some(MAX_ENTRIES as i32), None, None, None)
        .map_err(|(argument, message)| ServiceError::invalid(argument, message))?;
    let filter = PracticeFilter {
        themes: filter.theme.iter().cloned().collect(),
        regions: filter.region.iter().cloned().collect(),
        ..PracticeFilter::default()
    };
    let order = PracticeOrder {
        sort: PracticeSort::PublishedAt,
        descending: true,
    };
    let reference = reference.current(db).await?;
    let page = super::practices::page(
        db,
        &reference,
        &Viewer::anonymous(),
        &filter,
        order,
        &request,
    )
    .await?;
    Ok(page
        .items
        .into_iter()
        .map(|(_, row)| row)
        .filter(|row| row.published_at.is_some())
        .collect())
}
