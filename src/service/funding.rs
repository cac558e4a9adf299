//! Reading live funding opportunities. Tombstoned ones (`deleted_at` set) are invisible here.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Select};

use crate::entity::funding_opportunity;

pub fn live() -> Select<funding_opportunity::Entity> {
    funding_opportunity::Entity::find().filter(funding_opportunity::Column::DeletedAt.is_null())
}

pub async fn by_id(
    db: &impl ConnectionTrait,
    id: i32,
) -> Result<Option<funding_opportunity::Model>, sea_orm::DbErr> {
    live()
        .filter(funding_opportunity::Column::Id.eq(id))
        .one(db)
        .await
}

pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<Vec<funding_opportunity::Model>, sea_orm::DbErr> {
    live()
        .filter(funding_opportunity::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}
