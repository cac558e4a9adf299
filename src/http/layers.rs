//! Middleware from tower-http: safe default response headers, CORS for the configured
//! origins, response compression, a
//! timeout on stalled request bodies, and a panic guard that answers like any other internal
//! error.

use std::any::Any;
use std::time::Duration;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::{CatchPanicLayer, ResponseForPanic};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutBody;

use crate::config::CorsOrigins;
use crate::error::ErrorCode;

/// `X-Content-Type-Options: nosniff` (browsers take the declared media type, so a JSON answer
/// is never run as a script or page) and `Referrer-Policy: no-referrer` (GraphiQL links leak
/// no URL) on every response that does not set them itself.
pub fn safe_defaults() -> (
    SetResponseHeaderLayer<header::HeaderValue>,
    SetResponseHeaderLayer<header::HeaderValue>,
) {
    (
        SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            header::HeaderValue::from_static("nosniff"),
        ),
        SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            header::HeaderValue::from_static("no-referrer"),
        ),
    )
}

/// Only the listed origins may read responses from a browser; with an empty list no CORS
/// headers are sent and browsers keep cross-origin pages out.
pub fn cors(origins: &CorsOrigins) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins.0.iter().cloned()))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::ACCEPT, header::AUTHORIZATION])
        .expose_headers([
            header::HeaderName::from_static("ratelimit-limit"),
            header::HeaderName::from_static("ratelimit-remaining"),
            header::HeaderName::from_static("ratelimit-reset"),
            header::RETRY_AFTER,
            header::HeaderName::from_static(super::export::CURSOR_HEADER),
        ])
        .max_age(Duration::from_secs(3600))
}

/// gzip, for clients that ask for it; GraphiQL's scripts shrink to a fifth.
pub fn compression() -> CompressionLayer {
    CompressionLayer::new().gzip(true)
}

/// A request body that sends nothing for `timeout` fails to read with tower-http's
/// `TimeoutError`, which the GraphQL handler answers with 408.
pub fn body_timeout(
    timeout: Duration,
) -> tower::util::MapRequestLayer<impl Fn(Request) -> Request + Clone> {
    tower::util::MapRequestLayer::new(move |request: Request| {
        request.map(|body| Body::new(TimeoutBody::new(timeout, body)))
    })
}

pub fn catch_panic() -> CatchPanicLayer<InternalOnPanic> {
    CatchPanicLayer::custom(InternalOnPanic)
}

#[derive(Clone, Copy)]
pub struct InternalOnPanic;

impl ResponseForPanic for InternalOnPanic {
    type ResponseBody = axum::body::Body;

    fn response_for_panic(&mut self, panic: Box<dyn Any + Send + 'static>) -> Response {
        let detail = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("non-text panic payload");
        tracing::error!(panic = detail, "request handler panicked");
        let body = serde_json::json!({
            "errors": [{ "message": "internal error", "extensions": { "code": ErrorCode::Internal.as_str() } }]
        });
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            body.to_string(),
        )
            .into_response()
    }
}
