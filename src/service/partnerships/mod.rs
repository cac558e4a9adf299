//! City-to-city partnerships: reading (`partnerships(filter:)`, `partnership(id:)`,
//! `City.partnerships`) and, one file per action, the admin writes.

pub mod create;
pub mod delete;
pub mod update;
mod validate;

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use super::ServiceError;
use super::chunked::{self, PerKey};
use super::paging::{Cursor, Page, PageRequest, keyset_condition};
use crate::domain::{PartnershipKind, PartnershipStatus, Slug, ThemePath};
use crate::entity::{city, partnership, partnership_city, partnership_theme, region, theme};

pub use validate::{NewPartnership, Participant};

/// Every list is "any of"; the parts combine with AND.
#[derive(Clone, Debug, Default)]
pub struct PartnershipFilter {
    pub kinds: Vec<PartnershipKind>,
    pub statuses: Vec<PartnershipStatus>,
    /// City slugs; a partnership matches when one of them takes part.
    pub cities: Vec<Slug>,
    /// Theme paths; each matches its whole subtree.
    pub themes: Vec<ThemePath>,
    /// Region codes; a partnership matches when a participant lies in one of their subtrees.
    pub regions: Vec<String>,
}

/// Ids of partnerships tagged with any of `paths` or a theme below them.
fn with_themes(paths: &[&str]) -> SelectStatement {
    let any = chunked::any_of(
        paths
            .iter()
            .flat_map(|path| {
                [
                    Expr::col((theme::Entity, theme::Column::Path)).eq(*path),
                    Expr::col((theme::Entity, theme::Column::Path)).like(format!("{path}/%")),
                ]
            })
            .collect(),
    );
    Query::select()
        .column((
            partnership_theme::Entity,
            partnership_theme::Column::PartnershipId,
        ))
        .from(partnership_theme::Entity)
        .inner_join(
            theme::Entity,
            Expr::col((theme::Entity, theme::Column::Id)).equals((
                partnership_theme::Entity,
                partnership_theme::Column::ThemeId,
            )),
        )
        .cond_where(any)
        .to_owned()
}

async fn filtered(
    db: &impl ConnectionTrait,
    filter: &PartnershipFilter,
) -> Result<Select<partnership::Entity>, ServiceError> {
    let mut errors = Vec::new();
    let mut query = partnership::Entity::find();
    if !filter.kinds.is_empty() {
        query = query
            .filter(partnership::Column::Kind.is_in(filter.kinds.iter().map(|kind| kind.as_str())));
    }
    if !filter.statuses.is_empty() {
        query = query.filter(
            partnership::Column::Status.is_in(filter.statuses.iter().map(|status| status.as_str())),
        );
    }
    if !filter.cities.is_empty() {
        let slugs: Vec<&str> = filter.cities.iter().map(Slug::as_str).collect();
        let ids = super::lookup::city_ids(db, &slugs, "cities", &mut errors).await?;
        let with_cities = Query::select()
            .column(partnership_city::Column::PartnershipId)
            .from(partnership_city::Entity)
            .and_where(Expr::col(partnership_city::Column::CityId).is_in(ids))
            .to_owned();
        query = query.filter(partnership::Column::Id.in_subquery(with_cities));
    }
    if !filter.themes.is_empty() {
        let paths: Vec<&str> = filter.themes.iter().map(ThemePath::as_str).collect();
        super::lookup::theme_ids(db, &paths, "themes", &mut errors).await?;
        query = query.filter(partnership::Column::Id.in_subquery(with_themes(&paths)));
    }
    if !filter.regions.is_empty() {
        let codes: Vec<&str> = filter.regions.iter().map(String::as_str).collect();
        let paths = super::practice_query::region_paths(db, &codes, "regions", &mut errors).await?;
        let any = chunked::any_of(
            paths
                .iter()
                .map(|path| {
                    Expr::col((region::Entity, region::Column::Path)).like(format!("{path}%"))
                })
                .collect(),
        );
        let within = Query::select()
            .column((
                partnership_city::Entity,
                partnership_city::Column::PartnershipId,
            ))
            .from(partnership_city::Entity)
            .inner_join(
                city::Entity,
                Expr::col((city::Entity, city::Column::Id))
                    .equals((partnership_city::Entity, partnership_city::Column::CityId)),
            )
            .inner_join(
                region::Entity,
                Expr::col((region::Entity, region::Column::Id))
                    .equals((city::Entity, city::Column::RegionId)),
            )
            .and_where(any)
            .to_owned();
        query = query.filter(partnership::Column::Id.in_subquery(within));
    }
    if errors.is_empty() {
        Ok(query)
    } else {
        Err(ServiceError::Invalid(
            errors
                .into_iter()
                .map(|error| error.under("filter"))
                .collect(),
        ))
    }
}

