//! The webhook dispatcher, two tasks:
//!
//! - [`FanOut`], a [`ChangeConsumer`] named `webhooks` (checkpoint in `change_consumer`):
//!   for each batch of `change_log` it stores one `webhook_delivery` per change and matching
//!   subscription, with its event id and the exact body, in the transaction that moves its
//!   checkpoint. A delivery is therefore stored before anything is sent, exactly once
//!   (unique per subscription and `seq`), and survives restarts.
//! - [`Sender`]: sends due deliveries, signed (Standard Webhooks), and records each attempt:
//!   2xx is delivered; otherwise the next attempt is scheduled after an exponential delay
//!   with jitter, and after the last attempt the delivery is failed and its subscription
//!   marked failing (a later success clears it). A delivery interrupted by a stop is sent
//!   again after the restart with the same event id, so receivers de-duplicate by it.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use futures_util::StreamExt;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use tokio::sync::Notify;

use super::{DeliveryStatus, entity_kinds, signature, target};
use crate::config::WebhookSettings;
use crate::domain::{RecordKind, Viewer};
use crate::entity::{change_log, webhook_delivery, webhook_subscription};
use crate::service::change_consumer::{
    self, ChangeConsumer, ChangeSignal, DbCheckpoint, RunOptions, Shutdown,
};
use crate::service::change_log::Operation;
use crate::service::changes::FEED_KINDS;

/// The consumer's name in `change_consumer`.
pub const CONSUMER: &str = "webhooks";
/// Most deliveries sent at once.
const CONCURRENCY: usize = 8;
/// Most due deliveries claimed per round.
const ROUND: u64 = 64;
/// Longest a checkpoint moved past changes without deliveries stays unwritten.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(30);
/// Longest idle wait of the sender before it looks for due deliveries anyway.
const IDLE: Duration = Duration::from_millis(500);

/// Starts the fan-out consumer and the sender; both stop when `shutdown` fires.
pub fn spawn(
    db: DatabaseConnection,
    settings: WebhookSettings,
    signal: ChangeSignal,
    shutdown: Shutdown,
) -> Vec<tokio::task::JoinHandle<()>> {
    let wake = Arc::new(Notify::new());
    let fan_out = FanOut {
        db: db.clone(),
        checkpoint: DbCheckpoint::new(CONSUMER),
        wake: wake.clone(),
        persisted_at: std::time::Instant::now(),
    };
    let options = RunOptions {
        idle: Duration::from_millis(500),
        ..RunOptions::default()
    };
    let sender = Sender {
        client: target::client(settings.allow_private_targets, settings.timeout()),
        db: db.clone(),
        settings,
        wake,
    };
    vec![
        tokio::spawn(change_consumer::run(
            db,
            fan_out,
            signal,
            options,
            shutdown.clone(),
        )),
        tokio::spawn(sender.run(shutdown)),
    ]
}

/// Turns changes into stored deliveries.
pub struct FanOut {
    db: DatabaseConnection,
    checkpoint: DbCheckpoint,
    wake: Arc<Notify>,
    /// When the checkpoint was last written.
    persisted_at: std::time::Instant,
}

#[async_trait::async_trait]
impl ChangeConsumer for FanOut {
    fn name(&self) -> &str {
        self.checkpoint.name()
    }

    async fn checkpoint(&mut self) -> anyhow::Result<i64> {
        // A database that never ran the dispatcher starts at its tail: no subscription
        // existed before, so nothing earlier can be due.
        if let Some(seq) = self.checkpoint.cached() {
            return Ok(seq);
        }
        let latest = change_consumer::latest_seq(&self.db).await?;
        self.checkpoint.load(&self.db, latest).await
    }

