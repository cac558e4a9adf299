//! Running operations that arrive over the websocket (`http::ws`): [`LiveExecutor`] is the
//! async-graphql executor of one connection. It attaches what `graphql::execute` attaches to
//! an HTTP request (the viewer, fresh DataLoaders, the caller's budget), so the same guards,
//! visibility, limits (the `Protection` extension's depth, complexity, alias and directive
//! checks run while the operation is prepared) and cost budget apply, plus the change bus.
//! It also bounds how many operations one connection runs at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use async_graphql::futures_util::stream::{self, BoxStream, StreamExt};
use async_graphql::{Data, Executor, Request, Response, ServerError};
use sea_orm::DatabaseConnection;

use super::budget::BudgetCharge;
use super::language::AcceptedLanguages;
use super::loaders::{BatchQueue, FlushOnPending, Loaders};
use crate::domain::Viewer;
use crate::error::ErrorCode;
use crate::graphql::AppSchema;
use crate::graphql::subscription::OpenedReceiver;
use crate::service::change_bus::ChangeBus;
use crate::service::reference::{ReferenceCache, RequestReference};

/// The executor of one authenticated websocket connection.
#[derive(Clone)]
pub struct LiveExecutor {
    pub schema: AppSchema,
    pub db: DatabaseConnection,
    pub reference: Arc<ReferenceCache>,
    pub viewer: Viewer,
    pub charge: Option<BudgetCharge>,
    pub bus: ChangeBus,
    pub languages: AcceptedLanguages,
    /// Most operations running at once on this connection.
    pub max_operations: usize,
    open: Arc<AtomicUsize>,
}

impl LiveExecutor {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        schema: AppSchema,
        db: DatabaseConnection,
        reference: Arc<ReferenceCache>,
        viewer: Viewer,
        charge: Option<BudgetCharge>,
        bus: ChangeBus,
        languages: AcceptedLanguages,
        max_operations: usize,
    ) -> Self {
        Self {
            schema,
            db,
            reference,
            viewer,
            charge,
            bus,
            languages,
            max_operations,
            open: Arc::default(),
        }
    }

    fn prepare(&self, request: Request, batches: &BatchQueue) -> Request {
        // A subscription lives across many changes: each event reads the tail anew.
        let reference = RequestReference::unpinned(self.reference.clone(), self.db.clone());
        let mut request = request
            .data(Loaders::new(
                &self.db,
                &self.viewer,
                reference.clone(),
                batches.clone(),
            ))
            .data(reference)
            .data(self.viewer.clone())
            .data(self.languages.clone())
            .data(self.bus.clone())
            .data(OpenedReceiver::new(self.bus.subscribe()));
        if let Some(charge) = &self.charge {
            request = request.data(charge.clone());
        }
        request
    }
}

/// Counts one running operation until dropped.
struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Executor for LiveExecutor {
    async fn execute(&self, request: Request) -> Response {
        crate::graphql::execute(
            &self.schema,
            &self.db,
            &self.reference,
            self.viewer.clone(),
            request,
            self.languages.clone(),
            false,
        )
        .await
    }

    fn execute_stream(
        &self,
        request: Request,
        _session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let open = self.open.fetch_add(1, Ordering::SeqCst);
        let running = Running(self.open.clone());
        if open >= self.max_operations {
            let mut error = ServerError::new(
                format!(
                    "this connection runs {open} operations already; at most {} may run at once (complete one first)",
                    self.max_operations
                ),
                None,
            );
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", ErrorCode::RateLimited.as_str());
            return stream::once(async move {
                drop(running);
                Response::from_errors(vec![error])
            })
            .boxed();
        }
        let batches = BatchQueue::default();
        let counter = Arc::new(AtomicU64::new(0));
        let inner = self.schema.execute_stream(self.prepare(request, &batches));
        // Resolvers' DataLoader batches start only when execution waits (`FlushOnPending`),
        // for each event of a subscription as for a query.
        stream::unfold((inner, running), move |(mut inner, running)| {
            let batches = batches.clone();
            let counter = counter.clone();
            async move {
                let next = FlushOnPending::new(inner.next(), batches, counter).await?;
                Some((super::protection::label_streamed(next), (inner, running)))
            }
        })
        .boxed()
    }
}
