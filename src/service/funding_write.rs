//! Creating or replacing a funding opportunity, keyed by `(source, external_id)`. Each change
//! bumps `version`; an unchanged record is not rewritten and appends nothing to the change log.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    Set, TryIntoModel,
};

use super::ServiceError;
use super::change_log::{self, Operation, RecordKind};
use super::lookup;
use super::records::{Direction, FieldError, FundingRecord, check_list_length, derive_direction};
use crate::domain::{Slug, limits};
use crate::entity::{
    funding_applicant, funding_deadline, funding_opportunity, funding_region, funding_theme,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Created(i32),
    Updated(i32),
    Unchanged(i32),
}

/// Writes `record` under `source` and appends its `change_log` row when it changed (the
/// importer's and the seed's path). Nothing is written when any field is invalid.
pub async fn upsert(
    txn: &DatabaseTransaction,
    source: &Slug,
    record: FundingRecord,
) -> Result<Outcome, ServiceError> {
    let prepared = prepare(txn, record).await?.map_err(ServiceError::Invalid)?;
    let outcome = write(txn, source, prepared, None).await?;
    if let Outcome::Created(id) | Outcome::Updated(id) = outcome {
        change_log::append(txn, RecordKind::FundingOpportunity, id, Operation::Upsert).await?;
    }
    Ok(outcome)
}

/// A record that passed every check, with the ids of what it refers to resolved.
#[derive(Clone, Debug)]
pub struct Prepared {
    record: FundingRecord,
    direction: Direction,
    provider_id: Option<i32>,
    region_ids: Vec<i32>,
    theme_ids: Vec<i32>,
    deadlines: Vec<chrono::NaiveDate>,
}

impl Prepared {
    pub fn external_id(&self) -> &str {
        self.record.external_id.as_str()
    }
}

/// Checks `record` (the checks serde cannot make, and that what it refers to exists) without
/// writing anything; every problem is reported with its snake_case path in the record. Shared
/// by `kxc import`, the seed and `upsertFundingOpportunities`.
pub async fn prepare(
    txn: &impl ConnectionTrait,
    record: FundingRecord,
) -> Result<Result<Prepared, Vec<FieldError>>, sea_orm::DbErr> {
    let mut errors = check_record(&record);
    let regions: Vec<&str> = record
        .eligible_regions
        .iter()
        .map(|code| code.as_str())
        .collect();
    let region_ids = lookup::region_ids(txn, &regions, "eligible_regions", &mut errors).await?;
    let themes: Vec<&str> = record.themes.iter().map(|path| path.as_str()).collect();
    let theme_ids = lookup::theme_ids(txn, &themes, "themes", &mut errors).await?;
    let provider_id = match &record.provider {
        Some(slug) => {
            let before = errors.len();
            let ids =
                lookup::organisation_ids(txn, &[slug.as_str()], "provider", &mut errors).await?;
            lookup::as_single_field(&mut errors, before, "provider");
            ids.first().copied()
        }
        None => None,
    };
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let direction = record
        .direction
        .unwrap_or_else(|| derive_direction(&record));
    let deadlines = super::sorted_unique(record.deadlines.clone());
    Ok(Ok(Prepared {
        direction,
        provider_id,
        region_ids: super::sorted_unique(region_ids),
        theme_ids: super::sorted_unique(theme_ids),
        deadlines,
        record,
    }))
}

/// Writes a prepared record under `source` without touching `change_log` (the caller appends
/// for every `Created` or `Updated`). `expected_version` is checked against the stored record
/// (0 for none); a tombstoned record is revived.
pub async fn write(
    txn: &DatabaseTransaction,
    source: &Slug,
    prepared: Prepared,
    expected_version: Option<i64>,
) -> Result<Outcome, ServiceError> {
    let Prepared {
        record,
        direction,
        provider_id,
        region_ids,
        theme_ids,
        deadlines,
    } = prepared;
    let applicants: Vec<&str> = super::sorted_unique(
        record
            .eligible_applicants
            .iter()
            .map(|kind| kind.as_str())
            .collect(),
    );

    let existing = funding_opportunity::Entity::find()
        .filter(funding_opportunity::Column::Source.eq(source.as_str()))
        .filter(funding_opportunity::Column::ExternalId.eq(record.external_id.as_str()))
        .one(txn)
        .await?;
    super::concurrency::check_version(
        &format!("funding opportunity `{}`", record.external_id.as_str()),
        expected_version,
        existing.as_ref().map_or(0, |row| i64::from(row.version)),
    )?;
    let now = Utc::now().fixed_offset();
    let mut model = funding_opportunity::ActiveModel {
        source: Set(source.to_string()),
        external_id: Set(record.external_id.as_str().to_owned()),
        title: Set(record.title.as_str().to_owned()),
        summary: Set(record.summary.as_str().to_owned()),
        provider_id: Set(provider_id),
        provider_level: Set(record.provider_level.as_str().to_owned()),
        provider_country: Set(record.provider_country.as_ref().map(ToString::to_string)),
        instrument: Set(record.instrument.as_str().to_owned()),
        direction: Set(direction.as_str().to_owned()),
        amount_min: Set(record.amount_min.map(|amount| amount.get())),
        amount_max: Set(record.amount_max.map(|amount| amount.get())),
        currency: Set(record.currency.as_ref().map(ToString::to_string)),
        co_financing_rate: Set(record.co_financing_rate.map(|rate| rate.get())),
        opens_at: Set(record.opens_at),
        rolling: Set(record.rolling),
        url: Set(record.url.as_ref().map(ToString::to_string)),
        language: Set(record.language.to_string()),
        deleted_at: Set(None),
        ..Default::default()
    };

    let outcome = match existing {
        Some(row) => {
            let children_same = children_unchanged(
                txn,
                row.id,
                &deadlines,
                &region_ids,
                &theme_ids,
                &applicants,
            )
            .await?;
            let mut candidate = model.clone();
            candidate.id = Set(row.id);
            candidate.version = Set(row.version);
            candidate.created_at = Set(row.created_at);
            candidate.updated_at = Set(row.updated_at);
            if children_same && candidate.try_into_model()? == row {
                return Ok(Outcome::Unchanged(row.id));
            }
            model.id = Set(row.id);
            model.version = Set(row.version + 1);
            model.updated_at = Set(now);
            model.update(txn).await?;
            Outcome::Updated(row.id)
        }
        None => {
            model.version = Set(1);
            model.created_at = Set(now);
            model.updated_at = Set(now);
            Outcome::Created(model.insert(txn).await?.id)
        }
    };
    let id = match outcome {
        Outcome::Created(id) | Outcome::Updated(id) | Outcome::Unchanged(id) => id,
    };
    replace_children(txn, id, &deadlines, &region_ids, &theme_ids, &applicants).await?;
    Ok(outcome)
}

