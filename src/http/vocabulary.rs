//! `GET /vocabulary.ttl`: the concept vocabulary as SKOS Turtle (`service::skos`). Public data;
//! each read costs [`VOCABULARY_COST`] from the caller's budget (`charge.rs`), as the funding
//! export and the events calendar do.

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::reply;

/// Budget units one read of the whole vocabulary costs (at most the whole budget): it loads
/// every concept with its labels and themes.
pub const VOCABULARY_COST: u64 = 500;

pub async fn turtle(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let budget =
        match super::charge::charge(&state, &headers, peer.ip(), VOCABULARY_COST, "vocabulary")
            .await
        {
            Ok(budget) => budget,
            Err(refused) => return refused,
        };
    let mut response = match crate::service::skos::export(&state.db).await {
        Ok(turtle) => (
            [(header::CONTENT_TYPE, "text/turtle; charset=utf-8")],
            turtle,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(error = format!("{error:#}"), "vocabulary export failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    };
    reply::rate_limit_headers(response.headers_mut(), budget, None);
    response
}
