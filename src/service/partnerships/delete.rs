//! `deletePartnership` (admins): removes the partnership and its participant and theme rows
//! in one transaction with its `change_log` (`delete`) and audit rows.

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, ModelTrait, QueryFilter};

use crate::domain::{RecordKind, Viewer};
use crate::entity::{partnership, partnership_city, partnership_theme};
use crate::service::change_log::Operation;
use crate::service::concurrency::check_version;
use crate::service::permissions::{self, Action};
use crate::service::{ServiceError, landscape};

pub async fn run(
    db: &DatabaseConnection,
    viewer: &Viewer,
    id: i32,
    expected_version: Option<i64>,
    reason: Option<String>,
) -> Result<partnership::Model, ServiceError> {
    permissions::check(viewer, Action::ManageLandscape)?;
    let txn = crate::service::change_log::begin_write(db).await?;
    let row = partnership::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or_else(|| ServiceError::not_found("partnership"))?;
    check_version("partnership", expected_version, i64::from(row.version))?;
    partnership_city::Entity::delete_many()
        .filter(partnership_city::Column::PartnershipId.eq(id))
        .exec(&txn)
        .await?;
    partnership_theme::Entity::delete_many()
        .filter(partnership_theme::Column::PartnershipId.eq(id))
        .exec(&txn)
        .await?;
    row.clone().delete(&txn).await?;
    landscape::log(
        &txn,
        viewer,
        landscape::Logged {
            kind: RecordKind::Partnership,
            id,
            operation: Operation::Delete,
            action: "partnership.delete",
            reason,
            details: serde_json::json!({ "slug": row.slug, "name": row.name }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}
