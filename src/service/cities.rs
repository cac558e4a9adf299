//! Reading cities.

use sea_orm::sea_query::Condition;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

use crate::entity::city;
use crate::service::paging::{Cursor, Page, PageRequest};

pub async fn count(db: &impl ConnectionTrait) -> Result<u64, sea_orm::DbErr> {
    city::Entity::find().count(db).await
}

/// Cities by name (then id), by keyset.
pub async fn page(
    db: &impl ConnectionTrait,
    request: &PageRequest,
) -> Result<Page<city::Model>, sea_orm::DbErr> {
    let forward = request.is_forward();
    let mut query = city::Entity::find();
    if let Some(cursor) = request.cursor() {
        let name = cursor.key.clone().unwrap_or_default();
        let (name_cmp, id_cmp) = if forward {
            (
                city::Column::Name.gt(name.clone()),
                city::Column::Id.gt(cursor.id),
            )
        } else {
            (
                city::Column::Name.lt(name.clone()),
                city::Column::Id.lt(cursor.id),
            )
        };
        query = query.filter(
            Condition::any().add(name_cmp).add(
                Condition::all()
                    .add(city::Column::Name.eq(name))
                    .add(id_cmp),
            ),
        );
    }
    let order = if forward { Order::Asc } else { Order::Desc };
    let rows = query
        .order_by(city::Column::Name, order.clone())
        .order_by(city::Column::Id, order)
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
) -> Result<Option<city::Model>, sea_orm::DbErr> {
    city::Entity::find_by_id(id).one(db).await
}

pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<Vec<city::Model>, sea_orm::DbErr> {
    city::Entity::find()
        .filter(city::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}
