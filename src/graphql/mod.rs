//! The GraphQL schema: one query slice per feature, merged. Resolvers are thin: they take the
//! database from the context and call a service.

mod cities;
mod ids;
mod node;
mod pagination;
mod practices;
mod themes;

use async_graphql::{EmptyMutation, EmptySubscription, MergedObject, Schema};
use sea_orm::DatabaseConnection;

pub use ids::GlobalId;

#[derive(MergedObject, Default)]
pub struct Query(
    node::NodeQuery,
    practices::PracticeQuery,
    cities::CityQuery,
    themes::ThemeQuery,
);

pub type AppSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// Builds the executable schema over `db`.
pub fn build(db: DatabaseConnection) -> AppSchema {
    Schema::build(Query::default(), EmptyMutation, EmptySubscription)
        .data(db)
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
