//! `updateEvent` (admins): the stored event with the given fields replaced, checked like a
//! new one, written with its version bumped (`expectedVersion` guards it).

use chrono::{NaiveDate, NaiveTime, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use super::validate::{self, NewEvent, parse_time, parse_time_zone};
use crate::domain::{Description, HttpUrl, RecordKind, Slug, ThemePath, Title, Viewer};
use crate::entity::{campaign, city, event, event_theme, organisation, theme};
use crate::service::change_log::Operation;
use crate::service::concurrency::check_version;
use crate::service::permissions::{self, Action};
use crate::service::{ServiceError, landscape};

/// What to change; `None` keeps the stored value, `Some(None)` clears an optional one.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub title: Option<Title>,
    pub description: Option<Description>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub start_time: Option<Option<NaiveTime>>,
    pub end_time: Option<Option<NaiveTime>>,
    pub time_zone: Option<chrono_tz::Tz>,
    pub online: Option<bool>,
    pub url: Option<Option<HttpUrl>>,
    pub city: Option<Option<Slug>>,
    pub organiser: Option<Option<Slug>>,
    pub campaign: Option<Option<Slug>>,
    pub themes: Option<Vec<ThemePath>>,
}

pub async fn run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    expected_version: Option<i64>,
    changes: Changes,
    reason: Option<String>,
) -> Result<event::Model, ServiceError> {
    permissions::check(viewer, Action::ManageLandscape)?;
    let stored = super::by_id(db, id)
        .await?
        .ok_or_else(|| ServiceError::not_found("event"))?;
    check_version("event", expected_version, i64::from(stored.version))?;
    let merged = merge(db, &stored, changes).await?;
    let resolved = validate::check(db, &merged)
        .await?
        .map_err(ServiceError::Invalid)?;
    let now = Utc::now().fixed_offset();
    let txn = crate::service::change_log::begin_write(db).await?;
    let current = event::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| ServiceError::not_found("event"))?;
    check_version("event", expected_version, i64::from(current.version))?;
    let row = event::ActiveModel {
        id: Set(id),
        version: Set(current.version + 1),
        ..super::create::fields(&merged, &resolved, now)
    }
    .update(&txn)
    .await?;
    super::create::write_themes(&txn, id, &resolved.theme_ids).await?;
    landscape::log(
        &txn,
        viewer,
        landscape::Logged {
            kind: RecordKind::Event,
            id,
            operation: Operation::Upsert,
            action: "event.update",
            reason,
            details: serde_json::json!({ "slug": row.slug, "version": row.version }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

async fn slug_of<E>(db: &DatabaseConnection, id: Option<i32>) -> Result<Option<Slug>, ServiceError>
where
    E: EntityTrait,
    E::Model: sea_orm::ModelTrait + HasSlug,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<i32>,
{
    let Some(id) = id else { return Ok(None) };
    Ok(E::find_by_id(id)
        .one(db)
        .await?
        .and_then(|row| Slug::parse(row.slug()).ok()))
}

trait HasSlug {
    fn slug(&self) -> &str;
}

impl HasSlug for city::Model {
    fn slug(&self) -> &str {
        &self.slug
    }
}

impl HasSlug for organisation::Model {
    fn slug(&self) -> &str {
        &self.slug
    }
}

impl HasSlug for campaign::Model {
    fn slug(&self) -> &str {
        &self.slug
    }
}

async fn merge(
    db: &DatabaseConnection,
    stored: &event::Model,
    changes: Changes,
) -> Result<NewEvent, ServiceError> {
    let corrupt = |column: &str| {
        ServiceError::Db(sea_orm::DbErr::Custom(format!(
            "event {} has an invalid {column}",
            stored.id
        )))
    };
    let stored_time = |text: &Option<String>, column: &str| {
        text.as_deref()
            .map(parse_time)
            .transpose()
            .map_err(|_| corrupt(column))
    };
    let themes = match changes.themes {
        Some(themes) => themes,
        None => event_theme::Entity::find()
            .filter(event_theme::Column::EventId.eq(stored.id))
            .find_also_related(theme::Entity)
            .all(db)
            .await?
            .into_iter()
            .filter_map(|(_, theme)| theme)
            .map(|theme| ThemePath::parse(&theme.path).map_err(|_| corrupt("theme path")))
            .collect::<Result<_, ServiceError>>()?,
    };
    Ok(NewEvent {
        slug: Slug::parse(&stored.slug).map_err(|_| corrupt("slug"))?,
        title: match changes.title {
            Some(title) => title,
            None => Title::parse(stored.title.clone()).map_err(|_| corrupt("title"))?,
        },
        description: match changes.description {
            Some(description) => description,
            None => Description::parse(stored.description.clone())
                .map_err(|_| corrupt("description"))?,
        },
        starts_on: changes.starts_on.unwrap_or(stored.starts_on),
        ends_on: changes.ends_on.unwrap_or(stored.ends_on),
        start_time: match changes.start_time {
            Some(time) => time,
            None => stored_time(&stored.start_time, "start_time")?,
        },
        end_time: match changes.end_time {
            Some(time) => time,
            None => stored_time(&stored.end_time, "end_time")?,
        },
        time_zone: match changes.time_zone {
            Some(zone) => zone,
            None => parse_time_zone(&stored.time_zone).map_err(|_| corrupt("time_zone"))?,
        },
        online: changes.online.unwrap_or(stored.online),
        url: match changes.url {
            Some(url) => url,
            None => stored
                .url
                .as_deref()
                .and_then(|url| HttpUrl::parse(url).ok()),
        },
        city: match changes.city {
            Some(city) => city,
            None => slug_of::<city::Entity>(db, stored.city_id).await?,
        },
        organiser: match changes.organiser {
            Some(organiser) => organiser,
            None => slug_of::<organisation::Entity>(db, stored.organiser_id).await?,
        },
        campaign: match changes.campaign {
            Some(campaign) => campaign,
            None => slug_of::<campaign::Entity>(db, stored.campaign_id).await?,
        },
        themes,
    })
}
