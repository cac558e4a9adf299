//! Reading published practices: filtered keyset pages, counts and lookups. Unpublished or
//! deleted practices are invisible through every function here.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use super::ServiceError;
use super::paging::{Cursor, Page, PageRequest, keyset_condition};
use super::practice_query::{PracticeFilter, PracticeOrder};
use super::records::FieldError;
use crate::entity::practice;

/// The base query every reader starts from: published and not deleted.
pub fn visible() -> Select<practice::Entity> {
    practice::Entity::find()
        .filter(practice::Column::Status.eq("published"))
        .filter(practice::Column::DeletedAt.is_null())
}

async fn filtered(
    db: &impl ConnectionTrait,
    filter: &PracticeFilter,
) -> Result<Select<practice::Entity>, ServiceError> {
    let condition = filter.resolve(db).await?.map_err(|errors| {
        ServiceError::Invalid(
            errors
                .into_iter()
                .map(|error| FieldError::new(format!("filter.{}", error.field), error.message))
                .collect(),
        )
    })?;
    Ok(visible().filter(condition))
}

pub async fn count(
    db: &impl ConnectionTrait,
    filter: &PracticeFilter,
) -> Result<u64, ServiceError> {
    Ok(filtered(db, filter).await?.count(db).await?)
}

/// One page in `order`, by keyset on `(sort key, id)`.
pub async fn page(
    db: &impl ConnectionTrait,
    filter: &PracticeFilter,
    order: PracticeOrder,
    request: &PageRequest,
) -> Result<Page<practice::Model>, ServiceError> {
    let mut query = filtered(db, filter).await?;
    // Walking backwards reverses the display order; `Page::from_rows` flips the rows back.
    let ascending = order.descending != request.is_forward();
    if let Some(cursor) = request.cursor() {
        let argument = if request.is_forward() {
            "after"
        } else {
            "before"
        };
        let value = cursor
            .key
            .as_deref()
            .filter(|_| cursor.order.as_deref() == Some(order.tag()))
            .and_then(|key| order.key_value(key))
            .ok_or_else(|| {
                ServiceError::Invalid(vec![FieldError::new(
                    argument,
                    "was issued for a different ordering",
                )])
            })?;
        let id = Expr::col((practice::Entity, practice::Column::Id));
        query = query.filter(keyset_condition(
            order.key_expr(),
            id,
            value,
            cursor.id,
            ascending,
        ));
    }
    let direction = if ascending { Order::Asc } else { Order::Desc };
    let rows = query
        .order_by(order.key_expr(), direction.clone())
        .order_by(practice::Column::Id, direction)
        .limit(u64::from(request.size()) + 1)
        .all(db)
        .await?;
    Ok(Page::from_rows(rows, request, |row| {
        Cursor::from_text(&order.key_of(row), row.id).for_order(order.tag())
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

pub async fn by_ids(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<Vec<practice::Model>, sea_orm::DbErr> {
    visible()
        .filter(practice::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await
}

/// Practices sharing the most themes with `id` (then the best scored), excluding itself.
pub async fn related(
    db: &impl ConnectionTrait,
    id: i32,
    limit: u64,
) -> Result<Vec<practice::Model>, sea_orm::DbErr> {
    use crate::entity::practice_theme;
    let themes: Vec<i32> = practice_theme::Entity::find()
        .select_only()
        .column(practice_theme::Column::ThemeId)
        .filter(practice_theme::Column::PracticeId.eq(id))
        .into_tuple()
        .all(db)
        .await?;
    if themes.is_empty() {
        return Ok(Vec::new());
    }
    let ranked: Vec<(i32, i64)> = practice_theme::Entity::find()
        .select_only()
        .column(practice_theme::Column::PracticeId)
        .column_as(Expr::col(practice_theme::Column::ThemeId).count(), "shared")
        .filter(practice_theme::Column::ThemeId.is_in(themes))
        .filter(practice_theme::Column::PracticeId.ne(id))
        .filter(practice_theme::Column::PracticeId.in_subquery(visible_ids()))
        .group_by(practice_theme::Column::PracticeId)
        .order_by_desc(Expr::col(practice_theme::Column::ThemeId).count())
        .order_by_asc(practice_theme::Column::PracticeId)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    let ids: Vec<i32> = ranked.iter().map(|(id, _)| *id).collect();
    let mut rows = by_ids(db, &ids).await?;
    rows.sort_by_key(|row| ids.iter().position(|id| *id == row.id));
    Ok(rows)
}

/// `SELECT id FROM practice WHERE <visible>`, for `IN (...)` subqueries.
pub fn visible_ids() -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column((practice::Entity, practice::Column::Id))
        .from(practice::Entity)
        .and_where(Expr::col((practice::Entity, practice::Column::Status)).eq("published"))
        .and_where(Expr::col((practice::Entity, practice::Column::DeletedAt)).is_null())
        .to_owned()
}
