//! The change bus: committed `change_log` rows, published in `seq` order to in-process
//! subscribers (GraphQL subscriptions) over a tokio broadcast channel.
//!
//! The bus follows `change_log` as a [`ChangeConsumer`] on the shared consumer
//! (`service::change_consumer`, like the indexer and the webhook dispatcher): it wakes on the
//! application's [`ChangeSignal`], reads batches after its checkpoint and backs off when the
//! database fails. Its checkpoint is in memory only ([`ChangeBus::published`]), starting at the
//! highest `seq` present at start-up: a subscription is live, nothing is replayed after a
//! restart. The consumer reads only committed rows, and `change_log::append` makes seqs visible
//! in commit order, so a subscriber never sees a change that is not committed, and never one
//! out of order. A [`Change`] names a record, not its content: subscribers re-read the record
//! through their viewer's visibility.
//!
//! A subscriber that falls more than [`CAPACITY`] changes behind skips the oldest ones
//! (`RecvError::Lagged`), it is never blocked on and never blocks the consumer.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::broadcast;

use crate::domain::RecordKind;
use crate::entity::change_log;
use crate::service::change_consumer::{self, ChangeConsumer, ChangeSignal, RunOptions, Shutdown};

/// Changes a slow subscriber may fall behind before it skips the oldest.
pub const CAPACITY: usize = 1024;

/// One committed `change_log` row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub seq: i64,
    /// `change_log.entity_type`: a [`RecordKind`] name, or a kind this build does not know.
    pub entity_type: String,
    pub entity_id: i32,
    /// True for `delete` rows.
    pub deleted: bool,
}

impl Change {
    /// The kind of record, when this build knows it.
    pub fn kind(&self) -> Option<RecordKind> {
        RecordKind::parse(&self.entity_type)
    }
}

impl From<change_log::Model> for Change {
    fn from(row: change_log::Model) -> Self {
        Self {
            seq: row.seq,
            deleted: row.operation == "delete",
            entity_type: row.entity_type,
            entity_id: row.entity_id,
        }
    }
}

/// A handle on the bus; cheap to clone.
#[derive(Clone)]
pub struct ChangeBus {
    sender: broadcast::Sender<Arc<Change>>,
    published: Arc<AtomicI64>,
}

impl ChangeBus {
    /// A bus with no consumer: changes reach subscribers only through [`publish`](Self::publish).
    pub fn detached() -> Self {
        Self {
            sender: broadcast::channel(CAPACITY).0,
            published: Arc::new(AtomicI64::new(0)),
        }
    }

    /// Starts the bus's consumer from the newest row now in `change_log`, until `shutdown`.
    /// It wakes on `signal`; `idle` bounds how long it waits when no signal comes.
    pub async fn start(
        db: DatabaseConnection,
        signal: ChangeSignal,
        idle: Duration,
        shutdown: Shutdown,
    ) -> Result<(Self, tokio::task::JoinHandle<()>), sea_orm::DbErr> {
        let newest = change_consumer::latest_seq(&db).await?;
        let bus = Self::detached();
        bus.published.store(newest, Ordering::SeqCst);
        let options = RunOptions {
            idle,
            ..RunOptions::default()
        };
        let task = tokio::spawn(change_consumer::run(
            db,
            BusConsumer(bus.clone()),
            signal,
            options,
            shutdown,
        ));
        Ok((bus, task))
    }

    /// A receiver of every change published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Change>> {
        self.sender.subscribe()
    }

    /// The highest `seq` published so far.
    pub fn published(&self) -> i64 {
        self.published.load(Ordering::SeqCst)
    }

    /// Hands one committed change to every subscriber (in `seq` order; older seqs are ignored).
    pub fn publish(&self, change: Change) {
        if change.seq <= self.published.fetch_max(change.seq, Ordering::SeqCst) {
            return;
        }
        // No receiver is not an error: nobody is subscribed right now.
        let _ = self.sender.send(Arc::new(change));
    }
}

/// The bus as a `change_log` consumer named `change-bus`, its checkpoint the highest seq
/// published.
struct BusConsumer(ChangeBus);

#[async_trait::async_trait]
impl ChangeConsumer for BusConsumer {
    fn name(&self) -> &str {
        "change-bus"
    }

    async fn checkpoint(&mut self) -> anyhow::Result<i64> {
        Ok(self.0.published())
    }

    async fn apply(&mut self, changes: &[change_log::Model]) -> anyhow::Result<()> {
        for row in changes {
            self.0.publish(row.clone().into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(seq: i64) -> Change {
        Change {
            seq,
            entity_type: "practice".into(),
            entity_id: 7,
            deleted: false,
        }
    }

    #[tokio::test]
    async fn subscribers_get_changes_once_in_seq_order() {
        let bus = ChangeBus::detached();
        let mut receiver = bus.subscribe();
        bus.publish(change(2));
        bus.publish(change(1));
        bus.publish(change(2));
        bus.publish(change(3));
        assert_eq!(receiver.recv().await.unwrap().seq, 2);
        assert_eq!(receiver.recv().await.unwrap().seq, 3);
        assert!(receiver.try_recv().is_err());
        assert_eq!(bus.published(), 3);
        assert_eq!(change(1).kind(), Some(RecordKind::Practice));
    }
}
