//! API keys of services and partner platforms. Creating and revoking are privileged actions,
//! one per file (`create.rs`, `revoke.rs`); reading and checking a presented key live here.
//! A key is looked up by its prefix and checked against its stored hash on every request, so
//! a revoked key fails on its very next request.

pub mod create;
pub mod revoke;

use chrono::{Duration, Utc};
use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::ServiceError;
use super::permissions::{self, Action};
use crate::auth::api_key;
use crate::domain::Viewer;
use crate::entity::{account, api_key as key_entity};

/// How stale `last_used_at` may get before a request refreshes it: one write a minute per
/// key at most, not one per request.
const LAST_USED_PRECISION: Duration = Duration::seconds(60);

/// Every key, newest first. Admins only.
pub async fn list(
    db: &impl ConnectionTrait,
    viewer: &Viewer,
) -> Result<Vec<key_entity::Model>, ServiceError> {
    permissions::check(viewer, Action::ManageApiKeys)?;
    Ok(key_entity::Entity::find()
        .order_by_desc(key_entity::Column::CreatedAt)
        .order_by_desc(key_entity::Column::Id)
        .all(db)
        .await?)
}

pub async fn by_prefix(
    db: &impl ConnectionTrait,
    prefix: &str,
) -> Result<Option<key_entity::Model>, sea_orm::DbErr> {
    key_entity::Entity::find()
        .filter(key_entity::Column::Prefix.eq(prefix))
        .one(db)
        .await
}

/// Why a presented key does not authenticate.
#[derive(Debug, PartialEq, Eq)]
pub enum KeyRefusal {
    Unknown,
    Revoked,
}

/// The key and its account when `whole` is a key this server issued and has not revoked.
/// Marks the key used.
pub async fn check(
    db: &impl ConnectionTrait,
    whole: &str,
) -> Result<Result<(key_entity::Model, account::Model), KeyRefusal>, sea_orm::DbErr> {
    let Some(presented) = api_key::parse(whole) else {
        return Ok(Err(KeyRefusal::Unknown));
    };
    let Some((key, Some(owner))) = key_entity::Entity::find()
        .filter(key_entity::Column::Prefix.eq(presented.prefix))
        .find_also_related(account::Entity)
        .one(db)
        .await?
    else {
        return Ok(Err(KeyRefusal::Unknown));
    };
    if !api_key::matches(presented.whole, &key.key_hash) {
        return Ok(Err(KeyRefusal::Unknown));
    }
    if key.revoked_at.is_some() {
        return Ok(Err(KeyRefusal::Revoked));
    }
    let now = Utc::now().fixed_offset();
    key_entity::Entity::update_many()
        .col_expr(key_entity::Column::LastUsedAt, Expr::value(now))
        .filter(key_entity::Column::Id.eq(key.id))
        .filter(
            Condition::any()
                .add(key_entity::Column::LastUsedAt.is_null())
                .add(key_entity::Column::LastUsedAt.lt(now - LAST_USED_PRECISION)),
        )
        .exec(db)
        .await?;
    Ok(Ok((key, owner)))
}
