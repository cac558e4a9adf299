//! The HTTP surface: GraphQL, GraphiQL, the funding export (`export.rs`) and health probes. Every GraphQL request is
//! authenticated here (`client.rs`) before the schema runs; it is served with
//! `ConnectInfo<SocketAddr>` so anonymous budgets know the client's address.

mod client;
mod export;
mod graphiql;
mod graphql;
mod health;
mod layers;
pub mod metrics;
mod negotiate;
mod reply;
mod wire;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use sea_orm::DatabaseConnection;
use tower_http::trace::TraceLayer;

use crate::auth::Authenticator;
use crate::auth::budget::Budgets;
use crate::config::{ApiSettings, AuthSettings};
use crate::graphql::AppSchema;
use crate::search::SharedIndex;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub schema: AppSchema,
    pub report_sql_statements: bool,
    pub api: Arc<ApiSettings>,
    pub search: SharedIndex,
    pub auth: Arc<Authenticator>,
    pub auth_settings: Arc<AuthSettings>,
    pub budgets: Arc<Budgets>,
}

pub fn router(state: AppState) -> Router {
    let api = state.api.clone();
    Router::new()
        .route(
            "/graphql",
            get(graphql::get)
                .post(graphql::post)
                .layer(DefaultBodyLimit::max(api.max_body_bytes)),
        )
        .route("/graphiql/{file}", get(graphiql::asset))
        .route("/export/funding.jsonl", get(export::funding))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::get))
        .layer(layers::body_timeout(api.body_timeout()))
        .layer(layers::compression())
        .layer(layers::cors(&api.cors_origins))
        .layer(layers::catch_panic())
        .layer(layers::safe_defaults())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
