//! `upsertFundingOpportunities`: creates, updates or leaves unchanged up to [`MAX_BATCH`]
//! records of one source, keyed by `(source, external_id)`, validated by the importer's code
//! (`funding_write::prepare`) and written by it (`funding_write::write`).

use std::collections::HashMap;

use sea_orm::{DatabaseConnection, DatabaseTransaction};

use super::MAX_BATCH;
use crate::domain::{FieldPath, Slug, Viewer};
use crate::entity::funding_opportunity;
use crate::service::change_log::{self, Operation, RecordKind};
use crate::service::funding_write::{self, Outcome};
use crate::service::records::{FieldError, FundingRecord};
use crate::service::{ServiceError, audit, funding, permissions};

/// One record of a batch as the caller parsed it: the record, or the problems (paths inside
/// the record) that kept it from parsing.
#[derive(Clone, Debug)]
pub struct Incoming {
    pub record: Result<FundingRecord, Vec<FieldError>>,
    /// The version the caller last read; `CONFLICT` when the stored one differs (0: absent).
    pub expected_version: Option<i64>,
}

/// A batch for one source.
#[derive(Clone, Debug)]
pub struct Push {
    pub source: Slug,
    pub records: Vec<Incoming>,
    pub reason: Option<String>,
}

/// What became of one record, in the order sent.
#[derive(Clone, Debug)]
pub struct Pushed {
    pub external_id: String,
    pub outcome: Outcome,
    /// The record as stored now.
    pub row: Option<funding_opportunity::Model>,
}

/// A batch that passed [`check`], ready for [`store`].
pub struct Checked {
    source: Slug,
    prepared: Vec<(funding_write::Prepared, Option<i64>)>,
    reason: Option<String>,
}

impl Checked {
    pub fn len(&self) -> usize {
        self.prepared.len()
    }

    pub fn is_empty(&self) -> bool {
        self.prepared.is_empty()
    }
}

/// Validates and stores one batch, all or nothing: [`check`] then [`store`].
pub async fn run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    push: Push,
) -> Result<Vec<Pushed>, ServiceError> {
    let checked = check(db, viewer, push).await?;
    store(db, viewer, checked).await
}

/// Checks the viewer may write the source and every record of the batch, writing nothing;
/// the problems are reported under `records[i]`, in input order. `kxc import funding` checks
/// every batch of a file before storing any, so a bad row anywhere stores nothing.
pub async fn check(
    db: &DatabaseConnection,
    viewer: &Viewer,
    push: Push,
) -> Result<Checked, ServiceError> {
    permissions::check_source(viewer, &push.source)?;
    if push.records.len() > MAX_BATCH {
        return Err(ServiceError::invalid(
            "records",
            format!(
                "at most {MAX_BATCH} records per call (this one has {}); split the batch",
                push.records.len()
            ),
        ));
    }
    // Validation reads only reference data (regions, themes, organisations), so it runs
    // before the write transaction and outside its lock.
    let mut errors = Vec::new();
    let mut parsed = Vec::with_capacity(push.records.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, incoming) in push.records.into_iter().enumerate() {
        let at = FieldPath::from("records").index(index);
        let record = match incoming.record {
            Ok(record) => record,
            Err(problems) => {
                errors.extend(problems.into_iter().map(|error| error.under(&at)));
                continue;
            }
        };
        let external_id = record.external_id.as_str().to_owned();
        if let Some(first) = seen.insert(external_id.clone(), index) {
            errors.push(FieldError::new(
                at.clone().field("external_id"),
                format!("`{external_id}` is also at records[{first}]; send each record once"),
            ));
        }
        parsed.push((index, record, incoming.expected_version));
    }
    let records: Vec<FundingRecord> = parsed.iter().map(|(_, record, _)| record.clone()).collect();
    let checked = funding_write::prepare_many(db, records).await?;
    let mut prepared = Vec::with_capacity(checked.len());
    for ((index, _, expected_version), outcome) in parsed.into_iter().zip(checked) {
        let at = FieldPath::from("records").index(index);
        match outcome {
            Ok(ready) => prepared.push((ready, expected_version)),
            Err(problems) => errors.extend(problems.into_iter().map(|error| error.under(&at))),
        }
    }
    errors.sort_by_key(|error| record_index(&error.path));
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    Ok(Checked {
        source: push.source,
        prepared,
        reason: push.reason,
    })
}

