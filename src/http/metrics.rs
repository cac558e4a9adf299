//! `GET /metrics` in the Prometheus text format (the `metrics` facade with
//! `metrics-exporter-prometheus` as the process-wide recorder), so a benchmark and an operator
//! read the same numbers:
//!
//! - `kxc_graphql_requests_total` and `kxc_graphql_request_duration_seconds` by `operation`
//!   (the client's operation name, bounded: see [`operation_label`]) and `outcome` (`ok`, or
//!   `error` when the response carries GraphQL errors);
//! - `kxc_search_duration_seconds` by `kind` (`search`, `suggest`) and `outcome`, timed around
//!   the engine call (`search::pending`);
//! - gauges read when scraped: `kxc_db_pool_connections` (`state` = `in_use`, `idle`),
//!   `kxc_db_pool_max_connections`, `kxc_search_ready`, `kxc_search_index_lag_changes` (change-log
//!   rows not yet searchable) and `kxc_search_index_lag_seconds` (age of the oldest of them).

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sea_orm::{ColumnTrait, DatabaseBackend, EntityTrait, QueryFilter, QueryOrder};

use super::AppState;
use crate::entity::change_log;

/// Longest operation name kept as a label value; longer ones count as `other`.
pub const MAX_OPERATION_NAME: usize = 64;
/// Distinct operation names kept as label values per process; later new ones count as `other`.
pub const MAX_OPERATIONS: usize = 100;

/// Latency buckets in seconds, for requests and searches alike.
const BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
static OPERATIONS: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();

/// Installs the process-wide recorder once (every later call, such as another app in the same
/// test process, shares it) and starts its upkeep task.
pub fn install() {
    HANDLE.get_or_init(|| {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), BUCKETS)
            .expect("buckets are not empty")
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed; /metrics stays empty");
        }
        let upkeep = handle.clone();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(5));
            loop {
                every.tick().await;
                upkeep.run_upkeep();
            }
        });
        handle
    });
}

/// The label an operation name is counted under: `anonymous` without one; `other` when it is
/// longer than [`MAX_OPERATION_NAME`], not a GraphQL name, or new once [`MAX_OPERATIONS`]
/// names are known. Clients choose operation names, so this bounds the series they can create.
pub fn operation_label(name: Option<&str>) -> String {
    let Some(name) = name.filter(|name| !name.is_empty()) else {
        return "anonymous".to_owned();
    };
    let is_name = name.len() <= MAX_OPERATION_NAME
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !is_name {
        return "other".to_owned();
    }
    let mut known = OPERATIONS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if known.contains(name) || known.len() < MAX_OPERATIONS && known.insert(name.to_owned()) {
        name.to_owned()
    } else {
        "other".to_owned()
    }
}

/// The name of a document's first operation when the document starts with it (`query Name`,
/// `mutation Name(...)`), for requests that send no `operationName`: a scan of the first
/// words, not a parse (the schema parses the document anyway).
pub fn leading_operation_name(document: &str) -> Option<&str> {
    let mut rest =
        document.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}' || c == ',');
    while let Some(comment) = rest.strip_prefix('#') {
        rest = comment
            .split_once('\n')
            .map_or("", |(_, after)| after)
            .trim_start_matches(|c: char| c.is_whitespace() || c == ',');
    }
    let rest = ["query", "mutation", "subscription"]
        .iter()
        .find_map(|keyword| rest.strip_prefix(keyword))?;
    let name = rest.trim_start();
    if name.len() == rest.len() {
        return None;
    }
    let end = name
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(name.len());
    Some(&name[..end]).filter(|name| !name.is_empty())
}

/// Counts one executed GraphQL operation.
pub fn record_operation(name: Option<&str>, ok: bool, elapsed: Duration) {
    let operation = operation_label(name);
    let outcome = if ok { "ok" } else { "error" };
    metrics::counter!("kxc_graphql_requests_total", "operation" => operation.clone(), "outcome" => outcome)
        .increment(1);
    metrics::histogram!("kxc_graphql_request_duration_seconds", "operation" => operation, "outcome" => outcome)
        .record(elapsed.as_secs_f64());
}

pub async fn get(State(state): State<AppState>) -> Response {
    let Some(handle) = HANDLE.get() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "metrics are not installed").into_response();
    };
    record_gauges(&state).await;
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}

async fn record_gauges(state: &AppState) {
    let (size, idle, max) = match state.db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let pool = state.db.get_postgres_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        DatabaseBackend::Sqlite => {
            let pool = state.db.get_sqlite_connection_pool();
            (
                pool.size(),
                pool.num_idle(),
                pool.options().get_max_connections(),
            )
        }
        _ => (0, 0, 0),
    };
    let idle = u32::try_from(idle).unwrap_or(u32::MAX).min(size);
    metrics::gauge!("kxc_db_pool_connections", "state" => "in_use").set(f64::from(size - idle));
    metrics::gauge!("kxc_db_pool_connections", "state" => "idle").set(f64::from(idle));
    metrics::gauge!("kxc_db_pool_max_connections").set(f64::from(max));

    let ready = state.search.is_ready();
    metrics::gauge!("kxc_search_ready").set(if ready { 1.0 } else { 0.0 });
    let checkpoint = state.search.checkpoint();
    let Ok(latest) = crate::service::change_consumer::latest_seq(&state.db).await else {
        return;
    };
    metrics::gauge!("kxc_search_index_lag_changes").set((latest - checkpoint).max(0) as f64);
    let oldest_pending = change_log::Entity::find()
        .filter(change_log::Column::Seq.gt(checkpoint))
        .order_by_asc(change_log::Column::Seq)
        .one(&state.db)
        .await
        .ok()
        .flatten();
    let seconds = oldest_pending.map_or(0.0, |change| {
        (chrono::Utc::now() - change.occurred_at.to_utc())
            .num_milliseconds()
            .max(0) as f64
            / 1000.0
    });
    metrics::gauge!("kxc_search_index_lag_seconds").set(seconds);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leading_operation_names_are_found() {
        assert_eq!(leading_operation_name("query A { x }"), Some("A"));
        assert_eq!(
            leading_operation_name("# hi\n mutation B($x: Int) { x }"),
            Some("B")
        );
        assert_eq!(leading_operation_name("{ x }"), None);
        assert_eq!(leading_operation_name("query { x }"), None);
        assert_eq!(leading_operation_name("queryX { x }"), None);
    }

    #[test]
    fn operation_labels_are_bounded() {
        assert_eq!(operation_label(None), "anonymous");
        assert_eq!(operation_label(Some("")), "anonymous");
        assert_eq!(operation_label(Some("ListPractices")), "ListPractices");
        assert_eq!(operation_label(Some(&"a".repeat(65))), "other");
        assert_eq!(operation_label(Some("two words")), "other");
        for n in 0..MAX_OPERATIONS + 10 {
            operation_label(Some(&format!("Op{n}")));
        }
        assert_eq!(operation_label(Some("ListPractices")), "ListPractices");
        assert_eq!(operation_label(Some("NeverSeenBefore")), "other");
    }
}
