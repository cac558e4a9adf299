//! Root subscription slices, merged into [`Subscription`]. Served over `graphql-transport-ws`
//! at `/graphql/ws` (`http::ws`); each stream is fed by the change bus
//! (`service::change_bus`, committed `change_log` rows) and re-reads every record through the
//! subscriber's viewer (`service::live`), so nothing uncommitted or invisible is sent.

mod community;
mod practices;

use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::{Context, MergedSubscription};
use tokio::sync::broadcast;

use crate::service::change_bus::{Change, ChangeBus};

/// The root subscription type.
#[derive(MergedSubscription, Default)]
pub struct Subscription(
    practices::PracticeSubscription,
    community::CommunitySubscription,
);

/// A receiver of the change bus opened when the subscribe message arrived (so no change
/// committed after it is missed while the operation is prepared); attached to the request by
/// the websocket executor.
#[derive(Clone, Default)]
pub struct OpenedReceiver(Arc<Mutex<Option<broadcast::Receiver<Arc<Change>>>>>);

impl OpenedReceiver {
    pub fn new(receiver: broadcast::Receiver<Arc<Change>>) -> Self {
        Self(Arc::new(Mutex::new(Some(receiver))))
    }
}

/// The receiver a subscription field reads: the one opened for its request, else a new one.
fn changes(ctx: &Context<'_>) -> async_graphql::Result<broadcast::Receiver<Arc<Change>>> {
    let opened = ctx.data_opt::<OpenedReceiver>().and_then(|opened| {
        opened
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    });
    match opened {
        Some(receiver) => Ok(receiver),
        None => Ok(ctx
            .data_opt::<ChangeBus>()
            .ok_or_else(|| {
                async_graphql::Error::from(crate::error::AppError::new(
                    crate::error::ErrorCode::BadUserInput,
                    "subscriptions are served over graphql-transport-ws at /graphql/ws",
                ))
            })?
            .subscribe()),
    }
}

/// The next change from `receiver`; a subscriber that fell behind skips what it missed.
async fn next_change(receiver: &mut broadcast::Receiver<Arc<Change>>) -> Option<Arc<Change>> {
    loop {
        match receiver.recv().await {
            Ok(change) => return Some(change),
            Err(broadcast::error::RecvError::Lagged(skipped)) => {
                tracing::warn!(skipped, "subscriber fell behind the change bus");
            }
            Err(broadcast::error::RecvError::Closed) => return None,
        }
    }
}
