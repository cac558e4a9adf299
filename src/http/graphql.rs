//! GraphQL over HTTP (the GraphQL-over-HTTP spec): POST `application/json` (one request or a
//! batch), GET with query parameters for queries only, and GraphiQL for browsers. Every request
//! is authenticated once (a batch shares its caller) before the schema runs. Limits, cost,
//! budgets and error codes live in the schema's extensions; this file only speaks HTTP.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, QueryRejection};
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::client::{self, Caller};
use super::graphiql;
use super::negotiate::{self, ResponseMedia};
use super::reply;
use super::wire::{Body, GetParams, Params, Rejection};
use crate::error::ErrorCode;
use crate::graphql::exec::protection::BatchDeadline;
use crate::graphql::{AcceptedLanguages, RequestReport};

pub async fn post(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Some(media) = negotiate::response_media(&headers) else {
        return not_acceptable();
    };
    if !negotiate::is_json_body(&headers) {
        return reply::rejection(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            media,
            ErrorCode::BadUserInput,
            "send the request as `Content-Type: application/json`",
        );
    }
    let bytes = match body {
        Ok(bytes) => bytes,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return reply::rejection(
                StatusCode::PAYLOAD_TOO_LARGE,
                media,
                ErrorCode::BadUserInput,
                format!(
                    "the request body is larger than {} bytes",
                    state.api.max_body_bytes
                ),
            );
        }
        Err(rejection) if timed_out(&rejection) => {
            return reply::rejection(
                StatusCode::REQUEST_TIMEOUT,
                media,
                ErrorCode::Timeout,
                format!(
                    "the request body stalled for more than {} ms",
                    state.api.body_timeout_ms
                ),
            );
        }
        Err(rejection) => return bad_request(media, Rejection(rejection.body_text())),
    };
    let body = match Body::parse(&bytes, state.api.max_batch) {
        Ok(body) => body,
        Err(rejection) => return bad_request(media, rejection),
    };
    let caller = match client::authenticate(&state, &headers, peer.ip(), media).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    match body {
        Body::Single(params) => match params.into_request() {
            Ok(request) => {
                let report = RequestReport::read_write();
                let response = execute(&state, &headers, &caller, request, &report).await;
                reply::single(response, &report, media)
            }
            Err(rejection) => bad_request(media, rejection),
        },
        Body::Batch(items) => match run_batch(&state, &headers, &caller, items).await {
            Ok(runs) => reply::batch(runs, media),
            Err(rejection) => bad_request(media, rejection),
        },
    }
}

/// Runs a batch's requests one after another: running them in parallel would multiply what one
/// HTTP request may cost. Each is limited on its own, but they share one execution deadline, so
/// a batch takes no longer than one operation may.
async fn run_batch(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    items: Vec<Params>,
) -> Result<Vec<(async_graphql::Response, RequestReport)>, Rejection> {
    let requests = items
        .into_iter()
        .map(Params::into_request)
        .collect::<Result<Vec<_>, _>>()?;
    let deadline = BatchDeadline(std::time::Instant::now() + state.api.execution_timeout());
    let mut runs = Vec::with_capacity(requests.len());
    for request in requests {
        let report = RequestReport::read_write();
        let response = execute(state, headers, caller, request.data(deadline), &report).await;
        runs.push((response, report));
    }
    Ok(runs)
}

pub async fn get(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    params: Result<Query<GetParams>, QueryRejection>,
) -> Response {
    let params = params.map(|Query(params)| params);
    if negotiate::wants_html(&headers) && params.as_ref().is_ok_and(GetParams::is_empty) {
        return graphiql::page().into_response();
    }
    let Some(media) = negotiate::response_media(&headers) else {
        return not_acceptable();
    };
    let params = match params {
        Ok(params) => params,
        Err(rejection) => return bad_request(media, Rejection(rejection.body_text())),
    };
    let operation_name = params.operation_name.clone();
    let request = match params.into_params().and_then(Params::into_request) {
        Ok(request) => request,
        Err(rejection) => return bad_request(media, rejection),
    };
    let caller = match client::authenticate(&state, &headers, peer.ip(), media).await {
        Ok(caller) => caller,
        Err(refused) => return refused,
    };
    let report = RequestReport::read_only(operation_name);
    let response = execute(&state, &headers, &caller, request, &report).await;
    reply::single(response, &report, media)
}

/// Every transport runs the schema here; per-request data (the report, and anything a
/// request needs of its own) is attached in this one place.
async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    caller: &Caller,
    request: async_graphql::Request,
    report: &RequestReport,
) -> async_graphql::Response {
    let languages = headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .map(AcceptedLanguages::from_header)
        .unwrap_or_default();
    let started = std::time::Instant::now();
    let operation = request
        .operation_name
        .clone()
        .or_else(|| super::metrics::leading_operation_name(&request.query).map(str::to_owned));
    let response = crate::graphql::execute(
        &state.schema,
        &state.db,
        &state.reference,
        caller.viewer.clone(),
        request.data(report.clone()).data(caller.charge.clone()),
        languages,
        state.report_sql_statements,
    )
    .await;
    super::metrics::record_operation(
        operation.as_deref(),
        response.errors.is_empty(),
        started.elapsed(),
    );
    response
}

/// Whether reading the body failed because it stalled (see `layers::body_timeout`).
fn timed_out(rejection: &BytesRejection) -> bool {
    let mut error: Option<&(dyn std::error::Error + 'static)> = Some(rejection);
    while let Some(current) = error {
        if current.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        error = current.source();
    }
    false
}

fn bad_request(media: ResponseMedia, rejection: Rejection) -> Response {
    reply::rejection(
        StatusCode::BAD_REQUEST,
        media,
        ErrorCode::BadUserInput,
        rejection.0,
    )
}

fn not_acceptable() -> Response {
    reply::rejection(
        StatusCode::NOT_ACCEPTABLE,
        ResponseMedia::Json,
        ErrorCode::BadUserInput,
        "this endpoint answers application/graphql-response+json or application/json",
    )
}