pub async fn count(
    db: &impl ConnectionTrait,
    filter: &PartnershipFilter,
) -> Result<u64, ServiceError> {
    Ok(filtered(db, filter).await?.count(db).await?)
}

/// Partnerships by name (then id), by keyset.
pub async fn page(
    db: &impl ConnectionTrait,
    filter: &PartnershipFilter,
    request: &PageRequest,
) -> Result<Page<partnership::Model>, ServiceError> {
    let ascending = request.is_forward();
    let mut query = filtered(db, filter).await?;
    if let Some(cursor) = request.cursor() {
        let name = cursor.key.clone().unwrap_or_default();
        query = query.filter(keyset_condition(
            Expr::col((partnership::Entity, partnership::Column::Name)),
            Expr::col((partnership::Entity, partnership::Column::Id)),
            name.into(),
            cursor.id,
            ascending,
        ));
    }
    let order = if ascending { Order::Asc } else { Order::Desc };
    let rows = query
        .order_by(partnership::Column::Name, order.clone())
        .order_by(partnership::Column::Id, order)
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
) -> Result<Option<partnership::Model>, sea_orm::DbErr> {
    partnership::Entity::find_by_id(id).one(db).await
}

pub async fn by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<partnership::Model>, sea_orm::DbErr> {
    partnership::Entity::find()
        .filter(partnership::Column::Slug.eq(slug))
        .one(db)
        .await
}

/// The participant rows of many partnerships, each list in city-id order.
pub async fn participants(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, Vec<partnership_city::Model>>, sea_orm::DbErr> {
    chunked::load(db, ids, PerKey::IN_LIST, |ids| async move {
        let rows = partnership_city::Entity::find()
            .filter(partnership_city::Column::PartnershipId.is_in(ids.iter().copied()))
            .order_by_asc(partnership_city::Column::CityId)
            .all(db)
            .await?;
        let mut grouped: HashMap<i32, Vec<partnership_city::Model>> = HashMap::new();
        for row in rows {
            grouped.entry(row.partnership_id).or_default().push(row);
        }
        Ok(grouped)
    })
    .await
}

/// The theme ids of many partnerships.
pub async fn theme_ids(
    db: &impl ConnectionTrait,
    ids: &[i32],
) -> Result<HashMap<i32, Vec<i32>>, sea_orm::DbErr> {
    chunked::load(db, ids, PerKey::IN_LIST, |ids| async move {
        let rows = partnership_theme::Entity::find()
            .filter(partnership_theme::Column::PartnershipId.is_in(ids.iter().copied()))
            .all(db)
            .await?;
        let mut grouped: HashMap<i32, Vec<i32>> = HashMap::new();
        for row in rows {
            grouped
                .entry(row.partnership_id)
                .or_default()
                .push(row.theme_id);
        }
        Ok(grouped)
    })
    .await
}

/// The partnerships each of many cities takes part in, by name.
pub async fn of_cities(
    db: &impl ConnectionTrait,
    city_ids: &[i32],
) -> Result<HashMap<i32, Vec<partnership::Model>>, sea_orm::DbErr> {
    chunked::load(db, city_ids, PerKey::IN_LIST, |ids| async move {
        let rows = partnership_city::Entity::find()
            .filter(partnership_city::Column::CityId.is_in(ids.iter().copied()))
            .find_also_related(partnership::Entity)
            .order_by_asc(partnership::Column::Name)
            .order_by_asc(partnership::Column::Id)
            .all(db)
            .await?;
        let mut grouped: HashMap<i32, Vec<partnership::Model>> = HashMap::new();
        for (link, row) in rows {
            if let Some(row) = row {
                grouped.entry(link.city_id).or_default().push(row);
            }
        }
        Ok(grouped)
    })
    .await
}
