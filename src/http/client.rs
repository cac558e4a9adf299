//! Who is calling, as the HTTP layer sees it: the client's address (for anonymous budgets)
//! and its credentials, turned into a [`Caller`] before any GraphQL runs.

use std::net::IpAddr;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use super::AppState;
use super::negotiate::ResponseMedia;
use super::reply;
use crate::auth::Refusal;
use crate::auth::budget::{BudgetKey, Overdraft};
use crate::domain::{Role, Viewer};
use crate::error::ErrorCode;
use crate::graphql::exec::budget::BudgetCharge;

/// The authenticated viewer of one HTTP request and the budget it draws on.
pub struct Caller {
    pub viewer: Viewer,
    pub charge: BudgetCharge,
}

/// The client's address: the peer, unless the peer is a trusted proxy, in which case the
/// right-most `X-Forwarded-For` entry that is not itself a trusted proxy. Entries left of it
/// were written by the client and prove nothing.
pub fn client_address(
    peer: IpAddr,
    headers: &HeaderMap,
    trusted: &crate::config::TrustedProxies,
) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|entry| entry.trim().parse::<IpAddr>().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|address| !trusted.contains(address))
        .or(forwarded.first())
        .copied()
        .unwrap_or(peer)
}

/// Authenticates the request. A refused credential is answered here (401, or 403 for a
/// suspended account) and costs 1 from the client address's anonymous budget, so guessing
/// keys is rate limited like everything else.
pub async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    peer: IpAddr,
    media: ResponseMedia,
) -> Result<Caller, Response> {
    let address = client_address(peer, headers, &state.auth_settings.trusted_proxies);
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|value| value.to_str().unwrap_or("\u{fffd}"));
    let outcome = match state.auth.authenticate(&state.db, authorization).await {
        Ok(outcome) => outcome,
        Err(error) => {
            tracing::error!(%error, "authenticate");
            return Err(reply::rejection(
                StatusCode::INTERNAL_SERVER_ERROR,
                media,
                ErrorCode::Internal,
                "internal error",
            ));
        }
    };
    match outcome {
        Ok(viewer) => {
            let charge = BudgetCharge {
                budgets: state.budgets.clone(),
                role: viewer.role(),
                key: BudgetKey::of(&viewer, address),
            };
            Ok(Caller { viewer, charge })
        }
        Err(refusal) => {
            let charged = state
                .budgets
                .charge(Role::Anonymous, &BudgetKey::Address(address), 1);
            if let Err(Overdraft::Empty {
                state: budget,
                retry_after_seconds,
            }) = charged
            {
                let mut response = reply::rejection(
                    StatusCode::TOO_MANY_REQUESTS,
                    media,
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
            let (status, code) = match refusal {
                Refusal::Unauthenticated(_) => {
                    (StatusCode::UNAUTHORIZED, ErrorCode::Unauthenticated)
                }
                Refusal::Suspended => (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            };
            let mut response = reply::rejection(status, media, code, refusal.message());
            if status == StatusCode::UNAUTHORIZED {
                response.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer error=\"invalid_token\""),
                );
            }
            if let Ok(budget) = charged {
                reply::rate_limit_headers(response.headers_mut(), budget, None);
            }
            Err(response)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn forwarded_for_counts_only_from_trusted_proxies() {
        let trusted = crate::config::TrustedProxies(vec!["10.0.0.0/8".parse().unwrap()]);
        let proxy: IpAddr = "10.0.0.5".parse().unwrap();
        let stranger: IpAddr = "192.0.2.9".parse().unwrap();
        let headers = forwarded("203.0.113.7, 198.51.100.1, 10.0.0.4");
        assert_eq!(
            client_address(proxy, &headers, &trusted),
            "198.51.100.1".parse::<IpAddr>().unwrap(),
            "the right-most untrusted entry; the client wrote the ones left of it"
        );
        assert_eq!(client_address(stranger, &headers, &trusted), stranger);
        assert_eq!(
            client_address(proxy, &HeaderMap::new(), &trusted),
            proxy,
            "a trusted proxy that forwards nothing is the client"
        );
        assert_eq!(
            client_address(proxy, &forwarded("10.0.0.1"), &trusted),
            "10.0.0.1".parse::<IpAddr>().unwrap()
        );
    }
}
