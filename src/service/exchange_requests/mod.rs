//! Exchange requests: a city offers or needs help on a theme. Anyone reads them (an open
//! board); members and above post them ([`create`]); [`matches`] suggests the cities to talk to.

pub mod create;
pub mod matches;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::ServiceError;
use super::paging::{Page, PageRequest, page_by_id};
use crate::entity::{exchange_request, theme};

/// Whether a city offers help or needs it; stored as `offer` / `need`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExchangeKind {
    Offer,
    Need,
}

impl ExchangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Offer => "offer",
            Self::Need => "need",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "offer" => Some(Self::Offer),
            "need" => Some(Self::Need),
            _ => None,
        }
    }
}

/// Which requests to list; every given part must match (lists: any of their values).
#[derive(Clone, Debug, Default)]
pub struct ExchangeFilter {
    pub kinds: Vec<ExchangeKind>,
    /// Theme ids, each standing for its whole subtree (resolved by the caller from paths).
    pub theme_paths: Vec<String>,
    pub city_ids: Vec<i32>,
}

/// Newest first, keyset-paged by id.
pub async fn page(
    db: &impl ConnectionTrait,
    filter: &ExchangeFilter,
    request: &PageRequest,
) -> Result<Page<exchange_request::Model>, ServiceError> {
    let mut query = exchange_request::Entity::find();
    if !filter.kinds.is_empty() {
        query = query.filter(
            exchange_request::Column::Kind.is_in(filter.kinds.iter().map(|kind| kind.as_str())),
        );
    }
    if !filter.city_ids.is_empty() {
        query = query.filter(exchange_request::Column::CityId.is_in(filter.city_ids.clone()));
    }
    if !filter.theme_paths.is_empty() {
        let ids = theme_subtree_ids(db, &filter.theme_paths).await?;
        query = query.filter(exchange_request::Column::ThemeId.is_in(ids));
    }
    Ok(page_by_id(
        db,
        query,
        exchange_request::Column::Id,
        true,
        request,
        "exchange",
        |row| row.id,
    )
    .await?)
}

pub async fn by_id(
    db: &impl ConnectionTrait,
    id: i32,
) -> Result<Option<exchange_request::Model>, sea_orm::DbErr> {
    exchange_request::Entity::find_by_id(id).one(db).await
}

/// Ids of the themes at or below each of `paths`.
pub async fn theme_subtree_ids(
    db: &impl ConnectionTrait,
    paths: &[String],
) -> Result<Vec<i32>, sea_orm::DbErr> {
    let mut any = sea_orm::Condition::any();
    for path in paths {
        any = any
            .add(theme::Column::Path.eq(path.as_str()))
            .add(theme::Column::Path.starts_with(format!("{path}/")));
    }
    Ok(theme::Entity::find()
        .filter(any)
        .all(db)
        .await?
        .into_iter()
        .map(|row| row.id)
        .collect())
}
