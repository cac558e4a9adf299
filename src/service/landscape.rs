//! What every admin write of the landscape (cities, their targets, memberships and commitments,
//! partnerships, events, campaigns) shares, so each action file holds only what is its own:
//! the `change_log` row and the audit row written together in the action's transaction
//! ([`log`]), a slug already taken added to the other validation problems ([`with_error`]), and
//! the city's profile lock ([`lock_city`]) that memberships and commitments bump like an edit of
//! the city itself.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Set,
};

use super::change_log::{self, Operation};
use super::concurrency::check_version;
use super::records::FieldError;
use super::{ServiceError, audit};
use crate::domain::{OrganisationKind, RecordKind, Slug, Viewer};
use crate::entity::{city, organisation};

/// One write as the change feed and the audit log see it.
pub struct Logged {
    pub kind: RecordKind,
    pub id: i32,
    pub operation: Operation,
    /// The audit action, `feature.verb`.
    pub action: &'static str,
    pub reason: Option<String>,
    pub details: serde_json::Value,
}

/// Appends the `change_log` row of the write (search, subscriptions and webhooks follow it),
/// then its audit row pointing at it. Call inside the write's transaction.
pub async fn log(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    logged: Logged,
) -> Result<(), sea_orm::DbErr> {
    let seq = change_log::append(txn, logged.kind, logged.id, logged.operation).await?;
    audit::record(
        txn,
        viewer,
        audit::Entry {
            action: logged.action,
            target: logged.kind,
            target_id: logged.id,
            reason: logged.reason,
            details: logged.details,
            change_seq: Some(seq),
        },
    )
    .await?;
    Ok(())
}

/// `resolved` with `error` (found apart from the shared checks, such as a taken slug) added.
pub fn with_error<R>(
    resolved: Result<R, Vec<FieldError>>,
    error: Option<FieldError>,
) -> Result<R, Vec<FieldError>> {
    match (resolved, error) {
        (resolved, None) => resolved,
        (Ok(_), Some(error)) => Err(vec![error]),
        (Err(mut errors), Some(error)) => {
            errors.push(error);
            Err(errors)
        }
    }
}

/// The error for `slug` when `taken`.
pub fn slug_taken(taken: bool, slug: &impl std::fmt::Display) -> Option<FieldError> {
    taken.then(|| FieldError::new("slug", format!("`{slug}` is taken")))
}

/// Inside `txn` (begun with [`change_log::begin_serialised`]: the read and the write that
/// follows must not race another writer): city `id` as stored, checked against `expected`
/// (the city's version).
pub async fn lock_city(
    txn: &DatabaseTransaction,
    id: i32,
    expected: Option<i64>,
) -> Result<city::Model, ServiceError> {
    let row = city::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or_else(|| ServiceError::not_found("city"))?;
    check_version("city", expected, i64::from(row.version))?;
    Ok(row)
}

/// Bumps the version of `city` (a part of its profile changed) and returns the new row.
pub async fn touch_city(
    txn: &DatabaseTransaction,
    city: &city::Model,
) -> Result<city::Model, sea_orm::DbErr> {
    city::ActiveModel {
        id: Set(city.id),
        version: Set(city.version + 1),
        updated_at: Set(Utc::now().fixed_offset()),
        ..Default::default()
    }
    .update(txn)
    .await
}

/// A city and an organisation a membership or commitment links, as a write names them.
pub struct CityLink {
    pub city: city::Model,
    pub organisation: organisation::Model,
}

/// The city `city` and the organisation `organisation` (at input field `field`); either
/// unknown is a user error at its field. Organisations must be networks or initiatives.
pub async fn resolve_link(
    db: &impl ConnectionTrait,
    city: &Slug,
    organisation: &Slug,
    field: &str,
) -> Result<CityLink, ServiceError> {
    let mut errors = Vec::new();
    let found_city = super::cities::by_slug(db, city.as_str()).await?;
    if found_city.is_none() {
        errors.push(FieldError::new("city", format!("unknown city `{city}`")));
    }
    let found = organisation::Entity::find()
        .filter(organisation::Column::Slug.eq(organisation.as_str()))
        .one(db)
        .await?;
    match &found {
        None => errors.push(FieldError::new(
            field,
            format!("unknown organisation `{organisation}`"),
        )),
        Some(row)
            if !matches!(
                OrganisationKind::from_stored(&row.kind),
                Some(OrganisationKind::Network | OrganisationKind::Initiative)
            ) =>
        {
            errors.push(FieldError::new(
                field,
                format!(
                    "`{organisation}` is a {}, not a network or an initiative",
                    row.kind
                ),
            ));
        }
        Some(_) => {}
    }
    match (found_city, found) {
        (Some(city), Some(organisation)) if errors.is_empty() => {
            Ok(CityLink { city, organisation })
        }
        _ => Err(ServiceError::Invalid(errors)),
    }
}

/// Ends a write to a part of `city`'s profile inside `txn`: bumps the city's version, logs
/// the change as the city's (search reloads it and the practices that embed its networks)
/// and commits. Returns the city as now stored.
pub async fn finish_city_change(
    txn: DatabaseTransaction,
    viewer: &Viewer,
    city: &city::Model,
    action: &'static str,
    reason: Option<String>,
    details: serde_json::Value,
) -> Result<city::Model, ServiceError> {
    let row = touch_city(&txn, city).await?;
    log(
        &txn,
        viewer,
        Logged {
            kind: RecordKind::City,
            id: city.id,
            operation: Operation::Upsert,
            action,
            reason,
            details,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}
