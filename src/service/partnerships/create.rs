//! `createPartnership` (admins): validation, then one transaction with the partnership, its
//! participants and themes, its `change_log` row and its audit row.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter, Set,
};

use super::validate::{self, NewPartnership, Resolved};
use crate::domain::{RecordKind, Viewer};
use crate::entity::{partnership, partnership_city, partnership_theme};
use crate::service::change_log::Operation;
use crate::service::permissions::{self, Action};
use crate::service::{ServiceError, landscape};

pub async fn run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    new: NewPartnership,
    reason: Option<String>,
) -> Result<partnership::Model, ServiceError> {
    permissions::check(viewer, Action::ManageLandscape)?;
    let taken = super::by_slug(db, new.slug.as_str()).await?.is_some();
    let resolved = landscape::with_error(
        validate::check(db, &new).await?,
        landscape::slug_taken(taken, &new.slug),
    )
    .map_err(ServiceError::Invalid)?;
    let now = Utc::now().fixed_offset();
    let txn = crate::service::change_log::begin_write(db).await?;
    let row = partnership::ActiveModel {
        slug: Set(new.slug.to_string()),
        created_at: Set(now),
        version: Set(1),
        ..fields(&new, now)
    }
    .insert(&txn)
    .await?;
    write_links(&txn, row.id, &resolved).await?;
    landscape::log(
        &txn,
        viewer,
        landscape::Logged {
            kind: RecordKind::Partnership,
            id: row.id,
            operation: Operation::Upsert,
            action: "partnership.create",
            reason,
            details: serde_json::json!({ "slug": row.slug, "name": row.name }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The columns a write sets from `new` (all but id, slug, created_at and version).
pub(super) fn fields(
    new: &NewPartnership,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> partnership::ActiveModel {
    partnership::ActiveModel {
        name: Set(new.name.to_string()),
        kind: Set(new.kind.as_str().to_owned()),
        status: Set(new.status.as_str().to_owned()),
        description: Set(new.description.to_string()),
        started_on: Set(new.started_on),
        ended_on: Set(new.ended_on),
        outcomes: Set(new.outcomes.as_ref().map(ToString::to_string)),
        updated_at: Set(now),
        ..Default::default()
    }
}

/// Replaces the participant and theme rows of partnership `id`.
pub(super) async fn write_links(
    txn: &DatabaseTransaction,
    id: i32,
    resolved: &Resolved,
) -> Result<(), sea_orm::DbErr> {
    partnership_city::Entity::delete_many()
        .filter(partnership_city::Column::PartnershipId.eq(id))
        .exec(txn)
        .await?;
    partnership_theme::Entity::delete_many()
        .filter(partnership_theme::Column::PartnershipId.eq(id))
        .exec(txn)
        .await?;
    for (city_id, role) in &resolved.participants {
        partnership_city::ActiveModel {
            partnership_id: Set(id),
            city_id: Set(*city_id),
            role: Set(role.as_str().to_owned()),
        }
        .insert(txn)
        .await?;
    }
    for theme_id in &resolved.theme_ids {
        partnership_theme::ActiveModel {
            partnership_id: Set(id),
            theme_id: Set(*theme_id),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}
