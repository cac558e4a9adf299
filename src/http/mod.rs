//! The HTTP surface: GraphQL, GraphQL over websockets (`ws.rs`), GraphiQL, the funding export
//! (`export.rs`), the practice exports (`practice_export.rs`), the events calendar (`calendar.rs`), Atom feeds (`feeds.rs`) and health probes. Every GraphQL request is
//! authenticated here (`client.rs`) before the schema runs; it is served with
//! `ConnectInfo<SocketAddr>` so anonymous budgets know the client's address.

mod calendar;
mod charge;
mod client;
mod export;
mod feeds;
mod graphiql;
mod graphql;
mod health;
mod layers;
pub mod metrics;
mod negotiate;
mod practice_export;
mod reply;
mod vocabulary;
mod wire;
mod ws;

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
    pub live: Arc<LiveState>,
    /// The process's theme and region snapshot (`service::reference`).
    pub reference: Arc<crate::service::reference::ReferenceCache>,
}

/// What `/graphql/ws` needs besides the rest: the change bus feeding subscriptions, its
/// bounds, and the permits of open websocket connections.
pub struct LiveState {
    pub bus: crate::service::change_bus::ChangeBus,
    pub settings: crate::config::LiveSettings,
    pub connections: Arc<tokio::sync::Semaphore>,
}

impl LiveState {
    pub fn new(
        bus: crate::service::change_bus::ChangeBus,
        settings: crate::config::LiveSettings,
    ) -> Self {
        Self {
            connections: Arc::new(tokio::sync::Semaphore::new(settings.ws_max_connections)),
            bus,
            settings,
        }
    }
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
        .route("/graphql/ws", get(ws::upgrade))
        .route("/graphiql/{file}", get(graphiql::asset))
        .route("/export/funding.jsonl", get(export::funding))
        .route("/export/funding.csv", get(export::funding_csv))
        .route("/export/practices.csv", get(practice_export::csv))
        .route("/export/practices.jsonl", get(practice_export::jsonl))
        .route("/export/practices.geojson", get(practice_export::geojson))
        .route("/events.ics", get(calendar::events_ics))
        .route("/feeds/funding.atom", get(feeds::funding))
        .route("/feeds/practices.atom", get(feeds::practices))
        .route("/vocabulary.ttl", get(vocabulary::turtle))
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
