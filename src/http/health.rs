use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::AppState;

/// Liveness: the process answers.
pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// Readiness: the database answers, every migration this binary knows is applied and the
/// first search index build has finished (the server listens while it runs). Also reports how far the search index trails the change log (`search.lag`, in changes).
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let database = state.db.ping().await.is_ok();
    let latest = crate::service::change_consumer::latest_seq(&state.db)
        .await
        .ok();
    let checkpoint = state.search.checkpoint();
    let migrations = database
        && crate::db::migrations_current(&state.db)
            .await
            .unwrap_or(false);
    let search_ready = state.search.is_ready();
    let status = if database && migrations && search_ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({
            "status": if status == StatusCode::OK { "ready" } else { "not ready" },
            "database": database,
            "migrations_current": migrations,
            "search": {
                "ready": search_ready,
                "generation": state.search.generation_name(),
                "checkpoint": checkpoint,
                "latest_change": latest,
                "lag": latest.map(|latest| (latest - checkpoint).max(0)),
            },
        })),
    )
}
