//! Reading organisations (networks, initiatives, funders, ...).

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::domain::OrganisationKind;
use crate::entity::organisation;

/// Organisation kinds that cities join: the `networks` query lists these.
pub const NETWORK_KINDS: [OrganisationKind; 2] =
    [OrganisationKind::Network, OrganisationKind::Initiative];

/// Organisations of any of `kinds` (all when empty) seated in any of `countries` (all when
/// empty), by name.
pub async fn list(
    db: &impl ConnectionTrait,
    kinds: &[OrganisationKind],
    countries: &[String],
) -> Result<Vec<organisation::Model>, sea_orm::DbErr> {
    let mut query = organisation::Entity::find();
    if !kinds.is_empty() {
        query =
            query.filter(organisation::Column::Kind.is_in(kinds.iter().map(|kind| kind.as_str())));
    }
    if !countries.is_empty() {
        query = query.filter(organisation::Column::CountryCode.is_in(countries.iter().cloned()));
    }
    query.order_by_asc(organisation::Column::Name).all(db).await
}

pub async fn by_slug(
    db: &impl ConnectionTrait,
    slug: &str,
) -> Result<Option<organisation::Model>, sea_orm::DbErr> {
    organisation::Entity::find()
        .filter(organisation::Column::Slug.eq(slug))
        .one(db)
        .await
}

pub async fn by_id(
    db: &impl ConnectionTrait,
    id: i32,
) -> Result<Option<organisation::Model>, sea_orm::DbErr> {
    organisation::Entity::find_by_id(id).one(db).await
}
