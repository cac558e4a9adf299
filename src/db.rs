//! Database connection and migrations.

use std::time::Duration;

use anyhow::{Context, bail};
use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};

use crate::config::Settings;

/// Opens the pool. SQLite gets WAL, a busy timeout, foreign keys and a real pool (sea-orm's
/// default for SQLite is a single connection, which serialises every reader).
pub async fn connect(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    let url = settings.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("create data dir {}", settings.data_dir.display()))?;
    }
    let busy_timeout = settings.busy_timeout();
    // A negative `cache_size` is in KiB.
    let cache_size = format!("-{}", u64::from(settings.sqlite_cache_mib) * 1024);
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(settings.db_max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |sqlite| {
            sqlite
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(busy_timeout)
                .foreign_keys(true)
                .pragma("cache_size", cache_size.clone())
        });
    let mut connection = Database::connect(options)
        .await
        .context("connect to database")?;
    connection.set_metric_callback(|_| count_statement());
    Ok(connection)
}

tokio::task_local! {
    /// Counts the SQL statements run by the task (and the DataLoader batches it spawns) that
    /// holds it in scope; GraphQL requests use it to report `extensions.sqlStatements`.
    pub static STATEMENT_COUNTER: std::sync::Arc<std::sync::atomic::AtomicU64>;
}

fn count_statement() {
    let _ = STATEMENT_COUNTER
        .try_with(|counter| counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
}

/// Applies pending migrations, refusing a database that a newer binary has migrated.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    ensure_not_newer(db).await?;
    Migrator::up(db, None).await.context("apply migrations")
}

/// Fails when the database holds migrations this binary does not know.
pub async fn ensure_not_newer(db: &DatabaseConnection) -> anyhow::Result<()> {
    let known: Vec<String> = Migrator::migrations()
        .iter()
        .map(|migration| migration.name().to_owned())
        .collect();
    let applied = Migrator::get_migration_models(db)
        .await
        .context("read applied migrations")?;
    let unknown: Vec<&str> = applied
        .iter()
        .map(|model| model.version.as_str())
        .filter(|version| !known.iter().any(|name| name == version))
        .collect();
    if !unknown.is_empty() {
        bail!(
            "database was migrated by a newer kxc (unknown migrations: {}); upgrade kxc",
            unknown.join(", ")
        );
    }
    Ok(())
}

/// True when every migration this binary knows is applied.
pub async fn migrations_current(db: &DatabaseConnection) -> anyhow::Result<bool> {
    Ok(Migrator::get_pending_migrations(db).await?.is_empty())
}

/// Refreshes the query planner's statistics after a bulk load (`kxc seed`, `kxc import`), as
/// PostgreSQL's manual advises after loading data: without them (a server with autovacuum off,
/// or one that has not come round yet) PostgreSQL guesses a handful of rows per filter and
/// picked a plan ten times slower for the filtered practice list on 20k practices. SQLite
/// reads every index in full (about 2 s at a million practices): with `analysis_limit` it
/// sampled 1,000 rows, saw one status value and recorded ~1,000 practices per status, so a
/// lookup of 256 practices by id walked all million published ones through the status index
/// (100 ms instead of 2 ms per lookup; the 1M reindex took 501 s instead of 301 s).
pub async fn analyze(db: &DatabaseConnection) -> anyhow::Result<()> {
    // ANALYZE reads the tables, then writes the statistics: begun as every writer begins, so
    // on SQLite beside a running server it queues for the write lock instead of failing.
    let txn = crate::service::change_log::begin_write(db)
        .await
        .context("begin ANALYZE")?;
    txn.execute_unprepared("ANALYZE").await.context("ANALYZE")?;
    txn.commit().await.context("commit ANALYZE")?;
    Ok(())
}

pub fn is_postgres(db: &impl ConnectionTrait) -> bool {
    db.get_database_backend() == DbBackend::Postgres
}
