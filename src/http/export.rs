//! `GET /export/funding.jsonl[?source=<slug>]`: the funding snapshot for a partner's first
//! sync (`service::export`), streamed as JSON Lines in batches, so memory stays constant. The
//! `changes` cursor the snapshot is consistent with is sent twice: in the `Kxc-Change-Cursor`
//! header and as the last line, `{"cursor": "..."}`. Public data: anyone may read it; each
//! export costs [`EXPORT_COST`] (at most the whole budget) from the caller's budget
//! (anonymous: the client address's),
//! like a GraphQL request, with the same `RateLimit-*` headers and 429.

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use serde::Deserialize;

use super::AppState;
use super::negotiate::ResponseMedia;
use super::reply;
use crate::domain::Slug;
use crate::error::ErrorCode;
use crate::service::export::Snapshot;

/// What one export costs from the caller's budget: as much as a full `changes` page
/// (`first: 1000`) of single-field changes.
pub const EXPORT_COST: u64 = 1000;

/// The response header naming the snapshot's change cursor.
pub const CURSOR_HEADER: &str = "kxc-change-cursor";

#[derive(Debug, Deserialize)]
pub struct ExportParams {
    source: Option<String>,
}

/// Where the body stream is: reading batches, then the trailer, then done.
enum Step {
    Batches(Box<Snapshot>, String),
    Trailer(String),
    Done,
}

pub async fn funding(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    params: Result<Query<ExportParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let budget =
        match super::charge::charge(&state, &headers, peer.ip(), EXPORT_COST, "export").await {
            Ok(budget) => budget,
            Err(refused) => return refused,
        };
    let source = match params {
        Ok(Query(params)) => params.source,
        Err(rejection) => return bad_request(rejection.body_text()),
    };
    if let Some(source) = &source
        && let Err(message) = Slug::parse(source)
    {
        return bad_request(format!("`source`: {message}"));
    }
    let snapshot = match Snapshot::begin(&state.db, source).await {
        Ok(snapshot) => snapshot,
        Err(error) => {
            tracing::error!(%error, "export: begin snapshot");
            return reply::rejection(
                StatusCode::INTERNAL_SERVER_ERROR,
                ResponseMedia::Json,
                ErrorCode::Internal,
                "internal error",
            );
        }
    };
    let cursor = crate::graphql::encode_change_cursor(snapshot.seq);
    let header_value = HeaderValue::from_str(&cursor).expect("a cursor is base64url");
    let body = stream::unfold(
        Step::Batches(Box::new(snapshot), cursor),
        |step| async move {
            match step {
                Step::Batches(mut snapshot, cursor) => match snapshot.next_batch().await {
                    Ok(lines) if lines.is_empty() => {
                        Some((Ok(Bytes::new()), Step::Trailer(cursor)))
                    }
                    Ok(lines) => {
                        let mut chunk = Vec::with_capacity(lines.len() * 1024);
                        for line in &lines {
                            serde_json::to_writer(&mut chunk, line).expect("a line serialises");
                            chunk.push(b'\n');
                        }
                        Some((Ok(Bytes::from(chunk)), Step::Batches(snapshot, cursor)))
                    }
                    Err(error) => {
                        tracing::error!(%error, "export: read batch");
                        Some((Err(std::io::Error::other(error)), Step::Done))
                    }
                },
                Step::Trailer(cursor) => {
                    let mut chunk = serde_json::to_vec(&serde_json::json!({ "cursor": cursor }))
                        .expect("JSON values serialise");
                    chunk.push(b'\n');
                    Some((Ok(Bytes::from(chunk)), Step::Done))
                }
                Step::Done => None,
            }
        },
    );
    let mut response = (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/jsonl; charset=utf-8"),
            ),
            (header::HeaderName::from_static(CURSOR_HEADER), header_value),
        ],
        Body::from_stream(body),
    )
        .into_response();
    reply::rate_limit_headers(response.headers_mut(), budget, None);
    response
}

fn bad_request(message: impl Into<String>) -> Response {
    reply::rejection(
        StatusCode::BAD_REQUEST,
        ResponseMedia::Json,
        ErrorCode::BadUserInput,
        message,
    )
}
