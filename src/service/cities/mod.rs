//! Cities: reading (`cities(filter:)`, `city(id:|slug:)`) and, one file per action, the
//! writes of a city's profile (admins, and a city's own account for its own city).

pub mod create;
pub mod update;
mod validate;

pub use validate::{NewCity, Targets};

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use super::ServiceError;
use super::paging::{Cursor, Page, PageRequest, keyset_condition};
use super::records::FieldError;
use crate::domain::{CountryCode, Slug, initiatives};
use crate::entity::{city, commitment, membership, organisation, region};

/// Every list is "any of"; the filters combine with AND.
#[derive(Clone, Debug, Default)]
pub struct CityFilter {
    /// Region codes; a region matches its whole subtree.
    pub regions: Vec<String>,
    pub countries: Vec<CountryCode>,
    /// Organisation slugs the city is a member of.
    pub networks: Vec<Slug>,
    /// Slug of an initiative the city has committed to.
    pub commitment: Option<Slug>,
    /// Code of a criterion of `commitment` the city does not meet today.
    pub missing_criterion: Option<String>,
}

async fn filtered(
    db: &impl ConnectionTrait,
    filter: &CityFilter,
) -> Result<Select<city::Entity>, ServiceError> {
    let mut errors = Vec::new();
    let mut query = city::Entity::find();
    if !filter.regions.is_empty() {
        let codes: Vec<&str> = filter.regions.iter().map(String::as_str).collect();
        let paths = super::practice_query::region_paths(db, &codes, "regions", &mut errors).await?;
        let any = super::chunked::any_of(
            paths
                .iter()
                .map(|path| Expr::col(region::Column::Path).like(format!("{path}%")))
                .collect(),
        );
        let within = Query::select()
            .column(region::Column::Id)
            .from(region::Entity)
            .and_where(any)
            .to_owned();
        query = query.filter(city::Column::RegionId.in_subquery(within));
    }
    if !filter.countries.is_empty() {
        query = query.filter(
            city::Column::CountryCode.is_in(filter.countries.iter().map(CountryCode::as_str)),
        );
    }
    if !filter.networks.is_empty() {
        let slugs: Vec<&str> = filter.networks.iter().map(Slug::as_str).collect();
        super::lookup::organisation_ids(db, &slugs, "networks", &mut errors).await?;
        let members = Query::select()
            .column((membership::Entity, membership::Column::CityId))
            .from(membership::Entity)
            .inner_join(
                organisation::Entity,
                Expr::col((organisation::Entity, organisation::Column::Id))
                    .equals((membership::Entity, membership::Column::OrganisationId)),
            )
            .and_where(Expr::col((organisation::Entity, organisation::Column::Slug)).is_in(slugs))
            .to_owned();
        query = query.filter(city::Column::Id.in_subquery(members));
    }
    if let Some(slug) = &filter.commitment {
        let from = errors.len();
        super::lookup::organisation_ids(db, &[slug.as_str()], "commitment", &mut errors).await?;
        super::lookup::as_single_field(&mut errors, from, "commitment");
        let committed = Query::select()
            .column((commitment::Entity, commitment::Column::CityId))
            .from(commitment::Entity)
            .inner_join(
                organisation::Entity,
                Expr::col((organisation::Entity, organisation::Column::Id))
                    .equals((commitment::Entity, commitment::Column::OrganisationId)),
            )
            .and_where(
                Expr::col((organisation::Entity, organisation::Column::Slug)).eq(slug.as_str()),
            )
            .to_owned();
        query = query.filter(city::Column::Id.in_subquery(committed));
    }
    if let Some(code) = &filter.missing_criterion {
        match filter.commitment.as_ref().map(|slug| initiatives::initiative(slug.as_str())) {
            None => errors.push(FieldError::new(
                "missingCriterion",
                "give `commitment` (the initiative) with `missingCriterion`",
            )),
            Some(None) => errors.push(FieldError::new(
                "commitment",
                "kxc holds no criteria for this initiative; initiatives with criteria are listed by `initiatives`",
            )),
            Some(Some(initiative)) => match initiative.criterion(code) {
                None => errors.push(FieldError::new(
                    "missingCriterion",
                    format!(
                        "unknown criterion of {}; one of {}",
                        initiative.slug,
                        initiative
                            .criteria
                            .iter()
                            .map(|criterion| criterion.code)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )),
                Some(criterion) => {
                    let ids = super::commitments::cities_missing(db, initiative, criterion.code)
                        .await?;
                    query = query.filter(city::Column::Id.is_in(ids));
                }
            },
        }
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

pub async fn count(db: &impl ConnectionTrait, filter: &CityFilter) -> Result<u64, ServiceError> {
    Ok(filtered(db, filter).await?.count(db).await?)
}

/// Cities by name (then id), by keyset.
pub async fn page(
    db: &impl ConnectionTrait,
    filter: &CityFilter,
    request: &PageRequest,
) -> Result<Page<city::Model>, ServiceError> {
    let ascending = request.is_forward();
    let mut query = filtered(db, filter).await?;
    if let Some(cursor) = request.cursor() {
        let name = cursor.key.clone().unwrap_or_default();
        query = query.filter(keyset_condition(
            Expr::col((city::Entity, city::Column::Name)),
            Expr::col((city::Entity, city::Column::Id)),
            name.into(),
            cursor.id,
            ascending,
        ));
    }
    let order = if ascending { Order::Asc } else { Order::Desc };
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

pub async fn by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<city::Model>, sea_orm::DbErr> {
    city::Entity::find()
        .filter(city::Column::Slug.eq(slug))
        .one(db)
        .await
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
    super::chunked::load(db, ids, super::chunked::PerKey::IN_LIST, |ids| {
        city::Entity::find()
            .filter(city::Column::Id.is_in(ids.iter().copied()))
            .all(db)
    })
    .await
}