    async fn apply(&mut self, changes: &[change_log::Model]) -> anyhow::Result<()> {
        let last = changes.last().map_or(0, |change| change.seq);
        let feed: Vec<(&change_log::Model, RecordKind)> = changes
            .iter()
            .filter_map(|change| {
                RecordKind::parse(&change.entity_type)
                    .filter(|kind| FEED_KINDS.contains(kind))
                    .map(|kind| (change, kind))
            })
            .collect();
        let subscriptions = if feed.is_empty() {
            Vec::new()
        } else {
            webhook_subscription::Entity::find()
                .filter(webhook_subscription::Column::DeletedAt.is_null())
                .filter(webhook_subscription::Column::CheckpointSeq.lt(last))
                .all(&self.db)
                .await
                .context("read webhook subscriptions")?
        };
        let mut rows = Vec::new();
        if !subscriptions.is_empty() {
            let visible = visible_now(&self.db, &feed).await?;
            let now = Utc::now().fixed_offset();
            for subscription in &subscriptions {
                let kinds = entity_kinds(subscription);
                for (change, kind) in &feed {
                    if change.seq <= subscription.checkpoint_seq
                        || (!kinds.is_empty() && !kinds.contains(kind))
                    {
                        continue;
                    }
                    let upsert = change.operation == Operation::Upsert.as_str()
                        && visible.contains(&(*kind, change.entity_id));
                    rows.push(webhook_delivery::ActiveModel {
                        subscription_id: Set(subscription.id),
                        change_seq: Set(change.seq),
                        attempts: Set(0),
                        next_attempt_at: Set(Some(now)),
                        last_status: Set(None),
                        last_error: Set(None),
                        delivered_at: Set(None),
                        created_at: Set(now),
                        event_id: Set(Some(new_event_id()?)),
                        status: Set(DeliveryStatus::Pending.as_str().to_owned()),
                        payload: Set(Some(payload(change, *kind, upsert).to_string())),
                        ..Default::default()
                    });
                }
            }
        }
        let stored = rows.len();
        if stored == 0 {
            // Nothing to store: move the checkpoint in memory and persist it now and then
            // only, so a busy log with no subscribers costs no writes (SQLite has one writer).
            // After a restart the rows since the stored checkpoint are scanned again and
            // again yield nothing (deliveries are unique per subscription and seq).
            self.checkpoint.confirm(last);
            if self.persisted_at.elapsed() < CHECKPOINT_EVERY {
                return Ok(());
            }
            self.checkpoint.save(&self.db, last).await?;
            self.persisted_at = std::time::Instant::now();
            return Ok(());
        }
        let txn = crate::service::change_log::begin_write(&self.db).await?;
        for chunk in rows.chunks(200) {
            webhook_delivery::Entity::insert_many(chunk.to_vec())
                .on_conflict(
                    OnConflict::columns([
                        webhook_delivery::Column::SubscriptionId,
                        webhook_delivery::Column::ChangeSeq,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .exec_without_returning(&txn)
                .await
                .context("store webhook deliveries")?;
        }
        self.checkpoint.save(&txn, last).await?;
        txn.commit().await?;
        self.checkpoint.confirm(last);
        self.persisted_at = std::time::Instant::now();
        self.wake.notify_one();
        Ok(())
    }

    async fn reset(&mut self) {
        self.checkpoint.forget();
    }
}

/// The upserted records of `feed` that are publicly visible now.
async fn visible_now(
    db: &DatabaseConnection,
    feed: &[(&change_log::Model, RecordKind)],
) -> anyhow::Result<HashSet<(RecordKind, i32)>> {
    let mut wanted: BTreeMap<RecordKind, BTreeSet<i32>> = BTreeMap::new();
    for (change, kind) in feed {
        if change.operation == Operation::Upsert.as_str() {
            wanted.entry(*kind).or_default().insert(change.entity_id);
        }
    }
    let public = Viewer::anonymous();
    let mut visible = HashSet::new();
    for (kind, ids) in wanted {
        let ids: Vec<i32> = ids.into_iter().collect();
        let found: Vec<i32> = match kind {
            RecordKind::Practice => crate::service::practices::by_ids(db, &public, &ids)
                .await?
                .into_iter()
                .map(|row| row.id)
                .collect(),
            RecordKind::FundingOpportunity => crate::service::funding::by_ids(db, &ids)
                .await?
                .into_iter()
                .map(|row| row.id)
                .collect(),
            _ => ids,
        };
        visible.extend(found.into_iter().map(|id| (kind, id)));
    }
    Ok(visible)
}

/// The body of a delivery: what the change feed says about the change.
fn payload(change: &change_log::Model, kind: RecordKind, upsert: bool) -> serde_json::Value {
    let operation = if upsert { "UPSERT" } else { "DELETE" };
    let entity_type = kind.name().to_ascii_uppercase();
    serde_json::json!({
        "type": format!("{}.{}", kind.name(), operation.to_ascii_lowercase()),
        "timestamp": change.occurred_at.to_rfc3339(),
        "data": {
            // The `changes` feed's cursor for this change.
            "cursor": URL_SAFE_NO_PAD.encode(format!("change:{}", change.seq)),
            "entityType": entity_type,
            "id": crate::graphql::ids::GlobalId::new(kind, change.entity_id).encode().0,
            "operation": operation,
            "occurredAt": change.occurred_at.to_rfc3339(),
        }
    })
}

fn new_event_id() -> anyhow::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|error| anyhow::anyhow!("random event id: {error}"))?;
    Ok(format!("msg_{}", URL_SAFE_NO_PAD.encode(bytes)))
}

/// Sends due deliveries.
pub struct Sender {
    client: reqwest::Client,
    db: DatabaseConnection,
    settings: WebhookSettings,
    wake: Arc<Notify>,
}

impl Sender {
    async fn run(self, mut shutdown: Shutdown) {
        while !shutdown.is_fired() {
            let wait = match self.round().await {
                Ok(0) => IDLE,
                Ok(_) => Duration::ZERO,
                Err(error) => {
                    tracing::warn!(error = format!("{error:#}"), "webhook sender failed");
                    Duration::from_secs(1)
                }
            };
            if wait.is_zero() {
                continue;
            }
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = self.wake.notified() => {}
                () = shutdown.fired() => return,
            }
        }
    }

