//! Creating or replacing a funding opportunity, keyed by `(source, external_id)`. Each change
//! bumps `version`; an unchanged record is not rewritten and appends nothing to the change log.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, Iterable, QueryFilter, Set,
    TryIntoModel,
};

use super::ServiceError;
use super::change_log::{self, Operation, RecordKind};
use super::chunked::{self, PerKey};
use super::lookup;
use super::records::{Direction, FieldError, FundingRecord, check_list_length, derive_direction};
use crate::domain::{FieldPath, Slug, limits};
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
    db: &impl ConnectionTrait,
    record: FundingRecord,
) -> Result<Result<Prepared, Vec<FieldError>>, sea_orm::DbErr> {
    Ok(prepare_many(db, vec![record]).await?.remove(0))
}

/// [`prepare`] for a batch: what the records refer to (regions, themes, providers) is looked
/// up once for the whole batch, so a batch costs three reads, not three per record.
pub async fn prepare_many(
    db: &impl ConnectionTrait,
    records: Vec<FundingRecord>,
) -> Result<Vec<Result<Prepared, Vec<FieldError>>>, sea_orm::DbErr> {
    let union = |keys: &mut dyn Iterator<Item = String>| -> Vec<String> {
        keys.collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect()
    };
    let regions = union(&mut records.iter().flat_map(|record| {
        record
            .eligible_regions
            .iter()
            .map(|code| code.as_str().to_owned())
    }));
    let themes = union(
        &mut records
            .iter()
            .flat_map(|record| record.themes.iter().map(|path| path.as_str().to_owned())),
    );
    let providers = union(&mut records.iter().filter_map(|record| {
        record
            .provider
            .as_ref()
            .map(|slug| slug.as_str().to_owned())
    }));
    let mut errors = Vec::new();
    let ids = lookup::region_ids(db, &refs(&regions), "key", &mut errors).await?;
    let regions = KeyMap::new(&regions, ids, errors);
    let mut errors = Vec::new();
    let ids = lookup::theme_ids(db, &refs(&themes), "key", &mut errors).await?;
    let themes = KeyMap::new(&themes, ids, errors);
    let mut errors = Vec::new();
    let ids = lookup::organisation_ids(db, &refs(&providers), "key", &mut errors).await?;
    let providers = KeyMap::new(&providers, ids, errors);
    Ok(records
        .into_iter()
        .map(|record| resolve(record, &regions, &themes, &providers))
        .collect())
}

fn refs(keys: &[String]) -> Vec<&str> {
    keys.iter().map(String::as_str).collect()
}

/// The answers of one batched lookup: each key's id, or the lookup's message for it.
struct KeyMap(HashMap<String, Result<i32, String>>);

impl KeyMap {
    fn new(keys: &[String], ids: Vec<i32>, errors: Vec<FieldError>) -> Self {
        let mut missing: HashMap<usize, String> = HashMap::new();
        for error in errors {
            if let Some(crate::domain::Segment::Index(index)) = error.path.segments().last() {
                missing.insert(*index, error.message);
            }
        }
        let mut ids = ids.into_iter();
        let mut map = HashMap::with_capacity(keys.len());
        for (index, key) in keys.iter().enumerate() {
            let answer = match missing.remove(&index) {
                Some(message) => Err(message),
                None => ids.next().ok_or_else(|| format!("unknown `{key}`")),
            };
            map.insert(key.clone(), answer);
        }
        Self(map)
    }

    /// Ids of `keys`; each unknown one an error at `field[index]`.
    fn ids(&self, keys: &[&str], field: &str, errors: &mut Vec<FieldError>) -> Vec<i32> {
        let mut ids = Vec::with_capacity(keys.len());
        for (index, key) in keys.iter().enumerate() {
            match self.0.get(*key) {
                Some(Ok(id)) => ids.push(*id),
                Some(Err(message)) => errors.push(FieldError::new(
                    FieldPath::from(field).index(index),
                    message.clone(),
                )),
                None => errors.push(FieldError::new(
                    FieldPath::from(field).index(index),
                    format!("unknown `{key}`"),
                )),
            }
        }
        ids
    }
}

