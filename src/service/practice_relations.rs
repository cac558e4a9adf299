//! The cities, themes and SDGs of a practice.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use crate::entity::{city, practice_city, practice_sdg, practice_theme};
use crate::service::themes::{self, Theme};

pub async fn cities(
    db: &impl ConnectionTrait,
    practice_id: i32,
) -> Result<Vec<city::Model>, sea_orm::DbErr> {
    let ids: Vec<i32> = practice_city::Entity::find()
        .select_only()
        .column(practice_city::Column::CityId)
        .filter(practice_city::Column::PracticeId.eq(practice_id))
        .into_tuple()
        .all(db)
        .await?;
    city::Entity::find()
        .filter(city::Column::Id.is_in(ids))
        .order_by_asc(city::Column::Name)
        .all(db)
        .await
}

pub async fn themes(
    db: &impl ConnectionTrait,
    practice_id: i32,
) -> Result<Vec<Theme>, sea_orm::DbErr> {
    let ids: Vec<i32> = practice_theme::Entity::find()
        .select_only()
        .column(practice_theme::Column::ThemeId)
        .filter(practice_theme::Column::PracticeId.eq(practice_id))
        .into_tuple()
        .all(db)
        .await?;
    themes::by_ids(db, &ids).await
}

pub async fn sdgs(db: &impl ConnectionTrait, practice_id: i32) -> Result<Vec<i32>, sea_orm::DbErr> {
    let goals: Vec<i16> = practice_sdg::Entity::find()
        .select_only()
        .column(practice_sdg::Column::Sdg)
        .filter(practice_sdg::Column::PracticeId.eq(practice_id))
        .order_by_asc(practice_sdg::Column::Sdg)
        .into_tuple()
        .all(db)
        .await?;
    Ok(goals.into_iter().map(i32::from).collect())
}
