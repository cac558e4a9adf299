//! The one way to follow `change_log`: a named consumer with a checkpoint, reading batches by
//! `seq`, resuming from its checkpoint after a restart or a failure, backing off while it
//! fails. The search indexer (checkpoint in the index commit) and the webhook dispatcher
//! (checkpoint in `change_consumer`) run on it.
//!
//! - Implement [`ChangeConsumer`]: [`checkpoint`](ChangeConsumer::checkpoint) says where to
//!   continue, [`apply`](ChangeConsumer::apply) handles a batch and makes its last `seq` the
//!   durable checkpoint (or fails having stored nothing, and the batch is read again).
//!   [`DbCheckpoint`] is the checkpoint store for consumers without one of their own.
//! - [`run`] drives it until the [`Shutdown`] fires; it waits for [`ChangeSignal`] (the latest
//!   committed `seq`, one poll per process) instead of polling itself.
//! - Anything that only needs to wake when something was committed (GraphQL subscriptions)
//!   subscribes to [`ChangeSignal::subscribe`]; writers may [`ChangeSignal::poke`] after a
//!   commit so it is seen at once instead of at the next poll.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use tokio::sync::{Notify, watch};

use crate::entity::{change_consumer, change_log};

/// The most rows one batch holds unless a consumer asks for fewer.
pub const DEFAULT_BATCH: u64 = 500;

/// A follower of `change_log`.
#[async_trait::async_trait]
pub trait ChangeConsumer: Send {
    /// A stable name, for logs (and the row of its [`DbCheckpoint`]).
    fn name(&self) -> &str;

    /// Most rows per batch.
    fn batch_size(&self) -> u64 {
        DEFAULT_BATCH
    }

    /// The last `seq` this consumer handled durably; reading continues after it. Called at
    /// start, after every failure and before every read, so keep it cheap (cache it).
    async fn checkpoint(&mut self) -> anyhow::Result<i64>;

    /// Handles `changes` (non-empty, ascending `seq`, every row after the checkpoint) and
    /// makes the last one's `seq` the checkpoint, durably; or fails with nothing stored, and
    /// the same rows come again after a backoff.
    async fn apply(&mut self, changes: &[change_log::Model]) -> anyhow::Result<()>;

    /// Forgets cached state after a failure (the checkpoint is read again next).
    async fn reset(&mut self) {}
}

/// A checkpoint kept in `change_consumer` under a name, cached after the first read.
pub struct DbCheckpoint {
    name: String,
    cached: Option<i64>,
}

impl DbCheckpoint {
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            cached: None,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The checkpoint read or confirmed last, if any.
    pub fn cached(&self) -> Option<i64> {
        self.cached
    }

    /// The stored checkpoint; a consumer never seen before starts at `initial` (stored now,
    /// so a consumer added to a populated database can start at the tail instead of 0).
    pub async fn load(&mut self, db: &impl ConnectionTrait, initial: i64) -> anyhow::Result<i64> {
        if let Some(seq) = self.cached {
            return Ok(seq);
        }
        let found = change_consumer::Entity::find_by_id(self.name.clone())
            .one(db)
            .await
            .context("read consumer checkpoint")?;
        let seq = match found {
            Some(row) => row.seq,
            None => {
                self.save(db, initial).await?;
                initial
            }
        };
        self.cached = Some(seq);
        Ok(seq)
    }

