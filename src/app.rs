//! Builds the application: database pool, migrations, seed, search index and its indexer
//! task, schema and router, bound to a listener. Tests bind port 0 and read the real port from [`Application::port`].
//!
//! The accept loop lives here too (hyper-util, not `axum::serve`): it bounds how long a client
//! may take to send its headers (`KXC_HEADER_TIMEOUT_MS`, which `axum::serve` has no timer for)
//! and how many connections are served at once (`KXC_MAX_CONNECTIONS`).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

use crate::config::Settings;
use crate::http::{self, AppState};
use crate::service::change_consumer::{ChangeSignal, Shutdown, ShutdownTrigger};
use crate::{db, graphql, search, seed};

/// How often the latest committed change is looked up; consumers wake within this.
const CHANGE_POLL: Duration = Duration::from_millis(100);

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    address: SocketAddr,
    header_timeout: Duration,
    max_connections: usize,
    /// Stops the background tasks (change poller, indexer, webhook dispatcher, change bus).
    shutdown: ShutdownTrigger,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let connection = db::connect(&settings).await?;
        db::migrate(&connection).await?;
        if settings.seed_on_empty && seed::is_empty(&connection).await? {
            let report = seed::load(&connection)
                .await
                .context("seed empty database")?;
            tracing::info!(%report, "seeded empty database");
        }
        let (shutdown, stopping) = Shutdown::new();
        let signal = ChangeSignal::new();
        let mut tasks =
            vec![signal.spawn_poller(connection.clone(), CHANGE_POLL, stopping.clone())];
        // With an index on disk the server starts serving it at once. Without one the listener
        // opens first and the build runs beside it: `/healthz` answers, `/readyz` says not ready
        // and searches fail clearly until the generation is published.
        let index = match search::open_current(&connection, &settings.index_dir()).await {
            Ok(Some(index)) => {
                tasks.push(
                    search::indexer::Indexer::new(connection.clone(), index.clone())
                        .spawn(signal.clone(), stopping.clone()),
                );
                Arc::new(search::pending::PendingIndex::ready(index))
            }
            unusable => {
                if let Err(error) = unusable {
                    tracing::warn!(
                        error = format!("{error:#}"),
                        "cannot open search index; rebuilding"
                    );
                }
                let pending = Arc::new(search::pending::PendingIndex::default());
                spawn_first_build(
                    connection.clone(),
                    settings.index_dir(),
                    pending.clone(),
                    (signal.clone(), stopping.clone()),
                );
                pending
            }
        };
        tasks.extend(crate::service::webhooks::dispatch::spawn(
            connection.clone(),
            settings.webhooks.clone(),
            signal.clone(),
            stopping.clone(),
        ));
        let index: search::SharedIndex = index;
        crate::http::metrics::install();
        let schema = graphql::build(
            connection.clone(),
            index.clone(),
            &graphql::SchemaOptions::from_settings(&settings),
        );
        let auth = crate::auth::Authenticator::from_settings(&settings.auth)?;
        let budgets =
            std::sync::Arc::new(crate::auth::budget::Budgets::from_settings(&settings.auth));
        spawn_budget_sweeper(budgets.clone());
        let (bus, bus_task) = crate::service::change_bus::ChangeBus::start(
            connection.clone(),
            signal.clone(),
            settings.live.change_bus_poll(),
            stopping.clone(),
        )
        .await
        .context("start the change bus")?;
        tasks.push(bus_task);
        let router = http::router(AppState {
            db: connection,
            schema,
            report_sql_statements: settings.report_sql_statements,
            api: std::sync::Arc::new(settings.api.clone()),
            search: index,
            auth: std::sync::Arc::new(auth),
            auth_settings: std::sync::Arc::new(settings.auth.clone()),
            budgets,
            live: std::sync::Arc::new(http::LiveState::new(bus, settings.live.clone())),
            reference: std::sync::Arc::default(),
        });
        let listener = TcpListener::bind(settings.bind)
            .await
            .with_context(|| format!("bind {}", settings.bind))?;
        let address = listener.local_addr()?;
        Ok(Self {
            listener,
            router,
            address,
            header_timeout: settings.api.header_timeout(),
            max_connections: settings.api.max_connections,
            shutdown,
            tasks,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Serves until Ctrl-C or SIGTERM, then finishes in-flight requests.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes, then finishes in-flight requests and stops the
    /// background tasks (what a restart in a test needs).
    pub async fn run_until(mut self, stop: impl Future<Output = ()>) -> anyhow::Result<()> {
        let shutdown = std::mem::replace(&mut self.shutdown, Shutdown::new().0);
        let tasks = std::mem::take(&mut self.tasks);
        let served = self.serve(stop).await;
        shutdown.fire();
        for task in tasks {
            let _ = task.await;
        }
        served
    }

    /// Accepts connections until `stop` completes, then stops accepting, lets every open
    /// connection finish its in-flight request and returns. A connection holds one of
    /// `max_connections` permits while open; with none free, accepting waits.
    async fn serve(self, stop: impl Future<Output = ()>) -> anyhow::Result<()> {
        // HTTP/1 only, as `axum::serve` served (axum's `http2` feature is off): hyper has no
        // header timer for HTTP/2, and version sniffing would wait for a first byte untimed.
        let mut builder = auto::Builder::new(TokioExecutor::new()).http1_only();
        builder
            .http1()
            .timer(TokioTimer::new())
            .header_read_timeout(self.header_timeout);
        let permits = Arc::new(Semaphore::new(self.max_connections));
        let graceful = GracefulShutdown::new();
        let router = self.router;
        tokio::pin!(stop);
        loop {
            let permit = tokio::select! {
                permit = permits.clone().acquire_owned() => permit.context("connection permits")?,
                () = &mut stop => break,
            };
            let (stream, peer) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors and the like: wait instead of spinning.
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
                () = &mut stop => break,
            };
            let router = router.clone();
            let service = hyper::service::service_fn(
                move |mut request: hyper::Request<hyper::body::Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    router.clone().oneshot(request)
                },
            );
            let builder = builder.clone();
            let watcher = graceful.watcher();
            let header_timeout = self.header_timeout;
            tokio::spawn(async move {
                // Serving with upgrades (`/graphql/ws` hands the connection over to a
                // websocket) first sniffs the protocol version, which hyper's header timer does
                // not cover: a connection that sends nothing within the header timeout is
                // closed here instead of holding its permit.
                let mut first = [0u8; 1];
                if !matches!(
                    tokio::time::timeout(header_timeout, stream.peek(&mut first)).await,
                    Ok(Ok(1..))
                ) {
                    drop(permit);
                    return;
                }
                let connection = builder
                    .serve_connection_with_upgrades(TokioIo::new(stream), service)
                    .into_owned();
                if let Err(error) = watcher.watch(connection).await {
                    tracing::debug!(%peer, error = %error, "connection ended with an error");
                }
                drop(permit);
            });
        }
        drop(self.listener);
        graceful.shutdown().await;
        Ok(())
    }
}

