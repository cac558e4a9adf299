//! Builds the application: database pool, migrations, seed, search index and its indexer
//! task, schema and router, bound to a listener. Tests bind port 0 and read the real port from [`Application::port`].

use std::net::SocketAddr;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::config::Settings;
use crate::http::{self, AppState};
use crate::{db, graphql, search, seed};

pub struct Application {
    listener: TcpListener,
    router: axum::Router,
    address: SocketAddr,
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
        let index = search::open_or_build(&connection, &settings.index_dir())
            .await
            .context("open search index")?;
        search::indexer::Indexer::new(connection.clone(), index.clone()).spawn();
        let index: search::SharedIndex = index;
        let schema = graphql::build(
            connection.clone(),
            index.clone(),
            &graphql::SchemaOptions::from_settings(&settings),
        );
        let auth = crate::auth::Authenticator::from_settings(&settings.auth)?;
        let budgets =
            std::sync::Arc::new(crate::auth::budget::Budgets::from_settings(&settings.auth));
        spawn_budget_sweeper(budgets.clone());
        let router = http::router(AppState {
            db: connection,
            schema,
            report_sql_statements: settings.report_sql_statements,
            api: std::sync::Arc::new(settings.api.clone()),
            search: index,
            auth: std::sync::Arc::new(auth),
            auth_settings: std::sync::Arc::new(settings.auth.clone()),
            budgets,
        });
        let listener = TcpListener::bind(settings.bind)
            .await
            .with_context(|| format!("bind {}", settings.bind))?;
        let address = listener.local_addr()?;
        Ok(Self {
            listener,
            router,
            address,
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
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serve")
    }
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
