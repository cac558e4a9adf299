//! The GraphQL schema: one query slice per feature, merged. Resolvers are thin: they take the
//! database from the context and call a service.

mod cities;
mod funding;
mod ids;
mod node;
mod pagination;
mod practices;
mod search;
mod search_input;
mod themes;

use async_graphql::{EmptyMutation, EmptySubscription, MergedObject, Schema};
use sea_orm::DatabaseConnection;

use crate::search::SharedIndex;

pub use ids::GlobalId;

#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
    practices::PracticeQuery,
    cities::CityQuery,
    themes::ThemeQuery,
    search::SearchQuery,
);

pub type AppSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// Builds the executable schema over `db` and the search index.
pub fn build(db: DatabaseConnection, search: SharedIndex) -> AppSchema {
    Schema::build(Query::default(), EmptyMutation, EmptySubscription)
        .data(db)
        .data(search)
        .finish()
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
