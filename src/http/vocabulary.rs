//! `GET /vocabulary.ttl`: the concept vocabulary as SKOS Turtle (`service::skos`). Public data.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;

pub async fn turtle(State(state): State<AppState>) -> Response {
    match crate::service::skos::export(&state.db).await {
        Ok(turtle) => (
            [(header::CONTENT_TYPE, "text/turtle; charset=utf-8")],
            turtle,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "vocabulary export failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}
