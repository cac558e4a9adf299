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
use futures_util::stream;
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

/// An export read in batches inside one snapshot, each batch encoded as one body chunk.
pub(super) trait Chunks: Send + 'static {
    /// The next batch, encoded; `None` once every record was read.
    fn next_chunk(
        &mut self,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, sea_orm::DbErr>> + Send;
}

/// Where the body stream is: the head, reading batches, then the tail, then done.
enum Step<C> {
    Head(Vec<u8>, C, Vec<u8>),
    Batches(C, Vec<u8>),
    Tail(Vec<u8>),
    Done,
}

/// The body of an export: `head`, each chunk of `source` as it is read (so memory stays at one
/// batch), then `tail`. A failed read ends the body with an error (the client sees a
/// truncated response, never a complete-looking one).
pub(super) fn streamed<C: Chunks>(head: Vec<u8>, source: C, tail: Vec<u8>) -> Body {
    Body::from_stream(stream::unfold(
        Step::Head(head, source, tail),
        |step| async move {
            match step {
                Step::Head(head, source, tail) => {
                    Some((Ok(Bytes::from(head)), Step::Batches(source, tail)))
                }
                Step::Batches(mut source, tail) => match source.next_chunk().await {
                    Ok(Some(chunk)) => Some((Ok(Bytes::from(chunk)), Step::Batches(source, tail))),
                    Ok(None) => Some((Ok(Bytes::new()), Step::Tail(tail))),
                    Err(error) => {
                        tracing::error!(%error, "export: read batch");
                        Some((Err(std::io::Error::other(error)), Step::Done))
                    }
                },
                Step::Tail(tail) => Some((Ok(Bytes::from(tail)), Step::Done)),
                Step::Done => None,
            }
        },
    ))
}

/// `items` as JSON Lines.
pub(super) fn json_lines<T: serde::Serialize>(items: &[T]) -> Vec<u8> {
    let mut chunk = Vec::with_capacity(items.len() * 1024);
    for item in items {
        serde_json::to_writer(&mut chunk, item).expect("a line serialises");
        chunk.push(b'\n');
    }
    chunk
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
            Self::Jsonl => json_lines(lines),
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

/// The funding snapshot's batches in one [`Format`].
struct FundingChunks(Format, Box<Snapshot>);

impl Chunks for FundingChunks {
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, sea_orm::DbErr> {
        let lines = self.1.next_batch().await?;
        Ok((!lines.is_empty()).then(|| self.0.batch(&lines)))
    }
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
    let body = streamed(
        format.head(),
        FundingChunks(format, Box::new(snapshot)),
        format.trailer(&cursor),
    );
    let mut response = (
        [
            (header::CONTENT_TYPE, format.content_type()),
            (header::HeaderName::from_static(CURSOR_HEADER), header_value),
        ],
        body,
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
