//! The one place that appends to `change_log`. Call it inside the write's transaction, after
//! the write itself: on PostgreSQL it first takes a transaction-scoped advisory lock, so the
//! `seq` is drawn from the sequence only while no other appender's transaction is open, and
//! the lock is released only after this transaction's commit is visible. Seqs therefore commit
//! in order and a reader tailing the log never sees seq N+1 while N is still in flight. Every
//! statement after the first `append` runs under the lock, so keep them few (the audit row);
//! a batch writes its records first and appends their rows at the end.
//!
//! SQLite has a single writer, so no lock is needed there; [`begin_serialised`] starts its
//! transaction `IMMEDIATE` so concurrent writers wait for the write lock (busy timeout)
//! instead of failing when a deferred read would have to upgrade.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, Set,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait,
};

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

/// Begins a transaction that holds the change-log tail from its first statement: on
/// PostgreSQL the advisory lock [`append`] takes (held until commit), on SQLite the write lock
/// (`BEGIN IMMEDIATE`). Writers that read what they then write (partner sync: existing
/// versions, tombstones) use it, so concurrent batches run one after another instead of
/// racing on the same `(source, external_id)`.
pub async fn begin_serialised(
    db: &DatabaseConnection,
) -> Result<DatabaseTransaction, sea_orm::DbErr> {
    let txn = begin_write(db).await?;
    lock_tail(&txn).await?;
    Ok(txn)
}

/// Begins a transaction that writes: `BEGIN IMMEDIATE` on SQLite, the default on PostgreSQL.
/// Every writer in `service` begins this way (or with [`begin_serialised`]). On SQLite a
/// deferred transaction that reads first and writes later cannot wait for the write lock: when
/// another writer committed after its first read, its snapshot is stale and the write fails at
/// once with `SQLITE_BUSY` whatever the busy timeout. Taking the write lock at `BEGIN` makes
/// concurrent writers queue (up to the busy timeout) and makes each read-then-write see the
/// latest committed state. Read-only transactions (the export snapshot) stay deferred.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, sea_orm::DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

async fn lock_tail(txn: &DatabaseTransaction) -> Result<(), sea_orm::DbErr> {
    if crate::db::is_postgres(txn) {
        txn.execute_raw(Statement::from_sql_and_values(
            sea_orm::DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [TAIL_LOCK_KEY.into()],
        ))
        .await?;
    }
    Ok(())
}

/// Appends one row and returns its `seq`.
pub async fn append(
    txn: &DatabaseTransaction,
    entity_type: RecordKind,
    entity_id: i32,
    operation: Operation,
) -> Result<i64, sea_orm::DbErr> {
    lock_tail(txn).await?;
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

/// Appends one row per id, in order, and returns the last `seq` (`None` for no ids): one lock
/// and one multi-row `INSERT` per chunk that fits the backend's parameter limit, so a batch of
/// records costs a few statements under the lock instead of two per record.
pub async fn append_many(
    txn: &DatabaseTransaction,
    entity_type: RecordKind,
    entity_ids: &[i32],
    operation: Operation,
) -> Result<Option<i64>, sea_orm::DbErr> {
    if entity_ids.is_empty() {
        return Ok(None);
    }
    lock_tail(txn).await?;
    let now = Utc::now().fixed_offset();
    let rows: Vec<change_log::ActiveModel> = entity_ids
        .iter()
        .map(|id| change_log::ActiveModel {
            entity_type: Set(entity_type.name().to_owned()),
            entity_id: Set(*id),
            operation: Set(operation.as_str().to_owned()),
            occurred_at: Set(now),
            ..Default::default()
        })
        .collect();
    // Four bound values a row: entity type, entity id, operation, time.
    crate::service::chunked::insert_all(txn, rows, 4).await?;
    // Under the tail lock (PostgreSQL) or the single writer (SQLite) the newest row is ours.
    crate::service::change_consumer::latest_seq(txn)
        .await
        .map(Some)
}
