//! Reading the region tree.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::entity::region;

pub async fn by_code(
    db: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<region::Model>, sea_orm::DbErr> {
    region::Entity::find()
        .filter(region::Column::Code.eq(code))
        .one(db)
        .await
}

pub async fn by_id(
    db: &impl ConnectionTrait,
    id: i32,
) -> Result<Option<region::Model>, sea_orm::DbErr> {
    region::Entity::find_by_id(id).one(db).await
}

/// Regions of `kind`, or the children of `parent_id`, by name.
pub async fn list(
    db: &impl ConnectionTrait,
    kind: Option<&str>,
    parent_id: Option<i32>,
) -> Result<Vec<region::Model>, sea_orm::DbErr> {
    let mut query = region::Entity::find();
    if let Some(kind) = kind {
        query = query.filter(region::Column::Kind.eq(kind));
    }
    if let Some(parent_id) = parent_id {
        query = query.filter(region::Column::ParentId.eq(parent_id));
    }
    query.order_by_asc(region::Column::Name).all(db).await
}
