//! The change feed (`changes(after:, first:)`): `change_log` rows in `seq` order, for clients
//! that mirror kxc. A position is just a `seq`, so it never expires and survives restarts.
//! `change_log::append` makes seqs commit in order, so a reader that resumes after the last
//! seq it saw never skips one.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::domain::RecordKind;
use crate::entity::change_log;

/// The most changes one page holds.
pub const MAX_PAGE: u64 = 1000;

/// The kinds of record the feed carries: those a client can fetch by global ID (`node`).
pub const FEED_KINDS: [RecordKind; 6] = [
    RecordKind::Practice,
    RecordKind::FundingOpportunity,
    RecordKind::City,
    RecordKind::Theme,
    RecordKind::Region,
    RecordKind::Organisation,
];

/// A page of the feed.
#[derive(Clone, Debug)]
pub struct ChangePage {
    pub rows: Vec<change_log::Model>,
    /// More rows follow the last one (now).
    pub has_more: bool,
}

/// Up to `first` rows after `after` (0: from the start) of `kinds` (empty: every feed kind),
/// by ascending `seq`.
pub async fn page(
    db: &impl ConnectionTrait,
    after: i64,
    first: u64,
    kinds: &[RecordKind],
) -> Result<ChangePage, sea_orm::DbErr> {
    let kinds: Vec<&str> = if kinds.is_empty() {
        FEED_KINDS.iter().map(|kind| kind.name()).collect()
    } else {
        kinds.iter().map(|kind| kind.name()).collect()
    };
    let mut rows = change_log::Entity::find()
        .filter(change_log::Column::Seq.gt(after))
        .filter(change_log::Column::EntityType.is_in(kinds))
        .order_by_asc(change_log::Column::Seq)
        .limit(first.min(MAX_PAGE) + 1)
        .all(db)
        .await?;
    let has_more = rows.len() as u64 > first;
    rows.truncate(first as usize);
    Ok(ChangePage { rows, has_more })
}

/// Regions with `ids` (for the feed's nodes).
pub async fn regions(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<Vec<crate::entity::region::Model>, sea_orm::DbErr> {
    use crate::entity::region;
    super::chunked::load(db, ids, super::chunked::PerKey::IN_LIST, |ids| {
        region::Entity::find()
            .filter(region::Column::Id.is_in(ids.iter().copied()))
            .all(db)
    })
    .await
}

/// Organisations with `ids` (for the feed's nodes).
pub async fn organisations(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<Vec<crate::entity::organisation::Model>, sea_orm::DbErr> {
    use crate::entity::organisation;
    super::chunked::load(db, ids, super::chunked::PerKey::IN_LIST, |ids| {
        organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(ids.iter().copied()))
            .all(db)
    })
    .await
}
