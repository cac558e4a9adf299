//! `addMembership`, `updateMembership` and `removeMembership` (admins): a city's standing in a
//! network (role and the year it joined). Each write bumps the city's version and logs the
//! change as the city's, so search (which files cities and their practices under their
//! networks), subscriptions and webhooks follow it.

use chrono::Datelike;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, ModelTrait,
    QueryFilter, Set,
};

use super::permissions::{self, Action};
use super::records::FieldError;
use super::{ServiceError, landscape};
use crate::domain::{MembershipRole, Slug, Viewer};
use crate::entity::{city, membership};

/// The earliest year a membership may start (the oldest networks are younger).
pub const EARLIEST_SINCE: i32 = 1900;

/// Which membership: the city and the network, by slug.
#[derive(Clone, Debug)]
pub struct Key {
    pub city: Slug,
    pub network: Slug,
}

/// What to write; for an update `None` keeps the stored value (`since: Some(None)` clears it).
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub role: Option<MembershipRole>,
    pub since: Option<Option<i32>>,
}

/// What a membership write does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Write {
    Add,
    Update,
    Remove,
}

impl Write {
    fn action(self) -> &'static str {
        match self {
            Write::Add => "membership.add",
            Write::Update => "membership.update",
            Write::Remove => "membership.remove",
        }
    }
}

/// The membership of city `city_id` in organisation `organisation_id`, if any.
pub async fn find(
    db: &impl ConnectionTrait,
    city_id: i32,
    organisation_id: i32,
) -> Result<Option<membership::Model>, sea_orm::DbErr> {
    membership::Entity::find()
        .filter(membership::Column::CityId.eq(city_id))
        .filter(membership::Column::OrganisationId.eq(organisation_id))
        .one(db)
        .await
}

fn since_errors(since: Option<i32>) -> Vec<FieldError> {
    let this_year = chrono::Utc::now().year();
    match since {
        Some(year) if !(EARLIEST_SINCE..=this_year).contains(&year) => vec![FieldError::new(
            "since",
            format!("must be a year in {EARLIEST_SINCE}..{this_year}"),
        )],
        _ => Vec::new(),
    }
}

/// Adds, changes or removes one membership; returns the city as now stored and the
/// membership (none once removed).
pub async fn run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    write: Write,
    key: Key,
    expected_version: Option<i64>,
    changes: Changes,
    reason: Option<String>,
) -> Result<(city::Model, Option<membership::Model>), ServiceError> {
    permissions::check(viewer, Action::ManageLandscape)?;
    let link = landscape::resolve_link(db, &key.city, &key.network, "network").await?;
    let stored = find(db, link.city.id, link.organisation.id).await?;
    let mut errors = since_errors(changes.since.flatten());
    match (write, &stored) {
        (Write::Add, Some(_)) => errors.push(FieldError::new(
            "network",
            format!(
                "{} is already a member of `{}`; change it with updateMembership",
                link.city.name, key.network
            ),
        )),
        (Write::Update | Write::Remove, None) => {
            return Err(ServiceError::not_found("membership"));
        }
        _ => {}
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let txn = crate::service::change_log::begin_serialised(db).await?;
    let city = landscape::lock_city(&txn, link.city.id, expected_version).await?;
    let row = match (write, stored) {
        (Write::Add, _) => Some(
            membership::ActiveModel {
                city_id: Set(city.id),
                organisation_id: Set(link.organisation.id),
                role: Set(changes
                    .role
                    .unwrap_or(MembershipRole::Member)
                    .as_str()
                    .to_owned()),
                since_year: Set(changes.since.flatten()),
                ..Default::default()
            }
            .insert(&txn)
            .await?,
        ),
        (Write::Update, Some(stored)) => Some(
            membership::ActiveModel {
                id: Set(stored.id),
                role: Set(changes
                    .role
                    .map_or(stored.role.clone(), |role| role.as_str().to_owned())),
                since_year: Set(changes.since.unwrap_or(stored.since_year)),
                ..Default::default()
            }
            .update(&txn)
            .await?,
        ),
        (_, stored) => {
            if let Some(stored) = stored {
                stored.delete(&txn).await?;
            }
            None
        }
    };
    let details = serde_json::json!({
        "city": city.slug, "network": key.network.as_str(),
        "role": row.as_ref().map(|row| row.role.clone()),
        "since": row.as_ref().and_then(|row| row.since_year),
    });
    let city =
        landscape::finish_city_change(txn, viewer, &city, write.action(), reason, details).await?;
    Ok((city, row))
}
