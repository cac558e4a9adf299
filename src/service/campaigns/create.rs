//! `createCampaign` (admins): validation, then one transaction with the campaign, its
//! `change_log` row and its audit row. Its milestones are events (`createEvent(input:
//! {campaign})`).

use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};

use super::validate::{self, NewCampaign};
use crate::domain::{Description, RecordKind, Viewer};
use crate::entity::campaign;
use crate::service::change_log::Operation;
use crate::service::permissions::{self, Action};
use crate::service::{ServiceError, landscape};

pub async fn run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    new: NewCampaign,
    reason: Option<String>,
) -> Result<campaign::Model, ServiceError> {
    permissions::check(viewer, Action::ManageLandscape)?;
    let taken = super::by_slug(db, new.slug.as_str()).await?.is_some();
    let organiser = landscape::with_error(
        validate::check(db, &new).await?,
        landscape::slug_taken(taken, &new.slug),
    )
    .map_err(ServiceError::Invalid)?;
    let now = Utc::now().fixed_offset();
    let txn = crate::service::change_log::begin_write(db).await?;
    let row = campaign::ActiveModel {
        slug: Set(new.slug.to_string()),
        created_at: Set(now),
        version: Set(1),
        ..fields(&new, organiser, now)
    }
    .insert(&txn)
    .await?;
    landscape::log(
        &txn,
        viewer,
        landscape::Logged {
            kind: RecordKind::Campaign,
            id: row.id,
            operation: Operation::Upsert,
            action: "campaign.create",
            reason,
            details: serde_json::json!({ "slug": row.slug, "name": row.name }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The columns a write sets (all but id, slug, created_at and version).
pub(super) fn fields(
    new: &NewCampaign,
    organiser: Option<i32>,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> campaign::ActiveModel {
    let steps: Vec<&str> = new.joining_steps.iter().map(Description::as_str).collect();
    campaign::ActiveModel {
        name: Set(new.name.to_string()),
        description: Set(new.description.to_string()),
        organiser_id: Set(organiser),
        country_code: Set(new.country.as_ref().map(ToString::to_string)),
        url: Set(new.url.as_ref().map(ToString::to_string)),
        starts_on: Set(new.starts_on),
        ends_on: Set(new.ends_on),
        joining_steps: Set((!steps.is_empty()).then(|| serde_json::json!(steps))),
        updated_at: Set(now),
        ..Default::default()
    }
}
