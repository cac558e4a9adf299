//! `createCity` (admins): validation, then one transaction with the city, its `change_log`
//! row (the search index adds it) and its audit row.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};

use super::validate::{self, NewCity, Resolved};
use crate::domain::{RecordKind, Viewer};
use crate::entity::city;
use crate::service::change_log::Operation;
use crate::service::permissions::{self, Action};
use crate::service::{ServiceError, landscape};

pub async fn run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    new: NewCity,
    reason: Option<String>,
) -> Result<city::Model, ServiceError> {
    permissions::check(viewer, Action::ManageLandscape)?;
    let taken = super::by_slug(db, new.slug.as_str()).await?.is_some();
    let resolved = landscape::with_error(
        validate::check(db, &new).await?,
        landscape::slug_taken(taken, &new.slug),
    )
    .map_err(ServiceError::Invalid)?;
    let now = Utc::now().fixed_offset();
    let txn = crate::service::change_log::begin_write(db).await?;
    let row = city::ActiveModel {
        slug: Set(new.slug.to_string()),
        created_at: Set(now),
        version: Set(1),
        ..fields(&new, &resolved, now)
    }
    .insert(&txn)
    .await?;
    landscape::log(
        &txn,
        viewer,
        landscape::Logged {
            kind: RecordKind::City,
            id: row.id,
            operation: Operation::Upsert,
            action: "city.create",
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
    new: &NewCity,
    resolved: &Resolved,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> city::ActiveModel {
    let local_names: serde_json::Map<String, serde_json::Value> = new
        .local_names
        .iter()
        .map(|(language, name)| (language.to_string(), name.to_string().into()))
        .collect();
    let targets = &new.targets;
    city::ActiveModel {
        name: Set(new.name.to_string()),
        local_names: Set(local_names.into()),
        region_id: Set(resolved.region_id),
        country_code: Set(resolved.country_code.clone()),
        lat: Set(new.latitude),
        lon: Set(new.longitude),
        population: Set(new.population),
        population_year: Set(new.population_year),
        target_base_year: Set(targets.base_year),
        target_year: Set(targets.target_year),
        target_reduction_pct: Set(targets.reduction_pct),
        net_zero_year: Set(targets.net_zero_year),
        target_status: Set(targets.status.map(|status| status.as_str().to_owned())),
        target_sectors: Set((!targets.sectors.is_empty()).then(|| {
            serde_json::json!(
                targets
                    .sectors
                    .iter()
                    .map(|sector| sector.as_str())
                    .collect::<Vec<_>>()
            )
        })),
        updated_at: Set(now),
        ..Default::default()
    }
}
