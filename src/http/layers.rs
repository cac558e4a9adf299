//! Middleware from tower-http: CORS for the configured origins, response compression, and a
//! panic guard that answers like any other internal error.

use std::any::Any;
use std::time::Duration;

use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::{CatchPanicLayer, ResponseForPanic};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::config::CorsOrigins;
use crate::error::ErrorCode;

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
