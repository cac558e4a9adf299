//! Communication campaigns: reading (their milestones are events, `events(filter:
//! {campaigns})`) and, one file per action, the admin writes.

pub mod create;
pub mod update;
mod validate;

pub use validate::NewCampaign;

use std::collections::HashMap;

use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use super::chunked::{self, PerKey};
use super::paging::{Cursor, Page, PageRequest, keyset_condition};
use crate::entity::campaign;

pub async fn count(db: &impl ConnectionTrait) -> Result<u64, sea_orm::DbErr> {
    campaign::Entity::find().count(db).await
}

/// Campaigns by name (then id), by keyset.
pub async fn page(
    db: &impl ConnectionTrait,
    request: &PageRequest,
) -> Result<Page<campaign::Model>, sea_orm::DbErr> {
    let ascending = request.is_forward();
    let mut query = campaign::Entity::find();
    if let Some(cursor) = request.cursor() {
        query = query.filter(keyset_condition(
            Expr::col((campaign::Entity, campaign::Column::Name)),
            Expr::col((campaign::Entity, campaign::Column::Id)),
            cursor.key.clone().unwrap_or_default().into(),
            cursor.id,
            ascending,
        ));
    }
    let order = if ascending { Order::Asc } else { Order::Desc };
    let rows = query
        .order_by(campaign::Column::Name, order.clone())
        .order_by(campaign::Column::Id, order)
        .limit(u64::from(request.size()) + 1)
        .all(db)
        .await?;
    Ok(Page::from_rows(rows, request, |row| {
        Cursor::from_text(&row.name, row.id)
    }))
}

pub async fn by_id(
    db: &impl ConnectionTrait,
    id: i32,
) -> Result<Option<campaign::Model>, sea_orm::DbErr> {
    campaign::Entity::find_by_id(id).one(db).await
}

pub async fn by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<campaign::Model>, sea_orm::DbErr> {
    campaign::Entity::find()
        .filter(campaign::Column::Slug.eq(slug))
        .one(db)
        .await
}

/// Campaigns by id, for the loader behind `Event.campaign`.
pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, campaign::Model>, sea_orm::DbErr> {
    let rows: Vec<campaign::Model> = chunked::load(db, ids, PerKey::IN_LIST, |ids| {
        campaign::Entity::find()
            .filter(campaign::Column::Id.is_in(ids.iter().copied()))
            .all(db)
    })
    .await?;
    Ok(rows.into_iter().map(|row| (row.id, row)).collect())
}
