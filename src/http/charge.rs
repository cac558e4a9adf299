//! Charging a plain-HTTP read (the funding export, the events calendar) to the caller's
//! budget, as a GraphQL request is charged: authenticate, then take `cost` (at most the whole
//! bucket, so one read always fits in time); 429 with `Retry-After` when the bucket is empty.

use std::net::IpAddr;

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::AppState;
use super::client;
use super::negotiate::ResponseMedia;
use super::reply;
use crate::auth::budget::{BudgetState, Overdraft};
use crate::error::ErrorCode;

/// The caller's budget after paying `cost`, or the response refusing the request.
pub async fn charge(
    state: &AppState,
    headers: &HeaderMap,
    address: IpAddr,
    cost: u64,
    what: &str,
) -> Result<BudgetState, Response> {
    let caller = client::authenticate(state, headers, address, ResponseMedia::Json).await?;
    let charge = &caller.charge;
    // A budget smaller than the read is spent whole by one, so the read always fits in time.
    let mut cost = cost;
    loop {
        match charge.budgets.charge(charge.role, &charge.key, cost) {
            Ok(budget) => return Ok(budget),
            Err(Overdraft::TooCostly { limit }) if u64::from(limit) < cost => {
                cost = u64::from(limit);
            }
            Err(Overdraft::TooCostly { limit }) => {
                tracing::error!(limit, cost, what, "budget refuses its own capacity");
                return Err(reply::rejection(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ResponseMedia::Json,
                    ErrorCode::Internal,
                    "internal error",
                ));
            }
            Err(Overdraft::Empty {
                state: budget,
                retry_after_seconds,
            }) => {
                let mut response = reply::rejection(
                    StatusCode::TOO_MANY_REQUESTS,
                    ResponseMedia::Json,
                    ErrorCode::RateLimited,
                    format!("too many requests; retry in {retry_after_seconds} s"),
                );
                reply::rate_limit_headers(
                    response.headers_mut(),
                    budget,
                    Some(retry_after_seconds),
                );
                return Err(response);
            }
        }
    }
}
