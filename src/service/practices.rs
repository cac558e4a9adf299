//! Reading practices as a viewer sees them: filtered keyset pages, counts and lookups. What a
//! viewer may see is decided once, by `permissions::practice_visibility`; anonymous visitors
//! see published practices, authors their own too, reviewers submitted ones too.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use super::ServiceError;
use super::chunked::{self, PerKey};
use super::paging::{Cursor, Page, PageRequest, keyset_condition};
use super::permissions;
use super::practice_query::{PracticeFilter, PracticeOrder};
use super::records::FieldError;
use super::reference::Reference;
use crate::domain::Viewer;
use crate::entity::practice;

/// The base query every reader starts from: what `viewer` may see.
pub fn visible(viewer: &Viewer) -> Select<practice::Entity> {
    practice::Entity::find().filter(permissions::practice_visibility(viewer))
}

pub(crate) async fn filtered(
    db: &impl ConnectionTrait,
    reference: &Reference,
    viewer: &Viewer,
    filter: &PracticeFilter,
) -> Result<Select<practice::Entity>, ServiceError> {
    let condition = filter.resolve(db, reference).await?.map_err(|errors| {
        ServiceError::Invalid(
            errors
                .into_iter()
                .map(|error| error.under("filter"))
                .collect(),
        )
    })?;
    Ok(visible(viewer).filter(condition))
}

pub async fn count(
    db: &impl ConnectionTrait,
    reference: &Reference,
    viewer: &Viewer,
    filter: &PracticeFilter,
) -> Result<u64, ServiceError> {
    Ok(filtered(db, reference, viewer, filter)
        .await?
        .count(db)
        .await?)
}

/// One page in `order`, by keyset on `(sort key, id)`.
pub async fn page(
    db: &impl ConnectionTrait,
    reference: &Reference,
    viewer: &Viewer,
    filter: &PracticeFilter,
    order: PracticeOrder,
    request: &PageRequest,
) -> Result<Page<practice::Model>, ServiceError> {
    let mut query = filtered(db, reference, viewer, filter).await?;
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
    viewer: &Viewer,
    slug: &str,
) -> Result<Option<practice::Model>, sea_orm::DbErr> {
    visible(viewer)
        .filter(practice::Column::Slug.eq(slug))
        .one(db)
        .await
}

pub async fn by_id(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    id: i32,
) -> Result<Option<practice::Model>, sea_orm::DbErr> {
    visible(viewer)
        .filter(practice::Column::Id.eq(id))
        .one(db)
        .await
}

pub async fn by_ids(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    ids: &[i32],
) -> Result<Vec<practice::Model>, sea_orm::DbErr> {
    chunked::load(db, ids, PerKey::IN_LIST, |ids| {
        visible(viewer)
            .filter(practice::Column::Id.is_in(ids.iter().copied()))
            .all(db)
    })
    .await
}

/// Practices sharing the most themes with `id` (then the best scored), excluding itself.
pub async fn related(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
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
        .filter(practice_theme::Column::PracticeId.in_subquery(visible_ids(viewer)))
        .group_by(practice_theme::Column::PracticeId)
        .order_by_desc(Expr::col(practice_theme::Column::ThemeId).count())
        .order_by_asc(practice_theme::Column::PracticeId)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await?;
    let ids: Vec<i32> = ranked.iter().map(|(id, _)| *id).collect();
    let mut rows = by_ids(db, viewer, &ids).await?;
    rows.sort_by_key(|row| ids.iter().position(|id| *id == row.id));
    Ok(rows)
}

/// `SELECT id FROM practice WHERE <visible to viewer>`, for `IN (...)` subqueries.
pub fn visible_ids(viewer: &Viewer) -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column((practice::Entity, practice::Column::Id))
        .from(practice::Entity)
        .cond_where(permissions::practice_visibility(viewer))
        .to_owned()
}

/// Ids of practices `viewer` may see that anonymous visitors may not (drafts of their own,
/// submitted ones for reviewers), most recently updated first, at most `limit`. Search adds
/// these to what the public index finds.
pub async fn unpublished_visible_ids(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
    limit: u64,
) -> Result<Vec<i32>, sea_orm::DbErr> {
    if !permissions::sees_unpublished_practices(viewer) {
        return Ok(Vec::new());
    }
    visible(viewer)
        .filter(practice::Column::Status.ne("published"))
        .select_only()
        .column(practice::Column::Id)
        .order_by_desc(practice::Column::UpdatedAt)
        .order_by_desc(practice::Column::Id)
        .limit(limit)
        .into_tuple()
        .all(db)
        .await
}