/// Builds the first index generation while the server already listens, then starts the
/// indexer on it. A failed build is retried, as the indexer retries a failed batch.
fn spawn_first_build(
    db: sea_orm::DatabaseConnection,
    root: std::path::PathBuf,
    pending: Arc<search::pending::PendingIndex>,
    (signal, stopping): (ChangeSignal, Shutdown),
) {
    tokio::spawn(async move {
        let started = std::time::Instant::now();
        loop {
            match search::build_and_open(&db, &root).await {
                Ok(index) => {
                    tracing::info!(
                        seconds = started.elapsed().as_secs_f64(),
                        "search index ready"
                    );
                    // Stopped by `stopping` like the other tasks; not joined on shutdown.
                    drop(
                        search::indexer::Indexer::new(db.clone(), index.clone())
                            .spawn(signal, stopping),
                    );
                    pending.set(index);
                    return;
                }
                Err(error) => {
                    tracing::error!(
                        error = format!("{error:#}"),
                        "search index build failed; retrying"
                    );
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    });
}

/// Full buckets are dropped every minute, so budget memory follows recent clients only.
fn spawn_budget_sweeper(budgets: std::sync::Arc<crate::auth::budget::Budgets>) {
    let budgets = std::sync::Arc::downgrade(&budgets);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            let Some(budgets) = budgets.upgrade() else {
                return;
            };
            budgets.forget_full();
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
