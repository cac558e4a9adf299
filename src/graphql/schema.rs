//! Schema assembly: the one builder behind both `kxc serve` and `kxc schema`, and the
//! per-request execution that attaches DataLoaders and the statement counter.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_graphql::extensions::apollo_persisted_queries::{
    ApolloPersistedQueries, LruCacheStorage,
};
use async_graphql::{EmptySubscription, Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

use super::exec::budget::CostBudget;
use super::exec::language::AcceptedLanguages;
use super::exec::limits::Limits;
use super::exec::loaders::{self, Loaders};
use super::exec::null_propagation::NullPropagation;
use super::exec::protection::Protection;
use super::mutation::Mutation;
use super::query::Query;
use crate::config::Settings;
use crate::domain::Viewer;
use crate::search::SharedIndex;

pub type AppSchema = Schema<Query, Mutation, EmptySubscription>;

/// How the schema protects itself; see `config::api` for the settings behind each value.
#[derive(Clone, Debug)]
pub struct SchemaOptions {
    pub limits: Limits,
    pub introspection: bool,
    pub field_suggestions: bool,
    pub persisted_query_cache: usize,
    pub search: crate::service::search::SearchGate,
}

impl SchemaOptions {
    pub fn from_settings(settings: &Settings) -> Self {
        let api = &settings.api;
        Self {
            limits: Limits {
                max_depth: api.max_depth,
                max_complexity: api.max_complexity,
                max_aliases: api.max_aliases,
                execution_timeout: api.execution_timeout(),
            },
            introspection: settings.introspection_enabled(),
            field_suggestions: settings.field_suggestions_enabled(),
            persisted_query_cache: api.persisted_query_cache,
            search: crate::service::search::SearchGate::from_settings(api),
        }
    }
}

/// The root types, before any data or extension is attached: the one place that says what
/// the schema is made of.
fn schema() -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
}

/// Builds the executable schema over `db` and the search index.
pub fn build(db: DatabaseConnection, search: SharedIndex, options: &SchemaOptions) -> AppSchema {
    // CostBudget wraps Protection so it charges only what passed the limits; Protection wraps
    // the persisted-query extension and sees its errors.
    let mut builder = schema()
        .data(db)
        .data(search)
        .data(options.search.clone())
        .extension(CostBudget)
        .extension(Protection::new(options.limits, options.introspection))
        .extension(ApolloPersistedQueries::new(LruCacheStorage::new(
            options.persisted_query_cache.max(1),
        )))
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
    viewer: Viewer,
    request: async_graphql::Request,
    languages: AcceptedLanguages,
    report_statements: bool,
) -> async_graphql::Response {
    let counter = Arc::new(AtomicU64::new(0));
    let batches = loaders::BatchQueue::default();
    let request = request
        .data(Loaders::new(db, &viewer, batches.clone()))
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