/// Stores a checked batch in one serialised transaction (records, their `change_log` rows, one
/// audit row) and answers what became of each record, in the order sent.
pub async fn store(
    db: &DatabaseConnection,
    viewer: &Viewer,
    checked: Checked,
) -> Result<Vec<Pushed>, ServiceError> {
    permissions::check_source(viewer, &checked.source)?;
    let txn = change_log::begin_serialised(db).await?;
    let written = write_all(
        &txn,
        viewer,
        &checked.source,
        checked.prepared,
        checked.reason,
    )
    .await?;
    txn.commit().await?;

    let ids: Vec<i32> = written.iter().map(|(_, outcome)| id_of(*outcome)).collect();
    let mut rows: HashMap<i32, funding_opportunity::Model> = funding::by_ids(db, &ids)
        .await?
        .into_iter()
        .map(|row| (row.id, row))
        .collect();
    Ok(written
        .into_iter()
        .map(|(external_id, outcome)| Pushed {
            row: rows.remove(&id_of(outcome)),
            external_id,
            outcome,
        })
        .collect())
}

async fn write_all(
    txn: &DatabaseTransaction,
    viewer: &Viewer,
    source: &Slug,
    prepared: Vec<(funding_write::Prepared, Option<i64>)>,
    reason: Option<String>,
) -> Result<Vec<(String, Outcome)>, ServiceError> {
    let external_ids: Vec<String> = prepared
        .iter()
        .map(|(ready, _)| ready.external_id().to_owned())
        .collect();
    let outcomes = funding_write::write_many(txn, source, prepared).await?;
    let written: Vec<(String, Outcome)> = external_ids.into_iter().zip(outcomes).collect();
    // The change-log rows come last, after every record is written.
    let changed_ids: Vec<i32> = written
        .iter()
        .filter_map(|(_, outcome)| match outcome {
            Outcome::Created(id) | Outcome::Updated(id) => Some(*id),
            Outcome::Unchanged(_) => None,
        })
        .collect();
    let last_seq = change_log::append_many(
        txn,
        RecordKind::FundingOpportunity,
        &changed_ids,
        Operation::Upsert,
    )
    .await?;
    let count = |wanted: fn(&Outcome) -> bool| written.iter().filter(|(_, o)| wanted(o)).count();
    let changed: Vec<&str> = written
        .iter()
        .filter(|(_, outcome)| !matches!(outcome, Outcome::Unchanged(_)))
        .map(|(external_id, _)| external_id.as_str())
        .collect();
    audit::record(
        txn,
        viewer,
        audit::Entry {
            action: "funding.upsert",
            target: RecordKind::FundingOpportunity,
            target_id: written
                .iter()
                .find(|(_, outcome)| !matches!(outcome, Outcome::Unchanged(_)))
                .or(written.first())
                .map_or(0, |(_, outcome)| id_of(*outcome)),
            reason,
            details: serde_json::json!({
                "source": source.as_str(),
                "records": written.len(),
                "created": count(|o| matches!(o, Outcome::Created(_))),
                "updated": count(|o| matches!(o, Outcome::Updated(_))),
                "unchanged": count(|o| matches!(o, Outcome::Unchanged(_))),
                "changed_external_ids": changed,
            }),
            change_seq: last_seq,
        },
    )
    .await?;
    Ok(written)
}

/// The record index a path under `records` starts with, to report errors in input order.
fn record_index(path: &FieldPath) -> usize {
    match path.segments().get(1) {
        Some(crate::domain::Segment::Index(index)) => *index,
        _ => 0,
    }
}

fn id_of(outcome: Outcome) -> i32 {
    match outcome {
        Outcome::Created(id) | Outcome::Updated(id) | Outcome::Unchanged(id) => id,
    }
}
