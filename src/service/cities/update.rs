//! `updateCity` (admins, and the city's own account): the stored city with the given fields
//! replaced, checked like a new one, written with its version bumped (`expectedVersion` guards
//! it). A new name reaches search through the `change_log` row: the index reloads the city and
//! the practices that embed its name.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};

use super::validate::{self, NewCity, Targets};
use crate::domain::{Language, Name, RecordKind, Slug, TargetSector, TargetStatus, Viewer};
use crate::entity::{city, region};
use crate::service::change_log::Operation;
use crate::service::concurrency::check_version;
use crate::service::permissions;
use crate::service::{ServiceError, landscape};

/// What to change; `None` keeps the stored value. `targets` replaces all the targets at once.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub name: Option<Name>,
    pub local_names: Option<Vec<(Language, Name)>>,
    pub region: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub population: Option<Option<i64>>,
    pub population_year: Option<Option<i32>>,
    pub targets: Option<Targets>,
}

pub async fn run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    expected_version: Option<i64>,
    changes: Changes,
    reason: Option<String>,
) -> Result<city::Model, ServiceError> {
    let stored = super::by_id(db, id)
        .await?
        .ok_or_else(|| ServiceError::not_found("city"))?;
    permissions::check_city(db, viewer, &stored).await?;
    check_version("city", expected_version, i64::from(stored.version))?;
    let merged = merge(db, &stored, changes).await?;
    let resolved = validate::check(db, &merged)
        .await?
        .map_err(ServiceError::Invalid)?;
    let now = Utc::now().fixed_offset();
    let txn = crate::service::change_log::begin_serialised(db).await?;
    let current = landscape::lock_city(&txn, id, expected_version).await?;
    let row = city::ActiveModel {
        id: Set(id),
        version: Set(current.version + 1),
        ..super::create::fields(&merged, &resolved, now)
    }
    .update(&txn)
    .await?;
    let renamed = (current.name != row.name).then(|| current.name.clone());
    landscape::log(
        &txn,
        viewer,
        landscape::Logged {
            kind: RecordKind::City,
            id,
            operation: Operation::Upsert,
            action: "city.update",
            reason,
            details: serde_json::json!({
                "slug": row.slug, "version": row.version, "renamedFrom": renamed,
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// The targets stored on a city row.
pub fn stored_targets(row: &city::Model) -> Targets {
    let sectors: Vec<String> = row
        .target_sectors
        .clone()
        .and_then(|value| serde_json::from_value(value).ok())
        .unwrap_or_default();
    Targets {
        base_year: row.target_base_year,
        target_year: row.target_year,
        reduction_pct: row.target_reduction_pct,
        net_zero_year: row.net_zero_year,
        status: row
            .target_status
            .as_deref()
            .and_then(TargetStatus::from_stored),
        sectors: sectors
            .iter()
            .filter_map(|sector| TargetSector::from_stored(sector))
            .collect(),
    }
}

async fn merge(
    db: &DatabaseConnection,
    stored: &city::Model,
    changes: Changes,
) -> Result<NewCity, ServiceError> {
    let corrupt = |column: &str| {
        ServiceError::Db(sea_orm::DbErr::Custom(format!(
            "city {} has an invalid {column}",
            stored.id
        )))
    };
    let region = match changes.region {
        Some(code) => code,
        None => {
            use sea_orm::EntityTrait;
            region::Entity::find_by_id(stored.region_id)
                .one(db)
                .await?
                .ok_or_else(|| corrupt("region"))?
                .code
        }
    };
    let local_names = match changes.local_names {
        Some(names) => names,
        None => {
            let names: std::collections::BTreeMap<String, String> =
                serde_json::from_value(stored.local_names.clone())
                    .map_err(|_| corrupt("local_names"))?;
            names
                .into_iter()
                .map(|(language, name)| {
                    Ok((
                        Language::parse(&language).map_err(|_| corrupt("local_names"))?,
                        Name::parse(name).map_err(|_| corrupt("local_names"))?,
                    ))
                })
                .collect::<Result<_, ServiceError>>()?
        }
    };
    Ok(NewCity {
        slug: Slug::parse(&stored.slug).map_err(|_| corrupt("slug"))?,
        name: match changes.name {
            Some(name) => name,
            None => Name::parse(stored.name.clone()).map_err(|_| corrupt("name"))?,
        },
        local_names,
        region,
        latitude: changes.latitude.unwrap_or(stored.lat),
        longitude: changes.longitude.unwrap_or(stored.lon),
        population: changes.population.unwrap_or(stored.population),
        population_year: changes.population_year.unwrap_or(stored.population_year),
        targets: changes.targets.unwrap_or_else(|| stored_targets(stored)),
    })
}
