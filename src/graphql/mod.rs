//! The GraphQL layer, grouped by role so a capability is found by folder:
//! - `query/`: root query slices, one per feature, merged into `Query`;
//! - `mutation/`: root mutation slices, merged into `Mutation` (see its README for the checklist);
//! - `subscription/`: root subscription slices, merged into `Subscription` (served at `/graphql/ws`);
//! - `guard.rs`: guards declared beside fields, asking `service::permissions`;
//! - `types/`: object types and connections;
//! - `inputs/`: input types and their parsing into service filters (with field paths);
//! - `exec/`: execution plumbing (protection and limits, null propagation, DataLoaders,
//!   request report, language choice);
//! - `schema.rs`: the one schema builder, used by `serve` and `kxc schema`.
//!
//! Resolvers are thin: they take the viewer, the database and the request's DataLoaders from
//! the context and call services.

pub mod exec;
mod guard;
pub mod ids;
pub(crate) mod inputs;
mod mutation;
pub(crate) mod query;
pub(crate) mod scalars;
mod schema;
pub mod subscription;
mod types;

use sea_orm::DatabaseConnection;

pub use exec::language::AcceptedLanguages;
pub use exec::limits::Limits;
pub use exec::loaders::Loaders;
pub use exec::protection::Protection;
pub use exec::report::RequestReport;
pub use ids::GlobalId;
pub use schema::{AppSchema, SchemaOptions, build, execute, sdl};
pub use types::change::encode_cursor as encode_change_cursor;
pub use types::practice::render_markdown;

/// The database connection from the request context.
pub(crate) fn db<'a>(ctx: &async_graphql::Context<'a>) -> &'a DatabaseConnection {
    ctx.data_unchecked::<DatabaseConnection>()
}

/// Who the request is; anonymous unless the HTTP layer authenticated it.
pub(crate) fn viewer<'a>(ctx: &async_graphql::Context<'a>) -> &'a crate::domain::Viewer {
    static ANONYMOUS: std::sync::LazyLock<crate::domain::Viewer> =
        std::sync::LazyLock::new(crate::domain::Viewer::anonymous);
    ctx.data_opt::<crate::domain::Viewer>()
        .unwrap_or(&ANONYMOUS)
}

/// The community's policy (new-member threshold, post flood limit), shared by all requests.
pub(crate) fn community<'a>(
    ctx: &async_graphql::Context<'a>,
) -> &'a crate::service::community::Community {
    ctx.data_unchecked::<std::sync::Arc<crate::service::community::Community>>()
}

/// The request's reference data (themes with labels, regions) as of the `change_log` tail it
/// reads; see `service::reference`.
pub(crate) async fn reference(
    ctx: &async_graphql::Context<'_>,
) -> crate::error::AppResult<std::sync::Arc<crate::service::reference::Reference>> {
    loaders(ctx).reference().await
}

/// The request's DataLoaders.
pub(crate) fn loaders<'a>(ctx: &async_graphql::Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}
