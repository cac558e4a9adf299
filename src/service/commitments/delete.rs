//! `deleteCommitment` (admins, and the city's own account): the city withdraws from an
//! initiative. One transaction removes the commitment and bumps the city's version, with the
//! city's `change_log` row and the audit row.

use sea_orm::{DatabaseConnection, ModelTrait};

use crate::domain::{Slug, Viewer};
use crate::entity::city;
use crate::service::permissions;
use crate::service::{ServiceError, landscape};

pub async fn run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    (city, initiative): (Slug, Slug),
    expected_version: Option<i64>,
    reason: Option<String>,
) -> Result<city::Model, ServiceError> {
    let link = landscape::resolve_link(db, &city, &initiative, "initiative").await?;
    permissions::check_city(db, viewer, &link.city).await?;
    let txn = crate::service::change_log::begin_serialised(db).await?;
    let city = landscape::lock_city(&txn, link.city.id, expected_version).await?;
    let stored = super::find(&txn, city.id, link.organisation.id)
        .await?
        .ok_or_else(|| ServiceError::not_found("commitment"))?;
    stored.delete(&txn).await?;
    landscape::finish_city_change(
        txn,
        viewer,
        &city,
        "commitment.delete",
        reason,
        serde_json::json!({ "city": city.slug, "initiative": initiative.as_str() }),
    )
    .await
}
