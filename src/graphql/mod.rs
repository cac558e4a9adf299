//! The GraphQL schema: one query slice per feature, merged. Resolvers are thin: they take the
//! database from the context and call a service.

mod cities;
mod ids;
pub mod limits;
mod node;
mod pagination;
mod practices;
mod protection;
mod report;
mod themes;

use async_graphql::extensions::apollo_persisted_queries::{
    ApolloPersistedQueries, LruCacheStorage,
};
use async_graphql::{EmptyMutation, EmptySubscription, MergedObject, Schema};
use sea_orm::DatabaseConnection;

use crate::config::Settings;

pub use ids::GlobalId;
pub use limits::Limits;
pub use protection::Protection;
pub use report::RequestReport;

#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
    practices::PracticeQuery,
    cities::CityQuery,
    themes::ThemeQuery,
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

/// Builds the executable schema over `db`.
pub fn build(db: DatabaseConnection, options: &SchemaOptions) -> AppSchema {
    // Protection goes first so that it wraps the persisted-query extension and sees its errors.
    let mut builder = Schema::build(Query::default(), EmptyMutation, EmptySubscription)
        .data(db)
        .extension(Protection::new(options.limits, options.introspection))
        .extension(ApolloPersistedQueries::new(LruCacheStorage::new(
            options.persisted_query_cache.max(1),
        )));
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

/// The database connection from the request context.
pub(crate) fn db<'a>(ctx: &async_graphql::Context<'a>) -> &'a DatabaseConnection {
    ctx.data_unchecked::<DatabaseConnection>()
}
