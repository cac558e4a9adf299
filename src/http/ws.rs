//! GraphQL over websockets at `/graphql/ws`: `graphql-transport-ws` (and the legacy
//! `graphql-ws`), through async-graphql-axum's `GraphQLProtocol` and `GraphQLWebSocket`.
//!
//! Before the protocol engine sees anything this file enforces what an anonymous client could
//! otherwise abuse: at most `KXC_WS_MAX_CONNECTIONS` sockets at once (503 before the upgrade),
//! `connection_init` within `KXC_WS_INIT_TIMEOUT_MS` (close 4408), messages of at most
//! `KXC_WS_MAX_MESSAGE_BYTES` (close 1009). `connection_init` carries the credentials
//! (`{"Authorization": "Bearer <key or token>"}`), checked exactly as HTTP checks the header;
//! a refused one closes the socket with 4403 and the reason (and costs 1 from the address's
//! anonymous budget, as on HTTP). Each operation then runs through
//! [`LiveExecutor`](crate::graphql::exec::live::LiveExecutor): same guards, limits and budget.

use std::net::SocketAddr;

use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::sync::OwnedSemaphorePermit;

use super::AppState;
use super::negotiate::ResponseMedia;
use super::reply;
use crate::auth::Refusal;
use crate::auth::budget::{BudgetKey, Overdraft};
use crate::domain::{Role, Viewer};
use crate::error::ErrorCode;
use crate::graphql::AcceptedLanguages;
use crate::graphql::exec::budget::BudgetCharge;
use crate::graphql::exec::live::LiveExecutor;

/// graphql-transport-ws close codes.
const CLOSE_BAD_REQUEST: u16 = 4400;
const CLOSE_UNAUTHORIZED: u16 = 4401;
const CLOSE_FORBIDDEN: u16 = 4403;
const CLOSE_INIT_TIMEOUT: u16 = 4408;
const CLOSE_TOO_MANY_REQUESTS: u16 = 4429;
/// RFC 6455: a message too big to process.
const CLOSE_TOO_BIG: u16 = 1009;
const CLOSE_INTERNAL: u16 = 1011;

pub async fn upgrade(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    protocol: Result<GraphQLProtocol, StatusCode>,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(rejection) => {
            return reply::rejection(
                rejection.status(),
                ResponseMedia::Json,
                ErrorCode::BadUserInput,
                format!(
                    "/graphql/ws speaks GraphQL over websockets: {}",
                    rejection.body_text()
                ),
            );
        }
    };
    let Ok(protocol) = protocol else {
        return reply::rejection(
            StatusCode::BAD_REQUEST,
            ResponseMedia::Json,
            ErrorCode::BadUserInput,
            "ask for the `graphql-transport-ws` subprotocol (Sec-WebSocket-Protocol)",
        );
    };
    let Ok(permit) = state.live.connections.clone().try_acquire_owned() else {
        let mut response = reply::rejection(
            StatusCode::SERVICE_UNAVAILABLE,
            ResponseMedia::Json,
            ErrorCode::RateLimited,
            format!(
                "the server holds its limit of {} websocket connections; retry later",
                state.live.settings.ws_max_connections
            ),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        return response;
    };
    let address =
        super::client::client_address(peer.ip(), &headers, &state.auth_settings.trusted_proxies);
    let languages = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .map(AcceptedLanguages::from_header)
        .unwrap_or_default();
    let max = state.live.settings.ws_max_message_bytes;
    upgrade
        .protocols(async_graphql::http::ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| async move {
            serve(socket, state, protocol, address, languages, permit).await;
        })
        .into_response()
}

