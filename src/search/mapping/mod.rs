//! Document mappings: how each kind of record becomes a [`SearchDocument`]. The indexer knows
//! nothing about any particular record: it hands each change-log entry to the mapping
//! registered for its entity type. A new searchable record (community threads, say) is a new
//! file here and one line in [`all`].

mod city;
mod funder;
mod funding;
mod places;
mod practice;

pub use practice::for_viewer as practices_for_viewer;
mod theme;
mod thread;

use std::collections::HashMap;

use async_trait::async_trait;
use sea_orm::DatabaseConnection;

use super::concepts::ConceptMatcher;
use super::document::{RecordKind, SearchDocument};

#[async_trait]
pub trait DocumentMapping: Send + Sync {
    /// The kind of record it maps: the `change_log.entity_type` it handles and the kind of the
    /// documents it produces.
    fn kind(&self) -> RecordKind;

    /// Documents for those of `ids` that should be searchable now. An id left out (deleted,
    /// unpublished, tombstoned) is removed from the index. `vocabulary` tags the documents with
    /// concepts; the caller builds it once for many loads (a rebuild, the indexer's batches).
    async fn load(
        &self,
        db: &DatabaseConnection,
        ids: &[i32],
        vocabulary: &ConceptMatcher,
    ) -> Result<Vec<SearchDocument>, sea_orm::DbErr>;

    /// Every id a full rebuild should load.
    async fn all_ids(&self, db: &DatabaseConnection) -> Result<Vec<i32>, sea_orm::DbErr>;

    /// Documents of other kinds that embed something of the records `ids` (a city's names in
    /// its practices, a theme's labels in its practices and funding, a funder's name in its
    /// opportunities): the indexer refreshes them when one of `ids` changes.
    async fn dependents(
        &self,
        _db: &DatabaseConnection,
        _ids: &[i32],
    ) -> Result<Vec<(RecordKind, i32)>, sea_orm::DbErr> {
        Ok(Vec::new())
    }
}

/// The rows of record `id` in `groups` (from [`crate::service::batch::group`], so a chunk's
/// documents pick their translations and links in one lookup each instead of a scan of the
/// chunk's rows), in their original order.
fn links_of<T>(groups: &HashMap<i32, Vec<T>>, id: i32) -> impl Iterator<Item = &T> {
    groups.get(&id).into_iter().flatten()
}

/// `(kind, id)` for every id.
fn tagged(kind: RecordKind, ids: Vec<i32>) -> Vec<(RecordKind, i32)> {
    ids.into_iter().map(|id| (kind, id)).collect()
}

/// Every mapping, in the order a rebuild loads them.
pub fn all() -> Vec<Box<dyn DocumentMapping>> {
    vec![
        Box::new(practice::PracticeMapping),
        Box::new(funding::FundingMapping),
        Box::new(city::CityMapping),
        Box::new(theme::ThemeMapping),
        Box::new(funder::FunderMapping),
        Box::new(thread::ThreadMapping),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_grouped_by_their_record_in_their_original_order() {
        let links = vec![(7, "a"), (3, "b"), (7, "c"), (9, "d"), (7, "e")];
        let groups = crate::service::batch::group(links);
        let of = |id| -> Vec<&str> { links_of(&groups, id).copied().collect() };
        assert_eq!(of(7), ["a", "c", "e"]);
        assert_eq!(of(3), ["b"]);
        assert_eq!(of(9), ["d"]);
        assert!(of(4).is_empty(), "a record without rows has none");
    }
}
