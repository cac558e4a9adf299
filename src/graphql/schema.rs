//! Schema assembly: the one builder behind both `kxc serve` and `kxc schema`, and the
//! per-request execution that attaches DataLoaders and the statement counter.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_graphql::{Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

use super::exec::budget::CostBudget;
use super::exec::language::AcceptedLanguages;
use super::exec::limits::Limits;
use super::exec::loaders::{self, Loaders};
use super::exec::null_propagation::NullPropagation;
use super::exec::persisted::PersistedQueries;
use super::exec::protection::Protection;
use super::exec::response_cache::ResponseCache;
use super::mutation::Mutation;
use super::query::Query;
use super::subscription::Subscription;
use crate::config::Settings;
use crate::domain::Viewer;
use crate::search::SharedIndex;
use crate::service::reference::{ReferenceCache, RequestReference};

pub type AppSchema = Schema<Query, Mutation, Subscription>;

/// How the schema protects itself; see `config::api` for the settings behind each value.
#[derive(Clone, Debug)]
pub struct SchemaOptions {
    pub limits: Limits,
    pub introspection: bool,
    pub field_suggestions: bool,
    /// Byte budget of the persisted-query cache.
    pub persisted_query_cache_bytes: u64,
    /// Largest document the persisted-query cache keeps.
    pub persisted_query_max_bytes: usize,
    /// Byte budget of the response cache for anonymous queries (0: off).
    pub response_cache_bytes: u64,
    /// Longest time a cached response is answered again.
    pub response_cache_ttl: std::time::Duration,
    pub search: crate::service::search::SearchGate,
    /// Which webhook targets `createWebhookSubscription` accepts.
    pub webhooks: crate::config::WebhookSettings,
    /// The community's new-member threshold and post flood limit.
    pub community: crate::config::CommunitySettings,
}

impl SchemaOptions {
    pub fn from_settings(settings: &Settings) -> Self {
        let api = &settings.api;
        Self {
            limits: Limits {
                max_depth: api.max_depth,
                max_complexity: api.max_complexity,
                max_aliases: api.max_aliases,
                max_expanded_selections: api.max_expanded_selections,
                max_directives: api.max_directives,
                execution_timeout: api.execution_timeout(),
            },
            introspection: settings.introspection_enabled(),
            field_suggestions: settings.field_suggestions_enabled(),
            persisted_query_cache_bytes: api.persisted_query_cache_bytes,
            persisted_query_max_bytes: api.persisted_query_max_bytes,
            response_cache_bytes: api.response_cache_bytes,
            response_cache_ttl: api.response_cache_ttl(),
            search: crate::service::search::SearchGate::from_settings(api),
            webhooks: settings.webhooks.clone(),
            community: settings.community.clone(),
        }
    }
}

/// The root types, before any data or extension is attached: the one place that says what
/// the schema is made of.
fn schema() -> SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
}

/// Builds the executable schema over `db` and the search index.
pub fn build(db: DatabaseConnection, search: SharedIndex, options: &SchemaOptions) -> AppSchema {
    // CostBudget wraps Protection so it charges only what passed the limits; Protection wraps
    // the persisted-query extension and sees its errors. The response cache runs inside all
    // three (a hit is limited and charged like a miss) and outside null propagation (it keeps
    // responses as clients get them).
    let mut builder = schema()
        .data(db)
        .data(search)
        .data(options.search.clone())
        .data(options.webhooks.clone())
        .data(Arc::new(
            crate::service::community::Community::from_settings(&options.community),
        ))
        .extension(CostBudget)
        .extension(Protection::new(options.limits, options.introspection))
        .extension(PersistedQueries::new(
            options.persisted_query_cache_bytes,
            options.persisted_query_max_bytes,
        ))
        .extension(ResponseCache::new(
            options.response_cache_bytes,
            options.response_cache_ttl,
        ))
        .extension(NullPropagation);
    if !options.introspection {
        builder = builder.disable_introspection();
    }
    if !options.field_suggestions {
        builder = builder.disable_suggestions();
    }
    builder.finish()
}

/// The schema in SDL, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    schema().finish().sdl()
}

/// Executes one request with its per-request data: the viewer, DataLoaders (which see what
/// the viewer sees), the client's accepted languages and, when `report_statements` is set, the count of SQL statements it ran
/// (in `extensions.sqlStatements`).
pub async fn execute(
    schema: &AppSchema,
    db: &DatabaseConnection,
    reference: &Arc<ReferenceCache>,
    viewer: Viewer,
    request: async_graphql::Request,
    languages: AcceptedLanguages,
    report_statements: bool,
) -> async_graphql::Response {
    let counter = Arc::new(AtomicU64::new(0));
    let batches = loaders::BatchQueue::default();
    let reference = RequestReference::new(reference.clone(), db.clone());
    let request = request
        .data(Loaders::new(
            db,
            &viewer,
            reference.clone(),
            batches.clone(),
        ))
        .data(reference)
        .data(viewer)
        .data(languages);
    let execution = loaders::FlushOnPending::new(schema.execute(request), batches, counter.clone());
    let mut response = crate::db::STATEMENT_COUNTER
        .scope(counter.clone(), execution)
        .await;
    if report_statements {
        response.extensions.insert(
            "sqlStatements".to_owned(),
            async_graphql::Value::from(counter.load(Ordering::Relaxed)),
        );
    }
    response
}
