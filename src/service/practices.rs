//! Reading published practices: keyset pages, counts and lookups. Unpublished or deleted
//! practices are invisible through every function here.

use sea_orm::sea_query::Condition;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use crate::entity::practice;
use crate::service::paging::{Cursor, Page, PageRequest};

/// The base query every reader starts from: published and not deleted.
pub fn visible() -> Select<practice::Entity> {
    practice::Entity::find()
        .filter(practice::Column::Status.eq("published"))
        .filter(practice::Column::DeletedAt.is_null())
}

pub async fn count(db: &impl ConnectionTrait) -> Result<u64, sea_orm::DbErr> {
    visible().count(db).await
}

/// Newest first (`published_at` descending, then `id` descending), by keyset.
pub async fn page(
    db: &impl ConnectionTrait,
    request: &PageRequest,
) -> Result<Page<practice::Model>, sea_orm::DbErr> {
    let forward = request.is_forward();
    let mut query = visible();
    if let Some(cursor) = request.cursor() {
        let published_at = cursor.timestamp()?;
        let id = cursor.id;
        // Rows after the cursor in (published_at DESC, id DESC) order, or before it going back.
        let (time_cmp, id_cmp) = if forward {
            (
                practice::Column::PublishedAt.lt(published_at),
                practice::Column::Id.lt(id),
            )
        } else {
            (
                practice::Column::PublishedAt.gt(published_at),
                practice::Column::Id.gt(id),
            )
        };
        query = query.filter(
            Condition::any().add(time_cmp).add(
                Condition::all()
                    .add(practice::Column::PublishedAt.eq(published_at))
                    .add(id_cmp),
            ),
        );
    }
    let order = if forward { Order::Desc } else { Order::Asc };
    let rows = query
        .order_by(practice::Column::PublishedAt, order.clone())
        .order_by(practice::Column::Id, order)
        .limit(u64::from(request.size()) + 1)
        .all(db)
        .await?;
    Ok(Page::from_rows(rows, request, |row| {
        Cursor::from_timestamp(row.published_at.unwrap_or_default(), row.id)
    }))
}

pub async fn by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<practice::Model>, sea_orm::DbErr> {
    visible()
        .filter(practice::Column::Slug.eq(slug))
        .one(db)
        .await
}

pub async fn by_id(
    db: &impl ConnectionTrait,
    id: i32,
) -> Result<Option<practice::Model>, sea_orm::DbErr> {
    visible().filter(practice::Column::Id.eq(id)).one(db).await
}
