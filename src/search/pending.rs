//! The index the server answers with while its first generation may still be building: the
//! listener opens at once (`/healthz` answers, `/readyz` says not ready) and searches fail with
//! [`IndexBuilding`] until the build is published. Every engine call is timed here for
//! `/metrics` (`kxc_search_duration_seconds`).

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use super::document::SearchDocument;
use super::{SearchIndex, SearchRequest, SearchResults, Suggestion, TantivyIndex};

/// A search asked for before the first index build finished.
#[derive(Debug, thiserror::Error)]
#[error("the search index is being built; try again in a moment")]
pub struct IndexBuilding;

/// The serving index: empty until [`PendingIndex::set`] hands it the opened generation.
#[derive(Default)]
pub struct PendingIndex {
    index: OnceLock<Arc<TantivyIndex>>,
}

impl PendingIndex {
    /// An index that is ready from the start.
    pub fn ready(index: Arc<TantivyIndex>) -> Self {
        let pending = Self::default();
        pending.set(index);
        pending
    }

    /// Publishes the built index; later calls are ignored.
    pub fn set(&self, index: Arc<TantivyIndex>) {
        let _ = self.index.set(index);
    }

    fn get(&self) -> anyhow::Result<&Arc<TantivyIndex>> {
        self.index.get().ok_or_else(|| IndexBuilding.into())
    }
}

fn timed<T>(kind: &'static str, run: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<T> {
    let started = Instant::now();
    let result = run();
    let outcome = if result.is_ok() { "ok" } else { "error" };
    metrics::histogram!("kxc_search_duration_seconds", "kind" => kind, "outcome" => outcome)
        .record(started.elapsed().as_secs_f64());
    result
}

impl SearchIndex for PendingIndex {
    fn search(&self, request: &SearchRequest) -> anyhow::Result<SearchResults> {
        timed("search", || self.get()?.search(request))
    }

    fn search_including(
        &self,
        request: &SearchRequest,
        extra: &[SearchDocument],
    ) -> anyhow::Result<SearchResults> {
        timed("search", || self.get()?.search_including(request, extra))
    }

    fn suggest(
        &self,
        prefix: &str,
        first: usize,
        deadline: super::deadline::Deadline,
    ) -> anyhow::Result<Vec<Suggestion>> {
        timed("suggest", || self.get()?.suggest(prefix, first, deadline))
    }

    fn checkpoint(&self) -> i64 {
        self.index.get().map_or(0, |index| index.checkpoint())
    }

    fn generation_name(&self) -> String {
        self.index
            .get()
            .map_or_else(|| "building".to_owned(), |index| index.generation_name())
    }

    fn is_ready(&self) -> bool {
        self.index.get().is_some()
    }
}