fn check_record(record: &FundingRecord) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (field, length, max) in [
        ("themes", record.themes.len(), limits::THEMES),
        (
            "eligible_regions",
            record.eligible_regions.len(),
            limits::ELIGIBLE_REGIONS,
        ),
        ("deadlines", record.deadlines.len(), limits::DEADLINES),
    ] {
        check_list_length(&mut errors, field, length, max);
    }
    if let (Some(min), Some(max)) = (record.amount_min, record.amount_max)
        && min.get() > max.get()
    {
        errors.push(FieldError::new("amount_min", "must not exceed amount_max"));
    }
    if (record.amount_min.is_some() || record.amount_max.is_some()) && record.currency.is_none() {
        errors.push(FieldError::new(
            "currency",
            "is required when an amount is given",
        ));
    }
    if let Some(rate) = record.co_financing_rate
        && rate.get() > 1.0
    {
        errors.push(FieldError::new(
            "co_financing_rate",
            "must be a fraction between 0 and 1",
        ));
    }
    if let Some(opens) = record.opens_at {
        for (index, deadline) in record.deadlines.iter().enumerate() {
            if *deadline < opens {
                errors.push(FieldError::new(
                    crate::domain::FieldPath::from("deadlines").index(index),
                    "is before opens_at",
                ));
            }
        }
    }
    errors
}

async fn children_unchanged(
    txn: &DatabaseTransaction,
    id: i32,
    deadlines: &[chrono::NaiveDate],
    region_ids: &[i32],
    theme_ids: &[i32],
    applicants: &[&str],
) -> Result<bool, sea_orm::DbErr> {
    let mut stored_deadlines: Vec<_> = funding_deadline::Entity::find()
        .filter(funding_deadline::Column::FundingId.eq(id))
        .all(txn)
        .await?
        .into_iter()
        .map(|row| row.deadline)
        .collect();
    stored_deadlines.sort();
    let mut stored_regions: Vec<_> = funding_region::Entity::find()
        .filter(funding_region::Column::FundingId.eq(id))
        .all(txn)
        .await?
        .into_iter()
        .map(|row| row.region_id)
        .collect();
    stored_regions.sort();
    let mut stored_themes: Vec<_> = funding_theme::Entity::find()
        .filter(funding_theme::Column::FundingId.eq(id))
        .all(txn)
        .await?
        .into_iter()
        .map(|row| row.theme_id)
        .collect();
    stored_themes.sort();
    let mut stored_applicants: Vec<_> = funding_applicant::Entity::find()
        .filter(funding_applicant::Column::FundingId.eq(id))
        .all(txn)
        .await?
        .into_iter()
        .map(|row| row.applicant_kind)
        .collect();
    stored_applicants.sort();
    Ok(stored_deadlines == deadlines
        && stored_regions == region_ids
        && stored_themes == theme_ids
        && stored_applicants == applicants)
}

async fn replace_children(
    txn: &DatabaseTransaction,
    id: i32,
    deadlines: &[chrono::NaiveDate],
    region_ids: &[i32],
    theme_ids: &[i32],
    applicants: &[&str],
) -> Result<(), sea_orm::DbErr> {
    funding_deadline::Entity::delete_many()
        .filter(funding_deadline::Column::FundingId.eq(id))
        .exec(txn)
        .await?;
    funding_region::Entity::delete_many()
        .filter(funding_region::Column::FundingId.eq(id))
        .exec(txn)
        .await?;
    funding_theme::Entity::delete_many()
        .filter(funding_theme::Column::FundingId.eq(id))
        .exec(txn)
        .await?;
    funding_applicant::Entity::delete_many()
        .filter(funding_applicant::Column::FundingId.eq(id))
        .exec(txn)
        .await?;
    for deadline in deadlines {
        funding_deadline::ActiveModel {
            funding_id: Set(id),
            deadline: Set(*deadline),
        }
        .insert(txn)
        .await?;
    }
    for region_id in region_ids {
        funding_region::ActiveModel {
            funding_id: Set(id),
            region_id: Set(*region_id),
        }
        .insert(txn)
        .await?;
    }
    for theme_id in theme_ids {
        funding_theme::ActiveModel {
            funding_id: Set(id),
            theme_id: Set(*theme_id),
        }
        .insert(txn)
        .await?;
    }
    for applicant in applicants {
        funding_applicant::ActiveModel {
            funding_id: Set(id),
            applicant_kind: Set((*applicant).to_owned()),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}
