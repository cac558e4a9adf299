//! `createEvent` (admins): validation, then one transaction with the event, its themes, its
//! `change_log` row and its audit row.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, Set,
};

use super::validate::{self, NewEvent, Resolved};
use crate::domain::{RecordKind, Viewer};
use crate::entity::{event, event_theme};
use crate::service::change_log::Operation;
use crate::service::permissions::{self, Action};
use crate::service::{ServiceError, landscape};

pub async fn run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    new: NewEvent,
    reason: Option<String>,
) -> Result<event::Model, ServiceError> {
    permissions::check(viewer, Action::ManageLandscape)?;
    let taken = super::by_slug(db, new.slug.as_str()).await?.is_some();
    let resolved = landscape::with_error(
        validate::check(db, &new).await?,
        landscape::slug_taken(taken, &new.slug),
    )
    .map_err(ServiceError::Invalid)?;
    let now = Utc::now().fixed_offset();
    let txn = crate::service::change_log::begin_write(db).await?;
    let row = event::ActiveModel {
        slug: Set(new.slug.to_string()),
        created_at: Set(now),
        version: Set(1),
        ..fields(&new, &resolved, now)
    }
    .insert(&txn)
    .await?;
    write_themes(&txn, row.id, &resolved.theme_ids).await?;
    landscape::log(
        &txn,
        viewer,
        landscape::Logged {
            kind: RecordKind::Event,
            id: row.id,
            operation: Operation::Upsert,
            action: "event.create",
            reason,
            details: serde_json::json!({ "slug": row.slug, "title": row.title }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The columns a write sets (all but id, slug, created_at and version).
pub(super) fn fields(
    new: &NewEvent,
    resolved: &Resolved,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> event::ActiveModel {
    let time = |time: Option<chrono::NaiveTime>| time.map(|time| time.format("%H:%M").to_string());
    event::ActiveModel {
        title: Set(new.title.to_string()),
        description: Set(new.description.to_string()),
        starts_on: Set(new.starts_on),
        ends_on: Set(new.ends_on),
        start_time: Set(time(new.start_time)),
        end_time: Set(time(new.end_time)),
        time_zone: Set(new.time_zone.name().to_owned()),
        city_id: Set(resolved.city_id),
        online: Set(new.online),
        organiser_id: Set(resolved.organiser_id),
        campaign_id: Set(resolved.campaign_id),
        url: Set(new.url.as_ref().map(ToString::to_string)),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Replaces the theme rows of event `id`.
pub(crate) async fn write_themes(
    txn: &DatabaseTransaction,
    id: i32,
    theme_ids: &[i32],
) -> Result<(), sea_orm::DbErr> {
    event_theme::Entity::delete_many()
        .filter(event_theme::Column::EventId.eq(id))
        .exec(txn)
        .await?;
    for theme_id in theme_ids {
        event_theme::ActiveModel {
            event_id: Set(id),
            theme_id: Set(*theme_id),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}