    /// Sends the deliveries due now; returns how many were attempted.
    async fn round(&self) -> anyhow::Result<usize> {
        let now = Utc::now().fixed_offset();
        let due = webhook_delivery::Entity::find()
            .find_also_related(webhook_subscription::Entity)
            .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending.as_str()))
            .filter(webhook_delivery::Column::NextAttemptAt.lte(now))
            .filter(webhook_subscription::Column::DeletedAt.is_null())
            .order_by_asc(webhook_delivery::Column::NextAttemptAt)
            .order_by_asc(webhook_delivery::Column::Id)
            .limit(ROUND)
            .all(&self.db)
            .await
            .context("read due webhook deliveries")?;
        let count = due.len();
        let due: Vec<(webhook_delivery::Model, webhook_subscription::Model)> = due
            .into_iter()
            .filter_map(|(delivery, subscription)| subscription.map(|found| (delivery, found)))
            .collect();
        let results: Vec<anyhow::Result<()>> = futures_util::stream::iter(due)
            .map(|(delivery, subscription)| self.attempt(delivery, subscription))
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        for result in results {
            result?;
        }
        Ok(count)
    }

    async fn attempt(
        &self,
        delivery: webhook_delivery::Model,
        subscription: webhook_subscription::Model,
    ) -> anyhow::Result<()> {
        let outcome = self.send(&delivery, &subscription).await;
        let now = Utc::now().fixed_offset();
        let attempts = delivery.attempts.saturating_add(1);
        let mut row: webhook_delivery::ActiveModel = delivery.into();
        row.attempts = Set(attempts);
        let succeeded = match &outcome {
            Ok(status) => {
                row.last_status = Set(Some(i32::from(*status)));
                (200..300).contains(status)
            }
            Err(_) => {
                row.last_status = Set(None);
                false
            }
        };
        row.last_error = Set(match &outcome {
            Ok(status) if !(200..300).contains(status) => {
                Some(format!("the receiver answered {status}"))
            }
            Ok(_) => None,
            Err(message) => Some(message.clone()),
        });
        let mut mark_failing = false;
        if succeeded {
            row.status = Set(DeliveryStatus::Delivered.as_str().to_owned());
            row.delivered_at = Set(Some(now));
            row.next_attempt_at = Set(None);
        } else if attempts as u32 >= self.settings.max_attempts {
            row.status = Set(DeliveryStatus::Failed.as_str().to_owned());
            row.next_attempt_at = Set(None);
            mark_failing = true;
        } else {
            let delay = jittered(self.settings.retry_delay(attempts as u32));
            row.next_attempt_at = Set(Some(
                now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::hours(1)),
            ));
        }
        let txn = crate::service::change_log::begin_write(&self.db).await?;
        row.update(&txn).await?;
        if mark_failing && subscription.failing_since.is_none() {
            let mut marked: webhook_subscription::ActiveModel = subscription.into();
            marked.failing_since = Set(Some(now));
            marked.updated_at = Set(now);
            marked.update(&txn).await?;
        } else if succeeded && subscription.failing_since.is_some() {
            let mut cleared: webhook_subscription::ActiveModel = subscription.into();
            cleared.failing_since = Set(None);
            cleared.updated_at = Set(now);
            cleared.update(&txn).await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// One POST; the receiver's status, or why there was none.
    async fn send(
        &self,
        delivery: &webhook_delivery::Model,
        subscription: &webhook_subscription::Model,
    ) -> Result<u16, String> {
        let url = target::check_url(&subscription.url, self.settings.allow_private_targets)?;
        let id = delivery.event_id.clone().unwrap_or_default();
        let body = delivery.payload.clone().unwrap_or_default();
        let timestamp = Utc::now().timestamp();
        let signed = signature::sign(&subscription.secret, &id, timestamp, &body);
        let response = self
            .client
            .post(url.as_str())
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signed)
            .body(body)
            .send()
            .await
            .map_err(|error| {
                let mut message = error.to_string();
                let mut source = std::error::Error::source(&error);
                while let Some(cause) = source {
                    message.push_str(": ");
                    message.push_str(&cause.to_string());
                    source = cause.source();
                }
                message
            })?;
        Ok(response.status().as_u16())
    }
}

/// `delay` scaled by a random factor in 0.8..1.2, so failed receivers are not hit in waves.
fn jittered(delay: Duration) -> Duration {
    let mut bytes = [0u8; 4];
    let unit = match getrandom::fill(&mut bytes) {
        Ok(()) => f64::from(u32::from_le_bytes(bytes)) / f64::from(u32::MAX),
        Err(_) => 0.5,
    };
    delay.mul_f64(0.8 + 0.4 * unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_a_fifth_of_the_delay() {
        for _ in 0..100 {
            let delay = jittered(Duration::from_secs(100));
            assert!((80_000..=120_000).contains(&delay.as_millis()), "{delay:?}");
        }
    }
}
