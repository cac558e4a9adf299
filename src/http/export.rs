//! `GET /export/funding.jsonl[?source=<slug>]` and `GET /export/funding.csv[?source=<slug>]`:
//! the funding snapshot for a partner's first sync (`service::export`), streamed in batches, so
//! memory stays constant. Both formats read the same snapshot the same way; only the encoding
//! differs ([`Format`]). The `changes` cursor the snapshot is consistent with is sent twice: in
//! the `Kxc-Change-Cursor` header and at the end of the body (JSON Lines: a last line
//! `{"cursor": "..."}`; CSV: a trailer row of the same width, see `service::funding_csv`).
//! Public data: anyone may read it; each
//! export costs [`EXPORT_COST`] (at most the whole budget) from the caller's budget
//! (anonymous: the client address's),
//! like a GraphQL request, with the same `RateLimit-*` headers and 429.

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{StreamExt, stream};
use serde::Deserialize;

use super::AppState;
use super::negotiate::ResponseMedia;
use super::reply;
use crate::domain::Slug;
use crate::error::ErrorCode;
use crate::service::export::{Line, Snapshot};

/// What one export costs from the caller's budget: as much as a full `changes` page
/// (`first: 1000`) of single-field changes.
pub const EXPORT_COST: u64 = 1000;

/// The response header naming the snapshot's change cursor.
pub const CURSOR_HEADER: &str = "kxc-change-cursor";

#[derive(Debug, Deserialize)]
pub struct ExportParams {
    source: Option<String>,
}

/// How a snapshot is encoded.
#[derive(Clone, Copy, Debug)]
pub enum Format {
    Jsonl,
    Csv,
}

impl Format {
    fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::Jsonl => "application/jsonl; charset=utf-8",
            Self::Csv => "text/csv; charset=utf-8; header=present",
        })
    }

    /// What comes before the first batch.
    fn head(self) -> Vec<u8> {
        match self {
            Self::Jsonl => Vec::new(),
            Self::Csv => crate::service::funding_csv::header(),
        }
    }

    fn batch(self, lines: &[Line]) -> Vec<u8> {
        match self {
            Self::Jsonl => {
                let mut chunk = Vec::with_capacity(lines.len() * 1024);
                for line in lines {
                    serde_json::to_writer(&mut chunk, line).expect("a line serialises");
                    chunk.push(b'\n');
                }
                chunk
            }
            Self::Csv => crate::service::funding_csv::rows(lines),
        }
    }

    fn trailer(self, cursor: &str) -> Vec<u8> {
        match self {
            Self::Jsonl => {
                let mut chunk = serde_json::to_vec(&serde_json::json!({ "cursor": cursor }))
                    .expect("JSON values serialise");
                chunk.push(b'\n');
                chunk
            }
            Self::Csv => crate::service::funding_csv::trailer(cursor),
        }
    }
}

/// Where the body stream is: reading batches, then the trailer, then done.
enum Step {
    Batches(Box<Snapshot>, String),
    Trailer(String),
    Done,
}

/// `GET /export/funding.jsonl`.
pub async fn funding(
    state: State<AppState>,
    peer: ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    params: Result<Query<ExportParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    export(Format::Jsonl, state, peer, headers, params).await
}

/// `GET /export/funding.csv`.
pub async fn funding_csv(
    state: State<AppState>,
    peer: ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    params: Result<Query<ExportParams>, axum::extract::rejection::QueryRejection>,
) -> Response {
    export(Format::Csv, state, peer, headers, params).await
}

async fn export(
    format: Format,
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
    let head = stream::once(std::future::ready(Ok::<_, std::io::Error>(Bytes::from(
        format.head(),
    ))));
    let body = stream::unfold(
        Step::Batches(Box::new(snapshot), cursor),
        move |step| async move {
            match step {
                Step::Batches(mut snapshot, cursor) => match snapshot.next_batch().await {
                    Ok(lines) if lines.is_empty() => {
                        Some((Ok(Bytes::new()), Step::Trailer(cursor)))
                    }
                    Ok(lines) => Some((
                        Ok(Bytes::from(format.batch(&lines))),
                        Step::Batches(snapshot, cursor),
                    )),
                    Err(error) => {
                        tracing::error!(%error, "export: read batch");
                        Some((Err(std::io::Error::other(error)), Step::Done))
                    }
                },
                Step::Trailer(cursor) => {
                    Some((Ok(Bytes::from(format.trailer(&cursor))), Step::Done))
                }
                Step::Done => None,
            }
        },
    );
    let mut response = (
        [
            (header::CONTENT_TYPE, format.content_type()),
            (header::HeaderName::from_static(CURSOR_HEADER), header_value),
        ],
        Body::from_stream(head.chain(body)),
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
