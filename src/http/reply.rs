//! Turns schema responses and transport rejections into HTTP responses with the status codes
//! of the GraphQL-over-HTTP spec.

use std::collections::BTreeMap;

use async_graphql::ServerError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::negotiate::ResponseMedia;
use crate::auth::budget::{BudgetState, Overdraft};
use crate::error::ErrorCode;
use crate::graphql::RequestReport;

/// `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (seconds until the budget is
/// full again) and, for a refused request, `Retry-After`.
pub fn rate_limit_headers(
    headers: &mut axum::http::HeaderMap,
    state: BudgetState,
    retry_after: Option<u64>,
) {
    let number = |value: u64| HeaderValue::from(value);
    headers.insert("ratelimit-limit", number(u64::from(state.limit)));
    headers.insert("ratelimit-remaining", number(u64::from(state.remaining)));
    headers.insert("ratelimit-reset", number(state.reset_seconds));
    if let Some(seconds) = retry_after {
        headers.insert(header::RETRY_AFTER, number(seconds));
    }
}

/// The headers of `report`'s budget outcome; true when the budget refused the request.
fn apply_budget(headers: &mut axum::http::HeaderMap, report: &RequestReport) -> bool {
    match report.budget() {
        Some(Ok(state)) => {
            rate_limit_headers(headers, state, None);
            false
        }
        Some(Err(Overdraft::Empty {
            state,
            retry_after_seconds,
        })) => {
            rate_limit_headers(headers, state, Some(retry_after_seconds));
            true
        }
        Some(Err(Overdraft::TooCostly { .. })) | None => false,
    }
}

/// A request the transport refused before the schema saw it, as a GraphQL-shaped body.
pub fn rejection(
    status: StatusCode,
    media: ResponseMedia,
    code: ErrorCode,
    message: impl Into<String>,
) -> Response {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code.as_str());
    let body = serde_json::to_string(&Body {
        data: None,
        errors: &[error],
        extensions: &BTreeMap::new(),
    });
    with_media(status, media, body)
}

/// 400 `BAD_USER_INPUT` for a plain-HTTP query parameter, naming it in the message and in
/// `extensions.parameter` (`themes[1]`).
pub fn bad_parameter(parameter: &str, message: impl Into<String>) -> Response {
    let mut error = ServerError::new(message, None);
    let extensions = error.extensions.get_or_insert_with(Default::default);
    extensions.set("code", ErrorCode::BadUserInput.as_str());
    extensions.set("parameter", parameter);
    let body = serde_json::to_string(&Body {
        data: None,
        errors: &[error],
        extensions: &BTreeMap::new(),
    });
    with_media(StatusCode::BAD_REQUEST, ResponseMedia::Json, body)
}

/// One request's response. A request error (the schema never started executing) has no `data`
/// entry, and with `application/graphql-response+json` it is answered 400.
pub fn single(
    response: async_graphql::Response,
    report: &RequestReport,
    media: ResponseMedia,
) -> Response {
    let headers = response.http_headers.clone();
    let body = serde_json::to_string(&body_of(&response, report));
    let mut budget_headers = axum::http::HeaderMap::new();
    let rate_limited = apply_budget(&mut budget_headers, report);
    let mut reply = if rate_limited {
        with_media(StatusCode::TOO_MANY_REQUESTS, media, body)
    } else if report.mutation_refused() {
        let mut reply = with_media(StatusCode::METHOD_NOT_ALLOWED, media, body);
        reply
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        reply
    } else if !report.executed() && media == ResponseMedia::GraphqlResponseJson {
        with_media(StatusCode::BAD_REQUEST, media, body)
    } else {
        with_media(StatusCode::OK, media, body)
    };
    reply.headers_mut().extend(headers);
    reply.headers_mut().extend(budget_headers);
    reply
}

/// A batch's responses, in request order. Batching is outside the spec; it is answered 200
/// unless every request in it failed before execution and the client asked for
/// `application/graphql-response+json`, or the budget refused one of them (429). The
/// `RateLimit-*` headers are those of the last request charged.
pub fn batch(
    runs: Vec<(async_graphql::Response, RequestReport)>,
    media: ResponseMedia,
) -> Response {
    let all_failed = runs.iter().all(|(_, report)| !report.executed());
    let bodies: Vec<Body<'_>> = runs
        .iter()
        .map(|(response, report)| body_of(response, report))
        .collect();
    let mut budget_headers = axum::http::HeaderMap::new();
    let mut rate_limited = false;
    for (_, report) in &runs {
        rate_limited |= apply_budget(&mut budget_headers, report);
    }
    let status = if rate_limited {
        StatusCode::TOO_MANY_REQUESTS
    } else if all_failed && media == ResponseMedia::GraphqlResponseJson {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let mut reply = with_media(status, media, serde_json::to_string(&bodies));
    reply.headers_mut().extend(budget_headers);
    reply
}

/// The response's entries in the spec's order; `data` only when execution started.
#[derive(Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a async_graphql::Value>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [ServerError],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    extensions: &'a BTreeMap<String, async_graphql::Value>,
}

fn body_of<'a>(response: &'a async_graphql::Response, report: &RequestReport) -> Body<'a> {
    Body {
        data: report.executed().then_some(&response.data),
        errors: &response.errors,
        extensions: &response.extensions,
    }
}

fn with_media(
    status: StatusCode,
    media: ResponseMedia,
    body: Result<String, serde_json::Error>,
) -> Response {
    match body {
        Ok(body) => (status, [(header::CONTENT_TYPE, media.content_type())], body).into_response(),
        Err(error) => {
            tracing::error!(%error, "serialize graphql response");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
