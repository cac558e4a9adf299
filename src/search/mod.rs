//! Full-text search over published practices, live funding opportunities and cities.
//!
//! - [`SearchIndex`] is the seam services use; [`engine::TantivyIndex`] implements it.
//! - [`mapping`] turns database records into engine-independent [`document::SearchDocument`]s.
//! - [`indexer::Indexer`] is the only writer: it tails `change_log` and commits documents with
//!   the checkpoint in the same tantivy commit.
//! - [`rebuild`] builds a whole generation (first start, `kxc reindex`) and publishes it; the
//!   serving indexer switches to it without a restart.
//!
//! Queries are blocking work: callers run them on the blocking pool.

pub mod analysis;
pub mod concepts;
pub mod deadline;
pub mod document;
mod encode;
pub mod engine;
mod facets;
pub mod fields;
pub mod geo;
pub mod indexer;
pub mod mapping;
pub mod pending;
mod query;
pub mod rebuild;
pub mod request;
mod snippets;
pub mod syntax;

use std::path::Path;
use std::sync::Arc;

use indicatif::ProgressBar;
use sea_orm::DatabaseConnection;

pub use engine::TantivyIndex;
pub use request::{SearchRequest, SearchResults, Suggestion};

/// What services need from a search engine. Every method blocks: call it from
/// `tokio::task::spawn_blocking`.
pub trait SearchIndex: Send + Sync {
    fn search(&self, request: &SearchRequest) -> anyhow::Result<SearchResults>;

    /// Like [`search`](Self::search), as if `extra` (documents the index does not hold, such
    /// as a viewer's unpublished practices) were in the index: they are matched by the same
    /// query, scored with the index's statistics, merged into the same order, counted in the
    /// total and the facets.
    fn search_including(
        &self,
        request: &SearchRequest,
        extra: &[document::SearchDocument],
    ) -> anyhow::Result<SearchResults>;

    /// Up to `first` completions of `prefix` over practice titles, cities, themes and funders.
    fn suggest(
        &self,
        prefix: &str,
        first: usize,
        deadline: deadline::Deadline,
    ) -> anyhow::Result<Vec<Suggestion>>;

    /// The last change-log `seq` reflected in search results.
    fn checkpoint(&self) -> i64;

    /// Names the index generation in use (it changes when a rebuild is published).
    fn generation_name(&self) -> String;

    /// Whether searches can be answered (false while the first generation is being built).
    fn is_ready(&self) -> bool {
        true
    }
}

pub type SharedIndex = Arc<dyn SearchIndex>;

/// Opens the index under `root`, building it from the database first when there is none.
pub async fn open_or_build(
    db: &DatabaseConnection,
    root: &Path,
) -> anyhow::Result<Arc<TantivyIndex>> {
    if let Some(index) = open_current(db, root).await? {
        return Ok(index);
    }
    build_and_open(db, root).await
}

/// Opens the index under `root` when it has a usable generation for this database; `None`
/// when it must be built first (see [`build_and_open`]).
pub async fn open_current(
    db: &DatabaseConnection,
    root: &Path,
) -> anyhow::Result<Option<Arc<TantivyIndex>>> {
    let path = root.to_owned();
    if let Some(index) = tokio::task::spawn_blocking(move || TantivyIndex::open(&path)).await?? {
        let latest = crate::service::change_consumer::latest_seq(db).await?;
        if index.checkpoint() <= latest {
            index.set_vocabulary(Arc::new(crate::service::concepts::matcher(db).await?));
            return Ok(Some(Arc::new(index)));
        }
        // An index ahead of the log belongs to another database (a restored backup, say):
        // tailing from its checkpoint would skip every change up to it.
        tracing::warn!(
            checkpoint = index.checkpoint(),
            latest,
            "search index is ahead of the change log; rebuilding"
        );
    }
    Ok(None)
}

/// Builds a whole generation under `root` from the database, publishes and opens it.
pub async fn build_and_open(
    db: &DatabaseConnection,
    root: &Path,
) -> anyhow::Result<Arc<TantivyIndex>> {
    let report = rebuild::rebuild(db, root, &ProgressBar::hidden()).await?;
    tracing::info!(
        generation = report.generation,
        documents = report.documents,
        "built search index"
    );
    let path = root.to_owned();
    let index = tokio::task::spawn_blocking(move || TantivyIndex::open(&path))
        .await??
        .ok_or_else(|| anyhow::anyhow!("search index missing right after it was built"))?;
    engine::store::remove_stale(root, &index.generation_name());
    index.set_vocabulary(Arc::new(crate::service::concepts::matcher(db).await?));
    Ok(Arc::new(index))
}
