//! `createCommitment` (admins, and the city's own account): a city commits to an initiative.
//! One transaction writes the commitment and bumps the city's version, with the city's
//! `change_log` row and the audit row.

use sea_orm::{ActiveModelTrait, DatabaseConnection, Set};

use super::validate::{self, NewCommitment};
use crate::domain::{Slug, Viewer};
use crate::entity::{city, commitment};
use crate::service::permissions;
use crate::service::records::FieldError;
use crate::service::{ServiceError, landscape};

pub async fn run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    (city, initiative): (Slug, Slug),
    expected_version: Option<i64>,
    new: NewCommitment,
    reason: Option<String>,
) -> Result<(city::Model, commitment::Model), ServiceError> {
    let link = landscape::resolve_link(db, &city, &initiative, "initiative").await?;
    permissions::check_city(db, viewer, &link.city).await?;
    let exists = super::find(db, link.city.id, link.organisation.id)
        .await?
        .is_some();
    let reporter = landscape::with_error(
        validate::check(db, &new, super::today()).await?,
        exists.then(|| {
            FieldError::new(
                "initiative",
                format!(
                    "{} has already committed to `{initiative}`; change it with updateCommitment",
                    link.city.name
                ),
            )
        }),
    )
    .map_err(ServiceError::Invalid)?;
    let txn = crate::service::change_log::begin_serialised(db).await?;
    let city = landscape::lock_city(&txn, link.city.id, expected_version).await?;
    let row = commitment::ActiveModel {
        city_id: Set(city.id),
        organisation_id: Set(link.organisation.id),
        ..fields(&new, reporter)
    }
    .insert(&txn)
    .await?;
    let city = landscape::finish_city_change(
        txn,
        viewer,
        &city,
        "commitment.create",
        reason,
        serde_json::json!({ "city": city.slug, "initiative": initiative.as_str() }),
    )
    .await?;
    Ok((city, row))
}

/// The columns a write sets from `new` (all but id, city and initiative).
pub(super) fn fields(new: &NewCommitment, reporter: Option<i32>) -> commitment::ActiveModel {
    commitment::ActiveModel {
        joined_on: Set(new.joined_on),
        criteria_met: Set(serde_json::json!(
            new.criteria_met
                .iter()
                .map(|criterion| criterion.as_str())
                .collect::<Vec<_>>()
        )),
        evidence: Set(new.evidence.as_ref().map(ToString::to_string)),
        reporting_platform: Set(new.reporting_platform.as_ref().map(ToString::to_string)),
        last_reported_on: Set(new.last_reported_on),
        reporting_organisation_id: Set(reporter),
        ..Default::default()
    }
}