async fn serve(
    socket: WebSocket,
    state: AppState,
    protocol: GraphQLProtocol,
    address: std::net::IpAddr,
    languages: AcceptedLanguages,
    _permit: OwnedSemaphorePermit,
) {
    let (sink, mut stream) = socket.split();
    // Everything the client is sent goes through one channel, so this file can close the
    // socket itself (an oversized message) while the protocol engine owns the other end.
    let (outgoing, mut to_client) = futures_channel::mpsc::channel::<Message>(16);
    let writer = tokio::spawn(async move {
        let mut sink = sink;
        while let Some(message) = to_client.next().await {
            let closing = matches!(message, Message::Close(_));
            if sink.send(message).await.is_err() || closing {
                break;
            }
        }
        let _ = sink.close().await;
    });
    let close = |code: u16, reason: String| {
        let mut outgoing = outgoing.clone();
        async move {
            let _ = outgoing
                .send(Message::Close(Some(CloseFrame {
                    code,
                    reason: truncate(reason).into(),
                })))
                .await;
        }
    };
    let max = state.live.settings.ws_max_message_bytes;
    let too_big = move || format!("a message may be at most {max} bytes");

    // connection_init first, within the timeout; pings and pongs may come before it.
    let deadline = tokio::time::Instant::now() + state.live.settings.init_timeout();
    let init = loop {
        let next = tokio::time::timeout_at(deadline, stream.next()).await;
        match next {
            Err(_) => {
                close(
                    CLOSE_INIT_TIMEOUT,
                    "Connection initialisation timeout".into(),
                )
                .await;
                break None;
            }
            Ok(None) => break None,
            Ok(Some(Err(error))) => {
                if is_too_big(&error) {
                    close(CLOSE_TOO_BIG, too_big()).await;
                }
                break None;
            }
            Ok(Some(Ok(Message::Text(text)))) => break Some(text.to_string()),
            Ok(Some(Ok(Message::Binary(bytes)))) => {
                break Some(String::from_utf8_lossy(&bytes).into_owned());
            }
            Ok(Some(Ok(Message::Close(_)))) => break None,
            Ok(Some(Ok(_))) => continue,
        }
    };
    let Some(init) = init else {
        drop(outgoing);
        let _ = writer.await;
        return;
    };
    let message: Value = serde_json::from_str(&init).unwrap_or(Value::Null);
    match message.get("type").and_then(Value::as_str) {
        Some("connection_init") => {}
        Some("subscribe" | "start") => {
            close(
                CLOSE_UNAUTHORIZED,
                "Unauthorized: send connection_init first".into(),
            )
            .await;
            drop(outgoing);
            let _ = writer.await;
            return;
        }
        _ => {
            close(
                CLOSE_BAD_REQUEST,
                "the first message must be connection_init".into(),
            )
            .await;
            drop(outgoing);
            let _ = writer.await;
            return;
        }
    }
    let payload = message.get("payload").cloned().unwrap_or(Value::Null);
    let (viewer, charge) = match authenticate(&state, &payload, address).await {
        Ok(caller) => caller,
        Err((code, reason)) => {
            close(code, reason).await;
            drop(outgoing);
            let _ = writer.await;
            return;
        }
    };
    let executor = LiveExecutor::new(
        state.schema.clone(),
        state.db.clone(),
        state.reference.clone(),
        viewer,
        Some(charge),
        state.live.bus.clone(),
        languages,
        state.live.settings.ws_max_subscriptions,
    );
    // The engine sees connection_init again and acknowledges it; an oversized message ends
    // the input after this side has said why.
    let oversized = outgoing.clone();
    let input = futures_util::stream::once(async move { Ok(Message::Text(init.into())) })
        .chain(stream)
        .filter_map(move |message| {
            let mut oversized = oversized.clone();
            async move {
                match message {
                    Err(error) if is_too_big(&error) => {
                        let _ = oversized
                            .send(Message::Close(Some(CloseFrame {
                                code: CLOSE_TOO_BIG,
                                reason: too_big().into(),
                            })))
                            .await;
                        Some(Err(error))
                    }
                    other => Some(other),
                }
            }
        });
    let sink = outgoing.clone().sink_map_err(axum::Error::new);
    GraphQLWebSocket::new_with_pair(sink, Box::pin(input), executor, protocol)
        .serve()
        .await;
    drop(outgoing);
    let _ = writer.await;
}

/// The viewer of `connection_init`'s payload (`Authorization`, any case), as HTTP would
/// authenticate the same header; or the close code and reason of a refusal.
async fn authenticate(
    state: &AppState,
    payload: &Value,
    address: std::net::IpAddr,
) -> Result<(Viewer, BudgetCharge), (u16, String)> {
    let authorization = match payload.as_object().and_then(|object| {
        object
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("authorization"))
            .map(|(_, value)| value)
    }) {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => Some(text.as_str()),
        Some(_) => {
            return Err((
                CLOSE_BAD_REQUEST,
                "`Authorization` in connection_init must be a string".into(),
            ));
        }
    };
    let outcome = match state.auth.authenticate(&state.db, authorization).await {
        Ok(outcome) => outcome,
        Err(error) => {
            tracing::error!(%error, "authenticate websocket");
            return Err((CLOSE_INTERNAL, "internal error".into()));
        }
    };
    match outcome {
        Ok(viewer) => {
            let charge = BudgetCharge {
                budgets: state.budgets.clone(),
                role: viewer.role(),
                key: BudgetKey::of(&viewer, address),
            };
            Ok((viewer, charge))
        }
        Err(refusal) => {
            let charged = state
                .budgets
                .charge(Role::Anonymous, &BudgetKey::Address(address), 1);
            if let Err(Overdraft::Empty {
                retry_after_seconds,
                ..
            }) = charged
            {
                return Err((
                    CLOSE_TOO_MANY_REQUESTS,
                    format!("too many requests; retry in {retry_after_seconds} s"),
                ));
            }
            let reason = match &refusal {
                Refusal::Unauthenticated(message) => format!("Forbidden: {message}"),
                Refusal::Suspended => format!("Forbidden: {}", refusal.message()),
            };
            Err((CLOSE_FORBIDDEN, reason))
        }
    }
}

fn is_too_big(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = source {
        if let Some(tungstenite::Error::Capacity(_)) = current.downcast_ref::<tungstenite::Error>()
        {
            return true;
        }
        source = current.source();
    }
    false
}

/// A close reason may hold at most 123 bytes.
fn truncate(mut reason: String) -> String {
    if reason.len() > 123 {
        let mut end = 120;
        while !reason.is_char_boundary(end) {
            end -= 1;
        }
        reason.truncate(end);
        reason.push_str("...");
    }
    reason
}
