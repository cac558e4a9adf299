//! Accounts: created on first sight of a token's `(issuer, subject)`, or with an API key.
//! A suspended account (`disabled_at` set) is refused by authentication, whatever credential
//! it presents.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Set,
};

use crate::domain::Role;
use crate::entity::account;

/// The account of `(issuer, subject)`, created when first seen. Its name and role follow the
/// identity provider: they are updated when the token says otherwise.
pub async fn from_token(
    db: &DatabaseConnection,
    issuer: &str,
    subject: &str,
    name: &str,
    role: Role,
) -> Result<account::Model, sea_orm::DbErr> {
    if let Some(existing) = by_subject(db, issuer, subject).await? {
        return refresh(db, existing, name, role).await;
    }
    let now = Utc::now().fixed_offset();
    let created = account::ActiveModel {
        name: Set(name.to_owned()),
        role: Set(role.as_str().to_owned()),
        issuer: Set(Some(issuer.to_owned())),
        subject: Set(Some(subject.to_owned())),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await;
    match created {
        Ok(account) => Ok(account),
        // Two first requests of the same person raced; the unique index kept one row.
        Err(error) => match by_subject(db, issuer, subject).await? {
            Some(existing) => refresh(db, existing, name, role).await,
            None => Err(error),
        },
    }
}

async fn by_subject(
    db: &impl ConnectionTrait,
    issuer: &str,
    subject: &str,
) -> Result<Option<account::Model>, sea_orm::DbErr> {
    account::Entity::find()
        .filter(account::Column::Issuer.eq(issuer))
        .filter(account::Column::Subject.eq(subject))
        .one(db)
        .await
}

async fn refresh(
    db: &DatabaseConnection,
    existing: account::Model,
    name: &str,
    role: Role,
) -> Result<account::Model, sea_orm::DbErr> {
    if existing.name == name && existing.role == role.as_str() {
        return Ok(existing);
    }
    let mut model: account::ActiveModel = existing.into();
    model.name = Set(name.to_owned());
    model.role = Set(role.as_str().to_owned());
    model.updated_at = Set(Utc::now().fixed_offset());
    model.update(db).await
}

pub async fn by_id(
    db: &impl ConnectionTrait,
    id: i32,
) -> Result<Option<account::Model>, sea_orm::DbErr> {
    account::Entity::find_by_id(id).one(db).await
}
