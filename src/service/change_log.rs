//! The one place that appends to `change_log`. Call it inside the write's transaction, as its
//! last statement: on PostgreSQL it first takes a transaction-scoped advisory lock so that
//! concurrent writers commit their `seq` values in order and a reader tailing the log never
//! sees seq N+1 before seq N. SQLite has a single writer, so no lock is needed there.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseTransaction, Set, Statement};

pub use crate::domain::RecordKind;
use crate::entity::change_log;

/// Advisory lock key for the change-log tail ("kxc_log" as bytes).
const TAIL_LOCK_KEY: i64 = 0x006b_7863_5f6c_6f67;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Upsert,
    Delete,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Upsert => "upsert",
            Self::Delete => "delete",
        }
    }
}

/// Appends one row and returns its `seq`.
pub async fn append(
    txn: &DatabaseTransaction,
    entity_type: RecordKind,
    entity_id: i32,
    operation: Operation,
) -> Result<i64, sea_orm::DbErr> {
    if crate::db::is_postgres(txn) {
        txn.execute_raw(Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [TAIL_LOCK_KEY.into()],
        ))
        .await?;
    }
    let row = change_log::ActiveModel {
        entity_type: Set(entity_type.name().to_owned()),
        entity_id: Set(entity_id),
        operation: Set(operation.as_str().to_owned()),
        occurred_at: Set(Utc::now().fixed_offset()),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    Ok(row.seq)
}