fn resolve(
    record: FundingRecord,
    regions: &KeyMap,
    themes: &KeyMap,
    providers: &KeyMap,
) -> Result<Prepared, Vec<FieldError>> {
    let mut errors = check_record(&record);
    let codes: Vec<&str> = record
        .eligible_regions
        .iter()
        .map(|code| code.as_str())
        .collect();
    let region_ids = regions.ids(&codes, "eligible_regions", &mut errors);
    let paths: Vec<&str> = record.themes.iter().map(|path| path.as_str()).collect();
    let theme_ids = themes.ids(&paths, "themes", &mut errors);
    let provider_id = match &record.provider {
        Some(slug) => {
            let before = errors.len();
            let ids = providers.ids(&[slug.as_str()], "provider", &mut errors);
            lookup::as_single_field(&mut errors, before, "provider");
            ids.first().copied()
        }
        None => None,
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let direction = record
        .direction
        .unwrap_or_else(|| derive_direction(&record));
    let deadlines = super::sorted_unique(record.deadlines.clone());
    Ok(Prepared {
        direction,
        provider_id,
        region_ids: super::sorted_unique(region_ids),
        theme_ids: super::sorted_unique(theme_ids),
        deadlines,
        record,
    })
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
    let mut outcomes = write_many(txn, source, vec![(prepared, expected_version)]).await?;
    Ok(outcomes.remove(0))
}

/// [`write`] for a batch of distinct external IDs, in a constant number of statements: batched
/// reads, one multi-row upsert of the updated records, one multi-row insert of the created ones
/// (each per parameter-sized chunk) and batched child writes; an unchanged record costs no
/// write. Outcomes come in the order given. The first stale `expected_version` fails the
/// whole batch with `Conflict` (the caller's transaction then rolls back).
pub async fn write_many(
    txn: &DatabaseTransaction,
    source: &Slug,
    batch: Vec<(Prepared, Option<i64>)>,
) -> Result<Vec<Outcome>, ServiceError> {
    let external_ids: Vec<&str> = batch.iter().map(|(ready, _)| ready.external_id()).collect();
    let existing: Vec<funding_opportunity::Model> =
        chunked::load(txn, &external_ids, PerKey::IN_LIST, |keys| {
            funding_opportunity::Entity::find()
                .filter(funding_opportunity::Column::Source.eq(source.as_str()))
                .filter(funding_opportunity::Column::ExternalId.is_in(keys.iter().copied()))
                .all(txn)
        })
        .await?;
    let existing: HashMap<String, funding_opportunity::Model> = existing
        .into_iter()
        .map(|row| (row.external_id.clone(), row))
        .collect();
    let existing_ids: Vec<i32> = existing.values().map(|row| row.id).collect();
    let stored = Children::load(txn, &existing_ids).await?;

    let now = Utc::now().fixed_offset();
    let mut slots = Vec::with_capacity(batch.len());
    // (external id, row, children) of each record to create; (id, row, children) to update.
    let mut creates: Vec<(String, funding_opportunity::ActiveModel, Children)> = Vec::new();
    let mut updates: Vec<(i32, funding_opportunity::ActiveModel, Children)> = Vec::new();
    for (ready, expected_version) in batch {
        let Prepared {
            record,
            direction,
            provider_id,
            region_ids,
            theme_ids,
            deadlines,
        } = ready;
        let row = existing.get(record.external_id.as_str());
        super::concurrency::check_version(
            &format!("funding opportunity `{}`", record.external_id.as_str()),
            expected_version,
            row.map_or(0, |row| i64::from(row.version)),
        )?;
        let children = Children {
            deadlines,
            regions: region_ids,
            themes: theme_ids,
            applicants: super::sorted_unique(
                record
                    .eligible_applicants
                    .iter()
                    .map(|kind| kind.as_str().to_owned())
                    .collect(),
            ),
        };
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
        match row {
            Some(row) => {
                model.id = Set(row.id);
                model.version = Set(row.version);
                model.created_at = Set(row.created_at);
                model.updated_at = Set(row.updated_at);
                if stored.of(row.id) == children && model.clone().try_into_model()? == *row {
                    slots.push(Slot::Unchanged(row.id));
                    continue;
                }
                model.version = Set(row.version + 1);
                model.updated_at = Set(now);
                slots.push(Slot::Updated(row.id));
                updates.push((row.id, model, children));
            }
            None => {
                model.version = Set(1);
                model.created_at = Set(now);
                model.updated_at = Set(now);
                slots.push(Slot::Created(creates.len()));
                creates.push((record.external_id.as_str().to_owned(), model, children));
            }
        }
    }

    // Every column is bound in each row of the multi-row statements below.
    let columns = funding_opportunity::Column::iter().count();
    let mut replaced: Vec<(i32, Children)> = Vec::with_capacity(creates.len() + updates.len());
    let mut models = Vec::with_capacity(updates.len());
    for (id, model, children) in updates {
        models.push(model);
        replaced.push((id, children));
    }
    // An update is an insert that meets its own row (by id): one multi-row statement for all.
    chunked::upsert_all(
        txn,
        models,
        columns,
        Some(
            OnConflict::column(funding_opportunity::Column::Id)
                .update_columns(funding_opportunity::Column::iter().filter(|column| {
                    !matches!(
                        column,
                        funding_opportunity::Column::Id
                            | funding_opportunity::Column::Source
                            | funding_opportunity::Column::ExternalId
                            | funding_opportunity::Column::CreatedAt
                    )
                }))
                .to_owned(),
        ),
    )
    .await?;

    let mut external_ids = Vec::with_capacity(creates.len());
    let mut models = Vec::with_capacity(creates.len());
    let mut children = Vec::with_capacity(creates.len());
    for (external_id, model, record_children) in creates {
        external_ids.push(external_id);
        models.push(model);
        children.push(record_children);
    }
    let created: HashMap<String, i32> = chunked::insert_all_returning(txn, models, columns)
        .await?
        .into_iter()
        .map(|row| (row.external_id, row.id))
        .collect();
    let created_ids: Vec<i32> = external_ids
        .iter()
        .map(|external_id| {
            created
                .get(external_id)
                .copied()
                .ok_or(sea_orm::DbErr::RecordNotInserted)
        })
        .collect::<Result<_, _>>()?;
    replaced.extend(created_ids.iter().copied().zip(children));
    Children::replace(txn, &replaced).await?;

    Ok(slots
        .into_iter()
        .map(|slot| match slot {
            Slot::Created(index) => Outcome::Created(created_ids[index]),
            Slot::Updated(id) => Outcome::Updated(id),
            Slot::Unchanged(id) => Outcome::Unchanged(id),
        })
        .collect())
}

/// What became of one record of a batch before the batch's statements ran: a created record
/// knows only its place among the inserts.
enum Slot {
    Created(usize),
    Updated(i32),
    Unchanged(i32),
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

/// A record's child rows, sorted, as compared and written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Children {
    deadlines: Vec<chrono::NaiveDate>,
    regions: Vec<i32>,
    themes: Vec<i32>,
    applicants: Vec<String>,
}

/// The stored children of many records.
#[derive(Default)]
struct StoredChildren(HashMap<i32, Children>);

impl StoredChildren {
    fn of(&self, id: i32) -> Children {
        self.0.get(&id).cloned().unwrap_or_default()
    }
}

impl Children {
    async fn load(
        txn: &DatabaseTransaction,
        ids: &[i32],
    ) -> Result<StoredChildren, sea_orm::DbErr> {
        let mut all: HashMap<i32, Children> = HashMap::new();
        if ids.is_empty() {
            return Ok(StoredChildren(all));
        }
        let deadlines: Vec<funding_deadline::Model> =
            chunked::load(txn, ids, PerKey::IN_LIST, |ids| {
                funding_deadline::Entity::find()
                    .filter(funding_deadline::Column::FundingId.is_in(ids.iter().copied()))
                    .all(txn)
            })
            .await?;
        for row in deadlines {
            all.entry(row.funding_id)
                .or_default()
                .deadlines
                .push(row.deadline);
        }
        let regions: Vec<funding_region::Model> = chunked::load(txn, ids, PerKey::IN_LIST, |ids| {
            funding_region::Entity::find()
                .filter(funding_region::Column::FundingId.is_in(ids.iter().copied()))
                .all(txn)
        })
        .await?;
        for row in regions {
            all.entry(row.funding_id)
                .or_default()
                .regions
                .push(row.region_id);
        }
        let themes: Vec<funding_theme::Model> = chunked::load(txn, ids, PerKey::IN_LIST, |ids| {
            funding_theme::Entity::find()
                .filter(funding_theme::Column::FundingId.is_in(ids.iter().copied()))
                .all(txn)
        })
        .await?;
        for row in themes {
            all.entry(row.funding_id)
                .or_default()
                .themes
                .push(row.theme_id);
        }
        let applicants: Vec<funding_applicant::Model> =
            chunked::load(txn, ids, PerKey::IN_LIST, |ids| {
                funding_applicant::Entity::find()
                    .filter(funding_applicant::Column::FundingId.is_in(ids.iter().copied()))
                    .all(txn)
            })
            .await?;
        for row in applicants {
            all.entry(row.funding_id)
                .or_default()
                .applicants
                .push(row.applicant_kind);
        }
        for children in all.values_mut() {
            children.deadlines.sort();
            children.regions.sort();
            children.themes.sort();
            children.applicants.sort();
        }
        Ok(StoredChildren(all))
    }

    /// Replaces the children of every record in `records`: one delete per child table and
    /// chunk, then multi-row inserts.
    async fn replace(
        txn: &DatabaseTransaction,
        records: &[(i32, Children)],
    ) -> Result<(), sea_orm::DbErr> {
        if records.is_empty() {
            return Ok(());
        }
        let ids: Vec<i32> = records.iter().map(|(id, _)| *id).collect();
        let delete = |ids: &[i32]| {
            let ids = ids.to_vec();
            async move {
                funding_deadline::Entity::delete_many()
                    .filter(funding_deadline::Column::FundingId.is_in(ids.iter().copied()))
                    .exec(txn)
                    .await?;
                funding_region::Entity::delete_many()
                    .filter(funding_region::Column::FundingId.is_in(ids.iter().copied()))
                    .exec(txn)
                    .await?;
                funding_theme::Entity::delete_many()
                    .filter(funding_theme::Column::FundingId.is_in(ids.iter().copied()))
                    .exec(txn)
                    .await?;
                funding_applicant::Entity::delete_many()
                    .filter(funding_applicant::Column::FundingId.is_in(ids.iter().copied()))
                    .exec(txn)
                    .await?;
                Ok::<_, sea_orm::DbErr>(Vec::<()>::new())
            }
        };
        let _: Vec<()> = chunked::load(txn, &ids, PerKey::IN_LIST, delete).await?;

        let deadlines: Vec<funding_deadline::ActiveModel> = records
            .iter()
            .flat_map(|(id, children)| {
                children
                    .deadlines
                    .iter()
                    .map(|deadline| funding_deadline::ActiveModel {
                        funding_id: Set(*id),
                        deadline: Set(*deadline),
                    })
            })
            .collect();
        let regions: Vec<funding_region::ActiveModel> = records
            .iter()
            .flat_map(|(id, children)| {
                children
                    .regions
                    .iter()
                    .map(|region_id| funding_region::ActiveModel {
                        funding_id: Set(*id),
                        region_id: Set(*region_id),
                    })
            })
            .collect();
        let themes: Vec<funding_theme::ActiveModel> = records
            .iter()
            .flat_map(|(id, children)| {
                children
                    .themes
                    .iter()
                    .map(|theme_id| funding_theme::ActiveModel {
                        funding_id: Set(*id),
                        theme_id: Set(*theme_id),
                    })
            })
            .collect();
        let applicants: Vec<funding_applicant::ActiveModel> = records
            .iter()
            .flat_map(|(id, children)| {
                children
                    .applicants
                    .iter()
                    .map(|kind| funding_applicant::ActiveModel {
                        funding_id: Set(*id),
                        applicant_kind: Set(kind.clone()),
                    })
            })
            .collect();
        chunked::insert_all(txn, deadlines, 2).await?;
        chunked::insert_all(txn, regions, 2).await?;
        chunked::insert_all(txn, themes, 2).await?;
        chunked::insert_all(txn, applicants, 2).await?;
        Ok(())
    }
}
