//! Slow or idle clients cannot hold connections: headers and bodies that stall are cut off
//! after `KXC_HEADER_TIMEOUT_MS` / `KXC_BODY_TIMEOUT_MS`, and at most `KXC_MAX_CONNECTIONS`
//! connections are served at once. Each test uses a small setting and waits far longer than
//! it for the server to act, so it asserts what happens, not how fast.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{TestApp, spawn_apps_with};

/// Far longer than any setting used here: reaching it means the server never acted.
const PATIENCE: Duration = Duration::from_secs(20);

async fn connect(app: &TestApp) -> TcpStream {
    let address = app.address.trim_start_matches("http://");
    TcpStream::connect(address).await.expect("connect")
}

/// Reads until the server closes the connection (a reset counts as closed); `None` when it
/// is still open after [`PATIENCE`].
async fn read_until_closed(stream: &mut TcpStream) -> Option<String> {
    let mut received = Vec::new();
    let outcome = tokio::time::timeout(PATIENCE, async {
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(read) => received.extend_from_slice(&buffer[..read]),
            }
        }
    })
    .await;
    outcome
        .ok()
        .map(|()| String::from_utf8_lossy(&received).into_owned())
}

#[tokio::test]
async fn a_client_that_sends_half_its_headers_is_disconnected() {
    for app in spawn_apps_with(|settings| settings.api.header_timeout_ms = 200).await {
        let mut stream = connect(&app).await;
        stream
            .write_all(b"POST /graphql HTTP/1.1\r\nHost: kxc.test\r\nContent-Type: appl")
            .await
            .unwrap();
        let answer = read_until_closed(&mut stream).await;
        assert!(
            answer.is_some(),
            "[{}] the connection is still open",
            app.backend
        );
    }
}

#[tokio::test]
async fn an_idle_connection_is_disconnected() {
    for app in spawn_apps_with(|settings| settings.api.header_timeout_ms = 200).await {
        let mut stream = connect(&app).await;
        let answer = read_until_closed(&mut stream).await;
        assert_eq!(answer.as_deref(), Some(""), "[{}]", app.backend);
    }
}

#[tokio::test]
async fn a_body_that_stalls_is_answered_408_and_closed() {
    for app in spawn_apps_with(|settings| settings.api.body_timeout_ms = 200).await {
        let mut stream = connect(&app).await;
        stream
            .write_all(
                b"POST /graphql HTTP/1.1\r\nHost: kxc.test\r\nContent-Type: application/json\r\n\
                  Content-Length: 100000\r\n\r\n{",
            )
            .await
            .unwrap();
        let answer = read_until_closed(&mut stream)
            .await
            .unwrap_or_else(|| panic!("[{}] the connection is still open", app.backend));
        assert!(
            answer.starts_with("HTTP/1.1 408"),
            "[{}] {answer}",
            app.backend
        );
        assert!(answer.contains("\"TIMEOUT\""), "[{}] {answer}", app.backend);
    }
}

#[tokio::test]
async fn connections_beyond_the_limit_wait_until_one_closes() {
    let apps = spawn_apps_with(|settings| {
        settings.api.max_connections = 1;
        settings.api.header_timeout_ms = 600_000;
    })
    .await;
    for app in apps {
        let holder = connect(&app).await;
        let mut waiting = connect(&app).await;
        waiting
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: kxc.test\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut first = [0u8; 1];
        let early =
            tokio::time::timeout(Duration::from_millis(500), waiting.read(&mut first)).await;
        assert!(
            early.is_err(),
            "[{}] a second connection was served while the only one allowed was open",
            app.backend
        );
        drop(holder);
        let answer = read_until_closed(&mut waiting)
            .await
            .unwrap_or_else(|| panic!("[{}] the waiting connection was never served", app.backend));
        assert!(
            answer.starts_with("HTTP/1.1 200"),
            "[{}] {answer}",
            app.backend
        );
    }
}
