//! The GraphQL schema: one query slice per feature, merged. Resolvers are thin: they take the
//! database and the request's DataLoaders from the context and call services.

mod cities;
mod funding;
mod ids;
mod inputs;
mod language;
mod loaders;
mod node;
mod null_propagation;
mod organisations;
mod pagination;
mod practice;
mod practices;
mod regions;
mod themes;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_graphql::{EmptyMutation, EmptySubscription, MergedObject, Schema};
use sea_orm::DatabaseConnection;

pub use ids::GlobalId;
pub use language::AcceptedLanguages;
pub use loaders::Loaders;
pub use practice::render_markdown;

#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
    practices::PracticeQuery,
    cities::CityQuery,
    themes::ThemeQuery,
    regions::RegionQuery,
    organisations::OrganisationQuery,
    funding::FundingQuery,
);

pub type AppSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// Builds the executable schema over `db`.
pub fn build(db: DatabaseConnection) -> AppSchema {
    Schema::build(Query::default(), EmptyMutation, EmptySubscription)
        .data(db)
        .extension(null_propagation::NullPropagation)
        .finish()
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
