//! `deleteFundingOpportunities`: tombstones records of one source (`deleted_at` set, version
//! bumped, a `delete` row in `change_log`). Pushing a tombstoned record again revives it.
//! Deleting a tombstone again changes nothing.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    Set,
};

use super::MAX_BATCH;
use crate::domain::{FieldPath, Slug, Viewer};
use crate::entity::funding_opportunity;
use crate::service::change_log::{self, Operation, RecordKind};
use crate::service::records::FieldError;
use crate::service::{ServiceError, audit, chunked, permissions};

/// External IDs of one source to delete.
#[derive(Clone, Debug)]
pub struct Delete {
    pub source: Slug,
    pub external_ids: Vec<String>,
    pub reason: Option<String>,
}

/// One deleted record, in the order asked.
#[derive(Clone, Debug)]
pub struct Deleted {
    pub external_id: String,
    pub id: i32,
    pub version: i32,
    /// False when it was already deleted (nothing changed).
    pub changed: bool,
}

pub async fn run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    delete: Delete,
) -> Result<Vec<Deleted>, ServiceError> {
    permissions::check_source(viewer, &delete.source)?;
    if delete.external_ids.len() > MAX_BATCH {
        return Err(ServiceError::invalid(
            "external_ids",
            format!(
                "at most {MAX_BATCH} external IDs per call (this one has {})",
                delete.external_ids.len()
            ),
        ));
    }
    let txn = change_log::begin_serialised(db).await?;
    let keys: Vec<&str> = delete.external_ids.iter().map(String::as_str).collect();
    let rows: Vec<funding_opportunity::Model> =
        chunked::load(&txn, &keys, chunked::PerKey::IN_LIST, |keys| {
            funding_opportunity::Entity::find()
                .filter(funding_opportunity::Column::Source.eq(delete.source.as_str()))
                .filter(funding_opportunity::Column::ExternalId.is_in(keys.iter().copied()))
                .all(&txn)
        })
        .await?;
    let mut errors = Vec::new();
    let mut found = Vec::with_capacity(keys.len());
    for (index, key) in keys.iter().enumerate() {
        match rows.iter().find(|row| row.external_id == *key) {
            Some(row) => found.push(row.clone()),
            None => errors.push(FieldError::new(
                FieldPath::from("external_ids").index(index),
                format!("source `{}` has no record `{key}`", delete.source),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let now = Utc::now().fixed_offset();
    let mut results = Vec::with_capacity(found.len());
    for row in found {
        if row.deleted_at.is_some() || results.iter().any(|done: &Deleted| done.id == row.id) {
            let version = results
                .iter()
                .find(|done: &&Deleted| done.id == row.id)
                .map_or(row.version, |done| done.version);
            results.push(Deleted {
                external_id: row.external_id.clone(),
                id: row.id,
                version,
                changed: false,
            });
            continue;
        }
        let (id, external_id, version) = (row.id, row.external_id.clone(), row.version + 1);
        let mut active = row.into_active_model();
        active.deleted_at = Set(Some(now));
        active.version = Set(version);
        active.updated_at = Set(now);
        active.update(&txn).await?;
        results.push(Deleted {
            external_id,
            id,
            version,
            changed: true,
        });
    }
    let changed_ids: Vec<i32> = results
        .iter()
        .filter(|done| done.changed)
        .map(|done| done.id)
        .collect();
    let last_seq = change_log::append_many(
        &txn,
        RecordKind::FundingOpportunity,
        &changed_ids,
        Operation::Delete,
    )
    .await?;
    let deleted: Vec<&str> = results
        .iter()
        .filter(|done| done.changed)
        .map(|done| done.external_id.as_str())
        .collect();
    audit::record(
        &txn,
        viewer,
        audit::Entry {
            action: "funding.delete",
            target: RecordKind::FundingOpportunity,
            target_id: results.first().map_or(0, |done| done.id),
            reason: delete.reason.clone(),
            details: serde_json::json!({
                "source": delete.source.as_str(),
                "deleted_external_ids": deleted,
            }),
            change_seq: last_seq,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(results)
}
