//! The GraphQL schema: one query slice per feature, merged. Resolvers are thin: they take the
//! database and the request's DataLoaders from the context and call services.

mod cities;
mod funding;
mod ids;
mod inputs;
mod language;
pub mod limits;
mod loaders;
mod node;
mod null_propagation;
mod organisations;
mod pagination;
mod practice;
mod practices;
mod protection;
mod regions;
mod report;
mod search;
mod search_input;
mod themes;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_graphql::extensions::apollo_persisted_queries::{
    ApolloPersistedQueries, LruCacheStorage,
};
use async_graphql::{EmptyMutation, EmptySubscription, MergedObject, Schema};
use sea_orm::DatabaseConnection;

use crate::config::Settings;
use crate::search::SharedIndex;

pub use ids::GlobalId;
pub use language::AcceptedLanguages;
pub use limits::Limits;
pub use loaders::Loaders;
pub use practice::render_markdown;
pub use protection::Protection;
pub use report::RequestReport;

#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
    practices::PracticeQuery,
    cities::CityQuery,
    themes::ThemeQuery,
    regions::RegionQuery,
    organisations::OrganisationQuery,
    funding::FundingQuery,
    search::SearchQuery,
);

pub type AppSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// How the schema protects itself; see `config::api` for the settings behind each value.
#[derive(Clone, Debug)]
pub struct SchemaOptions {
    pub limits: Limits,
    pub introspection: bool,
    pub field_suggestions: bool,
    pub persisted_query_cache: usize,
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
        }
    }
}

/// Builds the executable schema over `db` and the search index.
pub fn build(db: DatabaseConnection, search: SharedIndex, options: &SchemaOptions) -> AppSchema {
    // Protection goes first so that it wraps the persisted-query extension and sees its errors.
    let mut builder = Schema::build(Query::default(), EmptyMutation, EmptySubscription)
        .data(db)
        .data(search)
        .extension(Protection::new(options.limits, options.introspection))
        .extension(ApolloPersistedQueries::new(LruCacheStorage::new(
            options.persisted_query_cache.max(1),
        )))
        .extension(null_propagation::NullPropagation);
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
    Schema::build(Query::default(), EmptyMutation, EmptySubscription)
        .finish()
        .sdl()
}

/// Executes one request with its per-request data: DataLoaders, the client's accepted
/// languages and, when `report_statements` is set, the count of SQL statements it ran
/// (in `extensions.sqlStatements`).
pub async fn execute(
    schema: &AppSchema,
    db: &DatabaseConnection,
    request: async_graphql::Request,
    languages: AcceptedLanguages,
    report_statements: bool,
) -> async_graphql::Response {
    let counter = Arc::new(AtomicU64::new(0));
    let batches = loaders::BatchQueue::default();
    let request = request
        .data(Loaders::new(db, batches.clone()))
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

/// The database connection from the request context.
pub(crate) fn db<'a>(ctx: &async_graphql::Context<'a>) -> &'a DatabaseConnection {
    ctx.data_unchecked::<DatabaseConnection>()
}

/// The request's DataLoaders.
pub(crate) fn loaders<'a>(ctx: &async_graphql::Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
