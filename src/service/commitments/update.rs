//! `updateCommitment` and `recordCommitmentReport` (admins, and the city's own account): the
//! stored commitment with the given fields replaced, checked like a new one. A report names
//! the platform and the day the city reported; it may not go back before the last one.

use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, Set};

use super::validate::{self, NewCommitment};
use crate::domain::{CommitmentCriterion, Description, ShortText, Slug, Viewer};
use crate::entity::{city, commitment, organisation};
use crate::service::permissions;
use crate::service::records::FieldError;
use crate::service::{ServiceError, landscape};

/// What to change; `None` keeps the stored value, `Some(None)` clears an optional one.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    pub joined_on: Option<Option<chrono::NaiveDate>>,
    pub criteria_met: Option<Vec<CommitmentCriterion>>,
    pub evidence: Option<Option<Description>>,
    pub reporting_platform: Option<Option<ShortText>>,
    pub last_reported_on: Option<Option<chrono::NaiveDate>>,
    pub reporting_organisation: Option<Option<Slug>>,
}

/// Which mutation asks: a report only moves the report date forwards.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Update,
    Report,
}

pub async fn run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    (city, initiative): (Slug, Slug),
    expected_version: Option<i64>,
    changes: Changes,
    kind: Kind,
    reason: Option<String>,
) -> Result<(city::Model, commitment::Model), ServiceError> {
    let link = landscape::resolve_link(db, &city, &initiative, "initiative").await?;
    permissions::check_city(db, viewer, &link.city).await?;
    let stored = super::find(db, link.city.id, link.organisation.id)
        .await?
        .ok_or_else(|| ServiceError::not_found("commitment"))?;
    let going_back = match (kind, stored.last_reported_on, changes.last_reported_on) {
        (Kind::Report, Some(last), Some(Some(day))) if day < last => Some(FieldError::new(
            "reportedOn",
            format!("is before the last report ({last}); reports only move forwards"),
        )),
        _ => None,
    };
    let merged = merge(db, &stored, changes).await?;
    let reporter = landscape::with_error(
        validate::check(db, &merged, super::today()).await?,
        going_back,
    )
    .map_err(|errors| {
        ServiceError::Invalid(match kind {
            Kind::Update => errors,
            // The report's own fields are `platform` and `reportedOn`.
            Kind::Report => errors
                .into_iter()
                .map(|mut error| {
                    let renamed = match error.path.snake().as_str() {
                        "last_reported_on" => Some("reportedOn"),
                        "reporting_platform" => Some("platform"),
                        _ => None,
                    };
                    if let Some(field) = renamed {
                        error.path = field.into();
                    }
                    error
                })
                .collect(),
        })
    })?;
    let txn = crate::service::change_log::begin_serialised(db).await?;
    let city = landscape::lock_city(&txn, link.city.id, expected_version).await?;
    let row = commitment::ActiveModel {
        id: Set(stored.id),
        ..super::create::fields(&merged, reporter)
    }
    .update(&txn)
    .await?;
    let (action, details) = match kind {
        Kind::Update => (
            "commitment.update",
            serde_json::json!({ "city": city.slug, "initiative": initiative.as_str() }),
        ),
        Kind::Report => (
            "commitment.report",
            serde_json::json!({
                "city": city.slug, "initiative": initiative.as_str(),
                "platform": row.reporting_platform, "reportedOn": row.last_reported_on,
            }),
        ),
    };
    let city = landscape::finish_city_change(txn, viewer, &city, action, reason, details).await?;
    Ok((city, row))
}

async fn merge(
    db: &DatabaseConnection,
    stored: &commitment::Model,
    changes: Changes,
) -> Result<NewCommitment, ServiceError> {
    let corrupt = |column: &str| {
        ServiceError::Db(sea_orm::DbErr::Custom(format!(
            "commitment {} has an invalid {column}",
            stored.id
        )))
    };
    let criteria_met = match changes.criteria_met {
        Some(criteria) => criteria,
        None => {
            let recorded: Vec<String> = serde_json::from_value(stored.criteria_met.clone())
                .map_err(|_| corrupt("criteria_met"))?;
            recorded
                .iter()
                .map(|text| {
                    CommitmentCriterion::from_stored(text).ok_or_else(|| corrupt("criteria_met"))
                })
                .collect::<Result<_, _>>()?
        }
    };
    let reporting_organisation = match changes.reporting_organisation {
        Some(slug) => slug,
        None => match stored.reporting_organisation_id {
            Some(id) => organisation::Entity::find_by_id(id)
                .one(db)
                .await?
                .and_then(|row| Slug::parse(&row.slug).ok()),
            None => None,
        },
    };
    Ok(NewCommitment {
        joined_on: changes.joined_on.unwrap_or(stored.joined_on),
        criteria_met,
        evidence: match changes.evidence {
            Some(evidence) => evidence,
            None => stored
                .evidence
                .clone()
                .map(Description::parse)
                .transpose()
                .map_err(|_| corrupt("evidence"))?,
        },
        reporting_platform: match changes.reporting_platform {
            Some(platform) => platform,
            None => stored
                .reporting_platform
                .clone()
                .map(ShortText::parse)
                .transpose()
                .map_err(|_| corrupt("reporting_platform"))?,
        },
        last_reported_on: changes.last_reported_on.unwrap_or(stored.last_reported_on),
        reporting_organisation,
    })
}