    /// Stores `seq`; call it in the transaction that stores the batch's effects, so both
    /// commit together. [`confirm`](Self::confirm) it after the commit.
    pub async fn save(&self, db: &impl ConnectionTrait, seq: i64) -> anyhow::Result<()> {
        change_consumer::Entity::insert(change_consumer::ActiveModel {
            name: Set(self.name.clone()),
            seq: Set(seq),
            updated_at: Set(Utc::now().fixed_offset()),
        })
        .on_conflict(
            OnConflict::column(change_consumer::Column::Name)
                .update_columns([
                    change_consumer::Column::Seq,
                    change_consumer::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await
        .context("save consumer checkpoint")?;
        Ok(())
    }

    /// Caches `seq` as the checkpoint once the transaction that saved it committed.
    pub fn confirm(&mut self, seq: i64) {
        self.cached = Some(seq);
    }

    /// Drops the cached value (after a failed transaction).
    pub fn forget(&mut self) {
        self.cached = None;
    }
}

/// The latest `seq` committed to `change_log`, as far as this process knows: one poller per
/// application reads `MAX(seq)` every `poll` (at once when [`poke`](Self::poke)d) and
/// publishes it. Clones share the channel.
#[derive(Clone)]
pub struct ChangeSignal {
    latest: Arc<watch::Sender<i64>>,
    poked: Arc<Notify>,
}

impl Default for ChangeSignal {
    fn default() -> Self {
        Self::new()
    }
}

impl ChangeSignal {
    pub fn new() -> Self {
        Self {
            latest: Arc::new(watch::Sender::new(0)),
            poked: Arc::new(Notify::new()),
        }
    }

    /// A receiver of the latest committed `seq`; `changed()` wakes when it grows.
    pub fn subscribe(&self) -> watch::Receiver<i64> {
        self.latest.subscribe()
    }

    /// The latest committed `seq` seen so far.
    pub fn latest(&self) -> i64 {
        *self.latest.borrow()
    }

    /// Asks the poller to look now (after a commit), instead of at its next tick.
    pub fn poke(&self) {
        self.poked.notify_one();
    }

    /// Publishes `seq` if it is newer than what was known.
    pub fn publish(&self, seq: i64) {
        self.latest.send_if_modified(|latest| {
            let newer = seq > *latest;
            if newer {
                *latest = seq;
            }
            newer
        });
    }

    /// Spawns the poller: reads `MAX(seq)` every `poll` or when poked, until `shutdown`.
    pub fn spawn_poller(
        &self,
        db: DatabaseConnection,
        poll: Duration,
        mut shutdown: Shutdown,
    ) -> tokio::task::JoinHandle<()> {
        let signal = self.clone();
        tokio::spawn(async move {
            loop {
                match latest_seq(&db).await {
                    Ok(seq) => signal.publish(seq),
                    Err(error) => tracing::warn!(error = %error, "read latest change seq"),
                }
                tokio::select! {
                    () = tokio::time::sleep(poll) => {}
                    () = signal.poked.notified() => {}
                    () = shutdown.fired() => return,
                }
            }
        })
    }
}

/// The largest `seq` in `change_log` (0 when empty).
pub async fn latest_seq(db: &impl ConnectionTrait) -> Result<i64, sea_orm::DbErr> {
    let seq: Option<Option<i64>> = change_log::Entity::find()
        .select_only()
        .column_as(change_log::Column::Seq.max(), "seq")
        .into_tuple()
        .one(db)
        .await?;
    Ok(seq.flatten().unwrap_or(0))
}

/// Tells background tasks to stop: [`fire`](ShutdownTrigger::fire) once, every clone of the
/// [`Shutdown`] sees it.
#[derive(Clone)]
pub struct Shutdown(watch::Receiver<bool>);

pub struct ShutdownTrigger(watch::Sender<bool>);

impl Shutdown {
    pub fn new() -> (ShutdownTrigger, Shutdown) {
        let (sender, receiver) = watch::channel(false);
        (ShutdownTrigger(sender), Shutdown(receiver))
    }

    /// A shutdown that never fires.
    pub fn never() -> Shutdown {
        let (trigger, shutdown) = Self::new();
        std::mem::forget(trigger);
        shutdown
    }

    pub fn is_fired(&self) -> bool {
        *self.0.borrow()
    }

    /// Completes once the trigger fired (or was dropped).
    pub async fn fired(&mut self) {
        let _ = self.0.wait_for(|fired| *fired).await;
    }
}

impl ShutdownTrigger {
    pub fn fire(&self) {
        let _ = self.0.send(true);
    }
}

/// How [`run`] waits and backs off.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Longest wait for a signal before looking anyway (a missed signal costs at most this).
    pub idle: Duration,
    /// First wait after a failure; doubled per consecutive failure up to `max_backoff`.
    pub backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            idle: Duration::from_secs(1),
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
        }
    }
}

/// Reads the rows after `after`, at most `limit`, by ascending `seq`.
pub async fn read_batch(
    db: &impl ConnectionTrait,
    after: i64,
    limit: u64,
) -> Result<Vec<change_log::Model>, sea_orm::DbErr> {
    change_log::Entity::find()
        .filter(change_log::Column::Seq.gt(after))
        .order_by_asc(change_log::Column::Seq)
        .limit(limit)
        .all(db)
        .await
}

/// Drives `consumer` until `shutdown` fires: reads a batch after its checkpoint, applies it,
/// repeats while batches are full; when caught up, waits for `signal` to move (or `idle`).
/// A failure is logged and retried from the checkpoint after an exponential backoff.
pub async fn run<C: ChangeConsumer>(
    db: DatabaseConnection,
    mut consumer: C,
    signal: ChangeSignal,
    options: RunOptions,
    mut shutdown: Shutdown,
) {
    let mut latest = signal.subscribe();
    let mut failures: u32 = 0;
    while !shutdown.is_fired() {
        match step(&db, &mut consumer).await {
            Ok(consumed) => {
                failures = 0;
                if consumed {
                    continue;
                }
                latest.mark_unchanged();
                tokio::select! {
                    _ = latest.changed() => {}
                    () = tokio::time::sleep(options.idle) => {}
                    () = shutdown.fired() => return,
                }
            }
            Err(error) => {
                failures = failures.saturating_add(1);
                let wait = options
                    .backoff
                    .saturating_mul(2u32.saturating_pow(failures.saturating_sub(1).min(16)))
                    .min(options.max_backoff);
                tracing::warn!(
                    consumer = consumer.name(),
                    error = format!("{error:#}"),
                    retry_in_ms = wait.as_millis() as u64,
                    "change consumer failed; retrying from its checkpoint"
                );
                consumer.reset().await;
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = shutdown.fired() => return,
                }
            }
        }
    }
}

/// One read and apply; `true` when a batch was applied.
async fn step<C: ChangeConsumer>(
    db: &DatabaseConnection,
    consumer: &mut C,
) -> anyhow::Result<bool> {
    let after = consumer.checkpoint().await?;
    let batch = read_batch(db, after, consumer.batch_size())
        .await
        .context("read change log")?;
    if batch.is_empty() {
        return Ok(false);
    }
    consumer.apply(&batch).await?;
    Ok(true)
}
