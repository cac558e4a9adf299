//! The change bus: committed `change_log` rows, published in `seq` order to in-process
//! subscribers (GraphQL subscriptions) over a tokio broadcast channel.
//!
//! One task tails `change_log` from the highest `seq` present at start-up, every `poll` or as
//! soon as a writer calls [`ChangeBus::wake`] after its commit. It reads only committed rows,
//! and `change_log::append` makes seqs visible in commit order, so a subscriber never sees a
//! change that is not committed, and never one out of order. A [`Change`] names a record, not
//! its content: subscribers re-read the record through their viewer's visibility.
//!
//! The API ([`ChangeBus::start`], [`subscribe`](ChangeBus::subscribe), [`wake`](ChangeBus::wake),
//! [`Change`]) is all subscribers rely on, so the tail can move onto the shared `change_log`
//! consumer without changing them: that consumer would call [`ChangeBus::publish`] per row.
//! A subscriber that falls more than [`CAPACITY`] changes behind skips the oldest ones
//! (`RecvError::Lagged`), it is never blocked on and never blocks the tail.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use tokio::sync::{Notify, broadcast};

use crate::domain::RecordKind;
use crate::entity::change_log;

/// Changes a slow subscriber may fall behind before it skips the oldest.
pub const CAPACITY: usize = 1024;
const BATCH: u64 = 500;
const BACKOFF: Duration = Duration::from_secs(1);

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
    wake: Arc<Notify>,
    published: Arc<AtomicI64>,
}

impl ChangeBus {
    /// A bus with no tail task: changes reach subscribers only through [`publish`](Self::publish).
    pub fn detached() -> Self {
        Self {
            sender: broadcast::channel(CAPACITY).0,
            wake: Arc::new(Notify::new()),
            published: Arc::new(AtomicI64::new(0)),
        }
    }

    /// Starts the tail task from the newest row now in `change_log`.
    pub async fn start(db: DatabaseConnection, poll: Duration) -> Result<Self, sea_orm::DbErr> {
        let newest = change_log::Entity::find()
            .order_by_desc(change_log::Column::Seq)
            .one(&db)
            .await?
            .map_or(0, |row| row.seq);
        let bus = Self::detached();
        bus.published.store(newest, Ordering::SeqCst);
        let tail = bus.clone();
        tokio::spawn(async move { tail.follow(db, poll).await });
        Ok(bus)
    }

    /// A receiver of every change published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Change>> {
        self.sender.subscribe()
    }

    /// Asks the tail to read `change_log` now; writers call it after their commit.
    pub fn wake(&self) {
        self.wake.notify_one();
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

    async fn follow(&self, db: DatabaseConnection, poll: Duration) {
        loop {
            match self.read_new(&db).await {
                Ok(read) if read as u64 == BATCH => continue,
                Ok(_) => {
                    tokio::select! {
                        () = tokio::time::sleep(poll) => {}
                        () = self.wake.notified() => {}
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "change bus could not read change_log; retrying");
                    tokio::time::sleep(BACKOFF).await;
                }
            }
        }
    }

    async fn read_new(&self, db: &DatabaseConnection) -> Result<usize, sea_orm::DbErr> {
        let rows = change_log::Entity::find()
            .filter(change_log::Column::Seq.gt(self.published()))
            .order_by_asc(change_log::Column::Seq)
            .limit(BATCH)
            .all(db)
            .await?;
        let read = rows.len();
        for row in rows {
            self.publish(row.into());
        }
        Ok(read)
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
