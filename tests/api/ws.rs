//! A graphql-transport-ws client over a real websocket (tokio-tungstenite), for the
//! subscription tests: `connection_init` / `connection_ack`, `subscribe`, `next`, `complete`.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::helpers::TestApp;

/// Longest wait for one message: a hang guard, not a timing assertion.
const HANG_GUARD: Duration = Duration::from_secs(30);

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// What the server sent.
#[derive(Debug)]
pub enum Received {
    Json(Value),
    Closed(u16, String),
}

pub struct WsClient {
    socket: Socket,
    backend: &'static str,
}

/// Opens `/graphql/ws` asking for graphql-transport-ws; the HTTP status when refused.
pub async fn open(app: &TestApp) -> Result<WsClient, u16> {
    let url = format!("{}/graphql/ws", app.address.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request().expect("a websocket request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, response)) => {
            assert_eq!(
                response.headers()["sec-websocket-protocol"],
                "graphql-transport-ws"
            );
            Ok(WsClient {
                socket,
                backend: app.backend,
            })
        }
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Err(response.status().as_u16())
        }
        Err(error) => panic!("[{}] websocket handshake: {error}", app.backend),
    }
}

impl WsClient {
    /// Opens a socket and completes `connection_init` with `bearer` (none when `None`).
    pub async fn connect(app: &TestApp, bearer: Option<&str>) -> Self {
        let mut client = open(app).await.expect("websocket opened");
        client.init(bearer).await;
        match client.receive().await {
            Received::Json(message) if message["type"] == "connection_ack" => {}
            other => panic!(
                "[{}] expected connection_ack, got {other:?}",
                client.backend
            ),
        }
        client
    }

    pub async fn init(&mut self, bearer: Option<&str>) {
        let payload = match bearer {
            Some(bearer) => json!({ "Authorization": format!("Bearer {bearer}") }),
            None => json!({}),
        };
        self.send(json!({ "type": "connection_init", "payload": payload }))
            .await;
    }

    pub async fn send(&mut self, message: Value) {
        self.send_text(message.to_string()).await;
    }

    pub async fn send_text(&mut self, text: String) {
        self.socket
            .send(Message::Text(text.into()))
            .await
            .expect("message sent");
    }

    /// The next text message or the close frame (websocket pings are answered by tungstenite).
    pub async fn receive(&mut self) -> Received {
        loop {
            let message = tokio::time::timeout(HANG_GUARD, self.socket.next())
                .await
                .unwrap_or_else(|_| panic!("[{}] no message within {HANG_GUARD:?}", self.backend));
            match message {
                Some(Ok(Message::Text(text))) => {
                    return Received::Json(serde_json::from_str(&text).expect("JSON message"));
                }
                Some(Ok(Message::Close(frame))) => {
                    return match frame {
                        Some(frame) => {
                            Received::Closed(frame.code.into(), frame.reason.to_string())
                        }
                        None => Received::Closed(1005, String::new()),
                    };
                }
                Some(Ok(_)) => continue,
                Some(Err(error)) => panic!("[{}] websocket error: {error}", self.backend),
                None => return Received::Closed(1006, String::new()),
            }
        }
    }

    /// The close frame the server ends the socket with.
    pub async fn closed(&mut self) -> (u16, String) {
        match self.receive().await {
            Received::Closed(code, reason) => (code, reason),
            other => panic!(
                "[{}] expected the socket to close, got {other:?}",
                self.backend
            ),
        }
    }

    /// Sends `subscribe` without waiting for anything.
    pub async fn start(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({ "id": id, "type": "subscribe",
                          "payload": { "query": query, "variables": variables } }))
            .await;
    }

    /// Sends `subscribe` and waits for the server to have read it (a protocol ping it answers
    /// after every earlier message), so changes committed afterwards reach the subscription.
    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({ "id": id, "type": "subscribe",
                          "payload": { "query": query, "variables": variables } }))
            .await;
        self.send(json!({ "type": "ping" })).await;
        loop {
            match self.receive().await {
                Received::Json(message) if message["type"] == "pong" => return,
                Received::Json(message)
                    if message["type"] == "next" || message["type"] == "complete" =>
                {
                    panic!(
                        "[{}] {id}: unexpected {message} before any change",
                        self.backend
                    )
                }
                Received::Json(_) => continue,
                other => panic!("[{}] {id}: {other:?}", self.backend),
            }
        }
    }

    /// The payload of the next `next` message for `id`.
    pub async fn next(&mut self, id: &str) -> Value {
        loop {
            match self.receive().await {
                Received::Json(message) if message["type"] == "next" && message["id"] == id => {
                    return message["payload"].clone();
                }
                Received::Json(message) if message["type"] == "complete" && message["id"] == id => {
                    panic!("[{}] {id} completed without a result", self.backend)
                }
                Received::Json(_) => continue,
                other => panic!("[{}] {id}: {other:?}", self.backend),
            }
        }
    }

    /// The first error of operation `id`, which must fail, and that it then completes.
    pub async fn error(&mut self, id: &str) -> Value {
        let payload = self.next(id).await;
        let error = payload["errors"][0].clone();
        assert!(
            error.is_object(),
            "[{}] {id}: expected an error: {payload}",
            self.backend
        );
        match self.receive().await {
            Received::Json(message) if message["type"] == "complete" && message["id"] == id => {}
            other => panic!("[{}] {id}: expected complete, got {other:?}", self.backend),
        }
        error
    }
}
