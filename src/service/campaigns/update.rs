//! `updateCampaign` (admins): the stored campaign with the given fields replaced, checked like
//! a new one, written with its version bumped (`expectedVersion` guards it).

use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};

use super::validate::{self, NewCampaign};
use crate::domain::{CountryCode, Description, HttpUrl, Name, RecordKind, Slug, Viewer};
use crate::entity::{campaign, organisation};
use crate::service::change_log::Operation;
use crate::service::concurrency::check_version;
use crate::service::permissions::{self, Action};
use crate::service::{ServiceError, landscape};

/// What to change; `None` keeps the stored value, `Some(None)` clears an optional one.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub name: Option<Name>,
    pub description: Option<Description>,
    pub organiser: Option<Option<Slug>>,
    pub country: Option<Option<CountryCode>>,
    pub url: Option<Option<HttpUrl>>,
    pub starts_on: Option<Option<chrono::NaiveDate>>,
    pub ends_on: Option<Option<chrono::NaiveDate>>,
    pub joining_steps: Option<Vec<Description>>,
}

pub async fn run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    expected_version: Option<i64>,
    changes: Changes,
    reason: Option<String>,
) -> Result<campaign::Model, ServiceError> {
    permissions::check(viewer, Action::ManageLandscape)?;
    let stored = super::by_id(db, id)
        .await?
        .ok_or_else(|| ServiceError::not_found("campaign"))?;
    check_version("campaign", expected_version, i64::from(stored.version))?;
    let merged = merge(db, &stored, changes).await?;
    let organiser = validate::check(db, &merged)
        .await?
        .map_err(ServiceError::Invalid)?;
    let now = Utc::now().fixed_offset();
    let txn = crate::service::change_log::begin_serialised(db).await?;
    let current = campaign::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| ServiceError::not_found("campaign"))?;
    check_version("campaign", expected_version, i64::from(current.version))?;
    let row = campaign::ActiveModel {
        id: Set(id),
        version: Set(current.version + 1),
        ..super::create::fields(&merged, organiser, now)
    }
    .update(&txn)
    .await?;
    landscape::log(
        &txn,
        viewer,
        landscape::Logged {
            kind: RecordKind::Campaign,
            id,
            operation: Operation::Upsert,
            action: "campaign.update",
            reason,
            details: serde_json::json!({ "slug": row.slug, "version": row.version }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

async fn merge(
    db: &DatabaseConnection,
    stored: &campaign::Model,
    changes: Changes,
) -> Result<NewCampaign, ServiceError> {
    let corrupt = |column: &str| {
        ServiceError::Db(sea_orm::DbErr::Custom(format!(
            "campaign {} has an invalid {column}",
            stored.id
        )))
    };
    let organiser = match changes.organiser {
        Some(slug) => slug,
        None => match stored.organiser_id {
            Some(id) => organisation::Entity::find_by_id(id)
                .one(db)
                .await?
                .and_then(|row| Slug::parse(&row.slug).ok()),
            None => None,
        },
    };
    let joining_steps = match changes.joining_steps {
        Some(steps) => steps,
        None => {
            let steps: Vec<String> = stored
                .joining_steps
                .clone()
                .and_then(|value| serde_json::from_value(value).ok())
                .unwrap_or_default();
            steps
                .into_iter()
                .map(|step| Description::parse(step).map_err(|_| corrupt("joining_steps")))
                .collect::<Result<_, _>>()?
        }
    };
    Ok(NewCampaign {
        slug: Slug::parse(&stored.slug).map_err(|_| corrupt("slug"))?,
        name: match changes.name {
            Some(name) => name,
            None => Name::parse(stored.name.clone()).map_err(|_| corrupt("name"))?,
        },
        description: match changes.description {
            Some(description) => description,
            None => Description::parse(stored.description.clone())
                .map_err(|_| corrupt("description"))?,
        },
        organiser,
        country: match changes.country {
            Some(country) => country,
            None => stored
                .country_code
                .as_deref()
                .and_then(|code| CountryCode::parse(code).ok()),
        },
        url: match changes.url {
            Some(url) => url,
            None => stored
                .url
                .as_deref()
                .and_then(|url| HttpUrl::parse(url).ok()),
        },
        starts_on: changes.starts_on.unwrap_or(stored.starts_on),
        ends_on: changes.ends_on.unwrap_or(stored.ends_on),
        joining_steps,
    })
}
